"""The blank ledger workbook (SPEC §2): catalogue → one .xlsx per unit and period.

XlsxWriter writes it (fast, and it refuses what Excel would later "repair"). Reference columns
are pre-filled and locked, input cells unlocked and lightly filled, and every input column
carries a validation with a Chinese input message. A hidden sheet `_taizhang` holds the
metadata (what template, which unit and period) and an empty column of marks: conditional
formatting on every sheet highlights a cell whose key (`mark_key`) is written there, so the
add-in can point at cells without touching their own formats.

The layout comes from schemas/sheets.py and the data from schemas.reference; xlsxwriter is
imported only when a workbook is written, so readers may import `mark_key` cheaply."""

from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime
from pathlib import Path

from addin.atomic import write_atomic
from addin.errors import UsageError
from addin.template_guide import LOCAL_ROWS, guide_rows, input_messages
from schemas.reference import Period, load
from schemas.sheets import (
    CONNECTION,
    COVER,
    COVER_ITEMS,
    COVER_LOCKED_ITEMS,
    FIRST_DATA_ROW,
    GUIDE_SHEET,
    HEADER_ROW,
    MARKS_NAME,
    META_KEYS,
    META_SHEET,
    META_TEMPLATE_ID,
    RELIABILITY,
    SANLING,
    STATUSES,
    TASKS,
    TEMPLATE_VERSION,
    SheetLayout,
    step_key,
)

# --- marks: the add-in's highlight list --------------------------------------------------
# The add-in writes one key per cell to highlight into _taizhang!D2:D2001 (the defined name
# taizhang_marks); each sheet's conditional format looks its own cells up there.
MARK_KEY_FORMAT = "{sheet}!{cell}"  # e.g. 任务台账!G14 — no quotes, no $, column in capitals
MARKS_COLUMN = 4  # D
MARKS_HEADER = "marks"
MARKS_FIRST_ROW = 2
MARKS_ROWS = 2000
MARKS_REF = f"='{META_SHEET}'!$D${MARKS_FIRST_ROW}:$D${MARKS_FIRST_ROW + MARKS_ROWS - 1}"
MARK_FILL = "#FFC7CE"  # Excel's own "light red fill"
MARK_FONT = "#9C0006"

# Dates accepted without a warning: from the plan's start to the last year periods exist.
DATE_MIN = load().periods["plan_start"]
DATE_MAX = date(load().periods["last_year"], 12, 31)
DATE_FORMAT = 'yyyy"年"m"月"d"日"'

HEADER_FILL = "#DDEBF7"
INPUT_FILL = "#FFF9E5"
ABOLISHED_FILL = "#D9D9D9"
FONT = "宋体"
LINE_HEIGHT = 14.25  # points per line of 11-pt 宋体, what Excel uses for its default row


def mark_key(sheet: str, cell: str) -> str:
    """The text the add-in writes into taizhang_marks to highlight `cell` on `sheet`."""
    return MARK_KEY_FORMAT.format(sheet=sheet, cell=cell.replace("$", "").upper())


def mark_formula(sheet: str) -> str:
    """Conditional-format formula: true when this cell's key is in taizhang_marks.
    ADDRESS(ROW(),COLUMN(),4) is the evaluated cell's relative address, e.g. G14."""
    return f'=COUNTIF({MARKS_NAME},"{sheet}!"&ADDRESS(ROW(),COLUMN(),4))>0'


def ledger_filename(unit: str, period: Period) -> str:
    return f"{unit}-{period.code}-获得电力台账.xlsx"


def generator() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"taizhang {version('taizhang')}"
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "taizhang"


# --- public entry points ------------------------------------------------------------------


def write_ledger(unit_name: str, period: Period, output: Path | None = None) -> Path:
    """Write the blank ledger atomically; returns its path. `output`: None → the current
    folder; an existing folder, or a name without suffix (a folder to create) → the standard
    file name inside it; otherwise the .xlsx file given."""
    unit = _unit(unit_name)
    name = ledger_filename(unit, period)
    if output is None:
        path = Path.cwd() / name
    elif output.is_dir() or (not output.suffix and not output.exists()):
        path = output / name
    elif output.suffix.lower() == ".xlsx":
        path = output
    else:
        raise UsageError(
            "usage.output-suffix", f"输出文件“{output}”应以 .xlsx 结尾，或给出一个文件夹"
        )
    write_atomic(path, lambda tmp: build_ledger(unit, period, tmp))
    return path


def write_all(period: Period, folder: Path) -> list[Path]:
    """One ledger per unit of the list, in the list's order, into `folder` (created)."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(
            "usage.output-not-folder", f"--all 的输出“{folder}”应为文件夹，但它是一个文件"
        )
    folder.mkdir(parents=True, exist_ok=True)
    return [write_ledger(u.name, period, folder) for u in load().units]


def _unit(name: str) -> str:
    unit, _old = load().unit_named(name)
    if unit is None:
        names = "、".join(load().unit_names)
        raise UsageError("usage.unit-unknown", f"报送单位“{name}”不在单位名单中：可选 {names}")
    return unit.name


# --- the workbook -------------------------------------------------------------------------


class _Formats:
    """XlsxWriter formats made once per workbook, keyed by their properties."""

    def __init__(self, book):
        self.book = book
        self.cache: dict[tuple, object] = {}

    def __call__(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            base = {"text_wrap": True, "valign": "vcenter", "border": 1}
            self.cache[key] = self.book.add_format({**base, **props})
        return self.cache[key]

    def locked(self, **props):
        return self(**props)

    def input(self, **props):
        return self(locked=False, bg_color=INPUT_FILL, **props)


def build_ledger(unit: str, period: Period, path: Path | str) -> None:
    """Write the ledger for `unit` (a canonical unit name) and `period` to `path` (not atomic)."""
    import xlsxwriter

    ref = load()
    book = xlsxwriter.Workbook(
        str(path),
        {
            "default_format_properties": {"font_name": FONT, "font_size": 11},
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    # A fixed creation date (start of the period's year) keeps the bytes stable across runs.
    stamp = datetime(period.year, 1, 1)
    book.set_properties(
        {
            "title": COVER.title.format(unit=unit, period_label=period.label),
            "subject": "获得电力任务台账",
            "author": "taizhang",
            "company": "济宁市能源局",
            "created": stamp,
            "comments": f"{META_TEMPLATE_ID} {TEMPLATE_VERSION}",
        }
    )
    fmt = _Formats(book)
    fields = {"unit": unit, "period_label": period.label}
    messages = input_messages(ref, period)

    _cover(book.add_worksheet(COVER.name), fmt, unit, period, fields)
    _tasks(book.add_worksheet(TASKS.name), fmt, ref, fields, messages)
    _connection(book.add_worksheet(CONNECTION.name), fmt, ref, fields, messages)
    _reliability(book.add_worksheet(RELIABILITY.name), fmt, ref, fields, messages)
    _sanling(book.add_worksheet(SANLING.name), fmt, ref, fields, messages)
    _guide(book.add_worksheet(GUIDE_SHEET), fmt, ref, unit, period)
    _meta(book.add_worksheet(META_SHEET), fmt, unit, period)
    book.define_name(MARKS_NAME, MARKS_REF)
    try:
        book.close()
    except xlsxwriter.exceptions.FileCreateError as exc:  # wraps the OSError that stopped it
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
        raise cause or OSError(str(exc)) from exc


def _frame(ws, fmt, layout: SheetLayout, fields: dict, last_row: int) -> None:
    """Title, headers, widths, freeze, print set-up, protection and the marks format."""
    last_col = len(layout.columns) - 1
    title = layout.title.format(**fields)
    ws.merge_range(0, 0, 0, last_col, title, fmt(bold=True, font_size=16, align="center", border=0))
    ws.set_row(0, 32)
    for col, column in enumerate(layout.columns):
        ws.set_column(col, col, column.width)
        ws.write_string(
            HEADER_ROW - 1, col, column.header, fmt(bold=True, align="center", bg_color=HEADER_FILL)
        )
    ws.set_row(HEADER_ROW - 1, _height([c.header for c in layout.columns], layout))
    ws.freeze_panes(HEADER_ROW, 0)
    ws.set_paper(8)  # A3
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, HEADER_ROW - 1)
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.print_area(0, 0, last_row - 1, last_col)
    ws.protect("", {"format_columns": True, "format_rows": True})
    ws.conditional_format(
        FIRST_DATA_ROW - 1,
        0,
        last_row - 1,
        last_col,
        {
            "type": "formula",
            "criteria": mark_formula(layout.name),
            "format": fmt.book.add_format({"bg_color": MARK_FILL, "font_color": MARK_FONT}),
        },
    )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _height(values, layout: SheetLayout) -> float:
    """Row height for wrapped text: Excel does not grow rows on open, so estimate the lines."""
    lines = 1
    for value, column in zip(values, layout.columns, strict=False):
        per_line = max(1.0, column.width - 1.5)
        for part in str(value or "").split("\n"):
            lines = max(lines, math.ceil(_width(part) / per_line) or 1)
    return max(20.0, round(lines * LINE_HEIGHT + 4, 2))  # 20 pt: room to type


def _validate(ws, first: int, last: int, col: int, rule: dict) -> None:
    """A validation over 1-based rows first..last of a 0-based column."""
    ws.data_validation(first - 1, col, last - 1, col, rule)


def _message(title: str, text: str) -> dict:
    # Excel's limits: 32 characters of title, 255 of message (XlsxWriter enforces them).
    return {"input_title": title[:32], "input_message": text[:255]}


def _number_rule(whole: bool, minimum: float, strictly: bool, title: str, text: str) -> dict:
    kind = "整数" if whole else "数字"
    bound = f"大于 {minimum:g}" if strictly else f"不小于 {minimum:g}"
    return {
        "validate": "integer" if whole else "decimal",
        "criteria": ">" if strictly else ">=",
        "value": minimum,
        "error_title": "数值不符合要求",
        "error_message": f"请输入{bound}的{kind}。",
        **_message(title, text),
    }


def _date_rule(title: str, text: str) -> dict:
    # "warning", not "stop": a date typed as text (2021年5月20日) is valid for the validator,
    # and Excel's date check would otherwise refuse it outright.
    return {
        "validate": "date",
        "criteria": "between",
        "minimum": DATE_MIN,
        "maximum": DATE_MAX,
        "error_type": "warning",
        "error_title": "请核对日期",
        "error_message": (
            f"应为 {DATE_MIN:%Y-%m-%d} 至 {DATE_MAX:%Y-%m-%d} 之间的日期。"
            "如确为文字日期（如 2021年5月20日），请点击“是”保留。"
        ),
        **_message(title, text),
    }


def _cover(ws, fmt, unit: str, period: Period, fields: dict) -> None:
    values = {"报送单位": unit, "报送期次": period.code, "模板版本": TEMPLATE_VERSION}
    last = FIRST_DATA_ROW + len(COVER_ITEMS) - 1
    _frame(ws, fmt, COVER, fields, last)
    for i, item in enumerate(COVER_ITEMS):
        row = FIRST_DATA_ROW - 1 + i
        ws.write_string(row, 0, item, fmt.locked(bold=True))
        if item in COVER_LOCKED_ITEMS:
            ws.write_string(row, 1, values[item], fmt.locked())
        elif item == "填报日期":
            ws.write_blank(row, 1, None, fmt.input(num_format=DATE_FORMAT, align="left"))
            _validate(
                ws, row + 1, row + 1, 1, _date_rule("填报日期", "填写报送日期，如 2022-01-05")
            )
        else:
            ws.write_blank(row, 1, None, fmt.input(num_format="@"))
            hint = "手机号或固定电话（含区号）" if item == "联系电话" else f"填写{item}姓名"
            _validate(ws, row + 1, row + 1, 1, {"validate": "any", **_message(item, hint)})
        ws.set_row(row, 22)
    note = (
        f"报送期次 {period.code} 即 {period.label}；进展截至 {period.as_of:%Y-%m-%d}，"
        f"报送截止 {period.due:%Y-%m-%d}。"
    )
    ws.merge_range(last, 0, last, 1, note, fmt(border=0, italic=True, font_color="#595959"))
    ws.set_row(last, 36)


def _tasks(ws, fmt, ref, fields: dict, messages: dict) -> None:
    cols = TASKS.columns
    last = FIRST_DATA_ROW + len(ref.tasks) + LOCAL_ROWS - 1
    _frame(ws, fmt, TASKS, fields, last)
    number_of = {c.key: i for i, c in enumerate(cols)}
    for i, task in enumerate(ref.tasks):
        row = FIRST_DATA_ROW - 1 + i
        city = {"category": task.category, "text": task.text, "units": task.units, "due": task.due}
        # Ids as numbers so Excel sorts 1..68 numerically; the validator normalises 1.0 → "1".
        ws.write_number(row, 0, int(task.id), fmt.locked(align="center"))
        for key, value in city.items():
            ws.write_string(row, number_of[key], value, fmt.locked())
        for col, column in enumerate(cols):
            if not column.locked:
                ws.write_blank(row, col, None, _task_input_format(fmt, column.key))
        ws.set_row(row, _height([task.id, *city.values()], TASKS))
    for row in range(FIRST_DATA_ROW - 1 + len(ref.tasks), last):
        for col, column in enumerate(cols):
            ws.write_blank(row, col, None, _task_input_format(fmt, column.key))
        ws.set_row(row, 2 * LINE_HEIGHT + 4)
    local_first = FIRST_DATA_ROW + len(ref.tasks)
    for col, column in enumerate(cols):
        title, text = messages["任务台账"][column.key]
        if column.key == "status":
            rule = {
                "validate": "list",
                "source": list(STATUSES),
                "error_type": "stop",
                "error_title": "完成状态不在列表中",
                "error_message": "请从下拉列表选择：" + "、".join(STATUSES) + "。",
                **_message(title, text),
            }
        elif column.key == "done_date":
            rule = _date_rule(title, text)
        else:
            rule = {"validate": "any", **_message(title, text)}
        # County columns for every row; reference columns only on the local-task rows.
        first = FIRST_DATA_ROW if not column.locked else local_first
        _validate(ws, first, last, col, rule)


def _task_input_format(fmt, key: str):
    if key == "done_date":
        return fmt.input(num_format=DATE_FORMAT, align="center")
    if key == "status":
        return fmt.input(align="center")
    # Text format keeps 0537-… phone numbers and 2021/6/30 deadlines as typed.
    return fmt.input(num_format="@")


def _connection(ws, fmt, ref, fields: dict, messages: dict) -> None:
    cols = CONNECTION.columns
    last = FIRST_DATA_ROW + len(ref.customer_types) - 1
    _frame(ws, fmt, CONNECTION, fields, last)
    abolished = fmt(locked=True, bg_color=ABOLISHED_FILL, align="center", font_color="#7F7F7F")
    for i, ct in enumerate(ref.customer_types):
        row = FIRST_DATA_ROW - 1 + i
        ws.write_string(row, 0, ct.name, fmt.locked())
        ws.write_number(row, 1, ct.total, fmt.locked(align="center"))
        for col, column in enumerate(cols[2:], start=2):
            step = column.key.removeprefix("step:") if column.key.startswith("step:") else None
            if step is not None and ct.abolished(step):
                ws.write_string(row, col, "--", abolished)
                continue
            num = "@" if column.key == "note" else "0" if _whole(column.key) else "0.##"
            ws.write_blank(row, col, None, fmt.input(num_format=num))
            title, text = messages["办电时限"][column.key]
            if column.key == "note":
                rule = {"validate": "any", **_message(title, text)}
            else:
                rule = _number_rule(_whole(column.key), 0, False, title, text)
            _validate(ws, row + 1, row + 1, col, rule)
        ws.set_row(row, _height([ct.name], CONNECTION))
    missing = [s for s in ref.steps if step_key(s) not in {c.key for c in cols}]
    if missing:  # a program fault: connection.toml and sheets.py disagree
        raise RuntimeError(f"schemas/sheets.py CONNECTION lacks columns for steps {missing}")


def _whole(key: str) -> bool:
    return key in ("connections", "over_limit", "customers", "outages", "last_customers")


def _reliability(ws, fmt, ref, fields: dict, messages: dict) -> None:
    cols = RELIABILITY.columns
    last = FIRST_DATA_ROW + len(ref.areas) - 1
    _frame(ws, fmt, RELIABILITY, fields, last)
    for i, area in enumerate(ref.areas):
        row = FIRST_DATA_ROW - 1 + i
        ws.write_string(row, 0, area.name, fmt.locked(align="center"))
        ws.write_number(row, 1, area.target_hours, fmt.locked(align="center", num_format="0.00"))
        for col, column in enumerate(cols[2:], start=2):
            num = "@" if column.key == "note" else "0" if _whole(column.key) else "0.##"
            ws.write_blank(row, col, None, fmt.input(num_format=num))
        ws.set_row(row, 2 * LINE_HEIGHT + 4)
    for col, column in enumerate(cols[2:], start=2):
        title, text = messages["供电可靠性"][column.key]
        if column.key == "note":
            rule = {"validate": "any", **_message(title, text)}
        else:
            rule = _number_rule(_whole(column.key), 0, False, title, text)
        _validate(ws, FIRST_DATA_ROW, last, col, rule)


def _sanling(ws, fmt, ref, fields: dict, messages: dict) -> None:
    last = FIRST_DATA_ROW + len(ref.indicators) - 1
    _frame(ws, fmt, SANLING, fields, last)
    for i, ind in enumerate(ref.indicators):
        row = FIRST_DATA_ROW - 1 + i
        ws.write_string(row, 0, ind.name, fmt.locked())
        ws.write_blank(row, 1, None, fmt.input(num_format="0" if ind.whole else "0.00"))
        ws.write_string(row, 2, ind.unit, fmt.locked(align="center"))
        ws.write_blank(row, 3, None, fmt.input(num_format="@"))
        text = f"填写本期{ind.name}，单位：{ind.unit}。"
        if ind.part_of:
            text += f"不得大于“{ind.part_of}”。"
        _validate(ws, row + 1, row + 1, 1, _number_rule(ind.whole, 0, False, "数值", text))
        title, note = messages["三零三省"]["note"]
        _validate(ws, row + 1, row + 1, 3, {"validate": "any", **_message(title, note)})
        ws.set_row(row, _height([ind.name], SANLING))


def _guide(ws, fmt, ref, unit: str, period: Period) -> None:
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 100)
    ws.merge_range(
        0,
        0,
        0,
        1,
        f"{unit}{period.label}“获得电力”任务台账填报说明",
        fmt(bold=True, font_size=16, align="center", border=0),
    )
    ws.set_row(0, 32)
    for i, (heading, text) in enumerate(guide_rows(ref, unit, period)):
        row = i + 1
        ws.write_string(row, 0, heading, fmt(bold=True, bg_color=HEADER_FILL, valign="top"))
        ws.write_string(row, 1, text, fmt(valign="top"))
        ws.set_row(row, _guide_height(text))
    ws.set_paper(8)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.protect("", {"format_columns": True, "format_rows": True})


def _guide_height(text: str) -> float:
    lines = sum(math.ceil(_width(part) / 98) or 1 for part in text.split("\n"))
    return round(lines * LINE_HEIGHT + 6, 2)


def _meta(ws, fmt, unit: str, period: Period) -> None:
    """Key/value rows A:B (locked), and the marks column D (unlocked, for the add-in)."""
    values = {
        "template": META_TEMPLATE_ID,
        "template_version": TEMPLATE_VERSION,
        "unit": unit,
        "period": period.code,
        "generator": generator(),
    }
    if tuple(values) != META_KEYS:  # a program fault: sheets.py changed without this writer
        raise RuntimeError(f"META_KEYS {META_KEYS} differ from what the template writes")
    plain = fmt.book.add_format({"num_format": "@"})
    ws.write_string(0, 0, "key", plain)
    ws.write_string(0, 1, "value", plain)
    for i, (key, value) in enumerate(values.items(), start=1):
        ws.write_string(i, 0, key, plain)
        ws.write_string(i, 1, value, plain)
    ws.write_string(0, MARKS_COLUMN - 1, MARKS_HEADER, plain)
    ws.set_column(0, 1, 20)
    unlocked = fmt.book.add_format({"locked": False, "num_format": "@"})
    ws.set_column(MARKS_COLUMN - 1, MARKS_COLUMN - 1, 24, unlocked)
    # Blank cells written out unlocked too (not only the column's format), so every writer
    # (Excel through the add-in, openpyxl for annotated copies) finds the marks area editable.
    for row in range(MARKS_FIRST_ROW - 1, MARKS_FIRST_ROW - 1 + MARKS_ROWS):
        ws.write_blank(row, MARKS_COLUMN - 1, None, unlocked)
    ws.protect("", {"format_columns": True, "format_rows": True})
    ws.hide()
