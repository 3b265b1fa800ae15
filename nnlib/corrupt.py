"""Corrupted digits for autoencoders to repair (notebook 07): noise, watermarks, lost colour.

Images are rows X (n, h*w) of pixels in [0, 1] (``nnlib.mnist``). Every function draws its
randomness from ``rng`` (an int seed or a ``numpy.random.Generator``) and returns new arrays
of X's float dtype; X itself is never changed.

- ``gaussian_noise``: X + sigma * N(0, 1), clipped back to [0, 1] (pixels are intensities);
- ``masking_noise``: each pixel set to 0 with probability ``fraction``;
- ``stamp_watermarks``: a grey glyph (one of ``WATERMARK_GLYPHS``, drawn at random) stamped at a
  random position of every image, so that no single mark can be learned by heart;
- ``tint_digits``: each digit's ink coloured with a colour drawn from a palette, as (n, h, w, 3).
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, as_generator, as_int, as_number

_GLYPH_ROWS = {
    "A": ("01110", "10001", "11111", "10001", "10001"),
    "C": ("01111", "10000", "10000", "10000", "01111"),
    "K": ("10001", "10010", "11100", "10010", "10001"),
    "X": ("10001", "01010", "00100", "01010", "10001"),
    "Z": ("11111", "00010", "00100", "01000", "11111"),
    "+": ("00100", "00100", "11111", "00100", "00100"),
    "#": ("01010", "11111", "01010", "11111", "01010"),
    "©": ("01110", "10001", "10111", "10001", "01110"),
}
WATERMARK_GLYPHS = {name: np.array([[c == "1" for c in row] for row in rows], dtype=bool)
                    for name, rows in _GLYPH_ROWS.items()}
"""5 x 5 bitmaps (bool) that ``stamp_watermarks`` draws from, by name."""

PALETTE = np.array([[0.85, 0.1, 0.1], [0.1, 0.6, 0.1], [0.1, 0.2, 0.9], [0.95, 0.65, 0.0]])
"""Ink colours (RGB in [0, 1]) of ``tint_digits``: red, green, blue, orange."""


def _images(X, name: str = "X") -> np.ndarray:
    """Rows of pixels in [0, 1], float (float32 kept), shape (n, d)."""
    X = as_float_array(X, name, ndim=2)
    if X.min() < 0 or X.max() > 1:
        raise ValueError(f"{name}: expected pixel values in [0, 1], got values from {X.min():.3g} to {X.max():.3g}")
    return X


def gaussian_noise(X, sigma: float, rng) -> np.ndarray:
    """X (n, d) plus independent N(0, sigma^2) noise on every pixel, clipped to [0, 1]: (n, d)."""
    X = _images(X)
    sigma = as_number(sigma, "sigma", minimum=0)
    noise = as_generator(rng).standard_normal(X.shape)
    return np.clip(X + sigma * noise, 0.0, 1.0).astype(X.dtype)


def masking_noise(X, fraction: float, rng) -> np.ndarray:
    """X (n, d) with each pixel independently set to 0 with probability ``fraction``: (n, d)."""
    X = _images(X)
    fraction = as_number(fraction, "fraction", minimum=0)
    if fraction > 1:
        raise ValueError(f"fraction: expected a probability in [0, 1], got {fraction!r}")
    keep = as_generator(rng).random(X.shape) >= fraction
    return X * keep


def stamp_watermarks(X, rng, intensity: float = 0.6, scale: int = 2,
                     image_shape: tuple[int, int] = (28, 28)) -> np.ndarray:
    """Every image of X (n, h*w) with one random glyph of ``WATERMARK_GLYPHS``, enlarged
    ``scale`` times, stamped in grey ``intensity`` at a random position where it fits whole
    (pixel = max(pixel, intensity) under the glyph). Returns (n, h*w)."""
    X = _images(X)
    intensity = as_number(intensity, "intensity", minimum=0)
    if intensity > 1:
        raise ValueError(f"intensity: expected a grey level in [0, 1], got {intensity!r}")
    scale = as_int(scale, "scale")
    height, width = image_shape
    if X.shape[1] != height * width:
        raise ValueError(f"X: expected rows of {height}x{width} = {height * width} pixels, got shape {X.shape}")
    glyphs = [np.kron(glyph, np.ones((scale, scale), dtype=bool)) for glyph in WATERMARK_GLYPHS.values()]
    size = glyphs[0].shape[0]
    if size > min(height, width):
        raise ValueError(f"scale: a glyph of {size} x {size} pixels does not fit into {image_shape}")
    rng = as_generator(rng)
    which = rng.integers(len(glyphs), size=len(X))
    tops = rng.integers(height - size + 1, size=len(X))
    lefts = rng.integers(width - size + 1, size=len(X))
    stamped = X.reshape(len(X), height, width).copy()
    for image, g, top, left in zip(stamped, which, tops, lefts):
        patch = image[top:top + size, left:left + size]
        patch[glyphs[g]] = np.maximum(patch[glyphs[g]], intensity)
    return stamped.reshape(X.shape)


def tint_digits(X, rng, palette=PALETTE, image_shape: tuple[int, int] = (28, 28)) -> tuple[np.ndarray, np.ndarray]:
    """Colour each digit's ink with one colour of ``palette`` (k, 3), drawn at random.

    Returns (colours (n, h, w, 3): pixel * its digit's colour, so the ink is coloured and the
    background stays black; which (n,) int64: the palette row each digit got).
    """
    X = _images(X)
    palette = as_float_array(palette, "palette", ndim=2)
    if palette.shape[1] != 3 or palette.min() < 0 or palette.max() > 1:
        raise ValueError(f"palette: expected RGB rows (k, 3) in [0, 1], got shape {palette.shape}")
    height, width = image_shape
    if X.shape[1] != height * width:
        raise ValueError(f"X: expected rows of {height}x{width} = {height * width} pixels, got shape {X.shape}")
    which = as_generator(rng).integers(len(palette), size=len(X))
    colours = X.reshape(len(X), height, width, 1) * palette[which][:, None, None, :].astype(X.dtype)
    return colours, which
