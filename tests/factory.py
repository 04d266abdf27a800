"""A clean, filled return built in memory from the layout (schemas.sheets) and the catalogue
(schemas.reference): what a careful officer of unit U sends for period P. Tests mutate one
cell with `set_cell` / `set_task` and assert the findings that follow."""

from __future__ import annotations

from datetime import date, timedelta

from addin.model.ledger import Source
from addin.model.workbook import Sheet, Workbook
from schemas import roles
from schemas.deadline import parse_deadline
from schemas.reference import load
from schemas.sheets import (
    ALL_SHEETS,
    CONNECTION,
    COVER,
    META_TEMPLATE_ID,
    RELIABILITY,
    SANLING,
    TASKS,
    TEMPLATE_VERSION,
    SheetLayout,
    step_key,
)

SOURCE = Source(
    path="factory.xlsx", name="factory.xlsx", sha256=None, size=None, mtime=None, format="xlsx"
)
TODAY = date(2022, 1, 10)


def _units_for(unit: str, city_units: str) -> str:
    """County units that cover every role the city's 责任单位 asks for."""
    ref = load()
    need = roles.required_roles(city_units)
    names = []
    for role in ref.roles:
        if role.name in need.roles:
            names.append(f"{unit}{role.keywords[0]}")
    if need.any_government:
        names.append(f"{unit}行政审批服务局")
    if not names:
        names.append(f"{unit}发改局")
    return "、".join(names)


def _task_row(task, unit: str, period, filed: date) -> list:
    due = parse_deadline(task.due, year=period.year)
    done_date = None
    if period.planning:
        status, progress = None, None
    elif due.kind == "achieved":
        status, progress = "已实现持续巩固", "已实现并持续巩固，本期新增接电用户312户。"
    elif due.kind == "ongoing":
        status, progress = "持续推进", "按计划持续推进，本期完成现场服务45次。"
    elif due.dated and due.due <= period.as_of:
        status, progress = "已完成", "已按期完成，印发实施方案1份，覆盖全部乡镇。"
        done_date = min(due.due, period.as_of) - timedelta(days=5)
    else:
        status, progress = "序时推进", "按序时推进，已完成年度工作量的60%以上。"
    return [
        task.id,
        task.category,
        task.text,
        task.units,
        task.due,
        _units_for(unit, task.units),
        task.due,
        status,
        done_date,
        progress,
        None,
        None,
        "张伟",
        "0537-3991618",
    ]


def _connection_row(ct) -> list:
    n = 100
    steps = {
        s: (n * days * 0.6 if s in ct.limits else "--")
        for s, days in ((s, ct.limits.get(s, 0)) for s in load().steps)
    }
    total = sum(v for v in steps.values() if v != "--")
    longest = float(ct.total)
    return [ct.name, ct.total, n, *steps.values(), total, longest, 0, None]


def build(
    unit: str = "任城区",
    period_code: str = "2021Y",
    *,
    filed: date | None = None,
    meta: bool = True,
) -> Workbook:
    ref = load()
    period = ref.period(period_code)
    filed = filed or min(period.due, TODAY)

    def sheet(layout: SheetLayout, rows: list[list]) -> Sheet:
        title = [layout.title.format(unit=unit, period_label=period.label)]
        return Sheet(layout.name, tuple(tuple(r) for r in [title, list(layout.headers), *rows]))

    cover = [
        ["报送单位", unit],
        ["报送期次", period.code],
        ["填报人", "李娜"],
        ["联系电话", "13905371234"],
        ["审核人", "王强"],
        ["填报日期", filed],
        ["模板版本", TEMPLATE_VERSION],
    ]
    tasks = [_task_row(t, unit, period, filed) for t in ref.tasks]
    planning = period.planning
    connection = [
        (
            [ct.name, ct.total, None, *(None if s in ct.limits else "--" for s in ref.steps)]
            + [None] * 5
        )
        if planning
        else _connection_row(ct)
        for ct in ref.customer_types
    ]
    reliability = []
    for area in ref.areas:
        n = 350000
        hours = round(n * area.target_hours * 0.8)
        values = [n, hours, 4200, 348000, round(348000 * area.target_hours)]
        reliability.append(
            [area.name, area.target_hours, *([None] * 5 if planning else values), None]
        )
    sanling_values = {i.name: 100 for i in ref.indicators}
    for i in ref.indicators:
        if i.part_of:
            sanling_values[i.name] = 40
        if i.whole is False:
            sanling_values[i.name] = 12.5
    # tasks 9 and 40 are 已完成: every small business had the 三零 service
    sanling_values["其中享受“三零”服务户数"] = sanling_values[
        "低压小微企业报装户数（160千瓦及以下）"
    ]
    sanling = [
        [i.name, None if planning else sanling_values[i.name], i.unit, None] for i in ref.indicators
    ]
    sheets = {
        COVER.name: sheet(COVER, cover),
        TASKS.name: sheet(TASKS, tasks),
        CONNECTION.name: sheet(CONNECTION, connection),
        RELIABILITY.name: sheet(RELIABILITY, reliability),
        SANLING.name: sheet(SANLING, sanling),
    }
    assert list(sheets) == [s.name for s in ALL_SHEETS]
    info = (
        {
            "template": META_TEMPLATE_ID,
            "template_version": TEMPLATE_VERSION,
            "unit": unit,
            "period": period.code,
        }
        if meta
        else {}
    )
    return Workbook(sheets, source="factory.xlsx", format="xlsx", meta=info)


# ------------------------------------------------------------------ mutations


def _replace(wb: Workbook, name: str, rows: list[list]) -> Workbook:
    sheets = dict(wb.sheets)
    sheets[name] = Sheet(name, tuple(tuple(r) for r in rows), wb.sheets[name].hidden)
    return Workbook(sheets, wb.source, wb.format, wb.date1904, dict(wb.meta))


def rows_of(wb: Workbook, name: str) -> list[list]:
    return [list(r) for r in wb.sheets[name].rows]


def set_cell(wb: Workbook, name: str, row: int, col: int, value) -> Workbook:
    """Set 1-based Excel (row, col) of sheet `name`, growing the sheet as needed."""
    rows = rows_of(wb, name)
    while len(rows) < row:
        rows.append([])
    while len(rows[row - 1]) < col:
        rows[row - 1].append(None)
    rows[row - 1][col - 1] = value
    return _replace(wb, name, rows)


def column_of(layout: SheetLayout, header: str) -> int:
    return layout.headers.index(header) + 1


def task_row(wb: Workbook, task_id: str) -> int:
    col = column_of(TASKS, "序号")
    for i, r in enumerate(wb.sheets[TASKS.name].rows, start=1):
        if len(r) >= col and str(r[col - 1]) == task_id:
            return i
    raise KeyError(task_id)


def set_task(wb: Workbook, task_id: str, header: str, value) -> Workbook:
    return set_cell(wb, TASKS.name, task_row(wb, task_id), column_of(TASKS, header), value)


def label_row(wb: Workbook, layout: SheetLayout, label: str) -> int:
    for i, r in enumerate(wb.sheets[layout.name].rows, start=1):
        if r and r[0] == label:
            return i
    raise KeyError(label)


def set_row_value(wb: Workbook, layout: SheetLayout, label: str, header: str, value) -> Workbook:
    return set_cell(wb, layout.name, label_row(wb, layout, label), column_of(layout, header), value)


def set_cover(wb: Workbook, item: str, value) -> Workbook:
    return set_row_value(wb, COVER, item, "内容", value)


def delete_row(wb: Workbook, name: str, row: int) -> Workbook:
    rows = rows_of(wb, name)
    del rows[row - 1]
    return _replace(wb, name, rows)


def step_header(step: str) -> str:
    return CONNECTION.column(step_key(step)).header


__all__ = [
    "build",
    "set_cell",
    "set_task",
    "set_cover",
    "set_row_value",
    "delete_row",
    "task_row",
    "label_row",
    "column_of",
    "step_header",
    "SOURCE",
    "TODAY",
    "RELIABILITY",
    "SANLING",
    "CONNECTION",
    "TASKS",
    "COVER",
]
