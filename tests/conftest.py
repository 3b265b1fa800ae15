"""Fixtures shared by the grading tests."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def grading_cli():
    """A factory: ``grading_cli(source, release, work)`` returns ``run(*args)``, which runs
    ``python -m grading --source S --release R --work W ARGS`` from the repository, fails the
    test with its output if it exits non-zero, and returns its stdout."""
    env = {**os.environ, "NNLIB_PROGRESS": "0", "OMP_NUM_THREADS": "1"}

    def make(source, release, work):
        base = [sys.executable, "-m", "grading", "--source", str(source), "--release", str(release),
                "--work", str(work)]

        def run(*args) -> str:
            done = subprocess.run(base + [str(a) for a in args], cwd=REPO, env=env,
                                  capture_output=True, text=True)
            assert done.returncode == 0, done.stdout + done.stderr
            return done.stdout

        return run

    return make


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test (tests/test_browser.py) keeps a screenshot of its page, in the
    test's tmp_path; the failure report names the file."""
    report = (yield).get_result()
    page = item.funcargs.get("browser_page") if report.failed and call.when == "call" else None
    if page is None or page.is_closed():
        return
    path = item.funcargs["tmp_path"] / "failure.png"
    try:
        page.screenshot(path=path, full_page=True)
        report.sections.append(("browser screenshot", str(path)))
    except Exception as error:  # the failure itself may be a crashed page
        report.sections.append(("browser screenshot", f"none: {error}"))
