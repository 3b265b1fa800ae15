"""The sandboxed kernel, checked from inside: what a student's code can see and do."""
import os
import sys
from dataclasses import asdict
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from traitlets.config import Config

from grading.sandbox import Limits, SandboxedKernelManager, claim_sandbox_uid

REPO = Path(__file__).resolve().parents[1]

PROBE = [
    "import os, random, resource, socket\nimport numpy as np",
    "print('uid', os.getuid())",
    "print('tmp', sorted(os.listdir('/tmp')))",
    "print('repo', sorted(os.listdir({repo!r})))",
    "try:\n    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n    print('net open')\n"
    "except OSError as error:\n    print('net', error.errno)",
    "try:\n    open({venv_file!r}, 'w')\nexcept OSError as error:\n    print('venv', error.errno)",
    "print('as', resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20)",
    "print('fsize', resource.getrlimit(resource.RLIMIT_FSIZE)[0] // 2**20)",
    "print('draw', random.random(), np.random.rand())",
    "print('draw', random.random(), np.random.rand())",
    "print('hash', os.environ.get('PYTHONHASHSEED'), 'home', os.environ['HOME'] != '/root')",
    "print('processes', len([p for p in os.listdir('/proc') if p.isdigit()]) < 10)",
]


def run_sandboxed(cells, run_dir: Path, limits: Limits) -> nbformat.NotebookNode:
    run_dir.mkdir()
    uid = claim_sandbox_uid()
    if uid is not None:
        os.chown(run_dir, uid, uid)
    c = Config()
    c.SandboxedKernelManager.repo = str(REPO)
    c.SandboxedKernelManager.home_dir = str(run_dir.parent / "home")
    c.SandboxedKernelManager.uid = uid
    c.SandboxedKernelManager.limits = asdict(limits)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in cells])
    client = NotebookClient(nb, config=c, kernel_manager_class=SandboxedKernelManager,
                            timeout=60, allow_errors=True,
                            resources={"metadata": {"path": str(run_dir)}})
    client.execute()
    return nb


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    import socket

    listener = socket.create_server(("127.0.0.1", 0))  # reachable from here, not from inside
    port = listener.getsockname()[1]
    cells = [c.format(repo=str(REPO), port=port, venv_file=os.path.join(sys.prefix, "x"))
             for c in PROBE]
    tmp = tmp_path_factory.mktemp("sandbox", numbered=True)
    nb = run_sandboxed(cells, tmp / "run", Limits(memory_mb=3000, file_size_mb=5))
    listener.close()
    lines = [o.text.strip() for c in nb.cells for o in c.outputs if o.output_type == "stream"]
    seen = {}
    for line in lines:
        key, value = line.split(" ", 1)
        seen.setdefault(key, []).append(value)
    return {k: v[0] for k, v in seen.items()}, tmp, seen["draw"]


def test_the_kernel_runs_as_an_unprivileged_user(probe):
    assert probe[0]["uid"] != "0"


def test_the_kernel_sees_no_other_run_directory_and_no_instructor_file(probe):
    seen, tmp, _ = probe
    # /tmp is an empty tmpfs but for the paths bound back: the run directory, and the venv
    # and nnlib when the clone itself lives under /tmp (as CI's may).
    bound_back = [Path(tmp), REPO / ".venv", REPO / "nnlib", Path(sys.prefix)]
    expected = sorted({p.relative_to("/tmp").parts[0] for p in bound_back if p.is_relative_to("/tmp")})
    assert seen["tmp"] == repr(expected)
    repo_view = eval(seen["repo"])  # noqa: S307 - a list printed by the probe
    assert "solutions" not in repo_view and "grading" not in repo_view and "tests" not in repo_view
    assert ".venv" in repo_view and "nnlib" in repo_view


def test_the_kernel_has_no_network(probe):
    assert probe[0]["net"] == "101"  # ENETUNREACH: its own network namespace, loopback down


def test_the_kernel_cannot_write_the_venv(probe):
    assert probe[0]["venv"] in {"13", "30"}  # EACCES or EROFS


def test_the_limits_are_set(probe):
    assert probe[0]["as"] == "3000" and probe[0]["fsize"] == "5"


def test_every_cell_is_reseeded(probe):
    first, second = probe[2]
    assert first == second  # two cells drawing from random and numpy: the same numbers


def test_hash_seed_home_and_processes(probe):
    assert probe[0]["hash"] == "0 home True"
    assert probe[0]["processes"] == "True"


def test_the_cpu_limit_kills_a_busy_kernel(tmp_path):
    with pytest.raises(DeadKernelError):
        run_sandboxed(["while True:\n    pass"], tmp_path / "run",
                      Limits(cpu_seconds=2, cell_timeout=60))
