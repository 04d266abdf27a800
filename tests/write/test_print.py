"""Printed as they will be printed (issue 12, item 4): every visible sheet of the summary and the
console has a page set-up a person would choose — one page wide, its header row repeated, its
name and page number in the footer — header rows tall enough for their wrapped text, and no
block of 趋势 nor the reliability chart cut across two pages; LibreOffice prints the console as
one page per sheet."""

from __future__ import annotations

import subprocess
from datetime import date, datetime

import openpyxl
import pytest

from addin.consolidate.build import consolidate
from addin.write import compare, console_book, report
from addin.write.summary import book
from addin.write.summary.style import LINE_HEIGHT
from addin.write.xlsx import wrapped_height
from schemas.reference import load
from tests.handmade import city_due, conn, rel, ret, task

PERIOD = load().period("2021Y")


@pytest.fixture(scope="module")
def summary_path(tmp_path_factory):
    r = ret(
        "任城区",
        tasks=[task("1", "已完成", done=date(2021, 5, 1))],
        connection=[conn("低压居民和小微企业用户", 3, {"受理并答复供电方案": 2, "验收送电": 2}, 4)],
        reliability=[rel("市区", 3, 4, 3, 5)],
    )
    s = consolidate([r], PERIOD, validated_at=datetime(2022, 1, 10), city_due=city_due)
    current = report.as_dict(s)
    half = {**current, "period": "2021H1", "period_label": "2021年上半年", "as_of": "2021-06-30"}
    path = tmp_path_factory.mktemp("print") / "汇总.xlsx"
    book.write_summary(s, path, compare.trend(current, [half]))
    return path


def test_every_summary_sheet_prints_one_page_wide_with_its_header_and_page_numbers(summary_path):
    wb = openpyxl.load_workbook(summary_path)
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.paperSize == 8, ws.title  # A3
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0), ws.title  # 1 wide
        assert ws.print_title_rows == "$2:$2", ws.title
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text


def test_header_rows_are_tall_enough_for_their_wrapped_text(summary_path):
    wb = openpyxl.load_workbook(summary_path)
    for ws in wb.worksheets:
        cells = [
            (c.value, ws.column_dimensions[c.column_letter].width)
            for c in ws[2]
            if isinstance(c.value, str)
        ]
        needed = wrapped_height(cells, line=LINE_HEIGHT, font_size=10)
        assert ws.row_dimensions[2].height >= needed, ws.title
    # the header LibreOffice used to clip: 受理并答复供电方案平均（工作日） takes three lines
    connection = wb["办电时限汇总"]
    assert connection.row_dimensions[2].height >= 3 * LINE_HEIGHT


def test_trend_pages_break_between_blocks_and_the_reliability_chart_starts_a_page(summary_path):
    wb = openpyxl.load_workbook(summary_path)
    ws = wb["趋势"]
    assert ws.page_setup.orientation == "portrait"
    starts = [r for r in range(3, ws.max_row + 1) if ws.cell(r, 2).value == "全市"]
    breaks = [b.id for b in ws.row_breaks.brk]
    assert breaks, "24 blocks need several pages"
    for after in breaks:  # a break falls after a block's blank row, before the next block
        assert after + 1 in starts, after
    gaps = [b - a for a, b in zip([2, *breaks], breaks, strict=False)]
    assert max(gaps) * 15 <= 1191 - 2 * 0.6 * 72  # a page of A3 portrait holds each run
    reliability = wb["供电可靠性汇总"]
    [chart_break] = [b.id for b in reliability.row_breaks.brk]
    assert reliability.cell(chart_break + 1, 1).value == "区域"  # the chart's small table


def test_the_console_prints_one_page_per_sheet(tmp_path, convert):
    path = console_book.write_console(
        PERIOD, tmp_path / "收件", tmp_path / "控制台.xlsx", None, None
    )
    wb = openpyxl.load_workbook(path)
    for ws in (s for s in wb.worksheets if s.sheet_state == "visible"):
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert wb[console_book.UNITS_SHEET].print_title_rows == "$1:$1"
    pdf = convert(path, "pdf", tmp_path / "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "Pages:           3" in info  # 控制台, 报送情况, 使用说明: the title no longer split
