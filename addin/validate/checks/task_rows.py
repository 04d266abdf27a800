"""任务台账, the county's columns of each task row: responsible units (unit.*, task_units.py),
deadlines and completion dates (time.*), and the typed frame the pandera model checks for
statuses and progress (status.*). A cell that cannot be read gives one finding and is left out
of every rule that depends on it (an unreadable 县级完成时限 is neither later than the city's nor
overdue). A row 不适用 is held to one rule only: its reason (SPEC §2.5)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from addin.model.findings import Finding
from addin.model.ledger import TaskEntry
from addin.validate import cells
from addin.validate.checks.task_ids import TaskRow
from addin.validate.checks.task_units import check_units
from addin.validate.frames import Table, frame
from schemas import roles
from schemas.deadline import Deadline, parse_deadline
from schemas.deadline_rules import describe, held_to, later_than, read_county
from schemas.progress import is_overdue
from schemas.reference import Period, Reference, Unit
from schemas.sheets import NOT_APPLICABLE, STATUSES, TASKS

H = {c.key: c.header for c in TASKS.columns}


@dataclass
class Context:
    ref: Reference
    unit: Unit | None
    period: Period | None
    filed: date | None
    today: date
    date1904: bool

    @property
    def planning(self) -> bool:
        return bool(self.period and self.period.planning)

    @property
    def year(self) -> int | None:
        return self.period.year if self.period else None


@dataclass
class TaskRows:
    entries: list[TaskEntry] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    frame: pd.DataFrame | None = None


# A county deadline that defers to the city's: 按市定时间, 同市定时间, 与市定时间一致, 按市级完成时限执行 …
_SAME_AS_CITY = re.compile(
    r"^(?:按照?|同|与|依照?|执行|遵照)?市(?:定|级|里)?(?:的)?(?:完成)?时(?:间|限)"
    r"(?:一致|相同|执行|为准|完成)?[。.]?$"
)


def check_deadline(table: Table, r: TaskRow, ctx: Context) -> tuple[Deadline | None, list[Finding]]:
    """The county's deadline, or None when it is missing or unreadable (reported here)."""
    if "county_due" not in table.columns:
        return None, []
    raw = table.raw(r.row, "county_due")
    city_text = r.task.due if r.task else "（本地任务，无市定时间）"
    if cells.says_nothing(raw):
        return None, [
            table.make(
                "time.county-due-empty",
                r.row,
                "county_due",
                task=r.id,
                city=city_text,
                typed=cells.typed_note(raw),
            )
        ]
    typed = cells.compact(raw)
    city = parse_deadline(r.task.due, year=ctx.year) if r.task is not None else None
    if r.task is not None and "市" in typed and _SAME_AS_CITY.match(typed):
        # "按市定时间": the city's own deadline, as if copied
        return city, []
    county = read_county(raw, city, year=ctx.year, date1904=ctx.date1904)
    if county.kind == "unknown":
        return None, [table.make("time.county-due-invalid", r.row, "county_due", task=r.id)]
    if r.task is not None:
        # The city's 已实现… means achieved by the plan's issue date: a county date after it
        # is later than the city's.
        issued = ctx.ref.periods["plan_issued"]
        if later_than(county, city, achieved_by=issued):
            limit, note = r.task.due, ""
            issued_text = f"{issued.year}年{issued.month}月{issued.day}日"
            if city.kind == "achieved" and county.past:
                # 已于2021年6月完成: a record of when it was done, to explain, not a deadline
                return county, [
                    table.make(
                        "time.achieved-later",
                        r.row,
                        "county_due",
                        task=r.id,
                        issued=issued_text,
                        due=describe(county),
                    )
                ]
            if city.kind == "achieved":
                limit = issued_text
                note = "（市定“已实现”即行动方案印发时已实现；已实现的填“已实现，持续巩固提升”）"
            return county, [
                table.make(
                    "time.later-than-city",
                    r.row,
                    "county_due",
                    task=r.id,
                    city=r.task.due,
                    limit=limit,
                    note=note,
                )
            ]
    if county.ambiguous and county.due is not None:
        return county, [
            table.make(
                "time.ambiguous",
                r.row,
                "county_due",
                task=r.id,
                due=describe(county),
                month=county.due.month,
            )
        ]
    return county, []


def check_done_date(
    table: Table, r: TaskRow, ctx: Context
) -> tuple[date | None, bool, list[Finding]]:
    """(date, unreadable, findings) for 完成日期."""
    if "done_date" not in table.columns:
        return None, False, []
    done, problem = cells.done_date(table.raw(r.row, "done_date"), ctx.date1904, ctx.year)
    if problem:
        return None, True, [table.make("time.done-date-invalid", r.row, "done_date", task=r.id)]
    if done is None:
        return None, False, []
    shown = f"{done.year}年{done.month}月{done.day}日"
    plan_start = ctx.ref.periods["plan_start"]
    if ctx.filed is not None and done > ctx.filed:
        code, params = "time.done-after-filed", {"filed": ctx.filed.isoformat()}
    elif ctx.period is not None and done > ctx.period.as_of:
        code, params = "time.done-after-as-of", {"as_of": ctx.period.as_of.isoformat()}
    elif done < plan_start:
        code, params = "time.done-before-plan", {"plan_start": plan_start.isoformat()}
    else:
        return done, False, []
    return done, False, [table.make(code, r.row, "done_date", task=r.id, value=shown, **params)]


def _not_applicable(table: Table, r: TaskRow, ctx: Context) -> tuple[TaskEntry, list[Finding]]:
    """A row 不适用: its units and deadline may be empty or /, —, 无; only the reason counts,
    in 进展情况 or 存在问题 (SPEC §2.5). No other rule of the row applies."""
    texts = {k: table.shown(r.row, k) for k in ("progress", "problems", "plan")}
    found = []
    if cells.says_nothing(texts["progress"]) and cells.says_nothing(texts["problems"]):
        typed = texts["progress"] or texts["problems"]
        found.append(
            table.make(
                "status.na-without-reason",
                r.row,
                "progress",
                task=r.id,
                typed=cells.typed_note(typed),
            )
        )
    raw_units = table.raw(r.row, "county_units")
    units = (
        () if cells.says_nothing(raw_units) else tuple(roles.split_units(cells.shown(raw_units)))
    )
    city = parse_deadline(r.task.due, year=ctx.year) if r.task is not None else None
    due = read_county(table.raw(r.row, "county_due"), city, year=ctx.year, date1904=ctx.date1904)
    done, _ = cells.done_date(table.raw(r.row, "done_date"), ctx.date1904, ctx.year)
    return _entry(
        table, r, NOT_APPLICABLE, done, due if due.kind != "unknown" else None, units, texts
    ), found


def _entry(table: Table, r: TaskRow, status, done, county, units, texts) -> TaskEntry:
    return TaskEntry(
        id=r.id,
        row=r.row,
        status=status,
        done_date=done,
        county_due=county,
        county_units=units,
        progress=texts["progress"],
        problems=texts["problems"],
        plan=texts["plan"],
        text=r.task.text if r.task else table.shown(r.row, "text"),
    )


_FRAME_KEYS = (
    "id", "county_units", "county_due", "status", "done_date", "progress", "problems", "plan",
    "phone",
)  # fmt: skip


def check_rows(table: Table, rows: list[TaskRow], ctx: Context) -> TaskRows:
    result = TaskRows()
    data: dict[str, list] = {H[k]: [] for k in _FRAME_KEYS}
    data["_overdue"], data["_done_date_bad"], data["_due_text"] = [], [], []
    framed: list[int] = []
    for r in rows:
        status_raw = table.text(r.row, "status")
        status, _problem = cells.status(status_raw)
        if status == NOT_APPLICABLE:
            entry, found = _not_applicable(table, r, ctx)
            result.entries.append(entry)
            result.findings += found
            continue
        units, found = check_units(table, r, ctx)
        county, more = check_deadline(table, r, ctx)
        found += more
        done, done_bad, more = check_done_date(table, r, ctx)
        found += more
        if status is None and not status_raw and not ctx.planning and "status" in table.columns:
            found.append(
                table.make("status.empty", r.row, "status", task=r.id, statuses="、".join(STATUSES))
            )
        city = parse_deadline(r.task.due, year=ctx.year) if r.task is not None else None
        due = held_to(county, city)
        overdue = bool(
            not ctx.planning
            and ctx.period is not None
            and is_overdue(status, due, ctx.period.as_of)
        )
        result.findings += found
        texts = {k: table.shown(r.row, k) for k in ("progress", "problems", "plan")}
        result.entries.append(_entry(table, r, status, done, county, units, texts))
        framed.append(r.row)
        data[H["id"]].append(r.id)
        data[H["county_units"]].append(table.text(r.row, "county_units") or None)
        data[H["county_due"]].append(table.text(r.row, "county_due") or None)
        # An unlisted status keeps its text so the model's isin check names it.
        data[H["status"]].append(status or status_raw or None)
        data[H["done_date"]].append(pd.Timestamp(done) if done else None)
        for key in ("progress", "problems", "plan"):
            data[H[key]].append(texts[key] or None)
        data[H["phone"]].append(table.text(r.row, "phone") or None)
        data["_overdue"].append(overdue)
        data["_done_date_bad"].append(done_bad)
        data["_due_text"].append(describe(due) if due is not None else None)
    data["_as_of"] = [ctx.period.as_of.isoformat() if ctx.period else None] * len(framed)
    dtypes = {h: "str" for h in data if not h.startswith("_")}
    dtypes[H["done_date"]] = "datetime64[us]"
    dtypes["_overdue"] = dtypes["_done_date_bad"] = "bool"
    result.frame = frame(framed, data, dtypes)
    return result
