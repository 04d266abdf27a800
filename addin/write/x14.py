"""Excel 2010 extensions openpyxl drops. Excel and WPS write a drop-down whose list is on
another sheet, and some conditional formats, as <x14:…> elements in the worksheet's <extLst>;
openpyxl drops the whole <extLst> when it re-saves. They are copied back verbatim from the
original, sheet by sheet (matched by name)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

KEPT_EXTENSIONS = {
    "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}",  # x14:dataValidations
    "{78C0D931-6437-407d-A8EE-F0AAD7539E65}",  # x14:conditionalFormattings
    "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}",  # x14:sparklineGroups
}
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_EXT_LIST = re.compile(
    r"<(?:[\w.-]+:)?extLst>(.*)</(?:[\w.-]+:)?extLst>\s*</(?:[\w.-]+:)?worksheet>\s*$", re.S
)
_EXT = re.compile(r"<((?:[\w.-]+:)?ext)\b([^>]*)>.*?</\1>", re.S)
_URI = re.compile(r"""\buri\s*=\s*["']([^"']+)["']""")
_ROOT = re.compile(r"<(?:[\w.-]+:)?worksheet\b[^>]*>")
_DECL = re.compile(r"""\bxmlns:([\w.-]+)\s*=\s*("[^"]*"|'[^']*')""")
_USED = re.compile(r"</?([\w.-]+):[\w.-]+|\s([\w.-]+):[\w.-]+\s*=")


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its worksheet part in the package."""
    from xml.etree import ElementTree

    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{_NS_PKG}}}Relationship")}
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    parts = {}
    for sheet in book.iter(f"{{{_NS_MAIN}}}sheet"):
        t = target.get(sheet.get(f"{{{_NS_REL}}}id"), "")
        parts[sheet.get("name")] = t.lstrip("/") if t.startswith("/") else f"xl/{t}"
    return parts


def _kept_extensions(xml: str) -> str:
    """The kept <ext> elements of a worksheet, each declaring the prefixes it uses."""
    found = _EXT_LIST.search(xml)
    root = _ROOT.search(xml)
    if not found or not root:
        return ""
    declared = dict(_DECL.findall(root.group(0)))
    out = []
    for ext in _EXT.finditer(found.group(1)):
        uri = _URI.search(ext.group(2))
        if not uri or uri.group(1) not in KEPT_EXTENSIONS:
            continue
        text = ext.group(0)
        own = dict(_DECL.findall(text))
        used = {a or b for a, b in _USED.findall(text)} - {"xmlns", "xml"}
        extra = "".join(
            f" xmlns:{p}={declared[p]}" for p in sorted(used) if p not in own and p in declared
        )
        head = len(ext.group(1)) + 1 + len(ext.group(2))
        out.append(text[:head] + extra + text[head:])
    return "".join(out)


def restore_extensions(original: bytes, copy: Path) -> None:
    """Put the original's kept sheet extensions back into `copy` (rewritten in place)."""
    with zipfile.ZipFile(io.BytesIO(original)) as z:
        parts = _sheet_parts(z)
        wanted = {}
        for name, part in parts.items():
            try:
                xml = z.read(part).decode("utf-8")
            except (KeyError, UnicodeDecodeError):
                continue
            if "extLst" in xml and (ext := _kept_extensions(xml)):
                wanted[name] = ext
    if not wanted:
        return
    with zipfile.ZipFile(copy) as z:
        parts = _sheet_parts(z)
        entries = [(info, z.read(info)) for info in z.infolist()]
    changed = {parts[n]: ext for n, ext in wanted.items() if n in parts}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename in changed:
                xml = data.decode("utf-8")
                end = xml.rstrip().rfind("</")
                if "<extLst>" in xml:
                    at = xml.rfind("</extLst>")
                    xml = xml[:at] + changed[info.filename] + xml[at:]
                else:
                    xml = xml[:end] + "<extLst>" + changed[info.filename] + "</extLst>" + xml[end:]
                data = xml.encode("utf-8")
            z.writestr(info, data)
    copy.write_bytes(out.getvalue())
