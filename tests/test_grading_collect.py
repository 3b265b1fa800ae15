"""``collect`` takes an LMS zip export (or a differently named layout with --pattern) into the
course, and ``export`` lists every collected submission, graded or not: never a silent zero."""
import csv
import zipfile
from pathlib import Path

import pytest

from grading.gallery import flag_encrypted

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "course"
A = "f01_neuron"
RELEASED = (FIXTURE / "exercises" / A / f"{A}.ipynb").read_text()


@pytest.fixture
def cli(tmp_path, grading_cli):
    return grading_cli(FIXTURE / "solutions", FIXTURE / "exercises", tmp_path / "work")


def lms_export(tmp_path, members: dict) -> Path:
    """A zip of alice's and bob's released notebook, plus ``members`` (name or ZipInfo -> text)."""
    export = tmp_path / "lms_export.zip"
    with zipfile.ZipFile(export, "w") as archive:
        for name, text in {f"alice/{A}.ipynb": RELEASED, f"bob/{A}.ipynb": RELEASED,
                           **members}.items():
            archive.writestr(name, text)
    return export


def test_a_zip_export_is_collected_and_listed_as_not_yet_graded(cli, tmp_path):
    export = lms_export(tmp_path, {"bob/helper.py": "ANSWER = 42\n"})
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


def collected_files(tmp_path) -> dict[str, list[str]]:
    """student -> their submitted files (paths relative to submitted/STUDENT/A)."""
    submitted = tmp_path / "work" / "submitted"
    return {folder.name: sorted(str(p.relative_to(folder / A)) for p in (folder / A).rglob("*")
                                if p.is_file() and p.name != "timestamp.txt")
            for folder in sorted(submitted.iterdir())}


def test_a_folder_inside_a_student_folder_belongs_to_that_student(cli, tmp_path):
    folder = tmp_path / "upload"
    for path in [f"alice/{A}.ipynb", f"bob/{A}.ipynb", f"bob/alice/{A}.ipynb",
                 f"carol/drafts/{A}.ipynb"]:
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(RELEASED.replace("{", "{ ", 1) if "bob/alice" in path
                                   else RELEASED)
    output = cli("collect", A, folder)
    assert "3 submissions" in output, output
    assert collected_files(tmp_path) == {
        "alice": [f"{A}.ipynb"], "bob": [f"alice/{A}.ipynb", f"{A}.ipynb"],
        "carol": [f"drafts/{A}.ipynb"]}
    alice = tmp_path / "work" / "submitted" / "alice" / A / f"{A}.ipynb"
    assert alice.read_text() == RELEASED  # not replaced by bob's copy


def test_unsafe_zip_members_are_refused_and_the_rest_is_collected(cli, tmp_path):
    link = zipfile.ZipInfo("bob/gradebook_link.py")
    link.external_attr = 0o120777 << 16  # a symbolic link to ../../gradebook.db
    export = lms_export(tmp_path, {"bob/../../escaped.py": "X = 1\n", "/etc/absolute.py": "X = 1\n",
                                   "C:/windows/drive.py": "X = 1\n", link: "../../gradebook.db",
                                   "stray.ipynb": RELEASED})
    output = cli("collect", A, export)
    lines = output.splitlines()
    for member, why in [("bob/../../escaped.py", "leaves its folder"),
                        ("/etc/absolute.py", "absolute path"),
                        ("C:/windows/drive.py", "drive letter"),
                        ("bob/gradebook_link.py", "symbolic link"),
                        ("stray.ipynb", "not inside a student folder")]:
        assert any(member in line and why in line for line in lines), (member, output)
    assert "2 submissions" in output
    assert collected_files(tmp_path) == {"alice": [f"{A}.ipynb"], "bob": [f"{A}.ipynb"]}
    assert not (tmp_path / "escaped.py").exists() and not list(tmp_path.rglob("escaped.py"))


def test_no_text_cell_of_grades_csv_starts_a_formula(cli, tmp_path):
    from grading.autograde import ensure_in_gradebook, judged
    from grading.course import Course

    folder = tmp_path / "upload"
    students = ['=HYPERLINK("evil.example","x")', "+alice", "-bob", "@carol", "erin"]
    # ("\tdave" is refused at collect: an id with a control character)
    for student in students:
        (folder / student).mkdir(parents=True)
        (folder / student / f"{A}.ipynb").write_text(RELEASED)
    cli("collect", A, folder)
    course = Course.from_config(FIXTURE / "solutions", FIXTURE / "exercises", tmp_path / "work")
    ensure_in_gradebook(course, A, tmp_path / "scratch")
    judged(course, A, "erin", "could not grade", "=1+2 and -3")  # a reason like a formula
    cli("export", "--output", tmp_path / "grades.csv")
    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells
    assert sorted(row[0] for row in rows) == sorted("'" + s if s != "erin" else s
                                                    for s in students)
    assert [row[5] for row in rows if row[0] == "erin"] == ["'=1+2 and -3"]


def test_uploads_that_cannot_be_unpacked_are_refused_one_student_each(cli, tmp_path):
    """An over-long name, an encrypted member, a zip bomb (refused from its headers), a bad
    CRC, an id with a bidi override, and a student's own timestamp.txt: one line each; alice
    and bob are collected, with collect's time as their submission time."""
    long_name = "l" * 300
    export = tmp_path / "lms_export.zip"
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {f"alice/{A}.ipynb": RELEASED, f"bob/{A}.ipynb": RELEASED,
                           "bob/timestamp.txt": "2000-01-01 00:00:00",
                           f"{long_name}/{A}.ipynb": RELEASED, f"erin/{A}.ipynb": RELEASED,
                           f"mallory\u202eecila/{A}.ipynb": RELEASED}.items():
            archive.writestr(name, text)
        archive.writestr(zipfile.ZipInfo(f"carol/{A}.ipynb"), RELEASED)  # stored
        with archive.open("dave/zeros.npy", "w") as bomb:
            bomb.write(bytes(65 * 2**20))
    data = export.read_bytes()
    start = data.index(RELEASED.encode()[:100], data.index(b"carol/"))
    export.write_bytes(flag_encrypted(data[:start + 50] + b"#" + data[start + 51:],  # bad CRC
                                      f"erin/{A}.ipynb"))
    output = cli("collect", A, export)
    for name, why in [(long_name[:60], "longer than 255 bytes"), ("erin", "is encrypted"),
                      ("dave", "MB unpacked"), ("carol", "BadZipFile"),
                      ("mallory\\u202eecila", "control, bidi or zero-width"),
                      ("bob/timestamp.txt", "ignored: the grader writes timestamp.txt")]:
        assert any(name in line and why in line for line in output.splitlines()), (name, output)
    assert "\u202e" not in output
    assert "2 submissions" in output
    assert collected_files(tmp_path) == {"alice": [f"{A}.ipynb"], "bob": [f"{A}.ipynb"]}
    stamp = tmp_path / "work" / "submitted" / "bob" / A / "timestamp.txt"
    assert not stamp.read_text().startswith("2000")


def test_symbolic_links_in_a_folder_are_reported_not_followed(cli, tmp_path):
    folder = tmp_path / "upload"
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / f"{A}.ipynb").write_text(RELEASED)
    (folder / "bob").mkdir()
    (folder / "bob" / f"{A}.ipynb").symlink_to(FIXTURE / "solutions" / A / f"{A}.ipynb")
    (folder / "carol").symlink_to(FIXTURE / "solutions" / A)
    output = cli("collect", A, folder)
    for name in (f"bob/{A}.ipynb", "carol"):
        assert any(name in line and "symbolic link" in line for line in output.splitlines()), (
            name, output)
    assert collected_files(tmp_path) == {"alice": [f"{A}.ipynb"]}
