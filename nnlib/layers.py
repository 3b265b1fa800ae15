"""Layers of a feed-forward network, each with its forward and backward pass side by side.

A layer maps a batch ``x`` of shape (n, ...) to an output ``y`` and back:

- ``forward(x, training=False) -> y`` computes the output and keeps (caches) what the
  backward pass will need;
- ``backward(grad_y) -> grad_x`` takes dL/dy, the gradient of the loss with respect to
  the layer's last output, returns dL/dx and stores dL/d(parameter) in ``grads``.

``params`` and ``grads`` are dicts with the same keys ("W", "b" for ``Dense``; empty for
layers without parameters). Their arrays are allocated once and then updated in place:
every backward pass overwrites ``grads``, an optimizer changes ``params``, and a
``Sequential`` network or an optimizer may hold references to them.

The public ``forward`` and ``backward`` check their input, then call ``_forward`` and
``_backward``, which hold the maths. A ``Sequential`` network checks its input once and
then calls its layers' ``_forward`` / ``_backward`` directly, so that training does not
pay for the same checks at every layer and every mini-batch.
"""
from __future__ import annotations

import inspect
from abc import ABC, abstractmethod

import numpy as np

from ._checks import as_float_array, as_generator, as_int
from .activations import get_activation, softmax, softmax_backward

INITS = ("he", "xavier", "normal")
DTYPES = (np.float32, np.float64)


class Layer(ABC):
    """Base class: subclasses set ``params``/``grads`` and implement ``_forward``/``_backward``."""

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._output_shape = None  # shape and dtype of the last output of forward()
        self._output_dtype = None

    def forward(self, x, training: bool = False) -> np.ndarray:
        """Check ``x`` and return the layer's output; ``training`` switches dropout on."""
        y = self._forward(self._check_input(x), training)
        self._output_shape, self._output_dtype = y.shape, y.dtype
        return y

    def backward(self, grad_y, need_grad_x: bool = True) -> np.ndarray | None:
        """Given dL/dy (the shape of the last output), store parameter gradients, return dL/dx.

        ``need_grad_x=False`` skips dL/dx where a layer can (returns None), e.g. when x is
        the data: a third of a Dense layer's backward work.
        """
        if self._output_shape is None:
            raise RuntimeError(f"{self}: call forward before backward")
        grad_y = self._as_float_array(grad_y, "grad_y")
        if grad_y.shape != self._output_shape:
            raise ValueError(f"{self}: expected grad_y of shape {self._output_shape} "
                             f"(the shape of the last output), got {grad_y.shape}")
        return self._backward(grad_y.astype(self._output_dtype, copy=False), need_grad_x)

    def _check_input(self, x) -> np.ndarray:
        """Return ``x`` as a non-empty, finite float array (layers add shape checks)."""
        return self._as_float_array(x, "x")

    def _as_float_array(self, a, name: str) -> np.ndarray:
        """``as_float_array``, naming the layer in the error message."""
        try:
            return as_float_array(a, name)
        except ValueError as error:  # the layer's name is only formatted when needed
            raise ValueError(f"{self}: {error}") from None

    @abstractmethod
    def _forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        """The forward maths on a checked ``x``; cache what ``_backward`` needs."""

    @abstractmethod
    def _backward(self, grad_y: np.ndarray, need_grad_x: bool) -> np.ndarray | None:
        """The backward maths: fill ``self.grads``, return dL/dx.

        With ``need_grad_x=False`` a layer may skip dL/dx and return None: nobody needs it
        for the first layer of a network, whose x is the data.
        """

    @property
    def n_params(self) -> int:
        """Number of trainable numbers in the layer."""
        return sum(p.size for p in self.params.values())

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Dense(Layer):
    """Fully connected layer z = x W + b.

    x: (n, n_in) -> z: (n, n_out); params "W" (n_in, n_out) and "b" (n_out,).

    ``init`` chooses the random starting weights, drawn from ``rng`` (a seed or a Generator):

    - "he": W ~ N(0, 2 / n_in), b = 0 (suits ReLU);
    - "xavier" (Glorot): W ~ N(0, 2 / (n_in + n_out)), b = 0 (suits sigmoid and tanh);
    - "normal": W ~ N(0, 1) and b ~ N(0, 1), as in Nielsen's first MNIST network.

    The numbers are drawn in float64 and then rounded to ``dtype`` (float32 or float64),
    so the same seed gives the same network in both precisions.
    """

    def __init__(self, n_in: int, n_out: int, rng, init: str = "he", dtype=np.float32):
        super().__init__()
        for name, value in (("n_in", n_in), ("n_out", n_out)):
            as_int(value, f"Dense {name}")
        if init not in INITS:
            raise ValueError(f"Dense: expected init in {INITS}, got {init!r}")
        if np.dtype(dtype) not in DTYPES:
            raise ValueError(f"Dense: expected dtype float32 or float64, got {np.dtype(dtype)}")
        self.n_in, self.n_out, self.init = int(n_in), int(n_out), init
        self.dtype = np.dtype(dtype)
        rng = as_generator(rng)
        std = {"he": np.sqrt(2 / n_in), "xavier": np.sqrt(2 / (n_in + n_out)), "normal": 1.0}[init]
        W = std * rng.standard_normal((n_in, n_out))
        b = rng.standard_normal(n_out) if init == "normal" else np.zeros(n_out)
        self.params = {"W": W.astype(self.dtype), "b": b.astype(self.dtype)}
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self._x = None

    def _check_input(self, x) -> np.ndarray:
        x = self._as_float_array(x, "x")
        if x.ndim != 2 or x.shape[1] != self.n_in:
            got = f"(n, {x.shape[1]})" if x.ndim == 2 else f"shape {x.shape}"
            raise ValueError(f"{self}: expected x of shape (n, {self.n_in}), got {got}")
        return x.astype(self.dtype, copy=False)

    def _forward(self, x, training):
        self._x = x                       # backward needs the input
        z = x @ self.params["W"]
        z += self.params["b"]             # in place: no second (n, n_out) array
        return z

    def _backward(self, grad_z, need_grad_x):
        # z = x W + b  =>  dL/dW = x^T dL/dz,  dL/db = sum over the batch of dL/dz,
        #                  dL/dx = dL/dz W^T. The gradients are written into self.grads.
        np.matmul(self._x.T, grad_z, out=self.grads["W"])
        np.sum(grad_z, axis=0, out=self.grads["b"])
        return grad_z @ self.params["W"].T if need_grad_x else None

    def __repr__(self) -> str:
        return f"Dense({self.n_in} -> {self.n_out})"


class Activation(Layer):
    """Element-wise activation y = f(z) for any name in ``nnlib.activations.ACTIVATIONS``.

    Keyword arguments go to the function, e.g. ``Activation("leaky_relu", alpha=0.1)``.
    z: any shape -> y: the same shape. Backward: dL/dz = dL/dy * f'(z).
    """

    def __init__(self, name: str, **kwargs):
        super().__init__()
        self.f, self.f_prime = get_activation(name)
        try:
            inspect.signature(self.f).bind(None, **kwargs)
        except TypeError:
            raise ValueError(f"Activation({name!r}): unexpected parameters {sorted(kwargs)}; "
                             f"expected a subset of the parameters of {self.f.__name__}"
                             f"{inspect.signature(self.f)} after z") from None
        self.name, self.kwargs = name, kwargs
        self._z = None

    def _forward(self, z, training):
        self._z = z
        return self.f(z, **self.kwargs)

    def _backward(self, grad_y, need_grad_x):
        return grad_y * self.f_prime(self._z, **self.kwargs)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        return f"Activation({self.name!r}{extra})"


class Softmax(Layer):
    """Softmax over the classes: z (n, k) scores -> p (n, k) probabilities, rows summing to 1.

    Pair it with the "cross_entropy" loss (from probabilities). A network trained with
    "softmax_cross_entropy" ends with a Dense layer instead: that loss applies the softmax
    itself, more stably.
    """

    def __init__(self):
        super().__init__()
        self._p = None

    def _check_input(self, z) -> np.ndarray:
        z = self._as_float_array(z, "z")
        if z.ndim != 2:
            raise ValueError(f"{self}: expected z of shape (n, k), got shape {z.shape}")
        return z

    def _forward(self, z, training):
        self._p = softmax(z)
        return self._p

    def _backward(self, grad_p, need_grad_x):
        return softmax_backward(self._p, grad_p)


class Dropout(Layer):
    """Inverted dropout: while training, each unit is zeroed with probability ``p``.

    The surviving units are scaled by 1 / (1 - p), so the expected output equals the
    input and nothing needs rescaling at test time: with ``training=False`` the layer is
    the identity. The random mask is drawn from ``rng`` (a seed or a Generator) at every
    training forward pass and reused by the backward pass. x: any shape -> same shape.
    """

    def __init__(self, p: float, rng):
        super().__init__()
        if not isinstance(p, (float, int, np.floating)) or isinstance(p, bool) or not 0 <= p < 1:
            raise ValueError(f"Dropout: expected a drop probability p in [0, 1), got {p!r}")
        self.p = float(p)
        self.rng = as_generator(rng)
        self._mask = None

    def _forward(self, x, training):
        if not training or self.p == 0:
            self._mask = None
            return x
        keep = self.rng.random(x.shape) >= self.p
        self._mask = keep.astype(x.dtype) / x.dtype.type(1 - self.p)
        return x * self._mask

    def _backward(self, grad_y, need_grad_x):
        return grad_y if self._mask is None else grad_y * self._mask

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"
