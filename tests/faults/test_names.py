"""File names as Windows gives them: a GBK-encoded name (what unzipping a Windows archive
yields on Linux) and a legal 233-byte name work in every command; what is shown uses
replacement characters; temporary names stay short."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from addin.write import atomic
from tests.faults.kit import shas, taizhang
from tests.fill import make_return

GBK = "任城区-2021Y-获得电力台账.xlsx".encode("gbk")  # not valid UTF-8


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return make_return(tmp_path_factory.mktemp("good"), "任城区")


@pytest.fixture
def gbk_inbox(tmp_path, good) -> Path:
    inbox = tmp_path / "收件"
    inbox.mkdir()
    shutil.copy(good, os.fsdecode(os.fsencode(inbox) + b"/" + GBK))
    shutil.copy(good, inbox / "兖州区.xlsx")
    sub = os.fsencode(inbox) + b"/" + "县里".encode("gbk")
    os.mkdir(sub)
    shutil.copy(good, os.fsdecode(sub + b"/" + "报表.xlsx".encode("gbk")))
    return inbox


def test_every_folder_command_works_on_gbk_names(gbk_inbox, tmp_path):
    before = shas(gbk_inbox)
    text = taizhang("validate", gbk_inbox)
    assert text.code in (0, 1) and "\ufffd" in text.out and "兖州区.xlsx" in text.out
    data = json.loads(taizhang("validate", gbk_inbox, "--format", "json").out)
    assert len(data["files"]) == 3 and all("\\udc" not in f["file"] for f in data["files"])
    html = taizhang("validate", gbk_inbox, "--format", "html")
    assert html.code in (0, 1) and "\ufffd" in html.out
    out = tmp_path / "输出"
    cons = taizhang(
        "consolidate",
        gbk_inbox,
        "--period",
        "2021Y",
        "-o",
        out / "汇总.xlsx",
        "--json",
        out / "汇总.json",
        "--report",
        out / "r.html",
        "--markdown",
        out / "r.md",
    )
    assert cons.code in (0, 1) and (out / "汇总.xlsx").exists()
    summary = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    assert any("\ufffd" in s["file"] for s in summary["sources"])
    marked = taizhang("validate", gbk_inbox, "--mark", tmp_path / "标注")
    assert marked.code in (0, 1) and "3 个标注副本" in marked.err
    console = taizhang(
        "console", "--period", "2021Y", "--dir", gbk_inbox, "-o", out / "控制台.xlsx"
    )
    assert console.code == 0
    assert shas(gbk_inbox) == before


def test_a_gbk_output_folder_works(tmp_path):
    folder = os.fsdecode(os.fsencode(tmp_path) + b"/" + "模板".encode("gbk"))
    run = taizhang("template", "--all", "--period", "2021Y", "-o", folder)
    assert run.code == 0 and len(os.listdir(folder)) == 14 and "\ufffd" in run.out


def test_a_233_byte_name_is_marked_and_temp_names_stay_short(tmp_path, good):
    name = "任城区" * 25 + "账.xlsx"  # 233 bytes, legal everywhere (the limit is 255)
    assert len(os.fsencode(name)) == 233
    src = tmp_path / "收件" / name
    src.parent.mkdir()
    shutil.copy(good, src)
    run = taizhang("validate", src.parent, "--mark", tmp_path / "标注")
    assert run.code in (0, 1) and "1 个标注副本" in run.err
    [copy] = [p for p in (tmp_path / "标注").iterdir() if not p.name.startswith(".")]
    assert len(os.fsencode(copy.name)) <= 255
    again = taizhang("validate", src.parent, "--mark", tmp_path / "标注")  # replaces its copy
    assert again.code == run.code
    results = taizhang("validate", src.parent, "--mark", tmp_path / "另一个")
    assert results.code == run.code
    assert len(os.fsencode(atomic.temp_path(src).name)) < 40
