"""The one writer every output goes through (addin/atomic.py), and that each writer uses it."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from xlsxwriter.exceptions import FileCreateError

from addin.model.errors import OutputError
from addin.pipeline.collect import find_returns
from addin.write import atomic
from addin.write.atomic import write_atomic, write_bytes_atomic, write_text_atomic


def test_writes_text_with_unix_line_ends_and_creates_folders(tmp_path):
    target = tmp_path / "汇总" / "2021" / "报告.md"
    assert write_text_atomic(target, "一\n二\n") == target
    assert target.read_bytes() == "一\n二\n".encode()
    assert os.listdir(target.parent) == ["报告.md"]  # no temp file left


def test_permissions_are_those_of_an_ordinary_file(tmp_path):
    target = write_bytes_atomic(tmp_path / "a.xlsx", b"x")
    ordinary = tmp_path / "b"
    ordinary.write_bytes(b"x")
    assert stat.S_IMODE(target.stat().st_mode) == stat.S_IMODE(ordinary.stat().st_mode)


def test_temp_file_is_beside_the_target_and_not_a_return(tmp_path):
    seen = []

    def write(tmp: Path) -> None:
        seen.append(tmp)
        tmp.write_bytes(b"PK")
        assert find_returns([tmp_path]) == []  # the folder holds nothing but our temp file

    write_atomic(tmp_path / "任城区.xlsx", write)
    assert seen[0].parent == tmp_path and seen[0].name.startswith(atomic.TEMP_PREFIX)
    assert find_returns([tmp_path]) == [tmp_path / "任城区.xlsx"]


def test_target_held_open_is_output_locked_and_keeps_old_content(tmp_path, monkeypatch):
    target = tmp_path / "汇总.xlsx"
    target.write_bytes(b"old")

    def locked(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr("addin.write.atomic.os.replace", locked)
    with pytest.raises(OutputError) as err:
        write_bytes_atomic(target, b"new")
    assert err.value.code == "output.locked" and "Excel" in err.value.message
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["汇总.xlsx"]


def test_wrapped_os_error_is_an_output_error(tmp_path):
    """XlsxWriter's close() wraps the OSError in FileCreateError."""

    def write(tmp: Path) -> None:
        raise FileCreateError(PermissionError(13, "Permission denied", str(tmp)))

    with pytest.raises(OutputError) as err:
        write_atomic(tmp_path / "x.xlsx", write)
    assert err.value.code == "output.locked"


def test_other_os_error_is_output_write(tmp_path):
    (tmp_path / "x.xlsx").mkdir()  # a folder where the file should go
    with pytest.raises(OutputError) as err:
        write_bytes_atomic(tmp_path / "x.xlsx", b"new")
    assert err.value.code == "output.write" and "原文件未改动" in err.value.message
    assert err.value.message.endswith("：目标是一个文件夹。原文件未改动")
    assert os.listdir(tmp_path) == ["x.xlsx"]


def test_folder_that_cannot_be_made_is_output_folder(tmp_path):
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(OutputError) as err:
        write_bytes_atomic(tmp_path / "file" / "x.xlsx", b"new")
    assert err.value.code == "output.folder"
    assert "file" not in err.value.message.rpartition("”")[2]  # no English strerror


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (errno.ENOENT, "路径不存在"),
        (errno.EEXIST, "已有同名文件"),
        (errno.EISDIR, "目标是一个文件夹"),
        (errno.EACCES, "没有写入权限（或文件正被 Excel 打开）"),
        (errno.EPERM, "没有写入权限（或文件正被 Excel 打开）"),
        (errno.ENOSPC, "磁盘空间不足"),
        (errno.EROFS, "磁盘只读"),
        (errno.ENAMETOOLONG, "路径太长"),
        (errno.EIO, f"系统错误（errno {errno.EIO}）"),
    ],
)
def test_os_reason_is_chinese(number, text):
    assert atomic.os_reason(OSError(number, os.strerror(number))) == text


def test_folder_under_a_missing_root_says_so_in_chinese(tmp_path):
    with pytest.raises(OutputError) as err:
        atomic.ensure_folder(Path("/proc/taizhang-nowhere/x"))
    assert err.value.message.endswith("：路径不存在")


def test_program_faults_are_not_disguised(tmp_path):
    def write(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise ValueError("bug")

    with pytest.raises(ValueError):
        write_atomic(tmp_path / "x.xlsx", write)
    assert os.listdir(tmp_path) == []


def _writers():
    """Each public writer, called with a target file path."""
    import build
    from addin.pipeline.run import write_console
    from addin.write import findings_doc, report
    from addin.write.summary.book import write_summary
    from addin.write.template.book import write_ledger
    from schemas.reference import load

    from .test_summary import summary

    period = load().period("2021Y")
    return {
        "template": lambda p: write_ledger("任城区", period, p),
        "summary": lambda p: write_summary(summary(), p),
        "json": lambda p: report.write_json(summary(), p),
        "html": lambda p: report.write_html(summary(), p),
        "markdown": lambda p: report.write_markdown(summary(), p),
        "console": lambda p: write_console(period, p.parent / "收件", p),
        "findings doc": findings_doc.write,
        "code zip": build.build_code_zip,
    }


@pytest.mark.parametrize("name", list(_writers()))
def test_every_writer_is_atomic_and_makes_its_folder(name, tmp_path, monkeypatch):
    write = _writers()[name]
    target = tmp_path / "新建" / "out.xlsx"
    write(target)
    assert target.stat().st_size > 0 and os.listdir(target.parent) == ["out.xlsx"]

    def locked(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    old = target.read_bytes()
    monkeypatch.setattr("addin.write.atomic.os.replace", locked)
    with pytest.raises(OutputError) as err:
        write(target)
    assert err.value.code == "output.locked"
    assert target.read_bytes() == old and os.listdir(target.parent) == ["out.xlsx"]


def test_no_writer_renames_files_itself():
    """Every output goes through addin/atomic.py: nobody else calls os.replace or mkstemp —
    but the service's store, which keeps uploads (not outputs) and must fsync the file, rename
    it and fsync its folder before it commits the row that acknowledges the upload."""
    root = Path(__file__).resolve().parents[2]
    writers = [*root.glob("addin/**/*.py"), root / "build.py"]
    offenders = [
        p.name
        for p in writers
        if p.name != "atomic.py"
        and p.relative_to(root).as_posix() != "addin/faces/service/store.py"
        and any(word in p.read_text("utf-8") for word in ("os.replace(", "mkstemp("))
    ]
    assert offenders == []


# ---------------------------------------------------------------- sets, journals, leftovers


def test_a_set_is_written_whole_or_not_at_all(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.json"
    atomic.write_set(
        [(a, lambda t: t.write_bytes(b"old a")), (b, lambda t: t.write_bytes(b"old b"))]
    )

    def full(tmp: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp))

    with pytest.raises(OutputError) as err:
        atomic.write_set([(a, lambda t: t.write_bytes(b"new a")), (b, full)])
    assert (
        err.value.code == "output.write" and str(b) in err.value.message
    )  # the target, not the temp
    assert (a.read_bytes(), b.read_bytes()) == (b"old a", b"old b")
    assert sorted(os.listdir(tmp_path)) == ["a.xlsx", "b.json"]


def test_a_failed_rename_puts_back_the_ones_already_renamed(tmp_path, monkeypatch):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.json"
    atomic.write_set(
        [(a, lambda t: t.write_bytes(b"old a")), (b, lambda t: t.write_bytes(b"old b"))]
    )
    real = os.replace

    def second_locked(src, dst):
        if str(dst) == str(b):
            raise PermissionError(13, "Permission denied", str(dst))
        return real(src, dst)

    monkeypatch.setattr("addin.write.atomic.os.replace", second_locked)
    with pytest.raises(OutputError) as err:
        atomic.write_set(
            [(a, lambda t: t.write_bytes(b"new a")), (b, lambda t: t.write_bytes(b"new b"))]
        )
    assert err.value.code == "output.locked"
    assert (a.read_bytes(), b.read_bytes()) == (b"old a", b"old b")
    assert sorted(os.listdir(tmp_path)) == ["a.xlsx", "b.json"]


def test_leftovers_of_dead_runs_are_removed_and_live_ones_kept(tmp_path):
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)
    stale = [tmp_path / f".~tz{pid}-0123abcd.tmp", tmp_path / f".~旧名.{pid}.89abcdef.tmp"]
    live = tmp_path / f".~tz{os.getpid()}-fedcba98.tmp"
    for p in (*stale, live):
        p.write_bytes(b"half")
    atomic.recover(tmp_path)
    assert sorted(os.listdir(tmp_path)) == [live.name]


def test_temp_names_are_short_whatever_the_target(tmp_path):
    long_name = "任" * 80 + ".xlsx"  # 245 bytes
    tmp = atomic.temp_path(tmp_path / long_name)
    assert tmp.parent == tmp_path and len(os.fsencode(tmp.name)) < 40
    assert tmp.name.startswith(atomic.TEMP_PREFIX)


def test_seals_tell_our_files_and_their_changes(tmp_path):
    from addin.write.seal import seal_file, seal_of

    text = tmp_path / "r.html"
    text.write_text("<p>报告</p>\n", encoding="utf-8")
    seal_file(text, "report")
    assert seal_of(text) == ("report", True)
    text.write_text(text.read_text(encoding="utf-8").replace("报告", "改过"), encoding="utf-8")
    assert seal_of(text) == ("report", False)
    data = tmp_path / "s.json"
    data.write_text('{\n  "a": 1\n}\n', encoding="utf-8")
    seal_file(data, "json")
    import json

    assert json.loads(data.read_text(encoding="utf-8"))["a"] == 1 and seal_of(data) == (
        "json",
        True,
    )
    plain = tmp_path / "x.xlsx"
    plain.write_bytes(b"PK\x03\x04")
    assert seal_of(plain) is None and seal_of(tmp_path / "none.md") is None
