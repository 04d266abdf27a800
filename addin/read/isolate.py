"""Run untrusted work in child processes, so one hostile file is one finding.

calamine can abort the process (SIGABRT on a huge allocation) or spin on a crafted file, and
openpyxl can take minutes and gigabytes on a big one; the guards stop the known cases, and
this module stops the rest. Each worker is a plain `python -c` child (child.py; not
multiprocessing: "spawn" re-imports the parent's __main__, and `python -m addin` has no main
guard), capped by RLIMIT_AS where the OS has it, and every job has a wall-clock limit. A
worker that dies or overruns is killed and replaced; the batch goes on.

Every pool has its own scratch folder for its children's temporary files (TMPDIR), removed
when the pool closes; a folder left by a run that was killed is removed by the next pool.

    with IsolatedReader(jobs=2) as reader:
        for path, result in reader.map(paths):   # input order; result: Workbook | ReadFailure
            ...
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from addin.model.workbook import Workbook
from addin.read.child import dumps, frame, from_doc, read_frame, to_doc
from addin.read.failure import ReadFailure, shown_name

_ROOT = str(Path(__file__).resolve().parent.parent.parent)
SCRATCH_PREFIX = "taizhang-run-"
READ_CALL = "addin.read.child:read_file"
_SIGNALS = {
    getattr(signal, "SIGABRT", 6): "进程被中止（SIGABRT），多半是一次超大的内存申请失败",
    getattr(signal, "SIGKILL", 9): "进程被强制结束，可能超出了内存上限",
    getattr(signal, "SIGSEGV", 11): "进程发生内存访问错误（SIGSEGV）",
}


def _encode(result: Workbook | ReadFailure) -> bytes:
    return dumps(to_doc(result))


def _decode(data: bytes) -> Workbook | ReadFailure:
    return from_doc(json.loads(data))


@dataclass(frozen=True)
class Answer:
    """What a child said about one job: `value` (the function's JSON result), or `problem`:
    "timeout", "crashed" (then `detail` says how, in Chinese), "memory" or "error"."""

    value: Any = None
    problem: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class Read:
    """One file read by a child: the Workbook or why not, and what the child learnt."""

    path: str | os.PathLike
    result: Workbook | ReadFailure
    sha256: str | None = None
    size: int | None = None
    mtime: float | None = None
    active: tuple[str, ...] = ()


# ---------------------------------------------------------------- scratch folders


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would terminate it there: assume alive
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def sweep_scratch(base: str | None = None) -> int:
    """Remove scratch folders of pools whose process is gone; returns how many."""
    base = base or tempfile.gettempdir()
    removed = 0
    try:
        entries = list(os.scandir(base))
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.startswith(SCRATCH_PREFIX):
            continue
        pid = entry.name[len(SCRATCH_PREFIX) :].partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed += 1
    return removed


# ---------------------------------------------------------------- one worker


class _Worker:
    def __init__(self, memory_mb: int, scratch: str, answers: queue.Queue):
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p),
            "TMPDIR": scratch,
            "TEMP": scratch,
            "TMP": scratch,
        }
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console flash on Windows
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from addin.read.child import serve; serve()", str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            creationflags=flags,
        )
        self.job: int | None = None
        self.deadline = 0.0
        # a thread per worker blocks on its answers: portable, unlike select() on pipes
        threading.Thread(target=self._listen, args=(answers,), daemon=True).start()

    def _listen(self, answers: queue.Queue) -> None:
        while True:
            data = read_frame(self.process.stdout)
            answers.put((self, data))
            if data is None:
                return

    def submit(self, index: int, request: bytes, timeout: float) -> None:
        self.job = index
        self.deadline = time.monotonic() + timeout
        self.process.stdin.write(frame(request))
        self.process.stdin.flush()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        for pipe in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                pipe.close()

    def death(self) -> str:
        """Why the worker went away, in Chinese."""
        try:
            code = self.process.wait(5)
        except subprocess.TimeoutExpired:
            return "进程失去响应"
        if code < 0:
            return _SIGNALS.get(-code, f"进程被信号 {-code} 终止")
        if os.name == "nt" and code == 3:  # abort() on Windows
            return _SIGNALS[getattr(signal, "SIGABRT", 6)]
        return f"进程意外退出（退出码 {code}）"


# ---------------------------------------------------------------- the pool


class ChildPool:
    """`jobs` worker processes, each job limited to `timeout` seconds and each worker to
    `memory_mb` MiB of address space (0: no cap)."""

    def __init__(self, jobs: int = 1, *, timeout: float = 20.0, memory_mb: int | None = 1024):
        self.jobs = max(1, int(jobs))
        self.timeout = timeout
        self.memory_mb = int(memory_mb or 0)
        self._answers: queue.Queue = queue.Queue()
        self._idle: list[_Worker] = []
        self._scratch: str | None = None
        self.started = 0  # workers started, restarts included: for tests and the bench

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for worker in self._idle:
            try:
                worker.process.stdin.write(frame(b""))
                worker.process.stdin.close()
                worker.process.wait(2)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
            worker.kill()
        self._idle = []
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def scratch(self) -> str:
        if self._scratch is None:
            sweep_scratch()
            self._scratch = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
        return self._scratch

    def calls(self, call: str, many: Iterable[dict[str, Any]]) -> Iterator[Answer]:
        """One Answer per argument dict, in input order, `jobs` at a time."""
        todo = [dumps({"call": call, "args": args}) for args in many]
        done: dict[int, Answer] = {}
        busy: list[_Worker] = []
        pending = iter(range(len(todo)))
        emitted = 0
        try:
            while emitted < len(todo):
                while len(busy) < self.jobs and (index := next(pending, None)) is not None:
                    busy.append(self._submit(index, todo[index]))
                self._collect(busy, done)
                while emitted in done:
                    yield done.pop(emitted)
                    emitted += 1
        finally:
            for worker in busy:  # abandoned mid-batch: a late answer must not leak into the next
                worker.kill()

    def call(self, call: str, args: dict[str, Any]) -> Answer:
        [answer] = list(self.calls(call, [args]))
        return answer

    def _submit(self, index: int, request: bytes) -> _Worker:
        for _ in range(2):
            worker = self._idle.pop() if self._idle else self._spawn()
            try:
                worker.submit(index, request, self.timeout)
                return worker
            except (OSError, ValueError):  # died between jobs: replace it once
                worker.kill()
        raise OSError("无法启动读取进程")

    def _spawn(self) -> _Worker:
        self.started += 1
        return _Worker(self.memory_mb, self.scratch(), self._answers)

    def _collect(self, busy: list[_Worker], done: dict[int, Answer]) -> None:
        """Wait for the first answer or deadline among the busy workers and record it."""
        remaining = min(w.deadline for w in busy) - time.monotonic()
        try:
            worker, data = self._answers.get(timeout=max(0.0, remaining))
        except queue.Empty:
            worker, data = None, None
        if worker is not None and worker in busy:
            busy.remove(worker)
            if data is not None:
                doc = json.loads(data)
                done[worker.job] = Answer(
                    doc.get("value"), doc.get("problem"), doc.get("detail", "")
                )
                self._idle.append(worker)
            else:
                done[worker.job] = Answer(problem="crashed", detail=worker.death())
                worker.kill()
        now = time.monotonic()
        for late in [w for w in busy if now >= w.deadline]:
            busy.remove(late)
            late.kill()
            done[late.job] = Answer(problem="timeout")


class IsolatedReader(ChildPool):
    """A pool that reads files with `read_workbook` (through child.read_file). Keyword options
    other than the pool's go to read_workbook (max_bytes, guard)."""

    def __init__(
        self, jobs: int = 1, *, timeout: float = 20.0, memory_mb: int | None = 1024, **options: Any
    ):
        super().__init__(jobs, timeout=timeout, memory_mb=memory_mb)
        self.options = options

    def reads(self, paths: Iterable[str | os.PathLike]) -> Iterator[Read]:
        """A Read for every path, in input order."""
        todo = list(paths)
        many = ({"path": os.fspath(p), "options": self.options} for p in todo)
        for path, answer in zip(todo, self.calls(READ_CALL, many), strict=True):
            yield self._read(path, answer)

    def map(
        self, paths: Iterable[str | os.PathLike]
    ) -> Iterator[tuple[str | os.PathLike, Workbook | ReadFailure]]:
        """(path, Workbook | ReadFailure) for every path, in input order, `jobs` at a time."""
        for read in self.reads(paths):
            yield read.path, read.result

    def read(self, path: str | os.PathLike) -> Workbook:
        """One file: a Workbook, or raises ReadFailure."""
        [(_, result)] = list(self.map([path]))
        if isinstance(result, ReadFailure):
            raise result
        return result

    def _read(self, path, answer: Answer) -> Read:
        name = shown_name(path)
        if answer.problem is None:
            v = answer.value
            return Read(
                path, from_doc(v["book"]), v["sha256"], v["size"], v["mtime"], tuple(v["active"])
            )
        if answer.problem == "timeout":
            failure = ReadFailure("file.timeout", name=name, seconds=f"{self.timeout:g}")
        elif answer.problem == "crashed":
            failure = ReadFailure("file.crashed-reader", name=name, reason=answer.detail)
        elif answer.problem == "memory":
            failure = ReadFailure(
                "file.too-large", name=name, detail=f"读取结果超出内存上限 {self.memory_mb} MB"
            )
        else:
            failure = ReadFailure("file.unreadable", name=name, detail=answer.detail)
        return Read(path, failure)


def read_isolated(
    path: str | os.PathLike, *, timeout: float = 20.0, memory_mb: int | None = 1024, **options: Any
) -> Workbook:
    """Read one file in a fresh child process; a Workbook, or raises ReadFailure."""
    with IsolatedReader(1, timeout=timeout, memory_mb=memory_mb, **options) as reader:
        return reader.read(path)
