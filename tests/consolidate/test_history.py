"""The ledger over time (SPEC §7): each history.* code has a case that raises it and cases
that must not; the JSON's tasks block a later period reads; where the findings land."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from addin.consolidate import history, records
from addin.consolidate.build import consolidate
from addin.write import report
from schemas.reference import load
from tests.handmade import ONGOING, city_due, conn, dated, ret, task

REF = load()
H1, Y, P = REF.period("2021H1"), REF.period("2021Y"), REF.period("2021P")
LOW = "低压居民和小微企业用户"
STEPS = {"受理并答复供电方案": 100, "验收送电": 120}


def summary(period, *returns):
    return consolidate(list(returns), period, validated_at=datetime(2022, 1, 10), city_due=city_due)


def as_json(s) -> dict:
    return json.loads(report.to_json(s))


def found(current, period, *earlier, unit="任城区") -> list:
    """The history findings of `unit` when `current` (a Return) is compared with the earlier
    periods' summaries (each a (period, Return))."""
    previous = [as_json(summary(p, r)) for p, r in earlier]
    s = history.with_history(summary(period, current), previous)
    row = next(u for u in s.units if u.unit == unit)
    return [f for f in row.ret.findings if f.code.startswith("history.")]


def codes(findings) -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in findings]


# ---- promise-missed --------------------------------------------------------------------


def behind(tid="2", plan="", status="进度滞后", **kw):
    return task(tid, status, problems="征地未完成", plan=plan, **kw)


def test_a_promise_passed_while_still_behind_is_missed_at_the_plan_cell():
    before = ret("任城区", period="2021H1", tasks=[behind(plan="计划2021年9月底前完成")])
    now = ret("任城区", tasks=[behind(plan="计划2022年3月底前完成")])
    (f,) = found(now, Y, (H1, before))
    assert (f.code, f.sheet, f.cell, f.column, f.task) == (
        "history.promise-missed",
        "任务台账",
        "L4",
        "下步打算",
        "2",
    )
    assert f.severity == "warning"
    assert "2021年上半年" in f.message and "2021年9月30日" in f.message and "进度滞后" in f.message
    assert f.value == "计划2022年3月底前完成"


@pytest.mark.parametrize(
    "plan,status",
    [
        ("计划2021年9月底前完成", "已完成"),  # kept the promise
        ("计划2021年9月底前完成", "已实现持续巩固"),
        ("计划2021年9月底前完成", "不适用"),
        ("计划2022年3月底前完成", "进度滞后"),  # promised for later: not due yet
        ("协调相关部门，持续推进", "进度滞后"),  # no date promised
        ("计划2021年5月底前完成", "进度滞后"),  # before H1's own as-of: not a promise ahead
    ],
)
def test_no_promise_missed_when_kept_not_due_or_never_made(plan, status):
    before = ret("任城区", period="2021H1", tasks=[behind(plan=plan)])
    now = ret("任城区", tasks=[task("2", status, progress="已按计划推进", done=date(2021, 9, 1))])
    assert [f for f in found(now, Y, (H1, before)) if f.code == "history.promise-missed"] == []


# ---- status-regressed ------------------------------------------------------------------


def test_a_task_done_before_and_not_done_now_regressed_at_the_status_cell():
    before = ret("任城区", period="2021H1", tasks=[task("2", "已完成", done=date(2021, 5, 1))])
    now = ret("任城区", tasks=[task("2", "序时推进")])
    (f,) = found(now, Y, (H1, before))
    assert (f.code, f.cell, f.column, f.value) == (
        "history.status-regressed",
        "H4",
        "完成状态",
        "序时推进",
    )
    assert "已完成" in f.message and "2021年上半年" in f.message


@pytest.mark.parametrize(
    "then,now",
    [
        ("已完成", "已完成"),
        ("已完成", "已实现持续巩固"),
        ("序时推进", "进度滞后"),
        ("已完成", None),
    ],
)
def test_no_regression_when_still_done_never_done_or_blank(then, now):
    before = ret("任城区", period="2021H1", tasks=[task("2", then, done=date(2021, 5, 1))])
    current = ret("任城区", tasks=[task("2", now, done=date(2021, 5, 1), plan="推进")])
    assert [
        f for f in found(current, Y, (H1, before)) if f.code == "history.status-regressed"
    ] == []


# ---- deadline-moved --------------------------------------------------------------------


def test_a_deadline_later_than_the_plan_gave_moved_at_the_deadline_cell():
    plan = ret("任城区", period="2021P", tasks=[task("2", None, due=dated(date(2021, 9, 30)))])
    middle = ret("任城区", period="2021H1", tasks=[task("2", due=dated(date(2021, 9, 30)))])
    now = ret("任城区", tasks=[task("2", due=dated(date(2021, 12, 31), "2021年底前"))])
    (f,) = found(now, Y, (P, plan), (H1, middle))
    assert (f.code, f.cell, f.column, f.value) == (
        "history.deadline-moved",
        "G4",
        "县级完成时限",
        "2021年底前",
    )
    assert "2021年任务台账（制定）" in f.message  # the earliest promise is quoted
    assert "2021年9月30日前" in f.message


def test_an_open_ended_answer_replacing_a_date_moved_too():
    plan = ret("任城区", period="2021P", tasks=[task("2", None, due=dated(date(2021, 9, 30)))])
    now = ret("任城区", tasks=[task("2", due=ONGOING)])
    assert codes(found(now, Y, (P, plan))) == [("history.deadline-moved", "G4")]


@pytest.mark.parametrize(
    "now,status",
    [
        (dated(date(2021, 9, 30)), "序时推进"),  # kept
        (dated(date(2021, 8, 31)), "序时推进"),  # brought forward
        (dated(date(2021, 12, 31)), "不适用"),  # no longer applies
        (None, "序时推进"),  # nothing typed: the validator's finding
    ],
)
def test_no_move_when_kept_earlier_or_not_applicable(now, status):
    plan = ret("任城区", period="2021P", tasks=[task("2", None, due=dated(date(2021, 9, 30)))])
    current = ret("任城区", tasks=[task("2", status, due=now, progress="本区无此项工作")])
    assert [f for f in found(current, Y, (P, plan)) if f.code == "history.deadline-moved"] == []


# ---- figure-dropped --------------------------------------------------------------------


def figures(n, steps, total, sanling):
    return {"connection": [conn(LOW, n, steps, total)], "sanling": sanling}


def test_a_year_count_below_the_half_year_dropped_once_per_row():
    half = figures(100, STEPS, 220, {"线上办电户数": 500, "高压用户报装户数": 40})
    year = figures(80, {"受理并答复供电方案": 90, "验收送电": 130}, 220, {"线上办电户数": 450})
    before = ret("任城区", period="2021H1", tasks=[], **half)
    now = ret("任城区", tasks=[], **year)
    got = found(now, Y, (H1, before))
    online_row = 3 + [i.name for i in REF.indicators].index("线上办电户数")
    assert codes(got) == [
        ("history.figure-dropped", "C3"),  # 接电户数 and 受理…累计, one finding at the first
        ("history.figure-dropped", f"B{online_row}"),
    ]
    connection, online = got
    assert connection.sheet == "办电时限" and online.sheet == "三零三省"
    assert connection.message.startswith(
        f"{LOW}：接电户数本期 80（2021年上半年 100）、受理并答复供电方案累计（工作日）本期 90"
    )
    assert "验收送电" not in connection.message  # it grew
    assert online.message.startswith(
        "线上办电户数：本期 450（2021年上半年 500），少于2021年上半年所报"
    )
    assert online.value == "450"


@pytest.mark.parametrize(
    "period,earlier",
    [
        (Y, H1),  # every figure grew
        (H1, P),  # a half-year is not compared with the plan's (empty) figures
    ],
)
def test_no_drop_when_the_year_grew_or_there_is_no_half_year(period, earlier):
    before = ret(
        "任城区", period=earlier.code, tasks=[], **figures(100, STEPS, 220, {"线上办电户数": 5})
    )
    grown = figures(150, STEPS, 300, {"线上办电户数": 5})
    now = ret("任城区", period=period.code, tasks=[], **grown)
    assert found(now, period, (earlier, before)) == []


def test_a_half_year_of_another_year_is_not_the_same_year():
    before = ret("任城区", period="2021H1", tasks=[], **figures(900, STEPS, 2000, {}))
    now = ret("任城区", period="2022Y", tasks=[], **figures(100, STEPS, 220, {}))
    assert found(now, REF.period("2022Y"), (H1, before)) == []


# ---- which periods, where the findings go ------------------------------------------------


def test_periods_not_before_this_one_are_not_compared():
    later = ret("任城区", period="2022H1", tasks=[task("2", "已完成", done=date(2022, 5, 1))])
    now = ret("任城区", tasks=[task("2", "序时推进")])
    assert found(now, Y, (REF.period("2022H1"), later)) == []
    assert found(now, Y, (Y, ret("任城区", tasks=[task("2", "已完成")]))) == []


def test_findings_join_the_units_return_its_counts_and_the_json():
    before = ret("任城区", period="2021H1", tasks=[task("2", "已完成", done=date(2021, 5, 1))])
    other = ret("兖州区", tasks=[task("2", "序时推进")])
    now = ret("任城区", tasks=[task("2", "序时推进")])
    plain = summary(Y, now, other)
    s = history.with_history(plain, [as_json(summary(H1, before))])
    row = next(u for u in s.units if u.unit == "任城区")
    assert row.counts["warning"] == plain.units[0].counts["warning"] + 1
    assert row.status == plain.units[0].status  # a warning never sends a return back
    rows = [(fr.unit, fr.finding.code) for fr in s.findings]
    index = rows.index(("任城区", "history.status-regressed"))
    assert all(unit == "任城区" for unit, _ in rows[: index + 1])  # before 兖州区's
    assert rows[index + 1][0] != "任城区" or rows[index + 1][1].startswith("history.")
    data = as_json(s)
    assert "history.status-regressed" in {f["code"] for f in data["findings"]}
    assert next(src for src in s.sources if src.ret.unit == "任城区").ret is row.ret
    assert history.with_history(plain, []) is plain  # nothing given, nothing changes


# ---- what a period leaves for the next ---------------------------------------------------


def test_the_json_tasks_block_has_status_deadline_done_light_and_promises():
    entry = behind(plan="计划2021年9月底前完成，年底前全面推广", due=dated(date(2021, 8, 31)))
    done = task("1", "已完成", done=date(2021, 5, 20))
    data = as_json(summary(H1, ret("任城区", period="2021H1", tasks=[entry, done])))
    tasks = data["tasks"]
    assert set(tasks) == set(REF.unit_names) and tasks["兖州区"] == {}
    assert tasks["任城区"]["2"] == {
        "status": "进度滞后",
        "deadline": "2021-08-31",
        "deadline_text": "2021年8月31日前",
        "done": None,
        "light": "yellow",
        "promises": ["2021-09-30", "2021-12-31"],
    }
    assert tasks["任城区"]["1"]["done"] == "2021-05-20"
    assert tasks["任城区"]["1"]["deadline"] is None  # no county deadline of its own
    assert data["cumulative"] == {
        "任城区": {"connection": {}, "sanling": {i.name: None for i in REF.indicators}}
    }


@pytest.mark.parametrize(
    "plan,as_of,expected",
    [
        ("计划2021年9月底前完成", date(2021, 12, 31), [date(2021, 9, 30)]),
        (
            "2022年3月底前完成设计，6月底前完成施工",
            date(2021, 12, 31),
            [date(2022, 3, 31), date(2022, 6, 30)],
        ),
        ("3月底前完成", date(2021, 12, 31), [date(2022, 3, 31)]),  # ahead: next year's March
        ("9月30日前完成招标", date(2021, 6, 30), [date(2021, 9, 30)]),
        ("按照2021年工作要点推进", date(2021, 6, 30), []),  # names a year, promises nothing
        ("协调相关部门，持续推进", date(2021, 6, 30), []),
        ("", date(2021, 6, 30), []),
    ],
)
def test_promises_are_the_dates_a_plan_commits_to(plan, as_of, expected):
    assert list(records.promises(plan, as_of)) == expected
