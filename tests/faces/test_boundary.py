"""One error boundary for every face: the CLI and the add-in's button say the same line for the
same failure, and the console refresh uses the pipeline's clock like every other face."""

from __future__ import annotations

import errno

import click
import pytest

from addin.faces import boundary, button
from addin.model.errors import OutputError, UsageError
from tests.fake_book import FakeBook

CASES = [
    (UsageError("usage.period-missing"), "错误 [usage.period-missing]：请用 --period"),
    (OutputError("output.locked", path="汇总.xlsx"), "错误 [output.locked]：无法写入“汇总.xlsx”"),
    (
        PermissionError(errno.EACCES, "denied", "/x/y.xlsx"),
        "错误 [io.failed]：无法读写 /x/y.xlsx：",
    ),
    (click.UsageError("Missing option"), "错误 [usage.bad-arguments]：Missing option"),
    (KeyboardInterrupt(), "错误 [run.interrupted]：已中断"),
    (ZeroDivisionError("division by zero"), "错误 [internal]：程序内部错误（ZeroDivisionError"),
]


@pytest.mark.parametrize(("exc", "start"), CASES)
def test_explain_gives_one_line_and_exit_2(exc, start):
    line, code = boundary.explain(exc)
    assert line.startswith(start) and "\n" not in line and code == 2


def test_only_program_faults_are_faults():
    assert boundary.is_fault(ZeroDivisionError())
    assert not boundary.is_fault(UsageError("usage.period-missing"))
    assert not boundary.is_fault(OSError(errno.ENOSPC, "full"))


@pytest.mark.parametrize(("exc", "start"), CASES[:2] + CASES[-1:])
def test_button_shows_the_same_line_as_the_cli(monkeypatch, exc, start, capsys):
    def fail(*_a, **_k):
        raise exc

    monkeypatch.setattr(button, "main", fail)
    book = FakeBook({"name": "x.xlsx", "path": None, "sheets": [], "names": {}})
    outcome = button.run(book)
    assert outcome.kind == "failed" and outcome.message == boundary.explain(exc)[0]
    assert outcome.message.startswith(start)


def test_console_refresh_uses_the_pinned_clock(tmp_path, monkeypatch):
    from addin.faces.console import refresh
    from addin.pipeline.run import write_console
    from schemas.reference import load
    from tests.faces.test_console import console_book

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1641776400")
    folder = tmp_path / "收件"
    folder.mkdir()
    out = write_console(load().period("2021Y"), folder, tmp_path / "控制台.xlsx")
    book = console_book(out)
    refresh(book)
    table = book.values("报送情况")
    note = next(v for row in table for v in row if isinstance(v, str) and "更新于" in v)
    assert "2022-01-10 09:00" in note  # 1641776400 on the bureau's clock (UTC+8)
