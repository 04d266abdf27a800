"""A real `taizhang serve` for the WPS tests and the timing (measure.py): `taizhang accounts`
makes the store and the codes, the service runs on a free loopback port until the block ends."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BUREAU = "市能源局"
TAIZHANG = [sys.executable, "-m", "addin"]


@dataclass
class Service:
    url: str
    codes: dict[str, str]  # account (unit or 市能源局) → access code
    process: subprocess.Popen


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(folder: Path, timeout: float = 60) -> Iterator[Service]:
    from openpyxl import load_workbook

    data, accounts = folder / "data", folder / "账号.xlsx"
    made = subprocess.run(
        [*TAIZHANG, "accounts", "--data", str(data), "-o", str(accounts)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if made.returncode != 0:
        raise RuntimeError(f"taizhang accounts failed: {made.stderr}")
    rows = list(load_workbook(accounts)["账号"].iter_rows(values_only=True))
    if rows[0][:2] != ("单位", "口令"):
        raise RuntimeError(f"账号.xlsx has headers {rows[0]}")
    codes = {unit: code for unit, code, *_ in rows[1:]}
    port = free_port()
    log_path = folder / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*TAIZHANG, "serve", "--data", str(data), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError("taizhang serve stopped: " + log_path.read_text())
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(
                            f"taizhang serve did not listen in {timeout} s"
                        ) from None
                    time.sleep(0.1)
            yield Service(f"http://127.0.0.1:{port}", codes, process)
        finally:
            process.terminate()
            process.wait(timeout=30)
