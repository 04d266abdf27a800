"""The intake service as an ASGI application (Starlette), and `serve` that runs it (uvicorn).

Every request passes one middleware, the service's side of faces/boundary.py: an exception
that ends a request becomes one Chinese line and its code — a JSON body `{"code", "error"}`
for /api/*, a page for people — with the HTTP status of STATUS; the program's own faults are
logged with their traceback and answered 500. The same middleware answers CORS for /api/*: a
preflight (OPTIONS) without authentication, and Access-Control-Allow-Origin echoed on every
answer, refusals included, for the origins the WPS add-in's page can have (`null`) and for
loopback pages. Credentials are never allowed cross-origin: such callers use Bearer codes."""

from __future__ import annotations

import logging
import re
import signal
import socket
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from addin.faces import boundary
from addin.faces.service.auth import Throttle, Verifier
from addin.faces.service.board import Board
from addin.faces.service.intake import DEFAULT_LIMIT, Intake
from addin.faces.service.store import Store
from addin.model.errors import TaizhangError, UsageError
from addin.write.atomic import os_reason

log = logging.getLogger("taizhang.service")

STATUS = {
    "usage.sign-in-required": 401,
    "usage.sign-in-failed": 401,
    "usage.bureau-only": 403,
    "usage.other-unit": 403,
    "usage.not-yours": 403,
    "usage.csrf": 403,
    "usage.return-missing": 404,
    "usage.not-found": 404,
    "usage.method-not-allowed": 405,
    "usage.upload-too-large": 413,
    "usage.docx-unavailable": 501,
}
LOOPBACK = re.compile(r"^https?://(127(\.\d{1,3}){3}|localhost|\[::1\])(:\d{1,5})?$")
SECURITY = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]
PAGE_POLICY = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


@dataclass
class Service:
    store: Store
    verifier: Verifier
    throttle: Throttle
    intake: Intake
    board: Board
    limit: int


def allowed_origin(origin: str | None) -> bool:
    return origin == "null" or bool(origin and LOOPBACK.match(origin))


def code_of(line: str) -> str:
    """The code in boundary.explain's line `错误 [code]：…`."""
    return line[line.index("[") + 1 : line.index("]")]


def refusal(exc: BaseException) -> tuple[int, str, str]:
    """(HTTP status, code, Chinese line) of an exception that ended a request."""
    line, _exit = boundary.explain(exc)
    code = code_of(line)
    if isinstance(exc, TaizhangError):
        status = STATUS.get(code, 400 if code.startswith("usage.") else 500)
    else:
        status = 500
    return status, code, line


def error_response(request: Request, exc: BaseException) -> Response:
    status, code, line = refusal(exc)
    if boundary.is_fault(exc):
        log.error("请求 %s %s 出错", request.method, request.url.path, exc_info=exc)
    if request.url.path.startswith("/api/"):
        headers = {"WWW-Authenticate": 'Bearer realm="taizhang"'} if status == 401 else None
        return JSONResponse({"code": code, "error": line}, status_code=status, headers=headers)
    if status == 401:
        return RedirectResponse("/login", status_code=303)
    from addin.faces.service.pages import error_page

    return error_page(request, status, line)


async def not_routed(request: Request, exc: HTTPException) -> Response:
    """Starlette's own refusals (no route, wrong method, a form it cannot parse), in our words."""
    if exc.status_code == 405:
        error = UsageError("usage.method-not-allowed", path=request.url.path, method=request.method)
    elif exc.status_code == 404:
        error = UsageError("usage.not-found", path=request.url.path)
    else:
        error = UsageError("usage.upload-malformed", detail=f"HTTP {exc.status_code}")
    return error_response(request, error)


class Boundary:
    """ASGI middleware: the error boundary, CORS for /api/*, security headers."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        api = scope["path"].startswith("/api/")
        origin = dict(scope["headers"]).get(b"origin", b"").decode("latin-1") or None
        cors = []
        if api and allowed_origin(origin):
            cors = [
                (b"access-control-allow-origin", origin.encode("latin-1")),
                (b"access-control-expose-headers", b"Content-Disposition"),
            ]
        if api:
            cors.append((b"vary", b"Origin"))
        if api and scope["method"] == "OPTIONS":
            preflight = [
                (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                (b"access-control-allow-headers", b"Authorization, Content-Type"),
                (b"access-control-max-age", b"600"),
            ]
            if allowed_origin(origin) and b"access-control-request-private-network" in dict(
                scope["headers"]
            ):
                # Chrome asks before a page may call a service on this machine or the LAN
                preflight.append((b"access-control-allow-private-network", b"true"))
            await send({"type": "http.response.start", "status": 204, "headers": cors + preflight})
            await send({"type": "http.response.body", "body": b""})
            return None
        started = False

        async def tagged(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                have = {name.lower() for name, _ in headers}
                headers += [h for h in SECURITY if h[0] not in have] + cors
                if not api:
                    headers.append((b"content-security-policy", PAGE_POLICY))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        except Exception as exc:
            if started:
                raise
            await error_response(Request(scope, receive), exc)(scope, receive, tagged)
        return None


def build_app(
    folder: Path | str,
    *,
    limit: int = DEFAULT_LIMIT,
    jobs: int = 2,
    read_timeout: float = 20.0,
) -> Starlette:
    """The service over the store in `folder` (made by `taizhang accounts`)."""
    from addin.faces.service import api, pages

    store = Store.open(folder)
    intake = Intake(store, jobs=jobs, timeout=read_timeout)
    service = Service(
        store=store,
        verifier=Verifier(store),
        throttle=Throttle(),
        intake=intake,
        board=Board(store, intake.validation),
        limit=limit,
    )

    @asynccontextmanager
    async def lifespan(app):
        yield
        intake.close()
        store.close()

    app = Starlette(
        routes=[*pages.ROUTES, *api.ROUTES],
        middleware=[Middleware(Boundary)],  # inside Starlette's own 500 handler, so ours answers
        exception_handlers={HTTPException: not_routed},
        lifespan=lifespan,
    )
    app.state.service = service
    return app


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if sys.platform != "win32":  # on Windows it would let two servers share the port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise UsageError(
            "usage.address-unavailable", address=f"{host}:{port}", reason=os_reason(exc)
        ) from exc
    sock.set_inheritable(True)
    return sock


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def serve(folder: Path, host: str, port: int, *, limit: int = DEFAULT_LIMIT, echo=print) -> None:
    """Run the service until Ctrl-C (or SIGTERM); a Ctrl-C ends it quietly."""
    import uvicorn

    sock = bind(host, port)
    app = build_app(folder, limit=limit)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        server_header=False,
        limit_concurrency=200,  # beyond that uvicorn answers 503 rather than queue without end
        timeout_graceful_shutdown=10,
    )
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host
    real_port = sock.getsockname()[1]
    echo(f"台账报送服务已启动：http://{shown}:{real_port}/  数据文件夹：{folder}")
    if host not in ("127.0.0.1", "localhost", "::1"):
        echo("注意：服务对局域网开放，口令以明文 HTTP 传输；请只在内网使用，并用防火墙限定来源。")
    echo("按 Ctrl-C 停止服务。")
    # uvicorn shuts down gracefully on Ctrl-C and SIGTERM, then raises the signal again for
    # whatever handler was there before: ours ends the run quietly instead of a traceback
    previous = signal.signal(signal.SIGTERM, _interrupted)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
    echo("服务已停止。")
