"""``export``: one CSV row per student and assignment, never a silent zero.

Columns: student, assignment, score, max_score, status, reason, auto_score, auto_max_score,
needs_manual_grading. Scores come from the gradebook (so manual grades count once given);
statuses from ``WORK/status``. A submission that could not be graded has an empty score, unless
a person has since graded it by hand (then its status says so). A collected submission never
autograded is listed as ``could not grade: not autograded yet``. No text cell can start a
spreadsheet formula (see ``neutralized``).
"""
from __future__ import annotations

import csv
from dataclasses import asdict
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from . import record
from .course import Course
from .verdict import COULD_NOT_GRADE, GRADED, Verdict, load_verdict

COLUMNS = ["student", "assignment", "score", "max_score", "status", "reason", "auto_score",
           "auto_max_score", "needs_manual_grading"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def known_students(course: Course, assignment: str) -> list[str]:
    """Everyone with a submission folder, a verdict or a gradebook entry for ``assignment``."""
    students = {p.parent.name for p in course.submitted.glob(f"*/{assignment}")}
    students |= {p.stem for p in (course.status / assignment).glob("*.json")}
    if (course.work / "gradebook.db").exists():
        with Gradebook(course.db_url, course.course_id) as gb:
            try:
                students |= {s.student.id for s in gb.find_assignment(assignment).submissions}
            except MissingEntry:
                pass
    return sorted(students)


def current_verdict(course: Course, assignment: str, student: str) -> Verdict:
    verdict = load_verdict(course, assignment, student)
    if verdict is None:
        return Verdict(student, assignment, COULD_NOT_GRADE, "not autograded yet",
                       needs_manual_grading=True)
    if verdict.status == COULD_NOT_GRADE:
        totals = record.scores(course, assignment, student)
        if not totals["needs_manual_grading"]:  # a person has graded it since
            return Verdict(student, assignment, GRADED,
                           f"graded by hand (autograding failed: {verdict.reason})", **totals)
        return verdict
    return Verdict(student, assignment, verdict.status, verdict.reason,
                   **record.scores(course, assignment, student))


def assignments_with_work(course: Course) -> list[str]:
    found = {p.name for p in course.status.iterdir()} if course.status.is_dir() else set()
    return sorted(found | {a for a in course.assignments()
                           if any(course.submitted.glob(f"*/{a}"))})


def neutralized(value):
    """A text cell that a spreadsheet would read as a formula (it starts with =, +, -, @, a tab
    or a carriage return) gets a leading ``'`` (OWASP's advice against CSV injection); numbers
    are written as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_csv(course: Course, output: Path, assignments=None) -> list[dict]:
    """Write the CSV (text cells neutralized, see ``neutralized``); return its rows."""
    rows = []
    for assignment in assignments or assignments_with_work(course):
        for student in known_students(course, assignment):
            row = asdict(current_verdict(course, assignment, student))
            rows.append({k: ("" if row[k] is None else row[k]) for k in COLUMNS})
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({k: neutralized(v) for k, v in row.items()} for row in rows)
    return rows
