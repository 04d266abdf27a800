"""What the sample returns say, row by row: the tasks as a county fills them (with the planted
mistakes of faces/samples.py's story), the connection-time, reliability and 三零三省 figures,
names and phones. Deterministic for a given random generator.

The connection-time and 三零三省 figures are counts of the year to date: each half-year is drawn
from its own generator, and a Y return adds the year's second half to the very first half its
H1 return reported, so a year never counts less than its half-year (history.figure-dropped)
unless the story says so."""

from __future__ import annotations

import random
from datetime import date, timedelta

from schemas.deadline import parse_deadline
from schemas.reference import Period, load
from schemas.roles import required_roles

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


def offices(unit: str, city_units: str) -> list[str]:
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


def phone(rng: random.Random) -> str:
    return f"13{rng.randint(5, 9)}{rng.randint(10_000_000, 99_999_999)}"


# The ledger over time (SPEC §7), for an H1 return and the Y return of the same year:
PROMISER = "梁山县"  # promises in H1 to finish its lagging tasks by 9月底, still behind in Y
REGRESSED = ("兖州区", "1")  # reports task 1 done early in H1, under way again in Y
MOVER = "曲阜市"  # gives 9月底前 in H1 for the first task due at the year's end, the end in Y
DROPPER = ("金乡县", 1)  # its Y return holds a second half only, in the second 办电时限 row


def task_rows(unit: str, period: Period, rng: random.Random, mistakes: bool) -> list[dict]:
    rows = []
    lag = {PROMISER: 2, "金乡县": 1}.get(unit, 0) if mistakes else 0
    midyear = date(period.year, 6, 30)  # lag the same tasks in the H1 and the Y return
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
            if lag and city.due < midyear:  # behind on a task already overdue
                status, done, lag = "进度滞后", None, lag - 1
        else:
            status = "序时推进"
        values = rng.randint(1, 12), rng.randint(2, 9), rng.randint(30, 3000), rng.randint(85, 99)
        m, k, n, p = values
        row = {
            "county_units": "、".join(offices(unit, task.units)),
            "county_due": due_text,
            "status": status,
            "done_date": done,
            "progress": PROGRESS[int(task.id) % len(PROGRESS)].format(u=unit, m=m, k=k, n=n, p=p),
            "problems": "",
            "plan": "",
            "owner": NAMES[int(task.id) % len(NAMES)],
            "phone": phone(rng),
        }
        if status == "进度滞后":
            row["problems"] = f"受用地审批和施工条件影响，{unit}该项工作未能按期完成。"
            promised = (
                f"{period.year}年9月底前"
                if period.kind == "H1" and unit == PROMISER
                else f"{period.year + 1}年3月底前"
            )
            row["plan"] = f"{unit}已明确专人督办，计划{promised}完成。"
        if mistakes and period.kind == "H1" and (unit, task.id) == REGRESSED:
            row.update(status="已完成", done_date=date(period.year, 5, 20))
        rows.append(row)
    if mistakes and period.kind == "H1" and unit == MOVER:
        year_end = date(period.year, 12, 31)
        tasks = load().tasks
        i = next(
            i
            for i, t in enumerate(tasks)
            if parse_deadline(t.due, year=period.year).due == year_end
        )
        rows[i]["county_due"] = f"{period.year}年9月底前"
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


def connection_rows(unit: str, rng: random.Random, mistakes: bool) -> list[list]:
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


def reliability_rows(rng: random.Random) -> list[list]:
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


def sanling_values(connection: list[list], rng: random.Random) -> dict[str, float]:
    low, high = connection[0][0], sum(r[0] for r in connection[1:])
    small = round(low * rng.uniform(0.25, 0.4))
    values = {
        "低压小微企业报装户数（160千瓦及以下）": small,
        # the plan gives every small business (≤160 kW) 三零 service, and tasks 9 / 40 say 已完成
        "其中享受“三零”服务户数": small,
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


def _add(a, b):
    return None if a is None else round(a + b, 2)


def _combine(first: list, second: list) -> list:
    """Two half-years' rows of 办电时限 as one year: counts and 累计 days added, the longest
    of the two, the 说明 of either."""
    *counts, total, longest, over, note = first
    *more, total2, longest2, over2, note2 = second
    summed = [_add(a, b) for a, b in zip(counts, more, strict=True)]
    return [*summed, total + total2, max(longest, longest2), over + over2, note or note2]


def _half_of(row: list) -> list:
    """A second half-year half the size of `row` (the first), nobody over the limit: what a
    county types when it reports only July to December."""
    n, *steps, total, longest, _over, _note = row
    steps = [None if v is None else round(v / 2) for v in steps]
    total = sum(v for v in steps if v is not None)
    return [max(1, n // 2), *steps, total, min(longest, float(total)), 0, ""]


def half_year(unit: str, year: int, half: str, seed: int, mistakes: bool):
    """(办电时限 rows, 三零三省 values) of one half-year (H1 or H2) of `unit`; the planted
    over-limit stories are in the first half, so the year inherits them."""
    rng = random.Random(f"{seed}:{unit}:{year}{half}:indicators")
    connection = connection_rows(unit, rng, mistakes and half == "H1")
    return connection, sanling_values(connection, rng)


def year_to_date(unit: str, period: Period, seed: int, mistakes: bool):
    """(办电时限 rows, 三零三省 values) of the year to the period's as-of date."""
    halves = [half_year(unit, period.year, h, seed, mistakes) for h in ("H1", "H2")]
    if period.kind == "H1":
        return halves[0]
    connection = [_combine(a, b) for a, b in zip(halves[0][0], halves[1][0], strict=True)]
    if mistakes and unit == DROPPER[0]:  # forgot to add the first half
        connection[DROPPER[1]] = _half_of(halves[0][0][DROPPER[1]])
    sanling = {name: round(value + halves[1][1][name], 2) for name, value in halves[0][1].items()}
    return connection, sanling
