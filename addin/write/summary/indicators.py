"""The summary's indicator sheets: 办电时限汇总 (connection time by customer type), 供电可靠性汇总
(outage hours by area) and 三零三省汇总, each city-wide row first and then the units'. The
figures come computed from aggregate.py; here they are only laid out."""

from __future__ import annotations

from addin.model.summary import Summary
from addin.write.palette import MET_LIGHT, MET_TEXT, VERDICT_LIGHT
from addin.write.summary.style import (
    COUNT,
    DAYS,
    HEADER_ROW,
    PCT,
    UNIT_WIDTH,
    fit,
    rate,
    ratio,
    sheet,
)
from addin.write.xlsx import put
from schemas.reference import load


def connection_sheet(book, fmt, s: Summary) -> None:
    steps = load().steps
    headers = [("客户类型", 36), ("单位", UNIT_WIDTH), ("接电户数", 9)]
    headers += [(f"{step}平均（工作日）", 11) for step in steps]
    headers += [
        ("合计平均（工作日）", 11),
        ("合计时限（工作日）", 10),
        ("最长办理时长（工作日）", 10),
        ("超时限户数", 9),
        ("按时率", 8),
        ("是否达到附件1时限", 14),
    ]
    ws = sheet(
        book,
        fmt,
        "办电时限汇总",
        "用电报装办电时限汇总（加权平均 = Σ累计 ÷ Σ户数；达到 = 平均不超时限且无超时限户，"
        "基本达到 = 平均不超时限、超时限户均有说明）",
        headers,
        freeze_cols=2,
    )
    for i, r in enumerate(s.connection, start=1):
        row, city = HEADER_ROW + i, r.unit == "全市"
        extra = {"bold": True, "bg_color": "#F2F2F2"} if city else {}
        put(ws, row, 1, r.type, fmt(text_wrap=True, **extra))
        put(ws, row, 2, r.unit, fmt(**extra))
        put(ws, row, 3, r.connections, fmt(num_format=COUNT, **extra))
        for col, step in enumerate(steps, start=4):
            if step not in r.step_limit:
                put(ws, row, col, "--", fmt(align="center", font_color="#808080", **extra))
                continue
            avg = r.step_average.get(step)
            over = avg is not None and avg > r.step_limit[step]
            put(
                ws,
                row,
                col,
                ratio(avg),
                fmt(num_format=DAYS, **extra, **({"font_color": "#C00000"} if over else {})),
            )
        col = 4 + len(steps)
        put(ws, row, col, ratio(r.average_days), fmt(num_format=DAYS, **extra))
        put(ws, row, col + 1, r.limit_days, fmt(num_format=COUNT, **extra))
        put(ws, row, col + 2, r.longest, fmt(num_format=DAYS, **extra))
        put(ws, row, col + 3, r.over_limit, fmt(num_format=COUNT, **extra))
        put(ws, row, col + 4, rate(r.on_time_rate), fmt(num_format=PCT, **extra))
        light = VERDICT_LIGHT[r.verdict]
        put(ws, row, col + 5, r.verdict_text, fmt.light(light, text_wrap=True, **extra))
    row = HEADER_ROW + len(s.connection) + 2
    put(ws, row, 1, "附件1 时限（工作日；-- 为已取消环节）", fmt(bold=True, border=0))
    for ctype in load().customer_types:
        row += 1
        put(ws, row, 1, ctype.name, fmt(text_wrap=True))
        for col, step in enumerate(steps, start=4):
            put(ws, row, col, ctype.limits.get(step, "--"), fmt(align="center"))
        put(ws, row, 4 + len(steps) + 1, ctype.total, fmt(align="center"))


def reliability_sheet(book, fmt, s: Summary) -> None:
    half = s.period.kind == "H1"  # half-year figures: judged by the year-on-year cut alone
    target = "全年目标（小时，仅供参考）" if half else "目标（小时）"
    headers = [
        ("区域", 8),
        ("单位", UNIT_WIDTH),
        ("用户数", 12),
        ("停电时户数", 12),
        ("平均停电时间（小时）", 11),
        (target, 11 if half else 9),
        ("上年同期平均（小时）", 11),
        ("同比变化", 9),
        ("达到全年目标（参考）" if half else "达到目标值", 10 if half else 9),
        ("同比压降达标", 10),
        ("是否达标", 8),
    ]
    rule = (
        "上半年按同比压降 8% 认定达标，全年目标仅供参考"
        if half
        else "达到目标值或同比压降 8% 即为达标"
    )
    ws = sheet(
        book,
        fmt,
        "供电可靠性汇总",
        f"供电可靠性汇总（平均停电时间 = Σ停电时户数 ÷ Σ用户数；{rule}）",
        headers,
        freeze_cols=2,
    )
    city_rows = []
    for i, r in enumerate(s.reliability, start=1):
        row, city = HEADER_ROW + i, r.unit == "全市"
        extra = {"bold": True, "bg_color": "#F2F2F2"} if city else {}
        if city:
            city_rows.append(r)
        values = [
            (r.area, {}),
            (r.unit, {}),
            (r.customers, {"num_format": COUNT}),
            (r.outage_hours, {"num_format": "#,##0.00"}),
            (ratio(r.average_hours), {"num_format": DAYS}),
            (r.target_hours, {"num_format": DAYS}),
            (ratio(r.last_average_hours), {"num_format": DAYS}),
            (ratio(r.yoy_change), {"num_format": "+0.00%;-0.00%;0.00%"}),
            (MET_TEXT[r.met_target], {"align": "center"}),
            (MET_TEXT[r.met_cut], {"align": "center"}),
        ]
        for col, (value, props) in enumerate(values, start=1):
            put(ws, row, col, value, fmt(**props, **extra))
        put(ws, row, 11, MET_TEXT[r.met], fmt.light(MET_LIGHT[r.met], **extra))
    # the chart's own small table: city-wide average against the target per area
    top = HEADER_ROW + len(s.reliability) + 2
    put(ws, top, 1, "区域", fmt(bold=True))
    put(ws, top, 2, "全市平均（小时）", fmt(bold=True))
    put(ws, top, 3, target, fmt(bold=True))
    for i, r in enumerate(city_rows, start=1):
        put(ws, top + i, 1, r.area)
        put(ws, top + i, 2, ratio(r.average_hours), fmt(num_format=DAYS))
        put(ws, top + i, 3, r.target_hours, fmt(num_format=DAYS))
    chart = book.add_chart({"type": "column"})
    first, last = top, top + len(city_rows) - 1  # 0-based rows of the data
    goal = "全年目标（参考）" if half else "目标"
    for col, name, colour in ((1, "全市平均停电时间", "#5B9BD5"), (2, goal, "#ED7D31")):
        chart.add_series(
            {
                "name": name,
                "categories": ["供电可靠性汇总", first, 0, last, 0],
                "values": ["供电可靠性汇总", first, col, last, col],
                "fill": {"color": colour},
                "data_labels": {"value": True, "num_format": "0.00"},
            }
        )
    chart.set_title({"name": f"各区域平均停电时间与{goal}（小时）"})
    chart.set_y_axis({"num_format": "0.00", "min": 0})
    chart.set_size({"width": 720, "height": 320})
    ws.insert_chart(top + len(city_rows) + 1, 0, chart)


def sanling_sheet(book, fmt, s: Summary) -> None:
    units = [u.unit for u in s.units if u.included]
    headers = [("指标", 40), ("单位", 6), ("全市合计", 12), ("占比", 8), ("占比口径", 36)]
    headers += [(u, 10) for u in units]
    ws = sheet(book, fmt, "三零三省汇总", "“三零”“三省”服务成效汇总", headers, freeze_cols=2)
    for i, r in enumerate(s.sanling, start=1):
        row = HEADER_ROW + i
        whole = r.unit_of_measure != "万元"
        number = fmt(num_format=COUNT if whole else "#,##0.00")
        put(ws, row, 1, r.indicator, fmt(text_wrap=True))
        put(ws, row, 2, r.unit_of_measure, fmt(align="center"))
        put(ws, row, 3, r.total, fmt(num_format=COUNT if whole else "#,##0.00", bold=True))
        put(ws, row, 4, rate(r.share) if r.share_of else None, fmt(num_format=PCT))
        put(ws, row, 5, f"占 {r.share_of}" if r.share_of else "", fmt(text_wrap=True))
        fit(ws, row, headers, {1: r.indicator, 5: f"占 {r.share_of}" if r.share_of else ""})
        for col, unit in enumerate(units, start=6):
            put(ws, row, col, r.by_unit.get(unit), number)
