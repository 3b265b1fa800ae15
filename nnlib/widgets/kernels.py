"""The kernel playground: choose or edit a 3x3 kernel and see the feature map change.

``kernel_figure(image, kernel)`` draws the image, the kernel and the feature map (usable
headless, e.g. in a loop over ``nnlib.kernels.KERNELS``); ``KernelPlayground(image)`` wires a
menu of the classic kernels and a 3x3 grid of editable numbers to that figure.
"""
from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from .._checks import as_float_array
from ..kernels import KERNELS, apply_kernel
from ._display import show_and_close


def kernel_figure(image, kernel, title: str = "") -> plt.Figure:
    """Three panels: the image, the 3x3 kernel with its numbers, the feature map (h, w)."""
    kernel = as_float_array(kernel, "kernel", ndim=2)
    feature_map = apply_kernel(image, kernel)
    fig, (ax_image, ax_kernel, ax_map) = plt.subplots(1, 3, figsize=(11, 4),
                                                      gridspec_kw={"width_ratios": [4, 2, 4]})
    ax_image.imshow(image, cmap="gray")
    ax_image.set_title("image")
    limit = max(np.abs(kernel).max(), 1e-12)
    ax_kernel.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (row, col), value in np.ndenumerate(kernel):
        ax_kernel.text(col, row, f"{value:.3g}", ha="center", va="center", fontsize=9)
    ax_kernel.set_title(title or "kernel")
    ax_map.imshow(feature_map, cmap="gray")
    ax_map.set_title(f"feature map (from {feature_map.min():.2f} to {feature_map.max():.2f})")
    for ax in (ax_image, ax_kernel, ax_map):
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


class KernelPlayground:
    """A menu of ``KERNELS`` and nine number boxes (the kernel, editable), redrawing the figure.

    ``widget`` is the box to display; ``kernel`` the 3x3 kernel in the boxes and
    ``feature_map`` its latest feature map. Choosing a kernel in the menu fills the boxes;
    editing a box redraws with the edited kernel (the menu then shows "custom").
    """

    def __init__(self, image, kernel: str = "Sobel x"):
        self.image = as_float_array(image, "image", ndim=2)
        if kernel not in KERNELS:
            raise ValueError(f"kernel: expected one of {sorted(KERNELS)}, got {kernel!r}")
        self.menu = widgets.Dropdown(options=[*KERNELS, "custom"], value=kernel, description="kernel")
        self.cells = [widgets.FloatText(value=0.0, step=0.1, layout=widgets.Layout(width="70px"))
                      for _ in range(9)]
        self.output = widgets.Output()
        self._filling = False
        self._fill(KERNELS[kernel])
        self.menu.observe(self._on_menu, names="value")
        for cell in self.cells:
            cell.observe(self._on_cell, names="value")
        self.widget = widgets.VBox([self.menu, widgets.GridBox(
            self.cells, layout=widgets.Layout(grid_template_columns="repeat(3, 75px)")), self.output])
        self._redraw()

    @property
    def kernel(self) -> np.ndarray:
        return np.array([cell.value for cell in self.cells], dtype=float).reshape(3, 3)

    def _fill(self, kernel: np.ndarray) -> None:
        self._filling = True          # one redraw for the nine boxes, not nine
        for cell, value in zip(self.cells, kernel.ravel()):
            cell.value = float(value)
        self._filling = False

    def _on_menu(self, change) -> None:
        if change["new"] != "custom":
            self._fill(KERNELS[change["new"]])
            self._redraw()

    def _on_cell(self, change) -> None:
        if not self._filling:
            self.menu.value = "custom"
            self._redraw()

    def _redraw(self) -> None:
        self.feature_map = apply_kernel(self.image, self.kernel)
        with self.output:
            self.output.clear_output(wait=True)
            show_and_close(kernel_figure(self.image, self.kernel, title=self.menu.value))
