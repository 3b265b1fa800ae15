"""The latent plane of an autoencoder with a 2-number code (lecture 07): where the digits
land, and what the decoder makes of any point of the plane.

``decode`` is any function from codes (m, 2) to images as rows (m, 784), e.g.
``lambda z: nnlib.torch.train.predict(model.decoder, z)``; nothing here needs PyTorch.

- ``decoded_image(decode, point)``: the 28x28 image the decoder draws at one point;
- ``latent_plane_figure(decode, codes, labels, point)``: the codes of real digits scattered
  by class, the point marked, and its decoded image beside them (usable headless);
- ``decoded_grid_figure(decode, low, high, n)``: the decoder's images on an n x n grid of codes;
- ``latent_plane_widget(decode, codes, labels)``: two sliders moving the point.
"""
from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from .._checks import as_float_array, as_int, as_label_array

IMAGE_SHAPE = (28, 28)


def _point(point) -> np.ndarray:
    point = as_float_array(point, "point", ndim=1)
    if point.shape != (2,):
        raise ValueError(f"point: expected 2 numbers (z1, z2), got shape {point.shape}")
    return point


def _decoded(decode, codes: np.ndarray) -> np.ndarray:
    """decode(codes (m, 2)) checked to be m images (m, 28, 28)."""
    if not callable(decode):
        raise ValueError(f"decode: expected a function from codes (m, 2) to images (m, 784), got {decode!r}")
    images = as_float_array(decode(codes.astype(np.float32)), "decode's output", ndim=2)
    if images.shape != (len(codes), IMAGE_SHAPE[0] * IMAGE_SHAPE[1]):
        raise ValueError(f"decode: expected images of shape ({len(codes)}, 784) for {len(codes)} codes, "
                         f"got {images.shape}")
    return images.reshape(len(codes), *IMAGE_SHAPE)


def decoded_image(decode, point) -> np.ndarray:
    """The image (28, 28) that ``decode`` draws for the code ``point`` (z1, z2)."""
    return _decoded(decode, _point(point)[None, :])[0]


def latent_plane_figure(decode, codes, labels, point):
    """Left: ``codes`` (n, 2) of real digits coloured by their ``labels`` (n,), the point
    (z1, z2) as a black cross. Right: the image decoded at the point. Returns the Figure."""
    codes = as_float_array(codes, "codes", ndim=2)
    labels = as_label_array(labels, "labels", n_classes=10)
    if codes.shape[1] != 2 or len(labels) != len(codes):
        raise ValueError(f"codes, labels: expected codes (n, 2) and n labels, got {codes.shape} and {labels.shape}")
    point = _point(point)
    fig, (ax_plane, ax_image) = plt.subplots(1, 2, figsize=(8.5, 4), gridspec_kw={"width_ratios": [1.4, 1]})
    scatter = ax_plane.scatter(codes[:, 0], codes[:, 1], c=labels, cmap="tab10", vmin=-0.5, vmax=9.5, s=6)
    fig.colorbar(scatter, ax=ax_plane, ticks=range(10), label="digit")
    ax_plane.plot(*point, "kx", markersize=12, markeredgewidth=3)
    ax_plane.set(xlabel="$z_1$", ylabel="$z_2$", title="codes of the test digits")
    ax_image.imshow(decoded_image(decode, point), cmap="gray_r", vmin=0, vmax=1)
    ax_image.set(xticks=[], yticks=[], title=f"decoded at ({point[0]:.1f}, {point[1]:.1f})")
    fig.tight_layout()
    return fig


def decoded_grid_figure(decode, low, high, n: int = 12):
    """The images decoded on an n x n grid of codes from ``low`` (z1, z2) to ``high`` (z1, z2),
    z1 growing to the right and z2 upwards, drawn as one picture. Returns the Figure."""
    low, high, n = _point(low), _point(high), as_int(n, "n", minimum=2)
    if not np.all(low < high):
        raise ValueError(f"low, high: expected low < high in both coordinates, got {low} and {high}")
    z1 = np.linspace(low[0], high[0], n)
    z2 = np.linspace(high[1], low[1], n)           # top row: the largest z2
    grid = np.array([(a, b) for b in z2 for a in z1])
    images = _decoded(decode, grid).reshape(n, n, *IMAGE_SHAPE)
    mosaic = images.transpose(0, 2, 1, 3).reshape(n * IMAGE_SHAPE[0], n * IMAGE_SHAPE[1])
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.imshow(mosaic, cmap="gray_r", vmin=0, vmax=1, extent=(low[0], high[0], low[1], high[1]), aspect="auto")
    ax.set(xlabel="$z_1$", ylabel="$z_2$", title=f"decoded on a {n} x {n} grid of codes")
    fig.tight_layout()
    return fig


def latent_plane_widget(decode, codes, labels):
    """Sliders for z1 and z2 over the range of ``codes`` (n, 2), redrawing
    ``latent_plane_figure``. Returns an ``ipywidgets.interactive``: ``kwargs_widgets`` are
    the two sliders, ``result`` the Figure for the current point (it starts at the centre)."""
    codes = as_float_array(codes, "codes", ndim=2)
    if codes.shape[1] != 2:
        raise ValueError(f"codes: expected codes (n, 2), got shape {codes.shape}")
    low, high = codes.min(axis=0), codes.max(axis=0)

    def slider(axis: int) -> widgets.FloatSlider:
        return widgets.FloatSlider(value=float((low[axis] + high[axis]) / 2), min=float(low[axis]),
                                   max=float(high[axis]), step=float((high[axis] - low[axis]) / 100),
                                   description=f"z{axis + 1}", continuous_update=False)

    def draw(z1, z2):
        return latent_plane_figure(decode, codes, labels, (z1, z2))

    return widgets.interactive(draw, z1=slider(0), z2=slider(1))
