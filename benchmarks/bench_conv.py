"""Time nnlib's convolution, forward + backward, against PyTorch's on LeNet-5's first layer.

The shapes: a mini-batch of 64 MNIST images (64, 1, 28, 28), 6 filters of 5x5, padding 2,
float32, one thread. One "pass" is the forward pass and the backward pass for dL/dx, dL/dW and
dL/db, given dL/dy: nnlib's im2col version (``conv2d`` + ``conv2d_backward`` logic, through the
``Conv2D`` layer's public ``forward`` / ``backward``) and its loop version (``conv2d_naive`` +
``conv2d_naive_backward``, timed on fewer images and scaled: it is slow) against
``torch.nn.functional.conv2d`` with autograd. All three are first checked to give the same
numbers. The im2col version and PyTorch alternate in short blocks; medians are reported.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_conv.py

See benchmarks/README.md for what the figures mean.
"""
from __future__ import annotations

import argparse
import os
import time

# One thread for NumPy's BLAS too; this must happen before NumPy is imported.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from nnlib.conv import Conv2D, conv2d_naive, conv2d_naive_backward  # noqa: E402

BATCH, CHANNELS, SIZE, FILTERS, KERNEL, PAD = 64, 1, 28, 6, 5, 2
LOOP_IMAGES = 4  # the loop version is timed on this many images, then scaled to the batch


def nnlib_pass(layer: Conv2D, x: np.ndarray, grad_y: np.ndarray) -> np.ndarray:
    layer.forward(x)
    return layer.backward(grad_y)


def torch_pass(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor, grad_y: torch.Tensor) -> torch.Tensor:
    x.grad = W.grad = b.grad = None
    F.conv2d(x, W, b, padding=PAD).backward(grad_y)
    return x.grad


def loop_pass(x, W, b, grad_y):
    conv2d_naive(x, W, b, pad=PAD)
    return conv2d_naive_backward(grad_y, x, W, pad=PAD)[0]


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| relative to max |b|."""
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def seconds(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=20, help="alternating timing blocks")
    parser.add_argument("--passes-per-block", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(1)

    rng = np.random.default_rng(0)
    x = rng.random((BATCH, CHANNELS, SIZE, SIZE), dtype=np.float32)
    grad_y = rng.standard_normal((BATCH, FILTERS, SIZE, SIZE)).astype(np.float32)
    layer = Conv2D(CHANNELS, FILTERS, KERNEL, rng=1, padding=PAD)
    W, b = layer.params["W"], rng.standard_normal(FILTERS).astype(np.float32)
    layer.params["b"][...] = b
    x_t, W_t, b_t = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    grad_y_t = torch.tensor(grad_y)

    # the three compute the same numbers (float32 rounding apart)
    dx_nnlib = nnlib_pass(layer, x, grad_y)
    dx_torch = torch_pass(x_t, W_t, b_t, grad_y_t).numpy()
    dx_loop = loop_pass(x[:LOOP_IMAGES], W, b, grad_y[:LOOP_IMAGES])
    difference = max(relative_difference(dx_nnlib, dx_torch), relative_difference(layer.grads["W"], W_t.grad.numpy()),
                     relative_difference(dx_loop, dx_torch[:LOOP_IMAGES]))

    for _ in range(3):  # warm-up
        nnlib_pass(layer, x, grad_y)
        torch_pass(x_t, W_t, b_t, grad_y_t)
    nnlib_times, torch_times = [], []
    for _ in range(args.blocks):
        nnlib_times.append(seconds(lambda: [nnlib_pass(layer, x, grad_y) for _ in range(args.passes_per_block)])
                           / args.passes_per_block)
        torch_times.append(seconds(lambda: [torch_pass(x_t, W_t, b_t, grad_y_t) for _ in range(args.passes_per_block)])
                           / args.passes_per_block)
    loop_time = seconds(loop_pass, x[:LOOP_IMAGES], W, b, grad_y[:LOOP_IMAGES]) * BATCH / LOOP_IMAGES

    nnlib_ms, torch_ms = 1e3 * np.median(nnlib_times), 1e3 * np.median(torch_times)
    print(f"conv {CHANNELS} -> {FILTERS}, {KERNEL}x{KERNEL}, padding {PAD}, on ({BATCH}, {CHANNELS}, {SIZE}, {SIZE}), "
          f"float32, one thread: forward + backward (dx, dW, db)")
    print(f"largest difference between the three versions' gradients, relative to the largest gradient: {difference:.1e}")
    print(f"{'version':>18} {'ms per pass':>12} {'/ PyTorch':>10}")
    print(f"{'PyTorch':>18} {torch_ms:>12.2f} {1.0:>10.2f}")
    print(f"{'nnlib im2col':>18} {nnlib_ms:>12.2f} {nnlib_ms / torch_ms:>10.2f}")
    print(f"{'nnlib loops':>18} {1e3 * loop_time:>12.0f} {1e3 * loop_time / torch_ms:>10.0f}"
          f"   (timed on {LOOP_IMAGES} images, scaled to {BATCH})")


if __name__ == "__main__":
    main()
