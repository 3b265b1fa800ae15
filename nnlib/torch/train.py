"""Training PyTorch models on NumPy data: seeded mini-batches, one epoch, evaluation, ``fit``.

The course has no torchvision: its data are NumPy arrays (``nnlib.mnist``, ``nnlib.data``),
turned into tensors one mini-batch at a time.

- ``batches(X, y, batch_size, rng)`` cuts (X, y) into mini-batches of tensors. The order is
  ``rng.permutation(n)``, drawn afresh every epoch exactly as ``nnlib.network.fit`` draws it,
  so a NumPy network and a PyTorch network trained with the same seed see the same batches.
- ``train_epoch`` runs one pass of forward, loss, backward and optimizer step.
- ``predict`` and ``evaluate`` run the model in evaluation mode (no dropout) without gradients.
- ``fit`` repeats epochs and records an ``nnlib.network.History`` (``nnlib.plots.plot_history``
  draws it).

``loss_fn(output, target)`` is any PyTorch loss returning the *mean* over the batch, e.g.
``torch.nn.functional.cross_entropy`` (logits and int64 labels) or ``mse_loss``. Targets
``y`` are integer class labels (n,) (sent as int64) or float targets (n, ...) (sent in the
model's float dtype; pass ``y = X`` for an autoencoder).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import torch

from .._checks import as_generator, as_int
from ..network import History
from ..progress import progress as progress_bar
from ._checks import as_features, as_targets, model_dtype

EVAL_BATCH_SIZE = 1000
"""Examples per forward pass in ``predict`` and ``evaluate`` (bounds memory, not results)."""


def batches(X, y, batch_size: int, rng=None, shuffle: bool = True,
            dtype: torch.dtype = torch.float32) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield mini-batches ``(xb, yb)`` of tensors covering every example once.

    X: (n, ...) floats -> xb of ``dtype``; y: labels (n,) -> int64, or float targets
    (n, ...) -> ``dtype``. With ``shuffle`` the order is ``rng.permutation(n)`` (``rng``: a
    seed or a Generator, required), the same as ``nnlib.network.fit``; without, the stored
    order. The last batch is smaller when ``batch_size`` does not divide n.
    """
    batch_size = as_int(batch_size, "batch_size")
    features = as_features(X, dtype)
    targets = as_targets(y, len(features), dtype)
    if shuffle:
        if rng is None:
            raise ValueError("rng: expected a seed or a numpy.random.Generator to shuffle with, got None")
        order = torch.as_tensor(as_generator(rng).permutation(len(features)))
    else:
        order = torch.arange(len(features))
    for start in range(0, len(features), batch_size):
        index = order[start:start + batch_size]
        yield features[index], targets[index]


def train_epoch(model: torch.nn.Module, data, optimizer: torch.optim.Optimizer, loss_fn, *,
                batch_size: int | None = None, rng=None, progress: bool | None = False) -> float:
    """One epoch of mini-batch training; returns the mean training loss over its examples.

    data: a pair ``(X, y)`` of arrays, cut by ``batches(X, y, batch_size, rng)``, or any
    iterable of ``(xb, yb)`` tensor batches (e.g. a ``torch.utils.data.DataLoader``).
    For every batch: zero the gradients, forward, loss, backward, optimizer step. The loss
    reported is that of each batch *before* its step, weighted by the batch's size.
    progress: a bar over the batches (None: unless NNLIB_PROGRESS=0).
    """
    dtype = model_dtype(model)
    if isinstance(data, tuple):
        if len(data) != 2:
            raise ValueError(f"data: expected a pair (X, y) or an iterable of batches, got a tuple of {len(data)}")
        if batch_size is None:
            raise ValueError("batch_size: expected an int >= 1 to cut (X, y) into batches, got None")
        data = batches(*data, batch_size, rng, dtype=dtype)
    elif not isinstance(data, Iterable):
        raise ValueError(f"data: expected a pair (X, y) or an iterable of batches, got {type(data).__name__}")
    model.train()
    total_loss, n_seen = 0.0, 0
    for xb, yb in progress_bar(data, enabled=progress, desc="batches", unit="batch", leave=False):
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(xb)
        n_seen += len(xb)
    if n_seen == 0:
        raise ValueError("data: expected at least one batch, got none")
    return total_loss / n_seen


def predict(model: torch.nn.Module, X, batch_size: int = EVAL_BATCH_SIZE) -> np.ndarray:
    """The model's outputs for X (n, ...) as a NumPy array (n, ...), in evaluation mode.

    Dropout is off and no gradients are recorded; the model's train/eval mode is restored.
    """
    dtype = model_dtype(model)
    features = as_features(X, dtype)
    batch_size = as_int(batch_size, "batch_size")
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            outputs = [model(features[start:start + batch_size]) for start in range(0, len(features), batch_size)]
    finally:
        model.train(was_training)
    return torch.cat(outputs).numpy()


def evaluate(model: torch.nn.Module, X, y, loss_fn, batch_size: int = EVAL_BATCH_SIZE) -> tuple[float, float]:
    """Mean loss and accuracy of the model on (X, y), in evaluation mode.

    The accuracy is the fraction of rows whose largest output is the label; it is NaN
    unless y holds integer class labels and the outputs are class scores (n, k), k > 1.
    """
    outputs = torch.as_tensor(predict(model, X, batch_size))
    targets = as_targets(y, len(outputs), outputs.dtype)
    with torch.no_grad():
        loss = float(loss_fn(outputs, targets))
    if targets.dtype != torch.int64 or outputs.ndim != 2 or outputs.shape[1] < 2:
        return loss, float("nan")
    return loss, float((outputs.argmax(dim=1) == targets).double().mean())


def fit(model: torch.nn.Module, X, y, *, optimizer: torch.optim.Optimizer, loss_fn, epochs: int,
        batch_size: int, rng, validation=None, augment=None, scheduler=None,
        progress: bool | None = None) -> History:
    """Train for ``epochs`` epochs of ``train_epoch`` and return the ``History``.

    After every epoch, loss and accuracy are measured on the whole training set and, if
    ``validation = (X_val, y_val)`` is given, on it, in evaluation mode (as in
    ``nnlib.network.fit``); ``best_epoch`` is then the epoch with the lowest validation
    loss. rng: seed or Generator for the shuffling. progress: a bar over the epochs
    (None: unless NNLIB_PROGRESS=0).

    augment: optional function ``(X, rng) -> X'`` (same shape) that gives every epoch its
    own training data, e.g. ``nnlib.torch.augment.random_distortions``; the end-of-epoch figures are
    measured on the unchanged X. scheduler: optional ``torch.optim.lr_scheduler`` object,
    stepped after every epoch.
    """
    epochs = as_int(epochs, "epochs")
    rng = as_generator(rng)
    if validation is not None and (not isinstance(validation, (tuple, list)) or len(validation) != 2):
        raise ValueError(f"validation: expected a pair (X_val, y_val), got {type(validation).__name__}")
    if augment is not None and not callable(augment):
        raise ValueError(f"augment: expected a function (X, rng) -> X, got {type(augment).__name__}")
    if scheduler is not None and not callable(getattr(scheduler, "step", None)):
        raise ValueError(f"scheduler: expected a learning-rate scheduler with a step() method, got {scheduler!r}")
    history = History()
    epoch_bar = progress_bar(range(epochs), enabled=progress, desc="training", unit="epoch")
    for _ in epoch_bar:
        X_epoch = X if augment is None else augment(X, rng)
        train_epoch(model, (X_epoch, y), optimizer, loss_fn, batch_size=batch_size, rng=rng)
        if scheduler is not None:
            scheduler.step()
        train = evaluate(model, X, y, loss_fn)
        val = None if validation is None else evaluate(model, *validation, loss_fn)
        epoch_bar.set_postfix(history.record(train, val))
    if validation is not None:
        history.best_epoch = int(np.argmin(history.val_loss)) + 1
    return history
