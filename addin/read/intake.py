"""What a path must be before anything reads it: a regular file (a symlink is followed and
its target checked), present and readable, within the size limit. Everything else is a
ReadFailure naming the path — a FIFO named .xlsx, /dev/zero, a dangling or looping link, a
folder that could not be searched — so a batch says what it skipped instead of hanging on it
or passing over it in silence.

`check_path` only looks (stat), so it can run in the parent on any path: opening a FIFO
blocks until a writer appears. `read_digest` opens without blocking, checks the open file
again (the path may have changed since), and hashes it within a size and time limit; it runs
in the reader child, under that child's memory cap and wall clock."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time

from addin.read.failure import MB, ReadFailure, fail, size_text

MAX_BYTES = 50 * MB
HASH_SECONDS = 10.0
CHUNK = 1 * MB

_KINDS = (
    (stat.S_ISFIFO, "命名管道（FIFO）"),
    (stat.S_ISCHR, "字符设备"),
    (stat.S_ISBLK, "块设备"),
    (stat.S_ISSOCK, "套接字"),
    (stat.S_ISDIR, "文件夹"),
)


def kind_of(mode: int) -> str:
    return next((what for test, what in _KINDS if test(mode)), "特殊文件")


def _os_failure(path, exc: OSError, *, link: bool = False) -> ReadFailure:
    if isinstance(exc, FileNotFoundError):
        return fail("file.missing", path, detail="（链接指向的文件不存在）" if link else "")
    if isinstance(exc, PermissionError):
        return fail("file.permission", path)
    if exc.errno == errno.ELOOP:
        return fail("file.not-regular", path, what="循环的链接")
    if exc.errno == errno.ENAMETOOLONG:
        return fail("file.not-regular", path, what="路径过长的链接")
    return fail("file.unreadable", path, detail=f"无法打开文件（errno {exc.errno}）")


def folder_failure(path: str | os.PathLike, reason: str) -> ReadFailure:
    return fail("file.folder-skipped", path, reason=reason)


def check_path(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> ReadFailure | None:
    """None when `path` may be read; otherwise why not. Only stat: never opens the path."""
    try:
        own = os.lstat(path)
    except OSError as exc:
        return _os_failure(path, exc)
    linked = stat.S_ISLNK(own.st_mode)
    try:
        st = os.stat(path) if linked else own
    except OSError as exc:
        return _os_failure(path, exc, link=True)
    if stat.S_ISDIR(st.st_mode):
        return _folder_check(path, linked)
    if not stat.S_ISREG(st.st_mode):
        what = kind_of(st.st_mode)
        return fail("file.not-regular", path, what=f"指向{what}的链接" if linked else what)
    if st.st_size > max_bytes:
        return fail(
            "file.too-large",
            path,
            detail=f"文件大小 {size_text(st.st_size)}，上限 {size_text(max_bytes)}",
        )
    if hasattr(os, "geteuid") and not os.access(path, os.R_OK):
        return fail("file.permission", path)
    return None


def _folder_check(path, linked: bool) -> ReadFailure:
    """A folder that reaches the reader is one the scan could not search."""
    if linked:
        return folder_failure(path, "它是指向其他位置的链接，为免重复或无尽查找没有进入")
    try:
        with os.scandir(path):
            pass
    except PermissionError:
        return folder_failure(path, "没有读取权限")
    except OSError as exc:
        return folder_failure(path, f"无法打开（errno {exc.errno}）")
    return folder_failure(path, "查找时无法打开")


def read_digest(
    path: str | os.PathLike, max_bytes: int = MAX_BYTES, seconds: float = HASH_SECONDS
) -> tuple[str, int, float]:
    """(sha256, size, mtime) of the regular file at `path`, or ReadFailure."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _os_failure(path, exc, link=os.path.islink(path)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise fail("file.not-regular", path, what=kind_of(st.st_mode))
        digest, size, deadline = hashlib.sha256(), 0, time.monotonic() + seconds
        while chunk := os.read(fd, CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise fail("file.too-large", path, detail=f"文件大于上限 {size_text(max_bytes)}")
            if time.monotonic() > deadline:
                raise fail("file.timeout", path, seconds=f"{seconds:g}")
            digest.update(chunk)
        return digest.hexdigest(), size, st.st_mtime
    except OSError as exc:
        raise _os_failure(path, exc) from None
    finally:
        os.close(fd)
