"""One call that makes a notebook reproducible: seeds and threads."""
from __future__ import annotations

import os
import random
import sys

import numpy as np

from ._checks import as_int


def seed_everything(seed: int, threads: int = 1) -> np.random.Generator:
    """Seed Python's ``random`` and NumPy's legacy global state; if PyTorch is imported,
    seed it too and limit it to ``threads`` threads (one is fastest for the course's small
    models and makes results reproducible). Returns a fresh ``numpy.random.Generator``.

    Import torch *before* calling this in a notebook that uses it. Notebooks without torch
    do not pay for importing it (seconds, which add up when grading a class).
    """
    as_int(seed, "seed", minimum=0)
    random.seed(seed)
    np.random.seed(seed)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(True, warn_only=True)
    return np.random.default_rng(seed)
