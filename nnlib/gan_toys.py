"""Notebook 08's toys in NumPy: Gaussian modes in the plane, how many of them a generator
covers, and the x*y game on which simultaneous gradient steps circle outwards.

- ``ring_modes(n_modes, radius)`` / ``grid_modes(side, spacing)``: the centres (k, 2) of the modes;
  ``sample_modes(centres, std, n, rng)``: n points (n, 2), each from a randomly chosen mode
  with standard deviation ``std`` in each coordinate.
- ``mode_coverage(samples, centres, std)``: a sample is *high quality* when it lies within
  3 standard deviations of its nearest centre; a mode is *reached* when at least ``min_share``
  of all samples are high-quality samples of it. (The measure of Srivastava et al. 2017, VEEGAN.)
- ``xy_game_step`` / ``xy_game_trajectory``: player x minimizes f(x, y) = x y, player y
  maximizes it. Simultaneous gradient steps multiply the distance from the equilibrium (0, 0)
  by sqrt(1 + step_size^2) at every step; alternating steps stay on a bounded orbit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import as_float_array, as_generator, as_int, as_number

HIGH_QUALITY_STDS = 3.0
"""A sample within this many standard deviations of a mode's centre is of high quality."""


def ring_modes(n_modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """The centres (n_modes, 2) of modes evenly spaced on a circle, the first at (radius, 0)."""
    n_modes = as_int(n_modes, "n_modes")
    radius = as_number(radius, "radius", positive=True)
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid_modes(side: int = 5, spacing: float = 2.0) -> np.ndarray:
    """The centres (side**2, 2) of a square grid of modes, centred on (0, 0), row by row."""
    side = as_int(side, "side")
    spacing = as_number(spacing, "spacing", positive=True)
    ticks = spacing * (np.arange(side) - (side - 1) / 2)
    return np.stack(np.meshgrid(ticks, ticks), axis=-1).reshape(-1, 2)


def sample_modes(centres, std: float, n: int, rng) -> np.ndarray:
    """n points (n, 2): for each, a mode drawn uniformly, plus Gaussian noise of ``std``."""
    centres = _centres(centres)
    std = as_number(std, "std", positive=True)
    n = as_int(n, "n")
    rng = as_generator(rng)
    modes = rng.integers(len(centres), size=n)
    return centres[modes] + std * rng.standard_normal((n, centres.shape[1]))


@dataclass(frozen=True)
class ModeCoverage:
    """How well samples cover the modes: ``counts`` (k,) high-quality samples per mode."""
    counts: np.ndarray
    n_samples: int
    min_share: float

    @property
    def modes_reached(self) -> int:
        """Modes with at least ``min_share`` of all samples as their high-quality samples."""
        return int(np.sum(self.counts >= self.min_share * self.n_samples))

    @property
    def high_quality_share(self) -> float:
        """The share of samples within 3 standard deviations of their nearest mode."""
        return float(self.counts.sum() / self.n_samples)


def mode_coverage(samples, centres, std: float, min_share: float = 0.01) -> ModeCoverage:
    """Count, for every mode, the samples (n, 2) within 3 ``std`` of it as their nearest centre."""
    centres = _centres(centres)
    samples = as_float_array(samples, "samples", ndim=2)
    if samples.shape[1] != centres.shape[1]:
        raise ValueError(f"samples: expected points (n, {centres.shape[1]}) like the centres, got shape {samples.shape}")
    std = as_number(std, "std", positive=True)
    min_share = as_number(min_share, "min_share", minimum=0.0)
    distances = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=2)   # (n, k)
    nearest = distances.argmin(axis=1)
    close = distances[np.arange(len(samples)), nearest] <= HIGH_QUALITY_STDS * std
    counts = np.bincount(nearest[close], minlength=len(centres))
    return ModeCoverage(counts, len(samples), min_share)


def _centres(centres) -> np.ndarray:
    centres = as_float_array(centres, "centres", ndim=2)
    if centres.shape[1] != 2:
        raise ValueError(f"centres: expected points (k, 2) in the plane, got shape {centres.shape}")
    return centres


def xy_game_step(x: float, y: float, step_size: float, simultaneous: bool = True) -> tuple[float, float]:
    """One gradient step of both players on f(x, y) = x y (x descends, y ascends).

    Simultaneous: x' = x - step_size * y, y' = y + step_size * x (both from the old point).
    Alternating: x moves first, then y answers the new x': y' = y + step_size * x'.
    """
    x, y = as_number(x, "x"), as_number(y, "y")
    step_size = as_number(step_size, "step_size", minimum=0.0)
    new_x = x - step_size * y               # df/dx = y
    new_y = y + step_size * (x if simultaneous else new_x)   # df/dy = x
    return new_x, new_y


def xy_game_trajectory(start=(1.0, 1.0), step_size: float = 0.1, steps: int = 100,
                       simultaneous: bool = True) -> np.ndarray:
    """The points (steps + 1, 2) visited by ``steps`` calls of ``xy_game_step`` from ``start``."""
    start = as_float_array(start, "start", ndim=1)
    if start.shape != (2,):
        raise ValueError(f"start: expected a point (x, y), got shape {start.shape}")
    steps = as_int(steps, "steps", minimum=0)
    points = [tuple(start)]
    for _ in range(steps):
        points.append(xy_game_step(*points[-1], step_size, simultaneous))
    return np.array(points)
