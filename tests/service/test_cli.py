"""`taizhang accounts` and `taizhang serve` as a person runs them."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.request

from addin.faces.service.auth import Verifier
from addin.faces.service.store import Store
from tests.conftest import ROOT
from tests.service.conftest import codes_of


def taizhang(*args, cwd=ROOT, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "addin", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


def one_error(done: subprocess.CompletedProcess, code: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"错误 [{code}]："), done.stderr
    assert "Traceback" not in done.stderr


def test_accounts_writes_one_code_per_unit_and_keeps_only_hashes(tmp_path):
    done = taizhang("accounts", "--data", tmp_path / "d", "-o", tmp_path / "账号.xlsx")
    assert done.returncode == 0, done.stderr
    codes = codes_of(tmp_path / "账号.xlsx")
    assert list(codes)[0] == "市能源局" and len(codes) == 15 and len(set(codes.values())) == 15
    assert "任城区" in codes and "济宁经济技术开发区" in codes
    assert (tmp_path / "账号.xlsx").stat().st_mode & 0o077 == 0
    db = sqlite3.connect(tmp_path / "d" / "taizhang.sqlite3")
    dump = "\n".join(db.iterdump())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    for code in codes.values():
        assert code not in dump and code.replace("-", "") not in dump
    hashes = [h for (h,) in db.execute("SELECT hash FROM accounts")]
    assert len(hashes) == 15 and all(h.startswith("scrypt$16384$8$1$") for h in hashes)
    assert len({h.split("$")[4] for h in hashes}) == 15  # every salt its own


def test_accounts_again_refuses_and_rotate_replaces_one_code(tmp_path):
    folder, first = tmp_path / "d", tmp_path / "账号.xlsx"
    taizhang("accounts", "--data", folder, "-o", first)
    old = codes_of(first)
    one_error(
        taizhang("accounts", "--data", folder, "-o", tmp_path / "again.xlsx"),
        "usage.accounts-exist",
    )
    one_error(taizhang("accounts", "--data", folder, "-o", first), "usage.output-exists")
    one_error(
        taizhang("accounts", "--data", folder, "-o", tmp_path / "x.xlsx", "--rotate", "济南市"),
        "usage.unit-unknown",
    )
    one_error(
        taizhang("accounts", "--data", folder, "-o", tmp_path / "x.txt"), "usage.output-suffix"
    )
    done = taizhang("accounts", "--data", folder, "-o", tmp_path / "新.xlsx", "--rotate", "任城")
    assert done.returncode == 0, done.stderr
    new = codes_of(tmp_path / "新.xlsx")
    assert list(new) == ["任城区"] and new["任城区"] != old["任城区"]
    store = Store.open(folder)
    try:
        verifier = Verifier(store)
        assert verifier.check(new["任城区"])[0].name == "任城区"
        assert verifier.check(old["任城区"])[0] is None
        assert verifier.check(old["兖州区"])[0].name == "兖州区"  # the others keep theirs
    finally:
        store.close()


def test_rotate_ends_a_code_the_running_service_remembered(data, client):
    from addin.faces.service.accounts import issue

    assert client.get("/api/returns", headers=data.bearer("任城区")).status_code == 200
    issue(data.folder, data.folder.parent / "轮换.xlsx", ["任城区"])  # as another process would
    assert client.get("/api/returns", headers=data.bearer("任城区")).status_code == 401
    fresh = codes_of(data.folder.parent / "轮换.xlsx")["任城区"]
    assert client.get("/api/returns", headers={"Authorization": f"Bearer {fresh}"}).json() == {
        "returns": []
    }


def test_serve_needs_accounts_first(tmp_path):
    one_error(taizhang("serve", "--data", tmp_path / "none", "--port", "0"), "usage.store-missing")


def test_serve_refuses_a_taken_port_in_chinese(data):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = taizhang("serve", "--data", data.folder, "--port", port)
    one_error(done, "usage.address-unavailable")
    assert f"127.0.0.1:{port}" in done.stderr


def test_serve_answers_and_stops_cleanly_on_ctrl_c(data, server_factory):
    server = server_factory(data.folder)
    assert "台账报送服务已启动" in server.first_line
    request = urllib.request.Request(server.url + "/api/returns", headers=data.bearer("任城区"))
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert json.load(answer) == {"returns": []}
    with urllib.request.urlopen(server.url + "/login", timeout=10) as page:
        assert "登录" in page.read().decode()
    code, out, err = server.stop(signal.SIGINT)
    assert code == 0, err
    assert "服务已停止" in out
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_serve_and_accounts_are_in_help():
    done = taizhang("--help")
    assert "accounts" in done.stdout and "serve" in done.stdout
    serve = taizhang("serve", "--help")
    assert "--host" in serve.stdout and "8750" in serve.stdout and "0.0.0.0" in serve.stdout
