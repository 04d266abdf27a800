"""Deadlines against each other, as the plan reads them (SPEC §2.2, §2.5): a county's
县级完成时限 read beside the city's 完成时间, the deadline a task is held to, later-than, and
the words a message uses for a deadline. The validator and the summary use these same
functions, so they cannot read a task differently (the grammar itself is schemas/deadline.py)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from schemas.deadline import Deadline, normalise, parse_deadline


def read_county(
    value: Any, city: Deadline | None, *, year: int | None = None, date1904: bool = False
) -> Deadline:
    """A county's 县级完成时限 as the plan reads it, beside the city's 完成时间 `city` (None
    for a local task). A value without a year takes the city deadline's year (`year`, the
    period's, only when the city gave no date); against a city 持续推进, a year-less 年中 is
    the rhythm of the continuing work (每年年中), not a deadline that falls due."""
    in_year = city.due.year if city is not None and city.dated and city.due else year
    county = parse_deadline(value, year=in_year, date1904=date1904)
    if (
        city is not None
        and city.kind == "ongoing"
        and county.dated
        and isinstance(value, str)
        and "年中" in (t := normalise(value))
        and not re.search(r"\d{4}", t)
    ):
        return Deadline(county.raw, "ongoing", also_ongoing=True)
    return county


def later_than(county: Deadline, city: Deadline, *, achieved_by: date | None = None) -> bool | None:
    """Is the county's deadline later than the city's (which SPEC forbids)?

    - city ongoing or unknown: None — the city set no date to exceed, so any county value is
      acceptable.
    - city achieved (已实现，持续巩固提升。): the city says the work was done when the plan was
      issued. With `achieved_by` (the plan's issue date) that is a date: a dated county value
      after it is later (True); the county's own 已实现…/持续推进 is fine (False). Without
      `achieved_by`: None, as for ongoing.
    - county unknown: None — the county's value is unreadable; that is reported once, by
      whoever parses it, not again as "later".
    - city dated, county ongoing (持续推进, 自2021年6月起 …): True — an open-ended answer
      replaces a dated deadline with none, which is later than any date.
    - city dated, county achieved (已实现): False — done already is never late.
    - both dated: county.due > city.due (a coarser county value such as 2021年6月 against
      the city's 2021年6月15日前 is later, since its last on-time day is later).
    """
    if county.kind == "unknown":
        return None
    if city.kind == "achieved" and achieved_by is not None:
        return county.dated and county.due > achieved_by
    if not city.dated:
        return None
    if county.kind == "achieved":
        return False
    if not county.dated:
        return True
    return county.due > city.due


def compare(a: Deadline, b: Deadline) -> int | None:
    """-1, 0 or 1 by due date when both are dated, else None (not comparable)."""
    if not (a.dated and b.dated):
        return None
    return (a.due > b.due) - (a.due < b.due)


def held_to(county: Deadline | None, city: Deadline | None) -> Deadline | None:
    """The deadline a task is held to (SPEC §2.5): the county's when it gives a date or says
    the work is achieved, else the city's when dated (a county's 持续推进 does not lift the
    city's date). None when the county's is missing or unreadable and the city gave no date."""
    if county is not None and (county.dated or county.kind == "achieved"):
        return county
    if county is not None and city is not None and city.dated:
        return city
    return None


def due_by(deadline: Deadline, as_of: date) -> bool:
    """True when the deadline is dated and falls on or before `as_of` (到期)."""
    return deadline.dated and deadline.due <= as_of


_CN_QUARTER = "一二三四"


def describe(deadline: Deadline) -> str:
    """The deadline in the words an officer would write, for messages and hints."""
    d = deadline.due
    if deadline.dated and d is not None:
        match deadline.precision:
            case "day":
                return f"{d.year}年{d.month}月{d.day}日"
            case "xun":
                part = {10: "上旬", 20: "中旬"}.get(d.day, "下旬")
                return f"{d.year}年{d.month}月{part}"
            case "month":
                return f"{d.year}年{d.month}月底"
            case "quarter":
                return f"{d.year}年第{_CN_QUARTER[(d.month - 1) // 3]}季度末"
            case "half":
                return f"{d.year}年{'上' if d.month <= 6 else '下'}半年"
            case _:
                return f"{d.year}年底"
    return {"ongoing": "持续推进", "achieved": "已实现"}.get(deadline.kind, deadline.raw)
