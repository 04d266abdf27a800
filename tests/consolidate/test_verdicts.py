"""Verdicts that mean what the plan means (SPEC §5, issue 10 item 9): Attachment 1 达到 only
with nobody over the limit, H1 reliability by the year-on-year rule, rates shown to two
decimals and never rounded up to 100.00%."""

from __future__ import annotations

import pytest

from addin.consolidate import aggregate as agg
from addin.model.figures import percent, shown_rate
from schemas.reference import load
from tests.handmade import conn, rel

LOW = "低压居民和小微企业用户"
STEPS = {"受理并答复供电方案": 50, "验收送电": 80}  # 130 days over 100 customers: 1.3 ≤ 2


def low_row(*entries):
    return agg.connection_rows([("甲", list(entries))], load().customer_types)[0]


def test_attachment1_met_only_with_nobody_over_the_limit():
    row = low_row(conn(LOW, 100, STEPS, 130))
    assert (row.within, row.verdict, row.met, row.verdict_text) == (True, "达到", True, "达到")


def test_attachment1_basically_met_when_every_over_limit_customer_is_explained():
    row = low_row(conn(LOW, 100, STEPS, 130, over=3, note="3户因客户原因延期，已备案"))
    assert (row.verdict, row.met) == ("基本达到", False)
    assert row.verdict_text == "基本达到（3 户超时限）"


def test_attachment1_not_met_with_over_limit_customers_unexplained():
    """The demo's 低压 row: average 1.38 of 2 days, 3 of 17,037 over the limit, no 说明 — once
    "按时率 100.0%，达到"."""
    row = low_row(conn(LOW, 17037, {"受理并答复供电方案": 9000, "验收送电": 14480}, 23480, over=3))
    assert row.within and row.verdict == "未达到" and row.met is False
    assert row.on_time_rate == pytest.approx(1 - 3 / 17037)
    assert percent(row.on_time_rate) == "99.98%"
    blank_note = low_row(conn(LOW, 100, STEPS, 130, over=1, note="  "))
    assert blank_note.verdict == "未达到"


def test_attachment1_not_met_when_the_average_is_over_the_limit():
    row = low_row(conn(LOW, 10, {"受理并答复供电方案": 20, "验收送电": 10}, 30))
    assert (row.within, row.verdict) == (False, "未达到")


def test_attachment1_city_row_needs_every_units_over_limit_explained():
    by_unit = [
        ("甲", [conn(LOW, 100, STEPS, 130, over=1, note="已说明")]),
        ("乙", [conn(LOW, 100, STEPS, 130, over=2)]),
    ]
    rows = agg.connection_rows(by_unit, load().customer_types)
    city, jia, yi = rows[:3]
    assert (city.unit, city.over_limit, city.verdict) == ("全市", 3, "未达到")
    assert (jia.verdict, yi.verdict) == ("基本达到", "未达到")


def test_attachment1_no_connections_no_verdict():
    row = agg.connection_rows([("甲", [])], load().customer_types)[0]
    assert row.verdict is None and row.met is None and row.verdict_text == "—"


def reliability(area, entries, *, yoy_only):
    ref = load()
    return agg.reliability_rows([("甲", entries)], ref.areas, ref.yoy_cut, yoy_only=yoy_only)[0]


def test_h1_reliability_is_judged_by_the_year_on_year_cut_alone():
    # 市区 target 1.59 h (annual): half-year 1.2 h is under it, but only 4 % below last H1
    under_target_small_cut = [rel("市区", 1000, 1200, 1000, 1250)]
    h1 = reliability("市区", under_target_small_cut, yoy_only=True)
    assert (h1.met_target, h1.met_cut, h1.met, h1.yoy_only) == (True, False, False, True)
    year = reliability("市区", under_target_small_cut, yoy_only=False)
    assert year.met is True  # a Y period: the target alone is enough, as before
    # over the annual target but cut by 20 %: met in H1 (and in a Y period too)
    big_cut = [rel("市区", 1000, 2000, 1000, 2500)]
    assert reliability("市区", big_cut, yoy_only=True).met is True
    assert reliability("市区", big_cut, yoy_only=False).met is True
    # no 上年同期: an H1 figure cannot be judged at all
    alone = reliability("市区", [rel("市区", 1000, 1200)], yoy_only=True)
    assert alone.met is None and alone.met_target is True


@pytest.mark.parametrize(
    ("value", "shown", "text"),
    [
        (1.0, 1.0, "100.00%"),
        (0.99996, 0.9999, "99.99%"),  # would round up to 100.00%
        (0.9998239, 0.9998, "99.98%"),
        (0.5, 0.5, "50.00%"),
        (0.00004, 0.0001, "0.01%"),  # above 0 is never shown as 0.00%
        (0.0, 0.0, "0.00%"),
        (-0.1103, -0.1103, "-11.03%"),  # a change, not a share: plain rounding
        (None, None, "—"),
    ],
)
def test_rates_are_shown_to_two_decimals_never_rounded_up_to_100(value, shown, text):
    assert shown_rate(value) == shown
    assert percent(value) == text


@pytest.mark.parametrize(("code", "done", "ending"), [("2022Y", 44, 44), ("2021Y", 43, 44)])
def test_a_county_that_did_everything_due_scores_as_the_plan_reads(tmp_path, code, done, ending):
    """A clean sample county: every task due is done, 24 已实现持续巩固, 24 持续推进 (no end
    point). In 2022Y everything is finished: 100.00%, where done ÷ all tasks gave 63.2%. In 2021Y
    the one task due 2022年底前 is still 序时推进: 43 of 44, and 推进正常率 and 到期完成率 are
    100%."""
    from datetime import datetime

    from addin.consolidate.build import consolidate
    from addin.faces.samples import make_returns
    from addin.pipeline.collect import validate_paths

    period = load().period(code)
    paths = make_returns(tmp_path, period, units=["任城区"], mistakes=False)
    [ret] = validate_paths(paths, period=period)
    s = consolidate([ret], period, validated_at=datetime(2023, 1, 6))
    fig = next(u for u in s.units if u.unit == "任城区").figures
    assert (fig.done, fig.ending, fig.applicable) == (done, ending, 68)
    assert fig.completion_rate == done / ending
    assert fig.on_track_rate == 1.0 and fig.due_completion_rate == 1.0
    assert s.city.completion_rate == fig.completion_rate
    assert percent(fig.completion_rate) == ("100.00%" if done == ending else "97.73%")
