"""Where the course's files live, and the nbgrader configuration that points at them.

``grading/nbgrader_config.py`` is the single source of the default layout (``solutions/`` is
nbgrader's source, ``exercises/`` its release, the working state under ``grading/work/``); the
command line can point the same steps at other folders (the tests and the demo do).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from traitlets.config import Config, PyFileConfigLoader

GRADING_DIR = Path(__file__).resolve().parent
REPO = GRADING_DIR.parent
CONFIG_FILE = GRADING_DIR / "nbgrader_config.py"


@dataclass(frozen=True)
class Course:
    """The folders of one nbgrader course. Every assignment ``A`` is one notebook,
    ``A/A.ipynb``, in ``source`` (with solutions and hidden tests) and in ``release``."""

    source: Path
    release: Path
    work: Path
    course_id: str = "nn-course"
    root: Path = REPO

    @classmethod
    def from_config(cls, source=None, release=None, work=None) -> "Course":
        """The course of ``grading/nbgrader_config.py``, with any folder replaced."""
        cd = file_config().CourseDirectory
        root = Path(cd.root)
        work_dir = Path(cd.db_url.removeprefix("sqlite:///")).parent
        course = cls(source=root / cd.source_directory, release=root / cd.release_directory,
                     work=work_dir, course_id=cd.course_id, root=root)
        changes = {k: Path(v).resolve() for k, v in
                   {"source": source, "release": release, "work": work}.items() if v is not None}
        return replace(course, **changes)

    # --- nbgrader's working folders, all under ``work`` ---
    @property
    def submitted(self) -> Path:
        return self.work / "submitted"

    @property
    def autograded(self) -> Path:
        return self.work / "autograded"

    @property
    def feedback(self) -> Path:
        return self.work / "feedback"

    @property
    def downloaded(self) -> Path:
        return self.work / "downloaded"

    @property
    def status(self) -> Path:
        """Our verdict per submission (``status/A/STUDENT.json``); nbgrader has no such field."""
        return self.work / "status"

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    @property
    def db_url(self) -> str:
        return "sqlite:///" + str(self.work / "gradebook.db")

    def assignments(self) -> list[str]:
        """Assignment ids: the folders of ``source`` that hold a notebook of the same name."""
        if not self.source.is_dir():
            return []
        return sorted(p.name for p in self.source.iterdir()
                      if (p / f"{p.name}.ipynb").is_file())

    def source_notebook(self, assignment: str) -> Path:
        return self.source / assignment / f"{assignment}.ipynb"

    def release_notebook(self, assignment: str) -> Path:
        return self.release / assignment / f"{assignment}.ipynb"

    def check_assignment(self, assignment: str) -> None:
        if assignment not in self.assignments():
            raise ValueError(f"assignment: expected one of {self.assignments()} "
                             f"(folders of {self.source}), got {assignment!r}")

    def nbgrader_config(self) -> Config:
        """nbgrader's configuration for this course: the config file, folders replaced."""
        config = file_config()
        cd = config.CourseDirectory
        cd.root = str(self.root)
        cd.course_id = self.course_id
        cd.source_directory = str(self.source)
        cd.release_directory = str(self.release)
        cd.submitted_directory = str(self.submitted)
        cd.autograded_directory = str(self.autograded)
        cd.feedback_directory = str(self.feedback)
        cd.db_url = self.db_url
        os.makedirs(self.work, exist_ok=True)
        return config


def file_config() -> Config:
    """A fresh copy of ``grading/nbgrader_config.py``'s configuration."""
    return PyFileConfigLoader(CONFIG_FILE.name, path=str(GRADING_DIR)).load_config()
