"""The Summary of a period as plain data: one row per unit, the city's figures, the lists and
every finding. consolidate/build.py makes it; the workbook, the JSON and the reports are
renderings of it, so they cannot disagree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from addin.model.figures import (
    ConnectionRow,
    ReliabilityRow,
    SanlingRow,
    TaskFigures,
    TaskState,
    percent,
)
from addin.model.findings import SEVERITY_LABELS, Finding
from addin.model.ledger import Return, TaskEntry
from schemas.reference import Period, Task

CITY = "全市"


STATES = ("已报", "迟报", "退回", "未报")
NO_LIGHT = ("退回", "未报")  # SPEC §2.5: a unit sent back or missing has no light of its own


@dataclass(frozen=True)
class UnitRow:
    unit: str
    status: str  # one of STATES
    ret: Return | None  # the chosen return, with the cross-file findings added
    figures: TaskFigures | None
    included: bool  # counted in the city totals
    older: tuple[str, ...] = ()  # file names of superseded returns

    @property
    def file(self) -> str | None:
        return self.ret.source.name if self.ret else None

    @property
    def counts(self) -> dict[str, int]:
        return self.ret.counts if self.ret else {"error": 0, "warning": 0}

    @property
    def light(self) -> str:
        """The unit's light; grey (shown as —) for a return sent back or none at all: a 退回
        ledger's own figures are listed, never passed as on track."""
        if self.figures is None or self.status in NO_LIGHT:
            return "grey"
        return self.figures.light

    def task_light(self, state: TaskState) -> str:
        """A task's light as this unit's row shows it: none in a return sent back."""
        return "grey" if self.status in NO_LIGHT else state.light


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
        return "、".join(f"{word} {c[sev]} 条" for sev, word in SEVERITY_LABELS.items() if c[sev])

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
    city: TaskFigures
    lag_items: tuple[LagItem, ...]
    local_tasks: tuple[tuple[str, TaskEntry], ...]
    connection: tuple[ConnectionRow, ...]
    reliability: tuple[ReliabilityRow, ...]
    sanling: tuple[SanlingRow, ...]
    findings: tuple[FindingRow, ...]
    sources: tuple[SourceRow, ...]
    outputs: tuple[str, ...] = ()

    @property
    def all_ok(self) -> bool:
        return not any(row.finding.is_error for row in self.findings)

    def state(self, unit: str, task_id: str) -> TaskState | None:
        for row in self.units:
            if row.unit == unit and row.figures:
                return next((s for s in row.figures.states if s.id == task_id), None)
        return None

    @property
    def finding_counts(self) -> dict[str, dict[str, int]]:
        return finding_counts(self.findings)

    @property
    def units_included(self) -> int:
        """Units whose figures are in the city totals."""
        return sum(row.included for row in self.units)

    @property
    def unit_totals(self) -> dict[str, int]:
        """错误/警告 over every unit row (the 全市合计 row of 总览, the JSON's city object)."""
        return {sev: sum(row.counts[sev] for row in self.units) for sev in ("error", "warning")}

    def totals_label(self) -> str:
        """What the 全市合计 row counts: the task figures cover the units counted in the totals,
        the 错误/警告 columns every unit row."""
        scope = "含退回、不含未报" if self.include_invalid else "不含退回、未报"
        return (
            f"任务数、各项比率、逾期、滞后计入 {self.units_included} 个单位（{scope}）；"
            f"错误、警告为上列 {len(self.units)} 个单位之和"
        )

    def status_count(self, status: str) -> int:
        return sum(row.status == status for row in self.units)

    def overview_text(self) -> str:
        city = self.city
        lines = [
            f"{self.period.label}汇总：{len(self.units)} 个单位，"
            + "，".join(f"{s} {self.status_count(s)}" for s in STATES),
            f"全市完成率 {percent(city.completion_rate)}，推进正常率 {percent(city.on_track_rate)}，"
            f"逾期 {city.overdue} 项，滞后 {city.lagging} 项"
            f"（{'含' if self.include_invalid else '不含'}退回台账）",
            f"校验问题：{findings_text(self.finding_counts)}",
        ]
        lines += [f"已写出：{path}" for path in self.outputs]
        return "\n".join(lines)
