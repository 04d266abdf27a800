"""Fixtures of the service's tests: sample returns, a data folder with its codes, an app over
it, and a real `taizhang serve` process on a free loopback port."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from starlette.testclient import TestClient

from addin.faces import samples
from addin.faces.service.accounts import issue
from addin.faces.service.app import build_app
from tests.conftest import CORPUS, ROOT

PERIOD = "2021Y"
HOSTILE = CORPUS / "hostile"


@pytest.fixture(scope="session")
def sample_returns(tmp_path_factory) -> dict[str, Path]:
    """unit → its sample return of 2021Y (the demo's, mistakes included; 汶上县's fixed one)."""
    folder = tmp_path_factory.mktemp("returns")
    paths = samples.make_returns(folder, PERIOD)
    out: dict[str, Path] = {}
    for path in sorted(paths, key=lambda p: len(p.name), reverse=True):  # （修改版） wins
        out.setdefault(path.name.split("-")[0], path)
    return out


@pytest.fixture(scope="session")
def clean_returns(tmp_path_factory) -> dict[str, Path]:
    """unit → a clean return of 2021Y, for all 14 units."""
    folder = tmp_path_factory.mktemp("clean")
    return {p.name.split("-")[0]: p for p in samples.make_returns(folder, PERIOD, mistakes=False)}


def codes_of(workbook: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(workbook)["账号"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("单位", "口令")
    return {name: code for name, code in rows[1:]}


@dataclass
class Data:
    folder: Path
    codes: dict[str, str]

    def bearer(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.codes[name]}"}


def make_data(folder: Path) -> Data:
    sheet = folder.parent / f"{folder.name}-账号.xlsx"
    issue(folder, sheet)
    return Data(folder, codes_of(sheet))


@pytest.fixture(scope="session")
def blank_data(tmp_path_factory) -> Data:
    """A data folder with its accounts, made once: scrypt makes each code cost ~0.1 s."""
    return make_data(tmp_path_factory.mktemp("blank") / "data")


@pytest.fixture
def data(tmp_path, blank_data) -> Data:
    """A fresh copy of the blank data folder (same codes) for one test."""
    folder = tmp_path / "data"
    shutil.copytree(blank_data.folder, folder)
    return Data(folder, blank_data.codes)


@pytest.fixture
def client(data):
    with TestClient(build_app(data.folder), base_url="http://127.0.0.1:8750") as c:
        yield c


def upload(client, data: Data, who: str, path: Path, **fields):
    return client.post(
        "/api/returns",
        headers=data.bearer(who),
        files={"file": (path.name, path.read_bytes())},
        data=fields,
    )


# --- a real server ------------------------------------------------------------------------------


class Server:
    """`python -m addin serve` on a free port of 127.0.0.1, stopped by the test."""

    def __init__(self, folder: Path, *extra: str):
        self.folder = folder
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "addin", "serve", "--data", str(folder), "--port", "0", *extra],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        line = self.proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not match:
            self.proc.kill()
            raise AssertionError(f"server did not start: {line!r} {self.proc.stderr.read()}")
        self.url = f"http://127.0.0.1:{match[1]}"
        self.first_line = line

    def stop(self, sig=signal.SIGINT, timeout: float = 30) -> tuple[int, str, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        return self.proc.returncode, out, err

    def kill(self) -> None:
        self.proc.kill()
        self.proc.communicate()


@pytest.fixture
def server_factory():
    started: list[Server] = []

    def start(folder: Path, *extra: str) -> Server:
        server = Server(folder, *extra)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.proc.poll() is None:
            server.kill()


def wait_until(predicate, timeout: float = 10.0, step: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
