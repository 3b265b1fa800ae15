"""``report``: where the class struggled, read from the gradebook and the autograded notebooks.

For one assignment (or every one with work, ``--all``) it gathers, per submission, the verdict
(``export.current_verdict``: gradebook totals, manual grades included), the grade of every
graded cell (nbgrader's Gradebook), the failures of the test cells in the autograded notebook,
and how long the notebook ran in the kernel (from the execution timestamps nbclient writes
into each cell). ``report_page.py`` turns that into one self-contained HTML page and a CSV.

A failure is an error output of a test cell. It is *hidden* when the first frame of its
traceback points into the cell's hidden-test region (or cannot be placed, and the cell has
one), as in the feedback. Its message is the first line of the error's text, skipping
NumPy's own header (``Not equal to tolerance ...``) so that the test's message shows. Without
``show_hidden`` a hidden failure is named by its line in the cell only, and a visible message
that quotes a hidden line (``lint.hidden_test_lines``) is withheld: nothing of the hidden tests
reaches the page.
"""
from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from .course import Course
from .export import current_verdict, known_students
from .feedback import ANSI, FAILING_LINE, hidden_region
from .lint import hidden_test_lines, is_test_cell, nbgrader_meta
from .sandbox import Limits
from .verdict import COULD_NOT_GRADE, GRADED, SUSPICIOUS, Verdict

STATUSES = (GRADED, COULD_NOT_GRADE, SUSPICIOUS)
NUMPY_HEADERS = ("Not equal to tolerance", "Arrays are not equal", "Arrays are not almost equal",
                 "Items are not equal", "Arrays are not less-ordered")
SETTINGS_FILE = "autograde-settings.json"  # in WORK/logs/ASSIGNMENT/, see save_settings
MESSAGE_CHARACTERS = 200
HIDDEN_LINE_LENGTH = 12  # as the feedback-leak check: shorter hidden lines say nothing


@dataclass
class Grade:
    grade_id: str
    written: bool  # a manually graded answer (markdown), not a test cell
    score: float | None
    max_score: float
    needs_manual_grade: bool


@dataclass
class Failure:
    grade_id: str
    student: str
    hidden: bool
    message: str  # as the page shows it
    hidden_source: str = ""  # the failing hidden line, only with show_hidden


@dataclass
class Submission:
    verdict: Verdict
    grades: dict[str, Grade] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    seconds: float | None = None  # the notebook's run in the kernel

    @property
    def scored(self) -> bool:
        return self.verdict.status != COULD_NOT_GRADE and self.verdict.auto_score is not None

    def failed(self, hidden: bool) -> list[str]:
        return sorted({f.grade_id for f in self.failures if f.hidden == hidden})

    @property
    def ungraded_written(self) -> list[str]:
        """Grade ids of written answers that wait for a person."""
        return [g.grade_id for g in self.grades.values() if g.written and g.needs_manual_grade]


@dataclass
class Exercise:
    """One grade id across the class (``scored`` submissions only)."""

    grade_id: str
    written: bool
    points: float
    full: int = 0
    partial: int = 0
    zero: int = 0
    visible_failures: list[str] = field(default_factory=list)  # students
    hidden_only: list[str] = field(default_factory=list)  # students the visible tests let pass
    ungraded: list[str] = field(default_factory=list)  # students, written answers

    @property
    def scored(self) -> int:
        return self.full + self.partial + self.zero


@dataclass
class MessageGroup:
    grade_id: str
    message: str
    hidden: bool
    students: list[str]
    hidden_source: str = ""


@dataclass
class AssignmentReport:
    assignment: str
    submissions: list[Submission]
    exercises: list[Exercise]
    messages: list[MessageGroup]
    settings: dict | None  # the last autograde's limits, seed and jobs, when recorded
    show_hidden: bool

    def count(self, status: str) -> int:
        return sum(s.verdict.status == status for s in self.submissions)

    @property
    def scores(self) -> list[float]:
        return [s.verdict.auto_score for s in self.submissions if s.scored]

    @property
    def auto_max(self) -> float:
        return sum(e.points for e in self.exercises if not e.written)

    def mean(self) -> float | None:
        return statistics.fmean(self.scores) if self.scores else None

    def median(self) -> float | None:
        return statistics.median(self.scores) if self.scores else None

    def timed(self) -> list[Submission]:
        """Submissions with a known run time, slowest first."""
        return sorted((s for s in self.submissions if s.seconds is not None),
                      key=lambda s: -s.seconds)

    def median_seconds(self) -> float | None:
        times = [s.seconds for s in self.timed()]
        return statistics.median(times) if times else None


# --- the autograde run's settings (written by the autograde and demo commands) -------------

def save_settings(course: Course, assignment: str, limits: Limits, seed: int, jobs: int) -> None:
    """Record the limits, seed and jobs of an autograde run beside its logs."""
    folder = course.logs / assignment
    folder.mkdir(parents=True, exist_ok=True)
    settings = {"limits": asdict(limits), "seed": seed, "jobs": jobs,
                "finished": datetime.now().astimezone().isoformat(timespec="seconds")}
    (folder / SETTINGS_FILE).write_text(json.dumps(settings, indent=1))


def load_settings(course: Course, assignment: str) -> dict | None:
    path = course.logs / assignment / SETTINGS_FILE
    return json.loads(path.read_text()) if path.is_file() else None


# --- one autograded notebook -----------------------------------------------------------------

def headline(ename: str, evalue: str) -> str:
    """``ename: first line`` of an error's text (NumPy's header lines skipped), or ``ename``."""
    lines = [line.strip() for line in ANSI.sub("", evalue).splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(NUMPY_HEADERS)] or lines
    first = lines[0][:MESSAGE_CHARACTERS] if lines else ""
    return f"{ename}: {first}" if first else ename


def failing_line(output) -> int | None:
    """The test cell's line (1-based) the traceback's first frame points at."""
    found = FAILING_LINE.search(ANSI.sub("", "\n".join(output.get("traceback", []))))
    return int(found.group(1)) if found else None


def cell_failures(cell, student: str, hidden_lines: list[str], show_hidden: bool) -> list[Failure]:
    grade_id = nbgrader_meta(cell)["grade_id"]
    hidden_numbers, _ = hidden_region(cell.source)
    source_lines = cell.source.splitlines()
    failures = []
    for output in cell.get("outputs", []):
        if output.output_type != "error":
            continue
        line = failing_line(output)
        hidden = bool(hidden_numbers) and (line is None or line in hidden_numbers)
        message = headline(output.ename, output.evalue)
        if hidden and not show_hidden:
            where = f"line {line}" if line else "a line"
            message = f"a hidden test failed at {where} of the cell ({output.ename})"
        elif not show_hidden and any(h in message for h in hidden_lines):
            message = f"{output.ename}: (the message quotes a hidden test; --show-hidden shows it)"
        shown_line = ""
        if hidden and show_hidden and line and line <= len(source_lines):
            shown_line = source_lines[line - 1].strip()
        failures.append(Failure(grade_id, student, hidden, message, shown_line))
    return failures


def run_seconds(nb) -> float | None:
    """From the first cell's start to the last cell's reply (nbclient's timestamps)."""
    starts, ends = [], []
    for cell in nb.cells:
        execution = cell.get("metadata", {}).get("execution", {})
        try:
            if "iopub.execute_input" in execution:
                starts.append(datetime.fromisoformat(execution["iopub.execute_input"]))
            if "shell.execute_reply" in execution:
                ends.append(datetime.fromisoformat(execution["shell.execute_reply"]))
        except (TypeError, ValueError):
            return None
    if not starts or not ends:
        return None
    return max(0.0, (max(ends) - min(starts)).total_seconds())


def read_notebook(course: Course, assignment: str, student: str):
    path = course.autograded / student / assignment / f"{assignment}.ipynb"
    try:
        return nbformat.read(str(path), as_version=4)
    except (OSError, ValueError):
        return None


# --- the class -------------------------------------------------------------------------------

def gradebook_grades(course: Course, assignment: str) -> tuple[dict, dict]:
    """(grade id -> (max score, written?); student -> {grade id: Grade})."""
    cells, grades = {}, {}
    if not (course.work / "gradebook.db").exists():
        return cells, grades
    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            record = gb.find_assignment(assignment)
        except MissingEntry:
            return cells, grades
        for notebook in record.notebooks:
            for cell in notebook.grade_cells:
                cells[cell.name] = (cell.max_score, cell.cell_type == "markdown")
        for submission in record.submissions:
            grades[submission.student.id] = {
                g.name: Grade(g.name, g.cell_type == "markdown", g.score, g.max_score,
                              bool(g.needs_manual_grade))
                for notebook in submission.notebooks for g in notebook.grades}
    return cells, grades


def exercise_rows(cells: dict, submissions: list[Submission]) -> list[Exercise]:
    rows = []
    for grade_id, (points, written) in cells.items():
        row = Exercise(grade_id, written, points)
        for sub in submissions:
            grade = sub.grades.get(grade_id)
            if not sub.scored or grade is None:
                continue
            if written and grade.needs_manual_grade:
                row.ungraded.append(sub.verdict.student)
                continue
            score = grade.score or 0.0
            if score >= points:
                row.full += 1
            elif score > 0:
                row.partial += 1
            else:
                row.zero += 1
            if grade_id in sub.failed(hidden=False):
                row.visible_failures.append(sub.verdict.student)
            elif grade_id in sub.failed(hidden=True):
                row.hidden_only.append(sub.verdict.student)
        rows.append(row)
    return rows


def message_groups(cells: dict, submissions: list[Submission]) -> list[MessageGroup]:
    """Per test cell (notebook order), its failures grouped by message, most frequent first."""
    groups: dict[tuple, MessageGroup] = {}
    for sub in submissions:
        for f in sub.failures:
            key = (f.grade_id, f.message, f.hidden, f.hidden_source)
            group = groups.setdefault(key, MessageGroup(f.grade_id, f.message, f.hidden, [],
                                                        f.hidden_source))
            if f.student not in group.students:
                group.students.append(f.student)
    order = {grade_id: i for i, grade_id in enumerate(cells)}
    return sorted(groups.values(), key=lambda g: (order.get(g.grade_id, len(order)),
                                                  -len(g.students), g.message))


def assignment_report(course: Course, assignment: str, show_hidden: bool = False
                      ) -> AssignmentReport:
    """Everything the page and the CSV show about one assignment."""
    course.check_assignment(assignment)
    source = nbformat.read(str(course.source_notebook(assignment)), as_version=4)
    hidden_lines = hidden_test_lines(source, min_length=HIDDEN_LINE_LENGTH)
    cells, grades = gradebook_grades(course, assignment)
    order = [nbgrader_meta(cell).get("grade_id") for cell in source.cells]
    cells = dict(sorted(cells.items(), key=lambda item: order.index(item[0])
                        if item[0] in order else len(order)))
    submissions = []
    for student in known_students(course, assignment):
        sub = Submission(current_verdict(course, assignment, student), grades.get(student, {}))
        nb = read_notebook(course, assignment, student)
        if nb is not None:
            sub.seconds = run_seconds(nb)
            if sub.scored:
                sub.failures = [f for cell in nb.cells if is_test_cell(cell)
                                and nbgrader_meta(cell).get("grade_id")
                                for f in cell_failures(cell, student, hidden_lines, show_hidden)]
        submissions.append(sub)
    return AssignmentReport(assignment, submissions, exercise_rows(cells, submissions),
                            message_groups(cells, submissions), load_settings(course, assignment),
                            show_hidden)
