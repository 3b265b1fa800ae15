"""nnlib.attention: scaled dot-product attention with masks (finite differences, and float64
agreement with torch.nn.functional.scaled_dot_product_attention), multi-head attention,
positional encodings."""
import numpy as np
import pytest

from nnlib.attention import (attention_backward, attention_forward, causal_mask, multi_head_attention, softmax,
                             sinusoidal_positions)
from nnlib.gradcheck import numerical_gradient


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


@pytest.fixture(scope="module")
def qkv():
    rng = np.random.default_rng(0)
    return rng.normal(size=(2, 3, 5, 4)), rng.normal(size=(2, 3, 5, 4)), rng.normal(size=(2, 3, 5, 6)), \
        rng.normal(size=(2, 3, 5, 6))


def test_causal_mask_lets_no_position_see_the_future():
    mask = causal_mask(4)
    assert mask.dtype == bool
    np.testing.assert_array_equal(mask, np.arange(4)[None, :] <= np.arange(4)[:, None])


def test_weights_are_a_softmax_over_the_keys_and_masked_keys_get_zero(qkv):
    q, k, v, _ = qkv
    _, weights, _ = attention_forward(q, k, v, causal_mask(5))
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
    assert np.all(weights[..., ~causal_mask(5)] == 0.0)
    _, unmasked, _ = attention_forward(q, k, v)
    np.testing.assert_allclose(unmasked, softmax(q @ np.swapaxes(k, -1, -2) / 2.0, axis=-1))


@pytest.mark.parametrize("masked", [False, True])
def test_backward_matches_finite_differences(qkv, masked):
    q, k, v, dout = (a.copy() for a in qkv)
    mask = causal_mask(5) if masked else None
    _, _, cache = attention_forward(q, k, v, mask)
    grads = attention_backward(dout, cache)
    for name, array, grad in zip("qkv", (q, k, v), grads):
        numeric = numerical_gradient(lambda _: (attention_forward(q, k, v, mask)[0] * dout).sum(), array)
        assert relative_error(grad, numeric) < 1e-6, name


@pytest.mark.parametrize("masked", [False, True])
def test_agrees_with_torch_in_float64(qkv, masked):
    torch = pytest.importorskip("torch")
    q, k, v, dout = qkv
    mask = causal_mask(5) if masked else None
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    expected = torch.nn.functional.scaled_dot_product_attention(
        tq, tk, tv, attn_mask=None if mask is None else torch.tensor(mask))
    (expected * torch.tensor(dout)).sum().backward()
    out, _, cache = attention_forward(q, k, v, mask)
    np.testing.assert_allclose(out, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    for grad, tensor in zip(attention_backward(dout, cache), (tq, tk, tv)):
        np.testing.assert_allclose(grad, tensor.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_multi_head_agrees_with_torch_in_float64():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 6, 8))
    layer = torch.nn.MultiheadAttention(8, 2, bias=False, batch_first=True).double()
    Wq, Wk, Wv = (w.detach().numpy().T for w in layer.in_proj_weight.chunk(3))
    Wo = layer.out_proj.weight.detach().numpy().T
    future = torch.tensor(~causal_mask(6))  # torch's attn_mask here: True = may NOT attend
    expected, expected_weights = layer(*(torch.tensor(x),) * 3, attn_mask=future, average_attn_weights=False)
    out, weights = multi_head_attention(x, Wq, Wk, Wv, Wo, heads=2, mask=causal_mask(6))
    np.testing.assert_allclose(out, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(weights, expected_weights.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_sinusoidal_positions():
    pe = sinusoidal_positions(50, 16)
    assert pe.shape == (50, 16)
    np.testing.assert_allclose(pe[0], np.tile([0.0, 1.0], 8))
    np.testing.assert_allclose(pe[7, 2], np.sin(7 / 10000 ** (2 / 16)))
    np.testing.assert_allclose(pe[7, 3], np.cos(7 / 10000 ** (2 / 16)))


def test_bad_inputs_raise(qkv):
    q, k, v, _ = qkv
    with pytest.raises(ValueError, match="bool"):
        attention_forward(q, k, v, np.ones((5, 5)))
    with pytest.raises(ValueError, match="at least one key"):
        attention_forward(q, k, v, np.zeros((5, 5), dtype=bool))
    with pytest.raises(ValueError, match="q, k, v"):
        attention_forward(q, k[..., :3], v)
    with pytest.raises(ValueError, match="even"):
        sinusoidal_positions(4, 3)
