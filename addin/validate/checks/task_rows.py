"""任务台账, the county's columns of each task row: responsible units (unit.*), deadlines and
completion dates (time.*), and the typed frame the pandera model checks for statuses and
progress (status.*). A cell that cannot be read gives one finding and is left out of every
rule that depends on it (an unreadable 县级完成时限 is neither later than the city's nor
overdue)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from addin.model.findings import Finding
from addin.model.ledger import TaskEntry
from addin.validate import cells
from addin.validate.checks.task_ids import TaskRow
from addin.validate.frames import Table, frame
from schemas import roles
from schemas.deadline import Deadline, describe, later_than, parse_deadline
from schemas.reference import Period, Reference, Unit
from schemas.sheets import DONE_STATUSES, STATUSES, TASKS

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


def _example(own: str, role: str, ref: Reference) -> str:
    if role == roles.OTHER_GOVERNMENT:
        role = "行政审批"
    keyword = next((r.keywords[0] for r in ref.roles if r.name == role), role)
    return f"{own}{keyword}"


def check_units(table: Table, r: TaskRow, ctx: Context) -> tuple[tuple[str, ...], list[Finding]]:
    if "county_units" not in table.columns:
        return (), []
    own = ctx.unit.name if ctx.unit else "本县"
    raw = table.raw(r.row, "county_units")
    city = r.task.units if r.task else "（本地任务）"
    if cells.is_blank(raw):
        example = _example(own, "电力主管部门", ctx.ref) + "、" + _example(own, "供电企业", ctx.ref)
        return (), [
            table.make("unit.empty", r.row, "county_units", task=r.id, city=city, example=example)
        ]
    units = roles.split_units(cells.shown(raw))
    found = []
    foreign: dict[str, str] = {}  # unit → the other county it belongs to
    for unit in units:
        other = roles.unit_of_other_county(unit, ctx.unit.name) if ctx.unit else None
        if other is not None:
            foreign[unit] = other
        elif not roles.roles_of(unit) and not roles.is_government(unit):
            found.append(
                table.make(
                    "unit.unrecognised",
                    r.row,
                    "county_units",
                    task=r.id,
                    unit=unit,
                    example=_example(own, "供电企业", ctx.ref),
                )
            )
    if foreign:
        # one cell copied from a neighbour is one root cause: one finding naming every unit
        found.insert(
            0,
            table.make(
                "unit.other-county",
                r.row,
                "county_units",
                task=r.id,
                unit="、".join(f"“{u}”" for u in foreign),
                county="、".join(dict.fromkeys(foreign.values())),
                own=own,
            ),
        )
    if r.task is not None:
        for role in roles.missing_roles(units, roles.required_roles(r.task.units)):
            found.append(
                table.make(
                    "unit.role-missing",
                    r.row,
                    "county_units",
                    task=r.id,
                    city=r.task.units,
                    role=role,
                    example=_example(own, role, ctx.ref),
                )
            )
    return tuple(units), found


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
    if cells.is_blank(raw):
        return None, [
            table.make("time.county-due-empty", r.row, "county_due", task=r.id, city=city_text)
        ]
    typed = cells.compact(raw)
    if r.task is not None and "市" in typed and _SAME_AS_CITY.match(typed):
        # "按市定时间": the city's own deadline, as if copied
        return parse_deadline(r.task.due, year=ctx.year), []
    county = parse_deadline(raw, year=ctx.year, date1904=ctx.date1904)
    if county.kind == "unknown":
        return None, [table.make("time.county-due-invalid", r.row, "county_due", task=r.id)]
    if r.task is not None:
        city = parse_deadline(r.task.due, year=ctx.year)
        # The city's 已实现… means achieved by the plan's issue date: a county date after it
        # is later than the city's.
        issued = ctx.ref.periods["plan_issued"]
        if later_than(county, city, achieved_by=issued):
            limit, note = r.task.due, ""
            if city.kind == "achieved":
                limit = f"{issued.year}年{issued.month}月{issued.day}日"
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


def _effective_due(county: Deadline | None, task_due: str | None, ctx: Context) -> Deadline | None:
    """The deadline a task is held to: the county's when dated, else the city's (a county's
    持续推进 does not lift the city's date). None when the county's cannot be read."""
    if county is None:
        return None
    if county.dated or county.kind == "achieved":
        return county
    if task_due is None:
        return None
    city = parse_deadline(task_due, year=ctx.year)
    return city if city.dated else None


def check_rows(table: Table, rows: list[TaskRow], ctx: Context) -> TaskRows:
    result = TaskRows()
    data: dict[str, list] = {
        H[k]: []
        for k in (
            "id",
            "county_units",
            "county_due",
            "status",
            "done_date",
            "progress",
            "problems",
            "plan",
            "phone",
        )
    }
    data["_overdue"], data["_done_date_bad"], data["_due_text"] = [], [], []
    for r in rows:
        units, found = check_units(table, r, ctx)
        county, more = check_deadline(table, r, ctx)
        found += more
        done, done_bad, more = check_done_date(table, r, ctx)
        found += more
        status_raw = table.text(r.row, "status")
        status, _problem = cells.status(status_raw)
        if status is None and not status_raw and not ctx.planning and "status" in table.columns:
            found.append(
                table.make("status.empty", r.row, "status", task=r.id, statuses="、".join(STATUSES))
            )
        due = _effective_due(county, r.task.due if r.task else None, ctx)
        overdue = bool(
            not ctx.planning
            and ctx.period is not None
            and due is not None
            and due.dated
            and due.due < ctx.period.as_of
            and status not in DONE_STATUSES
            # 持续推进 past a deadline that itself commits to continuing (……完成，持续推进) is
            # what the deadline asked for; otherwise it claims to be on track like 序时推进
            and not (status == "持续推进" and due.also_ongoing)
        )
        result.findings += found
        texts = {k: table.shown(r.row, k) for k in ("progress", "problems", "plan")}
        result.entries.append(
            TaskEntry(
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
        )
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
    data["_as_of"] = [ctx.period.as_of.isoformat() if ctx.period else None] * len(rows)
    dtypes = {h: "str" for h in data if not h.startswith("_")}
    dtypes[H["done_date"]] = "datetime64[us]"
    dtypes["_overdue"] = dtypes["_done_date_bad"] = "bool"
    result.frame = frame([r.row for r in rows], data, dtypes)
    return result
