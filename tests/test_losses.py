"""Losses: gradients by finite differences and against torch.autograd, stability, bad input."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnlib.activations import sigmoid, softmax
from nnlib.gradcheck import check_gradient
from nnlib.losses import (LOSSES, binary_cross_entropy, binary_cross_entropy_grad,
                          binary_cross_entropy_with_logits, binary_cross_entropy_with_logits_grad,
                          cross_entropy, cross_entropy_grad, get_loss, mse, mse_grad, one_hot,
                          softmax_cross_entropy, softmax_cross_entropy_grad)

torch.set_num_threads(1)

rng = np.random.default_rng(0)
N, K = 6, 4
LABELS = rng.integers(0, K, N)
LOGITS = rng.standard_normal((N, K)) * 2
PROBS = softmax(LOGITS)
BINARY_Y = rng.integers(0, 2, (N, 1)).astype(float)
BINARY_P = rng.uniform(0.05, 0.95, (N, 1))  # away from 0 and 1, where the loss clips
REGRESSION = (rng.standard_normal((N, K)), rng.standard_normal((N, K)))

# (loss, its first argument, the target): every loss on every kind of target it takes
CASES = {
    "mse 2-D": ("mse", *REGRESSION),
    "mse 1-D": ("mse", REGRESSION[0][:, 0], REGRESSION[1][:, 0]),
    "binary_cross_entropy": ("binary_cross_entropy", BINARY_P, BINARY_Y),
    "binary_cross_entropy soft targets": ("binary_cross_entropy", BINARY_P, rng.uniform(0, 1, (N, 1))),
    "binary_cross_entropy_with_logits": ("binary_cross_entropy_with_logits", LOGITS[:, :1], BINARY_Y),
    "cross_entropy labels": ("cross_entropy", PROBS, LABELS),
    "cross_entropy one-hot": ("cross_entropy", PROBS, one_hot(LABELS, K)),
    "softmax_cross_entropy labels": ("softmax_cross_entropy", LOGITS, LABELS),
    "softmax_cross_entropy one-hot": ("softmax_cross_entropy", LOGITS, one_hot(LABELS, K)),
    "softmax_cross_entropy soft targets": ("softmax_cross_entropy", LOGITS, softmax(rng.standard_normal((N, K)))),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradient_matches_finite_differences(case):
    name, a, target = CASES[case]
    loss, loss_grad = get_loss(name)
    error = check_gradient(lambda a_: loss(a_, target), a.copy(), loss_grad(a, target))
    assert error < 1e-6, f"{case}: relative error {error:.1e}, expected < 1e-6"


def torch_mse(a, y):
    """The lectures' C = 1/(2n) sum ||y - a||^2; torch's mse_loss averages over all n*k entries."""
    return 0.5 * F.mse_loss(a, y, reduction="sum") / a.shape[0]


TORCH_LOSSES = {
    "mse": torch_mse,
    "binary_cross_entropy": F.binary_cross_entropy,
    "binary_cross_entropy_with_logits": F.binary_cross_entropy_with_logits,
    "cross_entropy": lambda p, y: F.nll_loss(torch.log(p), y) if y.ndim == 1 else -(y * torch.log(p)).sum(1).mean(),
    "softmax_cross_entropy": F.cross_entropy,  # takes labels or class probabilities
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_value_and_gradient_match_torch(case):
    name, a, target = CASES[case]
    loss, loss_grad = get_loss(name)
    a_torch = torch.tensor(a, requires_grad=True)
    value = TORCH_LOSSES[name](a_torch, torch.from_numpy(target))
    value.backward()
    np.testing.assert_allclose(loss(a, target), value.item(), rtol=1e-12)
    np.testing.assert_allclose(loss_grad(a, target), a_torch.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_mse_is_the_lectures_quadratic_cost():
    a = np.array([[0.5, 0.0], [1.0, 1.0]])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    # C = 1/(2n) sum ||y - a||^2 = 1/4 * (0.25 + 1) = 0.3125
    assert mse(a, y) == pytest.approx(0.3125)
    np.testing.assert_allclose(mse_grad(a, y), (a - y) / 2)


def test_cross_entropy_uses_the_natural_log():
    # the slides print -log10(p); libraries (and nnlib) use ln: -ln(0.27) = 1.309
    assert cross_entropy(np.array([[0.27, 0.73]]), np.array([0])) == pytest.approx(-np.log(0.27))
    assert binary_cross_entropy(np.array([0.73]), np.array([1.0])) == pytest.approx(-np.log(0.73))


def test_losses_from_logits_equal_losses_from_probabilities():
    z = LOGITS[:, :1]
    assert binary_cross_entropy_with_logits(z, BINARY_Y) == pytest.approx(binary_cross_entropy(sigmoid(z), BINARY_Y))
    assert softmax_cross_entropy(LOGITS, LABELS) == pytest.approx(cross_entropy(PROBS, LABELS))


def test_one_hot():
    np.testing.assert_array_equal(one_hot(np.array([2, 0, 1]), 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_logits_give_finite_losses_without_warnings(dtype):
    z = np.array([[1000.0], [-1000.0], [1000.0], [-1000.0]], dtype=dtype)
    y = np.array([[0.0], [1.0], [1.0], [0.0]], dtype=dtype)
    logits = np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0]], dtype=dtype)
    labels = np.array([2, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bce, bce_grad = binary_cross_entropy_with_logits(z, y), binary_cross_entropy_with_logits_grad(z, y)
        ce, ce_grad = softmax_cross_entropy(logits, labels), softmax_cross_entropy_grad(logits, labels)
    # two confidently wrong answers at 1000 each, two right ones at 0, averaged over 4
    assert bce == pytest.approx(500.0)
    np.testing.assert_allclose(bce_grad.ravel(), [0.25, -0.25, 0.0, 0.0])
    assert ce == pytest.approx(1000.0)  # -log p = 2000 for the first row, 0 for the second
    np.testing.assert_allclose(ce_grad, [[0.5, 0, -0.5], [0, 0, 0]], atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_certain_probabilities_give_finite_losses_without_warnings(dtype):
    p = np.array([[0.0], [1.0], [1.0]], dtype=dtype)
    y = np.array([[1.0], [0.0], [1.0]], dtype=dtype)
    probs = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = [binary_cross_entropy(p, y), binary_cross_entropy_grad(p, y),
                  cross_entropy(probs, np.array([1, 1])), cross_entropy_grad(probs, np.array([1, 1]))]
    for value in values:
        assert np.all(np.isfinite(value))
    assert values[0] > 10  # confidently wrong costs a lot


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("bad, message", [
    (np.array([["a", "b"]]), "expected a numeric array"),
    (np.array([[0.5, None]], dtype=object), "expected a numeric array"),
    (np.array([[0.5, np.nan]]), "expected finite numbers"),
    (np.zeros((0, 2)), r"expected a non-empty array, got shape \(0, 2\)"),
])
def test_bad_first_argument_is_refused(name, bad, message):
    for function in get_loss(name):
        with pytest.raises(ValueError, match=message):
            function(bad, np.array([[0.0, 1.0]]))


@pytest.mark.parametrize("name", ["mse", "binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_shape_mismatch_is_refused(name):
    for function in get_loss(name):
        with pytest.raises(ValueError, match=r"expected the same shape, got \(3, 1\) and \(3,\)"):
            function(np.full((3, 1), 0.5), np.ones(3))


@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_binary_targets_outside_0_1_are_refused(name):
    for function in get_loss(name):
        with pytest.raises(ValueError, match=r"expected values in \[0, 1\]"):
            function(np.full((2, 1), 0.5), np.array([[1.0], [2.0]]))


@pytest.mark.parametrize("name", ["cross_entropy", "softmax_cross_entropy"])
@pytest.mark.parametrize("target, message", [
    (np.array([0, 3]), r"expected labels in \[0, 3\), got values from 0 to 3"),
    (np.array([0, 1, 2]), "expected 2 labels, one per row, got 3"),
    (np.array([0.5, 1.0]), "expected whole-number class labels"),
    (np.array(["0", "1"]), "expected integer class labels"),
    (np.zeros((2, 4)), r"expected the same shape, got \(2, 3\) and \(2, 4\)"),
])
def test_bad_class_targets_are_refused(name, target, message):
    for function in get_loss(name):
        with pytest.raises(ValueError, match=message):
            function(np.full((2, 3), 1 / 3), target)


def test_unknown_loss_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"expected one of \[.*'mse'.*\], got 'l2'"):
        get_loss("l2")
