"""The x*y game widget: both runs, their figure, and the sliders that redraw them."""
import matplotlib.pyplot as plt
import numpy as np

from nnlib.gan_toys import xy_game_trajectory
from nnlib.widgets.xy_game import START, xy_game_figure, xy_game_runs, xy_game_widget


def test_runs_are_the_two_kinds_of_play_from_the_start():
    runs = xy_game_runs(0.2, 40)
    np.testing.assert_array_equal(runs.simultaneous, xy_game_trajectory(START, 0.2, 40))
    np.testing.assert_array_equal(runs.alternating, xy_game_trajectory(START, 0.2, 40, simultaneous=False))
    assert runs.growth(runs.simultaneous) > 1.5 > runs.growth(runs.alternating)


def test_figure_draws_both_runs_and_names_their_growth():
    fig = xy_game_figure(0.1, 30)
    (ax,) = fig.axes
    labels = [line.get_label() for line in ax.get_lines()]
    assert any(label.startswith("simultaneous: distance ×") for label in labels)
    assert any(label.startswith("alternating: distance ×") for label in labels)
    np.testing.assert_allclose(ax.get_lines()[0].get_xydata(), xy_game_runs(0.1, 30).simultaneous)
    plt.close(fig)


def test_moving_the_sliders_recomputes_the_runs():
    widget = xy_game_widget()
    size_slider, steps_slider = widget.kwargs_widgets
    assert widget.result.step_size == 0.1
    size_slider.value = 0.3
    steps_slider.value = 20
    assert widget.result.step_size == 0.3 and len(widget.result.simultaneous) == 21
    np.testing.assert_allclose(widget.result.simultaneous, xy_game_runs(0.3, 20).simultaneous)
