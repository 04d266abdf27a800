"""The add-in's one button, acting on the workbook it was pressed in.

The ribbon's single callback runs `taizhang.main()` whatever was clicked; this module decides
what that means from the active workbook's hidden `_taizhang` sheet:

- a ledger return (template taizhang-ledger): read its live values — unsaved edits included —
  validate them, list the findings in a 校验结果 sheet and highlight the cells through the
  template's marks range (the next run clears them exactly; no fill is ever touched);
- the bureau's console (template taizhang-console): consolidate its returns folder, write the
  summary and refresh the console's table of units;
- anything else: offer to create a blank ledger, or show a short help.

Values in the officer's sheets are never changed. Everything Excel-specific sits behind the
small `BookAdapter` interface below; addin/excel.py implements it with xlwings, the tests with
a fake. This module imports no xlwings.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from addin.faces import boundary
from addin.faces.console import refresh
from addin.model.workbook import CellValue
from addin.pipeline.check import check_sheets, meta_of
from addin.write.mark import cell_link, results_rows
from addin.write.template.book import ledger_filename, mark_key, write_ledger
from schemas.reference import load
from schemas.sheets import (
    CONSOLE_TEMPLATE_ID,
    MARKS_NAME,
    META_SHEET,
    META_TEMPLATE_ID,
    RESULTS_SHEET,
)

TITLE = "台账"
Rows = tuple[tuple[CellValue, ...], ...]

HELP = (
    "“台账”按钮按当前工作簿决定做什么：\n"
    "· 县区台账（用“taizhang template”生成的模板填写）：校验当前内容，含未保存的修改；"
    "问题列在“校验结果”表，并把有问题的单元格标红。单元格内容不会被改动。\n"
    "· 市局控制台（用“taizhang console”生成）：校验收件文件夹中的全部台账，"
    "写出全市汇总，刷新各单位报送情况。\n"
    "· 其他工作簿：可新建一份空白台账。"
)


class BookAdapter(Protocol):
    """What the pipeline needs from the workbook the button was pressed in."""

    name: str  # as Excel shows it, e.g. 任城区-2021Y-获得电力台账.xlsx
    path: Path | None  # full path; None while the workbook was never saved
    date1904: bool

    def sheets(self) -> list[tuple[str, bool]]:
        """(name, hidden) of every worksheet, in tab order."""

    def read_sheet(self, name: str) -> Rows:
        """The sheet's values from A1 to the end of its used range (rows[0] is row 1)."""

    def write_sheet(
        self,
        name: str,
        rows: list[list[str | int | float]],
        *,
        links: dict[tuple[int, int], str] | None = None,
    ) -> None:
        """Create the sheet, or replace its contents; strings are written as text, never as
        formulas, numbers as numbers.
        `links` maps a 1-based (row, column) to an internal location such as '任务台账'!G14."""

    def write_name(self, name: str, values: list[str]) -> int:
        """Clear the defined name's range, then write `values` down its first column; returns
        how many cells the range holds (values beyond it are not written), 0 when the
        workbook has no such name."""

    def message(self, text: str, title: str = TITLE) -> None: ...

    def ask(self, prompt: str, title: str = TITLE, default: str = "") -> str | None:
        """A line of input; None when the user cancels."""

    def open(self, path: Path) -> None:
        """Open a workbook file in Excel."""


@dataclass(frozen=True)
class Outcome:
    kind: str  # ledger, console, created, help, cancelled, failed
    message: str


# --- reading the live workbook ------------------------------------------------------------


def read_meta(book: BookAdapter) -> dict[str, CellValue]:
    """Key/value rows of the hidden `_taizhang` sheet (column A key, column B value)."""
    if META_SHEET not in dict(book.sheets()):
        return {}
    return meta_of(book.read_sheet(META_SHEET))


def live_sheets(book: BookAdapter) -> tuple[dict[str, Rows], list[str]]:
    """Every sheet's values and the names of the hidden ones, in tab order."""
    sheets, hidden = {}, []
    for name, is_hidden in book.sheets():
        if name == RESULTS_SHEET:
            continue  # our own list: never read back as the ledger
        sheets[name] = book.read_sheet(name)
        if is_hidden:
            hidden.append(name)
    return sheets, hidden


# --- the three things the button does -------------------------------------------------------


def check_ledger(
    book: BookAdapter, meta: dict[str, CellValue], *, today: date | None = None
) -> Outcome:
    sheets, hidden = live_sheets(book)
    wb, ret = check_sheets(
        sheets,
        meta,
        name=book.name,
        path=book.path,
        date1904=book.date1904,
        hidden=hidden,
        today=today,
    )
    counts = ret.counts
    rows = results_rows(ret.findings)
    sheet_col, cell_col = rows[0].index("工作表"), rows[0].index("单元格")
    links, keys = {}, []
    for r, values in enumerate(rows[1:], start=2):
        sheet, cell = values[sheet_col], values[cell_col]
        if sheet and cell and sheet in wb.sheets:
            links[(r, cell_col + 1)] = cell_link(sheet, cell)
            key = mark_key(sheet, cell)
            if key not in keys:
                keys.append(key)
    capacity = book.write_name(MARKS_NAME, keys)  # clears the previous run's marks first
    has_marks = capacity > 0
    if not ret.findings:
        if RESULTS_SHEET in dict(book.sheets()):
            book.write_sheet(RESULTS_SHEET, rows)  # an old list would mislead
        text = "校验通过：未发现问题。上次的标记已清除。"
        book.message(text)
        return Outcome("ledger", text)
    book.write_sheet(RESULTS_SHEET, rows, links=links)
    marked = min(len(keys), capacity)
    parts = [
        f"校验完成：错误 {counts['error']} 条，警告 {counts['warning']} 条。",
        f"问题已列在“{RESULTS_SHEET}”表（点单元格地址可跳转）",
    ]
    if has_marks:
        parts.append(f"，{marked} 个单元格已标红。")
        if marked < len(keys):
            parts.append(f"另有 {len(keys) - marked} 个单元格超出标记区容量，未标红。")
    else:
        parts.append("。此工作簿没有标记区（不是本模板生成），未标红。")
    parts.append("单元格内容没有被改动。")
    if counts["error"]:
        parts.append("有错误的台账会被退回，请修改后再校验。")
    text = "".join(parts)
    book.message(text)
    return Outcome("ledger", text)


def run_console_book(book: BookAdapter) -> Outcome:
    text = refresh(book)
    book.message(text)
    return Outcome("console", text)


def offer_new(book: BookAdapter, *, today: date | None = None) -> Outcome:
    """Neither a ledger nor the console: ask for a unit to create a blank ledger for."""
    ref = load()
    answer = book.ask(
        "当前工作簿不是台账，也不是市局控制台。\n"
        "要新建空白台账，请输入报送单位（如 任城区）；留空则显示使用说明。",
    )
    if answer is None:
        return Outcome("cancelled", "")
    if not answer.strip():
        book.message(HELP)
        return Outcome("help", HELP)
    unit, _old = ref.unit_named(answer.strip())
    if unit is None:
        text = f"报送单位“{answer.strip()}”不在单位名单中：可选 {'、'.join(ref.unit_names)}"
        book.message(text)
        return Outcome("failed", text)
    code = book.ask(
        "报送期次（如 2021Y 年度、2022H1 上半年、2021P 制定台账）：",
        default=default_period(today or date.today()),
    )
    if code is None:
        return Outcome("cancelled", "")
    period = ref.period(code.strip())
    if period is None:
        text = f"报送期次“{code.strip()}”无法识别：应为 YYYYH1、YYYYY 或 2021P，例如 2021Y"
        book.message(text)
        return Outcome("failed", text)
    folder = book.path.parent if book.path else Path.home() / "Documents"
    target = folder / ledger_filename(unit.name, period)
    if target.exists():
        text = f"“{target}”已存在，未覆盖，已为您打开。"
    else:
        target = write_ledger(unit.name, period, target)
        text = f"已新建空白台账：{target}"
    book.open(target)
    book.message(text)
    return Outcome("created", text)


def default_period(today: date) -> str:
    """The period being filled now: the half-year until its report in July, else the year
    (whose report is due in January, so early January still means last year)."""
    if today.month == 1 and today.day <= 15:
        return f"{today.year - 1}Y"
    return f"{today.year}H1" if today.month <= 7 else f"{today.year}Y"


def main(book: BookAdapter, *, today: date | None = None) -> Outcome:
    meta = read_meta(book)
    template = meta.get("template")
    if template == META_TEMPLATE_ID:
        return check_ledger(book, meta, today=today)
    if template == CONSOLE_TEMPLATE_ID:
        return run_console_book(book)
    return offer_new(book, today=today)


def run(book: BookAdapter, *, today: date | None = None) -> Outcome:
    """main() with every failure turned into a Chinese message box by the common boundary: the
    officer never sees a Python traceback (a fault's goes to stderr, which xlwings logs)."""
    try:
        return main(book, today=today)
    except Exception as exc:
        if boundary.is_fault(exc):
            traceback.print_exc(file=sys.stderr)
        text, _code = boundary.explain(exc)
    book.message(text)
    return Outcome("failed", text)
