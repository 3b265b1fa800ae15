"""The perceptron (a weighted sum against a threshold), its learning rule, and the sigmoid
neuron that replaces the hard step by a smooth one.

- ``Perceptron(weights, threshold=...)`` outputs 1 if w.x > threshold, else 0; the same
  neuron in bias form, ``Perceptron(weights, bias=b)`` with b = -threshold, outputs 1 if
  w.x + b > 0.
- ``train_perceptron`` applies the perceptron learning rule until an epoch makes no
  mistake (it always gets there on linearly separable data, never on XOR).
- ``SigmoidNeuron`` outputs sigma(w.x + b) and gives the gradient of the quadratic cost.

Inputs ``X`` have shape (n, d), one example per row; a single example of shape (d,) is
accepted too, and then the result is a plain number instead of an array of shape (n,).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import as_float_array, as_generator, as_int
from .activations import sigmoid, sigmoid_prime
from .losses import mse, mse_grad


def _number(x, name: str) -> float:
    """A finite real number given as a scalar, else ValueError."""
    return float(as_float_array(x, name, ndim=0))


def _inputs(X, n_features: int) -> tuple[np.ndarray, bool]:
    """X as a float array (n, d) and whether a single example (d,) was given."""
    X = as_float_array(X, "X", ndim=(1, 2))
    single = X.ndim == 1
    X = X.reshape(1, -1) if single else X
    if X.shape[1] != n_features:
        raise ValueError(f"X: expected inputs with {n_features} features (one per weight), "
                         f"got shape {X.shape[1:] if single else X.shape}")
    return X, single


def _check_one_target_per_row(X: np.ndarray, y: np.ndarray) -> None:
    if y.shape != (X.shape[0],):
        raise ValueError(f"y: expected one target per row of X, shape ({X.shape[0]},), "
                         f"got shape {y.shape}")


class Perceptron:
    """A perceptron in threshold form or in bias form (give exactly one of the two).

    weights: (d,). Threshold form: output 1 if w.x > threshold else 0 (a sum equal to the
    threshold gives 0). Bias form: output 1 if w.x + b > 0 else 0.
    """

    def __init__(self, weights, threshold=None, bias=None):
        if (threshold is None) == (bias is None):
            raise ValueError("Perceptron: expected exactly one of threshold or bias, got "
                             f"threshold={threshold!r} and bias={bias!r}")
        self.weights = as_float_array(weights, "weights", ndim=1).astype(np.float64)
        self.threshold = None if threshold is None else _number(threshold, "threshold")
        self.bias = None if bias is None else _number(bias, "bias")

    def __repr__(self) -> str:
        form = f"threshold={self.threshold:g}" if self.bias is None else f"bias={self.bias:g}"
        return f"Perceptron(weights={self.weights.tolist()}, {form})"

    def weighted_sum(self, X):
        """w.x for every example: X (n, d) -> (n,) floats; a single x (d,) -> a float."""
        X, single = _inputs(X, self.weights.size)
        sums = X @ self.weights
        return float(sums[0]) if single else sums

    def predict(self, X):
        """The 0/1 outputs: X (n, d) -> (n,) int64; a single x (d,) -> an int."""
        sums = np.atleast_1d(self.weighted_sum(X))
        fires = sums > self.threshold if self.bias is None else sums + self.bias > 0
        outputs = fires.astype(np.int64)
        return int(outputs[0]) if np.ndim(X) == 1 else outputs

    def with_bias(self) -> Perceptron:
        """The same neuron in bias form, b = -threshold."""
        bias = self.bias if self.bias is not None else -self.threshold
        return Perceptron(self.weights.copy(), bias=bias)

    def with_threshold(self) -> Perceptron:
        """The same neuron in threshold form, threshold = -b."""
        threshold = self.threshold if self.threshold is not None else -self.bias
        return Perceptron(self.weights.copy(), threshold=threshold)


@dataclass
class PerceptronTraining:
    """What ``train_perceptron`` returns.

    perceptron: the trained neuron (bias form); converged: True if the last epoch made no
    mistake; epochs: epochs run; errors_per_epoch: mistakes (= updates) in each epoch;
    weight_history: (w copy (d,), b) after each epoch.
    """

    perceptron: Perceptron
    converged: bool
    epochs: int
    errors_per_epoch: list[int]
    weight_history: list[tuple[np.ndarray, float]]


def train_perceptron(X, y, lr: float = 1.0, max_epochs: int = 100, rng=0) -> PerceptronTraining:
    """Learn a perceptron with the perceptron learning rule, from w = 0 and b = 0.

    X: (n, d) inputs; y: (n,) targets, 0 or 1. Each epoch visits the examples in a random
    order (drawn from ``rng``, a seed or a Generator) and, after each prediction yhat, updates
        w <- w + lr (y - yhat) x,   b <- b + lr (y - yhat)
    (nothing changes when yhat is right). Stops after the first epoch without a mistake
    (converged) or after ``max_epochs`` (not converged: e.g. XOR, which no line separates).
    """
    X = as_float_array(X, "X", ndim=2).astype(np.float64)
    y = as_float_array(y, "y", ndim=1)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"y: expected targets 0 or 1, got the values {np.unique(y).tolist()}")
    _check_one_target_per_row(X, y)
    lr = _number(lr, "lr")
    if lr <= 0:
        raise ValueError(f"lr: expected a positive learning rate, got {lr}")
    max_epochs = as_int(max_epochs, "max_epochs")
    rng = as_generator(rng)

    w, b = np.zeros(X.shape[1]), 0.0
    errors_per_epoch, weight_history = [], []
    for _ in range(max_epochs):
        errors = 0
        for i in rng.permutation(len(y)):
            y_hat = 1.0 if X[i] @ w + b > 0 else 0.0
            if y_hat != y[i]:
                w = w + lr * (y[i] - y_hat) * X[i]
                b = b + lr * (y[i] - y_hat)
                errors += 1
        errors_per_epoch.append(errors)
        weight_history.append((w.copy(), float(b)))
        if errors == 0:
            break
    return PerceptronTraining(Perceptron(w, bias=b), converged=errors_per_epoch[-1] == 0,
                              epochs=len(errors_per_epoch), errors_per_epoch=errors_per_epoch,
                              weight_history=weight_history)


class SigmoidNeuron:
    """A neuron with a smooth output a = sigma(w.x + b), weights (d,) and a bias."""

    def __init__(self, weights, bias):
        self.weights = as_float_array(weights, "weights", ndim=1).astype(np.float64)
        self.bias = _number(bias, "bias")

    def __repr__(self) -> str:
        return f"SigmoidNeuron(weights={self.weights.tolist()}, bias={self.bias:g})"

    def forward(self, X):
        """a = sigma(X @ w + b): X (n, d) -> (n,) in (0, 1); a single x (d,) -> a float."""
        X, single = _inputs(X, self.weights.size)
        a = sigmoid(X @ self.weights + self.bias)
        return float(a[0]) if single else a

    def cost(self, X, y) -> float:
        """The quadratic cost C = 1/(2n) sum (y - a)^2; X (n, d), y (n,)."""
        X, y = self._batch(X, y)
        return mse(self.forward(X), y)

    def gradients(self, X, y) -> tuple[np.ndarray, float]:
        """(dC/dw (d,), dC/db) of the quadratic cost, by the chain rule:
        dC/da = (a - y)/n, da/dz = sigma'(z), dz/dw = x, dz/db = 1."""
        X, y = self._batch(X, y)
        z = X @ self.weights + self.bias
        dC_dz = mse_grad(sigmoid(z), y) * sigmoid_prime(z)  # (n,)
        return X.T @ dC_dz, float(dC_dz.sum())

    def _batch(self, X, y) -> tuple[np.ndarray, np.ndarray]:
        X = as_float_array(X, "X", ndim=2)
        X, _ = _inputs(X, self.weights.size)
        y = as_float_array(y, "y", ndim=1)
        _check_one_target_per_row(X, y)
        return X, y
