"""The sigmoid-neuron widget of lecture 02: the plain functions and the live controls."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlib.widgets.sigmoid_neuron import neuron_outputs, plot_sigmoid_neuron, sigmoid_neuron_widget


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def line_data(fig, label):
    """x and y of the line called ``label`` in the figure's only axes."""
    (ax,) = fig.axes
    (line,) = [line for line in ax.get_lines() if line.get_label() == label]
    return line.get_xdata(), line.get_ydata()


def test_neuron_outputs_at_known_points():
    x = np.array([-1.0, 0.0, 0.5, 1.0])
    sigmoid_out, step_out = neuron_outputs(x, w=2.0, b=-1.0)  # z = -3, -1, 0, 1
    np.testing.assert_allclose(sigmoid_out, 1 / (1 + np.exp([3.0, 1.0, 0.0, -1.0])))
    np.testing.assert_array_equal(step_out, [0.0, 0.0, 0.0, 1.0])


def test_large_weight_makes_the_sigmoid_neuron_a_step_neuron():
    x = np.array([-1.0, -0.1, 0.1, 1.0])
    sigmoid_out, step_out = neuron_outputs(x, w=1000.0, b=0.0)
    np.testing.assert_allclose(sigmoid_out, step_out, atol=1e-40)


@pytest.mark.parametrize("bad", [{"x": [[1.0, 2.0]]}, {"x": [1.0, np.nan]}, {"w": [1.0, 2.0]}, {"b": "one"}])
def test_neuron_outputs_rejects_bad_input(bad):
    kwargs = {"x": [0.0, 1.0], "w": 1.0, "b": 0.0, **bad}
    with pytest.raises(ValueError, match="expected"):
        neuron_outputs(**kwargs)


def test_plot_draws_the_curve_and_the_optional_step():
    fig = plot_sigmoid_neuron(4.0, 2.0, compare_step=True, n_points=11)
    x, y = line_data(fig, "sigmoid neuron")
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-(4.0 * x + 2.0))))
    line_data(fig, "step neuron (perceptron)")
    assert "output 0.5 at x = -0.50, slope there w/4 = 1.00" in fig.axes[0].get_title()

    fig = plot_sigmoid_neuron(4.0, 2.0, compare_step=False)
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert "step neuron (perceptron)" not in labels


def test_plot_with_zero_weight_has_no_crossing():
    fig = plot_sigmoid_neuron(0.0, 1.0)
    assert fig.axes[0].get_title() == "w = 0.00, b = 1.00"


def test_plot_with_zero_bias_crosses_at_plus_zero():
    fig = plot_sigmoid_neuron(1.0, 0.0)
    assert fig.axes[0].get_title().endswith("output 0.5 at x = 0.00, slope there w/4 = 0.25")


def test_plot_rejects_an_empty_range():
    with pytest.raises(ValueError, match="low < high"):
        plot_sigmoid_neuron(1.0, 0.0, x_range=(2.0, -2.0))


def test_moving_a_slider_redraws_the_curve():
    widget = sigmoid_neuron_widget(w=1.0, b=0.0)
    controls = {child.description: child for child in widget.children[:-1]}
    assert set(controls) == {"w", "b", "compare with step"}

    x, before = line_data(widget.result, "sigmoid neuron")
    np.testing.assert_allclose(before, 1 / (1 + np.exp(-x)))

    controls["w"].value = 5.0
    x, after = line_data(widget.result, "sigmoid neuron")
    np.testing.assert_allclose(after, 1 / (1 + np.exp(-5.0 * x)))

    controls["b"].value = -2.5
    x, shifted = line_data(widget.result, "sigmoid neuron")
    np.testing.assert_allclose(shifted, 1 / (1 + np.exp(-(5.0 * x - 2.5))))
    assert "output 0.5 at x = 0.50" in widget.result.axes[0].get_title()


def test_unticking_the_checkbox_removes_the_step_curve():
    widget = sigmoid_neuron_widget(compare_step=True)
    checkbox = widget.children[2]
    assert checkbox.description == "compare with step"
    line_data(widget.result, "step neuron (perceptron)")
    checkbox.value = False
    labels = [line.get_label() for line in widget.result.axes[0].get_lines()]
    assert "sigmoid neuron" in labels and "step neuron (perceptron)" not in labels
