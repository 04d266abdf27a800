"""What each Word document says, as the data its template renders: the Summary as the JSON
has it (report.as_dict, so a document cannot say what the JSON and the workbook do not), plus
the few things only a document needs — the date it is issued, the date a returned ledger must
be sent again by, the errors of each 退回 return.

The date to resend by (SPEC §6): RESEND_WORKING_DAYS working days after the summary date
(汇总日期, the Summary's validated_at), counted with China's public holidays and make-up
workdays (chinesecalendar); beyond that library's data, Monday to Friday. The notice says the
rule in words too, so the county sees how the date was set."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

from addin.model.summary import Summary, UnitRow
from addin.write.compare import Comparison
from addin.write.palette import LIGHT_TEXT
from addin.write.report import as_dict
from schemas.reference import load

RESEND_WORKING_DAYS = 5
ISSUER = "济宁市能源局"
STATE_WORDS = {"已报": "按期报送", "迟报": "迟报", "退回": "退回修改", "未报": "未报送"}
RELIABILITY_WORDS = {True: "达标", False: "未达标", None: "—"}


def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # the library's data ends with its release year
        return day.weekday() < 5


def working_days_after(start: date, days: int) -> date:
    day = start
    while days:
        day += timedelta(days=1)
        days -= is_workday(day)
    return day


def _behind(d: dict) -> list[dict]:
    """Units with overdue or lagging tasks, the most behind first, with the task numbers."""
    tasks: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"overdue": [], "lagging": []})
    for item in d["lagging"]:
        key = "overdue" if item["overdue"] else "lagging"
        tasks[item["unit"]][key].append(item["task"])

    def parts(unit: str, overdue: int, lagging: int) -> list[str]:
        said = []
        for word, n, key in (("逾期", overdue, "overdue"), ("滞后", lagging, "lagging")):
            if n:
                listed = "、".join(tasks[unit][key])
                said.append(f"{word}{n}项" + (f"（第{listed}项）" if listed else ""))
        return said

    rows = [
        {**u, "parts": parts(u["unit"], u["overdue"] or 0, u["lagging"] or 0)}
        for u in d["units"]
        if u["status"] != "未报" and ((u["overdue"] or 0) + (u["lagging"] or 0))
    ]
    order = {u["unit"]: i for i, u in enumerate(d["units"])}
    rows.sort(key=lambda u: (-(u["overdue"] or 0), -(u["lagging"] or 0), order[u["unit"]]))
    return rows


def common(summary: Summary, comparison: Comparison | None = None) -> dict:
    d = as_dict(summary)
    issued = summary.validated_at.date()
    by_state = {
        state: [u["unit"] for u in d["units"] if u["status"] == state] for state in STATE_WORDS
    }
    return {
        "d": d,
        "issuer": ISSUER,
        "issued": issued,
        "resend_by": working_days_after(issued, RESEND_WORKING_DAYS),
        "resend_days": RESEND_WORKING_DAYS,
        "by_state": by_state,
        "state_words": STATE_WORDS,
        "reliability_words": RELIABILITY_WORDS,
        "light_text": LIGHT_TEXT,
        "behind": _behind(d),
        "half_year": summary.period.kind == "H1",
        "yoy_cut": f"{load().yoy_cut * 100:g}%",
        "comparison": comparison or Comparison(),
    }


@dataclass(frozen=True)
class Problem:
    severity: str
    sheet: str
    cell: str
    message: str
    hint: str


def problems(row: UnitRow) -> list[Problem]:
    """Every finding of the unit's chosen return, errors first (the order a person fixes the
    file in within each severity); a whole-file finding has no sheet or cell."""
    found = [
        Problem(f.severity, f.sheet or "（整个文件）", f.cell or "—", f.message, f.hint)
        for f in (row.ret.findings if row.ret else ())
    ]
    return [p for p in found if p.severity == "error"] + [
        p for p in found if p.severity == "warning"
    ]


def notice(summary: Summary, row: UnitRow, shared: dict) -> dict:
    found = problems(row)
    return {
        **shared,
        "unit": row.unit,
        "file": row.file,
        "filed": row.ret.filed if row.ret else None,
        "errors": [p for p in found if p.severity == "error"],
        "warnings": [p for p in found if p.severity == "warning"],
    }
