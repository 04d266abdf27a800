"""The pure figures: task lights, rates, weighted averages, outage hours, shares."""

from __future__ import annotations

from datetime import date

import pytest

from addin.consolidate import aggregate as agg
from schemas.reference import load
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


def test_due_on_the_as_of_day_is_not_overdue():
    assert not state(task("1", "序时推进"), dated(AS_OF)).overdue


def test_rates_follow_spec():
    entries = [
        task("1", "已完成", done=date(2021, 5, 1)),  # due, done
        task("2", "已实现持续巩固"),  # due, kept up: done for 完成率, not for 到期完成率
        task("3", "进度滞后"),  # due, behind: overdue and lagging
        task("4", "不适用"),  # out of both denominators
        task("5", "持续推进"),  # ongoing
        task("6", None),  # blank: in the 完成率 denominator
    ]
    dues = {"1": JUNE, "2": JUNE, "3": JUNE, "4": JUNE}
    fig = agg.task_figures(entries, lambda tid: dues.get(tid, ONGOING), AS_OF)
    assert (fig.applicable, fig.done) == (5, 2)
    assert fig.completion_rate == pytest.approx(2 / 5)
    assert (fig.due_total, fig.due_done) == (3, 1)
    assert fig.due_completion_rate == pytest.approx(1 / 3)
    assert (fig.overdue, fig.lagging, fig.light) == (1, 1, "red")
    assert fig.counts["已完成"] == 1 and fig.counts[""] == 1


def test_unit_light_and_empty_rates():
    fig = agg.task_figures([task("1", "不适用")], lambda _: ONGOING, AS_OF)
    assert fig.completion_rate is None and fig.due_completion_rate is None
    assert fig.light == "grey"
    green = agg.task_figures([task("1", "持续推进")], lambda _: ONGOING, AS_OF)
    assert green.light == "green"


def test_combine_recomputes_rates_from_sums():
    a = agg.task_figures([task("1", "已完成")], lambda _: ONGOING, AS_OF)
    b = agg.task_figures([task(str(i), "持续推进") for i in range(1, 4)], lambda _: ONGOING, AS_OF)
    city = agg.combine([a, b])
    assert city.completion_rate == pytest.approx(1 / 4)  # not the mean of 1.0 and 0.0


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
    assert city.met is True  # 1.64 ≤ 2 and each step within its limit
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
