"""Cell values read as a person reads them (SPEC §2): spaces (full-width and no-break too) do
not count, full-width digits and punctuation equal their ASCII forms, a number stored as text
is a number, a date may be a date cell, an Excel serial number or text in the usual Chinese
forms. Every parser returns (value, problem): problem is None when the cell was read (an
empty cell reads as None), otherwise a short code the caller turns into exactly one finding,
so that checks depending on the cell can skip it."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from schemas import plausible
from schemas.sheets import STATUSES

# Problems a parser reports (the caller maps each to a finding code of its sheet's family).
NOT_NUMBER = "not-number"
NOT_DATE = "not-date"
NOT_STATUS = "not-status"

# NFKC turns U+3000 and U+00A0 into ASCII spaces; these remain after it and still read as
# nothing to a person: zero-width space/joiners and the byte-order mark.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# Characters NFKC leaves alone that people type for their ASCII look-alikes in numbers/dates.
_LOOKALIKE = str.maketrans({"。": ".", "－": "-", "—": "-", "–": "-", "～": "~"})


def text(value: Any) -> str:
    """The cell as a person reads it: NFKC, invisible characters dropped, stripped; numbers
    without a spurious .0; dates as ISO; empty → ""."""
    if type(value) is str:  # most cells: skip the type tests below
        return _text_of(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if not math.isfinite(value):  # a NaN or infinite cell holds something, not a number
            return "NaN" if math.isnan(value) else ("-" if value < 0 else "") + "Infinity"
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return _text_of(str(value))


# A return reads the same few hundred strings (headers, statuses, unit names) several times
# each, and a batch reads the same ones in every return: cached (bounded) by their text.
@lru_cache(maxsize=16384)
def _text_of(value: str) -> str:
    return unicodedata.normalize("NFKC", value).translate(_INVISIBLE).strip()


# What is shown and carried (messages, Finding.value, Return texts) is what the county typed:
# only the surrounding whitespace (full-width and no-break too) and invisible characters go.
# The NFKC form of text() is for comparing only.
_EDGES = re.compile(r"^[\s\u200b\u200c\u200d\u2060\ufeff]+|[\s\u200b\u200c\u200d\u2060\ufeff]+$")


def shown(value: Any) -> str:
    """The cell as the county typed it, for display: text stripped at both ends only; numbers
    and dates as text() writes them."""
    if type(value) is str:
        return _shown_of(value)
    return text(value)


@lru_cache(maxsize=16384)
def _shown_of(value: str) -> str:
    return _EDGES.sub("", value)


_SPACES = re.compile(r"\s+")


def compact(value: Any) -> str:
    """Text with every whitespace removed, for comparing against the catalogue."""
    if type(value) is str:  # the catalogue's long task texts are compared in every return
        return _compact_of(value)
    return _SPACES.sub("", text(value))


@lru_cache(maxsize=16384)
def _compact_of(value: str) -> str:
    return _SPACES.sub("", _text_of(value))


def is_blank(value: Any) -> bool:
    return text(value) == ""


def says_nothing(value: Any) -> bool:
    """Empty, or only a word that says nothing (无, 暂无, /, 同上 … schemas/data/words.toml):
    where a text is required, it counts as empty (SPEC §2.5)."""
    return plausible.says_nothing(text(value))


def typed_note(value: Any) -> str:
    """What a "not filled" message adds when the cell is not empty but says nothing: the
    words typed, quoted, so the officer sees why they do not count."""
    shown_ = shown(value)
    return f"（填的“{shown_}”不算内容）" if shown_ else ""


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[+-]?\.\d+$")


def number(value: Any, units: tuple[str, ...] = ()) -> tuple[float | None, str | None]:
    """A number from a number cell or text such as "1,200", " 12 ", "１２"; "十二" is not.
    With `units` (the column's unit, e.g. ("户",)), text ending in one of them is read without
    it: "100000户", "5,699 户", "12.5万元"; any other text is still not a number."""
    found, problem = _number(value)
    if problem and units and isinstance(value, str):
        s = text(value)
        for unit in units:
            if s.endswith(unit) and len(s) > len(unit):
                return _number(s[: -len(unit)])
    return found, problem


def _number(value: Any) -> tuple[float | None, str | None]:
    if value is None or isinstance(value, bool):
        return (None, None) if value is None else (None, NOT_NUMBER)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, NOT_NUMBER  # NaN or infinity: something is there, and not a number
        return float(value), None
    if isinstance(value, (date, datetime, time)):
        return None, NOT_NUMBER
    s = text(value).translate(_LOOKALIKE).replace(" ", "")
    if s == "":
        return None, None
    if not _NUMBER.match(s):
        return None, NOT_NUMBER
    result = float(s.replace(",", ""))
    return (result, None) if math.isfinite(result) else (None, NOT_NUMBER)


def whole(value: float | None) -> int | float | None:
    """A float that is whole becomes an int (counts); others are left as they are."""
    if value is not None and float(value).is_integer():
        return int(value)
    return value


# Excel serial day 0 in the 1900 system is 1899-12-30 (it counts the fictitious 1900-02-29);
# in the 1904 system day 0 is 1904-01-01.
_EPOCH_1900 = date(1899, 12, 30)
_EPOCH_1904 = date(1904, 1, 1)
# Serial numbers read as dates only in a plausible range (1990..2100), so a count typed in a
# date column is not silently taken for a day in 1900.
_SERIAL_MIN, _SERIAL_MAX = 32874, 73415

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})[./\-](\d{1,2})[./\-](\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


_TIME_PART = re.compile(r"(?<=\d)[\sT]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def serial_date(serial: float, date1904: bool = False) -> date | None:
    epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
    days = serial + (1462 if date1904 else 0)  # compare the range in 1900-system days
    if not _SERIAL_MIN <= days <= _SERIAL_MAX:
        return None
    return epoch + timedelta(days=int(serial))


def _month_end(y: int, m: int) -> date:
    return date(y, 12, 31) if m == 12 else date(y, m + 1, 1) - timedelta(days=1)


DATE_YEARS = (1900, 9999)  # a date outside these is not a date, never wrapped into them


def _ymd(y: int, m: int, d: int) -> date | None:
    if not DATE_YEARS[0] <= y <= DATE_YEARS[1]:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def to_date(value: Any, date1904: bool = False) -> tuple[date | None, str | None]:
    """A date from a date cell, an Excel serial number (1900 or 1904 system) or text:
    2021年5月20日, 2021.5.20, 2021/5/20, 2021-05-20, 20210520 (a time part is dropped)."""
    if value is None:
        return None, None
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return (day, None) if day.year >= DATE_YEARS[0] else (None, NOT_DATE)
    if isinstance(value, (bool, time)):
        return None, NOT_DATE
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, NOT_DATE
        if float(value).is_integer() and 19000101 <= value <= 21001231:
            return _from_text(str(int(value)))
        found = serial_date(float(value), date1904)
        return (found, None) if found else (None, NOT_DATE)
    s = _TIME_PART.sub("", text(value)).translate(_LOOKALIKE).replace(" ", "")
    if s == "":
        return None, None
    return _from_text(s)


_SHORT_YMD = re.compile(r"^(\d{2})[./\-](\d{1,2})[./\-](\d{1,2})$")
# What may follow a done date (2021年6月30日完成) and what the date itself may be made of: any
# other word (计划…, 预计…) is not a completion date.
_DONE_WORDS = re.compile(r"(?:已经?完成|完成|完工|办结|之前|以前|前|止)+$")
_DATE_CHARS = re.compile(r"^[\d年月日号底末./\-]+$")


def done_date(value: Any, date1904: bool = False, year: int | None = None):
    """完成日期 read leniently, as an officer writes it: what to_date reads, and also a date
    without its year (6月30日 → the period's `year`), a month (2021年6月 → its last day), a date
    followed by words (2021年6月30日完成) and a two-digit year (21.6.30). The deadline grammar
    reads the words; a range, a coarser span (上半年) or an ambiguous value is still not a date."""
    found, problem = to_date(value, date1904)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if problem == NOT_DATE and number and float(value).is_integer() and 190001 <= value <= 210012:
        y, m = divmod(int(value), 100)  # 202106: a month, as typed, not a serial
        return (_month_end(y, m), None) if 1 <= m <= 12 else (None, NOT_DATE)
    if problem != NOT_DATE or not isinstance(value, str):
        return found, problem
    s = text(value).translate(_LOOKALIKE).replace(" ", "")
    m = _SHORT_YMD.match(s)
    if m:
        found = _ymd(2000 + int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return (found, None) if found else (None, NOT_DATE)
    s = _DONE_WORDS.sub("", s)
    if not _DATE_CHARS.match(s):
        return None, NOT_DATE
    found, problem = _from_text(s)
    if problem is None:
        return found, None
    from schemas.deadline import parse_deadline  # only for the rare text to_date cannot read

    d = parse_deadline(s, year=year)
    single = d.dated and len(d.milestones) == 1 and d.start is None and not d.ambiguous
    if single and d.precision in ("day", "month") and not d.also_ongoing:
        return d.due, None
    return None, NOT_DATE


def _from_text(s: str) -> tuple[date | None, str | None]:
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            found = _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return (found, None) if found else (None, NOT_DATE)
    return None, NOT_DATE


# Conservative status reading: only spaces and punctuation may differ from the listed
# statuses (so 已实现，持续巩固 reads as 已实现持续巩固); any other wording is not guessed at,
# because a wrong guess would silently change what the county reported.
_STATUS_NOISE = re.compile(r"[\s,，、。.;；:：!！]+")
# The city's own wording of the achieved status (完成时间 of tasks 1–12: 已实现，持续巩固提升。)
# copied into 完成状态 says the same thing: read it as 已实现持续巩固.
_STATUS_KEYS = {s: s for s in STATUSES} | {"已实现持续巩固提升": "已实现持续巩固"}


def status(value: Any) -> tuple[str | None, str | None]:
    s = _STATUS_NOISE.sub("", text(value))
    if s == "":
        return None, None
    found = _STATUS_KEYS.get(s)
    return (found, None) if found else (None, NOT_STATUS)
