"""Grade one submission in a private course: the code that runs in each grading process.

The worker builds a throw-away nbgrader course in its scratch folder (a copy of the assignment's
gradebook, the prepared submission, the release's data files) and runs nbgrader's own autograde
on it, with the course's preprocessors around a sandboxed Execute. The real gradebook, the
solutions and other students' work are never in reach of the kernel; the worker only reports
(``result.json``) and leaves the executed notebook for the parent to check and record. The run
folder and the kernel's home are on a private tmpfs of ``Limits.disk_mb`` (``private_disk``).
"""
from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern,
                                    LimitOutput, SaveAutoGrades)
from nbgrader.utils import capture_log
from traitlets.config import Config

from . import preprocessors as pp
from .sandbox import Limits, SandboxedKernelManager, claim_sandbox_uid, private_disk

PR_SET_PDEATHSIG = 1
AUTOGRADE_PIPELINE = [
    pp.AddCanaries, pp.SandboxedExecute, pp.CheckCanaries, pp.StderrIsNotFailure,
    pp.LimitOutputSize, LimitOutput, IgnorePattern, ClearMetadataPreprocessor, SaveAutoGrades,
    AssignLatePenalties, CheckCellMetadata,
]


@dataclass(frozen=True)
class Job:
    """One student's submission, prepared (``scratch/submission``), waiting to be graded."""

    student: str
    assignment: str
    scratch: Path  # private folder of this job; the worker writes result.json here
    template_db: Path  # gradebook holding only the assignment (its cells, hidden tests included)
    release_dir: Path  # the released assignment folder (data files are copied from it)
    repo: Path
    limits: Limits
    seed: int = 0
    slot: int = 0  # the parallel slot it runs in (the first sandbox uid it tries)
    course_id: str = "nn-course"

    @property
    def submission(self) -> Path:
        return self.scratch / "submission"

    @property
    def result_file(self) -> Path:
        return self.scratch / "result.json"

    @property
    def log_file(self) -> Path:
        return self.scratch / "worker.log"

    @property
    def disk(self) -> Path:
        """The private, size-limited tmpfs that holds the run folder and the kernel's home."""
        return self.scratch / "disk"

    @property
    def kernel_home(self) -> Path:
        return self.disk / "home"

    @property
    def autograded_dir(self) -> Path:
        return self.disk / "autograded"

    @property
    def autograded_notebook(self) -> Path:
        """The executed notebook, copied out of the private disk for the parent to read."""
        return self.scratch / f"{self.assignment}.ipynb"


def private_course(job: Job) -> Config:
    """Lay out the private course in ``job.scratch/course``; return its nbgrader config."""
    root = job.scratch / "course"
    submitted = root / "submitted" / job.student / job.assignment
    shutil.copytree(job.submission, submitted)
    source = root / "source" / job.assignment
    shutil.copytree(job.release_dir, source, ignore=shutil.ignore_patterns("*.ipynb"))
    shutil.copy(job.template_db, root / "gradebook.db")
    uid = claim_sandbox_uid(job.slot)

    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.course_id = job.course_id
    c.CourseDirectory.source_directory = "source"
    c.CourseDirectory.submitted_directory = "submitted"
    c.CourseDirectory.autograded_directory = str(job.autograded_dir)
    c.CourseDirectory.db_url = "sqlite:///" + str(root / "gradebook.db")
    c.CourseDirectory.assignment_id = job.assignment
    c.CourseDirectory.student_id = job.student
    c.OverwriteCells.add_missing_cells = True
    c.Execute.timeout = job.limits.cell_timeout
    c.Execute.kernel_manager_class = SandboxedKernelManager
    c.SandboxedExecute.total_timeout = job.limits.total_timeout
    c.SandboxedExecute.uid = uid
    c.SandboxedExecute.disk = str(job.disk)
    c.SandboxedExecute.disk_mb = job.limits.disk_mb
    c.SandboxedKernelManager.repo = str(job.repo)
    c.SandboxedKernelManager.home_dir = str(job.kernel_home)
    c.SandboxedKernelManager.uid = uid
    c.SandboxedKernelManager.limits = asdict(job.limits)
    c.SandboxedKernelManager.seed = job.seed
    return c


def run_job(job: Job) -> None:
    """Entry point of a grading process (forked from the parent; exits when done)."""
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the parent
    log = open(job.log_file, "w")
    os.dup2(log.fileno(), sys.stdout.fileno())
    os.dup2(log.fileno(), sys.stderr.fileno())
    pp.reset_report()
    private_disk(job.disk, job.limits.disk_mb)
    config = private_course(job)
    converter = Autograde(coursedir=CourseDirectory(config=config), config=config)
    converter.force = True
    converter.autograde_preprocessors = AUTOGRADE_PIPELINE
    result = capture_log(converter)
    log.write(result["log"] + result.get("error", ""))
    if not result["success"] and pp.REPORT["failure"] is None:
        last = [line for line in result["log"].splitlines() if "Error" in line] or ["unknown"]
        pp.REPORT["failure"] = f"nbgrader could not grade it: {last[-1].strip()[:300]}"
    report = {k: v for k, v in pp.REPORT.items() if k != "nonce"}
    executed = job.autograded_dir / job.student / job.assignment / f"{job.assignment}.ipynb"
    report["notebook"] = None
    if executed.exists():  # the private disk vanishes with this process
        shutil.copy(executed, job.autograded_notebook)
        report["notebook"] = str(job.autograded_notebook)
    job.result_file.write_text(json.dumps(report))
    log.flush()
