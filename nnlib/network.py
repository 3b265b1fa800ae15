"""A feed-forward network and its training: ``Sequential``, ``SGD``, ``fit``.

``fit`` runs mini-batch stochastic gradient descent: every epoch it shuffles the training
examples (with the given ``rng``), cuts them into mini-batches, and for each one runs the
forward pass, the gradient of the loss, the backward pass and one optimizer step. After
the epoch it measures loss and accuracy on the training set and, if given, on the
validation set, and records them in a ``History``. ``EarlyStopping`` ends training when the
validation loss stops improving and puts back the best weights.

Targets ``y`` may be class labels, shape (n,), or rows shaped like the network's output,
shape (n, k) (one-hot rows for classes). With a single output column, labels (n,) are the
0/1 targets (or the numbers to fit, for "mse").
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import as_float_array, as_generator, as_int, as_label_array, as_number
from .activations import sigmoid
from .layers import Dense, Layer
from .losses import get_loss, one_hot
from .progress import progress as progress_bar


class Sequential(Layer):
    """Layers applied one after the other: forward in order, backward in reverse order.

    x: (n, n_in) -> output (n, k), where n_in is what the first layer takes and k what the
    last one gives. A Sequential is itself a Layer (``check_layer`` can check it whole).
    ``params`` and ``grads`` hold the layers' arrays (the same objects, not copies) under
    the names "<layer index>.<name>", e.g. "0.W", "0.b", "2.W".
    """

    def __init__(self, layers):
        super().__init__()
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("Sequential: expected a non-empty list of layers, got none")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise ValueError(f"Sequential: expected layers[{i}] to be a Layer, got {type(layer).__name__}")
        self._check_widths()
        self.params = {f"{i}.{name}": p for i, layer in enumerate(self.layers) for name, p in layer.params.items()}
        self.grads = {f"{i}.{name}": g for i, layer in enumerate(self.layers) for name, g in layer.grads.items()}

    def _check_widths(self) -> None:
        """Each Dense layer must take as many features as the Dense layer before it gives."""
        width, source = None, None
        for i, layer in enumerate(self.layers):
            if isinstance(layer, Dense):
                if width is not None and layer.n_in != width:
                    raise ValueError(f"Sequential: layers[{i}] {layer} expects {layer.n_in} features, "
                                     f"but layers[{source}] gives {width}")
                width, source = layer.n_out, i

    def _check_input(self, x):
        return self.layers[0]._check_input(x)

    def _forward(self, x, training):
        for layer in self.layers:
            x = layer._forward(x, training)
        return x

    def _backward(self, grad, need_grad_x):
        # Layers after the first need dL/dx to pass it on; the first only if the caller does.
        for i in range(len(self.layers) - 1, -1, -1):
            grad = self.layers[i]._backward(grad, need_grad_x or i > 0)
        return grad

    def predict(self, x) -> np.ndarray:
        """The network's output for x (n, n_in), in evaluation mode (no dropout): (n, k)."""
        return self.forward(x, training=False)

    def get_weights(self) -> dict[str, np.ndarray]:
        """A copy of every parameter, by name (see ``params``)."""
        return {name: p.copy() for name, p in self.params.items()}

    def set_weights(self, weights: dict) -> None:
        """Copy ``weights`` (as returned by ``get_weights``) into the network's parameters."""
        if not isinstance(weights, dict) or set(weights) != set(self.params):
            got = sorted(weights) if isinstance(weights, dict) else type(weights).__name__
            raise ValueError(f"set_weights: expected a dict with keys {sorted(self.params)}, got {got}")
        for name, p in self.params.items():
            value = as_float_array(weights[name], f"set_weights: {name}", allow_empty=True)
            if value.shape != p.shape:
                raise ValueError(f"set_weights: expected {name} of shape {p.shape}, got {value.shape}")
        for name, p in self.params.items():
            p[...] = weights[name]

    def __repr__(self) -> str:
        return f"Sequential([{', '.join(map(repr, self.layers))}])"


class SGD:
    """Stochastic gradient descent with momentum and L2 weight decay, updating in place.

    For every parameter w with gradient g:

        g <- g + weight_decay * w          (weights "W" only, never biases "b")
        v <- momentum * v - lr * g         (v starts at 0; without momentum v = -lr * g)
        w <- w + v

    Weight decay is the gradient of (weight_decay / 2) * sum(W^2) added to the loss, i.e.
    Nielsen's lambda / n. Biases are left alone: shrinking them does not make the network
    simpler. Velocities are kept per parameter array, so one SGD may serve one network.
    """

    def __init__(self, lr: float, momentum: float = 0.0, weight_decay: float = 0.0):
        for name, value, ok, wanted in (("lr", lr, lambda v: v > 0, "> 0"),
                                        ("momentum", momentum, lambda v: 0 <= v < 1, "in [0, 1)"),
                                        ("weight_decay", weight_decay, lambda v: v >= 0, ">= 0")):
            if not isinstance(value, (int, float, np.number)) or isinstance(value, bool) \
                    or not np.isfinite(value) or not ok(value):
                raise ValueError(f"SGD: expected {name} {wanted}, got {value!r}")
        self.lr, self.momentum, self.weight_decay = float(lr), float(momentum), float(weight_decay)
        self._velocities: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # id(w) -> (w, v)

    def step(self, model: Layer) -> None:
        """Update ``model.params`` in place from ``model.grads`` (filled by backward)."""
        for name, w in model.params.items():
            g = model.grads[name]
            if self.weight_decay and name.rsplit(".", 1)[-1] == "W":
                g = g + self.weight_decay * w
            if self.momentum:
                v = self._velocity(w)
                v *= self.momentum
                v -= self.lr * g
                w += v
            else:
                w -= self.lr * g

    def _velocity(self, w: np.ndarray) -> np.ndarray:
        if id(w) not in self._velocities:
            self._velocities[id(w)] = (w, np.zeros_like(w))  # keeping w keeps its id unique
        return self._velocities[id(w)][1]


@dataclass
class History:
    """What ``fit`` measured after every epoch (lists indexed by epoch - 1).

    Losses and accuracies are measured on the whole set after the epoch, in evaluation
    mode (no dropout), so training and validation figures compare. Accuracy is NaN when
    the targets are not classes (e.g. fitting numbers with "mse"). ``best_epoch`` is the
    epoch (counted from 1) with the lowest validation loss (None without validation data);
    ``stopped_epoch`` the epoch at which early stopping ended training (None if it did not).
    """

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_epoch: int | None = None

    def record(self, train: tuple[float, float], val: tuple[float, float] | None = None) -> dict[str, str]:
        """Append one epoch's (loss, accuracy) on the training set and, if given, on the
        validation set; return the losses, formatted for a progress bar's postfix."""
        self.train_loss.append(train[0])
        self.train_accuracy.append(train[1])
        figures = {"loss": f"{train[0]:.4f}"}
        if val is not None:
            self.val_loss.append(val[0])
            self.val_accuracy.append(val[1])
            figures["val_loss"] = f"{val[0]:.4f}"
        return figures

    @property
    def epochs(self) -> int:
        """Number of epochs trained."""
        return len(self.train_loss)


class EarlyStopping:
    """Stop when the validation loss has not improved for ``patience`` epochs in a row.

    An epoch improves when its validation loss is below the best so far by more than
    ``min_delta``. At the end of training, ``fit`` puts back the weights of the best epoch.
    """

    def __init__(self, patience: int, min_delta: float = 0.0):
        self.patience = as_int(patience, "EarlyStopping patience")
        self.min_delta = as_number(min_delta, "EarlyStopping min_delta", minimum=0)
        self.start()

    def start(self) -> None:
        """Forget earlier runs (``fit`` calls this first)."""
        self.best_loss = np.inf
        self.best_epoch: int | None = None
        self.best_weights: dict | None = None
        self.epochs_without_improvement = 0

    def update(self, model: Layer, epoch: int, val_loss: float) -> bool:
        """Record the epoch's validation loss; return True when training should stop."""
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, epoch
            self.best_weights = {name: p.copy() for name, p in model.params.items()}
            self.epochs_without_improvement = 0
            return False
        self.epochs_without_improvement += 1
        return self.epochs_without_improvement >= self.patience

    def restore(self, model: Layer) -> None:
        """Copy the best weights back into ``model``."""
        for name, p in model.params.items():
            p[...] = self.best_weights[name]


def accuracy(scores, y) -> float:
    """Fraction of examples classified correctly.

    scores: (n, k) class scores or probabilities -> the class is the argmax of each row;
    or one column, (n, 1) or (n,), of probabilities of class 1 -> class 1 where the
    probability is >= 0.5 (pass probabilities, not logits: apply the sigmoid first).
    y: class labels (n,), or one-hot rows (n, k), or 0/1 targets (n, 1).
    """
    scores = as_float_array(scores, "scores", ndim=(1, 2))
    y = np.asarray(y)
    n_classes = scores.shape[1] if scores.ndim == 2 else 1
    if y.ndim == 2:
        if y.shape[1] != n_classes:
            raise ValueError(f"y: expected labels (n,) or rows (n, {n_classes}) like scores, got shape {y.shape}")
        y = y.argmax(axis=1) if n_classes > 1 else y[:, 0]
    if n_classes > 1:
        predicted = scores.argmax(axis=1)
        labels = as_label_array(y, "y", n_classes)
    else:
        predicted = (scores.reshape(-1) >= 0.5).astype(np.int64)
        labels = as_label_array(y, "y", 2)
    if labels.shape[0] != predicted.shape[0]:
        raise ValueError(f"y: expected {predicted.shape[0]} labels, one per row of scores, got {labels.shape[0]}")
    return float(np.mean(predicted == labels))


def evaluate(model: Layer, X, y, loss: str = "softmax_cross_entropy") -> tuple[float, float]:
    """Loss and accuracy of ``model`` on X (n, n_in) (or (n, c, h, w) images) with targets y, in evaluation mode.

    The accuracy is NaN when the targets are not classes (see ``History``).
    """
    loss_fn, _ = get_loss(loss)
    X, targets = _prepare_data(model, X, y, "X", "y")
    return _loss_and_accuracy(model, X, targets, loss, loss_fn)


def fit(model: Layer, X, y, *, loss: str = "softmax_cross_entropy", optimizer, epochs: int,
        batch_size: int, rng, validation=None, early_stopping: EarlyStopping | None = None,
        progress: bool | None = None) -> History:
    """Train ``model`` on X (n, n_in) (or (n, c, h, w) images for a convolutional network) and y with mini-batch SGD; return the ``History``.

    loss: a name in ``nnlib.losses.LOSSES``; "softmax_cross_entropy" expects a network
    ending in a Dense layer (logits), "cross_entropy" one ending in Softmax.
    optimizer: e.g. ``SGD(lr=0.1, momentum=0.9)``. rng: seed or Generator for shuffling.
    validation: optional ``(X_val, y_val)``; needed by ``early_stopping``.
    progress: show a progress bar over the epochs (None: unless NNLIB_PROGRESS=0).
    """
    if not isinstance(model, Layer):
        raise ValueError(f"model: expected an nnlib Layer (e.g. a Sequential), got {type(model).__name__}")
    loss_fn, loss_grad = get_loss(loss)
    if not callable(getattr(optimizer, "step", None)):
        raise ValueError(f"optimizer: expected an object with a step(model) method, e.g. SGD, got {optimizer!r}")
    epochs, batch_size = as_int(epochs, "epochs"), as_int(batch_size, "batch_size")
    rng = as_generator(rng)
    X, targets = _prepare_data(model, X, y, "X", "y")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise ValueError(f"validation: expected a pair (X_val, y_val), got {type(validation).__name__}")
        X_val, targets_val = _prepare_data(model, *validation, "validation X", "validation y")
    if early_stopping is not None:
        if validation is None:
            raise ValueError("early_stopping: expected validation data (X_val, y_val) to watch, got none")
        early_stopping.start()

    history = History()
    epoch_bar = progress_bar(range(1, epochs + 1), enabled=progress, desc="training", unit="epoch")
    for epoch in epoch_bar:
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            # The data were checked once above, so the hot loop skips the public checks.
            output = model._forward(X[batch], True)
            model._backward(_gradient(loss_grad, output, targets[batch], epoch), need_grad_x=False)
            optimizer.step(model)

        train = _loss_and_accuracy(model, X, targets, loss, loss_fn)
        val = None if validation is None else _loss_and_accuracy(model, X_val, targets_val, loss, loss_fn)
        epoch_bar.set_postfix(history.record(train, val))
        if early_stopping is not None and early_stopping.update(model, epoch, val[0]):
            history.stopped_epoch = epoch
            break

    if early_stopping is not None:
        early_stopping.restore(model)
        history.best_epoch = early_stopping.best_epoch
    elif validation is not None:
        history.best_epoch = int(np.argmin(history.val_loss)) + 1
    return history


DIVERGED = "the network's output is no longer finite (training diverged); try a smaller learning rate"


def _gradient(loss_grad, output, targets, epoch):
    """dL/d(output), with a clear message when training has blown up to inf or NaN."""
    try:
        return loss_grad(output, targets)
    except ValueError:
        if not np.all(np.isfinite(output)):
            raise ValueError(f"epoch {epoch}: {DIVERGED}") from None
        raise


def _prepare_data(model: Layer, X, y, x_name: str, y_name: str):
    """Check X against the model and turn y into float targets shaped like its output."""
    X = as_float_array(X, x_name)
    if X.ndim < 2:  # (n, n_in) for Dense networks, (n, c, h, w) for convolutional ones
        raise ValueError(f"{x_name}: expected a 2-D array, got shape {X.shape} "
                         "(or images (n, c, h, w) for a convolutional network)")
    X = model._check_input(X)
    first_output = model._forward(X[:1], False)
    n_outputs = first_output.shape[-1]
    y_arr = np.asarray(y)
    if y_arr.dtype.kind not in "biuf":
        raise ValueError(f"{y_name}: expected numeric labels or targets, got dtype {y_arr.dtype}")
    if y_arr.ndim == 1 and n_outputs > 1:
        targets = one_hot(as_label_array(y_arr, y_name, n_outputs), n_outputs)
    elif y_arr.ndim == 1:
        targets = as_float_array(y_arr, y_name).reshape(-1, 1)
    elif y_arr.ndim == 2 and y_arr.shape[1] == n_outputs:
        targets = as_float_array(y_arr, y_name)
    else:
        raise ValueError(f"{y_name}: expected labels (n,) or targets (n, {n_outputs}) matching the "
                         f"network's {n_outputs} outputs, got shape {y_arr.shape}")
    if targets.shape[0] != X.shape[0]:
        raise ValueError(f"{y_name}: expected {X.shape[0]} targets, one per row of {x_name}, got {targets.shape[0]}")
    return X, targets.astype(first_output.dtype, copy=False)


def _loss_and_accuracy(model: Layer, X, targets, loss: str, loss_fn) -> tuple[float, float]:
    """Loss and accuracy on checked data; accuracy is NaN unless the targets are 0/1."""
    output = model._forward(X, False)
    if not np.all(np.isfinite(output)):
        raise ValueError(DIVERGED)
    value = loss_fn(output, targets)
    if not np.all((targets == 0) | (targets == 1)):
        return value, float("nan")
    probabilities = sigmoid(output) if loss.endswith("_with_logits") else output
    return value, accuracy(probabilities, targets)
