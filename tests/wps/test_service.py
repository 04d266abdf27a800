"""End to end against the REAL service: `taizhang accounts` makes the store and the codes,
`taizhang serve` runs on a free loopback port, and the WPS button — the built add-in's JS in
Node, on a FAKE WPS filled from each planted return — presses through it. The service's
findings must be the CLI's (`taizhang validate --format json` on the same file), and what the
button writes the `--mark` copy's. The HTTP contract the page relies on is checked on its own:
CORS for the add-in page's origin `null` (preflight, and on refusals too, or the page would
see "service not running"), Bearer codes, the bureau-only board."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.wps import compare
from tests.wps.conftest import RETURNS, press
from tests.wps.serve import BUREAU, Service, serve

pytestmark = pytest.mark.slow  # ~50 s: 20 presses through the service, a consolidation


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("service")) as running:
        yield running


def request(method: str, url: str, *, headers=None, body: bytes | None = None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=120) as res:
            return res.status, dict(res.headers), res.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def upload(service: Service, path: Path, code: str) -> dict:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, _headers, data = request(
        "POST",
        service.url + "/api/returns",
        headers={
            "Authorization": f"Bearer {code}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
        body=body,
    )
    assert status == 201, data.decode("utf-8", "replace")
    return json.loads(data)


# --- the HTTP contract the page relies on ---------------------------------------------------------


def test_preflight_from_the_addin_page_is_answered_without_a_code(service):
    status, headers, _ = request(
        "OPTIONS",
        service.url + "/api/check",
        headers={
            "Origin": "null",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
            # Chromium asks before a page reaches a local address (Private Network Access)
            "Access-Control-Request-Private-Network": "true",
        },
    )
    headers = {k.lower(): v for k, v in headers.items()}
    assert status in (200, 204)
    assert headers["access-control-allow-origin"] == "null"
    assert "POST" in headers["access-control-allow-methods"]
    allowed = headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert headers["access-control-allow-private-network"] == "true"


@pytest.mark.parametrize("code", [None, "00-XXXX-XXXX-XXXX-XXXX"])
def test_a_refusal_still_carries_cors_so_the_page_can_read_it(service, code):
    headers = {"Origin": "null", "Content-Type": "application/json"}
    if code:
        headers["Authorization"] = f"Bearer {code}"
    status, got, _ = request("POST", service.url + "/api/check", headers=headers, body=b"{}")
    assert status == 401
    assert {k.lower(): v for k, v in got.items()}["access-control-allow-origin"] == "null"


def test_the_board_is_the_bureaus_only(service, addin, dumps, workbooks):
    report = press(
        addin, dumps / f"{workbooks['控制台-2021Y.xlsx'].stem}.json", url=service.url,
        code=service.codes["任城区"],
    )  # fmt: skip
    assert report["request"]["status"] == 403
    assert report["outcome"]["kind"] == "failed"
    assert "无权" in report["alerts"][0] and "市能源局" in report["alerts"][0]


# --- one press through the service = the CLI -----------------------------------------------------


@pytest.mark.parametrize("name", RETURNS)
def test_a_press_through_the_service_finds_and_marks_what_the_cli_does(
    name, service, cli, addin, dumps, workbooks
):
    objects, marked = cli
    path = workbooks[name]
    unit = json.loads((dumps / f"{path.stem}.json").read_text(encoding="utf-8"))["meta"]["unit"]
    report = press(addin, dumps / f"{path.stem}.json", url=service.url, code=service.codes[unit])
    sent = report["request"]
    assert (sent["method"], sent["status"]) == ("POST", 200), report["alerts"]
    assert sent["headers"]["Authorization"] == f"Bearer {service.codes[unit]}"
    answer, expected = sent["answer"], objects[name]
    for key in ("unit", "period", "ok", "counts"):
        assert answer[key] == expected[key], key
    assert answer["findings"] == expected["findings"]  # every field, in the same order
    assert report["alerts"] == [compare.excel_message(path)]
    if expected["findings"]:
        assert compare.pressed(report) == compare.marked_copy(marked / name)
    else:
        assert report["results"] is None and report["marks"] == []


def test_the_console_shows_the_board_of_the_returns_the_service_holds(
    service, addin, dumps, workbooks, tmp_path
):
    """Every planted return uploaded by its unit; the console's press rewrites 报送情况 with the
    statuses `taizhang consolidate` gives the same files (the service consolidates what it
    holds, not a folder: docs/ADDIN.md)."""
    for name in sorted(RETURNS[:-1]):  # the planted story, oldest 汶上县 first
        path = workbooks[name]
        unit = json.loads((dumps / f"{path.stem}.json").read_text(encoding="utf-8"))["meta"]
        upload(service, path, service.codes[unit["unit"]])
    report = press(
        addin, dumps / f"{workbooks['控制台-2021Y.xlsx'].stem}.json", url=service.url,
        code=service.codes[BUREAU],
    )  # fmt: skip
    assert report["request"]["url"].endswith("/api/board?period=2021Y")
    assert report["outcome"]["kind"] == "console", report["alerts"]
    cli = subprocess.run(
        [sys.executable, "-m", "addin", "consolidate", str(workbooks[RETURNS[0]].parent)]
        + ["--period", "2021Y", "-o", str(tmp_path / "s.xlsx"), "--json", str(tmp_path / "s.json")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert cli.returncode in (0, 1), cli.stderr
    expected = {
        u["unit"]: u["status"]
        for u in json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["units"]
    }
    board = {u["unit"]: u["status"] for u in report["request"]["answer"]["units"]}
    assert board == expected
    assert set(expected.values()) == {"已报", "迟报", "退回", "未报"}
    assert "2021Y 报送情况：14 个单位" in report["alerts"][0]
