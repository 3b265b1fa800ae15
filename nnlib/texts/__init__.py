"""A small fixed text for the character-level language model of notebook 10, and n-gram baselines.

``course_text.txt`` (about 27 kB) is the course's own prose, frozen when notebook 10 was written:
the README and the Markdown cells of the first lectures (no exercise or solution text), in that
order, lower-cased, formulas, code and HTML dropped, every character outside ``ALPHABET`` turned
into a space, cut at the paragraph that passes 27,000 characters. It is a file of its own so that
later edits of other notebooks never change notebook 10's results.

- ``load_course_text()``: the text; ``encode`` / ``decode``: characters <-> integer codes;
- ``ngram_perplexity(train, test, order)``: the perplexity of a unigram (order 1) or bigram
  (order 2) model with add-one smoothing, the baselines a language model must beat.

Perplexity is exp(mean cross-entropy in nats per character): a model as unsure as a uniform
choice among k characters has perplexity k.
"""
from __future__ import annotations

from importlib import resources

import numpy as np

from .._checks import as_int

ALPHABET = "\n '(),-.0123456789:;abcdefghijklmnopqrstuvwxyz"


def load_course_text() -> str:
    """The frozen course text (str, characters from ``ALPHABET``)."""
    return resources.files(__package__).joinpath("course_text.txt").read_text(encoding="utf-8")


def encode(text: str) -> np.ndarray:
    """Characters -> codes (len(text),) int64, positions in ``ALPHABET``."""
    index = {ch: i for i, ch in enumerate(ALPHABET)}
    unknown = sorted(set(text) - set(index))
    if unknown:
        raise ValueError(f"text: expected characters from ALPHABET, got {unknown}")
    return np.array([index[ch] for ch in text], dtype=np.int64)


def decode(codes) -> str:
    """Codes -> the string they stand for."""
    return "".join(ALPHABET[int(c)] for c in np.asarray(codes).ravel())


def ngram_perplexity(train, test, order: int) -> float:
    """Perplexity on ``test`` (codes) of an add-one smoothed unigram (order 1) or bigram (2)
    model counted on ``train`` (codes). For the bigram, the first test character is not scored."""
    order = as_int(order, "order")
    train, test = np.asarray(train, dtype=np.int64), np.asarray(test, dtype=np.int64)
    k = len(ALPHABET)
    if order == 1:
        probabilities = (np.bincount(train, minlength=k) + 1.0) / (len(train) + k)
        return float(np.exp(-np.log(probabilities[test]).mean()))
    if order == 2:
        counts = np.ones((k, k))
        np.add.at(counts, (train[:-1], train[1:]), 1.0)
        probabilities = counts / counts.sum(axis=1, keepdims=True)
        return float(np.exp(-np.log(probabilities[test[:-1], test[1:]]).mean()))
    raise ValueError(f"order: expected 1 (unigram) or 2 (bigram), got {order}")
