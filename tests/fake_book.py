"""A fake of the workbook the add-in's button was pressed in: implements addin.faces.button.BookAdapter
over plain data, as Excel would behave for the calls the pipeline makes (a sheet's used values
from A1, create/replace a sheet, fill a defined name's range, message and input boxes).

It can live in a JSON file so that a separate interpreter — the command the add-in's VBA runs —
can be pointed at it with TAIZHANG_BOOK_FACTORY=fake_book:from_env and TAIZHANG_FAKE_BOOK=<json>;
every change is written back to the file, so the test reads what "Excel" ended with.

Standard library only: it is imported next to the code zip, without the checkout on sys.path."""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import date, datetime
from pathlib import Path


def _encode(value):
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    return value


def _as_excel(value):
    """Excel hands a date cell to xlwings as a datetime at midnight; calamine gives a date."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def _decode(value):
    if isinstance(value, dict):
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return _as_excel(date.fromisoformat(value["$date"]))
    return value


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def parse_ref(ref: str) -> tuple[str, int, int, int]:
    """='_taizhang'!$D$2:$D$2001 → (sheet, column, first row, row count)."""
    m = re.fullmatch(r"=?'?(.+?)'?!\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)", ref)
    if m is None:
        raise ValueError(f"unsupported reference {ref}")
    sheet, c1, r1, c2, r2 = m.groups()
    if c1 != c2:
        raise ValueError("only one-column names are faked")
    return sheet, _column_number(c1), int(r1), int(r2) - int(r1) + 1


class FakeBook:
    def __init__(self, state: dict, file: Path | None = None):
        self.state = state
        self.file = file
        self.name = state["name"]
        self.path = Path(state["path"]) if state.get("path") else None
        self.date1904 = bool(state.get("date1904", False))
        self.state.setdefault("messages", [])
        self.state.setdefault("asked", [])
        self.state.setdefault("opened", [])
        self.state.setdefault("links", {})

    # --- building and persisting ------------------------------------------------------------

    @classmethod
    def from_workbook(cls, wb, *, name: str, path: str | None = None, names=None) -> FakeBook:
        """From an addin.model.workbook.Workbook read from a file (as Excel would show it)."""
        sheets = [
            {"name": s.name, "hidden": s.hidden, "rows": [list(r) for r in s.rows]}
            for s in wb.sheets.values()
        ]
        return cls(
            {
                "name": name,
                "path": path,
                "date1904": wb.date1904,
                "sheets": sheets,
                "names": names or {},
                "answers": [],
            }
        )

    def dump(self, file: Path) -> None:
        self.file = file
        self.save()

    def save(self) -> None:
        if self.file is None:
            return
        state = dict(self.state)
        # where the code really came from: the test checks it is the add-in's zip
        state["modules"] = {
            m: getattr(sys.modules.get(m), "__file__", None)
            for m in ("taizhang", "addin", "addin.faces.button", "schemas", "templates")
        }
        state["sheets"] = [
            {**s, "rows": [[_encode(v) for v in row] for row in s["rows"]]}
            for s in self.state["sheets"]
        ]
        tmp = self.file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, ensure_ascii=False, default=str), encoding="utf-8")
        os.replace(tmp, self.file)

    @classmethod
    def load(cls, file: Path) -> FakeBook:
        state = json.loads(Path(file).read_text(encoding="utf-8"))
        for s in state["sheets"]:
            s["rows"] = [[_decode(v) for v in row] for row in s["rows"]]
        return cls(state, Path(file))

    # --- BookAdapter --------------------------------------------------------------------------

    def _sheet(self, name: str) -> dict:
        return next(s for s in self.state["sheets"] if s["name"] == name)

    def sheets(self) -> list[tuple[str, bool]]:
        return [(s["name"], bool(s["hidden"])) for s in self.state["sheets"]]

    def read_sheet(self, name: str):
        rows = [list(r) for r in self._sheet(name)["rows"]]
        while rows and all(v in (None, "") for v in rows[-1]):  # the used range ends here
            rows.pop()
        width = max(
            (max((i + 1 for i, v in enumerate(r) if v not in (None, "")), default=0) for r in rows),
            default=0,
        )
        return tuple(tuple(r[:width] + [None] * (width - len(r))) for r in rows)

    def write_sheet(self, name: str, rows, *, links=None) -> None:
        new = [list(r) for r in rows]
        if name in dict(self.sheets()):
            self._sheet(name)["rows"] = new
        else:
            self.state["sheets"].insert(0, {"name": name, "hidden": False, "rows": new})
        self.state["links"][name] = {f"{r},{c}": t for (r, c), t in (links or {}).items()}
        self.save()

    def write_name(self, name: str, values: list[str]) -> int:
        if name not in self.state["names"]:
            return 0
        sheet, col, first, count = parse_ref(self.state["names"][name])
        rows = self._sheet(sheet)["rows"]
        while len(rows) < first + count - 1:
            rows.append([])
        for i in range(count):
            row = rows[first - 1 + i]
            while len(row) < col:
                row.append(None)
            row[col - 1] = values[i] if i < len(values) else None
        self.save()
        return count

    def message(self, text: str, title: str = "台账") -> None:
        self.state["messages"].append(text)
        self.save()

    def ask(self, prompt: str, title: str = "台账", default: str = "") -> str | None:
        self.state["asked"].append(prompt)
        answers = self.state["answers"]
        return answers.pop(0) if answers else None

    def open(self, path: Path) -> None:
        self.state["opened"].append(str(path))
        self.save()

    # --- for assertions -----------------------------------------------------------------------

    def values(self, sheet: str) -> list[list]:
        return [list(r) for r in self._sheet(sheet)["rows"]]

    def column(self, sheet: str, col: int, first: int = 1) -> list:
        return [
            r[col - 1] if len(r) >= col else None for r in self._sheet(sheet)["rows"][first - 1 :]
        ]


def from_env() -> FakeBook:
    """The factory TAIZHANG_BOOK_FACTORY names: the book stored at $TAIZHANG_FAKE_BOOK."""
    return FakeBook.load(Path(os.environ["TAIZHANG_FAKE_BOOK"]))
