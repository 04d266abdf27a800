"""Cross-sheet sense (SPEC §2.3–2.5, the plan's tasks read against the figures): a task the
county calls done while its own figures say otherwise is a warning at the task's 完成状态,
naming the cells of the other sheet. The pairs are data (schemas/data/bounds.toml [cross]):

- tasks 2–4 (the time limits of Attachment 1, 已实现) against 超时限户数: the limits are on the
  grid's side (电网环节办理时长), so customers over the limit with a 说明 (用户自身原因) do not
  contradict 已实现; without one, the one finding is the sheet's over-limit-unexplained, which
  then names the task that says 已实现 (`claims`: one root cause, one finding);
- tasks 9 and 40 (every 160千瓦及以下 small business served with 三零, at zero cost): as many
  其中享受“三零”服务户数 as 低压小微企业报装户数;
- task 11 (the outage targets): every area within its target or cut by the year-on-year rule,
  judged as the summary judges it (an H1 return by the year-on-year rule alone).

A task whose 存在问题 says why (in words that say something) has been explained, and so has a
三零 shortfall explained in that row's 说明. A figure that has its own finding, or is missing,
takes part in no comparison."""

from __future__ import annotations

from addin.model.findings import Finding
from addin.model.ledger import TaskEntry
from addin.validate import cells
from addin.validate.frames import Table
from schemas.plausible import bounds
from schemas.sheets import CONNECTION, DONE_STATUSES, RELIABILITY, SANLING, TASKS


def _quoted(names) -> str:
    return "、".join(f"“{n}”" for n in names)


def _at(table: Table, row: int, key: str) -> str:
    return f"{table.name}!{table.address(row, key)}"


def check_cross(
    tables: dict, entries: list[TaskEntry], sheets: dict, ctx, flagged: set[tuple[str, str]]
) -> list[Finding]:
    """`flagged`: the (sheet, cell) that already have a finding, kept out of the comparisons."""
    tasks: Table = tables[TASKS.name]

    def sound(table: Table, row: int, *keys: str) -> bool:
        return all((table.name, table.address(row, k)) not in flagged for k in keys)

    done = {
        e.id: e
        for e in entries
        if e.status in DONE_STATUSES
        and cells.says_nothing(e.problems)
        and "status" in tasks.columns
    }
    found = []
    b = bounds()
    san, san_sheet = tables.get(SANLING.name), sheets.get(SANLING.name)
    if san is not None and san_sheet is not None and "value" in san.columns:
        for pair in b.sanling:
            claimed = [done[t] for t in pair.tasks if t in done]
            part, total = san_sheet.sanling.get(pair.part), san_sheet.sanling.get(pair.total)
            rows = san_sheet.rows
            if not claimed or part is None or total is None or part >= total:
                continue
            if not all(sound(san, rows[label], "value") for label in (pair.part, pair.total)):
                continue
            if pair.part in rows and not cells.says_nothing(san.raw(rows[pair.part], "note")):
                continue  # the shortfall is explained where the figure is
            found.append(
                tasks.make(
                    "status.done-but-sanling-short",
                    claimed[0].row,
                    "status",
                    task=claimed[0].id,
                    tasks="、".join(e.id for e in claimed),
                    part=pair.part,
                    part_value=cells.text(part),
                    total=pair.total,
                    total_value=cells.text(total),
                    cells="、".join(
                        _at(san, rows[label], "value")
                        for label in (pair.part, pair.total)
                        if label in rows
                    ),
                )
            )
    found += _reliability(tables, done, sheets, ctx, sound)
    return found


def claims(findings: list[Finding], tables: dict, entries: list[TaskEntry], sheets: dict):
    """The over-limit-unexplained findings of types whose time limits a task says 已实现, made
    again naming that task's 完成状态 (see the module doc); the rest unchanged."""
    conn, conn_sheet = tables.get(CONNECTION.name), sheets.get(CONNECTION.name)
    tasks: Table | None = tables.get(TASKS.name)
    if conn is None or conn_sheet is None or tasks is None or "status" not in tasks.columns:
        return findings
    done = {e.id: e for e in entries if e.status in DONE_STATUSES}
    claimed = {}  # connection row → the entry of the task claiming its limits
    for pair in bounds().connection:
        if pair.task in done:
            for t in pair.types:
                if t in conn_sheet.rows:
                    claimed[conn_sheet.rows[t]] = done[pair.task]
    if not claimed:
        return findings
    by_row = {e.row: e for e in conn_sheet.connection}
    out = []
    for f in findings:
        entry = claimed.get(f.row) if f.sheet == conn.name else None
        if f.code != "indicator.over-limit-unexplained" or entry is None:
            out.append(f)
            continue
        where = f"{tasks.name}!{tasks.address(entry.row, 'status')}"
        out.append(
            conn.make(
                f.code,
                f.row,
                "note",
                over_limit=cells.text(by_row[f.row].over_limit),
                typed=cells.typed_note(by_row[f.row].note),
                claim=f"；第 {entry.id} 项（{_short(entry.text)}）却填报为“{entry.status}”（{where}）",
                claim_hint=f"；确未做到时限的，第 {entry.id} 项不应填“{entry.status}”",
            )
        )
    return out


def _reliability(tables: dict, done: dict, sheets: dict, ctx, sound) -> list[Finding]:
    rel, rel_sheet = tables.get(RELIABILITY.name), sheets.get(RELIABILITY.name)
    entry = done.get(bounds().reliability_task)
    if rel is None or rel_sheet is None or entry is None or "outage_hours" not in rel.columns:
        return []
    ref = ctx.ref
    targets = {a.name: a.target_hours for a in ref.areas}
    half_year = bool(ctx.period and ctx.period.kind == "H1")
    missed = []
    for e in rel_sheet.reliability:
        if not e.customers or e.outage_hours is None or e.area not in targets:
            continue
        if not sound(rel, e.row, *RELIABILITY_KEYS):
            continue
        average = e.outage_hours / e.customers
        cut = None
        if e.last_customers and e.last_outage_hours:
            cut = average <= e.last_outage_hours / e.last_customers * (1 - ref.yoy_cut)
        met = bool(cut) if half_year else (average <= targets[e.area] or bool(cut))
        if not met and not (half_year and cut is None):
            missed.append(e)
    if not missed:
        return []
    tasks: Table = tables[TASKS.name]
    return [
        tasks.make(
            "status.done-but-target-missed",
            entry.row,
            "status",
            task=entry.id,
            id=entry.id,
            status=entry.status,
            areas=_quoted(e.area for e in missed),
            cut=f"{ref.yoy_cut:.0%}",
            cells="、".join(_at(rel, e.row, "outage_hours") for e in missed),
        )
    ]


RELIABILITY_KEYS = (
    "customers", "outage_hours", "outages", "last_customers", "last_outage_hours",
)  # fmt: skip


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[:limit] + "……"
