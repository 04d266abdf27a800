"""Responsible units (责任单位): split a county's 县级责任单位 into units, recognise each unit's
role from the keywords in `schemas/data/roles.toml`, read the city's 责任单位 into the roles it
requires of a county, and tell what kind of name each unit is: the county's own, another
county's office, the city's, or the city's generic wording copied (SPEC §2.5, last paragraph).

Decisions:
- A unit is a government department when one of its roles is (roles.toml `government`), or,
  when no keyword matches at all, when its name ends like a government body (roles.toml
  `names.government_endings`). So 县市场监督管理局 counts as 其他相关政府部门 although no role
  lists it, while 县供电公司 never does. Township wording (各镇街, 各乡镇（街道）) at the end of a
  name is a government unit (人民政府). A name ending like a company (兖州煤业股份有限公司) is
  an enterprise: recognised, not government.
- 其他相关政府部门 means a government department other than the power department: it is met
  by a government unit with at least one role besides 电力主管部门 (or no keyword role at
  all), never by 县发改局 alone.
- Another county's unit is a government office or supply company whose name names another
  reporting unit and not the own one. Zone words (经开区, 高新区) alone name no reporting unit:
  every county has its own zones. An enterprise carrying a county's name is nobody's office.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from schemas.reference import _read, load

POWER = "电力主管部门"
SUPPLY = "供电企业"
OTHER_GOVERNMENT = "其他相关政府部门"

# Where a name ends like an organisation: safe to split 和/及/与 between two such names.
_UNIT_ENDINGS = ("局", "委", "办", "中心", "公司", "所", "政府", "管委会", "部门", "大队", "办公室",
                 "委员会", "办事处", "集团", "站", "企业")  # fmt: skip
# Split on the text as typed (the units are carried as the county wrote them), so the
# full-width forms that NFKC would fold are listed too.
_SEPARATORS = set("、,;/\n\r\t，；／﹐﹑﹔")
_OPEN, _CLOSE = "([【〔《<（［〈＜﹙", ")]】〕》>）］〉＞﹚"
_NOISE = re.compile(
    r"(?:按职责分工负责|按职责负责|分工负责|牵头负责|配合|负责|牵头|等单位|等部门|等)+$"
)
_JOINERS = re.compile(r"以及|和|及|与")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@cache
def _keywords() -> tuple[tuple[str, bool, tuple[str, ...]], ...]:
    """(role, government, NFKC keywords) from roles.toml, read once."""
    return tuple((r.name, r.government, tuple(_nfkc(k) for k in r.keywords)) for r in load().roles)


@cache
def _names() -> dict[str, tuple[str, ...]]:
    """roles.toml [names]: endings, township and zone words, the city's wording, NFKC."""
    return {k: tuple(_nfkc(w) for w in v) for k, v in _read("roles.toml")["names"].items()}


TOWNSHIP_ROLE = "人民政府"


# The functions below are pure functions of a short string and are called a few hundred times
# per return on the same few dozen unit names (measured: a third of a return's validation time
# before caching). The caches hold immutable results; the public functions hand out copies.


@lru_cache(maxsize=4096)
def _roles_of(unit: str) -> frozenset[str]:
    name = _nfkc(unit).strip()
    found = {role for role, _, words in _keywords() if any(w in name for w in words)}
    if name.endswith(_names()["township"]):
        found.add(TOWNSHIP_ROLE)
    return frozenset(found)


def roles_of(unit: str) -> set[str]:
    """The roles whose keywords occur in the unit's name."""
    return set(_roles_of(unit))


@lru_cache(maxsize=4096)
def is_government(unit: str) -> bool:
    """A government department: a government role, or (no role at all) a government-like name."""
    roles = _roles_of(unit)
    if roles:
        gov = {role for role, government, _ in _keywords() if government}
        return bool(roles & gov)
    return _nfkc(unit).strip().endswith(_names()["government_endings"])


def is_enterprise(unit: str) -> bool:
    """A company or the like that no role names (兖州煤业股份有限公司): recognised, not government."""
    return not _roles_of(unit) and _nfkc(unit).strip().endswith(_names()["enterprise_endings"])


def recognised(unit: str) -> bool:
    """The kind of the unit is known: a role, a government-like name or an enterprise."""
    return bool(_roles_of(unit)) or is_government(unit) or is_enterprise(unit)


@lru_cache(maxsize=4096)
def is_generic(unit: str) -> bool:
    """The city's own wording (各供电企业, 各县（市、区）电力主管部门 …): no county unit named."""
    name = _nfkc(unit).strip()
    names = _names()
    return name in names["generic"] or name.startswith(names["generic_starts"])


@lru_cache(maxsize=4096)
def is_city_level(unit: str) -> bool:
    """A unit of the city (济宁市…, 国网济宁供电公司, 市能源局) that names no reporting unit."""
    name = _nfkc(unit).strip()
    return name.startswith(_names()["city_starts"]) and not _units_named(unit)


def _looks_like_unit(text: str) -> bool:
    return bool(text) and (bool(_roles_of(text)) or text.endswith(_UNIT_ENDINGS))


def _split_top(text: str) -> list[str]:
    """Split on separators and spaces, but never inside brackets (各县（市、区）…)."""
    parts, buf, depth = [], [], 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and (ch in _SEPARATORS or ch.isspace()):
            parts.append("".join(buf))
            buf = []
            if ch.isspace():
                parts.append(" ")  # a space splits only between two unit-like names
            continue
        buf.append(ch)
    parts.append("".join(buf))
    out: list[str] = []
    pending_space = False
    for part in parts:
        if part == " ":
            pending_space = True
            continue
        if not part:
            continue
        if pending_space and out and not (_looks_like_unit(out[-1]) and _looks_like_unit(part)):
            out[-1] += part  # 国网 济宁供电公司: one name broken by a space
        else:
            out.append(part)
        pending_space = False
    return out


def _split_joined(part: str) -> list[str]:
    """Split on 和/及/与 only where both sides read as units (not 住房和城乡建设局)."""
    for m in _JOINERS.finditer(part):
        left, right = _clean(part[: m.start()]), part[m.end() :]
        if _looks_like_unit(left) and _looks_like_unit(_clean(right)):
            return [left, *_split_joined(right)]
    return [part]


def _clean(part: str) -> str:
    return _NOISE.sub("", part.strip()).strip()


def split_units(text: object) -> list[str]:
    """The units named in a 县级责任单位 (or 责任单位) cell, in order, without duplicates
    (compared in NFKC form), each as typed: the role and county functions fold it."""
    if text is None:
        return []
    return list(_split_units(str(text)))


@lru_cache(maxsize=4096)
def _split_units(text: str) -> tuple[str, ...]:
    units: list[str] = []
    seen: set[str] = set()
    for part in _split_top(text):
        for unit in _split_joined(_clean(part)):
            unit = _clean(unit)
            if unit and _nfkc(unit) not in seen:
                seen.add(_nfkc(unit))
                units.append(unit)
    return tuple(units)


@dataclass(frozen=True)
class Required:
    roles: frozenset[str] = frozenset()
    any_government: bool = False


@lru_cache(maxsize=256)
def required_roles(city_units_text: str) -> Required:
    """What the city's 责任单位 asks of a county, from the phrases in roles.toml.

    各县（市、区）电力主管部门 → {电力主管部门}; 各供电企业 → {供电企业}; 其他相关政府部门 →
    any_government; 市能源局 alone → nothing (the city's own bureau).
    """
    text = _nfkc(city_units_text or "")
    roles: set[str] = set()
    any_government = False
    for req in load().requirements:
        if _nfkc(req.phrase) in text:
            roles.update(req.roles)
            any_government = any_government or req.any_government
    return Required(frozenset(roles), any_government)


def _other_government(unit: str) -> bool:
    return is_government(unit) and _roles_of(unit) != {POWER}


def missing_roles(county_units: list[str], required: Required) -> list[str]:
    """The required roles no county unit covers, in roles.toml order; an unmet
    any_government is reported as 其他相关政府部门 (see the module docstring)."""
    covered: set[str] = set()
    for unit in county_units:
        covered |= _roles_of(unit)
    order = [role for role, _, _ in _keywords()]
    missing = [r for r in order if r in required.roles and r not in covered]
    missing += sorted(required.roles - set(order) - covered)  # roles.toml is checked; defensive
    if required.any_government and not any(_other_government(u) for u in county_units):
        missing.append(OTHER_GOVERNMENT)
    return missing


def _all_spellings(unit) -> set[str]:
    return {_nfkc(s) for s in (unit.name, *unit.aliases, *unit.old_names, *unit.stems) if s}


@cache
def _spellings() -> tuple[tuple[str, str], ...]:
    """(spelling, unit name) for every name, alias, old name and stem that names a reporting
    unit by itself (not a bare zone word such as 经开区), longest first."""
    zones = set(_names()["zone_words"])
    pairs = {(s, u.name) for u in load().units for s in _all_spellings(u) if s not in zones}
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p[0])))


def units_named(text: str) -> list[str]:
    """The reporting units a text names, by position; longer spellings win over the shorter
    ones inside them (济宁高新技术产业开发区 is one name, not also 高新…)."""
    return list(_units_named(text))


@lru_cache(maxsize=4096)
def _units_named(text: str) -> tuple[str, ...]:
    name = _nfkc(text)
    taken: list[tuple[int, int, str]] = []
    for spelling, unit in _spellings():
        if spelling not in name:  # most spellings are absent: skip the regex machinery
            continue
        for m in re.finditer(re.escape(spelling), name):
            if all(m.end() <= a or m.start() >= b for a, b, _ in taken):
                taken.append((m.start(), m.end(), unit))
    seen: list[str] = []
    for _, _, unit in sorted(taken):
        if unit not in seen:
            seen.append(unit)
    return tuple(seen)


def names_own(unit_name: str, own_unit: str) -> bool:
    """The name names the own unit, its zone words included (经开区… in 济宁经济技术开发区's)."""
    own, _ = load().unit_named(_nfkc(own_unit or ""))
    name = _nfkc(unit_name or "")
    if own is None:
        return bool(own_unit) and _nfkc(own_unit).strip() in name
    return any(s in name for s in _all_spellings(own))


@lru_cache(maxsize=4096)
def unit_of_other_county(unit_name: str, own_unit: str) -> str | None:
    """The other reporting unit a responsible unit belongs to (曲阜市供电中心 in 泗水县's
    return → 曲阜市), or None: when it names none (经开区管委会 in 邹城市's return is 邹城市's
    own zone), also names the own unit (嘉祥县经开区增量配电公司 in 嘉祥县's return), or is
    not a government office or supply company (兖州煤业股份有限公司 in 邹城市's return)."""
    named = _units_named(unit_name or "")
    if not named or names_own(unit_name, own_unit):
        return None
    if not (is_government(unit_name) or SUPPLY in _roles_of(unit_name)):
        return None
    return named[0]
