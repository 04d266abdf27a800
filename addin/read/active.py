"""Active content in a returned workbook: what would run, call out or pull in other files
when someone opens it — VBA, Excel 4.0 macro sheets, auto-run names (Auto_Open), DDE
(`=cmd|' /C …'!A0`), links to other workbooks, embedded OLE objects and ActiveX controls.
taizhang never runs any of it; finding it tells the bureau the file is not the plain ledger
it should be, and mark.py leaves it out of the annotated copy.

`find_active(path, fmt)` runs after the guards have passed the file (so every read here is
bounded by what guard.py allowed) and returns Chinese descriptions in a fixed order."""

from __future__ import annotations

import re
import struct
import zipfile

from addin.read.failure import MB, ReadFailure
from addin.read.ole import records, workbook_stream
from addin.read.sniff import ZIP_READ_ERRORS, open_zip, read_bounded, zip_names

VBA = "VBA 宏"
XLM = "Excel 4.0 宏表"
AUTO = "自动运行的名称（{names}）"
DDE = "DDE 公式或链接（可调用其他程序）"
LINKS = "引用其他工作簿的外部链接"
OLE = "嵌入的 OLE 对象"
ACTIVEX = "ActiveX 控件"
SCRIPT = "文档脚本或宏（Basic）"
ORDER = (VBA, XLM, AUTO, DDE, LINKS, OLE, ACTIVEX, SCRIPT)

_AUTO_NAMES = re.compile(r"^(?:_xlnm\.)?(auto_(?:open|close|activate|deactivate))", re.I)
_DEFINED = re.compile(rb"<(?:[\w.-]+:)?definedName\b[^>]*?\bname\s*=\s*[\"']([^\"']*)[\"']", re.I)
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f\b[^>]*>([^<]*)<", re.I)
_QUOTED = re.compile(rb'"[^"]*"')
_LINK_KINDS = ((b"externalBook", LINKS), (b"ddeLink", DDE), (b"oleLink", OLE))
SCAN_MAX = 64 * MB  # inflated bytes looked at for formulas; the guard capped the whole at 200


def find_active(path, fmt: str) -> list[str]:
    """What active content `path` (already through the guards) carries; [] when none."""
    try:
        found = _in_ole(path) if fmt == "xls" else _in_zip(path, fmt)
    except (ReadFailure, OSError, ValueError, struct.error, *ZIP_READ_ERRORS):
        return []  # the reader read it; a part unreadable here carries nothing it used
    return sorted(set(found), key=_rank)


def _rank(item: str) -> int:
    return ORDER.index(AUTO) if item.startswith(AUTO.partition("（")[0]) else ORDER.index(item)


def _auto(names: list[str]) -> list[str]:
    hits = sorted({m.group(1) for n in names if (m := _AUTO_NAMES.match(n.strip()))})
    return [AUTO.format(names="、".join(hits))] if hits else []


def _in_zip(path, fmt: str) -> list[str]:
    found: list[str] = []
    with open_zip(path) as z:
        names = zip_names(z)
        keys = list(names)
        if any(k.endswith("vbaproject.bin") for k in keys):
            found.append(VBA)
        if fmt == "ods":
            return found + _in_ods(z, names, path)
        if any("/macrosheets/" in k for k in keys):
            found.append(XLM)
        for k in keys:
            if k.startswith("xl/externallinks/") and k.endswith(".xml"):
                part = read_bounded(z, names[k], 4 * MB, path)
                found += [what for tag, what in _LINK_KINDS if tag in part]
        if any(k.startswith("xl/embeddings/") for k in keys):
            found.append(OLE)
        if any(k.startswith("xl/activex/") for k in keys):
            found.append(ACTIVEX)
        book = names.get("xl/workbook.xml")
        if book is not None:
            text = read_bounded(z, book, 4 * MB, path)
            found += _auto([n.decode("utf-8", "replace") for n in _DEFINED.findall(text)])
        if fmt != "xlsb" and DDE not in found and _dde_formula(z, names, path):
            found.append(DDE)
    return found


def _dde_formula(z: zipfile.ZipFile, names, path) -> bool:
    """A `|` outside string literals in a cell formula is DDE: Excel's formula grammar has no
    other use for it."""
    budget = SCAN_MAX
    for key, info in names.items():
        if not (key.startswith("xl/") and key.endswith(".xml") and "sheet" in key):
            continue
        if budget <= 0:
            return False
        data = read_bounded(z, info, budget, path)
        budget -= len(data)
        if b"|" not in data:
            continue
        for m in _FORMULA.finditer(data):
            if b"|" in _QUOTED.sub(b"", m.group(1).replace(b"&quot;", b'"')):
                return True
    return False


def _in_ods(z, names, path) -> list[str]:
    found = []
    keys = list(names)
    if any(k.startswith("basic/") for k in keys):
        found.append(SCRIPT)
    if any(k.startswith("object ") and k.endswith("/content.xml") for k in keys) or any(
        k.startswith("objectreplacements/") for k in keys
    ):
        found.append(OLE)
    if "content.xml" in names:
        text = read_bounded(z, names["content.xml"], SCAN_MAX, path)
        if b"dde-source" in text or b"dde-link" in text:
            found.append(DDE)
        if b"table-source" in text:
            found.append(LINKS)
        if b"script:event-listener" in text and SCRIPT not in found:
            found.append(SCRIPT)
    return found


def _in_ole(path) -> list[str]:
    cfb, stream = workbook_stream(path)
    storages = {name.lower() for name, kind, _, _ in cfb.entries if kind == 1}
    streams = cfb.names()
    found: list[str] = []
    if "_vba_project_cur" in storages or "vba" in storages or "_vba_project" in streams:
        found.append(VBA)
    if any(s.startswith("mbd") for s in storages):
        found.append(OLE)
    auto: list[str] = []
    for _pos, kind, body in records(stream):
        if kind == 0x0085 and len(body) >= 6 and body[5] == 0x01:  # BOUNDSHEET of a macro sheet
            found.append(XLM)
        elif kind == 0x0018 and len(body) >= 15:  # NAME
            auto += _biff_name(body)
        elif kind == 0x01AE and len(body) > 4:  # SUPBOOK of another workbook or a DDE server
            found.append(LINKS)
        elif kind == 0x0023 and len(body) >= 2 and struct.unpack_from("<H", body)[0] & 0x0010:
            found.append(DDE)  # EXTERNNAME with fOle/DDE set
    return found + _auto(auto)


_BUILTIN = {0x01: "Auto_Open", 0x02: "Auto_Close", 0x0A: "Auto_Activate", 0x0B: "Auto_Deactivate"}


def _biff_name(body: bytes) -> list[str]:
    flags, _key, length = struct.unpack_from("<HBB", body)
    wide = body[14] & 0x01
    raw = body[15 : 15 + length * (2 if wide else 1)]
    if flags & 0x0020:  # a built-in name: one character says which
        return [_BUILTIN[raw[0]]] if raw and raw[0] in _BUILTIN else []
    return [raw.decode("utf-16-le" if wide else "latin-1", "replace")]
