"""Stored weights of notebook 08's digit GAN, trained longer than a notebook may take, and the recipe that made them.

A GAN that draws digits LeNet-5 reads with confidence needs tens of thousands of training
steps, about six minutes on one thread: far more than the lecture's budget. So the generator
is stored (``digit_gan_offline.pt`` in this folder, 1.8 MB), together with its training history
and a fixed-noise sample grid at a few steps of training, and the lecture loads it with
``load_digit_gan()``. This module is also the script that made it, on the offline MNIST
default, with a fixed seed:

    .venv/bin/python -m nnlib.torch.checkpoints.digit_gan   # rewrites digit_gan_offline.pt

Recipe (``train_digit_gan``): ``digit_generator(0)`` (32 noise numbers -> 256 -> 384 -> 784
pixels, batch norm and LeakyReLU between, sigmoid at the end) against ``digit_discriminator(0)``
(784 -> 256 -> 128, LeakyReLU, the ``MinibatchStd`` feature, -> 1 logit); the non-saturating
loss; Adam with learning rate 2e-4 and betas (0.5, 0.999) for both, decayed linearly to 0
over the last 10,000 steps (``learning_rate_factor``); 40,000 steps of
``nnlib.torch.gans.fit_gan`` on mini-batches of 64 of the 4,500 offline training and validation
digits (the 500 test digits stay unseen), shuffling and noise seed 0; PyTorch on one thread.
In shorter trials (12,000 steps, a smaller generator 32 -> 128 -> 256 -> 784, on the 4,000
training digits), without batch norm in G every sample was read as one class, a different one
every few thousand steps (mode collapse and hopping), with or without the minibatch feature;
with batch norm but without the feature, two classes stayed at 2 to 3 % of the samples.
"""
from __future__ import annotations

import numpy as np
import torch

from ...mnist import load_mnist
from ...seeding import seed_everything
from ..census import digit_census
from ..gans import GanHistory, Generator, fit_gan, mlp_discriminator, mlp_generator, noise, sample
from . import checkpoint_path, load_checkpoint, rebuild
from .lenet5 import load_lenet5

DIGIT_GAN_CHECKPOINT = checkpoint_path("digit_gan_offline.pt")
LATENT_DIM, G_HIDDEN, D_HIDDEN = 32, (256, 384), (256, 128)
STEPS, DECAY_FROM, BATCH_SIZE, LEARNING_RATE, BETAS, SEED = 40_000, 30_000, 64, 2e-4, (0.5, 0.999), 0
SNAPSHOT_STEPS = (500, 2000, 5000, 10_000, 20_000, 40_000)
N_SNAPSHOT = 16   # fixed-noise samples stored at every snapshot step
RECORD_EVERY = 250


def digit_generator(seed: int) -> Generator:
    """The digit GAN's generator: z (n, 32) -> pixels (n, 784) in [0, 1]."""
    return mlp_generator(seed, LATENT_DIM, G_HIDDEN, 784, output="sigmoid", batch_norm=True)


def digit_discriminator(seed: int) -> torch.nn.Sequential:
    """The digit GAN's discriminator: pixels (n, 784) -> logits (n, 1)."""
    return mlp_discriminator(seed, 784, D_HIDDEN, minibatch_std=True)


def adam_pair(generator: torch.nn.Module, discriminator: torch.nn.Module):
    """The recipe's two optimizers, (for G, for D)."""
    return tuple(torch.optim.Adam(m.parameters(), lr=LEARNING_RATE, betas=BETAS) for m in (generator, discriminator))


def learning_rate_factor(step: int) -> float:
    """The recipe's schedule: the full learning rate up to DECAY_FROM steps, then linearly down to 0 at STEPS."""
    return min(1.0, (STEPS - step) / (STEPS - DECAY_FROM))


def training_digits() -> np.ndarray:
    """The 4,500 offline training and validation digits (n, 784) the GAN learns from."""
    mnist = load_mnist(source="offline")
    return np.concatenate([mnist.X_train, mnist.X_val])


def train_digit_gan(progress: bool | None = None) -> tuple[Generator, GanHistory, np.ndarray]:
    """The generator trained by the recipe above, its history, and the fixed-noise samples
    (len(SNAPSHOT_STEPS), N_SNAPSHOT, 784) at the snapshot steps (deterministic on a given CPU)."""
    seed_everything(SEED)
    generator, discriminator = digit_generator(SEED), digit_discriminator(SEED)
    g_optimizer, d_optimizer = adam_pair(generator, discriminator)
    fixed_noise, snapshots = noise(N_SNAPSHOT, LATENT_DIM, rng=SEED + 1), []

    def snapshot(step, generator, discriminator):
        if step in SNAPSHOT_STEPS:
            generator.eval()
            with torch.no_grad():
                snapshots.append(generator(fixed_noise).numpy())
            generator.train()

    schedulers = [torch.optim.lr_scheduler.LambdaLR(o, learning_rate_factor) for o in (g_optimizer, d_optimizer)]
    history = fit_gan(generator, discriminator, training_digits(), steps=STEPS, batch_size=BATCH_SIZE,
                      g_optimizer=g_optimizer, d_optimizer=d_optimizer, rng=SEED, record_every=RECORD_EVERY,
                      schedulers=schedulers, callback=snapshot, progress=progress)
    return generator.eval(), history, np.stack(snapshots)


def stored_state(generator: Generator, history: GanHistory, snapshots: np.ndarray) -> dict:
    """What the checkpoint file holds: G's weights, the history, the snapshots (half precision)."""
    return {"generator": generator.state_dict(), "record_every": history.every,
            "d_loss": history.d_loss, "g_loss": history.g_loss, "d_real": history.d_real,
            "d_fake": history.d_fake, "snapshots": torch.as_tensor(snapshots).half()}


def load_digit_gan(path=DIGIT_GAN_CHECKPOINT) -> tuple[Generator, GanHistory, np.ndarray]:
    """The stored generator (evaluation mode), its training history and fixed-noise snapshots."""
    stored = load_checkpoint(path)
    generator = digit_generator(SEED)
    generator.load_state_dict(stored["generator"])
    history = GanHistory(stored["record_every"], *(stored[name] for name in ("d_loss", "g_loss", "d_real", "d_fake")))
    return generator.eval(), history, stored["snapshots"].float().numpy()


def describe() -> str:
    """The stored LeNet-5's census of 1,000 samples of the stored generator."""
    generator, _, _ = load_digit_gan()
    census = digit_census(load_lenet5(), sample(generator, 1000, rng=SEED))
    return (f"LeNet-5 on 1,000 samples: smallest class share {census.shares.min():.3f}, "
            f"confidence >= 0.9 on {census.confident_share(0.9):.3f}")


if __name__ == "__main__":
    rebuild(DIGIT_GAN_CHECKPOINT, lambda: stored_state(*train_digit_gan()), describe)
