"""What every workbook taizhang writes with XlsxWriter shares: a book that never turns text
into a formula, a number or a link, a cache of cell formats, and one way to put a value in a
cell. Text from a county's file goes through write_string only, so "=HYPERLINK(…)" or "@SUM"
stays text in the ledger, the summary and the console alike.

Every string a sheet of such a book receives — through put, write_string or write — loses its
control characters first (clean_text): a return's `_x001B_` arrives as a real ESC, which a
workbook would otherwise carry to whoever opens it."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from pathlib import Path

from addin.write.text import clean_text

# XlsxWriter's write() guesses: "=1+2" would become a formula, "0537" a number, a URL a link.
TEXT_STAYS_TEXT = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
A3, A4 = 8, 9  # XlsxWriter's paper codes


@cache
def _book_class():
    import xlsxwriter
    from xlsxwriter.worksheet import Worksheet

    class CleanSheet(Worksheet):
        # every public write of a string (write, write_string, merge_range) ends here
        def _write_string(self, row, col, string, cell_format=None):
            return super()._write_string(row, col, clean_text(str(string)), cell_format)

    class Book(xlsxwriter.Workbook):
        def add_worksheet(self, name=None, worksheet_class=None):
            return super().add_worksheet(name, worksheet_class or CleanSheet)

    return Book


def new_book(path: Path | str, **options):
    """An XlsxWriter workbook at `path` that writes text as text (plus any other options)."""
    return _book_class()(str(path), {**TEXT_STAYS_TEXT, **options})


class Formats:
    """Cell formats made once per workbook, keyed by their properties over a common base
    (XlsxWriter would otherwise store one format per call)."""

    def __init__(self, book, **base):
        self.book, self.base = book, base
        self.cache: dict[tuple, object] = {}

    def __call__(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.book.add_format({**self.base, **props})
        return self.cache[key]


def put(ws, row: int, col: int, value, fmt=None) -> None:
    """One cell, 1-based like Excel. Strings only ever through write_string; a bool is 是/否."""
    r, c = row - 1, col - 1
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(r, c, "是" if value else "否", fmt)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value, fmt)
    elif isinstance(value, datetime | date):
        ws.write_datetime(r, c, value, fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


def put_row(ws, row: int, cells: Iterable[tuple[object, object]], first_col: int = 1) -> None:
    """(value, format) pairs into one row from `first_col` on (1-based)."""
    for col, (value, fmt) in enumerate(cells, start=first_col):
        put(ws, row, col, value, fmt)


def print_wide(ws, *, header_rows: tuple[int, int] | None = None) -> None:
    """A3 landscape, every column on one page wide, centred; `header_rows` (0-based first,
    last) repeat on every printed page."""
    ws.set_paper(A3)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    if header_rows is not None:
        ws.repeat_rows(*header_rows)


# --- row heights for wrapped text ------------------------------------------------------------
# Excel does not grow a row for wrapped text when it opens a file, so the writer estimates the
# lines: a column of width w holds about w - 1.5 half-width characters of 11-pt text (a Chinese
# character counts two), proportionally more of smaller text.


def text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_lines(value, width: float, font_size: float = 11) -> int:
    per_line = max(1.0, (width - 1.5) * 11 / font_size)
    return max(math.ceil(text_width(part) / per_line) or 1 for part in str(value).split("\n"))


def wrapped_height(
    cells: Iterable[tuple[object, float]], *, line: float, font_size: float = 11, minimum=0.0
) -> float:
    """Points for a row whose (value, column width) cells wrap: the tallest cell decides."""
    lines = max((text_lines(v, w, font_size) for v, w in cells if isinstance(v, str)), default=1)
    return max(minimum, round(lines * line + 4, 2))
