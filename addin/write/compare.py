"""This period against earlier ones (SPEC §7): the figures by period that the summary's 趋势
sheet tabulates and charts, and the sentences the HTML report and the 总结报告 say — 环比
against the previous period, 同比 against the same period a year before. Everything is read
from summary JSON (report.as_dict of this Summary, the --previous files as given), so the
comparison uses the very figures each period's own outputs showed.

Decisions:
- A planning return (2021P) has no progress figures: it is left out of the trend and of the
  sentences (history.deadline-moved still reads its deadlines).
- 环比 compares the latest earlier period given (2021H1 for 2021Y). Rates, overdue, lagging and
  the average connection time (a weighted average of the year to date) are comparable between a
  half-year and a year; outage hours and the 三零三省 totals are year-to-date sums, so they are
  compared only 同比, half-year with half-year, year with year.
- Rate changes are in percentage points between the rates as shown (two decimals), so the
  sentence agrees with the two figures it quotes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from schemas.reference import load

CITY = "全市"


@dataclass(frozen=True)
class Comparison:
    """Sentences saying what changed: against the previous period (环比) and the same period
    last year (同比); empty when no earlier summary was given."""

    against_previous: tuple[str, ...] = ()
    against_last_year: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.against_previous or self.against_last_year)

    @property
    def sentences(self) -> tuple[str, ...]:
        return self.against_previous + self.against_last_year


@dataclass(frozen=True)
class Measure:
    key: str
    name: str  # 完成率, 低压居民和小微企业用户平均办电时间, …
    unit_of_measure: str  # %, 项, 工作日, 小时, 户, 万元
    kind: str  # rate, count, days, hours, amount
    yearly: bool  # a sum over the year to date: compared only with the same kind of period


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    as_of: date
    kind: str  # H1 or Y


@dataclass(frozen=True)
class Block:
    measure: Measure
    values: dict[str, tuple]  # 全市 and each unit → one value (or None) per period


@dataclass(frozen=True)
class Trend:
    periods: tuple[Column, ...]  # oldest first; the current period last
    blocks: tuple[Block, ...]


TASK_MEASURES = (
    Measure("completion_rate", "完成率", "%", "rate", False),
    Measure("on_track_rate", "推进正常率", "%", "rate", False),
    Measure("due_completion_rate", "到期完成率", "%", "rate", False),
    Measure("overdue", "逾期", "项", "count", False),
    Measure("lagging", "滞后", "项", "count", False),
)


def _column(data: dict) -> Column | None:
    period = load().period(data["period"])
    if period is None or period.planning:
        return None
    return Column(period.code, period.label, period.as_of, period.kind)


def _measures() -> list[Measure]:
    ref = load()
    out = list(TASK_MEASURES)
    out += [
        Measure(f"connection:{t.name}", f"{t.name}平均办电时间", "工作日", "days", False)
        for t in ref.customer_types
    ]
    out += [
        Measure(f"reliability:{a.name}", f"{a.name}户均停电时间", "小时", "hours", True)
        for a in ref.areas
    ]
    out += [
        Measure(
            f"sanling:{i.name}", i.name, i.unit, "amount" if i.unit == "万元" else "count", True
        )
        for i in ref.indicators
    ]
    return out


def _values(data: dict) -> dict[str, dict[str, object]]:
    """measure key → {全市 or unit: value} of one period's summary JSON."""
    out: dict[str, dict[str, object]] = {}
    for m in TASK_MEASURES:
        out[m.key] = {CITY: data["city"].get(m.key)} | {
            u["unit"]: u.get(m.key) for u in data["units"] if u["status"] != "未报"
        }
    for row in data.get("connection_time", ()):
        out[f"connection:{row['type']}"] = {CITY: row.get("average_days")} | {
            u["unit"]: u.get("average_days") for u in row.get("units", ())
        }
    for row in data.get("reliability", ()):
        out[f"reliability:{row['area']}"] = {CITY: row.get("average_hours")} | {
            u["unit"]: u.get("average_hours") for u in row.get("units", ())
        }
    for row in data.get("sanling", ()):
        out[f"sanling:{row['indicator']}"] = {CITY: row.get("total"), **(row.get("by_unit") or {})}
    return out


def periods(current: dict, previous: Sequence[dict]) -> list[tuple[Column, dict]]:
    """(column, JSON) of each period to compare, oldest first, the current one last: earlier
    periods only, each once, planning returns left out."""
    now = _column(current)
    seen, out = set(), []
    for data in previous:
        column = _column(data)
        if column and now and column.as_of < now.as_of and column.code not in seen:
            seen.add(column.code)
            out.append((column, data))
    out.sort(key=lambda pair: pair[0].as_of)
    return out + ([(now, current)] if now else [])


def trend(current: dict, previous: Sequence[dict] = ()) -> Trend:
    chosen = periods(current, previous)
    values = [_values(data) for _, data in chosen]
    names = (CITY, *load().unit_names)
    blocks = [
        Block(m, {n: tuple(v.get(m.key, {}).get(n) for v in values) for n in names})
        for m in _measures()
    ]
    return Trend(tuple(c for c, _ in chosen), tuple(blocks))


# ---- sentences ------------------------------------------------------------------------


def _rate(value: float) -> str:
    return f"{value * 100:.2f}%"


def _say(measure: Measure, value) -> str:
    if measure.kind == "rate":
        return _rate(value)
    if measure.kind == "days":
        return f"{value:.2f}个{measure.unit_of_measure}"
    if measure.kind in ("hours", "amount"):
        return f"{value:.2f}{measure.unit_of_measure}"
    return f"{value:g}{measure.unit_of_measure}"


def change(measure: Measure, then, now) -> str:
    """由 62.50% 升至 97.05%（提高 34.55 个百分点）, in the words the kind of figure takes."""
    if then == now:
        return (
            f"持平（{_say(measure, now)}）"
            if measure.kind != "count"
            else f"仍为{_say(measure, now)}"
        )
    up = now > then
    if measure.kind == "rate":
        points = abs(round(now * 100, 2) - round(then * 100, 2))
        word = "提高" if up else "下降"
        return f"由{_rate(then)}{'升' if up else '降'}至{_rate(now)}（{word}{points:.2f}个百分点）"
    if measure.kind in ("days", "hours"):
        longer, shorter = ("延长", "缩短") if measure.kind == "days" else ("增加", "减少")
        return f"由{_say(measure, then)}{longer if up else shorter}至{_say(measure, now)}"
    return f"由{_say(measure, then)}{'增' if up else '减'}至{_say(measure, now)}"


def _pairs(block: Block, i: int, j: int):
    then, now = block.values[CITY][i], block.values[CITY][j]
    return (then, now) if then is not None and now is not None else None


def _unit_moves(block: Block, i: int, j: int) -> str:
    moves = []
    for unit, values in block.values.items():
        then, now = values[i], values[j]
        if unit != CITY and then is not None and now is not None and then != now:
            moves.append((round(now * 100, 2) - round(then * 100, 2), unit))
    rises = sorted((m for m in moves if m[0] > 0), key=lambda m: (-m[0], m[1]))[:3]
    falls = sorted((m for m in moves if m[0] < 0), key=lambda m: (m[0], m[1]))
    parts = []
    if rises:
        parts.append("提高较多的有" + "、".join(f"{u}（{d:.2f}个百分点）" for d, u in rises))
    if falls:
        parts.append("下降的有" + "、".join(f"{u}（{-d:.2f}个百分点）" for d, u in falls))
    return f"各单位完成率{'，'.join(parts)}。" if parts else ""


def sentences(t: Trend, i: int, j: int, *, same_kind: bool) -> tuple[str, ...]:
    """What changed from period i to period j of the trend, city-wide, in a few sentences."""
    blocks = {b.measure.key: b for b in t.blocks}
    label = t.periods[i].label
    rates = []
    for key in ("completion_rate", "on_track_rate", "due_completion_rate", "overdue", "lagging"):
        pair = _pairs(blocks[key], i, j)
        if pair:
            rates.append(f"{blocks[key].measure.name}{change(blocks[key].measure, *pair)}")
    out = []
    if rates:
        out.append(f"与{label}相比，全市" + "，".join(rates) + "。")
    moves = _unit_moves(blocks["completion_rate"], i, j)
    if moves:
        out.append(moves)
    for prefix, intro in (
        ("connection:", "平均办电时间"),
        ("reliability:", "户均停电时间"),
        ("sanling:", ""),
    ):
        said = []
        for key, block in blocks.items():
            if not key.startswith(prefix) or (block.measure.yearly and not same_kind):
                continue
            pair = _pairs(block, i, j)
            if pair:
                name = block.measure.name.removesuffix(intro) if intro else block.measure.name
                said.append(f"{name}{change(block.measure, *pair)}")
        if said:
            out.append((f"{intro}：" if intro else "“三零”“三省”：") + "；".join(said) + "。")
    return tuple(out)


def comparison(current: dict, previous: Sequence[dict]) -> Comparison:
    """环比 with the latest earlier period, 同比 with the same period a year before, each when
    its summary was given."""
    t = trend(current, previous)
    if len(t.periods) < 2:
        return Comparison()
    last = len(t.periods) - 1
    now = t.periods[last]
    against_previous = sentences(t, last - 1, last, same_kind=t.periods[last - 1].kind == now.kind)
    year_before = f"{now.as_of.year - 1}{now.kind}"
    same = next((k for k, c in enumerate(t.periods) if c.code == year_before), None)
    if same is None:
        kinds = load().periods["kind"]  # the label of a year before the list's first, too
        name = kinds[now.kind]["label"].format(year=now.as_of.year - 1)
        against_last_year = (f"未提供上年同期（{name}）的汇总，不作同比。",)
    elif same == last - 1:
        against_last_year = ()  # the previous period is last year's: 环比 already says it
    else:
        against_last_year = sentences(t, same, last, same_kind=True)
    return Comparison(against_previous, against_last_year)
