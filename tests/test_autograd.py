"""nnlib.autograd: values and gradients against torch.autograd (float64) and finite
differences, the seeds' logistic-loss neuron, gradient accumulation, drawing, bad input."""
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from nnlib.autograd import Value, draw_graph, topological_order, zero_grad
from nnlib.gradcheck import check_gradient

torch.set_num_threads(1)


def logistic_loss_of_three_examples(w1, w2, b):
    """A neuron z = w1 x1 + w2 x2 + b with the logistic loss log(1 + e^(-y z)) summed over
    three examples: every weight is used three times."""
    total = 0
    for (x1, x2), y in [((2.0, 1.0), 1.0), ((-1.0, 0.5), -1.0), ((0.3, -2.0), 1.0)]:
        z = w1 * x1 + w2 * x2 + b
        total = total + (1 + (-y * z).exp()).log()
    return total


# Each expression is written once and run on Values and on torch tensors alike (they share
# the method names exp, log, tanh, sigmoid, relu).
EXPRESSIONS = {
    "node used twice": (lambda a, b: a * a + a * b, [2.0, -3.0]),
    "division and powers": (lambda a, b, c: (a / b - c) ** 3 + 1 / (a ** 2 + 1) - 2 / c + c ** -0.5,
                            [1.5, -0.7, 2.2]),
    "exp and log": (lambda a, b: (a.exp() + b.exp()).log() - 0.5 * a + (a * b).exp() / 3, [0.4, -1.3]),
    "tanh, sigmoid, relu": (lambda a, b, c: (a * b + c).tanh() * (a - c).sigmoid()
                            + (b - 2 * a).relu() + (-a).relu() - 4 * (c - b).relu(),
                            [0.8, 1.9, -0.6]),
    "shared intermediate": (lambda a, b: (lambda h: h * h + h.exp() - h / (1 + h * h))(a * b - 1),
                            [1.1, 0.6]),
    "logistic-loss neuron": (logistic_loss_of_three_examples, [-1.0, 1.0, 0.25]),
    "two-layer tanh network": (lambda w1, w2, w3, w4, v1, v2: (
        v1 * (w1 * 0.5 + w2 * -1.5).tanh() + v2 * (w3 * 0.5 + w4 * -1.5).tanh() - 0.3) ** 2,
        [0.1, -0.4, 0.7, 0.2, 1.3, -0.8]),
}


def ours(expression, inputs):
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(inputs)]
    out = expression(*leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


def torch_reference(expression, inputs):
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    out = expression(*leaves)
    out.backward()
    return out.item(), [leaf.grad.item() for leaf in leaves]


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_value_and_gradients_match_torch(name):
    expression, inputs = EXPRESSIONS[name]
    value, grads = ours(expression, inputs)
    expected_value, expected_grads = torch_reference(expression, inputs)
    np.testing.assert_allclose(value, expected_value, rtol=1e-12, atol=0, err_msg=f"{name}: value")
    np.testing.assert_allclose(grads, expected_grads, rtol=1e-12, atol=1e-15,
                               err_msg=f"{name}: gradients of the leaves")


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_gradients_match_finite_differences(name):
    expression, inputs = EXPRESSIONS[name]
    _, grads = ours(expression, inputs)
    error = check_gradient(lambda xs: expression(*map(Value, xs)).data, np.array(inputs), grads)
    assert error < 1e-8, f"{name}: relative error {error:.2e} against centred differences"


@pytest.mark.parametrize("y", [1, -1])
def test_logistic_loss_neuron_of_the_lecture(y):
    # x = [2, 1], w = [-1, 1]: z = w.x = -1, p = sigma(y z), L = -ln p.
    x1, x2 = Value(2.0, "x1"), Value(1.0, "x2")
    w1, w2 = Value(-1.0, "w1"), Value(1.0, "w2")
    z = w1 * x1 + w2 * x2
    p = (y * z).sigmoid()
    loss = -p.log()
    loss.backward()

    assert z.data == -1.0
    assert p.data == pytest.approx(1 / (1 + math.exp(y)), rel=1e-15)
    # The slides print p = 0.27 (y = +1) and 0.73 (y = -1) ...
    assert round(p.data, 2) == {1: 0.27, -1: 0.73}[y]
    # ... and L = 0.57 and 0.13, which are -log10(p) (0.570 and 0.136, cut to two digits);
    # with the natural log, as here, L = ln(1 + e^(-yz)) = 1.313 and 0.313.
    assert -math.log10(p.data) == pytest.approx({1: 0.57, -1: 0.13}[y], abs=0.01)
    assert loss.data == pytest.approx(math.log(1 + math.exp(y)), rel=1e-15)
    assert loss.data == pytest.approx({1: 1.3133, -1: 0.3133}[y], abs=5e-5)
    # dL/dz = -y (1 - p); dL/dw = dL/dz x, dL/dx = dL/dz w.
    dL_dz = -y * (1 - p.data)
    assert p.grad == pytest.approx(-1 / p.data, rel=1e-14)
    assert z.grad == pytest.approx(dL_dz, rel=1e-14)
    assert (w1.grad, w2.grad) == pytest.approx((2 * dL_dz, 1 * dL_dz), rel=1e-14)
    assert (x1.grad, x2.grad) == pytest.approx((-1 * dL_dz, 1 * dL_dz), rel=1e-14)
    assert abs(w1.grad) == pytest.approx({1: 1.4621, -1: 0.5379}[y], abs=5e-5)


def test_plain_numbers_on_either_side():
    a = Value(3.0)
    assert (2 + a).data == 5 and (a + 2).data == 5
    assert (2 - a).data == -1 and (a - 2).data == 1
    assert (2 * a).data == 6 and (a * 2).data == 6
    assert (6 / a).data == 2 and (a / 6).data == 0.5
    assert (np.float64(2) * a).data == 6  # a NumPy number on the left works too
    assert (-a).data == -3


def test_backward_accumulates_into_leaves_until_zeroed():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    product = a * b
    f = a * a + product
    f.backward()
    once = (a.grad, b.grad, product.grad)
    assert once == (2 * 2.0 - 3.0, 2.0, 1.0)

    f.backward()  # like PyTorch: leaves add up, interior nodes hold the latest pass
    assert (a.grad, b.grad, product.grad) == (2 * once[0], 2 * once[1], once[2])
    ta, tb = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (2.0, -3.0))
    tf = ta * ta + ta * tb
    tf.backward(retain_graph=True)
    tf.backward()
    assert (a.grad, b.grad) == (ta.grad.item(), tb.grad.item())

    zero_grad(f)
    assert all(node.grad == 0 for node in topological_order(f))
    f.backward()
    assert (a.grad, b.grad, product.grad) == once


def test_backward_on_two_losses_adds_their_gradients():
    w = Value(0.5, "w")
    loss_1 = (w * 2.0 - 1.0) ** 2
    loss_2 = (w * -1.0 - 3.0) ** 2
    loss_1.backward()
    loss_2.backward()
    accumulated = w.grad
    zero_grad(loss_1)
    total = loss_1 + loss_2
    total.backward()
    assert accumulated == pytest.approx(w.grad, rel=1e-15)


def test_topological_order_puts_inputs_first_and_handles_long_chains():
    a, b = Value(1.0, "a"), Value(2.0, "b")
    c = a * b
    d = c + a
    order = topological_order(d)
    assert order[-1] is d and len(order) == 4 and len(set(map(id, order))) == 4
    assert all(order.index(child) < order.index(node) for node in order for child in node._prev)

    x = Value(0.5)
    total = x
    for _ in range(5000):  # deeper than Python's recursion limit
        total = total + x
    total.backward()
    assert x.grad == 5001


def test_graph_keeps_parents_and_operation_names():
    a, b = Value(1.0), Value(2.0)
    assert (a + b)._op == "+" and (a + b)._prev == (a, b)
    assert (a ** 3)._op == "**3" and (a ** 3)._prev == (a,)
    assert {op: getattr(a, op)()._op for op in ("exp", "log", "tanh", "sigmoid", "relu")} == {
        op: op for op in ("exp", "log", "tanh", "sigmoid", "relu")}


def test_sigmoid_and_relu_at_the_extremes():
    assert Value(-800.0).sigmoid().data == 0.0  # no overflow in e^800
    assert Value(800.0).sigmoid().data == 1.0
    zero = Value(0.0)
    zero.relu().backward()
    assert zero.grad == 0.0  # as in PyTorch


def test_repr_shows_label_data_and_grad():
    a = Value(2.5, "a")
    (a * 3).backward()
    assert repr(a) == "Value(label='a', data=2.5, grad=3)"
    assert repr(Value(-1.0)) == "Value(data=-1, grad=0)"


def test_draw_graph_draws_one_box_per_value_and_one_circle_per_operation():
    x1, x2, w1, w2 = Value(2.0, "x1"), Value(1.0, "x2"), Value(-1.0, "w1"), Value(1.0, "w2")
    loss = -((w1 * x1 + w2 * x2).sigmoid().log())
    loss.label = "L"
    loss.backward()
    fig = draw_graph(loss)
    try:
        nodes = topological_order(loss)
        texts = fig.axes[0].texts
        boxes = [t.get_text() for t in texts if t.get_gid() == "value"]
        circles = [t.get_text() for t in texts if t.get_gid() == "op"]
        assert len(boxes) == len(nodes) == 10
        assert sorted(circles) == sorted(["*", "*", "+", "σ", "log", "neg"])
        assert "w1 | data -1 | grad -1.462" in boxes
        assert "L | data 1.313 | grad 1" in boxes
        assert "data 0.2689 | grad -3.718" in boxes  # no label: data and grad only
        arrows = [child for child in fig.axes[0].get_children() if type(child).__name__ == "Annotation"]
        assert len(arrows) == sum(len(node._prev) + 1 for node in nodes if node._prev)
        assert all(arrow.xyann[0] < arrow.xy[0] for arrow in arrows), "edges run left to right"
    finally:
        plt.close(fig)


def test_draw_graph_on_given_axes_and_a_single_leaf():
    fig, ax = plt.subplots()
    try:
        assert draw_graph(Value(1.0, "a"), ax=ax) is fig
        assert [t.get_text() for t in ax.texts] == ["a | data 1 | grad 0"]
    finally:
        plt.close(fig)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "1.0", None, 1 + 2j, True, [1.0]])
def test_data_must_be_a_finite_real_number(bad):
    with pytest.raises(ValueError, match="finite real number"):
        Value(bad)


@pytest.mark.parametrize("bad", [0.0, -2.0])
def test_log_of_a_non_positive_number_is_refused(bad):
    with pytest.raises(ValueError, match="log: expected a positive number"):
        Value(bad).log()


def test_other_bad_operations_say_what_is_wrong():
    with pytest.raises(ValueError, match="finite real number"):
        Value(1.0) + "a"
    with pytest.raises(ValueError, match="exponent"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError, match="not a real number"):
        Value(-8.0) ** 0.5
    with pytest.raises(ValueError, match="root: expected a Value"):
        draw_graph(3.0)
