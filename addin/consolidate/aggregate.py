"""The figures of a city summary, as pure functions of typed returns: task states and traffic
lights, rates, weighted averages of connection time, outage hours, 三零三省 totals. Nothing
here reads files or formats cells (DESIGN: the aggregates never format).

Definitions (SPEC §2.5, §5; where SPEC is silent the choice is written here):
- A task's deadline is the county's 县级完成时限 when dated, else the city's 完成时间 when
  dated, else none (持续推进 / 已实现 tasks have no deadline and are never overdue).
- 完成率 = tasks 已完成 or 已实现持续巩固 ÷ tasks whose status is not 不适用 (a blank status
  counts in the denominator: it is not 不适用). None when there is no denominator.
- 到期完成率 = of the tasks with a deadline on or before the as-of date, the share 已完成 —
  only 已完成, as SPEC §5 says (a dated task is finished, not "kept up").
- 逾期 = deadline before the as-of date, status neither 已完成 nor 已实现持续巩固 (nor 不适用).
- 滞后 = status 进度滞后 or 未启动: the county's own word that it is behind
  (schemas.sheets.BEHIND_STATUSES, the statuses that require 存在问题 and 下步打算).
- Task light: red = 逾期; yellow = 进度滞后, 未启动 before its deadline, or finished after its
  deadline; green = any other status; grey = 不适用 or no status.
- Unit light: red if any task is overdue, yellow if any task is yellow, else green.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date

from addin.model.figures import (
    ConnectionRow,
    ReliabilityRow,
    SanlingRow,
    TaskFigures,
    TaskState,
    ratio,
)
from addin.model.ledger import ConnectionEntry, ReliabilityEntry, TaskEntry
from schemas.deadline import Deadline
from schemas.reference import Area, CustomerType, Indicator
from schemas.sheets import BEHIND_STATUSES, DONE_STATUSES, NOT_APPLICABLE, STATUSES


def count(value: float | None) -> int | float | None:
    """A count read from a cell arrives as a float (17037.0); as a figure it is 17037, so the
    JSON and the reports say 17037. A fraction (a county's slip, which the validator reports)
    stays as it was typed."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def effective_due(entry: TaskEntry, city: Deadline | None) -> date | None:
    for deadline in (entry.county_due, city):
        if deadline is not None and deadline.dated:
            return deadline.due
    return None


def task_state(entry: TaskEntry, city: Deadline | None, as_of: date) -> TaskState:
    status = entry.status
    due = effective_due(entry, city)
    applicable = status not in (None, NOT_APPLICABLE)
    done = status in DONE_STATUSES
    overdue = applicable and not done and due is not None and due < as_of
    lagging = status in BEHIND_STATUSES
    if not applicable:
        light = "grey"
    elif overdue:
        light = "red"
    elif lagging or (done and due is not None and entry.done_date and entry.done_date > due):
        light = "yellow"
    else:
        light = "green"
    return TaskState(entry.id, status, due, overdue, lagging, light)


def task_figures(
    tasks: Sequence[TaskEntry], city_due: Callable[[str], Deadline | None], as_of: date
) -> TaskFigures:
    """Figures over the catalogue tasks only (local tasks L… are the caller's to list)."""
    states = tuple(task_state(t, city_due(t.id), as_of) for t in tasks)
    counts = {s: 0 for s in (*STATUSES, "")}
    for st in states:
        counts[st.status or ""] = counts.get(st.status or "", 0) + 1
    due_states = [s for s in states if s.status != NOT_APPLICABLE and s.due and s.due <= as_of]
    return TaskFigures(
        counts=counts,
        applicable=sum(s.status != NOT_APPLICABLE for s in states),
        done=sum(s.status in DONE_STATUSES for s in states),
        due_total=len(due_states),
        due_done=sum(s.status == "已完成" for s in due_states),
        overdue=sum(s.overdue for s in states),
        lagging=sum(s.lagging for s in states),
        light=unit_light(states),
        states=states,
    )


def unit_light(states: Sequence[TaskState]) -> str:
    lights = {s.light for s in states}
    if not lights or lights == {"grey"}:
        return "grey"
    for light in ("red", "yellow"):
        if light in lights:
            return light
    return "green"


# ---- 办电时限: weighted by connections (Σ累计 ÷ Σ户数), never an average of averages -----


def _weighted(entries: Sequence[ConnectionEntry], value: Callable[[ConnectionEntry], float | None]):
    # numerator and denominator over the same rows: a row without the sum adds no customers
    rows = [(e.connections, value(e)) for e in entries if e.connections and value(e) is not None]
    return ratio(sum(v for _, v in rows), sum(c for c, _ in rows))


def connection_row(
    ctype: CustomerType, unit: str, entries: Sequence[ConnectionEntry]
) -> ConnectionRow:
    connections = count(sum(e.connections or 0 for e in entries))
    steps = {step: _weighted(entries, lambda e, s=step: e.steps.get(s)) for step in ctype.limits}
    average = _weighted(entries, lambda e: e.total)
    over = count(sum(e.over_limit or 0 for e in entries))
    longest = max((e.longest for e in entries if e.longest is not None), default=None)
    if connections and average is not None:
        met = average <= ctype.total and all(
            v is None or v <= ctype.limits[s] for s, v in steps.items()
        )
    else:
        met = None
    return ConnectionRow(
        ctype.name,
        unit,
        connections,
        steps,
        dict(ctype.limits),
        average,
        ctype.total,
        longest,
        over,
        1 - over / connections if connections else None,
        met,
    )


def connection_rows(
    by_unit: Sequence[tuple[str, Sequence[ConnectionEntry]]],
    types: Sequence[CustomerType],
    city: str = "全市",
) -> list[ConnectionRow]:
    """Per type: the city-wide row first, then one row per unit that reported the type."""
    rows = []
    for ctype in types:
        per_unit = [(u, [e for e in es if e.type == ctype.name]) for u, es in by_unit]
        rows.append(connection_row(ctype, city, [e for _, es in per_unit for e in es]))
        rows.extend(connection_row(ctype, u, es) for u, es in per_unit if es)
    return rows


# ---- 供电可靠性: Σ停电时户数 ÷ Σ用户数 against the target or a cut of yoy_cut ----------------


def reliability_row(
    area: Area, unit: str, entries: Sequence[ReliabilityEntry], yoy_cut: float
) -> ReliabilityRow:
    rows = [e for e in entries if e.customers and e.outage_hours is not None]
    customers = count(sum(e.customers for e in rows))
    hours = sum(e.outage_hours for e in rows)
    average = ratio(hours, customers)
    last = [e for e in entries if e.last_customers and e.last_outage_hours is not None]
    last_average = ratio(
        sum(e.last_outage_hours for e in last), sum(e.last_customers for e in last)
    )
    change = average / last_average - 1 if average is not None and last_average else None
    met_target = None if average is None else average <= area.target_hours
    met_cut = None if change is None else change <= -yoy_cut
    met = None if met_target is None else (met_target or bool(met_cut))
    return ReliabilityRow(
        area.name,
        unit,
        customers,
        hours,
        average,
        area.target_hours,
        last_average,
        change,
        met_target,
        met_cut,
        met,
    )


def reliability_rows(
    by_unit: Sequence[tuple[str, Sequence[ReliabilityEntry]]],
    areas: Sequence[Area],
    yoy_cut: float,
    city: str = "全市",
) -> list[ReliabilityRow]:
    rows = []
    for area in areas:
        per_unit = [(u, [e for e in es if e.area == area.name]) for u, es in by_unit]
        rows.append(reliability_row(area, city, [e for _, es in per_unit for e in es], yoy_cut))
        rows.extend(reliability_row(area, u, es, yoy_cut) for u, es in per_unit if es)
    return rows


# ---- 三零三省: totals and the shares of their "其中" rows ---------------------------------


def sanling_rows(
    by_unit: Sequence[tuple[str, dict[str, float | None]]], indicators: Sequence[Indicator]
) -> list[SanlingRow]:
    totals = {i.name: sum(v.get(i.name) or 0 for _, v in by_unit) for i in indicators}
    rows = []
    for ind in indicators:
        figure = count if ind.whole else (lambda v: v)
        wholes = (ind.part_of,) if ind.part_of else ind.at_most
        whole = sum(totals[w] for w in wholes)
        rows.append(
            SanlingRow(
                ind.name,
                ind.unit,
                {u: figure(v.get(ind.name)) for u, v in by_unit},
                figure(totals[ind.name]),
                ratio(totals[ind.name], whole) if wholes else None,
                "＋".join(wholes),
            )
        )
    return rows


# ---- copied text ------------------------------------------------------------------------

COPY_MIN_CHARS = 20


def normalise_progress(text: str) -> str:
    """What is left of a 进展情况 once width, spacing and punctuation are ignored."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(
        ch for ch in re.sub(r"\s+", "", text) if not unicodedata.category(ch).startswith(("P", "S"))
    )


def combine(figures: Sequence[TaskFigures]) -> TaskFigures:
    """City totals: the units' counts added, rates recomputed from the sums (not averaged)."""
    counts = {s: 0 for s in (*STATUSES, "")}
    for fig in figures:
        for status, n in fig.counts.items():
            counts[status] = counts.get(status, 0) + n
    states = tuple(s for fig in figures for s in fig.states)
    return TaskFigures(
        counts=counts,
        applicable=sum(f.applicable for f in figures),
        done=sum(f.done for f in figures),
        due_total=sum(f.due_total for f in figures),
        due_done=sum(f.due_done for f in figures),
        overdue=sum(f.overdue for f in figures),
        lagging=sum(f.lagging for f in figures),
        light=unit_light(states),
        states=states,
    )
