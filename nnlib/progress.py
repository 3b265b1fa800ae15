"""Progress bars for long work (training, downloads, grading), drawn by tqdm.

``progress(iterable, ...)`` wraps ``tqdm.auto.tqdm``; it is a plain pass-through when
disabled, by ``enabled=False`` or by the environment variable ``NNLIB_PROGRESS=0``
(the tests set it, so that outputs stay stable).
"""
from __future__ import annotations

import os

from tqdm.auto import tqdm


def progress_enabled(enabled: bool | None = None) -> bool:
    """Resolve ``enabled``: an explicit bool wins, else ``NNLIB_PROGRESS`` (default on)."""
    if enabled is not None:
        return bool(enabled)
    return os.environ.get("NNLIB_PROGRESS", "1") != "0"


def progress(iterable=None, *, enabled: bool | None = None, **tqdm_kwargs):
    """A tqdm progress bar over ``iterable``, or one that draws nothing when disabled."""
    return tqdm(iterable, disable=not progress_enabled(enabled), **tqdm_kwargs)
