"""Where a run may write — the one check every command's output passes (SPEC §4): a file that
does not exist yet; a file taizhang wrote itself and nobody changed since (its seal, seal.py,
still matches its content; in a --mark folder, the folder's register, stamp.py); the bureau's
summary or console even after an officer saved it in Excel (their seal says what they are);
anything else only with `--force`; and never a file that is an input of the same run,
`--force` or not.

A county's return is refused whatever its name: returns keep the template's name, as the
guide tells counties, and a filled-in template still carries the template's metadata — so
ownership is decided by content, not by name or by metadata alone.

    outputs = Outputs(inputs=returns, force=force)
    outputs.check(path, "summary")                       # before any work: fail fast
    outputs.write([(path, write_fn, "summary"), …])      # checks again, writes the set, seals
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from addin.model.errors import OutputError
from addin.read.failure import shown
from addin.write import stamp
from addin.write.atomic import check_writable, write_set
from addin.write.seal import seal_file, seal_of

CONSOLE, SUMMARY, TEMPLATE = "console", "summary", "template"
# the bureau's own working files: still ours after an officer edited and saved them
KEPT_WHEN_EDITED = frozenset({SUMMARY, CONSOLE})
# what --mark writes beside county files: registered in the folder, never sealed (a county
# correcting its marked copy must not send back a file that says it is ours)
REGISTERED = frozenset({"marked", "results"})


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def is_ours(path: Path) -> bool:
    """A file taizhang wrote (and nobody changed since, unless it is the bureau's own)."""
    if stamp.Register.load(Path(path).parent).owns(path):
        return True
    found = seal_of(path)
    return found is not None and (found[1] or found[0] in KEPT_WHEN_EDITED)


class Outputs:
    """The outputs of one run: `inputs` are the files it reads, `force` its --force."""

    def __init__(self, *, inputs: Iterable[Path | str] = (), force: bool = False):
        self.inputs = [Path(p) for p in inputs]
        self.force = force

    def refusal(self, path: Path) -> OutputError | None:
        """Why `path` may not be written by this run, or None."""
        path = Path(path)
        if not os.path.lexists(path):
            return None
        if any(_same(path, p) for p in self.inputs):
            return OutputError("output.is-input", path=shown(str(path)))
        if is_ours(path) or self.force:
            return None
        return OutputError("output.not-ours", path=shown(str(path)))

    def check(self, path: Path) -> Path:
        """Raise now if `path` could not or may not be written."""
        if os.path.isdir(path):  # said as it is, not as "not ours"
            return check_writable(path)
        refused = self.refusal(path)
        if refused is not None:
            raise refused
        return check_writable(path)

    def write(self, items: Sequence[tuple[Path, Callable[[Path], object], str]]) -> list[Path]:
        """Write the set (all or none) after checking every target: sealed, or entered in the
        folder's register before the rename (--mark's files)."""
        for path, _fn, _kind in items:
            self.check(path)
        return write_set(
            [(Path(p), _sealed(fn, kind, Path(p))) for p, fn, kind in items],
            before_commit=lambda pairs: _register(pairs, items),
        )


def _register(pairs: list[tuple[Path, Path]], items) -> None:
    """Enter --mark's files in their folder's register by the content about to be renamed."""
    by_folder: dict[Path, list[stamp.Entry]] = {}
    for (tmp, target), (_p, _fn, kind) in zip(pairs, items, strict=True):
        if kind in REGISTERED and (sha := stamp.digest(tmp)) is not None:
            by_folder.setdefault(target.parent, []).append(stamp.Entry(target.name, sha, kind))
    for folder, entries in by_folder.items():
        stamp.enter(folder, entries)


def _sealed(write_fn: Callable[[Path], object], kind: str, target: Path):
    if kind in REGISTERED:
        return write_fn

    def write(tmp: Path) -> None:
        write_fn(tmp)
        seal_file(tmp, kind, target.suffix)

    return write
