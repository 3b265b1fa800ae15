"""``collect``: take submissions into the course with nbgrader's collector.

PATH is an LMS zip export or a folder; either holds one folder per student at its top level,
with the notebook (and any extra files) inside: ``STUDENT/A.ipynb``. Everything under
``STUDENT/``, sub-folders included, belongs to that student: no folder inside one student's
upload can name another student. Other layouts need ``--pattern``, a regular expression with the
groups ``student_id`` and ``file_id``, matched against each file's path (nbgrader's
``FileNameCollectorPlugin.named_regexp``).

The upload is laid out in nbgrader's ``downloaded/A/extracted`` by this module, then nbgrader's
``zip_collect`` copies each file to ``submitted/STUDENT/A/``. Every file is checked first, and
what is refused is reported with one line, never a reason to stop the class:

- a file alone (the rest of the student's upload is taken): an absolute path, a drive letter,
  ``..``, a symbolic link or special file (never followed), a kind of file collect does not
  take, a ``timestamp.txt`` (the submission time is collect's, or the LMS's through a
  ``timestamp`` group of ``--pattern``, never a file the student wrote);
- a whole student: an id that is not printable and unambiguous (``printable.id_problem``:
  control, bidi and zero-width characters), an encrypted member, a name too long, more files
  or more bytes than ``CollectLimits`` (a zip bomb is refused from its headers, and unpacking
  stops at the limit whatever they say), a member that cannot be unpacked (a bad CRC).
"""
from __future__ import annotations

import datetime
import os
import re
import shutil
import stat
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Callable

from nbgrader.apps import ZipCollectApp

from .course import Course
from .printable import id_problem, printable

COLLECTED_EXTENSIONS = [".ipynb", ".py", ".csv", ".txt", ".json", ".npy", ".npz", ".png"]
DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
GRADERS_FILES = {"timestamp.txt"}  # written by collect; a student's own is never taken
SHOWN_CHARS = 60  # of a refused name in collect's lines


@dataclass(frozen=True)
class CollectLimits:
    """What collect unpacks for one student (a top-level folder of the upload)."""

    student_mb: int = 64  # bytes unpacked, all files together
    student_files: int = 1000
    name_bytes: int = 255  # one file or folder name (the usual file-system limit)
    path_chars: int = 1024


@dataclass
class Collected:
    """The students with a submission of the assignment, and what was refused (one line each)."""

    students: list[str]
    refused: list[str] = field(default_factory=list)


@dataclass
class Member:
    """A file of the upload: its path, its (declared) size, how to read it, and why it must
    not be taken: ``problem`` refuses this file only, ``fatal`` the whole student."""

    name: str  # as the upload spells it
    parts: tuple[str, ...]
    size: int = 0
    read: Callable[[], BinaryIO] | None = None
    problem: str | None = None
    fatal: str | None = None


def shown(name: str) -> str:
    """A name as collect's lines print it: escaped, and shortened."""
    name = printable(name)
    return name if len(name) <= SHOWN_CHARS else name[:SHOWN_CHARS] + "..."


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


def zip_members(archive: zipfile.ZipFile) -> list[Member]:
    members = []
    for info in archive.infolist():
        parts = tuple(p for p in info.filename.replace("\\", "/").split("/") if p not in ("", "."))
        if info.is_dir() or not parts:
            continue
        member = Member(info.filename, parts, info.file_size,
                        read=lambda info=info: archive.open(info))
        member.problem = unsafe_member(info)
        if info.flag_bits & 0x1:
            member.fatal = f"{shown(info.filename)} is encrypted (password protected)"
        members.append(member)
    return members


def folder_members(root: Path) -> list[Member]:
    """Every entry under ``root``, links and special files included (never followed)."""
    members = []
    for folder, folders, files in os.walk(root):
        for name in sorted(folders + files):
            path = Path(folder) / name
            parts = path.relative_to(root).parts
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode):
                continue
            member = Member(str(path.relative_to(root)), parts, path.lstat().st_size,
                            read=lambda path=path: open(path, "rb"))
            if stat.S_ISLNK(mode):
                member.problem = "a symbolic link (not followed)"
            elif not stat.S_ISREG(mode):
                member.problem = "not a regular file"
            members.append(member)
        folders[:] = [f for f in folders if not (Path(folder) / f).is_symlink()]
    return members


def name_problem(member: Member, limits: CollectLimits) -> str | None:
    if len(member.name) > limits.path_chars:
        return f"a path longer than {limits.path_chars} characters"
    if any(len(part.encode("utf-8", "surrogatepass")) > limits.name_bytes
           for part in member.parts):
        return f"a file or folder name longer than {limits.name_bytes} bytes"
    return None


def student_problem(student: str, members: list[Member], limits: CollectLimits,
                    check_id: bool) -> str | None:
    """Why nothing of this student's upload is taken (None when it may be unpacked)."""
    for member in members:
        why = member.fatal or name_problem(member, limits)
        if why:
            return why
    if check_id and len(members) and len(members[0].parts) > 1:
        why = id_problem(student)
        if why:
            return why
    if len(members) > limits.student_files:
        return f"{len(members)} files, more than the {limits.student_files} collect takes"
    if sum(m.size for m in members) > limits.student_mb * 2**20:
        return f"more than {limits.student_mb} MB unpacked (a zip bomb?)"
    return None


def unpack(member: Member, destination: Path, budget: int) -> int:
    """Copy ``member`` to ``destination``, at most ``budget`` bytes; returns the bytes written.
    Raises ValueError when the member holds more than its budget."""
    written = 0
    with member.read() as source, open(destination, "wb") as copy:
        while chunk := source.read(2**20):
            written += len(chunk)
            if written > budget:
                raise ValueError("more bytes than its header says (a zip bomb?)")
            copy.write(chunk)
    return written


def stage_members(members: list[Member], extracted: Path, limits: CollectLimits,
                  check_ids: bool, upload: str) -> list[str]:
    """Lay out the members in ``extracted``, student by student; return the refusals. A
    student whose upload cannot be unpacked whole is refused whole, the others are taken."""
    refused = []
    by_student = defaultdict(list)
    for member in members:
        if member.problem:
            refused.append(f"{upload}: {shown(member.name)!r} refused: {member.problem}")
        elif member.parts[-1] in GRADERS_FILES:
            refused.append(f"{upload}: {shown(member.name)!r} ignored: the grader writes "
                           f"{member.parts[-1]} (the submission time is the time of collect)")
        elif Path(member.parts[-1]).suffix not in COLLECTED_EXTENSIONS:
            refused.append(f"{upload}: {shown(member.name)!r} ignored: collect takes only "
                           + " ".join(COLLECTED_EXTENSIONS) + " files")
        else:
            by_student[member.parts[0]].append(member)
    for student, files in sorted(by_student.items()):
        why = student_problem(student, files, limits, check_ids)
        if why is None:
            try:
                budget = limits.student_mb * 2**20
                for member in files:
                    destination = extracted.joinpath(*member.parts)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    budget -= unpack(member, destination, budget)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
                    OSError, ValueError) as error:
                why = f"{shown(member.name)} cannot be unpacked: " + " ".join(
                    f"{type(error).__name__}: {error}".split())[:200]
        if why is not None:
            refused.append(f"{shown(student)}: refused: {why}")
            target = extracted / student
            if len(student.encode("utf-8", "surrogatepass")) <= limits.name_bytes:
                shutil.rmtree(target, ignore_errors=True)
                if target.is_file():
                    target.unlink()
    return refused


def stage_upload(path: Path, extracted: Path, limits: CollectLimits = CollectLimits(),
                 check_ids: bool = True) -> list[str]:
    """Lay out PATH (folder or zip) in ``extracted``; return the refusals."""
    shutil.rmtree(extracted, ignore_errors=True)
    extracted.mkdir(parents=True)
    if path.is_dir():
        return stage_members(folder_members(path), extracted, limits, check_ids, path.name)
    if not zipfile.is_zipfile(path):
        raise ValueError(f"path: expected a zip file or a folder, got {path} (not a zip)")
    with zipfile.ZipFile(path) as archive:
        return stage_members(zip_members(archive), extracted, limits, check_ids, path.name)


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


def collect(course: Course, assignment: str, path: Path, *, pattern: str | None = None,
            limits: CollectLimits = CollectLimits()) -> Collected:
    """Stage PATH in nbgrader's ``downloaded/A/extracted`` and run zip_collect's collection (a
    student's earlier submission of A is replaced); each collected submission's time is the
    LMS's (a ``timestamp`` group of ``pattern``) or else now."""
    course.check_assignment(assignment)
    path = Path(path)
    if not path.exists():
        raise ValueError(f"path: expected a zip file or a folder, got {path} (missing)")
    extracted = course.downloaded / assignment / "extracted"
    refused = stage_upload(path, extracted, limits, check_ids=pattern is None)
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
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(" ")
    for folder in sorted(course.submitted.glob(f"*/{assignment}")):
        why = id_problem(folder.parent.name)
        if why:  # only a --pattern can get here: the top-level layout is checked when staged
            refused.append(f"{shown(folder.parent.name)}: refused: {why}")
            shutil.rmtree(folder)
            continue
        stamp = folder / "timestamp.txt"  # zip_collect cleared the folders it collected into
        if not stamp.is_file():
            stamp.write_text(now)
    students = sorted(p.parent.name for p in course.submitted.glob(f"*/{assignment}"))
    return Collected(students, refused)
