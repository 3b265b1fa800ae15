"""The x*y game widget: simultaneous and alternating gradient steps for a chosen step size.

Player x minimizes f(x, y) = x y, player y maximizes it; the only equilibrium is (0, 0).
Simultaneous steps spiral outwards (each multiplies the distance from (0, 0) by
sqrt(1 + step_size^2)); alternating steps circle on a bounded orbit; neither converges.

``xy_game_runs(step_size, steps)`` computes both runs (usable headless),
``xy_game_figure(step_size, steps)`` draws them and ``xy_game_widget()`` wires a step-size
slider and a step slider to the figure.
"""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ..gan_toys import xy_game_trajectory
from ._display import interactive_figure

START = (1.0, 1.0)


@dataclass(frozen=True)
class XyGameRuns:
    """Both runs from ``START``: points (steps + 1, 2) each."""
    step_size: float
    simultaneous: np.ndarray
    alternating: np.ndarray

    def growth(self, run: np.ndarray) -> float:
        """Distance from (0, 0) at the end over the distance at the start."""
        return float(np.linalg.norm(run[-1]) / np.linalg.norm(run[0]))


def xy_game_runs(step_size: float, steps: int = 100) -> XyGameRuns:
    """Simultaneous and alternating gradient play with ``step_size`` for ``steps`` steps."""
    return XyGameRuns(float(step_size), xy_game_trajectory(START, step_size, steps, simultaneous=True),
                      xy_game_trajectory(START, step_size, steps, simultaneous=False))


def xy_game_figure(step_size: float, steps: int = 100) -> plt.Figure:
    """The two runs in the (x, y) plane, the equilibrium marked."""
    return _draw(xy_game_runs(step_size, steps))


def _draw(runs: XyGameRuns) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(5, 5))
    for name, run, colour in (("simultaneous", runs.simultaneous, "tab:red"),
                              ("alternating", runs.alternating, "tab:blue")):
        ax.plot(run[:, 0], run[:, 1], ".-", color=colour, markersize=3, linewidth=0.8,
                label=f"{name}: distance × {runs.growth(run):.2f}")
    ax.plot(*START, "ko", label="start (1, 1)")
    ax.plot(0, 0, "k*", markersize=12, label="equilibrium (0, 0)")
    limit = max(3.0, 1.1 * np.abs(runs.simultaneous).max())
    ax.set(xlim=(-limit, limit), ylim=(-limit, limit), xlabel="x (minimizes x·y)", ylabel="y (maximizes x·y)",
           title=f"gradient play on f(x, y) = x·y, step size {runs.step_size:.2f}", aspect="equal")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def xy_game_widget(step_size: float = 0.1, steps: int = 100) -> widgets.interactive:
    """Sliders for the step size (0.01 to 0.5) and the number of steps, redrawing both runs.

    The container's ``result`` is the latest ``XyGameRuns``; ``kwargs_widgets`` its sliders.
    """
    size_slider = widgets.FloatSlider(value=step_size, min=0.01, max=0.5, step=0.01, description="step size",
                                      readout_format=".2f", continuous_update=False)
    steps_slider = widgets.IntSlider(value=steps, min=1, max=300, description="steps", continuous_update=False)
    return interactive_figure(xy_game_runs, _draw, step_size=size_slider, steps=steps_slider)
