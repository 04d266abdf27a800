"""taizhang's own mark in what it writes, so a later run can tell its outputs from a county's
files by content: a seal naming what the file is (summary, template, console, …) and a
fingerprint of everything else in the file, taken as it was written.

- .xlsx: a custom document property `taizhang` = "<kind> <sha256>" in docProps/custom.xml; the
  fingerprint covers every other part's name, CRC-32 and size, read from the zip's central
  directory (no inflating), so checking a file costs almost nothing. Excel, WPS and
  LibreOffice keep custom properties on save but rewrite the parts: a saved file still says
  what it was, and no longer matches — a filled-in template is not a blank one.
- .json: a first member `"generator": "taizhang <kind> sha256:<hex>"` over the rest of the text.
- .html, .md: a last line `<!-- taizhang <kind> sha256:<hex> -->` over the text before it.

`seal_file(path, kind)` seals a finished temporary file in place; `seal_of(path)` returns
(kind, intact) or None for a file that carries no seal."""

from __future__ import annotations

import hashlib
import html
import io
import re
import zipfile
from pathlib import Path

from addin.read.failure import MB
from addin.read.intake import check_path
from addin.write.text import json_safe

CUSTOM = "docProps/custom.xml"
PROPERTY = "taizhang"
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
)
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_VALUE = re.compile(r"^(\w[\w-]*) ([0-9a-f]{64})$")
_OURS = re.compile(
    rb"<(?:\w+:)?property\b[^>]*\bname=\""
    + PROPERTY.encode()
    + rb"\"[^>]*>.*?</(?:\w+:)?property>",
    re.S,
)
_PID = re.compile(rb"\bpid=\"(\d+)\"")
# any prefix, and the namespace declared on the element itself (openpyxl with lxml writes that)
_LPWSTR = re.compile(rb"<(?:\w+:)?lpwstr\b[^>]*>([^<]*)</(?:\w+:)?lpwstr>")
_TEXT_SEAL = re.compile(r"<!-- taizhang (\w[\w-]*) sha256:([0-9a-f]{64}) -->\n?\Z")
_JSON_SEAL = re.compile(r'\A\{\n  "generator": "taizhang (\w[\w-]*) sha256:([0-9a-f]{64})",\n')
READ_MAX = 50 * MB


def _fingerprint(infos) -> str:
    digest = hashlib.sha256()
    for info in infos:
        if info.filename != CUSTOM:
            digest.update(f"{info.filename}\0{info.CRC:08x}\0{info.file_size}\n".encode())
    return digest.hexdigest()


def _custom_xml(existing: bytes | None, value: str) -> bytes:
    def ours(pid: int) -> str:
        return (
            f'<property fmtid="{_FMTID}" pid="{pid}" name="{PROPERTY}">'
            f"<vt:lpwstr>{html.escape(value)}</vt:lpwstr></property>"
        )

    if existing and b"</Properties>" in existing:
        kept = _OURS.sub(b"", existing)
        pid = max([int(p) for p in _PID.findall(kept)] + [1]) + 1
        return kept.replace(b"</Properties>", ours(pid).encode() + b"</Properties>")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        + ours(2)
        + "</Properties>"
    ).encode()


def _with_custom(name: str, data: bytes) -> bytes:
    """[Content_Types].xml and _rels/.rels made to declare docProps/custom.xml."""
    if name == "[Content_Types].xml" and b"/docProps/custom.xml" not in data:
        override = f'<Override PartName="/{CUSTOM}" ContentType="{_CUSTOM_TYPE}"/>'
        return data.replace(b"</Types>", override.encode() + b"</Types>")
    if name == "_rels/.rels" and _CUSTOM_REL.encode() not in data:
        rel = f'<Relationship Id="rIdTaizhang" Type="{_CUSTOM_REL}" Target="{CUSTOM}"/>'
        return data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
    return data


def seal_xlsx(path: Path, kind: str) -> None:
    with zipfile.ZipFile(path) as z:
        entries = [(info, _with_custom(info.filename, z.read(info))) for info in z.infolist()]
    existing = next((data for info, data in entries if info.filename == CUSTOM), None)
    entries = [(i, d) for i, d in entries if i.filename != CUSTOM]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            z.writestr(info, data)
        stamp = zipfile.ZipInfo(
            CUSTOM, date_time=entries[0][0].date_time if entries else (1980, 1, 1, 0, 0, 0)
        )
        stamp.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(stamp, _custom_xml(existing, f"{kind} {_fingerprint(z.infolist())}"))
    Path(path).write_bytes(out.getvalue())


def seal_text(text: str, kind: str, suffix: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if suffix == ".json" and text.startswith("{\n"):
        return f'{{\n  "generator": "taizhang {kind} sha256:{digest}",\n' + text[2:]
    if not text.endswith("\n"):
        text += "\n"
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"{text}<!-- taizhang {kind} sha256:{digest} -->\n"


def seal_file(path: Path, kind: str, suffix: str | None = None) -> None:
    """Seal the finished file at `path` (a temporary file) as `kind`, by its target's suffix."""
    suffix = (suffix or Path(path).suffix).lower()
    if suffix in (".xlsx", ".xlsm", ".docx"):  # OPC packages: a custom document property
        seal_xlsx(path, kind)
    elif suffix in (".json", ".html", ".htm", ".md"):
        text = Path(path).read_text(encoding="utf-8")
        if suffix == ".json":  # the same JSON, with nothing a terminal would act on when shown
            text = json_safe(text)
        Path(path).write_text(seal_text(text, kind, suffix), encoding="utf-8", newline="\n")


def seal_of(path: Path) -> tuple[str, bool] | None:
    """(kind, intact) of a file taizhang sealed; None for any other file (read bounded)."""
    path = Path(path)
    if check_path(path, READ_MAX) is not None:
        return None
    try:
        with open(path, "rb") as f:
            head = f.read(4)
        if head == b"PK\x03\x04":
            return _xlsx_seal(path)
        text = path.read_bytes().decode("utf-8")
    except Exception:  # any file at all may stand here: unreadable means not ours
        return None
    if m := _JSON_SEAL.match(text):
        rest = "{\n" + text[m.end() :]
        return m.group(1), hashlib.sha256(rest.encode("utf-8")).hexdigest() == m.group(2)
    if m := _TEXT_SEAL.search(text):
        rest = text[: m.start()]
        return m.group(1), hashlib.sha256(rest.encode("utf-8")).hexdigest() == m.group(2)
    return None


def _xlsx_seal(path: Path) -> tuple[str, bool] | None:
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        custom = next(
            (i for i in infos if i.filename.replace("\\", "/").lower() == CUSTOM.lower()), None
        )
        if custom is None or custom.file_size > MB:
            return None
        with z.open(custom) as f:
            text = f.read(MB)
    found = _OURS.search(text)
    value = _LPWSTR.search(found.group(0)) if found else None
    m = _VALUE.match(html.unescape(value.group(1).decode("utf-8", "replace"))) if value else None
    if m is None:
        return None
    return m.group(1), _fingerprint(i for i in infos if i is not custom) == m.group(2)
