"""The summary's 趋势 sheet (SPEC §7): per indicator a block of rows — 全市 first, then each
unit — with one column per period (the earlier summaries given with --previous, oldest first,
then this one), and beside each block a line chart of the city-wide figure by period. The
figures are the JSON's (write/compare.py), so each period shows what its own summary showed.

With this period alone the table has one column and a note says how to add earlier ones; a
line needs two points, so the charts come with the second period.

Printed A3 portrait one page wide, with page breaks between blocks so that no block nor its
chart is cut across two pages."""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell

from addin.write.compare import CITY, Trend
from addin.write.summary.style import COUNT, DAYS, HEADER_ROW, PCT, UNIT_WIDTH, header_height, sheet
from addin.write.xlsx import A3, put

NAME = "趋势"
FORMATS = {"rate": PCT, "count": COUNT, "days": DAYS, "hours": DAYS, "amount": DAYS}
MEASURE_WIDTH = 34
PERIOD_WIDTH = 13
CHART_ROWS = 15  # a block is 全市 and the 14 units: one chart per block, as tall as it
CHART_WIDTH = 420  # pixels
ROW_PT = 15  # XlsxWriter's default row height
# A3 portrait's height inside margins of 0.6 in (style.sheet's), in points
PAGE_H = 1191 - 2 * 0.6 * 72


def print_setup(ws, headers: list[tuple[str, float]], blocks: list[tuple[int, int]]) -> None:
    """A3 portrait, one page wide, with a page break before each block that would not fit
    whole on its page. The breaks assume no shrinking (fit-to-width only ever shrinks, which
    leaves room at the foot of a page, never cuts a block). `blocks`: (first row, 0-based;
    rows) of each."""
    header = header_height(headers)
    breaks = []
    top = 24 + header  # points used on the page: the title and the header row on the first
    for first, rows in blocks:
        block = (rows + 1) * ROW_PT  # and the blank row after it
        if top + block > PAGE_H and top > header:
            breaks.append(first)
            top = header  # the header row repeats
        top += block
    ws.set_paper(A3)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW - 1)
    ws.set_h_pagebreaks(breaks)


def trend_sheet(book, fmt, t: Trend, title_period: str) -> None:
    headers = [("指标", MEASURE_WIDTH), ("单位", UNIT_WIDTH)]
    headers += [(c.label, PERIOD_WIDTH) for c in t.periods]
    span = f"{t.periods[0].label}—{t.periods[-1].label}" if len(t.periods) > 1 else title_period
    ws = sheet(book, fmt, NAME, f"各期对比（{span}）", headers, freeze_cols=2, wide=False)
    text, bold = fmt(text_wrap=True), fmt(text_wrap=True, bold=True, bg_color="#F2F2F2")
    row = last_data = HEADER_ROW
    last_col = 2 + len(t.periods)
    starts = []
    for block in t.blocks:
        m = block.measure
        number = FORMATS[m.kind]
        first = row + 1
        starts.append((first - 1, len(block.values)))
        for name, values in block.values.items():
            row += 1
            city = name == CITY
            label = f"{m.name}（{m.unit_of_measure}）"
            put(ws, row, 1, label, bold if city else text)
            put(ws, row, 2, name, bold if city else text)
            style = fmt(num_format=number, align="center", **({"bold": True} if city else {}))
            for col, value in enumerate(values, start=3):
                put(ws, row, col, value, style)
        if len(t.periods) > 1:
            chart = book.add_chart({"type": "line"})
            chart.add_series(
                {
                    "name": f"{CITY}{m.name}",
                    "categories": [NAME, HEADER_ROW - 1, 2, HEADER_ROW - 1, last_col - 1],
                    "values": [NAME, first - 1, 2, first - 1, last_col - 1],
                    "marker": {"type": "circle", "size": 6},
                    "data_labels": {"value": True, "num_format": number, "font": {"size": 8}},
                }
            )
            chart.set_title({"name": f"{CITY}{m.name}", "name_font": {"size": 10}})
            axis = {"num_format": number, "major_gridlines": {"visible": True}}
            chart.set_y_axis(axis | ({"max": 1} if m.kind == "rate" else {}))  # never above 100%
            chart.set_legend({"none": True})
            chart.set_size({"width": CHART_WIDTH, "height": CHART_ROWS * 20})
            ws.insert_chart(xl_rowcol_to_cell(first - 1, last_col + 1), chart)
        last_data = row
        row += 1  # a blank row between blocks
    if len(t.periods) == 1:
        note = "只有本期的数字：用 --previous 给出往期的汇总 JSON，即可看到各期对比和折线图。"
        ws.write_string(row, 0, note, fmt(italic=True, border=0, font_color="#595959"))
    ws.autofilter(HEADER_ROW - 1, 0, last_data - 1, last_col - 1)
    print_setup(ws, headers, starts)
