"""The grading checks one by one, without running any kernel: the release lint, the static
scan of student code, the submission checks against the release, the preprocessors, the
verdict, and the feedback's removal of hidden tests."""
import copy
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output

from grading.course import Course
from grading.feedback import HideHiddenTests, OfflineMath
from grading.gallery import FIXTURE_ASSIGNMENT as A
from grading.gallery import FIXTURE_COURSE
from grading.integrity import prepare_submission
from grading.lint import check_test_cell, hidden_test_lines, lint_notebook
from grading.preprocessors import LimitOutputSize, StderrIsNotFailure
from grading.release import ReleaseError, release
from grading.sandbox import Limits
from grading.tamper import scan_cell
from grading.verdict import COULD_NOT_GRADE, GRADED, SUSPICIOUS, decide

REPO = Path(__file__).resolve().parents[1]

SOURCE = FIXTURE_COURSE / "solutions" / A / f"{A}.ipynb"
RELEASE = FIXTURE_COURSE / "exercises" / A / f"{A}.ipynb"
PROTECTED = {"np": "numpy"}


def read(path):
    return nbformat.read(str(path), as_version=4)


# --- release lint ---------------------------------------------------------------------------

@pytest.mark.parametrize("source", ["x = f()\nnp.allclose(x, 1)", "ok = True\nok",
                                    "assert f() == 1\nf() == 2"])
def test_a_test_cell_ending_in_a_bare_expression_is_refused(source):
    assert any("bare expression" in p for p in check_test_cell(source))


@pytest.mark.parametrize("source", ["np.allclose(f(), 1)\nassert True", "f() == 1\nassert True"])
def test_a_check_whose_result_is_thrown_away_is_refused(source):
    assert any("throws it away" in p for p in check_test_cell(source))


@pytest.mark.parametrize("source", ["assert_close(f(), 1, 'f() should be 1')",
                                    "assert plain_int(f()) == 1, 'f() should be 1'",
                                    "for x in [1, 2]:\n    assert plain_float(f(x)) > 0",
                                    "assert np.shape(plain_array(f())) == (2,)",
                                    "assert isinstance(f(), dict)"])
def test_a_proper_test_cell_passes_the_lint(source):
    assert check_test_cell(source) == []


@pytest.mark.parametrize("source, word", [
    ("assert f() == 1, 'f() should be 1'", "compares with '=='"),
    ("assert type(f()) is int", "compares with 'is'"),
    ("x = f()\nassert x != 2", "compares with '!='"),
    ("assert np.shape(f()) == (2,) and plain_int(g()) == 1", "compares with '=='"),
    ("assert np.all(f() >= 0)", "compares with '>='"),
    ("assert np.allclose(f(), 1)", "asserts allclose(...)"),
    ("np.testing.assert_allclose(f(), 1)", "calls np.testing.assert_allclose"),
    ("np.testing.assert_array_equal(f(), [1])", "calls np.testing.assert_array_equal"),
])
def test_a_test_cell_that_trusts_the_students_objects_is_refused(source, word):
    problems = check_test_cell(source)
    assert any(word in p and "\n" not in p for p in problems), problems


def test_release_names_the_cell_that_trusts_a_students_object(tmp_path):
    shutil.copytree(FIXTURE_COURSE / "solutions", tmp_path / "solutions")
    path = tmp_path / "solutions" / A / f"{A}.ipynb"
    nb = read(path)
    index, test = next((i, c) for i, c in enumerate(nb.cells)
                       if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code")
    test.source += "\nassert weighted_sum(X_hidden, w_hidden, 0)[0] == 1.5"
    nbformat.write(nb, str(path))
    course = Course(source=tmp_path / "solutions", release=tmp_path / "exercises",
                    work=tmp_path / "work")
    grade_id = test.metadata["nbgrader"]["grade_id"]
    with pytest.raises(ReleaseError, match=rf"cell {index} \({grade_id}\): line \d+ compares with"):
        release(course, [A], execute=False, log=lambda message: None)


def test_the_fixture_source_passes_the_lint():
    assert lint_notebook(read(SOURCE)) == []


def test_a_hidden_test_marker_outside_a_test_cell_is_refused():
    nb = read(SOURCE)
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    answer.source += "\n### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS"
    assert any("outside an autograder test cell" in p for p in lint_notebook(nb))


def test_release_refuses_a_bad_source_and_writes_nothing(tmp_path):
    shutil.copytree(FIXTURE_COURSE / "solutions", tmp_path / "solutions")
    path = tmp_path / "solutions" / A / f"{A}.ipynb"
    nb = read(path)
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
                and c.cell_type == "code")
    test.source += "\nnp.allclose(1, 2)"
    nbformat.write(nb, str(path))
    course = Course(source=tmp_path / "solutions", release=tmp_path / "exercises",
                    work=tmp_path / "work")
    with pytest.raises(ReleaseError, match="bare expression"):
        release(course, [A], execute=False, log=lambda message: None)
    assert not (tmp_path / "exercises").exists()


# --- static scan of student code ------------------------------------------------------------

@pytest.mark.parametrize("code, finding", [
    ("np.testing.assert_allclose = lambda *a, **k: None", "assigns to np.testing"),
    ("import os\nos._exit(0)", "uses os._exit"),
    ("import socket", "imports socket"),
    ("from urllib.request import urlopen", "imports urllib.request.urlopen"),
    ("exec('x = 1')", "calls exec()"),
    ("open('/work/main/grading/work/gradebook.db')", "outside the submission folder"),
    ("np = object()", "rebinds np"),
    ("import math as np", "rebinds np"),
    ("AssertionError = Exception", "replaces the builtin AssertionError"),
    ("def f():\n    return f.__globals__", "introspection"),
    ("import sys\nsys.modules['numpy'] = None", "sys.modules"),
])
def test_the_scan_finds_tampering(code, finding):
    assert any(finding in f for f in scan_cell(code, PROTECTED)), scan_cell(code, PROTECTED)


@pytest.mark.parametrize("code", [
    "def sigmoid(z):\n    total = 0\n    return 1 / (1 + np.exp(-z))",
    "import numpy as np\nX = np.ones((2, 2))\nprint(X.sum())",
    "import sys, warnings\nwarnings.warn('w')\nprint('note', file=sys.stderr)",
    "%matplotlib inline\nresult = (1 +",
])
def test_the_scan_leaves_honest_code_alone(code):
    assert scan_cell(code, PROTECTED) == []


# --- the submission against the release -----------------------------------------------------

def submit(tmp_path, nb, files=None):
    folder = tmp_path / "submission"
    folder.mkdir()
    if nb is not None:
        nbformat.write(nb, str(folder / f"{A}.ipynb"))
    for name, text in (files or {}).items():
        (folder / name).write_text(text)
    return prepare_submission(folder, RELEASE)


def test_stripped_metadata_is_restored_from_the_release(tmp_path):
    nb = read(RELEASE)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    prepared = submit(tmp_path, nb)
    assert [c.metadata.get("nbgrader") for c in prepared.notebook.cells] == \
        [c.metadata.get("nbgrader") for c in read(RELEASE).cells]
    assert prepared.suspicious == [] and "restored" in prepared.notes[0]


def test_changed_points_are_suspicious_and_reset(tmp_path):
    nb = read(RELEASE)
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("points"))
    test.metadata.nbgrader.points = 100
    prepared = submit(tmp_path, nb)
    assert any("metadata changed (points)" in s for s in prepared.suspicious)
    assert max(c.metadata.get("nbgrader", {}).get("points", 0)
               for c in prepared.notebook.cells) <= 2


def test_a_duplicated_cell_keeps_its_metadata_on_the_last_copy(tmp_path):
    nb = read(RELEASE)
    index = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade"))
    copied = copy.deepcopy(nb.cells[index])
    copied["id"] = "the-copy"
    nb.cells.insert(index + 1, copied)
    prepared = submit(tmp_path, nb)
    assert "nbgrader" not in prepared.notebook.cells[index].metadata
    assert "nbgrader" in prepared.notebook.cells[index + 1].metadata
    assert prepared.suspicious == []


def test_a_shadowing_extra_file_is_dropped_and_others_kept(tmp_path):
    prepared = submit(tmp_path, read(RELEASE), {"numpy.py": "", "helper.py": "", "data.csv": ""})
    assert sorted(p.name for p in prepared.extra_files) == ["data.csv", "helper.py"]
    assert any("numpy.py would shadow" in s for s in prepared.suspicious)


def test_a_symbolic_link_is_never_followed(tmp_path):
    secret = tmp_path / "gradebook.db"
    secret.write_text("grades")
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "data.csv").symlink_to(secret)
    nbformat.write(read(RELEASE), str(folder / f"{A}.ipynb"))
    prepared = prepare_submission(folder, RELEASE)
    assert prepared.extra_files == []
    assert any("symbolic link" in s for s in prepared.suspicious)


def test_a_missing_or_malformed_notebook_cannot_be_graded(tmp_path):
    assert "no notebook named" in submit(tmp_path, None).failure
    (tmp_path / "submission" / f"{A}.ipynb").write_text('{"cells": ')
    assert "malformed notebook" in prepare_submission(tmp_path / "submission", RELEASE).failure


# --- preprocessors and verdicts -------------------------------------------------------------

def graded_cell(source="assert f() == 1", outputs=()):
    cell = new_code_cell(source, metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "points": 1, "grade_id": "t",
        "schema_version": 3}})
    cell.outputs = list(outputs)
    return cell


def test_stderr_in_a_test_cell_is_not_a_failure():
    cell = graded_cell(outputs=[new_output("stream", name="stderr", text="UserWarning\n")])
    StderrIsNotFailure().preprocess_cell(cell, {}, 0)
    assert cell.outputs[0].name == "stdout"


def test_one_huge_line_is_cut():
    cell = graded_cell(outputs=[new_output("stream", name="stdout", text="x" * 5_000_000)])
    LimitOutputSize().preprocess_cell(cell, {}, 0)
    assert len(cell.outputs[0].text) < 25_000


def test_a_failure_outranks_suspicion_which_outranks_notes():
    class Prepared:
        suspicious, notes = ["edited a test"], ["restored"]
    limits = Limits()
    assert decide(Prepared, {"failure": "the kernel died"}, None, limits)[0] == COULD_NOT_GRADE
    assert decide(Prepared, {}, None, limits) == (SUSPICIOUS, "edited a test")
    Prepared.suspicious = []
    assert decide(Prepared, {}, None, limits) == (GRADED, "restored")
    bomb = nbformat.v4.new_notebook(cells=[graded_cell(outputs=[new_output(
        "error", ename="MemoryError", evalue="", traceback=[])])])
    assert "ran out of memory" in decide(Prepared, {}, bomb, limits)[1]


# --- feedback -------------------------------------------------------------------------------

HIDDEN_CELL = ("assert f(1) == 1, 'visible'\n### BEGIN HIDDEN TESTS\n"
               "assert f(2) == 4, 'secret check'\n### END HIDDEN TESTS")


def error(line: int) -> dict:
    frame = f"Cell In[3], line {line}\n      1 assert f(1) == 1, 'visible'\n" \
            "      2 ### BEGIN HIDDEN TESTS\n      3 assert f(2) == 4, 'secret check'"
    return new_output("error", ename="AssertionError", evalue="secret check",
                      traceback=["AssertionError  Traceback", frame])


def test_feedback_hides_a_hidden_failure_and_the_hidden_source():
    cell = graded_cell(HIDDEN_CELL, [new_output("stream", name="stdout", text="f got 2"),
                                     error(3)])
    HideHiddenTests().preprocess_cell(cell, {}, 0)
    text = cell.source + str(cell.outputs)
    assert "secret" not in text and "f(2)" not in text and "f got 2" not in text
    assert "a hidden test failed" in text


def test_feedback_keeps_a_visible_failure_without_quoting_hidden_lines():
    cell = graded_cell(HIDDEN_CELL, [error(1)])
    HideHiddenTests().preprocess_cell(cell, {}, 0)
    text = str(cell.outputs)
    assert "assert f(1) == 1" in text and "f(2)" not in text


def test_feedback_draws_formulas_as_svg():
    cell = nbformat.v4.new_markdown_cell(r"Inline $\sigma(z)$ and $$\frac{1}{1 + e^{-z}}$$")
    OfflineMath().preprocess_cell(cell, {}, 0)
    assert cell.source.count("data:image/svg+xml;base64,") == 2 and "$" not in cell.source


# --- sanitizing: tests/test_grading_sanitize.py --------------------------------------------

def test_a_reason_is_one_line_with_each_part_once():
    from grading.integrity import Prepared

    report = {"failure": "execution failed in cell 3: RuntimeError: first line\n  second line",
              "timeouts": ["cell 3 (t)", "cell 3 (t)"]}
    status, reason = decide(Prepared(), report, None, Limits(cell_timeout=10))
    assert status == COULD_NOT_GRADE
    assert reason == ("execution failed in cell 3: RuntimeError: first line second line; "
                      "cell 3 (t) timed out after 10 s")


def test_hidden_test_lines_are_those_no_visible_text_contains():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("Write `gate_parameters(name)`, which returns w and b."),
                new_code_cell("assert_equal(f(1), 2, 'f(1)')\n### BEGIN HIDDEN TESTS\n"
                              "gate_parameters(name)\nassert_equal(f(7), 14, 'f(7)')\n"
                              "assert_equal(f(1), 2, 'f(1)')\n### END HIDDEN TESTS")]
    assert hidden_test_lines(nb) == ["assert_equal(f(7), 14, 'f(7)')"]
