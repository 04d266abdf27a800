"""Compare an output with its golden file the way a person would look at it, never byte by byte
(zip timestamps, attribute order and XML formatting are not what the user sees).

Workbooks are loaded with openpyxl and compared sheet by sheet: sheet names, order and visibility;
each cell's value, number format, fill colour, font (bold, italic, colour), locked flag and
hyperlink; merged ranges; data validations (type, operator, formula1, formula2, sqref and the
input and error messages); conditional formats (range, rule type, formulas, fill colour); sheet
protection; column widths and hidden columns; frozen panes; auto filter; charts (kind and series
references); and the workbook's defined names. JSON is parsed strictly (NaN and Infinity refused) and compared as
objects; HTML, Markdown and printed text by their lines, whitespace runs collapsed and blank
lines dropped. Not seen: what openpyxl does not load (Excel 2010 <extLst> extensions, images,
print settings, the bytes of docProps).

Each function returns readable lines, `sheet!A1: expected X, got Y`, at most `limit` of them;
an empty list means equal."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter

LIMIT = 20


def colour(c) -> str | None:
    """An openpyxl Color as text: its rgb, or theme/indexed when it is not an rgb colour."""
    if c is None:
        return None
    if c.type == "rgb":
        return c.rgb
    if c.type == "theme":
        return f"theme {c.theme} tint {c.tint}"
    if c.type == "indexed":
        return f"indexed {c.indexed}"
    return str(c.value)


def cell_traits(cell) -> dict[str, Any]:
    traits: dict[str, Any] = {"value": cell.value}
    if isinstance(cell, MergedCell):  # only the top-left cell of a merge carries anything
        return traits
    fill = cell.fill
    font = cell.font
    traits |= {
        "number_format": cell.number_format,
        "fill": (fill.fill_type, colour(fill.fgColor)) if fill.fill_type else None,
        "bold": bool(font.b),
        "italic": bool(font.i),
        "font colour": colour(font.color),
        "locked": cell.protection.locked,
        "hyperlink": (cell.hyperlink.target, cell.hyperlink.location) if cell.hyperlink else None,
    }
    return traits


def sheet_traits(ws) -> dict[str, Any]:
    widths = {
        letter: (dim.width if dim.customWidth else None, bool(dim.hidden))
        for letter, dim in ws.column_dimensions.items()
        if dim.customWidth or dim.hidden
    }
    validations = [
        (dv.type, dv.operator, dv.formula1, dv.formula2, str(dv.sqref), dv.prompt, dv.error)
        for dv in ws.data_validations.dataValidation
    ]
    formats = [
        (
            str(cf.sqref),
            rule.type,
            tuple(rule.formula or ()),
            (colour(rule.dxf.fill.fgColor), colour(rule.dxf.fill.bgColor))
            if rule.dxf and rule.dxf.fill
            else None,
        )
        for cf in ws.conditional_formatting
        for rule in cf.rules
    ]
    charts = [
        (
            type(chart).__name__,
            [s.val.numRef.f if s.val and s.val.numRef else None for s in chart.series],
        )
        for chart in ws._charts  # openpyxl keeps a loaded sheet's charts here
    ]
    return {
        "visibility": ws.sheet_state,
        "protected": bool(ws.protection.sheet),
        "frozen panes": ws.freeze_panes,
        "auto filter": ws.auto_filter.ref,
        "merged ranges": sorted(str(r) for r in ws.merged_cells.ranges),
        "column widths": widths,
        "data validations": sorted(validations, key=repr),  # None in a field: sort as text
        "conditional formats": sorted(formats, key=repr),
        "charts": charts,
    }


def workbook_lines(expected: Path, actual: Path, limit: int = LIMIT) -> list[str]:
    want = openpyxl.load_workbook(expected)
    got = openpyxl.load_workbook(actual)
    out: list[str] = []

    def note(where: str, what: str, a, b) -> None:
        if len(out) < limit:
            out.append(f"{where}: expected {what}{a!r}, got {b!r}")

    if want.sheetnames != got.sheetnames:
        note("workbook", "sheets ", want.sheetnames, got.sheetnames)
    names = lambda wb: {n: str(d.attr_text) for n, d in wb.defined_names.items()}  # noqa: E731
    if names(want) != names(got):
        note("workbook", "defined names ", names(want), names(got))
    for title in [t for t in want.sheetnames if t in got.sheetnames]:
        a, b = want[title], got[title]
        ta, tb = sheet_traits(a), sheet_traits(b)
        for key in ta:
            if ta[key] == tb[key]:
                continue
            if isinstance(ta[key], list):  # say which entries, not the whole list
                only_a = [x for x in ta[key] if x not in tb[key]]
                only_b = [x for x in tb[key] if x not in ta[key]]
                note(title, f"{key} ", only_a or "(same entries)", only_b or "(same entries)")
            else:
                note(title, f"{key} ", ta[key], tb[key])
        rows = max(a.max_row, b.max_row)
        cols = max(a.max_column, b.max_column)
        for r in range(1, rows + 1):
            for c in range(1, cols + 1):
                xa, xb = a.cell(r, c), b.cell(r, c)
                ca, cb = cell_traits(xa), cell_traits(xb)
                if isinstance(xa, MergedCell) or isinstance(xb, MergedCell):
                    # inside a merge nothing but the value is kept; the merge is compared above
                    ca, cb = {"value": ca["value"]}, {"value": cb["value"]}
                if ca == cb:
                    continue
                where = f"{title}!{get_column_letter(c)}{r}"
                for key in ca.keys() | cb.keys():
                    if ca.get(key) != cb.get(key):
                        what = "" if key == "value" else f"{key} "
                        note(where, what, ca.get(key), cb.get(key))
    return out


def refuse_constant(name: str):
    raise ValueError(f"not strict JSON: {name}")


def strict_json(path: Path) -> Any:
    """The file parsed as strict JSON: NaN, Infinity and -Infinity are refused."""
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse_constant)


def json_diffs(a: Any, b: Any, where: str = "$") -> Iterator[str]:
    if type(a) is not type(b):
        yield f"{where}: expected {a!r}, got {b!r}"
    elif isinstance(a, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in b:
                yield f"{where}.{key}: expected {a[key]!r}, got nothing"
            elif key not in a:
                yield f"{where}.{key}: expected nothing, got {b[key]!r}"
            else:
                yield from json_diffs(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            yield from json_diffs(x, y, f"{where}[{i}]")
        if len(a) != len(b):
            yield f"{where}: expected {len(a)} items, got {len(b)}"
    elif a != b:
        yield f"{where}: expected {a!r}, got {b!r}"


def json_lines(expected: Path, actual: Path, limit: int = LIMIT) -> list[str]:
    want = strict_json(expected)
    got = strict_json(actual)  # raises on NaN/Infinity: a browser's JSON.parse would too
    out = []
    for line in json_diffs(want, got):
        out.append(line)
        if len(out) == limit:
            break
    return out


def normalised(text: str) -> list[str]:
    """Lines with whitespace runs collapsed to one space, blank lines dropped."""
    lines = (re.sub(r"\s+", " ", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


def text_lines(expected: Path, actual: Path, limit: int = LIMIT) -> list[str]:
    want = normalised(expected.read_text(encoding="utf-8"))
    got = normalised(actual.read_text(encoding="utf-8"))
    if want == got:
        return []
    diff = difflib.unified_diff(want, got, "expected", "got", n=1, lineterm="")
    return list(diff)[2 : 2 + limit]  # past the ---/+++ header


def file_lines(expected: Path, actual: Path, limit: int = LIMIT) -> list[str]:
    """Differences between a golden file and an output, by the file's kind."""
    if not actual.exists():
        return [f"{actual.name}: expected the file, got nothing"]
    suffix = expected.suffix.lower()
    if expected.name == ".taizhang-files":  # --mark's register: names and kinds, not digests
        return register_lines(expected, actual, limit)
    if suffix in (".xlsx", ".xlsm"):
        return workbook_lines(expected, actual, limit)
    if suffix == ".json":
        return json_lines(expected, actual, limit)
    return text_lines(expected, actual, limit)


def register_lines(expected: Path, actual: Path, limit: int = LIMIT) -> list[str]:
    """The --mark register lists each file with the sha256 of its bytes; a marked copy's bytes
    carry the moment openpyxl saved it, so entries are compared without their digest."""

    def entries(path: Path) -> list[str]:
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                out.append(line)
                continue
            if isinstance(entry, dict):
                entry.pop("sha256", None)
            out.append(json.dumps(entry, ensure_ascii=False, sort_keys=True))
        return out

    want, got = entries(expected), entries(actual)
    if want == got:
        return []
    return [f"{actual.name}: " + line for line in difflib.unified_diff(want, got, n=0)][:limit]
