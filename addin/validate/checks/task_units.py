"""任务台账, 县级责任单位 (unit.*): the county names its own units (SPEC §2.5, last paragraph).
One cell gives at most one finding per kind of mistake: the city's generic wording copied
(unit.generic, which stands for the cell: its units are not judged one by one), another
county's offices (unit.other-county, every such unit named in one finding), the city's own
units (unit.city-level), a unit of no known kind (unit.unrecognised) and a role the city asks
for that no unit covers (unit.role-missing)."""

from __future__ import annotations

from addin.model.findings import Finding
from addin.validate import cells
from addin.validate.frames import Table
from schemas import roles
from schemas.reference import Reference


def example(own: str, role: str, ref: Reference) -> str:
    if role == roles.OTHER_GOVERNMENT:
        role = "行政审批"
    keyword = next((r.keywords[0] for r in ref.roles if r.name == role), role)
    return f"{own}{keyword}"


def _quoted(units) -> str:
    return "、".join(f"“{u}”" for u in units)


def check_units(table: Table, r, ctx) -> tuple[tuple[str, ...], list[Finding]]:
    """(the units as typed, findings) for the row `r` (a task_ids.TaskRow)."""
    if "county_units" not in table.columns:
        return (), []
    own = ctx.unit.name if ctx.unit else "本县"
    raw = table.raw(r.row, "county_units")
    city = r.task.units if r.task else "（本地任务）"
    if cells.says_nothing(raw):
        first = example(own, "电力主管部门", ctx.ref) + "、" + example(own, "供电企业", ctx.ref)
        return (), [
            table.make(
                "unit.empty",
                r.row,
                "county_units",
                task=r.id,
                city=city,
                example=first,
                typed=cells.typed_note(raw),
            )
        ]
    units = roles.split_units(cells.shown(raw))
    found: list[Finding] = []
    generic = [u for u in units if roles.is_generic(u)]
    foreign: dict[str, str] = {}  # unit → the other county it belongs to
    city_level, unknown = [], []
    for unit in units:
        if unit in generic:
            continue
        other = roles.unit_of_other_county(unit, ctx.unit.name) if ctx.unit else None
        is_own = bool(ctx.unit) and roles.names_own(unit, ctx.unit.name)
        if other is not None:
            foreign[unit] = other
        elif not is_own and roles.is_city_level(unit):
            city_level.append(unit)
        elif not roles.recognised(unit):
            unknown.append(unit)
    if generic:
        wanted = roles.required_roles(r.task.units) if r.task else roles.Required()
        names = [example(own, role, ctx.ref) for role in sorted(wanted.roles)] or [
            example(own, "电力主管部门", ctx.ref)
        ]
        found.append(
            table.make(
                "unit.generic",
                r.row,
                "county_units",
                task=r.id,
                generic=_quoted(generic),
                city=city,
                own=own,
                example="、".join(names),
            )
        )
    if foreign:
        # one cell copied from a neighbour is one root cause: one finding naming every unit
        found.append(
            table.make(
                "unit.other-county",
                r.row,
                "county_units",
                task=r.id,
                unit=_quoted(foreign),
                county="、".join(dict.fromkeys(foreign.values())),
                own=own,
            )
        )
    if city_level:
        found.append(
            table.make(
                "unit.city-level",
                r.row,
                "county_units",
                task=r.id,
                unit=_quoted(city_level),
                own=own,
                example=example(own, "供电企业", ctx.ref),
            )
        )
    if generic:
        return tuple(units), found  # naming the county's own units fixes the rest too
    for unit in unknown:
        found.append(
            table.make(
                "unit.unrecognised",
                r.row,
                "county_units",
                task=r.id,
                unit=unit,
                example=example(own, "供电企业", ctx.ref),
            )
        )
    if r.task is not None:
        for role in roles.missing_roles(units, roles.required_roles(r.task.units)):
            found.append(
                table.make(
                    "unit.role-missing",
                    r.row,
                    "county_units",
                    task=r.id,
                    city=r.task.units,
                    role=role,
                    example=example(own, role, ctx.ref),
                )
            )
    return tuple(units), found
