"""``release``: check the source notebooks, then let nbgrader regenerate the student versions.

Checks before anything is written: the lint of ``grading/lint.py`` on every source notebook,
and (unless ``execute=False``) a run of each solution notebook, which must raise in no cell:
a solution that fails its own tests would make every student lose those points.
"""
from __future__ import annotations

import shutil
import tempfile

import nbformat
from nbclient import NotebookClient
from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import capture_log

from .course import Course
from .lint import is_test_cell, lint_notebook


class ReleaseError(RuntimeError):
    """A source notebook is not fit for release; the message lists every problem."""


def solution_run_problems(course: Course, assignment: str, cell_timeout: int) -> list[str]:
    """Execute the solution notebook (in a copy of its folder); report cells that fail."""
    nb = nbformat.read(str(course.source_notebook(assignment)), as_version=4)
    with tempfile.TemporaryDirectory(prefix="nn-release-") as tmp:
        shutil.copytree(course.source / assignment, tmp, dirs_exist_ok=True)
        client = NotebookClient(nb, timeout=cell_timeout, kernel_name="python3",
                                allow_errors=True, resources={"metadata": {"path": tmp}})
        client.execute()
    problems = []
    for index, cell in enumerate(nb.cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "no grade_id")
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problems.append(f"cell {index} ({grade_id}) fails on the solution: "
                                f"{output.ename}: {output.evalue}")
            elif output.output_type == "execute_result" and is_test_cell(cell):
                problems.append(f"cell {index} ({grade_id}) displays a value; nbgrader would "
                                "read it as partial credit")
    return problems


def generate(course: Course, assignment: str) -> None:
    """nbgrader generate_assignment: ``source/A`` -> ``release/A``, cells saved in the gradebook."""
    config = course.nbgrader_config()
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    converter = GenerateAssignment(coursedir=coursedir, config=config)
    converter.force = True
    converter.create_assignment = True
    result = capture_log(converter)
    if not result["success"]:
        raise ReleaseError(f"nbgrader generate_assignment {assignment} failed:\n"
                           f"{result['log']}\n{result.get('error', '')}")


def release(course: Course, assignments: list[str], *, execute: bool = True,
            cell_timeout: int = 120, log=print) -> None:
    """Check every assignment, then regenerate them all; nothing is written if a check fails."""
    problems = []
    for assignment in assignments:
        course.check_assignment(assignment)
        nb = nbformat.read(str(course.source_notebook(assignment)), as_version=4)
        found = lint_notebook(nb)
        if execute and not found:
            log(f"running the solution of {assignment}")
            found = solution_run_problems(course, assignment, cell_timeout)
        problems += [f"{assignment}: {p}" for p in found]
    if problems:
        raise ReleaseError("not released:\n" + "\n".join(problems))
    for assignment in assignments:
        generate(course, assignment)
        log(f"released {assignment} -> {course.release_notebook(assignment)}")
