"""The blank ledger workbook (SPEC §2): catalogue → one .xlsx per unit and period.

XlsxWriter writes it (fast, and it refuses what Excel would later "repair"). Reference columns
are pre-filled and locked, input cells unlocked and lightly filled, and every input column
carries a validation with a Chinese input message. A hidden sheet `_taizhang` holds the
metadata (what template, which unit and period) and an empty column of marks: conditional
formatting on every sheet highlights a cell whose key (`mark_key`) is written there, so the
add-in can point at cells without touching their own formats.

The layout comes from schemas/sheets.py and the data from schemas.reference. Here: the file
name, writing one ledger or all, and the cover, task, guide and metadata sheets; the shared
look, validations and marks are in template_layout.py, the indicator sheets in
template_indicators.py. XlsxWriter is imported only when a workbook is written."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from addin.model.errors import OutputError, UsageError
from addin.write.guard import TEMPLATE, Outputs
from addin.write.seal import seal_xlsx
from addin.write.template.guide import LOCAL_ROWS, guide_rows, input_messages
from addin.write.template.indicators import connection_sheet, reliability_sheet, sanling_sheet
from addin.write.template.layout import (
    DATE_FORMAT,
    FONT,
    HEADER_FILL,
    LINE_HEIGHT,
    MARK_FILL,
    MARKS_COLUMN,
    MARKS_FIRST_ROW,
    MARKS_HEADER,
    MARKS_REF,
    MARKS_ROWS,
    LedgerFormats,
    date_rule,
    frame,
    height,
    mark_formula,
    mark_key,
    message,
    validate,
)
from addin.write.xlsx import new_book, text_lines
from schemas.reference import Period, load
from schemas.sheets import (
    CONNECTION,
    COVER,
    COVER_ITEMS,
    COVER_LOCKED_ITEMS,
    FIRST_DATA_ROW,
    GUIDE_SHEET,
    MARKS_NAME,
    META_KEYS,
    META_SHEET,
    META_TEMPLATE_ID,
    RELIABILITY,
    SANLING,
    STATUSES,
    TASKS,
    TEMPLATE_VERSION,
)

TAKEN_SHOWN = 5  # names listed when refusing: the count says how many more

# What other modules and tests use from here (the marks live in template_layout).
__all__ = [
    "MARK_FILL",
    "MARKS_FIRST_ROW",
    "MARKS_REF",
    "MARKS_ROWS",
    "build_ledger",
    "generator",
    "ledger_filename",
    "ledger_path",
    "mark_formula",
    "mark_key",
    "write_all",
    "write_ledger",
]


def ledger_filename(unit: str, period: Period) -> str:
    return f"{unit}-{period.code}-获得电力台账.xlsx"


def generator() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"taizhang {version('taizhang')}"
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "taizhang"


# --- public entry points ------------------------------------------------------------------


def ledger_path(unit: str, period: Period, output: Path | None = None) -> Path:
    """Where write_ledger puts it. `output`: None → the current folder; an existing folder, or
    a name without suffix (a folder to create) → the standard file name inside it; otherwise
    the .xlsx file given."""
    name = ledger_filename(unit, period)
    if output is None:
        return Path.cwd() / name
    if output.is_dir() or (not output.suffix and not output.exists()):
        return output / name
    if output.suffix.lower() == ".xlsx":
        return output
    raise UsageError(
        "usage.output-suffix", option="-o", suffix=".xlsx（或给出一个文件夹）", name=output
    )


def write_ledger(
    unit_name: str, period: Period, output: Path | None = None, *, force: bool = False
) -> Path:
    """Write the blank ledger atomically; returns its path (see ledger_path). An existing file
    is replaced only when it is a blank template taizhang wrote and nobody changed since, or
    with `force`: a county's return keeps the template's name."""
    unit = _unit(unit_name)
    path = ledger_path(unit, period, output)
    [written] = Outputs(force=force).write([(path, _maker(unit, period), TEMPLATE)])
    return written


def write_all(period: Period, folder: Path, *, force: bool = False) -> list[Path]:
    """One ledger per unit of the list, in the list's order, into `folder` (created): all of
    them, or — when the folder already holds a file of one of their names that taizhang did
    not write (a county's filled-in return keeps the template's name) — none, naming those
    files, unless `force`."""
    if folder.exists() and not folder.is_dir():
        raise UsageError("usage.output-not-folder", path=folder)
    outputs = Outputs(force=force)
    units = [u.name for u in load().units]
    paths = [folder / ledger_filename(u, period) for u in units]
    taken = [p for p in paths if outputs.refusal(p) is not None]
    if taken:
        names = "、".join(p.name for p in taken[:TAKEN_SHOWN])
        more = f" 等 {len(taken)} 个" if len(taken) > TAKEN_SHOWN else ""
        raise OutputError(
            "output.templates-taken", folder=folder, count=len(taken), names=names + more
        )
    return outputs.write(
        [(p, _maker(u, period), TEMPLATE) for p, u in zip(paths, units, strict=True)]
    )


def _maker(unit: str, period: Period):
    return lambda tmp: build_ledger(unit, period, tmp)


def _unit(name: str) -> str:
    unit, _old = load().unit_named(name)
    if unit is None:
        names = "、".join(load().unit_names)
        raise UsageError("usage.unit-unknown", name=name, units=names)
    return unit.name


# --- the workbook -------------------------------------------------------------------------


def build_ledger(unit: str, period: Period, path: Path | str) -> None:
    """Write the ledger for `unit` (a canonical unit name) and `period` to `path` (not atomic),
    sealed as taizhang's blank template."""
    ref = load()
    book = new_book(path, default_format_properties={"font_name": FONT, "font_size": 11})
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
    fmt = LedgerFormats(book)
    fields = {"unit": unit, "period_label": period.label}
    messages = input_messages(ref, period)

    _cover(book.add_worksheet(COVER.name), fmt, unit, period, fields)
    _tasks(book.add_worksheet(TASKS.name), fmt, ref, fields, messages)
    connection_sheet(book.add_worksheet(CONNECTION.name), fmt, ref, fields, messages)
    reliability_sheet(book.add_worksheet(RELIABILITY.name), fmt, ref, fields, messages)
    sanling_sheet(book.add_worksheet(SANLING.name), fmt, ref, fields, messages)
    _guide(book.add_worksheet(GUIDE_SHEET), fmt, ref, unit, period)
    _meta(book.add_worksheet(META_SHEET), fmt, unit, period)
    book.define_name(MARKS_NAME, MARKS_REF)
    book.close()
    seal_xlsx(Path(path), TEMPLATE)  # a blank template says so, until someone fills it in


def _cover(ws, fmt, unit: str, period: Period, fields: dict) -> None:
    values = {"报送单位": unit, "报送期次": period.code, "模板版本": TEMPLATE_VERSION}
    last = FIRST_DATA_ROW + len(COVER_ITEMS) - 1
    frame(ws, fmt, COVER, fields, last)
    for i, item in enumerate(COVER_ITEMS):
        row = FIRST_DATA_ROW - 1 + i
        ws.write_string(row, 0, item, fmt.locked(bold=True))
        if item in COVER_LOCKED_ITEMS:
            ws.write_string(row, 1, values[item], fmt.locked())
        elif item == "填报日期":
            ws.write_blank(row, 1, None, fmt.input(num_format=DATE_FORMAT, align="left"))
            validate(ws, row + 1, row + 1, 1, date_rule("填报日期", "填写报送日期，如 2022-01-05"))
        else:
            ws.write_blank(row, 1, None, fmt.input(num_format="@"))
            hint = "手机号或固定电话（含区号）" if item == "联系电话" else f"填写{item}姓名"
            validate(ws, row + 1, row + 1, 1, {"validate": "any", **message(item, hint)})
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
    frame(ws, fmt, TASKS, fields, last)
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
        ws.set_row(row, height([task.id, *city.values()], TASKS))
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
                **message(title, text),
            }
        elif column.key == "done_date":
            rule = date_rule(title, text)
        else:
            rule = {"validate": "any", **message(title, text)}
        # County columns for every row; reference columns only on the local-task rows.
        first = FIRST_DATA_ROW if not column.locked else local_first
        validate(ws, first, last, col, rule)


def _task_input_format(fmt, key: str):
    if key == "done_date":
        return fmt.input(num_format=DATE_FORMAT, align="center")
    if key == "status":
        return fmt.input(align="center")
    # Text format keeps 0537-… phone numbers and 2021/6/30 deadlines as typed.
    return fmt.input(num_format="@")


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
    # the guide's text is in paragraphs: each one starts a line, so lines add up
    lines = sum(text_lines(part, 99.5) for part in text.split("\n"))
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
