"""The city's reference data (units, tasks, limits, targets, periods), loaded once from
`schemas/data/*.toml` and checked as it loads, so a bad edit fails at start, not mid-run."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources


class CatalogueError(Exception):
    """The reference data under schemas/data is inconsistent (a program fault, not user input)."""


@dataclass(frozen=True)
class Unit:
    name: str
    aliases: tuple[str, ...] = ()
    old_names: tuple[str, ...] = ()
    stems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Task:
    id: str
    category: str
    text: str
    units: str
    due: str


@dataclass(frozen=True)
class CustomerType:
    name: str
    limits: dict[str, int]
    total: int

    def abolished(self, step: str) -> bool:
        return step not in self.limits


@dataclass(frozen=True)
class Area:
    name: str
    target_hours: float


@dataclass(frozen=True)
class Indicator:
    name: str
    unit: str
    whole: bool
    part_of: str | None = None
    at_most: tuple[str, ...] = ()


@dataclass(frozen=True)
class Role:
    name: str
    government: bool
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Requirement:
    phrase: str
    roles: tuple[str, ...] = ()
    any_government: bool = False


@dataclass(frozen=True)
class Period:
    code: str
    label: str
    year: int
    kind: str  # "H1", "Y" or "P"
    as_of: date
    due: date
    planning: bool = False


@dataclass(frozen=True)
class Reference:
    units: tuple[Unit, ...]
    tasks: tuple[Task, ...]
    steps: tuple[str, ...]
    customer_types: tuple[CustomerType, ...]
    areas: tuple[Area, ...]
    hours_in_year: int
    yoy_cut: float
    indicators: tuple[Indicator, ...]
    roles: tuple[Role, ...]
    requirements: tuple[Requirement, ...]
    periods: dict = field(repr=False)

    @property
    def unit_names(self) -> tuple[str, ...]:
        return tuple(u.name for u in self.units)

    def task(self, task_id: str) -> Task | None:
        return _task_index(self).get(task_id)

    def unit_named(self, text: str) -> tuple[Unit | None, bool]:
        """The unit a cover value names, and whether it used an old name."""
        key = re.sub(r"\s+", "", text)
        for unit in self.units:
            if key == unit.name or key in unit.aliases:
                return unit, False
            if key in unit.old_names:
                return unit, True
        return None, False

    def period(self, code: str) -> Period | None:
        return parse_period(code, self.periods)


def _task_index(ref: Reference) -> dict[str, Task]:
    return {t.id: t for t in ref.tasks}


def _read(name: str) -> dict:
    text = resources.files("schemas").joinpath("data", name).read_text(encoding="utf-8")
    return tomllib.loads(text)


_PERIOD = re.compile(r"^(\d{4})(H1|Y)$")


_LABEL = re.compile(r"^(\d{4})年(上半年|度|全年)$")


def parse_period(code: str, rules: dict) -> Period | None:
    """A period from its code (2021Y, 2022H1, 2021P) or its label (2021年度, 2022年上半年)."""
    code = re.sub(r"\s+", "", code).upper()
    label = _LABEL.match(code)
    if label:
        code = label.group(1) + ("H1" if label.group(2) == "上半年" else "Y")
    for special in rules.get("special", []):
        if code == special["label"]:
            code = special["code"]
    for special in rules.get("special", []):
        if special["code"] == code:
            return Period(
                code,
                special["label"],
                special["as_of"].year,
                code[4:],
                special["as_of"],
                special["due"],
                special.get("planning", False),
            )
    m = _PERIOD.match(code)
    if not m:
        return None
    year, kind = int(m.group(1)), m.group(2)
    if not rules["first_year"] <= year <= rules["last_year"]:
        return None
    rule = rules["kind"][kind]

    def on(md: str, y: int) -> date:
        month, day = (int(x) for x in md.split("-"))
        return date(y, month, day)

    due_year = year + 1 if rule.get("due_next_year") else year
    return Period(
        code,
        rule["label"].format(year=year),
        year,
        kind,
        on(rule["as_of"], year),
        on(rule["due"], due_year),
    )


def _check(ref: Reference) -> None:
    ids = [t.id for t in ref.tasks]
    if ids != [str(i) for i in range(1, len(ids) + 1)]:
        raise CatalogueError(f"tasks.toml: task ids must run 1..N in order, got {ids[:5]}…")
    names = [u.name for u in ref.units]
    spellings = names + [a for u in ref.units for a in (*u.aliases, *u.old_names)]
    if len(set(spellings)) != len(spellings):
        raise CatalogueError("units.toml: a unit name or alias is listed twice")
    for ct in ref.customer_types:
        unknown = set(ct.limits) - set(ref.steps)
        if unknown:
            raise CatalogueError(f"connection.toml: {ct.name} has unknown steps {unknown}")
        if sum(ct.limits.values()) != ct.total:
            raise CatalogueError(f"connection.toml: {ct.name} limits do not add up to {ct.total}")
    known = {i.name for i in ref.indicators}
    for ind in ref.indicators:
        for other in (ind.part_of, *ind.at_most):
            if other is not None and other not in known:
                raise CatalogueError(f"sanling.toml: {ind.name} refers to unknown {other}")
    role_names = {r.name for r in ref.roles}
    for req in ref.requirements:
        if set(req.roles) - role_names:
            raise CatalogueError(f"roles.toml: requirement {req.phrase} names an unknown role")


@cache
def load() -> Reference:
    units = tuple(
        Unit(
            u["name"],
            tuple(u.get("aliases", ())),
            tuple(u.get("old_names", ())),
            tuple(u.get("stems", ())),
        )
        for u in _read("units.toml")["unit"]
    )
    tasks = tuple(Task(**t) for t in _read("tasks.toml")["task"])
    conn = _read("connection.toml")
    types = tuple(CustomerType(t["name"], dict(t["limits"]), t["total"]) for t in conn["type"])
    rel = _read("reliability.toml")
    areas = tuple(Area(a["name"], float(a["target_hours"])) for a in rel["area"])
    indicators = tuple(
        Indicator(i["name"], i["unit"], i["whole"], i.get("part_of"), tuple(i.get("at_most", ())))
        for i in _read("sanling.toml")["indicator"]
    )
    roles_doc = _read("roles.toml")
    roles = tuple(
        Role(name, r["government"], tuple(r["keywords"])) for name, r in roles_doc["role"].items()
    )
    requirements = tuple(
        Requirement(q["phrase"], tuple(q.get("roles", ())), q.get("any_government", False))
        for q in roles_doc["requirement"]
    )
    ref = Reference(
        units,
        tasks,
        tuple(conn["steps"]),
        types,
        areas,
        rel["hours_in_year"],
        rel["yoy_cut"],
        indicators,
        roles,
        requirements,
        _read("periods.toml"),
    )
    _check(ref)
    return ref
