"""This period against earlier ones (SPEC §7): the figures by period (write/compare.py), the
环比/同比 sentences computed from them, and the summary's 趋势 sheet with a line chart each."""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from addin.consolidate.build import consolidate
from addin.write import compare, report
from addin.write.summary import book
from schemas.reference import load
from tests.handmade import city_due, conn, ret, task

REF = load()
LOW = "低压居民和小微企业用户"
STEPS = {"受理并答复供电方案": 100, "验收送电": 120}


def period_json(code: str, done: int, *, connections=100, total=220.0, online=500) -> dict:
    """One unit's summary JSON for `code`: `done` of tasks 1–2 finished."""
    tasks = [task("1", "已完成" if done else "序时推进", done=date(2021, 5, 1) if done else None)]
    tasks.append(task("2", "已完成" if done > 1 else "序时推进", done=date(2021, 5, 1)))
    r = ret(
        "任城区",
        period=code,
        tasks=tasks,
        connection=[conn(LOW, connections, STEPS, total)],
        sanling={"线上办电户数": online},
    )
    s = consolidate([r], REF.period(code), validated_at=datetime(2022, 1, 10), city_due=city_due)
    return json.loads(report.to_json(s))


@pytest.fixture(scope="module")
def three():
    """2021Y now; 2021H1 and 2020…: only 2021 periods exist, so last year is 2021Y for 2022Y."""
    return {
        "2021H1": period_json("2021H1", 0, connections=50, total=130.0, online=200),
        "2021Y": period_json("2021Y", 1, connections=100, total=220.0, online=500),
        "2022H1": period_json("2022H1", 1, connections=60, total=100.0, online=300),
        "2022Y": period_json("2022Y", 2, connections=120, total=200.0, online=700),
    }


def test_trend_orders_the_periods_oldest_first_and_skips_later_and_planning(three):
    plan = period_json("2021P", 0)
    t = compare.trend(three["2021Y"], [three["2022H1"], plan, three["2021H1"], three["2021H1"]])
    assert [c.code for c in t.periods] == ["2021H1", "2021Y"]
    rates = next(b for b in t.blocks if b.measure.key == "completion_rate")
    assert rates.values["全市"] == (
        three["2021H1"]["city"]["completion_rate"],
        three["2021Y"]["city"]["completion_rate"],
    )
    assert rates.values["泗水县"] == (None, None)  # no return in either
    days = next(b for b in t.blocks if b.measure.key == f"connection:{LOW}")
    assert days.values["任城区"] == (2.6, 2.2)  # 130 ÷ 50, 220 ÷ 100: the JSON's own figures


def test_the_previous_period_sentence_quotes_both_figures_and_the_points(three):
    said = compare.comparison(three["2021Y"], [three["2021H1"]])
    before, now = three["2021H1"]["city"], three["2021Y"]["city"]
    first = said.against_previous[0]
    assert first.startswith("与2021年上半年相比，全市完成率")
    points = round(now["completion_rate"] * 100, 2) - round(before["completion_rate"] * 100, 2)
    assert (
        f"由{before['completion_rate'] * 100:.2f}%升至{now['completion_rate'] * 100:.2f}%"
        f"（提高{points:.2f}个百分点）"
    ) in first
    text = "".join(said.against_previous)
    assert f"{LOW}由2.60个工作日缩短至2.20个工作日" in text
    # year-to-date sums are not compared between a half-year and a year
    assert "线上办电户数" not in text and "户均停电时间" not in text
    assert said.against_last_year == ("未提供上年同期（2020年度）的汇总，不作同比。",)


def test_the_same_period_last_year_compares_the_sums_too(three):
    said = compare.comparison(three["2022Y"], [three["2021Y"], three["2022H1"]])
    assert said.against_previous[0].startswith("与2022年上半年相比")
    last_year = "".join(said.against_last_year)
    assert last_year.startswith("与2021年度相比，全市完成率")
    assert "线上办电户数由500户增至700户" in last_year


def test_no_earlier_period_no_sentences(three):
    assert not compare.comparison(three["2021Y"], [])
    assert not compare.comparison(three["2021Y"], [three["2022Y"]])  # later: not compared


@pytest.mark.parametrize(
    "kind,then,now,said",
    [
        ("rate", 0.5, 0.75, "由50.00%升至75.00%（提高25.00个百分点）"),
        ("rate", 0.75, 0.5, "由75.00%降至50.00%（下降25.00个百分点）"),
        ("rate", 0.9941, 0.9941, "持平（99.41%）"),
        ("count", 3, 1, "由3项减至1项"),
        ("count", 3, 3, "仍为3项"),
        ("days", 2.6, 2.2, "由2.60个工作日缩短至2.20个工作日"),
        ("hours", 1.2, 1.5, "由1.20小时增加至1.50小时"),
    ],
)
def test_change_words(kind, then, now, said):
    unit = {"rate": "%", "count": "项", "days": "工作日", "hours": "小时"}[kind]
    assert compare.change(compare.Measure("k", "x", unit, kind, False), then, now) == said


def line_charts(path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        return [n for n in names if b"<c:lineChart>" in z.read(n)]


def test_the_trend_sheet_has_a_block_per_indicator_and_a_line_chart_each(three, tmp_path):
    r = ret("任城区", tasks=[task("1", "已完成", done=date(2021, 5, 1))])
    s = consolidate([r], REF.period("2021Y"), validated_at=datetime(2022, 1, 10), city_due=city_due)
    t = compare.trend(report.as_dict(s), [three["2021H1"]])
    path = tmp_path / "汇总.xlsx"
    book.write_summary(s, path, t)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames.index("趋势") == wb.sheetnames.index("三零三省汇总") + 1
    ws = wb["趋势"]
    assert [c.value for c in ws[2]] == ["指标", "单位", "2021年上半年", "2021年度"]
    first = [c.value for c in ws[3]]
    assert first[:2] == ["完成率（%）", "全市"]
    assert first[2:] == [
        three["2021H1"]["city"]["completion_rate"],
        report.as_dict(s)["city"]["completion_rate"],
    ]
    assert ws.cell(3, 3).number_format == "0.00%"
    blocks = [row[0].value for row in ws.iter_rows(min_row=3) if row[1].value == "全市"]
    assert len(blocks) == len(t.blocks) == 5 + 6 + 3 + 10
    assert len(line_charts(path)) == len(t.blocks)  # one per indicator


def test_with_this_period_alone_the_sheet_says_how_to_add_earlier_ones(tmp_path):
    s = consolidate(
        [ret("任城区")], REF.period("2021Y"), validated_at=datetime(2022, 1, 10), city_due=city_due
    )
    path = tmp_path / "汇总.xlsx"
    book.write_summary(s, path)
    ws = openpyxl.load_workbook(path)["趋势"]
    assert [c.value for c in ws[2]] == ["指标", "单位", "2021年度"]
    assert any("--previous" in str(row[0].value) for row in ws.iter_rows())
    assert line_charts(path) == []  # a line needs two periods
