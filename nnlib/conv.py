"""Convolution and pooling in NumPy, in the NCHW layout of PyTorch: a batch of images is an
array (n, channels, height, width).

Two versions of the 2-D convolution (cross-correlation, as every deep-learning library
computes it: the kernel is not flipped):

- ``conv2d_naive`` / ``conv2d_naive_backward``: four nested loops, one output number at a
  time, written to be read;
- ``conv2d`` / ``conv2d_backward``: the same numbers with **im2col**: every receptive field
  becomes a row of a matrix, so the whole convolution is one matrix product.

The layers ``Conv2D``, ``MaxPool2D``, ``AvgPool2D``, ``MinPool2D`` and ``Flatten`` follow the
Layer API of ``nnlib.layers`` and compose with ``Sequential`` and ``fit``.

Output size along one axis, for input size n, kernel k, stride s and padding p on both sides:
``(n + 2p - k) // s + 1`` (``output_size``).

Ties in max (min) pooling: the gradient goes to the *first* largest (smallest) entry of the
window in row-major order, as in PyTorch.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import as_float_array, as_generator, as_int
from .layers import DTYPES, Layer


def _pair(value, name: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints (height, width), each >= minimum."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return as_int(value[0], name, minimum), as_int(value[1], name, minimum)
    if isinstance(value, (tuple, list)):
        raise ValueError(f"{name}: expected an int or a pair (height, width), got {value!r}")
    size = as_int(value, name, minimum)
    return size, size


def output_size(n: int, kernel: int, stride: int = 1, pad: int = 0) -> int:
    """Positions of a kernel of size ``kernel`` along an axis of size ``n`` padded with
    ``pad`` on both sides, moving ``stride`` at a time: (n + 2 pad - kernel) // stride + 1."""
    n, kernel = as_int(n, "n"), as_int(kernel, "kernel")
    stride, pad = as_int(stride, "stride"), as_int(pad, "pad", minimum=0)
    if n + 2 * pad < kernel:
        raise ValueError(f"kernel: expected at most the padded size {n + 2 * pad} (n = {n}, pad = {pad}), "
                         f"got {kernel}")
    return (n + 2 * pad - kernel) // stride + 1


def pad_images(x: np.ndarray, pad: tuple[int, int], value: float = 0.0) -> np.ndarray:
    """x (n, c, h, w) with ``pad`` = (rows, columns) of ``value`` added on every side."""
    if pad == (0, 0):
        return x
    return np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])), constant_values=value)


def _check_images(x, name: str = "x") -> np.ndarray:
    x = as_float_array(x, name)
    if x.ndim != 4:
        raise ValueError(f"{name}: expected images of shape (n, channels, height, width), got shape {x.shape}")
    return x


def _check_conv(x, W, b, stride, pad):
    """Checked (x, W, b, (sh, sw), (ph, pw)) for a convolution; raises ValueError naming the problem."""
    x = _check_images(x)
    W = as_float_array(W, "W")
    if W.ndim != 4 or W.shape[1] != x.shape[1]:
        raise ValueError(f"W: expected filters of shape (n_filters, {x.shape[1]}, kh, kw) for x with "
                         f"{x.shape[1]} channels, got shape {W.shape}")
    b = as_float_array(b, "b")
    if b.shape != (W.shape[0],):
        raise ValueError(f"b: expected one bias per filter, shape ({W.shape[0]},), got shape {b.shape}")
    stride, pad = _pair(stride, "stride", 1), _pair(pad, "pad", 0)
    for axis, n, k, s, p in (("height", x.shape[2], W.shape[2], stride[0], pad[0]),
                             ("width", x.shape[3], W.shape[3], stride[1], pad[1])):
        if n + 2 * p < k:
            raise ValueError(f"W: expected a kernel {axis} of at most the padded input {axis} {n + 2 * p}, got {k}")
    return x, W, b, stride, pad


def _out_shape(x_shape, kernel, stride, pad) -> tuple[int, int]:
    return ((x_shape[2] + 2 * pad[0] - kernel[0]) // stride[0] + 1,
            (x_shape[3] + 2 * pad[1] - kernel[1]) // stride[1] + 1)


# ---------------------------------------------------------------- the loop version, to read


def conv2d_naive(x, W, b, stride=1, pad=0) -> np.ndarray:
    """2-D convolution (cross-correlation) with loops.

    x: (n, c, h, w) images; W: (f, c, kh, kw) filters; b: (f,) biases; stride and pad: an int
    or a pair (rows, columns). Returns y: (n, f, oh, ow) with oh = (h + 2 pad - kh) // stride + 1
    (ow alike) and y[i, k, r, s] = sum(window * W[k]) + b[k], where window is the (c, kh, kw)
    part of the padded x[i] whose top left corner is (r * stride, s * stride).
    """
    x, W, b, (sh, sw), pad = _check_conv(x, W, b, stride, pad)
    n, f, (kh, kw) = x.shape[0], W.shape[0], W.shape[2:]
    oh, ow = _out_shape(x.shape, (kh, kw), (sh, sw), pad)
    x_pad = pad_images(x, pad)
    y = np.zeros((n, f, oh, ow), dtype=np.result_type(x, W))
    for i in range(n):
        for k in range(f):
            for r in range(oh):
                for s in range(ow):
                    window = x_pad[i, :, r * sh:r * sh + kh, s * sw:s * sw + kw]
                    y[i, k, r, s] = np.sum(window * W[k]) + b[k]
    return y


def conv2d_naive_backward(grad_y, x, W, stride=1, pad=0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of ``conv2d_naive`` with loops: (dL/dx, dL/dW, dL/db) from dL/dy (n, f, oh, ow).

    Each output y[i, k, r, s] used one window of the padded input and the whole filter W[k],
    so its gradient flows back to exactly those: the window's share is added (+=, windows
    overlap) to dL/dx_pad, and window * grad to dL/dW[k]. The padding's gradient is dropped.
    """
    x, W, _, (sh, sw), pad = _check_conv(x, W, np.zeros(np.shape(W)[:1]), stride, pad)
    grad_y = _check_grad_y(grad_y, (x.shape[0], W.shape[0], *_out_shape(x.shape, W.shape[2:], (sh, sw), pad)))
    kh, kw = W.shape[2:]
    x_pad = pad_images(x, pad)
    dx_pad, dW = np.zeros_like(x_pad), np.zeros_like(W)
    n, f, oh, ow = grad_y.shape
    for i in range(n):
        for k in range(f):
            for r in range(oh):
                for s in range(ow):
                    rows, cols = slice(r * sh, r * sh + kh), slice(s * sw, s * sw + kw)
                    dx_pad[i, :, rows, cols] += grad_y[i, k, r, s] * W[k]
                    dW[k] += grad_y[i, k, r, s] * x_pad[i, :, rows, cols]
    db = grad_y.sum(axis=(0, 2, 3))
    return _unpad(dx_pad, pad), dW, db


def _check_grad_y(grad_y, shape) -> np.ndarray:
    grad_y = as_float_array(grad_y, "grad_y")
    if grad_y.shape != tuple(shape):
        raise ValueError(f"grad_y: expected the output's shape {tuple(shape)}, got {grad_y.shape}")
    return grad_y


def _unpad(x_pad: np.ndarray, pad: tuple[int, int]) -> np.ndarray:
    """Cut the padding off again (pad=0 must keep everything: x[:, :, 0:-0] would be empty)."""
    h, w = x_pad.shape[2], x_pad.shape[3]
    return x_pad[:, :, pad[0]:h - pad[0], pad[1]:w - pad[1]]


# ---------------------------------------------------------------- im2col, for speed


def im2col(x_pad: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int]) -> np.ndarray:
    """Every receptive field of the (already padded) images as a row.

    x_pad: (n, c, hp, wp) -> (n, oh, ow, c, kh, kw), a strided *view* (no copy) whose
    reshape to (n * oh * ow, c * kh * kw) is the im2col matrix.
    """
    windows = sliding_window_view(x_pad, kernel, axis=(2, 3))  # (n, c, hp-kh+1, wp-kw+1, kh, kw)
    return windows[:, :, ::stride[0], ::stride[1]].transpose(0, 2, 3, 1, 4, 5)


def col2im(d_windows: np.ndarray, x_pad_shape, stride: tuple[int, int]) -> np.ndarray:
    """The adjoint of ``im2col``: add every window's gradient (n, oh, ow, c, kh, kw) back at
    its place in an array of the padded input's shape. Overlapping windows add up."""
    n, oh, ow, c, kh, kw = d_windows.shape
    sh, sw = stride
    dx_pad = np.zeros(x_pad_shape, dtype=d_windows.dtype)
    for r in range(kh):          # one vectorized addition per kernel offset
        for s in range(kw):
            dx_pad[:, :, r:r + sh * oh:sh, s:s + sw * ow:sw] += d_windows[:, :, :, :, r, s].transpose(0, 3, 1, 2)
    return dx_pad


def _conv_forward(x, W, b, stride, pad):
    """Unchecked im2col forward; returns y (n, f, oh, ow) and the padded x for the backward pass."""
    x_pad = pad_images(x, pad)
    windows = im2col(x_pad, W.shape[2:], stride)
    n, oh, ow = windows.shape[:3]
    cols = windows.reshape(n * oh * ow, -1)                       # (n oh ow, c kh kw), a copy
    y = cols @ W.reshape(W.shape[0], -1).T                        # (n oh ow, f)
    y += b
    return y.reshape(n, oh, ow, -1).transpose(0, 3, 1, 2), x_pad, cols


def _conv_backward(grad_y, x_pad, cols, W, stride, pad, need_grad_x=True):
    """Unchecked im2col backward: (dL/dx or None, dL/dW, dL/db)."""
    n, f, oh, ow = grad_y.shape
    g = grad_y.transpose(0, 2, 3, 1).reshape(n * oh * ow, f)      # (n oh ow, f)
    dW = (g.T @ cols).reshape(W.shape)
    db = g.sum(axis=0)
    if not need_grad_x:
        return None, dW, db
    d_windows = (g @ W.reshape(f, -1)).reshape(n, oh, ow, *W.shape[1:])
    return _unpad(col2im(d_windows, x_pad.shape, stride), pad), dW, db


def conv2d(x, W, b, stride=1, pad=0) -> np.ndarray:
    """The same as ``conv2d_naive`` (shapes and arguments alike), computed with im2col."""
    x, W, b, stride, pad = _check_conv(x, W, b, stride, pad)
    return _conv_forward(x, W, b, stride, pad)[0]


def conv2d_backward(grad_y, x, W, stride=1, pad=0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same as ``conv2d_naive_backward``, computed with im2col."""
    x, W, b, stride, pad = _check_conv(x, W, np.zeros(np.shape(W)[:1]), stride, pad)
    grad_y = _check_grad_y(grad_y, (x.shape[0], W.shape[0], *_out_shape(x.shape, W.shape[2:], stride, pad)))
    _, x_pad, cols = _conv_forward(x, W, b, stride, pad)
    return _conv_backward(grad_y, x_pad, cols, W, stride, pad)


# ---------------------------------------------------------------- layers


class Conv2D(Layer):
    """Convolutional layer: x (n, in_channels, h, w) -> y (n, out_channels, oh, ow).

    params "W" (out_channels, in_channels, kh, kw) and "b" (out_channels,); kernel_size,
    stride and padding are an int or a pair (rows, columns); zero padding. Weights are drawn
    from ``rng`` with He initialization, N(0, 2 / fan_in) with fan_in = in_channels kh kw
    (``init="xavier"``: N(0, 2 / (fan_in + fan_out))), biases 0; then rounded to ``dtype``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, rng, stride=1, padding=0,
                 init: str = "he", dtype=np.float32):
        super().__init__()
        self.in_channels = as_int(in_channels, "Conv2D in_channels")
        self.out_channels = as_int(out_channels, "Conv2D out_channels")
        self.kernel_size = _pair(kernel_size, "Conv2D kernel_size", 1)
        self.stride, self.padding = _pair(stride, "Conv2D stride", 1), _pair(padding, "Conv2D padding", 0)
        if init not in ("he", "xavier"):
            raise ValueError(f"Conv2D: expected init 'he' or 'xavier', got {init!r}")
        if np.dtype(dtype) not in DTYPES:
            raise ValueError(f"Conv2D: expected dtype float32 or float64, got {np.dtype(dtype)}")
        self.dtype = np.dtype(dtype)
        fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
        fan_out = self.out_channels * self.kernel_size[0] * self.kernel_size[1]
        std = np.sqrt(2 / fan_in) if init == "he" else np.sqrt(2 / (fan_in + fan_out))
        W = std * as_generator(rng).standard_normal((self.out_channels, self.in_channels, *self.kernel_size))
        self.params = {"W": W.astype(self.dtype), "b": np.zeros(self.out_channels, dtype=self.dtype)}
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self._x_pad = self._cols = None

    def _check_input(self, x) -> np.ndarray:
        x = self._as_float_array(x, "x")
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"{self}: expected x of shape (n, {self.in_channels}, height, width), got shape {x.shape}")
        for axis, n, k, p in (("height", x.shape[2], self.kernel_size[0], self.padding[0]),
                              ("width", x.shape[3], self.kernel_size[1], self.padding[1])):
            if n + 2 * p < k:
                raise ValueError(f"{self}: expected an input {axis} of at least {k - 2 * p} "
                                 f"(the kernel minus the padding), got {n}")
        return x.astype(self.dtype, copy=False)

    def _forward(self, x, training):
        y, self._x_pad, self._cols = _conv_forward(x, self.params["W"], self.params["b"], self.stride, self.padding)
        return y

    def _backward(self, grad_y, need_grad_x):
        dx, dW, db = _conv_backward(grad_y, self._x_pad, self._cols, self.params["W"], self.stride,
                                    self.padding, need_grad_x)
        self.grads["W"][...] = dW
        self.grads["b"][...] = db
        return dx

    def __repr__(self) -> str:
        kh, kw = self.kernel_size
        extra = f", stride={self.stride}" if self.stride != (1, 1) else ""
        extra += f", padding={self.padding}" if self.padding != (0, 0) else ""
        return f"Conv2D({self.in_channels} -> {self.out_channels}, {kh}x{kw}{extra})"


class _Pool2D(Layer):
    """Pooling over windows of each channel: x (n, c, h, w) -> (n, c, oh, ow).

    kernel_size, stride (default: kernel_size, windows side by side) and padding (at most
    half the window, as in PyTorch, so that every window holds an input) are an int or a pair.
    """

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = _pair(kernel_size, f"{name} kernel_size", 1)
        self.stride = self.kernel_size if stride is None else _pair(stride, f"{name} stride", 1)
        self.padding = _pair(padding, f"{name} padding", 0)
        if any(2 * p > k for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError(f"{name}: expected padding at most half the kernel size {self.kernel_size}, "
                             f"got {self.padding}")
        self._x_shape = self._windows_shape = None

    def _check_input(self, x) -> np.ndarray:
        x = self._as_float_array(x, "x")
        if x.ndim != 4:
            raise ValueError(f"{self}: expected x of shape (n, channels, height, width), got shape {x.shape}")
        for n, k, p in zip(x.shape[2:], self.kernel_size, self.padding):
            if n + 2 * p < k:
                raise ValueError(f"{self}: expected an input of at least {self.kernel_size} (with padding "
                                 f"{self.padding}), got height and width {x.shape[2:]}")
        return x

    def _windows(self, x, fill: float) -> np.ndarray:
        """(n, c, oh, ow, kh * kw): each window's entries in row-major order."""
        windows = im2col(pad_images(x, self.padding, fill), self.kernel_size, self.stride)
        n, oh, ow, c = windows.shape[:4]
        self._x_shape, self._windows_shape = x.shape, (n, oh, ow, c, *self.kernel_size)
        return windows.transpose(0, 3, 1, 2, 4, 5).reshape(n, c, oh, ow, -1)

    def _scatter(self, d_windows: np.ndarray) -> np.ndarray:
        """Gradients per window entry (n, c, oh, ow, kh * kw) -> dL/dx (n, c, h, w), overlaps added."""
        n, oh, ow, c, kh, kw = self._windows_shape
        d = d_windows.reshape(n, c, oh, ow, kh, kw).transpose(0, 2, 3, 1, 4, 5)
        padded = (n, c, self._x_shape[2] + 2 * self.padding[0], self._x_shape[3] + 2 * self.padding[1])
        return _unpad(col2im(d, padded, self.stride), self.padding)

    def __repr__(self) -> str:
        kh, kw = self.kernel_size
        extra = f", stride={self.stride}" if self.stride != self.kernel_size else ""
        extra += f", padding={self.padding}" if self.padding != (0, 0) else ""
        return f"{type(self).__name__}({kh}x{kw}{extra})"


class MaxPool2D(_Pool2D):
    """The largest entry of each window (padding counts as -infinity). Backward: the whole
    gradient goes to the first largest entry of each window; overlapping windows add up."""

    sign = 1.0

    def _forward(self, x, training):
        windows = self._windows(self.sign * x, -np.inf)
        self._argmax = windows.argmax(axis=-1)                   # first maximum on ties
        return self.sign * np.take_along_axis(windows, self._argmax[..., None], axis=-1)[..., 0]

    def _backward(self, grad_y, need_grad_x):
        d_windows = np.zeros((*grad_y.shape, self.kernel_size[0] * self.kernel_size[1]), dtype=grad_y.dtype)
        np.put_along_axis(d_windows, self._argmax[..., None], grad_y[..., None], axis=-1)
        return self._scatter(d_windows)


class MinPool2D(MaxPool2D):
    """The smallest entry of each window: max pooling of -x, negated. Ties: the first smallest."""

    sign = -1.0


class AvgPool2D(_Pool2D):
    """The mean of each window; padding counts as zeros and the divisor is always kh * kw
    (PyTorch's default, count_include_pad=True). Backward: each entry gets grad / (kh kw)."""

    def _forward(self, x, training):
        return self._windows(x, 0.0).mean(axis=-1)

    def _backward(self, grad_y, need_grad_x):
        size = self.kernel_size[0] * self.kernel_size[1]
        d_windows = np.broadcast_to((grad_y / size)[..., None], (*grad_y.shape, size))
        return self._scatter(d_windows)


class Flatten(Layer):
    """x (n, d1, d2, ...) -> (n, d1 * d2 * ...), the bridge from feature maps to Dense layers."""

    def _check_input(self, x) -> np.ndarray:
        x = self._as_float_array(x, "x")
        if x.ndim < 2:
            raise ValueError(f"{self}: expected x of shape (n, ...) with one example per row, got shape {x.shape}")
        return x

    def _forward(self, x, training):
        self._x_shape = x.shape
        return x.reshape(len(x), -1)

    def _backward(self, grad_y, need_grad_x):
        return grad_y.reshape(self._x_shape)
