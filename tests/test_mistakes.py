"""The visible tests catch the plausible mistakes of tests/mistakes/NN_topic.py, each with a
message that names it (tests/mistakes.py); and the runner itself reports what it must."""
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mistakes  # noqa: E402  (tests/mistakes.py, the runner)

REPO = Path(__file__).resolve().parents[1]
TOPICS = [path.stem for path in mistakes.cases_files([])]


@pytest.fixture(scope="module")
def results():
    """Every cases file's results, from one run of the runner in a process of its own (the
    notebooks seed and configure the process they run in)."""
    done = subprocess.run([sys.executable, str(REPO / "tests" / "mistakes.py"), "--json"],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("topic", TOPICS)
def test_every_mistake_is_caught_with_a_message_that_names_it(results, topic):
    cases = results[topic]
    assert len(cases) >= 8, f"{topic}: expected at least 8 mistakes, got {len(cases)}"
    not_caught = [f"{c['outcome']}: {c['cell']}: {c['name']} {c['detail'][:200]}"
                  for c in cases if c["outcome"] != "caught"]
    assert not not_caught, "\n".join(not_caught)


def fake_notebook(path: Path) -> Path:
    """Two exercises: double(x) (visible test at 2 only) and quadruple(x), built on double."""
    def cell(source, grade_id, grade, solution, points=None):
        meta = {"grade": grade, "grade_id": grade_id, "locked": not solution,
                "schema_version": 3, "solution": solution}
        if points:
            meta["points"] = points
        return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        cell("import numpy as np\nfrom nnlib.testing import plain_int", "setup", False, False),
        cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
             "double_answer", False, True),
        nbformat.v4.new_markdown_cell("a demo follows"),
        cell("display(double(3))\nprint(open('data.txt').read())", "double_demo", False, False),
        cell("assert plain_int(double(2)) == 4, 'double(2): expected 4'\n"
             "### BEGIN HIDDEN TESTS\n"
             "assert plain_int(double(3)) == 6, 'double(3): expected 6'\n"
             "### END HIDDEN TESTS", "double_tests", True, False, 1),
        cell("def quadruple(x):\n    ### BEGIN SOLUTION\n    return double(double(x))\n"
             "    ### END SOLUTION", "quadruple_answer", False, True),
        cell("assert plain_int(quadruple(1)) == 4, 'quadruple(1): expected 4'",
             "quadruple_tests", True, False, 1),
    ]
    notebook = path / "fake.ipynb"
    nbformat.write(nb, str(notebook))
    (path / "data.txt").write_text("read from the notebook's folder")
    return notebook


def test_the_runner_reports_caught_unnamed_missed_and_broken(tmp_path):
    cases = [
        dict(cell="double_answer", name="triples", replace=[("2 * x", "3 * x")],
             expect="expected 4"),
        dict(cell="double_answer", name="adds 2 (right at 2 only)", replace=[("2 * x", "x + 2")],
             expect="expected 4"),
        dict(cell="double_answer", name="squares", replace=[("2 * x", "x * x")],
             expect="expected 4"),
        dict(cell="double_answer", name="the message is not the one expected",
             replace=[("2 * x", "0")], expect="use 2 * x"),
        dict(cell="double_answer", name="crashes in the demo, not in a test",
             replace=[("2 * x", "x / 0")], expect="expected 4"),
        dict(cell="double_answer", name="hangs", replace=[("return 2 * x", "while True: pass")],
             expect="expected 4"),
        dict(cell="double_answer", name="a text not in the cell", replace=[("3 * x", "x")],
             expect="expected 4"),
        dict(cell="quadruple_answer", name="doubles once", replace=[("double(double(x))", "double(x)")],
             expect="quadruple(1): expected 4"),
    ]
    results = mistakes.run_notebook(fake_notebook(tmp_path), cases, timeout=2)
    outcomes = {r.name: r.outcome for r in results}
    assert outcomes == {
        "triples": "caught",
        "adds 2 (right at 2 only)": "missed",  # only the hidden test would catch it
        "squares": "missed",  # 2 * 2 == 2 + 2 == 2 ** 2
        "the message is not the one expected": "unnamed",
        "crashes in the demo, not in a test": "unnamed",
        "hangs": "unnamed",
        "a text not in the cell": "broken",
        # quadruple's test ran with the correct double: the parent went on with the solution
        "doubles once": "caught",
    }
    detail = {r.name: r.detail for r in results}
    assert "ZeroDivisionError" in detail["crashes in the demo, not in a test"]
    assert "double_demo" in detail["crashes in the demo, not in a test"]
    assert "TimeoutError" in detail["hangs"]


def test_a_case_naming_no_answer_cell_is_refused(tmp_path):
    case = dict(cell="double_tests", name="not an answer", replace=[("4", "5")], expect="x")
    with pytest.raises(ValueError, match="autograded answer cell"):
        mistakes.run_notebook(fake_notebook(tmp_path), [case])
