"""Golden files (tests/golden/README.md): the real command line on each case's input/, its
outputs compared with the case's expected/ as a person would compare them — workbooks cell by
cell, JSON as objects, HTML and text by their lines — never byte by byte (tests/golden/compare.py).

`pytest --regen-golden` rewrites the expected files that differ (and the demo's input) instead
of comparing, for a person to review in git diff."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from addin.faces.cli import main
from tests.conftest import ROOT
from tests.golden.compare import file_lines

GOLDEN = ROOT / "tests" / "golden"
# 2022-01-10 09:00 in China, the morning the demo's bureau consolidates (addin/faces/demo.py).
# The clock reads SOURCE_DATE_EPOCH in local time, so the zone is pinned too: without it the
# JSON's validated_at would say 01:00 on a machine set to UTC.
EPOCH, ZONE = "1641776400", "America/Los_Angeles"
SAMPLE = (
    "input/微山县-2021Y-获得电力台账.xlsx"  # a demo return with an error (time.later-than-city)
)


@dataclass(frozen=True)
class Run:
    """One command, run in the case's work folder with relative paths, so every file name the
    outputs mention (input/…, out/…) is the same on every machine: no absolute tmp path to
    normalise away."""

    argv: tuple[str, ...]
    code: int  # the exit status it must end with
    stdout: str | None = None  # the file under out/ that keeps what it printed


CASES: dict[str, list[Run]] = {
    "demo-2021Y": [
        Run(
            (
                "consolidate",
                "input",
                "--period",
                "2021Y",
                "-o",
                "out/汇总-2021Y.xlsx",
                "--json",
                "out/汇总-2021Y.json",
                "--report",
                "out/报告-2021Y.html",
                "--markdown",
                "out/报告-2021Y.md",
            ),
            1,  # some sample returns have errors on purpose
            "consolidate.txt",
        )
    ],
    "marked": [
        Run(("validate", SAMPLE, "--mark", "out", "--format", "json"), 1, "校验结果.json"),
        Run(("validate", SAMPLE), 1, "校验结果.txt"),
    ],
    "template": [Run(("template", "--unit", "任城区", "--period", "2021Y", "-o", "out"), 0)],
}


@pytest.fixture
def pinned(monkeypatch):
    """SOURCE_DATE_EPOCH pinned, so 汇总日期 and validated_at never vary. The machine's zone is
    set far from China's on purpose: a pinned moment is read on the bureau's clock (UTC+8)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    old = os.environ.get("TZ")
    os.environ["TZ"] = ZONE
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def run_cli(argv) -> int:
    try:
        main(list(argv))
    except SystemExit as end:
        return end.code if isinstance(end.code, int) else (0 if end.code is None else 2)
    return 0


def files_in(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}


def regenerate(made: dict[str, Path], folder: Path, capsys) -> None:
    """Copy into `folder` the files that differ from what is there, drop the ones not made any
    more, and say which: a byte-level change that compares equal is left alone, so git diff
    shows only what a person would see."""
    folder.mkdir(parents=True, exist_ok=True)
    old = files_in(folder)
    changed = []
    for name, path in made.items():
        if name not in old or file_lines(old[name], path, limit=1):
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            changed.append(f"rewrote {target.relative_to(ROOT)}")
    for name in old.keys() - made.keys():
        old[name].unlink()
        changed.append(f"removed {old[name].relative_to(ROOT)}")
    with capsys.disabled():
        print(f"\n--regen-golden {folder.relative_to(ROOT)}:", *(changed or ["unchanged"]))


def differences(expected: dict[str, Path], made: dict[str, Path]) -> list[str]:
    problems = []
    for name in sorted(expected.keys() - made.keys()):
        problems.append(f"{name}: expected the file, got nothing")
    for name in sorted(made.keys() - expected.keys()):
        problems.append(f"{name}: not expected (a new output? run pytest --regen-golden)")
    for name in sorted(expected.keys() & made.keys()):
        problems += [f"{name}: {line}" for line in file_lines(expected[name], made[name])]
    return problems


def test_demo_writes_the_golden_input_and_outputs(
    tmp_path, monkeypatch, capsys, pinned, regen_golden
):
    """`taizhang demo` makes the demo case's input/ (the 14 sample returns) and, from them, its
    expected summary, JSON, HTML and Markdown. Runs first, so --regen-golden refreshes input/
    before the case below consolidates it."""
    case = GOLDEN / "demo-2021Y"
    monkeypatch.chdir(tmp_path)
    assert run_cli(["demo", "-o", "demo-out"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    returns = {
        n: p for n, p in files_in(tmp_path / "demo-out" / "returns").items() if n.endswith(".xlsx")
    }
    if regen_golden:
        regenerate(returns, case / "input", capsys)
        return
    problems = differences(files_in(case / "input"), returns)
    outputs = {n: p for n, p in files_in(tmp_path / "demo-out").items() if "/" not in n}
    expected = {n: p for n, p in files_in(case / "expected").items() if n in outputs}
    assert len(expected) == 4, f"the demo's summary, JSON, HTML and Markdown: {sorted(outputs)}"
    problems += differences(expected, outputs)
    if problems:
        pytest.fail("the demo no longer writes the golden files:\n" + "\n".join(problems))


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case, tmp_path, monkeypatch, capsys, pinned, regen_golden):
    folder = GOLDEN / case
    work = tmp_path / case
    work.mkdir()
    if (folder / "input").is_dir():
        shutil.copytree(folder / "input", work / "input")  # the CLI never writes into the repo
    (work / "out").mkdir()
    monkeypatch.chdir(work)
    for run in CASES[case]:
        code = run_cli(run.argv)
        printed = capsys.readouterr()
        assert code == run.code, f"taizhang {' '.join(run.argv)} → {code}\n{printed.err}"
        if run.stdout:
            (work / "out" / run.stdout).write_text(printed.out, encoding="utf-8")
    made = files_in(work / "out")
    if regen_golden:
        regenerate(made, folder / "expected", capsys)
        return
    problems = differences(files_in(folder / "expected"), made)
    if problems:
        pytest.fail(f"{case} differs from tests/golden/{case}/expected:\n" + "\n".join(problems))


def test_comparison_sees_what_a_person_would(tmp_path):
    """Each kind of comparison can fail: a changed cell, fill, validation or merge; a JSON
    value, or NaN where JSON has none; a changed line of text. Whitespace runs in text and
    the bytes of an equal workbook do not count."""
    import openpyxl
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from tests.golden.compare import file_lines

    def book(
        path: Path, *, value="已完成", fill="FFC6EFCE", choices='"已完成,序时推进"', merge="A1:B1"
    ):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "任务台账"
        ws["A1"], ws["C3"] = "标题", value
        ws["C3"].fill = PatternFill("solid", fgColor=fill)
        ws.merge_cells(merge)
        dv = DataValidation(type="list", formula1=choices)
        dv.add("C3:C9")
        ws.add_data_validation(dv)
        wb.save(path)
        return path

    a = book(tmp_path / "a.xlsx")
    assert file_lines(a, book(tmp_path / "same.xlsx")) == []
    assert file_lines(a, book(tmp_path / "v.xlsx", value="序时推进")) == [
        "任务台账!C3: expected '已完成', got '序时推进'"
    ]
    assert file_lines(a, book(tmp_path / "f.xlsx", fill="FFFFC7CE")) == [
        "任务台账!C3: expected fill ('solid', 'FFC6EFCE'), got ('solid', 'FFFFC7CE')"
    ]
    [line] = file_lines(a, book(tmp_path / "d.xlsx", choices='"已完成"'))
    assert line.startswith("任务台账: expected data validations [('list'"), line
    assert file_lines(a, book(tmp_path / "m.xlsx", merge="A1:C1")) == [
        "任务台账: expected merged ranges ['A1:B1'], got ['A1:C1']"
    ]

    (tmp_path / "a.json").write_text('{"units": [{"rate": 0.5}]}', encoding="utf-8")
    (tmp_path / "b.json").write_text('{"units": [{"rate": 0.6}]}', encoding="utf-8")
    (tmp_path / "nan.json").write_text('{"units": [{"rate": NaN}]}', encoding="utf-8")
    assert file_lines(tmp_path / "a.json", tmp_path / "b.json") == [
        "$.units[0].rate: expected 0.5, got 0.6"
    ]
    with pytest.raises(ValueError, match="not strict JSON: NaN"):
        file_lines(tmp_path / "a.json", tmp_path / "nan.json")

    (tmp_path / "a.html").write_text("<p>全市完成率  <b>62.9%</b></p>\n", encoding="utf-8")
    (tmp_path / "b.html").write_text("  <p>全市完成率 <b>62.9%</b></p>\n\n", encoding="utf-8")
    (tmp_path / "c.html").write_text("<p>全市完成率 <b>63.0%</b></p>\n", encoding="utf-8")
    assert file_lines(tmp_path / "a.html", tmp_path / "b.html") == []
    assert "+<p>全市完成率 <b>63.0%</b></p>" in file_lines(tmp_path / "a.html", tmp_path / "c.html")
    assert file_lines(a, tmp_path / "gone.xlsx") == ["gone.xlsx: expected the file, got nothing"]
