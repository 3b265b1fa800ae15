"""Notebook 08's NumPy toys: Gaussian modes, the mode-coverage measure, the x*y game."""
import numpy as np
import pytest

from nnlib.gan_toys import (grid_modes, mode_coverage, ring_modes, sample_modes, xy_game_step,
                            xy_game_trajectory)


def test_ring_modes_lie_evenly_on_the_circle():
    centres = ring_modes(8, 2.0)
    assert centres.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 2.0)
    np.testing.assert_allclose(centres[0], [2.0, 0.0])
    np.testing.assert_allclose(centres[2], [0.0, 2.0], atol=1e-12)


def test_grid_modes_are_centred_and_evenly_spaced():
    centres = grid_modes(3, 1.5)
    assert centres.shape == (9, 2)
    np.testing.assert_allclose(centres.mean(axis=0), [0.0, 0.0], atol=1e-12)
    assert sorted(set(np.round(centres[:, 0], 9))) == [-1.5, 0.0, 1.5]


def test_samples_come_from_every_mode_with_the_given_spread():
    centres = ring_modes(4, 5.0)
    samples = sample_modes(centres, 0.1, 4000, rng=0)
    nearest = np.linalg.norm(samples[:, None] - centres[None], axis=2).argmin(axis=1)
    assert np.all(np.bincount(nearest, minlength=4) > 900)
    offsets = samples - centres[nearest]
    np.testing.assert_allclose(offsets.std(axis=0), [0.1, 0.1], rtol=0.1)
    np.testing.assert_array_equal(samples, sample_modes(centres, 0.1, 4000, rng=0))


def test_coverage_of_the_data_itself_is_complete():
    centres = ring_modes()
    coverage = mode_coverage(sample_modes(centres, 0.05, 2000, rng=1), centres, 0.05)
    assert coverage.modes_reached == 8
    assert coverage.high_quality_share > 0.98          # 3 std in 2-D holds 98.9 % of a Gaussian


def test_coverage_counts_far_samples_as_low_quality_and_small_modes_as_missed():
    centres = np.array([[0.0, 0.0], [10.0, 0.0]])
    samples = np.array([[0.0, 0.0]] * 95 + [[10.0, 0.0]] * 1 + [[5.0, 0.0]] * 4)
    coverage = mode_coverage(samples, centres, std=0.5, min_share=0.02)
    np.testing.assert_array_equal(coverage.counts, [95, 1])
    assert coverage.high_quality_share == pytest.approx(0.96)
    assert coverage.modes_reached == 1                  # 1 % < min_share of 2 %
    assert mode_coverage(samples, centres, std=0.5, min_share=0.01).modes_reached == 2


def test_coverage_boundary_is_three_standard_deviations():
    centres = np.array([[0.0, 0.0]])
    assert mode_coverage([[0.3, 0.0]], centres, 0.1).high_quality_share == 1.0
    assert mode_coverage([[0.3001, 0.0]], centres, 0.1).high_quality_share == 0.0


@pytest.mark.parametrize("call, message", [
    (lambda: mode_coverage(np.zeros((5, 3)), ring_modes(), 0.1), "samples: expected points"),
    (lambda: mode_coverage(np.zeros((5, 2)), np.zeros(2), 0.1), "centres: expected a 2-D"),
    (lambda: mode_coverage(np.zeros((5, 2)), ring_modes(), 0.0), "std: expected a positive"),
    (lambda: mode_coverage(np.full((5, 2), np.nan), ring_modes(), 0.1), "samples: expected finite"),
    (lambda: sample_modes(ring_modes(), 0.1, 0, rng=0), "n: expected an int >= 1"),
    (lambda: sample_modes(ring_modes(), 0.1, 5, rng=None), "rng: expected an int seed"),
    (lambda: ring_modes(0), "n_modes: expected an int >= 1"),
    (lambda: grid_modes(3, -1.0), "spacing: expected a positive"),
    (lambda: xy_game_step(1.0, 1.0, -0.1), "step_size: expected a finite number >= 0"),
    (lambda: xy_game_trajectory((1.0, 2.0, 3.0)), "start: expected a point"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_simultaneous_steps_use_the_old_point():
    assert xy_game_step(1.0, 2.0, 0.1) == pytest.approx((0.8, 2.1))


def test_alternating_steps_answer_the_new_x():
    assert xy_game_step(1.0, 2.0, 0.1, simultaneous=False) == pytest.approx((0.8, 2.08))


def test_simultaneous_play_spirals_out_by_the_predicted_factor():
    run = xy_game_trajectory((1.0, 1.0), 0.1, 50)
    assert run.shape == (51, 2)
    radii = np.linalg.norm(run, axis=1)
    np.testing.assert_allclose(radii[1:] / radii[:-1], np.sqrt(1 + 0.1 ** 2))


def test_alternating_play_stays_bounded():
    radii = np.linalg.norm(xy_game_trajectory((1.0, 1.0), 0.3, 1000, simultaneous=False), axis=1)
    assert radii.max() < 2 * radii[0]
    assert radii.min() > radii[0] / 2
