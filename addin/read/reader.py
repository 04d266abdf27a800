"""Read any file a county can send into a Workbook, or say why not.

The order matters: the real format is sniffed from the bytes, never the extension (sniff.py);
cheap guards look at the container before python-calamine sees the file (guard.py for zip
packages, ole.py for .xls); then calamine reads every sheet. calamine aborts the whole process
on a tiny sheet with far-out cell references, so the guards must run first; anything they miss
is caught by running this in a child process (isolate.py).

Every unusable input raises ReadFailure(code, params): a `file.*` entry of
`schemas/data/findings/read.toml`, rendered by `addin.model.findings.make(code, **params)`."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from addin.model.workbook import Sheet, Workbook, parse_a1
from addin.read import formulas
from addin.read.failure import MB, ReadFailure, fail, size_text
from addin.read.guard import MAX_COLS, MAX_ROWS, check_zip
from addin.read.ole import check_xls
from addin.read.sniff import FORMATS, sniff
from schemas.sheets import META_SHEET

__all__ = ["FORMATS", "MB", "ReadFailure", "check_xls", "check_zip", "read_workbook", "sniff"]

_EXTENSION = {
    "xlsx": "xlsx",
    "xlsm": "xlsm",
    "xltx": "xlsx",
    "xlsb": "xlsb",
    "xls": "xls",
    "ods": "ods",
}


def read_workbook(
    path: str | os.PathLike, *, max_bytes: int = 50 * MB, guard: bool = True
) -> Workbook:
    """Every sheet of `path` (hidden ones too) as a Workbook, or ReadFailure.
    `guard=False` skips the container checks: only for tests of the isolation."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise fail("file.unreadable", path, detail=f"无法打开文件（{exc.strerror}）") from None
    if size > max_bytes:
        raise fail(
            "file.too-large",
            path,
            detail=f"文件大小 {size_text(size)}，上限 {size_text(max_bytes)}",
        )
    try:
        fmt = sniff(path)
        if fmt == "encrypted-ooxml":
            raise fail("file.encrypted", path)
        date1904, merged = False, {}
        if guard:
            if fmt == "xls":
                date1904 = check_xls(path)
            else:
                learnt = check_zip(path, fmt)
                date1904, merged = learnt["date1904"], learnt.get("merged") or {}
    except ReadFailure:
        raise
    except Exception as exc:  # a guard tripped on junk it did not foresee
        raise fail("file.corrupt", path, detail=_reason(exc)) from None
    sheets = _calamine(path, fmt, merged)
    meta: dict[str, Any] = {}
    if META_SHEET in sheets:
        for values in sheets[META_SHEET].rows:
            if values and isinstance(values[0], str) and values[0].strip():
                meta[values[0].strip()] = values[1] if len(values) > 1 else None
    return Workbook(
        sheets=sheets,
        source=str(path),
        format="xlsx" if fmt == "xltx" else fmt,
        date1904=date1904,
        meta=meta,
    )


def _cell(value: Any) -> Any:
    if value == "":
        return None
    if isinstance(value, timedelta):  # a duration: keep Excel's number of days
        return value.total_seconds() / 86400
    return value


def _calamine(path: Path, fmt: str, merged: dict[str, list]) -> dict[str, Sheet]:
    """Every sheet's values; `merged` holds the merged ranges the guard found where calamine
    gives none (ods)."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    tmp = None
    target = path
    if path.suffix.lower().lstrip(".") != _EXTENSION[fmt]:
        # calamine picks its parser from the extension: give it a name that tells the truth
        tmp = tempfile.mkdtemp(prefix="taizhang-read-")
        target = Path(tmp) / f"book.{_EXTENSION[fmt]}"
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
    try:
        sheets: dict[str, Sheet] = {}
        found = formulas.scan(path, fmt)
        with CalamineWorkbook.from_path(str(target)) as wb:
            for index, meta in enumerate(wb.sheets_metadata):
                if meta.name in sheets:
                    raise fail(
                        "file.corrupt", path, detail=f"工作表名称“{meta.name}”重复（Excel 不允许）"
                    )
                try:
                    sheet = wb.get_sheet_by_index(index)
                    rows = sheet.to_python(skip_empty_area=False)
                except Exception:
                    if meta.typ != SheetTypeEnum.WorkSheet:
                        continue  # a chart or dialog sheet holds no ledger values
                    raise
                ranges = sheet.merged_cell_ranges or merged.get(meta.name)
                shown = found.get(meta.name)
                if ranges or shown:
                    values = [[_cell(v) for v in r] for r in rows]
                    _overlay(values, shown)
                    _spread_merged(values, ranges)
                    cells = tuple(map(tuple, values))
                else:
                    cells = tuple(tuple(_cell(v) for v in r) for r in rows)
                sheets[meta.name] = Sheet(
                    name=meta.name,
                    rows=cells,
                    hidden=meta.visible != SheetVisibleEnum.Visible,
                )
        _follow_references(sheets)
        return sheets
    except ReadFailure:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # pyo3 PanicException derives from BaseException
        if type(exc).__name__ == "PasswordError":
            raise fail("file.encrypted", path) from None
        if isinstance(exc, MemoryError):
            raise fail("file.too-large", path, detail="读取时内存不足") from None
        raise fail("file.unreadable", path, detail=_reason(exc)) from None
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def _overlay(rows: list[list[Any]], shown: dict[tuple[int, int], str] | None) -> None:
    """Put into the grid what calamine read as empty: a formula error as Excel shows it, a
    formula saved without a value as its text (formulas.py). calamine's grid ends at its last
    value, so it grows to hold them, within the guard's bounds."""
    if not shown:
        return
    width = max((len(r) for r in rows), default=0)
    for (r, c), value in sorted(shown.items()):
        if r >= MAX_ROWS or c >= MAX_COLS:
            continue  # the guard's bounds: calamine's grid stops at its last value
        while len(rows) <= r:
            rows.append([None] * width)
        row = rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        if row[c] is None:
            row[c] = value


REFERENCE_DEPTH = 8  # =B3 whose B3 is =C3 …: followed this far, then left as it is


def _follow_references(sheets: dict[str, Sheet]) -> None:
    """A formula saved without a value that only points at one cell (=E3, =$E$3,
    =任务台账!E3) shows that cell's value, as Excel shows it: an empty cell reads as 0."""
    pending = [
        (name, r, c)
        for name, sheet in sheets.items()
        for r, row in enumerate(sheet.rows)
        for c, v in enumerate(row)
        if isinstance(v, str) and v.startswith("=") and _target(name, v) is not None
    ]
    if not pending:
        return
    grids = {name: [list(row) for row in sheets[name].rows] for name in {p[0] for p in pending}}

    def value(name: str, r: int, c: int, depth: int) -> Any:
        grid = grids.get(name)
        v = grid if grid is not None else sheets[name].rows
        cell = v[r][c] if r < len(v) and c < len(v[r]) else None
        if isinstance(cell, str) and cell.startswith("=") and depth < REFERENCE_DEPTH:
            where = _target(name, cell)
            if where is not None and where[0] in sheets:
                return value(*where, depth + 1)
        return 0.0 if cell is None else cell

    for name, r, c in pending:
        target = _target(name, grids[name][r][c])
        if target is not None and target[0] in sheets:
            grids[name][r][c] = value(*target, 1)
    for name, grid in grids.items():
        old = sheets[name]
        sheets[name] = Sheet(old.name, tuple(map(tuple, grid)), old.hidden)


def _target(sheet: str, formula: str) -> tuple[str, int, int] | None:
    """(sheet, 0-based row, column) a formula of one cell reference points at, else None."""
    body = formula[1:].strip()
    if "!" in body:
        sheet, _, body = body.rpartition("!")
        sheet = sheet.strip("'").replace("''", "'")
    where = parse_a1(body)
    return (sheet, where[0] - 1, where[1] - 1) if where else None


def _spread_merged(rows: list[list[Any]], ranges) -> None:
    """Give every cell of a merged range its top-left value, as a person sees it (an officer
    who merges F3:F10 means one 县级责任单位 for eight tasks). `ranges` is calamine's
    ((row, col), (row, col)) 0-based inclusive pairs (xlsx and xls; for ods the guard's scan
    collects them). Only cells inside the read grid are filled, so a far-out range costs
    nothing."""
    if not ranges or not rows:
        return
    width = max(len(r) for r in rows)
    for (r0, c0), (r1, c1) in ranges:
        if not (0 <= r0 < len(rows) and 0 <= c0 < len(rows[r0])):
            continue
        value = rows[r0][c0]
        if value is None:
            continue
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            last = min(c1, width - 1)
            if len(row) <= last:
                row.extend([None] * (last + 1 - len(row)))
            for c in range(c0, last + 1):
                if row[c] is None:
                    row[c] = value


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__
