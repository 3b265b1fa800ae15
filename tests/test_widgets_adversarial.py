"""The epsilon widget: FGSM on one digit, the probabilities, and the slider that drives them."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from nnlib.torch.attacks import fgsm
from nnlib.widgets.adversarial import epsilon_figure, epsilon_predictions, epsilon_widget


@pytest.fixture
def model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(784, 10))


@pytest.fixture
def digit():
    return np.random.default_rng(0).uniform(0, 1, size=784).astype(np.float32)


def test_predictions_are_fgsm_and_a_softmax(model, digit):
    result = epsilon_predictions(model, digit, 3, 0.1)
    np.testing.assert_array_equal(result.attacked, fgsm(model, digit[None], np.array([3]), 0.1)[0].numpy())
    assert result.probabilities.shape == (10,)
    np.testing.assert_allclose(result.probabilities.sum(), 1.0)
    assert np.abs(result.attacked - digit).max() <= 0.1 + 1e-6
    clean = epsilon_predictions(model, digit, 3, 0.0)
    np.testing.assert_array_equal(clean.attacked, digit)
    assert result.probabilities[3] < clean.probabilities[3], "the attack must lower the true class's probability"


def test_figure_shows_the_digit_the_perturbation_and_the_bars(model, digit):
    fig = epsilon_figure(model, digit, 3, 0.1)
    assert len(fig.axes) == 4
    heights = [bar.get_height() for bar in fig.axes[3].patches]
    np.testing.assert_allclose(heights, epsilon_predictions(model, digit, 3, 0.1).probabilities)
    plt.close(fig)


def test_moving_the_slider_recomputes_the_attack(model, digit):
    widget = epsilon_widget(model, digit, 3)
    (slider,) = widget.kwargs_widgets
    assert widget.result.epsilon == 0.0
    slider.value = 0.2
    assert widget.result.epsilon == 0.2
    np.testing.assert_allclose(widget.result.probabilities, epsilon_predictions(model, digit, 3, 0.2).probabilities)
