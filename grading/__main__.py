"""The instructor's command line: ``python -m grading STEP``, one command per step.

    python -m grading release [ASSIGNMENT ...]        regenerate exercises/ from solutions/
    python -m grading collect ASSIGNMENT PATH         a folder of notebooks or an LMS zip
    python -m grading autograde ASSIGNMENT [--jobs N] sandboxed, parallel, re-seeded
    python -m grading feedback ASSIGNMENT             HTML per student, no hidden tests
    python -m grading export [--output grades.csv]    score, max score, status per student
    python -m grading gallery OUTPUT                  hostile submissions for the tests
    python -m grading report ASSIGNMENT | --all       a page and a CSV: where the class struggled
    python -m grading demo                            a generated class, graded, reported

``--source``, ``--release`` and ``--work`` (before the step) point the steps at other folders.
See grading/README.md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .course import Course
from .printable import printable
from .sandbox import Limits


def _limit_options(parser: argparse.ArgumentParser) -> None:
    defaults = Limits()
    for name, help_text in [
        ("cell_timeout", "seconds of wall clock per cell"),
        ("total_timeout", "seconds of wall clock per submission"),
        ("memory_mb", "address space of the kernel, MB"),
        ("cpu_seconds", "CPU seconds of the kernel"),
        ("file_size_mb", "largest file the kernel may write, MB"),
        ("processes", "processes and threads of one sandbox"),
        ("disk_mb", "disk the run folder and the kernel's home may fill together, MB"),
    ]:
        parser.add_argument("--" + name.replace("_", "-"), type=int,
                            default=getattr(defaults, name),
                            help=f"{help_text} (default {getattr(defaults, name)})")


def _limits(args) -> Limits:
    return Limits(**{name: getattr(args, name) for name in Limits.__dataclass_fields__})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grading", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, help="nbgrader source folder (solutions/)")
    parser.add_argument("--release", type=Path, help="nbgrader release folder (exercises/)")
    parser.add_argument("--work", type=Path, help="working state folder (grading/work/)")
    steps = parser.add_subparsers(dest="step", required=True)

    p = steps.add_parser("release", help="check solutions, regenerate the exercises")
    p.add_argument("assignments", nargs="*", help="default: every assignment")
    p.add_argument("--no-execute", action="store_true",
                   help="lint only; do not run the solution notebooks")
    p.add_argument("--cell-timeout", type=int, default=120)

    p = steps.add_parser("collect", help="take in submissions (folder or zip)")
    p.add_argument("assignment")
    p.add_argument("path", type=Path, help="a folder STUDENT/NOTEBOOK.ipynb, or a zip of one")
    p.add_argument("--pattern", help="regular expression with (?P<student_id>) and "
                   "(?P<file_id>) groups, matched against each file's path")

    p = steps.add_parser("autograde", help="grade the collected submissions")
    p.add_argument("assignment")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument("--jobs", type=int, default=1, help="students graded in parallel")
    p.add_argument("--seed", type=int, default=0, help="seed applied before every cell")
    p.add_argument("--no-progress", action="store_true")
    _limit_options(p)

    p = steps.add_parser("feedback", help="HTML feedback per student")
    p.add_argument("assignment")
    p.add_argument("--student", action="append")

    p = steps.add_parser("export", help="CSV of scores and statuses")
    p.add_argument("--output", type=Path, default=None, help="default: WORK/grades.csv")
    p.add_argument("--assignment", action="append")

    p = steps.add_parser("report", help="the class report: an HTML page and a CSV")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("assignment", nargs="?")
    which.add_argument("--all", action="store_true", help="every assignment with work")
    p.add_argument("--output", type=Path, default=None, help="folder (default: WORK/report)")
    p.add_argument("--show-hidden", action="store_true",
                   help="show the hidden tests' failure messages and lines (not for students)")

    p = steps.add_parser("gallery", help="write the gallery of hostile submissions")
    p.add_argument("output", type=Path)
    p.add_argument("--assignment", default=None, help="default: the fixture assignment")

    p = steps.add_parser("demo", help="grade a generated class and plot the scores")
    p.add_argument("--assignment", default=None)
    p.add_argument("--students", type=int, default=20)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--histogram", type=Path, default=None,
                   help="default: WORK/demo_scores.png")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    course = Course.from_config(args.source, args.release, args.work)
    if args.step == "release":
        from .release import ReleaseError, release

        try:
            release(course, args.assignments or course.assignments(),
                    execute=not args.no_execute, cell_timeout=args.cell_timeout)
        except ReleaseError as error:
            print(error, file=sys.stderr)
            return 1
    elif args.step == "collect":
        from .collect import collect

        collected = collect(course, args.assignment, args.path, pattern=args.pattern)
        for refusal in collected.refused:
            print(printable(refusal))
        print(printable(f"{len(collected.students)} submissions of {args.assignment} in the "
                        "course: " + ", ".join(collected.students)))
    elif args.step == "autograde":
        from .autograde import autograde, print_table
        from .report import save_settings

        results = autograde(course, args.assignment, students=args.student, jobs=args.jobs,
                            limits=_limits(args), seed=args.seed,
                            progress_bar=False if args.no_progress else None)
        print_table(results)
        save_settings(course, args.assignment, _limits(args), args.seed, args.jobs)
    elif args.step == "feedback":
        from .feedback import generate_feedback

        done = generate_feedback(course, args.assignment, students=args.student)
        for path in done.written:
            print(printable(str(path)))
        for line in done.failed:
            print(line)
    elif args.step == "export":
        from .export import export_csv

        output = args.output or course.work / "grades.csv"
        rows = export_csv(course, output, assignments=args.assignment)
        print(f"wrote {len(rows)} rows to {output}")
    elif args.step == "report":
        from .report_page import write_report

        try:
            page, table = write_report(course, None if args.all else [args.assignment],
                                       args.output, show_hidden=args.show_hidden)
        except ValueError as error:  # an unknown assignment, or nothing graded yet
            print(error, file=sys.stderr)
            return 1
        print(f"report: {page}\ntable: {table}")
    elif args.step == "gallery":
        from .gallery import write_gallery

        cases = write_gallery(course, args.assignment, args.output)
        print(f"wrote {len(cases)} submissions and expected.json to {args.output}")
    elif args.step == "demo":
        from .demo import run_demo

        run_demo(course, assignment=args.assignment, n_students=args.students,
                 jobs=args.jobs, histogram=args.histogram)
    return 0


if __name__ == "__main__":
    sys.exit(main())
