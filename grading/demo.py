"""``demo``: a generated class of about twenty submissions of varied quality, autograded in a
course of its own (``WORK/demo``, so the real gradebook is untouched), printed as a table,
plotted as a score histogram, and reported (``report_page``: ``WORK/demo/report/A.html``).

Each student answers each exercise correctly, leaves it blank or gets it wrong (right on the
first call, off afterwards), drawn with a seeded generator; one in ten has a syntax error.
The assignment is 01_perceptron when the course has it, else the grading tests' fixture.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib
import nbformat
import numpy as np

from .autograde import autograde, print_table
from .course import Course
from .gallery import FIXTURE_COURSE, Assignment, add_code, default_assignment, wrong_answer
from .release import generate
from .report import save_settings
from .report_page import write_report
from .sandbox import Limits
from .verdict import Verdict


def demo_course(course: Course, assignment: str | None) -> tuple[Course, str]:
    """The demo's own course (``WORK/demo``) and the assignment it grades."""
    if assignment is None:
        assignment = default_assignment(course)
    source = course.source if assignment in course.assignments() else FIXTURE_COURSE / "solutions"
    demo = Course(source=source, release=course.work / "demo" / "exercises",
                  work=course.work / "demo", course_id=course.course_id, root=course.root)
    demo.check_assignment(assignment)
    return demo, assignment


def class_notebooks(a: Assignment, n_students: int, seed: int = 0) -> dict[str, object]:
    """Student id -> notebook, of varied quality (seeded): each exercise right, left blank or
    wrong; now and then a syntax error. The first student gets everything right, the last
    one's notebook kills its kernel."""
    rng = np.random.default_rng(seed)
    notebooks = {}
    for i in range(1, n_students + 1):
        choice = rng.choice(["correct", "blank", "wrong"], size=len(a.exercises), p=[0.7, 0.15, 0.15])
        if i == 1:
            choice[:] = "correct"
        nb = a.correct(skip=[e for e, c in zip(a.exercises, choice) if c == "blank"])
        for exercise, c in zip(a.exercises, choice):
            if c == "wrong":
                nb.cells[exercise.answer] = wrong_answer(a, exercise).cells[exercise.answer]
        if rng.random() < 0.1:
            add_code(nb, a.exercises[int(rng.integers(len(a.exercises)))], "oops = (")
        if i == n_students:
            add_code(nb, a.exercises[-1], "import os\nos._exit(1)")
        notebooks[f"student_{i:02d}"] = nb
    return notebooks


def prepare_demo(course: Course, assignment: str | None = None, n_students: int = 20,
                 seed: int = 0) -> tuple[Course, str]:
    """Release the assignment into the demo course and write the class's submissions."""
    demo, assignment = demo_course(course, assignment)
    shutil.rmtree(demo.work, ignore_errors=True)
    generate(demo, assignment)
    for student, nb in class_notebooks(Assignment(demo, assignment), n_students, seed).items():
        folder = demo.submitted / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / f"{assignment}.ipynb"))
    return demo, assignment


def plot_scores(verdicts: list[Verdict], title: str):
    """Histogram of the automatic scores; returns the Figure."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scored = [v.auto_score for v in verdicts if v.auto_score is not None]
    maximum = max((v.auto_max_score for v in verdicts if v.auto_max_score), default=1.0)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(scored, bins=np.arange(-0.5, maximum + 1.0, 1.0), color="tab:blue", edgecolor="white")
    ax.set_xlabel(f"automatic score (out of {maximum:g})")
    ax.set_ylabel("students")
    unscored = len(verdicts) - len(scored)
    ax.set_title(title + (f" ({unscored} could not be graded)" if unscored else ""))
    fig.tight_layout()
    return fig


def run_demo(course: Course, *, assignment: str | None = None, n_students: int = 20,
             jobs: int = 2, histogram: Path | None = None, limits: Limits = Limits()):
    """Generate, autograde, print the table, save the histogram, write the class report
    (its path printed last); return the verdicts."""
    demo, assignment = prepare_demo(course, assignment, n_students)
    verdicts = autograde(demo, assignment, jobs=jobs, limits=limits)
    print_table(verdicts)
    save_settings(demo, assignment, limits, seed=0, jobs=jobs)
    histogram = Path(histogram or course.work / "demo_scores.png")
    histogram.parent.mkdir(parents=True, exist_ok=True)
    plot_scores(verdicts, f"{assignment}: {len(verdicts)} students").savefig(histogram, dpi=100)
    print(f"histogram: {histogram}")
    page, _ = write_report(demo, [assignment])
    print(f"report: {page}")
    return verdicts
