"""addin.read.intake: what a path must be before anything reads it — only stat in the parent,
a non-blocking open and a bounded hash in the child."""

from __future__ import annotations

import hashlib
import os

import pytest

from addin.read.failure import ReadFailure, shown
from addin.read.intake import check_path, read_digest


def code(failure) -> str | None:
    return None if failure is None else failure.code


def test_a_regular_file_passes_and_is_hashed(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK" * 1000)
    assert check_path(path) is None
    sha, size, _mtime = read_digest(path)
    assert (sha, size) == (hashlib.sha256(b"PK" * 1000).hexdigest(), 2000)


@pytest.mark.parametrize(
    "make, expected, words",
    [
        (lambda p: os.mkfifo(p), "file.not-regular", "命名管道"),
        (lambda p: os.symlink("/dev/null", p), "file.not-regular", "指向字符设备的链接"),
        (lambda p: os.symlink(p.with_name("无.xlsx"), p), "file.missing", "链接"),
        (lambda p: os.symlink(p.name, p), "file.not-regular", "循环"),
        (lambda p: p.mkdir(), "file.folder-skipped", "无法打开"),
    ],
    ids=["fifo", "device-link", "dangling", "loop", "folder"],
)
def test_what_is_not_a_regular_file_is_named(tmp_path, make, expected, words):
    path = tmp_path / "奇怪.xlsx"
    make(path)
    failure = check_path(path)
    assert code(failure) == expected and words in failure.finding().message


def test_a_file_over_the_limit_is_too_large_before_it_is_read(tmp_path):
    path = tmp_path / "大.xlsx"
    path.write_bytes(b"x" * 2048)
    assert code(check_path(path, max_bytes=1024)) == "file.too-large"
    with pytest.raises(ReadFailure) as caught:
        read_digest(path, max_bytes=1024)
    assert caught.value.code == "file.too-large"


def test_hashing_a_fifo_never_blocks(tmp_path):
    """The path was a file when it was checked and is a FIFO now: open does not wait for a
    writer, and the open file is checked again."""
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    with pytest.raises(ReadFailure) as caught:
        read_digest(fifo)
    assert caught.value.code == "file.not-regular"


def test_a_vanished_file_is_missing(tmp_path):
    assert code(check_path(tmp_path / "没了.xlsx")) == "file.missing"
    with pytest.raises(ReadFailure) as caught:
        read_digest(tmp_path / "没了.xlsx")
    assert caught.value.code == "file.missing" and "不存在" in caught.value.finding().message


def test_names_the_file_system_holds_are_shown_printable(tmp_path):
    raw = os.fsdecode(os.fsencode(tmp_path) + b"/" + "台账.xlsx".encode("gbk"))
    failure = check_path(raw)
    assert code(failure) == "file.missing"
    assert (
        failure.params["name"] == shown(os.path.basename(raw))
        and "\ufffd" in failure.params["name"]
    )
    failure.finding().message.encode("utf-8")  # printable: no lone surrogate
