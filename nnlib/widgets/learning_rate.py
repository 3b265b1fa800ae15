"""The learning-rate widget: gradient descent on an elongated bowl for a chosen η.

On C(w) = 1/2 (w1^2 + 10 w2^2) each step multiplies w1 by (1 - η) and w2 by (1 - 10 η):
a small η crawls, a good one converges in a few dozen steps, and past η = 2/10 the steep
direction overshoots further at every step and the run diverges.

``learning_rate_descent(lr, n_steps)`` computes a run (usable headless),
``learning_rate_figure(lr, n_steps)`` draws it and ``learning_rate_widget()`` wires a
learning-rate slider and a step slider to the figure.
"""
from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt

from ..optim2d import Descent, elongated_bowl, gradient_descent, plot_descents
from ._display import interactive_figure

CURVATURE = 10.0
START = (-2.0, 1.0)
SURFACE = elongated_bowl(CURVATURE)


def learning_rate_descent(lr: float, n_steps: int = 30) -> Descent:
    """Gradient descent with learning rate ``lr`` on the bowl, from ``START``."""
    return gradient_descent(SURFACE, START, lr, n_steps)


def describe(descent: Descent) -> str:
    """One line saying how the cost changed, and whether the run diverges."""
    text = (f"η = {descent.lr:.3g}: cost {descent.costs[0]:.3g} → {descent.final_cost:.3g} "
            f"in {descent.n_steps} steps")
    if descent.diverged:
        return text + ", diverged (stopped once |w| > 1e6)"
    if descent.final_cost > descent.costs[0]:
        return text + ", diverging"
    return text


def learning_rate_figure(lr: float, n_steps: int = 30) -> plt.Figure:
    """The run for ``lr`` over the bowl's contours, with its cost per step."""
    return _draw(learning_rate_descent(lr, n_steps))


def _draw(descent: Descent) -> plt.Figure:
    fig = plot_descents(SURFACE, [descent])
    fig.suptitle(describe(descent))
    fig.tight_layout()
    return fig


def learning_rate_widget(lr: float = 0.05, n_steps: int = 30) -> widgets.interactive:
    """Sliders for η (log scale, 0.001 to 0.316) and the number of steps, redrawing the run.

    The container's ``result`` is the latest ``Descent``; ``kwargs_widgets`` its sliders.
    """
    lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=-0.5, step=0.01,
                                       description="η", readout_format=".3f",
                                       continuous_update=False)
    steps_slider = widgets.IntSlider(value=n_steps, min=1, max=200, description="steps",
                                     continuous_update=False)
    return interactive_figure(learning_rate_descent, _draw, lr=lr_slider, n_steps=steps_slider)
