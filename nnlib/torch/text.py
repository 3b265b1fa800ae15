"""1-D convolution over characters (Zhang, Zhao and LeCun, 2015, in miniature): a toy task
generated from a seed, one-hot characters, and a small character-level CNN in PyTorch.

The task: strings of random letters, each hiding one of ``WORDS`` at a random position;
the class is which word. A 1-D convolution with kernels as long as a word, followed by a
max over all positions, finds a word wherever it sits: the position does not matter.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .._checks import as_generator, as_int
from .models import seeded_model

ALPHABET = "abcdefghijklmnopqrstuvwxyz"
WORDS = ("cat", "dog", "owl")


def one_hot_text(strings, alphabet: str = ALPHABET) -> np.ndarray:
    """Strings of equal length L -> one-hot characters (n, len(alphabet), L), float32:
    one channel per letter, the 1-D analogue of an image's colour channels."""
    strings = list(strings)
    if not strings or any(not isinstance(s, str) for s in strings):
        raise ValueError("strings: expected a non-empty sequence of str")
    length = len(strings[0])
    if any(len(s) != length for s in strings):
        raise ValueError(f"strings: expected every string of length {length}, "
                         f"got lengths {sorted({len(s) for s in strings})}")
    index = {ch: i for i, ch in enumerate(alphabet)}
    unknown = sorted({ch for s in strings for ch in s} - set(index))
    if unknown:
        raise ValueError(f"strings: expected characters from {alphabet!r}, got {unknown}")
    codes = np.array([[index[ch] for ch in s] for s in strings])
    out = np.zeros((len(strings), len(alphabet), length), dtype=np.float32)
    np.put_along_axis(out, codes[:, None, :], 1.0, axis=1)
    return out


def hidden_word_strings(n: int, rng, length: int = 24, words=WORDS) -> tuple[list[str], np.ndarray]:
    """``n`` random strings of ``length`` letters, each with one of ``words`` written over it at a
    random position; returns (strings, labels (n,) int64), the label being the word's index.
    The noise letters never spell one of the words by chance (such strings are drawn again)."""
    n, length = as_int(n, "n"), as_int(length, "length")
    rng = as_generator(rng)
    longest = max(len(w) for w in words)
    if length < longest:
        raise ValueError(f"length: expected at least the longest word's {longest}, got {length}")
    strings, labels = [], rng.integers(0, len(words), size=n)
    for label in labels:
        while True:
            letters = list(rng.choice(list(ALPHABET), size=length))
            word = words[label]
            start = int(rng.integers(0, length - len(word) + 1))
            letters[start:start + len(word)] = word
            text = "".join(letters)
            if sum(w in text for w in words) == 1 and text.count(word) == 1:
                break
        strings.append(text)
    return strings, labels.astype(np.int64)


class CharCNN(nn.Module):
    """(n, alphabet size, L) one-hot characters -> (n, n_classes) logits.

    conv1d (alphabet -> ``n_filters``, kernel ``kernel_size``) -> ReLU -> max over all
    positions (global max pooling) -> linear to the classes.
    """

    def __init__(self, n_classes: int = len(WORDS), alphabet_size: int = len(ALPHABET), n_filters: int = 8,
                 kernel_size: int = 3):
        super().__init__()
        self.conv = nn.Conv1d(as_int(alphabet_size, "alphabet_size"), as_int(n_filters, "n_filters"),
                              as_int(kernel_size, "kernel_size"))
        self.out = nn.Linear(n_filters, as_int(n_classes, "n_classes"))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = torch.relu(self.conv(x))            # (n, n_filters, L - kernel_size + 1)
        return self.out(features.amax(dim=2))          # the strongest response anywhere


def char_cnn(seed: int, **kwargs) -> CharCNN:
    """A fresh ``CharCNN(**kwargs)`` whose starting weights depend on ``seed`` only."""
    return seeded_model(lambda: CharCNN(**kwargs), seed)
