"""The pure figures: task lights, rates, weighted averages, outage hours, shares."""

from __future__ import annotations

from datetime import date

import pytest

from addin.consolidate import aggregate as agg
from schemas.deadline import Deadline
from schemas.progress import is_overdue
from schemas.reference import load
from schemas.sheets import STATUSES
from tests.handmade import ONGOING, conn, dated, rel, task

AS_OF = date(2021, 12, 31)
JUNE = dated(date(2021, 6, 30))


def state(entry, city=ONGOING):
    return agg.task_state(entry, city, AS_OF)


@pytest.mark.parametrize(
    ("entry", "city", "light", "overdue"),
    [
        (task("1", "已完成", done=date(2021, 6, 1)), JUNE, "green", False),
        (task("1", "已完成", done=date(2021, 7, 1)), JUNE, "yellow", False),  # finished late
        (task("1", "序时推进"), JUNE, "red", True),  # due, not done
        (task("1", "未启动"), JUNE, "red", True),
        (task("1", "未启动"), dated(date(2022, 12, 31)), "yellow", False),  # not yet due
        (task("1", "进度滞后"), dated(date(2022, 12, 31)), "yellow", False),
        (task("1", "持续推进"), ONGOING, "green", False),
        (task("1", "不适用"), JUNE, "grey", False),
        (task("1", None), JUNE, "grey", False),
        (task("1", "已实现持续巩固"), JUNE, "green", False),
    ],
)
def test_task_light(entry, city, light, overdue):
    st = state(entry, city)
    assert (st.light, st.overdue) == (light, overdue)


def test_county_deadline_counts_when_dated_else_the_city_one():
    early = task("1", "序时推进", due=dated(date(2021, 3, 31)))
    assert state(early, dated(date(2022, 12, 31))).due == date(2021, 3, 31)
    ongoing = task("1", "序时推进", due=ONGOING)
    assert state(ongoing, JUNE).due == date(2021, 6, 30)
    assert state(ongoing, ONGOING).due is None


def test_due_on_the_as_of_day_is_overdue():
    """SPEC §2.5: due on or before as-of. 2021年底前 still 进度滞后 in the 2021Y return and
    2021年6月底前 still 序时推进 in the 2021H1 one are overdue on the deadline day itself."""
    year_end = dated(AS_OF, "2021年底前")
    assert state(task("1", "进度滞后"), year_end).overdue
    assert state(task("1", "序时推进"), year_end).light == "red"
    h1 = agg.task_state(task("1", "序时推进"), JUNE, date(2021, 6, 30))
    assert h1.overdue and h1.light == "red"
    # the day before the deadline it is not (no false alarm)
    assert not agg.task_state(task("1", "序时推进"), JUNE, date(2021, 6, 29)).overdue
    assert not state(task("1", "已完成", done=AS_OF), year_end).overdue


def test_ongoing_status_meets_a_deadline_that_commits_to_continuing():
    """A deadline of "2021年6月底前完成，持续推进" answered 持续推进 is what it asked for —
    the validator says so (schemas.progress.is_overdue), and so does the summary."""
    keep_going = Deadline(
        "2021年6月底前完成，持续推进", "dated", date(2021, 6, 30), "month", also_ongoing=True
    )
    st = state(task("1", "持续推进", due=keep_going), JUNE)
    assert (st.overdue, st.light) == (False, "green")
    assert state(task("1", "序时推进", due=keep_going), JUNE).overdue  # but not 序时推进
    assert state(task("1", "持续推进"), JUNE).overdue  # nor a plain dated deadline


def test_a_county_already_achieved_deadline_counts_as_the_validator_reads_it():
    achieved = Deadline("已实现，持续巩固提升", "achieved", also_ongoing=True)
    st = state(task("1", "已实现持续巩固", due=achieved), JUNE)
    assert st.due is None and not st.overdue and st.light == "green"


def test_overdue_is_the_shared_definition():
    """The summary's 逾期 is schemas.progress.is_overdue for the deadline that counts."""
    cases = [
        (status, city, county)
        for status in (*STATUSES, None)
        for city in (JUNE, dated(AS_OF), dated(date(2022, 12, 31)), ONGOING)
        for county in (None, dated(date(2021, 3, 31)), ONGOING)
    ]
    for status, city, county in cases:
        entry = task("1", status, due=county)
        deadline = agg.deadline_that_counts(entry, city)
        assert state(entry, city).overdue == is_overdue(status, deadline, AS_OF), (status, city)


def test_completion_rate_leaves_out_tasks_that_never_end():
    """SPEC §5: 完成率 = done ÷ applicable tasks with an end point. 持续推进 tasks are in
    neither side, so a county that did everything scores 100%, not done ÷ all."""
    dues = {"1": JUNE, "2": Deadline("已实现，持续巩固提升。", "achieved", also_ongoing=True)}
    everything = [task("1", "已完成", done=date(2021, 5, 1)), task("2", "已实现持续巩固")]
    everything += [task(str(i), "持续推进") for i in range(3, 6)]
    fig = agg.task_figures(everything, lambda tid: dues.get(tid, ONGOING), AS_OF)
    assert (fig.ending, fig.done, fig.applicable) == (2, 2, 5)
    assert fig.completion_rate == 1.0
    # a 持续推进 task a county calls 已完成 does not lift the rate past its end-point tasks
    early = agg.task_figures(
        [task("1", "序时推进"), task("3", "已完成")], lambda tid: dues.get(tid, ONGOING), AS_OF
    )
    assert (early.ending, early.done) == (1, 0) and early.completion_rate == 0.0


def test_rates_follow_spec():
    entries = [
        task("1", "已完成", done=date(2021, 5, 1)),  # due, done: green
        task("2", "已实现持续巩固"),  # due, kept up: done for every rate
        task("3", "进度滞后"),  # due, behind: overdue and lagging
        task("4", "不适用"),  # out of every denominator
        task("5", "持续推进"),  # ongoing: no end point, green
        task("6", None),  # blank: applicable, not green; its city time 持续推进, no end point
        task("7", "未启动"),  # not yet due: lagging, yellow
    ]
    dues = {"1": JUNE, "2": JUNE, "3": JUNE, "4": JUNE, "7": dated(date(2022, 12, 31))}
    fig = agg.task_figures(entries, lambda tid: dues.get(tid, ONGOING), AS_OF)
    assert (fig.applicable, fig.ending, fig.done) == (6, 4, 2)
    assert fig.completion_rate == pytest.approx(2 / 4)  # 1, 2 of 1, 2, 3, 7
    assert fig.on_track == 3 and fig.on_track_rate == pytest.approx(3 / 6)  # 1, 2, 5
    assert (fig.due_total, fig.due_done) == (3, 2)  # 已实现持续巩固 is done
    assert fig.due_completion_rate == pytest.approx(2 / 3)
    assert (fig.overdue, fig.lagging, fig.light) == (1, 2, "red")
    assert fig.counts["已完成"] == 1 and fig.counts[""] == 1


def test_unit_light_and_empty_rates():
    fig = agg.task_figures([task("1", "不适用")], lambda _: ONGOING, AS_OF)
    assert fig.completion_rate is None and fig.due_completion_rate is None
    assert fig.on_track_rate is None
    assert fig.light == "grey"
    green = agg.task_figures([task("1", "持续推进")], lambda _: ONGOING, AS_OF)
    assert green.light == "green" and green.on_track_rate == 1.0
    assert green.completion_rate is None  # nothing with an end point: no rate, not 0


def test_combine_recomputes_rates_from_sums():
    a = agg.task_figures([task("1", "已完成")], lambda _: JUNE, AS_OF)
    b = agg.task_figures([task(str(i), "序时推进") for i in range(2, 5)], lambda _: ONGOING, AS_OF)
    c = agg.task_figures([task(str(i), "进度滞后") for i in range(2, 5)], lambda _: JUNE, AS_OF)
    city = agg.combine([a, b, c])
    assert city.completion_rate == pytest.approx(1 / 4)  # not the mean of 1.0 and 0.0
    assert city.on_track_rate == pytest.approx(4 / 7)  # a's and b's tasks
    assert city.due_completion_rate == pytest.approx(1 / 4)
    assert (city.ending, city.on_track, city.due_total) == (4, 4, 4)


LOW = "低压居民和小微企业用户"
DOUBLE = "10千伏双电源用户"


def test_connection_average_is_weighted_by_connections():
    types = load().customer_types
    by_unit = [
        ("甲", [conn(LOW, 100, {"受理并答复供电方案": 50, "验收送电": 80}, 130)]),
        ("乙", [conn(LOW, 10, {"受理并答复供电方案": 30, "验收送电": 20}, 50, over=4)]),
    ]
    rows = agg.connection_rows(by_unit, types)
    city = rows[0]
    assert (city.type, city.unit, city.connections) == (LOW, "全市", 110)
    assert city.average_days == pytest.approx(180 / 110)
    assert city.step_average["受理并答复供电方案"] == pytest.approx(80 / 110)
    assert city.on_time_rate == pytest.approx(1 - 4 / 110)
    assert city.within is True  # 1.64 ≤ 2 and each step within its limit
    assert city.verdict == "未达到" and city.met is False  # but 4 over the limit, no 说明
    yi = next(r for r in rows if r.unit == "乙")
    assert yi.average_days == pytest.approx(5.0) and yi.met is False
    assert "设计审查" not in city.step_average  # abolished for low voltage
    empty = next(r for r in rows if r.type == DOUBLE)
    assert empty.connections == 0 and empty.average_days is None and empty.met is None


def test_connection_step_over_limit_fails_even_if_total_passes():
    types = load().customer_types
    rows = agg.connection_rows(
        [("甲", [conn(LOW, 10, {"受理并答复供电方案": 15, "验收送电": 1}, 16)])], types
    )
    assert rows[0].average_days == pytest.approx(1.6) and rows[0].met is False


def test_reliability_met_by_target_or_by_cut():
    ref = load()
    rows = agg.reliability_rows(
        [
            ("甲", [rel("市区", 1000, 2000, 1000, 2500)]),  # 2.0 h, −20 %
            ("乙", [rel("市区", 1000, 1000, 1000, 1000)]),  # 1.0 h, ±0
        ],
        ref.areas,
        ref.yoy_cut,
    )
    city = rows[0]
    assert city.average_hours == pytest.approx(1.5)
    assert city.last_average_hours == pytest.approx(1.75)
    assert city.met_target is True
    jia = rows[1]
    assert (jia.met_target, jia.met_cut, jia.met) == (False, True, True)
    assert jia.yoy_change == pytest.approx(-0.2)
    missing = next(r for r in rows if r.area == "农村")
    assert missing.average_hours is None and missing.met is None


def test_sanling_totals_and_shares():
    ref = load()
    small, three = "低压小微企业报装户数（160千瓦及以下）", "其中享受“三零”服务户数"
    rows = agg.sanling_rows(
        [("甲", {small: 100, three: 90}), ("乙", {small: 50, three: 30, "线上办电户数": 10})],
        ref.indicators,
    )
    by_name = {r.indicator: r for r in rows}
    assert by_name[small].total == 150 and by_name[small].share is None
    assert by_name[three].share == pytest.approx(120 / 150)
    assert by_name["线上办电户数"].share == pytest.approx(10 / 150)
    assert by_name[three].by_unit == {"甲": 90, "乙": 30}


def test_normalise_progress_ignores_width_spacing_and_punctuation():
    a = "已完成 12 户“三零”服务，平均1.5个工作日。"
    b = "已完成１２户三零服务,平均1.5个工作日"
    assert agg.normalise_progress(a) == agg.normalise_progress(b)
