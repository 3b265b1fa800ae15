"""nnlib.torch.sequences: the reversal task, the transformer and LSTM, training, decoding."""
import numpy as np
import pytest
import torch

from nnlib.attention import attention_forward, causal_mask
from nnlib.torch import sequences
from nnlib.torch.models import count_parameters


def test_reversal_task_and_held_out():
    data = sequences.reversal_task(50, 4, rng=0)
    assert data.shape == (50, 9) and data.dtype == np.int64
    assert np.all(data[:, 4] == sequences.SEPARATOR)
    np.testing.assert_array_equal(data[:, 5:], data[:, 3::-1])
    test = np.concatenate([data[:3], sequences.reversal_task(5, 4, rng=1)])
    kept = sequences.held_out(data, test)
    assert len(kept) <= 5 and not any((row == data).all(axis=1).any() for row in kept)


def test_torch_attention_matches_the_numpy_one():
    rng = np.random.default_rng(0)
    q, k, v = (rng.normal(size=(2, 3, 5, 4)) for _ in range(3))
    got = sequences.torch_attention(*(torch.tensor(a) for a in (q, k, v)), torch.tensor(causal_mask(5)))
    np.testing.assert_allclose(got.numpy(), attention_forward(q, k, v, causal_mask(5))[0], atol=1e-12)


def test_transformer_is_causal_and_counts_its_parameters():
    model = sequences.transformer(0, context=9, d_model=16, heads=2, layers=1, d_ff=32).eval()
    tokens = torch.as_tensor(sequences.reversal_task(2, 4, rng=0))
    changed = tokens.clone()
    changed[:, -1] = (changed[:, -1] + 1) % 10
    with torch.no_grad():
        torch.testing.assert_close(model(tokens)[:, :-1], model(changed)[:, :-1])
    block = 2 * 2 * 16 + (16 * 48 + 48) + (16 * 16 + 16) + (16 * 32 + 32) + (32 * 16 + 16)
    assert count_parameters(model.blocks[0]) == block
    maps = model.attention_maps(tokens)
    assert maps[0].shape == (2, 2, 9, 9)
    assert torch.all(maps[0][..., ~torch.tril(torch.ones(9, 9, dtype=torch.bool))] == 0)
    with pytest.raises(ValueError, match="at most 9"):
        model(torch.zeros(1, 10, dtype=torch.int64))


def test_a_short_training_lowers_the_loss_and_decoding_is_scored():
    data = sequences.reversal_task(500, 3, rng=0)
    model = sequences.lstm(0, hidden=16)
    losses = sequences.train_sequences(model, data, 3, steps=60, batch_size=32, lr=1e-2, rng=0)
    assert len(losses) == 60 and np.mean(losses[-10:]) < np.mean(losses[:10])
    match = sequences.exact_match(model, data[:50], 3)
    answers = sequences.generate_answers(model, data[:50, :-3], 3)
    assert match == pytest.approx((answers == data[:50, -3:]).all(axis=1).mean())


def test_language_model_helpers():
    codes = np.arange(40) % 7
    windows = sequences.text_windows(codes, 5)
    assert windows.shape == (36, 5) and np.all(windows[3] == codes[3:8])
    model = sequences.transformer(0, vocab=7, context=8, d_model=8, heads=1, layers=1, d_ff=8)
    assert 1.0 < sequences.perplexity(model, codes, 8) < 50.0
    sample = sequences.sample_text(model, codes[:4], 10, 1.0, rng=0)
    assert sample.shape == (10,) and sample.max() < 7
    np.testing.assert_array_equal(sample, sequences.sample_text(model, codes[:4], 10, 1.0, rng=0))
