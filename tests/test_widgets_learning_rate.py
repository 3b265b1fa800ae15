"""The learning-rate widget: the plain functions and the sliders that drive them."""
import matplotlib.pyplot as plt
import numpy as np

from nnlib.widgets.learning_rate import (describe, learning_rate_descent, learning_rate_figure,
                                         learning_rate_widget)


def test_the_three_regimes():
    too_small, good, too_large = (learning_rate_descent(lr, 30) for lr in (0.005, 0.15, 0.25))
    assert too_small.final_cost > 1.0, "η = 0.005 should still be far from the minimum"
    assert good.final_cost < 1e-3, "η = 0.15 should nearly reach the minimum"
    assert too_large.final_cost > too_large.costs[0], "η = 0.25 > 2/10 should diverge"
    assert describe(too_large).endswith("diverging")
    assert "diverg" not in describe(good)


def test_describe_reports_a_run_stopped_for_divergence():
    text = describe(learning_rate_descent(0.3, 200))
    assert "diverged" in text and "|w| > 1e6" in text


def test_figure_shows_the_run():
    fig = learning_rate_figure(0.1, 12)
    cost_line = fig.axes[1].get_lines()[0]
    np.testing.assert_allclose(cost_line.get_ydata(), learning_rate_descent(0.1, 12).costs)
    assert fig.get_suptitle() == describe(learning_rate_descent(0.1, 12))
    plt.close(fig)


def test_moving_the_sliders_recomputes_the_run():
    widget = learning_rate_widget(lr=0.05, n_steps=30)
    lr_slider, steps_slider = widget.kwargs_widgets
    assert widget.result.lr == 0.05 and widget.result.n_steps == 30
    cost_before = widget.result.final_cost

    lr_slider.value = 0.25
    assert widget.result.lr == 0.25
    assert widget.result.final_cost > cost_before, "a diverging η should end with a higher cost"

    steps_slider.value = 5
    assert widget.result.n_steps == 5
    np.testing.assert_allclose(widget.result.path, learning_rate_descent(0.25, 5).path)
