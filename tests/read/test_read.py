"""read.py and isolate.py: format sniffing, guards, values read back, isolation of crashes."""

from __future__ import annotations

import pickle
import shutil
import warnings
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from addin.model.findings import catalogue, make
from addin.read.isolate import IsolatedReader, read_isolated
from addin.read.reader import ReadFailure, check_zip, read_workbook, sniff
from schemas.sheets import META_SHEET
from tests.conftest import CORPUS

REAL, HOSTILE = CORPUS / "real", CORPUS / "hostile"


def code_of(path, **kw) -> str:
    with pytest.raises(ReadFailure) as caught:
        read_workbook(path, **kw)
    failure = caught.value
    assert failure.code in catalogue()
    make(failure.code, **failure.params)  # every placeholder is supplied
    return failure.code


@pytest.fixture()
def ledger(tmp_path) -> Path:
    """A small workbook with every cell type, a hidden sheet and the metadata sheet."""
    path = tmp_path / "ledger.xlsx"
    wb = xlsxwriter.Workbook(path)
    dates = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("表一")
    ws.write_string("A1", "序号")
    ws.write_number("B1", 12.5)
    ws.write_number("C1", 3)
    ws.write_datetime("D1", datetime(2025, 6, 30), dates)
    ws.write_boolean("E1", True)
    ws.write_string("B3", "第三行")  # row 2 stays empty, A3 empty
    hidden = wb.add_worksheet("备注")
    hidden.write_string("A1", "隐藏")
    hidden.hide()
    meta = wb.add_worksheet(META_SHEET)
    meta.write_string("A1", "template_version")
    meta.write_string("B1", "1.0")
    meta.write_string("A2", "unit")
    meta.write_string("B2", "任城区")
    meta.hide()
    wb.close()
    return path


def rewrite(src: Path, dst: Path, part: str, edit) -> Path:
    """Copy a zip, passing one part through `edit(text) -> text`."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = edit(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info.filename, data)
    return dst


def add_cell(ref: str, value: str = "<v>1</v>"):
    row = "".join(ch for ch in ref if ch.isdigit())
    return lambda xml: xml.replace(
        "</sheetData>", f'<row r="{row}"><c r="{ref}">{value}</c></row></sheetData>'
    )


# ---------------------------------------------------------------- sniffing


def test_sniff_by_content_not_extension(tmp_path, ledger):
    assert sniff(ledger) == "xlsx"
    wb = openpyxl.Workbook()
    wb.template = True
    wb.save(tmp_path / "t.xltx")
    assert sniff(tmp_path / "t.xltx") == "xltx"
    renamed = shutil.copy(REAL / "sjs__biff5_sushi.xls", tmp_path / "really_xls.xlsx")
    assert sniff(renamed) == "xls"
    book = read_workbook(renamed)
    assert book.format == "xls" and list(book.sheets) == ["Sheet1"]
    assert sniff(shutil.copy(REAL / "frl__table.ods", tmp_path / "o.xlsx")) == "ods"
    assert sniff(REAL / "pxl__encryption-agile-123q.xlsx") == "encrypted-ooxml"


def test_not_spreadsheet_empty_and_truncated(tmp_path, ledger):
    csv = tmp_path / "data.xlsx"
    csv.write_text("单位,时限\n任城区,2025-06\n", encoding="utf-8")
    assert code_of(csv) == "file.not-spreadsheet"
    with pytest.raises(ReadFailure) as caught:
        sniff(csv)
    assert "CSV" in caught.value.params["what"]
    (tmp_path / "empty.xlsx").write_bytes(b"")
    assert code_of(tmp_path / "empty.xlsx") == "file.empty"
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(ledger.read_bytes()[: ledger.stat().st_size // 2])
    assert code_of(cut) == "file.corrupt"


def test_encrypted_files():
    assert code_of(REAL / "pxl__encryption-agile-123q.xlsx") == "file.encrypted"
    assert code_of(REAL / "pyc__password.xls") == "file.encrypted"  # FILEPASS in BIFF8
    assert code_of(REAL / "sjs__password_2002_40_xor.xls") == "file.encrypted"
    assert code_of(REAL / "cal__pass_protected.ods") == "file.encrypted"


# ---------------------------------------------------------------- values


def test_values_types_and_positions(ledger):
    book = read_workbook(ledger)
    sheet = book.sheet("表一")
    assert sheet.cell(1, 1) == "序号"
    assert sheet.cell(1, 2) == 12.5
    assert sheet.cell(1, 3) == 3
    assert sheet.cell(1, 4) in (date(2025, 6, 30), datetime(2025, 6, 30))
    assert sheet.cell(1, 5) is True
    assert sheet.cell(2, 1) is None and sheet.cell(3, 1) is None
    assert sheet.cell(3, 2) == "第三行"
    assert not sheet.hidden
    assert book.sheet("备注").hidden and book.sheet("备注").cell(1, 1) == "隐藏"
    assert book.meta == {"template_version": "1.0", "unit": "任城区"}
    assert book.format == "xlsx" and book.date1904 is False
    assert pickle.loads(pickle.dumps(book)) == book


def test_date1904(tmp_path):
    path = tmp_path / "mac.xlsx"
    wb = xlsxwriter.Workbook(path, {"date_1904": True})
    wb.add_worksheet().write_datetime(
        "A1", datetime(2025, 1, 2), wb.add_format({"num_format": "yyyy-mm-dd"})
    )
    wb.close()
    book = read_workbook(path)
    assert book.date1904 is True
    assert book.sheet("Sheet1").cell(1, 1) in (date(2025, 1, 2), datetime(2025, 1, 2))
    assert read_workbook(REAL / "rxl__dates-1904.xls").date1904 is True
    assert read_workbook(REAL / "sjs__biff5_sushi.xls").date1904 is False


def test_hidden_and_very_hidden_sheets():
    book = read_workbook(REAL / "sjs__sheet_visibility_strict.xlsx")
    assert {n: s.hidden for n, s in book.sheets.items()} == {
        "Visible": False,
        "Hidden": True,
        "VeryHidden": True,
    }


# ---------------------------------------------------------------- guards


SHEET = "xl/worksheets/sheet1.xml"


def test_far_out_reference_is_refused_before_calamine(tmp_path, ledger):
    corner = rewrite(ledger, tmp_path / "corner.xlsx", SHEET, add_cell("XFD1048576"))
    assert code_of(corner) == "file.too-large"
    beyond = rewrite(ledger, tmp_path / "beyond.xlsx", SHEET, add_cell("A2000000"))
    assert code_of(beyond) == "file.hostile"
    wide = rewrite(ledger, tmp_path / "wide.xlsx", SHEET, add_cell("IV5"))
    assert code_of(wide) == "file.too-large"


def test_empty_styled_far_cell_is_not_a_false_alarm(tmp_path, ledger):
    # Excel keeps formatted empty cells; calamine ignores them, so must the guard
    styled = rewrite(
        ledger,
        tmp_path / "styled.xlsx",
        SHEET,
        lambda x: x.replace(
            "</sheetData>", '<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'
        ),
    )
    assert read_workbook(styled).sheet("表一").cell(3, 2) == "第三行"


def test_duplicate_entries_bomb_entities_and_entry_count(tmp_path, ledger):
    dup = shutil.copy(ledger, tmp_path / "dup.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it is told to write
        with zipfile.ZipFile(dup, "a") as z:
            z.writestr(SHEET, "<worksheet/>")
    assert code_of(dup) == "file.hostile"

    bomb = shutil.copy(ledger, tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.xml", b" " * (11 * 1024 * 1024))
    assert code_of(bomb) == "file.hostile"

    entity = rewrite(
        ledger,
        tmp_path / "dtd.xlsx",
        "xl/sharedStrings.xml",
        lambda x: x.replace("?>", '?><!DOCTYPE sst [<!ENTITY a "aaaa">]>', 1),
    )
    assert code_of(entity) == "file.hostile"

    many = shutil.copy(ledger, tmp_path / "many.xlsx")
    with zipfile.ZipFile(many, "a", zipfile.ZIP_STORED) as z:
        for i in range(10_001):
            z.writestr(f"x/{i}", b"")
    assert code_of(many) == "file.hostile"


def test_check_zip_direct_and_ods_repeats(ledger):
    assert check_zip(ledger) == {"date1904": False, "merged": {}}
    assert code_of(REAL / "cal__issue_594_dos.ods") == "file.hostile"
    # ODS writes empty rows as huge repeat counts: normal, not a hostile file
    assert len(read_workbook(REAL / "cal__number_rows_repeated.ods").sheets) == 3


def test_size_limit(ledger):
    assert code_of(ledger, max_bytes=100) == "file.too-large"


def test_panic_is_a_finding():
    # calamine raises pyo3 PanicException (a BaseException) on this fuzzed .xls
    code = code_of(REAL / "poi__clusterfuzz-testcase-minimized-POIHSSFFuzzer-5816431116615680.xls")
    assert code == "file.unreadable"


# ---------------------------------------------------------------- isolation


def test_read_failure_pickles_and_renders():
    failure = ReadFailure("file.corrupt", {"name": "a.xlsx"}, detail="缺少部件")
    again = pickle.loads(pickle.dumps(failure))
    assert (again.code, again.params) == ("file.corrupt", {"name": "a.xlsx", "detail": "缺少部件"})
    assert "a.xlsx" in again.finding().message


def test_crashing_child_is_one_failure_and_the_batch_goes_on(ledger):
    corner = HOSTILE / "corner_cells_A1_XFD1048576.xlsx"
    with IsolatedReader(jobs=1, timeout=20, guard=False) as reader:
        results = list(reader.map([corner, ledger, corner, ledger]))
        assert [r.code if isinstance(r, ReadFailure) else "ok" for _, r in results] == [
            "file.crashed-reader",
            "ok",
            "file.crashed-reader",
            "ok",
        ]
        assert results[1][1] == read_workbook(ledger)
        assert reader.started == 3  # one worker per crash, reused for the good files
        make(results[0][1].code, **results[0][1].params)
    # with the guards on, calamine never sees it
    with pytest.raises(ReadFailure) as caught:
        read_isolated(corner)
    assert caught.value.code == "file.too-large"


def test_timeout_kills_the_worker(ledger):
    slow = HOSTILE / "bomb_cells_20M.xlsx"  # ~12 s in calamine without the guards
    with IsolatedReader(jobs=2, timeout=1.0, guard=False) as reader:
        results = dict(reader.map([slow, ledger]))
    assert results[slow].code == "file.timeout"
    assert results[slow].params["seconds"] == "1"
    assert results[ledger].sheet("表一").cell(3, 2) == "第三行"


def test_parallel_map_keeps_input_order(ledger, tmp_path):
    paths = []
    for i in range(6):
        path = tmp_path / f"book{i}.xlsx"
        wb = xlsxwriter.Workbook(path)
        wb.add_worksheet(f"S{i}").write_number("A1", i)
        wb.close()
        paths.append(path)
    with IsolatedReader(jobs=3) as reader:
        out = list(reader.map(paths))
    assert [p for p, _ in out] == paths
    assert [next(iter(b.sheets.values())).cell(1, 1) for _, b in out] == list(range(6))


def test_cells_without_references_are_counted_in_order(tmp_path, ledger):
    # no r= attributes: calamine places each cell after the previous one, so must the guard
    row = "<row>" + "<c><v>1</v></c>" * 250 + "</row>"
    wide = rewrite(
        ledger,
        tmp_path / "noref.xlsx",
        SHEET,
        lambda x: x.replace("</sheetData>", row + "</sheetData>"),
    )
    assert code_of(wide) == "file.too-large"
    narrow = rewrite(
        ledger,
        tmp_path / "noref_ok.xlsx",
        SHEET,
        lambda x: x.replace("</sheetData>", "<row>" + "<c><v>7</v></c>" * 3 + "</row></sheetData>"),
    )
    assert read_workbook(narrow).sheet("表一").cell(4, 3) == 7


@pytest.mark.parametrize(
    "xml, refs",
    [
        # the plain form every writer uses: the fast patterns answer
        (b'<row r="2"><c r="B2" s="1"><v>1</v></c><c r="AB9" t="s"/></row>', [(b"B", b"2")]),
        # a namespace prefix, single quotes, lower case, r= not first: the general patterns
        (b"<x:c r='C3'><x:v>1</x:v></x:c>", [(b"C", b"3")]),
        (b'<c s="1" r="D4"><v>1</v></c><c r="E5"><v>2</v></c>', [(b"D", b"4"), (b"E", b"5")]),
        (b'<c r="$F$6"><v>1</v></c>', [(b"F", b"6")]),
        # a value cell without r=: only the tag-by-tag walk can place it
        (b'<c r="A1"><v>1</v></c><c><v>2</v></c>', None),
    ],
)
def test_cell_refs_fast_and_general_agree(xml, refs):
    from addin.read.guard import _cell_refs

    assert _cell_refs(b"<worksheet><sheetData>" + xml + b"</sheetData></worksheet>") == refs


def test_wire_format_round_trips_every_cell_type(ledger):
    from datetime import time as dtime

    from addin.model.workbook import Sheet, Workbook
    from addin.read.isolate import _decode, _encode

    nan = float("nan")
    rows = (
        ("text", 1.5, 2, True, None),
        (date(2021, 5, 20), datetime(2021, 5, 20, 8, 30), None, '["dt", "x"]', -0.0),
        (nan, float("inf"), "", "2021-05-20", False),
    )
    rows += ((dtime(12, 30), None, None, None, date(1904, 1, 1)),)
    wb = Workbook(
        sheets={"a": Sheet("a", rows, False), "b": Sheet("b", (), True)},
        source="x.xlsx",
        format="xlsx",
        date1904=True,
        meta={"template": "t", "when": date(2021, 1, 1)},
    )
    back = _decode(_encode(wb))
    assert back.meta == wb.meta and back.date1904 and back.source == "x.xlsx"
    assert [s.hidden for s in back.sheets.values()] == [False, True]
    got = back.sheets["a"].rows
    assert all(isinstance(r, tuple) for r in got) and len(got) == len(rows)
    for want_row, got_row in zip(rows, got, strict=True):
        for want, have in zip(want_row, got_row, strict=True):
            if isinstance(want, float) and want != want:
                assert have != have
            else:
                assert have == want and type(have) is type(want)
    # and a real file read through a child equals the same file read here
    assert read_isolated(ledger).sheets == read_workbook(ledger).sheets


# ---------------------------------------------------------------- merged cells


@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_merged_ranges_read_as_a_person_sees_them(tmp_path, convert, fmt):
    """Every cell of a merged range holds the top-left value (calamine gives the ranges for
    xlsx and xls; for ods the guard's scan finds them)."""
    path = tmp_path / "merged.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "表一"
    ws["A1"], ws["A12"] = "标题", "末行"
    ws["F3"] = "任城区发展和改革局"
    ws.merge_cells("F3:F10")
    ws["B5"] = "两列"
    ws.merge_cells("B5:C5")
    ws["A11"] = None
    ws.merge_cells("D11:E11")  # an empty merged range stays empty
    book.save(path)
    if fmt != "xlsx":
        path = convert(path, fmt, tmp_path / fmt)
    sheet = read_workbook(path).sheets["表一"]
    assert [sheet.cell(r, 6) for r in range(2, 12)] == [None] + ["任城区发展和改革局"] * 8 + [None]
    assert (sheet.cell(5, 2), sheet.cell(5, 3), sheet.cell(5, 4)) == ("两列", "两列", None)
    assert (sheet.cell(11, 4), sheet.cell(11, 5)) == (None, None)


def test_merged_range_far_out_costs_nothing(tmp_path):
    small = tmp_path / "small.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "x"
    book.save(small)
    far = rewrite(
        small,
        tmp_path / "far.xlsx",
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(
            "</sheetData>",
            '</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
        ),
    )
    sheet = read_workbook(far).sheets[book.active.title]
    assert sheet.rows == (("x",),)


# ---------------------------------------------------------------- formulas as a person sees them
# python-calamine 0.9.1 reads a formula's error result, and a formula saved without a value,
# as "" (measured); the reader puts back what Excel shows (addin/read/formulas.py).


def _formula_book(path: Path) -> Path:
    """openpyxl writes formulas without calculated values, as any script does."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表一"
    ws["A1"], ws["B1"], ws["C1"], ws["D1"] = 0, "=1/A1", "=A1+1", '="a"&"b"'
    ws["E1"] = "=B3"  # one cell reference: shows B3's value
    ws["F1"] = "='表 二'!A1"
    ws["B3"] = "第三行"
    ws["H5"] = "=SUM(A1:C1)"  # beyond the last value: calamine's grid stops before it
    other = wb.create_sheet("表 二")
    other["A1"] = 42
    secret = wb.create_sheet("藏")
    secret["A1"] = "=A2"
    secret.sheet_state = "veryHidden"
    wb.save(path)
    return path


def test_formula_without_a_value_is_its_text_and_a_reference_its_target(tmp_path):
    wb = read_workbook(_formula_book(tmp_path / "f.xlsx"))
    sheet = wb.sheets["表一"]
    assert sheet.rows[0][:6] == (0.0, "=1/A1", "=A1+1", '="a"&"b"', "第三行", 42.0)
    assert sheet.cell(5, 8) == "=SUM(A1:C1)"
    assert wb.sheets["藏"].hidden and wb.sheets["藏"].cell(1, 1) == 0.0  # =A2, empty: 0


def test_formula_errors_read_as_excel_shows_them(tmp_path, ledger):
    errors = '<c r="F1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="G1" t="e"><v>#N/A</v></c>'
    path = rewrite(
        ledger,
        tmp_path / "e.xlsx",
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace("</row>", errors + "</row>", 1),
    )
    row = read_workbook(path).sheets["表一"].rows[0]
    assert row[5:7] == ("#DIV/0!", "#N/A")
    # a calculated formula keeps its value, and a formula with an empty text result stays empty
    calc = '<c r="F1"><f>1+1</f><v>2</v></c><c r="G1" t="str"><f>""</f><v></v></c>'
    path = rewrite(
        ledger,
        tmp_path / "c.xlsx",
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace("</row>", calc + "</row>", 1),
    )
    assert read_workbook(path).sheets["表一"].rows[0][5:7] == (2.0, None)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_formula_errors_survive_libreoffice_formats(tmp_path, convert, fmt):
    """LibreOffice calculates the script's formulas and saves their results: the errors come
    back as Excel shows them (ods: calcext:value-type="error"; xls: FORMULA records)."""
    saved = convert(_formula_book(tmp_path / "f.xlsx"), fmt, tmp_path / fmt)
    row = read_workbook(saved).sheets["表一"].rows[0]
    assert row[1] == "#DIV/0!" and row[2] == 1.0 and row[3] == "ab"


def test_nan_cell_is_read_as_nan(tmp_path, ledger):
    path = rewrite(
        ledger,
        tmp_path / "n.xlsx",
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace("</row>", '<c r="F1" t="n"><v>NaN</v></c></row>', 1),
    )
    value = read_workbook(path).sheets["表一"].rows[0][5]
    assert isinstance(value, float) and value != value  # NaN: the validator says not a number


def test_formula_cells_cross_the_isolation_boundary(tmp_path):
    path = _formula_book(tmp_path / "f.xlsx")
    isolated = read_isolated(path)
    assert isolated.sheets["表一"].rows[0][:2] == (0.0, "=1/A1")
