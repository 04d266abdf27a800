"""Helpers for the validator tests: run a (mutated) factory workbook and look at findings as
(code, sheet, cell) tuples, never at wording."""

from __future__ import annotations

from addin.validate.validator import validate_workbook
from schemas.reference import load
from tests import factory


def run(wb, *, period_code: str | None = None, today=factory.TODAY):
    period = load().period(period_code) if period_code else None
    return validate_workbook(wb, factory.SOURCE, period=period, today=today)


def found(wb, **kw) -> set[tuple[str, str | None, str | None]]:
    return {(f.code, f.sheet, f.cell) for f in run(wb, **kw).findings}


def codes(wb, **kw) -> list[str]:
    return [f.code for f in run(wb, **kw).findings]


def cell(wb, layout, row: int, header: str) -> str:
    from addin.model.workbook import a1

    return a1(row, factory.column_of(layout, header))


def task_cell(wb, task_id: str, header: str) -> str:
    return cell(wb, factory.TASKS, factory.task_row(wb, task_id), header)
