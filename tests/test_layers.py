"""Layers: gradient checks, agreement with torch.autograd, initialisation, bad input."""
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnlib.activations import ACTIVATIONS
from nnlib.gradcheck import check_layer
from nnlib.layers import Activation, Dense, Dropout, Layer, Softmax

torch.set_num_threads(1)


def away_from_zero(shape, seed=0):
    """Random inputs with 0.1 <= |x| <= 2, so no activation is checked on its kink at 0."""
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 2.0, size=shape)


class FixedMaskDropout(Dropout):
    """Dropout that draws the same mask at every call, as a gradient check needs."""

    def _forward(self, x, training):
        self.rng = np.random.default_rng(123)
        return super()._forward(x, training)


def assert_gradients_check(layer, x, training=False):
    errors = check_layer(layer, x, training=training)
    assert set(errors) == {"x", *layer.params}
    for name, error in errors.items():
        assert error < 1e-6, f"{layer}: relative error for {name} is {error:.1e}, expected < 1e-6"


# ---------------------------------------------------------------- gradient checks


@pytest.mark.parametrize("init", ["he", "xavier", "normal"])
def test_dense_passes_the_gradient_check(init):
    assert_gradients_check(Dense(5, 3, rng=0, init=init, dtype=np.float64), away_from_zero((4, 5)))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_layer_passes_the_gradient_check(name):
    assert_gradients_check(Activation(name), away_from_zero((4, 6), seed=1))


@pytest.mark.parametrize("name, alpha", [("leaky_relu", 0.3), ("elu", 2.0)])
def test_activation_layer_with_a_parameter_passes_the_gradient_check(name, alpha):
    assert_gradients_check(Activation(name, alpha=alpha), away_from_zero((3, 5), seed=2))


def test_softmax_layer_passes_the_gradient_check():
    assert_gradients_check(Softmax(), away_from_zero((4, 5), seed=3))


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_in_training_mode_with_a_fixed_mask_passes_the_gradient_check(p):
    layer = FixedMaskDropout(p, rng=0)
    x = away_from_zero((5, 8), seed=4)
    assert_gradients_check(layer, x, training=True)
    assert 0 < np.mean(layer.forward(x, training=True) == 0) < 1  # the check ran with a real mask


def test_dropout_at_test_time_passes_the_gradient_check():
    assert_gradients_check(Dropout(0.5, rng=0), away_from_zero((3, 4)))


# ---------------------------------------------------------------- against torch


def test_dense_matches_torch():
    layer = Dense(6, 4, rng=1, dtype=np.float64)
    x = np.random.default_rng(2).standard_normal((5, 6))
    R = np.random.default_rng(3).standard_normal((5, 4))
    x_t = torch.tensor(x, requires_grad=True)
    W_t = torch.tensor(layer.params["W"], requires_grad=True)
    b_t = torch.tensor(layer.params["b"], requires_grad=True)
    z_t = x_t @ W_t + b_t
    (z_t * torch.from_numpy(R)).sum().backward()

    np.testing.assert_allclose(layer.forward(x), z_t.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.backward(R), x_t.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.grads["W"], W_t.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.grads["b"], b_t.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("layer, torch_f", [
    (Activation("sigmoid"), torch.sigmoid),
    (Activation("tanh"), torch.tanh),
    (Activation("relu"), torch.relu),
    (Activation("leaky_relu", alpha=0.1), lambda z: F.leaky_relu(z, 0.1)),
    (Activation("elu"), F.elu),
    (Activation("softplus"), F.softplus),
    (Softmax(), lambda z: torch.softmax(z, dim=1)),
], ids=lambda value: repr(value) if isinstance(value, Layer) else "torch")
def test_layer_without_parameters_matches_torch(layer, torch_f):
    x = away_from_zero((4, 5), seed=5)
    R = np.random.default_rng(6).standard_normal(x.shape)
    x_t = torch.tensor(x, requires_grad=True)
    y_t = torch_f(x_t)
    (y_t * torch.from_numpy(R)).sum().backward()
    np.testing.assert_allclose(layer.forward(x), y_t.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.backward(R), x_t.grad.numpy(), rtol=1e-10, atol=1e-15)


# ---------------------------------------------------------------- Dense


@pytest.mark.parametrize("init, std", [("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(2 / 500)), ("normal", 1.0)])
def test_dense_initialisation_has_the_documented_spread(init, std):
    layer = Dense(400, 100, rng=0, init=init)
    assert layer.params["W"].std() == pytest.approx(std, rel=0.02)
    assert layer.params["W"].mean() == pytest.approx(0.0, abs=0.01 * std)
    if init == "normal":  # Nielsen's network draws its biases from N(0, 1) too
        assert layer.params["b"].std() == pytest.approx(1.0, rel=0.2)
    else:
        np.testing.assert_array_equal(layer.params["b"], 0.0)


def test_dense_defaults_to_float32_and_keeps_it():
    layer = Dense(3, 2, rng=0)
    assert layer.params["W"].dtype == layer.params["b"].dtype == np.float32
    z = layer.forward(np.ones((4, 3)))  # float64 input
    assert z.dtype == np.float32
    assert layer.backward(np.ones((4, 2))).dtype == np.float32
    assert layer.grads["W"].dtype == np.float32


def test_same_seed_same_weights_in_both_precisions():
    a, b = Dense(5, 4, rng=7), Dense(5, 4, rng=7, dtype=np.float64)
    np.testing.assert_array_equal(a.params["W"], b.params["W"].astype(np.float32))
    assert not np.array_equal(Dense(5, 4, rng=8).params["W"], a.params["W"])


def test_dense_accepts_a_generator_and_advances_it():
    rng = np.random.default_rng(0)
    first, second = Dense(3, 3, rng), Dense(3, 3, rng)
    assert not np.array_equal(first.params["W"], second.params["W"])


def test_dense_backward_fills_grads_in_place_and_can_skip_grad_x():
    layer = Dense(4, 3, rng=0, dtype=np.float64)
    x, R = away_from_zero((5, 4)), away_from_zero((5, 3), seed=1)
    grad_W = layer.grads["W"]
    layer.forward(x)
    layer.backward(R)
    expected = {name: g.copy() for name, g in layer.grads.items()}
    layer.forward(x)
    assert layer.backward(R, need_grad_x=False) is None
    assert layer.grads["W"] is grad_W
    for name, g in expected.items():
        np.testing.assert_array_equal(layer.grads[name], g)


def test_n_params_counts_weights_and_biases():
    assert Dense(784, 30, rng=0).n_params == 784 * 30 + 30
    assert Activation("relu").n_params == 0


# ---------------------------------------------------------------- Dropout


def test_dropout_drops_about_p_and_keeps_the_expected_value():
    x = np.ones((200, 500))
    y = Dropout(0.3, rng=0).forward(x, training=True)
    assert np.mean(y == 0) == pytest.approx(0.3, abs=0.01)
    np.testing.assert_allclose(y[y != 0], 1 / 0.7)  # inverted dropout scales the survivors
    assert y.mean() == pytest.approx(1.0, abs=0.01)


def test_dropout_is_the_identity_at_test_time():
    x = away_from_zero((3, 4))
    layer = Dropout(0.5, rng=0)
    np.testing.assert_array_equal(layer.forward(x), x)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.ones_like(x))


def test_dropout_backward_uses_the_forward_mask():
    layer = Dropout(0.5, rng=1)
    y = layer.forward(np.ones((4, 6)), training=True)
    np.testing.assert_array_equal(layer.backward(np.ones((4, 6))), y)


def test_dropout_masks_depend_only_on_the_seed():
    x = np.ones((10, 10))
    a = Dropout(0.5, rng=3).forward(x, training=True)
    np.testing.assert_array_equal(a, Dropout(0.5, rng=3).forward(x, training=True))
    assert not np.array_equal(a, Dropout(0.5, rng=4).forward(x, training=True))


# ---------------------------------------------------------------- bad input


def test_dense_names_the_expected_and_the_received_width():
    layer = Dense(784, 30, rng=0)
    with pytest.raises(ValueError, match=r"^Dense\(784 -> 30\): expected x of shape \(n, 784\), got \(n, 785\)$"):
        layer.forward(np.zeros((2, 785)))
    with pytest.raises(ValueError, match=r"expected x of shape \(n, 784\), got shape \(784,\)"):
        layer.forward(np.zeros(784))


@pytest.mark.parametrize("layer", [Dense(3, 2, rng=0), Activation("relu"), Softmax(), Dropout(0.5, rng=0)], ids=repr)
@pytest.mark.parametrize("bad, message", [
    (np.array([["a", "b", "c"]]), "expected a numeric array, got dtype <U1"),
    (np.array([[1.0, None, 2.0]], dtype=object), "expected a numeric array, got dtype object"),
    (np.array([[1.0, np.nan, 2.0]]), "expected finite numbers, got NaN"),
    (np.zeros((0, 3)), r"expected a non-empty array, got shape \(0, 3\)"),
])
def test_forward_refuses_bad_input_and_names_the_layer(layer, bad, message):
    with pytest.raises(ValueError, match=rf"^{re.escape(repr(layer))}: [xz]: {message}"):
        layer.forward(bad)


def test_backward_checks_the_gradient_shape():
    layer = Dense(3, 2, rng=0)
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"expected grad_y of shape \(4, 2\) \(the shape of the last output\), got \(2, 4\)"):
        layer.backward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="grad_y: expected finite numbers"):
        layer.backward(np.full((4, 2), np.nan))


def test_backward_before_forward_is_an_error():
    with pytest.raises(RuntimeError, match="call forward before backward"):
        Dense(3, 2, rng=0).backward(np.ones((1, 2)))


def test_softmax_wants_rows_of_scores():
    with pytest.raises(ValueError, match=r"Softmax\(\): expected z of shape \(n, k\), got shape \(5,\)"):
        Softmax().forward(np.zeros(5))


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_in=0, n_out=3), "Dense n_in: expected an int >= 1, got 0"),
    (dict(n_in=3, n_out=2.5), "Dense n_out: expected an int >= 1, got 2.5"),
    (dict(n_in=3, n_out=2, init="zeros"), r"expected init in \('he', 'xavier', 'normal'\), got 'zeros'"),
    (dict(n_in=3, n_out=2, dtype=np.int32), "expected dtype float32 or float64, got int32"),
    (dict(n_in=3, n_out=2, rng=None), "rng: expected an int seed or a numpy.random.Generator, got None"),
])
def test_dense_refuses_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Dense(**{"rng": 0, **kwargs})


def test_activation_refuses_unknown_names_and_parameters():
    with pytest.raises(ValueError, match="expected one of"):
        Activation("sigmoidd")
    with pytest.raises(ValueError, match=r"Activation\('relu'\): unexpected parameters \['alpha'\]"):
        Activation("relu", alpha=0.1)


@pytest.mark.parametrize("p", [1.0, -0.1, "0.5", True])
def test_dropout_refuses_a_bad_probability(p):
    with pytest.raises(ValueError, match=r"expected a drop probability p in \[0, 1\)"):
        Dropout(p, rng=0)
