"""``collect``: take submissions into the course with nbgrader's collector.

PATH is an LMS zip export or a folder; either holds one folder per student at its top level,
with the notebook (and any extra files) inside: ``STUDENT/A.ipynb``. Everything under
``STUDENT/``, sub-folders included, belongs to that student: no folder inside one student's
upload can name another student. Other layouts need ``--pattern``, a regular expression with the
groups ``student_id`` and ``file_id``, matched against each file's path (nbgrader's
``FileNameCollectorPlugin.named_regexp``).

The upload is laid out in nbgrader's ``downloaded/A/extracted`` by this module (the zip members
checked one by one: an absolute path, a drive letter, ``..`` or a symbolic link is refused with
a reason, the rest is taken), then nbgrader's ``zip_collect`` copies each file to
``submitted/STUDENT/A/``. What is refused is reported, never a reason to stop the class.
"""
from __future__ import annotations

import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from nbgrader.apps import ZipCollectApp

from .course import Course
from .integrity import symlinks

COLLECTED_EXTENSIONS = [".ipynb", ".py", ".csv", ".txt", ".json", ".npy", ".npz", ".png"]
DRIVE_LETTER = re.compile(r"^[A-Za-z]:")


@dataclass
class Collected:
    """The students with a submission of the assignment, and what was refused (one line each)."""

    students: list[str]
    refused: list[str] = field(default_factory=list)


def unsafe_member(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member must not be extracted (None when it is safe)."""
    name = info.filename
    parts = name.replace("\\", "/").split("/")
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link"
    if name.startswith(("/", "\\")):
        return "an absolute path"
    if DRIVE_LETTER.match(name):
        return "a path with a drive letter"
    if ".." in parts:
        return "a path that leaves its folder (..)"
    return None


def extract_zip(path: Path, target: Path) -> list[str]:
    """Extract the safe members of the zip at ``path`` into ``target``; return the refusals."""
    refused = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            why = unsafe_member(info)
            if why:
                refused.append(f"{path.name}: {info.filename!r} refused: {why}")
                continue
            relative = PurePosixPath(*[p for p in info.filename.replace("\\", "/").split("/")
                                       if p not in ("", ".")])
            if info.is_dir() or not relative.parts:
                continue
            destination = target.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, open(destination, "wb") as copy:
                shutil.copyfileobj(source, copy)
    return refused


def stage_upload(path: Path, extracted: Path) -> list[str]:
    """Lay out PATH (folder or zip) in ``extracted``; return the refusals."""
    shutil.rmtree(extracted, ignore_errors=True)
    if path.is_dir():
        shutil.copytree(path, extracted, ignore=symlinks)
        return []
    extracted.mkdir(parents=True)
    if not zipfile.is_zipfile(path):
        raise ValueError(f"path: expected a zip file or a folder, got {path} (not a zip)")
    return extract_zip(path, extracted)


def loose_entries(extracted: Path) -> list[str]:
    """Refuse (and delete) what is not inside a student folder: top-level files, hidden
    folders and the ``__MACOSX`` folder of macOS archives."""
    refused = []
    for entry in sorted(extracted.iterdir()):
        if entry.is_dir() and not entry.name.startswith((".", "__MACOSX")):
            continue
        what = "not inside a student folder" if entry.is_file() else "not a student folder"
        refused.append(f"{entry.name}: refused: {what} (expected STUDENT/...)")
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    return refused


def student_pattern(extracted: Path) -> str:
    """The top-level folder is the student; the path below it, sub-folders included, is the
    file (so ``bob/alice/A.ipynb`` is bob's file ``alice/A.ipynb``)."""
    return re.escape(str(extracted)) + r"/(?P<student_id>[^/]+)/(?P<file_id>.+)$"


def collect(course: Course, assignment: str, path: Path, *,
            pattern: str | None = None) -> Collected:
    """Stage PATH in nbgrader's ``downloaded/A/extracted`` and run zip_collect's collection (a
    student's earlier submission of A is replaced)."""
    course.check_assignment(assignment)
    path = Path(path)
    if not path.exists():
        raise ValueError(f"path: expected a zip file or a folder, got {path} (missing)")
    extracted = course.downloaded / assignment / "extracted"
    refused = stage_upload(path, extracted)
    if pattern is None:
        refused += loose_entries(extracted)
    config = course.nbgrader_config()
    config.CourseDirectory.assignment_id = assignment
    config.ZipCollectApp.collect_directory_structure = str(
        course.downloaded / "{assignment_id}" / "{collect_step}")
    config.ZipCollectApp.force = True
    config.Application.log_level = "WARN"
    config.FileNameCollectorPlugin.named_regexp = pattern or student_pattern(extracted)
    config.FileNameCollectorPlugin.valid_ext = COLLECTED_EXTENSIONS
    app = ZipCollectApp(config=config)
    app.initialize([])
    app.init_plugins()
    app.process_extracted_files()  # nbgrader's extraction is skipped: the upload is staged
    students = sorted(p.parent.name for p in course.submitted.glob(f"*/{assignment}"))
    return Collected(students, refused)
