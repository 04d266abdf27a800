"""Every figure that reaches a writer is finite (issue 10 item 8, issue 11 item 2): absurd
magnitudes (1.7e308), their sums and ratios, and inf/NaN cells are no figure (None), never
inf or NaN — whatever the validator says of the return, and with include_invalid too."""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime

import pytest

from addin.consolidate import aggregate as agg
from addin.consolidate.build import consolidate
from schemas.reference import load
from tests.handmade import city_due, conn, rel, ret

HUGE = 1.7e308
LOW = "低压居民和小微企业用户"
PERIOD = load().period("2021Y")


def floats(value, path="summary"):
    """(path, value) of every float inside dataclasses, dicts and sequences."""
    if isinstance(value, float):
        yield path, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from floats(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from floats(v, f"{path}[{k!r}]")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from floats(v, f"{path}[{i}]")


def assert_finite(value):
    bad = [(p, v) for p, v in floats(value) if not math.isfinite(v)]
    assert not bad, bad[:5]


def test_a_huge_last_year_count_gives_no_infinite_change():
    """上年同期用户数 1.7e308 with a small 上年同期停电时户数: last year's average underflows
    to a denormal and this year's ÷ it overflowed to inf — the case that stopped XlsxWriter."""
    ref = load()
    rows = agg.reliability_rows(
        [("甲", [rel("市区", 1000, 1500, HUGE, 1)]), ("乙", [rel("市区", 1000, 1400, 1000, 1600)])],
        ref.areas,
        ref.yoy_cut,
    )
    assert_finite(rows)
    jia = next(r for r in rows if r.unit == "甲")
    assert jia.yoy_change is None and jia.met_cut is None
    assert jia.met is True  # 1.5 h is within 1.59: the target rule still judges it


def test_sums_that_overflow_are_no_figure():
    ref = load()
    by_unit = [
        ("甲", [rel("市区", HUGE, HUGE, HUGE, HUGE)]),
        ("乙", [rel("市区", HUGE, HUGE, HUGE, HUGE)]),
    ]
    rows = agg.reliability_rows(by_unit, ref.areas, ref.yoy_cut)
    assert_finite(rows)
    city = rows[0]
    assert city.customers is None and city.outage_hours is None and city.average_hours is None
    assert city.met is None
    big = conn(LOW, HUGE, {"受理并答复供电方案": HUGE, "验收送电": HUGE}, HUGE, over=HUGE)
    crows = agg.connection_rows([("甲", [big]), ("乙", [big])], ref.customer_types)
    assert_finite(crows)
    assert crows[0].connections is None and crows[0].verdict is None
    small, three = "低压小微企业报装户数（160千瓦及以下）", "其中享受“三零”服务户数"
    srows = agg.sanling_rows(
        [("甲", {small: HUGE, three: HUGE}), ("乙", {small: HUGE, three: 1})], ref.indicators
    )
    assert_finite(srows)
    by_name = {r.indicator: r for r in srows}
    assert by_name[small].total is None and by_name[three].share is None


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_non_finite_cells_are_no_figure(bad):
    ref = load()
    c = agg.connection_rows(
        [("甲", [conn(LOW, bad, {"受理并答复供电方案": bad}, bad, over=bad, longest=bad)])],
        ref.customer_types,
    )
    r = agg.reliability_rows([("甲", [rel("市区", bad, bad, bad, bad)])], ref.areas, ref.yoy_cut)
    s = agg.sanling_rows([("甲", {"线上办电户数": bad})], ref.indicators)
    assert_finite([c, r, s])


def test_a_whole_summary_of_absurd_returns_is_finite_with_include_invalid():
    huge = ret(
        "任城区",
        connection=[conn(LOW, HUGE, {"受理并答复供电方案": HUGE}, HUGE, over=HUGE)],
        reliability=[rel("市区", HUGE, HUGE, HUGE, 1), rel("城镇", 1000, 3000, HUGE, 1)],
        sanling={"线上办电户数": HUGE, "低压居民报装户数": HUGE},
        errors=1,
    )
    twin = dataclasses.replace(huge, unit="兖州区")
    s = consolidate(
        [huge, twin],
        PERIOD,
        validated_at=datetime(2022, 1, 10, 9),
        city_due=city_due,
        include_invalid=True,
    )
    assert_finite([s.connection, s.reliability, s.sanling, s.city, s.units])


def test_a_count_beyond_exact_floats_stays_a_float():
    assert agg.count(17037.0) == 17037 and isinstance(agg.count(17037.0), int)
    assert isinstance(agg.count(HUGE), float)  # not a 309-digit integer
    assert agg.count(math.inf) is None and agg.count(None) is None
