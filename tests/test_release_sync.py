"""exercises/ is exactly what the release step generates from solutions/ (and the same for the
fixture course of the grading tests), and no released notebook contains a hidden test."""
import json
from pathlib import Path

import nbformat
import pytest

from grading.lint import hidden_test_lines

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "course"
COURSES = {"course": (REPO / "solutions", REPO / "exercises"),
           "fixture": (FIXTURE / "solutions", FIXTURE / "exercises")}


def assignments(source: Path) -> list[str]:
    return sorted(p.name for p in source.iterdir() if (p / f"{p.name}.ipynb").is_file())


CASES = [(course, a) for course, (source, _) in COURSES.items() for a in assignments(source)]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory, grading_cli):
    """Each course's release, regenerated into a temporary folder by the release step."""
    out = {}
    for course, (source, _) in COURSES.items():
        tmp = tmp_path_factory.mktemp(course)
        grading_cli(source, tmp / "exercises", tmp / "work")("release", "--no-execute")
        out[course] = tmp / "exercises"
    return out


@pytest.mark.parametrize("course, assignment", CASES)
def test_release_equals_the_committed_exercise(regenerated, course, assignment):
    committed = COURSES[course][1] / assignment / f"{assignment}.ipynb"
    assert committed.is_file(), f"{committed} is missing: run python -m grading release"
    fresh = regenerated[course] / assignment / f"{assignment}.ipynb"
    assert json.loads(fresh.read_text()) == json.loads(committed.read_text()), (
        f"{committed} differs from what `python -m grading release {assignment}` generates")


def hidden_lines(notebook: Path) -> list[str]:
    return hidden_test_lines(nbformat.read(str(notebook), as_version=4))


@pytest.mark.parametrize("course, assignment", CASES)
def test_no_hidden_test_is_released(course, assignment):
    source, release = COURSES[course]
    secrets = hidden_lines(source / assignment / f"{assignment}.ipynb")
    assert secrets, f"{assignment} has no hidden tests"
    released = (release / assignment / f"{assignment}.ipynb").read_text()
    lines = {line.strip() for cell in nbformat.reads(released, as_version=4).cells
             for line in cell.source.splitlines()}
    assert "HIDDEN TESTS" not in released
    assert not [line for line in secrets if line in lines]
