"""Activation functions and their derivatives, side by side.

Every function takes an array ``z`` of any shape and returns an array of the same shape
and float dtype (float32 stays float32). ``<name>_prime(z)`` is the derivative
d f(z) / d z, element by element. ``softmax`` works along the last axis; its backward is
a Jacobian-vector product, ``softmax_backward``.

``ACTIVATIONS`` maps a name to its ``(f, f_prime)`` pair; the ``Activation`` layer and the
notebooks look functions up there.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_same_shape


def _z(z) -> np.ndarray:
    return as_float_array(z, "z", allow_empty=True)


def step(z):
    """Heaviside step: 1 where z > 0, else 0 (the perceptron's output)."""
    z = _z(z)
    return (z > 0).astype(z.dtype)


def step_prime(z):
    """Zero everywhere (undefined at 0): why a step output cannot learn by small changes."""
    z = _z(z)
    return np.zeros_like(z)


def sigmoid(z):
    """Logistic sigmoid 1 / (1 + e^-z), computed without overflow for large |z|."""
    z = _z(z)
    # exp(-|z|) never overflows; choose the algebraically equal form for each sign.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_prime(z):
    """sigma'(z) = sigma(z) (1 - sigma(z))."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    """Hyperbolic tangent, range (-1, 1)."""
    return np.tanh(_z(z))


def tanh_prime(z):
    """tanh'(z) = 1 - tanh(z)^2."""
    return 1 - np.tanh(_z(z)) ** 2


def relu(z):
    """Rectified linear unit max(0, z)."""
    z = _z(z)
    return np.maximum(z, 0)


def relu_prime(z):
    """1 where z > 0, else 0 (we take 0 at z = 0, as PyTorch does)."""
    z = _z(z)
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha: float = 0.01):
    """z where z > 0, else alpha * z."""
    z = _z(z)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_prime(z, alpha: float = 0.01):
    """1 where z > 0, else alpha."""
    z = _z(z)
    return np.where(z > 0, 1, alpha).astype(z.dtype)


def elu(z, alpha: float = 1.0):
    """Exponential linear unit: z where z > 0, else alpha (e^z - 1)."""
    z = _z(z)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def elu_prime(z, alpha: float = 1.0):
    """1 where z > 0, else alpha e^z."""
    z = _z(z)
    return np.where(z > 0, 1, alpha * np.exp(np.minimum(z, 0))).astype(z.dtype)


def softplus(z):
    """Smooth ReLU ln(1 + e^z), computed stably as max(z, 0) + ln(1 + e^-|z|)."""
    z = _z(z)
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def softplus_prime(z):
    """softplus'(z) = sigmoid(z)."""
    return sigmoid(z)


def softmax(z):
    """Softmax along the last axis: e^z_i / sum_j e^z_j, shifted by max(z) for stability.

    z: (..., k) scores (logits). Returns probabilities of the same shape, rows summing to 1.
    """
    return softmax_rows(as_float_array(z, "z", ndim=(1, 2)))


def softmax_rows(z: np.ndarray) -> np.ndarray:
    """Softmax along the last axis of z (..., k), unchecked: for callers that checked z already."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


def softmax_backward(probs, grad_probs):
    """Gradient through softmax: given p = softmax(z) and dL/dp, return dL/dz.

    The Jacobian is dp_i/dz_j = p_i (delta_ij - p_j), so
    dL/dz = p * (dL/dp - sum_j dL/dp_j p_j). Both arrays have shape (..., k).
    """
    p = as_float_array(probs, "probs", ndim=(1, 2))
    g = as_float_array(grad_probs, "grad_probs", ndim=(1, 2))
    check_same_shape(p, g, "probs", "grad_probs")
    return p * (g - (g * p).sum(axis=-1, keepdims=True))


ACTIVATIONS = {
    "step": (step, step_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "elu": (elu, elu_prime),
    "softplus": (softplus, softplus_prime),
}


def get_activation(name: str):
    """Return the ``(f, f_prime)`` pair registered under ``name``."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"activation: expected one of {sorted(ACTIVATIONS)}, got {name!r}") from None
