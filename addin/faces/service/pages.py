"""The service's pages, in Chinese, rendered from templates/service/ (Jinja2, autoescaped):
sign-in, a county's page (drag-and-drop upload, its returns, their findings as
`validate --format html` shows them, the marked copy), one return, and the bureau's board.
Stylesheet and script are served from the package itself: nothing comes from outside."""

from __future__ import annotations

import secrets
from datetime import date
from importlib import resources

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from addin.faces.button import default_period
from addin.faces.service import access
from addin.faces.service.auth import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    SIGNIN_COOKIE,
    Caller,
    new_session,
    same_token,
)
from addin.faces.service.board import KNOWN_FORMATS
from addin.faces.service.intake import limit_text
from addin.model.errors import UsageError
from addin.model.findings import SEVERITY_LABELS, Finding
from addin.write.palette import LIGHT_TEXT
from addin.write.render import render
from addin.write.results import location, period_label
from schemas.reference import load

STATIC = {"service.css": "text/css; charset=utf-8", "service.js": "text/javascript; charset=utf-8"}
FORM_MAX = 4096


def page(name: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(render(f"service/{name}", **context), status_code=status)


def error_page(request: Request, status: int, line: str) -> Response:
    return page("error.html.j2", status, line=line, who=None, csrf="")


def pct(value) -> str:
    """Two decimals, and never 100.00% unless it is exactly 100% (SPEC §5)."""
    if value is None:
        return "—"
    text = f"{value * 100:.2f}%"
    return "99.99%" if text == "100.00%" and value < 1 else text


def findings_view(result: dict) -> list[dict]:
    """A stored file object's findings as validate's HTML shows them (results.py)."""
    rows = []
    for data in result["findings"]:
        f = Finding(**data)
        rows.append(
            {
                "severity": f.severity,
                "label": SEVERITY_LABELS.get(f.severity, f.severity),
                "where": location(f),
                "code": f.code,
                "task": f.task or "",
                "value": f.value if f.value is not None else "",
                "message": f.message,
                "hint": f.hint,
            }
        )
    return rows


def return_view(row: dict) -> dict:
    result = row["result"]
    return {
        "id": row["id"],
        "name": row["name"],
        "owner": row["owner"],
        "unit": row["unit"] or "（单位未识别）",
        "period": period_label(row["period"]),
        "received": row["received_at"][:19].replace("T", " "),
        "ok": result["ok"],
        "verdict": "通过" if result["ok"] else "退回",
        "counts": result["counts"],
        "findings": findings_view(result),
        "sha256": row["sha256"],
    }


def period_choices(svc, chosen: str | None) -> list[tuple[str, str]]:
    ref = load()
    codes = set(svc.store.periods()) | {default_period(date.today())}
    if chosen:
        codes.add(chosen)
    periods = sorted((p for p in map(ref.period, codes) if p), key=lambda p: p.as_of, reverse=True)
    return [(p.code, p.label) for p in periods]


def common(who: Caller | None) -> dict:
    return {"who": who, "csrf": who.csrf if who else ""}


# --- sign-in -------------------------------------------------------------------------------


async def home(request: Request) -> Response:
    who = await access.caller(request, required=False)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/bureau" if who.bureau else "/unit", status_code=303)


def signin_page(status: int = 200, line: str = "") -> Response:
    token = secrets.token_urlsafe(24)
    response = page("signin.html.j2", status, who=None, csrf=token, line=line)
    response.set_cookie(
        SIGNIN_COOKIE, token, max_age=3600, httponly=True, samesite="strict", path="/login"
    )
    return response


async def login_form(request: Request) -> Response:
    return signin_page()


async def login(request: Request) -> Response:
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > FORM_MAX:
        raise UsageError("usage.upload-too-large", limit=limit_text(FORM_MAX))
    form = await request.form(max_files=0, max_fields=5, max_part_size=FORM_MAX)
    if not same_token(form.get("csrf"), request.cookies.get(SIGNIN_COOKIE)):
        return signin_page(403, UsageError("usage.csrf").line())
    code = str(form.get("code") or "")[:100]
    account = await access.verify(request, code, "登录页")
    if account is None:
        return signin_page(401, UsageError("usage.sign-in-failed").line())
    svc = access.service(request)
    token, _csrf = await run_in_threadpool(new_session, svc.store, account)
    await run_in_threadpool(
        svc.store.log,
        who=account.name,
        action="sign-in",
        what="登录页",
        address=access.address(request),
    )
    response = RedirectResponse("/bureau" if account.bureau else "/unit", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    response.delete_cookie(SIGNIN_COOKIE, path="/login")
    return response


async def logout(request: Request) -> Response:
    who = await access.caller(request)
    form = await request.form(max_files=0, max_fields=5, max_part_size=FORM_MAX)
    access.require_csrf(who, form.get("csrf"))
    svc = access.service(request)
    if who.session:
        await run_in_threadpool(svc.store.drop_session, who.session)
    await run_in_threadpool(
        svc.store.log, who=who.name, action="sign-out", what="", address=access.address(request)
    )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- a county's page and one return -----------------------------------------------------------


async def unit_page(request: Request) -> Response:
    who = await access.caller(request)
    if who.bureau:
        return RedirectResponse("/bureau", status_code=303)
    svc = access.service(request)
    rows = await run_in_threadpool(svc.store.returns, owner=who.name)
    shown = None
    wanted = request.query_params.get("show", "")
    if wanted.isdigit():
        shown = next((r for r in rows if r["id"] == int(wanted)), None)
    if shown is None and rows:
        shown = rows[0]
    return page(
        "unit.html.j2",
        **common(who),
        returns=[return_view(r) for r in rows],
        shown=return_view(shown) if shown else None,
        periods=period_choices(svc, None),
        limit=svc.limit,
        limit_text=limit_text(svc.limit),
    )


async def upload_form(request: Request) -> Response:
    """The page's upload without JavaScript: the same intake as POST /api/returns."""
    from addin.faces.service.api import accept_upload

    who, made = await accept_upload(request)
    target = f"/returns/{made['id']}" if who.bureau else f"/unit?show={made['id']}"
    return RedirectResponse(f"{target}#findings", status_code=303)


async def return_page(request: Request) -> Response:
    from addin.faces.service.api import stored

    _svc, who, row = await stored(request)
    return page("return.html.j2", **common(who), shown=return_view(row))


# --- the bureau's board -----------------------------------------------------------------------


async def bureau_page(request: Request) -> Response:
    who = await access.caller(request)
    access.require_bureau(who, "查看报送看板")
    svc = access.service(request)
    code = request.query_params.get("period")
    if not code:
        stored_periods = await run_in_threadpool(svc.store.periods)
        choices = period_choices(svc, None)
        code = next((c for c, _ in choices if c in stored_periods), choices[0][0])
    period = access.period_of(code)
    board = await run_in_threadpool(svc.board.board, period)
    rows = await run_in_threadpool(svc.store.returns, period=period.code)
    return page(
        "bureau.html.j2",
        **common(who),
        board=board,
        period=period,
        periods=period_choices(svc, period.code),
        returns=[return_view(r) for r in rows],
        formats=KNOWN_FORMATS,
        pct=pct,
        light_text=LIGHT_TEXT,
    )


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:  # a fixed list: no path is ever made from the URL
        raise UsageError("usage.not-found", path=request.url.path)
    data = resources.files("templates").joinpath("service", "static", name).read_bytes()
    return Response(data, media_type=STATIC[name], headers={"Cache-Control": "max-age=300"})


ROUTES = [
    Route("/", home),
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/unit", unit_page),
    Route("/upload", upload_form, methods=["POST"]),
    Route("/returns/{rid}", return_page),
    Route("/bureau", bureau_page),
    Route("/static/{name}", static),
]
