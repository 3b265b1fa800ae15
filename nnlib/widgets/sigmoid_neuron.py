"""A one-input sigmoid neuron, output = sigmoid(w x + b), to play with in lecture 02.

``neuron_outputs`` computes the curves, ``plot_sigmoid_neuron`` draws them (optionally
next to the step neuron with the same w and b, the perceptron), and
``sigmoid_neuron_widget`` wires sliders for w and b to the plot.

What to look for: the output crosses 0.5 where w x + b = 0, at x = -b / w, with slope
w / 4 there; the larger |w|, the closer the sigmoid neuron comes to the step neuron.
"""
from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from .._checks import as_float_array
from ..activations import sigmoid, step


def _scalar(value, name: str) -> float:
    return float(as_float_array(value, name, ndim=0))


def neuron_outputs(x, w: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """The sigmoid neuron's and the step neuron's outputs for inputs ``x`` of shape (n,).

    Returns ``(sigmoid(w x + b), step(w x + b))``, two arrays of shape (n,).
    """
    x = as_float_array(x, "x", ndim=1)
    z = _scalar(w, "w") * x + _scalar(b, "b")
    return sigmoid(z), step(z)


def plot_sigmoid_neuron(w: float, b: float, *, compare_step: bool = True,
                        x_range: tuple[float, float] = (-5.0, 5.0), n_points: int = 401,
                        ax=None):
    """Plot sigmoid(w x + b) against x (and step(w x + b) if ``compare_step``).

    Marks the point where the output is 0.5 (x = -b / w) and writes the slope there,
    w / 4, in the title. Draws into ``ax`` if given, else into a new figure; returns the
    Figure.
    """
    w, b = _scalar(w, "w"), _scalar(b, "b")
    low, high = x_range
    if not low < high:
        raise ValueError(f"x_range: expected (low, high) with low < high, got {x_range}")
    if n_points < 2:
        raise ValueError(f"n_points: expected at least 2, got {n_points}")
    x = np.linspace(low, high, n_points)
    sigmoid_out, step_out = neuron_outputs(x, w, b)

    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.5))
    else:
        fig = ax.figure
    ax.plot(x, sigmoid_out, color="tab:blue", lw=2, label="sigmoid neuron")
    if compare_step:
        ax.step(x, step_out, where="post", color="tab:orange", lw=1.5, ls="--",
                label="step neuron (perceptron)")
    title = f"w = {w:.2f}, b = {b:.2f}"
    if w != 0 and low <= -b / w <= high:
        crossing = -b / w + 0.0  # + 0.0 turns -0.0 (for b = 0) into 0.0
        ax.plot([crossing], [0.5], "o", color="tab:blue")
        title += f": output 0.5 at x = {crossing:.2f}, slope there w/4 = {w / 4:.2f}"
    ax.set_title(title, fontsize=10)
    ax.set_xlim(low, high)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("input x")
    ax.set_ylabel("output")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    return fig


def sigmoid_neuron_widget(w: float = 1.0, b: float = 0.0, compare_step: bool = True):
    """Sliders for w and b and a checkbox for the step comparison, redrawing the plot.

    Returns an ``ipywidgets.interactive`` container: its ``children`` are the controls
    (``w``, ``b``, ``compare_step``) followed by the Output widget, and ``.result`` is
    the Figure drawn for the current values.
    """
    def draw(w, b, compare_step):
        return plot_sigmoid_neuron(w, b, compare_step=compare_step)

    return widgets.interactive(
        draw,
        w=widgets.FloatSlider(value=w, min=-10.0, max=10.0, step=0.1, description="w"),
        b=widgets.FloatSlider(value=b, min=-10.0, max=10.0, step=0.1, description="b"),
        compare_step=widgets.Checkbox(value=compare_step, description="compare with step"),
    )
