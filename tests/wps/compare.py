"""What the CLI says and writes about a return, in the shape a press of the WPS button reports
it (js/press.js), so the two can be compared: `taizhang validate --format json` for the
findings, the `--mark` copy for the 校验结果 sheet and the highlighted cells, and the Excel
button (addin/faces/button.py, on a fake of Excel filled from the same file) for the message."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from addin.faces import button
from addin.read.reader import read_workbook
from addin.write.template.book import MARKS_REF
from schemas.sheets import MARKS_NAME, META_SHEET, RESULTS_SHEET
from tests.fake_book import FakeBook

MARKS_COLUMN = 4  # _taizhang!D, where MARKS_REF points


def cli_validate(paths: list[Path], mark_dir: Path) -> dict[str, dict]:
    """`taizhang validate --format json --mark DIR` on `paths`: file object by file name."""
    result = subprocess.run(
        [sys.executable, "-m", "addin", "validate", "--format", "json", "--mark", str(mark_dir)]
        + [str(p) for p in paths],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode in (0, 1), result.stderr
    return {Path(f["file"]).name: f for f in json.loads(result.stdout)["files"]}


def bgr_hex(value: int | None) -> str | None:
    """Interior.Color / Font.Color (BGR integer) → RRGGBB, as openpyxl reports colours."""
    if value is None:
        return None
    return f"{value & 0xFF:02X}{(value >> 8) & 0xFF:02X}{(value >> 16) & 0xFF:02X}"


def marked_copy(path: Path) -> dict:
    """The --mark copy's 校验结果 sheet and marks, in press.js's shape."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    ws = book[RESULTS_SHEET]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    cells = {}
    links = []
    for r in range(2, ws.max_row + 1):
        sev = ws.cell(r, 2)
        if sev.fill.fgColor.rgb not in (None, "00000000"):
            cells[r] = (sev.fill.fgColor.rgb[-6:], sev.font.color.rgb[-6:], sev.font.b)
        link = ws.cell(r, 5)
        if link.hyperlink is not None:
            links.append([f"E{r}", link.hyperlink.location, link.value, link.font.color.rgb[-6:]])
    widths = {str(i): ws.column_dimensions[chr(64 + i)].width for i in range(1, len(rows[0]) + 1)}
    marks = [
        row[MARKS_COLUMN - 1].value
        for row in book[META_SHEET].iter_rows(min_row=2)
        if len(row) >= MARKS_COLUMN and row[MARKS_COLUMN - 1].value is not None
    ]
    return {
        "rows": rows,
        "fills": cells,
        "links": links,
        "widths": widths,
        "frozen": ws.freeze_panes,
        "first": book.sheetnames[0] == RESULTS_SHEET,
        "marks": marks,
    }


def pressed(report: dict) -> dict:
    """press.js's report in marked_copy's shape."""
    res = report["results"]
    rows = [[None if v == "" else v for v in row] for row in res["rows"]]
    fills = {}
    for r, row in enumerate(res["cells"][1:], start=2):
        sev = row[1]
        if sev and sev["fill"] is not None:
            fills[r] = (bgr_hex(sev["fill"]), bgr_hex(sev["font"]), sev["bold"])
    links = []
    for link in res["links"]:
        r, c = int(link["cell"][1:]), 5
        font = res["cells"][r - 1][c - 1]["font"]
        links.append([link["cell"], link["subAddress"], link["text"], bgr_hex(font)])
    frozen = (
        "A2"
        if report["freeze"].get("FreezePanes") and report["freeze"].get("SplitRow") == 1
        else None
    )
    return {
        "rows": rows,
        "fills": fills,
        "links": links,
        "widths": res["widths"],
        "frozen": frozen,
        "first": res["first"],
        "marks": report["marks"],
    }


def excel_message(path: Path) -> str:
    """What the Excel add-in's button says on the same workbook, as Excel would show it."""
    book = FakeBook.from_workbook(
        read_workbook(path), name=path.name, path=str(path), names={MARKS_NAME: MARKS_REF}
    )
    return button.run(book).message


def finding_fields(file_object: dict) -> list[dict]:
    return [{k: v for k, v in f.items()} for f in file_object["findings"]]
