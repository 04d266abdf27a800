"""addin.write.mark: the 校验结果 rows and annotated copies that never touch the original."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill

from addin.model.errors import UsageError
from addin.model.findings import Finding
from addin.model.ledger import Return, Source
from addin.pipeline.collect import find_returns
from addin.write.mark import (
    CLEAN_MESSAGE,
    RESULT_HEADERS,
    RESULTS_SHEET,
    RESULTS_SUFFIX,
    STAMP,
    results_rows,
    write_marked,
)
from addin.write.template.book import mark_key, write_ledger
from schemas.reference import load
from schemas.sheets import MARKS_NAME, META_SHEET


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ret_for(path: Path, findings, fmt="xlsx") -> Return:
    return Return(
        Source(str(path), path.name, sha(path), path.stat().st_size, 0.0, fmt),
        "任城区",
        "2021Y",
        None,
        "1.0",
        findings=tuple(findings),
    )


EVIL = '=HYPERLINK("http://x","点我")'
FINDINGS = (
    Finding(
        "time.later-than-city",
        "error",
        "任务台账",
        "G14",
        14,
        "县级完成时限",
        "12",
        "2022年底前",
        "县级完成时限（2022年底前）晚于市定完成时间",
        "填写不晚于 2021年6月底前 的时限",
    ),
    Finding(
        "cover.reviewer-missing",
        "warning",
        "封面",
        "B7",
        7,
        "内容",
        None,
        None,
        "审核人未填写",
        "填写审核人姓名",
    ),
    Finding(
        "status.progress-short",
        "warning",
        "任务台账",
        "J5",
        5,
        "进展情况",
        "3",
        EVIL,
        EVIL,
        "+写详细一些",
    ),
    Finding(
        "file.not-template", "warning", None, None, None, None, None, None, "不是模板", "用模板"
    ),
)


@pytest.fixture
def ledger(tmp_path) -> Path:
    return write_ledger("任城区", load().period("2021Y"), tmp_path / "in")


def cells(ws) -> list[tuple]:
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def test_results_rows_pure_and_ordered():
    rows = results_rows(FINDINGS)
    assert rows[0] == list(RESULT_HEADERS)
    assert [r[2] for r in rows[1:]] == [
        "file.not-template",
        "cover.reviewer-missing",
        "status.progress-short",
        "time.later-than-city",
    ]
    assert rows[2] == [
        "2",
        "警告",
        "cover.reviewer-missing",
        "封面",
        "B7",
        "审核人未填写",
        "填写审核人姓名",
    ]
    assert rows[4][1] == "错误" and rows[1][3:5] == ["", ""]
    assert all(isinstance(v, str) for r in rows for v in r)
    assert results_rows([]) == [list(RESULT_HEADERS), ["", "", "", "", "", CLEAN_MESSAGE, ""]]


def test_copy_annotated_original_untouched(ledger, tmp_path):
    before = sha(ledger)
    out = tmp_path / "marked"
    [done] = write_marked([ret_for(ledger, FINDINGS)], out)
    assert sha(ledger) == before
    assert done.kind == "copy" and done.path == out / ledger.name and (out / STAMP).exists()
    orig, copy = load_workbook(ledger), load_workbook(done.path)
    assert copy.sheetnames == [RESULTS_SHEET, *orig.sheetnames]
    ws = copy[RESULTS_SHEET]
    assert [c.value for c in ws[1]] == list(RESULT_HEADERS)
    links = {c.value: c.hyperlink.location for c in ws["E"][1:] if c.hyperlink}
    assert links == {"B7": "'封面'!B7", "J5": "'任务台账'!J5", "G14": "'任务台账'!G14"}
    # the county's sheets keep values, drop-downs, conditional formats, fills and protection
    for name in orig.sheetnames:
        a, b = orig[name], copy[name]
        if name != META_SHEET:
            assert cells(a) == cells(b), name
        assert [(v.type, v.formula1, str(v.sqref)) for v in a.data_validations.dataValidation] == [
            (v.type, v.formula1, str(v.sqref)) for v in b.data_validations.dataValidation
        ], name
        assert len(list(a.conditional_formatting)) == len(list(b.conditional_formatting)), name
        assert [c.fill.fgColor.rgb for row in a.iter_rows() for c in row] == [
            c.fill.fgColor.rgb for row in b.iter_rows() for c in row
        ], name
        assert a.protection.sheet == b.protection.sheet
    statuses = [v for v in copy["任务台账"].data_validations.dataValidation if v.type == "list"]
    assert statuses and "序时推进" in statuses[0].formula1
    # marks: the keys in the template's marks range, nothing else changed there
    dest = next(iter(copy.defined_names.get(MARKS_NAME).destinations))
    assert dest[0] == META_SHEET
    meta = copy[META_SHEET]
    keys = [meta.cell(r, 4).value for r in range(2, 8)]
    assert keys == [
        mark_key("封面", "B7"),
        mark_key("任务台账", "J5"),
        mark_key("任务台账", "G14"),
        None,
        None,
        None,
    ]
    assert [r[:2] for r in cells(meta)] == [r[:2] for r in cells(orig[META_SHEET])]


def test_text_never_becomes_a_formula(ledger, tmp_path):
    [done] = write_marked([ret_for(ledger, FINDINGS)], tmp_path / "m")
    with zipfile.ZipFile(done.path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    ws = load_workbook(done.path)[RESULTS_SHEET]
    assert any(c.value == EVIL and c.data_type == "s" for row in ws.iter_rows() for c in row)


def test_remarking_a_marked_copy_replaces_the_list(ledger, tmp_path):
    [first] = write_marked([ret_for(ledger, FINDINGS)], tmp_path / "m1")
    [second] = write_marked([ret_for(first.path, FINDINGS[:1])], tmp_path / "m2")
    copy = load_workbook(second.path)
    assert copy.sheetnames.count(RESULTS_SHEET) == 1
    assert copy[RESULTS_SHEET].max_row == 2
    meta = copy[META_SHEET]
    assert [meta.cell(r, 4).value for r in (2, 3)] == [mark_key("任务台账", "G14"), None]


def test_foreign_workbook_gets_conditional_format_not_fill(tmp_path):
    book = Workbook()
    ws = book.active
    ws.title = "任务台账"
    ws["G14"] = "2022年底前"
    ws["G14"].fill = PatternFill("solid", fgColor="FF00B050")
    src = tmp_path / "in" / "foreign.xlsx"
    src.parent.mkdir()
    book.save(src)
    [done] = write_marked([ret_for(src, FINDINGS[:1])], tmp_path / "m")
    copy = load_workbook(done.path)["任务台账"]
    assert copy["G14"].fill.fgColor.rgb == "FF00B050" and copy["G14"].value == "2022年底前"
    rules = [(str(cf.sqref), r.formula) for cf in copy.conditional_formatting for r in cf.rules]
    assert rules == [("G14", ["TRUE"])]


@pytest.mark.parametrize("fmt", ["ods", "xls", None])
def test_unopenable_formats_get_results_workbook(tmp_path, fmt):
    src = tmp_path / "in" / f"县里.{fmt or 'xlsx'}"
    src.parent.mkdir()
    src.write_bytes(b"not really a workbook")
    [done] = write_marked([ret_for(src, FINDINGS, fmt=fmt)], tmp_path / "m")
    assert done.kind == "results" and done.path.name == f"{src.name}.校验结果.xlsx" and done.note
    book = load_workbook(done.path)
    assert book.sheetnames == [RESULTS_SHEET] and book[RESULTS_SHEET].max_row == 5
    assert src.read_bytes() == b"not really a workbook"


def test_same_names_do_not_overwrite(ledger, tmp_path):
    other = tmp_path / "in2" / ledger.name
    other.parent.mkdir()
    other.write_bytes(ledger.read_bytes())
    done = write_marked(
        [ret_for(ledger, FINDINGS[:1]), ret_for(other, FINDINGS[1:2])], tmp_path / "m"
    )
    assert [d.path.name for d in done] == [ledger.name, ledger.name.replace(".xlsx", " (2).xlsx")]


def test_same_stem_ods_and_xls_get_distinct_lists(tmp_path):
    srcs = [
        tmp_path / "in" / "微山县-2021Y-获得电力台账.ods",
        tmp_path / "in" / "微山县-2021Y-获得电力台账.xls",
    ]
    srcs[0].parent.mkdir()
    for src in srcs:
        src.write_bytes(b"x")
    done = write_marked([ret_for(s, FINDINGS, fmt=s.suffix[1:]) for s in srcs], tmp_path / "m")
    assert [d.path.name for d in done] == [
        "微山县-2021Y-获得电力台账.ods.校验结果.xlsx",
        "微山县-2021Y-获得电力台账.xls.校验结果.xlsx",
    ]


def test_mark_folder_above_returns_hides_none(ledger, tmp_path):
    """Reviewer's repro: --mark into a folder above the returns; a later scan of that folder
    still finds every return (and a county's file already there), never the copies."""
    beside = tmp_path / "邹城市.xlsx"  # a county's return already in the mark folder
    beside.write_bytes(ledger.read_bytes())
    other = tmp_path / "in" / "坏.ods"
    other.write_bytes(b"x")
    rets = [ret_for(ledger, FINDINGS), ret_for(other, FINDINGS, fmt="ods")]
    first = write_marked(rets, tmp_path)
    again = write_marked(rets, tmp_path)  # a second run replaces its own copies only
    assert [d.path for d in first] == [d.path for d in again]
    assert sha(beside) == sha(ledger)
    found = find_returns([tmp_path])
    assert sorted(found) == sorted([beside, ledger, other])
    assert all(d.path not in found for d in again)
    # a copy whose name is taken by a file not ours gets another name
    ledger2 = tmp_path / "in2" / "邹城市.xlsx"
    ledger2.parent.mkdir()
    ledger2.write_bytes(ledger.read_bytes())
    [done] = write_marked([ret_for(ledger2, FINDINGS)], tmp_path)
    assert done.path.name == "邹城市 (2).xlsx" and sha(beside) == sha(ledger)
    assert done.path not in find_returns([tmp_path])


def test_mark_folder_must_not_be_the_returns_folder(ledger):
    before = sha(ledger)
    with pytest.raises(UsageError) as exc:
        write_marked([ret_for(ledger, FINDINGS)], ledger.parent)
    assert "覆盖原文件" in exc.value.message
    assert sha(ledger) == before and not (ledger.parent / STAMP).exists()


def test_changed_since_validation_gives_list_only(ledger, tmp_path):
    r = ret_for(ledger, FINDINGS)
    ledger.write_bytes(ledger.read_bytes() + b"\0")
    [done] = write_marked([r], tmp_path / "m")
    assert done.kind == "results" and "修改" in done.note


X14_LIST = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1"><x14:dataValidation type="list" allowBlank="1">'
    "<x14:formula1><xm:f>名单!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>B2:B9</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext></extLst>"
)


def excel_style_workbook(path: Path) -> Path:
    """A workbook with a drop-down whose list is on another sheet, stored the way Excel and
    WPS store it (x14 extension, xm prefix declared on the root) — openpyxl drops it."""
    book = Workbook()
    ws = book.active
    ws.title = "任务台账"
    ws["B2"] = "序时推进"
    book.create_sheet("名单")["A1"] = "甲"
    book.save(path)
    with zipfile.ZipFile(path) as z:
        entries = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                xml = xml.replace(
                    "<worksheet ",
                    '<worksheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main" ',
                    1,
                )
                data = xml.replace("</worksheet>", X14_LIST + "</worksheet>").encode()
            z.writestr(info, data)
    return path


def test_x14_drop_downs_survive_in_the_copy(tmp_path):
    from xml.etree import ElementTree

    from addin.write.x14 import _sheet_parts

    (tmp_path / "in").mkdir()
    src = excel_style_workbook(tmp_path / "in" / "excel.xlsx")
    before = sha(src)
    finding = Finding(
        "status.invalid",
        "error",
        "任务台账",
        "B2",
        2,
        "完成状态",
        "1",
        "序时推进",
        "状态无效",
        "从下拉列表选择",
    )
    [done] = write_marked([ret_for(src, [finding])], tmp_path / "m")
    assert sha(src) == before and done.kind == "copy"
    with zipfile.ZipFile(done.path) as z:
        parts = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")}
        where = _sheet_parts(z)["任务台账"]
    assert [n for n, x in parts.items() if "x14:dataValidation " in x] == [where]
    sheet = parts[where]
    root = ElementTree.fromstring(sheet)  # well-formed, every prefix declared
    x14 = "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/main}"
    xm = "{http://schemas.microsoft.com/office/excel/2006/main}"
    [dv] = root.iter(f"{x14}dataValidation")
    assert dv.find(f"{x14}formula1/{xm}f").text == "名单!$A$1:$A$3"
    assert dv.find(f"{xm}sqref").text == "B2:B9"
    assert root[-1].tag.endswith("extLst")
    with pytest.warns(UserWarning, match="Data Validation extension"):  # it is there
        copy = load_workbook(done.path)
    assert copy["任务台账"]["B2"].value == "序时推进"
    assert [(str(cf.sqref)) for cf in copy["任务台账"].conditional_formatting] == ["B2"]


def test_copy_names_stay_within_255_bytes(ledger, tmp_path):
    long_src = ledger.with_name("任城区" * 27 + ".xlsx")  # 248 bytes
    long_src.write_bytes(ledger.read_bytes())
    rets = [ret_for(long_src, FINDINGS[:1]), ret_for(long_src, FINDINGS[:1], fmt="xls")]
    done = write_marked(rets, tmp_path / "m")
    names = [d.path.name for d in done]
    assert all(len(n.encode("utf-8")) <= 255 for n in names) and len(set(names)) == 2
    assert names[1].endswith(RESULTS_SUFFIX)


def test_a_county_file_under_a_copys_name_is_never_replaced(ledger, tmp_path):
    out = tmp_path / "m"
    [first] = write_marked([ret_for(ledger, FINDINGS)], out)
    first.path.write_bytes(ledger.read_bytes())  # the county's corrected return, same name
    [second] = write_marked([ret_for(ledger, FINDINGS)], out)
    assert first.path.read_bytes() == ledger.read_bytes() and second.path != first.path
    assert find_returns([out]) == [first.path]
