"""No hang, nothing passed over: only regular files are read; a FIFO named .xlsx, /dev/zero,
links to them, a dangling or looping link, a linked folder — each is a finding naming it,
within seconds, and the other returns are read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.faults.kit import shas, taizhang
from tests.fill import make_return

QUICK = 20  # seconds: a FIFO read would block forever, /dev/zero would spin until memory ends


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return make_return(tmp_path_factory.mktemp("good"), "任城区")


def files_of(run) -> dict[str, list[str]]:
    return {
        Path(f["file"]).name: [x["code"] for x in f["findings"]]
        for f in json.loads(run.out)["files"]
    }


@pytest.mark.parametrize(
    "make, code",
    [
        (lambda p: os.mkfifo(p), "file.not-regular"),
        (lambda p: os.symlink("/dev/zero", p), "file.not-regular"),
        (
            lambda p: (os.mkfifo(p.with_name("pipe")), os.symlink(p.with_name("pipe"), p)),
            "file.not-regular",
        ),
        (lambda p: os.symlink(p.with_name("gone.xlsx"), p), "file.missing"),
        (lambda p: os.symlink(p.name, p), "file.not-regular"),  # a link to itself: a loop
    ],
    ids=["fifo", "dev-zero", "link-to-fifo", "dangling-link", "link-loop"],
)
def test_special_files_in_a_folder_are_findings_not_hangs(tmp_path, good, make, code):
    inbox = tmp_path / "收件"
    inbox.mkdir()
    (inbox / good.name).write_bytes(good.read_bytes())
    odd = inbox / "奇怪.xlsx"
    make(odd)
    before = shas(inbox)
    run = taizhang("validate", inbox, "--format", "json", timeout=QUICK)
    assert run.code == 1
    found = files_of(run)
    assert found["奇怪.xlsx"] == [code] and "file.not-regular" not in found[good.name]
    assert shas(inbox) == before


def test_a_fifo_named_on_the_command_line_is_a_finding(tmp_path):
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    run = taizhang("validate", fifo, timeout=QUICK)
    assert run.code == 1 and "file.not-regular" in run.out and "命名管道" in run.out


def test_dev_zero_named_on_the_command_line_is_a_finding():
    run = taizhang("validate", "/dev/zero", timeout=QUICK)
    assert run.code == 1 and "file.not-regular" in run.out and "字符设备" in run.out


def test_a_linked_folder_is_named_and_not_entered(tmp_path, good):
    inbox = tmp_path / "收件"
    (inbox / "真的").mkdir(parents=True)
    (inbox / "真的" / good.name).write_bytes(good.read_bytes())
    os.symlink(inbox, inbox / "回环")  # a loop: following it would never end
    os.symlink("/", inbox / "根目录")  # following it would read the whole machine
    run = taizhang("validate", inbox, "--format", "json", timeout=QUICK)
    found = files_of(run)
    assert found["回环"] == ["file.folder-skipped"] and found["根目录"] == ["file.folder-skipped"]
    assert sorted(found) == sorted([good.name, "回环", "根目录"])
    assert "链接" in run.out and run.code == 1


def test_consolidate_goes_on_past_a_fifo(tmp_path, good):
    inbox = tmp_path / "收件"
    inbox.mkdir()
    (inbox / good.name).write_bytes(good.read_bytes())
    os.mkfifo(inbox / "坏.xlsx")
    run = taizhang(
        "consolidate",
        inbox,
        "--period",
        "2021Y",
        "-o",
        tmp_path / "汇总.xlsx",
        "--json",
        tmp_path / "汇总.json",
        timeout=QUICK,
    )
    data = json.loads((tmp_path / "汇总.json").read_text(encoding="utf-8"))
    assert run.code == 1 and any(f["code"] == "file.not-regular" for f in data["findings"])
    assert next(u for u in data["units"] if u["unit"] == "任城区")["status"] != "未报"
