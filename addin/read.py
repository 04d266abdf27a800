"""Read any file a county can send into a Workbook, or say why not.

The order matters: the real format is sniffed from the bytes (never the extension), then cheap
guards look at the container (zip entry table, declared sizes, XML prologs, the cell references a
sheet actually holds, the OLE directory) before python-calamine sees the file. calamine aborts
the whole process on a tiny sheet with far-out cell references, so the guards must run first;
anything they miss is caught by running this in a child process (isolate.py).

Every unusable input raises ReadFailure(code, params): a `file.*` entry of
`schemas/data/findings/read.toml`, rendered by `addin.findings.make(code, **params)`."""

from __future__ import annotations

import os
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

from addin.workbook import Sheet, Workbook
from schemas.sheets import META_SHEET

MB = 1024 * 1024
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_INFLATED = 200 * MB
BOMB_RATIO = 200  # deflate rarely beats 100:1 on real sheet XML; bombs reach 1000:1
BOMB_MIN_BYTES = 10 * MB
EXCEL_ROWS, EXCEL_COLS = 1_048_576, 16_384
MAX_ROWS, MAX_COLS, MAX_CELLS = 100_000, 200, 2_000_000  # far beyond any ledger
CHUNK = 1 * MB
PROLOG_MAX = 1 * MB  # an XML prolog longer than this exists only to hide a DTD

FORMATS = ("xlsx", "xlsm", "xltx", "xlsb", "xls", "ods", "encrypted-ooxml")
_EXTENSION = {
    "xlsx": "xlsx",
    "xlsm": "xlsm",
    "xltx": "xlsx",
    "xlsb": "xlsb",
    "xls": "xls",
    "ods": "ods",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# content type fragment → format; order matters (a template is checked before a workbook)
_OOXML_TYPES = (
    ("ms-excel.sheet.binary.macroenabled.main", "xlsb"),
    ("ms-excel.sheet.macroenabled.main+xml", "xlsm"),
    ("ms-excel.template.macroenabled.main+xml", "xlsm"),
    ("ms-excel.addin.macroenabled.main+xml", "xlsm"),
    ("spreadsheetml.template.main+xml", "xltx"),
    ("spreadsheetml.sheet.main+xml", "xlsx"),
)


class ReadFailure(Exception):
    """A file that cannot become a Workbook; `code` names a `file.*` catalogue entry and
    `params` fills its placeholders."""

    def __init__(self, code: str, params: dict[str, Any] | None = None, /, **more: Any):
        self.code = code
        self.params = {**(params or {}), **more}
        super().__init__(code, self.params)

    def __reduce__(self):  # picklable across the isolation pipe
        return (ReadFailure, (self.code, self.params))

    def __str__(self) -> str:
        return f"{self.code}: {self.params}"

    def finding(self):
        from addin.findings import make

        return make(self.code, **self.params)


def _fail(code: str, path: str | os.PathLike, **params: Any) -> ReadFailure:
    return ReadFailure(code, name=Path(path).name, **params)


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{n / 1024:.1f} KB"


# ---------------------------------------------------------------- sniffing


def sniff(path: str | os.PathLike) -> str:
    """The real format of `path` from its bytes: one of FORMATS, or ReadFailure."""
    with open(path, "rb") as f:
        head = f.read(8192)
    if not head:
        raise _fail("file.empty", path)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(path)
    if head.startswith(_OLE_MAGIC):
        return _sniff_ole(path)
    raise _fail("file.not-spreadsheet", path, what=_what_else(head))


def _zip_names(z: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Entries by normalised name: some writers use backslashes or another case."""
    return {i.filename.replace("\\", "/").lstrip("/").lower(): i for i in z.infolist()}


def _open_zip(path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _fail("file.corrupt", path, detail=f"ZIP 压缩包不完整或已损坏（{exc}）") from None


def _sniff_zip(path) -> str:
    with _open_zip(path) as z:
        names = _zip_names(z)
        if "mimetype" in names:
            mime = _read_bounded(z, names["mimetype"], 200, path).strip().decode("ascii", "replace")
            if mime.startswith("application/vnd.oasis.opendocument.spreadsheet"):
                return "ods"
            raise _fail("file.not-spreadsheet", path, what=f"OpenDocument 文档（{mime}）")
        if "[content_types].xml" in names:
            types = _read_bounded(z, names["[content_types].xml"], MB, path).lower()
            # the part types (Override) decide; a Default for an extension may be boilerplate
            overrides = b" ".join(re.findall(rb"<(?:\w+:)?override\b[^>]*>", types))
            for text in (overrides, types):
                for fragment, fmt in _OOXML_TYPES:
                    if fragment.encode() in text:
                        return fmt
            for fragment, what in (
                (b"wordprocessingml", "Word 文档"),
                (b"presentationml", "PowerPoint 演示文稿"),
            ):
                if fragment in types:
                    raise _fail("file.not-spreadsheet", path, what=what)
        if "xl/workbook.xml" in names:  # no usable content types: let calamine decide
            return "xlsx"
        if any(n.startswith("index/") and n.endswith(".iwa") for n in names):
            raise _fail("file.not-spreadsheet", path, what="Apple Numbers 文档")
        if not names:
            raise _fail("file.corrupt", path, detail="ZIP 压缩包是空的，不含任何工作簿部件")
        raise _fail("file.not-spreadsheet", path, what="不含工作簿的 ZIP 压缩包")


def _what_else(head: bytes) -> str:
    """Name, in Chinese, what a non-spreadsheet file most likely is."""
    if head[:4] == b"%PDF":
        return "PDF 文档"
    if head[:5] == b"{\\rtf":
        return "RTF 文档"
    if len(head) >= 4 and head[0] == 0x09 and head[1] in (0x00, 0x02, 0x04):
        return "Excel 2.x–4.0 旧格式工作表"
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            text = head[2:].decode(codec, "replace")
            break
    else:
        text = head.decode("utf-8", "replace").lstrip("\ufeff")
    low = text.lstrip().lower()
    if low.startswith("mime-version") or "content-type: multipart/related" in low[:2000]:
        return "单个文件网页（MHTML）"
    if "urn:schemas-microsoft-com:office:spreadsheet" in low or 'progid="excel.sheet"' in low:
        return "Excel 2003 XML 表格"
    if "opendocument.spreadsheet" in low or "<office:document" in low:
        return "平面 ODS 文件（.fods）"
    if low.startswith("<") and any(t in low for t in ("<html", "<!doctype html", "<table")):
        return "网页（HTML）"
    if low.startswith("<"):
        return "XML 文件"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "无法识别的二进制文件"
    first = low.splitlines()[0] if low else ""
    if "," in first or "\t" in first or ";" in first:
        return "CSV 或制表符分隔的文本"
    return "纯文本文件"


# ---------------------------------------------------------------- OLE2 (compound file)


class _Cfb:
    """Just enough of the compound file format to list streams and read the start of one,
    with every sector number checked (fuzzed and truncated files point anywhere)."""

    END = 0xFFFFFFFE

    def __init__(self, data: bytes, path):
        self.data, self.path = data, path
        if len(data) < 512:
            raise self._bad("文件头不完整")
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise self._bad("复合文件头无效")
        self.ssz = 1 << shift
        self.major = struct.unpack_from("<H", data, 0x1A)[0]
        nfat, first_dir = struct.unpack_from("<II", data, 0x2C)
        self.cutoff, self.first_minifat, _, first_difat, ndifat = struct.unpack_from(
            "<IIIII", data, 0x38
        )
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        nxt = first_difat
        for _ in range(min(ndifat, len(data) // self.ssz)):
            entries = struct.unpack(f"<{self.ssz // 4}I", self._sector(nxt))
            difat += entries[:-1]
            nxt = entries[-1]
        self.fat: list[int] = []
        for sec in difat[: min(nfat, len(data) // self.ssz + 1)]:
            if sec < 0xFFFFFFFA:
                self.fat += struct.unpack(f"<{self.ssz // 4}I", self._sector(sec))
        directory = b"".join(self._sector(s) for s in self._chain(first_dir))
        self.entries = []
        for off in range(0, len(directory) - 127, 128):
            rec = directory[off : off + 128]
            nlen, kind = struct.unpack_from("<HB", rec, 0x40)
            if kind not in (1, 2, 5) or not 2 <= nlen <= 64:
                continue
            start, size = struct.unpack_from("<IQ", rec, 0x74)
            if self.major == 3:
                size &= 0xFFFFFFFF
            name = rec[: nlen - 2].decode("utf-16-le", "replace")
            self.entries.append((name, kind, start, size))

    def _bad(self, why: str) -> ReadFailure:
        return _fail("file.corrupt", self.path, detail=f"OLE 复合文件已损坏或不完整（{why}）")

    def _sector(self, n: int) -> bytes:
        off = (n + 1) * self.ssz
        if n >= 0xFFFFFFFA or off >= len(self.data):
            raise self._bad(f"扇区 {n} 超出文件末尾，文件可能不完整")
        return self.data[off : off + self.ssz].ljust(self.ssz, b"\0")

    def _chain(self, start: int, fat: list[int] | None = None, limit: int | None = None):
        fat = self.fat if fat is None else fat
        out, seen = [], set()
        while start != self.END and (limit is None or len(out) < limit):
            if start >= len(fat) or start in seen:
                raise self._bad("扇区链断裂或循环")
            seen.add(start)
            out.append(start)
            start = fat[start]
        return out

    def names(self) -> set[str]:
        return {name.lower() for name, kind, _, _ in self.entries if kind == 2}

    def stream(self, name: str, limit: int) -> bytes:
        """The first `limit` bytes of stream `name`; the whole chain is checked so a truncated
        file is found here rather than deep inside the parser."""
        found = [e for e in self.entries if e[1] == 2 and e[0].lower() == name]
        if not found:
            return b""
        entry_name, _, start, size = found[0]
        if size < self.cutoff:
            root = next((e for e in self.entries if e[1] == 5), None)
            if root is None:
                raise self._bad("缺少根目录项")
            mini_fat: list[int] = []
            for s in self._chain(self.first_minifat):
                mini_fat += struct.unpack(f"<{self.ssz // 4}I", self._sector(s))
            container = b"".join(self._sector(s) for s in self._chain(root[2]))
            sectors = self._chain(start, mini_fat)
            data = b"".join(container[s * 64 : s * 64 + 64] for s in sectors)
        else:
            sectors = self._chain(start)
            if len(sectors) * self.ssz < size:
                raise self._bad(f"数据流 {entry_name} 缺少 {size - len(sectors) * self.ssz} 字节")
            want = -(-min(size, limit) // self.ssz)
            data = b"".join(self._sector(s) for s in sectors[:want])
        if len(data) < min(size, limit):
            raise self._bad(f"数据流 {entry_name} 不完整")
        return data[: min(size, limit)]


def _sniff_ole(path) -> str:
    with open(path, "rb") as f:
        cfb = _Cfb(f.read(), path)
    names = cfb.names()
    if {"encryptioninfo", "encryptedpackage"} <= names:
        return "encrypted-ooxml"
    if names & {"workbook", "book"}:
        return "xls"
    if "worddocument" in names:
        raise _fail("file.not-spreadsheet", path, what="Word 97-2003 文档")
    if "powerpoint document" in names:
        raise _fail("file.not-spreadsheet", path, what="PowerPoint 97-2003 演示文稿")
    raise _fail("file.not-spreadsheet", path, what="不含工作簿的 OLE 复合文件")


def check_xls(path) -> bool:
    """Encryption (FILEPASS) and the 1904 date system from the first records of the workbook
    stream; returns date1904."""
    with open(path, "rb") as f:
        cfb = _Cfb(f.read(), path)
    names = cfb.names()
    stream = cfb.stream("workbook" if "workbook" in names else "book", 256 * 1024)
    pos, date1904 = 0, False
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        if kind == 0x002F:  # FILEPASS: everything after it is encrypted or obfuscated
            raise _fail("file.encrypted", path)
        if kind == 0x0022 and length >= 2:  # DATE1904
            date1904 = struct.unpack_from("<H", stream, pos + 4)[0] != 0
        if kind == 0x000A:  # EOF of the workbook globals
            break
        pos += 4 + length
    return date1904


# ---------------------------------------------------------------- zip guards


def _read_bounded(z: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, path) -> bytes:
    try:
        with z.open(info) as f:
            return f.read(limit)
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise _fail(
            "file.corrupt", path, detail=f"部件 {info.filename} 无法解压（{exc}）"
        ) from None


def _chunks(z: zipfile.ZipFile, info: zipfile.ZipInfo, path):
    """The entry inflated piece by piece; zipfile stops at the declared size, so a lying
    header cannot make this read more than the guard already allowed."""
    try:
        with z.open(info) as f:
            while chunk := f.read(CHUNK):
                yield chunk
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise _fail(
            "file.corrupt", path, detail=f"部件 {info.filename} 无法解压（{exc}）"
        ) from None


_ROOT_START = re.compile(rb"<[A-Za-z_:]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _check_prolog(first: bytes, more, info, path) -> None:
    """A DTD (billion laughs, external entities) can only sit before the root element."""
    if first[:2] in (b"\xff\xfe", b"\xfe\xff"):
        first = first.decode("utf-16", "replace").encode("utf-8")
    prolog = first
    while not (m := _ROOT_START.search(prolog)):
        if len(prolog) > PROLOG_MAX:
            raise _fail("file.hostile", path, detail=f"部件 {info.filename} 的 XML 开头异常冗长")
        nxt = next(more, b"")
        if not nxt:
            break
        prolog += nxt
    head = prolog[: m.start()] if m else prolog
    if _DTD.search(head):
        raise _fail(
            "file.hostile",
            path,
            detail=f"部件 {info.filename} 含有 DTD/实体声明（可被用于“实体膨胀”攻击或读取本机文件）",
        )


def check_zip(path: str | os.PathLike, fmt: str | None = None) -> dict[str, Any]:
    """Guards on a zip package before any parser sees it; returns what the scan learnt
    (`date1904`). Raises ReadFailure file.corrupt / file.too-large / file.hostile / file.encrypted."""
    fmt = fmt or sniff(path)
    with _open_zip(path) as z:
        infos = z.infolist()
        if len(infos) > ZIP_MAX_ENTRIES:
            raise _fail(
                "file.hostile",
                path,
                detail=f"压缩包含 {len(infos)} 个部件，正常工作簿不超过 {ZIP_MAX_ENTRIES} 个",
            )
        seen: set[str] = set()
        for info in infos:
            key = info.filename.replace("\\", "/").lower()
            if key in seen:
                raise _fail("file.hostile", path, detail=f"压缩包内有两个同名部件 {info.filename}")
            seen.add(key)
        total = sum(i.file_size for i in infos)
        if total > ZIP_MAX_INFLATED:
            raise _fail(
                "file.too-large",
                path,
                detail=f"解压后共 {_size(total)}，上限 {_size(ZIP_MAX_INFLATED)}",
            )
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > BOMB_MIN_BYTES and ratio > BOMB_RATIO:
                raise _fail(
                    "file.hostile",
                    path,
                    detail=f"部件 {info.filename} 压缩比 {ratio:.0f}:1（解压后 "
                    f"{_size(info.file_size)}），属于“压缩炸弹”",
                )
        names = _zip_names(z)
        if fmt == "ods":
            manifest = names.get("meta-inf/manifest.xml")
            if manifest and b"encryption-data" in _read_bounded(z, manifest, 4 * MB, path):
                raise _fail("file.encrypted", path)
        sheets = _sheet_parts(z, names, fmt, path)
        for key, info in names.items():
            if key.endswith((".xml", ".rels", ".vml")) and info not in sheets:
                more = _chunks(z, info, path)
                _check_prolog(next(more, b""), more, info, path)
                more.close()
        for info in sheets:
            (_scan_ods if fmt == "ods" else _scan_sheet)(z, info, path)
        return {"date1904": _date1904(z, names, path) if fmt in ("xlsx", "xlsm", "xltx") else False}


def _sheet_parts(z, names, fmt, path) -> list[zipfile.ZipInfo]:
    if fmt == "ods":
        return [names["content.xml"]] if "content.xml" in names else []
    if fmt == "xlsb":
        return []  # binary sheets: size caps above and the isolated child are the guard
    overrides = set()
    if "[content_types].xml" in names:
        types = _read_bounded(z, names["[content_types].xml"], MB, path)
        for m in re.finditer(
            rb'PartName="/?([^"]+)"[^>]*ContentType="[^"]*(?:worksheet|'
            rb'macrosheet|dialogsheet)\+xml"',
            types,
            re.IGNORECASE,
        ):
            overrides.add(m.group(1).decode("utf-8", "replace").lower())
    return [
        info
        for key, info in names.items()
        if key in overrides or (key.endswith(".xml") and "sheets/" in key and "/_rels/" not in key)
    ]


_XML_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c|dimension)(?=[\s/>])([^>]*)>")
_REF_ATTR = re.compile(rb"""\sr(?:ef)?\s*=\s*["']([^"']*)["']""")
_CELL_REF = re.compile(rb"\$?([A-Za-z]{1,4})\$?(\d{1,11})$")


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _check_extent(path, part: str, rows: int, cols: int, cells: int | None = None) -> None:
    if rows > EXCEL_ROWS or cols > EXCEL_COLS:
        raise _fail(
            "file.hostile",
            path,
            detail=f"部件 {part} 引用了第 {rows} 行、第 {cols} 列的单元格，超出 Excel 的极限"
            f"（{EXCEL_ROWS} 行、{EXCEL_COLS} 列）",
        )
    area = rows * cols if cells is None else cells
    if rows > MAX_ROWS or cols > MAX_COLS or area > MAX_CELLS:
        raise _fail(
            "file.too-large",
            path,
            detail=f"部件 {part} 的已用区域达 {rows} 行 × {cols} 列，台账至多 {MAX_ROWS} 行、"
            f"{MAX_COLS} 列",
        )


_PFX = rb"<(?:[A-Za-z_][\w.\-]*:)?"
_ANY_CELL = re.compile(_PFX + rb"c[\s/>]")
_REF = rb"""\sr\s*=\s*["']\$?([A-Za-z]{1,4})\$?(\d{1,11})["']"""
_VALUE_CELL = re.compile(_PFX + rb"c(?=\s)[^>]*?" + _REF + rb"[^>]*(?<!/)>")
_EMPTY_CELL = re.compile(_PFX + rb"c(?=\s)[^>]*?" + _REF + rb"[^>]*/>")
_DIMENSION = re.compile(
    _PFX + rb"dimension\s[^>]*?ref\s*=\s*[\"'][^\"']*?\$?([A-Za-z]{1,4})\$?(\d{1,11})[\"']"
)
FAST_SCAN_MAX = 16 * MB


def _scan_sheet(z, info, path) -> None:
    """Find the farthest cell that holds something, as calamine will place it. Usually every
    cell carries its reference (r="B7") and a few C-speed regex passes suffice; otherwise the
    sheet is walked tag by tag (a cell or row without r= follows the previous one)."""
    if info.file_size <= FAST_SCAN_MAX:
        data = b"".join(_chunks(z, info, path))
        _check_prolog(data, iter(()), info, path)
        refs = _VALUE_CELL.findall(data)
        if len(_ANY_CELL.findall(data)) == len(refs) + len(_EMPTY_CELL.findall(data)):
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
    rest = b""
    for chunk in _prepend(first, more):
        buf = rest + chunk
        cut = buf.rfind(b">") + 1
        rest = buf[cut:]
        if len(rest) > 4 * MB:
            raise _fail("file.hostile", path, detail=f"部件 {info.filename} 的 XML 结构异常")
        for m in _XML_TAG.finditer(buf, 0, cut):
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


_ODS_TAG = re.compile(
    rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])"
    rb"([^>]*)>"
)
_REPEAT = re.compile(rb"number-(?:rows|columns)-repeated\s*=\s*[\"'](\d+)[\"']")


def _scan_ods(z, info, path) -> None:
    """ODS writes empty rows and columns as huge repeat counts; only repeats that carry a value
    (and empty stretches before a value) become cells in calamine."""
    more = _chunks(z, info, path)
    first = next(more, b"")
    _check_prolog(first, iter(()), info, path)
    rest = b""
    row = max_row = max_col = 0
    row_repeat, col, row_last = 1, 0, 0
    for chunk in _prepend(first, more):
        buf = rest + chunk
        cut = buf.rfind(b">") + 1
        rest = buf[cut:]
        if len(rest) > 4 * MB:
            raise _fail("file.hostile", path, detail=f"部件 {info.filename} 的 XML 结构异常")
        for m in _ODS_TAG.finditer(buf, 0, cut):
            closing, tag, attrs = m.groups()
            if closing and tag not in (b"table", b"table-row"):
                continue
            if tag == b"table":
                if not closing:
                    row = max_row = max_col = 0
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
            col += count
            if not attrs.rstrip().endswith(b"/") or b"value-type" in attrs:
                row_last = col
                if col > EXCEL_COLS or row + row_repeat > EXCEL_ROWS:
                    _check_extent(path, info.filename, row + row_repeat, col)


def _date1904(z, names, path) -> bool:
    part = names.get("xl/workbook.xml")
    if part is None:
        part = next((i for k, i in names.items() if k.endswith("workbook.xml")), None)
    if part is None:
        return False
    text = _read_bounded(z, part, 4 * MB, path)
    m = re.search(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904\s*=\s*[\"'](1|true)[\"']", text)
    return bool(m)


# ---------------------------------------------------------------- reading


def read_workbook(
    path: str | os.PathLike, *, max_bytes: int = 50 * MB, guard: bool = True
) -> Workbook:
    """Every sheet of `path` (hidden ones too) as a Workbook, or ReadFailure.
    `guard=False` skips the container checks: only for tests of the isolation."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _fail("file.unreadable", path, detail=f"无法打开文件（{exc.strerror}）") from None
    if size > max_bytes:
        raise _fail(
            "file.too-large", path, detail=f"文件大小 {_size(size)}，上限 {_size(max_bytes)}"
        )
    try:
        fmt = sniff(path)
        if fmt == "encrypted-ooxml":
            raise _fail("file.encrypted", path)
        date1904 = False
        if guard:
            date1904 = check_xls(path) if fmt == "xls" else check_zip(path, fmt)["date1904"]
    except ReadFailure:
        raise
    except Exception as exc:  # a guard tripped on junk it did not foresee
        raise _fail("file.corrupt", path, detail=_reason(exc)) from None
    sheets = _calamine(path, fmt)
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


def _calamine(path: Path, fmt: str) -> dict[str, Sheet]:
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
        with CalamineWorkbook.from_path(str(target)) as wb:
            for index, meta in enumerate(wb.sheets_metadata):
                if meta.name in sheets:
                    raise _fail(
                        "file.corrupt", path, detail=f"工作表名称“{meta.name}”重复（Excel 不允许）"
                    )
                try:
                    rows = wb.get_sheet_by_index(index).to_python(skip_empty_area=False)
                except Exception:
                    if meta.typ != SheetTypeEnum.WorkSheet:
                        continue  # a chart or dialog sheet holds no ledger values
                    raise
                sheets[meta.name] = Sheet(
                    name=meta.name,
                    rows=tuple(tuple(_cell(v) for v in r) for r in rows),
                    hidden=meta.visible != SheetVisibleEnum.Visible,
                )
        return sheets
    except ReadFailure:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # pyo3 PanicException derives from BaseException
        if type(exc).__name__ == "PasswordError":
            raise _fail("file.encrypted", path) from None
        if isinstance(exc, MemoryError):
            raise _fail("file.too-large", path, detail="读取时内存不足") from None
        raise _fail("file.unreadable", path, detail=_reason(exc)) from None
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__
