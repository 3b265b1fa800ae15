"""nnlib.texts: the frozen course text and the n-gram baselines."""
import numpy as np
import pytest

from nnlib.texts import ALPHABET, decode, encode, load_course_text, ngram_perplexity


def test_text_is_frozen_and_in_the_alphabet():
    text = load_course_text()
    assert 20_000 < len(text) < 40_000
    assert set(text) <= set(ALPHABET)
    assert decode(encode(text[:500])) == text[:500]


def test_perplexity_of_a_uniform_text_is_the_alphabet_size():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, len(ALPHABET), size=200_000)
    assert ngram_perplexity(codes[:100_000], codes[100_000:], 1) == pytest.approx(len(ALPHABET), rel=0.01)


def test_bigram_beats_unigram_on_a_predictable_text():
    codes = encode("abcabcabcabc" * 100)
    assert ngram_perplexity(codes, codes, 2) < 1.2 < 2.9 < ngram_perplexity(codes, codes, 1)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="ALPHABET"):
        encode("Capital")
    with pytest.raises(ValueError, match="order"):
        ngram_perplexity([1, 2], [1, 2], 3)
