"""封面 and file-level rules: one test per rule, a failing cell and a passing neighbour."""

from datetime import date

import pytest

from addin.model.workbook import Sheet, Workbook
from addin.validate.validator import validate_workbook
from tests import factory
from tests.validate_helpers import cell, codes, found, run

COVER = factory.COVER


def at(wb, item):
    return cell(wb, COVER, factory.label_row(wb, COVER, item), "内容")


@pytest.fixture(scope="module")
def wb():
    return factory.build()


def test_clean_return_has_no_findings(wb):
    result = run(wb)
    assert result.findings == ()
    assert (result.unit, result.period, result.filed) == ("任城区", "2021Y", date(2022, 1, 5))
    assert len(result.tasks) == 68 and len(result.connection) == 6


def test_clean_planning_return_has_no_findings():
    assert run(factory.build(period_code="2021P")).findings == ()


@pytest.mark.parametrize(
    ("item", "value", "code"),
    [
        ("报送单位", None, "cover.unit-missing"),
        ("报送单位", "济南市", "cover.unit-unknown"),
        ("报送期次", None, "cover.period-missing"),
        ("报送期次", "2021Q3", "cover.period-unknown"),
        ("填报人", " \u3000", "cover.filler-missing"),
        ("联系电话", None, "cover.phone-missing"),
        ("联系电话", "12345", "cover.phone-invalid"),
        ("联系电话", "2905371234", "cover.phone-invalid"),
        ("填报日期", None, "cover.date-missing"),
        ("填报日期", "下周", "cover.date-invalid"),
        ("填报日期", date(2022, 2, 1), "cover.date-future"),
        ("审核人", None, "cover.reviewer-missing"),
        ("模板版本", "9.9", "file.template-version-unknown"),
    ],
)
def test_cover_rule(wb, item, value, code):
    bad = factory.set_cover(wb, item, value)
    assert found(bad) == {(code, "封面", at(wb, item))}


def test_old_unit_name_is_a_warning_and_normalised(wb):
    # 兖州市's return, units named for 兖州区 (so nothing else is foreign)
    yz = factory.build("兖州区")
    result = run(factory.set_cover(yz, "报送单位", "兖州市"))
    assert {(f.code, f.severity) for f in result.findings} == {("cover.unit-old-name", "warning")}
    assert result.unit == "兖州区"


@pytest.mark.parametrize("alias", ["任城", " 任城区 "])
def test_unit_aliases_pass(wb, alias):
    assert codes(factory.set_cover(wb, "报送单位", alias)) == []


@pytest.mark.parametrize(
    "phone",
    [
        "13905371234",
        "139 0537 1234",
        "139-0537-1234",
        "+86 139 0537 1234",
        "0537-3991618",
        "05373991618",
        "(0537)3991618",
        "（0537）3991618",
        "0537-3991618-801",
        "0537-3991618转801",
        "0537-3991618、13905371234",
    ],
)
def test_phone_forms_pass(wb, phone):
    assert codes(factory.set_cover(wb, "联系电话", phone)) == []


@pytest.mark.parametrize("filed", ["2022年1月5日", "2022.1.5", "2022/1/5", 44566])
def test_filed_date_forms_pass(wb, filed):
    assert codes(factory.set_cover(wb, "填报日期", filed)) == []


def test_period_label_passes_and_asked_period(wb):
    assert codes(factory.set_cover(wb, "报送期次", "2021年度")) == []
    assert found(wb, period_code="2022H1") == {
        ("cover.period-not-asked", "封面", at(wb, "报送期次"))
    }
    assert codes(wb, period_code="2021Y") == []


def test_cover_item_row_missing(wb):
    bad = factory.delete_row(wb, "封面", factory.label_row(wb, COVER, "填报人"))
    assert codes(bad) == ["cover.item-missing"]


def test_not_from_template_is_a_warning():
    result = run(factory.build(meta=False))
    assert [(f.code, f.severity, f.cell) for f in result.findings] == [
        ("file.not-template", "warning", None)
    ]


def test_missing_sheet_one_finding_each(wb):
    sheets = {k: v for k, v in wb.sheets.items() if k not in ("办电时限", "三零三省")}
    bad = Workbook(sheets, wb.source, wb.format, wb.date1904, wb.meta)
    assert found(bad) == {
        ("file.sheet-missing", "办电时限", None),
        ("file.sheet-missing", "三零三省", None),
    }


def test_a_spreadsheet_that_is_not_a_ledger_is_one_finding(wb):
    other = Workbook(
        {"Sheet1": Sheet("Sheet1", (("姓名", "年龄"), ("张三", 30)))}, "x.xlsx", "xlsx"
    )
    result = run(other)
    assert [(f.code, f.severity, f.sheet, f.cell) for f in result.findings] == [
        ("file.not-ledger", "error", None, None)
    ]
    assert result.findings[0].message == (
        "文件中没有台账的任何工作表（封面、任务台账、办电时限、供电可靠性、三零三省），可能报错了文件"
    )
    # one ledger sheet present: the others are reported one by one
    only_cover = Workbook({"封面": wb.sheets["封面"]}, "x.xlsx", "xlsx", meta=wb.meta)
    assert {f.code for f in run(only_cover).findings} == {"file.sheet-missing"}
    assert len(run(only_cover).findings) == 4


def test_a_corpus_spreadsheet_is_not_a_ledger():
    from addin.read.reader import read_workbook
    from tests.conftest import CORPUS

    path = next(p for p in sorted((CORPUS / "real").glob("*.xlsx")))
    result = validate_workbook(read_workbook(path), factory.SOURCE, today=factory.TODAY)
    assert [f.code for f in result.findings] == ["file.not-ledger"]


def test_header_renamed_names_the_cell(wb):
    col = factory.column_of(factory.TASKS, "完成状态")
    bad = factory.set_cell(wb, "任务台账", 2, col, "状态")
    assert found(bad) == {
        ("file.header-changed", "任务台账", cell(wb, factory.TASKS, 2, "完成状态"))
    }


def test_header_row_missing(wb):
    rows = [list(r) for r in wb.sheets["供电可靠性"].rows]
    rows[1] = [None] * len(rows[1])
    sheets = dict(wb.sheets)
    sheets["供电可靠性"] = Sheet("供电可靠性", tuple(tuple(r) for r in rows))
    bad = Workbook(sheets, wb.source, wb.format, wb.date1904, wb.meta)
    assert found(bad) == {("file.header-missing", "供电可靠性", None)}


def test_reordered_and_extra_columns_pass(wb):
    rows = [list(r) for r in wb.sheets["三零三省"].rows]
    moved = [[r[1] if len(r) > 1 else None, r[0], *r[2:], "县里加的列"] for r in rows]
    sheets = dict(wb.sheets)
    sheets["三零三省"] = Sheet("三零三省", tuple(tuple(r) for r in moved))
    assert codes(Workbook(sheets, wb.source, wb.format, wb.date1904, wb.meta)) == []


def test_header_row_shifted_down_passes(wb):
    rows = [list(r) for r in wb.sheets["供电可靠性"].rows]
    sheets = dict(wb.sheets)
    sheets["供电可靠性"] = Sheet("供电可靠性", tuple(tuple(r) for r in [rows[0], [], *rows[1:]]))
    assert codes(Workbook(sheets, wb.source, wb.format, wb.date1904, wb.meta)) == []


def test_date1904_workbook(wb):
    shifted = Workbook(wb.sheets, wb.source, wb.format, True, wb.meta)
    bad = factory.set_cover(shifted, "填报日期", 44566 - 1462)
    assert codes(bad) == []
    assert validate_workbook(bad, factory.SOURCE, today=factory.TODAY).filed == date(2022, 1, 5)


def test_a_return_written_by_the_template_and_read_from_disk_is_clean(tmp_path):
    from addin.faces import samples
    from addin.read.reader import read_workbook

    path = samples.make_one(tmp_path, "2021Y")
    result = validate_workbook(read_workbook(path), factory.SOURCE)
    assert [(f.code, f.cell) for f in result.findings] == []
    assert result.unit and len(result.tasks) == 68


@pytest.mark.parametrize(
    ("sheet", "layout"), [("任务台账", factory.TASKS), ("供电可靠性", factory.RELIABILITY)]
)
def test_label_column_header_lost_is_one_finding(wb, sheet, layout):
    bad = factory.set_cell(wb, sheet, 2, 1, None)
    assert found(bad) == {("file.header-changed", sheet, "A2")}


def _with_meta(wb, **meta):
    return Workbook(wb.sheets, wb.source, wb.format, wb.date1904, {**wb.meta, **meta})


@pytest.mark.parametrize(
    ("value", "code"), [(None, "cover.unit-missing"), ("济南市", "cover.unit-unknown")]
)
def test_unit_falls_back_to_the_templates_unit(wb, value, code):
    bad = factory.set_cover(wb, "报送单位", value)
    result = run(bad)
    assert {(f.code, f.sheet, f.cell) for f in result.findings} == {
        (code, "封面", at(wb, "报送单位"))
    }
    assert result.unit == "任城区"  # from the hidden metadata, so consolidation attributes it
    assert run(_with_meta(bad, unit=None)).unit is None


def test_template_id_is_carried(wb):
    assert run(wb).template == "taizhang-ledger"
    assert run(_with_meta(wb, template="taizhang-console")).template == "taizhang-console"
    assert run(factory.build(meta=False)).template is None


def test_unit_not_the_templates_unit_is_one_warning():
    # 曲阜市's return on a file generated for 任城区 (a copied file)
    qf = _with_meta(factory.build("曲阜市"), unit="任城区")
    result = run(qf)
    (f,) = result.findings
    assert (f.code, f.severity, f.sheet, f.cell) == (
        "cover.unit-not-template",
        "warning",
        "封面",
        at(qf, "报送单位"),
    )
    assert f.message == "此模板是为 任城区 生成的，封面填写的是 曲阜市"
    assert result.unit == "曲阜市"
    # the template's unit under another spelling is the same unit
    assert run(_with_meta(factory.build("曲阜市"), unit="曲阜")).findings == ()


def test_merged_county_units_read_as_one_value_for_each_task(tmp_path):
    """An officer unprotects the sheet and merges F3:F10 (one 县级责任单位 for tasks 1–8): each
    task has that value, as on screen, so no unit.empty."""
    from openpyxl import load_workbook

    from addin.read.reader import read_workbook
    from tests.fill import make_return

    path = make_return(tmp_path)
    book = load_workbook(path)
    book["任务台账"].protection.sheet = False
    book["任务台账"].merge_cells("F3:F10")
    book.save(path)
    result = validate_workbook(read_workbook(path), factory.SOURCE, today=factory.TODAY)
    assert [(f.code, f.cell) for f in result.findings] == []
    units = {e.id: e.county_units for e in result.tasks}
    assert all(units[str(i)] == units["1"] and units["1"] for i in range(1, 9))
