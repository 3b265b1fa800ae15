"""Adversarial examples for PyTorch classifiers: attacks, adversarial training, strange poses.

The threat model is the white box of Goodfellow et al. and Madry et al.: the attacker knows the
model and its gradients and may change every pixel of an image x by at most epsilon (the
L-infinity ball ``|x_adv - x| <= epsilon``), keeping pixels in [0, 1]. Images are float
tensors or arrays in [0, 1] of any shape the model takes, one example per row (n, ...);
labels are class indices (n,). Every attack returns new images and leaves the model as it
found it: same train/eval mode, same ``requires_grad`` flags, no ``.grad`` written.

- ``loss_gradient``: the gradient of the cross-entropy with respect to the input;
- ``fgsm``: one signed-gradient step (Goodfellow, Shlens & Szegedy 2015);
- ``pgd_step`` and ``pgd``: projected gradient descent with random start and restarts
  (Madry et al. 2018); every attack has a targeted form (``targeted=True``, ``y`` = targets);
- ``adversarial_examples`` and ``accuracy_under_attack``: a whole data set, in batches;
- ``fgsm_rs_epoch``: one epoch of adversarial training with FGSM from a random start
  ("fast is better than free", Wong, Rice & Kolter 2020);
- ``transform_digits``: rotated, scaled and shifted digits, the digits' own strange poses;
- ``max_softmax_score``: the classifier's confidence, a baseline out-of-distribution score
  (Hendrycks & Gimpel 2017).

Randomness (random starts, batch order) comes only from an explicit seed or NumPy Generator.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

from .._checks import as_generator, as_int, as_number
from ._checks import as_features, as_targets, model_dtype
from .train import EVAL_BATCH_SIZE, batches, predict

IMAGE_SHAPE = (28, 28)


# ---- checks --------------------------------------------------------------------------------

def _images(x, dtype: torch.dtype, name: str = "x") -> torch.Tensor:
    """x (n, ...) -> a detached float tensor of ``dtype``, checked to lie in [0, 1]."""
    x = as_features(x, dtype).detach()
    if x.min() < 0 or x.max() > 1:
        raise ValueError(f"{name}: expected pixels in [0, 1], got values from {float(x.min()):.3g} "
                         f"to {float(x.max()):.3g}")
    return x


def _epsilon(epsilon) -> float:
    return as_number(epsilon, "epsilon", minimum=0.0)


@contextmanager
def _frozen(model: torch.nn.Module, training: bool = False) -> Iterator[None]:
    """Run ``model`` in the given mode with its parameters frozen; restore both afterwards."""
    flags = [(p, p.requires_grad) for p in model.parameters()]
    was_training = model.training
    model.train(training)
    for p, _ in flags:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in flags:
            p.requires_grad_(flag)
        model.train(was_training)


# ---- gradients and single steps -----------------------------------------------------------

def _gradient(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits (n, k) at x and d(summed cross-entropy)/dx (n, ...), for a frozen model."""
    x = x.detach().requires_grad_(True)
    logits = model(x)
    (gradient,) = torch.autograd.grad(F.cross_entropy(logits, y, reduction="sum"), x)
    return logits.detach(), gradient


def loss_gradient(model: torch.nn.Module, x, y) -> torch.Tensor:
    """The gradient of each example's cross-entropy with respect to its input pixels.

    x: images (n, ...) in [0, 1]; y: labels (n,). Returns a tensor of x's shape, computed in
    evaluation mode; the model's parameters get no ``.grad``.
    """
    dtype = model_dtype(model)
    x = _images(x, dtype)
    y = as_targets(y, len(x), dtype)
    with _frozen(model):
        return _gradient(model, x, y)[1]


def fgsm(model: torch.nn.Module, x, y, epsilon: float, *, targeted: bool = False) -> torch.Tensor:
    """The fast gradient sign method: x + epsilon * sign(d loss / dx), clamped to [0, 1].

    x: images (n, ...) in [0, 1]; y: true labels (n,), or with ``targeted`` the classes to
    push towards (the step then goes down the loss of the target: x - epsilon * sign(...)).
    Returns the adversarial images, a tensor of x's shape.
    """
    gradient = loss_gradient(model, x, y)
    direction = -1.0 if targeted else 1.0
    x = _images(x, gradient.dtype)
    return (x + direction * _epsilon(epsilon) * gradient.sign()).clamp(0.0, 1.0)


def pgd_step(x_adv: torch.Tensor, gradient: torch.Tensor, x: torch.Tensor, epsilon: float,
             step_size: float) -> torch.Tensor:
    """One step of projected gradient ascent: x_adv + step_size * sign(gradient), projected
    back into the L-infinity ball of radius epsilon around x, then clamped to [0, 1].

    All three tensors have the same shape (n, ...); pass minus the gradient to descend.
    """
    if not x_adv.shape == gradient.shape == x.shape:
        raise ValueError(f"x_adv, gradient and x: expected the same shape, got {tuple(x_adv.shape)}, "
                         f"{tuple(gradient.shape)} and {tuple(x.shape)}")
    epsilon, step_size = _epsilon(epsilon), as_number(step_size, "step_size", positive=True)
    stepped = x_adv + step_size * gradient.sign()
    projected = torch.minimum(torch.maximum(stepped, x - epsilon), x + epsilon)
    return projected.clamp(0.0, 1.0)


def _uniform_start(x: torch.Tensor, epsilon: float, rng: np.random.Generator) -> torch.Tensor:
    """x plus noise drawn uniformly from the ball of radius epsilon, clamped to [0, 1]."""
    noise = torch.as_tensor(rng.uniform(-epsilon, epsilon, size=tuple(x.shape)), dtype=x.dtype)
    return (x + noise).clamp(0.0, 1.0)


def pgd(model: torch.nn.Module, x, y, epsilon: float, *, steps: int = 20, step_size: float | None = None,
        restarts: int = 1, random_start: bool = True, targeted: bool = False, rng=None) -> torch.Tensor:
    """Projected gradient descent (Madry et al. 2018): ``steps`` steps of ``pgd_step``.

    x: images (n, ...) in [0, 1]; y: true labels (n,), or the targets with ``targeted``.
    step_size: default 2.5 * epsilon / steps (enough to cross the ball). With
    ``random_start`` each of the ``restarts`` runs starts from a uniform point of the ball
    (``rng``: a seed or Generator, required). An example keeps the first iterate, over all
    steps and restarts, that fools the model (misclassified; with ``targeted``: classified as
    its target), else the last iterate of the last run; so more steps (at a fixed step size)
    and more restarts can only lower the accuracy. Returns a tensor of x's shape.
    """
    dtype = model_dtype(model)
    x, epsilon = _images(x, dtype), _epsilon(epsilon)
    y = as_targets(y, len(x), dtype)
    steps, restarts = as_int(steps, "steps"), as_int(restarts, "restarts")
    step_size = 2.5 * epsilon / steps if step_size is None else as_number(step_size, "step_size", positive=True)
    if random_start:
        if rng is None:
            raise ValueError("rng: expected a seed or a numpy.random.Generator for the random start, got None")
        rng = as_generator(rng)
    direction = -1.0 if targeted else 1.0
    best, fooled = x.clone(), torch.zeros(len(x), dtype=torch.bool)

    def keep(x_adv, logits):
        hits = (logits.argmax(dim=1) == y) if targeted else (logits.argmax(dim=1) != y)
        new = hits & ~fooled
        best[new] = x_adv[new]
        fooled.logical_or_(hits)

    with _frozen(model):
        for _ in range(restarts):
            x_adv = _uniform_start(x, epsilon, rng) if random_start else x.clone()
            for _ in range(steps):
                logits, gradient = _gradient(model, x_adv, y)
                keep(x_adv, logits)
                x_adv = pgd_step(x_adv, direction * gradient, x, epsilon, step_size)
            with torch.no_grad():
                keep(x_adv, model(x_adv))
            best[~fooled] = x_adv[~fooled]
    return best


# ---- whole data sets ------------------------------------------------------------------------

Attack = Callable[..., torch.Tensor]


def adversarial_examples(model: torch.nn.Module, X, y, attack: Attack, epsilon: float, *,
                         batch_size: int = EVAL_BATCH_SIZE, **options) -> np.ndarray:
    """``attack(model, xb, yb, epsilon, **options)`` on every batch of (X, y), in order.

    X: images (n, ...) in [0, 1]; y: labels (n,); attack: ``fgsm``, ``pgd`` or any function
    of that signature (``options`` such as ``steps`` or ``rng`` go to it; a Generator is
    shared by the batches). Returns the adversarial images as a float array of X's shape.
    """
    if not callable(attack):
        raise ValueError(f"attack: expected a function such as fgsm or pgd, got {type(attack).__name__}")
    epsilon = _epsilon(epsilon)
    if "rng" in options and options["rng"] is not None:
        options["rng"] = as_generator(options["rng"])
    parts = [attack(model, xb, yb, epsilon, **options).detach()
             for xb, yb in batches(X, y, as_int(batch_size, "batch_size"), shuffle=False,
                                   dtype=model_dtype(model))]
    return torch.cat(parts).numpy()


def accuracy(model: torch.nn.Module, X, y) -> float:
    """Fraction of the examples X (n, ...) whose largest score is their label y (n,)."""
    scores = predict(model, X)
    labels = as_targets(y, len(scores), torch.float32).numpy()
    return float(np.mean(scores.argmax(axis=1) == labels))


def accuracy_under_attack(model: torch.nn.Module, X, y, attack: Attack, epsilon: float, *,
                          batch_size: int = EVAL_BATCH_SIZE, **options) -> float:
    """The model's accuracy on ``adversarial_examples(model, X, y, attack, epsilon, ...)``
    (its robust accuracy against that attack); at epsilon = 0, its clean accuracy."""
    if _epsilon(epsilon) == 0:
        return accuracy(model, X, y)
    return accuracy(model, adversarial_examples(model, X, y, attack, epsilon, batch_size=batch_size, **options), y)


# ---- adversarial training --------------------------------------------------------------------

def fgsm_rs_epoch(model: torch.nn.Module, X, y, optimizer: torch.optim.Optimizer, epsilon: float, *,
                  alpha: float | None = None, batch_size: int = 64, rng) -> float:
    """One epoch of adversarial training with FGSM from a random start (Wong et al. 2020).

    For every mini-batch (order: ``rng.permutation``, as in ``nnlib.torch.train.batches``): delta
    uniform in [-epsilon, epsilon], one signed-gradient step of size ``alpha`` (default
    1.25 * epsilon), delta projected back into the ball, x + delta clamped to [0, 1]; then an
    ordinary training step on those images. Returns the mean training loss on the adversarial
    images (each batch's loss before its step).
    """
    epsilon = _epsilon(epsilon)
    alpha = 1.25 * epsilon if alpha is None else as_number(alpha, "alpha", positive=True)
    rng = as_generator(rng)
    total_loss, n_seen = 0.0, 0
    for xb, yb in batches(X, y, as_int(batch_size, "batch_size"), rng, dtype=model_dtype(model)):
        xb = _images(xb, xb.dtype, "X")
        with _frozen(model, training=True):
            start = _uniform_start(xb, epsilon, rng)
            x_adv = pgd_step(start, _gradient(model, start, yb)[1], xb, epsilon, alpha)
        model.train()
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x_adv), yb)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(xb)
        n_seen += len(xb)
    return total_loss / n_seen


# ---- out of distribution ------------------------------------------------------------------

def transform_digits(X, *, angle: float = 0.0, scale: float = 1.0, shift: tuple[float, float] = (0.0, 0.0),
                     image_shape: tuple[int, int] = IMAGE_SHAPE) -> np.ndarray:
    """Digits as rows X (n, h*w) rotated by ``angle`` degrees (counter-clockwise), scaled by
    ``scale`` about the image's centre, then moved ``shift = (down, right)`` pixels.

    Bilinear interpolation; pixels that come from outside the image are 0. Returns float32
    rows (n, h*w) in [0, 1]. ``angle=90`` turns every digit a quarter turn to the left.
    """
    h, w = image_shape
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != h * w:
        raise ValueError(f"X: expected digits as rows of {h * w} pixels, shape (n, {h * w}), got {X.shape}")
    angle = np.deg2rad(as_number(angle, "angle"))
    scale = as_number(scale, "scale", positive=True)
    if len(shift) != 2:
        raise ValueError(f"shift: expected a pair (down, right) of pixels, got {shift!r}")
    down, right = (as_number(s, "shift") for s in shift)
    # affine_transform maps each output pixel o to the input pixel M @ o + offset (row, col).
    # A counter-clockwise turn on screen, where rows grow downwards, is this rotation:
    cos, sin = np.cos(angle), np.sin(angle)
    matrix = np.array([[cos, sin], [-sin, cos]]) / scale
    centre = np.array([(h - 1) / 2, (w - 1) / 2])
    offset = centre - matrix @ (centre + np.array([down, right]))
    images = X.reshape(-1, h, w).astype(np.float64)
    batch_matrix = np.eye(3)
    batch_matrix[1:, 1:] = matrix                      # the first axis, the example, is kept
    moved = ndimage.affine_transform(images, batch_matrix, offset=(0.0, *offset), order=1,
                                     mode="constant", cval=0.0)
    return np.clip(moved, 0.0, 1.0).reshape(len(X), h * w).astype(np.float32)


def max_softmax_score(model: torch.nn.Module, X) -> np.ndarray:
    """The largest softmax probability of each example X (n, ...): the model's confidence,
    high on what it knows, and a baseline score for spotting out-of-distribution inputs.
    Returns (n,)."""
    logits = torch.as_tensor(predict(model, X))
    return torch.softmax(logits.double(), dim=1).max(dim=1).values.numpy()
