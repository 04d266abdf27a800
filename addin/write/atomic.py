"""Every file taizhang writes goes through here: a temporary file beside the target, then one
os.replace. A reader never sees half a file, and a target held open by Excel keeps its old
content; the program's own failures become one Chinese OutputError.

Missing folders on the way to the target are created: an officer who types
`-o 汇总/summary.xlsx` means "put it there". The temporary name starts with "." so
batch.find_returns skips it, and it is not made by mkstemp, whose 0600 mode would stick to the
finished file."""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from addin.model.errors import OutputError, TaizhangError

TEMP_PREFIX = ".~"  # hidden on Unix and skipped by batch.find_returns ("." names)
TEMP_SUFFIX = ".tmp"


# The system's own text (strerror) is English, or the Windows locale's: users read Chinese.
REASONS = {
    errno.ENOENT: "路径不存在",
    errno.EEXIST: "已有同名文件",
    errno.EISDIR: "目标是一个文件夹",
    errno.ENOTDIR: "路径中有一级不是文件夹",
    errno.EACCES: "没有写入权限（或文件正被 Excel 打开）",
    errno.EPERM: "没有写入权限（或文件正被 Excel 打开）",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "磁盘只读",
    errno.ENAMETOOLONG: "路径太长",
}


def os_reason(exc: OSError) -> str:
    """Why an OSError happened, in Chinese, from its errno."""
    if exc.errno in REASONS:
        return REASONS[exc.errno]
    return f"系统错误（errno {exc.errno}）" if exc.errno is not None else "系统错误"


def temp_path(path: Path) -> Path:
    """A name beside `path` that no other process or earlier run is using."""
    return (
        path.parent / f"{TEMP_PREFIX}{path.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}{TEMP_SUFFIX}"
    )


def ensure_folder(folder: Path) -> Path:
    """Create `folder` and its parents if missing; OutputError when that is impossible."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError("output.folder", path=folder, reason=os_reason(exc)) from exc
    return folder


def check_writable(path: Path | str) -> Path:
    """Fail now, before any work, if `path` could not be written later: its folder cannot be
    made or written, or a folder stands where the file would go."""
    path = Path(path)
    ensure_folder(path.parent)
    if path.is_dir():
        raise _output_error(path, IsADirectoryError(errno.EISDIR, "", str(path)))
    probe = temp_path(path)
    try:
        probe.write_bytes(b"")
    except OSError as exc:
        raise _output_error(path, exc) from exc
    finally:
        probe.unlink(missing_ok=True)
    return path


def write_atomic(path: Path | str, write_fn: Callable[[Path], object]) -> Path:
    """Call write_fn(tmp) on a temporary file beside `path`, then rename it over `path`.
    Returns `path`. On any failure the temporary file is gone and the old target untouched."""
    path = Path(path)
    ensure_folder(path.parent)
    tmp = temp_path(path)
    try:
        write_fn(tmp)
        os.replace(tmp, path)
    except TaizhangError:
        raise
    except Exception as exc:
        cause = _os_error(exc)
        if cause is None:
            raise
        raise _output_error(path, cause) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_text_atomic(path: Path | str, text: str) -> Path:
    """UTF-8 text with "\\n" line ends on every system, so outputs are byte-identical."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))


def write_bytes_atomic(path: Path | str, data: bytes) -> Path:
    return write_atomic(path, lambda tmp: tmp.write_bytes(data))


def _os_error(exc: BaseException) -> OSError | None:
    """The OSError behind `exc`: itself, or the one a library wrapped (XlsxWriter raises
    FileCreateError(OSError) from close())."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OSError):
            return exc
        wrapped = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
        exc, seen = wrapped or exc.__cause__ or exc.__context__, seen + 1
    return None


def _output_error(path: Path, exc: OSError) -> OutputError:
    if isinstance(exc, PermissionError):
        return OutputError("output.locked", path=path)
    return OutputError("output.write", path=path, reason=os_reason(exc))
