"""Writing grades into the course's real gradebook, from outside any sandbox, with nbgrader's
own API: ``SaveAutoGrades`` (nbgrader's ``determine_grade`` on every graded cell) on the
executed notebook the worker returned. A submission that could not be graded is entered with
every grade marked "needs manual grade", so nbgrader's own tools never show it as a zero.
"""
from __future__ import annotations

import warnings

from sqlalchemy.exc import SAWarning
from nbgrader.api import Gradebook
from nbgrader.preprocessors import SaveAutoGrades
from nbgrader.utils import parse_utc

from .course import Course


def read_timestamp(course: Course, assignment: str, student: str):
    """The submission time that ``collect`` wrote (from the LMS export or the time of
    collection; a student's own timestamp.txt is never collected); None if unreadable."""
    path = course.submitted / student / assignment / "timestamp.txt"
    try:
        return parse_utc(path.read_text(encoding="utf-8").strip()) if path.is_file() else None
    except (ValueError, OverflowError, OSError, UnicodeDecodeError):
        return None


def open_submission(course: Course, assignment: str, student: str) -> None:
    """Create (or update) the student and the submission with its timestamp."""
    with Gradebook(course.db_url, course.course_id) as gb, warnings.catch_warnings():
        # nbgrader's add_submission trips SQLAlchemy's autoflush warnings; they are harmless
        warnings.simplefilter("ignore", SAWarning)
        gb.update_or_create_student(student)
        timestamp = read_timestamp(course, assignment, student)
        if timestamp is None:
            gb.update_or_create_submission(assignment, student)
        else:
            gb.update_or_create_submission(assignment, student, timestamp=timestamp)


def record_autogrades(course: Course, assignment: str, student: str, nb) -> None:
    """nbgrader's SaveAutoGrades on the executed notebook (one notebook per assignment)."""
    open_submission(course, assignment, student)
    resources = {"nbgrader": {"db_url": course.db_url, "assignment": assignment,
                              "notebook": assignment, "student": student}}
    SaveAutoGrades().preprocess(nb, resources)


def record_ungraded(course: Course, assignment: str, student: str) -> None:
    """Enter the submission with no automatic score and every grade flagged for a person."""
    open_submission(course, assignment, student)
    with Gradebook(course.db_url, course.course_id) as gb:
        grades = [g for nb in gb.find_submission(assignment, student).notebooks for g in nb.grades]
        for grade in grades:
            grade.auto_score = None
            grade.needs_manual_grade = True
        gb.db.commit()


def scores(course: Course, assignment: str, student: str) -> dict:
    """The gradebook's totals for one submission (manual grades included once given)."""
    with Gradebook(course.db_url, course.course_id) as gb:
        sub = gb.find_submission(assignment, student)
        return {"score": sub.score, "max_score": sub.max_score, "auto_score": sub.code_score,
                "auto_max_score": sub.max_code_score,
                "needs_manual_grading": bool(sub.needs_manual_grade)}
