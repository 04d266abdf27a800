"""Workbook → Return: every rule of the contract (SPEC §2–§3), one finding per root cause, at
the cell to fix. The cover sets the context (unit, period, filing date); each sheet's table is
found by its header text; cells are read as a person reads them (addin.validate.cells); the typed
frames go through the pandera models (schemas.models, mapped by addin.validate.pandera_map), and the
rules that need the catalogue, deadlines or roles run in plain Python beside them.

validate_workbook never raises for anything a workbook holds: a bug in one sheet's rules
becomes a visible finding for that sheet instead of losing the whole return."""

from __future__ import annotations

import logging
from datetime import date

from addin.model.findings import Finding, make, ordered
from addin.model.ledger import Return, Source
from addin.model.workbook import Workbook
from addin.validate import cells
from addin.validate.checks.cover import Cover, check_cover, template_unit
from addin.validate.checks.cross import check_cross, claims
from addin.validate.checks.formula_cells import Screened, only_root_causes, screen
from addin.validate.checks.indicators import CHECKS as INDICATOR_CHECKS
from addin.validate.checks.task_ids import check_ids
from addin.validate.checks.task_rows import Context, check_rows
from addin.validate.frames import Table, hidden_copies, locate
from addin.validate.pandera_map import run_model
from schemas.reference import Period, load
from schemas.sheets import ALL_SHEETS, COVER, META_SHEET, META_TEMPLATE_ID, TASKS

log = logging.getLogger(__name__)


def _taken(table: Table, findings: list[Finding], screened: Screened) -> set[tuple[int, str]]:
    keys = {c.header: c.key for c in table.layout.columns}
    return screened.cells | {
        (f.row, keys[f.column])
        for f in findings
        if f.sheet == table.name and f.row is not None and f.column in keys
    }


def _internal(sheet: str | None, exc: Exception) -> Finding:
    log.exception("validation rules failed on sheet %s", sheet)
    family = "task" if sheet == TASKS.name else ("cover" if sheet == COVER.name else "indicator")
    return make(
        f"{family}.check-failed",
        sheet=sheet,
        check=f"内部错误 {type(exc).__name__}",
        header="（整表）",
        value=str(exc)[:200],
    )


def validate_workbook(
    wb: Workbook, source: Source, *, period: Period | None = None, today: date | None = None
) -> Return:
    ref = load()
    today = today or date.today()
    findings: list[Finding] = []
    if not wb.meta or wb.meta.get("template") not in (None, META_TEMPLATE_ID):
        findings.append(make("file.not-template"))

    tables: dict[str, Table | None] = {}
    screened: dict[str, Screened] = {}
    for layout in ALL_SHEETS:
        table, found = locate(wb, layout)
        findings += found
        if table is not None:
            screened[layout.name] = screen(table)
            table = screened[layout.name].table
            findings += screened[layout.name].findings
        tables[layout.name] = table
    findings += hidden_copies(wb, ALL_SHEETS, skip=(META_SHEET,))
    missing = [f for f in findings if f.code == "file.sheet-missing"]
    if len(missing) == len(ALL_SHEETS):
        # not one ledger sheet: some other spreadsheet was sent (one root cause, one finding)
        sheets = "、".join(layout.name for layout in ALL_SHEETS)
        findings = [make("file.not-ledger", sheets=sheets)]

    try:
        cover = check_cover(
            tables[COVER.name], ref, asked=period, today=today, date1904=wb.date1904, meta=wb.meta
        )
    except Exception as exc:  # noqa: BLE001 — a rule's bug must not lose the return
        cover = Cover(period=period)
        findings.append(_internal(COVER.name, exc))
    findings += cover.findings
    # Without a usable 报送单位 (reported above), the unit the template was made for still
    # attributes the return and sets whose neighbours' names are foreign.
    unit = cover.unit or template_unit(ref, wb.meta)
    ctx = Context(ref, unit, cover.period, cover.filed, today, wb.date1904)

    entries, connection, reliability, sanling = [], [], [], {}
    table = tables[TASKS.name]
    if table is not None:
        try:
            ids = check_ids(table, ref)
            rows = check_rows(table, ids.rows, ctx)
            findings += ids.findings + rows.findings
            entries = rows.entries
            findings += run_model(
                table,
                rows.frame,
                planning=ctx.planning,
                taken=_taken(table, findings, screened[TASKS.name]),
            )
        except Exception as exc:  # noqa: BLE001 — a rule's bug must not lose the return
            findings.append(_internal(TASKS.name, exc))

    sheets = {}
    for name, (_layout, check) in INDICATOR_CHECKS.items():
        table = tables[name]
        if table is None or table.layout.columns[0].key not in table.columns:
            continue  # no sheet, or no label column to find its rows by (already reported)
        try:
            result = check(table, ref, ctx.planning)
            sheets[name] = result
            findings += result.findings
            connection = connection or result.connection
            reliability = reliability or result.reliability
            sanling = sanling or result.sanling
            if result.frame is not None:
                findings += run_model(
                    table,
                    result.frame,
                    planning=ctx.planning,
                    taken=_taken(table, findings, screened[name]),
                )
        except Exception as exc:  # noqa: BLE001
            findings.append(_internal(name, exc))

    if not ctx.planning and tables[TASKS.name] is not None:
        try:
            flagged = {(f.sheet, f.cell) for f in findings if f.cell}
            findings += check_cross(tables, entries, sheets, ctx, flagged)
            findings = claims(findings, tables, entries, sheets)
        except Exception as exc:  # noqa: BLE001
            findings.append(_internal(TASKS.name, exc))
    findings = only_root_causes(findings, screened)

    return Return(
        source=source,
        unit=unit.name if unit else None,
        period=(cover.declared or cover.period).code if (cover.declared or cover.period) else None,
        filed=cover.filed,
        template_version=cover.template_version,
        template=(cells.text(wb.meta.get("template")) or None) if wb.meta else None,
        tasks=tuple(entries),
        connection=tuple(connection),
        reliability=tuple(reliability),
        sanling=dict(sanling),
        findings=tuple(ordered(findings)),
    )
