"""Formula cells as a person sees them (SPEC §2.5): a formula is a filled cell, even when the
file carries no calculated value (files written by scripts), and a formula's error value
(#DIV/0!, #N/A, #REF!, #VALUE! …) is its own finding, never "未填写".

Before any rule reads a table, `screen` finds such cells in its columns (the reader puts the
error as Excel shows it, or the formula's text when no value was saved: model/workbook.py),
reports them — each error at its cell; the uncalculated formulas of a sheet once, at the first
— and hands the rules a table where those cells are blank. The validator then drops every
other finding at those cells and keeps the rules that read them from running (one root
cause, one finding)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from addin.model.findings import Finding
from addin.model.workbook import Sheet, is_error_value, is_formula_text
from addin.validate.frames import Table
from schemas.sheets import COVER, TASKS

SHOWN_CELLS = 5  # the uncalculated formula cells a finding lists before "等"


@dataclass
class Screened:
    table: Table
    findings: list[Finding]
    cells: set[tuple[int, str]]  # (row, column key) the rules must not read


def _family(table: Table) -> str:
    return {TASKS.name: "task", COVER.name: "cover"}.get(table.name, "indicator")


def screen(table: Table) -> Screened:
    errors: list[tuple[int, str]] = []
    uncalculated: list[tuple[int, str]] = []
    for row in table.rows:
        for key in table.columns:
            value = table.raw(row, key)
            if is_error_value(value):
                errors.append((row, key))
            elif is_formula_text(value):
                uncalculated.append((row, key))
    if not errors and not uncalculated:
        return Screened(table, [], set())
    family = _family(table)
    findings = [
        table.make(f"{family}.formula-error", row, key, header=table.layout.column(key).header)
        for row, key in errors
    ]
    if uncalculated:
        row, key = uncalculated[0]
        where = [table.address(r, k) for r, k in uncalculated[:SHOWN_CELLS]]
        more = "等" if len(uncalculated) > SHOWN_CELLS else ""
        findings.append(
            table.make(
                f"{family}.formula-uncalculated",
                row,
                key,
                header=table.layout.column(key).header,
                count=len(uncalculated),
                cells="、".join(where) + more,
            )
        )
    blanked = set(errors) | set(uncalculated)
    rows = [list(r) for r in table.sheet.rows]
    for row, key in blanked:
        rows[row - 1][table.columns[key] - 1] = None
    sheet = Sheet(table.sheet.name, tuple(map(tuple, rows)), table.sheet.hidden)
    return Screened(replace(table, sheet=sheet), findings, blanked)


def only_root_causes(findings: list[Finding], screened: dict[str, Screened]) -> list[Finding]:
    """Every finding at a screened cell but the screen's own: the cell's one root cause."""
    own = {id(f) for s in screened.values() for f in s.findings}
    at = {(name, s.table.address(row, key)) for name, s in screened.items() for row, key in s.cells}
    return [f for f in findings if id(f) in own or (f.sheet, f.cell) not in at]
