"""The ledger workbook's layout (SPEC §2): sheet names, titles, headers and the English keys
the code uses for each column. The template writes it, the validator reads by it."""

from __future__ import annotations

from dataclasses import dataclass

TEMPLATE_VERSION = "1.0"
KNOWN_TEMPLATE_VERSIONS = ("1.0",)

# A hidden sheet the template carries: key/value rows (模板版本, 报送单位, 报送期次, …) so the
# validator and the add-in know what they read, and a list of cells to highlight (the add-in's
# marks: conditional formatting on every data sheet reads the defined name MARKS_NAME).
META_SHEET = "_taizhang"
MARKS_NAME = "taizhang_marks"
META_KEYS = ("template", "template_version", "unit", "period", "generator")
META_TEMPLATE_ID = "taizhang-ledger"
CONSOLE_TEMPLATE_ID = "taizhang-console"  # the bureau's console workbook (write/console_book.py)

HEADER_ROW = 2  # title in row 1, headers in row 2, data from row 3 (Excel numbering)
FIRST_DATA_ROW = 3


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    locked: bool = False  # filled by the city, locked in the template
    width: float = 12


@dataclass(frozen=True)
class SheetLayout:
    name: str
    title: str
    columns: tuple[Column, ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


COVER = SheetLayout(
    "封面",
    "{unit}{period_label}“获得电力”任务台账",
    (
        Column("item", "项目", locked=True, width=16),
        Column("value", "内容", width=40),
    ),
)
COVER_ITEMS = ("报送单位", "报送期次", "填报人", "联系电话", "审核人", "填报日期", "模板版本")
COVER_LOCKED_ITEMS = ("报送单位", "报送期次", "模板版本")

TASKS = SheetLayout(
    "任务台账",
    "济宁市全面提升“获得电力”服务水平工作任务台账（{unit}）",
    (
        Column("id", "序号", True, 6),
        Column("category", "分类", True, 12),
        Column("text", "工作目标任务", True, 48),
        Column("units", "责任单位", True, 22),
        Column("due", "完成时间", True, 14),
        Column("county_units", "县级责任单位", False, 22),
        Column("county_due", "县级完成时限", False, 14),
        Column("status", "完成状态", False, 12),
        Column("done_date", "完成日期", False, 12),
        Column("progress", "进展情况", False, 40),
        Column("problems", "存在问题", False, 24),
        Column("plan", "下步打算", False, 24),
        Column("owner", "责任人", False, 10),
        Column("phone", "联系电话", False, 14),
    ),
)

CONNECTION = SheetLayout(
    "办电时限",
    "用电报装办电时限（附件1，单位：工作日）",
    (
        Column("type", "客户类型", True, 30),
        Column("limit", "时限（工作日）", True, 12),
        Column("connections", "接电户数", False, 10),
        Column("step:受理并答复供电方案", "受理并答复供电方案累计（工作日）", False, 14),
        Column("step:设计审查", "设计审查累计（工作日）", False, 12),
        Column("step:中间检查", "中间检查累计（工作日）", False, 12),
        Column("step:验收送电", "验收送电累计（工作日）", False, 12),
        Column("total", "合计累计（工作日）", False, 12),
        Column("longest", "最长办理时长（工作日）", False, 12),
        Column("over_limit", "超时限户数", False, 10),
        Column("note", "说明", False, 30),
    ),
)

RELIABILITY = SheetLayout(
    "供电可靠性",
    "供电可靠性（用户年均停电时间）",
    (
        Column("area", "区域", True, 10),
        Column("target", "目标（小时）", True, 12),
        Column("customers", "用户数", False, 12),
        Column("outage_hours", "停电时户数", False, 12),
        Column("outages", "停电户次", False, 12),
        Column("last_customers", "上年同期用户数", False, 14),
        Column("last_outage_hours", "上年同期停电时户数", False, 16),
        Column("note", "说明", False, 30),
    ),
)

SANLING = SheetLayout(
    "三零三省",
    "“三零”“三省”服务成效",
    (
        Column("indicator", "指标", True, 40),
        Column("value", "数值", False, 14),
        Column("unit", "单位", True, 8),
        Column("note", "说明", False, 30),
    ),
)

GUIDE_SHEET = "填报说明"

DATA_SHEETS = (TASKS, CONNECTION, RELIABILITY, SANLING)
ALL_SHEETS = (COVER, *DATA_SHEETS)

STATUSES = ("已完成", "已实现持续巩固", "序时推进", "持续推进", "进度滞后", "未启动", "不适用")
DONE_STATUSES = ("已完成", "已实现持续巩固")
BEHIND_STATUSES = ("进度滞后", "未启动")
NOT_APPLICABLE = "不适用"


def step_key(step: str) -> str:
    return f"step:{step}"


def local_task_id(text: str) -> bool:
    """Local tasks a county adds below the 68: L1, L2, …"""
    return len(text) > 1 and text[0] in "Ll" and text[1:].isdigit()


# The 校验结果 sheet, the same in a --mark copy, in Excel (the add-in's button) and in WPS (the
# WPS add-in gets these through the service): headers, widths, and the fills of marked cells
# (Excel's own 差 / 适中 styles: background, font colour).
RESULTS_SHEET = "校验结果"
RESULT_HEADERS = ("序号", "级别", "代码", "工作表", "单元格", "问题", "修改建议")
RESULT_WIDTHS = (6, 8, 26, 12, 10, 60, 48)
MARK_FILLS = {"error": ("FFC7CE", "9C0006"), "warning": ("FFEB9C", "9C5700")}
# A text starting with one of these would become a formula in Excel, WPS or LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@")
