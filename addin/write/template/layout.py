"""How every ledger sheet looks and behaves: fonts, fills and row heights, the shared frame
(title, headers, widths, freeze, print set-up, protection), the data-validation rules of input
cells, and the add-in's marks — a hidden list of cell keys that each sheet's conditional
format looks its cells up in, so the add-in can point at cells without touching their formats.
Nothing here imports XlsxWriter: readers may import `mark_key` cheaply."""

from __future__ import annotations

from datetime import date

from addin.write.xlsx import Formats, print_wide, wrapped_height
from schemas.reference import load
from schemas.sheets import FIRST_DATA_ROW, HEADER_ROW, MARKS_NAME, META_SHEET, SheetLayout

# --- marks: the add-in's highlight list --------------------------------------------------
# The add-in writes one key per cell to highlight into _taizhang!D2:D2001 (the defined name
# taizhang_marks); each sheet's conditional format looks its own cells up there.
MARK_KEY_FORMAT = "{sheet}!{cell}"  # e.g. 任务台账!G14 — no quotes, no $, column in capitals
MARKS_COLUMN = 4  # D
MARKS_HEADER = "marks"
MARKS_FIRST_ROW = 2
MARKS_ROWS = 2000
MARKS_REF = f"='{META_SHEET}'!$D${MARKS_FIRST_ROW}:$D${MARKS_FIRST_ROW + MARKS_ROWS - 1}"
MARK_FILL = "#FFC7CE"  # Excel's own "light red fill"
MARK_FONT = "#9C0006"

# Dates accepted without a warning: from the plan's start to the last year periods exist.
DATE_MIN = load().periods["plan_start"]
DATE_MAX = date(load().periods["last_year"], 12, 31)
DATE_FORMAT = 'yyyy"年"m"月"d"日"'

HEADER_FILL = "#DDEBF7"
INPUT_FILL = "#FFF9E5"
ABOLISHED_FILL = "#D9D9D9"
FONT = "宋体"
LINE_HEIGHT = 14.25  # points per line of 11-pt 宋体, what Excel uses for its default row


def mark_key(sheet: str, cell: str) -> str:
    """The text the add-in writes into taizhang_marks to highlight `cell` on `sheet`."""
    return MARK_KEY_FORMAT.format(sheet=sheet, cell=cell.replace("$", "").upper())


def mark_formula(sheet: str) -> str:
    """Conditional-format formula: true when this cell's key is in taizhang_marks.
    ADDRESS(ROW(),COLUMN(),4) is the evaluated cell's relative address, e.g. G14."""
    return f'=COUNTIF({MARKS_NAME},"{sheet}!"&ADDRESS(ROW(),COLUMN(),4))>0'


class LedgerFormats(Formats):
    """Wrapped, bordered, vertically centred; `input` cells unlocked and lightly filled."""

    def __init__(self, book):
        super().__init__(book, text_wrap=True, valign="vcenter", border=1)

    def locked(self, **props):
        return self(**props)

    def input(self, **props):
        return self(locked=False, bg_color=INPUT_FILL, **props)


def frame(ws, fmt, layout: SheetLayout, fields: dict, last_row: int) -> None:
    """Title, headers, widths, freeze, print set-up, protection and the marks format."""
    last_col = len(layout.columns) - 1
    title = layout.title.format(**fields)
    ws.merge_range(0, 0, 0, last_col, title, fmt(bold=True, font_size=16, align="center", border=0))
    ws.set_row(0, 32)
    for col, column in enumerate(layout.columns):
        ws.set_column(col, col, column.width)
        ws.write_string(
            HEADER_ROW - 1, col, column.header, fmt(bold=True, align="center", bg_color=HEADER_FILL)
        )
    ws.set_row(HEADER_ROW - 1, height([c.header for c in layout.columns], layout))
    ws.freeze_panes(HEADER_ROW, 0)
    print_wide(ws, header_rows=(0, HEADER_ROW - 1))
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.print_area(0, 0, last_row - 1, last_col)
    ws.protect("", {"format_columns": True, "format_rows": True})
    ws.conditional_format(
        FIRST_DATA_ROW - 1,
        0,
        last_row - 1,
        last_col,
        {
            "type": "formula",
            "criteria": mark_formula(layout.name),
            "format": fmt.book.add_format({"bg_color": MARK_FILL, "font_color": MARK_FONT}),
        },
    )


def height(values, layout: SheetLayout) -> float:
    """Row height for `values` wrapped in the layout's columns, at least 20 pt: room to type."""
    cells = zip(values, [c.width for c in layout.columns], strict=False)
    return wrapped_height(cells, line=LINE_HEIGHT, minimum=20.0)


def validate(ws, first: int, last: int, col: int, rule: dict) -> None:
    """A validation over 1-based rows first..last of a 0-based column."""
    ws.data_validation(first - 1, col, last - 1, col, rule)


def message(title: str, text: str) -> dict:
    # Excel's limits: 32 characters of title, 255 of message (XlsxWriter enforces them).
    return {"input_title": title[:32], "input_message": text[:255]}


def number_rule(whole: bool, minimum: float, strictly: bool, title: str, text: str) -> dict:
    kind = "整数" if whole else "数字"
    bound = f"大于 {minimum:g}" if strictly else f"不小于 {minimum:g}"
    return {
        "validate": "integer" if whole else "decimal",
        "criteria": ">" if strictly else ">=",
        "value": minimum,
        "error_title": "数值不符合要求",
        "error_message": f"请输入{bound}的{kind}。",
        **message(title, text),
    }


def date_rule(title: str, text: str) -> dict:
    # "warning", not "stop": a date typed as text (2021年5月20日) is valid for the validator,
    # and Excel's date check would otherwise refuse it outright.
    return {
        "validate": "date",
        "criteria": "between",
        "minimum": DATE_MIN,
        "maximum": DATE_MAX,
        "error_type": "warning",
        "error_title": "请核对日期",
        "error_message": (
            f"应为 {DATE_MIN:%Y-%m-%d} 至 {DATE_MAX:%Y-%m-%d} 之间的日期。"
            "如确为文字日期（如 2021年5月20日），请点击“是”保留。"
        ),
        **message(title, text),
    }
