"""Data augmentation for MNIST digits in PyTorch: random small distortions, fresh every epoch.

``random_distortions(X, rng)`` moves, rotates and scales every digit by its own random amount
(an affine map, resampled bilinearly with ``torch.nn.functional.grid_sample``), the kind of
distortions LeCun et al. (1998) added to their training set. Pass it as ``augment`` to
``nnlib.torch.train.fit`` so that every epoch sees new versions of the training digits.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .._checks import as_float_array, as_generator, as_number

IMAGE_SIDE = 28


def random_distortions(X, rng, max_shift: float = 2.0, max_rotation: float = 12.0,
                       max_scale: float = 0.12) -> np.ndarray:
    """Every image of X (n, 784) shifted by up to ``max_shift`` pixels in each direction,
    rotated by up to ``max_rotation`` degrees either way and scaled by a factor within
    1 +- ``max_scale``, each drawn uniformly for each image from ``rng`` (a seed or a
    Generator). Pixels that come in from outside are 0. Returns a new float32 array (n, 784)."""
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != IMAGE_SIDE * IMAGE_SIDE:
        raise ValueError(f"X: expected images as rows of 784 pixels, shape (n, 784), got {X.shape}")
    max_shift = as_number(max_shift, "max_shift", minimum=0)
    max_rotation = as_number(max_rotation, "max_rotation", minimum=0)
    max_scale = as_number(max_scale, "max_scale", minimum=0)
    if max_scale >= 1:
        raise ValueError(f"max_scale: expected a number below 1, got {max_scale!r}")
    rng = as_generator(rng)
    n = len(X)
    angle = np.deg2rad(rng.uniform(-max_rotation, max_rotation, n))
    scale = rng.uniform(1 - max_scale, 1 + max_scale, n)
    shift = rng.uniform(-max_shift, max_shift, (n, 2)) * 2 / IMAGE_SIDE   # in grid units: the image spans [-1, 1]
    # theta maps output coordinates to input coordinates: the inverse of "rotate, then scale, then shift"
    cos, sin = np.cos(angle) / scale, np.sin(angle) / scale
    theta = np.stack([np.stack([cos, -sin, shift[:, 0]], axis=1),
                      np.stack([sin, cos, shift[:, 1]], axis=1)], axis=1).astype(np.float32)   # (n, 2, 3)
    images = torch.as_tensor(X.astype(np.float32, copy=False)).reshape(n, 1, IMAGE_SIDE, IMAGE_SIDE)
    grid = F.affine_grid(torch.as_tensor(theta), list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, align_corners=False).reshape(n, -1).numpy()
