"""The class report of the demo class: how long ``python -m grading report`` takes after
autograde.

    .venv/bin/python benchmarks/bench_report.py [--students 20] [--assignment 01_perceptron]

Grades the demo class (``--jobs 2``) in a scratch course, then runs the report command three
times as a fresh process (Python's start and nbgrader's import included, as an instructor
runs it) and prints each time and the median (target: under 10 s for 20 submissions).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_NUM_THREADS", "1")

from grading.autograde import autograde  # noqa: E402
from grading.course import Course  # noqa: E402
from grading.demo import prepare_demo  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--assignment", default=None, help="default: as the demo")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
        demo, assignment = prepare_demo(Course.from_config(work=scratch), args.assignment,
                                        args.students)
        verdicts = autograde(demo, assignment, jobs=2, progress_bar=False)
        command = [sys.executable, "-m", "grading", "--source", str(demo.source), "--release",
                   str(demo.release), "--work", str(demo.work), "report", assignment]
        seconds = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(command, cwd=REPO, check=True, capture_output=True)
            seconds.append(time.perf_counter() - start)
            print(f"report of {len(verdicts)} submissions: {seconds[-1]:.1f} s", flush=True)
    print(f"assignment {assignment}, {os.cpu_count()} CPUs")
    print(f"median {statistics.median(seconds):.1f} s (target < 10 s)")


if __name__ == "__main__":
    main()
