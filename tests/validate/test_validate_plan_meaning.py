"""任务台账 read as the plan means it (issue 10): overdue on the deadline day, 不适用 with only
its reason, words that say nothing, deadlines in the city deadline's year, ids known by their
text, the local-task bound. Each rule: a case that has the finding and one that must not."""

from datetime import date

import pytest

from tests import factory
from tests.validate_helpers import codes, found, run, task_cell

S = "任务台账"
JUNE = "17"  # city: 2021年6月底前
YEAR_END = "28"  # city: 2021年底前 (各供电企业)
ONGOING = "14"  # city: 持续推进
ACHIEVED = "12"  # city: 已实现，持续巩固提升。


def set_many(wb, task_id, **values):
    for header, value in values.items():
        wb = factory.set_task(wb, task_id, header, value)
    return wb


@pytest.fixture(scope="module")
def wb():
    return factory.build()


@pytest.fixture(scope="module")
def h1():
    return factory.build(period_code="2021H1", filed=date(2021, 6, 30))


# ------------------------------------------------------------------ 1. overdue on the day


def test_due_on_the_as_of_day_and_still_on_schedule_is_overdue(wb, h1):
    # 2021年6月底前, still 序时推进 in the 2021H1 return (as of 2021-06-30)
    late = set_many(h1, JUNE, 完成状态="序时推进", 完成日期=None)
    result = run(late, today=date(2021, 7, 1))
    assert found(late, today=date(2021, 7, 1)) == {
        ("status.overdue-on-schedule", S, task_cell(h1, JUNE, "完成状态"))
    }
    assert "2021年6月底" in result.findings[0].message
    # 2021年底前, still 序时推进 in the 2021Y return (as of 2021-12-31)
    assert found(set_many(wb, YEAR_END, 完成状态="序时推进", 完成日期=None)) == {
        ("status.overdue-on-schedule", S, task_cell(wb, YEAR_END, "完成状态"))
    }


def test_not_yet_due_or_committed_to_continuing_is_not_overdue(wb, h1):
    # 2021年底前 in the H1 return is not due yet
    assert codes(set_many(h1, YEAR_END, 完成状态="序时推进", 完成日期=None)) == []
    # a deadline that commits to continuing: 持续推进 is what it asked for, on the day too
    kept_on = set_many(
        h1, JUNE, 县级完成时限="2021年6月底前完成，持续推进", 完成状态="持续推进", 完成日期=None
    )
    assert codes(kept_on, today=date(2021, 7, 1)) == []
    # 进度滞后 is the honest word: it needs its problems and plan, nothing else
    behind = set_many(
        wb,
        YEAR_END,
        完成状态="进度滞后",
        完成日期=None,
        存在问题="资金未到位",
        下步打算="3月底前完成",
    )
    assert codes(behind) == []


# ------------------------------------------------------------------ 2. 不适用


@pytest.mark.parametrize("empty", [None, "/", "—", "无"])
def test_not_applicable_needs_no_units_or_deadline(wb, empty):
    na = set_many(
        wb,
        JUNE,
        完成状态="不适用",
        县级责任单位=empty,
        县级完成时限=empty,
        完成日期=None,
        进展情况="本区无省级以上园区，经市能源局同意不适用。",
        联系电话="123",  # no other rule of the row applies
    )
    result = run(na)
    assert result.findings == ()
    assert next(e for e in result.tasks if e.id == JUNE).status == "不适用"


def test_not_applicable_without_a_reason_is_the_one_finding(wb):
    na = set_many(wb, JUNE, 完成状态="不适用", 县级责任单位=None, 县级完成时限=None, 进展情况="无")
    result = run(na)
    assert [(f.code, f.cell) for f in result.findings] == [
        ("status.na-without-reason", task_cell(wb, JUNE, "进展情况"))
    ]
    assert "“无”" in result.findings[0].message
    # the reason may stand in 存在问题
    assert codes(set_many(na, JUNE, 存在问题="本区没有此类用户")) == []


# ------------------------------------------------------------------ 3. words that say nothing


@pytest.mark.parametrize("nothing", ["无", "暂无", "没有", "无问题", "/", "—", "-", "略", "同上",
                                     "见上", "待定", "空", "无。", "（暂无）"])  # fmt: skip
def test_words_that_say_nothing_count_as_empty(wb, nothing):
    behind = set_many(wb, ONGOING, 完成状态="进度滞后", 存在问题=nothing, 下步打算="9月底前完成")
    result = run(behind)
    assert [(f.code, f.cell) for f in result.findings] == [
        ("status.problems-missing", task_cell(wb, ONGOING, "存在问题"))
    ]
    assert f"“{nothing}”" in result.findings[0].message  # what was typed, quoted


def test_words_that_say_nothing_in_every_required_text(wb):
    bad = set_many(
        wb, ONGOING, 完成状态="未启动", 进展情况=None, 存在问题="待上级批复", 下步打算="同上"
    )
    assert found(bad) == {("status.plan-missing", S, task_cell(wb, ONGOING, "下步打算"))}
    bad = factory.set_task(wb, ONGOING, "进展情况", "暂无")  # 持续推进: progress required
    result = run(bad)
    assert [(f.code, f.severity) for f in result.findings] == [("status.progress-missing", "error")]
    assert found(factory.set_task(wb, JUNE, "县级责任单位", "/")) == {
        ("unit.empty", S, task_cell(wb, JUNE, "县级责任单位"))
    }
    assert found(factory.set_task(wb, JUNE, "县级完成时限", "待定")) == {
        ("time.county-due-empty", S, task_cell(wb, JUNE, "县级完成时限"))
    }


def test_texts_that_start_with_a_nothing_word_are_content(wb):
    ok = set_many(
        wb,
        ONGOING,
        完成状态="进度滞后",
        存在问题="无法按期完成征地",
        下步打算="同上月计划，9月完成",
    )
    assert codes(ok) == []
    # an empty cell quotes nothing
    assert "填的" not in run(factory.set_task(wb, ONGOING, "进展情况", None)).findings[0].message


# ------------------------------------------------------------------ 5. deadlines as the plan reads


def test_yearless_county_deadline_is_read_in_the_citys_year():
    wb = factory.build(period_code="2022H1", filed=date(2022, 6, 30))
    ok = factory.set_task(wb, JUNE, "县级完成时限", "6月底前")  # a 2021 task in a 2022 return
    result = run(ok, today=date(2022, 7, 1))
    assert result.findings == ()
    assert next(e for e in result.tasks if e.id == JUNE).county_due.due == date(2021, 6, 30)
    late = factory.set_task(wb, JUNE, "县级完成时限", "2022年6月底前")
    assert codes(late, today=date(2022, 7, 1)) == ["time.later-than-city"]


@pytest.mark.parametrize(("typed", "later"), [(202106, False), (20210630, False), (202112, True)])
def test_a_number_cell_is_a_year_and_month(wb, typed, later):
    result = run(factory.set_task(wb, JUNE, "县级完成时限", typed))
    assert [f.code for f in result.findings] == (["time.later-than-city"] if later else [])
    if not later:
        assert next(e for e in result.tasks if e.id == JUNE).county_due.due == date(2021, 6, 30)


@pytest.mark.parametrize("typed", ["年中", "按季度", "按月", "即时", "随时"])
def test_rhythm_words_are_accepted_where_the_city_says_ongoing(wb, typed):
    assert codes(factory.set_task(wb, ONGOING, "县级完成时限", typed)) == []
    # and a city date is not met by a rhythm: 按季度 gives no date at all
    if typed != "年中":
        assert codes(factory.set_task(wb, JUNE, "县级完成时限", typed)) == ["time.later-than-city"]


def test_mid_year_against_a_city_date_is_that_years_june(wb):
    assert codes(factory.set_task(wb, YEAR_END, "县级完成时限", "年中")) == []
    assert codes(factory.set_task(wb, JUNE, "县级完成时限", "2021年中")) == []


def test_achieved_later_than_the_plan_is_a_warning_to_explain(wb):
    result = run(factory.set_task(wb, ACHIEVED, "县级完成时限", "已于2021年6月完成"))
    assert [(f.code, f.severity, f.cell) for f in result.findings] == [
        ("time.achieved-later", "warning", task_cell(wb, ACHIEVED, "县级完成时限"))
    ]
    assert "2021年6月底" in result.findings[0].message
    # achieved before the plan was issued: nothing to explain; a promise is still an error
    assert codes(factory.set_task(wb, ACHIEVED, "县级完成时限", "已于2021年3月完成")) == []
    assert codes(factory.set_task(wb, ACHIEVED, "县级完成时限", "2022年底前")) == [
        "time.later-than-city"
    ]


def test_a_five_digit_year_is_not_wrapped_into_the_period(wb):
    assert codes(factory.set_task(wb, JUNE, "县级完成时限", "10000年6月底前")) == [
        "time.county-due-invalid"
    ]
    for value in ("10000年6月30日", date(1899, 12, 31), "1899-12-31"):
        assert found(factory.set_task(wb, JUNE, "完成日期", value)) == {
            ("time.done-date-invalid", S, task_cell(wb, JUNE, "完成日期"))
        }, value


# ------------------------------------------------------------------ 7. the right row, one finding


def test_a_blanked_task_is_missing_on_its_own_row(wb):
    row = factory.task_row(wb, "30")
    blank = wb
    for col in range(1, len(factory.TASKS.headers) + 1):
        blank = factory.set_cell(blank, S, row, col, None)
    result = run(blank)
    assert [(f.code, f.task, f.cell) for f in result.findings] == [
        ("task.missing", "30", f"A{row}")
    ]
    assert f"第 {row} 行（空行）" in result.findings[0].hint
    # a deleted row: the task belongs before the next one
    deleted = factory.delete_row(wb, S, row)
    assert [(f.code, f.cell) for f in run(deleted).findings] == [("task.missing", f"A{row}")]
    assert "行前插入" in run(deleted).findings[0].hint


def test_local_tasks_are_bounded_with_one_finding(wb):
    from schemas.plausible import bounds

    limit = bounds().max_local
    last = factory.task_row(wb, "68")

    def with_locals(n):
        w = wb
        for i in range(1, n + 1):
            w = factory.set_cell(w, S, last + i, 1, f"L{i}")
            w = factory.set_cell(w, S, last + i, 3, f"本地任务{i}")
        return w

    many = run(with_locals(limit + 5))
    bound = [f for f in many.findings if f.code == "task.local-too-many"]
    assert [(f.code, f.cell) for f in bound] == [("task.local-too-many", f"A{last + limit + 1}")]
    assert len([e for e in many.tasks if e.id.startswith("L")]) == limit
    assert "task.local-too-many" not in codes(with_locals(3))
