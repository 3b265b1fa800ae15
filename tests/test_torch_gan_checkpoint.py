"""The stored digit GAN: small enough to ship, loadable, and what its recipe says."""
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import numpy as np

from nnlib.torch_gan_checkpoint import (DIGIT_GAN_CHECKPOINT, N_SNAPSHOT, RECORD_EVERY, SNAPSHOT_STEPS, STEPS,
                                        learning_rate_factor, load_digit_gan)
from nnlib.torch_gans import sample

REPO = Path(__file__).resolve().parents[1]


def test_the_checkpoint_is_at_most_2_mb_and_shipped_as_package_data():
    assert DIGIT_GAN_CHECKPOINT.stat().st_size <= 2_000_000
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["nnlib"]
    relative = DIGIT_GAN_CHECKPOINT.relative_to(REPO / "nnlib").as_posix()
    assert any(fnmatch(relative, pattern) for pattern in patterns)


def test_the_stored_generator_draws_digits_and_keeps_its_history():
    generator, history, snapshots = load_digit_gan()
    assert not generator.training
    images = sample(generator, 8, rng=0)
    assert images.shape == (8, 784) and images.min() >= 0 and images.max() <= 1
    assert len(history.d_loss) == len(history.d_fake) == STEPS // RECORD_EVERY
    np.testing.assert_array_equal(history.steps[-1], STEPS)
    assert snapshots.shape == (len(SNAPSHOT_STEPS), N_SNAPSHOT, 784)


def test_the_learning_rate_decays_linearly_to_0_over_the_last_steps():
    assert learning_rate_factor(0) == 1.0 and learning_rate_factor(STEPS) == 0.0
    assert 0 < learning_rate_factor(STEPS - 1) < learning_rate_factor(STEPS - 2) < 1
