"""Time one training step of nnlib's MLP against the same model in PyTorch, on one thread.

The model is 784-100-10 with ReLU and softmax cross-entropy, in float32; a step is the
forward pass, the loss, the backward pass and a plain SGD update. Both models start from
the same weights and see the same mini-batches, so their weights must agree after the
first block of steps (float32 rounding apart; the script prints the largest difference
then and at the end). Steps of the two libraries alternate in short blocks and the script
reports medians, to be fair on a noisy, shared machine.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_mlp.py

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

from nnlib.layers import Activation, Dense  # noqa: E402
from nnlib.losses import softmax_cross_entropy, softmax_cross_entropy_grad  # noqa: E402
from nnlib.network import SGD, Sequential  # noqa: E402

N_IN, N_HIDDEN, N_OUT = 784, 100, 10
LEARNING_RATE = 0.05
EXAMPLES = 8192  # random examples of MNIST's shape, cut into mini-batches
MATMUL_SIZE = 1024  # the reference: NumPy's float32 rate on a 1024 x 1024 product


def nnlib_model(seed: int) -> Sequential:
    return Sequential([Dense(N_IN, N_HIDDEN, seed), Activation("relu"), Dense(N_HIDDEN, N_OUT, seed + 1)])


def torch_copy(model: Sequential) -> torch.nn.Sequential:
    """The same network in PyTorch, starting from a copy of ``model``'s weights."""
    net = torch.nn.Sequential(torch.nn.Linear(N_IN, N_HIDDEN), torch.nn.ReLU(), torch.nn.Linear(N_HIDDEN, N_OUT))
    with torch.no_grad():
        for linear, prefix in ((net[0], "0"), (net[2], "2")):
            linear.weight.copy_(torch.from_numpy(model.params[f"{prefix}.W"].T))  # torch stores W^T
            linear.bias.copy_(torch.from_numpy(model.params[f"{prefix}.b"]))
    return net


def nnlib_step(model, optimizer, x, labels) -> float:
    """One step through nnlib's public API, input checks included."""
    logits = model.forward(x, training=True)
    loss = softmax_cross_entropy(logits, labels)
    model.backward(softmax_cross_entropy_grad(logits, labels), need_grad_x=False)
    optimizer.step(model)
    return loss


def torch_step(net, optimizer, x, labels) -> float:
    optimizer.zero_grad()
    loss = torch.nn.functional.cross_entropy(net(x), labels)
    loss.backward()
    optimizer.step()
    return loss.item()


def step_matmul_flops(batch_size: int) -> int:
    """FLOPs of the matrix products in one nnlib step (2 per multiply-add).

    Forward x W for both layers; backward x^T g (weights) for both layers and g W^T
    (the gradient for the layer's input) for the second layer only: the first layer's
    input is the data, which needs no gradient (PyTorch skips it too).
    """
    first, second = N_IN * N_HIDDEN, N_HIDDEN * N_OUT
    return 2 * batch_size * (2 * first + 3 * second)


def time_matmul(a: np.ndarray) -> float:
    """Seconds for one product a @ a."""
    start = time.perf_counter()
    a @ a
    return time.perf_counter() - start


def benchmark(batch_size: int, blocks: int, steps_per_block: int, seed: int = 0) -> dict:
    """Median milliseconds per step for both libraries, their final weight difference, and
    the NumPy float32 matmul rate (GFLOP/s) measured between the blocks."""
    rng = np.random.default_rng(seed)
    n_batches = blocks * steps_per_block
    n_distinct = min(n_batches, max(1, EXAMPLES // batch_size))  # steps cycle through these batches
    X = rng.random((n_distinct, batch_size, N_IN), dtype=np.float32)
    y = rng.integers(0, N_OUT, size=(n_distinct, batch_size))
    X_torch, y_torch = torch.from_numpy(X), torch.from_numpy(y)
    square = rng.random((MATMUL_SIZE, MATMUL_SIZE), dtype=np.float32)

    def fresh_models():
        model = nnlib_model(seed)
        net = torch_copy(model)
        return model, SGD(lr=LEARNING_RATE), net, torch.optim.SGD(net.parameters(), lr=LEARNING_RATE)

    model, nn_optimizer, net, torch_optimizer = fresh_models()
    for i in range(min(10, n_distinct)):  # warm-up: first calls allocate memory and load code
        nnlib_step(model, nn_optimizer, X[i], y[i])
        torch_step(net, torch_optimizer, X_torch[i], y_torch[i])
    time_matmul(square)
    # start both again from the same weights, so that their weights can be compared at the end
    model, nn_optimizer, net, torch_optimizer = fresh_models()

    nn_times, torch_times, matmul_times = [], [], []
    for block in range(blocks):
        batches = [i % n_distinct for i in range(block * steps_per_block, (block + 1) * steps_per_block)]
        start = time.perf_counter()
        for i in batches:
            nnlib_step(model, nn_optimizer, X[i], y[i])
        nn_times.append((time.perf_counter() - start) / steps_per_block)
        start = time.perf_counter()
        for i in batches:
            torch_step(net, torch_optimizer, X_torch[i], y_torch[i])
        torch_times.append((time.perf_counter() - start) / steps_per_block)
        matmul_times.append(time_matmul(square))
        if block == 0:
            first_difference = max_weight_difference(model, net)

    return {"nnlib_ms": 1e3 * np.median(nn_times), "torch_ms": 1e3 * np.median(torch_times),
            "first_difference": first_difference, "last_difference": max_weight_difference(model, net),
            "matmul_gflops": 2 * MATMUL_SIZE**3 / np.median(matmul_times) / 1e9}


def max_weight_difference(model: Sequential, net: torch.nn.Sequential) -> float:
    """Largest |w_nnlib - w_torch| over all weights and biases."""
    torch_params = {"0.W": net[0].weight.T, "0.b": net[0].bias, "2.W": net[2].weight.T, "2.b": net[2].bias}
    return max(float(np.max(np.abs(model.params[name] - w.detach().numpy()))) for name, w in torch_params.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 32, 256])
    parser.add_argument("--blocks", type=int, default=30, help="alternating timing blocks per batch size")
    parser.add_argument("--steps-per-block", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)

    print(f"one training step of {N_IN}-{N_HIDDEN}-{N_OUT} ReLU + softmax cross-entropy, float32, one thread; "
          f"medians of {args.blocks} blocks of {args.steps_per_block} steps")
    print(f"{'batch':>5} {'nnlib ms':>9} {'torch ms':>9} {'nnlib/torch':>11} {'nnlib GFLOP/s':>13} "
          f"{'matmul GFLOP/s':>14} {'fraction':>8} {'|dW| first':>10} {'|dW| last':>9}")
    for batch_size in args.batch_sizes:
        result = benchmark(batch_size, args.blocks, args.steps_per_block)
        gflops = step_matmul_flops(batch_size) / (result["nnlib_ms"] * 1e-3) / 1e9
        print(f"{batch_size:>5} {result['nnlib_ms']:>9.3f} {result['torch_ms']:>9.3f} "
              f"{result['nnlib_ms'] / result['torch_ms']:>11.2f} {gflops:>13.1f} "
              f"{result['matmul_gflops']:>14.1f} {gflops / result['matmul_gflops']:>8.2f} "
              f"{result['first_difference']:>10.1e} {result['last_difference']:>9.1e}")


if __name__ == "__main__":
    main()
