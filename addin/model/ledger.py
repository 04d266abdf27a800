"""What validation learns from one return, as plain data: where it came from, who sent it
for which period, its typed rows and its findings. Consolidation reads only this."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from addin.model.findings import Finding, counts
from schemas.deadline import Deadline


@dataclass(frozen=True)
class Source:
    path: str  # as given on the command line or found in the folder
    name: str  # file name shown to people
    sha256: str | None
    size: int | None
    mtime: float | None
    format: str | None  # sniffed: xlsx, xlsm, xls, xlsb, ods; None when not a spreadsheet


@dataclass(frozen=True)
class TaskEntry:
    id: str  # "1".."68", or "L1"… for a county's local task
    row: int  # Excel row
    status: str | None  # one of schemas.sheets.STATUSES, or None when empty / invalid
    done_date: date | None
    county_due: Deadline | None
    county_units: tuple[str, ...]
    progress: str
    problems: str
    plan: str
    text: str = ""  # the task text (local tasks carry their own)


@dataclass(frozen=True)
class ConnectionEntry:
    type: str
    row: int
    connections: float | None
    steps: dict[str, float | None]  # step name → 累计 working days
    total: float | None
    longest: float | None
    over_limit: float | None
    note: str


@dataclass(frozen=True)
class ReliabilityEntry:
    area: str
    row: int
    customers: float | None
    outage_hours: float | None  # 停电时户数
    outages: float | None  # 停电户次
    last_customers: float | None
    last_outage_hours: float | None
    note: str


@dataclass(frozen=True)
class Return:
    source: Source
    unit: str | None  # normalised unit name from the cover, None when missing or unknown
    period: str | None  # period code from the cover
    filed: date | None  # 填报日期
    template_version: str | None
    template: str | None = None  # the template id in the hidden metadata (ledger or console)
    tasks: tuple[TaskEntry, ...] = ()
    connection: tuple[ConnectionEntry, ...] = ()
    reliability: tuple[ReliabilityEntry, ...] = ()
    sanling: dict[str, float | None] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        return counts(self.findings)

    @property
    def ok(self) -> bool:
        return self.counts["error"] == 0
