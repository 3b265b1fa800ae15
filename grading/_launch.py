"""Runs inside fresh namespaces (started by ``unshare``, see ``grading/sandbox.py``) and turns
them into the sandbox a student's kernel runs in. It stays as the namespace's first process
(pid 1) and starts the kernel as its child, so that the kernel gets ordinary signal handling,
and exits with the kernel's status (128 + the signal number if a signal killed it: unshare
itself cannot pass a signal on from a PID namespace).

It uses the standard library only and is run as ``python -I -S _launch.py SPEC_JSON``, where
SPEC_JSON holds:

- ``hide``: directories covered by an empty tmpfs (the repository, /tmp, home directories...);
- ``keep``: ``[path, writable]`` pairs bound back at the same place after hiding (the
  interpreter, the venv, nnlib read-only; the submission's run directory writable);
- ``uid``: the unprivileged user id to switch to (``null`` inside a user namespace, where we
  are already the instructor's own unprivileged user);
- ``rlimits``: ``{"RLIMIT_AS": [soft, hard], ...}``;
- ``cwd``, ``env``, ``argv``: what to execute.
"""
import ctypes
import json
import os
import resource
import sys
import traceback

MS_RDONLY, MS_NOSUID, MS_NODEV = 1, 2, 4
MS_REMOUNT, MS_BIND, MS_REC = 32, 4096, 16384
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
SIGKILL = 9

libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"sandbox: {what}: {os.strerror(errno)}")


def mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None):
    _check(libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                      flags, data.encode() if data else None), f"mount {source} on {target}")


def hide(path: str) -> None:
    """Cover ``path`` with an empty, small tmpfs (world-writable, sticky, like /tmp)."""
    mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")


def bind_back(fd: int, path: str, writable: bool) -> None:
    """Bind the directory opened as ``fd`` (before hiding) at ``path``; read-only unless
    ``writable``."""
    os.makedirs(path, exist_ok=True)
    mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
    if not writable:
        mount("none", path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)


def build_filesystem(spec: dict) -> None:
    kept = [(os.open(path, os.O_PATH | os.O_DIRECTORY), path, writable)
            for path, writable in spec["keep"] if os.path.isdir(path)]
    for path in spec["hide"]:
        if os.path.isdir(path):
            hide(path)
    for fd, path, writable in kept:
        bind_back(fd, path, writable)
        os.close(fd)


def become_kernel(spec: dict) -> None:
    """In the child: limits, an unprivileged uid, then exec the kernel."""
    for name, value in spec["rlimits"].items():
        resource.setrlimit(getattr(resource, name), tuple(value))
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    if spec["uid"] is not None:
        os.setgroups([])
        os.setgid(spec["uid"])
        os.setuid(spec["uid"])
    # die with the launcher (which dies with unshare, which dies with the grading process);
    # the change of uid above cleared this setting
    _check(libc.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0), "pdeathsig")
    os.chdir(spec["cwd"])
    os.execve(spec["argv"][0], spec["argv"], spec["env"])


def main() -> None:
    spec = json.loads(sys.argv[1])
    build_filesystem(spec)
    kernel = os.fork()
    if kernel == 0:
        try:
            become_kernel(spec)
        except BaseException:  # noqa: BLE001 - say why, then fail like exec would
            traceback.print_exc()
        os._exit(127)
    while True:  # as pid 1, reap every process of the sandbox until the kernel is gone
        pid, status = os.wait()
        if pid == kernel:
            code = os.waitstatus_to_exitcode(status)
            os._exit(128 - code if code < 0 else code)


if __name__ == "__main__":
    main()
