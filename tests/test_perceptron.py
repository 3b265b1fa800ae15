"""nnlib.perceptron: the festival decisions, logic gates and XOR from stacked perceptrons,
the perceptron learning rule, the sigmoid neuron's gradients, and bad input."""
import numpy as np
import pytest
import torch

from nnlib.data import FESTIVAL_WEIGHTS, festival_situations, logic_gate, make_blobs
from nnlib.gradcheck import check_gradient
from nnlib.perceptron import Perceptron, PerceptronTraining, SigmoidNeuron, train_perceptron

torch.set_num_threads(1)

GATE_INPUTS = np.array([(0, 0), (0, 1), (1, 0), (1, 1)])


def truth_table(rule):
    """The outputs of a boolean rule on the rows of GATE_INPUTS, as 0/1."""
    return np.array([int(rule(bool(a), bool(b))) for a, b in GATE_INPUTS])


# ---- the festival decision ---------------------------------------------------------------

def festival_decisions(threshold):
    """{(weather, friend, commute): decision} for all 8 situations."""
    situations = festival_situations()
    decisions = Perceptron(FESTIVAL_WEIGHTS, threshold=threshold).predict(situations)
    return {tuple(int(v) for v in x): int(d) for x, d in zip(situations, decisions)}


def test_festival_threshold_5_goes_exactly_when_the_weather_is_good():
    decisions = festival_decisions(5)
    assert len(decisions) == 8
    assert decisions == {(weather, friend, commute): weather for weather, friend, commute in decisions}


def test_festival_threshold_3_also_goes_with_a_friend_and_an_easy_commute():
    # Without good weather the sum is at most 2 + 2 = 4 > 3: friend and commute together suffice.
    decisions = festival_decisions(3)
    assert decisions == {(weather, friend, commute): int(weather or (friend and commute))
                         for weather, friend, commute in decisions}
    assert decisions[(0, 1, 1)] == 1 and decisions[(0, 1, 0)] == 0 and decisions[(0, 0, 1)] == 0


def test_weighted_sum_and_a_sum_equal_to_the_threshold_gives_0():
    festival = Perceptron(FESTIVAL_WEIGHTS, threshold=8)
    np.testing.assert_array_equal(festival.weighted_sum([[1, 1, 0], [1, 1, 1], [0, 0, 0]]), [8, 10, 0])
    np.testing.assert_array_equal(festival.predict([[1, 1, 0], [1, 1, 1]]), [0, 1])


def test_a_single_input_gives_a_plain_number():
    festival = Perceptron(FESTIVAL_WEIGHTS, threshold=5)
    assert festival.weighted_sum([1, 0, 1]) == 8.0 and isinstance(festival.weighted_sum([1, 0, 1]), float)
    assert festival.predict([1, 0, 1]) == 1 and isinstance(festival.predict([1, 0, 1]), int)
    assert festival.predict(np.array([0, 1, 1])) == 0


def test_predict_returns_int64_zeros_and_ones():
    outputs = Perceptron([0.5, -1.0], bias=0.25).predict(np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert outputs.dtype == np.int64 and outputs.shape == (2,)
    np.testing.assert_array_equal(outputs, [1, 0])


@pytest.mark.parametrize("threshold", [5, 3, 0, -1, 8, 2.5])
def test_bias_form_is_the_same_neuron(threshold):
    in_threshold_form = Perceptron(FESTIVAL_WEIGHTS, threshold=threshold)
    in_bias_form = in_threshold_form.with_bias()
    assert in_bias_form.bias == -threshold and in_bias_form.threshold is None
    X = festival_situations()
    np.testing.assert_array_equal(in_bias_form.predict(X), in_threshold_form.predict(X))
    back = in_bias_form.with_threshold()
    assert back.threshold == threshold and back.bias is None
    np.testing.assert_array_equal(back.weights, in_threshold_form.weights)
    assert in_bias_form.with_bias().bias == -threshold  # already in bias form: unchanged


def test_repr_names_the_form():
    assert repr(Perceptron([6, 2, 2], threshold=5)) == "Perceptron(weights=[6.0, 2.0, 2.0], threshold=5)"
    assert repr(Perceptron([-2, -2], bias=3)) == "Perceptron(weights=[-2.0, -2.0], bias=3)"


# ---- logic gates and stacked perceptrons ---------------------------------------------------

AND = Perceptron([1, 1], bias=-1.5)
OR = Perceptron([1, 1], bias=-0.5)
NAND = Perceptron([-2, -2], bias=3)  # the classic example


@pytest.mark.parametrize("gate, rule", [
    (AND, lambda a, b: a and b),
    (OR, lambda a, b: a or b),
    (NAND, lambda a, b: not (a and b)),
])
def test_logic_gates(gate, rule):
    np.testing.assert_array_equal(gate.predict(GATE_INPUTS), truth_table(rule))


def test_xor_from_nand_gates_stacked_in_layers():
    def nand(a, b):
        return NAND.predict(np.column_stack([a, b]))

    x1, x2 = GATE_INPUTS[:, 0], GATE_INPUTS[:, 1]
    n = nand(x1, x2)                         # layer 1
    left, right = nand(x1, n), nand(x2, n)   # layer 2 (also sees the inputs)
    xor = nand(left, right)                  # layer 3
    np.testing.assert_array_equal(xor, truth_table(lambda a, b: a != b))


def test_xor_from_two_layers_of_perceptrons():
    # Hidden layer: OR and NAND of the inputs; output layer: AND of the two.
    hidden = np.column_stack([OR.predict(GATE_INPUTS), NAND.predict(GATE_INPUTS)])
    np.testing.assert_array_equal(AND.predict(hidden), truth_table(lambda a, b: a != b))


# ---- the perceptron learning rule -----------------------------------------------------------

def check_history(result: PerceptronTraining):
    assert result.epochs == len(result.errors_per_epoch) == len(result.weight_history)
    w, b = result.weight_history[-1]
    np.testing.assert_array_equal(result.perceptron.weights, w)
    assert result.perceptron.bias == b and result.perceptron.threshold is None


@pytest.mark.parametrize("gate", ["and", "or", "nand"])
def test_training_converges_on_separable_gates(gate):
    X, y = logic_gate(gate)
    result = train_perceptron(X, y)
    check_history(result)
    assert result.converged and result.errors_per_epoch[-1] == 0
    assert all(errors > 0 for errors in result.errors_per_epoch[:-1])
    np.testing.assert_array_equal(result.perceptron.predict(X), y)


def blobs():
    """Two seeded, overlapping Gaussian clouds around (-1, -0.5) and (1, 0.5), made separable
    by dropping the points on the wrong side of the line x1 + x2 = 0 or within 0.1 of it."""
    X, y = make_blobs(300, centers=[[-1.0, -0.5], [1.0, 0.5]], std=0.7, rng=3)
    side = X.sum(axis=1)
    keep = (np.abs(side) > 0.1) & ((side > 0) == (y == 1))
    assert 250 < keep.sum() < 300  # a few dropped, most kept
    return X[keep], y[keep]


def test_training_converges_on_separable_blobs():
    X, y = blobs()
    result = train_perceptron(X, y, lr=0.5, max_epochs=100)
    check_history(result)
    assert result.converged and result.epochs < 100
    np.testing.assert_array_equal(result.perceptron.predict(X), y)


def test_training_on_xor_does_not_converge():
    X, y = logic_gate("xor")
    result = train_perceptron(X, y, max_epochs=30)
    check_history(result)
    assert not result.converged and result.epochs == 30
    assert min(result.errors_per_epoch) > 0
    assert np.any(result.perceptron.predict(X) != y)


def test_one_epoch_of_the_rule_by_hand():
    # From w = 0, b = 0 the single example x = (1, 2), y = 1 is predicted 0 (0 > 0 is false):
    # w <- 0 + lr (1 - 0) x = (0.5, 1), b <- 0 + lr (1 - 0) = 0.5; the second epoch is clean.
    result = train_perceptron([[1.0, 2.0]], [1], lr=0.5)
    assert result.errors_per_epoch == [1, 0] and result.converged
    w, b = result.weight_history[0]
    np.testing.assert_array_equal(w, [0.5, 1.0])
    assert b == 0.5
    # With y = 0 the same example is predicted right from the start: nothing to learn.
    assert train_perceptron([[1.0, 2.0]], [0]).errors_per_epoch == [0]


def test_history_holds_copies():
    X, y = logic_gate("or")
    history = train_perceptron(X, y).weight_history
    assert len({id(w) for w, _ in history}) == len(history)


def test_training_is_determined_by_the_seed():
    X, y = blobs()
    first, again = train_perceptron(X, y, rng=7), train_perceptron(X, y, rng=np.random.default_rng(7))
    assert first.errors_per_epoch == again.errors_per_epoch
    for (w1, b1), (w2, b2) in zip(first.weight_history, again.weight_history, strict=True):
        np.testing.assert_array_equal(w1, w2)
        assert b1 == b2
    other = train_perceptron(X, y, rng=8)  # another order of the examples, another path
    assert not np.array_equal(other.weight_history[0][0], first.weight_history[0][0])


@pytest.mark.parametrize("X, y, kwargs, message", [
    ([[0, 0], [1, 1]], [0, 2], {}, "y: expected targets 0 or 1"),
    ([[0, 0], [1, 1]], [0, 0.5], {}, "y: expected targets 0 or 1"),
    ([[0, 0], [1, 1]], [0, 1, 1], {}, "one target per row"),
    ([[0, 0], [1, 1]], [[0], [1]], {}, "y: expected a 1-D"),
    (np.zeros((0, 2)), [], {}, "non-empty"),
    ([0, 1], [0, 1], {}, "X: expected a 2-D"),
    ([[0, np.nan], [1, 1]], [0, 1], {}, "finite"),
    ([[0, 0], [1, 1]], [0, 1], {"lr": 0}, "lr: expected a positive"),
    ([[0, 0], [1, 1]], [0, 1], {"max_epochs": 0}, "max_epochs"),
    ([[0, 0], [1, 1]], [0, 1], {"max_epochs": 2.5}, "max_epochs"),
    ([[0, 0], [1, 1]], [0, 1], {"rng": None}, "rng"),
])
def test_training_refuses_bad_input(X, y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_perceptron(X, y, **kwargs)


@pytest.mark.parametrize("kwargs, message", [
    ({"weights": [1, 1]}, "exactly one of threshold or bias"),
    ({"weights": [1, 1], "threshold": 1, "bias": -1}, "exactly one of threshold or bias"),
    ({"weights": [1, np.nan], "bias": 0}, "weights: expected finite"),
    ({"weights": [[1, 1]], "bias": 0}, "weights: expected a 1-D"),
    ({"weights": [], "bias": 0}, "weights: expected a non-empty"),
    ({"weights": [1, 1], "threshold": [1, 2]}, "threshold: expected a 0-D"),
    ({"weights": [1, 1], "bias": float("inf")}, "bias: expected finite"),
])
def test_perceptron_refuses_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Perceptron(**kwargs)


@pytest.mark.parametrize("X", [np.zeros((4, 2)), np.zeros(2), np.zeros((2, 3, 3)), np.zeros((0, 3))])
def test_perceptron_refuses_inputs_of_the_wrong_width(X):
    with pytest.raises(ValueError, match="X: expected"):
        Perceptron(FESTIVAL_WEIGHTS, threshold=5).predict(X)


# ---- the sigmoid neuron -----------------------------------------------------------------------

def sigmoid_neuron_example(seed=0, n=7, d=3):
    rng = np.random.default_rng(seed)
    neuron = SigmoidNeuron(rng.normal(size=d), bias=0.3)
    return neuron, rng.normal(size=(n, d)), rng.uniform(size=n)


def test_sigmoid_neuron_forward():
    neuron = SigmoidNeuron([1.0, -2.0], bias=0.5)
    X = np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 0.0]])
    a = neuron.forward(X)
    assert a.shape == (3,)
    np.testing.assert_allclose(a, 1 / (1 + np.exp(-(X @ [1.0, -2.0] + 0.5))), rtol=1e-15)
    assert neuron.forward([0.0, 0.25]) == pytest.approx(0.5)
    assert isinstance(neuron.forward([0.0, 0.25]), float)


def test_sigmoid_neuron_cost_is_the_quadratic_cost():
    neuron, X, y = sigmoid_neuron_example()
    assert neuron.cost(X, y) == pytest.approx(np.sum((y - neuron.forward(X)) ** 2) / (2 * len(y)), rel=1e-14)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_neuron_gradients_match_finite_differences(seed):
    neuron, X, y = sigmoid_neuron_example(seed)
    dC_dw, dC_db = neuron.gradients(X, y)
    assert dC_dw.shape == neuron.weights.shape and isinstance(dC_db, float)
    error_w = check_gradient(lambda w: SigmoidNeuron(w, neuron.bias).cost(X, y),
                             neuron.weights.copy(), dC_dw)
    error_b = check_gradient(lambda b: SigmoidNeuron(neuron.weights, b[0]).cost(X, y),
                             np.array([neuron.bias]), [dC_db])
    assert error_w < 1e-8 and error_b < 1e-8, f"relative errors {error_w:.2e} (w), {error_b:.2e} (b)"


def test_sigmoid_neuron_gradients_match_torch():
    neuron, X, y = sigmoid_neuron_example(seed=4, n=9, d=4)
    w = torch.tensor(neuron.weights, requires_grad=True)
    b = torch.tensor(neuron.bias, dtype=torch.float64, requires_grad=True)
    a = torch.sigmoid(torch.from_numpy(X) @ w + b)
    cost = ((torch.from_numpy(y) - a) ** 2).sum() / (2 * len(y))
    cost.backward()
    dC_dw, dC_db = neuron.gradients(X, y)
    assert neuron.cost(X, y) == pytest.approx(cost.item(), rel=1e-12)
    np.testing.assert_allclose(dC_dw, w.grad.numpy(), rtol=1e-12, atol=0)
    assert dC_db == pytest.approx(b.grad.item(), rel=1e-12)


@pytest.mark.parametrize("X, y, message", [
    (np.zeros((3, 3)), np.zeros(2), "one target per row"),
    (np.zeros(3), np.zeros(1), "X: expected a 2-D"),
    (np.zeros((3, 4)), np.zeros(3), "X: expected inputs with 3 features"),
    (np.zeros((3, 3)), np.full(3, np.nan), "y: expected finite"),
])
def test_sigmoid_neuron_refuses_bad_input(X, y, message):
    neuron = SigmoidNeuron([1.0, 2.0, 3.0], bias=0.0)
    with pytest.raises(ValueError, match=message):
        neuron.gradients(X, y)
