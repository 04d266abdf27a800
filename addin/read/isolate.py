"""Parse untrusted files in child processes, so one hostile file is one finding.

calamine can abort the process (SIGABRT on a huge allocation) or spin on a crafted file; the
guards in read.py stop the known cases, and this module stops the rest. Each worker is a plain
`python -c` child (not multiprocessing: "spawn" re-imports the parent's __main__, and
`python -m addin` has no main guard), capped by RLIMIT_AS where the OS has it, and every read
has a wall-clock limit. A worker that dies or overruns is killed and replaced; the batch goes on.

Answers come back as JSON, not pickle: a child that a hostile file has subverted must not be
able to run code in the parent.

    with IsolatedReader(jobs=2) as reader:
        for path, result in reader.map(paths):   # input order; result: Workbook | ReadFailure
            ...
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

from addin.model.workbook import Sheet, Workbook
from addin.read.reader import ReadFailure

MB = 1024 * 1024
_ROOT = str(Path(__file__).resolve().parent.parent)
_SIGNALS = {
    getattr(signal, "SIGABRT", 6): "进程被中止（SIGABRT），多半是一次超大的内存申请失败",
    getattr(signal, "SIGKILL", 9): "进程被强制结束，可能超出了内存上限",
    getattr(signal, "SIGSEGV", 11): "进程发生内存访问错误（SIGSEGV）",
}


# ---------------------------------------------------------------- the wire format


def _cell_out(value: Any) -> Any:
    # datetime before date: a datetime is a date too
    if isinstance(value, datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, dtime):
        return ["t", value.isoformat()]
    return value


_CELL_IN = {"dt": datetime.fromisoformat, "d": date.fromisoformat, "t": dtime.fromisoformat}


def _cell_in(value: Any) -> Any:
    return _CELL_IN[value[0]](value[1]) if isinstance(value, list) else value


def _encode(result: Workbook | ReadFailure) -> bytes:
    if isinstance(result, ReadFailure):
        doc: dict[str, Any] = {
            "fail": result.code,
            "params": {k: str(v) for k, v in result.params.items()},
        }
    else:
        doc = {
            "source": result.source,
            "format": result.format,
            "date1904": result.date1904,
            "meta": {k: _cell_out(v) for k, v in result.meta.items()},
            "sheets": [
                [s.name, s.hidden, [[_cell_out(v) for v in row] for row in s.rows]]
                for s in result.sheets.values()
            ],
        }
    return json.dumps(doc, ensure_ascii=False, allow_nan=True).encode("utf-8")


def _decode(data: bytes) -> Workbook | ReadFailure:
    doc = json.loads(data)
    if "fail" in doc:
        return ReadFailure(doc["fail"], doc["params"])
    sheets = {
        name: Sheet(name, tuple(tuple(_cell_in(v) for v in row) for row in rows), hidden)
        for name, hidden, rows in doc["sheets"]
    }
    return Workbook(
        sheets=sheets,
        source=doc["source"],
        format=doc["format"],
        date1904=doc["date1904"],
        meta={k: _cell_in(v) for k, v in doc["meta"].items()},
    )


def _frame(data: bytes) -> bytes:
    return struct.pack("<I", len(data)) + data


def _read_frame(stream) -> bytes | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    (size,) = struct.unpack("<I", head)
    data = stream.read(size)
    return data if len(data) == size else None


# ---------------------------------------------------------------- the child


def _serve() -> None:
    """Child main: `python -c "from addin.read.isolate import _serve; _serve()" MEMORY_MB OPTIONS`.
    Reads path frames on stdin until an empty frame, answers each with one frame on stdout."""
    memory_mb, options = int(sys.argv[1]), json.loads(sys.argv[2])
    if memory_mb:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_mb * MB, memory_mb * MB))
        except (ImportError, ValueError, OSError):
            pass  # Windows has no RLIMIT_AS: the wall-clock limit still holds
    wire_in, wire_out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the answer stream
    import python_calamine  # noqa: F401  (load the extension before the first file)

    from addin.read.reader import read_workbook

    while data := _read_frame(wire_in):
        path = data.decode("utf-8")
        try:
            result: Workbook | ReadFailure = read_workbook(path, **options)
        except ReadFailure as exc:
            result = exc
        except MemoryError:
            result = ReadFailure(
                "file.too-large", name=Path(path).name, detail=f"读取时超出内存上限 {memory_mb} MB"
            )
        except Exception as exc:  # read_workbook should let none out; never lose the batch
            result = ReadFailure(
                "file.unreadable",
                name=Path(path).name,
                detail=f"{type(exc).__name__}: {str(exc)[:160]}",
            )
        try:
            answer = _encode(result)
        except MemoryError:
            answer = _encode(
                ReadFailure(
                    "file.too-large",
                    name=Path(path).name,
                    detail=f"读取结果超出内存上限 {memory_mb} MB",
                )
            )
        wire_out.write(_frame(answer))
        wire_out.flush()


# ---------------------------------------------------------------- the parent


class _Worker:
    def __init__(self, memory_mb: int, options: dict[str, Any], answers: queue.Queue):
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p),
        }
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console flash on Windows
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from addin.read.isolate import _serve; _serve()",
                str(memory_mb),
                json.dumps(options),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            creationflags=flags,
        )
        self.job: tuple[int, str] | None = None
        self.deadline = 0.0
        # a thread per worker blocks on its answers: portable, unlike select() on pipes
        threading.Thread(target=self._listen, args=(answers,), daemon=True).start()

    def _listen(self, answers: queue.Queue) -> None:
        while True:
            data = _read_frame(self.process.stdout)
            answers.put((self, data))
            if data is None:
                return

    def submit(self, index: int, path: str, timeout: float) -> None:
        self.job = (index, path)
        self.deadline = time.monotonic() + timeout
        self.process.stdin.write(_frame(path.encode("utf-8")))
        self.process.stdin.flush()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
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


class IsolatedReader:
    """`jobs` worker processes reading files with `read_workbook`, each read limited to
    `timeout` seconds and each worker to `memory_mb` MiB of address space (0: no cap).
    Other keyword options go to read_workbook (max_bytes, guard)."""

    def __init__(
        self, jobs: int = 1, *, timeout: float = 20.0, memory_mb: int | None = 1024, **options: Any
    ):
        self.jobs = max(1, int(jobs))
        self.timeout = timeout
        self.memory_mb = int(memory_mb or 0)
        self.options = options
        self._answers: queue.Queue = queue.Queue()
        self._idle: list[_Worker] = []
        self.started = 0  # workers started, restarts included: for tests and the bench

    def __enter__(self) -> IsolatedReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for worker in self._idle:
            try:
                worker.process.stdin.write(_frame(b""))
                worker.process.stdin.close()
                worker.process.wait(2)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
            worker.kill()
        self._idle = []

    def read(self, path: str | os.PathLike) -> Workbook:
        """One file: a Workbook, or raises ReadFailure."""
        [(_, result)] = list(self.map([path]))
        if isinstance(result, ReadFailure):
            raise result
        return result

    def map(
        self, paths: Iterable[str | os.PathLike]
    ) -> Iterator[tuple[str | os.PathLike, Workbook | ReadFailure]]:
        """(path, Workbook | ReadFailure) for every path, in input order, `jobs` at a time."""
        todo = list(paths)
        done: dict[int, Workbook | ReadFailure] = {}
        busy: list[_Worker] = []
        pending = iter(range(len(todo)))
        emitted = 0
        try:
            while emitted < len(todo):
                while len(busy) < self.jobs and (index := next(pending, None)) is not None:
                    busy.append(self._submit(index, os.fspath(todo[index])))
                self._collect(busy, done)
                while emitted in done:
                    yield todo[emitted], done.pop(emitted)
                    emitted += 1
        finally:
            for worker in busy:  # abandoned mid-batch: a late answer must not leak into the next
                worker.kill()

    def _submit(self, index: int, path: str) -> _Worker:
        for _ in range(2):
            worker = self._idle.pop() if self._idle else self._spawn()
            try:
                worker.submit(index, path, self.timeout)
                return worker
            except (OSError, ValueError):  # died between files: replace it once
                worker.kill()
        raise OSError("无法启动读取进程")

    def _spawn(self) -> _Worker:
        self.started += 1
        return _Worker(self.memory_mb, self.options, self._answers)

    def _collect(self, busy: list[_Worker], done: dict) -> None:
        """Wait for the first answer or deadline among the busy workers and record it."""
        remaining = min(w.deadline for w in busy) - time.monotonic()
        try:
            worker, data = self._answers.get(timeout=max(0.0, remaining))
        except queue.Empty:
            worker, data = None, None
        if worker is not None and worker in busy:
            index, path = worker.job
            busy.remove(worker)
            if data is not None:
                done[index] = _decode(data)
                self._idle.append(worker)
            else:
                done[index] = ReadFailure(
                    "file.crashed-reader", name=Path(path).name, reason=worker.death()
                )
                worker.kill()
        now = time.monotonic()
        for late in [w for w in busy if now >= w.deadline]:
            index, path = late.job
            busy.remove(late)
            late.kill()
            done[index] = ReadFailure(
                "file.timeout", name=Path(path).name, seconds=f"{self.timeout:g}"
            )


def read_isolated(
    path: str | os.PathLike, *, timeout: float = 20.0, memory_mb: int | None = 1024, **options: Any
) -> Workbook:
    """Read one file in a fresh child process; a Workbook, or raises ReadFailure."""
    with IsolatedReader(1, timeout=timeout, memory_mb=memory_mb, **options) as reader:
        return reader.read(path)
