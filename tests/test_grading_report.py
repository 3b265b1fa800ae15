"""The class report (``python -m grading report``) on a class with known answers, graded
through the instructor's command line once for the module: every section's figures and the
CSV match what each student did; hostile ids and messages are escaped; nothing of the hidden
tests is on the page without --show-hidden."""
import base64
import csv
import struct

import nbformat
import pytest
from bs4 import BeautifulSoup

from grading.__main__ import main as grading_main
from grading.lint import hidden_test_lines
from report_class import SOURCE, WRITTEN, WRITTEN_ANSWER, A, grade_class

# No ( ) + ? [ ] in the id: nbgrader 0.9.6 matches the grading folder's path, which holds the
# student id, as a regular expression, so such an id cannot be autograded (noted for issue 19).
HOSTILE_ID = "<img src=x onerror=alert`1`>javascript:alert`2`"
HOSTILE_MESSAGE = "<script>alert(3)</script><a href='javascript:alert(4)'>x</a>"
SECOND = "f02_neuron"  # a copy of the fixture, for --all

# student -> answers that differ from the solution (by grade id)
CLASS = {
    "alice": {WRITTEN: WRITTEN_ANSWER},  # full marks; a written answer waiting for a person
    "bob": {"step_answer": "def step(z):\n    return np.asarray(z) > 0"},  # bool: hidden only
    "carol": {"weighted_sum_answer": "def weighted_sum(X, w, b):\n    return np.asarray(X) @ w"},
    "dave": {"sigmoid_answer": "def sigmoid(z):\n    raise NotImplementedError()"},
    "erin": {"sigmoid_answer": "def sigmoid(z):\n    raise NotImplementedError()"},
    "mallory": {"step_answer": "def step(z):\n    _ = eval('1')\n"
                               "    return (np.asarray(z) > 0).astype(int)"},  # suspicious
    "oscar": {"sigmoid_answer": "import os\nos._exit(1)"},  # could not grade
    HOSTILE_ID: {"weighted_sum_answer": f"def weighted_sum(X, w, b):\n"
                                        f"    raise ValueError({HOSTILE_MESSAGE!r})"},
}
# what each one gets: automatic score (None: not scored), failed visible, failed hidden only
EXPECTED = {
    "alice": (5.0, "", ""), "bob": (4.0, "", "step_tests"),
    "carol": (3.0, "weighted_sum_tests", ""), "dave": (3.0, "sigmoid_tests", ""),
    "erin": (3.0, "sigmoid_tests", ""), "mallory": (5.0, "", ""), "oscar": (None, "", ""),
    HOSTILE_ID: (3.0, "weighted_sum_tests", ""),
}
BOB_HIDDEN_MESSAGE = "expected an integer array"  # the hidden assert that catches bob


@pytest.fixture(scope="module")
def graded(tmp_path_factory, grading_cli):
    tmp = tmp_path_factory.mktemp("report")
    cli = grading_cli(tmp / "solutions", tmp / "exercises", tmp / "work")
    grade_class(cli, tmp, {A: CLASS, SECOND: {"alice": {}, "carol": CLASS["carol"]}})
    printed = cli("report", A)
    page, table = (tmp / "work" / "report" / f"{A}{ext}" for ext in (".html", ".csv"))
    assert f"report: {page}" in printed
    return {"tmp": tmp, "cli": cli, "page": page.read_text(), "csv": table}


def argv(graded, *args) -> list[str]:
    tmp = graded["tmp"]
    return ["--source", str(tmp / "solutions"), "--release", str(tmp / "exercises"),
            "--work", str(tmp / "work"), *map(str, args)]


def table(soup, name: str) -> list[list[str]]:
    """The rows (without the header) of the table of class ``name``, as cell texts."""
    found = soup.find("table", class_=name)
    assert found is not None, f"no table {name!r} on the page"
    return [[" ".join(td.get_text().split()) for td in tr.find_all("td")]
            for tr in found.find_all("tr") if tr.find("td")]


@pytest.fixture(scope="module")
def soup(graded):
    return BeautifulSoup(graded["page"], "html.parser")


def test_the_csv_has_each_students_score_and_failures(graded):
    with open(graded["csv"], newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(CLASS)
    for student, (score, visible, hidden_only) in EXPECTED.items():
        row = rows[student]
        got = (None if row["auto_score"] == "" else float(row["auto_score"]),
               row["failed_visible"], row["failed_hidden_only"])
        assert got == (score, visible, hidden_only), f"{student}: {row}"
    assert [s for s, row in rows.items() if row["ungraded_written"]] == ["alice"]
    assert rows["alice"]["ungraded_written"] == WRITTEN
    assert {s: row["status"] for s, row in rows.items() if row["status"] != "graded"} == {
        "mallory": "suspicious", "oscar": "could not grade"}
    assert all(float(row["run_seconds"]) > 0 for s, row in rows.items() if s != "oscar")


def test_the_page_counts_the_verdicts_and_the_mean_and_median(soup):
    scores = [s for s, _, _ in EXPECTED.values() if s is not None]
    mean, median = sum(scores) / len(scores), sorted(scores)[len(scores) // 2]
    assert table(soup, "verdicts") == [["8", "6", "1", "1", f"{mean:.2f}", f"{median:g}", "5"]]


def png_size(data_url: str) -> tuple[int, int]:
    assert data_url.startswith("data:image/png;base64,"), data_url[:40]
    png = base64.b64decode(data_url.split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_the_figures_are_embedded_pngs(soup):
    for name in ("histogram", "exercise-bars"):
        image = soup.find("img", class_=name)
        assert image is not None, f"no {name} image"
        width, height = png_size(image["src"])
        assert width > 100 and height > 50


def test_each_exercise_has_its_marks_and_its_failures(soup):
    rows = {row[0]: row[1:] for row in table(soup, "exercises")}
    # kind, points, scored, full, partial, zero, visible failures, hidden only, not graded yet
    assert rows == {
        "weighted_sum_tests": ["autograded", "2", "7", "71 %", "0 %", "29 %", "2", "0", "0"],
        "step_tests": ["autograded", "1", "7", "86 %", "0 %", "14 %", "0", "1: bob", "0"],
        "sigmoid_tests": ["autograded", "2", "7", "71 %", "0 %", "29 %", "2", "0", "0"],
        WRITTEN: ["written", "2", "6", "0 %", "0 %", "100 %", "0", "0", "1: alice"],
    }


def test_failures_are_grouped_by_message_with_counts_and_students(soup):
    rows = table(soup, "messages")
    assert ["sigmoid_tests", "NotImplementedError", "2", "dave, erin"] in rows
    assert ["weighted_sum_tests", "AssertionError: z = X @ w + b for the three rows of X", "1",
            "carol"] in rows
    assert ["weighted_sum_tests", f"ValueError: {HOSTILE_MESSAGE}", "1", HOSTILE_ID] in rows
    hidden = [row for row in rows if row[0] == "step_tests"]
    assert len(hidden) == 1 and hidden[0][2:] == ["1", "bob"], rows
    assert hidden[0][1].startswith("a hidden test failed at line ")


def test_students_who_need_a_person_are_listed_with_reasons(soup):
    assert [row[0] for row in table(soup, "could-not-grade")] == ["oscar"]
    assert "os._exit" in table(soup, "could-not-grade")[0][1]
    assert [row[0] for row in table(soup, "suspicious")] == ["mallory"]
    assert "eval" in table(soup, "suspicious")[0][1]
    assert table(soup, "ungraded") == [["alice", WRITTEN]]


def test_grading_time_and_the_limits_used(soup):
    slowest = table(soup, "slowest")
    assert len(slowest) == 5 and all(float(row[1]) > 0 for row in slowest)
    times = [float(row[1]) for row in slowest]
    assert times == sorted(times, reverse=True)
    assert float(soup.find(class_="median-seconds").get_text()) > 0
    limits = dict(table(soup, "limits"))
    assert limits["cell-timeout"] == "20" and limits["total-timeout"] == "60"


def test_hostile_text_is_escaped(graded, soup):
    page = graded["page"]
    for raw in (HOSTILE_ID, HOSTILE_MESSAGE, "<script>alert", "<img src=x"):
        assert raw not in page
    assert "&lt;img src=x onerror=alert`1`&gt;javascript:alert`2`" in page
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page
    assert soup.find("script") is None and soup.find("a") is None
    assert [img["src"][:22] for img in soup.find_all("img")] == ["data:image/png;base64,"] * 2
    assert not [tag.name for tag in soup.find_all(True)
                if any(attr.startswith("on") for attr in tag.attrs)]


def hidden_texts() -> list[str]:
    """The solution's hidden lines (as the feedback-leak check takes them), and the messages
    of its hidden asserts."""
    lines = hidden_test_lines(nbformat.read(SOURCE / A / f"{A}.ipynb", as_version=4),
                              min_length=12)
    assert any(BOB_HIDDEN_MESSAGE in line for line in lines)
    return lines + [BOB_HIDDEN_MESSAGE]


def test_no_hidden_test_on_the_page_without_show_hidden(graded):
    page = graded["page"]
    leaked = [line for line in hidden_texts() if line in page]
    assert not leaked, f"hidden-test text on the page: {leaked}"


def test_show_hidden_shows_the_hidden_failure(graded, capsys):
    out = graded["tmp"] / "hidden"
    assert grading_main(argv(graded, "report", A, "--show-hidden", "--output", out)) == 0
    page = (out / f"{A}.html").read_text()
    assert f"AssertionError: {BOB_HIDDEN_MESSAGE}" in page
    assert "assert np.issubdtype(step(np.array([1.5, -1.5])).dtype, np.integer)" in page
    assert "do not share it with students" in page


def test_all_has_a_row_per_student_and_assignment_and_a_figure_across(graded, capsys):
    out = graded["tmp"] / "all"
    assert grading_main(argv(graded, "report", "--all", "--output", out)) == 0
    with open(out / "all.csv", newline="") as handle:
        pairs = sorted((row["assignment"], row["student"]) for row in csv.DictReader(handle))
    assert pairs == sorted([(A, s) for s in CLASS] + [(SECOND, "alice"), (SECOND, "carol")])
    soup = BeautifulSoup((out / "all.html").read_text(), "html.parser")
    png_size(soup.find("img", class_="across")["src"])
    assert [s["data-assignment"] for s in soup.find_all("section")] == [A, SECOND]


def test_a_message_is_its_first_line_after_numpys_header():
    from grading.report import headline

    numpy_text = "\nNot equal to tolerance rtol=1e-07, atol=0\nz for three rows\nMismatched elements"
    assert headline("AssertionError", numpy_text) == "AssertionError: z for three rows"
    assert headline("NotImplementedError", "") == "NotImplementedError"
    assert headline("ValueError", "\x1b[31mbad\x1b[0m input\nmore") == "ValueError: bad input"


def test_a_report_of_nothing_says_why(tmp_path, capsys):
    assert grading_main(["--work", str(tmp_path), "report", "--all"]) == 1
    assert "no assignment with submissions" in capsys.readouterr().err
    assert grading_main(["--work", str(tmp_path), "report", "no_such_assignment"]) == 1
    assert "expected one of" in capsys.readouterr().err
