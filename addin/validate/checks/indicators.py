"""The three indicator sheets (SPEC §2.3–2.4): 办电时限, 供电可靠性, 三零三省. Rows are found
by their label (客户类型 / 区域 / 指标), cells are read as numbers here (text that is not a
number is one finding and then counts as missing), and the typed frames go to the pandera
models, with the reference figures each row is held to as "_" columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from addin.model.findings import Finding, make
from addin.model.ledger import ConnectionEntry, ReliabilityEntry
from addin.validate import cells
from addin.validate.checks import figures
from addin.validate.frames import Table, frame
from schemas.reference import Reference
from schemas.sheets import CONNECTION, RELIABILITY, SANLING, SheetLayout, step_key

_ABOLISHED_MARK = re.compile(r"^[-－—–一/／\\]*$")
CONNECTION_NUMBERS = (
    "connections",
    *(c.key for c in CONNECTION.columns if c.key.startswith("step:")),
    "total",
    "longest",
    "over_limit",
)
RELIABILITY_NUMBERS = (
    "customers",
    "outage_hours",
    "outages",
    "last_customers",
    "last_outage_hours",
)


@dataclass
class Sheetful:
    findings: list[Finding] = field(default_factory=list)
    frame: pd.DataFrame | None = None
    connection: list[ConnectionEntry] = field(default_factory=list)
    reliability: list[ReliabilityEntry] = field(default_factory=list)
    sanling: dict[str, float | None] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # row label → Excel row


def _rows_by_label(
    table: Table, label_key: str, labels: list[str], out: list[Finding]
) -> dict[str, int]:
    """Each expected label → its Excel row; missing labels and unknown non-empty rows reported.
    Without the label column (its header changed, reported) no row can be identified."""
    if label_key not in table.columns:
        return {}
    wanted = {cells.compact(label): label for label in labels}
    found: dict[str, int] = {}
    for row in table.rows:
        label = wanted.get(cells.compact(table.raw(row, label_key)))
        if label is not None and label not in found:
            found[label] = row
        elif label is None and not cells.is_blank(table.raw(row, label_key)):
            out.append(table.make("indicator.row-unknown", row, label_key, sheet_name=table.name))
    after = (max(table.rows) if table.rows else table.header_row) + 1
    for label in labels:
        if label not in found:
            out.append(
                make(
                    "indicator.row-missing",
                    sheet=table.name,
                    cell=table.address(after, label_key),
                    row=after,
                    column=table.layout.column(label_key).header,
                    sheet_name=table.name,
                    label=label,
                )
            )
    return found


# The unit a county may type after a number in each column ("5,699 户", "12.5万元"): the
# column's own unit only; 三零三省's come from each indicator's unit in the catalogue.
COLUMN_UNITS: dict[str, tuple[str, ...]] = {
    "connections": ("户",),
    "over_limit": ("户",),
    "total": ("工作日",),
    "longest": ("工作日",),
    **{key: ("工作日",) for key in CONNECTION_NUMBERS if key.startswith("step:")},
    "customers": ("户",),
    "last_customers": ("户",),
    "outage_hours": ("时户",),
    "last_outage_hours": ("时户",),
    "outages": ("户次",),
}


def _numbers(
    table: Table,
    rows: dict[str, int],
    keys: tuple[str, ...],
    out: list[Finding],
    skip: frozenset[tuple[str, str]] = frozenset(),
    units: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, dict[str, float | None]]:
    """label → key → number (None when empty, unreadable or the column is missing).
    `units`: label → the units a value of that row may carry (default: COLUMN_UNITS by key)."""
    values: dict[str, dict[str, float | None]] = {}
    for label, row in rows.items():
        values[label] = {}
        for key in keys:
            if (label, key) in skip:
                values[label][key] = None
                continue
            allowed = units[label] if units is not None else COLUMN_UNITS.get(key, ())
            value, problem = cells.number(table.raw(row, key), allowed)
            header = table.layout.column(key).header
            if problem:
                out.append(table.make("indicator.not-number", row, key, header=header))
            if value is not None and figures.implausible(table, row, key, value, allowed, out):
                value = None  # 1.7e308 and the like: nothing downstream computes with it
            values[label][key] = value
    return values


def _abolished_mark(raw: object) -> bool:
    """What may stand in an abolished step's cell: nothing, the template's "--" (or a dash or
    slash like it), or 0 — nothing happened in a step that does not exist."""
    if _ABOLISHED_MARK.match(cells.compact(raw)):
        return True
    value, problem = cells.number(raw)
    return problem is None and value == 0


def _sheet_empty(
    table: Table,
    rows: dict[str, int],
    keys: tuple[str, ...],
    skip: frozenset[tuple[str, str]] = frozenset(),
) -> bool:
    """Nothing typed in the county's cells (the template's "--" marks, and a 0 in an
    abolished step, do not count)."""
    return all(
        cells.is_blank(table.raw(row, k))
        or ((label, k) in skip and _abolished_mark(table.raw(row, k)))
        for label, row in rows.items()
        for k in keys
    )


def _empty_warning(table: Table, planning: bool) -> list[Finding]:
    if planning:
        return []
    return [make("indicator.sheet-empty", sheet=table.name, sheet_name=table.name)]


def _required(table: Table, row: int, key: str, label: str) -> Finding:
    return table.make(
        "indicator.value-missing", row, key, label=label, header=table.layout.column(key).header
    )


def _numbers_frame(
    table: Table,
    label_key: str,
    keys: tuple[str, ...],
    rows: dict[str, int],
    values: dict[str, dict[str, float | None]],
    reference: dict[str, list],
) -> pd.DataFrame:
    """The frame the pandera model checks: the row label, its numbers and 说明 under their
    headers, then the reference figures as "_" columns (numbers, like the county's)."""
    layout = table.layout
    label, note = layout.column(label_key).header, layout.column("note").header
    data: dict[str, list] = {label: list(rows)}
    for key in keys:
        data[layout.column(key).header] = [values[row_label][key] for row_label in rows]
    data[note] = [table.text(r, "note") or None for r in rows.values()]
    data.update(reference)
    dtypes = {h: "float64" for h in data}
    dtypes[label] = dtypes[note] = "str"
    return frame(list(rows.values()), data, dtypes)


def check_connection(table: Table, ref: Reference, planning: bool) -> Sheetful:
    result = Sheetful()
    out = result.findings
    types = {t.name: t for t in ref.customer_types}
    rows = _rows_by_label(table, "type", list(types), out)
    # A "--" step (abolished for the type) is read first: the template writes "--" there, and
    # any other content is the one finding for that cell (not also "not a number").
    abolished = frozenset(
        (label, step_key(step))
        for label in rows
        for step in ref.steps
        if types[label].abolished(step)
    )
    if _sheet_empty(table, rows, CONNECTION_NUMBERS, abolished):
        result.findings += _empty_warning(table, planning)
        return result
    for label, key in sorted(abolished, key=lambda lk: (rows[lk[0]], lk[1])):
        raw = table.raw(rows[label], key)
        if key in table.columns and not _abolished_mark(raw):
            out.append(
                table.make(
                    "indicator.abolished-step-filled",
                    rows[label],
                    key,
                    label=label,
                    step=key.split(":", 1)[1],
                )
            )
    values = _numbers(table, rows, CONNECTION_NUMBERS, out, skip=abolished)
    out += figures.connection_averages(table, rows, values)
    for label, row in rows.items():
        v, ct = values[label], types[label]
        if planning:
            continue
        needed = ["connections"]
        if v["connections"]:
            needed += [step_key(s) for s in ct.limits] + ["total", "longest", "over_limit"]
        for key in needed:
            if key in table.columns and cells.is_blank(table.raw(row, key)):
                out.append(_required(table, row, key, label))
    limits = {"_limit": [float(types[label].total) for label in rows]}
    result.frame = _numbers_frame(table, "type", CONNECTION_NUMBERS, rows, values, limits)
    result.rows = dict(rows)
    for label, row in rows.items():
        v = values[label]
        result.connection.append(
            ConnectionEntry(
                type=label,
                row=row,
                connections=v["connections"],
                steps={s: v[step_key(s)] for s in ref.steps},
                total=v["total"],
                longest=v["longest"],
                over_limit=v["over_limit"],
                note=table.shown(row, "note"),
            )
        )
    return result


def check_reliability(table: Table, ref: Reference, planning: bool) -> Sheetful:
    result = Sheetful()
    out = result.findings
    areas = {a.name: a for a in ref.areas}
    rows = _rows_by_label(table, "area", list(areas), out)
    if _sheet_empty(table, rows, RELIABILITY_NUMBERS):
        result.findings += _empty_warning(table, planning)
        return result
    values = _numbers(table, rows, RELIABILITY_NUMBERS, out)
    out += figures.outage_averages(table, rows, values)
    for label in _areas_not_served(table, rows, values, out):
        del rows[label]  # a unit without (say) rural customers: nothing to hold to a target
    if not planning:
        for label, row in rows.items():
            for key in ("customers", "outage_hours"):
                if key in table.columns and cells.is_blank(table.raw(row, key)):
                    out.append(_required(table, row, key, label))
    targets = {
        "_target": [areas[label].target_hours for label in rows],
        "_hours": [float(ref.hours_in_year)] * len(rows),
        "_cut": [ref.yoy_cut] * len(rows),
    }
    result.frame = _numbers_frame(table, "area", RELIABILITY_NUMBERS, rows, values, targets)
    result.rows = dict(rows)
    for label, row in rows.items():
        v = values[label]
        result.reliability.append(
            ReliabilityEntry(
                area=label,
                row=row,
                customers=v["customers"],
                outage_hours=v["outage_hours"],
                outages=v["outages"],
                last_customers=v["last_customers"],
                last_outage_hours=v["last_outage_hours"],
                note=table.shown(row, "note"),
            )
        )
    return result


def _areas_not_served(
    table: Table, rows: dict[str, int], values: dict, out: list[Finding]
) -> list[str]:
    """Areas whose figures are all empty or 0. With a 说明 (本区无农村用户) the unit has no
    customers there; without one it is a single finding, not one per empty cell."""
    absent = []
    for label, row in rows.items():
        if any(values[label][k] for k in RELIABILITY_NUMBERS) or any(
            f.row == row and f.sheet == table.name for f in out
        ):
            continue
        absent.append(label)
        if "note" in table.columns and not table.text(row, "note"):
            out.append(table.make("indicator.area-unexplained", row, "customers", label=label))
    return absent


def check_sanling(table: Table, ref: Reference, planning: bool) -> Sheetful:
    result = Sheetful()
    out = result.findings
    indicators = {i.name: i for i in ref.indicators}
    rows = _rows_by_label(table, "indicator", list(indicators), out)
    if _sheet_empty(table, rows, ("value",)):
        result.findings += _empty_warning(table, planning)
        return result
    units = {label: (indicators[label].unit,) for label in rows}
    numbers = _numbers(table, rows, ("value",), out, units=units)
    values = {label: v["value"] for label, v in numbers.items()}
    if not planning:
        for label, row in rows.items():
            if "value" in table.columns and cells.is_blank(table.raw(row, "value")):
                out.append(_required(table, row, "value", label))

    # The rules across rows (其中 ≤ its total, 线上办电 ≤ the applications) read other rows'
    # values: a value with its own finding (negative; fractional where counted) feeds none of
    # them, so one wrong cell is one finding.
    sound = {
        label: v
        for label, v in values.items()
        if v is not None and v >= 0 and (not indicators[label].whole or float(v).is_integer())
    }

    def part_total(label: str) -> float | None:
        parent = indicators[label].part_of
        return sound.get(parent) if parent else None

    def at_most(label: str) -> float | None:
        names = indicators[label].at_most
        parts = [sound.get(n) for n in names]
        return sum(parts) if names and all(p is not None for p in parts) else None

    data = {
        SANLING.column("indicator").header: list(rows),
        SANLING.column("value").header: [values[label] for label in rows],
        "_whole": [indicators[label].whole for label in rows],
        "_part_total": [part_total(label) for label in rows],
        "_at_most": [at_most(label) for label in rows],
        "_part_label": [indicators[label].part_of for label in rows],
    }
    dtypes = {
        SANLING.column("indicator").header: "str",
        SANLING.column("value").header: "float64",
        "_whole": "bool",
        "_part_total": "float64",
        "_at_most": "float64",
        "_part_label": "object",
    }
    result.frame = frame(list(rows.values()), data, dtypes)
    result.sanling = {label: values.get(label) for label in indicators}
    result.rows = dict(rows)
    return result


CHECKS: dict[str, tuple[SheetLayout, object]] = {
    CONNECTION.name: (CONNECTION, check_connection),
    RELIABILITY.name: (RELIABILITY, check_reliability),
    SANLING.name: (SANLING, check_sanling),
}
