"""Run the notebook tests (nbval on lectures/ and solutions/) under several maths kernels.

NumPy's OpenBLAS and PyTorch pick their matrix and vector kernels by CPU (SSE, AVX2,
AVX-512, NEON), and each kernel rounds differently in the last bits. The stored outputs
must not depend on that: this script re-runs the notebook tests against the *same* stored
outputs with other kernels forced through environment variables, one combination after the
other, and prints a table. `make test-kernels` runs it; pass pytest arguments after `--`,
e.g. `python tests/kernels.py -- lectures/05_mnist_mlp.ipynb`.

    OPENBLAS_CORETYPE      NumPy's OpenBLAS kernel (Prescott, Sandybridge, Haswell, SkylakeX)
    ATEN_CPU_CAPABILITY    PyTorch's vectorized kernels (default, avx2, avx512)
    MKL_ENABLE_INSTRUCTIONS  the instruction set MKL may use inside PyTorch (SSE4_2, AVX2, AVX512)
    NPY_DISABLE_CPU_FEATURES  NumPy's own SIMD loops (exp, log, sums) that may not be used

Combinations the CPU cannot run (AVX-512 on a CPU without it; all of them off x86) are
skipped with a note. The exit status is non-zero if any combination fails.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each combination: the variables it sets (the others are unset) and the CPU flag it needs.
NO_AVX512 = "X86_V4 AVX512_ICL AVX512_SPR"   # NumPy's own loops (exp, sums, ...) without AVX-512
NO_AVX = "X86_V3 " + NO_AVX512                # ... and without AVX2 / FMA
COMBINATIONS = [
    ({}, None),                                # whatever this machine picks by itself
    ({"OPENBLAS_CORETYPE": "Prescott", "ATEN_CPU_CAPABILITY": "default", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
      "NPY_DISABLE_CPU_FEATURES": NO_AVX}, None),   # the oldest x86-64 kernels, no AVX at all
    ({"OPENBLAS_CORETYPE": "Sandybridge", "ATEN_CPU_CAPABILITY": "default"}, "avx"),
    ({"OPENBLAS_CORETYPE": "Haswell", "ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2",
      "NPY_DISABLE_CPU_FEATURES": NO_AVX512}, "avx2"),
    ({"OPENBLAS_CORETYPE": "SkylakeX", "ATEN_CPU_CAPABILITY": "avx512", "MKL_ENABLE_INSTRUCTIONS": "AVX512"}, "avx512f"),
]
KERNEL_VARIABLES = ("OPENBLAS_CORETYPE", "ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "NPY_DISABLE_CPU_FEATURES")

PROBE = ("import threadpoolctl, torch; "
         "blas = [i.get('architecture', '?') for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas']; "
         "print(','.join(blas) or '?', torch.backends.cpu.get_cpu_capability())")


def cpu_flags() -> set[str]:
    """The CPU's feature flags (Linux), or an empty set elsewhere."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def environment(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment, one thread, with exactly ``settings`` among the kernel variables."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    for name in KERNEL_VARIABLES:
        env.pop(name, None)
    env.update(settings)
    if "NPY_DISABLE_CPU_FEATURES" in settings:  # NumPy warns about features the CPU does not have
        from numpy._core._multiarray_umath import __cpu_features__
        wanted = [f for f in settings["NPY_DISABLE_CPU_FEATURES"].split() if __cpu_features__.get(f)]
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(wanted)
    return env


def main(pytest_args: list[str]) -> int:
    on_x86 = platform.machine().lower() in ("x86_64", "amd64")
    flags = cpu_flags()
    rows, failed = [], False
    for settings, needs in COMBINATIONS:
        label = " ".join(f"{name}={value!r}" if " " in value else f"{name}={value}"
                         for name, value in settings.items()) or "the machine's default"
        if settings and (not on_x86 or (needs and needs not in flags)):
            rows.append((label, "-", "skipped: this CPU cannot run it"))
            continue
        env = environment(settings)
        kernels = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True,
                                 text=True).stdout.strip() or "?"
        print(f"\n=== {label}  (NumPy BLAS, PyTorch capability: {kernels})", flush=True)
        start = time.perf_counter()
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args]
        status = subprocess.run(command, env=env, cwd=ROOT).returncode
        outcome = "passed" if status == 0 else f"FAILED (pytest exit {status})"
        failed |= status != 0
        rows.append((label, kernels, f"{outcome} in {time.perf_counter() - start:.0f} s"))
    print("\nresults (kernels in use: NumPy's OpenBLAS core, PyTorch's CPU capability)")
    for label, kernels, outcome in rows:
        print(f"  {outcome:<28} {kernels:<22} {label}")
    return 1 if failed else 0


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["--"]:
        arguments = arguments[1:]
    sys.exit(main(arguments or ["lectures", "solutions"]))
