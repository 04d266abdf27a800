"""From paths on the command line to validated returns: find the files, read each one (in a
child process for batches, so a hostile file is one finding and the others finish), validate,
and give the results back in input order.

One file is read in this process: the reader's container guards run before calamine ever
sees the bytes, and a child would cost a second interpreter start (the cold-start budget of
`taizhang validate one.xlsx` is 1.25× importing pandera)."""

from __future__ import annotations

import hashlib
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from addin.model.errors import UsageError
from addin.model.ledger import Return, Source
from addin.write.stamp import RESULTS_SUFFIX, STAMP, stamped_names

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
    """Spreadsheet files under `folder`, recursively, sorted by their path below it."""
    found: list[Path] = []
    for here, dirs, files in os.walk(folder):
        ours = stamped_names(Path(here)) if STAMP in files else set()
        dirs[:] = sorted(d for d in dirs if not _skipped_name(d))
        for name in files:
            path = Path(here) / name
            if (
                not _skipped_name(name)
                and name.lower() not in ours  # an annotated copy, not a return
                and Path(name).suffix.lower() in SPREADSHEET_SUFFIXES
                and path.is_file()
            ):
                found.append(path)
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


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
        elif path.exists():
            found = [path]
        else:
            raise UsageError("usage.path-missing", path=given)
        for p in found:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out


def _source(path: Path, fmt: str | None) -> Source:
    """Where a return came from. `fmt` is the format actually read; None when the file could
    not be read as a spreadsheet (mark.py then writes only the list of findings)."""
    digest = hashlib.sha256()
    size = mtime = None
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        stat = path.stat()
        size, mtime, sha = stat.st_size, stat.st_mtime, digest.hexdigest()
    except OSError:
        sha = None
    return Source(path=str(path), name=path.name, sha256=sha, size=size, mtime=mtime, format=fmt)


def failed_return(path: Path, failure) -> Return:
    """A file that could not be read: one file.* finding, nothing else known."""
    return Return(
        source=_source(path, None),
        unit=None,
        period=None,
        filed=None,
        template_version=None,
        findings=(failure.finding(),),
    )


def validate_workbook_of(path: Path, workbook, *, period=None) -> Return:
    from addin.validate.validator import validate_workbook

    return validate_workbook(workbook, _source(path, workbook.format), period=period)


def validate_file(path: Path | str, *, period=None) -> Return:
    """Read (guards first, in this process) and validate one file."""
    from addin.read.reader import ReadFailure, read_workbook

    path = Path(path)
    try:
        workbook = read_workbook(path)
    except ReadFailure as failure:
        return failed_return(path, failure)
    return validate_workbook_of(path, workbook, period=period)


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

    from addin.read.isolate import IsolatedReader
    from addin.read.reader import ReadFailure

    pending: deque = deque()  # Return or Future of one, in input order

    def ready() -> Iterator[Return]:
        while pending and (not isinstance(pending[0], Future) or pending[0].done()):
            head = pending.popleft()
            yield head.result() if isinstance(head, Future) else head

    with IsolatedReader(jobs=jobs) as reader:
        for path, result in reader.map(paths):
            path = Path(path)
            if isinstance(result, ReadFailure):
                pending.append(failed_return(path, result))
            elif pool is not None:
                pending.append(pool.submit(validate_workbook_of, path, result, period=period))
            else:
                pending.append(validate_workbook_of(path, result, period=period))
            for ret in ready():
                advance()
                yield ret
    while pending:
        head = pending.popleft()
        advance()
        yield head.result() if isinstance(head, Future) else head


def validate_paths(
    paths: Iterable[Path | str], *, period=None, jobs: int = 1, progress: bool | None = None
) -> list[Return]:
    """Every return found under `paths`, validated, in input order. One file: this process.
    More: reader children and validation workers (`jobs` of each), so one hostile file cannot
    stop the batch. `progress`: None shows the bar when stderr is a terminal."""
    files = find_returns(paths)
    if not files:
        return []
    if len(files) == 1:
        return [validate_file(files[0], period=period)]
    pool = _fork_pool(jobs)  # before any thread exists
    try:
        advance, stop = _progress(len(files), progress)
        try:
            return [ret for ret in _isolated(files, period, jobs, pool, advance)]
        finally:
            stop()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
