"""nnlib.rnn: one step and backpropagation through time, checked by finite differences and
against torch.nn.RNN (tanh) in float64."""
import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient
from nnlib.rnn import gradient_norms_by_lag, rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    n, T, D, H = 3, 5, 4, 6
    return dict(x=rng.normal(size=(n, T, D)), h0=rng.normal(size=(n, H)), Wx=rng.normal(size=(D, H)) * 0.5,
                Wh=rng.normal(size=(H, H)) * 0.4, b=rng.normal(size=H) * 0.1, dhs=rng.normal(size=(n, T, H)))


def test_step_matches_the_formula(problem):
    p = problem
    h, _ = rnn_step_forward(p["x"][:, 0], p["h0"], p["Wx"], p["Wh"], p["b"])
    np.testing.assert_allclose(h, np.tanh(p["x"][:, 0] @ p["Wx"] + p["h0"] @ p["Wh"] + p["b"]))


def test_step_backward_matches_finite_differences(problem):
    p = {k: v.copy() for k, v in problem.items()}
    dh = p["dhs"][:, 0]
    _, cache = rnn_step_forward(p["x"][:, 0], p["h0"], p["Wx"], p["Wh"], p["b"])
    grads = rnn_step_backward(dh, cache)
    x = p["x"][:, 0].copy()
    args = dict(x=x, h_prev=p["h0"], Wx=p["Wx"], Wh=p["Wh"], b=p["b"])
    for name, grad in zip(args, grads):
        def loss(_):
            return (rnn_step_forward(args["x"], args["h_prev"], args["Wx"], args["Wh"], args["b"])[0] * dh).sum()
        assert relative_error(grad, numerical_gradient(loss, args[name])) < 1e-6, name


def test_bptt_matches_finite_differences(problem):
    p = {k: v.copy() for k, v in problem.items()}
    _, caches = rnn_forward(p["x"], p["h0"], p["Wx"], p["Wh"], p["b"])
    grads = rnn_backward(p["dhs"], caches)
    names = ("x", "h0", "Wx", "Wh", "b")
    for name, grad in zip(names, grads):
        def loss(_):
            return (rnn_forward(p["x"], p["h0"], p["Wx"], p["Wh"], p["b"])[0] * p["dhs"]).sum()
        assert relative_error(grad, numerical_gradient(loss, p[name])) < 1e-6, name


def test_agrees_with_torch_rnn_in_float64(problem):
    torch = pytest.importorskip("torch")
    p = problem
    D, H = p["Wx"].shape
    rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.tensor(p["Wx"].T))
        rnn.weight_hh_l0.copy_(torch.tensor(p["Wh"].T))
        rnn.bias_ih_l0.copy_(torch.tensor(p["b"] * 0.25))
        rnn.bias_hh_l0.copy_(torch.tensor(p["b"] * 0.75))
    x = torch.tensor(p["x"], requires_grad=True)
    h0 = torch.tensor(p["h0"][None], requires_grad=True)
    out, _ = rnn(x, h0)
    (out * torch.tensor(p["dhs"])).sum().backward()
    hs, caches = rnn_forward(p["x"], p["h0"], p["Wx"], p["Wh"], p["b"])
    dx, dh0, dWx, dWh, db = rnn_backward(p["dhs"], caches)
    np.testing.assert_allclose(hs, out.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, x.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dh0, h0.grad.numpy()[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dWx, rnn.weight_ih_l0.grad.numpy().T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dWh, rnn.weight_hh_l0.grad.numpy().T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(db, rnn.bias_ih_l0.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_gradient_norms_by_lag_vanish_for_small_and_grow_for_large_weights():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(20, 30, 2)) * 0.1
    H = 16
    results = {}
    for scale in (0.5, 3.0):
        Wh = rng.normal(size=(H, H)) * scale / np.sqrt(H)
        _, caches = rnn_forward(x, np.zeros((20, H)), rng.normal(size=(2, H)), Wh, np.zeros(H))
        norms = gradient_norms_by_lag(caches, np.ones((20, H)))
        assert norms.shape == (30,)
        results[scale] = norms
    assert results[0.5][-1] < 1e-6 * results[0.5][0]
    assert results[3.0][-1] > results[3.0][0]


def test_wrong_shapes_raise():
    with pytest.raises(ValueError, match="Wh, b"):
        rnn_step_forward(np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((3, 4)), np.zeros((3, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="x, h_prev"):
        rnn_step_forward(np.zeros((2, 5)), np.zeros((2, 4)), np.zeros((3, 4)), np.zeros((4, 4)), np.zeros(4))
