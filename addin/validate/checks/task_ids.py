"""任务台账, the ids and the city's columns (SPEC §2.2): every catalogue task present once,
nothing unknown, local tasks L1… allowed (up to a bound), the locked reference columns as the
city wrote them, rows in order. Yields the rows the row rules (check_task_rows) go on to check.

A row is known by its 序号 and by its 工作目标任务 (a locked column, so the text is the city's):
when the two disagree and the text's task has no row of its own, the row is that task with a
mistyped 序号 — one finding (task.id-mismatch), not a duplicate plus a missing task. A missing
task is reported at the row where it is missing: a blanked row where it stood, else the row it
belongs before."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from addin.model.findings import Finding
from addin.validate import cells
from addin.validate.frames import Table
from schemas.plausible import bounds
from schemas.reference import Reference, Task
from schemas.sheets import TASKS, local_task_id

REFERENCE_KEYS = ("category", "text", "units", "due")


@dataclass
class TaskRow:
    id: str
    row: int
    task: Task | None  # None for a county's local task


@dataclass
class TaskIds:
    rows: list[TaskRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def task_id(value: object) -> str:
    """The id as a person reads it: 12, 12.0, "１２", " 12 " and "l3" → "12" / "L3"."""
    text = cells.compact(value)
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    if re.fullmatch(r"0+\d+", text):
        text = text.lstrip("0")
    if local_task_id(text):
        text = "L" + str(int(text[1:]))
    return text


def _by_text(ref: Reference) -> dict[str, str]:
    """The catalogue task of each (compacted) task text."""
    return {cells.compact(t.text): t.id for t in ref.tasks}


def check_ids(table: Table, ref: Reference) -> TaskIds:
    result = TaskIds()
    if "id" not in table.columns:  # 序号 header changed (reported): no row can be identified
        return result
    out = result.findings
    texts = _by_text(ref) if "text" in table.columns else {}
    read = []  # (row, typed id, the task its text is)
    for row in table.rows:
        text_id = texts.get(cells.compact(table.raw(row, "text"))) if texts else None
        read.append((row, task_id(table.raw(row, "id")), text_id))
    # rows whose 序号 and text agree (or whose text is not the city's) keep their id
    agreed: dict[str, int] = {}
    for row, tid, text_id in read:
        if ref.task(tid) is not None and text_id in (None, tid):
            agreed.setdefault(tid, row)
    seen: dict[str, int] = {}
    last_id = ref.tasks[-1].id
    local_limit, locals_seen = bounds().max_local, 0
    for row, tid, text_id in read:
        if text_id is not None and text_id != tid and text_id not in agreed and text_id not in seen:
            task = ref.task(text_id)
            said = f"却写成 {table.shown(row, 'id')}" if tid else "为空"
            out.append(
                table.make(
                    "task.id-mismatch", row, "id", task=text_id, id=text_id,
                    text=_short(task.text), said=said,
                )
            )  # fmt: skip
            seen[text_id] = row
            result.rows.append(TaskRow(text_id, row, task))
            continue
        if not tid:
            out.append(table.make("task.id-empty", row, "id", at_row=row))
            continue
        task = ref.task(tid)
        if task is None and not local_task_id(tid):
            out.append(table.make("task.id-unknown", row, "id", last=last_id))
            continue
        if task is None:
            locals_seen += 1
            if locals_seen > local_limit:
                if locals_seen == local_limit + 1:
                    count = sum(1 for _, t, _ in read if local_task_id(t))
                    out.append(
                        table.make(
                            "task.local-too-many", row, "id", value=None, count=count,
                            limit=local_limit, at_row=row,
                        )
                    )  # fmt: skip
                continue
        if tid in seen:
            out.append(
                table.make("task.id-duplicate", row, "id", task=tid, value=tid, first=seen[tid])
            )
            continue
        seen[tid] = row
        result.rows.append(TaskRow(tid, row, task))
        if task is None and cells.is_blank(table.raw(row, "text")) and "text" in table.columns:
            out.append(table.make("task.local-text-missing", row, "text", task=tid, id=tid))

    out.extend(_missing(table, ref, seen))
    out.extend(_order(table, result.rows))
    out.extend(_reference_altered(table, result.rows))
    return result


def _missing(table: Table, ref: Reference, seen: dict[str, int]) -> list[Finding]:
    """One finding per missing catalogue id, at the row where it is missing: where it stood
    (its place counted from the task before it) when that row was blanked or holds no task of
    its own, else the 序号 cell of the row it belongs before (the next present catalogue task),
    or just below the last row."""
    present = sorted((int(t), r) for t, r in seen.items() if t.isdigit())
    after_last = (max(table.rows) if table.rows else table.header_row) + 1
    rows, taken = set(table.rows), set(seen.values())
    found = []
    for task in ref.tasks:
        if task.id in seen:
            continue
        n = int(task.id)
        before = next((r for t, r in present if t > n), after_last)
        prev = next(((t, r) for t, r in reversed(present) if t < n), (0, table.header_row))
        stood = prev[1] + (n - prev[0])
        if prev[1] < stood < before and stood not in taken:
            at = stood
            fix = (
                f"把第 {stood} 行改回第 {task.id} 项任务（可从模板复制）"
                if stood in rows
                else f"在第 {stood} 行（空行）恢复第 {task.id} 项任务（可从模板复制）"
            )
        else:
            at, fix = before, f"在第 {before} 行前插入序号为 {task.id} 的任务行（可从模板复制）"
        found.append(
            table.make(
                "task.missing",
                at,
                "id",
                value=None,  # the cell holds the next task's id (or nothing), not this one's
                task=task.id,
                id=task.id,
                text=_short(task.text),
                at_row=at,
                fix=fix,
            )
        )
    return found


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "……"


def _order(table: Table, rows: list[TaskRow]) -> list[Finding]:
    """Once per sheet: the first row whose id comes before its predecessor's (catalogue ids in
    number order, local tasks after them)."""

    def rank(r: TaskRow) -> tuple[int, int]:
        return (0, int(r.id)) if r.task is not None else (1, int(r.id[1:]))

    for prev, cur in zip(rows, rows[1:], strict=False):
        if rank(cur) < rank(prev):
            return [
                table.make(
                    "task.out-of-order",
                    cur.row,
                    "id",
                    task=cur.id,
                    value=cur.id,
                    at_row=cur.row,
                    previous=prev.id,
                )
            ]
    return []


def _reference_altered(table: Table, rows: list[TaskRow]) -> list[Finding]:
    found = []
    for r in rows:
        if r.task is None:
            continue
        for key in REFERENCE_KEYS:
            if key not in table.columns:
                continue
            expected = getattr(r.task, key)
            if cells.compact(table.raw(r.row, key)) != cells.compact(expected):
                found.append(
                    table.make(
                        "task.reference-altered",
                        r.row,
                        key,
                        task=r.id,
                        header=TASKS.column(key).header,
                        expected=expected,
                    )
                )
    return found
