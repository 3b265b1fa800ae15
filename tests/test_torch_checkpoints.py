"""The stored checkpoints: small enough to ship, loadable, and what their recipes say."""
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import numpy as np
import pytest

from nnlib.torch.checkpoints import CHECKPOINT_DIR, MAX_CHECKPOINT_BYTES, load_checkpoint
from nnlib.torch.checkpoints.digit_gan import (DIGIT_GAN_CHECKPOINT, N_SNAPSHOT, RECORD_EVERY, SNAPSHOT_STEPS,
                                               STEPS, learning_rate_factor, load_digit_gan)
from nnlib.torch.checkpoints.lenet5 import LENET5_CHECKPOINT, load_lenet5
from nnlib.torch.gans import sample
from nnlib.torch.train import predict

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("path", [LENET5_CHECKPOINT, DIGIT_GAN_CHECKPOINT], ids=lambda p: p.name)
def test_each_checkpoint_is_at_most_2_mb_and_shipped_as_package_data(path):
    assert path.stat().st_size <= MAX_CHECKPOINT_BYTES
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package = ".".join(CHECKPOINT_DIR.relative_to(REPO).parts)
    assert any(fnmatch(path.relative_to(CHECKPOINT_DIR).as_posix(), pattern) for pattern in package_data[package])


def test_a_missing_checkpoint_names_the_command_that_rebuilds_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"python -m nnlib\.torch\.checkpoints\.lenet5"):
        load_checkpoint(tmp_path / "lenet5_offline.pt")


def test_the_stored_lenet5_loads_in_evaluation_mode_and_reads_digits():
    model = load_lenet5()
    assert not model.training
    assert predict(model, np.zeros((3, 784), dtype=np.float32)).shape == (3, 10)


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
