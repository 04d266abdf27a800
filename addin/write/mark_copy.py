"""The annotated copy itself (openpyxl): a 校验结果 sheet listing the findings, the cells
highlighted, and nothing active — no VBA, no auto-run names, no DDE or external-link
formulas, no external links, OLE objects or ActiveX controls (openpyxl does not carry the
last two; the rest is removed here). `annotate` runs in a bounded child (mark.py asks
isolate.ChildPool for it), because openpyxl on a county's file is as untrusted as any
reader: a 35 MB ledger would otherwise take minutes and gigabytes in the parent.

Highlights go through the template's marks range (the hidden `_taizhang` sheet, defined name
`taizhang_marks`): the cell keys are written there and the template's own conditional format
paints the cells, so no fill of the county's is replaced and clearing the range removes every
mark. A workbook not made from our template gets one conditional-format rule per marked cell
instead, again leaving its own fills alone."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

from addin.model.findings import SEVERITY_LABELS, Finding, ordered
from addin.write.template.book import mark_key
from addin.write.text import clean_text
from addin.write.x14 import restore_extensions
from schemas.sheets import FORMULA_STARTS, MARKS_NAME, RESULT_HEADERS, RESULT_WIDTHS, RESULTS_SHEET
from schemas.sheets import MARK_FILLS as FILLS

CLEAN_MESSAGE = "校验通过：未发现问题"
_AUTO_NAME = re.compile(r"^(?:_xlnm\.)?auto_(?:open|close|activate|deactivate)", re.I)
_QUOTED = re.compile(r'"[^"]*"')
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_OUTSIDE = re.compile(r"\[\d+\]|\|")  # [1]Sheet!A1 (another workbook) or app|topic!item (DDE)


def results_rows(findings: Iterable[Finding]) -> list[list[str]]:
    """The 校验结果 sheet as rows of text, headers first; a clean return gets one line saying
    so. Pure, so the add-in writes the same rows into the open workbook."""
    rows = [list(RESULT_HEADERS)]
    for i, f in enumerate(ordered(findings), start=1):
        rows.append(
            [
                str(i),
                SEVERITY_LABELS.get(f.severity, f.severity),
                f.code,
                f.sheet or "",
                f.cell or "",
                f.message,
                f.hint,
            ]
        )
    if len(rows) == 1:
        rows.append(["", "", "", "", "", CLEAN_MESSAGE, ""])
    return rows


def cell_link(sheet: str, cell: str) -> str:
    """Internal hyperlink location: '任务台账'!G14 (quotes doubled inside the name)."""
    return "'{}'!{}".format(sheet.replace("'", "''"), cell.replace("$", ""))


def set_text(cell, value) -> None:
    """Write a value so that text from a return can never become a formula, nor carry control
    characters into the copy."""
    if isinstance(value, str):
        value = clean_text(value)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"


# ---------------------------------------------------------------- the child's entry point


def annotate(
    src: str, sha256: str | None, fmt: str, findings: list[dict], out: str, memory_mb: int = 0
) -> dict:
    """Write the annotated copy of `src` to `out`; {"note": why not} when it cannot be made."""
    try:
        data = Path(src).read_bytes()
    except OSError as exc:
        return {"note": f"无法读取原文件（errno {exc.errno}），只写出校验结果"}
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        return {"note": "原文件在校验后被修改，只写出校验结果，请重新校验"}
    try:
        book = annotated(data, fmt, [Finding(**f) for f in findings])
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl fails on what calamine read: still give the list
        return {"note": f"无法生成标注副本（{type(exc).__name__}），只写出校验结果"}
    book.save(out)
    restore_extensions(data, Path(out))
    return {}


def annotated(data: bytes, fmt: str, findings: Sequence[Finding]):
    from openpyxl import load_workbook

    with warnings.catch_warnings():  # "extension is not supported": restore_extensions puts it back
        warnings.simplefilter("ignore", UserWarning)
        book = load_workbook(io.BytesIO(data), keep_vba=False, keep_links=False, rich_text=True)
    book.template = False  # an .xltx is copied as a workbook (.xlsx), which Excel then opens
    strip_active(book)
    if RESULTS_SHEET in book.sheetnames:  # a copy marked before: replace its list
        book.remove(book[RESULTS_SHEET])
    ws = book.create_sheet(RESULTS_SHEET, 0)
    fill_results(ws, findings, links=set(book.sheetnames))
    for sheet in book.worksheets:  # one selected tab only, or Excel groups the sheets
        sheet.sheet_view.tabSelected = sheet is ws
    book.active = 0
    _highlight(book, findings)
    return book


def strip_active(book) -> None:
    """Leave nothing in the copy that runs or reaches out when it is opened, nor a control
    character in any cell."""
    book.vba_archive = None
    for name in [n for n in book.defined_names if _AUTO_NAME.match(n)]:
        del book.defined_names[name]
    for ws in book.worksheets:
        for name in [n for n in ws.defined_names if _AUTO_NAME.match(n)]:
            del ws.defined_names[name]
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str):
                    continue
                if cell.data_type == "f" and _reaches_out(value):
                    cell.value = value  # kept as the text it was, never evaluated
                    cell.data_type = "s"
                elif (clean := clean_text(_unescaped(value))) != value:
                    cell.value = clean
    book._external_links = []


def _unescaped(text: str) -> str:
    """openpyxl keeps Excel's `_x001B_` escapes as text and writes them back, for Excel to turn
    into the control character again: decode the ones that stand for one, so they are stripped
    (a literal "_x001B_" that Excel itself stored is "_x005F_x001B_", left alone)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(
        lambda m: chr(int(m.group(1), 16)) if _is_control(m.group(1)) else m.group(0), text
    )


def _is_control(code: str) -> bool:
    return clean_text(chr(int(code, 16))) == ""


def _reaches_out(formula: str) -> bool:
    return bool(_OUTSIDE.search(_QUOTED.sub("", formula)))


# ---------------------------------------------------------------- the 校验结果 sheet


def results_book(findings: Sequence[Finding]):
    """A new workbook holding only the 校验结果 sheet."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = RESULTS_SHEET
    fill_results(ws, findings, links=set())
    return book


def fill_results(ws, findings: Sequence[Finding], *, links: set[str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    found = ordered(findings)
    rows = results_rows(found)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            set_text(cell, int(value) if c == 1 and r > 1 and value.isdigit() else value)
            cell.alignment = wrap
            if r == 1:
                cell.font = bold
    for r, f in enumerate(found, start=2):
        fill, font = FILLS.get(f.severity, FILLS["warning"])
        sev = ws.cell(row=r, column=2)
        sev.fill = PatternFill("solid", fgColor=fill)
        sev.font = Font(color=font, bold=True)
        if f.sheet in links and f.cell:
            link = ws.cell(row=r, column=5)
            link.hyperlink = Hyperlink(
                ref=link.coordinate, location=cell_link(f.sheet, f.cell), display=f.cell
            )
            link.font = Font(color="0563C1", underline="single")
    for c, width in enumerate(RESULT_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, values in enumerate(rows, start=1):  # readers that do not fit rows to wrapped text
        lines = max(
            -(-_display_width(v) // max(1, int(w) - 1))
            for v, w in zip(values, RESULT_WIDTHS, strict=True)
        )
        ws.row_dimensions[r].height = 15 * min(max(lines, 1), 12)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(RESULT_HEADERS))}{len(rows)}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True  # the list has no borders: printed, rows need lines
    ws.oddFooter.center.text = "&A　第 &P 页，共 &N 页"


def _display_width(text: str) -> int:
    """Columns a text takes: CJK characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# ---------------------------------------------------------------- highlights


def _marked_cells(book, findings: Sequence[Finding]) -> list[Finding]:
    """Findings that name a cell on a sheet of this workbook, first per cell, sorted."""
    seen, out = set(), []
    for f in ordered(findings):
        if f.sheet and f.cell and f.sheet in book.sheetnames and f.sheet != RESULTS_SHEET:
            key = (f.sheet, f.cell.replace("$", "").upper())
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def _marks_range(book):
    """(worksheet, cells of the taizhang_marks range) or None when the workbook has none."""
    name = book.defined_names.get(MARKS_NAME)
    if name is None:
        return None
    try:
        dests = list(name.destinations)
    except Exception:  # a name that is not a plain range (#REF!, a formula)
        return None
    if len(dests) != 1 or dests[0][0] not in book.sheetnames:
        return None
    sheet, ref = dests[0]
    ws = book[sheet]
    return ws, [
        c for row in ws[ref.replace("$", "")] for c in (row if isinstance(row, tuple) else (row,))
    ]


def _highlight(book, findings: Sequence[Finding]) -> None:
    cells = _marked_cells(book, findings)
    marks = _marks_range(book)
    if marks is not None:
        _ws, slots = marks
        for slot in slots:
            slot.value = None
        for slot, f in zip(slots, cells, strict=False):  # beyond the range's size: listed only
            set_text(slot, mark_key(f.sheet, f.cell))
            slot.data_type = "s"
        return
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill

    for f in cells:
        fill, font = FILLS.get(f.severity, FILLS["warning"])
        rule = FormulaRule(
            formula=["TRUE"],
            stopIfTrue=False,
            fill=PatternFill(bgColor=fill),
            font=Font(color=font),
        )
        book[f.sheet].conditional_formatting.add(f.cell.replace("$", ""), rule)
