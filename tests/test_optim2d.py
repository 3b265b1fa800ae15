"""Gradient descent on 2-D surfaces: gradients, paths, divergence, plots."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlib.optim2d import (MAX_NORM, elongated_bowl, gradient_descent, plot_descents,
                           rosenbrock)

SURFACES = [elongated_bowl(10.0), elongated_bowl(3.0), rosenbrock(100.0), rosenbrock(5.0)]


def centred_difference(cost, w, eps=1e-6):
    grad = np.zeros(2)
    for i in range(2):
        step = np.zeros(2)
        step[i] = eps
        grad[i] = (cost(w + step) - cost(w - step)) / (2 * eps)
    return grad


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.name)
def test_gradient_matches_finite_differences(surface):
    rng = np.random.default_rng(0)
    for w in rng.uniform(-1.5, 1.5, size=(5, 2)):
        np.testing.assert_allclose(surface.grad(w), centred_difference(surface.cost, w),
                                   rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.name)
def test_minimum_has_zero_cost_and_gradient(surface):
    assert surface.cost(np.array(surface.minimum)) == 0.0
    np.testing.assert_array_equal(surface.grad(np.array(surface.minimum)), [0.0, 0.0])


def test_surfaces_evaluate_a_grid_point_by_point():
    surface = rosenbrock()
    grid = np.random.default_rng(1).normal(size=(3, 4, 2))
    costs, grads = surface.cost(grid), surface.grad(grid)
    assert costs.shape == (3, 4) and grads.shape == (3, 4, 2)
    np.testing.assert_allclose(costs[2, 1], surface.cost(grid[2, 1]))
    np.testing.assert_allclose(grads[0, 3], surface.grad(grid[0, 3]))


def test_one_step_on_the_bowl_scales_each_axis():
    descent = gradient_descent(elongated_bowl(10.0), (2.0, 1.0), lr=0.05, n_steps=1)
    # w1 -> (1 - 0.05) w1, w2 -> (1 - 10 * 0.05) w2
    np.testing.assert_allclose(descent.path, [[2.0, 1.0], [1.9, 0.5]])
    np.testing.assert_allclose(descent.costs, [0.5 * (4 + 10), 0.5 * (1.9 ** 2 + 10 * 0.25)])


@pytest.mark.parametrize("lr, converges", [(0.05, True), (0.19, True), (0.21, False)])
def test_bowl_converges_below_two_over_curvature(lr, converges):
    descent = gradient_descent(elongated_bowl(10.0), (1.0, 1.0), lr=lr, n_steps=200)
    assert (descent.final_cost < 1e-3) == converges
    assert (descent.final_cost > descent.costs[0]) == (not converges)


def test_momentum_steps_carry_the_velocity():
    descent = gradient_descent(elongated_bowl(10.0), (2.0, 1.0), lr=0.05, n_steps=2, momentum=0.5)
    # v1 = -0.05 (2, 10) = (-0.1, -0.5), w1 = (1.9, 0.5);
    # v2 = 0.5 v1 - 0.05 (1.9, 5) = (-0.145, -0.5), w2 = (1.755, 0.0)
    np.testing.assert_allclose(descent.path, [[2.0, 1.0], [1.9, 0.5], [1.755, 0.0]], atol=1e-15)
    assert descent.momentum == 0.5


def test_momentum_crosses_the_flat_direction_faster():
    plain = gradient_descent(elongated_bowl(10.0), (-2.0, 1.0), lr=0.02, n_steps=100)
    heavy = gradient_descent(elongated_bowl(10.0), (-2.0, 1.0), lr=0.02, n_steps=100, momentum=0.9)
    assert plain.momentum == 0.0
    assert heavy.final_cost < 1e-3 < plain.final_cost


@pytest.mark.parametrize("momentum", [1.0, -0.1, np.nan])
def test_gradient_descent_rejects_a_momentum_outside_0_1(momentum):
    with pytest.raises(ValueError, match="momentum: expected"):
        gradient_descent(elongated_bowl(), (1.0, 1.0), lr=0.1, n_steps=3, momentum=momentum)


def test_a_diverging_run_stops_past_max_norm():
    descent = gradient_descent(elongated_bowl(10.0), (1.0, 1.0), lr=0.5, n_steps=1000)
    assert descent.diverged
    assert descent.n_steps < 1000
    assert np.linalg.norm(descent.path[-1]) > MAX_NORM
    assert np.linalg.norm(descent.path[-2]) <= MAX_NORM
    assert np.all(np.isfinite(descent.costs))


def test_small_steps_crawl_along_the_rosenbrock_valley():
    surface = rosenbrock()
    slow = gradient_descent(surface, (-1.2, 1.0), lr=1e-4, n_steps=500)
    faster = gradient_descent(surface, (-1.2, 1.0), lr=1e-3, n_steps=500)
    assert not slow.diverged and not faster.diverged
    assert faster.final_cost < slow.final_cost < slow.costs[0]


@pytest.mark.parametrize("kwargs, message", [
    (dict(start=(1.0, 2.0, 3.0)), r"start: expected points of shape \(\.\.\., 2\)"),
    (dict(start=[[1.0, 2.0]]), r"shape \(2,\)"),
    (dict(start=(np.nan, 0.0)), "start: expected finite"),
    (dict(lr=0.0), "lr: expected a positive number"),
    (dict(lr=np.inf), "lr: expected a positive number"),
    (dict(lr="0.1"), "lr: expected a positive number"),
    (dict(n_steps=True), "n_steps: expected an int >= 0"),
    (dict(n_steps=-1), "n_steps: expected an int >= 0"),
    (dict(n_steps=2.5), "n_steps: expected an int >= 0"),
])
def test_gradient_descent_rejects_bad_input(kwargs, message):
    arguments = dict(start=(1.0, 1.0), lr=0.1, n_steps=3) | kwargs
    with pytest.raises(ValueError, match=message):
        gradient_descent(elongated_bowl(), **arguments)


def test_functions_need_a_surface():
    with pytest.raises(ValueError, match="surface: expected a Surface"):
        gradient_descent(lambda w: w, (1.0, 1.0), 0.1, 3)
    with pytest.raises(ValueError, match="surface: expected a Surface"):
        plot_descents("bowl", [])


def test_surfaces_reject_bad_parameters():
    with pytest.raises(ValueError, match="curvature: expected a positive"):
        elongated_bowl(-1.0)
    with pytest.raises(ValueError, match="curvature: expected a positive"):
        elongated_bowl(np.nan)
    with pytest.raises(ValueError, match="b: expected a positive"):
        rosenbrock(0.0)


def test_plot_descents_draws_every_path_and_marks_divergence():
    surface = elongated_bowl(10.0)
    runs = [gradient_descent(surface, (-2.0, 1.0), lr, 30) for lr in (0.01, 0.1, 0.5)]
    fig = plot_descents(surface, runs)
    ax_path, ax_cost = fig.axes[:2]
    legend = [text.get_text() for text in ax_path.get_legend().get_texts()]
    assert legend == ["η = 0.01", "η = 0.1", "η = 0.5 (diverged)"]
    assert len(ax_cost.get_lines()) == 3
    np.testing.assert_allclose(ax_cost.get_lines()[1].get_ydata(), runs[1].costs)
    plt.close(fig)


def test_plot_descents_needs_one_label_per_run():
    surface = elongated_bowl()
    run = gradient_descent(surface, (1.0, 1.0), 0.1, 5)
    with pytest.raises(ValueError, match="one per descent"):
        plot_descents(surface, [run], labels=["a", "b"])
