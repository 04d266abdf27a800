"""The completion-time grammar (完成时间 / 县级完成时限): any value a city or county writes
becomes a normalised Deadline. PARSER TO BE WRITTEN — the dataclass and signature are the
contract other modules build on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

Kind = Literal["dated", "ongoing", "achieved", "unknown"]
Precision = Literal["day", "xun", "month", "quarter", "half", "year"]


@dataclass(frozen=True)
class Deadline:
    raw: str
    kind: Kind
    due: date | None = None  # the latest day that still counts as on time
    precision: Precision | None = None
    milestones: tuple[date, ...] = ()  # every stage's due date of a multi-stage value, sorted
    also_ongoing: bool = False  # e.g. 2021年6月底前完成，持续推进
    ambiguous: bool = False  # e.g. 6月前: read as the end of June, flagged

    @property
    def dated(self) -> bool:
        return self.kind == "dated" and self.due is not None


def parse_deadline(value: Any, *, year: int | None = None, date1904: bool = False) -> Deadline:
    raise NotImplementedError
