"""Findings: plain records of what is wrong with a return, rendered from the catalogue in
`schemas/data/findings/*.toml` (one file per family: code, severity, title, message, hint)."""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import Any

from addin.model.workbook import parse_a1
from schemas.sheets import ALL_SHEETS, GUIDE_SHEET

SEVERITIES = ("error", "warning")
SEVERITY_LABELS = {"error": "错误", "warning": "警告"}
FAMILIES = ("file", "cover", "task", "unit", "time", "status", "indicator", "submission", "history")


@dataclass(frozen=True)
class Entry:
    code: str
    severity: str
    title: str
    message: str
    hint: str

    def placeholders(self) -> set[str]:
        return {
            name
            for text in (self.message, self.hint)
            for _, name, _, _ in string.Formatter().parse(text)
            if name
        }


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    sheet: str | None
    cell: str | None
    row: int | None
    column: str | None
    task: str | None
    value: str | None
    message: str
    hint: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@cache
def catalogue() -> dict[str, Entry]:
    """Every entry of every `schemas/data/findings/*.toml`; a file may hold several families,
    a code's family is its prefix."""
    entries: dict[str, Entry] = {}
    folder = resources.files("schemas").joinpath("data", "findings")
    parts = sorted((p for p in folder.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)
    for part in parts:
        for code, spec in tomllib.loads(part.read_text(encoding="utf-8")).items():
            if code.split(".", 1)[0] not in FAMILIES or code in entries:
                raise ValueError(f"findings/{part.name}: bad or repeated code {code}")
            if spec["severity"] not in SEVERITIES:
                raise ValueError(f"{code}: severity must be one of {SEVERITIES}")
            entries[code] = Entry(
                code, spec["severity"], spec["title"], spec["message"], spec.get("hint", "")
            )
    return entries


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def make(
    code: str,
    *,
    sheet: str | None = None,
    cell: str | None = None,
    row: int | None = None,
    column: str | None = None,
    task: str | None = None,
    value: Any = None,
    severity: str | None = None,
    **params: Any,
) -> Finding:
    """A finding of catalogue entry `code`. Every placeholder of its message and hint must be
    given (`value` is available as {value}); a missing one is a program fault and raises."""
    entry = catalogue()[code]
    shown = _text(value)
    fields = {"value": shown if shown is not None else "（空）", **params}
    return Finding(
        code,
        severity or entry.severity,
        sheet,
        cell,
        row,
        column,
        task,
        shown,
        entry.message.format(**fields),
        entry.hint.format(**fields),
    )


def counts(findings: list[Finding] | tuple[Finding, ...]) -> dict[str, int]:
    return {s: sum(f.severity == s for f in findings) for s in SEVERITIES}


SHEET_RANKS = {name: i for i, name in enumerate([s.name for s in ALL_SHEETS] + [GUIDE_SHEET])}


def finding_order(finding: Finding) -> tuple:
    """The one order of findings, the one a person fixing the file would follow: whole-file
    findings first, then the ledger's sheets in their order, then row, column, errors before
    warnings, code. Every field takes part, so the order never depends on the order the rules
    happened to run."""
    sheet = finding.sheet
    where = parse_a1(finding.cell)
    return (
        sheet is not None,
        SHEET_RANKS.get(sheet, len(SHEET_RANKS)) if sheet else -1,
        sheet or "",
        finding.row or (where[0] if where else 0),
        where[1] if where else 0,
        finding.severity != "error",
        finding.code,
        finding.task or "",
        finding.value or "",
        finding.message,
    )


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=finding_order)
