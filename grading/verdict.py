"""The verdict on one submission: ``graded``, ``could not grade`` or ``suspicious``, and why.

- ``could not grade``: the kernel died, a cell or the whole notebook ran out of time, memory ran
  out, the notebook is malformed or missing. No score is given (the gradebook flags every grade
  for manual grading): never a silent zero.
- ``suspicious``: graded, but something only a person can judge: edited or deleted test cells,
  changed metadata, code that reaches for the grader's machinery, the network or files outside
  the submission, a shadowing extra file, or the grader's own checks (canaries) not failing as
  they must. The score is nbgrader's, from the run as it happened; check it before using it.
- ``graded``: none of the above; ``reason`` may carry notes (e.g. restored metadata).

Verdicts are stored as ``WORK/status/ASSIGNMENT/STUDENT.json``.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .course import Course
from .preprocessors import describe_cell
from .sandbox import Limits

GRADED, COULD_NOT_GRADE, SUSPICIOUS = "graded", "could not grade", "suspicious"


@dataclass
class Verdict:
    student: str
    assignment: str
    status: str
    reason: str = ""
    score: float | None = None
    max_score: float | None = None
    auto_score: float | None = None
    auto_max_score: float | None = None
    needs_manual_grading: bool = False

    def save(self, course: Course) -> None:
        path = status_path(course, self.assignment, self.student)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=1))


def status_path(course: Course, assignment: str, student: str) -> Path:
    return course.status / assignment / f"{student}.json"


def load_verdict(course: Course, assignment: str, student: str) -> Verdict | None:
    path = status_path(course, assignment, student)
    return Verdict(**json.loads(path.read_text())) if path.is_file() else None


def execution_problems(report: dict, nb, limits: Limits) -> list[str]:
    """Why the run cannot stand as a grade: the worker's report plus memory errors."""
    problems = [report["failure"]] if report.get("failure") else []
    problems += [f"{where} timed out after {limits.cell_timeout} s"
                 for where in report.get("timeouts", [])]
    if nb is not None:
        for index, cell in enumerate(nb.cells):
            for output in cell.get("outputs", []):
                if output.output_type == "error" and output.ename.endswith("MemoryError"):
                    problems.append(f"ran out of memory (limit {limits.memory_mb} MB) in "
                                    f"{describe_cell(nb, index)}")
    return problems


def decide(prepared, report: dict, nb, limits: Limits, active_cells: int = 0) -> tuple[str, str]:
    """(status, reason) from the checks before the run and the worker's report after it, and
    the number of cells the sanitizer took active content from (a note); the reason is one
    line, its parts separated by "; "."""
    suspicious = list(prepared.suspicious)
    suspicious += [f"the grader's check of {name} did not fail as it must (tampered test "
                   "machinery or error reporting)" for name in report.get("canary_failures", [])]
    suspicious += [f"left {name}, a link or special file, in its folder (removed unfollowed)"
                   for name in report.get("traps", [])]
    notes = [f"active content removed from {active_cells} cells"] if active_cells else []
    problems = execution_problems(report, nb, limits)
    if problems:
        return COULD_NOT_GRADE, joined(problems + suspicious + notes)
    if suspicious:
        return SUSPICIOUS, joined(suspicious + notes)
    return GRADED, joined(prepared.notes + notes)


def joined(parts: list[str]) -> str:
    """One line; a part said twice is said once."""
    return "; ".join(dict.fromkeys(" ".join(part.split()) for part in parts))
