"""Figures that can be trusted (SPEC §2.3–2.4; bounds as data in schemas/data/bounds.toml):
a county's figure beyond what one county can plausibly report (1.7e308 customers) is an error,
and so is a sum that is really an average typed where the sum is asked (停电时户数 1.25 for
350,000 customers; 合计累计 below the longest single connection). Each is one finding at its
cell, and the value is then left out of every rule that computes with it."""

from __future__ import annotations

from addin.model.findings import Finding
from addin.validate.frames import Table
from schemas.plausible import bounds

# Column key → the bound of schemas/data/bounds.toml [maximum] it is held to.
_BOUND_OF = {
    "total": "working_days",
    "last_customers": "customers",
    "last_outage_hours": "outage_hours",
}


def maximum(key: str, units: tuple[str, ...]) -> float | None:
    maximum = bounds().maximum
    if key == "value":  # 三零三省: by the indicator's unit
        return maximum["sanling_money" if "万元" in units else "sanling_count"]
    name = "working_days" if key.startswith("step:") else _BOUND_OF.get(key, key)
    return maximum.get(name)


def _shown(x: float) -> str:
    """A figure for a message: whole numbers without .0, small ones with their digits."""
    if float(x).is_integer():
        return str(int(x))
    if abs(x) >= 0.01:
        return f"{x:.2f}".rstrip("0").rstrip(".")
    return f"{x:.10f}".rstrip("0")


def _average_typed(
    table: Table, row: int, key: str, count_key: str, value, count, unit: str
) -> Finding:
    return table.make(
        "indicator.average-typed",
        row,
        key,
        header=table.layout.column(key).header,
        count_label=table.layout.column(count_key).header,
        count=_shown(count),
        average=_shown(value / count),
        unit=unit,
        example=_shown(value * count),
    )


def implausible(table: Table, row: int, key: str, value: float, units, out: list[Finding]) -> bool:
    """Report a value above its bound (True), or say it is within (False)."""
    limit = maximum(key, units)
    if limit is None or value <= limit:
        return False
    header = table.layout.column(key).header
    out.append(table.make("indicator.implausible", row, key, header=header, limit=_shown(limit)))
    return True


def connection_averages(table: Table, rows: dict[str, int], values: dict) -> list[Finding]:
    """合计累计 that is an average: per connection below the floor, or below the longest single
    connection, with enough connections to tell. The value is cleared for the rules after."""
    b, found = bounds(), []
    for label, row in rows.items():
        v = values[label]
        n, total, longest = v["connections"], v["total"], v["longest"]
        if not (n and n >= b.min_count and total and total > 0):
            continue
        if total / n < b.min_working_days or total < (longest or 0):
            found.append(_average_typed(table, row, "total", "connections", total, n, "工作日"))
            v["total"] = None
    return found


def outage_averages(table: Table, rows: dict[str, int], values: dict) -> list[Finding]:
    """停电时户数 (this year's or last year's) that is an average hours per customer."""
    b, found = bounds(), []
    for label, row in rows.items():
        v = values[label]
        for count_key, key in (
            ("customers", "outage_hours"),
            ("last_customers", "last_outage_hours"),
        ):
            n, hours = v[count_key], v[key]
            if n and n >= b.min_count and hours and 0 < hours / n < b.min_outage_hours:
                found.append(_average_typed(table, row, key, count_key, hours, n, "小时"))
                v[key] = None
    return found
