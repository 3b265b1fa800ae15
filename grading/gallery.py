"""The gallery: broken and hostile submissions of one assignment, each with its expected verdict.

It works on any assignment of the course: it edits the *released* notebook by position (the
answer cells and the test cells that follow each of them), fills answers from the solution
notebook, and writes ``OUTPUT/submissions/STUDENT/A.ipynb`` (plus extra files) and
``OUTPUT/expected.json``. Collect ``OUTPUT/submissions`` and autograde it with
``GALLERY_LIMITS`` to check every verdict (``tests/test_grading_gallery.py`` does).
"""
from __future__ import annotations

import ast
import copy
import json
import re
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_raw_cell

from .course import REPO, Course
from .lint import MARKERS, is_test_cell, nbgrader_meta
from .preprocessors import describe_cell
from .sandbox import Limits
from .verdict import COULD_NOT_GRADE, GRADED, SUSPICIOUS

FIXTURE_COURSE = REPO / "tests" / "fixtures" / "course"
FIXTURE_ASSIGNMENT = "f01_neuron"
PREFERRED_ASSIGNMENT = "01_perceptron"
# Tight limits, so that the infinite loop costs seconds; honest cells still fit easily.
GALLERY_LIMITS = Limits(cell_timeout=10, total_timeout=20, memory_mb=3072, cpu_seconds=60,
                        disk_mb=256)
ACTIVE_MARK = "GALLERY_XSS"  # in every payload, so that a test can look for what survived


@dataclass(frozen=True)
class Exercise:
    """An autograded answer cell, its function, and the test cells that follow it."""

    answer: int  # cell index in the released notebook
    function: str | None
    tests: tuple[int, ...]
    points: float


@dataclass
class Expected:
    status: str
    auto_score: float | None  # None: not checked (could not grade, or a forged run)
    reason: str = ""  # a fragment the verdict's reason must contain


@dataclass
class Submission:
    """A student's folder: the notebook (None for a malformed one) and extra files."""

    notebook: nbformat.NotebookNode | None
    files: dict[str, str] = field(default_factory=dict)


def strip_markers(source: str) -> str:
    skip = {m for pair in MARKERS.values() for m in pair}
    return "\n".join(line for line in source.splitlines() if line.strip() not in skip)


def exercises(release) -> list[Exercise]:
    """The autograded exercises of a released notebook, in order."""
    found, current, tests = [], None, []
    cells = release.cells
    for index, cell in enumerate(cells + [None]):
        is_answer = cell is not None and cell.cell_type == "code" \
            and nbgrader_meta(cell).get("solution", False)
        if (is_answer or cell is None) and current is not None:
            points = sum(float(nbgrader_meta(cells[i])["points"]) for i in tests)
            found.append(Exercise(current, defined_function(cells[current].source),
                                  tuple(tests), points))
            current, tests = None, []
        if is_answer:
            current = index
        elif cell is not None and current is not None and is_test_cell(cell):
            tests.append(index)
    return [e for e in found if e.tests]


def defined_function(source: str) -> str | None:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    return names[0] if names else None


class Assignment:
    """One assignment's released and solution notebooks, and the exercises in them."""

    def __init__(self, course: Course, name: str):
        self.name = name
        self.course = course
        self.release = nbformat.read(str(course.release_notebook(name)), as_version=4)
        self.source = nbformat.read(str(course.source_notebook(name)), as_version=4)
        self.exercises = exercises(self.release)
        if not self.exercises:
            raise ValueError(f"{name}: expected autograded exercises, found none")
        self.auto_max = sum(e.points for e in self.exercises)
        ids = {nbgrader_meta(c).get("grade_id"): c for c in self.source.cells}
        self.solutions = {e.answer: strip_markers(
            ids[nbgrader_meta(self.release.cells[e.answer])["grade_id"]].source)
            for e in self.exercises}

    def blank(self) -> nbformat.NotebookNode:
        return copy.deepcopy(self.release)

    def correct(self, skip=()) -> nbformat.NotebookNode:
        """The release with every answer (except those in ``skip``) filled from the solution."""
        nb = self.blank()
        for exercise in self.exercises:
            if exercise not in skip:
                nb.cells[exercise.answer].source = self.solutions[exercise.answer]
        return nb

    def describe(self, index: int) -> str:
        """How a reason names the released notebook's cell ``index``."""
        return describe_cell(self.release, index)

    def setup_code(self) -> str:
        """The locked code cells before the first exercise (imports)."""
        first = self.exercises[0].answer
        return "\n".join(c.source for c in self.release.cells[:first]
                         if c.cell_type == "code" and nbgrader_meta(c).get("locked"))


def add_code(nb, exercise: Exercise, code: str, *, before: bool = False):
    cell = nb.cells[exercise.answer]
    cell.source = f"{code}\n{cell.source}" if before else f"{cell.source}\n{code}"
    return nb


def wrap_function(nb, exercise: Exercise, body: str):
    """Redefine the exercise's function after the answer: ``body`` may call ``_original``."""
    name = exercise.function
    code = (f"_original_{name} = {name}\n\n"
            f"def {name}(*args, **kwargs):\n"
            + "\n".join("    " + line for line in body.replace("_original", f"_original_{name}")
                        .splitlines()))
    return add_code(nb, exercise, code)


def gallery_cases(a: Assignment, trap_target: Path,
                  limits: Limits = GALLERY_LIMITS) -> dict[str, tuple[Submission, Expected]]:
    """Every case: student id -> (submission, expected verdict). ``trap_target`` is a file
    outside the sandbox that the symbolic-link case tries to have the grader overwrite."""
    first, last = a.exercises[0], a.exercises[-1]
    full = a.auto_max
    db_path = a.course.work / "gradebook.db"
    source_path = a.course.source_notebook(a.name)
    cases = {}

    def case(name, nb, status, score, reason="", files=None):
        cases[name] = (Submission(nb, files or {}), Expected(status, score, reason))

    case("g01_correct", a.correct(), GRADED, full)
    case("g02_blank", a.blank(), GRADED, 0.0)
    case("g03_wrong", wrong_answer(a, last), GRADED, full - last.points)
    case("g04_syntax_error", add_code(a.correct(), first, "result = (1 +"),
         GRADED, full - first.points)
    case("g05_infinite_loop", wrap_function(a.correct(), last, "while True:\n    pass"),
         COULD_NOT_GRADE, None, f"{a.describe(last.tests[0])} timed out after "
         f"{limits.cell_timeout} s")
    case("g06_os_exit", add_code(a.correct(), first, "import os\nos._exit(0)"),
         COULD_NOT_GRADE, None, "the kernel exited with status 0")
    case("g07_system_exit", add_code(a.correct(), first, "raise SystemExit('bye')", before=True),
         GRADED, full - first.points)
    bomb = "import numpy\nhog = [numpy.empty(2**27) for _ in range(10**5)]"  # 1 GB blocks
    case("g08_memory_bomb", add_code(a.correct(), first, bomb),
         COULD_NOT_GRADE, None, "ran out of memory")
    case("g09_huge_output", add_code(a.correct(), first, "print('x' * 5_000_000)"), GRADED, full)
    case("g10_network", add_code(a.correct(), first, (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('1.1.1.1', 53), timeout=3).close()\n"
        "    print('network: reachable')\n"
        "except OSError as error:\n"
        "    print('network:', error)")), SUSPICIOUS, full, "imports socket")
    case("g11_read_solutions", add_code(a.correct(skip=[first]), first, (
        "import json\n"
        "try:\n"
        f"    cells = json.load(open({str(source_path)!r}))['cells']\n"
        f"    exec(''.join(cells[{first.answer}]['source']))\n"
        "    print('read the solutions')\n"
        "except OSError as error:\n"
        "    print('solutions:', type(error).__name__)\n"
        "try:\n"
        f"    open({str(db_path)!r}, 'rb').read()\n"
        "    print('read the gradebook')\n"
        "except OSError as error:\n"
        "    print('gradebook:', type(error).__name__)")),
        SUSPICIOUS, full - first.points, "outside the submission folder")
    case("g12_write_gradebook", add_code(a.correct(), first, (
        "import sqlite3\n"
        "try:\n"
        f"    db = sqlite3.connect({str(db_path)!r})\n"
        "    db.execute('UPDATE grade SET auto_score = 100')\n"
        "    db.commit()\n"
        "    print('wrote the gradebook')\n"
        "except sqlite3.Error as error:\n"
        "    print('gradebook:', error)")), SUSPICIOUS, full, "imports sqlite3")
    deleted = a.correct()
    del deleted.cells[first.tests[0]]
    case("g13_deleted_test", deleted, SUSPICIOUS, full, "deleted the test cell")
    edited = a.correct(skip=[last])
    for index in last.tests:
        edited.cells[index].source = "# the tests were here\npass"
    case("g14_edited_test", edited, SUSPICIOUS, full - last.points, "edited the test cell")
    duplicated = a.correct()
    copied = copy.deepcopy(duplicated.cells[first.tests[0]])
    copied["id"] = copied.get("id", "cell") + "-copy"
    duplicated.cells.insert(first.tests[0] + 1, copied)
    case("g15_duplicated_cell", duplicated, GRADED, full, "appears 2 times")
    stripped = a.correct()
    for cell in stripped.cells:
        cell.metadata.pop("nbgrader", None)
    case("g16_stripped_metadata", stripped, GRADED, full, "restored stripped nbgrader metadata")
    helper = a.correct()
    helper.cells[first.answer].source = f"from helper import {first.function}"
    case("g17_extra_helper_py", helper, GRADED, full,
         files={"helper.py": a.setup_code() + "\n\n" + a.solutions[first.answer] + "\n"})
    case("g18_fake_numpy", a.blank(), SUSPICIOUS, 0.0, "would shadow the module numpy",
         files={"numpy.py": FAKE_NUMPY})
    case("g19_stderr_warning", wrap_function(a.correct(), last, (
        "import sys, warnings\n"
        "warnings.warn('a harmless warning', UserWarning)\n"
        "print('a note on stderr', file=sys.stderr)\n"
        "return _original(*args, **kwargs)")), GRADED, full)
    case("g20_monkeypatch_numpy", add_code(a.blank(), first, (
        "np.testing.assert_allclose = lambda *args, **kwargs: None\n"
        "np.testing.assert_array_equal = lambda *args, **kwargs: None")),
        SUSPICIOUS, None, "assigns to np.testing.assert_allclose")
    slow = a.correct()
    pause = max(1, int(limits.cell_timeout * 0.8))  # every cell within its limit, not the sum
    for _ in range(limits.total_timeout // pause + 1):
        slow.cells.append(new_code_cell(f"import time\ntime.sleep({pause})"))
    case("g21_too_slow_overall", slow, COULD_NOT_GRADE, None, "total time limit")
    honest_slow = a.correct()
    honest_slow.cells.append(new_code_cell(f"import time\ntime.sleep({limits.cell_timeout // 2})"))
    case("g22_slow_but_honest", honest_slow, GRADED, full)
    case("g23_malformed_notebook", None, COULD_NOT_GRADE, None, "malformed notebook")
    case("g25_symlink_trap", add_code(a.correct(), first, (
        "import os\n"
        f"for name in [{a.name + '.ipynb'!r}, 'trap.txt']:\n"
        "    if os.path.lexists(name):\n"
        "        os.remove(name)\n"
        f"    os.symlink({str(trap_target)!r}, name)")),
        SUSPICIOUS, full, "a link or special file")
    case("g24_wrong_file_name", a.correct(), COULD_NOT_GRADE, None, "no notebook named")
    file_mb = limits.file_size_mb - 1  # each file within its own limit, not all of them
    case("g26_fills_the_disk", add_code(a.correct(), first, (
        "block = b'x' * 2**20\n"
        f"for number in range({limits.disk_mb // file_mb + 2}):\n"
        "    with open(f'filler_{number}.bin', 'wb') as filler:\n"
        f"        for _ in range({file_mb}):\n"
        "            filler.write(block)")),
        COULD_NOT_GRADE, None, f"wrote more than {limits.disk_mb} MB")
    case("g27_active_content", active_content(a, first), GRADED, full,
         "active content removed from 3 cells")
    case("g28_forged_equality", forged_answers(a), GRADED, 0.0)
    case("g29_hostile_markup", hostile_markup(a, first), GRADED, full,
         "lone surrogates (not valid Unicode) shown as U+FFFD: 1; "
         "active content removed from 2 cells",
         files={"timestamp.txt": "garbage"})
    case("g30_pasted_image", pasted_image(a), GRADED, full)
    return cases


# Refused at collect, with a line saying why: nothing of these students is graded.
REFUSED = "refused at collect"
LONG_NAME = "g37_long_name_" + "x" * 286  # 300 characters: longer than a file name may be


def collect_cases(a: Assignment) -> dict[str, tuple[Submission | None, Expected]]:
    """Uploads that only collect sees: symbolic links and odd ids in the folder
    (``submissions/``), and an LMS zip (``lms_export.zip``) with an honest student, an
    over-long name, a bad CRC, an encrypted member and a zip bomb."""
    def refused(reason):
        return None, Expected(REFUSED, None, reason)

    return {
        "g31_symlinked_notebook": refused("a symbolic link (not followed)"),
        "g32_symlinked_folder": refused("a symbolic link (not followed)"),
        "g33_bidi_\u202eeci\u200bla": refused("control, bidi or zero-width"),
        "g34_carriage\rreturn": refused("control, bidi or zero-width"),
        "g35_newline\nalice  15 of 15  graded": refused("control, bidi or zero-width"),
        "g36_from_zip": (Submission(a.blank()), Expected(GRADED, 0.0)),
        LONG_NAME: refused("longer than 255 bytes"),
        "g38_bad_crc": refused("cannot be unpacked: BadZipFile"),
        "g39_encrypted": refused("is encrypted"),
        "g40_zip_bomb": refused("MB unpacked (a zip bomb?)"),
    }


HOSTILE_MARKUP = f"""Markup outside the usual HTML tags, and remote resources.

<svg onload="{ACTIVE_MARK}_svg_onload()"><animate onbegin="{ACTIVE_MARK}_onbegin()"
attributeName="x" dur="1s"/></svg>
<xss autofocus tabindex=1 onfocus="{ACTIVE_MARK}_onfocus()">an unknown element</xss>
<math><mi xlink:href="javascript:{ACTIVE_MARK}_math()">m</mi></math>
<img src="http://nn-remote.invalid/{ACTIVE_MARK}_img.png?who=instructor">

![a remote image](https://nn-remote.invalid/{ACTIVE_MARK}_md.png)

A broken character: \ud800.
"""
HOSTILE_OUTPUT = f"""
class _Remote:
    def _repr_html_(self):
        return ('<img src="http://nn-remote.invalid/{ACTIVE_MARK}_out.png">'
                '<svg onload="{ACTIVE_MARK}_out_svg()"></svg>')


display(_Remote())"""
FORMULA_FLOOD = "\n\n".join("$$" + " + ".join(["x"] * 10_000)[:20_000] + "$$" for _ in range(4))


def hostile_markup(a: Assignment, exercise: Exercise):
    """SVG, MathML and unknown elements with handlers, remote images in markdown and in an
    output, a lone surrogate, and a flood of four 20,000-character formulas."""
    nb = add_code(a.correct(), exercise, HOSTILE_OUTPUT)
    nb.cells.insert(exercise.answer + 1, new_markdown_cell(HOSTILE_MARKUP))
    nb.cells.append(new_markdown_cell(FORMULA_FLOOD))
    return nb


PNG_70_BYTES = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGA"
                "WjR9awAAAABJRU5ErkJggg==")


def pasted_image(a: Assignment):
    """An honest answer with an image pasted into a markdown cell (and a large attachment the
    markdown does not use): graded exactly like the correct submission."""
    nb = a.correct()
    cell = new_markdown_cell("My sketch of the boundary:\n\n![image.png](attachment:image.png)")
    cell["attachments"] = {"image.png": {"image/png": PNG_70_BYTES},
                           "unused.png": {"image/png": "A" * 4_000_000}}
    nb.cells.insert(a.exercises[0].answer + 1, cell)
    return nb


ACTIVE_MARKDOWN = f"""A note from the student.

<script>window.{ACTIVE_MARK} = 1</script>
<img src="x" onerror="{ACTIVE_MARK}_img()">
[a javascript: link](javascript:{ACTIVE_MARK}_md())
<a href="JaVaScRiPt:{ACTIVE_MARK}_a()">an HTML link</a>
<iframe src="javascript:{ACTIVE_MARK}_iframe()"></iframe>
<object data="javascript:{ACTIVE_MARK}_object()"></object>
<embed src="javascript:{ACTIVE_MARK}_embed()">
<style>body {{ background: url("javascript:{ACTIVE_MARK}_style()") }}</style>
<p style="background: url(javascript:{ACTIVE_MARK}_css())">styled</p>
<svg onload="{ACTIVE_MARK}_svg()"><script>{ACTIVE_MARK}_svg_script()</script></svg>
"""
ACTIVE_DISPLAY = f"""
class _Shiny:
    def _repr_html_(self):
        return ('<b onmouseover="{ACTIVE_MARK}_html()">bold</b>'
                '<script>{ACTIVE_MARK}_html2()</script>')

    def _repr_svg_(self):
        return ('<svg xmlns="http://www.w3.org/2000/svg">'
                '<script>{ACTIVE_MARK}_out_svg()</script></svg>')

    def _repr_javascript_(self):
        return '{ACTIVE_MARK}_js()'

    def _repr_markdown_(self):
        return '[click](javascript:{ACTIVE_MARK}_out_md())'


class _Widgety:
    def _repr_mimebundle_(self, include=None, exclude=None):
        return {{'application/vnd.jupyter.widget-view+json': {{'model_id': '{ACTIVE_MARK}',
                 'version_major': 2, 'version_minor': 0}}, 'text/plain': 'a widget'}}


display(_Shiny())
display(_Widgety())"""


def active_content(a: Assignment, exercise: Exercise):
    """Scripts, event handlers, javascript: links, frames, styles and SVG in a markdown cell,
    a raw HTML cell and the outputs of an answer: none may reach a page anyone opens."""
    nb = add_code(a.correct(), exercise, ACTIVE_DISPLAY)
    nb.cells.insert(exercise.answer + 1, new_markdown_cell(ACTIVE_MARKDOWN))
    nb.cells.insert(exercise.answer + 2, new_raw_cell(
        f"<script>{ACTIVE_MARK}_raw()</script>", metadata={"format": "text/html"}))
    return nb


FORGERY = """
class _AlwaysEqualInt(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


class _AlwaysEqualFloat(float):
    __eq__, __ne__, __hash__ = _AlwaysEqualInt.__eq__, _AlwaysEqualInt.__ne__, float.__hash__


class _AlwaysEqualArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    def __ne__(self, other):
        return np.zeros(self.shape, dtype=bool)


class _AlwaysEqualList(list):
    __eq__, __ne__ = _AlwaysEqualInt.__eq__, _AlwaysEqualInt.__ne__


def _forged(value):  # a wrong answer that claims to equal anything
    if type(value) is int:
        return _AlwaysEqualInt(value + 1)
    if type(value) is float:
        return _AlwaysEqualFloat(value + 1)
    if type(value) is np.ndarray and value.dtype.kind in "iuf":
        return (value + 1).view(_AlwaysEqualArray)
    if type(value) is list:
        return _AlwaysEqualList(_forged(item) for item in value)
    if type(value) is tuple:
        return tuple(_forged(item) for item in value)
    return value
"""


def forged_answers(a: Assignment):
    """Every answer wrong, in objects whose ``==`` says True: an int, a float, an ndarray and a
    list subclass. Tests that compare plain values give no point."""
    nb = add_code(a.correct(), a.exercises[0], FORGERY, before=True)
    for exercise in a.exercises:
        if exercise.function:
            wrap_function(nb, exercise, "return _forged(_original(*args, **kwargs))")
    return nb


def wrong_answer(a: Assignment, exercise: Exercise):
    """Right for the calls the visible tests make (the released test cells hold only those),
    off afterwards: the hidden tests fail."""
    visible_calls = sum(a.release.cells[i].source.count(f"{exercise.function}(") for i in exercise.tests)
    nb = a.correct()
    add_code(nb, exercise, "_calls = []")
    return wrap_function(nb, exercise, (
        "_calls.append(1)\n"
        "result = _original(*args, **kwargs)\n"
        f"return result if len(_calls) <= {max(visible_calls, 1)} else result + 1"))


TRAP_CONTENT = "the grader must never write here\n"
FAKE_NUMPY = '''"""A fake numpy whose tests always pass."""


class testing:
    @staticmethod
    def assert_allclose(*args, **kwargs):
        pass

    assert_array_equal = assert_allclose
'''


def notebook_json(submission: Submission) -> str:
    """The notebook file's text (ASCII JSON: a lone surrogate is written as its escape)."""
    if submission.notebook is None:
        return '{"cells": [ {"cell_type": "code", "source": "trunc'
    return json.dumps(submission.notebook, indent=1)


def write_submission(folder: Path, assignment: str, submission: Submission, *,
                     file_name: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / (file_name or f"{assignment}.ipynb")).write_text(notebook_json(submission))
    for name, text in submission.files.items():
        (folder / name).write_text(text)


def write_collect_cases(a: Assignment, output: Path, cases: dict) -> None:
    """The folder entries and ``lms_export.zip`` of ``collect_cases``."""
    submissions = output / "submissions"
    name = f"{a.name}.ipynb"
    (submissions / "g31_symlinked_notebook").mkdir(parents=True)
    (submissions / "g31_symlinked_notebook" / name).symlink_to(a.course.source_notebook(a.name))
    (submissions / "g32_symlinked_folder").symlink_to(a.course.source_notebook(a.name).parent)
    honest = notebook_json(Submission(a.correct()))
    for student in [s for s in cases if s.startswith(("g33", "g34", "g35"))]:
        write_submission(submissions / student, a.name, Submission(a.correct()))
    with zipfile.ZipFile(output / "lms_export.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"g36_from_zip/{name}", notebook_json(cases["g36_from_zip"][0]))
        archive.writestr(f"{LONG_NAME}/{name}", honest)
        archive.writestr(zipfile.ZipInfo(f"g38_bad_crc/{name}"), honest)  # stored: no compression
        archive.writestr(f"g39_encrypted/{name}", honest)
        archive.writestr(f"g40_zip_bomb/{name}", honest)
        with archive.open(f"g40_zip_bomb/zeros.npy", "w") as bomb:  # 256 MB of zeros
            for _ in range(256):
                bomb.write(bytes(2**20))
    data = (output / "lms_export.zip").read_bytes()
    stored = data.index(honest.encode()[:200], data.index(b"g38_bad_crc"))
    corrupted = data[:stored + 100] + bytes([data[stored + 100] ^ 0x20]) + data[stored + 101:]
    (output / "lms_export.zip").write_bytes(flag_encrypted(corrupted, f"g39_encrypted/{name}"))


def flag_encrypted(data: bytes, member: str) -> bytes:
    """The zip ``data`` with ``member`` flagged as encrypted (bit 0 of its general-purpose
    flags, in its local header and in the central directory), as a password-protected
    member is; zipfile cannot write one itself."""
    data, name = bytearray(data), member.encode()
    for at in [m.start() for m in re.finditer(re.escape(name), data)]:
        for signature, header in ((b"PK\x03\x04", 30), (b"PK\x01\x02", 46)):
            if data[at - header:at - header + 4] == signature:
                data[at - header + (6 if header == 30 else 8)] |= 0x1
    return bytes(data)


def default_assignment(course: Course) -> str:
    """01_perceptron when the course has it, else the grading tests' fixture."""
    return PREFERRED_ASSIGNMENT if PREFERRED_ASSIGNMENT in course.assignments() else FIXTURE_ASSIGNMENT


def write_gallery(course: Course, assignment: str | None, output: Path) -> dict[str, Expected]:
    """Write every case under ``output`` (``submissions/`` and ``lms_export.zip``, to be
    collected both) and their expectations to ``output/expected.json``."""
    a = Assignment(course, assignment or default_assignment(course))
    trap_target = Path(output).resolve() / "trap_target.txt"
    trap_target.parent.mkdir(parents=True, exist_ok=True)
    trap_target.write_text(TRAP_CONTENT)
    trap_target.chmod(0o600)
    cases = gallery_cases(a, trap_target)
    for student, (submission, _) in cases.items():
        name = "submission.ipynb" if student == "g24_wrong_file_name" else None
        write_submission(Path(output) / "submissions" / student, a.name, submission,
                         file_name=name)
    at_collect = collect_cases(a)
    write_collect_cases(a, Path(output), at_collect)
    expected = {student: exp for student, (_, exp) in {**cases, **at_collect}.items()}
    (Path(output) / "expected.json").write_text(
        json.dumps({s: asdict(e) for s, e in expected.items()}, indent=1))
    return expected
