"""Shared test set-up: headless plots, no progress bars, one thread."""
import os

os.environ.setdefault("NNLIB_PROGRESS", "0")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
