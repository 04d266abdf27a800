"""Nothing silently skipped: an unreadable subfolder and an unreadable file each get a Chinese
finding that names them; the --mark register knows its copies by content, and two runs
marking into one folder at once keep each other's entries."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from addin.pipeline.collect import find_returns
from addin.write.stamp import Register
from tests.conftest import ROOT
from tests.faults.kit import shas, taizhang
from tests.fill import make_return


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return make_return(tmp_path_factory.mktemp("good"), "任城区")


@pytest.fixture
def inbox(tmp_path, good) -> Path:
    folder = tmp_path / "收件"
    (folder / "锁住的文件夹").mkdir(parents=True)
    shutil.copy(good, folder / "任城区.xlsx")
    shutil.copy(good, folder / "锁住的文件夹" / "兖州区.xlsx")
    shutil.copy(good, folder / "锁住的.xlsx")
    os.chmod(folder / "锁住的.xlsx", 0)
    os.chmod(folder / "锁住的文件夹", 0)
    yield folder
    os.chmod(folder / "锁住的文件夹", 0o755)


def test_unreadable_folder_and_file_are_named_in_chinese(inbox):
    run = taizhang("validate", inbox, "--format", "json", unprivileged=True)
    found = {Path(f["file"]).name: f["findings"] for f in json.loads(run.out)["files"]}
    assert [f["code"] for f in found["锁住的文件夹"]] == ["file.folder-skipped"]
    assert "锁住的文件夹" in found["锁住的文件夹"][0]["message"]
    assert "没有读取权限" in found["锁住的文件夹"][0]["message"]
    assert [f["code"] for f in found["锁住的.xlsx"]] == ["file.permission"]
    assert "PermissionError" not in run.out and "Permission denied" not in run.out
    assert run.code == 1 and "任城区.xlsx" in found


def test_consolidate_says_why_a_unit_may_show_as_missing(inbox, tmp_path):
    out = tmp_path / "out"
    run = taizhang(
        "consolidate",
        inbox,
        "--period",
        "2021Y",
        "-o",
        out / "汇总.xlsx",
        "--json",
        out / "汇总.json",
        unprivileged=True,
    )
    data = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    codes = {f["code"] for f in data["findings"]}
    assert {"file.folder-skipped", "file.permission"} <= codes and run.code == 1


def test_a_corrected_return_under_an_old_copys_name_is_read(tmp_path, good):
    inbox = tmp_path / "收件"
    inbox.mkdir()
    shutil.copy(good, inbox / "任城区.xlsx")
    marks = tmp_path / "标注"
    taizhang("validate", inbox, "--mark", marks)
    [copy] = [p for p in marks.iterdir() if not p.name.startswith(".")]
    assert find_returns([marks]) == []  # the copy is ours: not a return
    shutil.copy(good, copy)  # the county saves its corrected return over the copy's name
    assert find_returns([marks]) == [copy]
    again = taizhang("validate", inbox, "--mark", marks)  # never over the county's file
    assert again.code in (0, 1) and copy.read_bytes() == good.read_bytes()
    assert len([p for p in marks.iterdir() if not p.name.startswith(".")]) == 2


def test_two_mark_runs_at_once_keep_each_others_entries(tmp_path, good):
    a, b = tmp_path / "甲", tmp_path / "乙"
    for folder, prefix in ((a, "甲"), (b, "乙")):
        folder.mkdir()
        for i in range(6):
            shutil.copy(good, folder / f"{prefix}{i}.xlsx")
    marks = tmp_path / "标注"
    before = shas(a, b)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "addin", "validate", str(f), "--mark", str(marks)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        for f in (a, b)
    ]
    errors = [r.communicate(timeout=120)[1].decode() for r in runs]
    assert all("Traceback" not in e for e in errors)
    copies = sorted(p.name for p in marks.iterdir() if not p.name.startswith("."))
    assert len(copies) == 12
    register = Register.load(marks)
    assert sorted(e.name for e in register.entries.values()) == copies
    assert find_returns([marks]) == [] and shas(a, b) == before
