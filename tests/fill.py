"""Build real return files for the CLI, --mark and LibreOffice tests: the blank ledger from
`addin.write.template.book.write_ledger`, filled in with openpyxl the way a careful county officer would
(so it validates clean), then edited cell by cell to plant errors."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from schemas.deadline import parse_deadline
from schemas.reference import load
from schemas.sheets import (
    CONNECTION,
    COVER,
    COVER_ITEMS,
    FIRST_DATA_ROW,
    RELIABILITY,
    SANLING,
    TASKS,
)

UNIT = "任城区"
PERIOD = "2021Y"
# Every role a city 责任单位 can ask of a county, so no task misses one (unit.role-missing).
OFFICES = (
    "{u}发展和改革局",
    "国网{u}供电公司",
    "{u}行政审批服务局",
    "{u}自然资源和规划局",
    "{u}城市管理局",
    "{u}住房和城乡建设局",
    "{u}公安局",
    "{u}交通运输局",
    "{u}大数据中心",
    "{u}财政局",
    "{u}园林绿化服务中心",
    "{u}人民政府",
)


def county_units(unit: str) -> str:
    return "、".join(o.format(u=unit) for o in OFFICES)


def col(layout, key: str) -> int:
    """1-based column of `key` in a sheet layout."""
    return [c.key for c in layout.columns].index(key) + 1


def cover_row(item: str) -> int:
    return FIRST_DATA_ROW + COVER_ITEMS.index(item)


def _task_values(task, period, unit: str) -> dict[str, object]:
    deadline = parse_deadline(task.due, year=period.year)
    values: dict[str, object] = {
        "county_units": county_units(unit),
        "county_due": task.due,
        "progress": f"第{task.id}项已按计划推进，累计完成相关工作{int(task.id) * 3}项，成效明显。",
        "owner": "王强",
        "phone": "13905371234",
    }
    if deadline.kind == "achieved":
        values["status"] = "已实现持续巩固"
    elif deadline.kind == "dated" and deadline.due and deadline.due <= period.as_of:
        values["status"] = "已完成"
        done = max(deadline.due, date(2021, 1, 15))
        values["done_date"] = datetime(done.year, done.month, done.day)
    else:
        values["status"] = "持续推进"
    return values


def fill_clean(path: Path, unit: str = UNIT, period_code: str = PERIOD) -> None:
    """Fill every county cell of the blank ledger at `path` so that it validates clean."""
    from openpyxl import load_workbook

    ref, period = load(), load().period(period_code)
    book = load_workbook(path)
    cover = book[COVER.name]
    for item, value in {
        "填报人": "张敏",
        "联系电话": "0537-2345678",
        "审核人": "李华",
        "填报日期": datetime(period.due.year, period.due.month, period.due.day),
    }.items():
        cover.cell(cover_row(item), col(COVER, "value"), value)
    tasks = book[TASKS.name]
    for i, task in enumerate(ref.tasks):
        for key, value in _task_values(task, period, unit).items():
            tasks.cell(FIRST_DATA_ROW + i, col(TASKS, key), value)
    conn = book[CONNECTION.name]
    for i, ctype in enumerate(ref.customer_types):
        row, n = FIRST_DATA_ROW + i, 10
        total = 0
        for step in ref.steps:
            if not ctype.abolished(step):
                days = ctype.limits[step] * n * 0.5
                conn.cell(row, col(CONNECTION, f"step:{step}"), days)
                total += days
        conn.cell(row, col(CONNECTION, "connections"), n)
        conn.cell(row, col(CONNECTION, "total"), total)
        conn.cell(row, col(CONNECTION, "longest"), ctype.total)
        conn.cell(row, col(CONNECTION, "over_limit"), 0)
    rel = book[RELIABILITY.name]
    for i, _area in enumerate(ref.areas):
        row, customers = FIRST_DATA_ROW + i, 100000 * (i + 1)
        for key, value in {
            "customers": customers,
            "outage_hours": customers * 1.0,
            "outages": customers // 2,
            "last_customers": customers - 5000,
            "last_outage_hours": customers * 1.2,
        }.items():
            rel.cell(row, col(RELIABILITY, key), value)
    san = book[SANLING.name]
    figures = {"户": 100, "万元": 35.5, "项": 4}
    for i, ind in enumerate(ref.indicators):
        value = figures[ind.unit] // (2 if ind.part_of else 1) if ind.whole else figures[ind.unit]
        if ind.at_most:
            value = 50
        if ind.name == "其中享受“三零”服务户数":  # tasks 9 and 40 done: every small business
            value = figures[ind.unit]
        san.cell(FIRST_DATA_ROW + i, col(SANLING, "value"), value)
    book.save(path)


def make_return(
    folder: Path,
    unit: str = UNIT,
    period_code: str = PERIOD,
    edits: dict[tuple[str, str], object] | None = None,
    name: str | None = None,
) -> Path:
    """A filled return in `folder`; `edits` maps (sheet, cell) → value to plant errors."""
    from openpyxl import load_workbook

    from addin.write.template.book import write_ledger

    folder.mkdir(parents=True, exist_ok=True)
    path = write_ledger(unit, load().period(period_code), folder)
    fill_clean(path, unit, period_code)
    if edits:
        book = load_workbook(path)
        for (sheet, cell), value in edits.items():
            book[sheet][cell].value = value
            if isinstance(value, str):
                book[sheet][cell].data_type = "s"
        book.save(path)
    if name is not None:
        path = path.rename(folder / name)
    return path


def task_cell(task_id: str, key: str) -> str:
    """A1 address of column `key` on the row of catalogue task `task_id`."""
    from addin.model.workbook import a1

    row = FIRST_DATA_ROW + [t.id for t in load().tasks].index(task_id)
    return a1(row, col(TASKS, key))
