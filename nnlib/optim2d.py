"""Gradient descent on cost functions of two parameters, drawn over contour plots.

A ``Surface`` bundles a cost C(w) with its gradient. Both take points of shape (..., 2),
so the same function evaluates one point (2,) or a whole grid (ny, nx, 2):

- ``elongated_bowl(curvature)``: C(w) = 1/2 (w1^2 + curvature * w2^2), a quadratic whose
  steep direction limits the learning rate (steps grow without bound once
  lr > 2 / curvature).
- ``rosenbrock(b)``: C(w) = (1 - w1)^2 + b (w2 - w1^2)^2, a curved valley whose floor is
  nearly flat, so gradient descent crawls along it.

``gradient_descent`` follows w -> w - lr * grad C(w) (with ``momentum`` > 0, the heavy-ball
steps v -> momentum * v - lr * grad C(w), w -> w + v) and records the path;
``plot_descents`` draws paths over the contours, next to their cost per step.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np

from ._checks import as_float_array, as_int, as_number

# A run stops, marked diverged, once |w| exceeds this: far outside every plot, and small
# enough that the cost at the last point stays finite on the surfaces defined here.
MAX_NORM = 1e6


def _points(w, name: str = "w") -> np.ndarray:
    w = as_float_array(w, name)
    if w.shape[-1] != 2:
        raise ValueError(f"{name}: expected points of shape (..., 2), got shape {w.shape}")
    return w


@dataclass(frozen=True)
class Surface:
    """A cost of two parameters: ``cost`` maps (..., 2) -> (...), ``grad`` (..., 2) -> (..., 2).

    ``minimum`` is where the cost is smallest; ``xlim`` and ``ylim`` frame the plots.
    """
    name: str
    cost: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    minimum: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]


def elongated_bowl(curvature: float = 10.0) -> Surface:
    """C(w) = 1/2 (w1^2 + curvature * w2^2): curvature 1 along w1, ``curvature`` along w2."""
    curvature = as_number(curvature, "curvature", positive=True)

    def cost(w):
        w = _points(w)
        return 0.5 * (w[..., 0] ** 2 + curvature * w[..., 1] ** 2)

    def grad(w):
        w = _points(w)
        return np.stack([w[..., 0], curvature * w[..., 1]], axis=-1)

    return Surface(f"bowl 1/2 (w1² + {curvature:g} w2²)", cost, grad, (0.0, 0.0),
                   (-2.5, 2.5), (-1.5, 1.5))


def rosenbrock(b: float = 100.0) -> Surface:
    """C(w) = (1 - w1)^2 + b (w2 - w1^2)^2, a banana-shaped valley with its minimum at (1, 1)."""
    b = as_number(b, "b", positive=True)

    def cost(w):
        w = _points(w)
        return (1 - w[..., 0]) ** 2 + b * (w[..., 1] - w[..., 0] ** 2) ** 2

    def grad(w):
        w = _points(w)
        valley = w[..., 1] - w[..., 0] ** 2
        return np.stack([-2 * (1 - w[..., 0]) - 4 * b * w[..., 0] * valley, 2 * b * valley],
                        axis=-1)

    return Surface(f"Rosenbrock valley, b = {b:g}", cost, grad, (1.0, 1.0),
                   (-2.0, 2.0), (-1.0, 3.0))


@dataclass(frozen=True)
class Descent:
    """One gradient-descent run: ``path`` (k + 1, 2) and ``costs`` (k + 1,) from the start.

    ``diverged`` is True when the run stopped early because |w| passed ``MAX_NORM``;
    ``momentum`` is the run's momentum coefficient (0 for plain gradient descent).
    """
    lr: float
    path: np.ndarray
    costs: np.ndarray
    diverged: bool
    momentum: float = 0.0

    @property
    def final_cost(self) -> float:
        return float(self.costs[-1])

    @property
    def n_steps(self) -> int:
        return len(self.path) - 1


def _check_surface(surface) -> None:
    if not isinstance(surface, Surface):
        raise ValueError(f"surface: expected a Surface such as elongated_bowl() or rosenbrock(), "
                         f"got {type(surface).__name__}")


def gradient_descent(surface: Surface, start, lr: float, n_steps: int,
                     momentum: float = 0.0) -> Descent:
    """Take up to ``n_steps`` steps from ``start`` (2,): w -> w - lr * grad C(w), or with
    ``momentum`` in [0, 1) the velocity steps v -> momentum * v - lr * grad C(w), w -> w + v
    (v starts at 0; momentum 0 is plain gradient descent)."""
    _check_surface(surface)
    w = _points(start, "start").astype(np.float64)
    if w.shape != (2,):
        raise ValueError(f"start: expected one point of shape (2,), got shape {w.shape}")
    lr = as_number(lr, "lr", positive=True)
    n_steps = as_int(n_steps, "n_steps", minimum=0)
    momentum = as_number(momentum, "momentum", minimum=0)
    if momentum >= 1:
        raise ValueError(f"momentum: expected a number in [0, 1), got {momentum!r}")
    path = [w]
    velocity = np.zeros(2)
    diverged = False
    for _ in range(n_steps):
        velocity = momentum * velocity - lr * surface.grad(w)
        w = w + velocity
        path.append(w)
        if np.linalg.norm(w) > MAX_NORM:
            diverged = True
            break
    path = np.array(path)
    return Descent(float(lr), path, surface.cost(path), diverged, float(momentum))


def plot_descents(surface: Surface, descents: Sequence[Descent], labels=None,
                  resolution: int = 200) -> plt.Figure:
    """Paths over the cost's contours (left, a dot where each ends) and cost per step on a
    log scale (right).

    ``labels`` names each run in the legend (default: its learning rate).
    """
    _check_surface(surface)
    if labels is None:
        labels = [f"η = {d.lr:g}" + (f", momentum {d.momentum:g}" if d.momentum else "") for d in descents]
    if len(labels) != len(descents):
        raise ValueError(f"labels: expected one per descent ({len(descents)}), got {len(labels)}")
    fig, (ax_path, ax_cost) = plt.subplots(1, 2, figsize=(11, 4.2),
                                           gridspec_kw={"width_ratios": [1.3, 1]})
    xs = np.linspace(*surface.xlim, resolution)
    ys = np.linspace(*surface.ylim, resolution)
    grid_cost = surface.cost(np.stack(np.meshgrid(xs, ys), axis=-1))
    # Log-spaced levels show both the steep walls and the flat floor of a valley.
    top = grid_cost.max()
    levels = np.geomspace(max(grid_cost.min(), top * 1e-5), top, 16)
    ax_path.contour(xs, ys, grid_cost, levels=levels, cmap="viridis", linewidths=0.8)
    ax_path.plot(*surface.minimum, marker="*", color="black", markersize=12, linestyle="none")
    for descent, label in zip(descents, labels):
        if descent.diverged:
            label += " (diverged)"
        # Dots mark the steps while they can still be told apart.
        line, = ax_path.plot(descent.path[:, 0], descent.path[:, 1], linewidth=1, label=label,
                             marker="." if descent.n_steps <= 100 else None, markersize=4)
        ax_path.plot(*descent.path[-1], marker="o", markersize=7, color=line.get_color())
        ax_cost.semilogy(np.arange(descent.n_steps + 1), descent.costs, color=line.get_color(),
                         label=label)
    ax_path.set(xlim=surface.xlim, ylim=surface.ylim, xlabel="$w_1$", ylabel="$w_2$",
                title=surface.name)
    ax_path.legend(loc="lower right", fontsize=8)
    ax_cost.set(xlabel="step", ylabel="cost C(w)", title="cost per step")
    fig.tight_layout()
    return fig
