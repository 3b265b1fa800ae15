"""A Jupyter server as a test fixture: a free loopback port, and the server's process group
started, awaited until it answers, and stopped (tests/test_jupyterlab.py, tests/lab_browser.py)."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(command: list[str], cwd: Path, log: Path, status_url: str, env: dict | None = None,
          timeout: float = 90):
    """Run `command` (a Jupyter server) in its own process group, output to `log`; a
    context that is entered once `status_url` answers, and stops the whole group on exit.
    Fails the test with the end of the log if the server exits or does not answer in time."""
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(status_url, timeout=5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the Jupyter server did not answer {status_url}:\n"
                                f"{log.read_text()[-3000:]}")
                time.sleep(0.3)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
