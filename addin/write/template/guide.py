"""The Chinese words of the blank ledger: the 填报说明 sheet and the input messages shown on
each county column. Kept apart from template.py so the layout code stays readable; every
figure here (limits, targets, dates) is taken from the reference data, never typed."""

from __future__ import annotations

from datetime import date

from schemas.reference import Period, Reference
from schemas.sheets import (
    COVER_LOCKED_ITEMS,
    FIRST_DATA_ROW,
    STATUSES,
    TASKS,
    TEMPLATE_VERSION,
)

LOCAL_ROWS = 10  # empty rows below the catalogue for local tasks (template.py uses it too)

# What each status means (SPEC §2.5); the keys must be exactly sheets.STATUSES.
STATUS_MEANINGS = {
    "已完成": "任务已全部完成，须填写完成日期",
    "已实现持续巩固": "目标此前已经实现，本期持续巩固提升（如市定完成时间为“已实现，持续巩固提升”）",
    "序时推进": "按计划进度推进，尚未到完成时限",
    "持续推进": "长期性、常态化任务，持续开展（如市定完成时间为“持续推进”）",
    "进度滞后": "未达到计划进度，须填写存在问题和下步打算",
    "未启动": "尚未开始，须填写存在问题和下步打算",
    "不适用": "本辖区无此项工作，须在进展情况中说明原因",
}

DEADLINE_EXAMPLES = (
    "2021年6月底前、2021年12月31日前、2021年上半年、2021年第三季度、2022年底前、持续推进"
)
DATE_EXAMPLES = "2021-05-20、2021年5月20日、2021/5/20、2021.5.20"


def cn_date(day: date) -> str:
    """2021年6月30日 (strftime's %-m is not portable to Windows)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _check_statuses() -> None:
    if tuple(STATUS_MEANINGS) != STATUSES:
        raise RuntimeError("STATUS_MEANINGS must list exactly schemas.sheets.STATUSES in order")


def input_messages(ref: Reference, period: Period) -> dict[str, dict[str, tuple[str, str]]]:
    """(title, message) per sheet and column key, shown when an officer selects the cell."""
    _check_statuses()
    tasks = {
        "id": ("序号", "本地任务的编号依次填 L1、L2、L3…"),
        "category": ("分类", "本地任务的分类，可参照上方市定分类填写"),
        "text": ("工作目标任务", "本地任务的工作目标任务"),
        "units": ("责任单位", "本地任务的责任单位"),
        "due": ("完成时间", f"本地任务的完成时间，如 {DEADLINE_EXAMPLES}"),
        "county_units": (
            "县级责任单位",
            "填写本辖区承担此项任务的单位，多个单位用“、”分隔，如 县发展和改革局、县供电公司",
        ),
        "county_due": (
            "县级完成时限",
            f"不得晚于市定完成时间，写法同“完成时间”，如 {DEADLINE_EXAMPLES}",
        ),
        "status": (
            "完成状态",
            "从下拉列表选择：" + "、".join(STATUSES) + "。“逾期”由程序根据时限判断，不要填写",
        ),
        "done_date": (
            "完成日期",
            f"已完成的任务填写实际完成日期，如 {DATE_EXAMPLES}；未完成的留空",
        ),
        "progress": ("进展情况", f"填写截至 {cn_date(period.as_of)} 的工作进展，尽量写明具体数字"),
        "problems": ("存在问题", "完成状态为进度滞后或未启动时必填"),
        "plan": ("下步打算", "完成状态为进度滞后或未启动时必填，写明措施和时间"),
        "owner": ("责任人", "填写此项任务的责任人姓名"),
        "phone": ("联系电话", "手机号或固定电话（含区号），如 0537-2345678"),
    }
    connection = {
        "connections": ("接电户数", "本期该类客户已接电的户数（整数）"),
        "total": ("合计累计（工作日）", "本期该类客户全部户数的办电总工作日之和（不是平均值）"),
        "longest": ("最长办理时长（工作日）", "本期该类客户中办理时间最长一户的工作日数"),
        "over_limit": ("超时限户数", "本期办理时间超过时限的户数（整数）"),
        "note": ("说明", "超时限或数据异常时说明原因"),
    }
    for step in ref.steps:
        connection[f"step:{step}"] = (
            f"{step}累计"[:32],
            f"本期该类客户“{step}”环节所用工作日之和（不是平均值），平均值由程序按累计÷户数计算",
        )
    reliability = {
        "customers": ("用户数", "本区域的用户数（整数）；无此类区域的填 0 并在说明中注明"),
        "outage_hours": ("停电时户数", "本期各次停电的“停电时间（小时）×停电户数”之和，可带小数"),
        "outages": ("停电户次", "本期各次停电的停电户数之和（整数）"),
        "last_customers": ("上年同期用户数", "上年同期本区域的用户数（整数）"),
        "last_outage_hours": ("上年同期停电时户数", "上年同期的停电时户数，可带小数"),
        "note": ("说明", "未达到目标或数据口径有变化时说明原因"),
    }
    sanling = {"note": ("说明", "数据来源或口径说明")}
    return {
        "任务台账": tasks,
        "办电时限": connection,
        "供电可靠性": reliability,
        "三零三省": sanling,
    }


def guide_rows(ref: Reference, unit: str, period: Period) -> list[tuple[str, str]]:
    """(heading, text) rows of the 填报说明 sheet."""
    _check_statuses()
    n = len(ref.tasks)
    last_task_row = FIRST_DATA_ROW + n - 1
    city_cols = "、".join(c.header for c in TASKS.columns if c.locked)
    county_cols = "、".join(c.header for c in TASKS.columns if not c.locked)
    statuses = "\n".join(f"{s}：{m}" for s, m in STATUS_MEANINGS.items())
    limits = "\n".join(
        f"{ct.name}："
        + "，".join(
            f"{s} {ct.limits[s]} 个工作日" if s in ct.limits else f"{s} --（已取消）"
            for s in ref.steps
        )
        + f"，合计 {ct.total} 个工作日"
        for ct in ref.customer_types
    )
    targets = "、".join(f"{a.name} {a.target_hours:.2f} 小时" for a in ref.areas)
    wholes = "、".join(i.name for i in ref.indicators if i.whole)
    rows = [
        (
            "本表",
            f"{unit}{period.label}“获得电力”任务台账（报送期次 {period.code}，模板版本 "
            f"{TEMPLATE_VERSION}）。进展填报截至 {cn_date(period.as_of)}，"
            f"请于 {cn_date(period.due)} 前报送。",
        ),
        (
            "总体要求",
            "白底单元格为市定内容，已锁定；浅黄底单元格为填报区。工作表保护没有密码，"
            "只为防止误改。请不要改动工作表名称、表头文字和列的顺序，不要删除隐藏的工作表"
            "“_taizhang”；需要补充的内容可在表格右侧另加列。文件请保存为 .xlsx 格式，"
            "文件名保持不变。",
        ),
        (
            "封面",
            f"{'、'.join(COVER_LOCKED_ITEMS)}已预填，请填写填报人、联系电话、审核人和填报日期。",
        ),
        (
            "任务台账",
            f"第 {FIRST_DATA_ROW}–{last_task_row} 行为市定 {n} 项任务：{city_cols}"
            f"为市定内容，不得修改；请逐项填写{county_cols}。",
        ),
        (
            "县级完成时限",
            "不得晚于市定完成时间。写法与“完成时间”相同，如 "
            f"{DEADLINE_EXAMPLES}。市定为“已实现，持续巩固提升”的任务可填“持续巩固提升”。",
        ),
        (
            "完成状态",
            "从下拉列表选择，含义如下：\n"
            + statuses
            + "\n“逾期”不需填写，由程序根据完成时限和进展截至日期判断。",
        ),
        (
            "完成日期",
            f"已完成的任务填写实际完成日期，可填日期或文字，如 {DATE_EXAMPLES}。"
            "输入文字日期时 Excel 会提示核对，点击“是”即可保留。未完成的任务留空。",
        ),
        (
            "本地任务",
            f"第 {last_task_row + 1}–{last_task_row + LOCAL_ROWS} 行留给本辖区自行增加的"
            "任务，序号依次填 L1、L2…，各列写法同上。超过 "
            f"{LOCAL_ROWS} 项时，可在“审阅”中撤销工作表保护（无密码）后插入行。",
        ),
        (
            "办电时限",
            f"按{len(ref.customer_types)}类客户填报本期已接电的户数，以及各环节所用工作日的"
            "累计值（全部户数之和，不是平均值），平均办电时间由程序按“累计÷户数”计算。"
            "灰底“--”的环节已取消，保持原样。各类客户的时限（工作日）：\n" + limits,
        ),
        (
            "供电可靠性",
            f"目标为用户年均停电时间 {targets}，或同比下降不少于 "
            f"{ref.yoy_cut:.0%}。停电时户数为各次停电“停电时间（小时）×停电户数”之和；"
            "平均停电时间由程序按“停电时户数÷用户数”计算，不需填写。",
        ),
        (
            "三零三省",
            f"户数类指标（{wholes}）填整数；投资类指标单位为万元，可带小数。"
            "“其中”一行不得大于其上一行。",
        ),
    ]
    if period.planning:
        rows.insert(
            3,
            (
                "制定台账",
                "本期为制定本辖区任务台账：县级责任单位和县级完成时限必填；"
                "完成状态、完成日期、进展情况和办电时限等指标表可以留空。",
            ),
        )
    return rows
