"""The gallery of broken and hostile submissions, autograded through the instructor's command
line (collect, autograde --jobs 2, export, feedback), twice: every verdict as expected, nothing
lost, the same scores both times, feedback free of hidden tests and of network resources.

It grades the course's first assignment, 01_perceptron; GRADING_GALLERY_ASSIGNMENT names
another one of solutions/, or f01_neuron, the small fixture under tests/fixtures."""
import csv
import html
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import numpy as np
import pytest

from grading.collect import shown
from grading.gallery import (ACTIVE_MARK, FIXTURE_ASSIGNMENT, FIXTURE_COURSE, GALLERY_LIMITS,
                             PNG_70_BYTES, REFUSED, TRAP_CONTENT)
from grading.sanitize import is_local
from grading.lint import hidden_test_lines

REPO = Path(__file__).resolve().parents[1]

A = os.environ.get("GRADING_GALLERY_ASSIGNMENT", "01_perceptron")
SOURCE = FIXTURE_COURSE / "solutions" if A == FIXTURE_ASSIGNMENT else REPO / "solutions"


def limit_options(limits) -> list[str]:
    return [f"--{name.replace('_', '-')}={getattr(limits, name)}"
            for name in limits.__dataclass_fields__]


@pytest.fixture(scope="module")
def course(tmp_path_factory, grading_cli):
    """Release the fixture assignment, write the gallery, collect it, autograde it twice."""
    tmp = tmp_path_factory.mktemp("gallery")
    cli = grading_cli(SOURCE, tmp / "exercises", tmp / "work")
    cli("release", A, "--no-execute")
    cli("gallery", tmp / "gallery", "--assignment", A)
    collected = cli("collect", A, tmp / "gallery" / "submissions") + cli(
        "collect", A, tmp / "gallery" / "lms_export.zip")
    runs, students = [], []
    for name in ("first", "second"):  # the second run regrades every submission with a score
        cli("autograde", A, "--jobs", 2, *limit_options(GALLERY_LIMITS), "--no-progress",
            *[f"--student={s}" for s in students])
        cli("export", "--output", tmp / f"{name}.csv")
        with open(tmp / f"{name}.csv") as handle:
            runs.append({row["student"]: row for row in csv.DictReader(handle)})
        students = [s for s, row in runs[0].items() if row["score"] != ""]
    cli("feedback", A)
    expected = json.loads((tmp / "gallery" / "expected.json").read_text())
    refused = {s: e for s, e in expected.items() if e["status"] == REFUSED}
    return {"tmp": tmp, "runs": runs, "collected": collected, "refused": refused,
            "expected": {s: e for s, e in expected.items() if s not in refused}}


def test_the_gallery_has_at_least_18_cases(course):
    assert len(course["expected"]) >= 18


def test_no_submission_is_lost(course):
    for rows in course["runs"]:
        assert set(rows) == set(course["expected"])


def test_each_refused_upload_gets_one_line_and_the_rest_is_collected(course):
    """Symbolic links, ids with control, bidi or zero-width characters, an over-long name, a
    bad CRC, an encrypted member, a zip bomb: one line each, and the honest student of the
    same zip (g36_from_zip) is graded."""
    lines = course["collected"].splitlines()
    missing = [f"{shown(s)}: {e['reason']}" for s, e in course["refused"].items()
               if not any(shown(s) in line and e["reason"] in line for line in lines)]
    assert not missing, "\n".join(missing) + "\n--- collect said:\n" + course["collected"]
    assert len(course["refused"]) >= 9
    printed = course["collected"]
    assert "\x1b" not in printed and "\r" not in printed and "\u202e" not in printed
    assert not (course["tmp"] / "work" / "submitted" / "g40_zip_bomb").exists()


def test_the_submission_time_is_collects_not_the_students(course):
    stamp = course["tmp"] / "work" / "submitted" / "g29_hostile_markup" / A / "timestamp.txt"
    assert stamp.read_text().startswith("20") and "garbage" not in stamp.read_text()


def test_a_pasted_image_is_graded_like_the_same_submission_without_it(course):
    for rows in course["runs"]:
        keys = ("status", "score", "auto_score", "reason")
        assert [rows["g30_pasted_image"][k] for k in keys] == [rows["g01_correct"][k] for k in keys]
    path = course["tmp"] / "work" / "autograded" / "g30_pasted_image" / A / f"{A}.ipynb"
    assert path.stat().st_size < 200_000  # the unused 4 MB attachment is gone
    nb = nbformat.read(str(path), as_version=4)
    assert [c.attachments for c in nb.cells if c.get("attachments")] == [
        {"image.png": {"image/png": PNG_70_BYTES}}]
    assert f"data:image/png;base64,{PNG_70_BYTES}" in feedback_page(course, "g30_pasted_image")


@pytest.mark.parametrize("run", [0, 1], ids=["first", "second"])
def test_every_case_gets_its_expected_verdict(course, run):
    wrong = []
    for student, exp in course["expected"].items():
        row = course["runs"][run][student]
        got = (row["status"], row["auto_score"], row["reason"])
        if row["status"] != exp["status"] or exp["reason"] not in row["reason"] or (
                exp["auto_score"] is not None and float(row["auto_score"]) != exp["auto_score"]):
            wrong.append(f"{student}: expected {exp}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_every_reason_is_one_line_and_says_each_thing_once(course):
    for student, row in course["runs"][0].items():
        reason = row["reason"]
        assert "\n" not in reason and "\r" not in reason, (student, reason)
        parts = reason.split("; ")
        assert len(parts) == len(set(parts)), (student, reason)
    # The looping answer's test cell is named with its time-out; when a later demo cell calls
    # the same function, the total time limit may be reached too and is said first.
    timeout = course["runs"][0]["g05_infinite_loop"]["reason"]
    expected = course["expected"]["g05_infinite_loop"]["reason"]
    total = rf"exceeded the total time limit of {GALLERY_LIMITS.total_timeout:g} s \(in cell \d+ \(\w+\)\); "
    assert re.fullmatch(f"({total})?{re.escape(expected)}", timeout), timeout


def test_could_not_grade_is_never_a_zero(course):
    for row in course["runs"][0].values():
        if row["status"] == "could not grade":
            assert row["score"] == "" and row["reason"], row


def test_regrading_gives_identical_scores(course):
    first, second = course["runs"]
    for student in first:
        keys = ("score", "auto_score", "status")
        assert [first[student][k] for k in keys] == [second[student][k] for k in keys], student


def outputs_of(course, student) -> str:
    path = course["tmp"] / "work" / "autograded" / student / A / f"{A}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    return "\n".join(str(o.get("text", "")) for c in nb.cells for o in c.get("outputs", []))


def test_the_sandbox_had_no_network_and_no_view_of_the_instructor_files(course):
    assert "Network is unreachable" in outputs_of(course, "g10_network")
    assert "solutions: FileNotFoundError" in outputs_of(course, "g11_read_solutions")
    assert "gradebook: FileNotFoundError" in outputs_of(course, "g11_read_solutions")
    assert "gradebook: unable to open database file" in outputs_of(course, "g12_write_gradebook")


def test_a_symbolic_link_left_by_the_student_is_never_followed(course):
    target = course["tmp"] / "gallery" / "trap_target.txt"
    assert target.read_text() == TRAP_CONTENT
    assert target.stat().st_mode & 0o777 == 0o600


def test_a_huge_output_is_cut(course):
    path = course["tmp"] / "work" / "autograded" / "g09_huge_output" / A / f"{A}.ipynb"
    assert path.stat().st_size < 200_000
    assert "output cut by the grader" in outputs_of(course, "g09_huge_output")


def hidden_lines() -> list[str]:
    """Distinctive lines of the hidden tests: appearing nowhere else in the source notebook,
    nor in the library code that a failed test's traceback quotes (``except ValueError:``)."""
    quoted = (REPO / "nnlib" / "testing.py").read_text() + Path(np.testing.__file__).with_name(
        "_private").joinpath("utils.py").read_text()
    lines = hidden_test_lines(nbformat.read(str(SOURCE / A / f"{A}.ipynb"), as_version=4),
                              min_length=12)
    return [line for line in lines if line not in quoted]


def feedback_files(course) -> list[Path]:
    return sorted((course["tmp"] / "work" / "feedback").glob(f"*/{A}/{A}.html"))


def test_feedback_exists_for_every_graded_submission(course):
    graded = {s for s, row in course["runs"][1].items() if row["status"] != "could not grade"}
    assert {p.parent.parent.name for p in feedback_files(course)} == graded


def test_feedback_never_shows_hidden_tests(course):
    secrets = hidden_lines() + ["HIDDEN TESTS"]
    assert len(secrets) > 5
    failed_hidden = 0
    for path in feedback_files(course):
        text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{path}: {leaked}"
        failed_hidden += text.count("a hidden test failed")
    assert failed_hidden > 0  # the gallery does fail hidden tests (g03_wrong)


def test_feedback_renders_offline(course):
    for path in feedback_files(course):
        page = path.read_text()
        remote = [url for url in ActiveParts(page).urls if re.match(r"\s*(https?:)?//", url)]
        assert not remote, (path, remote)  # parsed: a student's code may quote a URL as text
        assert "MathJax.Hub" not in page and not re.search(r"<script[^>]*src", page), path
        assert "data:image/svg+xml" in page  # the formulas, drawn as SVG


class ActiveParts(HTMLParser):
    """What in an HTML page could run: frames, embedded objects and SVG, event-handler
    attributes, URLs with a script scheme, and scripts or style elements that carry the
    gallery's mark."""

    RUNNING_TAGS = {"iframe", "frame", "object", "embed", "applet", "svg", "base", "form"}

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.parts, self.inside, self.urls, self.remote = [], [], [], []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag in self.RUNNING_TAGS:
            self.parts.append(f"<{tag}>")
        for name, value in attrs:
            if name in ("src", "href", "srcset", "poster", "xlink:href", "data") and value:
                self.urls.append(value)
                if not (is_local(value) or value.startswith("data:image/")):
                    self.remote.append(f"<{tag} {name}={value[:80]}>")
            squeezed = re.sub(r"\s", "", value or "").lower()
            if name.startswith("on"):
                self.parts.append(f"<{tag} {name}>")
            if re.search(r"(java|vb)script:", squeezed) or ACTIVE_MARK.lower() in squeezed:
                self.parts.append(f"<{tag} {name}={value}>")
        if tag in ("script", "style"):
            self.inside.append(tag)

    def handle_endtag(self, tag):
        if self.inside and tag == self.inside[-1]:
            self.inside.pop()

    def handle_data(self, data):
        if self.inside and ACTIVE_MARK in data:
            self.parts.append(f"<{self.inside[-1]}> {data.strip()[:60]}")


def formgrader_view(course, student) -> str:
    """The autograded notebook as nbconvert renders it (as the formgrader does)."""
    from nbconvert import HTMLExporter

    path = course["tmp"] / "work" / "autograded" / student / A / f"{A}.ipynb"
    return HTMLExporter(template_name="classic").from_filename(str(path))[0]


@pytest.mark.parametrize("student", ["g27_active_content", "g29_hostile_markup"])
def test_nothing_active_that_a_student_wrote_reaches_a_page(course, student):
    """Scripts, handlers, javascript: links, frames, styles and SVG in markdown, raw cells and
    outputs (g27); SVG, MathML and unknown elements with handlers, remote images (g29): the
    formgrader's view of the autograded notebook and the feedback page have no more active
    parts than those of the correct submission (the templates' own), and no remote URL."""
    for page_of in (formgrader_view, lambda c, s: feedback_page(c, s)):
        baseline = ActiveParts(page_of(course, "g01_correct")).parts
        assert ActiveParts(page_of(course, student)).parts == baseline
        remote = ActiveParts(page_of(course, student)).remote
        assert remote == ActiveParts(page_of(course, "g01_correct")).remote, remote
    path = course["tmp"] / "work" / "autograded" / student / A / f"{A}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    kinds = {k for c in nb.cells for o in c.get("outputs", []) for k in o.get("data", {})}
    assert not kinds & {"image/svg+xml", "application/javascript",
                        "application/vnd.jupyter.widget-view+json"}, kinds
    assert "nn-remote.invalid" not in "".join(
        ActiveParts(feedback_page(course, student)).urls)


def test_a_formula_flood_is_shown_as_tex_in_a_small_page(course):
    page = feedback_page(course, "g29_hostile_markup")
    assert len(page) < 3 * len(feedback_page(course, "g01_correct")) + 500_000
    assert page.count("<code>x + x + x") == 4


def feedback_page(course, student) -> str:
    return (course["tmp"] / "work" / "feedback" / student / A / f"{A}.html").read_text()
