"""Who may do what, per request: the caller from a Bearer code or the session cookie, the
bureau-only and owner-only rules, the CSRF check of cookie callers, the period parameter.

A cookie counts only for a request from the service's own pages: none when the Origin is
`null` (the WPS add-in's page) or another site's, nor when the browser says the request is
cross-site. Bearer codes count from anywhere; wrong ones are slowed down and audited like
failed sign-ins."""

from __future__ import annotations

import asyncio

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from addin.faces.service.auth import SESSION_COOKIE, Caller, same_token, session_caller
from addin.model.errors import UsageError
from schemas.reference import Period, load


def service(request: Request):
    return request.app.state.service


def address(request: Request) -> str:
    return request.client.host if request.client else "?"


def own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', '')}"


def cookie_counts(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is not None and origin != own_origin(request):
        return False  # "null" included: the add-in's page never rides on a session
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


async def slow_down(request: Request) -> None:
    wait = service(request).throttle.delay(address(request))
    if wait:
        await asyncio.sleep(wait)


async def failed_sign_in(request: Request, how: str, key: str = "") -> None:
    svc = service(request)
    count = svc.throttle.failed(address(request))
    named = await run_in_threadpool(svc.store.account_by_key, key) if key else None
    what = f"{how}：口令不正确（第 {count} 次）" + (f"，口令前缀属于 {named.name}" if named else "")
    await run_in_threadpool(
        svc.store.log,
        who="（未登录）",
        action="sign-in-failed",
        what=what,
        address=address(request),
    )


async def verify(request: Request, code: str, how: str):
    """The account of `code`, or None after recording the failure; slowed after failures."""
    svc = service(request)
    await slow_down(request)
    account, fresh = await run_in_threadpool(svc.verifier.check, code)
    if account is None:
        await failed_sign_in(request, how, svc.verifier.key_of(code))
        return None
    svc.throttle.succeeded(address(request))
    if fresh and how == "Bearer":  # first use of this code since the start: a sign-in
        await run_in_threadpool(
            svc.store.log,
            who=account.name,
            action="sign-in",
            what="Bearer 口令",
            address=address(request),
        )
    return account


async def caller(request: Request, *, required: bool = True) -> Caller | None:
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, code = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not code.strip():
            raise UsageError("usage.sign-in-required")
        account = await verify(request, code.strip(), "Bearer")
        if account is None:
            raise UsageError("usage.sign-in-failed")
        return Caller(account, "bearer")
    if cookie_counts(request):
        token = request.cookies.get(SESSION_COOKIE)
        found = await run_in_threadpool(session_caller, service(request).store, token)
        if found is not None:
            return found
    if required:
        raise UsageError("usage.sign-in-required")
    return None


def require_bureau(who: Caller, what: str) -> None:
    if not who.bureau:
        raise UsageError("usage.bureau-only", what=what)


def require_csrf(who: Caller, given: str | None) -> None:
    """A cookie caller's state-changing request must carry its session's token."""
    if who.via == "cookie" and not same_token(given, who.csrf):
        raise UsageError("usage.csrf")


def may_see(who: Caller, row: dict) -> None:
    if not who.bureau and who.name not in (row["owner"], row["unit"]):
        raise UsageError("usage.not-yours", id=row["id"], account=who.name)


def period_of(code: str | None, *, required: bool = True) -> Period | None:
    if code is None or not code.strip():
        if required:
            raise UsageError("usage.period-param")
        return None
    period = load().period(code.strip())
    if period is None:
        raise UsageError("usage.period-unknown", given=code.strip()[:40])
    return period


def return_id(text: str) -> int:
    if not text.isdigit() or len(text) > 12:
        raise UsageError("usage.return-missing", id=text[:20])
    return int(text)
