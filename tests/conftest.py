"""Fixtures shared by the grading tests, the tests that start a Jupyter server, and the
website's tests."""
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test (tests/test_browser.py) keeps a screenshot of its page, in the
    test's tmp_path; the failure report names the file."""
    report = (yield).get_result()
    page = (item.funcargs.get("browser_page") or item.funcargs.get("site_page")
            if report.failed and call.when == "call" else None)
    if page is None or page.is_closed():
        return
    path = item.funcargs["tmp_path"] / "failure.png"
    try:
        page.screenshot(path=path, full_page=True)
        report.sections.append(("browser screenshot", str(path)))
    except Exception as error:  # the failure itself may be a crashed page
        report.sections.append(("browser screenshot", f"none: {error}"))


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


@pytest.fixture(scope="session")
def jupyter_server():
    """A context manager: ``with jupyter_server(command, cwd=..., log=..., env=None) as base``
    runs ``command(port)`` (a Jupyter server on 127.0.0.1:port, token in the command) in a
    session of its own, yields ``http://127.0.0.1:PORT`` once ``/api/status`` answers (failing
    the test after 90 s, with the log), and stops the server's whole session at the end."""

    @contextmanager
    def serve(command, *, cwd, log: Path, env=None):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with open(log, "w") as out:
            server = subprocess.Popen(command(port), cwd=cwd, env=env, stdout=out,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while not answers(f"{base}/api/status"):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not answer on {base}:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
            yield base
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

    return serve


def answers(url: str) -> bool:
    """Whether an HTTP server answers at ``url`` (any status)."""
    try:
        urllib.request.urlopen(url, timeout=5).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The course's website, built once per test run by site/build.py (as `make site` does,
    but into a temporary folder): its folder. The xdist workers share one build: the first
    to ask builds it, under a file lock, and records how it went for the others. A build
    that fails (any Sphinx warning does) fails every test that uses it, with its output."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    site, record = shared / "site", shared / "site-build.json"
    env = {key: value for key, value in os.environ.items() if key != "COURSE_REPOSITORY_URL"}
    with open(shared / "site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            start = time.monotonic()
            done = subprocess.run([sys.executable, str(REPO / "site" / "build.py"), str(site)],
                                  cwd=REPO, env=env, capture_output=True, text=True)
            record.write_text(json.dumps({"returncode": done.returncode,
                                          "output": done.stdout + done.stderr,
                                          "seconds": round(time.monotonic() - start, 1)}))
    built = json.loads(record.read_text())
    if built["returncode"] != 0:
        pytest.fail(f"site/build.py failed (exit {built['returncode']}):\n{built['output'][-5000:]}",
                    pytrace=False)
    return site
