"""A small class with known answers for the class-report tests (tests/test_grading_report.py,
tests/test_browser.py): notebooks of the fixture assignment f01_neuron, each answer the
solution's unless named, graded through the instructor's command line."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from grading.gallery import FIXTURE_ASSIGNMENT, FIXTURE_COURSE, strip_markers

A = FIXTURE_ASSIGNMENT
SOURCE = FIXTURE_COURSE / "solutions"
WRITTEN = "step_reasoning"
WRITTEN_ANSWER = "A small change rarely moves z across 0, so the output does not change."


def meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def answered(released: Path, source: Path, **answers: str) -> nbformat.NotebookNode:
    """The released notebook with every code answer taken from the solution, except those
    given by grade id (``weighted_sum_answer="..."``; a written answer only when given)."""
    nb = nbformat.read(released, as_version=4)
    solutions = {meta(c).get("grade_id"): strip_markers(c.source)
                 for c in nbformat.read(source, as_version=4).cells}
    for cell in nb.cells:
        grade_id = meta(cell).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
        elif meta(cell).get("solution") and cell.cell_type == "code":
            cell.source = solutions[grade_id]
    return nb


def grade_class(cli, tmp: Path, classes: dict[str, dict[str, dict[str, str]]]) -> None:
    """``classes``: assignment -> student -> answers (see ``answered``). Each assignment is a
    copy of the fixture under its own name in ``tmp/solutions``; released, collected and
    autograded (``--jobs 2``) there."""
    for assignment in classes:
        folder = tmp / "solutions" / assignment
        folder.mkdir(parents=True)
        shutil.copy(SOURCE / A / f"{A}.ipynb", folder / f"{assignment}.ipynb")
    for assignment, students in classes.items():
        cli("release", assignment, "--no-execute")
        source = tmp / "solutions" / assignment / f"{assignment}.ipynb"
        released = tmp / "exercises" / assignment / f"{assignment}.ipynb"
        uploads = tmp / "uploads" / assignment
        for student, answers in students.items():
            (uploads / student).mkdir(parents=True)
            nbformat.write(answered(released, source, **answers),
                           uploads / student / f"{assignment}.ipynb")
        cli("collect", assignment, uploads)
        cli("autograde", assignment, "--jobs", "2", "--no-progress", "--cell-timeout", "20",
            "--total-timeout", "60")
