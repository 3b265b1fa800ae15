"""What nbval does not check about the stored notebooks: that they are stored executed, in
order, without errors or timestamps, on the course's kernel, and that each topic has its
three notebooks."""
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
LECTURES = sorted((REPO / "lectures").glob("*.ipynb"))
SOLUTIONS = sorted((REPO / "solutions").glob("*/*.ipynb"))
STORED_EXECUTED = LECTURES + SOLUTIONS


def name(path: Path) -> str:
    return str(path.relative_to(REPO))


def test_every_topic_has_a_lecture_a_solution_and_an_exercise():
    lectures = {p.stem for p in LECTURES}
    solutions = {p.parent.name for p in SOLUTIONS if p.stem == p.parent.name}
    exercises = {p.parent.name for p in (REPO / "exercises").glob("*/*.ipynb") if p.stem == p.parent.name}
    assert lectures, "expected lecture notebooks in lectures/"
    assert lectures == solutions == exercises, (
        f"expected the same topics in lectures/, solutions/ and exercises/, got "
        f"{sorted(lectures)}, {sorted(solutions)} and {sorted(exercises)}")


@pytest.mark.parametrize("path", STORED_EXECUTED, ids=name)
def test_stored_executed_in_order_without_errors(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", "expected the python3 kernel"
    code = [cell for cell in nb.cells if cell.cell_type == "code" and cell.source.strip()]
    counts = [cell.execution_count for cell in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"expected the code cells run once, top to bottom (execution counts 1..{len(code)}), got {counts}")
    for cell in code:
        assert "execution" not in cell.metadata, (
            "expected no per-cell timestamps: execute with --ExecutePreprocessor.record_timing=False")
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"a cell stored an error: {errors[0].ename}: {errors[0].evalue}"


@pytest.mark.parametrize("path", STORED_EXECUTED, ids=name)
def test_nbval_markers_are_spelled_as_nbval_reads_them(path):
    """nbval honours ``# NBVAL_IGNORE_OUTPUT`` only alone on its line: with a remark after it,
    the cell's output is compared after all."""
    nb = nbformat.read(path, as_version=4)
    misspelled = [line.strip() for cell in nb.cells if cell.cell_type == "code"
                  for line in cell.source.splitlines()
                  if line.strip().startswith("#") and "NBVAL_" in line
                  and line.strip().lstrip("#").strip() not in ("NBVAL_IGNORE_OUTPUT", "NBVAL_CHECK_OUTPUT",
                                                               "NBVAL_RAISES_EXCEPTION", "NBVAL_SKIP")]
    assert not misspelled, f"expected each nbval marker alone on its comment line, got {misspelled}"
