"""Checking a return that did not come from a folder: sheets of values (the Excel button's open
workbook, the service's `POST /api/check`) or one uploaded file (the service's intake).

Both end where every other path ends: a Workbook given to validate_workbook, and a Return. The
sheets path is the seam the Excel and WPS add-ins share, so the button and `/api/check` cannot
disagree about one workbook; the upload path reads the file in an isolated child exactly as a
batch does (pipeline/collect.py), so a hostile upload is one `file.*` finding."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from addin.model.ledger import Return, Source
from addin.model.workbook import CellValue, Sheet, Workbook
from addin.pipeline.collect import failed_return, validate_read
from schemas.sheets import COVER, META_SHEET, RESULTS_SHEET

Rows = Sequence[Sequence[CellValue]]


def live_cell(value: CellValue) -> CellValue:
    """Live values as the file reader gives them: "" is empty, a date cell at midnight is a
    date, a duration is Excel's number of days."""
    if value == "":
        return None
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400
    return value


def meta_of(rows: Rows) -> dict[str, CellValue]:
    """Key/value rows of the hidden `_taizhang` sheet (column A key, column B value)."""
    meta: dict[str, CellValue] = {}
    for values in rows:
        if values and isinstance(values[0], str) and values[0].strip():
            meta[values[0].strip()] = live_cell(values[1]) if len(values) > 1 else None
    return meta


def sheets_workbook(
    sheets: Mapping[str, Rows],
    meta: Mapping[str, CellValue] | None,
    *,
    source: str,
    format: str = "excel",
    date1904: bool = False,
    hidden: Iterable[str] = (),
) -> Workbook:
    """Every sheet but our own results list, as the validator's Workbook (rows[0] is row 1).
    Without `meta`, the `_taizhang` sheet among `sheets` gives it, as it does in a file."""
    hidden = set(hidden)
    book = {
        name: Sheet(
            name=name,
            rows=tuple(tuple(live_cell(v) for v in row) for row in rows),
            hidden=name in hidden,
        )
        for name, rows in sheets.items()
        if name != RESULTS_SHEET
    }
    if not meta and META_SHEET in sheets:
        meta = meta_of(sheets[META_SHEET])
    return Workbook(
        sheets=book, source=source, format=format, date1904=date1904, meta=dict(meta or {})
    )


def sheets_source(name: str, path: Path | str | None = None) -> Source:
    """Where live values came from: the workbook's name, its path when it was saved."""
    return Source(
        path=str(path) if path else f"Excel:{name}",
        name=name,
        sha256=None,
        size=None,
        mtime=None,
        format="excel",
    )


def check_workbook(wb: Workbook, source: Source, *, period=None, today: date | None = None):
    from addin.validate.validator import validate_workbook  # pandera: only when checking

    return validate_workbook(wb, source, period=period, today=today)


def check_sheets(
    sheets: Mapping[str, Rows],
    meta: Mapping[str, CellValue] | None,
    *,
    name: str,
    path: Path | str | None = None,
    date1904: bool = False,
    hidden: Iterable[str] = (),
    period=None,
    today: date | None = None,
) -> tuple[Workbook, Return]:
    """Sheets of values in, the Workbook made of them and its Return out; nothing is written."""
    wb = sheets_workbook(sheets, meta, source=f"Excel:{name}", date1904=date1904, hidden=hidden)
    return wb, check_workbook(wb, sheets_source(name, path), period=period, today=today)


# --- one uploaded file ------------------------------------------------------------------------


def check_upload(
    path: Path, reader, *, name: str, period=None, lock: AbstractContextManager | None = None
) -> tuple[Return, Workbook | None]:
    """Read the file at `path` with `reader` (an addin.read.isolate.IsolatedReader: a child
    process, time and memory bounds) and validate it here, as a batch does, holding `lock`
    while validating. The Return and its findings name the file `name` (what the sender called
    it), not the place it is kept. The Workbook is None when the file could not be read."""
    from addin.read.reader import ReadFailure

    [read] = list(reader.reads([path]))
    if isinstance(read.result, ReadFailure):
        failure = ReadFailure(read.result.code, {**read.result.params, "name": name})
        ret = failed_return(replace(read, result=failure))
        return replace(ret, source=_named(ret.source, name)), None
    with lock or nullcontext():
        ret = validate_read(read, period=period)
    return replace(ret, source=_named(ret.source, name)), read.result


def _named(source: Source, name: str) -> Source:
    return replace(source, path=name, name=name)


def contact_of(wb: Workbook | None) -> tuple[str, str]:
    """(填报人, 联系电话) as the cover shows them, "" where absent: whom to call for 催报."""
    if wb is None:
        return "", ""
    from addin.validate import cells
    from addin.validate.frames import locate

    table, _ = locate(wb, COVER)
    if table is None or "item" not in table.columns:
        return "", ""
    found = {}
    for row in table.rows:
        item = cells.compact(table.raw(row, "item"))
        if item in ("填报人", "联系电话") and item not in found:
            found[item] = table.shown(row, "value")
    return found.get("填报人", ""), found.get("联系电话", "")
