"""The register of what taizhang wrote in a folder: a hidden file, one line per output, with
its name, its sha256 and what it is. It is how taizhang knows a file is its own — a summary
to replace, an annotated copy a folder scan must skip, a blank template `template --all` may
write again — by content, not by name: a county's corrected return saved under an old copy's
name, or a filled-in template that kept the template's name, no longer matches and is never
taken for ours.

Two runs writing into one folder at once each merge their lines under a lock file, so
neither loses the other's entries. The 校验结果 list-only workbooks keep their own suffix."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from addin.read.intake import check_path, read_digest
from addin.write.atomic import text_writer, write_set

RESULTS_SUFFIX = ".校验结果.xlsx"  # mark.py's list-only workbooks: ours, not a return
STAMP = ".taizhang-files"
HEADER = (
    "# taizhang 在本文件夹写出的文件（名称、sha256、类别），校验文件夹时跳过，可被 taizhang 覆盖"
)
LOCK_WAIT = 20.0
LOCK_STALE = 60.0


@dataclass(frozen=True)
class Entry:
    name: str
    sha256: str
    kind: str


def digest(path: Path) -> str | None:
    """The sha256 of a regular file within the reading limits, None for anything else."""
    if check_path(path) is not None:
        return None
    try:
        return read_digest(path)[0]
    except Exception:  # a ReadFailure or an OSError: not a file we can vouch for
        return None


class Register:
    def __init__(self, folder: Path, entries: dict[str, Entry]):
        self.folder, self.entries = Path(folder), entries

    @classmethod
    def load(cls, folder: Path) -> Register:
        entries: dict[str, Entry] = {}
        try:
            lines = (Path(folder) / STAMP).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []
        for line in lines:
            if not line.startswith("{"):
                continue
            with contextlib.suppress(ValueError, KeyError, TypeError):
                doc = json.loads(line)
                entry = Entry(str(doc["name"]), str(doc["sha256"]), str(doc.get("kind", "")))
                entries[entry.name.lower()] = entry
        return cls(folder, entries)

    def entry(self, path: Path) -> Entry | None:
        return self.entries.get(Path(path).name.lower())

    def owns(self, path: Path) -> bool:
        """The file at `path` is one taizhang wrote here, unchanged since."""
        entry = self.entry(path)
        return entry is not None and digest(Path(path)) == entry.sha256

    def text(self) -> str:
        lines = [HEADER]
        for key in sorted(self.entries):
            e = self.entries[key]
            lines.append(json.dumps({"name": e.name, "sha256": e.sha256, "kind": e.kind}))
        return "\n".join(lines) + "\n"


def record(folder: Path, written: Iterable[tuple[Path, str]]) -> None:
    """Add (path, kind) of files in `folder` to its register, under its lock."""
    entries = []
    for path, kind in written:
        sha = digest(Path(path))
        if sha is not None:
            entries.append(Entry(Path(path).name, sha, kind))
    enter(folder, entries)


def enter(folder: Path, entries: Iterable[Entry]) -> None:
    """Add entries to the register of `folder`, under its lock; entries of files no longer
    there are dropped. An entry may come before its file (it is written before the rename,
    so an interrupted run never leaves a copy of ours that the register does not list)."""
    folder, new = Path(folder), list(entries)
    if not new:
        return
    with _locked(folder):
        register = Register.load(folder)
        keep = {e.name.lower() for e in new}
        register.entries = {
            k: e
            for k, e in register.entries.items()
            if k in keep or os.path.lexists(folder / e.name)
        }
        for entry in new:
            register.entries[entry.name.lower()] = entry
        write_set([(folder / STAMP, text_writer(register.text()))])


@contextlib.contextmanager
def _locked(folder: Path):
    """An exclusive lock file beside the register: O_EXCL works on every system and file
    system; a lock whose owner died (or that is older than a minute) is taken over."""
    lock = folder / f"{STAMP}.lock"
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            if _stale(lock) or time.monotonic() > deadline:
                with contextlib.suppress(OSError):
                    os.unlink(lock)
                continue
            time.sleep(0.02)
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)


def _stale(lock: Path) -> bool:
    try:
        age = time.time() - lock.stat().st_mtime
        pid = int(lock.read_text() or 0)
    except (OSError, ValueError):
        return False
    if age > LOCK_STALE:
        return True
    if os.name == "nt" or not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False
