"""Shared set-up for every pytest run, unit tests and nbval notebooks alike: headless plots,
no progress bars, one thread, a private data cache."""
import os
from pathlib import Path

os.environ.setdefault("NNLIB_PROGRESS", "0")
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Notebooks store outputs computed on the offline MNIST default; a full MNIST that a
# maintainer downloaded into the usual cache must not change them, so tests (and the nbval
# kernels, which inherit this environment) use a cache of their own inside the clone.
os.environ["NNLIB_DATA_DIR"] = str(Path(__file__).resolve().parent / ".cache" / "test-data")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
