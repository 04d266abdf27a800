"""The pages and their guards: sign-in with a code, the cookie it sets, CSRF on every form,
slowed and audited failures, the county's page, a return's page, the bureau's board."""

from __future__ import annotations

import asyncio
import re

import pytest

from addin.faces.service import access
from addin.faces.service.auth import SESSION_COOKIE, SIGNIN_COOKIE, Throttle
from tests.service.conftest import PERIOD, upload

BUREAU = "市能源局"
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html)[1]


def sign_in(client, code: str):
    page = client.get("/login")
    return client.post(
        "/login", data={"code": code, "csrf": csrf_of(page.text)}, follow_redirects=False
    )


def post_forms_carry_csrf(html: str) -> int:
    forms = [f for f in FORM.findall(html) if 'method="post"' in f]
    for form in forms:
        assert re.search(r'<input type="hidden" name="csrf" value="[^"]{20,}">', form), form
    return len(forms)


def test_sign_in_sets_an_httponly_samesite_cookie(client, data):
    page = client.get("/login")
    assert page.status_code == 200 and "口令" in page.text and 'lang="zh-CN"' in page.text
    assert post_forms_carry_csrf(page.text) == 1
    assert "httponly" in page.headers["set-cookie"].lower()
    answer = sign_in(client, data.codes["任城区"].lower().replace("-", " "))  # as typed
    assert answer.status_code == 303 and answer.headers["location"] == "/unit"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if SESSION_COOKIE in c)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_sign_in_form_needs_its_csrf_token(client, data):
    client.get("/login")
    answer = client.post(
        "/login", data={"code": data.codes["任城区"], "csrf": "forged"}, follow_redirects=False
    )
    assert answer.status_code == 403 and "usage.csrf" in answer.text
    assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")


def test_failed_sign_ins_are_audited_and_slowed(client, data, monkeypatch):
    waits: list[float] = []

    async def sleep(seconds):
        waits.append(seconds)

    monkeypatch.setattr(access.asyncio, "sleep", sleep)
    for _ in range(Throttle.FREE + 2):
        answer = sign_in(client, "03-WRNG-CDXX-XXXX-YYYY")
        assert answer.status_code == 401 and "口令不正确" in answer.text
    assert waits == [1.0, 2.0]  # the fourth and fifth tries waited, longer each time
    audit = client.get("/api/audit", headers=data.bearer(BUREAU)).json()["audit"]
    failed = [e for e in audit if e["action"] == "sign-in-failed"]
    assert len(failed) == Throttle.FREE + 2 and all(e["address"] for e in failed)
    assert "曲阜市" in failed[0]["what"]  # the code's prefix names the account tried


def test_throttle_grows_caps_and_forgets():
    throttle = Throttle()
    assert throttle.delay("a") == 0
    for _ in range(Throttle.FREE):
        throttle.failed("a")
    assert throttle.delay("a") == 1.0 and throttle.delay("b") == 0
    for _ in range(20):
        throttle.failed("a")
    assert throttle.delay("a") == Throttle.CAP
    throttle.succeeded("a")
    assert throttle.delay("a") == 0


def test_county_page_upload_form_and_findings(client, data, sample_returns):
    assert client.get("/unit", follow_redirects=False).headers["location"] == "/login"
    sign_in(client, data.codes["嘉祥县"])
    page = client.get("/unit")
    assert page.status_code == 200 and "把台账文件拖到这里" in page.text
    assert post_forms_carry_csrf(page.text) == 2  # sign-out and the upload form
    assert "还没有上传过台账" in page.text
    token = csrf_of(page.text)
    path = sample_returns["嘉祥县"]
    sent = client.post(
        "/upload",
        data={"csrf": token, "period": ""},
        files={"file": (path.name, path.read_bytes())},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].startswith("/unit?show=")
    shown = client.get(sent.headers["location"])
    assert "cover.phone-missing" in shown.text and "封面!" in shown.text
    assert "下载标注副本" in shown.text and "退回" in shown.text


def test_cookie_uploads_need_the_csrf_token(client, data, sample_returns):
    sign_in(client, data.codes["任城区"])
    path = sample_returns["任城区"]
    files = {"file": (path.name, path.read_bytes())}
    plain = client.post("/api/returns", files=files)
    assert plain.status_code == 403 and plain.json()["code"] == "usage.csrf"
    forged = client.post("/api/returns", files=files, headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    token = csrf_of(client.get("/unit").text)
    good = client.post("/api/returns", files=files, headers={"X-CSRF-Token": token})
    assert good.status_code == 201
    assert not list((data.folder / "tmp").iterdir())


def test_a_null_origin_never_rides_on_the_session(client, data):
    sign_in(client, data.codes["任城区"])
    assert client.get("/api/returns").status_code == 200
    for origin in ("null", "http://other.example"):
        answer = client.get("/api/returns", headers={"Origin": origin})
        assert answer.status_code == 401
    bearer = client.get("/api/returns", headers={"Origin": "null", **data.bearer("任城区")})
    assert bearer.status_code == 200


def test_sign_out_needs_csrf_and_ends_the_session(client, data):
    sign_in(client, data.codes["任城区"])
    assert client.post("/logout", data={"csrf": "x"}).status_code == 403
    token = csrf_of(client.get("/unit").text)
    out = client.post("/logout", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/unit", follow_redirects=False).status_code == 303


def test_bureau_page_is_the_board(client, data, sample_returns):
    upload(client, data, "任城区", sample_returns["任城区"])
    upload(client, data, "微山县", sample_returns["微山县"])
    sign_in(client, data.codes["任城区"])
    assert client.get(f"/bureau?period={PERIOD}").status_code == 403
    client.cookies.clear()
    answer = sign_in(client, data.codes[BUREAU])
    assert answer.headers["location"] == "/bureau"
    page = client.get("/bureau").text  # the period with returns is chosen
    assert "报送看板 · 2021年度" in page
    for word in ("已报", "迟报", "退回", "未报", "催报", "完成率", "汇总工作簿 .xlsx", "Word 文稿"):
        assert word in page
    assert post_forms_carry_csrf(page) == 1
    assert re.search(r"<td>微山县</td><td class=\"st\">退回</td>", page)
    assert re.search(r"<td>泗水县</td><td class=\"st\">未报</td>", page)
    assert "/api/summary?period=2021Y&amp;format=xlsx" in page


def test_return_page_for_owner_and_bureau(client, data, sample_returns):
    rid = upload(client, data, "任城区", sample_returns["任城区"]).json()["id"]
    sign_in(client, data.codes["曲阜市"])
    assert client.get(f"/returns/{rid}").status_code == 403
    client.cookies.clear()
    sign_in(client, data.codes[BUREAU])
    page = client.get(f"/returns/{rid}")
    assert page.status_code == 200 and "未发现问题" in page.text and "通过" in page.text


@pytest.mark.parametrize("name", ["service.css", "service.js"])
def test_static_files_come_from_the_package(client, name):
    answer = client.get(f"/static/{name}")
    assert answer.status_code == 200 and len(answer.content) > 500
    assert "http://" not in answer.text and "https://" not in answer.text  # no CDN


def test_static_serves_only_its_list(client):
    for path in ("/static/../pyproject.toml", "/static/%2e%2e%2fapp.py", "/static/x.css"):
        assert client.get(path).status_code == 404


def test_pages_link_nothing_outside(client, data):
    sign_in(client, data.codes[BUREAU])
    for path in ("/login", "/bureau"):
        html = client.get(path).text
        assert not re.search(r'(src|href)="https?://', html)


def test_unknown_page_is_a_chinese_page(client):
    answer = client.get("/nowhere")
    assert answer.status_code == 404 and "没有这个地址" in answer.text


def test_slow_down_waits_as_the_throttle_says(monkeypatch):
    class Svc:
        throttle = Throttle()

    for _ in range(Throttle.FREE + 1):
        Svc.throttle.failed("1.2.3.4")
    waits = []

    async def sleep(seconds):
        waits.append(seconds)

    class Request:
        client = type("C", (), {"host": "1.2.3.4"})()
        app = type("A", (), {"state": type("S", (), {"service": Svc})()})()

    monkeypatch.setattr(access.asyncio, "sleep", sleep)
    asyncio.run(access.slow_down(Request()))
    assert waits == [2.0]
    assert SIGNIN_COOKIE != SESSION_COOKIE


def test_a_form_starlette_cannot_parse_is_a_chinese_400(client):
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"csrf": csrf_of(page.text)},
        files={"code": ("x.txt", b"not a field")},  # a file where a field belongs
    )
    assert answer.status_code == 400 and "表单无法解析" in answer.text
