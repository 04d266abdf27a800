"""How the city summary workbook looks: its sheets, the traffic-light words and colours (the
HTML report uses the same), number formats, and the frame every sheet shares — title in row 1,
headers in row 2, widths, frozen panes and an A3 landscape print set-up."""

from __future__ import annotations

from addin.model.figures import shown_rate
from addin.write.palette import LIGHT_FILL, LIGHT_FONT
from addin.write.xlsx import Formats, print_wide, put, put_row, wrapped_height

SHEETS = (
    "总览",
    "任务矩阵",
    "逾期滞后清单",
    "办电时限汇总",
    "供电可靠性汇总",
    "三零三省汇总",
    "校验问题",
    "来源",
)
HEADER_ROW = 2  # 1-based, as in the ledger: title in row 1, headers in row 2
FONT = "宋体"
PCT, DAYS, COUNT = "0.00%", "0.00", "#,##0"
LINE_HEIGHT = 13.5  # points per line of 10-pt 宋体
UNIT_WIDTH = 18  # room for the longest unit name, 济宁经济技术开发区


class SummaryFormats(Formats):
    """宋体 10 pt, bordered, vertically centred; `light` for a traffic-light cell."""

    def __init__(self, book):
        super().__init__(book, font_name=FONT, font_size=10, valign="vcenter", border=1)

    def light(self, light: str, **props):
        props.pop("bg_color", None)  # the light's own fill wins over a row's shading
        return self(
            bg_color=LIGHT_FILL[light], font_color=LIGHT_FONT[light], align="center", **props
        )


def sheet(
    book, fmt, name: str, title: str, headers: list[tuple[str, float]], *, freeze_cols: int = 1
):
    ws = book.add_worksheet(name)
    ws.write_string(0, 0, title, fmt(bold=True, font_size=14, border=0))
    ws.set_row(0, 24)
    ws.set_row(HEADER_ROW - 1, 36)
    head = fmt(bold=True, bg_color="#DDEBF7", text_wrap=True, align="center")
    for col, (text, width) in enumerate(headers, start=1):
        put(ws, HEADER_ROW, col, text, head)
        ws.set_column(col - 1, col - 1, width)
    ws.freeze_panes(HEADER_ROW, freeze_cols)
    print_wide(ws, header_rows=(HEADER_ROW - 1, HEADER_ROW - 1))
    return ws


def ratio(value):
    """An average that has no denominator shows as a dash, not as 0."""
    return "—" if value is None else value


def rate(value):
    """A rate as its cell shows it at 0.00%: a dash without a denominator, and never 100.00%
    unless it is exactly 1 (figures.shown_rate: Excel would round 0.99996 up)."""
    return "—" if value is None else shown_rate(value)


def fit(ws, row: int, headers: list[tuple[str, float]], values: dict[int, object]) -> None:
    """Height of `row` for its wrapped text, {1-based column: value}: Excel and LibreOffice
    do not grow rows for wrapped text when they open a file."""
    cells = [(v, headers[col - 1][1]) for col, v in values.items() if col <= len(headers)]
    ws.set_row(row - 1, wrapped_height(cells, line=LINE_HEIGHT, font_size=10))


def put_fitted(ws, row: int, headers: list[tuple[str, float]], values: list[tuple]) -> None:
    """(value, format) pairs from column A, and the row as tall as its text needs."""
    put_row(ws, row, values)
    fit(ws, row, headers, {col: v for col, (v, _) in enumerate(values, start=1)})
