"""The class report as a page and a CSV: ``python -m grading report ASSIGNMENT | --all``.

The page is one self-contained HTML file: the figures are PNGs drawn by matplotlib and
embedded as ``data:`` URLs, the style sheet is inline, there is no script, and its Content
Security Policy lets it load nothing but those images. Every text (student ids, reasons,
failure messages: hostile input) goes through Jinja2's autoescape.

CSV: one row per student and assignment (``CSV_COLUMNS``), text cells neutralized against
spreadsheet formulas as in ``export``.
"""
from __future__ import annotations

import base64
import csv
import io
from pathlib import Path

import jinja2
import matplotlib
import numpy as np

from .course import Course
from .export import assignments_with_work, neutralized
from .report import STATUSES, AssignmentReport, assignment_report
from .sandbox import Limits

TEMPLATES = Path(__file__).with_name("templates")
CSV_COLUMNS = ["student", "assignment", "status", "reason", "score", "max_score", "auto_score",
               "auto_max_score", "needs_manual_grading", "failed_visible", "failed_hidden_only",
               "ungraded_written", "run_seconds"]
STUDENTS_PER_MESSAGE = 5
SLOWEST = 5


def png_data_url(fig) -> str:
    """The figure as a ``data:image/png`` URL; the figure is closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def score_histogram(report: AssignmentReport) -> str | None:
    """Histogram of the automatic scores, mean and median marked."""
    import matplotlib.pyplot as plt

    if not report.scores:
        return None
    maximum = report.auto_max or max(report.scores) or 1.0
    width = max(1.0, maximum / 20)
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    ax.hist(report.scores, bins=np.arange(-width / 2, maximum + width, width),
            color="tab:blue", edgecolor="white")
    ax.axvline(report.mean(), color="tab:orange", label=f"mean {report.mean():.2f}")
    ax.axvline(report.median(), color="tab:green", linestyle="--",
               label=f"median {report.median():g}")
    ax.set_xlabel(f"automatic score (out of {maximum:g})")
    ax.set_ylabel("students")
    ax.legend(loc="upper left")
    fig.tight_layout()
    return png_data_url(fig)


def exercise_bars(report: AssignmentReport) -> str | None:
    """Per autograded grade id: the share of the class with full, partial and zero marks."""
    import matplotlib.pyplot as plt

    rows = [e for e in report.exercises if not e.written and e.scored]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(rows) + 1.2))
    left = np.zeros(len(rows))
    for part, color in [("full", "tab:green"), ("partial", "tab:orange"), ("zero", "tab:red")]:
        share = np.array([100 * getattr(e, part) / e.scored for e in rows])
        ax.barh([e.grade_id for e in rows], share, left=left, color=color, label=part)
        left += share
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the scored submissions")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    fig.tight_layout()
    return png_data_url(fig)


def scores_across(reports: list[AssignmentReport]) -> str | None:
    """Each assignment's automatic scores in % of its maximum, one box per assignment."""
    import matplotlib.pyplot as plt

    data = [(r.assignment, [100 * s / r.auto_max for s in r.scores])
            for r in reports if r.scores and r.auto_max]
    if not data:
        return None
    fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(data) + 2), 3.2))
    ax.boxplot([scores for _, scores in data])
    ax.set_xticks(range(1, len(data) + 1), [name for name, _ in data])
    for i, (_, scores) in enumerate(data, start=1):
        ax.plot(np.full(len(scores), i), scores, "o", color="tab:blue", alpha=0.4)
    ax.set_ylabel("automatic score (%)")
    ax.set_ylim(-5, 105)
    fig.tight_layout()
    return png_data_url(fig)


def render(reports: list[AssignmentReport], title: str) -> str:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                                     autoescape=True, undefined=jinja2.StrictUndefined)
    environment.filters["percent"] = lambda part, whole: f"{100 * part / whole:.0f} %" if whole else "-"
    environment.filters["number"] = lambda x: "-" if x is None else f"{x:.2f}".rstrip("0").rstrip(".")
    sections = [{"report": r, "histogram": score_histogram(r), "bars": exercise_bars(r)}
                for r in reports]
    return environment.get_template("class_report.html.j2").render(
        title=title, sections=sections, across=scores_across(reports) if len(reports) > 1 else None,
        statuses=STATUSES, students_per_message=STUDENTS_PER_MESSAGE, slowest=SLOWEST,
        default_limits=Limits())


def csv_rows(report: AssignmentReport) -> list[dict]:
    rows = []
    for sub in report.submissions:
        v = sub.verdict
        row = {"student": v.student, "assignment": v.assignment, "status": v.status,
               "reason": v.reason, "score": v.score, "max_score": v.max_score,
               "auto_score": v.auto_score, "auto_max_score": v.auto_max_score,
               "needs_manual_grading": v.needs_manual_grading,
               "failed_visible": " ".join(sub.failed(hidden=False)),
               "failed_hidden_only": " ".join(g for g in sub.failed(hidden=True)
                                              if g not in sub.failed(hidden=False)),
               "ungraded_written": " ".join(sub.ungraded_written if sub.scored else []),
               "run_seconds": None if sub.seconds is None else round(sub.seconds, 2)}
        rows.append({k: "" if value is None else value for k, value in row.items()})
    return rows


def write_report(course: Course, assignments: list[str] | None, output: Path | None = None,
                 show_hidden: bool = False) -> tuple[Path, Path]:
    """Write the page and the CSV (``ASSIGNMENT.html``/``.csv``, or ``all.*`` for every
    assignment with work) to ``output`` (default ``WORK/report``); return their paths."""
    matplotlib.use("Agg")
    names = assignments or [a for a in assignments_with_work(course) if a in course.assignments()]
    if not names:
        raise ValueError(f"no assignment with submissions or verdicts in {course.work}")
    reports = [assignment_report(course, name, show_hidden) for name in names]
    stem = names[0] if assignments and len(names) == 1 else "all"
    output = Path(output or course.work / "report")
    output.mkdir(parents=True, exist_ok=True)
    page, table = output / f"{stem}.html", output / f"{stem}.csv"
    title = f"Class report: {', '.join(names)}"
    page.write_text(render(reports, title), encoding="utf-8")
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows({k: neutralized(v) for k, v in row.items()}
                         for report in reports for row in csv_rows(report))
    return page, table
