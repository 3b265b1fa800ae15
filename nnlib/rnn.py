"""A vanilla recurrent layer in NumPy: one step and backpropagation through time, side by side.

The recurrence, for a batch of n sequences with inputs of size D and a hidden state of size H:

    h_t = tanh(x_t Wx + h_{t-1} Wh + b)        x_t (n, D), h_t (n, H), Wx (D, H), Wh (H, H), b (H,)

Unrolled over T steps it is a deep network with one hidden layer per time step, all of them
sharing Wx, Wh and b. ``torch.nn.RNN`` (tanh) computes the same with Wx = W_ih^T, Wh = W_hh^T
and b = b_ih + b_hh.

The backward pass of a step uses tanh'(a) = 1 - tanh(a)^2 = 1 - h_t^2, taken at the step's own
output h_t (not at its input, not at h_{t-1}). Through time, the gradient reaching h_{t-1} is the
sum of what step t sends back and what the loss at step t-1 sends directly.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array


def _check_weights(Wx, Wh, b):
    Wx = as_float_array(Wx, "Wx", ndim=2)
    Wh = as_float_array(Wh, "Wh", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    H = Wx.shape[1]
    if Wh.shape != (H, H) or b.shape != (H,):
        raise ValueError(f"Wh, b: expected shapes ({H}, {H}) and ({H},) for Wx of shape {Wx.shape}, "
                         f"got {Wh.shape} and {b.shape}")
    return Wx, Wh, b


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    """One step: x (n, D), h_prev (n, H) -> h (n, H) and the cache for ``rnn_step_backward``."""
    Wx, Wh, b = _check_weights(Wx, Wh, b)
    x = as_float_array(x, "x", ndim=2)
    h_prev = as_float_array(h_prev, "h_prev", ndim=2)
    if x.shape[1] != Wx.shape[0] or h_prev.shape != (len(x), Wx.shape[1]):
        raise ValueError(f"x, h_prev: expected shapes (n, {Wx.shape[0]}) and (n, {Wx.shape[1]}), "
                         f"got {x.shape} and {h_prev.shape}")
    h = np.tanh(x @ Wx + h_prev @ Wh + b)
    return h, (x, h_prev, Wx, Wh, h)


def rnn_step_backward(dh, cache):
    """Gradients of one step from dL/dh (n, H): returns dx, dh_prev, dWx, dWh, db."""
    x, h_prev, Wx, Wh, h = cache
    da = as_float_array(dh, "dh", ndim=2) * (1.0 - h ** 2)     # tanh' at the step's output
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    """T steps: x (n, T, D), h0 (n, H) -> hidden states hs (n, T, H) and a cache.

    The state is carried from each step to the next: step t reads h_{t-1}, the output of step t-1.
    """
    x = as_float_array(x, "x", ndim=3)
    h = as_float_array(h0, "h0", ndim=2)
    caches, states = [], []
    for t in range(x.shape[1]):
        h, cache = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        caches.append(cache)
        states.append(h)
    return np.stack(states, axis=1), caches


def rnn_backward(dhs, caches):
    """Backpropagation through time from dL/dhs (n, T, H), the loss's gradient at every state.

    Returns dx (n, T, D), dh0 (n, H), dWx, dWh, db; the weights' gradients add up over the steps.
    """
    dhs = as_float_array(dhs, "dhs", ndim=3)
    if dhs.shape[1] != len(caches):
        raise ValueError(f"dhs: expected {len(caches)} time steps, got shape {dhs.shape}")
    x0, _, Wx, Wh, _ = caches[0]
    dx = np.zeros((len(x0), len(caches), Wx.shape[0]))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wx.shape[1])
    dh_next = np.zeros((len(x0), Wx.shape[1]))
    for t in reversed(range(len(caches))):
        dx[:, t], dh_next, dWx_t, dWh_t, db_t = rnn_step_backward(dhs[:, t] + dh_next, caches[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dh_next, dWx, dWh, db


def gradient_norms_by_lag(caches, dh_last):
    """How much of a gradient at the last state reaches earlier states.

    dh_last (n, H) is dL/dh_T for a loss that reads the last state only. Returns an array
    (T,) whose entry k is the mean over the batch of ||dL/dh_{T-k}||: k = 0 is the last state,
    k = T-1 the first one.
    """
    dh = as_float_array(dh_last, "dh_last", ndim=2)
    norms = []
    for t in reversed(range(len(caches))):
        norms.append(np.linalg.norm(dh, axis=1).mean())
        _, dh, _, _, _ = rnn_step_backward(dh, caches[t])
    return np.array(norms)
