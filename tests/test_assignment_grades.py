"""Every assignment grades as it must through the course's command line: the released exercise
scores 0 (status graded: it runs without crashing the grader, and only its unanswered
exercises' tests fail), and the solution's answers, filled into the released notebook as a
student would, score every autograded point."""
import csv
from pathlib import Path

import nbformat
import pytest

from grading.course import Course
from grading.gallery import FIXTURE_COURSE, Assignment

REPO = Path(__file__).resolve().parents[1]

COURSES = {"course": REPO / "solutions", "fixture": FIXTURE_COURSE / "solutions"}
CASES = [(name, a) for name, source in COURSES.items()
         for a in Course(source=source, release=source, work=source).assignments()]


@pytest.fixture(scope="module")
def grades(tmp_path_factory, grading_cli):
    """Release each course into a temporary folder, submit two notebooks per assignment,
    autograde every assignment, export; return the CSV rows by (course, assignment, student)
    and the autograded notebooks' paths by the same keys."""
    rows, autograded = {}, {}
    for name, source in COURSES.items():
        tmp = tmp_path_factory.mktemp(name)
        course = Course(source=source, release=tmp / "exercises", work=tmp / "work")
        cli = grading_cli(source, course.release, course.work)
        cli("release", "--no-execute")
        for assignment in course.assignments():
            submissions = {"solution": Assignment(course, assignment).correct(),
                           "exercise": nbformat.read(str(course.release_notebook(assignment)),
                                                     as_version=4)}
            for student, nb in submissions.items():
                folder = course.submitted / student / assignment
                folder.mkdir(parents=True)
                nbformat.write(nb, str(folder / f"{assignment}.ipynb"))
                autograded[(name, assignment, student)] = (
                    course.work / "autograded" / student / assignment / f"{assignment}.ipynb")
            cli("autograde", assignment, "--jobs", 2, "--no-progress")
        cli("export", "--output", tmp / "grades.csv")
        with open(tmp / "grades.csv") as handle:
            rows.update({(name, r["assignment"], r["student"]): r for r in csv.DictReader(handle)})
    return rows, autograded


@pytest.mark.parametrize("course, assignment", CASES)
def test_the_solution_earns_every_autograded_point(grades, course, assignment):
    row = grades[0][(course, assignment, "solution")]
    assert row["status"] == "graded", row
    assert float(row["auto_max_score"]) > 0
    assert float(row["auto_score"]) == float(row["auto_max_score"]), row


@pytest.mark.parametrize("course, assignment", CASES)
def test_the_released_exercise_scores_zero(grades, course, assignment):
    row = grades[0][(course, assignment, "exercise")]
    assert row["status"] == "graded", row
    assert float(row["score"]) == 0.0, row


@pytest.mark.parametrize("course, assignment", CASES)
def test_the_released_exercise_fails_only_in_its_tests(grades, course, assignment):
    nb = nbformat.read(str(grades[1][(course, assignment, "exercise")]), as_version=4)
    failing = [(cell.metadata.get("nbgrader", {}), output) for cell in nb.cells if cell.cell_type == "code"
               for output in cell.outputs if output.output_type == "error"]
    assert failing, "expected the unanswered exercises' tests to fail"
    for meta, error in failing:
        assert meta.get("grade") and not meta.get("solution"), (
            f"expected errors only in test cells, got {error.ename} in cell {meta.get('grade_id')!r}")
        assert error.ename == "NotImplementedError", (
            f"{meta['grade_id']}: expected NotImplementedError from the unanswered stub, got {error.ename}")
