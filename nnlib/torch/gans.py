"""Generative adversarial networks in PyTorch: the two players, their losses, one training step,
a training loop with its history, and sampling.

A generator G maps noise z (n, latent_dim), drawn from N(0, I), to samples (n, d); a
discriminator D maps samples (n, d) to one score (logit) each, (n, 1): D(x) = sigmoid(logit)
is its probability that x is real. Losses take logits, never probabilities: log(sigmoid(l))
= -softplus(-l) is computed without overflow for any l.

- ``mlp_generator`` / ``mlp_discriminator``: small MLP players (the 2-D toy, MLP digits); the
  discriminator may see a ``MinibatchStd`` feature, the spread of its batch, against mode collapse.
- ``discriminator_loss(real_logits, fake_logits)``: the binary cross-entropy of D with label 1
  for real and 0 for fake samples, the mean over each, summed (2 log 2 at D = 1/2 everywhere).
- ``generator_loss(fake_logits, kind)``: "minimax", E[log(1 - D(G(z)))] as in the value
  function, or "non-saturating", -E[log D(G(z))] (Goodfellow et al. 2014).
- ``gan_step``: one step of D (on detached fakes) then one of G (against the updated D).
- ``fit_gan``: ``steps`` calls of ``gan_step`` on mini-batches of a data set, a ``GanHistory``.
- ``sample``: n samples from G for a seed or NumPy Generator, in evaluation mode.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._checks import as_float_array, as_generator, as_int
from ..progress import progress as progress_bar
from .models import seeded_model

GENERATOR_LOSSES = ("minimax", "non-saturating")


class Generator(nn.Sequential):
    """An ``nn.Sequential`` that remembers the size of its noise input: z (n, latent_dim) -> (n, d)."""

    def __init__(self, latent_dim: int, *layers: nn.Module):
        super().__init__(*layers)
        self.latent_dim = as_int(latent_dim, "latent_dim")


def _mlp_layers(sizes: list[int], slope: float, batch_norm: bool = False) -> list[nn.Module]:
    """Linear layers between consecutive ``sizes``, (BatchNorm and) LeakyReLU(slope) between them, none at the end."""
    layers: list[nn.Module] = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out), *([nn.BatchNorm1d(n_out)] if batch_norm else []), nn.LeakyReLU(slope)]
    return layers[:-2] if batch_norm else layers[:-1]


def mlp_generator(seed: int, latent_dim: int = 2, hidden: tuple[int, ...] = (64, 64), out_dim: int = 2,
                  output: str = "linear", batch_norm: bool = False) -> Generator:
    """latent_dim -> hidden... ((BatchNorm,) LeakyReLU 0.2) -> out_dim; ``output`` "linear" (points
    in the plane) or "sigmoid" (pixels in [0, 1]). Starting weights depend on ``seed`` only."""
    if output not in ("linear", "sigmoid"):
        raise ValueError(f"output: expected 'linear' or 'sigmoid', got {output!r}")
    sizes = [as_int(latent_dim, "latent_dim"), *(as_int(h, "hidden") for h in hidden), as_int(out_dim, "out_dim")]
    last = [nn.Sigmoid()] if output == "sigmoid" else []
    return seeded_model(lambda: Generator(sizes[0], *_mlp_layers(sizes, 0.2, batch_norm), *last), seed)


class MinibatchStd(nn.Module):
    """(n, f) -> (n, f + 1): appends to every row the batch's standard deviation of each
    feature, averaged over the features (Karras et al. 2018). A batch of near-copies (a
    collapsed generator) shows a small value that D can learn to reject."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        spread = x.std(dim=0, unbiased=False).mean() if len(x) > 1 else x.new_zeros(())
        return torch.cat([x, spread.expand(len(x), 1)], dim=1)


def mlp_discriminator(seed: int, in_dim: int = 2, hidden: tuple[int, ...] = (64, 64),
                      minibatch_std: bool = False) -> nn.Sequential:
    """in_dim -> hidden... (LeakyReLU 0.2) -> 1 logit (no sigmoid); with ``minibatch_std`` a
    ``MinibatchStd`` feature joins the last hidden layer. Starting weights depend on ``seed`` only."""
    sizes = [as_int(in_dim, "in_dim"), *(as_int(h, "hidden") for h in hidden), 1]
    if not minibatch_std:
        return seeded_model(lambda: nn.Sequential(nn.Flatten(), *_mlp_layers(sizes, 0.2)), seed)
    return seeded_model(lambda: nn.Sequential(nn.Flatten(), *_mlp_layers(sizes[:-1], 0.2), nn.LeakyReLU(0.2),
                                              MinibatchStd(), nn.Linear(sizes[-2] + 1, 1)), seed)


def _logits(logits, name: str) -> torch.Tensor:
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point():
        raise ValueError(f"{name}: expected a float tensor of logits, got {type(logits).__name__}")
    if logits.numel() == 0:
        raise ValueError(f"{name}: expected at least one logit, got shape {tuple(logits.shape)}")
    return logits


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """-E[log D(x)] - E[log(1 - D(G(z)))] from D's logits on real (n,...) and fake (m,...) samples."""
    real_logits, fake_logits = _logits(real_logits, "real_logits"), _logits(fake_logits, "fake_logits")
    return (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
            + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))


def generator_loss(fake_logits: torch.Tensor, kind: str = "non-saturating") -> torch.Tensor:
    """G's loss from D's logits on fakes: "minimax" E[log(1 - D)] = -E[softplus(l)], or
    "non-saturating" -E[log D] = E[softplus(-l)]. Per logit, the minimax gradient is -D,
    which vanishes when D rejects the fakes (D -> 0); the non-saturating one is -(1 - D)."""
    fake_logits = _logits(fake_logits, "fake_logits")
    if kind == "minimax":
        return -F.softplus(fake_logits).mean()
    if kind == "non-saturating":
        return F.softplus(-fake_logits).mean()
    raise ValueError(f"kind: expected one of {GENERATOR_LOSSES}, got {kind!r}")


@dataclass(frozen=True)
class StepResult:
    """One ``gan_step``: the two losses, and D's mean probability on the real and fake batch."""
    d_loss: float
    g_loss: float
    d_real: float
    d_fake: float


def gan_step(generator: nn.Module, discriminator: nn.Module, g_optimizer: torch.optim.Optimizer,
             d_optimizer: torch.optim.Optimizer, real: torch.Tensor, z: torch.Tensor,
             kind: str = "non-saturating") -> StepResult:
    """D's step on real (n, d) and G(z).detach() (no gradient reaches G), then G's step on
    G(z) against the updated D (only ``g_optimizer`` steps; D's gradients are cleared after)."""
    fake = generator(z)
    d_optimizer.zero_grad()
    real_logits, fake_logits = discriminator(real), discriminator(fake.detach())
    d_loss = discriminator_loss(real_logits, fake_logits)
    d_loss.backward()
    d_optimizer.step()

    g_optimizer.zero_grad()
    g_loss = generator_loss(discriminator(fake), kind)
    g_loss.backward()
    g_optimizer.step()
    d_optimizer.zero_grad()   # G's backward wrote gradients into D: none may reach its next step
    return StepResult(d_loss.item(), g_loss.item(), torch.sigmoid(real_logits).mean().item(),
                      torch.sigmoid(fake_logits).mean().item())


@dataclass
class GanHistory:
    """Per recorded step: the losses and D's mean probabilities, averaged over ``every`` steps."""
    every: int
    d_loss: list[float] = field(default_factory=list)
    g_loss: list[float] = field(default_factory=list)
    d_real: list[float] = field(default_factory=list)
    d_fake: list[float] = field(default_factory=list)

    @property
    def steps(self) -> np.ndarray:
        """The step numbers (1-based) at the end of each recorded block."""
        return self.every * np.arange(1, len(self.d_loss) + 1)

    def record(self, results: list[StepResult]) -> None:
        for name in ("d_loss", "g_loss", "d_real", "d_fake"):
            getattr(self, name).append(float(np.mean([getattr(r, name) for r in results])))


def noise(n: int, latent_dim: int, rng) -> torch.Tensor:
    """z (n, latent_dim): float32 standard normal noise drawn from a seed or NumPy Generator."""
    n, latent_dim = as_int(n, "n"), as_int(latent_dim, "latent_dim")
    return torch.as_tensor(as_generator(rng).standard_normal((n, latent_dim)), dtype=torch.float32)


def fit_gan(generator: Generator, discriminator: nn.Module, X, *, steps: int, batch_size: int,
            g_optimizer: torch.optim.Optimizer, d_optimizer: torch.optim.Optimizer, rng,
            kind: str = "non-saturating", record_every: int = 50, schedulers=(), callback=None,
            progress: bool | None = None) -> GanHistory:
    """``steps`` calls of ``gan_step``: real batches of ``batch_size`` rows drawn from X (n, d)
    by ``rng`` (an epoch's permutation at a time), fresh noise from ``rng`` every step.

    schedulers: ``torch.optim.lr_scheduler`` objects, stepped after every step.
    callback: optional ``callback(step, generator, discriminator)``, called after every
    ``record_every`` steps (for snapshots). progress: a bar (None: unless NNLIB_PROGRESS=0).
    """
    X = torch.as_tensor(as_float_array(X, "X", ndim=2), dtype=torch.float32)
    steps, batch_size = as_int(steps, "steps"), as_int(batch_size, "batch_size")
    record_every = as_int(record_every, "record_every")
    if batch_size > len(X):
        raise ValueError(f"batch_size: expected at most the {len(X)} rows of X, got {batch_size}")
    if any(not callable(getattr(s, "step", None)) for s in schedulers):
        raise ValueError(f"schedulers: expected learning-rate schedulers with a step() method, got {schedulers!r}")
    if callback is not None and not callable(callback):
        raise ValueError(f"callback: expected a function (step, generator, discriminator), got {callback!r}")
    rng = as_generator(rng)
    history, block, order = GanHistory(record_every), [], np.empty(0, dtype=np.int64)
    generator.train()
    discriminator.train()
    for step in progress_bar(range(1, steps + 1), enabled=progress, desc="GAN steps", unit="step"):
        if len(order) < batch_size:
            order = rng.permutation(len(X))
        rows, order = order[:batch_size], order[batch_size:]
        block.append(gan_step(generator, discriminator, g_optimizer, d_optimizer, X[rows],
                              noise(batch_size, generator.latent_dim, rng), kind))
        for scheduler in schedulers:
            scheduler.step()
        if step % record_every == 0:
            history.record(block)
            block = []
            if callback is not None:
                callback(step, generator, discriminator)
    return history


def sample(generator: Generator, n: int, rng) -> np.ndarray:
    """n samples (n, d) of G for noise drawn from ``rng`` (a seed or a NumPy Generator):
    evaluation mode, no gradients, the mode restored."""
    z = noise(n, generator.latent_dim, rng)
    was_training = generator.training
    generator.eval()
    try:
        with torch.no_grad():
            return generator(z).numpy()
    finally:
        generator.train(was_training)


def decision_surface(discriminator: nn.Module, xlim: tuple[float, float], ylim: tuple[float, float],
                     resolution: int = 100) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """D(x) = sigmoid(logit) on a grid over the plane: xs (r,), ys (r,), probabilities (r, r)."""
    resolution = as_int(resolution, "resolution", minimum=2)
    xs, ys = np.linspace(*xlim, resolution), np.linspace(*ylim, resolution)
    grid = torch.as_tensor(np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2), dtype=torch.float32)
    with torch.no_grad():
        probabilities = torch.sigmoid(discriminator(grid)).reshape(resolution, resolution).numpy()
    return xs, ys, probabilities
