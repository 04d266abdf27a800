"""Every route of SPEC §8 and every refusal, through Starlette's TestClient."""

from __future__ import annotations

import hashlib
import io
import json

import openpyxl
import pytest

from addin.faces.service.app import build_app
from addin.faces.service.store import Store
from addin.pipeline.collect import validate_file
from addin.pipeline.run import consolidate_files
from addin.write.results import file_object
from schemas.reference import load
from tests.service.conftest import HOSTILE, PERIOD, upload

BUREAU = "市能源局"


def stored_files(data) -> set[str]:
    return {p.name for p in (data.folder / "files").iterdir()}


def rows(data) -> list[dict]:
    store = Store.open(data.folder)
    try:
        return store.returns()
    finally:
        store.close()


# --- POST /api/returns ------------------------------------------------------------------------


def test_upload_is_201_with_the_file_object_and_durable_before_the_answer(
    client, data, sample_returns
):
    path = sample_returns["任城区"]
    answer = upload(client, data, "任城区", path)
    assert answer.status_code == 201
    body = answer.json()
    expected = file_object(validate_file(path))
    assert {k: body[k] for k in ("unit", "period", "ok", "counts", "findings")} == {
        k: expected[k] for k in ("unit", "period", "ok", "counts", "findings")
    }
    assert body["file"] == path.name
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert body["sha256"] == digest and body["received_at"] and isinstance(body["id"], int)
    # another connection to the store sees the row and the file, as a restart would
    [row] = rows(data)
    assert row["id"] == body["id"] and row["sha256"] == digest
    assert (data.folder / "files" / digest).read_bytes() == path.read_bytes()
    assert not list((data.folder / "tmp").iterdir())


def test_findings_of_an_upload_are_the_validators(client, data, sample_returns):
    body = upload(client, data, "嘉祥县", sample_returns["嘉祥县"]).json()
    assert [f["code"] for f in body["findings"]] == ["cover.phone-missing"]
    assert body["findings"][0]["cell"] and body["findings"][0]["message"]


def test_another_units_return_is_403_and_stored_nowhere(client, data, sample_returns):
    before = stored_files(data)
    answer = upload(client, data, "任城区", sample_returns["兖州区"])
    assert answer.status_code == 403
    assert answer.json()["code"] == "usage.other-unit"
    assert "兖州区" in answer.json()["error"] and answer.json()["error"].startswith("错误 [")
    assert stored_files(data) == before and rows(data) == []
    assert not list((data.folder / "tmp").iterdir())
    audit = client.get("/api/audit", headers=data.bearer(BUREAU)).json()["audit"]
    assert any(e["action"] == "upload-refused" and e["who"] == "任城区" for e in audit)


def test_the_bureau_may_send_any_units_return(client, data, sample_returns):
    answer = upload(client, data, BUREAU, sample_returns["兖州区"])
    assert answer.status_code == 201 and answer.json()["unit"] == "兖州区"
    listed = client.get("/api/returns", headers=data.bearer("兖州区")).json()["returns"]
    assert [r["id"] for r in listed] == [answer.json()["id"]]


def test_over_the_size_limit_is_413_and_nothing_is_kept(data, sample_returns):
    from starlette.testclient import TestClient

    with TestClient(build_app(data.folder, limit=10_000)) as small:
        answer = upload(small, data, "任城区", sample_returns["任城区"])  # ~43 KB
        assert answer.status_code == 413
        assert answer.json()["code"] == "usage.upload-too-large"
        # without a Content-Length the limit holds while the bytes stream in
        boundary = "xyz"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()

        def body():
            yield head
            for _ in range(100):
                yield b"\0" * 1000

        streamed = small.post(
            "/api/returns",
            headers={
                **data.bearer("任城区"),
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
            content=body(),
        )
        assert streamed.status_code == 413
        assert small.get("/api/returns", headers=data.bearer("任城区")).json()["returns"] == []
    assert stored_files(data) == set() and not list((data.folder / "tmp").iterdir())


@pytest.mark.parametrize(
    "name",
    ["bomb_cells_20M.xlsx", "corner_cells_A1_XFD1048576.xlsx", "encrypted_agile_msoffcrypto.xlsx"],
)
def test_a_hostile_upload_is_201_with_its_file_finding_and_the_service_stays_up(
    client, data, sample_returns, name
):
    answer = upload(client, data, "任城区", HOSTILE / name)
    assert answer.status_code == 201
    body = answer.json()
    assert body["ok"] is False and body["unit"] is None
    [finding] = body["findings"]
    assert finding["code"].startswith("file.") and finding["severity"] == "error"
    assert name in finding["message"]  # named as the sender named it, not as it is kept
    assert upload(client, data, "任城区", sample_returns["任城区"]).status_code == 201


def test_a_file_name_is_shown_never_used_as_a_path(client, data, sample_returns):
    answer = client.post(
        "/api/returns",
        headers=data.bearer("任城区"),
        files={"file": ("../../../evil.xlsx", sample_returns["任城区"].read_bytes())},
    )
    assert answer.status_code == 201 and answer.json()["file"] == "evil.xlsx"
    assert not (data.folder.parent / "evil.xlsx").exists()
    assert stored_files(data) == {answer.json()["sha256"]}


def test_upload_refusals(client, data, sample_returns):
    path = sample_returns["任城区"]
    anonymous = client.post("/api/returns", files={"file": (path.name, path.read_bytes())})
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "usage.sign-in-required"
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    wrong = client.post(
        "/api/returns",
        headers={"Authorization": "Bearer 01-AAAA-AAAA-AAAA-AAAA"},
        files={"file": (path.name, path.read_bytes())},
    )
    assert wrong.status_code == 401 and wrong.json()["code"] == "usage.sign-in-failed"
    no_file = client.post("/api/returns", headers=data.bearer("任城区"), data={"period": PERIOD})
    assert no_file.status_code == 400 and no_file.json()["code"] in (
        "usage.upload-missing",
        "usage.upload-malformed",
    )
    bad_period = upload(client, data, "任城区", path, period="2021H2")
    assert bad_period.status_code == 400 and bad_period.json()["code"] == "usage.period-unknown"
    assert rows(data) == []


def test_the_period_field_is_the_period_checked(client, data, sample_returns):
    body = upload(client, data, "任城区", sample_returns["任城区"], period="2022Y").json()
    assert "cover.period-not-asked" in [f["code"] for f in body["findings"]]


# --- GET /api/returns and the marked copy ---------------------------------------------------------


def test_a_unit_lists_its_own_the_bureau_all(client, data, sample_returns):
    mine = upload(client, data, "任城区", sample_returns["任城区"]).json()["id"]
    theirs = upload(client, data, "曲阜市", sample_returns["曲阜市"]).json()["id"]
    own = client.get("/api/returns", headers=data.bearer("任城区")).json()["returns"]
    assert [r["id"] for r in own] == [mine]
    every = client.get(f"/api/returns?period={PERIOD}", headers=data.bearer(BUREAU)).json()
    assert sorted(r["id"] for r in every["returns"]) == sorted([mine, theirs])
    other = client.get("/api/returns?period=2022Y", headers=data.bearer(BUREAU)).json()
    assert other == {"returns": []}
    assert client.get("/api/returns").status_code == 401


def test_marked_copy_for_the_owner_and_the_bureau_only(client, data, sample_returns):
    rid = upload(client, data, "嘉祥县", sample_returns["嘉祥县"]).json()["id"]
    answer = client.get(f"/api/returns/{rid}/marked", headers=data.bearer("嘉祥县"))
    assert answer.status_code == 200
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert "校验结果" in book.sheetnames
    listed = [r[2] for r in book["校验结果"].iter_rows(min_row=2, values_only=True)]
    assert listed == ["cover.phone-missing"]
    assert client.get(f"/api/returns/{rid}/marked", headers=data.bearer(BUREAU)).status_code == 200
    other = client.get(f"/api/returns/{rid}/marked", headers=data.bearer("任城区"))
    assert other.status_code == 403 and other.json()["code"] == "usage.not-yours"
    assert client.get(f"/api/returns/{rid}/marked").status_code == 401
    missing = client.get("/api/returns/999/marked", headers=data.bearer(BUREAU))
    assert missing.status_code == 404 and missing.json()["code"] == "usage.return-missing"
    assert client.get("/api/returns/x/marked", headers=data.bearer(BUREAU)).status_code == 404


def test_marked_copy_of_an_unreadable_file_is_its_results_list(client, data):
    rid = upload(client, data, "任城区", HOSTILE / "pdf_renamed.xlsx").json()["id"]
    answer = client.get(f"/api/returns/{rid}/marked", headers=data.bearer("任城区"))
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["校验结果"]


# --- the board, the summary, the audit ------------------------------------------------------------


def test_board_is_the_summary_units_of_the_newest_return_per_unit(client, data, sample_returns):
    for unit in ("任城区", "微山县", "邹城市"):
        assert upload(client, data, unit, sample_returns[unit]).status_code == 201
    first = upload(client, data, "汶上县", sample_returns["任城区"])  # refused: not its own
    assert first.status_code == 403
    board = client.get(f"/api/board?period={PERIOD}", headers=data.bearer(BUREAU))
    assert board.status_code == 200
    units = board.json()["units"]
    expected = consolidate_files(
        [sample_returns[u] for u in ("任城区", "微山县", "邹城市")], load().period(PERIOD)
    )
    assert [(u["unit"], u["status"]) for u in units] == [
        (row.unit, row.status) for row in expected.units
    ]
    state = {u["unit"]: u["status"] for u in units}
    assert state["任城区"] == "已报" and state["微山县"] == "退回" and state["邹城市"] == "迟报"
    assert state["泗水县"] == "未报"
    assert board.json()["status_counts"] == {"已报": 1, "迟报": 1, "退回": 1, "未报": 11}
    # the board changes with the next upload
    upload(client, data, "泗水县", sample_returns["任城区"])  # refused, changes nothing
    upload(client, data, "梁山县", sample_returns["梁山县"])
    later = client.get(f"/api/board?period={PERIOD}", headers=data.bearer(BUREAU)).json()
    assert {u["unit"]: u["status"] for u in later["units"]}["梁山县"] in ("已报", "迟报")
    assert later["status_counts"]["未报"] == 10


def test_the_chase_list_names_the_last_contact(client, data, sample_returns):
    upload(client, data, "微山县", sample_returns["微山县"])  # 退回: time.later-than-city
    chase = client.get(f"/api/board?period={PERIOD}", headers=data.bearer(BUREAU)).json()["chase"]
    weishan = next(c for c in chase if c["unit"] == "微山县")
    cover = openpyxl.load_workbook(sample_returns["微山县"])["封面"]
    values = {r[0]: r[1] for r in cover.iter_rows(min_row=3, values_only=True)}
    assert weishan["status"] == "退回"
    assert weishan["filler"] == values["填报人"] and weishan["phone"] == str(values["联系电话"])
    assert next(c for c in chase if c["unit"] == "泗水县")["filler"] == ""


def test_board_refusals(client, data):
    assert client.get(f"/api/board?period={PERIOD}").status_code == 401
    unit = client.get(f"/api/board?period={PERIOD}", headers=data.bearer("任城区"))
    assert unit.status_code == 403 and unit.json()["code"] == "usage.bureau-only"
    missing = client.get("/api/board", headers=data.bearer(BUREAU))
    assert missing.status_code == 400 and missing.json()["code"] == "usage.period-param"
    assert client.get("/api/board?period=2021X", headers=data.bearer(BUREAU)).status_code == 400


def test_summary_in_each_format_and_its_refusals(client, data, sample_returns):
    upload(client, data, "任城区", sample_returns["任城区"])
    url = f"/api/summary?period={PERIOD}&format="
    xlsx = client.get(url + "xlsx", headers=data.bearer(BUREAU))
    assert xlsx.status_code == 200
    assert "总览" in openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames
    doc = client.get(url + "json", headers=data.bearer(BUREAU)).json()
    assert doc["period"] == PERIOD and len(doc["units"]) == 14
    assert {u["unit"]: u["status"] for u in doc["units"]}["任城区"] == "已报"
    html = client.get(url + "html", headers=data.bearer(BUREAU))
    assert html.status_code == 200 and "任城区" in html.text and "<html" in html.text
    docx = client.get(url + "docx", headers=data.bearer(BUREAU))
    assert docx.status_code == 501 and docx.json()["code"] == "usage.docx-unavailable"
    assert client.get(url + "pdf", headers=data.bearer(BUREAU)).json()["code"] == (
        "usage.summary-format"
    )
    assert client.get(url + "xlsx", headers=data.bearer("任城区")).status_code == 403
    assert client.get(url + "xlsx").status_code == 401


def test_audit_holds_every_sign_in_upload_and_download(client, data, sample_returns):
    rid = upload(client, data, "任城区", sample_returns["任城区"]).json()["id"]
    client.get(f"/api/returns/{rid}/marked", headers=data.bearer("任城区"))
    client.get(f"/api/summary?period={PERIOD}&format=json", headers=data.bearer(BUREAU))
    client.get("/api/returns", headers={"Authorization": "Bearer 02-XXXX-XXXX-XXXX-XXXX"})
    assert client.get("/api/audit", headers=data.bearer("任城区")).status_code == 403
    assert client.get("/api/audit").status_code == 401
    audit = client.get(f"/api/audit?period={PERIOD}", headers=data.bearer(BUREAU)).json()["audit"]
    actions = [(e["who"], e["action"]) for e in audit]
    assert ("任城区", "sign-in") in actions and (BUREAU, "sign-in") in actions
    assert ("任城区", "upload") in actions and ("任城区", "download-marked") in actions
    assert (BUREAU, "download-summary") in actions
    assert any(a == "sign-in-failed" for _, a in actions)
    sha = hashlib.sha256(sample_returns["任城区"].read_bytes()).hexdigest()
    assert all(e["sha256"] == sha for e in audit if e["action"] in ("upload", "download-marked"))
    assert all(e["at"] for e in audit)
    assert all(e["period"] in (PERIOD, None) for e in audit)


# --- POST /api/check ------------------------------------------------------------------------------


def sheets_of(path):
    from addin.read.reader import read_workbook

    wb = read_workbook(path)
    hidden = [s.name for s in wb.sheets.values() if s.hidden]
    return {
        name: [[v.isoformat() if hasattr(v, "isoformat") else v for v in row] for row in s.rows]
        for name, s in wb.sheets.items()
    }, hidden


def test_check_gives_the_file_object_and_stores_nothing(client, data, sample_returns):
    path = sample_returns["微山县"]
    sheets, hidden = sheets_of(path)
    answer = client.post(
        "/api/check",
        headers=data.bearer("微山县"),
        json={"sheets": sheets, "meta": {}, "hidden": hidden, "name": "微山县.xlsx"},
    )
    assert answer.status_code == 200
    body = answer.json()
    expected = file_object(validate_file(path))
    assert [(f["code"], f["cell"]) for f in body["findings"]] == [
        (f["code"], f["cell"]) for f in expected["findings"]
    ]
    assert body["unit"] == "微山县" and body["file"] == "Excel:微山县.xlsx"
    assert rows(data) == [] and stored_files(data) == set()


@pytest.mark.parametrize(
    "body,detail",
    [
        (b"not json", "JSON"),
        (b"[1, 2]", "对象"),
        (json.dumps({"sheets": {"封面": "x"}}).encode(), "行的列表"),
        (json.dumps({"sheets": {"封面": [[{"a": 1}]]}}).encode(), "单元格"),
        (b'{"sheets": {"a": [[NaN]]}}', "NaN"),
        (json.dumps({"meta": {}}).encode(), "sheets"),
        (json.dumps({"sheets": {"a": [[1]]}, "period": 2021}).encode(), "period"),
    ],
)
def test_check_refuses_what_is_not_sheets_of_values(client, data, body, detail):
    answer = client.post(
        "/api/check",
        headers={**data.bearer("任城区"), "Content-Type": "application/json"},
        content=body,
    )
    assert answer.status_code == 400 and answer.json()["code"] == "usage.check-body"
    assert detail in answer.json()["error"]


def test_check_needs_a_caller(client):
    assert client.post("/api/check", json={"sheets": {"a": [[1]]}}).status_code == 401


# --- the boundary and CORS ------------------------------------------------------------------------


@pytest.mark.parametrize("origin", ["null", "http://127.0.0.1:5173", "http://localhost:8000"])
def test_cors_preflight_and_every_api_answer_echo_allowed_origins(client, data, origin):
    pre = client.options(
        "/api/check",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == origin
    assert "Authorization" in pre.headers["access-control-allow-headers"]
    assert "access-control-allow-credentials" not in pre.headers
    private = client.options(
        "/api/check",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert private.headers["access-control-allow-private-network"] == "true"
    for answer in (
        client.get(f"/api/board?period={PERIOD}", headers={"Origin": origin}),  # 401
        client.get(
            f"/api/board?period={PERIOD}", headers={"Origin": origin, **data.bearer("任城区")}
        ),
        client.post("/api/check", headers={"Origin": origin, **data.bearer("任城区")}, json={}),
    ):
        assert answer.status_code in (400, 401, 403)
        assert answer.headers["access-control-allow-origin"] == origin


def test_other_origins_get_no_cors(client):
    answer = client.get("/api/returns", headers={"Origin": "http://intranet.example"})
    assert answer.status_code == 401 and "access-control-allow-origin" not in answer.headers
    pre = client.options(
        "/api/check",
        headers={
            "Origin": "http://intranet.example",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert "access-control-allow-origin" not in pre.headers
    assert "access-control-allow-private-network" not in pre.headers


def test_a_fault_is_one_chinese_line_and_500(client, data, monkeypatch):
    service = client.app.state.service

    def broken(period):
        raise RuntimeError("boom")

    monkeypatch.setattr(service.board, "board", broken)
    answer = client.get(
        f"/api/board?period={PERIOD}", headers={"Origin": "null", **data.bearer(BUREAU)}
    )
    assert answer.status_code == 500
    assert answer.json()["code"] == "internal" and "RuntimeError" in answer.json()["error"]
    assert answer.headers["access-control-allow-origin"] == "null"


def test_unknown_routes_and_methods_are_chinese(client, data):
    missing = client.get("/api/nothing", headers=data.bearer(BUREAU))
    assert missing.status_code == 404 and missing.json()["code"] == "usage.not-found"
    method = client.put("/api/check", headers=data.bearer(BUREAU))
    assert method.status_code == 405 and method.json()["code"] == "usage.method-not-allowed"


def test_restart_keeps_every_acknowledged_upload(data, sample_returns):
    from starlette.testclient import TestClient

    with TestClient(build_app(data.folder)) as first:
        ids = [upload(first, data, u, sample_returns[u]).json()["id"] for u in ("任城区", "曲阜市")]
    with TestClient(build_app(data.folder)) as second:
        listed = second.get("/api/returns", headers=data.bearer(BUREAU)).json()["returns"]
        assert sorted(r["id"] for r in listed) == sorted(ids)
        marked = second.get(f"/api/returns/{ids[0]}/marked", headers=data.bearer("任城区"))
        assert marked.status_code == 200


def test_check_and_the_excel_button_agree_on_one_workbook(client, data, sample_returns):
    """The WPS add-in's call and the Excel button read live values through one seam."""
    from addin.faces import button
    from addin.model.findings import Finding
    from addin.read.reader import read_workbook
    from addin.write.mark import RESULTS_SHEET, results_rows
    from addin.write.template.book import MARKS_REF
    from schemas.sheets import MARKS_NAME
    from tests.fake_book import FakeBook

    path = sample_returns["鱼台县"]
    book = FakeBook.from_workbook(
        read_workbook(path), name=path.name, path=str(path), names={MARKS_NAME: MARKS_REF}
    )
    button.run(book)
    pressed = book.values(RESULTS_SHEET)
    sheets = {
        name: [
            [v.isoformat() if hasattr(v, "isoformat") else v for v in r]
            for r in book.read_sheet(name)
        ]
        for name, _hidden in book.sheets()
    }
    hidden = [name for name, is_hidden in book.sheets() if is_hidden]
    body = client.post(
        "/api/check",
        headers={"Origin": "null", **data.bearer("鱼台县")},
        json={"sheets": sheets, "hidden": hidden, "name": path.name},
    ).json()
    called = results_rows(Finding(**f) for f in body["findings"])
    assert [r[2] for r in called[1:]] == ["unit.other-county"]
    assert [list(map(str, r)) for r in pressed] == called
