"""Annotated copies for `taizhang validate --mark DIR`: a 校验结果 sheet listing the findings
(the 单元格 column links to the cell) and highlighted cells, written beside — never over — the
county's own file.

Highlights go through the template's marks range (the hidden `_taizhang` sheet, defined name
`taizhang_marks`): the cell keys are written there and the template's own conditional format
paints the cells, so no fill of the county's is replaced and clearing the range removes every
mark. A workbook not made from our template gets one conditional-format rule per marked cell
instead, again leaving its own fills alone.

openpyxl cannot open .xls, .xlsb or .ods, nor a file that could not be read at all: those get
`<file name>.校验结果.xlsx` (微山县.ods.校验结果.xlsx, so an .ods and an .xls of one stem do not
collide), a new workbook holding only the 校验结果 sheet.

The folder's stamp (batch.STAMP) lists every file written there, so a later folder scan skips
exactly those and still finds county returns in the same folder; a file there that is not
ours is never overwritten (the copy gets a "(2)" name instead)."""

from __future__ import annotations

import hashlib
import io
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from addin.model.errors import UsageError
from addin.model.findings import SEVERITY_LABELS, Finding, ordered
from addin.model.ledger import Return
from addin.write.atomic import os_reason, write_atomic, write_text_atomic
from addin.write.stamp import RESULTS_SUFFIX, STAMP, stamp_text, stamped_names
from addin.write.template.book import mark_key
from addin.write.x14 import restore_extensions
from schemas.sheets import FORMULA_STARTS, MARKS_NAME, RESULT_HEADERS, RESULT_WIDTHS, RESULTS_SHEET
from schemas.sheets import MARK_FILLS as FILLS

CLEAN_MESSAGE = "校验通过：未发现问题"
EDITABLE = ("xlsx", "xlsm")  # formats openpyxl can re-save


@dataclass(frozen=True)
class Marked:
    """What --mark did for one return: `kind` is "copy" (annotated copy), "results" (only the
    校验结果 workbook) or "skipped"; `note` says why in Chinese when it is not a copy."""

    source: str
    path: Path | None
    kind: str
    note: str = ""


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
    """Write a value so that text from a return can never become a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"


def write_marked(returns: Sequence[Return], mark_dir: Path) -> list[Marked]:
    """One annotated copy (or 校验结果 workbook) per return into `mark_dir`, in input order."""
    mark_dir = Path(mark_dir)
    target = mark_dir.resolve()
    for ret in returns:
        if Path(ret.source.path).resolve().parent == target:
            raise UsageError("usage.mark-same-folder", folder=mark_dir, name=ret.source.name)
    ours = stamped_names(mark_dir)  # written by an earlier --mark: may be replaced
    listed = set(ours)
    used: set[str] = set()
    done = []
    for ret in returns:
        marked = _mark_one(ret, mark_dir, used, ours)
        if marked.path is not None and marked.path.name.lower() not in listed:
            # listed before the next file is written: an interrupted run leaves no copy
            # that a later scan would take for a return
            listed.add(marked.path.name.lower())
            write_text_atomic(mark_dir / STAMP, stamp_text(listed))
        done.append(marked)
    if not (mark_dir / STAMP).exists():
        write_text_atomic(mark_dir / STAMP, stamp_text(listed))
    return done


def _unique(mark_dir: Path, name: str, used: set[str], ours: set[str]) -> Path:
    """Two returns with the same file name (from different folders) get name (2).xlsx, … in
    input order, so a later copy never overwrites an earlier one; nor a file in the folder
    that an earlier --mark did not write (a county's return beside the copies)."""
    if name.endswith(RESULTS_SUFFIX):  # a (2) before the suffix keeps it a 校验结果 name
        stem, suffix = name[: -len(RESULTS_SUFFIX)], RESULTS_SUFFIX
    elif "." in name:
        stem, dot, ext = name.rpartition(".")
        suffix = dot + ext
    else:
        stem, suffix = name, ""
    candidate, n = name, 1
    while candidate.lower() in used or (
        candidate.lower() not in ours and (mark_dir / candidate).exists()
    ):
        n += 1
        candidate = f"{stem} ({n}){suffix}"
    used.add(candidate.lower())
    return mark_dir / candidate


def _mark_one(ret: Return, mark_dir: Path, used: set[str], ours: set[str]) -> Marked:
    src = Path(ret.source.path)
    fmt = ret.source.format
    note = ""
    if fmt in EDITABLE:
        try:
            data = src.read_bytes()
        except OSError as exc:
            data, note = None, f"无法读取原文件（{os_reason(exc)}），只写出校验结果"
        if (
            data is not None
            and ret.source.sha256
            and hashlib.sha256(data).hexdigest() != ret.source.sha256
        ):
            data, note = None, "原文件在校验后被修改，只写出校验结果，请重新校验"
        if data is not None:
            try:
                book = _annotated(data, fmt, ret.findings)
            except Exception as exc:  # openpyxl fails on what calamine read: still give the list
                book, note = None, f"无法生成标注副本（{type(exc).__name__}），只写出校验结果"
            if book is not None:
                path = _unique(mark_dir, f"{src.stem}.{fmt}", used, ours)
                _save(book, path, keep_ext=data)
                return Marked(str(src), path, "copy")
    elif fmt is not None:
        note = f"{(fmt or '此').upper()} 格式无法直接标注，只写出校验结果"
    else:
        note = "文件无法读取，只写出校验结果"
    path = _unique(mark_dir, f"{src.name}{RESULTS_SUFFIX}", used, ours)
    _save(_results_only(ret.findings), path)
    return Marked(str(src), path, "results", note)


def _annotated(data: bytes, fmt: str, findings: Sequence[Finding]):
    from openpyxl import load_workbook

    with warnings.catch_warnings():  # "extension is not supported": restore_extensions puts it back
        warnings.simplefilter("ignore", UserWarning)
        book = load_workbook(io.BytesIO(data), keep_vba=fmt == "xlsm", rich_text=True)
    book.template = False  # an .xltx is copied as a workbook (.xlsx), which Excel then opens
    if RESULTS_SHEET in book.sheetnames:  # a copy marked before: replace its list
        book.remove(book[RESULTS_SHEET])
    ws = book.create_sheet(RESULTS_SHEET, 0)
    _fill_results(ws, findings, links=set(book.sheetnames))
    for sheet in book.worksheets:  # one selected tab only, or Excel groups the sheets
        sheet.sheet_view.tabSelected = sheet is ws
    book.active = 0
    _highlight(book, findings)
    return book


def _results_only(findings: Sequence[Finding]):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = RESULTS_SHEET
    _fill_results(ws, findings, links=set())
    return book


def _fill_results(ws, findings: Sequence[Finding], *, links: set[str]) -> None:
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


def _save(book, path: Path, keep_ext: bytes | None = None) -> None:
    """`keep_ext`: the original file, whose Excel 2010 sheet extensions are put back into the
    copy."""

    def write(tmp: Path) -> None:
        book.save(tmp)
        if keep_ext is not None:
            restore_extensions(keep_ext, tmp)

    write_atomic(path, write)
