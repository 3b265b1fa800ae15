"""``collect``: take submissions into the course with nbgrader's ``zip_collect``.

PATH is an LMS zip export or a folder; either holds one folder per student with the notebook
(and any extra files) inside: ``STUDENT/A.ipynb``. Other layouts need ``--pattern``, a regular
expression with the groups ``student_id`` and ``file_id``, matched against each file's path
(nbgrader's ``FileNameCollectorPlugin.named_regexp``).
"""
from __future__ import annotations

import shutil
from pathlib import Path

from nbgrader.apps import ZipCollectApp

from .course import Course
from .integrity import symlinks

DEFAULT_PATTERN = r".*/(?P<student_id>[^/]+)/(?P<file_id>[^/]+)$"
COLLECTED_EXTENSIONS = [".ipynb", ".py", ".csv", ".txt", ".json", ".npy", ".npz", ".png"]


def collect(course: Course, assignment: str, path: Path, *,
            pattern: str | None = None) -> list[str]:
    """Copy PATH into nbgrader's ``downloaded/A/archive`` and run zip_collect (a student's
    earlier submission of A is replaced); return every student with a submission of A."""
    course.check_assignment(assignment)
    path = Path(path)
    if not path.exists():
        raise ValueError(f"path: expected a zip file or a folder, got {path} (missing)")
    archive = course.downloaded / assignment / "archive"
    shutil.rmtree(archive, ignore_errors=True)
    if path.is_dir():
        shutil.copytree(path, archive, ignore=symlinks)
    else:
        archive.mkdir(parents=True)
        shutil.copy(path, archive)
    config = course.nbgrader_config()
    config.CourseDirectory.assignment_id = assignment
    config.ZipCollectApp.collect_directory_structure = str(
        course.downloaded / "{assignment_id}" / "{collect_step}")
    config.ZipCollectApp.force = True
    config.Application.log_level = "WARN"
    config.ExtractorPlugin.force = True
    config.FileNameCollectorPlugin.named_regexp = pattern or DEFAULT_PATTERN
    config.FileNameCollectorPlugin.valid_ext = COLLECTED_EXTENSIONS
    app = ZipCollectApp(config=config)
    app.initialize([])
    app.start()
    return sorted(p.parent.name for p in course.submitted.glob(f"*/{assignment}"))
