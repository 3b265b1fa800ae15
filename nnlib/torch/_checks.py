"""Input checks every PyTorch module of nnlib shares: NumPy arrays (or tensors) in, tensors of the
model's dtype out, with a ``ValueError`` that names what was expected (the NumPy checks they
build on are in ``nnlib._checks``)."""
from __future__ import annotations

import numpy as np
import torch

from .._checks import as_float_array, as_label_array


def as_features(X, dtype: torch.dtype) -> torch.Tensor:
    """X (n, ...) -> a float tensor of ``dtype`` (sharing memory with X where possible)."""
    if isinstance(X, torch.Tensor):
        X = X.detach().cpu().numpy()
    X = as_float_array(X, "X")
    if X.ndim < 2:
        raise ValueError(f"X: expected an array (n, ...) with one example per row, got shape {X.shape}")
    return torch.as_tensor(X, dtype=dtype)


def as_targets(y, n: int, dtype: torch.dtype) -> torch.Tensor:
    """Integer labels (n,) -> int64 tensor; float targets (n, ...) -> tensor of ``dtype``."""
    if isinstance(y, torch.Tensor):
        y = y.detach().cpu().numpy()
    y = np.asarray(y)
    if y.dtype.kind in "biu":
        target = torch.as_tensor(as_label_array(y, "y"))
    else:
        target = torch.as_tensor(as_float_array(y, "y"), dtype=dtype)
    if len(target) != n:
        raise ValueError(f"y: expected {n} targets, one per row of X, got {len(target)}")
    return target


def model_dtype(model: torch.nn.Module) -> torch.dtype:
    """The float dtype of the model's parameters (float32 for a model without any)."""
    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"model: expected a torch.nn.Module, got {type(model).__name__}")
    return next((p.dtype for p in model.parameters() if p.is_floating_point()), torch.float32)
