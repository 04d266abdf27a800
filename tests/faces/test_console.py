"""The bureau's console workbook: what `taizhang console` writes, and what the add-in's button
reads from it and rewrites in it (through the fake book)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from addin.faces import button as entry
from addin.faces.cli import cli
from addin.faces.console import read_settings
from addin.model.errors import OutputError, UsageError
from addin.pipeline.run import write_console
from addin.read.reader import read_workbook
from addin.write.console_book import (
    FOLDER,
    OUTPUT,
    PERIOD,
    SETTINGS_SHEET,
    UNCHECKED,
    UNIT_HEADERS,
    UNITS_SHEET,
)
from schemas.reference import load
from schemas.sheets import META_SHEET
from tests.fake_book import FakeBook
from tests.fill import make_return, task_cell

PERIOD_2021Y = load().period("2021Y")
BAD = {("任务台账", task_cell("13", "status")): "差不多"}


def settings_of(path: Path) -> dict[str, str]:
    rows = read_workbook(path).sheet(SETTINGS_SHEET).rows
    return {r[0]: r[1] for r in rows if len(r) > 1 and r[0] in (FOLDER, PERIOD, OUTPUT)}


def table_of(path: Path) -> dict[str, tuple]:
    rows = read_workbook(path).sheet(UNITS_SHEET).rows
    assert tuple(rows[0][: len(UNIT_HEADERS)]) == UNIT_HEADERS
    return {r[1]: r for r in rows[1:] if len(r) > 2 and r[1] in load().unit_names}


def test_console_without_a_folder_yet(tmp_path):
    out = write_console(PERIOD_2021Y, tmp_path / "收件", tmp_path / "控制台.xlsx")
    wb = read_workbook(out)
    assert wb.meta["template"] == "taizhang-console" and wb.meta["period"] == "2021Y"
    assert wb.sheet(META_SHEET).hidden
    assert settings_of(out) == {FOLDER: "收件", PERIOD: "2021Y", OUTPUT: "全市汇总-2021Y.xlsx"}
    table = table_of(out)
    assert tuple(table) == tuple(load().unit_names)
    assert {r[2] for r in table.values()} == {UNCHECKED}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


def test_console_shows_the_state_of_the_folder_when_written(tmp_path):
    returns = tmp_path / "收件"
    good = make_return(returns, unit="任城区")
    bad = make_return(returns, unit="曲阜市", edits=BAD)
    out = write_console(PERIOD_2021Y, returns, tmp_path / "控制台.xlsx")
    table = table_of(out)
    from addin.pipeline.collect import validate_paths

    for path, unit in ((good, "任城区"), (bad, "曲阜市")):
        (ret,) = validate_paths([path], period=PERIOD_2021Y)
        row = table[unit]
        assert row[3] == path.name
        # the consolidation may add cross-file warnings (copied text), never errors here
        assert row[4] == ret.counts["error"] and row[5] >= ret.counts["warning"]
        assert row[2] == ("退回" if ret.counts["error"] else row[2]) and row[2] in (
            "已报",
            "迟报",
            "退回",
        )
    assert table["曲阜市"][2] == "退回"
    assert {r[2] for u, r in table.items() if u not in ("任城区", "曲阜市")} == {"未报"}
    assert not list(tmp_path.glob("全市汇总*"))  # writing the console writes no summary


def test_console_over_an_empty_folder_says_nobody_reported(tmp_path):
    (tmp_path / "收件").mkdir()
    out = write_console(PERIOD_2021Y, tmp_path / "收件", tmp_path / "控制台.xlsx")
    assert {r[2] for r in table_of(out).values()} == {"未报"}


def test_text_in_settings_never_becomes_a_formula(tmp_path):
    out = write_console(PERIOD_2021Y, tmp_path / "=1+2", tmp_path / "控制台.xlsx")
    ws = load_workbook(out)[SETTINGS_SHEET]
    cells = [c for row in ws.iter_rows() for c in row if c.value == "=1+2"]
    assert cells and all(c.data_type == "s" for c in cells)


def test_console_output_must_be_xlsx_its_folder_is_created(tmp_path):
    with pytest.raises(UsageError):
        write_console(PERIOD_2021Y, tmp_path, tmp_path / "控制台.xls")
    (tmp_path / "说明.txt").write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(OutputError):
        write_console(PERIOD_2021Y, tmp_path, tmp_path / "说明.txt" / "控制台.xlsx")
    out = write_console(PERIOD_2021Y, tmp_path, tmp_path / "新文件夹" / "控制台.xlsx")
    assert load_workbook(out)[SETTINGS_SHEET]


def test_cli_console_verb(tmp_path):
    out = tmp_path / "控制台.xlsx"
    result = CliRunner().invoke(
        cli, ["console", "--period", "2021Y", "--dir", str(tmp_path / "收件"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and str(out) in result.output


# --- through the add-in ---------------------------------------------------------------------


def console_book(path: Path) -> FakeBook:
    return FakeBook.from_workbook(read_workbook(path), name=path.name, path=str(path))


def set_setting(book: FakeBook, key: str, value: str) -> None:
    for row in book._sheet(SETTINGS_SHEET)["rows"]:
        if row and row[0] == key:
            row[1] = value


def test_settings_are_read_live_and_relative_to_the_console(tmp_path):
    out = write_console(PERIOD_2021Y, tmp_path / "收件", tmp_path / "控制台.xlsx")
    book = console_book(out)
    set_setting(book, PERIOD, "2022H1")  # edited in Excel, not saved
    settings = read_settings(book)
    assert settings.period.code == "2022H1"
    assert settings.folder == tmp_path / "收件"
    assert settings.output == tmp_path / "全市汇总-2021Y.xlsx"
    set_setting(book, PERIOD, "明年")
    with pytest.raises(UsageError, match="报送期次"):
        read_settings(book)
    set_setting(book, PERIOD, "")
    outcome = entry.run(book)  # the button: one Chinese message, nothing written
    assert outcome.kind == "failed" and "报送期次" in outcome.message


def test_button_in_the_console_refreshes_the_table(tmp_path):
    returns = tmp_path / "收件"
    out = write_console(PERIOD_2021Y, returns, tmp_path / "控制台.xlsx")  # nothing there yet
    make_return(returns, unit="曲阜市", edits=BAD)
    book = console_book(out)
    before = {n: book.values(n) for n in (SETTINGS_SHEET, META_SHEET)}
    outcome = entry.run(book)
    assert outcome.kind == "console"
    assert (tmp_path / "全市汇总-2021Y.xlsx").exists()
    rows = book.values(UNITS_SHEET)
    table = {r[1]: r for r in rows[1:] if len(r) > 2}
    assert table["曲阜市"][2] == "退回"
    assert {table[u][2] for u in load().unit_names if u != "曲阜市"} == {"未报"}
    assert any("更新于" in str(v) for r in rows for v in r)
    for name, values in before.items():  # settings and metadata stay as they were
        assert book.values(name) == values
    assert "已刷新" in outcome.message and "退回 1" in outcome.message
