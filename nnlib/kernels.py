"""Classic 3x3 image kernels and how they act on a grey-scale image.

``KERNELS`` maps a name to a 3x3 kernel; ``apply_kernel(image, kernel)`` computes the feature
map (cross-correlation, as ``nnlib.conv.conv2d``, with zero padding so that the map has the
image's size); ``grey_sample_image()`` is a larger grey-scale photograph shipped with
matplotlib (Grace Hopper), so that no download is needed.
"""
from __future__ import annotations

import matplotlib.cbook
import matplotlib.pyplot as plt
import numpy as np

from ._checks import as_float_array, as_int
from .conv import conv2d

_SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)
KERNELS = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "horizontal edges": np.array([[-1, -1, -1], [0, 0, 0], [1, 1, 1]], dtype=float),
    "vertical edges": np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=float),
    "Sobel x": _SOBEL_X,
    "Sobel y": _SOBEL_X.T.copy(),
    "Laplacian": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    "box blur": np.full((3, 3), 1 / 9),
    "Gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float) / 16,
}
"""Name -> 3x3 kernel. "horizontal edges" responds where brightness changes from one row to
the next (a horizontal edge), "vertical edges" where it changes along a row; Sobel weighs the
middle row or column twice; the blurs sum to 1, so flat regions keep their brightness."""


def apply_kernel(image, kernel) -> np.ndarray:
    """The feature map of a 2-D ``image`` (h, w) under a 2-D ``kernel`` (k, k), k odd:
    cross-correlation with zero padding k // 2, so the map is (h, w) too."""
    image = as_float_array(image, "image", ndim=2)
    kernel = as_float_array(kernel, "kernel", ndim=2)
    if kernel.shape[0] != kernel.shape[1] or kernel.shape[0] % 2 == 0:
        raise ValueError(f"kernel: expected a square kernel of odd size (3x3, 5x5, ...), got shape {kernel.shape}")
    return conv2d(image[None, None], kernel[None, None], np.zeros(1), pad=kernel.shape[0] // 2)[0, 0]


def grey_sample_image(step: int = 2) -> np.ndarray:
    """matplotlib's sample photograph of Grace Hopper in grey, values in [0, 1]; every
    ``step``-th pixel in each direction (step 2: 256 x 300). Reads an installed file only."""
    step = as_int(step, "step")
    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as file:
        rgb = plt.imread(file, format="jpg").astype(np.float64) / 255
    grey = rgb @ np.array([0.299, 0.587, 0.114])    # the ITU-R 601 luma weights
    return grey[::step, ::step]
