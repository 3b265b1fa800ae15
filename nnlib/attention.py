"""Attention in NumPy: scaled dot-product attention with masks (forward and backward side by
side), multi-head attention, sinusoidal positional encodings.

    scores = q k^T / sqrt(d)          q (..., Tq, d), k (..., Tk, d)  -> scores (..., Tq, Tk)
    scores[~mask] = -inf              before the softmax: a masked key gets weight exactly 0
    weights = softmax(scores, axis=-1)   every query's weights over the keys sum to 1
    out = weights v                   v (..., Tk, dv) -> out (..., Tq, dv)

``mask`` is boolean, True where a query may look at a key, broadcast against (..., Tq, Tk); the
convention of ``torch.nn.functional.scaled_dot_product_attention``'s boolean ``attn_mask``. The
causal mask (``causal_mask``) lets position i see positions 0..i, never the future.

The 1/sqrt(d) keeps the scores' spread near 1 whatever d: the dot product of two random
vectors with unit-variance entries has variance d, and a softmax of large scores is nearly
one-hot, with vanishing gradients.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, as_int


def softmax(scores, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``, shifted by the maximum for stability (-inf entries give 0)."""
    scores = np.asarray(scores, dtype=np.float64)
    shifted = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def causal_mask(length: int) -> np.ndarray:
    """(length, length) bool, True on and below the diagonal: query i may see keys 0..i."""
    length = as_int(length, "length")
    return np.tril(np.ones((length, length), dtype=bool))


def _check_qkv(q, k, v, mask):
    q = as_float_array(q, "q", ndim=tuple(range(2, 6)))
    k = as_float_array(k, "k", ndim=q.ndim)
    v = as_float_array(v, "v", ndim=q.ndim)
    if k.shape[-1] != q.shape[-1] or v.shape[-2] != k.shape[-2]:
        raise ValueError(f"q, k, v: expected shapes (..., Tq, d), (..., Tk, d), (..., Tk, dv), "
                         f"got {q.shape}, {k.shape}, {v.shape}")
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise ValueError(f"mask: expected a bool array (True = may attend), got dtype {mask.dtype}")
        try:
            full = np.broadcast_to(mask, q.shape[:-1] + (k.shape[-2],))
        except ValueError:
            raise ValueError(f"mask: expected a shape that broadcasts to {q.shape[:-1] + (k.shape[-2],)}, "
                             f"got {mask.shape}") from None
        if not full.any(axis=-1).all():
            raise ValueError("mask: every query must be allowed to see at least one key")
    return q, k, v, mask


def attention_forward(q, k, v, mask=None):
    """Scaled dot-product attention. Returns out (..., Tq, dv), weights (..., Tq, Tk), cache."""
    q, k, v, mask = _check_qkv(q, k, v, mask)
    scale = 1.0 / np.sqrt(q.shape[-1])
    scores = (q @ np.swapaxes(k, -1, -2)) * scale
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = softmax(scores, axis=-1)
    return weights @ v, weights, (q, k, v, weights, scale)


def attention_backward(dout, cache):
    """Gradients from dL/dout (..., Tq, dv): returns dq, dk, dv (the mask is not trained)."""
    q, k, v, weights, scale = cache
    dout = as_float_array(dout, "dout", ndim=q.ndim)
    dv = np.swapaxes(weights, -1, -2) @ dout
    dweights = dout @ np.swapaxes(v, -1, -2)
    dscores = weights * (dweights - (dweights * weights).sum(axis=-1, keepdims=True))  # softmax's Jacobian
    return dscores @ k * scale, np.swapaxes(dscores, -1, -2) @ q * scale, dv


def multi_head_attention(x, Wq, Wk, Wv, Wo, heads: int, mask=None):
    """Self-attention with ``heads`` heads: x (n, T, D), the four weights (D, D).

    Each head attends in its own slice of D / heads features of the projections x Wq, x Wk,
    x Wv; the heads' outputs are put side by side and mixed by Wo. Returns out (n, T, D) and
    the weights (n, heads, T, T).
    """
    x = as_float_array(x, "x", ndim=3)
    heads = as_int(heads, "heads")
    n, T, D = x.shape
    if D % heads:
        raise ValueError(f"heads: expected a divisor of the model width {D}, got {heads}")
    for name, W in (("Wq", Wq), ("Wk", Wk), ("Wv", Wv), ("Wo", Wo)):
        if np.shape(W) != (D, D):
            raise ValueError(f"{name}: expected shape ({D}, {D}), got {np.shape(W)}")

    def split(y):  # (n, T, D) -> (n, heads, T, D / heads)
        return y.reshape(n, T, heads, D // heads).transpose(0, 2, 1, 3)

    out, weights, _ = attention_forward(split(x @ Wq), split(x @ Wk), split(x @ Wv), mask)
    return out.transpose(0, 2, 1, 3).reshape(n, T, D) @ Wo, weights


def sinusoidal_positions(length: int, d: int) -> np.ndarray:
    """The transformer's positional encodings (length, d), d even:
    PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d))."""
    length, d = as_int(length, "length"), as_int(d, "d")
    if d % 2:
        raise ValueError(f"d: expected an even width, got {d}")
    angles = np.arange(length)[:, None] / 10000.0 ** (np.arange(0, d, 2) / d)
    encoding = np.empty((length, d))
    encoding[:, 0::2] = np.sin(angles)
    encoding[:, 1::2] = np.cos(angles)
    return encoding
