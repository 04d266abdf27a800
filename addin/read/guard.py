"""Guards on a zip package (xlsx, xlsm, xltx, xlsb, ods) before any parser sees it: the entry
table (count, duplicate names, declared sizes, compression ratios), DTDs in XML prologs, ODS
encryption, and the farthest cell each sheet really holds. python-calamine aborts the whole
process on a tiny sheet with far-out cell references, so the sheet scan must find them first;
anything it misses is caught by reading in a child process (isolate.py).

Raises ReadFailure file.corrupt / file.too-large / file.hostile / file.encrypted."""

from __future__ import annotations

import html
import os
import re
import zipfile
from typing import Any

from addin.read.failure import MB, fail, size_text
from addin.read.limits import EXCEL_COLS, EXCEL_ROWS, MAX_COLS, MAX_ROWS
from addin.read.limits import check_extent as _check_extent
from addin.read.parts import sheet_parts
from addin.read.sniff import ZIP_READ_ERRORS, corrupt_part, open_zip, read_bounded, sniff, zip_names

ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_INFLATED = 200 * MB
BOMB_RATIO = 200  # deflate rarely beats 100:1 on real sheet XML; bombs reach 1000:1
BOMB_MIN_BYTES = 10 * MB
CHUNK = 1 * MB
PROLOG_MAX = 1 * MB  # an XML prolog longer than this exists only to hide a DTD
MERGED_MAX = 10_000  # merged ranges kept per ods table (a ledger has a handful)


def _chunks(z: zipfile.ZipFile, info: zipfile.ZipInfo, path):
    """The entry inflated piece by piece; zipfile stops at the declared size, so a lying
    header cannot make this read more than the guard already allowed."""
    try:
        with z.open(info) as f:
            while chunk := f.read(CHUNK):
                yield chunk
    except ZIP_READ_ERRORS as exc:
        raise corrupt_part(path, info, exc) from None


_ROOT_START = re.compile(rb"<[A-Za-z_:]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _check_prolog(first: bytes, more, info, path) -> None:
    """A DTD (billion laughs, external entities) can only sit before the root element."""
    if first[:2] in (b"\xff\xfe", b"\xfe\xff"):
        first = first.decode("utf-16", "replace").encode("utf-8")
    prolog = first
    while not (m := _ROOT_START.search(prolog)):
        if len(prolog) > PROLOG_MAX:
            raise fail("file.hostile", path, detail=f"部件 {info.filename} 的 XML 开头异常冗长")
        nxt = next(more, b"")
        if not nxt:
            break
        prolog += nxt
    head = prolog[: m.start()] if m else prolog
    if _DTD.search(head):
        raise fail(
            "file.hostile",
            path,
            detail=f"部件 {info.filename} 含有 DTD/实体声明（可被用于“实体膨胀”攻击或读取本机文件）",
        )


def check_zip(path: str | os.PathLike, fmt: str | None = None) -> dict[str, Any]:
    """Guards on a zip package before any parser sees it; returns what the scan learnt
    (`date1904`). Raises ReadFailure file.corrupt / file.too-large / file.hostile / file.encrypted."""
    fmt = fmt or sniff(path)
    with open_zip(path) as z:
        infos = z.infolist()
        if len(infos) > ZIP_MAX_ENTRIES:
            raise fail(
                "file.hostile",
                path,
                detail=f"压缩包含 {len(infos)} 个部件，正常工作簿不超过 {ZIP_MAX_ENTRIES} 个",
            )
        seen: set[str] = set()
        for info in infos:
            key = info.filename.replace("\\", "/").lower()
            if key in seen:
                raise fail("file.hostile", path, detail=f"压缩包内有两个同名部件 {info.filename}")
            seen.add(key)
        total = sum(i.file_size for i in infos)
        if total > ZIP_MAX_INFLATED:
            raise fail(
                "file.too-large",
                path,
                detail=f"解压后共 {size_text(total)}，上限 {size_text(ZIP_MAX_INFLATED)}",
            )
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > BOMB_MIN_BYTES and ratio > BOMB_RATIO:
                raise fail(
                    "file.hostile",
                    path,
                    detail=f"部件 {info.filename} 压缩比 {ratio:.0f}:1（解压后 "
                    f"{size_text(info.file_size)}），属于“压缩炸弹”",
                )
        names = zip_names(z)
        if fmt == "ods":
            manifest = names.get("meta-inf/manifest.xml")
            if manifest and b"encryption-data" in read_bounded(z, manifest, 4 * MB, path):
                raise fail("file.encrypted", path)
        sheets = _sheet_parts(z, names, fmt, path)
        for key, info in names.items():
            if key.endswith((".xml", ".rels", ".vml")) and info not in sheets:
                more = _chunks(z, info, path)
                _check_prolog(next(more, b""), more, info, path)
                more.close()
        merged: dict[str, list] = {}
        for info in sheets:
            if fmt == "ods":
                merged.update(_scan_ods(z, info, path))
            else:
                _scan_sheet(z, info, path)
        return {
            "date1904": _date1904(z, names, path) if fmt in ("xlsx", "xlsm", "xltx") else False,
            # calamine gives no merged ranges for ods: the scan collects them (sheet name →
            # ((row, col), (row, col)) 0-based inclusive, as calamine gives them for xlsx)
            "merged": merged,
        }


def _sheet_parts(z, names, fmt, path) -> list[zipfile.ZipInfo]:
    if fmt == "ods":
        return [names["content.xml"]] if "content.xml" in names else []
    if fmt == "xlsb":
        return []  # binary sheets: size caps above and the isolated child are the guard
    return sheet_parts(z, names, path)


_XML_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c|dimension)(?=[\s/>])([^>]*)>")
_REF_ATTR = re.compile(rb"""\sr(?:ef)?\s*=\s*["']([^"']*)["']""")
_CELL_REF = re.compile(rb"\$?([A-Za-z]{1,4})\$?(\d{1,11})$")


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


_PFX = rb"<(?:[A-Za-z_][\w.\-]*:)?"
_ANY_CELL = re.compile(_PFX + rb"c[\s/>]")
_REF = rb"""\sr\s*=\s*["']\$?([A-Za-z]{1,4})\$?(\d{1,11})["']"""
_VALUE_CELL = re.compile(_PFX + rb"c(?=\s)[^>]*?" + _REF + rb"[^>]*(?<!/)>")
_EMPTY_CELL = re.compile(_PFX + rb"c(?=\s)[^>]*?" + _REF + rb"[^>]*/>")
_DIMENSION = re.compile(
    _PFX + rb"dimension\s[^>]*?ref\s*=\s*[\"'][^\"']*?\$?([A-Za-z]{1,4})\$?(\d{1,11})[\"']"
)
# What Excel, WPS, LibreOffice, XlsxWriter and openpyxl all write: no prefix, r= first, double
# quotes, upper-case column, no $. These have a literal start the regex engine jumps between,
# so they run 4-5x faster than the general patterns above, whose optional prefix makes the
# engine try every "<". Used only when they account for every cell tag of the sheet.
_PLAIN_CELL = re.compile(rb"<c[\s/>]")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")  # also text that merely looks like one: then general
_PLAIN_VALUE = re.compile(rb'<c r="([A-Z]{1,4})(\d{1,11})"[^>]*(?<!/)>')
_PLAIN_EMPTY = re.compile(rb'<c r="[A-Z]{1,4}\d{1,11}"[^>]*/>')
FAST_SCAN_MAX = 16 * MB


def _cell_refs(data: bytes) -> list[tuple[bytes, bytes]] | None:
    """(column letters, row digits) of every cell that holds something, when every cell tag
    carries its reference; None when one does not (then only a walk can place it)."""
    if not _PREFIXED_CELL.search(data):
        refs = _PLAIN_VALUE.findall(data)
        if len(_PLAIN_CELL.findall(data)) == len(refs) + len(_PLAIN_EMPTY.findall(data)):
            return refs
    refs = _VALUE_CELL.findall(data)
    if len(_ANY_CELL.findall(data)) == len(refs) + len(_EMPTY_CELL.findall(data)):
        return refs
    return None


def _scan_sheet(z, info, path) -> None:
    """Find the farthest cell that holds something, as calamine will place it. Usually every
    cell carries its reference (r="B7") and a few C-speed regex passes suffice; otherwise the
    sheet is walked tag by tag (a cell or row without r= follows the previous one)."""
    if info.file_size <= FAST_SCAN_MAX:
        data = b"".join(_chunks(z, info, path))
        _check_prolog(data, iter(()), info, path)
        refs = _cell_refs(data)
        if refs is not None:
            dim = _DIMENSION.search(data)
            if dim:  # a declared range is only a claim; refuse only the impossible
                r, c = int(dim.group(2)), _col_number(dim.group(1))
                if r > EXCEL_ROWS or c > EXCEL_COLS:
                    _check_extent(path, info.filename, r, c)
            rows = max((int(r) for r in {r for _, r in refs}), default=0)
            cols = max((_col_number(c) for c in {c for c, _ in refs}), default=0)
            _check_extent(path, info.filename, rows, cols)
            return
        more = iter((data,))
    else:
        more = _chunks(z, info, path)
    first = next(more, b"")
    _check_prolog(first, iter(()), info, path)
    row = col = max_row = max_col = 0
    for m in _tags(_XML_TAG, _prepend(first, more), info, path):
        tag, attrs = m.group(1), m.group(2)
        ref = _REF_ATTR.search(attrs)
        if tag == b"dimension":
            last = ref.group(1).rsplit(b":", 1)[-1] if ref else b""
            cm = _CELL_REF.match(last)
            if cm:  # a declared range is only a claim; refuse only the impossible
                r, c = int(cm.group(2)), _col_number(cm.group(1))
                if r > EXCEL_ROWS or c > EXCEL_COLS:
                    _check_extent(path, info.filename, r, c)
        elif tag == b"row":
            row = int(ref.group(1)) if ref and ref.group(1).isdigit() else row + 1
            col = 0
        else:
            cm = _CELL_REF.match(ref.group(1)) if ref else None
            if cm:
                row, col = int(cm.group(2)), _col_number(cm.group(1))
            else:
                col += 1
            if not attrs.rstrip().endswith(b"/"):  # an empty styled cell is not read
                max_row, max_col = max(max_row, row), max(max_col, col)
                if max_row > MAX_ROWS or max_col > MAX_COLS:
                    _check_extent(path, info.filename, max_row, max_col)
    _check_extent(path, info.filename, max_row, max_col)


def _prepend(first, more):
    yield first
    yield from more


def _tags(pattern: re.Pattern, chunks, info: zipfile.ZipInfo, path):
    """Matches of `pattern` over a streamed XML part, each within whole tags: a chunk is cut
    after its last ">" and the rest carried over (bounded, so a tag cannot grow forever)."""
    rest = b""
    for chunk in chunks:
        buf = rest + chunk
        cut = buf.rfind(b">") + 1
        rest = buf[cut:]
        if len(rest) > 4 * MB:
            raise fail("file.hostile", path, detail=f"部件 {info.filename} 的 XML 结构异常")
        yield from pattern.finditer(buf, 0, cut)


_ODS_TAG = re.compile(
    rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])"
    rb"([^>]*)>"
)
_REPEAT = re.compile(rb"number-(?:rows|columns)-repeated\s*=\s*[\"'](\d+)[\"']")
_SPANNED = re.compile(rb"number-(rows|columns)-spanned\s*=\s*[\"'](\d+)[\"']")
_TABLE_NAME = re.compile(rb"table:name\s*=\s*\"([^\"]*)\"|table:name\s*=\s*'([^']*)'")


def _scan_ods(z, info, path) -> dict[str, list]:
    """ODS writes empty rows and columns as huge repeat counts; only repeats that carry a value
    (and empty stretches before a value) become cells in calamine. Returns the merged ranges
    of each table (by name), which calamine does not give for ods."""
    merged: dict[str, list] = {}
    ranges: list = []
    more = _chunks(z, info, path)
    first = next(more, b"")
    _check_prolog(first, iter(()), info, path)
    row = max_row = max_col = 0
    row_repeat, col, row_last = 1, 0, 0
    for m in _tags(_ODS_TAG, _prepend(first, more), info, path):
        closing, tag, attrs = m.groups()
        if closing and tag not in (b"table", b"table-row"):
            continue
        if tag == b"table":
            if not closing:
                row = max_row = max_col = 0
                name = _TABLE_NAME.search(attrs)
                ranges = []
                if name:
                    text = (name.group(1) or name.group(2) or b"").decode("utf-8", "replace")
                    merged[html.unescape(text)] = ranges
            continue
        rep = _REPEAT.search(attrs)
        count = int(rep.group(1)) if rep else 1
        if tag == b"table-row":
            if closing:
                if row_last:
                    max_row = row + row_repeat
                    max_col = max(max_col, row_last)
                    _check_extent(path, info.filename, max_row, max_col)
                row += row_repeat
            elif attrs.rstrip().endswith(b"/"):
                row += count
            else:
                row_repeat, col, row_last = count, 0, 0
            continue
        if b"spanned" in attrs and tag == b"table-cell" and len(ranges) < MERGED_MAX:
            span = {k: int(v) for k, v in _SPANNED.findall(attrs)}
            rows, cols = span.get(b"rows", 1), span.get(b"columns", 1)
            if rows > 1 or cols > 1:
                ranges.append(((row, col), (row + rows - 1, col + cols - 1)))
        col += count
        if not attrs.rstrip().endswith(b"/") or b"value-type" in attrs:
            row_last = col
            if col > EXCEL_COLS or row + row_repeat > EXCEL_ROWS:
                _check_extent(path, info.filename, row + row_repeat, col)
    return merged


def _date1904(z, names, path) -> bool:
    part = names.get("xl/workbook.xml")
    if part is None:
        part = next((i for k, i in names.items() if k.endswith("workbook.xml")), None)
    if part is None:
        return False
    text = read_bounded(z, part, 4 * MB, path)
    m = re.search(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904\s*=\s*[\"'](1|true)[\"']", text)
    return bool(m)
