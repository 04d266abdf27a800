"""The HTTP API of SPEC §8. Each route authenticates (access.py), checks what the caller may
do, and hands the work to the pipeline in a worker thread; refusals are raised as UsageError
and answered by the boundary in app.py."""

from __future__ import annotations

import json
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from addin.faces.service import access
from addin.faces.service.intake import api_return, limit_text, marked_copy, receive
from addin.model.errors import UsageError
from addin.pipeline.check import check_sheets
from addin.write.results import file_object

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSM = "application/vnd.ms-excel.sheet.macroEnabled.12"
CHECK_LIMITS = {"sheets": 200, "cells": 2_000_000, "text": 32_767}
CSRF_HEADER = "x-csrf-token"


def attachment(name: str) -> dict[str, str]:
    """Content-Disposition for a download: an ASCII fallback and the real name (RFC 6266)."""
    return {
        "Content-Disposition": f"attachment; filename=\"download\"; filename*=UTF-8''{quote(name)}"
    }


async def accept_upload(request: Request):
    """(caller, file object) of an upload through the API or the page's plain form."""
    svc = access.service(request)
    who = await access.caller(request)
    if who.via == "cookie" and request.headers.get(CSRF_HEADER) is None:
        upload = await receive(request, svc.store, svc.limit)
        given = upload.fields.get("csrf")
    else:
        given = request.headers.get(CSRF_HEADER)
        access.require_csrf(who, given)
        upload = await receive(request, svc.store, svc.limit)
    try:
        access.require_csrf(who, given)
        period = access.period_of(upload.fields.get("period"), required=False)
    except UsageError:
        upload.discard()
        raise
    result = await run_in_threadpool(
        svc.intake.accept, who, upload, period, access.address(request)
    )
    return who, result


async def post_return(request: Request) -> Response:
    _who, result = await accept_upload(request)
    return JSONResponse(result, status_code=201)


async def list_returns(request: Request) -> Response:
    svc = access.service(request)
    who = await access.caller(request)
    period = access.period_of(request.query_params.get("period"), required=False)
    rows = await run_in_threadpool(
        svc.store.returns,
        period=period.code if period else None,
        owner=None if who.bureau else who.name,
    )
    return JSONResponse({"returns": [api_return(r) for r in rows]})


async def stored(request: Request):
    svc = access.service(request)
    who = await access.caller(request)
    rid = access.return_id(request.path_params["rid"])
    row = await run_in_threadpool(svc.store.get_return, rid)
    if row is None:
        raise UsageError("usage.return-missing", id=rid)
    access.may_see(who, row)
    return svc, who, row


async def get_marked(request: Request) -> Response:
    svc, who, row = await stored(request)
    data, suffix = await run_in_threadpool(marked_copy, svc.store, row)
    stem = row["name"].rsplit(".", 1)[0] if "." in row["name"] else row["name"]
    name = f"{stem}（标注）{suffix}"
    await run_in_threadpool(
        svc.store.log,
        who=who.name,
        action="download-marked",
        what=f"第 {row['id']} 号：{row['name']}",
        sha256=row["sha256"],
        period=row["period"],
        address=access.address(request),
    )
    media = XLSM if suffix == ".xlsm" else XLSX
    return Response(data, media_type=media, headers=attachment(name))


async def get_board(request: Request) -> Response:
    svc = access.service(request)
    who = await access.caller(request)
    access.require_bureau(who, "查看报送看板")
    period = access.period_of(request.query_params.get("period"))
    return JSONResponse(await run_in_threadpool(svc.board.board, period))


async def get_summary(request: Request) -> Response:
    svc = access.service(request)
    who = await access.caller(request)
    access.require_bureau(who, "下载全市汇总")
    period = access.period_of(request.query_params.get("period"))
    fmt = (request.query_params.get("format") or "xlsx").strip().lower()
    data, name, media = await run_in_threadpool(svc.board.download, period, fmt[:10])
    await run_in_threadpool(
        svc.store.log,
        who=who.name,
        action="download-summary",
        what=name,
        period=period.code,
        address=access.address(request),
    )
    return Response(data, media_type=media, headers=attachment(name))


async def get_audit(request: Request) -> Response:
    svc = access.service(request)
    who = await access.caller(request)
    access.require_bureau(who, "查看审计日志")
    period = access.period_of(request.query_params.get("period"), required=False)
    rows = await run_in_threadpool(svc.store.audit, period.code if period else None)
    return JSONResponse({"audit": rows})


async def read_json(request: Request, limit: int) -> dict:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise UsageError("usage.upload-too-large", limit=limit_text(limit))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise UsageError("usage.upload-too-large", limit=limit_text(limit))

    def no_constant(name: str):
        raise ValueError(f"不接受 {name}")

    try:
        doc = json.loads(bytes(body), parse_constant=no_constant)
    except (ValueError, RecursionError) as exc:
        raise UsageError("usage.check-body", detail=f"不是有效的 JSON（{str(exc)[:80]}）") from exc
    if not isinstance(doc, dict):
        raise UsageError("usage.check-body", detail="应为一个 JSON 对象")
    return doc


def check_args(doc: dict) -> dict:
    """The body of /api/check, checked to the cell: sheets of scalar rows, optional meta."""
    sheets = doc.get("sheets")
    if not isinstance(sheets, dict) or not sheets:
        raise UsageError("usage.check-body", detail="缺少 sheets：{工作表名: [[单元格, …], …]}")
    if len(sheets) > CHECK_LIMITS["sheets"]:
        raise UsageError("usage.check-body", detail=f"工作表多于 {CHECK_LIMITS['sheets']} 张")
    cells = 0
    for name, rows in sheets.items():
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise UsageError("usage.check-body", detail=f"工作表“{name[:40]}”应为行的列表")
        for row in rows:
            cells += len(row)
            for value in row:
                if isinstance(value, str) and len(value) > CHECK_LIMITS["text"]:
                    raise UsageError("usage.check-body", detail="单元格文字超过 32767 个字符")
                if not isinstance(value, str | int | float | bool) and value is not None:
                    raise UsageError("usage.check-body", detail="单元格只能是文字、数字、真假或空")
        if cells > CHECK_LIMITS["cells"]:
            raise UsageError("usage.check-body", detail="单元格多于 200 万个")
    meta = doc.get("meta") or {}
    hidden = doc.get("hidden") or []
    name = doc.get("name") or "（当前工作簿）"
    if not isinstance(meta, dict) or not all(
        isinstance(v, str | int | float | bool) or v is None for v in meta.values()
    ):
        raise UsageError("usage.check-body", detail="meta 应为 {键: 值}")
    if not isinstance(hidden, list) or not all(isinstance(h, str) for h in hidden):
        raise UsageError("usage.check-body", detail="hidden 应为工作表名的列表")
    if not isinstance(name, str):
        raise UsageError("usage.check-body", detail="name 应为文字")
    period = doc.get("period")
    if period is not None and not isinstance(period, str):
        raise UsageError("usage.check-body", detail="period 应为期次代码，例如 2021Y")
    return {
        "sheets": sheets,
        "meta": meta,
        "name": name[:200],
        "hidden": hidden,
        "date1904": doc.get("date1904") is True,
        "period": access.period_of(period, required=False),
    }


async def post_check(request: Request) -> Response:
    svc = access.service(request)
    who = await access.caller(request)
    access.require_csrf(who, request.headers.get(CSRF_HEADER))
    args = check_args(await read_json(request, svc.limit))

    def run():
        with svc.intake.validation:
            return check_sheets(**args)[1]

    ret = await run_in_threadpool(run)
    return JSONResponse(file_object(ret))


ROUTES = [
    Route("/api/returns", post_return, methods=["POST"]),
    Route("/api/returns", list_returns, methods=["GET"]),
    Route("/api/returns/{rid}/marked", get_marked, methods=["GET"]),
    Route("/api/board", get_board, methods=["GET"]),
    Route("/api/summary", get_summary, methods=["GET"]),
    Route("/api/check", post_check, methods=["POST"]),
    Route("/api/audit", get_audit, methods=["GET"]),
]
