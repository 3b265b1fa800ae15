import random
import subprocess
import sys

import numpy as np
import pytest
import torch

from nnlib.seeding import seed_everything


def draws(seed):
    rng = seed_everything(seed)
    return random.random(), np.random.rand(), rng.random(), torch.rand(1).item()


def test_same_seed_same_draws_everywhere():
    assert draws(3) == draws(3)
    assert all(a != b for a, b in zip(draws(3), draws(4))), "different seeds should give different draws"


def test_torch_runs_on_the_requested_threads():
    seed_everything(0, threads=1)
    assert torch.get_num_threads() == 1


def test_torch_is_not_imported_for_notebooks_without_it():
    code = "import sys, nnlib.seeding as s; s.seed_everything(0); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0", None])
def test_bad_seed(seed):
    with pytest.raises(ValueError, match="seed: expected an int >= 0"):
        seed_everything(seed)
