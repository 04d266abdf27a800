"""Runs the pandera model of a sheet and turns its failure table into findings: the one table
RULES maps (check name, column) to a finding code and the one cell to fix. pandera reports a
row check once per column of the failing row and never names the empty cell that matters;
here each (check, row) becomes one finding at the rule's target column. A failure the table
does not know still becomes a finding (`<family>.check-failed`, naming pandera's check), never
dropped. A rule whose columns are missing from the sheet, or whose input cell already has a
finding, is skipped: one root cause, one finding."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pandera.errors
from pandera.engines import pandas_engine

from addin.model.findings import Finding, make
from addin.validate.cells import typed_note
from addin.validate.frames import Table
from schemas import models
from schemas.models import MIN_PROGRESS_CHARS
from schemas.sheets import STATUSES, TASKS, step_key

Params = Callable[[pd.Series], dict]


@dataclass(frozen=True)
class Rule:
    code: str
    target: str | None = None  # column key of the cell to fix; None: the failing column
    inputs: tuple[str, ...] = ()  # column keys the check reads (besides the target)
    params: Params | None = None
    planning: bool = True  # False: not checked in a planning period (2021P)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def _status(row: pd.Series) -> dict:
    return {"status": row[TASKS.column("status").header]}


def _typed(key: str) -> Params:
    """{status} and {typed}: the words that say nothing the cell holds, quoted."""
    header = TASKS.column(key).header

    def params(row: pd.Series) -> dict:
        return {**_status(row), "typed": _quoted(row.get(header))}

    return params


def _quoted(value) -> str:
    # a missing frame value is NaN, not what the county typed
    return (
        "" if value is None or (isinstance(value, float) and pd.isna(value)) else typed_note(value)
    )


def _typed_note(row: pd.Series) -> str:
    return _quoted(row.get(models.C["note"]))  # 说明, the same header on every indicator sheet


STEPS = tuple(step_key(s) for s in ("受理并答复供电方案", "设计审查", "中间检查", "验收送电"))
C = models.C
R = models.R

# (check name, column key or None for "any column") → Rule. Column keys are the sheet's keys
# (schemas.sheets); checks are pandera's built-ins or the names given in schemas.models.
RULES: dict[tuple[str, str | None], Rule] = {
    # 任务台账
    ("isin", "status"): Rule("status.invalid", params=lambda r: {"statuses": "、".join(STATUSES)}),
    ("progress_long_enough", "progress"): Rule(
        "status.progress-short", params=lambda r: {"min_chars": MIN_PROGRESS_CHARS}
    ),
    ("phone_number", "phone"): Rule("task.phone-invalid"),
    ("done_needs_date", None): Rule(
        "status.done-without-date", "done_date", ("status",), planning=False
    ),
    ("date_needs_done", None): Rule(
        "status.date-without-done", "done_date", ("status",), params=_status
    ),
    ("behind_needs_problems", None): Rule(
        "status.problems-missing", "problems", ("status",), params=_typed("problems")
    ),
    ("behind_needs_plan", None): Rule(
        "status.plan-missing", "plan", ("status",), params=_typed("plan")
    ),
    ("progress_needed", None): Rule(
        "status.progress-missing",
        "progress",
        ("status",),
        params=_typed("progress"),
        planning=False,
    ),
    ("overdue_not_on_schedule", None): Rule(
        "status.overdue-on-schedule",
        "status",
        planning=False,
        params=lambda r: {"due": r["_due_text"], "as_of": r["_as_of"], **_status(r)},
    ),
    # 办电时限, 供电可靠性, 三零三省
    ("greater_than_or_equal_to", None): Rule("indicator.negative"),
    ("greater_than", None): Rule("indicator.not-positive"),
    ("whole_number", None): Rule("indicator.not-whole"),
    ("total_matches_steps", None): Rule(
        "indicator.total-mismatch",
        "total",
        STEPS,
        params=lambda r: {"expected": _num(r[[C[s] for s in STEPS]].sum())},
    ),
    ("longest_not_below_average", None): Rule(
        "indicator.longest-below-average",
        "longest",
        ("connections", "total"),
        params=lambda r: {"average": _num(round(r[C["total"]] / r[C["connections"]], 2))},
    ),
    ("longest_not_above_total", None): Rule(
        "indicator.longest-above-total",
        "longest",
        ("total",),
        params=lambda r: {"total": _num(r[C["total"]])},
    ),
    ("over_limit_within_connections", None): Rule(
        "indicator.over-limit-exceeds",
        "over_limit",
        ("connections",),
        params=lambda r: {"connections": _num(r[C["connections"]])},
    ),
    ("longest_over_limit_counted", None): Rule(
        "indicator.over-limit-uncounted",
        "over_limit",
        ("longest",),
        params=lambda r: {"longest": _num(r[C["longest"]]), "limit": _num(r["_limit"])},
    ),
    ("sums_need_connections", None): Rule(
        "indicator.sums-without-connections", "connections", (*STEPS, "total", "longest")
    ),
    ("over_limit_explained", None): Rule(
        "indicator.over-limit-unexplained",
        "note",
        ("over_limit",),
        params=lambda r: {
            "over_limit": _num(r[C["over_limit"]]),
            "typed": _typed_note(r),
            "claim": "",
            "claim_hint": "",
        },
    ),
    ("outage_within_year", None): Rule(
        "indicator.outage-impossible",
        "outage_hours",
        ("customers",),
        params=lambda r: {
            "average": _num(round(r[R["outage_hours"]] / r[R["customers"]], 2)),
            "hours": _num(r["_hours"]),
            "customers": _num(r[R["customers"]]),
        },
    ),
    ("target_met_or_explained", None): Rule(
        "indicator.target-missed-unexplained",
        "note",
        ("customers", "outage_hours", "last_customers", "last_outage_hours"),
        params=lambda r: {
            "average": _num(round(r[R["outage_hours"]] / r[R["customers"]], 2)),
            "target": _num(r["_target"]),
            "cut": f"{r['_cut']:.0%}",
            "typed": _typed_note(r),
        },
    ),
    ("whole_where_counted", None): Rule("indicator.not-whole", "value"),
    ("part_within_total", None): Rule(
        "indicator.part-exceeds-total",
        "value",
        params=lambda r: {
            "label": r[models.S["indicator"]],
            "total": _num(r["_part_total"]),
            "total_label": r["_part_label"],
        },
    ),
    ("within_applications", None): Rule(
        "indicator.online-exceeds-applications",
        "value",
        params=lambda r: {"label": r[models.S["indicator"]], "limit": _num(r["_at_most"])},
    ),
}

FAMILY = {TASKS.name: "task"}  # every other data sheet is an indicator sheet


def check_name(raw: str) -> str:
    """pandera's check column reads e.g. greater_than_or_equal_to(0): the name is before "("."""
    return re.sub(r"\(.*$", "", str(raw))


def rule_for(check: str, key: str | None) -> Rule | None:
    return RULES.get((check, key)) or RULES.get((check, None))


# pandera costs 2–8 ms per model even when every check passes (FACTS: 6–30 ms), most of it
# bookkeeping around the checks. A clean sheet is the common case, so the same checks of the
# model are first evaluated directly (registered functions and the few built-ins used here);
# only when one fails, or a check is of a kind not evaluated here, does pandera run and
# produce the failure table that is mapped below. tests/test_validate_pandera.py checks
# that both paths give the same findings.
_BUILTINS = {
    "greater_than_or_equal_to": lambda s, st: s >= st["min_value"],
    "greater_than": lambda s, st: s > st["min_value"],
    "isin": lambda s, st: s.isin(st["allowed_values"]),
}


def _schema(name: str):
    return models.MODELS[name]


def _dtype_ok(spec, series: pd.Series) -> bool:
    try:
        result = spec.dtype.check(pandas_engine.Engine.dtype(series.dtype), series)
        return bool(result) if isinstance(result, bool) else bool(result.all())
    except Exception:  # noqa: BLE001 — unsure: let pandera decide
        return False


def passes_quickly(name: str, df: pd.DataFrame) -> bool | None:
    """True when every check of the sheet's model passes, False when one fails, None when a
    check cannot be evaluated here (then pandera decides)."""
    schema = _schema(name)
    for column, spec in schema.columns.items():
        if column not in df.columns or not _dtype_ok(spec, df[column]):
            return None
        series = df[column]
        if not spec.nullable and series.isna().any():
            return False
        values = series.dropna()
        for check in spec.checks:
            if check.element_wise or not check.ignore_na:
                return None
            builtin = check.name in _BUILTINS
            fn = _BUILTINS.get(check.name) if builtin else models.CHECK_FUNCTIONS.get(check.name)
            if fn is None:
                return None
            result = fn(values, check.statistics) if builtin else fn(values)
            if not bool(result.all()):
                return False
    for check in schema.checks:
        fn = models.CHECK_FUNCTIONS.get(check.name)
        if fn is None or check.element_wise:
            return None
        if not bool(fn(df).all()):
            return False
    return True


def run_model(
    table: Table,
    df: pd.DataFrame,
    *,
    planning: bool,
    taken: set[tuple[int, str]],
    quick: bool = True,
) -> list[Finding]:
    """Validate `df` (index = Excel row) with the sheet's model; `taken` holds the (row, key)
    cells that already have a finding, and gains the cells found here. `quick=False` always
    runs pandera (tests compare both paths)."""
    if quick and passes_quickly(table.name, df):
        return []
    model = models.MODELS[table.name]
    try:
        model.validate(df, lazy=True)
        return []
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    header_key = {c.header: c.key for c in table.layout.columns}
    findings: list[Finding] = []
    done: set[tuple[str, int]] = set()
    # Cell checks first: a negative 合计累计 is reported as negative, and the row checks that
    # read it (合计 ≠ the steps' sum) then stand aside.
    cases = cases.assign(order_=(cases["schema_context"] != "Column").astype(int))
    cases = cases.sort_values("order_", kind="stable")
    for case in cases.itertuples(index=False):
        check = check_name(case.check)
        key = header_key.get(case.column)
        rule = rule_for(check, key)
        row = int(case.index) if pd.notna(case.index) else None
        if rule is None or row is None or (rule.target is None and key is None):
            # still shown; a row check pandera spread over the row's columns shown once
            spread = case.schema_context != "Column" and row is not None
            if spread and ("?" + check, row) in done:
                continue
            done.add(("?" + check, row))
            findings.append(_unmapped(table, check, key, row, case.failure_case))
            continue
        target = rule.target or key
        if (rule.code, row) in done and rule.target is not None:
            continue  # a row check spread over every column of the row: keep one
        done.add((rule.code, row))
        needed = (target, *rule.inputs)
        if planning and not rule.planning:
            continue
        if any(k not in table.columns for k in needed if k in header_key.values()):
            continue  # a column the rule reads is missing: file.header-changed says so
        if any((row, k) in taken for k in needed):
            continue
        params = {
            "header": table.layout.column(target).header,
            **(rule.params(df.loc[row]) if rule.params else {}),
        }
        tid = df.loc[row].get(TASKS.column("id").header) if table.name == TASKS.name else None
        findings.append(table.make(rule.code, row, target, task=tid, **params))
        taken.add((row, target))
    return findings


def _unmapped(table: Table, check: str, key: str | None, row: int | None, failure) -> Finding:
    family = FAMILY.get(table.name, "indicator")
    header = table.layout.column(key).header if key else "（整行）"
    value = (
        None if failure is None or (isinstance(failure, float) and pd.isna(failure)) else failure
    )
    if row is not None and key is not None:
        return table.make(
            f"{family}.check-failed", row, key, check=check, header=header, value=value
        )
    return make(
        f"{family}.check-failed", sheet=table.name, row=row, check=check, header=header, value=value
    )
