"""Autoencoders in PyTorch (notebook 07): an encoder h = f(x) squeezes an image into a code, a
decoder r = g(h) rebuilds the image from it, and training makes r close to x.

- ``Autoencoder(encoder, decoder)``: the pair as one module; ``.encoder`` and ``.decoder`` stay
  usable alone (``nnlib.torch.train.predict(model.encoder, X)`` gives the codes).
- ``fc_autoencoder(code_size)``: fully connected, 784 -> hidden -> code -> hidden -> 784, ReLU
  inside and a sigmoid at the end (pixels in [0, 1]); ``linear=True``: 784 -> code -> 784 and
  nothing else, the autoencoder that can only learn what PCA finds.
- ``conv_autoencoder(code_size)``: two stride-2 convolutions (28x28 -> 14x14 -> 7x7) and two
  transposed convolutions back; with a ``code_size`` a linear layer squeezes the 7x7 maps into
  that many numbers, without one the code is the feature maps themselves.
- ``train_autoencoder``: Adam on the mean squared error between the model's output for the
  (optionally corrupted, afresh every epoch) inputs and the clean targets, by
  ``nnlib.torch.train.train_epoch``.
- ``reconstruction_errors``: the mean squared error of every image, (n,): the reconstruction
  loss, and an anomaly score.

Models take and return images as rows (n, 784) of float32, like ``nnlib.mnist``. Weights are
drawn from ``seed`` alone, without touching PyTorch's global random state.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._checks import as_float_array, as_generator, as_int, as_number
from .train import predict, train_epoch

IMAGE_SIDE = 28
N_PIXELS = IMAGE_SIDE * IMAGE_SIDE


class Autoencoder(nn.Module):
    """``decoder(encoder(x))``: inputs (n, n_in) -> codes (n, code_size) -> outputs (n, n_out)."""

    def __init__(self, encoder: nn.Module, decoder: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


def _seeded(build, seed):
    """``build()`` with PyTorch's generator seeded by ``seed``, its global state left as it was."""
    seed = as_int(seed, "seed", minimum=0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def fc_autoencoder(code_size: int, hidden: int = 256, *, linear: bool = False, n_in: int = N_PIXELS,
                   n_out: int | None = None, seed: int = 0) -> Autoencoder:
    """A fully connected autoencoder for rows (n, n_in), returning rows (n, n_out) (default n_in).

    Non-linear: n_in -> hidden -> code_size (ReLU after the first layer, a linear code) and
    code_size -> hidden -> n_out (ReLU, then a sigmoid: outputs in (0, 1)).
    ``linear``: one linear layer each way, n_in -> code_size -> n_out, no activation at all.
    """
    code_size, hidden, n_in = as_int(code_size, "code_size"), as_int(hidden, "hidden"), as_int(n_in, "n_in")
    n_out = n_in if n_out is None else as_int(n_out, "n_out")
    if linear:
        return _seeded(lambda: Autoencoder(nn.Linear(n_in, code_size), nn.Linear(code_size, n_out)), seed)
    return _seeded(lambda: Autoencoder(
        nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, code_size)),
        nn.Sequential(nn.Linear(code_size, hidden), nn.ReLU(), nn.Linear(hidden, n_out), nn.Sigmoid())), seed)


def conv_autoencoder(code_size: int | None = None, channels: tuple[int, int] = (8, 16), *,
                     seed: int = 0) -> Autoencoder:
    """A convolutional autoencoder for 28x28 images as rows (n, 784).

    Encoder: 3x3 convolutions with stride 2, 1 -> c1 channels (14x14), ReLU, c1 -> c2 (7x7),
    ReLU, then (with ``code_size``) a linear layer from the c2 * 49 numbers to the code.
    Decoder: the mirror image, with transposed convolutions, ending in a sigmoid.
    Without ``code_size`` the code is the c2 feature maps of 7x7 (c2 * 49 numbers).
    """
    first, second = (as_int(c, "channels") for c in channels)
    n_maps = second * 7 * 7

    def build():
        encoder = [nn.Unflatten(1, (1, IMAGE_SIDE, IMAGE_SIDE)),
                   nn.Conv2d(1, first, 3, stride=2, padding=1), nn.ReLU(),
                   nn.Conv2d(first, second, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten()]
        decoder = [nn.Unflatten(1, (second, 7, 7)),
                   nn.ConvTranspose2d(second, first, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
                   nn.ConvTranspose2d(first, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),
                   nn.Flatten()]
        if code_size is not None:
            code = as_int(code_size, "code_size")
            encoder.append(nn.Linear(n_maps, code))
            decoder[:0] = [nn.Linear(code, n_maps), nn.ReLU()]
        return Autoencoder(nn.Sequential(*encoder), nn.Sequential(*decoder))

    return _seeded(build, seed)


def train_autoencoder(model: nn.Module, X, *, epochs: int, rng, target=None, corrupt=None,
                      batch_size: int = 128, lr: float = 3e-3) -> list[float]:
    """Train ``model`` with Adam to map X (n, ...) (or ``corrupt(X, rng)``, drawn afresh every
    epoch: a denoising autoencoder) to ``target`` (n, ...) (default: X itself), minimizing
    the mean squared error. Returns the mean training loss of every epoch.

    rng: seed or Generator for the shuffling and the corruption.
    """
    epochs = as_int(epochs, "epochs")
    rng = as_generator(rng)
    lr = as_number(lr, "lr", positive=True)
    X = as_float_array(X, "X")
    target = X if target is None else as_float_array(target, "target")
    if len(target) != len(X):
        raise ValueError(f"target: expected one target per input, {len(X)}, got {len(target)}")
    if corrupt is not None and not callable(corrupt):
        raise ValueError(f"corrupt: expected None or a function (X, rng) -> corrupted X, got {corrupt!r}")
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        inputs = X if corrupt is None else corrupt(X, rng)
        losses.append(train_epoch(model, (inputs, target), optimizer, F.mse_loss, batch_size=batch_size, rng=rng))
    return losses


def reconstruction_errors(model: nn.Module, X, target=None) -> np.ndarray:
    """Mean squared error between the model's output for X (n, d) and ``target`` (n, d)
    (default X), one per image: float64 (n,). Its mean is the reconstruction MSE."""
    X = as_float_array(X, "X", ndim=2)
    target = X if target is None else as_float_array(target, "target", ndim=2)
    outputs = predict(model, X)
    if outputs.shape != target.shape:
        raise ValueError(f"target: expected the shape of the model's output {outputs.shape}, got {target.shape}")
    return np.mean((outputs.astype(np.float64) - target) ** 2, axis=1)
