"""Which parts of an OOXML package a reader will parse as sheets, found the way a reader finds
them: from the package's relationships (`_rels/.rels` → the workbook part → its `.rels` → the
target of each `<sheet r:id>`), from the content types (an Override, or a Default that types a
whole extension as a worksheet), and, last, from the usual paths. A part at `xl/s1.xml`
reached through the workbook's relationships is a sheet whatever its name, so the cell-extent
scan (guard.py) sees every sheet calamine will allocate for.

Everything is read bounded and matched with regexes over bytes: no XML parser runs before the
guards have looked at the package."""

from __future__ import annotations

import html
import posixpath
import re
import zipfile

from addin.read.failure import MB
from addin.read.sniff import read_bounded

_SHEET_TYPE = re.compile(rb"(?:work|macro|dialog|chart|xlintlmacro)sheet(?:\+xml)?\b", re.I)
_OVERRIDE = re.compile(rb"<(?:[\w.-]+:)?override\b([^>]*)>", re.I)
_DEFAULT = re.compile(rb"<(?:[\w.-]+:)?default\b([^>]*)>", re.I)
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?relationship\b([^>]*)>", re.I)
_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\b([^>]*)>", re.I)


def _attr(attrs: bytes, name: bytes) -> str | None:
    m = re.search(rb"(?:^|\s)(?:[\w.-]+:)?" + name + rb"""\s*=\s*("[^"]*"|'[^']*')""", attrs, re.I)
    return html.unescape(m.group(1)[1:-1].decode("utf-8", "replace")) if m else None


def _key(name: str) -> str:
    return name.replace("\\", "/").lstrip("/").lower()


def _rels_of(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _targets(part: str, target: str) -> set[str]:
    """Where a relationship's target may point: resolved against the source part's folder as
    OPC says, and as calamine joins it (xl/ + target, unnormalised)."""
    target = target.replace("\\", "/")
    if target.startswith("/"):
        return {_key(target)}
    folder = part.rpartition("/")[0]
    joined = f"{folder}/{target}" if folder else target
    return {_key(posixpath.normpath(joined)), _key(joined), _key("xl/" + target)}


def _relationships(z, names, part: str, path) -> list[tuple[str, str, str]]:
    """(id, type, target) of `part`'s relationships, external ones left out."""
    info = names.get(_key(_rels_of(part)))
    if info is None:
        return []
    out = []
    for m in _RELATIONSHIP.finditer(read_bounded(z, info, 4 * MB, path)):
        attrs = m.group(1)
        if (_attr(attrs, b"TargetMode") or "").lower() == "external":
            continue
        target = _attr(attrs, b"Target")
        if target:
            out.append((_attr(attrs, b"Id") or "", _attr(attrs, b"Type") or "", target))
    return out


def _workbook_parts(z, names, path) -> set[str]:
    found = {"xl/workbook.xml"}  # where calamine looks whatever the package says
    for _id, kind, target in _relationships(z, names, "", path):
        if kind.lower().endswith("/officedocument"):
            found |= _targets("", target)
    return {p for p in found if p in names}


def sheet_parts(z: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], path) -> list:
    """The ZipInfo of every part that may be parsed as a sheet, in package order."""
    keys: set[str] = set()
    sheet_exts: set[str] = set()
    if "[content_types].xml" in names:
        types = read_bounded(z, names["[content_types].xml"], MB, path)
        for m in _OVERRIDE.finditer(types):
            if _SHEET_TYPE.search((_attr(m.group(1), b"ContentType") or "").encode()):
                keys.add(_key(_attr(m.group(1), b"PartName") or ""))
        for m in _DEFAULT.finditer(types):
            if _SHEET_TYPE.search((_attr(m.group(1), b"ContentType") or "").encode()):
                sheet_exts.add("." + (_attr(m.group(1), b"Extension") or "").lower())
    for book in _workbook_parts(z, names, path):
        rels = _relationships(z, names, book, path)
        by_id = {rid: target for rid, _kind, target in rels}
        for _rid, kind, target in rels:
            if _SHEET_TYPE.search(kind.encode()):
                keys |= _targets(book, target)
        text = read_bounded(z, names[book], 4 * MB, path)
        for m in _SHEET.finditer(text):
            target = by_id.get(_attr(m.group(1), b"id") or "")
            if target:
                keys |= _targets(book, target)
    out = []
    for key, info in names.items():
        usual = key.endswith(".xml") and "sheets/" in key and "/_rels/" not in key
        typed = any(key.endswith(ext) for ext in sheet_exts) and "/_rels/" not in key
        if key in keys or usual or typed:
            out.append(info)
    return out
