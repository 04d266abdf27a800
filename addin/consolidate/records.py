"""What a period's summary keeps for the periods after it (SPEC §5, §7): per unit and task, the
status, the county's own deadline, the completion date, the light and the dates promised in
下步打算 (the JSON's `tasks`); per unit, the year-to-date counts of the indicator sheets (the
JSON's `cumulative`), so a later period can be compared with it without the returns. Pure:
the Summary in, plain data out (report.py writes it, history.py reads it back).

Promises (decisions, so every period reads them alike):
- 下步打算 is read clause by clause (split at ，。；; and line breaks) with the completion-time
  grammar (schemas/deadline.py); a clause counts when it names a day, or a period with 前, 底,
  末 or 内 ("9月底前", "2022年一季度末", "10月15日"): "按照2021年工作要点" promises nothing.
- A year not written is the last one written in an earlier clause; with none, the as-of
  date's. A plan looks ahead: a yearless date on or before the as-of date is the next year's
  ("3月底前" in a 2021Y return is 2022-03-31).
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from addin.consolidate.aggregate import count
from addin.model.summary import Summary
from schemas.deadline import normalise, parse_deadline
from schemas.reference import load

CLAUSE = re.compile(r"[，,。；;\n\r]+")
WRITTEN_YEAR = re.compile(r"(\d{4})(?:年|[-./]\d)")
COMMITS = re.compile(r"前|底|末|内")


def _next_year(day: date) -> date:
    last = calendar.monthrange(day.year + 1, day.month)[1]
    return date(day.year + 1, day.month, min(day.day, last))


def promises(plan: str | None, as_of: date) -> tuple[date, ...]:
    """The dates a 下步打算 text commits to, sorted, each once."""
    found: set[date] = set()
    year: int | None = None
    for clause in CLAUSE.split(plan or ""):
        text = normalise(clause)
        if not text:
            continue
        written = [int(y) for y in WRITTEN_YEAR.findall(text)]
        deadline = parse_deadline(clause, year=year or as_of.year)
        if written:
            year = written[-1]
        if not deadline.dated or not (deadline.precision == "day" or COMMITS.search(text)):
            continue
        for day in deadline.milestones or (deadline.due,):
            found.add(_next_year(day) if year is None and day <= as_of else day)
    return tuple(sorted(found))


def task_records(summary: Summary) -> dict[str, dict[str, dict]]:
    """{unit: {task id: {status, deadline, deadline_text, done, light, promises}}} for every
    unit (empty for a unit without a return) and every catalogue task of its return.
    `deadline` is the county's own 县级完成时限 when it is a date (the one a later period is held
    to), `deadline_text` what it wrote; `light` as the unit's row shows it."""
    out: dict[str, dict[str, dict]] = {}
    for row in summary.units:
        tasks: dict[str, dict] = {}
        if row.ret is not None and row.figures is not None:
            states = {s.id: s for s in row.figures.states}
            for entry in row.ret.tasks:
                state = states.get(entry.id)
                if state is None:  # a local task (L1…): not compared across periods
                    continue
                own = entry.county_due
                tasks[entry.id] = {
                    "status": entry.status,
                    "deadline": own.due if own is not None and own.dated else None,
                    "deadline_text": own.raw if own is not None else None,
                    "done": entry.done_date,
                    "light": row.task_light(state),
                    "promises": list(promises(entry.plan, summary.period.as_of)),
                }
        out[row.unit] = tasks
    return out


def cumulative(summary: Summary) -> dict[str, dict]:
    """{unit: {"connection": {type: {"connections", "steps": {step: days}, "total"}},
    "sanling": {indicator: value}}}: the counts of the year to date each return gave, as typed
    (None where a cell is empty), for every unit with a return."""
    indicators = load().indicators
    out: dict[str, dict] = {}
    for row in summary.units:
        if row.ret is None:
            continue
        out[row.unit] = {
            "connection": {
                e.type: {
                    "connections": count(e.connections),
                    "steps": {step: count(v) for step, v in e.steps.items()},
                    "total": count(e.total),
                }
                for e in row.ret.connection
            },
            "sanling": {i.name: count(row.ret.sanling.get(i.name)) for i in indicators},
        }
    return out
