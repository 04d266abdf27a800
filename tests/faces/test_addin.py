"""The add-in's button (addin/entry.py) against a fake of the calling workbook: a ledger gets
its 校验结果 sheet and marks from its live values, the console consolidates, anything else is
offered a blank ledger. The last tests run the very command the add-in's VBA runs, in a fresh
interpreter, importing the code from the built taizhang.zip where the install kit puts it:
%LOCALAPPDATA%\\taizhang\\taizhang.zip, found through the config sheet's PYTHONPATH — not
beside the add-in in XLSTART."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import build
from addin.faces import button as entry
from addin.faces import excel
from addin.model.ledger import Return
from addin.read.reader import read_workbook
from addin.write.mark import RESULTS_SHEET, results_rows
from addin.write.template.book import MARKS_REF, ledger_filename, mark_key
from schemas.sheets import MARKS_NAME, META_SHEET
from tests import vba
from tests.conftest import ROOT
from tests.fake_book import FakeBook
from tests.fill import make_return, task_cell

MARKS_COL = 4  # _taizhang!D, where MARKS_REF points
LATE = ("任务台账", task_cell("17", "county_due"))  # city: 2021年6月底前
BAD_STATUS = ("任务台账", task_cell("13", "status"))
PLANTED = {LATE: "2022年底前", BAD_STATUS: "差不多"}


def fake_of(path: Path) -> FakeBook:
    return FakeBook.from_workbook(
        read_workbook(path), name=path.name, path=str(path), names={MARKS_NAME: MARKS_REF}
    )


def marks(book: FakeBook) -> list[str]:
    return [v for v in book.column(META_SHEET, MARKS_COL, first=2) if v]


def expected_rows(path: Path) -> list[list[str]]:
    """What the file validator says about the same file: live values must agree with it."""
    from addin.pipeline.collect import validate_paths

    (ret,) = validate_paths([path])
    return results_rows(ret.findings)


def mark_keys(rows: list[list[str]], sheets) -> list[str]:
    keys = []
    for r in rows[1:]:
        if r[3] and r[4] and r[3] in sheets and mark_key(r[3], r[4]) not in keys:
            keys.append(mark_key(r[3], r[4]))
    return keys


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    return make_return(tmp_path_factory.mktemp("planted"), edits=PLANTED)


# --- a ledger ----------------------------------------------------------------------------------


def test_ledger_with_planted_errors_gets_results_and_marks(planted):
    book = fake_of(planted)
    before = {name: book.values(name) for name, _ in book.sheets() if name != META_SHEET}
    outcome = entry.run(book)
    assert outcome.kind == "ledger"
    rows = book.values(RESULTS_SHEET)
    assert rows == expected_rows(planted)
    assert {(r[3], r[4]) for r in rows[1:]} >= set(PLANTED)  # both planted cells are listed
    assert marks(book) == mark_keys(rows, dict(book.sheets()))
    assert {mark_key(*cell) for cell in PLANTED} <= set(marks(book))
    links = book.state["links"][RESULTS_SHEET]
    assert links  # the 单元格 column jumps to the cell
    assert all(target.startswith("'") and "!" in target for target in links.values())
    for name, values in before.items():  # values are never changed
        assert book.values(name) == values, name
    errors = sum(r[1] == "错误" for r in rows[1:])
    assert f"错误 {errors} 条" in book.state["messages"][-1]


def test_a_second_run_replaces_the_marks_exactly(planted):
    book = fake_of(planted)
    stale = ["任务台账!A1", "封面!B9"]
    book.write_name(MARKS_NAME, stale)
    entry.run(book)
    first = marks(book)
    assert not set(stale) & set(first)
    entry.run(book)
    assert marks(book) == first
    assert [n for n, _ in book.sheets()].count(RESULTS_SHEET) == 1


def test_unsaved_edits_are_what_is_validated(tmp_path):
    path = make_return(tmp_path)
    book = fake_of(path)
    sheet, cell = BAD_STATUS
    row, col = int(cell[1:]), ord(cell[0]) - 64
    book._sheet(sheet)["rows"][row - 1][col - 1] = "差不多"  # typed in Excel, not saved
    entry.run(book)
    assert mark_key(sheet, cell) in marks(book)
    assert read_workbook(path).sheet(sheet).cell(row, col) != "差不多"  # the file is untouched


def test_a_clean_run_says_so_and_clears_the_marks(planted, monkeypatch):
    import addin.validate.validator

    def clean(wb, source, *, period=None, today=None):
        assert source.format == "excel" and wb.meta["template"] == "taizhang-ledger"
        return Return(source, "任城区", "2021Y", None, "1.0")

    book = fake_of(planted)
    entry.run(book)
    assert marks(book)
    monkeypatch.setattr(addin.validate.validator, "validate_workbook", clean)
    outcome = entry.run(book)
    assert marks(book) == []
    assert "未发现问题" in outcome.message
    assert "未发现问题" in book.values(RESULTS_SHEET)[1][5]  # the old list is not left standing


# --- neither ledger nor console ----------------------------------------------------------------


def plain_book(tmp_path: Path, answers: list[str]) -> FakeBook:
    return FakeBook(
        {
            "name": "工作簿1.xlsx",
            "path": str(tmp_path / "工作簿1.xlsx"),
            "sheets": [{"name": "Sheet1", "hidden": False, "rows": [["x"]]}],
            "names": {},
            "answers": answers,
        }
    )


def test_other_workbook_offers_a_blank_ledger(tmp_path):
    book = plain_book(tmp_path, ["任城", "2021Y"])  # an alias is accepted
    outcome = entry.run(book)
    target = tmp_path / ledger_filename(
        "任城区", __import__("schemas.reference").reference.load().period("2021Y")
    )
    assert outcome.kind == "created" and target.exists()
    assert book.state["opened"] == [str(target)]
    assert read_workbook(target).meta["unit"] == "任城区"
    again = plain_book(tmp_path, ["任城区", "2021Y"])
    assert entry.run(again).kind == "created" and "未覆盖" in again.state["messages"][-1]


@pytest.mark.parametrize(
    ("answers", "kind"),
    [([""], "help"), ([], "cancelled"), (["火星区"], "failed"), (["任城区", "2021Q"], "failed")],
)
def test_other_workbook_help_cancel_and_bad_answers(tmp_path, answers, kind):
    book = plain_book(tmp_path, answers)
    assert entry.run(book).kind == kind
    assert not list(tmp_path.glob("*.xlsx"))
    if kind == "help":
        assert book.state["messages"] == [entry.HELP]


def test_every_failure_becomes_one_chinese_message(planted):
    class Broken(FakeBook):
        def read_sheet(self, name):
            raise RuntimeError("COM 调用失败")

    book = Broken(fake_of(planted).state)
    outcome = entry.run(book)
    assert outcome.kind == "failed"
    assert book.state["messages"] == [outcome.message]
    assert outcome.message.startswith("错误 [internal]") and "COM 调用失败" in outcome.message


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2022, 1, 3), "2021Y"),
        (date(2022, 3, 1), "2022H1"),
        (date(2022, 7, 20), "2022H1"),
        (date(2022, 9, 1), "2022Y"),
    ],
)
def test_default_period(day, code):
    assert entry.default_period(day) == code


def test_excel_adapter_keeps_text_as_text():
    assert excel._safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert excel._safe("-5 户") == "'-5 户"
    assert excel._safe("任务台账!G14") == "任务台账!G14"
    assert excel._safe(3.0) == 3.0


# --- the command the add-in's VBA runs, from the built zip ---------------------------------------


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build.build(dist=out)
    return out


def install(dist: Path, tmp_path: Path, *, code: bool = True) -> tuple[Path, Path]:
    """Lay the add-in out as install.bat does: only the xlam in an XLSTART folder, the zip in
    <LOCALAPPDATA>\\taizhang\\ (a tmp folder stands for LOCALAPPDATA). → (xlam, zip)."""
    xlstart = tmp_path / "XLSTART"
    xlstart.mkdir()
    xlam = Path(shutil.copy(dist / "taizhang.xlam", xlstart))
    local = tmp_path / "LocalAppData"
    zipped = local / "taizhang" / "taizhang.zip"
    if code:
        zipped.parent.mkdir(parents=True)
        shutil.copy(dist / "taizhang.zip", zipped)
    return xlam, zipped


def run_button(dist: Path, book: FakeBook, tmp_path: Path, *, code: bool = True):
    """Run the VBA's RunPython command line for `book` in a fresh interpreter: no PYTHONPATH,
    cwd elsewhere; the fake book is reached through the adapter factory hook; PYTHONPATH of the
    add-in's config sheet expanded with the test's LOCALAPPDATA."""
    xlam, zipped = install(dist, tmp_path, code=code)
    assert not (xlam.parent / "taizhang.zip").exists()  # nothing beside the add-in
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    shutil.copy(ROOT / "tests" / "fake_book.py", cwd)  # importable from cwd ('' on sys.path)
    state = tmp_path / "book.json"
    book.dump(state)
    local = {"LOCALAPPDATA": str(tmp_path / "LocalAppData")}
    argv = vba.button_command(
        xlam,
        python=sys.executable,
        active_fullname=str(book.path),
        active_name=book.name,
        environ=local,
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(local)
    env.update({excel.FACTORY_ENV: "fake_book:from_env", "TAIZHANG_FAKE_BOOK": str(state)})
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    return result, state, zipped


def press_button(dist: Path, book: FakeBook, tmp_path: Path) -> dict:
    result, state, zipped = run_button(dist, book, tmp_path)
    assert result.returncode == 0, result.stderr
    after = json.loads(state.read_text(encoding="utf-8"))
    for module, file in after["modules"].items():
        if file is not None:
            assert file.startswith(str(zipped)), f"{module} imported from {file}, not the zip"
    assert after["modules"]["addin.faces.button"]
    return after


def test_the_button_finds_the_code_only_through_pythonpath(dist, tmp_path):
    """With no zip in LOCALAPPDATA the command cannot import taizhang: the config sheet's
    PYTHONPATH, not the add-in's folder, is where the code comes from."""
    book = plain_book(tmp_path, [])
    result, _state, zipped = run_button(dist, book, tmp_path, code=False)
    assert result.returncode != 0
    assert "No module named 'taizhang'" in result.stderr
    argv = vba.button_command(
        dist / "taizhang.xlam",
        python="python",
        active_fullname=str(book.path),
        active_name=book.name,
        environ={"LOCALAPPDATA": str(tmp_path / "LocalAppData")},
    )
    assert str(zipped) in argv[argv.index("-c") + 1]  # the expanded PYTHONPATH entry


def test_button_command_marks_a_ledger_from_the_zip(dist, planted, tmp_path):
    after = press_button(dist, fake_of(planted), tmp_path)
    sheets = {s["name"]: s["rows"] for s in after["sheets"]}
    assert sheets[RESULTS_SHEET] == expected_rows(planted)
    keys = [
        r[MARKS_COL - 1] for r in sheets[META_SHEET][1:] if len(r) >= MARKS_COL and r[MARKS_COL - 1]
    ]
    assert keys == mark_keys(sheets[RESULTS_SHEET], sheets)
    assert len(after["messages"]) == 1 and "校验完成" in after["messages"][0]


def test_button_command_consolidates_in_the_console(dist, tmp_path):
    from addin.pipeline.run import write_console
    from addin.write.console_book import UNITS_SHEET
    from schemas.reference import load

    period = load().period("2021Y")
    returns = tmp_path / "收件"
    make_return(returns, unit="任城区")
    make_return(returns, unit="曲阜市", edits=PLANTED)
    console = write_console(period, returns, tmp_path / "控制台.xlsx")
    book = FakeBook.from_workbook(read_workbook(console), name=console.name, path=str(console))
    after = press_button(dist, book, tmp_path)
    summary = tmp_path / f"全市汇总-{period.code}.xlsx"
    assert summary.exists() and read_workbook(summary).sheet("总览") is not None
    table = {r[1]: r for s in after["sheets"] if s["name"] == UNITS_SHEET for r in s["rows"][1:15]}
    assert table["曲阜市"][2] == "退回" and table["曲阜市"][3].startswith("曲阜市")
    assert table["任城区"][3].startswith("任城区")
    assert {table[u][2] for u in table if u not in ("任城区", "曲阜市")} == {"未报"}
    assert "已刷新" in after["messages"][-1]
