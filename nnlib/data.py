"""Small data sets for the course, generated on the spot and seeded.

- ``festival_situations()``: the 8 situations of the cheese-festival decision (notebook 01).
- ``logic_gate(name)``: the truth tables of AND, OR, NAND, NOR and XOR.
- ``make_xor``, ``make_moons``, ``make_circles``, ``make_spirals``, ``make_blobs``: 2-D
  point clouds for decision-boundary demos. Each returns ``X`` (n, 2) float64 and ``y`` (n,)
  int64, rows in random order, and the classes as balanced as ``n`` allows.
- ``train_val_split``: a seeded (by default stratified) split into training and validation.

Randomness comes only from ``rng``: an int seed or a ``numpy.random.Generator``.
"""
from __future__ import annotations

import itertools

import numpy as np

from ._checks import as_float_array, as_generator, as_int, as_label_array, as_number

FESTIVAL_FEATURES = ("weather", "friend", "commute")
"""Column names of ``festival_situations()``: good weather, a friend comes along, easy commute."""

FESTIVAL_WEIGHTS = (6, 2, 2)
"""How much each feature counts in the festival decision (the weather matters most)."""

_GATES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xor": (0, 1, 1, 0),
}
LOGIC_GATES = tuple(_GATES)
"""Names accepted by ``logic_gate``."""


def festival_situations() -> np.ndarray:
    """All 8 situations of the festival decision, one per row, as 0/1 ints, shape (8, 3).

    Columns follow ``FESTIVAL_FEATURES`` (weather, friend, commute). Rows count in binary
    with the weather as the highest bit: (0, 0, 0), (0, 0, 1), (0, 1, 0), ..., (1, 1, 1).
    """
    return np.array(list(itertools.product((0, 1), repeat=3)), dtype=np.int64)


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Truth table of a two-input gate: ``X`` (4, 2) int64 rows (0,0), (0,1), (1,0), (1,1)
    and the gate's output ``y`` (4,) int64. ``name`` is one of ``LOGIC_GATES``
    (case-insensitive)."""
    key = name.lower() if isinstance(name, str) else name
    if key not in _GATES:
        raise ValueError(f"name: expected one of {', '.join(LOGIC_GATES)}, got {name!r}")
    X = np.array(list(itertools.product((0, 1), repeat=2)), dtype=np.int64)
    y = np.array(_GATES[key], dtype=np.int64)
    return X, y


def _class_sizes(n: int, n_classes: int) -> np.ndarray:
    """Split n points into n_classes sizes that differ by at most one, shape (n_classes,)."""
    return np.full(n_classes, n // n_classes) + (np.arange(n_classes) < n % n_classes)


def _labels_and_shuffle(parts: list[np.ndarray], rng: np.random.Generator):
    """Stack the per-class point arrays, label them 0, 1, ... and shuffle the rows."""
    X = np.concatenate(parts)
    y = np.concatenate([np.full(len(p), k, dtype=np.int64) for k, p in enumerate(parts)])
    order = rng.permutation(len(y))
    return X[order], y[order]


def make_xor(n: int = 200, noise: float = 0.15, rng=0) -> tuple[np.ndarray, np.ndarray]:
    """Noisy XOR: points scattered around the corners (0,0), (0,1), (1,0), (1,1) with
    Gaussian noise of standard deviation ``noise``; label 1 where exactly one coordinate
    is 1. Needs ``n >= 4``. Returns ``X`` (n, 2) float64, ``y`` (n,) int64."""
    n = as_int(n, "n", 4)
    noise = as_number(noise, "noise", minimum=0)
    rng = as_generator(rng)
    corners, corner_labels = logic_gate("xor")
    sizes = _class_sizes(n, 4)
    X = np.repeat(corners.astype(np.float64), sizes, axis=0)
    y = np.repeat(corner_labels, sizes)
    X += rng.normal(0.0, noise, size=X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def make_moons(n: int = 200, noise: float = 0.1, rng=0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: class 0 the upper arc centred at (0, 0), class 1 the
    lower arc centred at (1, 0.5), radius 1, plus Gaussian noise of standard deviation
    ``noise``. Needs ``n >= 2``. Returns ``X`` (n, 2) float64, ``y`` (n,) int64."""
    n = as_int(n, "n", 2)
    noise = as_number(noise, "noise", minimum=0)
    rng = as_generator(rng)
    n_upper, n_lower = _class_sizes(n, 2)
    t_upper = rng.uniform(0.0, np.pi, n_upper)
    t_lower = rng.uniform(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X, y = _labels_and_shuffle([upper, lower], rng)
    return X + rng.normal(0.0, noise, size=X.shape), y


def make_circles(n: int = 200, noise: float = 0.05, factor: float = 0.5,
                 rng=0) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: class 0 on the outer one (radius 1), class 1 on the inner one
    (radius ``factor``, between 0 and 1), plus Gaussian noise of standard deviation ``noise``.
    Needs ``n >= 2``. Returns ``X`` (n, 2) float64, ``y`` (n,) int64."""
    n = as_int(n, "n", 2)
    noise = as_number(noise, "noise", minimum=0)
    if not 0 < as_number(factor, "factor", minimum=0) < 1:
        raise ValueError(f"factor: expected a number strictly between 0 and 1, got {factor!r}")
    rng = as_generator(rng)
    parts = []
    for radius, size in zip((1.0, float(factor)), _class_sizes(n, 2)):
        t = rng.uniform(0.0, 2 * np.pi, size)
        parts.append(radius * np.column_stack([np.cos(t), np.sin(t)]))
    X, y = _labels_and_shuffle(parts, rng)
    return X + rng.normal(0.0, noise, size=X.shape), y


def make_spirals(n: int = 300, n_classes: int = 3, noise: float = 0.2,
                 rng=0) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` spiral arms around the origin (the cs231n example): arm k runs from
    the centre to radius 1 while its angle turns through 4 radians, starting at
    2 pi k / n_classes; the angle gets Gaussian noise of standard deviation ``noise``.
    Needs ``n_classes >= 2`` and ``n >= n_classes``. Returns ``X`` (n, 2) float64,
    ``y`` (n,) int64."""
    n_classes = as_int(n_classes, "n_classes", 2)
    n = as_int(n, "n", n_classes)
    noise = as_number(noise, "noise", minimum=0)
    rng = as_generator(rng)
    parts = []
    for k, size in enumerate(_class_sizes(n, n_classes)):
        radius = np.linspace(0.0, 1.0, size)
        angle = 2 * np.pi * k / n_classes + np.linspace(0.0, 4.0, size) + rng.normal(0.0, noise, size)
        parts.append(radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)]))
    return _labels_and_shuffle(parts, rng)


def make_blobs(n: int = 200, centers=3, std: float = 1.0, rng=0,
               box: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs: class k is drawn around ``centers[k]`` with standard deviation ``std``.

    ``centers`` is an int (that many centres drawn uniformly in the square [-box, box]^2)
    or an array (k, d) of centres. Needs ``n >= k``. Returns ``X`` (n, d) float64 (d = 2 for
    an int ``centers``) and ``y`` (n,) int64.
    """
    rng = as_generator(rng)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        n_centers = as_int(centers, "centers", 1)
        box = as_number(box, "box", minimum=0)
        centers = rng.uniform(-box, box, size=(n_centers, 2))
    else:
        centers = as_float_array(centers, "centers", ndim=2)
    n = as_int(n, "n", len(centers))
    std = as_number(std, "std", minimum=0)
    parts = [c + rng.normal(0.0, std, size=(size, len(c)))
             for c, size in zip(centers, _class_sizes(n, len(centers)))]
    return _labels_and_shuffle(parts, rng)


def stratified_split_indices(y, n_val: int, rng=0, stratify: bool = True):
    """Row indices for a seeded split of ``n`` samples into training and validation.

    ``y`` (n,) class labels; ``n_val`` the number of validation samples (1 <= n_val < n).
    With ``stratify`` every class goes to the validation set in proportion to its size
    (rounded by largest remainder, so the total is exactly ``n_val``). Returns
    ``(train_idx, val_idx)``, int64 arrays of n - n_val and n_val indices, each in random order.
    """
    y = as_label_array(y, "y")
    n = len(y)
    n_val = as_int(n_val, "n_val", 1)
    if n_val >= n:
        raise ValueError(f"n_val: expected fewer than the {n} samples, got {n_val}")
    rng = as_generator(rng)
    if not stratify:
        order = rng.permutation(n)
        return order[n_val:], order[:n_val]
    classes, counts = np.unique(y, return_counts=True)
    quota = n_val * counts / n
    per_class = np.floor(quota).astype(np.int64)
    short = n_val - per_class.sum()
    per_class[np.argsort(-(quota - per_class), kind="stable")[:short]] += 1
    val_parts = []
    for c, k in zip(classes, per_class):
        members = np.flatnonzero(y == c)
        val_parts.append(rng.choice(members, size=k, replace=False))
    is_val = np.zeros(n, dtype=bool)
    is_val[np.concatenate(val_parts)] = True
    train_idx, val_idx = np.flatnonzero(~is_val), np.flatnonzero(is_val)
    return train_idx[rng.permutation(len(train_idx))], val_idx[rng.permutation(len(val_idx))]


def train_val_split(X, y, val_fraction: float = 0.2, rng=0, stratify: bool = True):
    """Split ``X`` (n, ...) and ``y`` (n,) into training and validation sets, seeded.

    ``val_fraction`` in (0, 1) sets the validation size, round(val_fraction * n), at least 1
    and at most n - 1. With ``stratify`` (the default) each class keeps its share in both
    parts. Rows come out shuffled. Returns ``(X_train, y_train, X_val, y_val)``.
    """
    X = np.asarray(X)
    y = as_label_array(y, "y")
    if X.ndim == 0 or len(X) != len(y):
        raise ValueError(f"X and y: expected the same number of rows, got X shape {X.shape} and y shape {y.shape}")
    if len(y) < 2:
        raise ValueError(f"X: expected at least 2 samples to split, got {len(y)}")
    if (not isinstance(val_fraction, (float, int, np.floating)) or isinstance(val_fraction, bool)
            or not 0 < val_fraction < 1):
        raise ValueError(f"val_fraction: expected a number strictly between 0 and 1, got {val_fraction!r}")
    n_val = min(max(int(round(val_fraction * len(y))), 1), len(y) - 1)
    train_idx, val_idx = stratified_split_indices(y, n_val, rng, stratify=stratify)
    return X[train_idx], y[train_idx], X[val_idx], y[val_idx]
