"""Stored weights: models trained longer than a notebook may take, each with the recipe that made it.

A notebook trains live when it fits its 90 s budget. When it cannot, the trained weights ship as
a small file (at most 2 MB) in this folder, and the module beside it is both the loader the
notebooks call and the script that rewrites the file, seeded, on the offline MNIST digits:

    .venv/bin/python -m nnlib.torch.checkpoints.lenet5      # notebook 09's LeNet-5 (lenet5_offline.pt)
    .venv/bin/python -m nnlib.torch.checkpoints.digit_gan   # notebook 08's generator (digit_gan_offline.pt)

A new checkpoint is one module: a ``train_*`` function that returns what to store (a dict of
tensors), a ``load_*`` function built on ``load_checkpoint``, and a ``__main__`` block that calls
``rebuild``.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch

CHECKPOINT_DIR = Path(__file__).resolve().parent
MAX_CHECKPOINT_BYTES = 2_000_000


def checkpoint_path(filename: str) -> Path:
    """Where the stored file ``filename`` lives (inside the package, shipped as package data)."""
    return CHECKPOINT_DIR / filename


def load_checkpoint(path: Path) -> dict:
    """The stored dict of tensors at ``path`` (loaded as plain tensors: no pickled code runs)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no stored checkpoint there; rebuild it with "
                                f"python -m nnlib.torch.checkpoints.{path.stem.removesuffix('_offline')}")
    return torch.load(path, weights_only=True)


def rebuild(path: Path, train: Callable[[], dict], describe: Callable[[], str]) -> None:
    """A recipe run as a script: ``train()`` (seeded inside), the result stored at ``path``, then
    the file's size and ``describe()``'s figures (computed from the stored file) printed."""
    state = train()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, path)
    size = path.stat().st_size
    if size > MAX_CHECKPOINT_BYTES:
        raise ValueError(f"{path}: {size / 1e6:.2f} MB, more than the {MAX_CHECKPOINT_BYTES / 1e6:.0f} MB "
                         "a stored checkpoint may take")
    print(f"wrote {path} ({size / 1e6:.2f} MB); {describe()}")
