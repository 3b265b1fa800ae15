"""nbgrader's formgrader on a fresh copy of the course, as grading/README.md starts it
(``cd grading && jupyter lab``): it answers before any release has made grading/work, and its
view of a submission loads nothing from another host (MathJax comes from the server)."""
import json
import os
import shutil
import sys
import urllib.request
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "course"
A = "f01_neuron"
TOKEN = uuid.uuid4().hex


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def fresh_course(tmp_path_factory):
    """A copy of the course as a fresh clone has it: grading/'s configuration and templates,
    the fixture's solutions, no grading/work."""
    root = tmp_path_factory.mktemp("fresh") / "course"
    (root / "grading").mkdir(parents=True)
    shutil.copy(REPO / "grading" / "nbgrader_config.py", root / "grading")
    for folder in ("templates", "jupyter"):
        shutil.copytree(REPO / "grading" / folder, root / "grading" / folder)
    shutil.copytree(FIXTURE / "solutions", root / "solutions")
    return root


@pytest.fixture(scope="module")
def formgrader(fresh_course, jupyter_server):
    """``jupyter lab`` started in grading/ on loopback, without the venv on PATH."""
    assert not (fresh_course / "grading" / "work").exists()

    def lab(port):
        return [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser",
                "--allow-root", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={TOKEN}"]

    with jupyter_server(lab, cwd=fresh_course / "grading", log=fresh_course.parent / "lab.log",
                        env={**os.environ, "PATH": "/usr/bin:/bin"}) as base:
        yield base


def test_the_assignments_api_answers_before_any_release(formgrader):
    status, body = get(f"{formgrader}/formgrader/api/assignments?token={TOKEN}")
    assert status == 200, body[-2000:]
    assert [a["name"] for a in json.loads(body)] == [A]


class LoadedURLs(HTMLParser):
    """Every URL the page loads or links to (src, href, data attributes)."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.urls = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href", "data") and value]


def test_the_submission_view_loads_nothing_from_another_host(formgrader, fresh_course,
                                                             grading_cli):
    cli = grading_cli(fresh_course / "solutions", fresh_course / "exercises",
                      fresh_course / "grading" / "work")
    cli("release", A, "--no-execute")
    upload = fresh_course.parent / "upload" / "alice"
    upload.mkdir(parents=True)
    shutil.copy(fresh_course / "exercises" / A / f"{A}.ipynb", upload)
    cli("collect", A, upload.parent)
    cli("autograde", A, "--no-progress")
    status, body = get(f"{formgrader}/formgrader/api/submitted_notebooks/{A}/{A}?token={TOKEN}")
    assert status == 200, body[-2000:]
    [submission] = json.loads(body)
    page_url = f"{formgrader}/formgrader/submissions/{submission['id']}?token={TOKEN}"
    status, page = get(page_url)
    assert status == 200, page[-2000:]
    urls = [urljoin(page_url, url) for url in LoadedURLs(page).urls]
    elsewhere = [url for url in urls if urlparse(url).scheme in ("http", "https")
                 and urlparse(url).netloc != urlparse(formgrader).netloc]
    assert not elsewhere, elsewhere
    mathjax = [url for url in urls if "MathJax.js" in url]
    assert mathjax, "the submission view loads no MathJax"
    assert all(get(url)[0] == 200 for url in mathjax), mathjax
    for url in mathjax:  # MathJax 2 then loads config/NAME.js for each ?config=NAME: served too?
        for name in parse_qs(urlparse(url).query).get("config", [""])[0].split(","):
            config = urljoin(url, f"{'config/' if name != 'Safe' else 'extensions/'}{name}.js")
            assert get(config)[0] == 200, f"MathJax's {name} ({config}) is not served"
