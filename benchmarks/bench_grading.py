"""Parallel autograding: the demo class graded with --jobs 1, then --jobs 2, in one run.

    .venv/bin/python benchmarks/bench_grading.py [--students 20] [--assignment 01_perceptron]

Prints the wall-clock time of each and the speed-up (target: at least 1.7x on 2 cores), and
checks that both runs gave every student the same verdict and score. It grades in a scratch
course; the real gradebook is not touched.
"""
from __future__ import annotations

import argparse
import os
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
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as scratch:
        demo, assignment = prepare_demo(Course.from_config(work=scratch), args.assignment,
                                        args.students)
        seconds, outcomes = {}, {}
        for jobs in (1, 2):
            start = time.perf_counter()
            verdicts = autograde(demo, assignment, jobs=jobs, progress_bar=False)
            seconds[jobs] = time.perf_counter() - start
            outcomes[jobs] = [(v.student, v.status, v.auto_score) for v in verdicts]
            print(f"--jobs {jobs}: {seconds[jobs]:6.1f} s for {len(verdicts)} students "
                  f"({seconds[jobs] / len(verdicts):.2f} s each)", flush=True)
    print(f"assignment {assignment}, {os.cpu_count()} CPUs")
    print(f"speed-up with --jobs 2: {seconds[1] / seconds[2]:.2f}x (target >= 1.7x)")
    print("same verdicts and scores in both runs:", outcomes[1] == outcomes[2])


if __name__ == "__main__":
    main()
