"""README command (1), `make lab`, brings up JupyterLab on the course, and `import nnlib`
works in the kernel that the server starts."""
import json
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
import websocket

REPO = Path(__file__).resolve().parents[1]
TOKEN = uuid.uuid4().hex


def get(url: str, timeout: float = 5.0) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode()


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory, jupyter_server):
    def make_lab(port):
        return ["make", "--no-print-directory", "lab",
                f"LAB_ARGS=--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 "
                f"--IdentityProvider.token={TOKEN}"]

    with jupyter_server(make_lab, cwd=REPO, log=tmp_path_factory.mktemp("lab") / "lab.log") as base:
        yield base


def test_lab_serves_the_course(lab_server):
    status, page = get(f"{lab_server}/lab?token={TOKEN}")
    assert status == 200 and "JupyterLab" in page
    status, listing = get(f"{lab_server}/api/contents?token={TOKEN}")
    names = {item["name"] for item in json.loads(listing)["content"]}
    assert {"lectures", "exercises", "nnlib"} <= names, f"expected the course folders, got {sorted(names)}"


def execute_in_new_kernel(base: str, code: str) -> str:
    """Start a kernel through the server's REST API, run `code` over its websocket, return stdout."""
    request = urllib.request.Request(f"{base}/api/kernels?token={TOKEN}", method="POST",
                                     data=json.dumps({"name": "python3"}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        kernel_id = json.loads(response.read())["id"]
    ws_url = base.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels?token={TOKEN}"
    conn = websocket.create_connection(ws_url, timeout=60)
    msg_id = uuid.uuid4().hex
    conn.send(json.dumps({
        "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex,
                   "msg_type": "execute_request", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    stdout, deadline = "", time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            msg = json.loads(conn.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                stdout += msg["content"]["text"]
            elif msg["msg_type"] == "error":
                raise AssertionError(f"kernel raised {msg['content']['ename']}: {msg['content']['evalue']}")
            elif msg["msg_type"] == "execute_reply":
                return stdout
        raise AssertionError("no execute_reply from the kernel within 60 s")
    finally:
        conn.close()


def test_kernel_imports_nnlib(lab_server):
    out = execute_in_new_kernel(lab_server, "import nnlib, sys\nprint(nnlib.__file__)\nprint(sys.prefix)")
    nnlib_file, prefix = out.split()
    assert Path(nnlib_file).is_relative_to(REPO / "nnlib"), f"nnlib imported from {nnlib_file}"
    assert Path(prefix).resolve() == (REPO / ".venv").resolve(), f"kernel runs in {prefix}, not the course's .venv"
