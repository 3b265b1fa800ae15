"""PyTorch models that several notebooks share (06 trains them; 08 and 09 reuse them).

Every model takes MNIST images as a float tensor (n, 1, 28, 28), or as rows (n, 784) the way
``nnlib.mnist`` stores them, and returns scores (logits) (n, 10) for
``torch.nn.functional.cross_entropy``: no softmax at the end.

- ``mlp(seed)``: notebook 05's network 784-100-10 with ReLU (79,510 parameters);
- ``LeNet5`` / ``lenet5(seed)``: LeCun et al.'s LeNet-5 as it is built today, with ReLU and
  max pooling (61,706 parameters);
- ``LENET5_1998_PARAMETERS``: the layer-by-layer parameter count of the 1998 original, for
  comparison (60,000 trainable).

The factories take an explicit seed: the same seed gives the same starting weights, and the
global random state of PyTorch is left as it was.
"""
from __future__ import annotations

import torch
from torch import nn

from .._checks import as_int

IMAGE_SHAPE = (1, 28, 28)

LENET5_1998_PARAMETERS = {
    "C1: 6 filters 5x5 on the 32x32 input": 6 * (5 * 5 + 1),
    "S2: subsampling, one weight and one bias per map": 6 * 2,
    "C3: 16 filters 5x5 on 60 chosen pairs (map, input map)": 60 * 5 * 5 + 16,
    "S4: subsampling, one weight and one bias per map": 16 * 2,
    "C5: 120 filters 5x5 on all 16 maps": 120 * (16 * 5 * 5 + 1),
    "F6: 84 units, fully connected": 84 * (120 + 1),
}
"""LeNet-5 of LeCun, Bottou, Bengio and Haffner (1998), trainable parameters per layer.

Its C3 layer connects each of its 16 maps to only some of S2's 6 maps (6 maps see 3, 9 see
4, one sees all 6: 60 connections), "to break the symmetry"; the 10 output units are
radial basis functions whose 84 x 10 parameters were fixed by hand, not trained. Total:
60,000, the "about 60,000 trainable parameters" of the paper."""


class ImagesOrRows(nn.Module):
    """(n, 784) rows -> (n, 1, 28, 28) images; images pass unchanged."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(-1, *IMAGE_SHAPE) if x.ndim == 2 else x


class LeNet5(nn.Module):
    """LeNet-5 with ReLU and max pooling: (n, 1, 28, 28) images (or (n, 784) rows) -> (n, 10) logits.

    ``features`` (the convolutional part):
    conv 1 -> 6, 5x5, padding 2 (28x28 as the original's 32x32 input gave) -> ReLU -> max pool 2
    -> (n, 6, 14, 14); conv 6 -> 16, 5x5 (all six maps) -> ReLU -> max pool 2 -> (n, 16, 5, 5).
    ``classifier``: flatten 400 -> 120 -> ReLU -> 84 -> ReLU -> 10.
    """

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            ImagesOrRows(),
            nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def seeded_model(build, seed: int) -> nn.Module:
    """``build()`` (a function returning a fresh module) with PyTorch's random generator
    seeded by ``seed``, restoring the generator's state afterwards: the module's starting
    weights depend on ``seed`` only."""
    seed = as_int(seed, "seed", minimum=0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def lenet5(seed: int) -> LeNet5:
    """A fresh ``LeNet5`` whose starting weights depend on ``seed`` only."""
    return seeded_model(LeNet5, seed)


def mlp(seed: int, n_hidden: int = 100) -> nn.Sequential:
    """Notebook 05's network: flatten -> 784 -> ``n_hidden`` -> ReLU -> 10 logits.

    Takes (n, 1, 28, 28) images or (n, 784) rows; returns (n, 10).
    """
    n_hidden = as_int(n_hidden, "n_hidden")
    return seeded_model(lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, n_hidden), nn.ReLU(),
                                         nn.Linear(n_hidden, 10)), seed)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable numbers in ``model``."""
    if not isinstance(model, nn.Module):
        raise ValueError(f"model: expected a torch.nn.Module, got {type(model).__name__}")
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
