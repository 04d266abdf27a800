"""The Summary for machines and for people: JSON (SPEC §5), a self-contained HTML report and
Markdown drafts of the year's 总结报告 and a 通报. All three are rendered from one dict —
`as_dict(summary)` — so the report cannot say what the JSON does not.

The JSON is strict (SPEC §5): json.dumps with allow_nan=False, so an inf or NaN that ever got
past the aggregates (model/figures.finite) stops here as a program fault rather than reaching
a machine as `Infinity`. Rates are given as shown (figures.shown_rate): 0.9998 is 0.9998, and
a rate short of 1 is never 1.0."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from addin.model.figures import percent, shown_rate
from addin.model.summary import CITY, Summary, UnitRow, findings_text
from addin.write.atomic import write_text_atomic
from addin.write.palette import LIGHT_FILL, LIGHT_TEXT, VERDICT_LIGHT
from addin.write.render import render
from schemas.reference import load

DIGITS = 4


def _clean(value: Any) -> Any:
    """Floats rounded to DIGITS places, dates as ISO text, recursively."""
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _figures(fig, light: str | None = None) -> dict:
    """A unit's or the city's task figures; `light` the light its row shows."""
    return {
        "completion_rate": shown_rate(fig.completion_rate) if fig else None,
        "on_track_rate": shown_rate(fig.on_track_rate) if fig else None,
        "due_completion_rate": shown_rate(fig.due_completion_rate) if fig else None,
        "overdue": fig.overdue if fig else None,
        "lagging": fig.lagging if fig else None,
        "light": light or (fig.light if fig else "grey"),
        "counts": {(k or "未填"): v for k, v in fig.counts.items()} if fig else None,
        "tasks_applicable": fig.applicable if fig else None,
        "tasks_with_end_point": fig.ending if fig else None,
        "tasks_done": fig.done if fig else None,
        "tasks_on_track": fig.on_track if fig else None,
        "tasks_due": fig.due_total if fig else None,
        "tasks_due_done": fig.due_done if fig else None,
    }


def _unit_figures(u: UnitRow) -> dict:
    return _figures(u.figures, u.light)


# JSON key → attribute of aggregate.ConnectionRow / ReliabilityRow (the JSON names the unit
# of measure the attribute leaves implicit)
CONNECTION_KEYS = {
    "type": "type",
    "unit": "unit",
    "connections": "connections",
    "step_average_days": "step_average",
    "step_limit_days": "step_limit",
    "average_days": "average_days",
    "limit_days": "limit_days",
    "longest_days": "longest",
    "over_limit": "over_limit",
    "on_time_rate": "on_time_rate",
    "within_limits": "within",
    "met": "met",
    "verdict": "verdict",
    "verdict_text": "verdict_text",
}
RELIABILITY_KEYS = {
    "area": "area",
    "unit": "unit",
    "customers": "customers",
    "outage_customer_hours": "outage_hours",
    "average_hours": "average_hours",
    "target_hours": "target_hours",
    "last_average_hours": "last_average_hours",
    "yoy_change": "yoy_change",
    "met_target": "met_target",
    "met_cut": "met_cut",
    "met": "met",
    "yoy_only": "yoy_only",
}
RATES = {"on_time_rate"}  # given as shown, like the task rates


def _keyed(row, keys: dict[str, str]) -> dict:
    return {
        key: shown_rate(getattr(row, attr)) if key in RATES else getattr(row, attr)
        for key, attr in keys.items()
    }


def _nest(rows: list[dict], city: str) -> list[dict]:
    """City-wide rows at the top level, each with its units' rows under "units"."""
    out = []
    for row in rows:
        if row["unit"] == city:
            out.append({**row, "units": []})
        else:
            out[-1]["units"].append(row)
    return out


def as_dict(s: Summary) -> dict:
    data = {
        "period": s.period.code,
        "period_label": s.period.label,
        "as_of": s.period.as_of,
        "due": s.period.due,
        "validated_at": s.validated_at,
        "include_invalid": s.include_invalid,
        "status_counts": {st: s.status_count(st) for st in ("已报", "迟报", "退回", "未报")},
        "city": {
            **_figures(s.city),
            "units_included": s.units_included,
            # the 错误/警告 of the unit rows above, as in 总览's 全市合计 row
            "errors": s.unit_totals["error"],
            "warnings": s.unit_totals["warning"],
        },
        "finding_counts": s.finding_counts,
        "units": [
            {
                "unit": u.unit,
                "status": u.status,
                "file": u.file,
                "filed": u.ret.filed if u.ret else None,
                "errors": u.counts["error"],
                "warnings": u.counts["warning"],
                "included": u.included,
                "older_files": list(u.older),
                **_unit_figures(u),
            }
            for u in s.units
        ],
        "lagging": [
            {
                "unit": i.unit,
                "task": i.task,
                "text": i.text,
                "city_due": i.city_due,
                "county_due": i.county_due,
                "due": i.due,
                "status": i.status,
                "overdue": i.overdue,
                "lagging": i.lagging,
                "light": i.light,
                "progress": i.progress,
                "problems": i.problems,
                "plan": i.plan,
            }
            for i in s.lag_items
        ],
        "local_tasks": [
            {
                "unit": unit,
                "task": t.id,
                "text": t.text,
                "status": t.status,
                "county_due": t.county_due.raw if t.county_due else None,
                "progress": t.progress,
            }
            for unit, t in s.local_tasks
        ],
        "connection_time": _nest([_keyed(r, CONNECTION_KEYS) for r in s.connection], CITY),
        "reliability": _nest([_keyed(r, RELIABILITY_KEYS) for r in s.reliability], CITY),
        "sanling": [
            {
                "indicator": r.indicator,
                "unit_of_measure": r.unit_of_measure,
                "total": r.total,
                "share": shown_rate(r.share),
                "share_of": r.share_of or None,
                "by_unit": r.by_unit,
            }
            for r in s.sanling
        ],
        "findings": [
            {"file": fr.file, "unit": fr.unit, **fr.finding.as_dict()} for fr in s.findings
        ],
        "sources": [
            {
                "file": src.ret.source.name,
                "sha256": src.ret.source.sha256,
                "size": src.ret.source.size,
                "format": src.ret.source.format,
                "template_version": src.ret.template_version,
                "unit": src.ret.unit,
                "period": src.ret.period,
                "filed": src.ret.filed,
                "use": src.use,
            }
            for src in s.sources
        ],
    }
    return _clean(data)


def to_json(s: Summary) -> str:
    data = as_dict(s)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False) + "\n"


def write_json(s: Summary, path: Path | str) -> Path:
    return write_text_atomic(path, to_json(s))


# ---- people: HTML and Markdown ------------------------------------------------------------


pct = percent  # two decimals, never 100.00% unless exact (model/figures.shown_rate)


def num(value, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def dec(value, digits: int = 2) -> str:
    """Days, hours and 万元 always with two decimals (22.00 beside 15.30, as the workbook's
    0.00 format shows them), whether or not the value happens to be whole."""
    return "—" if value is None else f"{value:,.{digits}f}"


def bars(
    items: list[tuple[str, float | None]],
    *,
    maximum: float,
    targets=None,
    width: int = 640,
    bar: int = 18,
    fmt=pct,
) -> dict:
    """Geometry of a horizontal bar chart as plain numbers; the template draws the SVG."""
    label_w, gap = 150, 6
    scale = (width - label_w - 70) / maximum if maximum else 0
    rows = []
    for i, (label, value) in enumerate(items):
        y = i * (bar + gap)
        target = targets[i] if targets else None
        rows.append(
            {
                "label": label,
                "y": y,
                "w": round((value or 0) * scale, 1),
                "text": fmt(value),
                "target_x": None if target is None else round(label_w + target * scale, 1),
                # the value label goes right of whichever ends further, bar or target line
                "label_x": round(label_w + max(value or 0, target or 0) * scale + 6, 1),
                "over": target is not None and value is not None and value > target,
            }
        )
    return {
        "width": width,
        "height": len(items) * (bar + gap),
        "bar": bar,
        "x0": label_w,
        "rows": rows,
    }


def context(s: Summary) -> dict:
    data = as_dict(s)
    completion = [(u["unit"], u["completion_rate"]) for u in data["units"]]
    outage = [(r["area"], r["average_hours"]) for r in data["reliability"]]
    most = max(
        [v or 0 for _, v in outage] + [r["target_hours"] for r in data["reliability"]] + [0.01]
    )
    lagging_units = [
        u
        for u in data["units"]
        if u["status"] != "未报" and ((u["overdue"] or 0) + (u["lagging"] or 0)) > 0
    ]
    lagging_units.sort(key=lambda u: (-(u["overdue"] or 0), -(u["lagging"] or 0)))
    return {
        "d": data,
        "pct": pct,
        "num": num,
        "dec": dec,
        "light_text": LIGHT_TEXT,
        "light_fill": LIGHT_FILL,
        "verdict_light": VERDICT_LIGHT,
        "completion_chart": bars(completion, maximum=1.0),
        "outage_chart": bars(
            outage,
            maximum=most * 1.1,
            targets=[r["target_hours"] for r in data["reliability"]],
            fmt=lambda v: dec(v) + " 小时" if v is not None else "—",
        ),
        "lagging_units": lagging_units,
        "half_year": s.period.kind == "H1",  # reliability judged by the year-on-year cut alone
        "yoy_cut": f"{load().yoy_cut * 100:g}%",
        "totals_label": s.totals_label(),
        "findings_text": findings_text(data["finding_counts"]),
        "missing_units": [u["unit"] for u in data["units"] if u["status"] == "未报"],
        "late_units": [u["unit"] for u in data["units"] if u["status"] == "迟报"],
        "returned_units": [u["unit"] for u in data["units"] if u["status"] == "退回"],
        "copied": [f for f in data["findings"] if f["code"] == "submission.copied-text"],
    }


def to_html(s: Summary) -> str:
    return render("report.html.j2", **context(s))


def to_markdown(s: Summary) -> str:
    ctx = context(s)
    return render("annual_report.md.j2", **ctx) + "\n---\n\n" + render("circular.md.j2", **ctx)


def write_html(s: Summary, path: Path | str) -> Path:
    return write_text_atomic(path, to_html(s))


def write_markdown(s: Summary, path: Path | str) -> Path:
    return write_text_atomic(path, to_markdown(s))
