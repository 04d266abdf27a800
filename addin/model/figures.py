"""The figures of a summary as plain data: a task's state and light, a unit's task figures, a
row of the connection-time, reliability and 三零三省 tables. consolidate/aggregate.py computes
them; the writers only render them.

Every number here is finite or None: a figure that overflows (1.7e308 summed, a ratio over a
vanishing denominator) is None, "no figure", never inf or NaN — so no writer can be stopped by
one county's absurd cell, and the JSON stays strict (SPEC §5)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TaskState:
    id: str
    status: str | None
    due: date | None  # the deadline that counts (county's if dated, else city's)
    overdue: bool
    lagging: bool
    light: str
    ends: bool = True  # the city's 完成时间 has an end point (not 持续推进): in 完成率


@dataclass(frozen=True)
class TaskFigures:
    counts: dict[str, int]  # status → number of tasks; "" for blank
    applicable: int  # tasks not 不适用 (a blank status included): 推进正常率's denominator
    ending: int  # applicable tasks with an end point: 完成率's denominator
    done: int  # of `ending`, 已完成 or 已实现持续巩固
    on_track: int  # applicable tasks with a green light
    due_total: int  # applicable tasks due on or before as-of
    due_done: int  # of those, 已完成 or 已实现持续巩固
    overdue: int
    lagging: int
    light: str
    states: tuple[TaskState, ...]

    @property
    def completion_rate(self) -> float | None:
        return ratio(self.done, self.ending)

    @property
    def on_track_rate(self) -> float | None:
        return ratio(self.on_track, self.applicable)

    @property
    def due_completion_rate(self) -> float | None:
        return ratio(self.due_done, self.due_total)


def finite(value):
    """`value` when it is a finite number (or not a number at all), else None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def ratio(part: float | None, whole: float | None) -> float | None:
    """part ÷ whole; None without a denominator, and None rather than inf or NaN."""
    if part is None or not whole:
        return None
    try:
        return finite(part / whole)
    except OverflowError:  # int ÷ int beyond a float's range
        return None


# ---- how a rate is shown (SPEC §5: two decimals, never rounded up to 100.00% unless exact) --

PLACES = 4  # of the fraction: 0.9998 is 99.98%


def shown_rate(value: float | None) -> float | None:
    """The rate rounded to two decimals of a per cent, except that a rate short of 1 never shows
    as 100.00% (it stays at 99.99%) and a rate above 0 never as 0.00% (0.01%): "按时率 100%"
    over three customers past the limit would tell the province something untrue."""
    if value is None:
        return None
    shown = round(value, PLACES)
    step = 10**-PLACES
    if value < 1 <= shown:
        return round(1 - step, PLACES)
    if shown <= 0 < value:
        return step
    return shown


def percent(value: float | None) -> str:
    shown = shown_rate(value)
    return "—" if shown is None else f"{shown * 100:.2f}%"


# ---- the indicator tables ---------------------------------------------------------------

# Attachment 1, per customer type (SPEC §5): within every limit and nobody over it; within the
# limits with every over-limit customer explained; otherwise not met.
VERDICTS = ("达到", "基本达到", "未达到")


@dataclass(frozen=True)
class ConnectionRow:
    type: str
    unit: str  # "全市" for the city-wide row
    connections: int | float | None  # None only when the sum overflows
    step_average: dict[str, float | None]  # abolished steps absent
    step_limit: dict[str, int]
    average_days: float | None
    limit_days: int
    longest: float | None
    over_limit: int | float | None
    on_time_rate: float | None
    within: bool | None  # every weighted average within its limit; None without connections
    verdict: str | None  # one of VERDICTS; None when there were no connections

    @property
    def met(self) -> bool | None:
        """达到 in full (基本达到 is not)."""
        return None if self.verdict is None else self.verdict == "达到"

    @property
    def verdict_text(self) -> str:
        if self.verdict == "基本达到":
            return f"基本达到（{self.over_limit} 户超时限）"
        return self.verdict or "—"


@dataclass(frozen=True)
class ReliabilityRow:
    area: str
    unit: str
    customers: int | float | None
    outage_hours: float | None
    average_hours: float | None
    target_hours: float
    last_average_hours: float | None
    yoy_change: float | None  # −0.1 = ten per cent fewer hours than a year before
    met_target: bool | None
    met_cut: bool | None
    met: bool | None
    yoy_only: bool = False  # H1: half-year figures, judged by the year-on-year cut alone


@dataclass(frozen=True)
class SanlingRow:
    indicator: str
    unit_of_measure: str
    by_unit: dict[str, int | float | None]  # counts (Indicator.whole) as int
    total: int | float | None
    share: float | None  # of `share_of` (its part_of row, or the sum of its at_most rows)
    share_of: str
