"""Formula cells as a person sees them, where calamine reads them as empty (measured on
python-calamine 0.9.1: an error result — #DIV/0!, #N/A … in xlsx, ods and xls alike — and a
formula saved without a calculated value, as files written by scripts are, both come back as "").

The scan finds those cells in the file itself, after the guards have passed it: the xlsx sheet
XML (`t="e"` cells; `<f>` with no `<v>`), the ods content (`calcext:value-type="error"`;
`table:formula` with no value) and the xls BIFF8 records (FORMULA results and BOOLERR cells
holding an error). It returns, per sheet, 0-based (row, column) → what the reader puts in the
cell: the error as Excel shows it ("#DIV/0!"), or the formula's text with its "=" ("=SUM(C3:C8)")
when no value was saved. A formula that only points at another cell (=E3, =任务台账!E3) is given
that cell's value by the reader, as Excel would show it.

Anything the scan cannot make sense of is skipped: it only ever adds what calamine left empty."""

from __future__ import annotations

import html
import re
import struct
import zipfile
from pathlib import Path

from addin.model.workbook import is_error_value
from addin.read.ole import Cfb
from addin.read.sniff import open_zip, read_bounded, zip_names

Found = dict[str, dict[tuple[int, int], str]]

PART_MAX = 64 * 1024 * 1024  # the guard has already bounded every part; this only caps a read


def scan(path: Path, fmt: str) -> Found:
    """Error and uncalculated formula cells of every sheet of `path` (see the module doc)."""
    try:
        if fmt in ("xlsx", "xlsm", "xltx"):
            return _xlsx(path)
        if fmt == "ods":
            return _ods(path)
        if fmt == "xls":
            return _xls(path)
    except Exception:  # noqa: BLE001 — calamine has read the file; the scan only adds detail
        return {}
    return {}


# ---------------------------------------------------------------- xlsx

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*?)/?>")
_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*?)/?>")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.DOTALL)
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.DOTALL)
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")
# a cell formula (not <formula1> of a data validation) and an error-typed cell
_ANY_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")
_ERROR_CELL = re.compile(rb"""<(?:\w+:)?c\b[^>]*\st\s*=\s*["']e["']""")


def _maybe(data: bytes, needles: tuple[bytes, ...]) -> bool:
    return any(n in data for n in needles)


def _attrs(raw: bytes) -> dict[str, str]:
    out = {}
    for m in _ATTR.finditer(raw):
        name = m.group(1).decode("utf-8", "replace").split(":")[-1]
        out[name] = html.unescape((m.group(2) or m.group(3) or b"").decode("utf-8", "replace"))
    return out


def _index(ref: str) -> tuple[int, int] | None:
    m = _REF.match(ref.upper())
    if not m:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _xlsx_parts(z: zipfile.ZipFile, names, path) -> dict[str, zipfile.ZipInfo]:
    """Sheet name → its worksheet part, through workbook.xml and its relationships."""
    book = names.get("xl/workbook.xml")
    rels = names.get("xl/_rels/workbook.xml.rels")
    if book is None or rels is None:
        return {}
    targets = {}
    for m in _REL.finditer(read_bounded(z, rels, PART_MAX, path)):
        a = _attrs(m.group(1))
        target = a.get("Target", "").replace("\\", "/")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[a.get("Id")] = target.lower()
    parts = {}
    for m in _SHEET.finditer(read_bounded(z, book, PART_MAX, path)):
        a = _attrs(m.group(1))
        info = names.get(targets.get(a.get("id"), ""))
        if info is not None and "name" in a:
            parts[a["name"]] = info
    return parts


def _xlsx(path: Path) -> Found:
    found: Found = {}
    with open_zip(path) as z:
        names = zip_names(z)
        for sheet, info in _xlsx_parts(z, names, path).items():
            cells = _xlsx_cells(read_bounded(z, info, PART_MAX, path))
            if cells:
                found[sheet] = cells
    return found


def _xlsx_cells(data: bytes) -> dict[tuple[int, int], str]:
    cells: dict[tuple[int, int], str] = {}
    # the common case, no formula and no error, is told by literal scans (microseconds)
    formula = _maybe(data, (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/"))
    error = _maybe(data, (b'"e"', b"'e'")) and _ERROR_CELL.search(data)
    if not (formula and _ANY_FORMULA.search(data)) and not error:
        return cells
    for m in _CELL.finditer(data):
        inner = m.group(2)
        if not inner:
            continue
        a = _attrs(m.group(1))
        where = _index(a.get("r", ""))
        if where is None:
            continue
        v = _VALUE.search(inner)
        value = html.unescape((v.group(1) or b"").decode("utf-8", "replace")) if v else ""
        if a.get("t") == "e":
            if is_error_value(value):
                cells[where] = value.strip().upper()
            continue
        f = _FORMULA.search(inner)
        if f is None or value or (v is not None and a.get("t") in ("str", "inlineStr")):
            continue  # a calculated value (an empty text result is one too)
        text = html.unescape((f.group(1) or b"").decode("utf-8", "replace")).strip()
        cells[where] = "=" + text
    return cells


# ---------------------------------------------------------------- ods

_ODS_TAG = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>"
)
_REPEAT = re.compile(rb"number-(?:rows|columns)-repeated\s*=\s*[\"'](\d+)[\"']")
_NAME = re.compile(rb"table:name\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_TEXT_P = re.compile(rb"<text:p\b[^>]*>(.*?)</text:p>", re.DOTALL)
_TAGS = re.compile(rb"<[^>]+>")
ODS_REPEAT_MAX = 100_000  # a repeat this long holds no value (the guard refuses wider sheets)


def _ods(path: Path) -> Found:
    found: Found = {}
    with open_zip(path) as z:
        names = zip_names(z)
        info = names.get("content.xml")
        if info is None:
            return found
        data = read_bounded(z, info, PART_MAX, path)
    if b"table:formula" not in data:
        return found
    sheet, cells = "", {}
    row = col = 0
    row_repeat = 1
    for m in _ODS_TAG.finditer(data):
        closing, tag, attrs, empty = m.groups()
        if tag == b"table":
            if closing:
                if cells:
                    found[sheet] = cells
                continue
            name = _NAME.search(attrs)
            sheet = html.unescape((name.group(1) or name.group(2) or b"").decode()) if name else ""
            cells, row = {}, 0
            continue
        rep = _REPEAT.search(attrs)
        count = int(rep.group(1)) if rep else 1
        if tag == b"table-row":
            if closing:
                row += row_repeat
            elif empty:
                row += count
            else:
                row_repeat, col = count, 0
            continue
        if closing:
            continue
        if b"table:formula" in attrs and count <= ODS_REPEAT_MAX:
            shown = _ods_cell(attrs, data, m.end(), bool(empty))
            if shown is not None:
                for r in range(row, row + min(row_repeat, ODS_REPEAT_MAX)):
                    for c in range(col, col + count):
                        cells[(r, c)] = shown
        col += count
    return found


def _ods_cell(attrs: bytes, data: bytes, end: int, empty: bool) -> str | None:
    a = _attrs(attrs)
    if re.search(rb"""calcext:value-type\s*=\s*["']error["']""", attrs):  # the text shows it
        if empty:
            return None
        close = data.find(b"</table:table-cell>", end)
        inner = data[end : close if close >= 0 else end]
        text = b"".join(_TAGS.sub(b"", p) for p in _TEXT_P.findall(inner))
        shown = html.unescape(text.decode("utf-8", "replace")).strip()
        return shown if is_error_value(shown) else "#VALUE!"
    if any(k.endswith("value") or k == "value-type" for k in a):
        return None  # calculated
    formula = a.get("formula", "")
    formula = formula.split(":", 1)[1] if formula[:3] in ("of:", "oo") else formula
    return formula if formula.startswith("=") else "=" + formula


# ---------------------------------------------------------------- xls (BIFF8)

_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!",
                0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}  # fmt: skip
XLS_STREAM_MAX = 64 * 1024 * 1024


def _xls(path: Path) -> Found:
    with open(path, "rb") as f:
        cfb = Cfb(f.read(), path)
    names = cfb.names()
    stream = cfb.stream("workbook" if "workbook" in names else "book", XLS_STREAM_MAX)
    if len(stream) < 8 or struct.unpack_from("<HH", stream, 0) != (0x0809, 16):
        return {}
    if struct.unpack_from("<H", stream, 4)[0] != 0x0600:
        return {}  # not BIFF8: calamine's older formats are left as they are
    sheets: list[tuple[str, int]] = []
    pos = 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        if kind == 0x0085 and len(body) >= 8:  # BOUNDSHEET: stream offset, name
            offset, cch, wide = struct.unpack_from("<I", body, 0)[0], body[6], body[7] & 1
            raw = body[8 : 8 + cch * (2 if wide else 1)]
            sheets.append((raw.decode("utf-16-le" if wide else "latin-1", "replace"), offset))
        if kind == 0x000A:
            break
        pos += 4 + length
    found: Found = {}
    for name, offset in sheets:
        cells = _xls_sheet(stream, offset)
        if cells:
            found[name] = cells
    return found


def _xls_sheet(stream: bytes, pos: int) -> dict[tuple[int, int], str]:
    cells: dict[tuple[int, int], str] = {}
    first = True
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        if first and kind != 0x0809:
            return cells
        first = False
        if kind == 0x000A:
            break
        if kind == 0x0006 and len(body) >= 14:  # FORMULA: an error result
            row, col = struct.unpack_from("<HH", body, 0)
            result = body[6:14]
            if result[6:8] == b"\xff\xff" and result[0] == 2:
                cells[(row, col)] = _BIFF_ERRORS.get(result[2], "#VALUE!")
        elif kind == 0x0205 and len(body) >= 8 and body[7] == 1:  # BOOLERR holding an error
            row, col = struct.unpack_from("<HH", body, 0)
            cells[(row, col)] = _BIFF_ERRORS.get(body[6], "#VALUE!")
        pos += 4 + length
    return cells
