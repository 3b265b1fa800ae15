"""``autograde``: every collected submission of an assignment, one grading process per student,
``jobs`` at a time, each kernel in the sandbox; verdicts recorded in the real gradebook.

Flow per student: ``integrity.prepare_submission`` (checks against the release, before any code
runs) -> a forked worker process (``worker.run_job``: nbgrader autograde in a private course,
sandboxed kernel) -> ``verdict.decide`` -> ``record`` (nbgrader's SaveAutoGrades, outside the
sandbox) -> ``WORK/autograded/STUDENT/A/A.ipynb`` (sanitized: ``sanitize.py``) and
``WORK/status/A/STUDENT.json``.
"""
from __future__ import annotations

import json
import multiprocessing
import multiprocessing.connection
import shutil
import tempfile
import time
from collections import deque
from dataclasses import replace
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from tqdm import tqdm

from nnlib.progress import progress

from . import record
from .course import Course
from .integrity import Prepared, prepare_submission, symlinks
from .release import generate
from .sanitize import remove_active_content
from .sandbox import Limits
from .printable import printable
from .verdict import COULD_NOT_GRADE, Verdict, decide, joined
from .worker import Job, run_job

GRACE_SECONDS = 60  # beyond the total time limit before the parent kills a grading process


def submitted_students(course: Course, assignment: str) -> list[str]:
    if not course.submitted.is_dir():
        return []
    return sorted(p.name for p in course.submitted.iterdir() if (p / assignment).is_dir())


def template_gradebook(course: Course, scratch: Path) -> Path:
    """A copy of the real gradebook without any student: the assignments' cells as released
    (hidden tests included), which every worker copies as its private gradebook."""
    template = scratch / "template.db"
    shutil.copy(course.work / "gradebook.db", template)
    with Gradebook("sqlite:///" + str(template), course.course_id) as gb:
        for student in gb.students:
            gb.remove_student(student.id)
    return template


def ensure_in_gradebook(course: Course, assignment: str, scratch: Path) -> None:
    """Add the assignment to the real gradebook if it is not there yet (fresh clone)."""
    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            gb.find_assignment(assignment)
            return
        except MissingEntry:
            pass
    generate(replace(course, release=scratch / "release-for-gradebook"), assignment)


def run_in_parallel(jobs: list[Job], n_jobs: int, deadline: float):
    """Run each job in its own forked process, ``n_jobs`` at a time; yield jobs as they end.
    A process that outlives ``deadline`` seconds is killed (its sandbox dies with it)."""
    context = multiprocessing.get_context("fork")
    tqdm.monitor_interval = 0  # no monitor thread: the parent must not hold threads when forking
    pending, running, free_slots = deque(jobs), {}, list(range(n_jobs))

    def fill_free_slots():
        while pending and free_slots:
            job = replace(pending.popleft(), slot=free_slots.pop(0))
            process = context.Process(target=run_job, args=(job,), daemon=True)
            process.start()
            running[process.sentinel] = (process, job, time.monotonic())

    while pending or running:
        fill_free_slots()
        ready = multiprocessing.connection.wait(list(running), timeout=1.0)
        finished = []
        for sentinel, (process, job, started) in list(running.items()):
            if sentinel in ready or time.monotonic() - started > deadline:
                if sentinel not in ready:
                    process.kill()
                process.join()
                del running[sentinel]
                free_slots.append(job.slot)
                finished.append(job)
        fill_free_slots()  # the next students start before the finished ones are recorded
        yield from finished


def write_submission(prepared, job: Job) -> None:
    job.submission.mkdir(parents=True)
    nbformat.write(prepared.notebook, str(job.submission / f"{job.assignment}.ipynb"))
    for path in prepared.extra_files:
        target = job.submission / path.name
        if path.is_dir():
            shutil.copytree(path, target, ignore=symlinks)
        elif path.is_file():
            shutil.copy(path, target)


def finish(course: Course, job: Job, prepared) -> Verdict:
    """Judge and record one finished job (in the parent, outside any sandbox)."""
    course.logs.joinpath(job.assignment).mkdir(parents=True, exist_ok=True)
    if job.log_file.exists():  # escaped: a student's output must not drive a terminal
        text = job.log_file.read_text(encoding="utf-8", errors="replace")
        (course.logs / job.assignment / f"{job.student}.log").write_text(
            "\n".join(printable(line) for line in text.splitlines()) + "\n")
    if job.result_file.exists():
        report = json.loads(job.result_file.read_text())
    else:
        report = {"failure": "the grading process was killed or crashed (see grading log)"}
    nb, removed = None, 0
    if report.get("notebook"):
        nb = nbformat.read(report["notebook"], as_version=4)
        removed = remove_active_content(nb)
    status, reason = decide(prepared, report, nb, job.limits, active_cells=removed)
    if nb is None and status != COULD_NOT_GRADE:
        status, reason = COULD_NOT_GRADE, "no executed notebook came back; " + reason
    if nb is not None:
        target = course.autograded / job.student / job.assignment
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        nbformat.write(nb, str(target / f"{job.assignment}.ipynb"))
        stamp = course.submitted / job.student / job.assignment / "timestamp.txt"
        if stamp.is_file():
            shutil.copy(stamp, target / "timestamp.txt")
    return judged(course, job.assignment, job.student, status, reason, nb)


def judged(course: Course, assignment: str, student: str, status: str, reason: str,
           nb=None) -> Verdict:
    """Record the verdict: grades (unless it could not be graded), then the status file."""
    if nb is None:  # no stale notebook from an earlier run may be taken for this one
        shutil.rmtree(course.autograded / student / assignment, ignore_errors=True)
    if status == COULD_NOT_GRADE or nb is None:
        record.record_ungraded(course, assignment, student)
        verdict = Verdict(student, assignment, status, reason, needs_manual_grading=True)
    else:
        record.record_autogrades(course, assignment, student, nb)
        verdict = Verdict(student, assignment, status, reason,
                          **record.scores(course, assignment, student))
    verdict.save(course)
    return verdict


def one_line(error: BaseException) -> str:
    """An exception as one line of at most 300 characters."""
    return " ".join(f"{type(error).__name__}: {error}".split())[:300]


def ungraded(course: Course, assignment: str, student: str, reason: str) -> Verdict:
    """``could not grade`` with ``reason``; if even the gradebook refuses the entry, the
    verdict is still saved (and export lists it), with that said too."""
    try:
        return judged(course, assignment, student, COULD_NOT_GRADE, reason)
    except Exception as error:  # noqa: BLE001 - the last resort for one student
        verdict = Verdict(student, assignment, COULD_NOT_GRADE, joined(
            [reason, f"not entered in the gradebook: {one_line(error)}"]),
            needs_manual_grading=True)
        verdict.save(course)
        return verdict


def autograde(course: Course, assignment: str, *, students=None, jobs: int = 1,
              limits: Limits = Limits(), seed: int = 0, progress_bar=None) -> list[Verdict]:
    """Grade the submissions of ``assignment`` (all, or ``students``); return the verdicts."""
    course.check_assignment(assignment)
    if jobs < 1:
        raise ValueError(f"jobs: expected at least 1, got {jobs}")
    release_nb = course.release_notebook(assignment)
    if not release_nb.is_file():
        raise ValueError(f"no released notebook {release_nb}: run the release step first")
    students = students or submitted_students(course, assignment)
    scratch = Path(tempfile.mkdtemp(prefix="nn-grading-"))
    verdicts = []
    try:
        ensure_in_gradebook(course, assignment, scratch)
        template = template_gradebook(course, scratch)
        pending, prepared_by_student = [], {}
        for student in students:
            job = Job(student=student, assignment=assignment, scratch=scratch / student,
                      template_db=template, release_dir=release_nb.parent, repo=course.root,
                      limits=limits, seed=seed, course_id=course.course_id)
            try:
                prepared = prepare_submission(course.submitted / student / assignment,
                                              release_nb)
                if not prepared.failure:
                    write_submission(prepared, job)
            except Exception as error:  # noqa: BLE001 - one odd file must not stop the class
                prepared = Prepared(failure=f"the grader's checks failed: {one_line(error)}")
            if prepared.failure:
                verdicts.append(ungraded(course, assignment, student, prepared.failure))
                continue
            prepared_by_student[student] = prepared
            pending.append(job)
        bar = progress(total=len(students), desc=f"autograde {assignment}", unit="student",
                       enabled=progress_bar, initial=len(verdicts))
        with bar:
            for job in run_in_parallel(pending, jobs, limits.total_timeout + GRACE_SECONDS):
                try:
                    verdicts.append(finish(course, job, prepared_by_student[job.student]))
                except Exception as error:  # noqa: BLE001 - recorded as ungraded, with the cause
                    verdicts.append(ungraded(course, assignment, job.student,
                                             f"recording the grades failed: {one_line(error)}"))
                bar.update(1)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return sorted(verdicts, key=lambda v: v.student)


def format_table(verdicts: list[Verdict]) -> str:
    """A plain-text table: student, score / max, status, reason (every field escaped by
    ``printable``: no student id or reason can move the cursor or forge a row)."""
    rows = [("student", "auto score", "status", "reason")]
    for v in verdicts:
        score = "-" if v.auto_score is None else f"{v.auto_score:g} / {v.auto_max_score:g}"
        rows.append((printable(v.student), score, v.status, printable(v.reason)))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join("  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3]
                     for r in rows)


def print_table(verdicts: list[Verdict]) -> None:
    print(format_table(verdicts))
