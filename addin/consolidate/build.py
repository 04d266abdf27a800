"""All returns of a period → one Summary: pick one return per unit, add the cross-file
findings (`submission.`), give each unit its 报送状态, and compute the figures (aggregate.py).
The Summary is plain data; summary.py (the .xlsx) and report.py (JSON, HTML, Markdown) are
renderings of it, so they cannot disagree.

Rules decided here (SPEC §1, §5; issue 4):
- A unit's return is its newest: latest 填报日期, then file mtime, then file name. Older
  returns get `submission.duplicate-return` (naming both files) and are not counted.
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

import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from addin.consolidate import aggregate as agg
from addin.write.console_book import CONSOLE_TEMPLATE_ID
from addin.model.errors import UsageError
from addin.model.findings import Finding, make
from addin.model.ledger import Return, TaskEntry
from addin.model.workbook import a1
from schemas.deadline import Deadline, parse_deadline
from schemas.reference import Period, Task, load
from schemas.sheets import TASKS, local_task_id

CITY = "全市"
STATES = ("已报", "迟报", "退回", "未报")
PROGRESS_COLUMN = TASKS.headers.index("进展情况") + 1


@dataclass(frozen=True)
class UnitRow:
    unit: str
    status: str  # one of STATES
    ret: Return | None  # the chosen return, with the cross-file findings added
    figures: agg.TaskFigures | None
    included: bool  # counted in the city totals
    older: tuple[str, ...] = ()  # file names of superseded returns

    @property
    def file(self) -> str | None:
        return self.ret.source.name if self.ret else None

    @property
    def counts(self) -> dict[str, int]:
        return self.ret.counts if self.ret else {"error": 0, "warning": 0}


@dataclass(frozen=True)
class LagItem:
    unit: str
    task: str
    text: str
    city_due: str
    county_due: str
    due: date | None
    status: str
    overdue: bool
    lagging: bool
    light: str
    progress: str
    problems: str
    plan: str


# Where a finding's file stands, in the order the counts are told. Only "unit" findings are
# in 总览's 错误/警告 columns (the returns the units' rows show); 校验问题 lists them all.
SCOPES = {
    "unit": "总览所列各单位采用的台账",
    "superseded": "被新版本替代的台账",
    "uncounted": "未计入汇总的文件（单位不明或非本期）",
    "missing": "未报单位",
}
SEVERITY_WORDS = (("error", "错误"), ("warning", "警告"))


@dataclass(frozen=True)
class FindingRow:
    file: str  # "" for a unit with no file
    unit: str
    finding: Finding
    scope: str = "unit"  # a key of SCOPES


def finding_counts(rows: Sequence[FindingRow]) -> dict[str, dict[str, int]]:
    """{"all" and each scope: {"error": n, "warning": n}}."""
    out = {key: {"error": 0, "warning": 0} for key in ("all", *SCOPES)}
    for row in rows:
        for key in ("all", row.scope):
            out[key][row.finding.severity] += 1
    return out


def findings_text(counts: dict[str, dict[str, int]]) -> str:
    """ "错误 4 条，警告 7 条（其中…）": the whole list's counts and where they come from, each
    figure from `counts` (the JSON's finding_counts), so the CLI, the workbook and the reports
    say the same sentence."""

    def nonzero(c: dict[str, int]) -> str:
        return "、".join(f"{word} {c[sev]} 条" for sev, word in SEVERITY_WORDS if c[sev])

    parts = [
        f"{label}：{nonzero(counts[key])}" for key, label in SCOPES.items() if nonzero(counts[key])
    ]
    whole = counts["all"]
    text = f"错误 {whole['error']} 条，警告 {whole['warning']} 条"
    return f"{text}（其中{'；'.join(parts)}）" if parts else text


@dataclass(frozen=True)
class SourceRow:
    ret: Return
    use: str  # 采用 / 未采用（有较新版本） / 未计入


@dataclass(frozen=True)
class Summary:
    period: Period
    validated_at: datetime
    include_invalid: bool
    tasks: tuple[Task, ...]
    units: tuple[UnitRow, ...]
    city: agg.TaskFigures
    lag_items: tuple[LagItem, ...]
    local_tasks: tuple[tuple[str, TaskEntry], ...]
    connection: tuple[agg.ConnectionRow, ...]
    reliability: tuple[agg.ReliabilityRow, ...]
    sanling: tuple[agg.SanlingRow, ...]
    findings: tuple[FindingRow, ...]
    sources: tuple[SourceRow, ...]
    outputs: tuple[str, ...] = ()

    @property
    def all_ok(self) -> bool:
        return not any(row.finding.is_error for row in self.findings)

    def state(self, unit: str, task_id: str) -> agg.TaskState | None:
        for row in self.units:
            if row.unit == unit and row.figures:
                return next((s for s in row.figures.states if s.id == task_id), None)
        return None

    @property
    def finding_counts(self) -> dict[str, dict[str, int]]:
        return finding_counts(self.findings)

    def status_count(self, status: str) -> int:
        return sum(row.status == status for row in self.units)

    def overview_text(self) -> str:
        rate = self.city.completion_rate
        lines = [
            f"{self.period.label}汇总：{len(self.units)} 个单位，"
            + "，".join(f"{s} {self.status_count(s)}" for s in STATES),
            f"全市完成率 {'—' if rate is None else f'{rate:.1%}'}，逾期 {self.city.overdue} 项，"
            f"滞后 {self.city.lagging} 项（{'含' if self.include_invalid else '不含'}退回台账）",
            f"校验问题：{findings_text(self.finding_counts)}",
        ]
        lines += [f"已写出：{path}" for path in self.outputs]
        return "\n".join(lines)


@cache
def city_deadline(task_id: str, year: int) -> Deadline | None:
    task = load().task(task_id)
    return parse_deadline(task.due, year=year) if task else None


def _has(ret: Return, *prefixes: str) -> bool:
    return any(f.code.startswith(prefixes) for f in ret.findings)


def _newest_key(ret: Return):
    return (ret.filed or date.min, ret.source.mtime or 0.0, ret.source.name, ret.source.path)


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
    validated_at: datetime | None = None,
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
        group = sorted(candidates[unit], key=_newest_key, reverse=True)
        chosen[unit] = group[0]
        older[unit] = tuple(r.source.name for r in group[1:])
        for old in group[1:]:
            added[old.source.path].append(
                make(
                    "submission.duplicate-return",
                    unit=unit,
                    chosen=group[0].source.name,
                    older=old.source.name,
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
                f"；另有无法确定报送单位的文件（{'、'.join(unknown)}），请核对是否为{unit}所报"
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
        validated_at=validated_at or stamp(),
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
                [(row.unit, row.ret.reliability) for row in counted], ref.areas, ref.yoy_cut, CITY
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


def stamp() -> datetime:
    """A summary's 汇总日期: today at midnight, so that two runs over the same returns on the
    same day give the same workbook cell for cell and the same JSON. SOURCE_DATE_EPOCH (or the
    caller's validated_at) pins it to a moment."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return now()
    return datetime.combine(date.today(), datetime.min.time())


def now() -> datetime:
    """The run's timestamp; SOURCE_DATE_EPOCH pins it so two runs give identical files."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch)).replace(microsecond=0)
    return datetime.now().replace(microsecond=0)


def late_by(filed: date, due: date) -> str:
    """How late a return is, as the bureau counts it: calendar days, and the working days among
    them (China's public holidays and make-up workdays, from chinesecalendar, whose data ends
    with the year it was released: beyond that only calendar days are given)."""
    import chinese_calendar

    days = (filed - due).days
    try:
        workdays = len(chinese_calendar.get_workdays(due + timedelta(days=1), filed))
    except NotImplementedError:
        return f"{days} 天"
    return f"{days} 天（其中工作日 {workdays} 个）"


def run_consolidate(
    folder: Path,
    period: Period,
    *,
    output: Path,
    json_path: Path | None = None,
    html_path: Path | None = None,
    md_path: Path | None = None,
    include_invalid: bool = False,
    jobs: int = 1,
    validated_at: datetime | None = None,
    progress=None,
) -> Summary:
    """Validate every return under `folder` and write the summary and the reports asked for."""
    from addin.write import report
    from addin.write.summary import book as summary
    from addin.write.atomic import check_writable
    from addin.pipeline.collect import find_returns, validate_paths

    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError("usage.folder-missing", f"收件文件夹“{folder}”不存在或不是文件夹")
    outputs = [Path(p) for p in (output, json_path, html_path, md_path) if p is not None]
    for path in outputs:  # before any work: a summary without its JSON is half a result
        check_writable(path)
    ours = {p.resolve() for p in outputs}
    # an earlier summary written into the returns folder is not a return
    try:
        found = find_returns([folder])
    except UsageError as exc:
        if exc.code != "usage.no-returns":
            raise
        found = []  # nobody has reported yet: the summary lists every unit as 未报
    paths = [p for p in found if Path(p).resolve() not in ours]
    returns = validate_paths(paths, period=period, jobs=jobs, progress=progress) if paths else []
    result = consolidate(
        returns, period, include_invalid=include_invalid, validated_at=validated_at
    )
    written = [summary.write_summary(result, output)]
    if json_path is not None:
        written.append(report.write_json(result, json_path))
    if html_path is not None:
        written.append(report.write_html(result, html_path))
    if md_path is not None:
        written.append(report.write_markdown(result, md_path))
    return replace(result, outputs=tuple(str(p) for p in written))
