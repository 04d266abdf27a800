"""addin.pipeline.collect: finding returns, reading them in isolation, results in input order."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from addin.model.errors import UsageError
from addin.pipeline import collect as batch
from addin.pipeline.collect import find_returns, validate_file, validate_paths
from addin.write.stamp import record
from tests.conftest import CORPUS


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_folder_scan_recursive_sorted_and_skips_non_returns(tmp_path):
    root = tmp_path / "收件"
    wanted = [
        touch(root / "a.xlsx"),
        touch(root / "b.XLS"),
        touch(root / "sub" / "c.ods"),
        touch(root / "sub" / "deeper" / "d.xlsm"),
        touch(root / "z.xlsb"),
    ]
    for junk in (
        "~$a.xlsx",
        ".~lock.a.xlsx#",
        ".hidden.xlsx",
        "notes.docx",
        "说明.pdf",
        "a.校验结果.xlsx",
        ".git/e.xlsx",
        "marked/a.xlsx",
    ):
        touch(root / junk)
    wanted.append(touch(root / "marked" / "county.xlsx"))  # beside the copies, not listed
    record(root / "marked", [(root / "marked" / "a.xlsx", "marked")])
    assert find_returns([root]) == [
        root / "a.xlsx",
        root / "b.XLS",
        root / "marked" / "county.xlsx",
        root / "sub" / "c.ods",
        root / "sub" / "deeper" / "d.xlsm",
        root / "z.xlsb",
    ]
    assert sorted(find_returns([root])) == sorted(wanted)


def test_named_file_always_taken_in_argument_order_once(tmp_path):
    odd = touch(tmp_path / "县里发来的.dat")
    a = touch(tmp_path / "d" / "a.xlsx")
    assert find_returns([odd, tmp_path / "d", a]) == [odd, a]


def test_missing_path_is_usage_error(tmp_path):
    with pytest.raises(UsageError) as exc:
        find_returns([tmp_path / "没有这个.xlsx"])
    assert exc.value.code == "usage.path-missing" and "没有这个.xlsx" in exc.value.message


def test_empty_folder_is_an_empty_list_not_an_exception(tmp_path):
    touch(tmp_path / "readme.txt")
    assert find_returns([tmp_path]) == []
    assert validate_paths([tmp_path]) == []


def test_unreadable_file_is_one_file_finding(tmp_path):
    bad = touch(tmp_path / "坏.xlsx", b"PK\x03\x04 this is not a zip")
    ret = validate_file(bad)
    assert ret.unit is None and ret.period is None and not ret.ok
    assert [f.code for f in ret.findings] == ["file.corrupt"]
    assert ret.source.format is None and ret.source.name == "坏.xlsx"
    assert ret.source.sha256 == hashlib.sha256(bad.read_bytes()).hexdigest()
    assert ret.source.size == bad.stat().st_size


@pytest.mark.parametrize("jobs", [1, 2])
def test_hostile_files_in_a_batch_each_get_a_finding(tmp_path, jobs):
    """calamine aborts the process on this file when the guards are bypassed; in a batch
    each file is read in a child, so the batch goes on and keeps input order."""
    names = [
        "corner_cells_A1_XFD1048576.xlsx",
        "encrypted_agile_msoffcrypto.xlsx",
        "pdf_renamed.xlsx",
        "truncated_half.xls",
    ]
    files = [shutil.copy(CORPUS / "hostile" / n, tmp_path / n) for n in names]
    files.append(touch(tmp_path / "empty.xlsx", b""))
    returns = validate_paths(files, jobs=jobs, progress=False)
    assert [r.source.name for r in returns] == [*names, "empty.xlsx"]
    codes = [r.findings[0].code for r in returns]
    assert all(c.startswith("file.") for c in codes) and all(not r.ok for r in returns)
    assert codes[1] == "file.encrypted" and codes[2] == "file.not-spreadsheet"
    assert codes[4] == "file.empty"


def test_batch_isolation_survives_a_crashing_reader(tmp_path, monkeypatch):
    """With the guards off, the corner-cells file kills its reader child (SIGABRT): that
    file is file.crashed-reader, the next file is still read."""
    from addin.read import isolate

    real = isolate.IsolatedReader

    def unguarded(jobs=1, **kw):
        return real(jobs, guard=False, **kw)

    monkeypatch.setattr(batch, "IsolatedReader", unguarded)
    crash = shutil.copy(CORPUS / "hostile" / "corner_cells_A1_XFD1048576.xlsx", tmp_path)
    empty = touch(tmp_path / "empty.xlsx", b"")
    returns = validate_paths([crash, empty], jobs=1, progress=False)
    assert [r.findings[0].code for r in returns] == ["file.crashed-reader", "file.empty"]


def test_progress_quiet_when_not_a_terminal(tmp_path, capsys):
    files = [touch(tmp_path / f"{i}.xlsx", b"") for i in range(3)]
    validate_paths(files, progress=None)
    assert capsys.readouterr().err == ""


def test_progress_shown_when_asked(tmp_path, monkeypatch):
    seen = []

    def fake(total, show):
        seen.append((total, show))
        return (lambda: seen.append("tick")), (lambda: seen.append("stop"))

    monkeypatch.setattr(batch, "_progress", fake)
    files = [touch(tmp_path / f"{i}.xlsx", b"") for i in range(3)]
    validate_paths(files, progress=True)
    assert seen == [(3, True), "tick", "tick", "tick", "stop"]
