"""``collect`` takes an LMS zip export (or a differently named layout with --pattern) into the
course, and ``export`` lists every collected submission, graded or not: never a silent zero."""
import csv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "course"
A = "f01_neuron"
RELEASED = (FIXTURE / "exercises" / A / f"{A}.ipynb").read_text()


@pytest.fixture
def cli(tmp_path, grading_cli):
    return grading_cli(FIXTURE / "solutions", FIXTURE / "exercises", tmp_path / "work")


def test_a_zip_export_is_collected_and_listed_as_not_yet_graded(cli, tmp_path):
    export = tmp_path / "lms_export.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr(f"alice/{A}.ipynb", RELEASED)
        archive.writestr(f"bob/{A}.ipynb", RELEASED)
        archive.writestr("bob/helper.py", "ANSWER = 42\n")
    assert "2 submissions" in cli("collect", A, export)
    submitted = tmp_path / "work" / "submitted"
    assert (submitted / "bob" / A / "helper.py").read_text() == "ANSWER = 42\n"
    cli("export", "--output", tmp_path / "grades.csv")
    with open(tmp_path / "grades.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["student"], r["status"], r["reason"], r["score"]) for r in rows] == [
        ("alice", "could not grade", "not autograded yet", ""),
        ("bob", "could not grade", "not autograded yet", "")]


def test_another_layout_is_collected_with_a_pattern(cli, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / f"carol_attempt1_{A}.ipynb").write_text(RELEASED)
    pattern = r".*/(?P<student_id>[a-z]+)_attempt\d+_(?P<file_id>.+\.ipynb)$"
    assert "1 submissions" in cli("collect", A, folder, "--pattern", pattern)
    assert (tmp_path / "work" / "submitted" / "carol" / A / f"{A}.ipynb").is_file()
