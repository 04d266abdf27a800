"""Units as counties write them, cells as a person sees them, figures that can be trusted and
the task statuses against the indicator sheets (issue 10). Each rule: a case that has the
finding and one that must not."""

import pytest

from tests import factory
from tests.validate_helpers import cell, codes, run, task_cell

S = "任务台账"
CONN, REL, SAN = factory.CONNECTION, factory.RELIABILITY, factory.SANLING
JUNE = "17"  # city: 2021年6月底前; 电力主管部门、供电企业、其他相关政府部门
SUPPLY_ONLY = "9"  # city: 各供电企业
LOW, DUAL = "低压居民和小微企业用户", "10千伏双电源用户"
SMALL, SANLING_PART = "低压小微企业报装户数（160千瓦及以下）", "其中享受“三零”服务户数"


@pytest.fixture(scope="module")
def wb():
    return factory.build()


def at(wb, layout, label, header):
    return cell(wb, layout, factory.label_row(wb, layout, label), header)


def put(wb, layout, label, **values):
    for header, value in values.items():
        wb = factory.set_row_value(wb, layout, label, header, value)
    return wb


# ------------------------------------------------------------------ 4. units


def test_copying_the_citys_wording_is_unit_generic(wb):
    city = "各县（市、区）电力主管部门、各供电企业和其他相关政府部门按职责分工负责"
    result = run(factory.set_task(wb, JUNE, "县级责任单位", city))
    assert [(f.code, f.severity, f.cell) for f in result.findings] == [
        ("unit.generic", "error", task_cell(wb, JUNE, "县级责任单位"))
    ]
    (f,) = result.findings
    assert "“各县（市、区）电力主管部门”" in f.message and "“各供电企业”" in f.message
    assert city in f.message  # the city's text quoted
    assert "任城区" in f.hint  # name the county's own units
    for copied in ("各供电企业", "国网任城区供电公司、供电企业"):
        assert codes(factory.set_task(wb, SUPPLY_ONLY, "县级责任单位", copied)) == ["unit.generic"]


def test_a_countys_own_units_are_not_generic(wb):
    own = "任城区发展和改革局、国网任城区供电公司、任城区行政审批服务局"
    assert codes(factory.set_task(wb, JUNE, "县级责任单位", own)) == []


@pytest.mark.parametrize(
    ("unit", "units"),
    [
        ("邹城市", "邹城市发展和改革局、国网邹城市供电公司、经开区管委会"),  # its own zone
        ("邹城市", "邹城市发改局、高新区供电中心、邹城市行政审批服务局"),
        ("邹城市", "邹城市发改局、国网邹城市供电公司、邹城市财政局、兖州煤业股份有限公司"),
        ("嘉祥县", "嘉祥县发改局、嘉祥县经开区增量配电公司、嘉祥县行政审批服务局"),
        ("任城区", "任城区发改局、国网任城区供电公司、各镇街"),  # township wording: government
        ("任城区", "任城区能源事务服务中心、国网任城区供电公司、各乡镇（街道）"),
        ("任城区", "任城区发改局、国网任城区供电公司、各镇（街道）"),
    ],
)
def test_units_as_counties_write_them_pass(unit, units):
    wb = factory.build(unit)
    assert codes(factory.set_task(wb, JUNE, "县级责任单位", units)) == []


@pytest.mark.parametrize(
    ("unit", "units"),
    [
        ("邹城市", "邹城市发改局、嘉祥县经开区增量配电公司、邹城市财政局"),  # 嘉祥's supply company
        ("鱼台县", "金乡县发展和改革局、国网鱼台县供电公司、鱼台县财政局"),  # 金乡's office
        ("任城区", "任城区发改局、国网任城区供电公司、济宁经开区管委会"),  # the city's zone
    ],
)
def test_another_countys_office_or_supply_company(unit, units):
    wb = factory.build(unit)
    assert codes(factory.set_task(wb, JUNE, "县级责任单位", units)) == ["unit.other-county"]


def test_city_level_units_are_a_warning(wb):
    units = "任城区发改局、国网济宁供电公司、济宁市行政审批服务局"
    result = run(factory.set_task(wb, JUNE, "县级责任单位", units))
    assert [(f.code, f.severity) for f in result.findings] == [("unit.city-level", "warning")]
    assert "“国网济宁供电公司”" in result.findings[0].message
    assert "“济宁市行政审批服务局”" in result.findings[0].message
    # 济宁市任城区… names the county itself
    ok = "济宁市任城区发展和改革局、国网任城区供电公司、任城区行政审批服务局"
    assert codes(factory.set_task(wb, JUNE, "县级责任单位", ok)) == []


# ------------------------------------------------------------------ 6. cells as a person sees them


@pytest.mark.parametrize("error", ["#DIV/0!", "#N/A", "#REF!", "#VALUE!", "Err:502"])
def test_a_formula_error_is_its_own_finding(wb, error):
    result = run(put(wb, CONN, DUAL, 接电户数=error))
    assert [(f.code, f.cell) for f in result.findings] == [
        ("indicator.formula-error", at(wb, CONN, DUAL, "接电户数"))
    ]  # not 未填写, not 不是数字, and no rule computed from it
    assert error in result.findings[0].message
    result = run(factory.set_task(wb, JUNE, "县级完成时限", error))
    assert [f.code for f in result.findings] == ["task.formula-error"]
    assert codes(factory.set_cover(wb, "联系电话", error)) == ["cover.formula-error"]


def test_a_formula_without_a_calculated_value_is_filled(wb):
    bad = put(wb, CONN, DUAL, 接电户数="=SUM(C3:C7)")
    bad = put(bad, CONN, LOW, 接电户数="=C9*2")
    result = run(bad)
    assert [(f.code, f.severity, f.cell) for f in result.findings] == [
        ("indicator.formula-uncalculated", "warning", at(wb, CONN, LOW, "接电户数"))
    ]  # once per sheet, at the first; never "未填写"
    assert "共 2 个" in result.findings[0].message
    progress = factory.set_task(wb, JUNE, "进展情况", '=CONCAT("已完成",B3)')
    assert codes(progress) == ["task.formula-uncalculated"]


def test_nan_and_infinity_are_not_numbers(wb):
    for value in (float("nan"), float("inf")):
        result = run(put(wb, CONN, DUAL, 接电户数=value))
        assert [(f.code, f.cell) for f in result.findings] == [
            ("indicator.not-number", at(wb, CONN, DUAL, "接电户数"))
        ]


def test_a_hidden_copy_of_the_ledger_is_a_warning_and_never_counted(wb):
    copy = wb.sheets[S].rows
    status_col = factory.column_of(factory.TASKS, "完成状态")
    done = tuple(
        r if i < 2 else tuple("已完成" if c == status_col - 1 else v for c, v in enumerate(r))
        for i, r in enumerate(copy)
    )
    visible = factory.set_task(wb, "1", "完成状态", "进度滞后")
    visible = factory.set_task(visible, "1", "存在问题", "资金未到位")
    visible = factory.set_task(visible, "1", "下步打算", "年底前完成")
    hidden = factory.Sheet("任务台账（全部完成）", done, hidden=True)
    both = factory.Workbook(
        {**visible.sheets, hidden.name: hidden}, wb.source, wb.format, wb.date1904, wb.meta
    )
    result = run(both)
    assert [(f.code, f.severity, f.sheet) for f in result.findings] == [
        ("file.hidden-sheet", "warning", None)
    ]
    assert next(e for e in result.tasks if e.id == "1").status == "进度滞后"  # the visible one
    # the only 任务台账 hidden: no ledger to read
    only = factory.Workbook(
        {**{k: v for k, v in wb.sheets.items() if k != S}, S: factory.Sheet(S, copy, hidden=True)},
        wb.source,
        wb.format,
        wb.date1904,
        wb.meta,
    )
    assert sorted(codes(only)) == ["file.hidden-sheet", "file.sheet-missing"]
    assert codes(wb) == []  # no hidden sheet, nothing said


# ------------------------------------------------------------------ 8. figures that can be trusted


def test_an_average_typed_where_a_sum_is_asked(wb):
    result = run(put(wb, REL, "市区", 停电时户数=1.25))  # 350,000 customers
    assert [(f.code, f.cell) for f in result.findings] == [
        ("indicator.average-typed", at(wb, REL, "市区", "停电时户数"))
    ]
    assert "437500" in result.findings[0].hint  # 1.25 × 350000
    assert codes(put(wb, REL, "市区", 停电时户数=437500)) == []
    # 合计累计 below the longest single connection, with 100 customers: the average
    assert codes(put(wb, CONN, DUAL, **{"合计累计（工作日）": 10.8})) == ["indicator.average-typed"]


def test_absurd_magnitudes_are_errors(wb):
    for header, value in (("接电户数", 1.7e308), ("合计累计（工作日）", 1e12)):
        result = run(put(wb, CONN, DUAL, **{header: value}))
        assert [(f.code, f.cell) for f in result.findings] == [
            ("indicator.implausible", at(wb, CONN, DUAL, header))
        ], header
    assert codes(put(wb, REL, "农村", 用户数=1.7e308)) == ["indicator.implausible"]
    assert codes(put(wb, SAN, "线上办电户数", 数值=1e9)) == ["indicator.implausible"]
    assert codes(put(wb, CONN, LOW, 接电户数=200_000)) != ["indicator.implausible"]


# ------------------------------------------------------------------ cross-sheet sense


def test_tasks_9_and_40_done_while_not_every_small_business_had_sanling(wb):
    short = put(wb, SAN, SANLING_PART, 数值=90)
    result = run(short)
    assert [(f.code, f.severity, f.cell) for f in result.findings] == [
        ("status.done-but-sanling-short", "warning", task_cell(wb, "9", "完成状态"))
    ]
    (f,) = result.findings
    assert "第 9、40 项" in f.message
    assert (
        at(wb, SAN, SANLING_PART, "数值") in f.message and at(wb, SAN, SMALL, "数值") in f.message
    )
    # explained in the row's 说明 or in the task's 存在问题, or not claimed done: nothing
    assert codes(put(short, SAN, SANLING_PART, 说明="3户客户自愿选择高压接入")) == []
    behind = short
    for tid in ("9", "40"):
        behind = factory.set_task(behind, tid, "完成状态", "进度滞后")
        behind = factory.set_task(behind, tid, "完成日期", None)
        behind = factory.set_task(behind, tid, "存在问题", "部分用户未覆盖")
        behind = factory.set_task(behind, tid, "下步打算", "年底前全覆盖")
    assert codes(behind) == []


def test_task_11_done_while_the_reliability_sheet_says_missed(wb):
    missed = put(wb, REL, "市区", 停电时户数=350000 * 2, 说明="暴雨致线路受损")
    result = run(missed)  # 2 h > 1.59 and not 8% below last year's
    assert [(f.code, f.severity, f.cell) for f in result.findings] == [
        ("status.done-but-target-missed", "warning", task_cell(wb, "11", "完成状态"))
    ]
    assert at(wb, REL, "市区", "停电时户数") in result.findings[0].message
    cut = put(missed, REL, "市区", 上年同期用户数=350000, 上年同期停电时户数=350000 * 2.5)
    assert codes(cut) == []  # ≥ 8% below last year: met


def test_h1_reliability_is_judged_by_the_year_on_year_rule_alone():
    from datetime import date

    h1 = factory.build(period_code="2021H1", filed=date(2021, 6, 30))
    h1 = factory.set_task(h1, "11", "完成状态", "已完成")
    h1 = factory.set_task(h1, "11", "完成日期", date(2021, 6, 20))
    today = date(2021, 7, 1)
    # within the annual target (0.8 of it) but no cut against last year's half: not met
    flat = put(
        h1, REL, "市区", 上年同期用户数=350000, 上年同期停电时户数=round(350000 * 1.59 * 0.8)
    )
    assert "status.done-but-target-missed" in codes(flat, today=today)
    assert "status.done-but-target-missed" not in codes(h1, today=today)  # cut ≥ 8%


def test_a_script_written_return_with_formulas_and_a_hidden_copy(tmp_path):
    """Read from disk: a 县级完成时限 that points at the city's 完成时间 (=E19) reads as that
    deadline, an uncalculated sum is one warning, and a very hidden copy of the ledger is a
    warning and not what is read."""
    import openpyxl

    from addin.pipeline.collect import validate_file
    from tests.fill import col, make_return

    path = make_return(tmp_path)
    book = openpyxl.load_workbook(path)
    tasks = book[S]
    row = next(r for r in range(3, 80) if str(tasks.cell(r, 1).value) == JUNE)
    tasks.cell(row, col(factory.TASKS, "county_due")).value = f"=E{row}"
    conn = book[CONN.name]
    conn.cell(6, col(CONN, "connections")).value = "=50+50"
    copy = book.copy_worksheet(tasks)
    copy.title = "任务台账 (2)"
    copy.sheet_state = "veryHidden"
    book.save(path)
    result = validate_file(path)
    assert sorted((f.code, f.severity) for f in result.findings) == [
        ("file.hidden-sheet", "warning"),
        ("indicator.formula-uncalculated", "warning"),
    ]
    entry = next(e for e in result.tasks if e.id == JUNE)
    assert entry.county_due is not None and entry.county_due.raw == "2021年6月底前"


def test_an_own_named_unit_of_no_known_kind_is_still_unrecognised(wb):
    units = "任城区发改局、国网任城区供电公司、任城区行政审批服务局、任城区老王"
    result = run(factory.set_task(wb, JUNE, "县级责任单位", units))
    assert [(f.code, f.severity) for f in result.findings] == [("unit.unrecognised", "warning")]
