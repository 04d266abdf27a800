"""The cover sheet 封面 (SPEC §2.1): who reports, for which period, when, and who answers for
it. Its findings also decide the context every other sheet is checked in (the unit whose
neighbours' names are foreign, the period's year and as-of date, the filing date)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from addin.model.findings import Finding, make
from addin.validate import cells
from addin.validate.frames import Table
from schemas.models import valid_phone
from schemas.reference import Period, Reference, Unit, load
from schemas.sheets import COVER_ITEMS, KNOWN_TEMPLATE_VERSIONS


@dataclass
class Cover:
    unit: Unit | None = None
    period: Period | None = None  # the period the return is checked for
    declared: Period | None = None  # the period the cover names, when recognised
    filed: date | None = None
    template_version: str | None = None
    findings: list[Finding] = field(default_factory=list)


@cache
def _period_labels() -> dict[str, str]:
    """Every period's label (2021年度, 2022年上半年, …) → its code, compacted."""
    ref = load()
    rules = ref.periods
    codes = [s["code"] for s in rules.get("special", [])]
    for year in range(rules["first_year"], rules["last_year"] + 1):
        codes += [f"{year}H1", f"{year}Y"]
    labels = {}
    for code in codes:
        period = ref.period(code)
        if period is not None:
            labels[cells.compact(period.label)] = code
    return labels


def period_from_text(ref: Reference, value: object) -> Period | None:
    """A period from its code (2021Y) or the label the template shows (2021年度)."""
    text = cells.compact(value)
    if not text:
        return None
    found = ref.period(text)
    if found is None and text in _period_labels():
        found = ref.period(_period_labels()[text])
    return found


def _rows(table: Table) -> dict[str, int]:
    """Each cover item → its Excel row (the first row naming it)."""
    found: dict[str, int] = {}
    for row in table.rows:
        item = cells.compact(table.raw(row, "item"))
        if item in COVER_ITEMS and item not in found:
            found[item] = row
    return found


def check_cover(
    table: Table | None,
    ref: Reference,
    *,
    asked: Period | None,
    today: date,
    date1904: bool,
    meta: dict,
) -> Cover:
    cover = Cover()
    if table is None:  # the sheet or its header is missing (already a file.* finding)
        cover.period = asked
        cover.template_version = _text_or_none(meta.get("template_version"))
        return cover
    rows = _rows(table)
    out = cover.findings

    def at(item: str, code: str, **params) -> Finding:
        row = rows[item]
        return table.make(code, row, "value", **params)

    for item in COVER_ITEMS:
        if item not in rows and item != "模板版本":
            last = (table.rows[-1] if table.rows else table.header_row) + 1
            out.append(table.make("cover.item-missing", last, "item", value=None, item=item))
    value = {item: table.raw(row, "value") for item, row in rows.items()}

    # 报送单位
    if "报送单位" in rows:
        text = cells.compact(value["报送单位"])
        example = ref.unit_names[0]
        if not text:
            out.append(at("报送单位", "cover.unit-missing", example=example))
        else:
            unit, old = ref.unit_named(text)
            if unit is None:
                out.append(at("报送单位", "cover.unit-unknown", units="、".join(ref.unit_names)))
            else:
                cover.unit = unit
                if old:
                    out.append(at("报送单位", "cover.unit-old-name", unit=unit.name))
                made_for = template_unit(ref, meta)
                if made_for is not None and made_for.name != unit.name:
                    # a file made for one unit returned by another: a copied file
                    out.append(
                        at(
                            "报送单位",
                            "cover.unit-not-template",
                            template_unit=made_for.name,
                            unit=unit.name,
                        )
                    )

    # 报送期次: the one asked for with --period wins for the checks that follow, so a county
    # that typed the wrong period gets one finding, not a cascade of date findings.
    cover.period = asked
    if "报送期次" in rows:
        text = cells.text(value["报送期次"])
        example = asked.code if asked else "2021Y"
        if not text:
            out.append(at("报送期次", "cover.period-missing", example=example))
        else:
            period = period_from_text(ref, text)
            cover.declared = period
            if period is None:
                out.append(at("报送期次", "cover.period-unknown"))
            elif asked is not None and period.code != asked.code:
                out.append(
                    at("报送期次", "cover.period-not-asked", asked=f"{asked.label}（{asked.code}）")
                )
            else:
                cover.period = period

    if "填报人" in rows and cells.is_blank(value["填报人"]):
        out.append(at("填报人", "cover.filler-missing"))
    if "联系电话" in rows:
        phone = cells.text(value["联系电话"])
        if not phone:
            out.append(at("联系电话", "cover.phone-missing"))
        elif not valid_phone(phone):
            out.append(at("联系电话", "cover.phone-invalid"))
    if "审核人" in rows and cells.is_blank(value["审核人"]):
        out.append(at("审核人", "cover.reviewer-missing"))

    if "填报日期" in rows:
        example = f"{today.year}年{today.month}月{today.day}日"
        filed, problem = cells.to_date(value["填报日期"], date1904)
        if problem:
            out.append(at("填报日期", "cover.date-invalid", example=example))
        elif filed is None:
            out.append(at("填报日期", "cover.date-missing", example=example))
        elif filed > today:
            out.append(
                at(
                    "填报日期",
                    "cover.date-future",
                    value=filed.isoformat(),
                    today=today.isoformat(),
                )
            )
        else:
            cover.filed = filed

    # 模板版本: the cover's value, else the hidden metadata's.
    version = _text_or_none(value.get("模板版本")) or _text_or_none(meta.get("template_version"))
    cover.template_version = version
    if version is not None and not _known_version(version):
        known = "、".join(KNOWN_TEMPLATE_VERSIONS)
        if "模板版本" in rows and _text_or_none(value.get("模板版本")):
            out.append(at("模板版本", "file.template-version-unknown", known=known))
        else:
            out.append(make("file.template-version-unknown", value=version, known=known))
    return cover


def template_unit(ref: Reference, meta: dict) -> Unit | None:
    """The unit the template was generated for (hidden metadata), when it names one."""
    name = cells.compact(meta.get("unit")) if meta else ""
    return ref.unit_named(name)[0] if name else None


def _known_version(version: str) -> bool:
    """1.0 typed as a number reads back as 1: compare numerically when both are numbers."""
    if version in KNOWN_TEMPLATE_VERSIONS:
        return True
    number, _ = cells.number(version)
    return number is not None and any(cells.number(k)[0] == number for k in KNOWN_TEMPLATE_VERSIONS)


def _text_or_none(value: object) -> str | None:
    text = cells.text(value)
    return text or None
