"""Filled sample returns, written from the real template and filled as a county would fill it
(openpyxl, keeping the template's drop-downs and locks): for the demo, the golden test and the
benchmark. Deterministic — the same arguments give the same bytes (fixed zip times, fixed
document dates, file mtime = 填报日期).

With mistakes=True the 14 units tell the story of a real period (2021Y as the example):
任城区 clean · 兖州区 writes its old name 兖州市 on the cover · 曲阜市 copies 任城区's progress text
for one task · 泗水县 sends nothing · 邹城市 is late · 微山县 sets a deadline later than the
city's · 鱼台县 names a neighbour's office (金乡县…) · 金乡县 has over-limit connections with no
说明 · 嘉祥县 leaves the cover phone empty · 汶上县 resubmits (an older file with a bad status,
a newer fixed one) · 梁山县 is behind on two tasks · 济宁高新区 has a task not started ·
太白湖新区 marks one task 不适用 · 济宁经济技术开发区 clean.

The validator's findings on these samples are exactly the planted ones (tests/test_samples.py),
for every period the samples are made for (2021H1, 2021Y, 2022Y, the 2021P plan):
兖州区 cover.unit-old-name · 嘉祥县 cover.phone-missing · 微山县 time.later-than-city ·
鱼台县 unit.other-county · 汶上县 status.invalid (its older file) · 金乡县
indicator.over-limit-unexplained (not in 2021P: a plan has no indicator figures). A planning
return (2021P) fills only 县级责任单位 and 县级完成时限 of each task; the cross-file stories
(泗水县 missing, 邹城市 late, 汶上县 resubmitted, 曲阜市 copying, except in 2021P) hold in every
period."""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import time
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

from schemas.deadline import parse_deadline
from schemas.reference import Period, load
from schemas.roles import required_roles
from schemas.sheets import CONNECTION, COVER_ITEMS, FIRST_DATA_ROW, RELIABILITY, SANLING, TASKS

MISSING, LATE, RESUBMITTED, COPIER, COPIED = "泗水县", "邹城市", "汶上县", "曲阜市", "任城区"
COPIED_TASK = "15"
PLAN_KEYS = ("county_units", "county_due")  # what a planning return (2021P) fills per task
CLEAN_UNIT = "任城区"
NAMES = (
    "王建国",
    "李红梅",
    "张伟",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "孙丽",
    "周强",
    "吴敏",
    "郑涛",
    "冯雪",
    "褚亮",
    "魏娜",
    "蒋波",
    "沈琳",
)
# a county-level office per role, as "{unit}…" (国网 for the supply company)
OFFICE = {
    "电力主管部门": "{u}发展和改革局",
    "供电企业": "国网{u}供电公司",
    "行政审批": "{u}行政审批服务局",
    "自然资源和规划": "{u}自然资源和规划局",
    "城市管理": "{u}城市管理局",
    "公安": "{u}公安局",
    "交通运输": "{u}交通运输局",
    "大数据": "{u}大数据中心",
    "住建": "{u}住房和城乡建设局",
    "财政": "{u}财政局",
    "园林绿化": "{u}园林绿化服务中心",
    "人民政府": "{u}人民政府",
}
PROGRESS = (
    "{u}已按要求完成，{m}月组织{k}次专题推进会，累计服务客户{n}户，群众满意率{p}%。",
    "{u}制定实施细则{k}项，{m}月起全面执行，涉及企业{n}家，平均办理时长压减{p}%。",
    "{u}会同供电公司梳理流程，精简资料{k}项，已办理{n}件，按时办结率{p}%。",
    "{u}完成线上平台对接，{m}月以来线上受理{n}件，占全部业务的{p}%，{k}个乡镇全覆盖。",
    "{u}组织开展宣传{k}场次，发放明白纸{n}份，{m}月底前完成回访，知晓率{p}%。",
    "{u}建成配电网项目{k}个，新增变电容量{n}千伏安，{m}月投运，故障停电同比下降{p}%。",
)


def _period(period: Period | str) -> Period:
    return period if isinstance(period, Period) else load().period(period)


def _filed(period: Period, unit: str, late: bool = False) -> date:
    base = period.due - timedelta(days=1 + sum(map(ord, unit)) % 4)
    return period.due + timedelta(days=3) if late else max(base, period.as_of)


def _offices(unit: str, city_units: str) -> list[str]:
    req = required_roles(city_units)
    roles = [
        r.name
        for r in load().roles
        if r.name in req.roles or any(k in city_units for k in r.keywords)
    ]
    if not roles:
        roles.append("电力主管部门")
    if req.any_government and not any(r not in ("电力主管部门", "供电企业") for r in roles):
        roles.append("行政审批")  # 其他相关政府部门: a department besides the energy office
    return [OFFICE[r].format(u=unit) for r in roles]


def _phone(rng: random.Random) -> str:
    return f"13{rng.randint(5, 9)}{rng.randint(10_000_000, 99_999_999)}"


def _task_rows(unit: str, period: Period, rng: random.Random, mistakes: bool) -> list[dict]:
    rows = []
    lag = {"梁山县": 2, "金乡县": 1}.get(unit, 0) if mistakes else 0
    for task in load().tasks:
        city = parse_deadline(task.due, year=period.year)
        due_text, done = task.due.rstrip("。"), None
        if city.kind == "achieved":
            status = "已实现持续巩固"
        elif not city.dated:
            status = "持续推进"
        elif city.due <= period.as_of:
            status = "已完成"
            done = min(city.due, period.as_of) - timedelta(days=rng.randint(3, 40))
            if lag and city.due < period.as_of:  # behind on a task already overdue
                status, done, lag = "进度滞后", None, lag - 1
        else:
            status = "序时推进"
        values = rng.randint(1, 12), rng.randint(2, 9), rng.randint(30, 3000), rng.randint(85, 99)
        m, k, n, p = values
        row = {
            "county_units": "、".join(_offices(unit, task.units)),
            "county_due": due_text,
            "status": status,
            "done_date": done,
            "progress": PROGRESS[int(task.id) % len(PROGRESS)].format(u=unit, m=m, k=k, n=n, p=p),
            "problems": "",
            "plan": "",
            "owner": NAMES[int(task.id) % len(NAMES)],
            "phone": _phone(rng),
        }
        if status == "进度滞后":
            row["problems"] = f"受用地审批和施工条件影响，{unit}该项工作未能按期完成。"
            row["plan"] = f"{unit}已明确专人督办，计划{period.year + 1}年3月底前完成。"
        rows.append(row)
    if mistakes and unit == "济宁高新区":
        # a task not yet due if the period has one (2021Y), else an ongoing one (2022Y: every
        # dated task is due by the year's end)
        row = next(
            (r for r in rows if r["status"] == "序时推进"),
            next(r for r in rows if r["status"] == "持续推进"),
        )
        row.update(
            status="未启动",
            done_date=None,
            progress="",
            problems="项目前期手续尚在办理，暂未开工。",
            plan=f"{period.year + 1}年一季度完成前期手续后立即开工。",
        )
    if mistakes and unit == "太白湖新区":
        row = rows[load().tasks.index(load().task("10"))]
        row.update(status="不适用", progress="本区无该项工作的实施对象，经市能源局同意不适用。")
    if mistakes and unit == "微山县":
        row = next(r for t, r in zip(load().tasks, rows, strict=True) if t.due == "2021年6月底前")
        row["county_due"] = "2021年9月底前"  # later than the city's: the classic error
    if mistakes and unit == "鱼台县":
        rows[11]["county_units"] = "金乡县发展和改革局、国网鱼台县供电公司"  # a neighbour's office
    return rows


def _connection_rows(unit: str, rng: random.Random, mistakes: bool) -> list[list]:
    sizes = ((800, 3000), (60, 300), (20, 60), (3, 10), (1, 4), (1, 2))
    rows = []
    for ctype, (lo, hi) in zip(load().customer_types, sizes, strict=True):
        n = rng.randint(lo, hi)
        steps = {s: round(n * lim * rng.uniform(0.45, 0.9)) for s, lim in ctype.limits.items()}
        total = sum(steps.values())
        # one customer's time: above the average, within the limit and the sum of all
        longest = min(float(ctype.total), float(total), round(total / n + rng.uniform(0.5, 2), 1))
        over, note = 0, ""
        if mistakes and ctype.name.startswith("35千伏及以上单电源") and unit == "邹城市":
            # one customer over the limit, explained (no finding). Enough customers that the
            # 累计 sum stays above that one customer's time (else longest-above-total).
            n = max(n, 3)
            steps = {s: round(n * lim * rng.uniform(0.45, 0.9)) for s, lim in ctype.limits.items()}
            total = sum(steps.values())
            over, longest, note = 1, ctype.total + 3.0, "1户因客户自身原因延期，已报市能源局备案"
        if mistakes and unit == "金乡县" and ctype.name.startswith("低压"):
            over, longest = 3, 4.0  # over the limit, and no 说明: a warning
        rows.append([n, *[steps.get(s) for s in load().steps], total, longest, over, note])
    return rows


def _reliability_rows(rng: random.Random) -> list[list]:
    rows = []
    for area, (lo, hi) in zip(
        load().areas, ((60_000, 200_000), (30_000, 120_000), (80_000, 300_000)), strict=True
    ):
        customers = rng.randint(lo, hi)
        hours = round(customers * area.target_hours * rng.uniform(0.7, 1.04), 1)
        last_customers = round(customers * rng.uniform(0.95, 0.99))
        last = round(last_customers * (hours / customers) / rng.uniform(0.8, 0.9), 1)
        rows.append(
            [customers, hours, round(customers * rng.uniform(1.0, 2.5)), last_customers, last, ""]
        )
    return rows


def _sanling_values(connection: list[list], rng: random.Random) -> dict[str, float]:
    low, high = connection[0][0], sum(r[0] for r in connection[1:])
    small = round(low * rng.uniform(0.25, 0.4))
    values = {
        "低压小微企业报装户数（160千瓦及以下）": small,
        "其中享受“三零”服务户数": small - rng.randint(0, 3),
        "低压居民报装户数": low - small,
        "低压用户节省投资（万元）": round(small * rng.uniform(0.2, 0.6), 2),
        "高压用户报装户数": high,
        "其中投资界面延伸至用户红线户数": round(high * rng.uniform(0.1, 0.3)),
        "政府承担外线费用户数（1250千伏安及以下）": round(high * rng.uniform(0.05, 0.2)),
        "高压用户节省投资（万元）": round(high * rng.uniform(3, 8), 2),
        "线上办电户数": round((low + high) * rng.uniform(0.85, 0.98)),
        "免行政审批承诺备案工程数": rng.randint(5, 80),
    }
    return values


def fill_return(
    path: Path,
    unit: str,
    period: Period,
    *,
    filed: date,
    seed: int = 0,
    mistakes: bool = True,
    cover_unit: str | None = None,
    phone: bool = True,
    bad_status: bool = False,
) -> dict:
    """Fill the blank ledger at `path` in place; returns what was written (for tests)."""
    import openpyxl

    rng = random.Random(f"{seed}:{unit}:{period.code}")
    book = openpyxl.load_workbook(path)
    cover = {
        "报送单位": cover_unit or unit,
        "填报人": NAMES[len(unit) % len(NAMES)],
        "联系电话": _phone(rng) if phone else None,
        "审核人": NAMES[(len(unit) + 3) % len(NAMES)],
        "填报日期": filed,
    }
    ws = book["封面"]
    for i, item in enumerate(COVER_ITEMS):
        if item in cover:
            _set(ws.cell(FIRST_DATA_ROW + i, 2), cover[item])
    tasks = _task_rows(unit, period, rng, mistakes)
    if period.planning:  # 2021P: the county's own plan — who and by when, nothing reported yet
        tasks = [{key: row[key] for key in PLAN_KEYS} for row in tasks]
    if bad_status:
        tasks[20]["status"] = "基本完成"  # not one of the seven statuses
    ws = book[TASKS.name]
    for i, row in enumerate(tasks):
        for key, value in row.items():
            _set(
                ws.cell(FIRST_DATA_ROW + i, TASKS.headers.index(TASKS.column(key).header) + 1),
                value,
            )
    connection, reliability, sanling = [], [], {}
    if not period.planning:  # a plan has no indicator figures yet
        connection = _connection_rows(unit, rng, mistakes)
        _fill_block(book[CONNECTION.name], connection, first_col=3)
        reliability = _reliability_rows(rng)
        _fill_block(book[RELIABILITY.name], reliability, first_col=3)
        sanling = _sanling_values(connection, rng)
        ws = book[SANLING.name]
        for i, ind in enumerate(load().indicators):
            _set(ws.cell(FIRST_DATA_ROW + i, 2), sanling[ind.name])
    book.save(path)
    return {
        "cover": cover,
        "tasks": tasks,
        "connection": connection,
        "reliability": reliability,
        "sanling": sanling,
    }


def _fill_block(ws, rows: list[list], first_col: int) -> None:
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            cell = ws.cell(FIRST_DATA_ROW + i, first_col + j)
            if value is None:  # an abolished step: the template's "--" stays
                continue
            _set(cell, value)


def _set(cell, value) -> None:
    if value is None or value == "":
        cell.value = None
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # never a formula, even if it began with "="
    else:
        cell.value = value


def _pin(path: Path, stamp: datetime) -> None:
    """Make the bytes reproducible: openpyxl stamps zip entries and docProps with 'now'."""
    with zipfile.ZipFile(path) as src:
        items = [(info, src.read(info)) for info in src.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*",
                    rb"\g<1>" + stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode(),
                    data,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)
    path.write_bytes(buffer.getvalue())
    moment = time.mktime(stamp.timetuple())
    os.utime(path, (moment, moment))


def make_returns(
    folder: Path | str, period: Period | str, *, units=None, mistakes: bool = True, seed: int = 0
) -> list[Path]:
    """Write filled sample returns for `units` (default: all 14) into `folder`."""
    from addin.write.template.book import write_ledger

    period, folder = _period(period), Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for unit in units or load().unit_names:
        if mistakes and unit == MISSING:
            continue
        filed = _filed(period, unit, late=mistakes and unit == LATE)
        path = write_ledger(unit, period, folder)
        options = (
            {"cover_unit": "兖州市" if unit == "兖州区" else None, "phone": unit != "嘉祥县"}
            if mistakes
            else {}
        )
        fill_return(path, unit, period, filed=filed, seed=seed, mistakes=mistakes, **options)
        if mistakes and unit == RESUBMITTED:  # the first try, with an error, sent earlier
            fixed = path.with_name(path.stem + "（修改版）" + path.suffix)
            path.rename(fixed)
            first = write_ledger(unit, period, folder)
            fill_return(
                first,
                unit,
                period,
                filed=filed - timedelta(days=2),
                seed=seed,
                mistakes=True,
                bad_status=True,
            )
            _pin(first, datetime.combine(filed - timedelta(days=2), datetime.min.time()))
            written.append(first)
            path = fixed
        _pin(path, datetime.combine(filed, datetime.min.time()) + timedelta(hours=10))
        written.append(path)
    if (
        mistakes
        and not period.planning  # a plan has no 进展情况 to copy
        and COPIER in (units or load().unit_names)
        and COPIED in (units or load().unit_names)
    ):
        _copy_text(folder, period, written)
    return sorted(written)


def _copy_text(folder: Path, period: Period, written: list[Path]) -> None:
    """曲阜市 pastes 任城区's 进展情况 of one task into its own return (a warning on both)."""
    import openpyxl

    source = next(p for p in written if p.name.startswith(COPIED))
    target = next(p for p in written if p.name.startswith(COPIER))
    row = FIRST_DATA_ROW + int(COPIED_TASK) - 1
    col = TASKS.headers.index("进展情况") + 1
    text = openpyxl.load_workbook(source, read_only=True)[TASKS.name].cell(row, col).value
    book = openpyxl.load_workbook(target)
    _set(book[TASKS.name].cell(row, col), text)
    book.save(target)
    _pin(
        target, datetime.combine(_filed(period, COPIER), datetime.min.time()) + timedelta(hours=10)
    )


def make_one(folder: Path | str, period: Period | str) -> Path:
    """One clean filled return (任城区), for timing a single validation."""
    return make_returns(folder, period, units=[CLEAN_UNIT], mistakes=False)[0]


def copy_returns(src: list[Path], dst: Path | str, count: int) -> list[Path]:
    """`count` files in `dst`, copies of `src` in turn, each under a distinct name."""
    dst = Path(dst)
    dst.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        original = src[i % len(src)]
        target = dst / f"{i:05d}-{original.name}"
        shutil.copy2(original, target)
        out.append(target)
    return out
