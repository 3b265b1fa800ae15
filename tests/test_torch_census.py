"""nnlib.torch.census: class histogram, entropy, confidence, nearest training digit."""
import numpy as np
import pytest
import torch

from nnlib.torch.census import digit_census, nearest_training_digits


class FixedScores(torch.nn.Module):
    """A 'classifier' whose logits are the first 10 pixels of each image."""

    def forward(self, x):
        return x.reshape(len(x), -1)[:, :10]


def images_voting(classes, margin=10.0):
    images = np.zeros((len(classes), 784), dtype=np.float32)
    images[np.arange(len(classes)), classes] = margin
    return images


def test_census_counts_classes_and_confidence():
    census = digit_census(FixedScores(), images_voting([3, 3, 7, 1], margin=10.0))
    np.testing.assert_array_equal(census.predicted, [3, 3, 7, 1])
    np.testing.assert_array_equal(census.counts, [0, 1, 0, 2, 0, 0, 0, 1, 0, 0])
    np.testing.assert_allclose(census.shares.sum(), 1.0)
    expected_confidence = np.exp(10) / (np.exp(10) + 9)
    np.testing.assert_allclose(census.confidence, expected_confidence)
    assert census.confident_share(0.9) == 1.0
    assert census.confident_share(0.99999) == 0.0


def test_entropy_is_log_10_for_equal_classes_and_0_for_one():
    assert digit_census(FixedScores(), images_voting(np.arange(10).repeat(3))).entropy == pytest.approx(np.log(10))
    assert digit_census(FixedScores(), images_voting([4] * 5)).entropy == 0.0


def test_low_margin_means_low_confidence():
    census = digit_census(FixedScores(), images_voting([2, 5], margin=0.5))
    assert np.all(census.confidence < 0.2)
    assert census.confident_share() == 0.0


def test_nearest_training_digit_finds_copies():
    rng = np.random.default_rng(0)
    X_train = rng.uniform(size=(50, 784))
    samples = X_train[[7, 21]] + 0.001
    index, distance = nearest_training_digits(samples, X_train)
    np.testing.assert_array_equal(index, [7, 21])
    np.testing.assert_allclose(distance, 0.001 * np.sqrt(784), rtol=1e-3)


@pytest.mark.parametrize("call, message", [
    (lambda: nearest_training_digits(np.zeros((2, 5)), np.zeros((3, 4))), "expected rows of the same length"),
    (lambda: digit_census(FixedScores(), np.zeros(784)), "images: expected a 2-D or 4-D"),
    (lambda: digit_census(torch.nn.Linear(784, 3), np.zeros((2, 784))), "expected 10 scores per image"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
