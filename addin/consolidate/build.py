"""All returns of a period → one Summary: pick one return per unit, add the cross-file
findings (`submission.`), give each unit its 报送状态, and compute the figures (aggregate.py).
Pure: no file is read or written here (pipeline/run.py does that); the Summary
(model/summary.py) is plain data that the writers render.

Rules decided here (SPEC §1, §5; issue 4, issue 10):
- One return per unit (`rank`): a return made from another unit's template (the validator's
  cover.unit-not-template) never displaces one made for this unit; then the latest 填报日期;
  on a tie fewer errors, then fewer warnings; only a full tie falls to the file name. File
  times never decide: copying or `touch` changes them. Older returns get
  `submission.duplicate-return`, naming both files and why the other was chosen, and are not
  counted.
- 退回: the chosen return has an error (listed always, counted in the totals only with
  include_invalid). 迟报: 填报日期 after the period's due date. The file's mtime is never
  used for lateness — copying a file changes it; a return without 填报日期 already has a
  cover error and is 退回. 未报: no return (a `submission.missing` warning, no file).
- A return whose unit cannot be determined (no unit on the cover nor in the template's hidden
  metadata, or a name not in the list) is listed in 校验问题 and 来源 with
  `submission.unknown-unit` (error) and counted for nobody; the 未报 findings name such files
  so the bureau can check whose they are. A return for another period is not counted
  (`submission.other-period`) unless the validator already said so in its own words. A return
  whose unit is known is that unit's whatever else is wrong with its cover (退回, never 未报).
- The bureau's console workbook (hidden metadata template = taizhang-console) and our own
  outputs are not returns: they are dropped before anything else and listed nowhere.
- The same 进展情况 (normalised, ≥ 20 characters) for the same task in two units' chosen
  returns: `submission.copied-text` (warning) on both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import cache

import chinese_calendar

from addin.consolidate import aggregate as agg
from addin.model.findings import Finding, make
from addin.model.ledger import Return, TaskEntry
from addin.model.summary import CITY, FindingRow, LagItem, SourceRow, Summary, UnitRow
from addin.model.workbook import a1
from schemas.deadline import Deadline, parse_deadline
from schemas.reference import Period, load
from schemas.sheets import CONSOLE_TEMPLATE_ID, TASKS, local_task_id

PROGRESS_COLUMN = TASKS.headers.index("进展情况") + 1


@cache
def city_deadline(task_id: str, year: int) -> Deadline | None:
    task = load().task(task_id)
    return parse_deadline(task.due, year=year) if task else None


def _has(ret: Return, *prefixes: str) -> bool:
    return any(f.code.startswith(prefixes) for f in ret.findings)


FOREIGN_TEMPLATE = "cover.unit-not-template"
UNKNOWN_NAMED = 5  # unknown-unit files named in a 未报 hint; the rest are counted


def rank(ret: Return) -> tuple:
    """How a unit's returns compete, the best last."""
    c = ret.counts
    return (
        not _has(ret, FOREIGN_TEMPLATE),
        ret.filed or date.min,
        -c["error"],
        -c["warning"],
        ret.source.name,
        ret.source.path,
    )


def why_chosen(chosen: Return, older: Return) -> str:
    """The first difference of `rank`, in the words the duplicate-return finding shows."""
    a, b = rank(chosen), rank(older)
    if a[0] != b[0]:
        return "本文件是用其他单位的模板填写的，不替代本单位的台账"
    if a[1] != b[1]:
        was = older.filed.isoformat() if older.filed else "（未填或有误）"
        return f"其填报日期 {chosen.filed.isoformat()} 晚于本文件的 {was}"
    for i, word in ((2, "error"), (3, "warning")):
        if a[i] != b[i]:
            label = "错误" if word == "error" else "警告"
            mine, theirs = older.counts[word], chosen.counts[word]
            return f"填报日期相同，其{label}较少：{theirs} 条，本文件 {mine} 条"
    return "填报日期和问题条数都相同，按文件名取舍，请确认哪份是最终版本"


def unknown_files_text(names: Sequence[str]) -> str:
    """The unknown-unit files a 未报 hint names: the first few, and how many in all."""
    shown = "、".join(names[:UNKNOWN_NAMED])
    return f"{shown} 等共 {len(names)} 个文件" if len(names) > UNKNOWN_NAMED else shown


def copied_text(chosen: dict[str, Return]) -> list[tuple[Return, TaskEntry, list[Return]]]:
    """(return, its task row, the other units' returns) for each 进展情况 that another unit's
    return has word for word for the same task (after normalise_progress)."""
    seen: dict[tuple[str, str], list[tuple[Return, TaskEntry]]] = defaultdict(list)
    for ret in chosen.values():
        for entry in ret.tasks:
            key = agg.normalise_progress(entry.progress)
            if len(key) >= agg.COPY_MIN_CHARS:
                seen[(entry.id, key)].append((ret, entry))
    found = []
    for group in seen.values():
        for ret, entry in group:
            others = [o for o, _ in group if o.unit != ret.unit]
            if others:
                found.append((ret, entry, others))
    return found


def consolidate(
    returns: Sequence[Return],
    period: Period,
    *,
    include_invalid: bool = False,
    validated_at: datetime,
    city_due: Callable[[str], Deadline | None] | None = None,
) -> Summary:
    ref = load()
    names = ref.unit_names
    city_due = city_due or (lambda tid: city_deadline(tid, period.year))
    added: dict[str, list[Finding]] = defaultdict(list)
    candidates: dict[str, list[Return]] = defaultdict(list)
    returns = sorted(
        (r for r in returns if r.template != CONSOLE_TEMPLATE_ID), key=lambda r: r.source.path
    )
    unknown: list[str] = []  # files counted for no unit, named in the 未报 findings
    for ret in returns:
        key = ret.source.path
        if ret.unit not in names:
            what = f"“{ret.unit}”不在名单中" if ret.unit else "封面和模板信息中都没有可识别的单位"
            added[key].append(
                make("submission.unknown-unit", value=ret.unit, what=what, units="、".join(names))
            )
            unknown.append(ret.source.name)
        elif ret.period not in (None, period.code):
            if not _has(ret, "cover.period"):
                added[key].append(
                    make("submission.other-period", value=ret.period, period=period.label)
                )
        else:
            candidates[ret.unit].append(ret)

    chosen: dict[str, Return] = {}
    older: dict[str, tuple[str, ...]] = {}
    for unit in names:  # unit order, so that findings come out in the same order every run
        if unit not in candidates:
            continue
        group = sorted(candidates[unit], key=rank, reverse=True)
        chosen[unit] = group[0]
        older[unit] = tuple(r.source.name for r in group[1:])
        for old in group[1:]:
            added[old.source.path].append(
                make(
                    "submission.duplicate-return",
                    unit=unit,
                    chosen=group[0].source.name,
                    older=old.source.name,
                    why=why_chosen(group[0], old),
                )
            )
        if group[0].filed and group[0].filed > period.due:
            added[group[0].source.path].append(
                make(
                    "submission.late",
                    sheet="封面",
                    value=group[0].filed.isoformat(),
                    due=period.due.isoformat(),
                    late=late_by(group[0].filed, period.due),
                )
            )
    for ret, entry, others in copied_text(chosen):
        added[ret.source.path].append(
            make(
                "submission.copied-text",
                sheet=TASKS.name,
                cell=a1(entry.row, PROGRESS_COLUMN),
                row=entry.row,
                column="进展情况",
                task=entry.id,
                task_id=entry.id,
                value=entry.progress,
                other="、".join(o.unit for o in others),
                other_file="、".join(o.source.name for o in others),
            )
        )

    def with_added(ret: Return) -> Return:
        extra = added.get(ret.source.path)
        return replace(ret, findings=ret.findings + tuple(extra)) if extra else ret

    returns = [with_added(r) for r in returns]
    by_path = {r.source.path: r for r in returns}
    chosen = {u: by_path[r.source.path] for u, r in chosen.items()}

    rows: list[UnitRow] = []
    findings: list[FindingRow] = []
    for unit in names:
        ret = chosen.get(unit)
        if ret is None:
            maybe = (
                f"；另有无法确定报送单位的文件（{unknown_files_text(unknown)}），"
                f"请核对是否为{unit}所报"
                if unknown
                else ""
            )
            missing = make(
                "submission.missing",
                unit=unit,
                period=period.label,
                due=period.due.isoformat(),
                unknown=maybe,
            )
            rows.append(UnitRow(unit, "未报", None, None, False))
            findings.append(FindingRow("", unit, missing, "missing"))
            continue
        catalogue = [t for t in ret.tasks if ref.task(t.id) is not None]
        figures = agg.task_figures(catalogue, city_due, period.as_of)
        late = ret.filed is not None and ret.filed > period.due
        status = "退回" if not ret.ok else "迟报" if late else "已报"
        rows.append(UnitRow(unit, status, ret, figures, ret.ok or include_invalid, older[unit]))

    order = {u: i for i, u in enumerate(names)}
    used = {r.source.path for r in chosen.values()}
    superseded = {r.source.path for r in returns if r.unit in chosen} - used
    for ret in sorted(
        returns, key=lambda r: (order.get(r.unit, len(order)), r.source.name, r.source.path)
    ):
        path = ret.source.path
        scope = "unit" if path in used else "superseded" if path in superseded else "uncounted"
        findings.extend(FindingRow(ret.source.name, ret.unit or "", f, scope) for f in ret.findings)
    findings.sort(key=lambda fr: order.get(fr.unit, len(order)))  # stable: files keep order

    sources = tuple(
        SourceRow(
            r,
            "采用"
            if r.source.path in used
            else "未采用（有较新版本）"
            if r.source.path in superseded
            else "未计入",
        )
        for r in sorted(
            returns, key=lambda r: (order.get(r.unit, len(order)), r.source.name, r.source.path)
        )
    )
    counted = [row for row in rows if row.included]
    city_figures = agg.combine([row.figures for row in counted])
    return Summary(
        period=period,
        validated_at=validated_at,
        include_invalid=include_invalid,
        tasks=ref.tasks,
        units=tuple(rows),
        city=city_figures,
        lag_items=tuple(lag_items(rows, ref, period, city_due)),
        local_tasks=tuple(
            (row.unit, t) for row in rows if row.ret for t in row.ret.tasks if local_task_id(t.id)
        ),
        connection=tuple(
            agg.connection_rows(
                [(row.unit, row.ret.connection) for row in counted], ref.customer_types, CITY
            )
        ),
        reliability=tuple(
            agg.reliability_rows(
                [(row.unit, row.ret.reliability) for row in counted],
                ref.areas,
                ref.yoy_cut,
                CITY,
                yoy_only=period.kind == "H1",
            )
        ),
        sanling=tuple(
            agg.sanling_rows([(row.unit, row.ret.sanling) for row in counted], ref.indicators)
        ),
        findings=tuple(findings),
        sources=sources,
    )


def lag_items(rows: Sequence[UnitRow], ref, period: Period, city_due) -> list[LagItem]:
    """Every overdue or lagging catalogue task of every unit with a return, sorted for a 督办
    meeting: overdue first, the longest overdue first, then unit order and task number."""
    items = []
    for row in rows:
        if row.ret is None:
            continue
        entries = {t.id: t for t in row.ret.tasks}
        for st in row.figures.states:
            if not (st.overdue or st.lagging):
                continue
            entry, task = entries[st.id], ref.task(st.id)
            items.append(
                LagItem(
                    row.unit,
                    st.id,
                    task.text,
                    task.due,
                    entry.county_due.raw if entry.county_due else "",
                    st.due,
                    st.status or "",
                    st.overdue,
                    st.lagging,
                    st.light,
                    entry.progress,
                    entry.problems,
                    entry.plan,
                )
            )
    order = {u: i for i, u in enumerate(ref.unit_names)}
    items.sort(key=lambda i: (not i.overdue, i.due or date.max, order[i.unit], int(i.task)))
    return items


def late_by(filed: date, due: date) -> str:
    """How late a return is, as the bureau counts it: calendar days, and the working days among
    them (China's public holidays and make-up workdays, from chinesecalendar, whose data ends
    with the year it was released: beyond that only calendar days are given)."""
    days = (filed - due).days
    try:
        workdays = len(chinese_calendar.get_workdays(due + timedelta(days=1), filed))
    except NotImplementedError:
        return f"{days} 天"
    return f"{days} 天（其中工作日 {workdays} 个）"
