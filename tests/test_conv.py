"""Convolution and pooling: loops and im2col agree, gradient checks, agreement with
torch.nn.functional in float64, ties in max pooling, training with fit, bad input."""
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnlib.conv import (AvgPool2D, Conv2D, Flatten, MaxPool2D, MinPool2D, conv2d, conv2d_backward,
                        conv2d_naive, conv2d_naive_backward, output_size)
from nnlib.gradcheck import check_layer
from nnlib.layers import Activation, Dense
from nnlib.network import SGD, Sequential, evaluate, fit

torch.set_num_threads(1)

# (n, c, h, w, filters, kh, kw, stride, pad): odd and even sizes, strides that do not divide,
# rectangular kernels, strides and paddings given as pairs.
CONV_CASES = [
    (2, 1, 5, 5, 1, 3, 3, 1, 0),
    (2, 3, 7, 6, 4, 3, 3, 2, 1),
    (1, 2, 8, 9, 3, 5, 5, 3, 2),
    (3, 2, 6, 7, 2, 2, 3, (2, 1), (0, 1)),
    (1, 4, 4, 4, 5, 4, 4, 1, 0),            # one output position
    (2, 1, 9, 9, 2, 3, 3, 2, (1, 0)),
]


def conv_inputs(n, c, h, w, f, kh, kw, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, c, h, w)), rng.standard_normal((f, c, kh, kw)), rng.standard_normal(f)


def torch_conv(x, W, b, stride, pad, grad_y=None):
    """y = F.conv2d(...) in float64, and (dx, dW, db) for dL/dy = grad_y if given."""
    xt, Wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    y = F.conv2d(xt, Wt, bt, stride=stride, padding=pad)
    if grad_y is None:
        return y.detach().numpy()
    y.backward(torch.tensor(grad_y))
    return y.detach().numpy(), (xt.grad.numpy(), Wt.grad.numpy(), bt.grad.numpy())


@pytest.mark.parametrize("n, c, h, w, f, kh, kw, stride, pad", CONV_CASES)
def test_conv_forward_and_backward_agree_with_torch_for_loops_and_im2col(n, c, h, w, f, kh, kw, stride, pad):
    x, W, b = conv_inputs(n, c, h, w, f, kh, kw)
    expected = torch_conv(x, W, b, stride, pad)
    grad_y = np.random.default_rng(1).standard_normal(expected.shape)
    _, expected_grads = torch_conv(x, W, b, stride, pad, grad_y)
    for forward, backward in ((conv2d_naive, conv2d_naive_backward), (conv2d, conv2d_backward)):
        np.testing.assert_allclose(forward(x, W, b, stride, pad), expected, rtol=1e-12, atol=1e-12)
        for name, got, want in zip(("dx", "dW", "db"), backward(grad_y, x, W, stride, pad), expected_grads):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=f"{backward.__name__}: {name}")


def test_random_shapes_agree_with_torch():
    rng = np.random.default_rng(7)
    for _ in range(20):
        c, f, kh, kw = (int(v) for v in rng.integers(1, 4, size=4))
        stride, pad = (int(v) for v in rng.integers(1, 4, size=2)), (int(v) for v in rng.integers(0, 3, size=2))
        stride, pad = tuple(stride), tuple(pad)
        h, w = (int(v) for v in rng.integers(max(kh, kw), 10, size=2))
        x, W, b = rng.standard_normal((2, c, h, w)), rng.standard_normal((f, c, kh, kw)), rng.standard_normal(f)
        expected = torch_conv(x, W, b, stride, pad)
        grad_y = rng.standard_normal(expected.shape)
        _, expected_grads = torch_conv(x, W, b, stride, pad, grad_y)
        np.testing.assert_allclose(conv2d(x, W, b, stride, pad), expected, rtol=1e-11, atol=1e-11)
        for got, want in zip(conv2d_backward(grad_y, x, W, stride, pad), expected_grads):
            np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-11, err_msg=f"stride {stride}, pad {pad}")


@pytest.mark.parametrize("n, c, h, w, f, kh, kw, stride, pad", CONV_CASES)
def test_conv_layer_passes_the_gradient_check(n, c, h, w, f, kh, kw, stride, pad):
    layer = Conv2D(c, f, (kh, kw), rng=0, stride=stride, padding=pad, dtype=np.float64)
    layer.params["b"][...] = np.random.default_rng(2).standard_normal(f)
    errors = check_layer(layer, np.random.default_rng(3).standard_normal((n, c, h, w)))
    assert set(errors) == {"x", "W", "b"}
    for name, error in errors.items():
        assert error < 1e-6, f"{layer}: relative error for {name} is {error:.1e}"


def test_the_layer_computes_the_functions_convolution():
    layer = Conv2D(2, 3, 3, rng=0, stride=2, padding=1, dtype=np.float64)
    x = np.random.default_rng(4).standard_normal((2, 2, 7, 7))
    np.testing.assert_allclose(layer.forward(x), conv2d_naive(x, layer.params["W"], layer.params["b"], 2, 1),
                               rtol=1e-12, atol=1e-12)


# (kernel, stride, padding, h, w): side-by-side windows, overlapping ones, padded ones, windows
# that do not cover the last rows, rectangular ones.
POOL_CASES = [(2, None, 0, 6, 6), (3, 1, 1, 5, 6), (3, 2, 1, 7, 7), (2, 1, 0, 5, 4), ((2, 3), (1, 2), (1, 1), 6, 7),
              (3, 3, 0, 8, 8)]
POOLS = {MaxPool2D: F.max_pool2d, AvgPool2D: F.avg_pool2d,
         MinPool2D: lambda x, kernel, stride, padding: -F.max_pool2d(-x, kernel, stride, padding)}


def torch_pool(pool, x, kernel, stride, padding, grad_y):
    xt = torch.tensor(x, requires_grad=True)
    y = POOLS[pool](xt, kernel, stride if stride is not None else kernel, padding)
    y.backward(torch.tensor(grad_y))
    return y.detach().numpy(), xt.grad.numpy()


@pytest.mark.parametrize("pool", list(POOLS), ids=lambda p: p.__name__)
@pytest.mark.parametrize("kernel, stride, padding, h, w", POOL_CASES)
@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
def test_pooling_agrees_with_torch(pool, kernel, stride, padding, h, w, ties):
    rng = np.random.default_rng(5)
    # with ties: small integers, so that most windows hold their largest value several times
    x = rng.integers(0, 3, size=(2, 3, h, w)).astype(float) if ties else rng.standard_normal((2, 3, h, w))
    layer = pool(kernel, stride, padding)
    y = layer.forward(x)
    grad_y = rng.standard_normal(y.shape)
    expected_y, expected_dx = torch_pool(pool, x, kernel, stride, padding, grad_y)
    np.testing.assert_allclose(y, expected_y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.backward(grad_y), expected_dx, rtol=1e-12, atol=1e-12)


def test_max_pooling_sends_a_tie_to_the_first_maximum_and_adds_overlapping_windows():
    x = np.array([[[[1.0, 5.0, 5.0],
                    [5.0, 2.0, 0.0]]]])
    layer = MaxPool2D(2, stride=1)          # two windows, overlapping in the middle column
    np.testing.assert_array_equal(layer.forward(x), [[[[5.0, 5.0]]]])
    dx = layer.backward(np.array([[[[1.0, 10.0]]]]))
    # window 1 holds 5 at (0, 1) and (1, 0): the first in row-major order, (0, 1), gets 1;
    # window 2 holds 5 at (0, 1) and (0, 2): again (0, 1), which now has 1 + 10
    np.testing.assert_array_equal(dx, [[[[0.0, 11.0, 0.0],
                                         [0.0, 0.0, 0.0]]]])


@pytest.mark.parametrize("pool", list(POOLS), ids=lambda p: p.__name__)
@pytest.mark.parametrize("kernel, stride, padding, h, w", POOL_CASES[:4])
def test_pooling_passes_the_gradient_check(pool, kernel, stride, padding, h, w):
    # distinct values with gaps, so that no finite-difference step changes a window's maximum
    x = np.random.default_rng(6).permutation(2 * 2 * h * w).reshape(2, 2, h, w) / 10.0
    errors = check_layer(pool(kernel, stride, padding), x)
    assert errors["x"] < 1e-6, f"relative error {errors['x']:.1e}"


def test_flatten_passes_the_gradient_check_and_keeps_the_batch():
    layer = Flatten()
    x = np.random.default_rng(8).standard_normal((3, 2, 4, 5))
    assert layer.forward(x).shape == (3, 40)
    assert check_layer(layer, x)["x"] < 1e-6


def test_output_size_formula():
    assert output_size(28, 5) == 24
    assert output_size(28, 5, stride=1, pad=2) == 28
    assert output_size(7, 3, stride=2, pad=1) == 4
    assert output_size(6, 3, stride=2) == 2            # the last column is not covered
    assert output_size(32, 5) == 28 and output_size(28, 2, stride=2) == 14


def test_a_small_cnn_trains_with_fit_and_sequential():
    rng = np.random.default_rng(9)
    # two classes: a bright vertical or a bright horizontal bar at a random place, with noise
    X = 0.1 * rng.standard_normal((200, 1, 8, 8))
    y = rng.integers(0, 2, size=200)
    for image, label, where in zip(X, y, rng.integers(1, 7, size=200)):
        if label:
            image[0, :, where] += 1
        else:
            image[0, where, :] += 1
    net = Sequential([Conv2D(1, 4, 3, rng=1, padding=1), Activation("relu"), MaxPool2D(2),
                      Flatten(), Dense(64, 2, rng=2)])
    history = fit(net, X[:150], y[:150], optimizer=SGD(0.05, momentum=0.9), epochs=8, batch_size=16, rng=3,
                  progress=False)
    assert history.train_loss[-1] < history.train_loss[0]
    assert evaluate(net, X[150:], y[150:])[1] >= 0.9
    assert net.n_params == 4 * 9 + 4 + 64 * 2 + 2


@pytest.mark.parametrize("call, message", [
    (lambda: conv2d(np.zeros((2, 5, 5)), np.zeros((1, 1, 3, 3)), np.zeros(1)),
     r"x: expected images of shape \(n, channels, height, width\), got shape \(2, 5, 5\)"),
    (lambda: conv2d(np.zeros((1, 2, 5, 5)), np.zeros((1, 3, 3, 3)), np.zeros(1)),
     r"W: expected filters of shape \(n_filters, 2, kh, kw\) for x with 2 channels, got shape \(1, 3, 3, 3\)"),
    (lambda: conv2d(np.zeros((1, 1, 5, 5)), np.zeros((2, 1, 3, 3)), np.zeros(3)),
     r"b: expected one bias per filter, shape \(2,\), got shape \(3,\)"),
    (lambda: conv2d(np.zeros((1, 1, 2, 5)), np.zeros((1, 1, 3, 3)), np.zeros(1)),
     r"W: expected a kernel height of at most the padded input height 2, got 3"),
    (lambda: conv2d(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), np.zeros(1), stride=0),
     r"stride: expected an int >= 1, got 0"),
    (lambda: conv2d(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), np.zeros(1), pad=-1),
     r"pad: expected an int >= 0, got -1"),
    (lambda: conv2d_backward(np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3))),
     r"grad_y: expected the output's shape \(1, 1, 3, 3\), got \(1, 1, 2, 2\)"),
    (lambda: output_size(4, 5), r"kernel: expected at most the padded size 4 \(n = 4, pad = 0\), got 5"),
    (lambda: Conv2D(1, 2, 3, rng=0).forward(np.zeros((1, 3, 5, 5))),
     r"Conv2D\(1 -> 2, 3x3\): expected x of shape \(n, 1, height, width\), got shape \(1, 3, 5, 5\)"),
    (lambda: Conv2D(1, 2, 5, rng=0).forward(np.zeros((1, 1, 3, 8))),
     r"expected an input height of at least 5 \(the kernel minus the padding\), got 3"),
    (lambda: Conv2D(1, 2, 3, rng=0, stride=(1, 2, 3)), r"Conv2D stride: expected an int or a pair"),
    (lambda: Conv2D(1, 2, 3, rng=0, init="normal"), r"Conv2D: expected init 'he' or 'xavier', got 'normal'"),
    (lambda: Conv2D(1, 2, 3, rng=None), r"rng: expected an int seed or a numpy.random.Generator"),
    (lambda: MaxPool2D(2, padding=2), r"MaxPool2D: expected padding at most half the kernel size"),
    (lambda: MaxPool2D(3).forward(np.zeros((1, 1, 2, 2))), r"expected an input of at least \(3, 3\)"),
    (lambda: AvgPool2D(2).forward(np.zeros((4, 4))), r"expected x of shape \(n, channels, height, width\)"),
    (lambda: MaxPool2D(2).forward(np.full((1, 1, 4, 4), np.nan)), r"expected finite numbers"),
    (lambda: Flatten().forward(np.zeros(3)), r"expected x of shape \(n, \.\.\.\)"),
])
def test_bad_input_raises_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_fit_names_a_wrong_image_shape():
    net = Sequential([Conv2D(1, 2, 3, rng=0), Flatten(), Dense(2 * 26 * 26, 10, rng=1)])
    with pytest.raises(ValueError, match=re.escape("expected x of shape (n, 1, height, width), got shape (5, 784)")):
        fit(net, np.zeros((5, 784)), np.zeros(5, dtype=int), optimizer=SGD(0.1), epochs=1, batch_size=5, rng=0,
            progress=False)
