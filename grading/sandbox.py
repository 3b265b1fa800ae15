"""The sandbox a student's kernel runs in, and the Jupyter kernel manager that starts it.

The kernel is started as ``setpriv --pdeathsig KILL unshare --net --mount --pid --ipc --uts
--fork --kill-child --mount-proc [--user --map-root-user] python _launch.py SPEC`` (it dies with
the grading process that started it): new network namespace (only a
loopback that is down: no network), new mount namespace (the repository, /tmp, /dev/shm and the
home directories are covered by empty tmpfs; only the interpreter, the venv and nnlib come
back, read-only, plus the submission's own run directory), new PID namespace (no view of other
processes; when the kernel exits, everything it started dies with it). As root, the kernel then
drops to an unprivileged uid of its own (one per parallel job, so that process limits do not
leak between students); without root, a user namespace maps the instructor's uid instead.
Resource limits (address space, CPU seconds, file size, processes) are set with setrlimit, the
system call ``prlimit`` uses; the run directory and the kernel's home sit on a size-limited
tmpfs that the grading process mounts for itself (``private_disk``), which caps the disk one
submission can fill. The kernel talks to the grader over Unix sockets in the run
directory (``transport = "ipc"``), since it has no usable network.
"""
from __future__ import annotations

import fcntl
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Dict, Integer, Unicode

from ._launch import MS_NODEV, MS_NOSUID, MS_REC, _check, libc, mount

LAUNCHER = Path(__file__).with_name("_launch.py")
CLONE_NEWNS, CLONE_NEWUSER, MS_PRIVATE = 0x00020000, 0x10000000, 1 << 18
FIRST_SANDBOX_UID, UID_RANGE = 61000, 1000
_HELD_UID_LOCKS = []  # open lock files of the uids this process claimed

# Installed in every kernel before the student's first cell: re-seed Python's random, NumPy's
# global generator and (once imported) PyTorch before *every* cell, so that a regrade runs
# exactly the same computation. It keeps no name in the student's namespace.
KERNEL_STARTUP = '''\
def _grading_install_reseeding(seed):
    import random
    import sys

    import numpy

    def reseed(*_):
        random.seed(seed)
        numpy.random.seed(seed)
        torch = sys.modules.get("torch")
        if torch is not None:
            torch.manual_seed(seed)

    get_ipython().events.register("pre_run_cell", reseed)


_grading_install_reseeding({seed})
del _grading_install_reseeding
'''


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Memory is address space (RLIMIT_AS), so it counts what a
    process maps, not only what it touches; the kernel with NumPy and PyTorch loaded maps ~1 GB.
    """

    cell_timeout: int = 60  # seconds of wall clock per cell (nbgrader's Execute.timeout)
    total_timeout: int = 300  # seconds of wall clock for the whole notebook
    memory_mb: int = 4096  # address space of the kernel process
    cpu_seconds: int = 600  # CPU time of the kernel process
    file_size_mb: int = 64  # largest file the kernel may write
    processes: int = 256  # processes and threads of the sandbox's user
    disk_mb: int = 1024  # everything written in the run folder and the kernel's home, together

    def rlimits(self) -> dict[str, tuple[int, int]]:
        """(soft, hard) per resource; past the soft CPU limit the kernel gets SIGXCPU, which
        names the cause, and SIGKILL 5 s later."""
        return {
            "RLIMIT_AS": (self.memory_mb * 2**20,) * 2,
            "RLIMIT_CPU": (self.cpu_seconds, self.cpu_seconds + 5),
            "RLIMIT_FSIZE": (self.file_size_mb * 2**20,) * 2,
            "RLIMIT_NPROC": (self.processes,) * 2,
            "RLIMIT_CORE": (0, 0),
        }


def private_disk(folder: Path, size_mb: int) -> None:
    """Mount a tmpfs of ``size_mb`` MB on ``folder``, seen by the calling process and its
    children only (a mount namespace of its own; as non-root also a user namespace that maps
    the caller's uid to itself). The mount vanishes when the last of them exits."""
    uid, gid = os.geteuid(), os.getegid()
    _check(libc.unshare(CLONE_NEWNS if uid == 0 else CLONE_NEWNS | CLONE_NEWUSER), "unshare")
    if uid != 0:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    mount("none", "/", None, MS_REC | MS_PRIVATE)  # nothing propagates back to the machine
    folder.mkdir(parents=True, exist_ok=True)
    mount("tmpfs", str(folder), "tmpfs", MS_NOSUID | MS_NODEV, f"size={size_mb}m,mode=0755")


def disk_used_mb(folder: Path) -> float:
    """MB in use on the file system of ``folder`` (the private disk)."""
    usage = os.statvfs(folder)
    return (usage.f_blocks - usage.f_bfree) * usage.f_frsize / 2**20


def hidden_paths(repo: Path) -> list[str]:
    """What the kernel must not see: the repository (solutions, gradebook, other submissions),
    the temporary directories (other students' run directories) and the home directories."""
    return [str(repo), "/tmp", "/var/tmp", "/dev/shm", "/root", "/home", "/run/user"]


def visible_paths() -> list[str]:
    """What the kernel needs, read-only: the interpreter, the venv and nnlib."""
    import nnlib

    paths = {sys.base_prefix, sys.prefix, str(Path(nnlib.__file__).resolve().parent)}
    return sorted(paths, key=lambda p: (p.count(os.sep), p))


def claim_sandbox_uid(first_choice: int = 0) -> int | None:
    """A uid that no other grading process on this machine is using, held (by an flock on
    ``/tmp/nn-grading-uids/UID``) until the calling process exits; None when not root (a user
    namespace is used instead). Unique uids keep process limits, and the final sweep that kills
    every process of the uid, to one student."""
    if os.geteuid() != 0:
        return None
    locks = Path(tempfile.gettempdir()) / "nn-grading-uids"
    locks.mkdir(mode=0o700, exist_ok=True)
    for offset in range(UID_RANGE):
        uid = FIRST_SANDBOX_UID + (first_choice + offset) % UID_RANGE
        handle = open(locks / str(uid), "w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        _HELD_UID_LOCKS.append(handle)
        return uid
    raise RuntimeError(f"all {UID_RANGE} sandbox uids from {FIRST_SANDBOX_UID} are in use")


def sandbox_command(*, repo: Path, run_dir: str, home_dir: str, uid: int | None,
                    limits: Limits, kernel_argv: list[str]) -> list[str]:
    """The full command line that starts ``kernel_argv`` inside the sandbox, in ``run_dir``."""
    spec = {
        "hide": hidden_paths(repo),
        "keep": [[p, False] for p in visible_paths()] + [[home_dir, True], [run_dir, True]],
        "uid": uid,
        "rlimits": limits.rlimits(),
        "cwd": run_dir,
        "env": kernel_environment(home_dir),
        "argv": kernel_argv,
    }
    # setpriv: if the grading process dies, unshare gets SIGKILL, and --kill-child takes the
    # whole sandbox with it
    unshare = ["setpriv", "--pdeathsig", "KILL", "unshare", "--net", "--mount", "--pid", "--ipc",
               "--uts", "--fork", "--kill-child", "--mount-proc"]
    if uid is None:
        unshare += ["--user", "--map-root-user"]
    return unshare + [sys.executable, "-I", "-S", str(LAUNCHER), json.dumps(spec)]


def kernel_environment(home_dir: str) -> dict[str, str]:
    """A clean environment: nothing of the instructor's, fixed hash seed, one thread."""
    return {
        "PATH": f"{sys.prefix}/bin:/usr/local/bin:/usr/bin:/bin",
        "HOME": home_dir,
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NNLIB_PROGRESS": "0",
        "IPYTHONDIR": os.path.join(home_dir, ".ipython"),
        "MPLCONFIGDIR": os.path.join(home_dir, ".matplotlib"),
    }


def prepare_home(home_dir: str, uid: int | None, seed: int) -> str:
    """Create the kernel's home (connection file, sockets, startup file); return the startup
    file's path."""
    os.makedirs(home_dir, exist_ok=True)
    startup = os.path.join(home_dir, "grading_startup.py")
    Path(startup).write_text(KERNEL_STARTUP.format(seed=seed))
    if uid is not None:
        os.chown(home_dir, uid, uid)
    return startup


class SandboxedKernelManager(AsyncKernelManager):
    """An IPython kernel started inside the sandbox; configured through traitlets (the worker
    sets ``SandboxedKernelManager.home_dir``, ``uid``, ``limits``, ``repo``)."""

    repo = Unicode(help="the repository root, hidden from the kernel").tag(config=True)
    home_dir = Unicode(help="the kernel's private home, bound writable").tag(config=True)
    uid = Integer(None, allow_none=True, help="unprivileged uid to run as").tag(config=True)
    limits = Dict(help="Limits fields as a dict").tag(config=True)
    seed = Integer(0, help="seed applied before every cell").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.startup_file = prepare_home(self.home_dir, self.uid, self.seed)
        self.transport = "ipc"
        self.connection_file = os.path.join(self.home_dir, "kernel.json")
        self.ip = os.path.join(self.home_dir, "kernel-ipc")

    def write_connection_file(self, **kwargs) -> None:
        super().write_connection_file(**kwargs)
        if self.uid is not None:  # jupyter_client writes it 0600: hand it to the kernel's uid
            os.chown(self.connection_file, self.uid, self.uid)

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        kernel_argv = [sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file,
                       "--HistoryManager.hist_file=:memory:",
                       f"--IPKernelApp.exec_files={json.dumps([self.startup_file])}"]
        kernel_argv += [a for a in extra_arguments or [] if a not in kernel_argv]
        return sandbox_command(repo=Path(self.repo), run_dir=self._launch_args["cwd"],
                               home_dir=self.home_dir, uid=self.uid,
                               limits=Limits(**self.limits), kernel_argv=kernel_argv)

