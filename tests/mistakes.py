"""How many plausible wrong answers do the visible tests catch? A maintainer's tool.

    .venv/bin/python tests/mistakes.py            # every notebook with a cases file
    .venv/bin/python tests/mistakes.py 01 03      # some of them
    .venv/bin/python tests/mistakes.py --json 01  # the results as JSON (tests/test_mistakes.py)

The cases live in ``tests/mistakes/NN_topic.py``, a list ``MISTAKES`` of dicts:

    dict(cell="perceptron_output_answer",          # grade_id of the autograded answer cell
         name="uses >= instead of >",
         replace=[(">", ">=")],                    # applied to the solution cell's source
         expect="use >, not >=")                   # what the visible failure must say

The solution notebook runs as the student sees it (hidden tests removed), its code cells in
order in one namespace of this process (matplotlib's Agg backend, cwd = the notebook's
folder). At an answer cell that has cases, each case is tried in a forked child: it runs the
mutated answer cell and then every cell up to and including that exercise's last visible test
cell (the test cells before the next autograded answer cell), and reports through a pipe
which cell raised and what it said. The parent goes on with the correct answer.

Each case ends as one of:
    caught    a visible test cell raised and its message contains ``expect``
    unnamed   something raised, but not a test cell, or without ``expect`` in the message,
              or the child timed out
    missed    nothing raised
    broken    the case itself is wrong: a ``replace`` text is not in the cell
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import select
import signal
import sys
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("NNLIB_PROGRESS", "0")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import nbformat  # noqa: E402
from IPython.core.inputtransformer2 import TransformerManager  # noqa: E402
from IPython.display import display  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CASES_DIR = Path(__file__).resolve().parent / "mistakes"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CHILD_TIMEOUT = 60.0  # seconds for one mutated exercise (its answer and its tests)
OUTCOMES = ("caught", "unnamed", "missed", "broken")


@dataclass
class Result:
    cell: str
    name: str
    outcome: str  # one of OUTCOMES
    detail: str  # what raised, where (empty when missed)


@dataclass
class Cell:
    index: int
    grade_id: str
    kind: str  # "answer" (autograded), "test", or "other"
    source: str  # Python source, hidden tests removed, IPython syntax transformed


def student_view(source: str) -> str:
    """A test cell's source without its hidden-test blocks (what nbgrader releases)."""
    kept, inside = [], False
    for line in source.splitlines():
        if HIDDEN_BEGIN in line:
            inside = True
        elif HIDDEN_END in line:
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


def code_cells(notebook_path: Path) -> list[Cell]:
    """The notebook's code cells, classified by their nbgrader metadata."""
    nb = nbformat.read(str(notebook_path), as_version=4)
    transform = TransformerManager().transform_cell
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        grade, solution = meta.get("grade", False), meta.get("solution", False)
        kind = "answer" if solution and not grade else "test" if grade and not solution else "other"
        source = student_view(cell.source) if kind == "test" else cell.source
        cells.append(Cell(index, meta.get("grade_id", ""), kind, transform(source)))
    return cells


def exercise_end(cells: list[Cell], answer: int) -> int:
    """Position (in ``cells``) of the last visible test cell of the exercise whose answer cell
    is at ``answer``: the last test cell before the next autograded answer cell, or -1."""
    end = -1
    for position in range(answer + 1, len(cells)):
        if cells[position].kind == "answer":
            break
        if cells[position].kind == "test":
            end = position
    return end


def run_cell(cell: Cell, namespace: dict) -> None:
    """Execute one cell as a notebook would (figures closed afterwards, as inline plots are)."""
    code = compile(cell.source, f"<cell {cell.index} {cell.grade_id}>", "exec")
    exec(code, namespace)  # noqa: S102 - running the course's own notebook is the point
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def mutate(source: str, replace: list[tuple[str, str]]) -> str | None:
    """``source`` with every (old, new) applied; None when an old text is not in it."""
    for old, new in replace:
        if old not in source:
            return None
        source = source.replace(old, new)
    return source


def failure_of(cells: list[Cell], namespace: dict) -> dict | None:
    """Run ``cells`` in order; the first exception as {cell index, kind, message}, else None."""
    for cell in cells:
        try:
            run_cell(cell, namespace)
        except BaseException as error:  # noqa: BLE001 - a student's code may raise anything
            message = f"{type(error).__name__}: {error}"
            return {"index": cell.index, "grade_id": cell.grade_id, "kind": cell.kind,
                    "message": message}
    return None


def _on_alarm(signum, frame):
    raise TimeoutError(f"no result within {CHILD_TIMEOUT:.0f} s")


def try_in_child(cells: list[Cell], namespace: dict, timeout: float) -> dict | None:
    """``failure_of(cells, namespace)`` in a forked child; the namespace is its copy."""
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: silence, run, report, leave without any clean-up of the parent's
        os.close(read_end)
        status = 0
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            signal.signal(signal.SIGALRM, _on_alarm)
            signal.setitimer(signal.ITIMER_REAL, timeout)
            report = failure_of(cells, namespace)
            signal.setitimer(signal.ITIMER_REAL, 0)
            with os.fdopen(write_end, "w") as pipe:
                json.dump(report, pipe)
        except BaseException:  # noqa: BLE001 - nothing may escape into the parent's code
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    chunks, deadline = [], time.monotonic() + timeout + 10
    with os.fdopen(read_end, "rb") as pipe:
        while True:
            ready, _, _ = select.select([pipe], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return {"index": -1, "grade_id": "", "kind": "timeout",
                        "message": f"the child did not finish within {timeout + 10:.0f} s"}
            chunk = os.read(pipe.fileno(), 65536)
            if not chunk:
                break
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        return {"index": -1, "grade_id": "", "kind": "crash",
                "message": f"the child died without a report (wait status {status})"}
    return json.loads(b"".join(chunks))


def judge(case: dict, failure: dict | None) -> Result:
    if failure is None:
        return Result(case["cell"], case["name"], "missed", "")
    where = f"cell {failure['index']} ({failure['grade_id'] or failure['kind']})"
    detail = f"{where}: {failure['message']}"
    named = failure["kind"] == "test" and case["expect"] in failure["message"]
    return Result(case["cell"], case["name"], "caught" if named else "unnamed", detail)


def check_cases(cells: list[Cell], mistakes: list[dict]) -> None:
    """Refuse a cases file whose entries are malformed or name no autograded answer cell."""
    answers = {cell.grade_id for cell in cells if cell.kind == "answer"}
    for case in mistakes:
        missing = {"cell", "name", "replace", "expect"} - set(case)
        if missing:
            raise ValueError(f"mistake {case.get('name', case)!r}: missing keys {sorted(missing)}")
        if case["cell"] not in answers:
            raise ValueError(f"mistake {case['name']!r}: expected the grade_id of an autograded "
                             f"answer cell, one of {sorted(answers)}, got {case['cell']!r}")


def run_notebook(notebook_path: Path, mistakes: list[dict],
                 timeout: float = CHILD_TIMEOUT) -> list[Result]:
    """Try every mistake against the visible tests of the solution notebook (see module doc)."""
    notebook_path = Path(notebook_path).resolve()
    cells = code_cells(notebook_path)
    check_cases(cells, mistakes)
    namespace = {"__name__": "__main__", "display": display}
    results = []
    previous_cwd = os.getcwd()
    os.chdir(notebook_path.parent)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            for position, cell in enumerate(cells):
                cases = [m for m in mistakes if cell.kind == "answer" and m["cell"] == cell.grade_id]
                if cases:
                    rest = cells[position + 1:exercise_end(cells, position) + 1]
                for case in cases:
                    source = mutate(cell.source, case["replace"])
                    if source is None or source == cell.source:
                        results.append(Result(case["cell"], case["name"], "broken",
                                              "a replace text is not in the answer cell"))
                        continue
                    mutated = Cell(cell.index, cell.grade_id, cell.kind, source)
                    failure = try_in_child([mutated, *rest], namespace, timeout)
                    results.append(judge(case, failure))
                try:
                    run_cell(cell, namespace)
                except Exception as error:
                    raise RuntimeError(f"{notebook_path.name}: the solution itself fails in cell "
                                       f"{cell.index} ({cell.grade_id}):\n"
                                       f"{traceback.format_exc()}") from error
    finally:
        os.chdir(previous_cwd)
    return results


def load_cases(path: Path) -> list[dict]:
    spec = importlib.util.spec_from_file_location(f"mistakes_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.MISTAKES)


def cases_files(prefixes: list[str]) -> list[Path]:
    """The cases files whose names start with one of ``prefixes`` (all when empty)."""
    files = sorted(p for p in CASES_DIR.glob("[0-9][0-9]_*.py"))
    chosen = [p for p in files if not prefixes or any(p.stem.startswith(x) for x in prefixes)]
    unknown = [x for x in prefixes if not any(p.stem.startswith(x) for p in files)]
    if unknown:
        raise SystemExit(f"no cases file for {unknown} in {CASES_DIR} "
                         f"(there are: {[p.stem for p in files]})")
    return chosen


def table(topic: str, results: list[Result]) -> str:
    counts = {o: sum(r.outcome == o for r in results) for o in OUTCOMES}
    lines = [f"{topic}: {len(results)} tried, {counts['caught']} caught with a message that "
             f"names the mistake, {counts['unnamed']} caught without naming it, "
             f"{counts['missed']} missed" + (f", {counts['broken']} broken cases"
                                            if counts["broken"] else "")]
    width = max((len(r.cell) for r in results), default=4)
    for r in results:
        line = f"  {r.outcome:8} {r.cell:{width}}  {r.name}"
        if r.outcome in ("unnamed", "broken"):
            line += f"\n  {'':8} {'':{width}}    -> {' '.join(r.detail.split())[:300]}"
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", help="NN or NN_topic prefixes (default: all)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    everything, all_caught = {}, True
    for path in cases_files(args.notebooks):
        notebook = REPO / "solutions" / path.stem / f"{path.stem}.ipynb"
        started = time.monotonic()
        results = run_notebook(notebook, load_cases(path))
        seconds = time.monotonic() - started
        everything[path.stem] = [asdict(r) for r in results]
        all_caught &= all(r.outcome == "caught" for r in results)
        if not args.json:
            print(table(path.stem, results), f"\n  ({seconds:.1f} s)\n", flush=True)
    if args.json:
        print(json.dumps(everything, indent=1))
    return 0 if all_caught else 1


if __name__ == "__main__":
    sys.exit(main())
