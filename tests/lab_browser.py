"""Helpers for the browser tests (tests/test_browser.py): headless Chromium driven by
Playwright, a JupyterLab server on a throw-away copy of the course, a plain HTTP server for the
course's website, and a watch over what each page logs and requests.

Chromium comes from the system (Debian's ``chromium`` package) or from ``playwright install
chromium``; without either the tests are skipped with a message that says how to get one,
except in CI (``CI=true``), where a missing browser fails.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# --no-sandbox: Chromium's sandbox does not start as root (CI, containers); the others keep
# it from calling home, which the closed network refuses anyway.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
HOW_TO_GET_CHROMIUM = ("no Chromium for the browser tests: install one with "
                       "`apt-get install chromium` (Debian/Ubuntu) or "
                       "`.venv/bin/python -m playwright install chromium`")

LOOPBACK = re.compile(r"^(https?|wss?)://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?/")
LOCAL_SCHEMES = ("data:", "blob:", "file:", "about:")
# Payloads of hostile submissions report here; the route below answers it, nothing listens.
TRIPWIRE_URL = "http://127.0.0.1:9/nn-tripwire/"

# Console errors that are expected, as regular expressions matched against "message @ url",
# each with its reason. Every other console error or uncaught exception fails the test.
ALLOWED_CONSOLE_ERRORS = [
    # The hostile submission's <img> points at a file that does not exist, so that its
    # onerror handler would fire if it survived; the browser logs the failed load.
    r"^Failed to load resource: .* @ \S*/nn-missing-image\.png$",
    # MathJax 2's HTML-CSS output (the formgrader's, served locally) declares a placeholder
    # font "MathJax_Blank" with src url(about:blank) to detect when web fonts have loaded;
    # Chromium refuses that URL for fonts and logs it. The formulas are typeset regardless
    # (test_formgrader_typesets_formulas_offline checks that).
    r"^Access to font at 'about:blank' from origin '\S+' has been blocked by CORS policy",
    r"^Failed to load resource: net::ERR_FAILED @ about:blank$",
]


def missing_browser(reason: str) -> None:
    """Skip the test with `reason`, or fail it in CI, where the browser tests must run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_executable(playwright) -> str | None:
    """The system's chromium if there is one, else Playwright's own download, else None."""
    system = shutil.which("chromium") or shutil.which("chromium-browser")
    if system:
        return system
    downloaded = Path(playwright.chromium.executable_path)
    return str(downloaded) if downloaded.exists() else None


def copy_course(destination: Path) -> Path:
    """Copy the repository's tracked files (as they are in the working tree) to
    `destination`, so that nothing the browser or the server does can write to the clone."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the working tree is skipped
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def lab_settings(settings_dir: Path) -> None:
    """User settings for the test server: no autosave (nothing is written behind the
    tests' back), every cell of a notebook in the page (no windowing), no news prompt."""
    for plugin, values in {
        "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
    }.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@dataclass
class LabServer:
    """A JupyterLab server on loopback, serving `course` (a copy), with a token."""

    course: Path
    base: str
    token: str
    log: Path

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}?token={self.token}"

    def api(self, method: str, path: str):
        request = urllib.request.Request(f"{self.base}/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def status(self, path: str) -> int:
        """The HTTP status the server answers a GET of `path` with."""
        try:
            self.api("GET", path)
            return 200
        except urllib.error.HTTPError as error:
            return error.code

    def shut_down_kernels(self) -> None:
        for session in self.api("GET", "api/sessions"):
            self.api("DELETE", f"api/sessions/{session['id']}")


@contextlib.contextmanager
def lab_on(jupyter_server, course: Path, scratch: Path):
    """JupyterLab on `course`, through the `jupyter_server` fixture (tests/conftest.py): a
    context manager that yields a LabServer.

    The server runs from course/grading, as grading/README.md says, so that nbgrader's
    formgrader finds the course's nbgrader_config.py. Settings, workspaces, runtime files and
    IPython's profile live in `scratch`, not in the maintainer's home; kernels import the
    copy's nnlib (PYTHONPATH)."""
    lab_settings(scratch / "settings")
    token = uuid.uuid4().hex
    env = {**os.environ, "PYTHONPATH": str(course),
           "JUPYTERLAB_SETTINGS_DIR": str(scratch / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(scratch / "workspaces"),
           "JUPYTER_CONFIG_DIR": str(scratch / "config"),
           "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"), "IPYTHONDIR": str(scratch / "ipython")}

    def command(port: int) -> list[str]:
        return [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
                f"--port={port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                *(["--allow-root"] if os.geteuid() == 0 else [])]

    log = scratch / "lab.log"
    with jupyter_server(command, cwd=course / "grading", log=log, env=env) as base:
        yield LabServer(course, base, token, log)


@contextlib.contextmanager
def static_server(folder: Path):
    """Serve `folder` over HTTP on 127.0.0.1 (a free port) from a thread, as anyone would
    serve the built website; yields its base URL, ending in "/"."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # no line per request in the test output
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class Watch:
    """What the pages of one test logged and asked for: console errors and uncaught
    exceptions, requests to hosts other than loopback (blocked), and tripwire calls."""

    errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    tripwires: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL asked for, in order

    def route(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith(TRIPWIRE_URL):
            self.tripwires.append(url[len(TRIPWIRE_URL):])
            route.fulfill(status=204)
        elif LOOPBACK.match(url) or url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            self.outside_requests.append(url)
            route.abort()

    def attach(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught {error} @ {page.url}"))

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} @ {message.location.get('url', '')}")

    def unexpected_errors(self) -> list[str]:
        return [error for error in self.errors
                if not any(re.search(pattern, error) for pattern in ALLOWED_CONSOLE_ERRORS)]


# --- driving a notebook in JupyterLab -------------------------------------------------------

KERNEL_IDLE = re.compile(r"^(?!No Kernel).* \| Idle$")


def open_notebook(page, lab: LabServer, path: str):
    """Open the notebook at `path` (relative to the course) and wait for its kernel;
    returns the locator of its cells, in order."""
    page.goto(lab.url(f"lab/tree/{path}") + "&reset")  # reset: no tabs of earlier tests
    # The status bar names the kernel once it is connected ("No Kernel | Initializing" before).
    page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE).wait_for(timeout=60_000)
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")


def run_cell(page, cells, index: int, execution_count: int, timeout_ms: int = 60_000) -> None:
    """Select cell `index` and run it (Ctrl+Enter); wait until its prompt shows
    `execution_count`, the count a fresh kernel gives the n-th cell it runs."""
    prompt = cells.nth(index).locator(".jp-InputPrompt").first
    prompt.click()
    page.keyboard.press("Control+Enter")
    page.wait_for_function("([el, n]) => el.textContent.trim() === `[${n}]:`",
                           arg=[prompt.element_handle(), execution_count], timeout=timeout_ms)


def replace_cell_source(page, cells, index: int, source: str) -> None:
    """Type `source` into cell `index` through the page (the editor's select-all, then the
    text as keyboard input; inserted whole, so the editor adds no indentation of its own)."""
    editor = cells.nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(source)


def cell_output_text(cells, index: int) -> str:
    return cells.nth(index).locator(".jp-OutputArea").inner_text()


# --- tripwires --------------------------------------------------------------------------------

def tripwire_js(kind: str) -> str:
    """JavaScript that, if it ever runs, marks its frame and the top window, and calls home."""
    return (f"document.title='PWNED';try{{window.top.pwned='{kind}'}}catch(e){{}};"
            f"fetch('{TRIPWIRE_URL}{kind}')")


def tripped_frames(page) -> list[str]:
    """Every frame of `page` whose title or `pwned` mark a payload has set."""
    tripped = []
    for frame in page.frames:
        try:
            title, mark = frame.evaluate("() => [document.title, window.pwned || null]")
        except Exception as error:  # a frame that went away or cannot be evaluated
            tripped.append(f"{frame.url}: could not be inspected ({error})")
            continue
        if title == "PWNED" or mark:
            tripped.append(f"{frame.url}: title {title!r}, window.pwned {mark!r}")
    return tripped


def click_javascript_links(page) -> int:
    """Click every javascript: link left in any frame; returns how many there were."""
    count = 0
    for frame in page.frames:
        for link in frame.locator("a[href^='javascript:' i]").all():
            link.click(timeout=5_000, force=True)
            count += 1
    return count
