"""nbgrader preprocessors the course adds to nbgrader's autograde pipeline (see worker.py).

They run in the grading worker, outside the sandbox. What they find goes into ``REPORT``
(one student per worker process, so a module-level record is that student's).
"""
from __future__ import annotations

import os
import secrets
import signal
import stat
import threading
import time

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell, new_output
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer, Unicode

from .lint import is_test_cell, nbgrader_meta
from .sandbox import disk_used_mb

REPORT: dict = {}
DISK_FULL_MARGIN_MB = 1  # a private disk with less free space than this is full


def reset_report() -> None:
    REPORT.clear()
    REPORT.update(failure=None, timeouts=[], canary_failures=[], traps=[])


def describe_cell(nb, index: int | None) -> str:
    if index is None or index >= len(nb.cells):
        return "before the first cell"
    grade_id = nbgrader_meta(nb.cells[index]).get("grade_id")
    return f"cell {index}" + (f" ({grade_id})" if grade_id else "")


# The grader's own checks, appended after the student's cells: each must fail, with the nonce
# in its message. If the kernel's assertions, NumPy's or nnlib's testing functions or its error
# reporting were tampered with, one of them passes or loses its message.
CANARIES = {
    "the assert statement": "assert {a} == {b}, 'grading canary {nonce}'",
    "numpy.testing.assert_allclose":
        "__import__('numpy').testing.assert_allclose({a}, {b}, err_msg='grading canary {nonce}')",
    "numpy.testing.assert_array_equal":
        "__import__('numpy').testing.assert_array_equal([{a}], [{b}], "
        "err_msg='grading canary {nonce}')",
    "nnlib.testing.assert_equal":
        "__import__('nnlib.testing', fromlist=['x']).assert_equal({a}, {b}, "
        "'grading canary {nonce}')",
    "nnlib.testing.plain_int":
        "__import__('nnlib.testing', fromlist=['x']).plain_int(type('Forged', (int,), {{}})({a}), "
        "'grading canary {nonce}')",
}


class AddCanaries(NbGraderPreprocessor):
    """Append the canary cells (with a fresh nonce) to the notebook to execute."""

    def preprocess(self, nb, resources):
        nonce = secrets.token_hex(8)
        a, b = secrets.randbelow(1000), 1000 + secrets.randbelow(1000)
        REPORT["nonce"] = nonce
        for name, template in CANARIES.items():
            nb.cells.append(new_code_cell(template.format(a=a, b=b, nonce=nonce),
                                          metadata={"grading_canary": name}))
        return nb, resources


class CheckCanaries(NbGraderPreprocessor):
    """Remove the canary cells; record those that did not fail as they must."""

    def preprocess(self, nb, resources):
        canaries = [c for c in nb.cells if "grading_canary" in c.metadata]
        nb.cells = [c for c in nb.cells if "grading_canary" not in c.metadata]
        if REPORT["failure"] is None:
            for cell in canaries:
                errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
                if not any(REPORT["nonce"] in str(o.get("evalue", "")) for o in errors):
                    REPORT["canary_failures"].append(cell.metadata["grading_canary"])
        return nb, resources


class SandboxedExecute(Execute):
    """nbgrader's Execute, with a total time limit and a record of what went wrong where.
    The kernel comes from ``Execute.kernel_manager_class`` (the sandboxed one)."""

    total_timeout = Integer(300, help="seconds for the whole notebook").tag(config=True)
    uid = Integer(None, allow_none=True, help="owner of the run directory").tag(config=True)
    disk = Unicode(help="the private disk of the run directory and the kernel's home").tag(
        config=True)
    disk_mb = Integer(1024, help="its size, MB").tag(config=True)

    def preprocess(self, nb, resources, km=None):
        run_dir = resources["metadata"]["path"]
        if self.uid is not None:
            for folder, _, files in os.walk(run_dir):
                for path in [folder] + [os.path.join(folder, f) for f in files]:
                    os.chown(path, self.uid, self.uid, follow_symlinks=False)
        self.current_cell = None
        self.over_time = self.disk_full = False
        timer = threading.Timer(self.total_timeout, self._stop_kernel)
        timer.start()
        running = threading.Event()
        running.set()
        watch = threading.Thread(target=self._watch_disk, args=(running,), daemon=True)
        watch.start()
        try:
            nb, resources = super().preprocess(nb, resources, km=km)
        except Exception as error:  # noqa: BLE001 - the kernel's fate, whatever it was
            REPORT["failure"] = self._explain(nb, error)
        finally:
            timer.cancel()
            running.clear()
            watch.join()
            self.disk_full = self.disk_full or self._disk_is_full()
            if self.uid is not None:
                kill_every_process_of(self.uid)
            remove_traps(run_dir)
        if self.disk_full:
            REPORT["failure"] = f"wrote more than {self.disk_mb} MB"
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        self.current_cell = index
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            process = getattr(getattr(self.km, "provisioner", None), "process", None)
            self.exit_status = process.poll() if process is not None else None
            raise

    async def _async_handle_timeout(self, timeout, cell=None):
        where = describe_cell(self.nb, self.current_cell)
        if where not in REPORT["timeouts"]:  # a cell that ignores the interrupt times out again
            REPORT["timeouts"].append(where)
        return await super()._async_handle_timeout(timeout, cell)

    def _disk_is_full(self) -> bool:
        return bool(self.disk) and disk_used_mb(self.disk) > self.disk_mb - DISK_FULL_MARGIN_MB

    def _watch_disk(self, running: threading.Event) -> None:
        """Stop the kernel once the private disk is full (its writes fail from then on)."""
        while running.is_set():
            if self._disk_is_full():
                self.disk_full = True
                self._kill_kernel()
                return
            time.sleep(0.05)

    def _stop_kernel(self) -> None:
        self.over_time = True
        self._kill_kernel()

    def _kill_kernel(self) -> None:
        pgid = getattr(getattr(self.km, "provisioner", None), "pgid", None)
        if pgid:
            os.killpg(pgid, signal.SIGKILL)

    def _how_it_ended(self) -> str:
        """From the sandbox's exit status: 128 + n when signal n killed the kernel."""
        status = getattr(self, "exit_status", None)
        if status is None:
            return "died"
        if status > 128 and (status - 128) in signal.valid_signals():
            name = signal.Signals(status - 128).name
            hint = {"SIGXCPU": " (CPU time limit)", "SIGKILL": " (CPU time limit or memory)",
                    "SIGXFSZ": " (file size limit)", "SIGSEGV": " (a crash)"}.get(name, "")
            return f"was killed by {name}{hint}"
        return f"exited with status {status}"

    def _explain(self, nb, error: Exception) -> str:
        """One line: what ended the run, and where (nbclient's messages span many lines and
        quote the cell's source)."""
        where = describe_cell(nb, self.current_cell)
        if self.over_time:
            return f"exceeded the total time limit of {self.total_timeout} s (in {where})"
        if isinstance(error, DeadKernelError):
            return f"the kernel {self._how_it_ended()} while running {where}"
        if isinstance(error, CellTimeoutError):  # no end of its output came after it stopped
            if where in REPORT["timeouts"]:
                return f"{where} timed out after {self.timeout} s"
            return f"{where} sent output for more than {self.iopub_timeout} s after it finished"
        first_line = (str(error).strip().splitlines() or [""])[0]
        return f"execution failed in {where}: {type(error).__name__}: {first_line[:200]}"


def processes_of(uid: int) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        try:
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                pids.append(int(entry.name))
        except FileNotFoundError:
            pass
    return pids


def kill_every_process_of(uid: int) -> None:
    """Make sure nothing of the sandbox outlives its kernel (each job has a uid of its own):
    a helper process takes the uid and sends SIGKILL to every process of it (up to a second:
    a zombie cannot be killed, and is harmless)."""
    for _ in range(100):
        helper = os.fork()
        if helper == 0:
            try:
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)  # every process of this uid but the caller
            finally:
                os._exit(0)
        os.waitpid(helper, 0)
        if not processes_of(uid):
            return
        time.sleep(0.01)


def remove_traps(run_dir: str) -> None:
    """Delete what the student's code left in its run directory that is neither a regular file
    nor a directory. nbgrader, running as the instructor, writes the graded notebook there and
    changes file modes: a symbolic link would make it write or chmod any file it points to, a
    FIFO would block it. (Called once the kernel and everything it started are dead.)"""
    for folder, dirs, files in os.walk(run_dir):
        for name in dirs + files:
            path = os.path.join(folder, name)
            mode = os.lstat(path).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                os.unlink(path)
                REPORT["traps"].append(os.path.relpath(path, run_dir))


class StderrIsNotFailure(NbGraderPreprocessor):
    """nbgrader gives 0 to a test cell with *any* stderr output (a NumPy warning, a progress
    bar); only errors should fail a test. Stderr text of test cells becomes stdout."""

    def preprocess_cell(self, cell, resources, index):
        if is_test_cell(cell):
            for output in cell.outputs:
                if output.output_type == "stream" and output.name == "stderr":
                    output.name = "stdout"
        return cell, resources


class LimitOutputSize(NbGraderPreprocessor):
    """Cut every text output to ``max_chars`` characters (nbgrader's LimitOutput counts lines,
    so one 5 MB line would stay); drop images larger than ``max_image_chars``."""

    max_chars = Integer(20_000).tag(config=True)
    max_image_chars = Integer(2_000_000).tag(config=True)

    def _cut(self, text: str) -> str:
        if len(text) <= self.max_chars:
            return text
        return text[: self.max_chars] + f"\n... output cut by the grader ({len(text):,} characters)"

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        outputs = []
        for output in cell.outputs:
            if output.output_type == "stream":
                output.text = self._cut(output.text)
            elif output.output_type in ("display_data", "execute_result"):
                data = output.get("data", {})
                if any(len(str(v)) > self.max_image_chars for k, v in data.items()
                       if not k.startswith("text/")):
                    output = new_output("stream", name="stdout",
                                        text="[a large image was removed by the grader]\n")
                else:
                    for key in data:
                        data[key] = self._cut(str(data[key]))
            elif output.output_type == "error":
                output.traceback = [self._cut(line) for line in output.traceback[:200]]
                output.evalue = self._cut(output.evalue)
            outputs.append(output)
        cell.outputs = outputs
        return cell, resources
