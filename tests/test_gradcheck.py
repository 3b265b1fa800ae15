"""The gradient checker itself: right answers on known functions, and it catches wrong ones."""
import numpy as np
import pytest

from nnlib.gradcheck import check_gradient, check_layer, numerical_gradient, relative_error
from nnlib.layers import Dense


def test_numerical_gradient_of_a_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = numerical_gradient(lambda x_: np.sum(x_**3) + x_[0, 1] * x_[1, 0], x)
    expected = 3 * x**2 + np.array([[0, 0.5], [-2.0, 0]])
    np.testing.assert_allclose(grad, expected, rtol=1e-8)


def test_numerical_gradient_restores_x():
    x = np.random.default_rng(0).standard_normal(5)
    before = x.copy()
    numerical_gradient(lambda x_: np.sum(np.sin(x_)), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_perturbs_in_place_so_f_may_read_x_itself():
    weights = np.array([1.0, 2.0])
    grad = numerical_gradient(lambda _: float(weights @ weights), weights)
    np.testing.assert_allclose(grad, 2 * weights, rtol=1e-8)


def test_relative_error():
    assert relative_error(np.ones(3), np.ones(3)) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0  # no division by zero
    # ||a - b|| / (||a|| + ||b||) = sqrt(2) / 2
    assert relative_error(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(np.sqrt(2) / 2)
    assert relative_error(np.array([1.0]), np.array([1.0 + 2e-6])) == pytest.approx(1e-6, rel=1e-3)


def test_check_gradient_accepts_a_right_and_catches_a_wrong_gradient():
    x = np.array([0.3, -1.2, 2.0])
    assert check_gradient(lambda x_: np.sum(np.tanh(x_)), x, 1 - np.tanh(x) ** 2) < 1e-8
    assert check_gradient(lambda x_: np.sum(np.tanh(x_)), x, 1 - np.tanh(x)) > 1e-2


class DenseWithWrongBiasGradient(Dense):
    def _backward(self, grad_z, need_grad_x):
        grad_x = super()._backward(grad_z, need_grad_x)
        self.grads["b"] *= 2
        return grad_x


def test_check_layer_points_at_the_wrong_gradient():
    x = np.random.default_rng(1).standard_normal((4, 3))
    errors = check_layer(DenseWithWrongBiasGradient(3, 2, rng=0, dtype=np.float64), x)
    assert errors["x"] < 1e-8 and errors["W"] < 1e-8
    assert errors["b"] > 0.1


def test_check_layer_on_a_correct_layer_reports_every_parameter():
    errors = check_layer(Dense(3, 2, rng=0, dtype=np.float64), np.ones((2, 3)))
    assert sorted(errors) == ["W", "b", "x"]
    assert max(errors.values()) < 1e-8


def test_float32_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="x: expected a float64 array .*double precision.*, got float32"):
        numerical_gradient(np.sum, np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError, match=r"params\['W'\]: expected a float64 array"):
        check_layer(Dense(3, 2, rng=0), np.ones((2, 3)))


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="eps: expected a small positive step"):
        numerical_gradient(np.sum, np.ones(3), eps=0)
    with pytest.raises(ValueError, match="f: expected finite values around x"):
        numerical_gradient(lambda x_: np.log(x_[0]) if x_[0] > 0 else np.inf, np.zeros(1))
    with pytest.raises(ValueError, match=r"expected the same shape, got \(2,\) and \(3,\)"):
        relative_error(np.ones(2), np.ones(3))
