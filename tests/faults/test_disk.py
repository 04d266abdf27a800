"""Faults end cleanly: a full disk and a read-only disk give the Chinese line and nothing
after it; a run writes all its outputs or leaves the previous set whole (a crash between two
renames is rolled back by the next run); files are flushed before they are renamed; a run
killed at any moment leaves nothing the next run does not clean up."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from addin.faces.samples import make_returns
from addin.write import atomic
from schemas.reference import load
from tests.conftest import ROOT
from tests.faults.kit import shas, taizhang

PERIOD = load().period("2021Y")
EPOCH = {"SOURCE_DATE_EPOCH": "1641600000"}  # every run writes the same bytes for the same inputs


def outputs(folder: Path) -> list[str]:
    return [
        "-o",
        folder / "汇总.xlsx",
        "--json",
        folder / "汇总.json",
        "--report",
        folder / "报告.html",
        "--markdown",
        folder / "报告.md",
    ]


def the_set(folder: Path) -> dict[str, str]:
    return {Path(k).name: v for k, v in shas(folder).items()}


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".~")]


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("samples") / "收件"
    make_returns(folder, PERIOD)
    return folder


@pytest.fixture
def tmpfs(tmp_path):
    """A 1 MiB file system (root mounts it; this suite runs as root in CI)."""
    point = tmp_path / "小盘"
    point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(point)], capture_output=True
    )
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs here ({done.stderr!r}): run the simulated case")
    yield point
    subprocess.run(["umount", "-l", str(point)], check=False)


def fill(point: Path, leave: int) -> None:
    free = shutil.disk_usage(point).free
    with open(point / "占位", "wb") as f:
        f.write(b"\0" * max(0, free - leave))


def test_a_full_disk_is_one_chinese_line_and_the_old_set_stays(tmpfs, samples):
    one = tmpfs / "一"
    first = taizhang(
        "consolidate",
        samples,
        "--period",
        "2021Y",
        "-o",
        one / "汇总.xlsx",
        "--json",
        one / "汇总.json",
        env=EPOCH,
    )
    assert first.code == 1
    old = the_set(one)
    fill(tmpfs, 20_000)  # room for the probe, not for a summary
    run = taizhang(
        "consolidate",
        samples,
        "--period",
        "2021Y",
        "-o",
        one / "汇总.xlsx",
        "--json",
        one / "汇总.json",
    )
    assert run.code == 2 and len(run.lines) == 1
    assert run.lines[0].startswith("错误 [output.write]：") and "磁盘空间不足" in run.err
    assert the_set(one) == old and leftovers(one) == []
    tpl = taizhang("template", "--all", "--period", "2021Y", "-o", tmpfs / "模板")
    assert tpl.code == 2 and "磁盘空间不足" in tpl.err and len(tpl.lines) == 1
    assert not (tmpfs / "模板").exists() or list((tmpfs / "模板").iterdir()) == []
    mark = taizhang("validate", samples, "--mark", tmpfs / "标注")
    assert mark.code == 2 and "磁盘空间不足" in mark.err and len(mark.lines) == 1


def test_a_read_only_disk_names_the_real_file(tmpfs, samples):
    target = tmpfs / "汇总.xlsx"
    assert taizhang("consolidate", samples, "--period", "2021Y", "-o", target).code == 1
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    run = taizhang("consolidate", samples, "--period", "2021Y", "-o", target)
    assert run.lines == [f"错误 [output.write]：无法写入“{target}”：磁盘只读。原文件未改动"]


def test_full_disk_simulated_in_process(tmp_path, samples, monkeypatch):
    """The same promise where no tmpfs can be mounted: os.write and file writes fail ENOSPC."""
    import errno

    from addin.model.errors import OutputError
    from addin.pipeline.run import consolidate_folder

    out = tmp_path / "out"
    consolidate_folder(samples, PERIOD, output=out / "汇总.xlsx", json_path=out / "汇总.json")
    old = the_set(out)
    real_fsync = os.fsync

    def full(fd):
        real_fsync(fd)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError) as err:
        consolidate_folder(samples, PERIOD, output=out / "汇总.xlsx", json_path=out / "汇总.json")
    assert "磁盘空间不足" in err.value.message and the_set(out) == old and leftovers(out) == []


CRASH = """
import os, sys
from pathlib import Path
from addin.pipeline.run import consolidate_folder
from schemas.reference import load
calls = []
real = os.replace
def dying(src, dst):
    calls.append(dst)
    if len(calls) == 2:  # one output renamed into place, the others not yet
        os._exit(9)
    return real(src, dst)
os.replace = dying
out = Path(sys.argv[2])
consolidate_folder(Path(sys.argv[1]), load().period("2021Y"), output=out / "汇总.xlsx",
                   json_path=out / "汇总.json", html_path=out / "报告.html", md_path=out / "报告.md")
"""


def test_a_crash_between_renames_is_rolled_back_by_the_next_run(tmp_path, samples):
    fewer = tmp_path / "少"
    fewer.mkdir()
    for p in sorted(samples.iterdir())[:3]:
        shutil.copy(p, fewer / p.name)
    out = tmp_path / "out"
    assert taizhang("consolidate", fewer, "--period", "2021Y", *outputs(out), env=EPOCH).code in (
        0,
        1,
    )
    old = the_set(out)
    env = {**os.environ, "PYTHONPATH": str(ROOT), **EPOCH}
    died = subprocess.run(
        [sys.executable, "-c", CRASH, str(samples), str(out)], env=env, timeout=120
    )
    assert died.returncode == 9
    assert the_set(out) != old and any(n.endswith(".journal") for n in leftovers(out))  # mixed
    atomic.recover(out)  # what the next run does first
    assert the_set(out) == old and leftovers(out) == []
    run = taizhang("consolidate", samples, "--period", "2021Y", *outputs(out), env=EPOCH)
    assert run.code == 1 and leftovers(out) == [] and the_set(out) != old


def test_every_file_is_flushed_before_it_is_renamed(tmp_path, monkeypatch):
    synced, order = set(), []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        synced.add(os.readlink(f"/proc/self/fd/{fd}"))
        return real_fsync(fd)

    def replace(src, dst):
        order.append(str(src) in synced)
        return real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    from addin.write.template.book import write_all

    write_all(PERIOD, tmp_path / "模板")
    assert len(order) == 14 and all(order)


@pytest.mark.slow
def test_kills_at_random_moments_leave_a_whole_set(tmp_path, samples):
    """SIGKILL a consolidation at random moments (seeded): the previous set stays whole or the
    new one is complete; the next run cleans up temporary files, journals and the reader's
    scratch folder; the returns never change."""
    renamed = samples.parent / "收件-改名"
    if not renamed.exists():
        shutil.copytree(samples, renamed)
        first = sorted(renamed.iterdir())[0]
        shutil.copy(first, renamed / "另存为.et")  # read through a link in the scratch folder
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**EPOCH, "TMPDIR": str(scratch)}
    fewer = tmp_path / "少"
    fewer.mkdir()
    shutil.copy(sorted(samples.iterdir())[0], fewer)
    reference = tmp_path / "参照"
    timed = taizhang(
        "consolidate", renamed, "--period", "2021Y", *outputs(reference), "--jobs", "2", env=env
    )
    assert timed.code == 1
    new = the_set(reference)
    out = tmp_path / "out"
    taizhang("consolidate", fewer, "--period", "2021Y", *outputs(out), env=env)
    old = the_set(out)
    inputs = shas(renamed)
    rng = random.Random(11)
    argv = [
        sys.executable,
        "-m",
        "addin",
        "consolidate",
        str(renamed),
        "--period",
        "2021Y",
        *map(str, outputs(out)),
        "--jobs",
        "2",
    ]
    seen = {"old": 0, "new": 0}
    for _ in range(12):
        proc = subprocess.Popen(
            argv,
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, timed.seconds * 1.3))  # before, during and after the writes
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        time.sleep(0.3)  # its reader children see the closed pipe and end
        atomic.recover(out)
        now = the_set(out)
        assert now in (old, new), "a mixed set after a kill"
        seen["old" if now == old else "new"] += 1
        assert leftovers(out) == [] and shas(renamed) == inputs
        if now == new:  # start again from the old set, so later kills can land anywhere
            taizhang("consolidate", fewer, "--period", "2021Y", *outputs(out), env=env)
    final = taizhang("consolidate", renamed, "--period", "2021Y", *outputs(out), env=env)
    assert final.code == 1 and the_set(out) == new and leftovers(out) == []
    assert [p.name for p in scratch.iterdir() if p.name.startswith("taizhang-")] == []
    assert seen["old"] > 0
    print(f"kills: {seen}")
