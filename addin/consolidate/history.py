"""The ledger over time (SPEC §7): each unit's return of this period against what the unit said
in earlier periods, as `history.*` warnings at the cell of this period's return. Pure: the
Summary and the earlier periods' summary JSON (as parsed dicts, their `tasks` and
`cumulative` blocks, consolidate/records.py) in, a Summary with the findings added out.

Rules (decisions where SPEC is silent):
- Only periods whose as-of date is before this one's are compared; a later or the same period
  given by mistake is left out (the pipeline says so).
- promise-missed: a date promised in an earlier 下步打算 that fell after that period's own
  as-of date and on or before this one's, while the task is now neither done nor 不适用 (nor
  blank: an empty status is the validator's finding). The latest such promise of the latest
  earlier period is quoted; one finding per task, at its 下步打算 cell.
- status-regressed: done (已完成 / 已实现持续巩固) in an earlier period, now another status
  (不适用 included: a finished task does not stop applying); at 完成状态.
- deadline-moved: the county's own 县级完成时限 is later than a date it gave before, by the
  grammar's own comparison (an open-ended 持续推进 replacing a date is later); the earliest
  deadline exceeded is quoted (the 2021P plan, when given, is the first promise); at
  县级完成时限. Not for a task now 不适用, nor when the value cannot be read (the validator's).
- figure-dropped: in a Y return, a year-to-date count (接电户数, the 累计 days, the 三零三省
  values) below the same year's H1 return. One finding per row of 办电时限 or 三零三省 (one
  root cause: the row holds the half-year's figures, not the year's), at the first cell that
  dropped, naming every figure that did. 三零三省 rows are where the template puts them
  (the sheet's 指标 column is locked)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from addin.model.findings import Finding, make, ordered
from addin.model.ledger import Return
from addin.model.summary import FindingRow, Summary, UnitRow
from addin.model.workbook import a1
from schemas.deadline import Deadline
from schemas.deadline_rules import later_than
from schemas.reference import Period, load
from schemas.sheets import (
    CONNECTION,
    DONE_STATUSES,
    FIRST_DATA_ROW,
    NOT_APPLICABLE,
    SANLING,
    TASKS,
    step_key,
)


@dataclass(frozen=True)
class Earlier:
    """One earlier period's summary JSON, as history reads it."""

    code: str
    label: str
    as_of: date
    tasks: dict  # unit → task id → record (records.task_records, dates as ISO text)
    cumulative: dict  # unit → figures (records.cumulative)


def earlier_periods(previous: Sequence[dict], period: Period) -> list[Earlier]:
    """The summaries given that are of periods before `period`, oldest first."""
    found = []
    for data in previous:
        as_of = date.fromisoformat(str(data["as_of"])[:10])
        if as_of < period.as_of:
            found.append(
                Earlier(
                    data["period"],
                    data.get("period_label") or data["period"],
                    as_of,
                    data.get("tasks") or {},
                    data.get("cumulative") or {},
                )
            )
    return sorted(found, key=lambda e: e.as_of)


def _iso(value) -> date | None:
    return date.fromisoformat(value[:10]) if isinstance(value, str) and value else None


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _column(layout, key: str) -> int:
    return layout.headers.index(layout.column(key).header) + 1


def _task_finding(code: str, entry, key: str, value, **fields) -> Finding:
    column = _column(TASKS, key)
    return make(
        code,
        sheet=TASKS.name,
        cell=a1(entry.row, column),
        row=entry.row,
        column=TASKS.column(key).header,
        task=entry.id,
        value=value,
        task_id=entry.id,
        **fields,
    )


def _promise_missed(entry, said: list[tuple[Earlier, dict]], as_of: date) -> Finding | None:
    status = entry.status
    if status is None or status in (*DONE_STATUSES, NOT_APPLICABLE):
        return None
    for earlier, record in reversed(said):  # the latest promise first
        passed = [
            day
            for day in map(_iso, record.get("promises") or ())
            if day and earlier.as_of < day <= as_of
        ]
        if passed:
            return _task_finding(
                "history.promise-missed",
                entry,
                "plan",
                entry.plan,
                earlier=earlier.label,
                promised=_cn(max(passed)),
                as_of=_cn(as_of),
                status=status,
            )
    return None


def _status_regressed(entry, said: list[tuple[Earlier, dict]]) -> Finding | None:
    if entry.status is None or entry.status in DONE_STATUSES:
        return None
    for earlier, record in reversed(said):
        if record.get("status") in DONE_STATUSES:
            return _task_finding(
                "history.status-regressed",
                entry,
                "status",
                entry.status,
                earlier=earlier.label,
                before=record["status"],
            )
    return None


def _deadline_moved(entry, said: list[tuple[Earlier, dict]]) -> Finding | None:
    now = entry.county_due
    if now is None or now.kind == "unknown" or entry.status == NOT_APPLICABLE:
        return None
    for earlier, record in said:  # the earliest promise first
        before = _iso(record.get("deadline"))
        if before is None:
            continue
        text = record.get("deadline_text") or _cn(before)
        if later_than(now, Deadline(text, "dated", before)):
            return _task_finding(
                "history.deadline-moved",
                entry,
                "county_due",
                now.raw,
                earlier=earlier.label,
                before=text,
            )
    return None


def _dropped(row_label: str, pairs: list[tuple[str, float, float]], earlier: Earlier, where):
    """One figure-dropped finding for a row: (figure, now, then) of each figure that fell; a
    figure named "" is the row's only one."""
    sheet, row, column, header = where
    said = [f"{name}本期 {_n(now)}（{earlier.label} {_n(then)}）" for name, now, then in pairs]
    return make(
        "history.figure-dropped",
        sheet=sheet,
        cell=a1(row, column),
        row=row,
        column=header,
        value=pairs[0][1],
        row_label=row_label,
        earlier=earlier.label,
        pairs="、".join(said),
    )


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _figures_dropped(ret: Return, before: dict, earlier: Earlier) -> list[Finding]:
    out = []
    then_connection = before.get("connection") or {}
    for entry in ret.connection:
        then = then_connection.get(entry.type) or {}
        checks = [("connections", entry.connections, then.get("connections"))]
        checks += [
            (step_key(step), value, (then.get("steps") or {}).get(step))
            for step, value in entry.steps.items()
        ]
        checks.append(("total", entry.total, then.get("total")))
        fell = [(k, now, was) for k, now, was in checks if _below(now, was)]
        if fell:
            key = fell[0][0]
            header = CONNECTION.column(key).header
            out.append(
                _dropped(
                    entry.type,
                    [(CONNECTION.column(k).header, now, was) for k, now, was in fell],
                    earlier,
                    (CONNECTION.name, entry.row, _column(CONNECTION, key), header),
                )
            )
    then_sanling = before.get("sanling") or {}
    value_column = _column(SANLING, "value")
    for i, indicator in enumerate(load().indicators):
        now, was = ret.sanling.get(indicator.name), then_sanling.get(indicator.name)
        if _below(now, was):
            row = FIRST_DATA_ROW + i
            out.append(
                _dropped(
                    indicator.name,
                    [("", now, was)],
                    earlier,
                    (SANLING.name, row, value_column, SANLING.column("value").header),
                )
            )
    return out


def _below(now, was) -> bool:
    return isinstance(now, int | float) and isinstance(was, int | float) and now < was


def unit_findings(row: UnitRow, earlier: Sequence[Earlier], period: Period) -> list[Finding]:
    """Every history finding of one unit's return against the earlier periods."""
    ret = row.ret
    if ret is None:
        return []
    catalogue = {t.id for t in load().tasks}
    found = []
    for entry in ret.tasks:
        if entry.id not in catalogue:
            continue
        said = [
            (e, e.tasks[row.unit][entry.id])
            for e in earlier
            if entry.id in e.tasks.get(row.unit, {})
        ]
        if not said:
            continue
        for rule in (
            _promise_missed(entry, said, period.as_of),
            _status_regressed(entry, said),
            _deadline_moved(entry, said),
        ):
            if rule is not None:
                found.append(rule)
    if period.kind == "Y":
        half = next((e for e in earlier if e.code == f"{period.year}H1"), None)
        if half is not None and row.unit in half.cumulative:
            found += _figures_dropped(ret, half.cumulative[row.unit], half)
    return ordered(found)


def with_history(summary: Summary, previous: Sequence[dict]) -> Summary:
    """The Summary with each unit's history findings added to its chosen return (so 总览's
    警告 counts them), to 校验问题 right after that return's own findings, and nowhere else."""
    earlier = earlier_periods(previous, summary.period)
    added = {row.unit: unit_findings(row, earlier, summary.period) for row in summary.units}
    if not any(added.values()):
        return summary
    rows, rets = [], {}
    for row in summary.units:
        if added[row.unit]:
            ret = replace(row.ret, findings=row.ret.findings + tuple(added[row.unit]))
            rets[row.ret.source.path] = ret
            row = replace(row, ret=ret)
        rows.append(row)
    findings = list(summary.findings)
    order = {u: i for i, u in enumerate(r.unit for r in summary.units)}
    for row in rows:
        if not added[row.unit]:
            continue
        new = [FindingRow(row.ret.source.name, row.unit, f) for f in added[row.unit]]
        at = _insertion_point(findings, row, order)
        findings[at:at] = new
    sources = tuple(
        replace(src, ret=rets.get(src.ret.source.path, src.ret)) for src in summary.sources
    )
    return replace(summary, units=tuple(rows), findings=tuple(findings), sources=sources)


def _insertion_point(findings: list[FindingRow], row: UnitRow, order: dict[str, int]) -> int:
    """After the last finding of this unit's chosen return; failing that, after the last
    finding of this unit or of the units before it."""
    mine = [i for i, f in enumerate(findings) if f.unit == row.unit and f.scope == "unit"]
    if mine:
        return mine[-1] + 1
    before = [i for i, f in enumerate(findings) if order.get(f.unit, len(order)) <= order[row.unit]]
    return before[-1] + 1 if before else 0
