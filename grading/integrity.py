"""Checks of a submission against the release, done by the grader before any student code runs.

The student's notebook is compared with the *released* notebook (what the student was given),
never with checksums stored in the student's own file:

- nbgrader metadata is restored from the release (cells matched by grade_id, or by cell id when
  the metadata was stripped); metadata claiming a grade_id the release does not have is removed;
- a graded cell that appears twice keeps its metadata on the last copy only (nbgrader's rule);
- an edited or deleted locked cell is noted (nbgrader restores it from the gradebook);
- the student's own code is scanned (``grading/tamper.py``);
- extra files are kept, except those that would shadow an importable module (``numpy.py``).

The result says what to grade and why the submission is suspicious, or why it cannot be graded.
"""
from __future__ import annotations

import ast
import copy
import importlib.util
import json
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .lint import nbgrader_meta, python_source
from .printable import printable
from .tamper import imported_names, scan_cell

IGNORED_FILES = {"timestamp.txt", ".ipynb_checkpoints", "__pycache__"}


@dataclass
class Prepared:
    """A submission made ready for nbgrader, with what was found on the way."""

    notebook: nbformat.NotebookNode | None = None
    extra_files: list[Path] = field(default_factory=list)
    suspicious: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failure: str | None = None  # set when the submission cannot be graded at all


LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a valid pair is one character once decoded


def read_submission(path: Path) -> tuple[nbformat.NotebookNode, int]:
    """Read and validate a notebook; raise ValueError saying what is malformed. Lone
    surrogates (``"\\ud800"`` in the JSON: no character, and not writable as UTF-8) become
    U+FFFD; returns the notebook and how many were replaced."""
    try:
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        text, replaced = LONE_SURROGATE.subn("\ufffd", json.dumps(nb, ensure_ascii=False))
        if replaced:
            nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as error:  # noqa: BLE001 - any parse/validation error means malformed
        message = (str(error).splitlines() or [""])[0][:200]
        raise ValueError(printable(f"malformed notebook {path.name}: {type(error).__name__}: "
                                   f"{message}")) from None
    return nb, replaced


def restore_metadata(nb, release) -> tuple[list[str], list[str]]:
    """Put the release's nbgrader metadata back on the submission's cells, in place.
    Returns (suspicious findings, notes)."""
    suspicious, notes = [], []
    by_grade_id = {nbgrader_meta(c)["grade_id"]: c for c in release.cells if nbgrader_meta(c)}
    by_cell_id = {c.get("id"): c for c in release.cells if nbgrader_meta(c) and c.get("id")}
    restored = 0
    for index, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        grade_id = meta.get("grade_id")
        if grade_id in by_grade_id:
            wanted = nbgrader_meta(by_grade_id[grade_id])
            changed = [k for k in ("grade", "solution", "locked", "points")
                       if meta.get(k) != wanted.get(k)]
            if changed:
                suspicious.append(f"cell {index} ({grade_id}): nbgrader metadata changed "
                                  f"({', '.join(changed)}); the release's was used")
            cell.metadata["nbgrader"] = copy.deepcopy(wanted)
        elif meta:
            suspicious.append(f"cell {index} claims grade_id {grade_id!r}, which the release "
                              "does not have; its nbgrader metadata was removed")
            del cell.metadata["nbgrader"]
        elif cell.get("id") in by_cell_id:
            cell.metadata["nbgrader"] = copy.deepcopy(nbgrader_meta(by_cell_id[cell["id"]]))
            restored += 1
    if restored:
        notes.append(f"restored stripped nbgrader metadata of {restored} cells from the release")
    return suspicious, notes


def drop_duplicates(nb) -> list[str]:
    """Keep the nbgrader metadata of a repeated grade_id on its last copy only, in place."""
    counts = Counter(nbgrader_meta(c).get("grade_id") for c in nb.cells if nbgrader_meta(c))
    notes = []
    seen = Counter()
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id is not None and counts[grade_id] > 1:
            seen[grade_id] += 1
            if seen[grade_id] < counts[grade_id]:
                del cell.metadata["nbgrader"]
    for grade_id, count in counts.items():
        if count > 1:
            notes.append(f"cell {grade_id} appears {count} times; the last copy was graded")
    return notes


def locked_cell_findings(nb, release) -> list[str]:
    """Edited or deleted locked cells (tests, instructions) of the release."""
    submitted = {nbgrader_meta(c)["grade_id"]: c for c in nb.cells if nbgrader_meta(c)}
    findings = []
    for cell in release.cells:
        meta = nbgrader_meta(cell)
        if not meta or meta.get("solution", False) or not (meta.get("locked") or meta.get("grade")):
            continue
        kind = "test cell" if meta.get("grade") else "locked cell"
        grade_id = meta["grade_id"]
        mine = submitted.get(grade_id)
        if mine is None:
            if meta.get("grade"):
                findings.append(f"deleted the {kind} {grade_id} (restored from the release)")
        elif mine.source != cell.source or mine.cell_type != cell.cell_type:
            findings.append(f"edited the {kind} {grade_id} (the release's version was used)")
    return findings


def student_code_findings(nb, release) -> list[str]:
    """Static scan of every code cell the student may write (not locked in the release)."""
    protected = {}
    for cell in release.cells:
        if cell.cell_type == "code" and nbgrader_meta(cell).get("locked"):
            try:
                protected.update(imported_names(ast.parse(python_source(cell.source))))
            except SyntaxError:
                pass
    findings = []
    for index, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or (meta and not meta.get("solution", False)):
            continue
        label = meta.get("grade_id", "a cell without grade_id")
        findings += [f"cell {index} ({label}) {f}" for f in scan_cell(cell.source, protected)]
    return findings


def shadows_a_module(path: Path) -> bool:
    name = path.stem if path.suffix == ".py" else path.name
    if not name.isidentifier():
        return False
    return name in sys.stdlib_module_names or importlib.util.find_spec(name) is not None


def symlinks(folder: str, names: list[str]) -> list[str]:
    """``shutil.copytree``'s ``ignore``: skip symbolic links (the grader copies as root, and a
    link could bring the gradebook or the solutions into the sandbox)."""
    return [name for name in names if os.path.islink(os.path.join(folder, name))]


def extra_files(folder: Path, notebook_name: str) -> tuple[list[Path], list[str]]:
    """The submission's other files to copy, and findings about those that are dropped."""
    kept, findings = [], []
    for path in sorted(folder.iterdir()):
        if path.name in IGNORED_FILES or path.name == notebook_name:
            continue
        if path.is_symlink():
            findings.append(f"extra file {path.name} is a symbolic link; graded without it")
        elif (path.suffix == ".py" or path.is_dir()) and shadows_a_module(path):
            findings.append(f"extra file {path.name} would shadow the module {path.stem}; "
                            "graded without it")
        else:
            kept.append(path)
    return kept, findings


def prepare_submission(folder: Path, release_path: Path) -> Prepared:
    """Everything the grader checks before running a submission folder's notebook."""
    result = Prepared()
    name = release_path.name
    path = folder / name
    if path.is_symlink():
        result.failure = f"{name} is a symbolic link, not a notebook"
        return result
    if not path.is_file():
        found = sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []
        result.failure = f"no notebook named {name} in the submission (found: {found or 'none'})"
        return result
    try:
        nb, replaced = read_submission(path)
    except ValueError as error:
        result.failure = str(error)
        return result
    release = nbformat.read(str(release_path), as_version=4)
    suspicious, notes = restore_metadata(nb, release)
    notes += drop_duplicates(nb)
    suspicious += locked_cell_findings(nb, release)
    suspicious += student_code_findings(nb, release)
    result.extra_files, dropped = extra_files(folder, name)
    result.notebook = nb
    result.suspicious = suspicious + dropped
    if replaced:
        notes.append(f"lone surrogates (not valid Unicode) shown as U+FFFD: {replaced}")
    result.notes = notes
    return result
