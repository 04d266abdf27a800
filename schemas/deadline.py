"""The completion-time grammar (完成时间 / 县级完成时限): any value a city or county writes
becomes a normalised Deadline, and two deadlines can be compared.

Reading rules (decisions, so the validator and the summary agree):
- `due` is the latest day that still counts as on time: 6月底前 → 06-30, 5月15日前 → 05-15
  (the named day is included), 6月上旬 → 06-10, 三季度 → 09-30, 上半年 → 06-30, 2022年 → 12-31.
- A multi-stage value ("2021年6月底前完成试点，2022年底前全面推广") is due at its latest stage;
  `milestones` lists every stage's due, sorted. A range ("2021年6月-12月", "2021—2022年") is
  due at its end; its beginning is kept in `start`.
- "X月前" (no 底/末) could mean the end of X or the end of the month before: read as the end
  of X and flagged `ambiguous`; so is "2022年前" and an Excel serial number typed as text.
- "自2021年6月起" has a start but no end: kind "ongoing", `start` set, `also_ongoing` True.
  A county that answers a dated city deadline this way has not given a deadline at all.
- `also_ongoing` means the value commits to continuing work (持续/长期/常态…, or a start with
  no end). It is True for 持续推进, for 已实现，持续巩固提升。 and for
  "2021年6月底前完成，持续推进" (dated).
- Values without a year (6月底前, 年底前, 上半年) take the most recent year written earlier in
  the same value, else the `year` argument, else they are unknown. A county's deadline is read
  beside the city's (deadline_rules.read_county), in the city deadline's year.
- 年中 is mid-year (due 06-30); 按季度, 按月, 即时, 随时 … are a rhythm of continuing work
  (ongoing).
- `past` marks a value that says when the work was done (已于2021年6月完成): a record, not a
  promise; the validator weighs it against a city 已实现 differently from a deadline.
- Excel numbers: integers 1990..2100 are bare years; 190001..210012 written as one number
  (202106) are a year and month, 19000101..21001231 (20210630) a day; other numbers are
  serial dates in the 1900 system (serial 1 = 1900-01-01, Excel's fictitious 1900-02-29 =
  serial 60 is read as 1900-02-28 and flagged) or, with `date1904`, the 1904 system (serial
  0 = 1904-01-01). A year of five digits or more (10000年6月底前) is not a date: unknown,
  never wrapped into the period's year.
- Nothing ever raises: anything unreadable is kind "unknown".
"""

from __future__ import annotations

import calendar
import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

Kind = Literal["dated", "ongoing", "achieved", "unknown"]
Precision = Literal["day", "xun", "month", "quarter", "half", "year"]


@dataclass(frozen=True)
class Deadline:
    raw: str
    kind: Kind
    due: date | None = None  # the latest day that still counts as on time
    precision: Precision | None = None
    milestones: tuple[date, ...] = ()  # every stage's due date of a multi-stage value, sorted
    also_ongoing: bool = False  # the value commits to continuing work, e.g. ……完成，持续推进
    ambiguous: bool = False  # e.g. 6月前: read as the end of June, flagged
    start: date | None = None  # first day of a range or of 自……起
    past: bool = False  # says when the work was done (已于2021年6月完成), not by when it will be

    @property
    def dated(self) -> bool:
        return self.kind == "dated" and self.due is not None


# --- parsing ----------------------------------------------------------------------------


def parse_deadline(value: Any, *, year: int | None = None, date1904: bool = False) -> Deadline:
    """Read one cell value (text, date, datetime, number or None) as a Deadline. Never raises."""
    try:
        return _parse(value, year, date1904)
    except Exception:  # noqa: BLE001 — the contract is "never raise"; unreadable is unknown
        return Deadline(_safe_str(value), "unknown")


def _safe_str(value: Any) -> str:
    try:
        return "" if value is None else str(value)
    except Exception:  # noqa: BLE001
        return ""


def _parse(value: Any, year: int | None, date1904: bool) -> Deadline:
    if value is None or isinstance(value, bool):
        return Deadline(_safe_str(value), "unknown")
    if isinstance(value, datetime):
        d = value.date()
        return Deadline(d.isoformat(), "dated", d, "day", (d,))
    if isinstance(value, date):
        return Deadline(value.isoformat(), "dated", value, "day", (value,))
    if isinstance(value, str):
        y = year if isinstance(year, int) and not isinstance(year, bool) else None
        return _parse_text(value, y, bool(date1904))
    if isinstance(value, numbers.Real | Decimal):
        return _parse_number(float(value), bool(date1904), ambiguous=False)
    return Deadline(_safe_str(value), "unknown")


def _number_raw(x: float) -> str:
    return str(int(x)) if math.isfinite(x) and abs(x) < 1e15 and x == int(x) else repr(x)


def _parse_number(x: float, date1904: bool, *, ambiguous: bool, raw: str | None = None) -> Deadline:
    raw = _number_raw(x) if raw is None else raw
    if not math.isfinite(x):
        return Deadline(raw, "unknown")
    if x == int(x) and 1990 <= x <= 2100:  # a bare year, not serial 1990 (= 1905)
        d = date(int(x), 12, 31)
        return Deadline(raw, "dated", d, "year", (d,))
    if x == int(x) and 100_000 <= x <= 99_999_999:  # six to eight digits: 202106, 20210630
        written = _written_number(x)
        if written is None:
            return Deadline(raw, "unknown")
        return Deadline(raw, "dated", written[0], written[1], (written[0],))
    if x > SERIAL_LAST:
        return Deadline(raw, "unknown")  # past 2100: no deadline of this plan
    d, fake = serial_to_date(x, date1904)
    if d is None:
        return Deadline(raw, "unknown")
    return Deadline(raw, "dated", d, "day", (d,), ambiguous=ambiguous or fake)


SERIAL_LAST = 73415  # 2100-12-31 in the 1900 system


def _written_number(x: float) -> tuple[date, Precision] | None:
    """202106 → (2021-06-30, month), 20210630 → (2021-06-30, day): a date typed as one number
    (Excel keeps it as a number, not as a serial)."""
    if x != int(x):
        return None
    n = int(x)
    try:
        if 190001 <= n <= 210012:
            y, m = divmod(n, 100)
            return _month_end(y, m), "month"
        if 19000101 <= n <= 21001231:
            y, md = divmod(n, 10000)
            return date(y, md // 100, md % 100), "day"
    except ValueError:  # 202113, 20210230: not a month or day
        return None
    return None


def serial_to_date(x: float, date1904: bool = False) -> tuple[date | None, bool]:
    """An Excel serial number as a date, and whether it was the fictitious 1900-02-29."""
    if not math.isfinite(x):
        return None, False
    n = math.floor(x)  # a fraction is the time of day
    try:
        if date1904:
            return (date(1904, 1, 1) + timedelta(n) if n >= 0 else None), False
        if n < 1:
            return None, False
        if n < 60:
            return date(1899, 12, 31) + timedelta(n), False
        if n == 60:  # Excel's 1900-02-29, which never was
            return date(1900, 2, 28), True
        return date(1899, 12, 30) + timedelta(n), False
    except OverflowError:
        return None, False


# Text normalisation: NFKC, then what NFKC leaves alone.
_DASHES = str.maketrans({c: "-" for c in "—–―‒−~〜﹣⁓"})
_SPACE = re.compile(r"\s+")
_TIME_OF_DAY = re.compile(r"(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?")  # 2021-06-30 00:00:00
_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_RUN = re.compile(r"[〇零○一二两三四五六七八九十廿卅]+(?=[年月日号季旬])")
_CN_TENS = re.compile(r"([一二两三四五六七八九])?([十廿卅])([一二三四五六七八九])?")
_ZERO_IN_NUMBER = re.compile(r"(?<=\d)[〇○]|[〇○](?=\d)")
_SHORT_YEAR = re.compile(r"(?<!\d)(\d{2})年(?=\d{1,2}月|底|末|内|上半年|下半年|第?\d季)")


def _cn_number(run: str) -> str:
    if not any(c in run for c in "十廿卅"):
        return "".join(str(_CN_DIGIT[c]) for c in run)
    m = _CN_TENS.fullmatch(run)
    if not m:
        return run
    tens = {"十": 1, "廿": 2, "卅": 3}[m.group(2)] * (_CN_DIGIT[m.group(1)] if m.group(1) else 1)
    return str(tens * 10 + (_CN_DIGIT[m.group(3)] if m.group(3) else 0))


def normalise(text: str) -> str:
    """The text as the grammar reads it: NFKC, no spaces, ASCII digits and dashes."""
    t = unicodedata.normalize("NFKC", text).translate(_DASHES).upper()
    t = _SPACE.sub("", _TIME_OF_DAY.sub("", t))
    t = _ZERO_IN_NUMBER.sub("0", t)
    t = _CN_RUN.sub(lambda m: _cn_number(m.group(0)), t)
    return _SHORT_YEAR.sub(r"20\1年", t)


_Y = r"(?P<y>\d{4})"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rx))
    for name, rx in (
        ("ymd", _Y + r"[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})(?!\d)[日号]?"),
        ("ymd", _Y + r"(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)"),
        ("month", _Y + r"(?P<m>[01]\d)(?![\d月年])"),
        ("ymd", r"(?:" + _Y + r"年)?(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]"),
        ("xun", r"(?:" + _Y + r"年)?(?P<m>\d{1,2})月份?(?P<x>上中旬|中下旬|上旬|中旬|下旬|初)"),
        ("month", r"(?:" + _Y + r"年)?(?P<m>\d{1,2})月份?(?P<end>底|末|终)?"),
        ("month", _Y + r"[-./](?P<m>\d{1,2})(?![\d])(?P<end>底|末)?"),
        ("half", r"(?:" + _Y + r"年?)?(?P<h>上半年|下半年|H1|H2)"),
        ("quarter", r"(?:" + _Y + r"年?)?(?:第(?P<q1>\d)季度?|(?P<q2>\d)季度|Q(?P<q3>\d))"),
        ("year", _Y + r"年(?P<end>底|末|终|内|度|初|中(?!旬))?"),
        (
            "year",
            r"(?:本|今|当)年(?P<end>底|末|终|内|度|初|中(?!旬))?|年(?P<rel>底|末|终|内|初|中(?!旬))",
        ),
        ("year", _Y + r"(?!\d)"),
    )
)
_STARTS = set("0123456789年本今当上下第QH")
_BEFORE = re.compile(r"之前|以前|前")
_FROM = re.compile(r"起|开始|以来|以后|之后")
_RANGE_GAP = {"-", "至", "到", "起至", "起到"}
_ONGOING = re.compile(
    r"持续|长期|常态|坚持|每年|每季|每月|逐年|定期|不断|动态|久久为功"
    r"|按(?:年度?|半年|季度?|月|周|旬)|即时|随时|实时"
)
# Says when the work was done: 已于2021年6月完成, 2021年6月已完成, 已在5月底前实现.
_PAST = re.compile(r"已经?(?:于|在)?[^，,;；]*?(?:完成|实现|建成|落实|达到|达成)")
# A run of five or more digits written as a year: not a date at all.
_LONG_YEAR = re.compile(r"\d{5,}(?=[年./-])")
_ACHIEVED = re.compile(r"已经?(?:全面)?(?:实现|完成|达到|达成|落实|建成|具备)")
_PURE_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass
class _Stage:
    start: int  # position in the normalised text
    end: int
    kind: str
    year: int | None  # explicit year written in this expression
    groups: dict[str, str | None]
    from_marker: bool = False  # 自……起: a beginning, not a deadline
    before: bool = False  # followed by 前


def _scan(t: str) -> list[_Stage]:
    stages: list[_Stage] = []
    i = 0
    while i < len(t):
        if t[i] not in _STARTS or (t[i].isdigit() and i > 0 and t[i - 1].isdigit()):
            i += 1
            continue
        for kind, rx in _PATTERNS:
            m = rx.match(t, i)
            if not m:
                continue
            g = m.groupdict()
            if g.get("rel") and i > 0 and (t[i - 1].isdigit() or t[i - 1] in "半个每全"):
                continue  # 两年内 / 半年内 / 每年底 are not "this year"
            y = int(g["y"]) if g.get("y") else None
            st = _Stage(i, m.end(), kind, y, g)
            st.from_marker = bool(_FROM.match(t, m.end()))
            st.before = bool(_BEFORE.match(t, m.end()))
            stages.append(st)
            i = m.end()
            break
        else:
            i += 1
    return stages


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _bounds(st: _Stage, y: int) -> tuple[date, date, str, bool] | None:
    """(first day, last on-time day, precision, ambiguous) of one expression in year y."""
    g = st.groups
    if not 1900 <= y <= 2100:
        return None
    match st.kind:
        case "ymd":
            d = date(y, int(g["m"]), int(g["d"]))
            return d, d, "day", False
        case "xun":
            m = int(g["m"])
            x = {"上中旬": "中旬", "中下旬": "下旬", "初": "上旬"}.get(g["x"], g["x"])
            first = {"上旬": 1, "中旬": 11, "下旬": 21}[x]
            last = _month_end(y, m) if x == "下旬" else date(y, m, first + 9)
            return date(y, m, first), last, "xun", g["x"] == "初"
        case "month":
            m = int(g["m"])
            ambiguous = st.before and not g.get("end")
            return date(y, m, 1), _month_end(y, m), "month", ambiguous
        case "half":
            first_half = g["h"] in ("上半年", "H1")
            if first_half:
                return date(y, 1, 1), date(y, 6, 30), "half", False
            return date(y, 7, 1), date(y, 12, 31), "half", False
        case "quarter":
            q = int(g.get("q1") or g.get("q2") or g.get("q3"))
            if not 1 <= q <= 4:
                return None
            return date(y, 3 * q - 2, 1), _month_end(y, 3 * q), "quarter", False
        case _:
            end = g.get("end") or g.get("rel")
            if end == "初":  # 年初: early in the year, read as the first quarter
                return date(y, 1, 1), date(y, 3, 31), "quarter", True
            if end == "中":  # 年中: mid-year, the first half's end
                return date(y, 1, 1), date(y, 6, 30), "half", False
            ambiguous = st.before and not end and st.year is not None
            return date(y, 1, 1), date(y, 12, 31), "year", ambiguous


def _resolve(st: _Stage, y: int | None) -> tuple[date, date, str, bool] | None:
    if y is None:
        return None
    try:
        return _bounds(st, y)
    except ValueError:  # 2月30日, 13月 …: not a date
        return None


@lru_cache(maxsize=4096)
def _parse_text(raw: str, year: int | None, date1904: bool) -> Deadline:
    t = normalise(raw).rstrip("。.")
    if not t or _LONG_YEAR.search(t):
        return Deadline(raw, "unknown")
    ongoing = bool(_ONGOING.search(t))
    if _PURE_NUMBER.fullmatch(t) and 20000 <= float(t) <= 80000:
        # a serial number stored as text (1954..2119): readable, but flagged
        return _parse_number(float(t), date1904, ambiguous=True, raw=raw)

    dues: list[tuple[date, date, str, bool]] = []  # (start, due, precision, ambiguous)
    starts: list[date] = []
    unresolved = False
    context = year
    prev: tuple[_Stage, tuple[date, date, str, bool]] | None = None
    for st in _scan(t):
        y = st.year if st.year is not None else context
        b = _resolve(st, y)
        if b is None:
            unresolved = unresolved or not st.from_marker
            prev = None
            continue
        if st.year is not None:
            context = st.year
        gap = t[prev[0].end : st.start] if prev else None
        if prev and gap in _RANGE_GAP:
            first = prev[1]
            if b[1] < first[0] and st.year is None:  # 2021年11月-2月: into the next year
                b = _resolve(st, y + 1) or b
            if not prev[0].from_marker and dues and dues[-1] == first:
                dues.pop()  # the range's beginning is not a stage of its own
            starts.append(first[0])
        if st.from_marker:
            starts.append(b[0])
        else:
            dues.append(b)
        prev = (st, b)

    start = min(starts) if starts else None
    if dues:
        last = max(dues, key=lambda s: s[1])
        milestones = tuple(sorted({s[1] for s in dues}))
        if start is not None and start > last[1]:
            start = None  # a beginning after the end (2021年6月起，2020年底前) says nothing
        return Deadline(raw, "dated", last[1], last[2], milestones, ongoing,
                        any(s[3] for s in dues), start, bool(_PAST.search(t)))  # fmt: skip
    if unresolved:
        return Deadline(raw, "unknown")
    if _ACHIEVED.search(t):
        return Deadline(raw, "achieved", also_ongoing=ongoing)
    if start is not None:
        return Deadline(raw, "ongoing", also_ongoing=True, start=start)
    if ongoing:
        return Deadline(raw, "ongoing", also_ongoing=True)
    return Deadline(raw, "unknown")
