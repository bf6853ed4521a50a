"""Running one submission: its own kernel, its own folder copy, a timeout and a memory cap.

:class:`Sandbox` starts a fresh IPython kernel (through
:mod:`convlab.classroom.launcher`, which caps its memory) in a temporary copy of
the student's folder, runs the notebook's code cells in the order the student
left them, and after each answer cell takes the answer out as data with
:func:`convlab.classroom.capture.capture_json`. A cell that runs too long is
interrupted; a kernel that dies (``os._exit``, a crash) is restarted and the
cells before are run again, so one broken cell costs only what depends on it.
"""

from __future__ import annotations

import ast
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CellOutcome", "Capture", "Sandbox", "kernel_spec_folder"]

_KERNEL = "convlab-grader"
_MAX_RESTARTS = 3


def kernel_spec_folder(memory_mb) -> Path:
    """A temporary folder holding the grader's kernel spec (delete it when done).

    The kernel runs ``convlab/classroom/launcher.py --memory-mb N`` with one
    thread per numeric library, the Agg backend and plain-text displays only (the
    grader reads answers, not pictures: an animation's HTML is never rendered),
    and without the course secret in its environment.
    """
    folder = Path(tempfile.mkdtemp(prefix="convlab-grader-kernels-"))
    spec = {
        # The launcher runs as a script: importing convlab first would slow every start.
        "argv": [sys.executable, str(Path(__file__).with_name("launcher.py")),
                 "--memory-mb", str(int(memory_mb)), "-f", "{connection_file}"],
        "display_name": "convlab grader", "language": "python",
        "env": {"MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2",
                "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
    }
    (folder / _KERNEL).mkdir()
    (folder / _KERNEL / "kernel.json").write_text(json.dumps(spec))
    return folder


@dataclass(frozen=True)
class CellOutcome:
    """How a cell ran: ``'ok'``, ``'error'`` (it raised), ``'timeout'`` or ``'died'``."""

    status: str
    message: str = ""


@dataclass(frozen=True)
class Capture:
    """An answer taken out of the kernel: ``status`` 'ok' with ``data``, else why not."""

    status: str        #: 'ok', 'error' or 'timeout'
    data: dict | None  #: the parsed JSON of capture_json when 'ok'
    message: str = ""


class _Died(Exception):
    pass


class _Stuck(_Died):
    """A cell past its time that did not stop when interrupted: its kernel was ended."""


class Sandbox:
    """One student's kernel, started in a temporary copy of ``folder``; use as a context.

    Parameters
    ----------
    folder : path
        The student's submission folder (copied; the copy is the kernel's working folder).
    spec_folder : path
        From :func:`kernel_spec_folder`.
    timeout : float
        Seconds a cell (or one capture) may run before it is interrupted.
    """

    def __init__(self, folder, spec_folder, *, timeout):
        self.folder, self.spec_folder, self.timeout = Path(folder), Path(spec_folder), timeout
        self.ran = []        # indices of the cells that ran, in order
        self.skipped = set()  # cells that killed the kernel or never finished: not replayed
        self.restarts = 0
        self.dead = ""       # why grading in this kernel stopped, once it has
        self.manager = self.client = None

    # -- life cycle ---------------------------------------------------------
    def __enter__(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="convlab-submission-"))
        self.copy = self.workdir / "submission"
        if self.folder.is_dir():
            shutil.copytree(self.folder, self.copy, symlinks=True)
        else:
            self.copy.mkdir()
        self._start()
        return self

    def __exit__(self, *exc):
        self._stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _start(self):
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import KernelManager
        env = {key: value for key, value in os.environ.items()
               if key != "CONVLAB_CLASSROOM_SECRET"}
        self.manager = KernelManager(
            kernel_name=_KERNEL,
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(self.spec_folder)]))
        self.manager.start_kernel(cwd=str(self.copy), env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=max(60, self.timeout))

    def _stop(self):
        if self.client is not None:
            self.client.stop_channels()
        if self.manager is not None:
            try:
                self.manager.shutdown_kernel(now=True)
            except Exception:  # already gone
                pass
            try:
                self.manager.cleanup_resources()
            except Exception:
                pass
        self.client = self.manager = None

    def _restart(self, cells):
        """A fresh kernel with the cells that ran before replayed (outcomes ignored)."""
        self.restarts += 1
        self._stop()
        if self.restarts > _MAX_RESTARTS:
            self.dead = f"grading stopped after the kernel stopped {self.restarts} times"
            return
        self._start()
        for index in list(self.ran):
            if index in self.skipped:
                continue
            try:
                outcome = self._execute(cells[index])
            except _Died:
                self.skipped.add(index)
                return self._restart(cells)
            if outcome.status == "timeout":
                self.skipped.add(index)

    # -- running code -------------------------------------------------------
    def _drain_iopub(self):
        while True:
            try:
                self.client.get_iopub_msg(timeout=0)
            except queue.Empty:
                return

    def _request(self, code, user_expressions=None):
        """Send ``code``; return the reply's content or CellOutcome('timeout'), or raise _Died."""
        msg_id = self.client.execute(code, silent=False, store_history=False,
                                     user_expressions=user_expressions or {},
                                     allow_stdin=False, stop_on_error=False)
        deadline = time.monotonic() + self.timeout
        while True:
            self._drain_iopub()
            left = deadline - time.monotonic()
            if left <= 0:
                return self._interrupt(msg_id)
            try:
                reply = self.client.get_shell_msg(timeout=min(left, 0.25))
            except queue.Empty:
                if not self.manager.is_alive():
                    raise _Died("the kernel stopped") from None
                continue
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return reply["content"]

    def _interrupt(self, msg_id):
        """Interrupt a cell past its time; if the kernel does not answer, end it."""
        self.manager.interrupt_kernel()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                reply = self.client.get_shell_msg(timeout=0.25)
            except queue.Empty:
                if not self.manager.is_alive():
                    raise _Died("the kernel stopped") from None
                continue
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return CellOutcome("timeout")
        raise _Stuck("the kernel did not stop when interrupted")

    def _execute(self, source) -> CellOutcome:
        content = self._request(source)
        if isinstance(content, CellOutcome):
            return content
        if content.get("status") == "error":
            return CellOutcome("error", f"{content.get('ename')}: {content.get('evalue')}")
        return CellOutcome("ok")

    def run_cell(self, index, cells) -> CellOutcome:
        """Run code cell ``index`` of ``cells`` (a list of source strings)."""
        if self.dead:
            return CellOutcome("died", self.dead)
        try:
            outcome = self._execute(cells[index])
        except _Died as reason:
            self.skipped.add(index)
            self.ran.append(index)
            self._restart(cells)
            status = "timeout" if isinstance(reason, _Stuck) else "died"
            return CellOutcome(status, str(reason))
        self.ran.append(index)
        if outcome.status == "timeout":
            self.skipped.add(index)
        return outcome

    def capture(self, expression, cases_json, cells, exercise=None) -> Capture:
        """The answer ``expression`` evaluated in the kernel, taken out as data.

        With ``cases_json`` (a function exercise), a callable answer is called on
        those cases inside the kernel and its outputs come back instead; ``exercise``
        names the exercise, whose library shortcuts are refused.
        """
        if self.dead:
            return Capture("error", None, self.dead)
        call = (f"__import__('convlab.classroom.capture', fromlist=['capture_json'])"
                f".capture_json(({expression}\n), {cases_json!r}, {exercise!r})")
        try:
            content = self._request("", {"answer": call})
        except _Died as reason:
            self._restart(cells)
            return Capture("error", None, f"{reason} while the grader read the answer "
                                          "(os._exit, a crash, or out of memory)")
        if isinstance(content, CellOutcome):
            return Capture("timeout", None, f"reading the answer took longer than "
                                            f"{self.timeout:g} s and was stopped")
        result = content.get("user_expressions", {}).get("answer", {})
        if result.get("status") != "ok":
            return Capture("error", None, f"{result.get('ename', 'Error')}: "
                                          f"{result.get('evalue', 'no answer came back')}")
        try:
            text = ast.literal_eval(result["data"]["text/plain"])
            data = json.loads(text)
        except (KeyError, ValueError, SyntaxError, TypeError, MemoryError,
                RecursionError) as error:
            return Capture("error", None, f"the answer did not come back as data ({error})")
        if not isinstance(data, dict):
            return Capture("error", None, "the answer did not come back as data")
        return Capture("ok", data)
