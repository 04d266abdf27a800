"""Every file taizhang writes goes through here: temporary files beside the targets, flushed
to disk, then renamed into place. A reader never sees half a file, a target held open by
Excel keeps its old content, and the program's own failures become one Chinese OutputError.

A run's outputs are one set (`write_set`): the summary, its JSON and its reports are all
written to temporary files first and renamed only when every one of them is complete, under a
journal; if a rename fails the ones already renamed are put back, and if the run is killed
part-way the next run that writes into that folder puts the previous set back before anything
else. So a folder never holds a new .xlsx beside an old .html. Leftover temporary files of
runs that no longer exist are removed the same way.

Temporary names are short (`.~tz<pid>-<random>.tmp`) whatever the target's name, so a legal
233-byte file name never becomes an illegal 260-byte temporary one; they start with "." so a
folder scan skips them. They are not made by mkstemp, whose 0600 mode would stick to the
finished file. Missing folders on the way to a target are created: an officer who types
`-o 汇总/summary.xlsx` means "put it there"."""

from __future__ import annotations

import contextlib
import errno
import gc
import json
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from addin.model.errors import OutputError, TaizhangError

TEMP_PREFIX = ".~tz"  # hidden on Unix and skipped by the folder scan ("." names)
TEMP_SUFFIX = ".tmp"
_LEFTOVER = re.compile(
    r"^\.~(?:tz(\d+)-[0-9a-f]{8}\.(?:tmp|bak|journal)|.*\.(\d+)\.[0-9a-f]{8}\.tmp)$"
)
STALE_SECONDS = 24 * 3600  # where a process cannot be asked whether it lives (Windows)

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
    errno.EDQUOT: "磁盘配额已用完",
}


def os_reason(exc: OSError) -> str:
    """Why an OSError happened, in Chinese, from its errno."""
    if exc.errno in REASONS:
        return REASONS[exc.errno]
    return f"系统错误（errno {exc.errno}）" if exc.errno is not None else "系统错误"


def temp_path(path: Path, suffix: str = TEMP_SUFFIX) -> Path:
    """A short name beside `path` that no other process or earlier run is using."""
    return Path(path).parent / f"{TEMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}{suffix}"


def ensure_folder(folder: Path) -> Path:
    """Create `folder` and its parents if missing; OutputError when that is impossible."""
    folder = Path(folder)
    if folder.is_dir():
        return folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError("output.folder", path=folder, reason=os_reason(exc)) from None
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
        raise _output_error(path, exc) from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink(missing_ok=True)
    return path


def fsync_path(path: Path, *, folder: bool = False) -> None:
    """Flush a file (or a folder's entries) to the disk; a folder cannot be opened on Windows."""
    if folder and os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path | str, write_fn: Callable[[Path], object]) -> Path:
    """Call write_fn(tmp) on a temporary file beside `path`, then rename it over `path`.
    Returns `path`. On any failure the temporary file is gone and the old target untouched."""
    return write_set([(Path(path), write_fn)])[0]


def write_set(
    items: Sequence[tuple[Path, Callable[[Path], object]]],
    *,
    before_commit: Callable[[list[tuple[Path, Path]]], object] | None = None,
) -> list[Path]:
    """Write every (path, write_fn) to a temporary file, then rename them all into place:
    all of them, or (on any failure) none, with the old files untouched. `before_commit`
    sees the (temporary file, target) pairs once all are complete, before any rename."""
    targets = [Path(p) for p, _ in items]
    for folder in dict.fromkeys(p.parent for p in targets):
        ensure_folder(folder)
        recover(folder)
    temps: list[Path] = []
    current = targets[0] if targets else Path()
    hook, error = sys.unraisablehook, None
    try:
        try:
            for (_, write_fn), target in zip(items, targets, strict=True):
                current = target
                tmp = temp_path(target)
                temps.append(tmp)
                write_fn(tmp)
                fsync_path(tmp)
            pairs = list(zip(temps, targets, strict=True))
            if before_commit is not None:
                before_commit(pairs)
            _commit(pairs)
        except TaizhangError:
            raise
        except Exception as exc:
            cause = _os_error(exc)
            if cause is None:
                raise
            # a failed writer leaves half-written objects (XlsxWriter's ZipFile) whose __del__
            # would print "Exception ignored …" and a traceback after the Chinese line
            sys.unraisablehook = _silent
            failed = Path(cause.filename) if isinstance(cause.filename, str) else None
            error = _output_error(failed if failed in targets else current, cause)
            del cause  # its traceback holds the writer's frames
        # here the failed writer's frames are gone; collect what a cycle still holds
        if error is not None:
            gc.collect()
            raise error
    finally:
        sys.unraisablehook = hook
        for tmp in temps:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
    return targets


def _silent(_unraisable) -> None:
    """Errors of objects being destroyed after a write already failed: the OutputError says it."""


def write_text_atomic(path: Path | str, text: str) -> Path:
    """UTF-8 text with "\\n" line ends on every system, so outputs are byte-identical."""
    return write_atomic(path, text_writer(text))


def write_bytes_atomic(path: Path | str, data: bytes) -> Path:
    return write_atomic(path, lambda tmp: tmp.write_bytes(data))


def text_writer(text: str) -> Callable[[Path], object]:
    return lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n")


# ---------------------------------------------------------------- the commit and its journal


def _commit(pairs: list[tuple[Path, Path]]) -> None:
    """Rename every temporary file over its target under a journal; roll back on failure."""
    if not pairs:
        return
    plan = []
    for tmp, target in pairs:
        backup = None
        if os.path.lexists(target):
            backup = temp_path(target, ".bak")
            try:
                os.link(target, backup)  # the old file stays in place meanwhile
            except OSError:
                shutil.copy2(target, backup)
        plan.append({"tmp": str(tmp), "target": str(target), "backup": backup and str(backup)})
    journal = temp_path(pairs[0][1], ".journal")
    try:
        journal.write_text(json.dumps({"pid": os.getpid(), "plan": plan}), encoding="utf-8")
        fsync_path(journal)
        placed: list[dict] = []
        try:
            for step in plan:
                os.replace(step["tmp"], step["target"])
                placed.append(step)
        except OSError:
            _roll_back(placed)
            raise
        for folder in dict.fromkeys(Path(s["target"]).parent for s in plan):
            with contextlib.suppress(OSError):
                fsync_path(folder, folder=True)
        journal.unlink()  # the commit point: from here the new set stands
    finally:
        for step in plan:
            if step["backup"]:
                with contextlib.suppress(OSError):
                    os.unlink(step["backup"])
        with contextlib.suppress(OSError):
            journal.unlink(missing_ok=True)


def _roll_back(placed: list[dict]) -> None:
    for step in reversed(placed):
        with contextlib.suppress(OSError):
            if step["backup"]:
                os.replace(step["backup"], step["target"])
            else:
                os.unlink(step["target"])


def _alive(pid: int, path: Path) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would end the process there: go by age
        try:
            return time.time() - path.stat().st_mtime < STALE_SECONDS
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def recover(folder: Path) -> None:
    """Finish what killed runs left in `folder`: roll back a set they were renaming into place
    (their journal), then remove their temporary files."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    leftovers = []
    for name in names:
        m = _LEFTOVER.match(name)
        if m and not _alive(int(m.group(1) or m.group(2)), Path(folder) / name):
            leftovers.append(Path(folder) / name)
    for path in leftovers:
        if path.suffix == ".journal":
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                plan = json.loads(path.read_text(encoding="utf-8"))["plan"]
                _roll_back([s for s in plan if not os.path.lexists(s["tmp"])])
    for path in sorted(leftovers, key=lambda p: p.suffix != ".journal"):
        with contextlib.suppress(OSError):
            path.unlink()


# ---------------------------------------------------------------- errors


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
    if isinstance(exc, PermissionError) and exc.errno != errno.EROFS:
        return OutputError("output.locked", path=path)
    return OutputError("output.write", path=path, reason=os_reason(exc))
