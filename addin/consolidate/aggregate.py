"""The figures of a city summary, as pure functions of typed returns: task states and traffic
lights, rates, weighted averages of connection time, outage hours, 三零三省 totals. Nothing
here reads files or formats cells (DESIGN: the aggregates never format).

Definitions (SPEC §2.5, §5; where SPEC is silent the choice is written here):
- The deadline that counts is the county's 县级完成时限 when dated or 已实现, else the city's
  完成时间 when dated, else none — the validator holds a task to the same one.
- 逾期 is schemas.progress.is_overdue, the one definition the validator uses too: due on or
  before the as-of date and neither 已完成, 已实现持续巩固 nor 不适用 (持续推进 meets a deadline
  that itself commits to continuing, "……完成，持续推进").
- Done = 已完成 or 已实现持续巩固. Applicable = not 不适用 (a blank status is applicable).
- 完成率 = done ÷ applicable tasks that have an end point: a task whose city 完成时间 is
  持续推进 never finishes and is in neither side.
- 推进正常率 = applicable tasks with a green light ÷ applicable tasks, 持续推进 ones included.
- 到期完成率 = of the applicable tasks due on or before the as-of date, the share done.
- 滞后 = status 进度滞后 or 未启动: the county's own word that it is behind
  (schemas.sheets.BEHIND_STATUSES, the statuses that require 存在问题 and 下步打算).
- Task light: red = 逾期; yellow = 进度滞后, 未启动 before its deadline, or finished after its
  deadline; green = any other status; grey = 不适用 or no status.
- Unit light: red if any task is overdue, yellow if any task is yellow, else green (a 退回 or
  未报 unit shows none: model/summary.UnitRow.light).
- Numbers: a cell that is not a finite number, or a sum or ratio that overflows, is None
  (model/figures.finite), so one absurd return never breaks a writer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from addin.model.figures import (
    ConnectionRow,
    ReliabilityRow,
    SanlingRow,
    TaskFigures,
    TaskState,
    finite,
    ratio,
)
from addin.model.ledger import ConnectionEntry, ReliabilityEntry, TaskEntry
from schemas.deadline import Deadline
from schemas.progress import is_overdue
from schemas.reference import Area, CustomerType, Indicator
from schemas.sheets import BEHIND_STATUSES, DONE_STATUSES, NOT_APPLICABLE, STATUSES

EXACT = 2**53  # beyond it a float no longer holds every whole number


def count(value: float | None) -> int | float | None:
    """A count read from a cell arrives as a float (17037.0); as a figure it is 17037, so the
    JSON and the reports say 17037. A fraction (a county's slip, which the validator reports)
    stays as it was typed; a value that is not a finite number is no figure (None)."""
    value = finite(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < EXACT:
        return int(value)
    return value


def total(values: Iterable[float | None]) -> float | None:
    """The sum of the figures given (None adds nothing); None if it overflows."""
    try:
        return finite(sum(v for v in values if v is not None))
    except OverflowError:
        return None


def deadline_that_counts(entry: TaskEntry, city: Deadline | None) -> Deadline | None:
    county = entry.county_due
    if county is not None and (county.dated or county.kind == "achieved"):
        return county
    return city if city is not None and city.dated else None


def task_state(entry: TaskEntry, city: Deadline | None, as_of: date) -> TaskState:
    status = entry.status
    deadline = deadline_that_counts(entry, city)
    due = deadline.due if deadline is not None and deadline.dated else None
    applicable = status not in (None, NOT_APPLICABLE)
    done = status in DONE_STATUSES
    overdue = is_overdue(status, deadline, as_of)
    lagging = status in BEHIND_STATUSES
    if not applicable:
        light = "grey"
    elif overdue:
        light = "red"
    elif lagging or (done and due is not None and entry.done_date and entry.done_date > due):
        light = "yellow"
    else:
        light = "green"
    ends = not (city is not None and city.kind == "ongoing")
    return TaskState(entry.id, status, due, overdue, lagging, light, ends)


def figures_of(states: Sequence[TaskState], as_of: date) -> TaskFigures:
    counts = {s: 0 for s in (*STATUSES, "")}
    for st in states:
        counts[st.status or ""] = counts.get(st.status or "", 0) + 1
    applicable = [s for s in states if s.status != NOT_APPLICABLE]
    ending = [s for s in applicable if s.ends]
    due = [s for s in applicable if s.due is not None and s.due <= as_of]
    return TaskFigures(
        counts=counts,
        applicable=len(applicable),
        ending=len(ending),
        done=sum(s.status in DONE_STATUSES for s in ending),
        on_track=sum(s.light == "green" for s in applicable),
        due_total=len(due),
        due_done=sum(s.status in DONE_STATUSES for s in due),
        overdue=sum(s.overdue for s in states),
        lagging=sum(s.lagging for s in states),
        light=unit_light(states),
        states=tuple(states),
    )


def task_figures(
    tasks: Sequence[TaskEntry], city_due: Callable[[str], Deadline | None], as_of: date
) -> TaskFigures:
    """Figures over the catalogue tasks only (local tasks L… are the caller's to list)."""
    return figures_of([task_state(t, city_due(t.id), as_of) for t in tasks], as_of)


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
    rows = [(finite(e.connections), finite(value(e))) for e in entries]
    rows = [(c, v) for c, v in rows if c and v is not None]
    return ratio(total(v for _, v in rows), total(c for c, _ in rows))


def within_limits(ctype: CustomerType, average: float | None, steps: dict) -> bool | None:
    if average is None:
        return None
    return average <= ctype.total and all(
        v is None or v <= ctype.limits[s] for s, v in steps.items()
    )


def connection_verdict(
    entries: Sequence[ConnectionEntry], within: bool | None, over: float | None
) -> str | None:
    """达到 / 基本达到 / 未达到 (SPEC §5), None when there is nothing to judge."""
    if within is None or over is None:
        return None
    if not within:
        return "未达到"
    if over == 0:
        return "达到"
    explained = all(e.note.strip() for e in entries if (finite(e.over_limit) or 0) > 0)
    return "基本达到" if explained else "未达到"


def connection_row(
    ctype: CustomerType, unit: str, entries: Sequence[ConnectionEntry]
) -> ConnectionRow:
    connections = count(total(finite(e.connections) for e in entries))
    steps = {step: _weighted(entries, lambda e, s=step: e.steps.get(s)) for step in ctype.limits}
    average = _weighted(entries, lambda e: e.total)
    over = count(total(finite(e.over_limit) for e in entries))
    longest = max((v for v in (finite(e.longest) for e in entries) if v is not None), default=None)
    within = within_limits(ctype, average, steps) if connections else None
    on_time = ratio(over, connections)
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
        None if on_time is None else 1 - on_time,
        within,
        connection_verdict(entries, within, over),
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


def _average(pairs: Iterable[tuple[float | None, float | None]]) -> tuple[float | None, ...]:
    """(Σcustomers, Σhours, Σhours ÷ Σcustomers) over the (customers, hours) pairs that have both."""
    pairs = [(finite(c), finite(h)) for c, h in pairs]
    pairs = [(c, h) for c, h in pairs if c and h is not None]
    customers, hours = total(c for c, _ in pairs), total(h for _, h in pairs)
    return customers, hours, ratio(hours, customers)


def reliability_row(
    area: Area,
    unit: str,
    entries: Sequence[ReliabilityEntry],
    yoy_cut: float,
    *,
    yoy_only: bool = False,
) -> ReliabilityRow:
    """`yoy_only` (an H1 period): the figures are the half-year's, so 达标 is the year-on-year
    cut alone; the annual target is compared for reference only."""
    customers, hours, average = _average((e.customers, e.outage_hours) for e in entries)
    _, _, last_average = _average((e.last_customers, e.last_outage_hours) for e in entries)
    change = ratio(average, last_average)
    change = None if change is None else change - 1
    met_target = None if average is None else average <= area.target_hours
    met_cut = None if change is None else change <= -yoy_cut
    either = None if met_target is None else (met_target or bool(met_cut))
    met = met_cut if yoy_only else either
    return ReliabilityRow(
        area.name,
        unit,
        count(customers),
        hours,
        average,
        area.target_hours,
        last_average,
        change,
        met_target,
        met_cut,
        met,
        yoy_only,
    )


def reliability_rows(
    by_unit: Sequence[tuple[str, Sequence[ReliabilityEntry]]],
    areas: Sequence[Area],
    yoy_cut: float,
    city: str = "全市",
    *,
    yoy_only: bool = False,
) -> list[ReliabilityRow]:
    rows = []
    for area in areas:
        per_unit = [(u, [e for e in es if e.area == area.name]) for u, es in by_unit]
        every = [e for _, es in per_unit for e in es]
        rows.append(reliability_row(area, city, every, yoy_cut, yoy_only=yoy_only))
        rows.extend(
            reliability_row(area, u, es, yoy_cut, yoy_only=yoy_only) for u, es in per_unit if es
        )
    return rows


# ---- 三零三省: totals and the shares of their "其中" rows ---------------------------------


def sanling_rows(
    by_unit: Sequence[tuple[str, dict[str, float | None]]], indicators: Sequence[Indicator]
) -> list[SanlingRow]:
    totals = {i.name: total(finite(v.get(i.name)) for _, v in by_unit) for i in indicators}
    rows = []
    for ind in indicators:
        figure = count if ind.whole else finite
        wholes = (ind.part_of,) if ind.part_of else ind.at_most
        whole = None if any(totals[w] is None for w in wholes) else total(totals[w] for w in wholes)
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
    added = {
        key: sum(getattr(f, key) for f in figures)
        for key in ("applicable", "ending", "done", "on_track", "due_total", "due_done")
    }
    return TaskFigures(
        counts=counts,
        **added,
        overdue=sum(f.overdue for f in figures),
        lagging=sum(f.lagging for f in figures),
        light=unit_light(states),
        states=states,
    )
