"""From paths on the command line to validated returns: find the files, read each one in a
child process (bounded in time and memory, so a hostile file is one finding and the others
finish), validate, and give the results back in input order.

Nothing is passed over in silence: a subfolder the scan cannot open, a link to a folder, a
FIFO or device with a spreadsheet's name, a file that vanished or may not be read — each
becomes a Return with its one file.* finding, naming it. A single file is read in a child too;
the child starts while this process imports the validator (pandera, ~0.5 s), so the bound
costs no time where the cold-start budget is counted (FACTS: start-up)."""

from __future__ import annotations

import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from addin.model.errors import UsageError
from addin.model.findings import make
from addin.model.ledger import Return, Source
from addin.read.failure import ReadFailure, shown, shown_name
from addin.read.isolate import IsolatedReader, Read
from addin.write.stamp import RESULTS_SUFFIX, STAMP, Register

# What a folder scan picks up; a file named on the command line is validated whatever its name.
# .et/.ett are WPS's own formats (OLE2 like .xls); the reader sniffs the real format anyway.
SPREADSHEET_SUFFIXES = frozenset(
    {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlt", ".xlsb", ".ods", ".et", ".ett"}
)


def _skipped_name(name: str) -> bool:
    """Hidden files and folders, Excel's ~$ owner files, LibreOffice's .~lock.…# files and
    our own temp files (which all start with '.'), and our 校验结果 workbooks."""
    return name.startswith((".", "~$")) or name.endswith(RESULTS_SUFFIX)


def _scan(folder: Path) -> list[Path]:
    """Spreadsheet files under `folder`, recursively, sorted by their path below it; folders
    that could not be searched (unreadable, or links) are in the list too, for the reader to
    turn into a finding."""
    found: list[Path] = []

    def unreadable(exc: OSError) -> None:
        found.append(Path(exc.filename) if exc.filename else folder)

    for here, dirs, files in os.walk(folder, onerror=unreadable):
        ours = Register.load(Path(here)) if STAMP in files else None
        kept = []
        for name in sorted(dirs):
            if _skipped_name(name):
                continue
            if os.path.islink(os.path.join(here, name)):  # never followed: loops, or all of /
                found.append(Path(here) / name)
            else:
                kept.append(name)
        dirs[:] = kept
        for name in files:
            if _skipped_name(name) or Path(name).suffix.lower() not in SPREADSHEET_SUFFIXES:
                continue
            path = Path(here) / name
            if ours is None or not ours.owns(path):  # an annotated copy or summary: not a return
                found.append(path)
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def _key(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a link loop: its own absolute path stands for it
        return path.absolute()


def find_returns(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, folders searched recursively, in argument order; a file reached twice is
    validated once. A missing path is a UsageError; nothing found is an empty list (the caller
    decides what that means: an error for validate, everyone 未报 for consolidate)."""
    out: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = _scan(path)
        elif os.path.lexists(path):  # a dangling link too: the reader says what it is
            found = [path]
        else:
            raise UsageError("usage.path-missing", path=shown(str(given)))
        for p in found:
            key = _key(p)
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out


def _source(read: Read, fmt: str | None) -> Source:
    """Where a return came from; `fmt` is the format actually read, None when the file could
    not be read as a spreadsheet (mark.py then writes only the list of findings)."""
    path = Path(read.path)
    return Source(
        path=str(path),
        name=shown_name(path),
        sha256=read.sha256,
        size=read.size,
        mtime=read.mtime,
        format=fmt,
    )


def failed_return(read: Read) -> Return:
    """A file that could not be read: one file.* finding, nothing else known."""
    return Return(
        source=_source(read, None),
        unit=None,
        period=None,
        filed=None,
        template_version=None,
        findings=(read.result.finding(),),
    )


def validate_read(read: Read, *, period=None) -> Return:
    """Validate what a reader child sent back (a Workbook), adding its active-content finding."""
    from addin.validate.validator import validate_workbook

    workbook = read.result
    ret = validate_workbook(workbook, _source(read, workbook.format), period=period)
    if read.active:
        found = make("file.active-content", name=ret.source.name, what="、".join(read.active))
        ret = replace(ret, findings=(found, *ret.findings))
    return ret


def validate_file(path: Path | str, *, period=None) -> Return:
    """Read (in a bounded child) and validate one file."""
    return validate_paths([path], period=period, progress=False, scan=False)[0]


def _progress(total: int, show: bool | None) -> tuple[Callable[[], None], Callable[[], None]]:
    """A transient rich bar on stderr for batches. Auto (None): only when stderr is a
    terminal, so logs and pipes stay clean; the final output is on stdout either way."""
    if show is None:
        show = total > 1 and sys.stderr.isatty()
    if not show:
        return (lambda: None), (lambda: None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("校验台账"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("validate", total=total)
    bar.start()
    return (lambda: bar.advance(task)), bar.stop


def _fork_pool(jobs: int):
    """A pool of `jobs` validation processes, or None where fork is unavailable (Windows):
    spawn would re-import `__main__`, and `python -m addin` would run the CLI again in every
    child. The workers never parse file bytes, only the values a reader child sent back."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    pool = ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("fork"), initializer=_warm
    )
    # fork now, before the reader's threads and the progress bar exist: forking a process
    # with threads can leave a lock held in the child
    pool.submit(_warm).result()
    return pool


def _warm() -> None:
    # one worker per core: numpy's BLAS and OpenMP pools would each start a thread per core
    # and spin against the other workers (measured: 2 workers took 1.3-1.8x the serial time)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import addin.validate.validator  # noqa: F401  (pandera's import, once per worker)


def _isolated(paths: Sequence[Path], period, jobs: int, pool, advance) -> Iterator[Return]:
    """Each file read by one of `jobs` reader children (time limit, memory cap: a reader that
    dies or overruns becomes that file's file.* finding), validated by `jobs` worker
    processes (or here when there is no fork), in input order."""
    from concurrent.futures import Future  # here: 8 ms a single-file run does not need

    pending: deque = deque()  # Return or Future of one, in input order
    warm = None
    if pool is None:  # validation happens here: import pandera while the children read
        warm = threading.Thread(target=_warm, daemon=True)
        warm.start()

    def ready() -> Iterator[Return]:
        while pending and (not isinstance(pending[0], Future) or pending[0].done()):
            head = pending.popleft()
            yield head.result() if isinstance(head, Future) else head

    try:
        with IsolatedReader(jobs=jobs) as reader:
            for read in reader.reads(paths):
                if isinstance(read.result, ReadFailure):
                    pending.append(failed_return(read))
                elif pool is not None:
                    pending.append(pool.submit(validate_read, read, period=period))
                else:
                    warm.join()
                    pending.append(validate_read(read, period=period))
                for ret in ready():
                    advance()
                    yield ret
    finally:
        if warm is not None:  # a fork, or the interpreter's exit, must not meet a half import
            warm.join()
    while pending:
        head = pending.popleft()
        advance()
        yield head.result() if isinstance(head, Future) else head


def validate_paths(
    paths: Iterable[Path | str],
    *,
    period=None,
    jobs: int = 1,
    progress: bool | None = None,
    scan: bool = True,
) -> list[Return]:
    """Every return found under `paths` (`scan=False`: exactly the files given), validated, in
    input order, each read by a bounded child. `progress`: None shows the bar when stderr is
    a terminal."""
    files = find_returns(paths) if scan else [Path(p) for p in paths]
    if not files:
        return []
    pool = _fork_pool(jobs) if len(files) > 1 else None  # before any thread exists
    try:
        advance, stop = _progress(len(files), progress)
        try:
            return list(_isolated(files, period, jobs, pool, advance))
        finally:
            stop()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
