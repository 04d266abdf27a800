"""The completion-time grammar: the catalogue's values, each grammar feature with a concrete
due date, and properties (formatting variants agree, comparison is consistent, nothing raises)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.deadline import Deadline, parse_deadline, serial_to_date
from schemas.deadline_rules import compare, describe, due_by, held_to, later_than, read_county
from schemas.reference import load

D = date

# Every distinct 完成时间 of the catalogue → (kind, due, precision).
CATALOGUE = {
    "2022年底前": ("dated", D(2022, 12, 31), "year"),
    "已实现，持续巩固提升。": ("achieved", None, None),
    "持续推进": ("ongoing", None, None),
    "2021年6月底前": ("dated", D(2021, 6, 30), "month"),
    "2021年底前": ("dated", D(2021, 12, 31), "year"),
    "2021年5月底前": ("dated", D(2021, 5, 31), "month"),
    "2021年3月底前": ("dated", D(2021, 3, 31), "month"),
    "2021年5月15日前": ("dated", D(2021, 5, 15), "day"),
}


def test_table_covers_every_catalogue_value():
    assert {t.due for t in load().tasks} == set(CATALOGUE)


@pytest.mark.parametrize("value", sorted(CATALOGUE))
def test_catalogue_value(value):
    kind, due, precision = CATALOGUE[value]
    d = parse_deadline(value)
    assert (d.kind, d.due, d.precision) == (kind, due, precision)
    assert d.raw == value
    assert d.milestones == ((due,) if due else ())
    assert not d.ambiguous


def test_achieved_is_also_ongoing_in_spirit():
    d = parse_deadline("已实现，持续巩固提升。")
    assert d.kind == "achieved" and d.also_ongoing and not d.dated


def _due(value, year=2021, **kw):
    d = parse_deadline(value, year=year, **kw)
    return d.kind, d.due, d.precision


@pytest.mark.parametrize(
    ("value", "due", "precision"),
    [
        # full-width digits and punctuation
        ("２０２１年６月底前", D(2021, 6, 30), "month"),
        ("２０２１－０５－２０", D(2021, 5, 20), "day"),
        ("2021／5／20", D(2021, 5, 20), "day"),
        ("2021．5．20", D(2021, 5, 20), "day"),
        (" 2021 年 6 月 底 前 。", D(2021, 6, 30), "month"),
        ("2〇21年6月底前", D(2021, 6, 30), "month"),
        # Chinese numerals
        ("二〇二一年十二月", D(2021, 12, 31), "month"),
        ("二零二一年六月底", D(2021, 6, 30), "month"),
        ("十二月", D(2021, 12, 31), "month"),
        ("二〇二一年六月三十日", D(2021, 6, 30), "day"),
        ("二〇二一年五月二十一日前", D(2021, 5, 21), "day"),
        ("二〇二一年五月廿日", D(2021, 5, 20), "day"),
        # halves, quarters, 旬
        ("上半年", D(2021, 6, 30), "half"),
        ("下半年", D(2021, 12, 31), "half"),
        ("2022年上半年", D(2022, 6, 30), "half"),
        ("一季度", D(2021, 3, 31), "quarter"),
        ("第三季度", D(2021, 9, 30), "quarter"),
        ("四季度", D(2021, 12, 31), "quarter"),
        ("Q3", D(2021, 9, 30), "quarter"),
        ("2022q2", D(2022, 6, 30), "quarter"),
        ("2021年第二季度末前", D(2021, 6, 30), "quarter"),
        ("6月上旬", D(2021, 6, 10), "xun"),
        ("6月中旬", D(2021, 6, 20), "xun"),
        ("6月下旬", D(2021, 6, 30), "xun"),
        ("2024年2月下旬", D(2024, 2, 29), "xun"),
        # year-less year ends
        ("年底前", D(2021, 12, 31), "year"),
        ("年内", D(2021, 12, 31), "year"),
        ("年底", D(2021, 12, 31), "year"),
        ("年末", D(2021, 12, 31), "year"),
        # month ends
        ("6月底前", D(2021, 6, 30), "month"),
        ("6月底", D(2021, 6, 30), "month"),
        ("6月末", D(2021, 6, 30), "month"),
        ("6月份", D(2021, 6, 30), "month"),
        ("2021年2月底前", D(2021, 2, 28), "month"),
        # bare years
        ("2022", D(2022, 12, 31), "year"),
        ("2022年", D(2022, 12, 31), "year"),
        # dates as text
        ("2021年5月20日", D(2021, 5, 20), "day"),
        ("2021.5.20", D(2021, 5, 20), "day"),
        ("2021/5/20", D(2021, 5, 20), "day"),
        ("2021-05-20", D(2021, 5, 20), "day"),
        ("2021-5-20", D(2021, 5, 20), "day"),
        ("20210520", D(2021, 5, 20), "day"),
        ("2021-05-20 00:00:00", D(2021, 5, 20), "day"),
        # "X日前" includes day X; trailing noise
        ("2021年5月15日前", D(2021, 5, 15), "day"),
        ("2021年6月底前完成", D(2021, 6, 30), "month"),
        ("2021年6月底之前", D(2021, 6, 30), "month"),
        ("2021年6月底以前", D(2021, 6, 30), "month"),
        ("21年底前", D(2021, 12, 31), "year"),
    ],
)
def test_grammar_feature(value, due, precision):
    assert _due(value) == ("dated", due, precision)


@pytest.mark.parametrize(
    ("value", "start", "due", "precision"),
    [
        ("2021—2022年", D(2021, 1, 1), D(2022, 12, 31), "year"),
        ("2021–2022年", D(2021, 1, 1), D(2022, 12, 31), "year"),
        ("2021年6月-12月", D(2021, 6, 1), D(2021, 12, 31), "month"),
        ("2021年6月～12月", D(2021, 6, 1), D(2021, 12, 31), "month"),
        ("2021年6月至12月底", D(2021, 6, 1), D(2021, 12, 31), "month"),
        ("2021年11月-2月", D(2021, 11, 1), D(2022, 2, 28), "month"),
        ("2021年6月起至2022年底", D(2021, 6, 1), D(2022, 12, 31), "year"),
    ],
)
def test_range_is_due_at_its_end(value, start, due, precision):
    d = parse_deadline(value)
    assert (d.kind, d.start, d.due, d.precision) == ("dated", start, due, precision)
    assert d.milestones == (due,)  # the beginning is not a stage


def test_from_start_is_ongoing_without_due():
    d = parse_deadline("自2021年6月起")
    assert (d.kind, d.due, d.start, d.also_ongoing) == ("ongoing", None, D(2021, 6, 1), True)


def test_multi_stage_due_is_the_latest():
    d = parse_deadline("2021年6月底前完成试点，2022年底前全面推广")
    assert d.due == D(2022, 12, 31) and d.precision == "year"
    assert d.milestones == (D(2021, 6, 30), D(2022, 12, 31))


def test_multi_stage_inherits_the_year_written_earlier():
    d = parse_deadline("2022年6月底前完成试点，12月底前全面推广", year=2021)
    assert d.milestones == (D(2022, 6, 30), D(2022, 12, 31))


def test_dated_and_ongoing():
    d = parse_deadline("2021年6月底前完成，持续推进")
    assert (d.kind, d.due, d.also_ongoing) == ("dated", D(2021, 6, 30), True)


@pytest.mark.parametrize("value", ["6月前", "6月份前", "2021年6月前完成", "2021年6月之前"])
def test_month_before_is_ambiguous(value):
    d = parse_deadline(value, year=2021)
    assert (d.due, d.ambiguous) == (D(2021, 6, 30), True)


@pytest.mark.parametrize("value", ["6月底前", "6月末前", "6月30日前"])
def test_month_end_is_not_ambiguous(value):
    assert not parse_deadline(value, year=2021).ambiguous


@pytest.mark.parametrize("value", ["6月底前", "年底前", "上半年", "三季度", "6月上旬"])
def test_year_less_without_a_year_is_unknown(value):
    assert parse_deadline(value).kind == "unknown"
    assert parse_deadline(value, year=2023).due.year == 2023


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("持续推进", "ongoing"),
        ("长期坚持", "ongoing"),
        ("持续巩固", "ongoing"),
        ("已完成", "achieved"),
        ("", "unknown"),
        ("   ", "unknown"),
        ("不适用", "unknown"),
        ("2021年2月30日", "unknown"),
        ("2021年13月底", "unknown"),
        ("两年内", "unknown"),
        (None, "unknown"),
        (True, "unknown"),
        (float("nan"), "unknown"),
        (0, "unknown"),
        (-3, "unknown"),
    ],
)
def test_kinds(value, kind):
    assert parse_deadline(value, year=2021).kind == kind


def test_excel_cells_and_serials():
    assert _due(date(2021, 6, 30)) == ("dated", D(2021, 6, 30), "day")
    assert _due(datetime(2021, 6, 30, 17, 5)) == ("dated", D(2021, 6, 30), "day")
    assert parse_deadline(1).due == D(1900, 1, 1)
    assert parse_deadline(59).due == D(1900, 2, 28)
    fake = parse_deadline(60)  # Excel's 1900-02-29
    assert fake.due == D(1900, 2, 28) and fake.ambiguous
    assert parse_deadline(61).due == D(1900, 3, 1)
    assert parse_deadline(44377).due == D(2021, 6, 30)
    assert parse_deadline(44377.75).due == D(2021, 6, 30)
    assert parse_deadline(Decimal("44377")).due == D(2021, 6, 30)
    assert parse_deadline(0, date1904=True).due == D(1904, 1, 1)
    assert parse_deadline(42915, date1904=True).due == D(2021, 6, 30)
    assert _due(2022) == ("dated", D(2022, 12, 31), "year")  # a bare year, not a serial
    assert _due(2022.0, date1904=True) == ("dated", D(2022, 12, 31), "year")
    text_serial = parse_deadline("44377")
    assert text_serial.due == D(2021, 6, 30) and text_serial.ambiguous


def test_later_than_rules():
    june, dec = parse_deadline("2021年6月底前"), parse_deadline("2021年底前")
    ongoing, achieved = parse_deadline("持续推进"), parse_deadline("已实现，持续巩固提升。")
    unknown = parse_deadline("看情况")
    assert later_than(dec, june) is True
    assert later_than(june, dec) is False
    assert later_than(june, june) is False
    assert later_than(ongoing, june) is True  # open-ended replaces a date
    assert later_than(parse_deadline("自2021年6月起"), june) is True
    assert later_than(achieved, june) is False
    assert later_than(unknown, june) is None
    for county in (june, dec, ongoing, achieved, unknown):
        assert later_than(county, ongoing) is None
        assert later_than(county, achieved) is None
    # the city's 已实现 means achieved by the plan's issue date, when that date is given
    issued = D(2021, 5, 31)
    assert later_than(parse_deadline("2022年底前"), achieved, achieved_by=issued) is True
    assert later_than(parse_deadline("2021年5月底前"), achieved, achieved_by=issued) is False
    assert later_than(ongoing, achieved, achieved_by=issued) is False
    assert later_than(achieved, achieved, achieved_by=issued) is False
    assert later_than(unknown, achieved, achieved_by=issued) is None
    assert later_than(dec, ongoing, achieved_by=issued) is None  # ongoing city: anything goes
    assert later_than(dec, june, achieved_by=issued) is True
    # a coarser county value ends later than the city's exact day
    assert later_than(parse_deadline("2021年5月"), parse_deadline("2021年5月15日前")) is True


def test_compare_and_due_by():
    june, dec = parse_deadline("2021年6月底前"), parse_deadline("2021年底前")
    assert compare(june, dec) == -1 and compare(dec, june) == 1 and compare(june, june) == 0
    assert compare(june, parse_deadline("持续推进")) is None
    assert due_by(june, D(2021, 6, 30)) and not due_by(dec, D(2021, 6, 30))
    assert not due_by(parse_deadline("持续推进"), D(2030, 1, 1))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("2021年6月底前", "2021年6月底"),
        ("2021年5月15日前", "2021年5月15日"),
        ("2021年6月上旬", "2021年6月上旬"),
        ("2021年三季度", "2021年第三季度末"),
        ("2021年上半年", "2021年上半年"),
        ("2022年底前", "2022年底"),
        ("持续推进", "持续推进"),
        ("已实现，持续巩固提升。", "已实现"),
    ],
)
def test_describe(value, text):
    assert describe(parse_deadline(value)) == text


# --- properties -------------------------------------------------------------------------

_CN = "〇一二三四五六七八九"


def _cn_small(n: int) -> str:
    tens, units = divmod(n, 10)
    return (("" if tens == 1 else _CN[tens]) + "十" if tens else "") + (_CN[units] if units else "")


def _variants(d: date, zero: str) -> list[tuple[object, bool]]:
    y, m, dd = d.year, d.month, d.day
    fullwidth = str.maketrans("0123456789-./", "０１２３４５６７８９－．／")
    cn_year = "".join(_CN[int(c)] for c in str(y)).replace("〇", zero)
    base = d.toordinal() - date(1899, 12, 30).toordinal()
    return [
        (f"{y}年{m}月{dd}日", False),
        (f"{y}年{m}月{dd}日".translate(fullwidth), False),
        (f"{cn_year}年{_cn_small(m)}月{_cn_small(dd)}日", False),
        (f"{y}.{m}.{dd}", False),
        (f"{y}/{m}/{dd}", False),
        (f"{y}-{m:02}-{dd:02}", False),
        (f"{y}-{m}-{dd}".translate(fullwidth), False),
        (f"{y}{m:02}{dd:02}", False),
        (f"{y}年{m:02}月{dd:02}日前", False),
        (d, False),
        (datetime(y, m, dd, 12, 30), False),
        (base, False),
        (float(base) + 0.25, False),
        (d.toordinal() - date(1904, 1, 1).toordinal(), True),
    ]


@settings(max_examples=200)
@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2100, 12, 31)), st.sampled_from("〇零"))
def test_formatting_variants_agree(d, zero):
    for value, date1904 in _variants(d, zero):
        got = parse_deadline(value, date1904=date1904)
        assert (got.kind, got.due, got.precision) == ("dated", d, "day"), value


@given(st.integers(min_value=1950, max_value=2100), st.integers(min_value=1, max_value=12))
def test_month_variants_agree(y, m):
    end = (date(y + m // 12, m % 12 + 1, 1)) - timedelta(days=1)
    fullwidth = str.maketrans("0123456789", "０１２３４５６７８９")
    for value in (f"{y}年{m}月底前", f"{y}年{m}月末", f"{y}年{m}月份", f"{y}.{m}",
                  f"{y}-{m:02}", f"{y}年{m}月底".translate(fullwidth),
                  "".join(_CN[int(c)] for c in str(y)) + f"年{_cn_small(m)}月底"):  # fmt: skip
        got = parse_deadline(value)
        assert (got.due, got.precision, got.ambiguous) == (end, "month", False), value
    assert parse_deadline(f"{m}月底前", year=y).due == end


_dated = st.dates(min_value=D(1950, 1, 1), max_value=D(2100, 12, 31)).map(parse_deadline)


@given(_dated, _dated)
def test_later_than_is_antisymmetric_and_follows_due(a, b):
    ab, ba = later_than(a, b), later_than(b, a)
    assert not (ab and ba)
    assert ab == (a.due > b.due) and ba == (b.due > a.due)
    assert compare(a, b) == -compare(b, a)
    assert (compare(a, b) == 0) == (not ab and not ba)


_GRAMMAR = "0123456789年月日号底末前份上中下旬半季度第Q一二三四五六七八九十廿〇零两-—~至起自持续已实现，,。./ "
_anything = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.decimals(), st.complex_numbers(),
    st.dates(), st.datetimes(), st.times(), st.timedeltas(), st.binary(), st.text(),
    st.text(alphabet=_GRAMMAR, max_size=40), st.lists(st.integers(), max_size=3),
)  # fmt: skip


@settings(max_examples=500)
@given(_anything, st.one_of(st.none(), st.integers()), st.booleans())
def test_never_raises(value, year, date1904):
    d = parse_deadline(value, year=year, date1904=date1904)
    assert isinstance(d, Deadline)
    assert d.kind in ("dated", "ongoing", "achieved", "unknown")
    assert d.dated == (d.due is not None)
    if d.dated:
        assert (
            d.milestones
            and d.milestones[-1] == d.due
            and list(d.milestones) == sorted(d.milestones)
        )
        assert d.start is None or d.start <= d.due
    later_than(d, d)
    describe(d)


def test_serial_to_date_bounds():
    assert serial_to_date(0) == (None, False)
    assert serial_to_date(2958465) == (D(9999, 12, 31), False)
    assert serial_to_date(2958466) == (None, False)
    assert serial_to_date(float("inf")) == (None, False)


# ---------------------------------------------------------------- issue 10: as the plan reads


@pytest.mark.parametrize(
    ("value", "due", "precision"),
    [
        (202106, D(2021, 6, 30), "month"),
        ("202106", D(2021, 6, 30), "month"),
        (20210630, D(2021, 6, 30), "day"),
        ("2021年中", D(2021, 6, 30), "half"),
        ("年中", D(2021, 6, 30), "half"),
    ],
)
def test_numbers_and_mid_year(value, due, precision):
    d = parse_deadline(value, year=2021)
    assert (d.kind, d.due, d.precision) == ("dated", due, precision)


@pytest.mark.parametrize("value", [202113, 20210230, 100000, 99999999, 80000, "10000年6月底前"])
def test_not_dates_are_never_wrapped(value):
    assert parse_deadline(value, year=2021).kind == "unknown"


@pytest.mark.parametrize("value", ["按季度", "按月", "即时", "随时", "实时", "按年度"])
def test_rhythm_words_are_ongoing(value):
    d = parse_deadline(value, year=2021)
    assert (d.kind, d.also_ongoing) == ("ongoing", True)


def test_past_marks_when_the_work_was_done():
    assert parse_deadline("已于2021年6月完成").past
    assert parse_deadline("2021年6月已完成").past
    assert not parse_deadline("2021年6月底前完成").past
    assert not parse_deadline("2021年6月底前").past


def test_county_deadline_is_read_in_the_city_deadlines_year():
    city = parse_deadline("2021年6月底前")
    assert read_county("6月底前", city, year=2022).due == D(2021, 6, 30)
    assert read_county("年底前", city, year=2022).due == D(2021, 12, 31)
    assert read_county("6月底前", None, year=2022).due == D(2022, 6, 30)  # a local task
    ongoing = parse_deadline("持续推进")
    assert read_county("6月底前", ongoing, year=2022).due == D(2022, 6, 30)
    # 年中 against 持续推进 is the rhythm of the work; against a date it is that year's June
    assert read_county("年中", ongoing, year=2022).kind == "ongoing"
    assert read_county("2022年中", ongoing, year=2022).due == D(2022, 6, 30)
    assert read_county("年中", parse_deadline("2021年底前"), year=2022).due == D(2021, 6, 30)


def test_held_to():
    june, ongoing = parse_deadline("2021年6月底前"), parse_deadline("持续推进")
    achieved = parse_deadline("已实现，持续巩固提升")
    assert held_to(june, ongoing) is june
    assert held_to(achieved, june) is achieved  # done already: never late
    assert held_to(ongoing, june) is june  # a county's 持续推进 does not lift the city's date
    assert held_to(ongoing, ongoing) is None
    assert held_to(None, june) is None  # missing or unreadable: reported, not overdue
