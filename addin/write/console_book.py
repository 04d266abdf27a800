"""The bureau's console workbook (`taizhang console --period P --dir DIR -o 控制台.xlsx`).

It holds the settings the add-in's button needs — the returns folder, the period, where the
summary goes — a table of the units and their reporting state, and instructions. The hidden
`_taizhang` sheet says `template = taizhang-console`, which is how the add-in knows it.

`write_console` writes the file (XlsxWriter, atomically) from states the pipeline computed;
faces/console.py is what the button does in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from addin.model.errors import UsageError
from addin.write.guard import CONSOLE, Outputs
from addin.write.template.book import generator
from addin.write.xlsx import A4, new_book
from schemas.reference import load
from schemas.sheets import CONSOLE_TEMPLATE_ID, META_SHEET, TEMPLATE_VERSION

SETTINGS_SHEET = "控制台"
UNITS_SHEET = "报送情况"
GUIDE_SHEET = "使用说明"
FOLDER, PERIOD, OUTPUT = "收件文件夹", "报送期次", "汇总输出路径"
UNIT_HEADERS = ("序号", "报送单位", "状态", "文件", "错误", "警告")
UNCHECKED = "未检查"
UPDATED = "更新于"

GUIDE = (
    "本工作簿是市局汇总各县区“获得电力”任务台账的控制台，需要安装“台账”Excel 插件。",
    "1. 在“控制台”表填写（或核对）收件文件夹、报送期次和汇总输出路径。相对路径以本工作簿所在文件夹为准。",
    "2. 把各县区报来的台账（.xlsx、.xlsm、.xls、.ods）放进收件文件夹，子文件夹也会查找。",
    "3. 点击功能区“台账”选项卡上的“校验/汇总”按钮：校验全部台账，写出全市汇总工作簿，"
    "并刷新“报送情况”表。",
    "4. 状态说明：已报＝按时报送且无错误；迟报＝填报日期晚于报送截止日；"
    "退回＝台账有错误，需退回修改；未报＝收件文件夹中没有该单位本期的台账；未检查＝尚未汇总。",
    "5. 每条问题的位置和修改建议见汇总工作簿的“校验问题”表；命令行用法：taizhang consolidate。",
    "汇总只读取台账，不会修改收件文件夹中的任何文件。",
)


@dataclass(frozen=True)
class Settings:  # what faces/console.py reads from the open console
    folder: Path
    period: object  # schemas.reference.Period
    output: Path


def default_output(period, console: Path) -> Path:
    return console.parent / f"全市汇总-{period.code}.xlsx"


def _shown(path: Path, base: Path) -> str:
    """A path as the console stores it: relative to the console's folder when inside it, so
    the console and its folders can move together; absolute otherwise."""
    path, base = path.resolve(), base.resolve()
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def unit_rows(
    period,
    states: dict[str, tuple[str, str, int, int]] | None,
    when: datetime | None,
    output: Path | None = None,
) -> list[list]:
    """The 报送情况 table, headers first: one row per unit in the city's order. `states` maps a
    unit to (status, file, errors, warnings); None means the folder was not checked."""
    rows: list[list] = [list(UNIT_HEADERS)]
    for i, unit in enumerate(load().unit_names, start=1):
        if states is None:
            rows.append([i, unit, UNCHECKED, "", "", ""])
        else:
            status, file, errors, warnings = states[unit]
            rows.append([i, unit, status, file, errors, warnings])
    rows.append([])
    note = f"{period.label}"
    if when is not None:
        note += f"，{UPDATED} {when:%Y-%m-%d %H:%M}"
        if output is not None:
            note += f"，汇总文件：{output}"
    else:
        note += "，尚未汇总：点击“台账 → 校验/汇总”"
    rows.append(["", note])
    return rows


def states_of(summary) -> dict[str, tuple[str, str, int, int]]:
    return {
        row.unit: (row.status, row.file or "", row.counts["error"], row.counts["warning"])
        for row in summary.units
    }


# --- writing the console file ---------------------------------------------------------------


def write_console(
    period,
    folder: Path,
    output: Path,
    states: dict[str, tuple[str, str, int, int]] | None,
    when: datetime | None,
    *,
    outputs: Outputs | None = None,
) -> Path:
    """Write the console workbook; returns its path. `states` is each unit's reporting state
    when the folder was checked at `when`, None when it was not (every unit 未检查).
    `outputs` decides whether an existing file may be replaced (default: only our own)."""
    output = Path(output)
    if output.suffix.lower() != ".xlsx":
        raise UsageError("usage.console-suffix", what="控制台工作簿", path=output)
    folder = Path(folder)
    summary_path = default_output(period, output)
    settings = [
        (FOLDER, _shown(folder, output.parent)),
        (PERIOD, period.code),
        (OUTPUT, _shown(summary_path, output.parent)),
    ]
    rows = unit_rows(period, states, when)
    write = (outputs or Outputs()).write
    [path] = write([(output, lambda tmp: _write(tmp, period, settings, rows), CONSOLE)])
    return path


def _print(ws, *, header_row: int | None = None) -> None:
    """A4 portrait, one page wide (the settings' path column alone is wider than the paper),
    the header row on every page, page numbers below."""
    ws.set_paper(A4)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&C&A　第 &P 页，共 &N 页")
    if header_row is not None:
        ws.repeat_rows(header_row)


def _write(path: Path, period, settings: list[tuple[str, str]], units: list[list]) -> None:
    book = new_book(path)
    book.set_properties(
        {
            "title": f"“获得电力”任务台账市局控制台（{period.label}）",
            "comments": f"{CONSOLE_TEMPLATE_ID} {TEMPLATE_VERSION}",
        }
    )
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    cell = book.add_format({"border": 1})
    edit = book.add_format({"border": 1, "bg_color": "#FFF9E5", "num_format": "@"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    ws = book.add_worksheet(SETTINGS_SHEET)
    ws.write_string(0, 0, f"济宁市“获得电力”任务台账 · 市局控制台（{period.label}）", title)
    ws.write_string(1, 0, "项目", head)
    ws.write_string(1, 1, "内容", head)
    for r, (key, value) in enumerate(settings, start=2):
        ws.write_string(r, 0, key, cell)
        ws.write_string(r, 1, value, edit)
    ws.write_string(len(settings) + 3, 0, "修改上面黄色单元格后，点击功能区“台账 → 校验/汇总”。")
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 60)
    _print(ws)
    ws.activate()

    us = book.add_worksheet(UNITS_SHEET)
    for r, values in enumerate(units):
        for c, value in enumerate(values):
            fmt = head if r == 0 else (cell if len(values) == len(UNIT_HEADERS) else None)
            if isinstance(value, int | float) and not isinstance(value, bool):
                us.write_number(r, c, value, fmt)
            else:
                us.write_string(r, c, str(value), fmt)
    us.freeze_panes(1, 0)
    for c, width in enumerate((6, 20, 8, 40, 8, 8)):
        us.set_column(c, c, width)
    _print(us, header_row=0)

    gs = book.add_worksheet(GUIDE_SHEET)
    gs.set_column(0, 0, 100, wrap)
    for r, line in enumerate(GUIDE):
        gs.write_string(r, 0, line)
    _print(gs)

    ms = book.add_worksheet(META_SHEET)
    meta = (
        ("template", CONSOLE_TEMPLATE_ID),
        ("template_version", TEMPLATE_VERSION),
        ("period", period.code),
        ("generator", generator()),
    )
    ms.write_string(0, 0, "key")
    ms.write_string(0, 1, "value")
    for r, (key, value) in enumerate(meta, start=1):
        ms.write_string(r, 0, key)
        ms.write_string(r, 1, value)
    ms.hide()
    book.close()
