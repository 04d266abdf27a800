"""No command destroys a county's file (SPEC §4): outputs replace only what taizhang wrote and
nobody changed since, never an input of the same run, anything else only with --force."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from addin.faces.samples import make_returns
from addin.write.seal import seal_of
from schemas.reference import load
from tests.faults.kit import shas, taizhang

PERIOD = load().period("2021Y")


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    """The 14 units' sample returns, named as the template names them (as the guide says)."""
    folder = tmp_path_factory.mktemp("inbox") / "收件"
    make_returns(folder, PERIOD)
    return folder


@pytest.fixture
def returns(inbox, tmp_path) -> Path:
    return Path(shutil.copytree(inbox, tmp_path / "收件"))


def test_template_all_into_the_returns_folder_writes_none_and_names_them(returns):
    before = shas(returns)
    run = taizhang("template", "--all", "--period", "2021Y", "-o", returns)
    assert run.code == 2 and run.lines[0].startswith("错误 [output.templates-taken]：")
    taken = sum(1 for p in returns.iterdir() if p.name.endswith("获得电力台账.xlsx"))
    assert f"已有 {taken} 个同名文件" in run.err and "任城区-2021Y-获得电力台账.xlsx" in run.err
    assert shas(returns) == before and run.out == ""


def test_template_all_again_replaces_its_own_blank_templates(tmp_path):
    first = taizhang("template", "--all", "--period", "2021Y", "-o", tmp_path / "模板")
    assert first.code == 0
    again = taizhang("template", "--all", "--period", "2021Y", "-o", tmp_path / "模板")
    assert again.code == 0 and again.out == first.out
    assert sorted(p.name for p in (tmp_path / "模板").iterdir()) == sorted(
        Path(line).name for line in first.out.splitlines()
    )  # the folder holds the templates and nothing else


def test_force_is_the_only_way_past(returns):
    one = returns / "任城区-2021Y-获得电力台账.xlsx"
    before = one.read_bytes()
    run = taizhang("template", "--unit", "任城区", "--period", "2021Y", "-o", one)
    assert run.code == 2 and "output.not-ours" in run.err and one.read_bytes() == before
    forced = taizhang("template", "--unit", "任城区", "--period", "2021Y", "-o", one, "--force")
    assert forced.code == 0 and seal_of(one) == ("template", True)


@pytest.mark.parametrize("force", [False, True])
def test_consolidate_never_writes_over_one_of_its_returns(returns, force):
    before = shas(returns)
    target = returns / "邹城市-2021Y-获得电力台账.xlsx"
    args = ["consolidate", returns, "--period", "2021Y", "-o", target, "--json", returns / "s.json"]
    run = taizhang(*args, *(["--force"] if force else []))
    assert run.code == 2 and run.lines == [
        f"错误 [output.is-input]：“{target}”是本次要读取的台账，不能用作输出（加 --force 也不能）："
        "请另选输出路径"
    ]
    assert shas(returns) == before and not (returns / "s.json").exists()


def test_console_never_writes_over_a_return(returns, tmp_path):
    before = shas(returns)
    inside = returns / "微山县-2021Y-获得电力台账.xlsx"
    run = taizhang("console", "--period", "2021Y", "--dir", returns, "-o", inside, "--force")
    assert run.code == 2 and "output.is-input" in run.err
    outside = tmp_path / "别处" / "县里的.xlsx"
    outside.parent.mkdir()
    shutil.copy(inside, outside)
    refused = taizhang("console", "--period", "2021Y", "--dir", returns, "-o", outside)
    assert refused.code == 2 and "output.not-ours" in refused.err and "--force" in refused.err
    assert shas(returns) == before and outside.read_bytes() == inside.read_bytes()


def test_reruns_replace_their_own_outputs_in_the_inbox(returns):
    """The previous summary in the inbox is ours: it is replaced, and never read as a return."""
    before = shas(returns)
    outs = [
        "-o",
        returns / "汇总.xlsx",
        "--json",
        returns / "汇总.json",
        "--report",
        returns / "r.html",
    ]
    first = taizhang("consolidate", returns, "--period", "2021Y", *outs)
    again = taizhang("consolidate", returns, "--period", "2021Y", *outs)
    assert first.code == again.code == 1 and first.out == again.out
    assert {k: v for k, v in shas(returns).items() if k in before} == before
    assert seal_of(returns / "汇总.xlsx") == ("summary", True)
    assert seal_of(returns / "汇总.json") == ("json", True)
    assert seal_of(returns / "r.html") == ("report", True)
    console = ["console", "--period", "2021Y", "--dir", returns, "-o", returns / "控制台.xlsx"]
    assert taizhang(*console).code == 0 and taizhang(*console).code == 0


def test_an_edited_output_is_ours_only_when_it_is_the_bureaus(tmp_path):
    """A filled-in template (the county's work) is not ours; a summary the officer saved is."""
    from openpyxl import load_workbook

    from addin.write.template.book import write_ledger

    blank = write_ledger("任城区", PERIOD, tmp_path / "a")
    book = load_workbook(blank)
    book["封面"]["B5"] = "张三"
    book.save(blank)
    assert seal_of(blank) == ("template", False)
    run = taizhang("template", "--unit", "任城区", "--period", "2021Y", "-o", blank)
    assert run.code == 2 and "output.not-ours" in run.err

    empty = tmp_path / "空"
    empty.mkdir()
    summary = tmp_path / "汇总.xlsx"
    assert taizhang("consolidate", empty, "--period", "2021Y", "-o", summary).code == 0
    book = load_workbook(summary)
    book.active["A1"] = "市局备注"
    book.save(summary)
    assert seal_of(summary) == ("summary", False)
    assert taizhang("consolidate", empty, "--period", "2021Y", "-o", summary).code == 0
    assert seal_of(summary) == ("summary", True)


@pytest.mark.parametrize(
    "suffix, data",
    [
        (".xlsx", b"PK\x03\x04 not really"),
        (".json", b'{\n  "generator": "taizhang json sha256:' + b"0" * 64 + b'",\n  "x": 1\n}\n'),
        (".html", b"<p>hand-made</p>\n<!-- taizhang report sha256:" + b"0" * 64 + b" -->\n"),
    ],
)
def test_a_file_that_only_claims_to_be_ours_is_refused(tmp_path, suffix, data):
    (tmp_path / "收件").mkdir()
    target = tmp_path / f"out{suffix}"
    target.write_bytes(data)
    option = {".xlsx": "-o", ".json": "--json", ".html": "--report"}[suffix]
    args = ["consolidate", tmp_path / "收件", "--period", "2021Y"]
    args += [option, target] if suffix == ".xlsx" else ["-o", tmp_path / "s.xlsx", option, target]
    run = taizhang(*args)
    assert run.code == 2 and "output.not-ours" in run.err and target.read_bytes() == data
    assert not (tmp_path / "s.xlsx").exists()  # nothing of the set was written
