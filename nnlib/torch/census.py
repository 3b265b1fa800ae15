"""A digit census: what a classifier says about a set of images (a generator's samples, or real digits).

- ``digit_census(classifier, images)``: the classifier's predicted class and confidence (its
  largest softmax probability) for every image, the class histogram, its entropy (in nats;
  log 10 = 2.30 for ten equal classes) and the share of images classified with confidence
  of at least a threshold.
- ``nearest_training_digits(samples, X_train)``: for every sample its nearest training digit
  in Euclidean distance: a generator that memorizes returns copies (distance near 0).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .._checks import as_float_array, as_number
from .train import predict

N_CLASSES = 10


@dataclass(frozen=True)
class Census:
    """``predicted`` (n,) classes and ``confidence`` (n,) largest softmax probabilities."""
    predicted: np.ndarray
    confidence: np.ndarray

    @property
    def counts(self) -> np.ndarray:
        """Images per class (10,)."""
        return np.bincount(self.predicted, minlength=N_CLASSES)

    @property
    def shares(self) -> np.ndarray:
        """The share of images per class (10,), summing to 1."""
        return self.counts / len(self.predicted)

    @property
    def entropy(self) -> float:
        """The entropy of the class shares in nats: log 10 when the classes are equal, 0 for one class."""
        shares = self.shares[self.shares > 0]
        return float(-np.sum(shares * np.log(shares)))

    def confident_share(self, threshold: float = 0.9) -> float:
        """The share of images classified with confidence >= ``threshold``."""
        threshold = as_number(threshold, "threshold", minimum=0.0)
        return float(np.mean(self.confidence >= threshold))


def digit_census(classifier: torch.nn.Module, images) -> Census:
    """The classifier's census of ``images`` (n, 784) (or (n, 1, 28, 28)), in evaluation mode."""
    images = as_float_array(images, "images", ndim=(2, 4))
    logits = torch.as_tensor(predict(classifier, images)).double()
    if logits.ndim != 2 or logits.shape[1] != N_CLASSES:
        raise ValueError(f"classifier: expected {N_CLASSES} scores per image, got outputs of shape {tuple(logits.shape)}")
    probabilities = torch.softmax(logits, dim=1)
    confidence, predicted = probabilities.max(dim=1)
    return Census(predicted.numpy(), confidence.numpy())


def nearest_training_digits(samples, X_train) -> tuple[np.ndarray, np.ndarray]:
    """For samples (n, d) and training rows (m, d): the index (n,) of each sample's nearest
    training row and the Euclidean distance (n,) to it."""
    samples = as_float_array(samples, "samples", ndim=2).astype(np.float64)
    X_train = as_float_array(X_train, "X_train", ndim=2).astype(np.float64)
    if samples.shape[1] != X_train.shape[1]:
        raise ValueError(f"samples and X_train: expected rows of the same length, got {samples.shape[1]} and {X_train.shape[1]}")
    squared = ((samples ** 2).sum(1)[:, None] - 2 * samples @ X_train.T + (X_train ** 2).sum(1)[None, :])
    nearest = squared.argmin(axis=1)
    return nearest, np.sqrt(np.maximum(squared[np.arange(len(samples)), nearest], 0.0))
