"""The figures of a summary as plain data: a task's state and light, a unit's task figures, a
row of the connection-time, reliability and 三零三省 tables. consolidate/aggregate.py computes
them; the writers only render them."""

from __future__ import annotations

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


@dataclass(frozen=True)
class TaskFigures:
    counts: dict[str, int]  # status → number of tasks; "" for blank
    applicable: int  # tasks not 不适用
    done: int
    due_total: int  # tasks due on or before as-of
    due_done: int
    overdue: int
    lagging: int
    light: str
    states: tuple[TaskState, ...]

    @property
    def completion_rate(self) -> float | None:
        return ratio(self.done, self.applicable)

    @property
    def due_completion_rate(self) -> float | None:
        return ratio(self.due_done, self.due_total)


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class ConnectionRow:
    type: str
    unit: str  # "全市" for the city-wide row
    connections: int | float
    step_average: dict[str, float | None]  # abolished steps absent
    step_limit: dict[str, int]
    average_days: float | None
    limit_days: int
    longest: float | None
    over_limit: int | float
    on_time_rate: float | None
    met: bool | None  # None when there were no connections


@dataclass(frozen=True)
class ReliabilityRow:
    area: str
    unit: str
    customers: int | float
    outage_hours: float
    average_hours: float | None
    target_hours: float
    last_average_hours: float | None
    yoy_change: float | None  # −0.1 = ten per cent fewer hours than a year before
    met_target: bool | None
    met_cut: bool | None
    met: bool | None


@dataclass(frozen=True)
class SanlingRow:
    indicator: str
    unit_of_measure: str
    by_unit: dict[str, int | float | None]  # counts (Indicator.whole) as int
    total: int | float
    share: float | None  # of `share_of` (its part_of row, or the sum of its at_most rows)
    share_of: str
