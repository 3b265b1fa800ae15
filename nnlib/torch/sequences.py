"""Sequences in PyTorch (notebook 10): an algorithmic task, a small decoder-only transformer,
an LSTM of similar size, their training and exact-match evaluation, and a character-level
language model's helpers.

The task: reverse a string of digits. A sequence is the digits, a separator, then the digits
reversed: ``3 1 4 1 | 1 4 1 3``. Models read the sequence left to right and, at every position,
predict the next token; only the predictions after the separator are trained and scored. A
string counts as right (exact match) only if every digit of the answer is, generated one digit
at a time from the model's own previous digits (greedy decoding).

The transformer takes its attention as a function ``attention(q, k, v, mask)`` (q, k, v tensors
(n, heads, T, d), mask bool (T, T), True = may attend), so that an exercise can plug its own in.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .._checks import as_generator, as_int
from .models import seeded_model

DIGITS = 10
SEPARATOR = 10
VOCAB = 11  # the ten digits and the separator


def reversal_task(n: int, length: int, rng) -> np.ndarray:
    """n sequences (n, 2 * length + 1) int64: random digits, SEPARATOR, the digits reversed."""
    n, length = as_int(n, "n"), as_int(length, "length")
    digits = as_generator(rng).integers(0, DIGITS, size=(n, length))
    return np.concatenate([digits, np.full((n, 1), SEPARATOR), digits[:, ::-1]], axis=1).astype(np.int64)


def held_out(train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """The rows of ``test`` that do not occur in ``train`` (strings never seen in training)."""
    seen = {row.tobytes() for row in np.asarray(train)}
    return np.asarray(test)[[row.tobytes() not in seen for row in np.asarray(test)]]


def torch_attention(q, k, v, mask=None):
    """Scaled dot-product attention on tensors (..., T, d); mask bool, True = may attend."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention with a causal mask: (n, T, d_model) -> (n, T, d_model)."""

    def __init__(self, d_model: int, heads: int, attention=torch_attention):
        super().__init__()
        if d_model % heads:
            raise ValueError(f"heads: expected a divisor of d_model = {d_model}, got {heads}")
        self.heads, self.attention = heads, attention
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.last_weights = None  # (n, heads, T, T) after a forward with keep_weights

    def forward(self, x, keep_weights: bool = False):
        n, T, D = x.shape
        q, k, v = self.qkv(x).view(n, T, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool, device=x.device))
        if keep_weights:
            scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
            self.last_weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1).detach()
        y = self.attention(q, k, v, mask)
        return self.out(y.transpose(1, 2).reshape(n, T, D))


class TransformerBlock(nn.Module):
    """Pre-norm block: x + attention(LayerNorm(x)), then + MLP(LayerNorm(.)) (d_ff hidden, ReLU)."""

    def __init__(self, d_model: int, heads: int, d_ff: int, attention=torch_attention):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, heads, attention)
        self.norm2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))

    def forward(self, x, keep_weights: bool = False):
        x = x + self.attn(self.norm1(x), keep_weights)
        return x + self.mlp(self.norm2(x))


class TinyTransformer(nn.Module):
    """Decoder-only transformer: token and learned position embeddings, ``layers`` blocks, a
    final LayerNorm and a linear read-out. tokens (n, T) int64 -> logits (n, T, vocab)."""

    def __init__(self, vocab: int = VOCAB, context: int = 32, d_model: int = 32, heads: int = 2,
                 layers: int = 2, d_ff: int = 64, attention=torch_attention):
        super().__init__()
        self.context = context
        self.embed = nn.Embedding(vocab, d_model)
        self.position = nn.Embedding(context, d_model)
        self.blocks = nn.ModuleList(TransformerBlock(d_model, heads, d_ff, attention) for _ in range(layers))
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab)

    def forward(self, tokens, keep_weights: bool = False):
        if tokens.shape[1] > self.context:
            raise ValueError(f"tokens: expected at most {self.context} positions, got {tokens.shape[1]}")
        x = self.embed(tokens) + self.position(torch.arange(tokens.shape[1], device=tokens.device))
        for block in self.blocks:
            x = block(x, keep_weights)
        return self.head(self.norm(x))

    def attention_maps(self, tokens) -> list[torch.Tensor]:
        """Each block's attention weights (n, heads, T, T) on ``tokens``."""
        with torch.no_grad():
            self(tokens, keep_weights=True)
        return [block.attn.last_weights for block in self.blocks]


class LSTMModel(nn.Module):
    """Embedding, an LSTM (``layers`` layers of ``hidden`` units), a linear read-out:
    tokens (n, T) int64 -> logits (n, T, vocab), the same interface as ``TinyTransformer``."""

    def __init__(self, vocab: int = VOCAB, hidden: int = 64, layers: int = 1, embed: int = 16):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, tokens):
        return self.head(self.lstm(self.embed(tokens))[0])


def transformer(seed: int, **kwargs) -> TinyTransformer:
    """A fresh ``TinyTransformer`` whose starting weights depend on ``seed`` only."""
    return seeded_model(lambda: TinyTransformer(**kwargs), seed)


def lstm(seed: int, **kwargs) -> LSTMModel:
    """A fresh ``LSTMModel`` whose starting weights depend on ``seed`` only."""
    return seeded_model(lambda: LSTMModel(**kwargs), seed)


def answer_loss(model, sequences: torch.Tensor, answer_length: int) -> torch.Tensor:
    """Mean cross-entropy of the next-token predictions for the last ``answer_length`` tokens."""
    logits = model(sequences[:, :-1])[:, -answer_length:]
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), sequences[:, -answer_length:].reshape(-1))


def train_sequences(model, sequences: np.ndarray, answer_length: int, *, steps: int, batch_size: int = 64,
                    lr: float = 3e-3, rng=0, clip: float = 1.0) -> list[float]:
    """``steps`` Adam steps on random mini-batches of ``sequences`` (n, T) int64, learning rate
    decaying linearly to 0, gradients clipped to norm ``clip``. Returns the loss of every step."""
    steps, batch_size = as_int(steps, "steps"), as_int(batch_size, "batch_size")
    rng = as_generator(rng)
    data = torch.as_tensor(np.asarray(sequences, dtype=np.int64))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / steps)
    model.train()
    losses = []
    for _ in range(steps):
        batch = data[torch.as_tensor(rng.integers(0, len(data), size=batch_size))]
        loss = answer_loss(model, batch, answer_length)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
    return losses


def generate_answers(model, prompts, answer_length: int) -> np.ndarray:
    """Greedy decoding: from prompts (n, P) int64 (digits and separator), ``answer_length``
    tokens, each the most likely next token given the prompt and the tokens made so far."""
    model.eval()
    tokens = torch.as_tensor(np.asarray(prompts, dtype=np.int64))
    with torch.no_grad():
        for _ in range(answer_length):
            next_token = model(tokens)[:, -1].argmax(dim=-1, keepdim=True)
            tokens = torch.cat([tokens, next_token], dim=1)
    return tokens[:, -answer_length:].numpy()


def exact_match(model, sequences: np.ndarray, answer_length: int) -> float:
    """Fraction of sequences whose whole answer greedy decoding gets right."""
    sequences = np.asarray(sequences, dtype=np.int64)
    answers = generate_answers(model, sequences[:, :-answer_length], answer_length)
    return float((answers == sequences[:, -answer_length:]).all(axis=1).mean())


def text_windows(codes, window: int) -> np.ndarray:
    """Every window of ``window`` consecutive codes of a text: (len(codes) - window + 1, window)."""
    codes = np.asarray(codes, dtype=np.int64)
    window = as_int(window, "window", minimum=2)
    if len(codes) < window:
        raise ValueError(f"codes: expected at least {window} characters, got {len(codes)}")
    return np.lib.stride_tricks.sliding_window_view(codes, window).copy()


def perplexity(model, codes, context: int) -> float:
    """exp(mean cross-entropy per character) of ``model`` on ``codes``, read in consecutive
    chunks of ``context + 1`` codes (the first code of a chunk is not scored)."""
    codes = np.asarray(codes, dtype=np.int64)
    chunks = torch.as_tensor(codes[:len(codes) // (context + 1) * (context + 1)].reshape(-1, context + 1))
    model.eval()
    with torch.no_grad():
        loss = answer_loss(model, chunks, context)
    return float(torch.exp(loss))


def sample_text(model, prompt, length: int, temperature: float, rng) -> np.ndarray:
    """``length`` codes drawn one at a time after ``prompt`` (codes), each from the softmax of
    the logits divided by ``temperature`` (below 1: safer, above 1: wilder); the context is the
    last ``model.context`` codes."""
    rng = as_generator(rng)
    tokens = list(np.asarray(prompt, dtype=np.int64))
    model.eval()
    with torch.no_grad():
        for _ in range(as_int(length, "length")):
            window = torch.as_tensor(tokens[-model.context:])[None]
            logits = model(window)[0, -1].double() / temperature
            probabilities = torch.softmax(logits, dim=0).numpy()
            tokens.append(int(rng.choice(len(probabilities), p=probabilities / probabilities.sum())))
    return np.array(tokens[len(prompt):])
