"""Finding a sheet's table in a Workbook: the sheet by name, the header row by its text in the
first rows, each column by its header (reordered columns and extra columns at the right are
fine), and the data rows below. Structural problems become file.* findings; what a check then
reads is a Table that knows each cell's Excel address."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from addin.model.findings import Finding, make
from addin.model.workbook import Sheet, Workbook, a1
from addin.validate import cells
from schemas.sheets import SheetLayout

HEADER_SCAN_ROWS = 10  # the header row is looked for in the first rows (title in row 1)


@dataclass
class Table:
    layout: SheetLayout
    sheet: Sheet
    header_row: int
    columns: dict[str, int]  # column key → 1-based Excel column
    rows: list[int] = field(default_factory=list)  # Excel rows holding data

    @property
    def name(self) -> str:
        return self.layout.name

    def raw(self, row: int, key: str) -> Any:
        col = self.columns.get(key)
        return None if col is None else self.sheet.cell(row, col)

    def text(self, row: int, key: str) -> str:
        return cells.text(self.raw(row, key))

    def shown(self, row: int, key: str) -> str:
        """The cell as typed (for messages and what a Return carries), see cells.shown."""
        return cells.shown(self.raw(row, key))

    def address(self, row: int, key: str) -> str | None:
        col = self.columns.get(key)
        return None if col is None else a1(row, col)

    def make(self, code: str, row: int, key: str, *, task: str | None = None, **params) -> Finding:
        """A finding at the cell (row, key); {value} is the cell as typed unless given."""
        params.setdefault("value", self.shown(row, key) or None)
        return make(
            code,
            sheet=self.name,
            cell=self.address(row, key),
            row=row,
            column=self.layout.column(key).header,
            task=task,
            **params,
        )


def find_sheet(wb: Workbook, name: str) -> Sheet | None:
    """The visible sheet with the ledger's name (spaces aside); a hidden one is never the
    ledger, whatever it holds (SPEC §2.5): hidden_copies reports it."""
    found = wb.sheet(name)
    if found is not None and not found.hidden:
        return found
    wanted = cells.compact(name)
    return next(
        (s for s in wb.sheets.values() if not s.hidden and cells.compact(s.name) == wanted), None
    )


def _header_row(sheet: Sheet, layout: SheetLayout) -> tuple[int, dict[str, int]]:
    """The row of the first rows holding most of the layout's headers, and where each is."""
    wanted = {cells.compact(c.header): c.key for c in layout.columns}
    best_row, best = 0, {}
    for row in range(1, min(HEADER_SCAN_ROWS, sheet.max_row) + 1):
        found: dict[str, int] = {}
        for col, value in enumerate(sheet.rows[row - 1], start=1):
            key = wanted.get(cells.compact(value))
            if key is not None and key not in found:
                found[key] = col
        if len(found) > len(best):
            best_row, best = row, found
    return best_row, best


def _enough(found: dict, layout: SheetLayout) -> bool:
    # Half the headers (at least two) make a header row; fewer is no header row at all.
    return len(found) >= max(2, len(layout.columns) // 2)


def hidden_copies(wb: Workbook, layouts, skip: tuple[str, ...] = ()) -> list[Finding]:
    """A warning for each hidden sheet carrying a ledger sheet's name or headers: it is not
    what gets read or counted, and a person looking at the file does not see it."""
    found = []
    for sheet in wb.sheets.values():
        if not sheet.hidden or sheet.name in skip:
            continue
        name = cells.compact(sheet.name)
        for layout in layouts:
            if cells.compact(layout.name) in name:
                why = f"名称与台账工作表“{layout.name}”相同或相近"
            elif _enough(_header_row(sheet, layout)[1], layout):
                why = f"带有台账工作表“{layout.name}”的表头"
            else:
                continue
            found.append(
                make("file.hidden-sheet", sheet_name=sheet.name, why=why, ledger=layout.name)
            )
            break
    return found


def locate(wb: Workbook, layout: SheetLayout) -> tuple[Table | None, list[Finding]]:
    """The sheet's table, or None with the file.* findings that say why it cannot be read."""
    sheet = find_sheet(wb, layout.name)
    if sheet is None:
        return None, [make("file.sheet-missing", sheet=layout.name, sheet_name=layout.name)]
    best_row, best = _header_row(sheet, layout)
    if not _enough(best, layout):
        return None, [
            make(
                "file.header-missing",
                sheet=layout.name,
                sheet_name=layout.name,
                headers="、".join(layout.headers),
            )
        ]
    findings = []
    for index, column in enumerate(layout.columns, start=1):
        if column.key in best:
            continue
        # Report where the template puts it: usually the renamed header sits there.
        col = index if index not in best.values() else max(best.values()) + 1
        shown = cells.text(sheet.cell(best_row, col))
        findings.append(
            make(
                "file.header-changed",
                sheet=layout.name,
                cell=a1(best_row, col),
                row=best_row,
                column=column.header,
                value=shown or None,
                expected=column.header,
                sheet_name=layout.name,
            )
        )
    table = Table(layout, sheet, best_row, best)
    table.rows = [r for r in range(best_row + 1, sheet.max_row + 1) if not _blank_row(table, r)]
    return table, findings


def _blank_row(table: Table, row: int) -> bool:
    return all(cells.is_blank(table.sheet.cell(row, c)) for c in table.columns.values())


def frame(index: list[int], data: dict[str, list], dtypes: dict[str, str]) -> pd.DataFrame:
    """A typed DataFrame whose index is the Excel row (so a failure maps to a cell)."""
    columns = {
        name: pd.Series(values, index=index, dtype=dtypes.get(name, "object"))
        for name, values in data.items()
    }
    return pd.DataFrame(columns, index=pd.Index(index, dtype="int64"))
