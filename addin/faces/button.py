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
import tomllib
import traceback
from dataclasses import dataclass
from datetime import date
from importlib import resources
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

WORDS = tomllib.loads(
    resources.files("schemas").joinpath("data", "button.toml").read_text(encoding="utf-8")
)
CHECK, EXCEL = WORDS["check"], WORDS["excel"]  # [wps] is the WPS add-in's (build.py --wps)
HELP = EXCEL["help"]


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
        text = CHECK["clean"]
        book.message(text)
        return Outcome("ledger", text)
    book.write_sheet(RESULTS_SHEET, rows, links=links)
    marked = min(len(keys), capacity)
    parts = [
        CHECK["counts"].format(error=counts["error"], warning=counts["warning"]),
        CHECK["listed"].format(sheet=RESULTS_SHEET),
    ]
    if has_marks:
        parts.append(CHECK["marked"].format(marked=marked))
        if marked < len(keys):
            parts.append(CHECK["overflow"].format(over=len(keys) - marked))
    else:
        parts.append(CHECK["no_marks"])
    parts.append(CHECK["untouched"])
    if counts["error"]:
        parts.append(CHECK["returned"])
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
    answer = book.ask(EXCEL["ask_unit"])
    if answer is None:
        return Outcome("cancelled", "")
    if not answer.strip():
        book.message(HELP)
        return Outcome("help", HELP)
    unit, _old = ref.unit_named(answer.strip())
    if unit is None:
        text = EXCEL["unit_unknown"].format(unit=answer.strip(), units="、".join(ref.unit_names))
        book.message(text)
        return Outcome("failed", text)
    code = book.ask(
        EXCEL["ask_period"],
        default=default_period(today or date.today()),
    )
    if code is None:
        return Outcome("cancelled", "")
    period = ref.period(code.strip())
    if period is None:
        text = EXCEL["period_unknown"].format(code=code.strip())
        book.message(text)
        return Outcome("failed", text)
    folder = book.path.parent if book.path else Path.home() / "Documents"
    target = folder / ledger_filename(unit.name, period)
    if target.exists():
        text = EXCEL["exists"].format(path=target)
    else:
        target = write_ledger(unit.name, period, target)
        text = EXCEL["created"].format(path=target)
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
