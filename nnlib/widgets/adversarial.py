"""The epsilon widget: one digit, its FGSM perturbation and the classifier's answer as epsilon grows.

``epsilon_predictions(model, image, label, epsilon)`` computes what the widget shows (usable
headless), ``epsilon_figure(...)`` draws it (the digit, the perturbation, the attacked digit
and the ten softmax probabilities) and ``epsilon_widget(model, image, label)`` wires an
epsilon slider to the figure.
"""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch

from ..torch.attacks import fgsm
from ..torch.train import predict
from ._display import interactive_figure

IMAGE_SHAPE = (28, 28)


@dataclass
class EpsilonResult:
    """One digit (784,) attacked with ``epsilon``: the attacked image and the probabilities (10,)."""
    epsilon: float
    image: np.ndarray
    attacked: np.ndarray
    label: int
    probabilities: np.ndarray

    @property
    def predicted(self) -> int:
        return int(np.argmax(self.probabilities))


def epsilon_predictions(model: torch.nn.Module, image, label: int, epsilon: float) -> EpsilonResult:
    """FGSM with ``epsilon`` on one digit ``image`` (784,) of class ``label``, and the model's
    softmax probabilities (10,) for the attacked digit."""
    image = np.asarray(image, dtype=np.float32).reshape(1, -1)
    attacked = fgsm(model, image, np.array([label]), epsilon)
    logits = torch.as_tensor(predict(model, attacked))
    probabilities = torch.softmax(logits.double(), dim=1)[0].numpy()
    return EpsilonResult(float(epsilon), image[0], attacked[0].numpy(), int(label), probabilities)


def epsilon_figure(model: torch.nn.Module, image, label: int, epsilon: float) -> plt.Figure:
    """The digit, the perturbation, the attacked digit and the prediction bars."""
    return _draw(epsilon_predictions(model, image, label, epsilon))


def _draw(result: EpsilonResult) -> plt.Figure:
    fig, axes = plt.subplots(1, 4, figsize=(11, 2.8), gridspec_kw={"width_ratios": [1, 1, 1, 1.6]})
    panels = [(result.image, "digit", "gray_r", (0, 1)),
              (result.attacked - result.image, f"perturbation (±{result.epsilon:.2f})", "coolwarm", (-0.3, 0.3)),
              (result.attacked, f"attacked: predicted {result.predicted}", "gray_r", (0, 1))]
    for ax, (pixels, title, cmap, (low, high)) in zip(axes, panels):
        ax.imshow(pixels.reshape(IMAGE_SHAPE), cmap=cmap, vmin=low, vmax=high)
        ax.set(title=title, xticks=[], yticks=[])
    colours = ["tab:green" if k == result.label else "tab:gray" for k in range(len(result.probabilities))]
    axes[3].bar(range(len(result.probabilities)), result.probabilities, color=colours)
    axes[3].set(xticks=range(len(result.probabilities)), ylim=(0, 1), xlabel="class",
                title=f"softmax (true class {result.label} in green)")
    fig.tight_layout()
    return fig


def epsilon_widget(model: torch.nn.Module, image, label: int, epsilon: float = 0.0) -> widgets.interactive:
    """An epsilon slider (0 to 0.3) redrawing the attacked digit and its prediction bars.

    The container's ``result`` is the latest ``EpsilonResult``; ``kwargs_widgets`` its slider.
    """
    slider = widgets.FloatSlider(value=epsilon, min=0.0, max=0.3, step=0.01, description="ε",
                                 readout_format=".2f", continuous_update=False)
    return interactive_figure(lambda epsilon: epsilon_predictions(model, image, label, epsilon), _draw,
                              epsilon=slider)
