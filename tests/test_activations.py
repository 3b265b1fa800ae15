"""Activations: derivatives by finite differences and against torch.autograd, stability, bad input."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnlib.activations import (ACTIVATIONS, get_activation, sigmoid, sigmoid_prime, softmax,
                               softmax_backward, softplus, softplus_prime, step, step_prime)
from nnlib.gradcheck import check_gradient

torch.set_num_threads(1)

# torch's version of each activation, with the parameters nnlib uses by default
TORCH_ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, negative_slope=0.01),
    "elu": lambda z: F.elu(z, alpha=1.0),
    "softplus": F.softplus,
}


def away_from_zero(shape, seed=0, low=0.1, high=3.0):
    """Random numbers with 0.1 <= |z| <= 3: no test point sits on a kink (ReLU, ELU, step at 0)."""
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_finite_differences(name):
    f, f_prime = get_activation(name)
    z = away_from_zero((4, 5))
    R = np.random.default_rng(1).standard_normal(z.shape)  # L = sum(f(z) * R) mixes all entries
    error = check_gradient(lambda z_: np.sum(f(z_) * R), z, f_prime(z) * R)
    assert error < 1e-6, f"{name}_prime: relative error {error:.1e}, expected < 1e-6"


@pytest.mark.parametrize("name, alpha", [("leaky_relu", 0.2), ("elu", 0.5)])
def test_derivative_with_a_parameter_matches_finite_differences(name, alpha):
    f, f_prime = get_activation(name)
    z = away_from_zero((3, 4), seed=2)
    error = check_gradient(lambda z_: np.sum(f(z_, alpha=alpha)), z, f_prime(z, alpha=alpha))
    assert error < 1e-6


def test_softmax_backward_matches_finite_differences():
    z = np.random.default_rng(3).standard_normal((4, 6))
    R = np.random.default_rng(4).standard_normal(z.shape)
    error = check_gradient(lambda z_: np.sum(softmax(z_) * R), z, softmax_backward(softmax(z), R))
    assert error < 1e-6


@pytest.mark.parametrize("name", sorted(TORCH_ACTIVATIONS))
def test_values_and_derivatives_match_torch(name):
    f, f_prime = get_activation(name)
    z = away_from_zero((5, 7), seed=5)
    R = np.random.default_rng(6).standard_normal(z.shape)
    z_torch = torch.tensor(z, requires_grad=True)
    y_torch = TORCH_ACTIVATIONS[name](z_torch)
    (y_torch * torch.from_numpy(R)).sum().backward()
    np.testing.assert_allclose(f(z), y_torch.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(f_prime(z) * R, z_torch.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name, alpha, torch_f", [
    ("leaky_relu", 0.2, lambda z: F.leaky_relu(z, negative_slope=0.2)),
    ("elu", 0.5, lambda z: F.elu(z, alpha=0.5)),
])
def test_parameter_alpha_matches_torch(name, alpha, torch_f):
    f, f_prime = get_activation(name)
    z = away_from_zero((6,), seed=7)
    z_torch = torch.tensor(z, requires_grad=True)
    y_torch = torch_f(z_torch)
    y_torch.sum().backward()
    np.testing.assert_allclose(f(z, alpha=alpha), y_torch.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(f_prime(z, alpha=alpha), z_torch.grad.numpy(), rtol=1e-12)


def test_softmax_and_its_backward_match_torch():
    z = np.random.default_rng(8).standard_normal((4, 5)) * 3
    R = np.random.default_rng(9).standard_normal(z.shape)
    z_torch = torch.tensor(z, requires_grad=True)
    p_torch = torch.softmax(z_torch, dim=-1)
    (p_torch * torch.from_numpy(R)).sum().backward()
    p = softmax(z)
    np.testing.assert_allclose(p, p_torch.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(softmax_backward(p, R), z_torch.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_step_is_the_heaviside_function_with_zero_derivative():
    z = np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0])
    np.testing.assert_array_equal(step(z), [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(step(z), torch.heaviside(torch.tensor(z), torch.tensor(0.0, dtype=torch.float64)).numpy())
    np.testing.assert_array_equal(step_prime(z), np.zeros(5))


def test_relu_derivative_at_zero_is_zero_like_torch():
    z_torch = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    torch.relu(z_torch).sum().backward()
    assert get_activation("relu")[1](np.zeros(1))[0] == z_torch.grad.item() == 0.0


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_float32_stays_float32(name):
    f, f_prime = get_activation(name)
    z = away_from_zero((3, 2)).astype(np.float32)
    assert f(z).dtype == np.float32
    assert f_prime(z).dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_inputs_give_finite_values_without_warnings(dtype):
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s, s_prime = sigmoid(z), sigmoid_prime(z)
        sp, sp_prime = softplus(z), softplus_prime(z)
        p = softmax(np.stack([z, -z]))
        others = [f(z) for pair in ACTIVATIONS.values() for f in pair]
    for values in [s, s_prime, sp, sp_prime, p, *others]:
        assert np.all(np.isfinite(values))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    assert sp[0] == 0.0 and sp[-1] == 1000.0
    np.testing.assert_allclose(p, [[0, 0, 0, 0, 1], [1, 0, 0, 0, 0]], atol=1e-6)


def test_softmax_of_huge_scores_is_one_hot():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, -1000.0]]))
    np.testing.assert_array_equal(p, [[1, 0, 0], [0.5, 0.5, 0]])


@pytest.mark.parametrize("function", [sigmoid, softplus, softmax, step] +
                         [pair[1] for pair in ACTIVATIONS.values()])
@pytest.mark.parametrize("bad, message", [
    (np.array(["1.0", "2.0"]), "expected a numeric array"),
    (np.array([1.0, None], dtype=object), "expected a numeric array"),
    (np.array([0.5, np.nan]), "expected finite numbers"),
    (np.array([0.5, np.inf]), "expected finite numbers"),
])
def test_bad_input_is_refused(function, bad, message):
    with pytest.raises(ValueError, match=message):
        function(bad)


def test_softmax_wants_one_or_two_dimensions():
    with pytest.raises(ValueError, match=r"z: expected a 1-D or 2-D array, got shape \(2, 2, 2\)"):
        softmax(np.zeros((2, 2, 2)))


def test_softmax_backward_wants_matching_shapes():
    with pytest.raises(ValueError, match=r"expected the same shape, got \(2, 3\) and \(2, 4\)"):
        softmax_backward(np.full((2, 3), 1 / 3), np.zeros((2, 4)))


def test_unknown_activation_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"expected one of \[.*'relu'.*\], got 'rellu'"):
        get_activation("rellu")
