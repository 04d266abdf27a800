"""Hand-built Returns for the consolidation tests: small, explicit, no files involved."""

from __future__ import annotations

from datetime import date

from addin.model.findings import make
from addin.model.ledger import ConnectionEntry, ReliabilityEntry, Return, Source, TaskEntry
from schemas.deadline import Deadline
from schemas.reference import load

PERIOD = "2021Y"


def dated(day: date, raw: str | None = None) -> Deadline:
    return Deadline(raw or f"{day.year}年{day.month}月{day.day}日前", "dated", day, "day")


ONGOING = Deadline("持续推进", "ongoing")


def city_due(task_id: str) -> Deadline | None:
    """A fixed stand-in for the city's deadlines: task 1 due 2021-06-30, task 2 due
    2022-12-31, every other task ongoing."""
    return {"1": dated(date(2021, 6, 30)), "2": dated(date(2022, 12, 31))}.get(task_id, ONGOING)


def task(
    tid: str,
    status: str | None = "序时推进",
    *,
    due: Deadline | None = None,
    done: date | None = None,
    progress: str = "",
    problems: str = "",
    plan: str = "",
    text: str = "",
) -> TaskEntry:
    return TaskEntry(
        tid,
        2 + int(tid) if tid.isdigit() else 80,
        status,
        done,
        due,
        ("发改局",),
        progress,
        problems,
        plan,
        text,
    )


def conn(
    ctype: str,
    n: float | None,
    steps: dict,
    total: float | None,
    over: float = 0,
    longest: float | None = None,
    note: str = "",
) -> ConnectionEntry:
    return ConnectionEntry(ctype, 3, n, steps, total, longest, over, note)


def rel(area: str, customers, hours, last_customers=None, last_hours=None) -> ReliabilityEntry:
    return ReliabilityEntry(area, 3, customers, hours, None, last_customers, last_hours, "")


def ret(
    unit: str | None,
    *,
    name: str | None = None,
    period: str | None = PERIOD,
    filed: date | None = date(2022, 1, 4),
    mtime: float = 1.0,
    tasks=None,
    connection=(),
    reliability=(),
    sanling=None,
    errors: int = 0,
    template: str | None = "taizhang-ledger",
    extra=(),
) -> Return:
    name = name or f"{unit}-{period}.xlsx"
    if tasks is None:  # all 68 catalogue tasks, 序时推进
        tasks = [task(t.id) for t in load().tasks]
    findings = tuple(
        make("submission.missing", unit="x", period="x", due="x", unknown="", severity="error")
        for _ in range(errors)
    )
    return Return(
        Source(f"/in/{name}", name, "0" * 64, 1000, mtime, "xlsx"),
        unit,
        period,
        filed,
        "1.0",
        template=template,
        tasks=tuple(tasks),
        connection=tuple(connection),
        reliability=tuple(reliability),
        sanling=dict(sanling or {}),
        findings=findings + tuple(extra),
    )
