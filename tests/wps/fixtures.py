"""Real workbooks for the WPS add-in's Node tests, dumped as JSON the FAKE WPS (js/fake_wps.js)
opens: the project's own blank template (`write_ledger`), its planted sample returns
(`addin.faces.samples.make_returns`, the demo's story: one planted finding per unit) and a
return with more planted errors (`tests.fill.make_return`), read by the file reader
(`addin.read.reader.read_workbook`) — the same reading the CLI does.

A dump holds what a spreadsheet shows the add-in, not what the reader made of it: a merged
area's value in its top-left cell only, a date as a date (the fake turns it into a serial with
the template's date format), the used range as the file declares it, each sheet's protection
and unlocked cells, and the defined names. `expected` is the reader's own rows (dates as ISO
text), which the add-in's request must equal."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from addin.read.reader import read_workbook
from addin.write.template.layout import DATE_FORMAT
from schemas.reference import load
from tests.fill import make_return, task_cell

# More planted errors than a sample carries, a date among them, a text that would be a formula,
# and an officer's merged cells (one 县级责任单位 for three tasks).
MANY_ERRORS = {
    ("任务台账", task_cell("17", "county_due")): "2022年底前",  # later than the city's
    ("任务台账", task_cell("13", "status")): "差不多",  # not a status
    ("任务台账", task_cell("5", "done_date")): datetime(2022, 3, 1),  # after the filing date
    ("任务台账", task_cell("20", "progress")): "=进展顺利",  # formula-like text, too short
    ("封面", "B8"): None,  # 填报日期 left empty
    ("办电时限", "D3"): -4,  # a negative count of days
}
MERGED = ("任务台账", f"{task_cell('30', 'county_units')}:{task_cell('32', 'county_units')}")


def encode(value):
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return {"date": value.date().isoformat()}
        return {"datetime": value.isoformat(timespec="seconds")}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def shown(value):
    """A reader value as the add-in must send it (JSON has no dates: ISO text, as the
    validator writes a date)."""
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if value.time() == datetime.min.time()
            else value.isoformat(" ")
        )
    if isinstance(value, date):
        return value.isoformat()
    return value


def dump(path: Path) -> dict:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    wb = read_workbook(path)
    book = load_workbook(path)
    sheets = []
    for name, sheet in wb.sheets.items():
        ws = book[name]
        rows = [[encode(v) for v in row] for row in sheet.rows]
        for rng in ws.merged_cells.ranges:  # the reader spread these; a spreadsheet does not
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (
                        (r, c) != (rng.min_row, rng.min_col)
                        and r <= len(rows)
                        and c <= len(rows[r - 1])
                    ):
                        rows[r - 1][c - 1] = None
        unlocked = []
        if ws.protection.sheet:
            unlocked = [
                f"{get_column_letter(c.column)}{c.row}"
                for row in ws.iter_rows()
                for c in row
                if not c.protection.locked
            ]
        # the used range as the file declares it (formatted empty rows included), as WPS sees it
        height, width = (
            max(ws.max_row, len(rows)),
            max(ws.max_column, max(map(len, rows), default=0)),
        )
        rows = [row + [None] * (width - len(row)) for row in rows]
        rows += [[None] * width for _ in range(height - len(rows))]
        sheets.append(
            {
                "name": name,
                "hidden": sheet.hidden,
                "rows": rows,
                "merged": [str(r) for r in ws.merged_cells.ranges],
                "protected": bool(ws.protection.sheet),
                "unlocked": unlocked,
            }
        )
    names = {}
    for key, defined in book.defined_names.items():
        dests = list(defined.destinations)
        if len(dests) == 1:
            names[key] = {"sheet": dests[0][0], "address": dests[0][1]}
    return {
        "name": path.name,
        "file": str(path),
        "date1904": wb.date1904,
        "date_format": DATE_FORMAT,
        "sheets": sheets,
        "names": names,
        "meta": {k: shown(v) for k, v in wb.meta.items()},
        "expected": {n: [[shown(v) for v in row] for row in s.rows] for n, s in wb.sheets.items()},
    }


def many_errors(folder: Path) -> Path:
    """任城区's return with MANY_ERRORS planted and MERGED merged, as an officer would."""
    from openpyxl import load_workbook

    path = make_return(folder, edits=MANY_ERRORS, name="任城区-2021Y-多处错误.xlsx")
    book = load_workbook(path)
    sheet, cells = MERGED
    book[sheet].merge_cells(cells)
    book.save(path)
    return path


def console(folder: Path, period: str = "2021Y") -> Path:
    """The bureau's console workbook (`taizhang console`), before any consolidation."""
    from addin.write.console_book import write_console

    folder.mkdir(parents=True, exist_ok=True)
    return write_console(
        load().period(period), folder / "收件", folder / f"控制台-{period}.xlsx", None, None
    )


def returns(folder: Path) -> list[Path]:
    """The planted sample returns of 2021Y (all 14 units' story) and the many-errors return."""
    from addin.faces.samples import make_returns

    return [*make_returns(folder / "returns", "2021Y"), many_errors(folder / "more")]


def write_fixtures(paths: list[Path], folder: Path) -> list[Path]:
    """One JSON dump per workbook into `folder`, named after the workbook."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for path in paths:
        target = folder / f"{path.stem}.json"
        target.write_text(json.dumps(dump(path), ensure_ascii=False), encoding="utf-8")
        out.append(target)
    return out
