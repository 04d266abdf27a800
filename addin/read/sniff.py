"""The real format of a file from its bytes, never its extension: counties rename .xls to
.xlsx, save web pages as .xls and send Word documents. One of FORMATS, or ReadFailure
file.empty / file.not-spreadsheet / file.corrupt naming, in Chinese, what the file is instead."""

from __future__ import annotations

import os
import re
import zipfile
import zlib

from addin.read.failure import MB, fail
from addin.read.ole import ole_format

FORMATS = ("xlsx", "xlsm", "xltx", "xlsb", "xls", "ods", "encrypted-ooxml")
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


def sniff(path: str | os.PathLike) -> str:
    """The real format of `path` from its bytes: one of FORMATS, or ReadFailure."""
    with open(path, "rb") as f:
        head = f.read(8192)
    if not head:
        raise fail("file.empty", path)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(path)
    if head.startswith(_OLE_MAGIC):
        return ole_format(path)
    raise fail("file.not-spreadsheet", path, what=_what_else(head))


def zip_names(z: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Entries by normalised name: some writers use backslashes or another case."""
    return {i.filename.replace("\\", "/").lstrip("/").lower(): i for i in z.infolist()}


def open_zip(path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise fail("file.corrupt", path, detail=f"ZIP 压缩包不完整或已损坏（{exc}）") from None


def _sniff_zip(path) -> str:
    with open_zip(path) as z:
        names = zip_names(z)
        if "mimetype" in names:
            mime = read_bounded(z, names["mimetype"], 200, path).strip().decode("ascii", "replace")
            if mime.startswith("application/vnd.oasis.opendocument.spreadsheet"):
                return "ods"
            raise fail("file.not-spreadsheet", path, what=f"OpenDocument 文档（{mime}）")
        if "[content_types].xml" in names:
            types = read_bounded(z, names["[content_types].xml"], MB, path).lower()
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
                    raise fail("file.not-spreadsheet", path, what=what)
        if "xl/workbook.xml" in names:  # no usable content types: let calamine decide
            return "xlsx"
        if any(n.startswith("index/") and n.endswith(".iwa") for n in names):
            raise fail("file.not-spreadsheet", path, what="Apple Numbers 文档")
        if not names:
            raise fail("file.corrupt", path, detail="ZIP 压缩包是空的，不含任何工作簿部件")
        raise fail("file.not-spreadsheet", path, what="不含工作簿的 ZIP 压缩包")


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


# What inflating a damaged or truncated zip entry can raise.
ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
)


def corrupt_part(path, info: zipfile.ZipInfo, exc: BaseException):
    return fail("file.corrupt", path, detail=f"部件 {info.filename} 无法解压（{exc}）")


def read_bounded(z: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, path) -> bytes:
    try:
        with z.open(info) as f:
            return f.read(limit)
    except ZIP_READ_ERRORS as exc:
        raise corrupt_part(path, info, exc) from None
