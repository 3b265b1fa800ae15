"""Loss functions and their gradients, side by side.

Conventions: the first axis is the batch of ``n`` examples, every loss is the *mean* over
the batch (so its gradient carries a 1/n), and ``<loss>_grad`` returns dL/d(first argument)
with the first argument's shape.

- ``mse``: the lectures' quadratic cost C = 1/(2n) sum_x ||y(x) - a(x)||^2.
- ``binary_cross_entropy`` from probabilities, ``binary_cross_entropy_with_logits`` from
  scores z (stable for any z).
- ``cross_entropy`` from class probabilities, ``softmax_cross_entropy`` from logits
  (stable: it never forms log(0)). Targets are class labels, shape (n,), or one-hot rows,
  shape (n, k).

Logarithms are natural logarithms, as in every library (some slides use log10).
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, as_label_array, check_same_shape
from .activations import sigmoid, softmax_rows

# Probabilities are clipped to [EPS, 1 - EPS] before a log so that a confident wrong answer
# costs a large but finite loss.
EPS = 1e-12


def _clip_probabilities(p: np.ndarray) -> np.ndarray:
    """p clipped to [eps, 1 - eps]: eps = EPS in float64; in float32, where 1 - 1e-12 rounds
    to 1, the float32 machine epsilon (about 1.2e-7)."""
    eps = max(EPS, float(np.finfo(p.dtype).eps))
    return np.clip(p, eps, 1 - eps)


def _pair(pred, target, name: str, ndim=(1, 2)):
    pred = as_float_array(pred, name, ndim=ndim)
    target = as_float_array(target, "target", ndim=ndim)
    check_same_shape(pred, target, name, "target")
    return pred, target


def mse(a, y) -> float:
    """Quadratic cost C = 1/(2n) sum ||y - a||^2 for a, y of shape (n,) or (n, k)."""
    a, y = _pair(a, y, "a")
    return float(0.5 * np.sum((a - y) ** 2) / a.shape[0])


def mse_grad(a, y):
    """dC/da = (a - y) / n, shape of a."""
    a, y = _pair(a, y, "a")
    return (a - y) / a.shape[0]


def _check_binary_targets(y) -> None:
    if np.any((y < 0) | (y > 1)):
        raise ValueError("target: expected values in [0, 1] for a binary cross-entropy")


def binary_cross_entropy(p, y) -> float:
    """L = -1/n sum [y ln p + (1 - y) ln(1 - p)] for probabilities p of shape (n,) or (n, 1)."""
    p, y = _pair(p, y, "p")
    _check_binary_targets(y)
    p = _clip_probabilities(p)
    return float(-np.sum(y * np.log(p) + (1 - y) * np.log1p(-p)) / p.shape[0])


def binary_cross_entropy_grad(p, y):
    """dL/dp = (p - y) / (p (1 - p) n), shape of p."""
    p, y = _pair(p, y, "p")
    _check_binary_targets(y)
    p = _clip_probabilities(p)
    return (p - y) / (p * (1 - p) * p.shape[0])


def binary_cross_entropy_with_logits(z, y) -> float:
    """The binary cross-entropy of sigmoid(z), computed as max(z,0) - z y + ln(1 + e^-|z|)."""
    z, y = _pair(z, y, "z")
    _check_binary_targets(y)
    return float(np.sum(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))) / z.shape[0])


def binary_cross_entropy_with_logits_grad(z, y):
    """dL/dz = (sigmoid(z) - y) / n, shape of z."""
    z, y = _pair(z, y, "z")
    _check_binary_targets(y)
    return (sigmoid(z) - y) / z.shape[0]


def one_hot(labels, n_classes: int) -> np.ndarray:
    """Class labels, shape (n,), as one-hot rows, shape (n, n_classes), float64."""
    labels = as_label_array(labels, "labels", n_classes)
    out = np.zeros((labels.shape[0], n_classes))
    out[np.arange(labels.shape[0]), labels] = 1.0
    return out


def _class_targets(scores: np.ndarray, target) -> np.ndarray:
    """Targets as one-hot rows matching ``scores`` (n, k): accepts labels (n,) or rows (n, k)."""
    target_arr = np.asarray(target)
    if target_arr.ndim == 1:
        if target_arr.shape[0] != scores.shape[0]:
            raise ValueError(f"target: expected {scores.shape[0]} labels, one per row, got {target_arr.shape[0]}")
        return one_hot(target_arr, scores.shape[1]).astype(scores.dtype)
    rows = as_float_array(target, "target", ndim=2)
    check_same_shape(scores, rows, "scores", "target")
    return rows


def cross_entropy(probs, target) -> float:
    """L = -1/n sum_i ln p[i, y_i] for class probabilities probs (n, k)."""
    probs = as_float_array(probs, "probs", ndim=2)
    y = _class_targets(probs, target)
    return float(-np.sum(y * np.log(np.clip(probs, EPS, 1.0))) / probs.shape[0])


def cross_entropy_grad(probs, target):
    """dL/dprobs = -y / (p n), shape (n, k)."""
    probs = as_float_array(probs, "probs", ndim=2)
    y = _class_targets(probs, target)
    return -y / (np.clip(probs, EPS, 1.0) * probs.shape[0])


def softmax_cross_entropy(logits, target) -> float:
    """Cross-entropy of softmax(logits), via the stable log-softmax z - max - ln sum e^(z - max)."""
    logits = as_float_array(logits, "logits", ndim=2)
    y = _class_targets(logits, target)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.sum(y * log_probs) / logits.shape[0])


def softmax_cross_entropy_grad(logits, target):
    """dL/dlogits = (softmax(logits) - y) / n, shape (n, k)."""
    logits = as_float_array(logits, "logits", ndim=2)
    y = _class_targets(logits, target)
    grad = softmax_rows(logits)
    grad -= y
    grad /= logits.shape[0]
    return grad


LOSSES = {
    "mse": (mse, mse_grad),
    "binary_cross_entropy": (binary_cross_entropy, binary_cross_entropy_grad),
    "binary_cross_entropy_with_logits": (binary_cross_entropy_with_logits,
                                         binary_cross_entropy_with_logits_grad),
    "cross_entropy": (cross_entropy, cross_entropy_grad),
    "softmax_cross_entropy": (softmax_cross_entropy, softmax_cross_entropy_grad),
}


def get_loss(name: str):
    """Return the ``(loss, loss_grad)`` pair registered under ``name``."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"loss: expected one of {sorted(LOSSES)}, got {name!r}") from None
