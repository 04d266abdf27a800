"""LibreOffice as the stand-in for Excel: the blank ledger opens, prints, and survives round
trips to .xlsx, .ods and .xls; the add-in's marks (conditional formatting through the defined
name taizhang_marks on the hidden sheet) are evaluated. One soffice run per output (~2 s)."""

from __future__ import annotations

import re
import zipfile
import zlib

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from addin.write.template.book import MARK_FILL, mark_formula, mark_key, write_ledger
from schemas.reference import load
from schemas.sheets import (
    ALL_SHEETS,
    GUIDE_SHEET,
    MARKS_NAME,
    META_SHEET,
    META_TEMPLATE_ID,
    TASKS,
    TEMPLATE_VERSION,
)

pytestmark = pytest.mark.slow

REF = load()
MARKS = (mark_key("任务台账", "C5"), mark_key("封面", "B5"))
ROUND_TRIPS = ("xlsx", "ods", "xls")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return write_ledger("任城区", REF.period("2021Y"), tmp_path_factory.mktemp("lo-src"))


@pytest.fixture(scope="module")
def marked(template, tmp_path_factory):
    """A copy with two marks written into the marks area, as the add-in would."""
    wb = openpyxl.load_workbook(template)
    for i, key in enumerate(MARKS, start=2):
        wb[META_SHEET].cell(i, 4).value = key
    path = tmp_path_factory.mktemp("lo-marked") / "marked.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def converted(template, marked, convert, tmp_path_factory):
    out = {
        fmt: convert(template, fmt, tmp_path_factory.mktemp(f"lo-{fmt}"))
        for fmt in ("pdf", *ROUND_TRIPS)
    }
    out["marked.pdf"] = convert(marked, "pdf", tmp_path_factory.mktemp("lo-marked-pdf"))
    return out


def pdf_fill_count(path, hex_rgb: str) -> int:
    """How often a PDF's drawing streams set the fill colour `hex_rgb` ("r g b rg")."""
    want = tuple(int(hex_rgb.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    data = path.read_bytes()
    count = 0
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text = zlib.decompress(m.group(1)).decode("latin-1")
        except zlib.error:
            continue
        for rgb in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) rg\b", text):
            count += all(abs(float(x) - y) < 1e-3 for x, y in zip(rgb, want, strict=True))
    return count


def test_template_converts_to_pdf(converted):
    pdf = converted["pdf"]
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    assert pdf_fill_count(pdf, MARK_FILL) == 0  # no marks, no red


def test_marks_are_highlighted_by_libreoffice(converted):
    # Each marked cell gets the conditional format's light red fill, and nothing else does.
    assert pdf_fill_count(converted["marked.pdf"], MARK_FILL) == len(MARKS)


@pytest.mark.parametrize("fmt", ROUND_TRIPS)
def test_round_trip_keeps_tasks_headers_and_meta(converted, fmt):
    book = CalamineWorkbook.from_path(str(converted[fmt]))
    assert book.sheet_names == [s.name for s in ALL_SHEETS] + [GUIDE_SHEET, META_SHEET]
    for layout in ALL_SHEETS:
        rows = book.get_sheet_by_name(layout.name).to_python()
        assert tuple(rows[1][: len(layout.headers)]) == layout.headers, (fmt, layout.name)
    rows = book.get_sheet_by_name(TASKS.name).to_python()
    for i, task in enumerate(REF.tasks):
        row = rows[2 + i]
        assert (row[0], *row[1:5]) == (
            float(task.id),
            task.category,
            task.text,
            task.units,
            task.due,
        ), (fmt, task.id)
    meta_sheet = next(s for s in book.sheets_metadata if s.name == META_SHEET)
    assert "Hidden" in str(meta_sheet.visible)
    meta = {r[0]: r[1] for r in book.get_sheet_by_name(META_SHEET).to_python()[1:] if r[0]}
    assert meta["template"] == META_TEMPLATE_ID
    assert meta["template_version"] == TEMPLATE_VERSION
    assert (meta["unit"], meta["period"]) == ("任城区", "2021Y")


def test_round_trip_keeps_marks_machinery(converted):
    wb = openpyxl.load_workbook(converted["xlsx"])
    assert wb.defined_names[MARKS_NAME].attr_text.endswith("!$D$2:$D$2001")
    rules = [r.formula for cf in wb["任务台账"].conditional_formatting for r in cf.rules]
    assert rules == [[mark_formula("任务台账").removeprefix("=")]]
    assert wb["任务台账"].protection.sheet and not wb["任务台账"]["F3"].protection.locked
    statuses = [dv for dv in wb["任务台账"].data_validations.dataValidation if dv.type == "list"]
    assert len(statuses) == 1 and "不适用" in statuses[0].formula1
    content = zipfile.ZipFile(converted["ods"]).read("content.xml").decode()
    assert f'table:name="{MARKS_NAME}"' in content
    assert f"COUNTIF({MARKS_NAME};&quot;任务台账!&quot;&amp;ADDRESS(ROW();COLUMN();4))" in content
