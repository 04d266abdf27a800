"""The city summary workbook (SPEC §5): a Summary rendered to .xlsx with XlsxWriter — 总览,
任务矩阵, 逾期滞后清单, the indicator sheets (summary_indicators.py), 校验问题 and 来源.

Every figure is a value computed in Python (consolidate.py / aggregate.py), never a formula,
so every reader — Excel, WPS, LibreOffice, a phone's viewer — shows the same numbers. Text
from a county's file goes through write_string only (xlsx.put). The file is written beside
the target and renamed into place (atomic.write_atomic)."""

from __future__ import annotations

from pathlib import Path

from addin.model.findings import SEVERITY_LABELS
from addin.model.summary import Summary, findings_text
from addin.write.atomic import write_atomic
from addin.write.palette import LIGHT_TEXT, STATE_LIGHT
from addin.write.summary.indicators import connection_sheet, reliability_sheet, sanling_sheet
from addin.write.summary.style import (
    COUNT,
    HEADER_ROW,
    PCT,
    SHEETS,
    UNIT_WIDTH,
    SummaryFormats,
    fit,
    put_fitted,
    rate,
    sheet,
)
from addin.write.xlsx import new_book, put

__all__ = ["SHEETS", "build", "write_summary"]


def build(summary: Summary, path: Path | str) -> None:
    book = new_book(path)
    book.set_properties(
        {
            "title": f"“获得电力”任务台账汇总（{summary.period.label}）",
            "author": "taizhang",
            "company": "济宁市能源局",
            "created": summary.validated_at,
        }
    )
    fmt = SummaryFormats(book)
    _overview(book, fmt, summary)
    _matrix(book, fmt, summary)
    _lagging(book, fmt, summary)
    connection_sheet(book, fmt, summary)
    reliability_sheet(book, fmt, summary)
    sanling_sheet(book, fmt, summary)
    _findings(book, fmt, summary)
    _sources(book, fmt, summary)
    book.close()


def write_summary(summary: Summary, output: Path | str) -> Path:
    return write_atomic(Path(output), lambda tmp: build(summary, tmp))


# ---- sheets ----------------------------------------------------------------------------

OVERVIEW_STATUS = (
    "已完成",
    "已实现持续巩固",
    "序时推进",
    "持续推进",
    "进度滞后",
    "未启动",
    "不适用",
    "",
)


def _overview(book, fmt, s: Summary) -> None:
    headers = (
        [
            ("报送单位", UNIT_WIDTH),
            ("报送状态", 9),
            ("文件", 34),
            ("填报日期", 11),
            ("错误", 6),
            ("警告", 6),
        ]
        + [(st or "未填", 8) for st in OVERVIEW_STATUS]
        + [
            ("完成率", 8),
            ("推进正常率", 9),
            ("到期完成率", 9),
            ("逾期", 6),
            ("滞后", 6),
            ("红绿灯", 7),
            ("未采用的旧版本", 30),
        ]
    )
    ws = sheet(book, fmt, "总览", f"“获得电力”任务台账汇总（{s.period.label}）", headers)
    text, num = fmt(text_wrap=True), fmt(num_format=COUNT, align="center")
    pct, day = fmt(num_format=PCT, align="center"), fmt(num_format="yyyy-mm-dd", align="center")
    row = HEADER_ROW
    for u in s.units:
        row += 1
        f = u.figures
        put(ws, row, 1, u.unit, text)
        put(ws, row, 2, u.status, fmt.light(STATE_LIGHT[u.status]))
        put(ws, row, 3, u.file, text)
        put(ws, row, 4, u.ret.filed if u.ret else None, day)
        put(ws, row, 5, u.counts["error"], num)
        put(ws, row, 6, u.counts["warning"], num)
        for col, st in enumerate(OVERVIEW_STATUS, start=7):
            put(ws, row, col, f.counts.get(st, 0) if f else None, num)
        rates = (f.completion_rate, f.on_track_rate, f.due_completion_rate) if f else (None,) * 3
        for col, value in enumerate(rates, start=15):
            put(ws, row, col, rate(value) if f else None, pct)
        put(ws, row, 18, f.overdue if f else None, num)
        put(ws, row, 19, f.lagging if f else None, num)
        put(ws, row, 20, LIGHT_TEXT[u.light], fmt.light(u.light))
        put(ws, row, 21, "、".join(u.older), text)
        fit(ws, row, headers, {1: u.unit, 3: u.file, 21: "、".join(u.older)})
    last_unit = row
    row += 1
    c, bold = s.city, {"bold": True, "bg_color": "#F2F2F2"}
    put(ws, row, 1, "全市合计", fmt(**bold))
    put(ws, row, 2, None, fmt(**bold))
    label = s.totals_label()
    put(ws, row, 3, label, fmt(text_wrap=True, **bold))
    put(ws, row, 4, None, fmt(**bold))
    bold_num = fmt(num_format=COUNT, align="center", **bold)
    put(ws, row, 5, s.unit_totals["error"], bold_num)
    put(ws, row, 6, s.unit_totals["warning"], bold_num)
    for col, st in enumerate(OVERVIEW_STATUS, start=7):
        put(ws, row, col, c.counts.get(st, 0), bold_num)
    bold_pct = fmt(num_format=PCT, align="center", **bold)
    for col, value in enumerate(
        (c.completion_rate, c.on_track_rate, c.due_completion_rate), start=15
    ):
        put(ws, row, col, rate(value), bold_pct)
    put(ws, row, 18, c.overdue, bold_num)
    put(ws, row, 19, c.lagging, bold_num)
    put(ws, row, 20, None, fmt(**bold))
    put(ws, row, 21, None, fmt(**bold))
    fit(ws, row, headers, {3: label})
    notes = [
        f"进展截至 {s.period.as_of:%Y-%m-%d}，报送截止 {s.period.due:%Y-%m-%d}，"
        f"汇总日期 {s.validated_at:%Y-%m-%d}。",
        "完成率 = 已完成及已实现持续巩固的任务 ÷ 除不适用外、有完成节点的任务（市定完成时间为"
        "持续推进的任务没有终点，不计入）；推进正常率 = 亮绿灯的任务 ÷ 除不适用外的全部任务"
        "（含持续推进）；到期完成率 = 时限在进展截至日及以前的任务中已完成或已实现持续巩固的比例"
        "（县级时限有具体日期时按县级，否则按市定）。比率保留两位小数，未全部完成的不显示为 100.00%。",
        "逾期 = 时限在进展截至日当天或以前、仍未完成（与校验的“已逾期”同一口径）；滞后 = 填报为"
        "进度滞后或未启动。红绿灯：有逾期为红，有滞后或超期完成为黄，其余为绿；退回、未报的单位"
        "不亮灯（—）。",
        "退回的台账列出但不计入全市合计的任务数、完成率、逾期和滞后（--include-invalid 时计入）；"
        "未报单位不计入。全市合计的错误、警告是上面各单位行之和。",
        f"“校验问题”表共{findings_text(s.finding_counts)}。",
    ]
    for i, note in enumerate(notes, start=row + 2):
        put(ws, i, 1, note, fmt(border=0))
    chart = book.add_chart({"type": "column"})
    for col, name, colour in ((14, "完成率", "#5B9BD5"), (15, "推进正常率", "#70AD47")):
        chart.add_series(
            {
                "name": name,
                "categories": ["总览", HEADER_ROW, 0, last_unit - 1, 0],
                "values": ["总览", HEADER_ROW, col, last_unit - 1, col],
                "fill": {"color": colour},
                # 0.00%, as the cells: a coarser label would round 99.99% up to 100%. One
                # series labelled: two labels per unit overlap; the table has both.
                **(
                    {"data_labels": {"value": True, "num_format": "0.00%", "font": {"size": 8}}}
                    if col == 14
                    else {}
                ),
            }
        )
    chart.set_title({"name": "各单位完成率和推进正常率"})
    chart.set_y_axis({"num_format": "0%", "min": 0, "max": 1})
    chart.set_legend({"position": "top"})
    chart.set_size({"width": 960, "height": 360})
    ws.insert_chart(row + 2 + len(notes), 0, chart)


def _matrix(book, fmt, s: Summary) -> None:
    headers = [("序号", 6), ("分类", 12), ("工作目标任务", 50), ("完成时间", 14)]
    headers += [
        (u.unit if u.status in ("已报", "迟报") else f"{u.unit}（{u.status}）", 10) for u in s.units
    ]
    ws = sheet(
        book, fmt, "任务矩阵", f"任务完成状态矩阵（{s.period.label}）", headers, freeze_cols=3
    )
    text, centre = fmt(text_wrap=True), fmt(align="center")
    states = {(u.unit, st.id): st for u in s.units if u.figures for st in u.figures.states}
    row = HEADER_ROW
    for task in s.tasks:
        row += 1
        put(ws, row, 1, int(task.id), centre)
        put(ws, row, 2, task.category, text)
        put(ws, row, 3, task.text, text)
        put(ws, row, 4, task.due, text)
        for col, u in enumerate(s.units, start=5):
            st = states.get((u.unit, task.id))
            if st is None:
                put(ws, row, col, "未报" if u.ret is None else "缺", fmt.light("grey"))
            else:
                light = u.task_light(st)
                put(ws, row, col, st.status or "未填", fmt.light(light, text_wrap=True))
        statuses = {
            col: states[(u.unit, task.id)].status
            for col, u in enumerate(s.units, start=5)
            if (u.unit, task.id) in states
        }
        fit(ws, row, headers, {2: task.category, 3: task.text, 4: task.due, **statuses})
    row += 2
    put(ws, row, 3, "图例", fmt(bold=True, border=0))
    legend = [
        ("green", "绿：已完成、已实现持续巩固、序时推进或持续推进，且未逾期"),
        ("yellow", "黄：进度滞后、未启动（尚未到期）或超过时限才完成"),
        ("red", "红：已过完成时限仍未完成（逾期）"),
        ("grey", "灰：不适用、未填、未报、缺该任务，或台账被退回（退回的台账不亮灯）"),
    ]
    for light, meaning in legend:
        row += 1
        put(ws, row, 2, LIGHT_TEXT[light], fmt.light(light))
        put(ws, row, 3, meaning, fmt(border=0))
    if s.local_tasks:
        row += 2
        put(ws, row, 3, "各单位自行增加的任务（不计入完成率）", fmt(bold=True, border=0))
        row += 1
        # 进展情况 spans the unit columns to the right, so long progress text stays readable
        last = max(len(headers), 6)
        local = [*headers[:5], ("进展情况", sum(w for _, w in headers[5:last]) or 10)]
        heads = ("序号", "单位", "工作目标任务", "县级完成时限", "完成状态", "进展情况")
        head = fmt(bold=True, bg_color="#DDEBF7", align="center")
        for col, title in enumerate(heads, start=1):
            put(ws, row, col, title, head)
        if last > 6:
            ws.merge_range(row - 1, 5, row - 1, last - 1, "进展情况", head)
        for unit, t in s.local_tasks:
            row += 1
            values = [
                (t.id, centre),
                (unit, text),
                (t.text, text),
                (t.county_due.raw if t.county_due else "", text),
                (t.status, fmt(align="center", text_wrap=True)),
            ]
            put_fitted(ws, row, local, values)
            if last > 6:
                ws.merge_range(row - 1, 5, row - 1, last - 1, "", text)
            put(ws, row, 6, t.progress, text)
            fit(ws, row, local, {2: unit, 3: t.text, 6: t.progress})


def _lagging(book, fmt, s: Summary) -> None:
    headers = [
        ("序号", 6),
        ("单位", UNIT_WIDTH),
        ("任务序号", 7),
        ("工作目标任务", 40),
        ("市定完成时间", 14),
        ("县级完成时限", 14),
        ("应完成日期", 11),
        ("完成状态", 10),
        ("类别", 10),
        ("红绿灯", 7),
        ("进展情况", 36),
        ("存在问题", 30),
        ("下步打算", 30),
    ]
    ws = sheet(
        book,
        fmt,
        "逾期滞后清单",
        f"逾期和滞后任务清单（{s.period.label}，督办用）",
        headers,
        freeze_cols=3,
    )
    text, centre = fmt(text_wrap=True), fmt(align="center")
    day = fmt(num_format="yyyy-mm-dd", align="center")
    for i, item in enumerate(s.lag_items, start=1):
        row = HEADER_ROW + i
        kind = "、".join(k for k, on in (("逾期", item.overdue), ("滞后", item.lagging)) if on)
        values = [
            (i, centre),
            (item.unit, text),
            (int(item.task), centre),
            (item.text, text),
            (item.city_due, text),
            (item.county_due, text),
            (item.due, day),
            (item.status, centre),
            (kind, centre),
            (LIGHT_TEXT[item.light], fmt.light(item.light)),
            (item.progress, text),
            (item.problems, text),
            (item.plan, text),
        ]
        put_fitted(ws, row, headers, values)
    if s.lag_items:
        ws.autofilter(HEADER_ROW - 1, 0, HEADER_ROW - 1 + len(s.lag_items), len(headers) - 1)
    else:
        put(ws, HEADER_ROW + 1, 2, "本期没有逾期或滞后的任务", fmt(border=0))


def _findings(book, fmt, s: Summary) -> None:
    headers = [
        ("序号", 6),
        ("文件", 30),
        ("单位", UNIT_WIDTH),
        ("级别", 6),
        ("代码", 24),
        ("工作表", 10),
        ("单元格", 7),
        ("任务", 6),
        ("列", 12),
        ("填写的值", 24),
        ("问题", 48),
        ("修改建议", 36),
    ]
    ws = sheet(
        book,
        fmt,
        "校验问题",
        f"校验问题（{s.period.label}，共 {len(s.findings)} 条）",
        headers,
        freeze_cols=2,
    )
    text = fmt(text_wrap=True)
    for i, fr in enumerate(s.findings, start=1):
        f, row = fr.finding, HEADER_ROW + i
        light = "red" if f.is_error else "yellow"
        values = [
            (i, fmt(align="center")),
            (fr.file, text),
            (fr.unit, text),
            (SEVERITY_LABELS[f.severity], fmt.light(light)),
            (f.code, text),
            (f.sheet, text),
            (f.cell, text),
            (f.task, text),
            (f.column, text),
            (f.value, text),
            (f.message, text),
            (f.hint, text),
        ]
        put_fitted(ws, row, headers, values)
    if s.findings:
        ws.autofilter(HEADER_ROW - 1, 0, HEADER_ROW - 1 + len(s.findings), len(headers) - 1)


def _sources(book, fmt, s: Summary) -> None:
    headers = [
        ("文件", 34),
        ("报送单位", UNIT_WIDTH),
        ("报送期次", 9),
        ("填报日期", 11),
        ("模板版本", 8),
        ("格式", 6),
        ("大小（字节）", 10),
        ("SHA-256", 66),
        ("汇总日期", 11),
        ("汇总使用", 16),
    ]
    ws = sheet(book, fmt, "来源", f"汇总所用文件（{s.period.label}）", headers)
    text, centre = fmt(text_wrap=True), fmt(align="center")
    for i, src in enumerate(s.sources, start=1):
        r, row = src.ret, HEADER_ROW + i
        values = [
            (r.source.name, text),
            (r.unit, text),
            (r.period, centre),
            (r.filed, fmt(num_format="yyyy-mm-dd", align="center")),
            (r.template_version, centre),
            (r.source.format, centre),
            (r.source.size, fmt(num_format=COUNT)),
            (r.source.sha256, fmt(font_name="Consolas")),
            (s.validated_at.date(), fmt(num_format="yyyy-mm-dd", align="center")),
            (src.use, text),
        ]
        put_fitted(ws, row, headers, values)
