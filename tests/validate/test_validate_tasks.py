"""任务台账: ids, reference columns, units, deadlines, dates and statuses — one test per rule,
a failing cell and a passing neighbour, asserted as (code, sheet, cell)."""

from datetime import date

import pytest

from tests import factory
from tests.validate_helpers import codes, found, run, task_cell

S = "任务台账"
DATED = "17"  # city: 2021年6月底前 (factory: 已完成 on 2021-06-25)
ONGOING = "14"  # city: 持续推进 (factory: 持续推进)
ACHIEVED = "12"  # city: 已实现，持续巩固提升。
NEXT = "18"  # a neighbour, untouched


@pytest.fixture(scope="module")
def wb():
    return factory.build()


def set_many(wb, task_id, **values):
    for header, value in values.items():
        wb = factory.set_task(wb, task_id, header, value)
    return wb


# ------------------------------------------------------------------ ids and reference


def test_missing_task_one_finding_per_id(wb):
    bad = factory.delete_row(wb, S, factory.task_row(wb, "31"))
    bad = factory.delete_row(bad, S, factory.task_row(bad, "30"))
    row32 = factory.task_row(bad, "32")
    result = run(bad)
    assert [(f.code, f.task, f.cell) for f in result.findings] == [
        ("task.missing", "30", f"A{row32}"),
        ("task.missing", "31", f"A{row32}"),
    ]


def test_id_typed_as_the_neighbours_is_one_finding(wb):
    # row of task 44 says 序号 43: its texts are 44's, so not a duplicate 43 plus a missing 44
    bad = factory.set_task(wb, "44", "序号", "43")
    result = run(bad)
    assert [(f.code, f.cell, f.task) for f in result.findings] == [
        ("task.id-mismatch", task_cell(wb, "44", "序号"), "44")
    ]
    (f,) = result.findings
    assert f.message.startswith("这一行的任务内容是第 44 项") and f.message.endswith(
        "序号却写成 43"
    )
    assert f.hint == "把序号改为 44"
    assert [e.id for e in result.tasks if e.id in ("43", "44")] == ["43", "44"]
    # two ids swapped: one finding per row, each at its own 序号
    swapped = factory.set_task(factory.set_task(wb, "44", "序号", "X"), "43", "序号", "44")
    swapped = factory.set_task(swapped, "X", "序号", "43")
    assert found(swapped) == {
        ("task.id-mismatch", S, task_cell(wb, "43", "序号")),
        ("task.id-mismatch", S, task_cell(wb, "44", "序号")),
    }


def test_duplicate_and_unknown_ids(wb):
    # a row whose text is not the city's (altered) is known by its 序号 alone
    bad = factory.set_task(
        factory.set_task(wb, "40", "工作目标任务", "自拟内容"), "40", "序号", "39"
    )
    assert found(bad) == {
        ("task.id-duplicate", S, task_cell(wb, "40", "序号")),
        ("task.missing", S, task_cell(wb, "40", "序号")),
    }
    bad = factory.set_task(
        factory.set_task(wb, "40", "工作目标任务", "自拟内容"), "40", "序号", "99"
    )
    assert ("task.id-unknown", S, task_cell(wb, "40", "序号")) in found(bad)


def test_id_forms_read_as_a_person_does(wb):
    assert codes(factory.set_task(wb, "40", "序号", 40.0)) == []
    assert codes(factory.set_task(wb, "40", "序号", " ４０ ")) == []


def test_row_without_id(wb):
    # the city's text still says which task it is: one finding, the task is not missing
    bad = factory.set_task(wb, "40", "序号", None)
    result = run(bad)
    assert [(f.code, f.cell) for f in result.findings] == [
        ("task.id-mismatch", task_cell(wb, "40", "序号"))
    ]
    assert result.findings[0].message.endswith("序号为空")
    unknown = factory.set_task(
        factory.set_task(wb, "40", "工作目标任务", "自拟内容"), "40", "序号", None
    )
    assert ("task.id-empty", S, task_cell(wb, "40", "序号")) in found(unknown)


def test_local_task_allowed_and_checked(wb):
    last = factory.task_row(wb, "68") + 1
    row = [
        "L1",
        "本地任务",
        "建设县级电力服务驿站",
        None,
        None,
        "任城区供电公司",
        "2021年10月底前",
        "已完成",
        date(2021, 10, 20),
        "已建成电力服务驿站3处，服务群众1200人次。",
        None,
        None,
        "赵敏",
        "13800001111",
    ]
    ok = wb
    for col, value in enumerate(row, start=1):
        ok = factory.set_cell(ok, S, last, col, value)
    assert codes(ok) == []
    bad = factory.set_cell(ok, S, last, 3, None)
    assert found(bad) == {("task.local-text-missing", S, f"C{last}")}


def test_reference_altered_is_a_warning(wb):
    bad = factory.set_task(wb, "20", "完成时间", "2022年底前")
    result = run(bad)
    assert [(f.code, f.severity, f.cell) for f in result.findings] == [
        ("task.reference-altered", "warning", task_cell(wb, "20", "完成时间"))
    ]
    spaced = factory.set_task(wb, "20", "分类", " 压缩办电时间\u3000")
    assert codes(spaced) == []


def test_rows_out_of_order_warned_once(wb):
    r5, r6, r8, r9 = (factory.task_row(wb, t) for t in ("5", "6", "8", "9"))
    rows = [list(r) for r in wb.sheets[S].rows]
    rows[r5 - 1], rows[r6 - 1] = rows[r6 - 1], rows[r5 - 1]
    rows[r8 - 1], rows[r9 - 1] = rows[r9 - 1], rows[r8 - 1]
    bad = wb
    for r in (r5, r6, r8, r9):
        for c, v in enumerate(rows[r - 1], start=1):
            bad = factory.set_cell(bad, S, r, c, v)
    assert found(bad) == {("task.out-of-order", S, f"A{r6}")}


# ------------------------------------------------------------------ units


def test_units_empty(wb):
    assert found(factory.set_task(wb, DATED, "县级责任单位", None)) == {
        ("unit.empty", S, task_cell(wb, DATED, "县级责任单位"))
    }


def test_unit_of_other_county(wb):
    units = "任城区发改局、曲阜市供电中心、任城区行政审批服务局"
    assert found(factory.set_task(wb, DATED, "县级责任单位", units)) == {
        ("unit.other-county", S, task_cell(wb, DATED, "县级责任单位"))
    }


def test_several_units_of_other_counties_are_one_finding(wb):
    # a whole cell copied from 曲阜市's file, plus one of 兖州区's
    units = "曲阜市发改局、曲阜市供电中心、曲阜市行政审批服务局、兖州区住建局"
    result = run(factory.set_task(wb, DATED, "县级责任单位", units))
    (f,) = result.findings
    assert (f.code, f.sheet, f.cell) == (
        "unit.other-county",
        S,
        task_cell(wb, DATED, "县级责任单位"),
    )
    for unit in ("曲阜市发改局", "曲阜市供电中心", "曲阜市行政审批服务局", "兖州区住建局"):
        assert f"“{unit}”" in f.message
    assert "属于曲阜市、兖州区，不是本单位（任城区）" in f.message


def test_unrecognised_unit_is_a_warning(wb):
    units = "任城区发改局、任城区供电公司、任城区行政审批服务局、老王"
    result = run(factory.set_task(wb, DATED, "县级责任单位", units))
    assert [(f.code, f.severity) for f in result.findings] == [("unit.unrecognised", "warning")]


def test_required_role_missing(wb):
    # task 1: 各县（市、区）电力主管部门、各供电企业
    result = run(factory.set_task(wb, "1", "县级责任单位", "任城区发改局"))
    assert [(f.code, f.cell) for f in result.findings] == [
        ("unit.role-missing", task_cell(wb, "1", "县级责任单位"))
    ]


def test_units_separators_pass(wb):
    assert codes(factory.set_task(wb, "1", "县级责任单位", "任城区发改局，任城区供电公司")) == []
    assert codes(factory.set_task(wb, "1", "县级责任单位", "任城区发改局\n任城区供电公司")) == []


# ------------------------------------------------------------------ deadlines and dates


def test_later_than_city_matches_spec_example(wb):
    bad = factory.set_task(wb, "12", "县级完成时限", "2022年底前")
    bad = factory.set_task(wb, DATED, "县级完成时限", "2022年底前")
    (f,) = [f for f in run(bad).findings if f.task == DATED]
    assert (f.code, f.severity, f.sheet, f.column, f.value) == (
        "time.later-than-city",
        "error",
        S,
        "县级完成时限",
        "2022年底前",
    )
    assert f.cell == task_cell(wb, DATED, "县级完成时限")
    assert f.message == "县级完成时限（2022年底前）晚于市定完成时间（2021年6月底前）"
    assert f.hint == "填写不晚于 2021年6月底前 的时限"


def test_later_than_city_achieved_means_plan_issue_date(wb):
    # task 12's city value is 已实现，持续巩固提升。: achieved when the plan was issued
    bad = factory.set_task(wb, ACHIEVED, "县级完成时限", "2022年底前")
    (f,) = run(bad).findings
    assert (f.code, f.sheet, f.cell, f.task, f.value) == (
        "time.later-than-city",
        S,
        "G14",
        ACHIEVED,
        "2022年底前",
    )
    assert f.message == "县级完成时限（2022年底前）晚于市定完成时间（已实现，持续巩固提升。）"
    assert f.hint.startswith("填写不晚于 2021年5月31日 的时限")
    for fine in ("2021年5月底前", "持续推进", "已实现，持续巩固提升"):
        assert codes(factory.set_task(wb, ACHIEVED, "县级完成时限", fine)) == [], fine


def test_later_than_city_spec_example_at_g11(wb):
    bad = factory.set_task(wb, "9", "县级完成时限", "2022年底前")
    (f,) = run(bad).findings
    assert f.as_dict() == {
        "code": "time.later-than-city",
        "severity": "error",
        "sheet": "任务台账",
        "cell": "G11",
        "row": 11,
        "column": "县级完成时限",
        "task": "9",
        "value": "2022年底前",
        "message": "县级完成时限（2022年底前）晚于市定完成时间（2021年6月底前）",
        "hint": "填写不晚于 2021年6月底前 的时限",
    }


def test_earlier_county_deadline_passes(wb):
    assert codes(factory.set_task(wb, DATED, "县级完成时限", "2021年5月底前")) == []


@pytest.mark.parametrize(
    "typed", ["按市定时间", "同市定时间", "与市定时间一致", "按市定完成时间执行"]
)
def test_county_due_deferring_to_the_city(wb, typed):
    ok = factory.set_task(wb, DATED, "县级完成时限", typed)
    result = run(ok)
    assert result.findings == ()
    entry = next(e for e in result.tasks if e.id == DATED)
    assert entry.county_due.due == date(2021, 6, 30)
    # and the city's date holds it: overdue if not done
    late = set_many(ok, DATED, 完成状态="序时推进", 完成日期=None)
    assert found(late) == {("status.overdue-on-schedule", S, task_cell(wb, DATED, "完成状态"))}


def test_county_due_empty(wb):
    assert found(factory.set_task(wb, DATED, "县级完成时限", None)) == {
        ("time.county-due-empty", S, task_cell(wb, DATED, "县级完成时限"))
    }


def test_unreadable_deadline_is_one_finding(wb):
    # also typed 序时推进 without a date: neither later-than-city nor overdue may follow
    bad = set_many(wb, DATED, 县级完成时限="看情况", 完成状态="序时推进", 完成日期=None)
    assert found(bad) == {("time.county-due-invalid", S, task_cell(wb, DATED, "县级完成时限"))}


def test_ambiguous_month_is_a_warning(wb):
    result = run(factory.set_task(wb, DATED, "县级完成时限", "6月前"))
    assert [(f.code, f.severity) for f in result.findings] == [("time.ambiguous", "warning")]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("上周", "time.done-date-invalid"),
        (date(2022, 1, 8), "time.done-after-filed"),
        (date(2022, 1, 3), "time.done-after-as-of"),
        (date(2020, 11, 1), "time.done-before-plan"),
    ],
)
def test_done_date_rules(wb, value, code):
    assert found(factory.set_task(wb, DATED, "完成日期", value)) == {
        (code, S, task_cell(wb, DATED, "完成日期"))
    }


def test_done_date_text_forms_pass(wb):
    for value in ("2021年6月20日", "2021.6.20", "2021/6/20", "2021-06-20", "20210620", 44367):
        assert codes(factory.set_task(wb, DATED, "完成日期", value)) == [], value


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("6月30日", date(2021, 6, 30)),  # no year: the period's
        ("2021年6月", date(2021, 6, 30)),  # a month: its last day
        ("2021年6月30日完成", date(2021, 6, 30)),
        ("2021年6月20日前", date(2021, 6, 20)),
        ("21.6.30", date(2021, 6, 30)),  # two-digit year
        (202106, date(2021, 6, 30)),  # a number cell: the year and month, not a serial
    ],
)
def test_done_date_as_officers_write_it(wb, typed, read):
    ok = factory.set_task(wb, DATED, "完成日期", typed)
    result = run(ok)
    assert result.findings == ()
    assert next(e for e in result.tasks if e.id == DATED).done_date == read


@pytest.mark.parametrize(
    "typed", ["2021年上半年", "计划2021年12月底完成", "2021年6月-7月", "2021年2月30日"]
)
def test_done_date_other_text_still_invalid(wb, typed):
    assert found(factory.set_task(wb, DATED, "完成日期", typed)) == {
        ("time.done-date-invalid", S, task_cell(wb, DATED, "完成日期"))
    }


# ------------------------------------------------------------------ statuses


def test_status_empty_and_invalid(wb):
    assert found(factory.set_task(wb, ONGOING, "完成状态", None)) == {
        ("status.empty", S, task_cell(wb, ONGOING, "完成状态"))
    }
    assert found(factory.set_task(wb, ONGOING, "完成状态", "逾期")) == {
        ("status.invalid", S, task_cell(wb, ONGOING, "完成状态"))
    }


def test_done_without_date(wb):
    assert found(factory.set_task(wb, DATED, "完成日期", None)) == {
        ("status.done-without-date", S, task_cell(wb, DATED, "完成日期"))
    }


def test_date_with_other_status(wb):
    bad = factory.set_task(wb, ONGOING, "完成日期", date(2021, 6, 1))
    assert found(bad) == {("status.date-without-done", S, task_cell(wb, ONGOING, "完成日期"))}


@pytest.mark.parametrize("typed", ["序时推进", "持续推进"])
def test_overdue_typed_on_schedule(wb, typed):
    bad = set_many(wb, DATED, 完成状态=typed, 完成日期=None)
    (f,) = run(bad).findings
    assert (f.code, f.sheet, f.cell) == (
        "status.overdue-on-schedule",
        S,
        task_cell(wb, DATED, "完成状态"),
    )
    assert (
        f.message
        == f"完成时限 2021年6月底 已过（本期截至 2021-12-31），任务未完成，不能填“{typed}”（表示按期推进）"
    )
    # past a deadline that itself commits to continuing, 持续推进 is what was asked for
    kept_on = set_many(wb, DATED, 县级完成时限="2021年6月底前完成，持续推进", 完成日期=None)
    assert codes(set_many(kept_on, DATED, 完成状态="持续推进")) == []
    # 持续推进 on a task whose own deadline is 持续推进 is never overdue
    assert codes(set_many(wb, ONGOING, 完成状态="持续推进")) == []
    # the city's date still holds when the county typed 持续推进 ... which is itself later
    not_due = set_many(wb, "1", 完成状态="序时推进")  # 2022年底前: not yet due in 2021Y
    assert codes(not_due) == []


def test_behind_needs_problems_and_plan(wb):
    bad = set_many(wb, ONGOING, 完成状态="进度滞后")
    assert found(bad) == {
        ("status.problems-missing", S, task_cell(wb, ONGOING, "存在问题")),
        ("status.plan-missing", S, task_cell(wb, ONGOING, "下步打算")),
    }
    ok = set_many(wb, ONGOING, 完成状态="进度滞后", 存在问题="资金未到位", 下步打算="9月底前完成")
    assert codes(ok) == []


def test_progress_missing_unless_not_started(wb):
    assert found(factory.set_task(wb, ONGOING, "进展情况", None)) == {
        ("status.progress-missing", S, task_cell(wb, ONGOING, "进展情况"))
    }
    ok = set_many(
        wb,
        ONGOING,
        完成状态="未启动",
        进展情况=None,
        存在问题="待上级批复",
        下步打算="批复后立即启动",
    )
    assert codes(ok) == []


def test_not_applicable_needs_reason(wb):
    bad = set_many(wb, ONGOING, 完成状态="不适用", 进展情况=None)
    assert found(bad) == {("status.na-without-reason", S, task_cell(wb, ONGOING, "进展情况"))}
    ok = set_many(wb, ONGOING, 完成状态="不适用", 进展情况=None, 存在问题="本区无35千伏以上用户")
    assert codes(ok) == []


def test_short_progress_is_a_warning(wb):
    result = run(factory.set_task(wb, ONGOING, "进展情况", "推进中"))
    assert [(f.code, f.severity, f.cell) for f in result.findings] == [
        ("status.progress-short", "warning", task_cell(wb, ONGOING, "进展情况"))
    ]


def test_task_phone_is_a_warning(wb):
    result = run(factory.set_task(wb, ONGOING, "联系电话", "123"))
    assert [(f.code, f.severity) for f in result.findings] == [("task.phone-invalid", "warning")]


def test_planning_period_may_leave_progress_empty():
    wb = factory.build(period_code="2021P")
    assert codes(wb) == []
    bad = factory.set_task(wb, DATED, "县级完成时限", None)  # still required in 2021P
    assert codes(bad) == ["time.county-due-empty"]
    bad = factory.set_task(wb, DATED, "完成状态", "完成了")  # a given value is still checked
    assert codes(bad) == ["status.invalid"]


def test_return_entries_are_typed(wb):
    result = run(wb)
    entry = next(t for t in result.tasks if t.id == DATED)
    assert entry.status == "已完成" and entry.done_date == date(2021, 6, 25)
    assert entry.county_due.dated and entry.county_units


def test_achieved_may_carry_a_date(wb):
    assert codes(factory.set_task(wb, ACHIEVED, "完成日期", date(2021, 3, 1))) == []


# ------------------------------------------------------------------ text as typed


def test_county_text_is_carried_and_quoted_as_typed(wb):
    progress = "完成线上平台对接，3月以来（累计）：5户"
    bad = factory.set_task(wb, DATED, "进展情况", f"\u3000{progress} ")
    bad = factory.set_task(bad, DATED, "存在问题", "无，（暂无）")
    bad = factory.set_task(bad, DATED, "下步打算", "继续推进：扩面")
    bad = factory.set_task(bad, DATED, "县级责任单位", "任城区发改局，曲阜市供电中心（营销部）")
    bad = factory.set_task(bad, NEXT, "进展情况", "对接完成，（累计）")
    bad = factory.set_task(bad, NEXT, "完成状态", "基本完成，（待验收）")
    result = run(bad)
    entry = next(e for e in result.tasks if e.id == DATED)
    assert (entry.progress, entry.problems, entry.plan) == (
        progress,
        "无，（暂无）",
        "继续推进：扩面",
    )
    assert entry.county_units == ("任城区发改局", "曲阜市供电中心（营销部）")
    by_code = {f.code: f for f in result.findings}
    other = by_code["unit.other-county"]
    assert other.value == "任城区发改局，曲阜市供电中心（营销部）"
    assert "曲阜市供电中心（营销部）" in other.message
    invalid = by_code["status.invalid"]
    assert invalid.value == "基本完成，（待验收）"
    assert "“基本完成，（待验收）”" in invalid.message
    short = by_code["status.progress-short"]
    assert short.value == "对接完成，（累计）" and "“对接完成，（累计）”" in short.message


@pytest.mark.parametrize(
    "typed", ["已实现，持续巩固提升", "已实现，持续巩固提升。", "已实现持续巩固提升"]
)
def test_status_in_the_citys_own_wording_passes(wb, typed):
    ok = factory.set_task(wb, "2", "完成状态", typed)
    assert codes(ok) == []
    entry = next(e for e in run(ok).tasks if e.id == "2")
    assert entry.status == "已实现持续巩固"


@pytest.mark.parametrize("typed", ["完成", "逾期", "基本完成"])
def test_status_other_words_still_invalid(wb, typed):
    assert found(factory.set_task(wb, "2", "完成状态", typed)) == {("status.invalid", S, "H4")}
