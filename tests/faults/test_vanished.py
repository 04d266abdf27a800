"""A file that vanishes between the folder scan and its reading is "文件不存在", never "格式可以
识别，但内容无法读取"."""

from __future__ import annotations

import shutil

from addin.pipeline.collect import find_returns, validate_paths
from tests.fill import make_return


def test_a_vanished_file_is_missing(tmp_path):
    inbox = tmp_path / "收件"
    good = make_return(inbox, "任城区")
    shutil.copy(good, inbox / "一会儿就没了.xlsx")
    found = find_returns([inbox])
    (inbox / "一会儿就没了.xlsx").unlink()
    gone, kept = sorted(
        validate_paths(found, scan=False, progress=False), key=lambda r: r.source.name
    )
    assert [f.code for f in gone.findings] == ["file.missing"]
    assert "不存在" in gone.findings[0].message and "格式可以识别" not in gone.findings[0].message
    assert kept.ok


def test_a_file_that_is_there_is_not_missing(tmp_path):
    good = make_return(tmp_path, "任城区")
    [ret] = validate_paths([good], scan=False, progress=False)
    assert "file.missing" not in [f.code for f in ret.findings]
