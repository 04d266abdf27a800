"""One pandera DataFrameSchema per data sheet (SPEC §2.2–2.4), columns named by the Chinese
headers, over frames that addin/frames.py has already typed cell by cell (pandera never
coerces: FACTS says coercion of bad text gives raw errors with no row). The frame index is the
Excel row, so every failure maps to a cell.

Custom checks are plain functions given to pa.Check with stable names; addin/pandera_map.py
maps each name to a finding code and the one cell to fix. They are deliberately not registered
with pandera.extensions.register_check_method: that imports pandera.strategies and with it
hypothesis (~50 ms of every cold start) for data generation we never use. Row checks return True where an input is missing: a
missing or unreadable cell is reported by its own rule, not again by the rules using it.
Columns starting with "_" are context the validator adds (deadlines, reference limits)."""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa

from schemas.plausible import says_nothing
from schemas.reference import load
from schemas.sheets import BEHIND_STATUSES, CONNECTION, RELIABILITY, SANLING, STATUSES, TASKS

T = {c.key: c.header for c in TASKS.columns}
C = {c.key: c.header for c in CONNECTION.columns}
R = {c.key: c.header for c in RELIABILITY.columns}
S = {c.key: c.header for c in SANLING.columns}
STEP_HEADERS = tuple(C[f"step:{s}"] for s in load().steps)

MIN_PROGRESS_CHARS = 10
ON_TRACK_STATUSES = ("序时推进", "持续推进")
TOTAL_TOLERANCE = 0.5  # 合计累计 may differ from the steps' sum by rounding (SPEC: ±0.5)

# ---------------------------------------------------------------- phone numbers

_EXTENSION = re.compile(r"(转|分机|ext\.?|x|-)\d{1,6}$", re.IGNORECASE)
_MOBILE = re.compile(r"^(\+?86|0086)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(\(0\d{2,3}\)|0\d{2,3}-?)\d{7,8}$")


def _one_phone(part: str) -> bool:
    s = re.sub(r"[\s\u2010-\u2015]", "", part).replace("（", "(").replace("）", ")")
    if _MOBILE.match(s.replace("-", "")):
        return True
    if _LANDLINE.match(s):
        return True
    bare = _EXTENSION.sub("", s)
    return bare != s and bool(_LANDLINE.match(bare))


def valid_phone(value: object) -> bool:
    """A mainland mobile (1[3-9] + 9 digits; spaces, dashes, +86 allowed) or a landline with
    its area code (0537-3991618, 05373991618, (0537)3991618; extension allowed); several
    numbers may be listed, separated by 、，,；; or /."""
    parts = [p for p in re.split(r"[、，,；;/]+", str(value)) if p.strip()]
    return bool(parts) and all(_one_phone(p) for p in parts)


# ---------------------------------------------------------------- the checks


# name → the plain function: the schemas below wrap them in pa.Check, and addin.validate.pandera_map
# evaluates a clean sheet with them directly, without pandera's per-check bookkeeping.
CHECK_FUNCTIONS: dict[str, object] = {}


def _register(fn):
    CHECK_FUNCTIONS[fn.__name__] = fn
    return fn


@_register
def whole_number(s: pd.Series) -> pd.Series:
    return s.isna() | (s % 1 == 0)


@_register
def phone_number(s: pd.Series) -> pd.Series:
    return s.isna() | s.map(lambda v: v is None or valid_phone(v)).astype(bool)


def _blank(s: pd.Series) -> pd.Series:
    """Empty, or only words that say nothing (无, 暂无, /, 同上 …): where a text is required
    they count as empty (SPEC §2.5)."""
    # one pass in Python over a few dozen cells: a fraction of what a pandas .map costs
    flags = [v is None or v != v or v == "" or says_nothing(v) for v in s.to_numpy(object)]
    return pd.Series(flags, index=s.index, dtype=bool)


@_register
def progress_long_enough(s: pd.Series) -> pd.Series:
    # words that say nothing are not short progress but none: progress_needed reports them
    return s.isna() | (s.str.len() >= MIN_PROGRESS_CHARS) | _blank(s)


@_register
def done_needs_date(df: pd.DataFrame) -> pd.Series:
    return (df[T["status"]] != "已完成") | df[T["done_date"]].notna() | df["_done_date_bad"]


@_register
def date_needs_done(df: pd.DataFrame) -> pd.Series:
    done = df[T["status"]].isin(("已完成", "已实现持续巩固"))
    return df[T["done_date"]].isna() | done | ~df[T["status"]].isin(STATUSES)


@_register
def behind_needs_problems(df: pd.DataFrame) -> pd.Series:
    return ~df[T["status"]].isin(BEHIND_STATUSES) | ~_blank(df[T["problems"]])


@_register
def behind_needs_plan(df: pd.DataFrame) -> pd.Series:
    return ~df[T["status"]].isin(BEHIND_STATUSES) | ~_blank(df[T["plan"]])


@_register
def progress_needed(df: pd.DataFrame) -> pd.Series:
    status = df[T["status"]]
    exempt = status.isin(("未启动", "不适用")) | ~status.isin(STATUSES)
    return exempt | ~_blank(df[T["progress"]])


@_register
def overdue_not_on_schedule(df: pd.DataFrame) -> pd.Series:
    # 序时推进 and 持续推进 both say the task is on track; past its deadline it is behind
    on_track = df[T["status"]].isin(ON_TRACK_STATUSES)
    return ~on_track | ~df["_overdue"].fillna(False).astype(bool)


@_register
def total_matches_steps(df: pd.DataFrame) -> pd.Series:
    steps = df[list(STEP_HEADERS)]
    given = steps.notna().any(axis=1)
    diff = (steps.sum(axis=1, min_count=1) - df[C["total"]]).abs()
    return df[C["total"]].isna() | ~given | (diff <= TOTAL_TOLERANCE)


@_register
def longest_not_below_average(df: pd.DataFrame) -> pd.Series:
    n, total, longest = df[C["connections"]], df[C["total"]], df[C["longest"]]
    ok = longest >= total / n - 1e-9
    return n.isna() | (n <= 0) | total.isna() | longest.isna() | ok


@_register
def longest_not_above_total(df: pd.DataFrame) -> pd.Series:
    total, longest = df[C["total"]], df[C["longest"]]
    return total.isna() | longest.isna() | (longest <= total + 1e-9)


@_register
def over_limit_within_connections(df: pd.DataFrame) -> pd.Series:
    n, over = df[C["connections"]], df[C["over_limit"]]
    return n.isna() | over.isna() | (over <= n)


@_register
def longest_over_limit_counted(df: pd.DataFrame) -> pd.Series:
    longest, over = df[C["longest"]], df[C["over_limit"]]
    return longest.isna() | over.isna() | (longest <= df["_limit"]) | (over > 0)


@_register
def sums_need_connections(df: pd.DataFrame) -> pd.Series:
    sums = df[[*STEP_HEADERS, C["total"], C["longest"]]].fillna(0)
    return df[C["connections"]].isna() | (df[C["connections"]] != 0) | (sums == 0).all(axis=1)


@_register
def over_limit_explained(df: pd.DataFrame) -> pd.Series:
    over = df[C["over_limit"]]
    return over.isna() | (over <= 0) | ~_blank(df[C["note"]])


@_register
def outage_within_year(df: pd.DataFrame) -> pd.Series:
    n, hours = df[R["customers"]], df[R["outage_hours"]]
    return n.isna() | (n <= 0) | hours.isna() | (hours / n <= load().hours_in_year)


@_register
def target_met_or_explained(df: pd.DataFrame) -> pd.Series:
    n, hours = df[R["customers"]], df[R["outage_hours"]]
    last_n, last_hours = df[R["last_customers"]], df[R["last_outage_hours"]]
    average = hours / n
    last_average = last_hours / last_n
    met = (average <= df["_target"]) | (average <= last_average * (1 - load().yoy_cut))
    unknown = n.isna() | (n <= 0) | hours.isna()
    return unknown | met.fillna(False).astype(bool) | ~_blank(df[R["note"]])


@_register
def whole_where_counted(df: pd.DataFrame) -> pd.Series:
    v = df[S["value"]]
    return v.isna() | ~df["_whole"].astype(bool) | (v % 1 == 0)


@_register
def part_within_total(df: pd.DataFrame) -> pd.Series:
    v, total = df[S["value"]], df["_part_total"]
    return v.isna() | total.isna() | (v <= total)


@_register
def within_applications(df: pd.DataFrame) -> pd.Series:
    v, limit = df[S["value"]], df["_at_most"]
    return v.isna() | limit.isna() | (v <= limit)


# ---------------------------------------------------------------- the models


def _checks(*names: str) -> list[pa.Check]:
    """Checks by registered name: the stable name is what the failure table's `check` column
    shows and what addin/pandera_map.py maps to a finding code."""
    return [pa.Check(CHECK_FUNCTIONS[n], name=n) for n in names]


def _text(checks=()) -> pa.Column:
    return pa.Column(str, nullable=True, checks=list(checks))


def _label() -> pa.Column:
    return pa.Column(str, nullable=False)


def _amount(*custom: str, gt: bool = False) -> pa.Column:
    bound = pa.Check.greater_than(0) if gt else pa.Check.greater_than_or_equal_to(0)
    return pa.Column(float, nullable=True, checks=[bound, *_checks(*custom)])


def _schema(name: str, columns: dict[str, pa.Column], checks: list[str]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        columns, checks=_checks(*checks), strict=False, coerce=False, name=name
    )


TasksModel = _schema(
    "TasksModel",
    {
        T["id"]: _label(),
        T["county_units"]: _text(),
        T["county_due"]: _text(),
        T["status"]: _text([pa.Check.isin(list(STATUSES))]),
        T["done_date"]: pa.Column(pa.DateTime, nullable=True),
        T["progress"]: _text(_checks("progress_long_enough")),
        T["problems"]: _text(),
        T["plan"]: _text(),
        T["phone"]: _text(_checks("phone_number")),
    },
    [
        "done_needs_date",
        "date_needs_done",
        "behind_needs_problems",
        "behind_needs_plan",
        "progress_needed",
        "overdue_not_on_schedule",
    ],
)

ConnectionModel = _schema(
    "ConnectionModel",
    {
        C["type"]: _label(),
        C["connections"]: _amount("whole_number"),
        **{header: _amount() for header in STEP_HEADERS},
        C["total"]: _amount(),
        C["longest"]: _amount(),
        C["over_limit"]: _amount("whole_number"),
    },
    [
        "total_matches_steps",
        "longest_not_below_average",
        "longest_not_above_total",
        "over_limit_within_connections",
        "longest_over_limit_counted",
        "sums_need_connections",
        "over_limit_explained",
    ],
)

ReliabilityModel = _schema(
    "ReliabilityModel",
    {
        R["area"]: _label(),
        R["customers"]: _amount("whole_number", gt=True),
        R["outage_hours"]: _amount(),
        R["outages"]: _amount("whole_number"),
        R["last_customers"]: _amount("whole_number", gt=True),
        R["last_outage_hours"]: _amount(),
    },
    ["outage_within_year", "target_met_or_explained"],
)

SanlingModel = _schema(
    "SanlingModel",
    {S["indicator"]: _label(), S["value"]: _amount()},
    ["whole_where_counted", "part_within_total", "within_applications"],
)

MODELS = {
    TASKS.name: TasksModel,
    CONNECTION.name: ConnectionModel,
    RELIABILITY.name: ReliabilityModel,
    SANLING.name: SanlingModel,
}
