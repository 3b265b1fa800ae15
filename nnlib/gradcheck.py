"""Gradient checking: compare a backward pass with finite differences.

The centred difference (f(x + eps) - f(x - eps)) / (2 eps) approximates df/dx with an
error of order eps^2, against eps for the one-sided difference. Rounding limits how small
eps can be, so checks need float64: in float32, x + 1e-6 is often just x.

The relative error ||a - n|| / max(||a|| + ||n||, tiny) (norms over all entries) compares
an analytic gradient a with a numerical one n. Rules of thumb in float64: below 1e-7 the
backward pass is right; above 1e-4 it is almost surely wrong. Points where the function
has a kink (ReLU at 0) can give a large error even for a correct backward pass.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array

TINY = np.finfo(np.float64).tiny


def _float64(x, name: str) -> np.ndarray:
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise ValueError(f"{name}: expected a float64 array (finite differences need double "
                         f"precision), got {got}")
    return as_float_array(x, name)


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Centred-difference gradient of the scalar function f at x (any shape, float64).

    Each entry x[i] is moved to x[i] + eps and x[i] - eps *in place* and then restored, so
    x may be an array that f reads itself (a layer's weights): pass ``lambda _: loss()``.
    Returns an array shaped like x.
    """
    x = _float64(x, "x")
    if not eps > 0:
        raise ValueError(f"eps: expected a small positive step, got {eps!r}")
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        f_plus = float(f(x))
        x[i] = original - eps
        f_minus = float(f(x))
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * eps)
    if not np.all(np.isfinite(grad)):
        raise ValueError("f: expected finite values around x, got NaN or infinity")
    return grad


def relative_error(a, b) -> float:
    """||a - b|| / max(||a|| + ||b||, tiny) for two arrays of the same shape; 0 if both are 0."""
    a = as_float_array(a, "a", allow_empty=True)
    b = as_float_array(b, "b", allow_empty=True)
    if a.shape != b.shape:
        raise ValueError(f"a and b: expected the same shape, got {a.shape} and {b.shape}")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), TINY))


def check_gradient(f, x: np.ndarray, analytic) -> float:
    """Relative error between ``analytic`` (the claimed df/dx, shaped like x) and finite differences."""
    return relative_error(analytic, numerical_gradient(f, x))


def check_layer(layer, x, seed: int = 0, training: bool = False) -> dict[str, float]:
    """Check a layer's backward pass on the input x (float64, with float64 parameters).

    Uses the scalar L = sum(forward(x) * R) with a fixed random R (drawn from ``seed``), for
    which dL/dy = R: backward(R) must give dL/dx and dL/d(each parameter). Returns the
    relative error for "x" and for every name in ``layer.params``. ``training`` is passed to
    forward; a layer that draws random numbers in training mode (dropout) must draw the
    same ones at every call for the check to mean anything.
    """
    if not isinstance(x, np.ndarray):
        x = np.asarray(x, dtype=np.float64)  # e.g. a nested list of numbers
    x = _float64(x.copy(), "x")  # a copy: the check perturbs it
    for name, p in layer.params.items():
        _float64(p, f"params[{name!r}]")
    R = np.random.default_rng(seed).standard_normal(layer.forward(x, training).shape)

    def loss_at(inputs):
        return np.sum(layer.forward(inputs, training) * R)

    layer.forward(x, training)
    analytic_x = layer.backward(R)
    analytic = {name: g.copy() for name, g in layer.grads.items()}
    errors = {"x": check_gradient(loss_at, x, analytic_x)}
    for name, p in layer.params.items():
        errors[name] = check_gradient(lambda _: loss_at(x), p, analytic[name])
    return errors
