"""Input validation shared by nnlib's public functions.

Every check raises ``ValueError`` with a message that names the argument, what was
expected and what came, so that a student sees at once what to fix.
"""
from __future__ import annotations

import numpy as np


def as_float_array(x, name: str, ndim: int | tuple[int, ...] | None = None,
                   allow_empty: bool = False) -> np.ndarray:
    """Return ``x`` as a floating-point array after checking it.

    ``ndim`` is the required number of dimensions (an int or a tuple of allowed ones).
    Integer and boolean input is converted to float64; float32 and float64 are kept.
    NaN or infinity, an empty array (unless ``allow_empty``) and non-numeric input raise.
    """
    try:
        arr = np.asarray(x)
    except Exception as error:  # ragged lists and the like
        raise ValueError(f"{name}: expected a numeric array, got {type(x).__name__} ({error})") from None
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind != "f":
        raise ValueError(f"{name}: expected a numeric array, got dtype {arr.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            wanted = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name}: expected a {wanted} array, got shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name}: expected a non-empty array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: expected finite numbers, got NaN or infinity")
    return arr


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b}: expected the same shape, got {a.shape} and {b.shape}")


def as_label_array(y, name: str, n_classes: int | None = None) -> np.ndarray:
    """Return integer class labels, shape (n,), checking they lie in [0, n_classes)."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of class labels, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty array of class labels, got shape {arr.shape}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{name}: expected whole-number class labels, got non-integer values")
    elif arr.dtype.kind not in "iu":
        raise ValueError(f"{name}: expected integer class labels, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.min() < 0 or (n_classes is not None and arr.max() >= n_classes):
        bound = f"[0, {n_classes})" if n_classes is not None else "non-negative"
        raise ValueError(f"{name}: expected labels in {bound}, got values from {arr.min()} to {arr.max()}")
    return arr


def as_int(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int after checking it is a whole number >= ``minimum``
    (a Python or NumPy integer; bools, floats and strings are refused)."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value!r}")
    return int(value)


def as_number(value, name: str, minimum: float | None = None, *, positive: bool = False) -> float:
    """Return ``value`` as a float after checking it is a finite real number (a bool is
    refused), at least ``minimum`` if given, and above 0 if ``positive``."""
    wanted = "a positive number" if positive else "a finite number" + (
        f" >= {minimum:g}" if minimum is not None else "")
    if (not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool)
            or not np.isfinite(value) or (minimum is not None and value < minimum)
            or (positive and value <= 0)):
        raise ValueError(f"{name}: expected {wanted}, got {value!r}")
    return float(value)


def as_generator(rng) -> np.random.Generator:
    """Turn a seed (int) or a Generator into a Generator; anything else raises.

    ``None`` is refused on purpose: nnlib's randomness is always explicit.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise ValueError(f"rng: expected an int seed or a numpy.random.Generator, got {rng!r}")
