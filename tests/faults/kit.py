"""What the fault suite needs to build hostile situations at run time and to judge the outcome:
the CLI in a child process with a hard timeout (a hang fails the test instead of stalling the
suite), the inputs' sha256 before and after, and files built byte by byte (a BIFF8 .xls, a
zip package with a part anywhere)."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

LOG_ENV = "TAIZHANG_FAULT_LOG"  # a file to append each run's time and peak memory to
HANG_SECONDS = 60  # far above any case's time: a run that needs this long is a hang
# root without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH: file permissions hold for it again
NO_OVERRIDE = (
    "setpriv",
    "--inh-caps=-dac_override,-dac_read_search",
    "--bounding-set=-dac_override,-dac_read_search",
)
TRACES = ("Traceback", "Exception ignored", "panicked", "stack backtrace")


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float
    peak_mb: float  # the largest process of the run (ru_maxrss of the waited children)

    @property
    def lines(self) -> list[str]:
        return self.err.splitlines()


def taizhang(
    *args,
    cwd: Path | None = None,
    env: dict | None = None,
    unprivileged: bool = False,
    timeout: float = HANG_SECONDS,
) -> Run:
    """`python -m addin ARGS` to completion. Fails the test on a hang, a crash or a traceback.
    `unprivileged`: without root's power to read any file (as an officer runs it)."""
    argv = [sys.executable, "-m", "addin", *map(str, args)]
    if unprivileged:
        argv = [*NO_OVERRIDE, *argv]
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd or ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )
    streams: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda k=k, f=f: streams.__setitem__(k, f.read()))
        for k, f in (("out", proc.stdout), ("err", proc.stderr))
    ]
    for reader in readers:
        reader.start()
    hung = threading.Timer(timeout, proc.kill)
    hung.start()
    # wait4: this run's own peak memory (its largest process, reader children included)
    _pid, status, usage = os.wait4(proc.pid, 0)
    hung.cancel()
    for reader in readers:
        reader.join()
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    assert seconds < timeout, f"hang: {args} ran {seconds:.0f} s"
    peak = usage.ru_maxrss / 1024
    out = streams["out"].decode("utf-8", "replace")
    err = streams["err"].decode("utf-8", "replace")
    if os.environ.get(LOG_ENV):  # for the figures of the fault suite's note
        with open(os.environ[LOG_ENV], "a", encoding="utf-8") as log:
            case = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
            line = {
                "case": case,
                "seconds": round(seconds, 3),
                "peak_mb": round(peak, 1),
                "code": code,
            }
            log.write(json.dumps(line, ensure_ascii=True) + "\n")
    for trace in TRACES:
        assert trace not in err and trace not in out, f"{trace} in output:\n{err}"
    assert code in (0, 1, 2), f"exit {code}: {err}"
    return Run(code, out, err, seconds, peak)


def shas(*roots: Path) -> dict[str, str]:
    """sha256 of every regular file under `roots` (links and special files are left alone)."""
    out = {}
    for root in roots:
        for here, _dirs, files in os.walk(root):
            for name in files:
                path = Path(here) / name
                if path.is_file() and not path.is_symlink():
                    out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def rezip(src: Path, dst: Path, parts: dict[str, bytes | None]) -> Path:
    """A copy of the package `src` with parts replaced, added (bytes) or dropped (None)."""
    with zipfile.ZipFile(src) as z:
        entries = [(i.filename, z.read(i)) for i in z.infolist()]
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            if name not in parts:
                z.writestr(name, data)
        for name, data in parts.items():
            if data is not None:
                z.writestr(name, data)
    return dst


# ---------------------------------------------------------------- a BIFF8 .xls, byte by byte


def _rec(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(dt: int) -> bytes:
    return _rec(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC, 0, 0x06))


def number(row: int, col: int, value: float) -> bytes:
    return _rec(0x0203, struct.pack("<HHHd", row, col, 0x0F, value))


def dimensions(rows: int, cols: int) -> bytes:
    return _rec(0x0200, struct.pack("<IIHHH", 0, rows, 0, cols, 0))


def name_record(builtin: int) -> bytes:
    """A built-in NAME record (0x01 Auto_Open) pointing nowhere in particular."""
    return _rec(
        0x0018, struct.pack("<HBBHHHBBBB", 0x0020, 0, 1, 0, 0, 0, 0, 0, 0, 0) + bytes([0, builtin])
    )


def xls(
    records: list[bytes], *, globals_extra: list[bytes] = (), storages: tuple[str, ...] = ()
) -> bytes:
    """A compound file whose Workbook stream holds one sheet with `records`."""
    name = "Sheet1".encode("utf-16-le")
    head = _bof(0x0005) + _rec(0x0042, struct.pack("<H", 1200)) + b"".join(globals_extra)
    offset = len(head) + 4 + 8 + len(name) + 4
    sheet = _rec(0x0085, struct.pack("<IBBBB", offset, 0, 0, len("Sheet1"), 1) + name)
    stream = head + sheet + _rec(0x000A) + _bof(0x0010) + b"".join(records) + _rec(0x000A)
    return _cfb(stream, storages)


def _cfb(stream: bytes, storages: tuple[str, ...]) -> bytes:
    ss = 512
    data = stream + b"\0" * (-len(stream) % ss)
    data += b"\0" * max(0, 4096 - len(data))  # above the mini-stream cutoff
    count = len(data) // ss
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [i + 3 for i in range(count - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x2C, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0, 0)
    for i in range(109):
        struct.pack_into("<I", header, 0x4C + 4 * i, 0 if i == 0 else 0xFFFFFFFF)

    def entry(text: str, kind: int, start: int, size: int, child=0xFFFFFFFF, right=0xFFFFFFFF):
        e = bytearray(128)
        raw = (text + "\0").encode("utf-16-le")
        e[: len(raw)] = raw
        struct.pack_into("<HBB", e, 0x40, len(raw), kind, 1)
        struct.pack_into("<III", e, 0x44, 0xFFFFFFFF, right, child)
        struct.pack_into("<IQ", e, 0x74, start, size)
        return bytes(e)

    names = ["Workbook", *storages]
    entries = [entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1)]
    for i, text in enumerate(names, start=1):
        nxt = i + 1 if i < len(names) else 0xFFFFFFFF
        if text == "Workbook":
            entries.append(entry(text, 2, 2, len(data), right=nxt))
        else:
            entries.append(entry(text, 1, 0, 0, right=nxt))
    directory = b"".join(entries)
    directory += b"\0" * (-len(directory) % ss)
    assert len(directory) == ss, "one directory sector holds four entries"
    return bytes(header) + struct.pack("<128I", *fat) + directory + data
