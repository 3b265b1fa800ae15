"""Checks of a *source* notebook's nbgrader cells before it is released.

nbgrader gives a test cell full marks when it raises nothing, and partial credit when it ends
in a number; so a test cell whose last line is ``np.allclose(a, b)`` passes when ``False``.
These checks catch that and the marker mistakes that would leak solutions or hidden tests.

Test cells must not trust the objects that student code returns (an ``int`` subclass whose
``__eq__`` is always True passes ``assert result == 1``): every comparison in an ``assert``
goes through ``nnlib.testing`` (``assert plain_int(result) == 1``, ``assert_equal``,
``assert_close``), and NumPy's own ``np.testing.assert_*`` and ``np.allclose``-style checks
are refused. The check is a heuristic over the syntax tree: a comparison is accepted when one
of its operands calls an ``nnlib.testing`` function.
"""
from __future__ import annotations

import ast
from collections import Counter

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

# Calls whose result is a verdict: a bare statement calling one of them checks nothing.
VERDICT_FUNCTIONS = {"allclose", "isclose", "array_equal", "array_equiv", "all", "any",
                     "isinstance", "issubclass", "issubdtype", "equal"}
# Verdicts on values (not on types): a student's array subclass can fake them.
VALUE_VERDICTS = VERDICT_FUNCTIONS - {"isinstance", "issubclass", "issubdtype"}
# nnlib.testing: the functions that turn a student's value into a plain one (or compare so)
PLAIN_VALUE_FUNCTIONS = {"plain_int", "plain_float", "plain_bool", "plain_str", "plain_array",
                         "assert_close", "assert_equal"}
COMPARISON_WORDS = {ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not",
                    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.In: "in",
                    ast.NotIn: "not in"}
MARKERS = {
    "hidden tests": ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"),
    "solution": ("### BEGIN SOLUTION", "### END SOLUTION"),
}


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_test_cell(cell) -> bool:
    """An autograder test cell: graded, code, not an answer."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution", False)


def python_source(source: str) -> str:
    """The cell as plain Python (IPython magics and ``!`` commands turned into calls)."""
    return TransformerManager().transform_cell(source)


def _called_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return None


def check_test_cell(source: str) -> list[str]:
    """What is wrong with one test cell's code (empty when fine)."""
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError as error:
        return [f"syntax error: {error.msg} (line {error.lineno})"]
    problems = []
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        name = _called_name(tree.body[-1].value) or ""
        if not name.startswith("assert"):
            problems.append(f"ends in a bare expression (line {tree.body[-1].lineno}): nbgrader "
                            "ignores its value, so a False check still earns the points; use "
                            "assert or np.testing.assert_*")
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and node is not tree.body[-1]:
            value = node.value
            if (isinstance(value, (ast.Compare, ast.BoolOp))
                    or (isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not))
                    or _called_name(value) in VERDICT_FUNCTIONS):
                problems.append(f"line {node.lineno} computes a check and throws it away; "
                                "use assert")
    return problems + trusting_checks(tree)


def uses_plain_values(node: ast.AST) -> bool:
    """Whether ``node`` calls one of nnlib.testing's functions somewhere inside (or a helper
    of the test cell named ``plain_...`` that is built on them)."""
    return any(name in PLAIN_VALUE_FUNCTIONS or name.startswith("plain_")
               for name in map(_called_name, ast.walk(node)) if name)


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return getattr(node, "id", "")


def trusting_checks(tree: ast.AST) -> list[str]:
    """Checks that compare a value as the student's code returned it (see the module doc)."""
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            for compare in (n for n in ast.walk(node.test) if isinstance(n, ast.Compare)):
                if not any(uses_plain_values(o) for o in [compare.left, *compare.comparators]):
                    word = COMPARISON_WORDS.get(type(compare.ops[0]), "a comparison")
                    problems.append(f"line {compare.lineno} compares with '{word}' without "
                                    "nnlib.testing: a student's object can fake the answer; "
                                    "use plain_int/plain_array/... or assert_equal")
            if (_called_name(node.test) in VALUE_VERDICTS
                    and not uses_plain_values(node.test)):
                problems.append(f"line {node.lineno} asserts {_called_name(node.test)}(...) on "
                                "values not made plain with nnlib.testing")
        elif isinstance(node, ast.Call) and ".testing.assert" in "." + _dotted(node.func):
            problems.append(f"line {node.lineno} calls {_dotted(node.func)}, which a student's "
                            "array subclass can fool; use nnlib.testing's assert_close or "
                            "assert_equal")
    return problems


def marker_problems(cell) -> list[str]:
    """Unbalanced markers, or markers in a cell of the wrong kind."""
    meta = nbgrader_meta(cell)
    problems = []
    for kind, (begin, end) in MARKERS.items():
        n_begin, n_end = cell.source.count(begin), cell.source.count(end)
        if n_begin != n_end:
            problems.append(f"{n_begin} '{begin}' but {n_end} '{end}'")
        if n_begin == 0:
            continue
        if kind == "hidden tests" and not is_test_cell(cell):
            problems.append("hidden-test marker outside an autograder test cell: the hidden "
                            "tests would be released")
        if kind == "solution" and not meta.get("solution", False):
            problems.append("solution marker outside an answer cell: the solution would be "
                            "released")
    return problems


def lint_notebook(nb) -> list[str]:
    """Every problem of a source notebook, each as 'cell N (grade_id): problem'."""
    problems = []
    ids = Counter(nbgrader_meta(c).get("grade_id") for c in nb.cells if nbgrader_meta(c))
    for grade_id, count in ids.items():
        if count > 1:
            problems.append(f"grade_id {grade_id!r} is used by {count} cells")
    for index, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        where = f"cell {index} ({meta.get('grade_id', 'no grade_id')})"
        found = marker_problems(cell)
        if meta.get("grade", False) and not float(meta.get("points", 0)) > 0:
            found.append("graded cell without positive points")
        if is_test_cell(cell):
            found += check_test_cell(cell.source)
        problems += [f"{where}: {p}" for p in found]
    return problems


def lint_file(path) -> list[str]:
    return lint_notebook(nbformat.read(str(path), as_version=4))


def region_only_lines(nb, begin: str, end: str, min_length: int = 1) -> list[str]:
    """Lines (stripped, at least ``min_length`` characters) inside the notebook's regions between
    a line holding ``begin`` and one holding ``end`` that appear nowhere outside them, not even
    inside a longer line elsewhere."""
    inside_lines, outside_lines, inside = [], [], False
    for cell in nb.cells:
        for line in cell.source.splitlines():
            if begin in line:
                inside = True
            elif end in line:
                inside = False
            elif line.strip():
                (inside_lines if inside else outside_lines).append(line.strip())
    outside_text = "\n".join(outside_lines)
    return [line for line in inside_lines if line not in outside_text and len(line) >= min_length]


def hidden_test_lines(nb, min_length: int = 1) -> list[str]:
    """Lines of a source notebook's hidden-test regions that appear nowhere outside them (the
    instructions may name a call that a hidden test makes): text whose presence in a released
    notebook or a feedback file would give a hidden test away."""
    return region_only_lines(nb, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", min_length)
