"""One call that makes a notebook reproducible: seeds and threads."""
from __future__ import annotations

import os
import random

import numpy as np


def seed_everything(seed: int, threads: int = 1) -> np.random.Generator:
    """Seed Python's ``random``, NumPy's legacy global state and PyTorch (if installed);
    limit PyTorch to ``threads`` threads (one is fastest for the course's small models and
    makes results reproducible). Returns a fresh ``numpy.random.Generator`` for the caller.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed: expected a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    try:
        import torch
    except ImportError:
        pass
    else:
        torch.manual_seed(seed)
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(True, warn_only=True)
    return np.random.default_rng(seed)
