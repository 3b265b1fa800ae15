"""Checks for nbgrader test cells: compare plain values, never the student's own objects.

A test cell must not trust what student code returns: an ``int`` subclass can answer True
to every ``==``, an ndarray subclass can override comparisons, a list subclass can lie about
its items. The functions here accept only exact built-in, NumPy and PyTorch types (no
subclasses), copy them into fresh built-in values or NumPy arrays, and raise
``AssertionError`` (a failed test whose message says what was expected) for anything else.

    from nnlib.testing import assert_close, assert_equal, plain_array, plain_int

    assert plain_int(result) == 1, "expected 1 ..."
    assert_equal(count_mistakes(...), 3, "AND, second epoch: expected 3 mistakes")
    assert_close(gradient(...), expected, "dL/dW", rtol=1e-6)
"""
from __future__ import annotations

import sys

import numpy as np

_NUMPY_INTEGERS = frozenset(np.dtype(code).type for code in np.typecodes["AllInteger"])
_NUMPY_FLOATS = frozenset(np.dtype(code).type for code in np.typecodes["Float"])
_NUMPY_BOOL = np.bool_
_ARRAY_KINDS = "biuf"  # bool, signed and unsigned integers, floats: what a test compares


def _fail(what: str, expected: str, value) -> AssertionError:
    return AssertionError(f"expected {what} to be {expected}, got {type(value).__name__}")


def _scalar_kind(value) -> str | None:
    """'b', 'i' or 'f' for an exact plain scalar (or a 0-d array of one), else None."""
    kind = type(value)
    if kind is bool or kind is _NUMPY_BOOL:
        return "b"
    if kind is int or kind in _NUMPY_INTEGERS:
        return "i"
    if kind is float or kind in _NUMPY_FLOATS:
        return "f"
    if kind is np.ndarray and value.ndim == 0 and value.dtype.kind in _ARRAY_KINDS:
        return "i" if value.dtype.kind == "u" else value.dtype.kind
    return None


def plain_int(value, what: str = "result") -> int:
    """``value`` as a built-in int: accepts int and NumPy integers (not bool, no subclasses)."""
    if _scalar_kind(value) != "i":
        raise _fail(what, "an int", value)
    return int(value)


def plain_float(value, what: str = "result") -> float:
    """``value`` as a built-in float: accepts int, float and NumPy numbers (not bool)."""
    if _scalar_kind(value) not in ("i", "f"):
        raise _fail(what, "a number", value)
    return float(value)


def plain_bool(value, what: str = "result") -> bool:
    """``value`` as a built-in bool: accepts bool and numpy.bool_ only."""
    if _scalar_kind(value) != "b":
        raise _fail(what, "a bool (True or False)", value)
    return bool(value)


def plain_str(value, what: str = "result") -> str:
    """``value`` as a built-in str: accepts exact str only."""
    if type(value) is not str:
        raise _fail(what, "a str", value)
    return value  # an exact str is immutable and has no methods of the student's


def _exact_array(value, what: str) -> np.ndarray | None:
    """A fresh ndarray copy of an exact ndarray or torch tensor, else None."""
    if type(value) is np.ndarray:
        return np.array(value, copy=True)
    torch = sys.modules.get("torch")
    if torch is not None and type(value) in (torch.Tensor, torch.nn.Parameter):
        try:
            return value.detach().cpu().numpy().copy()
        except (RuntimeError, TypeError) as error:  # e.g. a dtype NumPy does not have
            raise AssertionError(f"expected {what} to be a tensor of numbers ({error})") from None
    return None


def _nested(value, what: str, depth: int = 0):
    """Exact lists/tuples of plain numbers and arrays, rebuilt from plain values."""
    if depth > 32:
        raise AssertionError(f"expected {what} to be an array of numbers, got lists nested too deeply")
    if _scalar_kind(value) is not None:
        return value.item() if isinstance(value, (np.generic, np.ndarray)) else value
    array = _exact_array(value, what)
    if array is not None:
        return array
    if type(value) in (list, tuple):
        return [_nested(item, what, depth + 1) for item in value]
    raise _fail(what, "an array of numbers (ndarray, list, tuple or number)", value)


def plain_array(value, what: str = "result", dtype=np.float64, shape: tuple | None = None) -> np.ndarray:
    """``value`` as a fresh NumPy array of ``dtype``, checked.

    Accepts an exact ndarray of bool/int/float dtype, an exact list or tuple (nested) of
    plain numbers or arrays, a plain number, or an exact ``torch.Tensor``/``Parameter``.
    An integer ``dtype`` takes only bool or integer values (no silent rounding of floats).
    ``shape`` (a tuple; ``None`` entries match any length) is checked when given.
    """
    target = np.dtype(dtype)
    array = _exact_array(value, what)
    if array is None:
        try:
            array = np.array(_nested(value, what))
        except ValueError as error:  # ragged nesting
            raise AssertionError(f"expected {what} to be a rectangular array of numbers ({error})") from None
    if array.dtype.kind not in _ARRAY_KINDS:
        raise AssertionError(f"expected {what} to hold numbers, got dtype {array.dtype}")
    if target.kind in "iu" and array.dtype.kind not in "biu":
        raise AssertionError(f"expected {what} to hold integers, got dtype {array.dtype}")
    if target.kind == "b" and array.dtype.kind != "b":
        raise AssertionError(f"expected {what} to hold booleans, got dtype {array.dtype}")
    if shape is not None:
        shape = tuple(shape)
        if len(shape) != array.ndim or any(s is not None and s != n for s, n in zip(shape, array.shape)):
            wanted = str(tuple("any" if s is None else s for s in shape)).replace("'", "")
            raise AssertionError(f"expected {what} of shape {wanted}, got shape {array.shape}")
    return array.astype(target, copy=False)


def assert_close(actual, expected, msg: str = "", rtol: float = 1e-7, atol: float = 0.0,
                 check_shape: bool = True) -> None:
    """Assert that ``actual`` (student's) is an array of numbers close to ``expected`` (the test's).

    With ``check_shape`` the shapes must be equal (no broadcasting of a wrong shape).
    """
    expected = np.asarray(expected, dtype=np.float64)
    what = f"the result ({msg})" if msg else "the result"
    actual = plain_array(actual, what, shape=expected.shape if check_shape else None)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=msg)


def assert_equal(actual, expected, msg: str = "") -> None:
    """Assert that ``actual`` (student's) equals ``expected`` (the test's), as plain values.

    The type of ``expected`` decides the conversion: bool, int, float, str, None, or an
    array-like (compared element by element, shapes equal).
    """
    what = f"the result ({msg})" if msg else "the result"
    if expected is None:
        if actual is not None:
            raise AssertionError(msg or f"expected None, got {type(actual).__name__}")
        return
    convert = {bool: plain_bool, int: plain_int, float: plain_float, str: plain_str}.get(type(expected))
    if convert is None:
        expected = np.asarray(expected)
        if expected.dtype.kind not in _ARRAY_KINDS:
            raise TypeError(f"assert_equal: expected must be numbers, got dtype {expected.dtype}")
        actual = plain_array(actual, what, shape=expected.shape)
        np.testing.assert_array_equal(actual, expected.astype(np.float64), err_msg=msg)
        return
    plain = convert(actual, what)
    if plain != expected:
        raise AssertionError(msg or f"expected {expected!r}, got {plain!r}")
