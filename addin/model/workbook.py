"""The one shape every source takes before validation: named sheets of cell values.

A file read from disk (read.py) and a workbook open in Excel (excel.py) both become a
Workbook, so validation never knows where the values came from.

Cells hold what a person sees: a formula's calculated value; a formula that failed as the
error Excel shows ("#DIV/0!", see `is_error_value`); a formula saved without any calculated
value (a file written by a script) as its text with the "=" ("=SUM(C3:C8)", see
`is_formula_text`). Plain strings, so a Workbook crosses a process boundary as JSON unchanged.
Hidden and very hidden sheets are kept, flagged `hidden`: they are not the ledger."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

CellValue = str | float | int | bool | date | datetime | time | None

# What Excel, WPS and LibreOffice show for a formula that failed.
ERROR_VALUES = ("#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!",
                "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!")  # fmt: skip
_LIBREOFFICE_ERROR = re.compile(r"^Err:\d{3}$")
_FORMULA_TEXT = re.compile(r"^=\s*\S")


def is_error_value(value: object) -> bool:
    """The cell shows a formula error (#DIV/0!, #N/A, LibreOffice's Err:502 …)."""
    if type(value) is not str or not value or value[0] not in "#E \t":
        return False  # every cell of a return is asked: most are answered by the first test
    text = value.strip()
    return text.upper() in ERROR_VALUES or bool(_LIBREOFFICE_ERROR.match(text))


def is_formula_text(value: object) -> bool:
    """The cell is a formula the file carries no calculated value for (=SUM(C3:C8))."""
    return type(value) is str and value[:1] == "=" and bool(_FORMULA_TEXT.match(value))


def column_letter(col: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """Excel address of a 1-based (row, column)."""
    return f"{column_letter(col)}{row}"


_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def parse_a1(cell: str | None) -> tuple[int, int] | None:
    """G14 (or $G$14) → (14, 7); None for anything that is not one cell's address."""
    match = _A1.match(cell or "")
    if not match:
        return None
    col = 0
    for ch in match.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)), col


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: tuple[tuple[CellValue, ...], ...]  # rows[0] is Excel row 1, rows[r][0] column A
    hidden: bool = False

    def cell(self, row: int, col: int) -> CellValue:
        """Value at 1-based Excel (row, column); None outside the used range."""
        if 1 <= row <= len(self.rows):
            values = self.rows[row - 1]
            if 1 <= col <= len(values):
                return values[col - 1]
        return None

    @property
    def max_row(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Workbook:
    sheets: dict[str, Sheet]
    source: str  # a file path, or "Excel:<book name>" for live values
    format: str  # xlsx, xlsm, xls, xlsb, ods or "excel"
    date1904: bool = False
    meta: dict[str, Any] = field(default_factory=dict)  # template metadata, if found

    def sheet(self, name: str) -> Sheet | None:
        return self.sheets.get(name)
