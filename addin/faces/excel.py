"""The xlwings adapter: the only module that imports xlwings, and as thin as it can be.

`main()` is what the add-in runs (`import taizhang; taizhang.main()` → here). It wraps the
workbook that called it in `XlwingsBook`, which implements entry.BookAdapter over Excel's
object model, and hands it to the common pipeline (addin/entry.py).

None of this can run on Linux: Excel, COM and the VBA are checked by hand (docs/ADDIN.md).
For tests and debugging, TAIZHANG_BOOK_FACTORY="module:callable" replaces the caller
workbook with any object implementing BookAdapter (tests/fake_book.py).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from addin.faces import button as entry
from schemas.sheets import FORMULA_STARTS

FACTORY_ENV = "TAIZHANG_BOOK_FACTORY"
MAX_ROWS, MAX_COLUMNS = (
    20_000,
    200,
)  # a ledger has ~80 rows: never pull a sheet formatted to row 1048576
MAX_WIDTH = 60  # column width cap after autofit, in characters


class XlwingsBook:
    """entry.BookAdapter over an xlwings Book."""

    def __init__(self, book):
        self.book = book
        self.name = book.name
        fullname = book.fullname
        # never saved: fullname is just the name; on OneDrive/SharePoint it is a URL
        self.path = Path(fullname) if os.sep in fullname and "://" not in fullname else None
        self.date1904 = bool(book.api.Date1904)

    @classmethod
    def caller(cls) -> XlwingsBook:
        import xlwings as xw

        return cls(xw.Book.caller())

    def sheets(self) -> list[tuple[str, bool]]:
        return [(sheet.name, not sheet.visible) for sheet in self.book.sheets]

    def read_sheet(self, name: str) -> entry.Rows:
        sheet = self.book.sheets[name]
        used = sheet.used_range
        top, left = used.row, used.column
        last_row = min(top + used.rows.count - 1, MAX_ROWS)
        last_col = min(left + used.columns.count - 1, MAX_COLUMNS)
        if last_row < top or last_col < left:
            return ()
        # Value2 would give dates as serial numbers; .value gives datetime like the file reader
        values = sheet.range((top, left), (last_row, last_col)).options(ndim=2).value
        pad = (None,) * (left - 1)
        blank = (None,) * last_col
        return tuple([blank] * (top - 1) + [pad + tuple(row) for row in values])

    def write_sheet(self, name: str, rows, *, links=None) -> None:
        names = [s.name for s in self.book.sheets]
        if name in names:
            sheet = self.book.sheets[name]
            sheet.clear()  # values, formats and hyperlinks of the previous run
        else:
            sheet = self.book.sheets.add(name, before=self.book.sheets[0])
        width = max((len(r) for r in rows), default=0)
        if width:
            matrix = [[_safe(v) for v in r] + [None] * (width - len(r)) for r in rows]
            sheet.range((1, 1)).value = matrix
            sheet.range((1, 1), (1, width)).font.bold = True
            sheet.autofit("c")
            for col in range(1, width + 1):
                column = sheet.range((1, col)).entire_column
                if column.column_width > MAX_WIDTH:
                    column.column_width = MAX_WIDTH
        for (row, col), target in (links or {}).items():
            cell = sheet.range((row, col))
            sheet.api.Hyperlinks.Add(
                Anchor=cell.api,
                Address="",
                SubAddress=target,
                TextToDisplay=str(cell.value or target),
            )
        sheet.activate()

    def write_name(self, name: str, values: list[str]) -> int:
        try:
            target = self.book.names[name].refers_to_range
        except Exception:  # no such name, or it refers to nothing: nothing to mark
            return 0
        capacity = target.rows.count
        target.clear_contents()
        count = min(len(values), capacity)
        if count:
            target[0:count, 0:1].value = [[_safe(v)] for v in values[:count]]
        return capacity

    def message(self, text: str, title: str = entry.TITLE) -> None:
        self.book.app.alert(text, title=title)

    def ask(self, prompt: str, title: str = entry.TITLE, default: str = "") -> str | None:
        answer = self.book.app.api.InputBox(prompt, title, default, Type=2)  # 2: text
        return None if answer is False else str(answer)

    def open(self, path: Path) -> None:
        self.book.app.books.open(str(path))


def _safe(value):
    """Text stays text: Excel would turn a string starting with = into a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _book_factory():
    spec = os.environ.get(FACTORY_ENV)
    if not spec:
        return XlwingsBook.caller
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def main() -> int:
    """Run the button; every failure reaches the user as a Chinese message. If even the
    message box cannot be shown, the message goes to stderr and the exit status is 1, which
    the add-in's VBA shows in its own error box."""
    try:
        book = _book_factory()()
    except Exception as exc:
        print(
            f"台账插件无法连接到当前工作簿（{type(exc).__name__}: {exc}）。"
            "请确认是在 Excel 中点击“台账”按钮运行。",
            file=sys.stderr,
        )
        sys.exit(1)
    try:
        outcome = entry.run(book)
    except Exception as exc:  # the message box itself failed
        print(f"台账插件运行出错（{type(exc).__name__}: {exc}）", file=sys.stderr)
        sys.exit(1)
    return 0 if outcome.kind != "failed" else 1
