"""The whole job, once, for every face: find the returns in a folder, validate each (isolated
in batches), consolidate them into a Summary, write the outputs asked for. The CLI, the
add-in's button in the console, the demo and the service call these functions; none of them
writes its own copy of the sequence, so they cannot drift apart.

The clock is the pipeline's (pipeline/clock.py): the summary's 汇总日期 and the console's
更新于 honour SOURCE_DATE_EPOCH whichever face asked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from addin.consolidate.build import consolidate
from addin.model.errors import UsageError
from addin.model.ledger import Return
from addin.model.summary import Summary
from addin.pipeline import clock
from addin.pipeline.collect import find_returns, validate_paths
from addin.write import console_book, report
from addin.write.atomic import check_writable
from addin.write.mark import Marked, write_marked
from addin.write.summary import book as summary_book
from schemas.reference import Period


def check_paths(
    paths: Sequence[Path | str],
    period: Period | None,
    *,
    jobs: int = 1,
    mark_dir: Path | None = None,
) -> tuple[list[Return], list[Marked]]:
    """`taizhang validate`: the returns under `paths`, validated, and their marked copies when
    `mark_dir` is given. Nothing to check at all is misuse, not an empty success."""
    files = find_returns(paths)
    if not files:
        raise UsageError("usage.no-returns", where="、".join(f"“{p}”" for p in paths))
    returns = validate_paths(files, period=period, jobs=jobs)
    marked = write_marked(returns, mark_dir) if mark_dir is not None else []
    return returns, marked


def consolidate_folder(
    folder: Path,
    period: Period,
    *,
    output: Path | None = None,
    json_path: Path | None = None,
    html_path: Path | None = None,
    md_path: Path | None = None,
    include_invalid: bool = False,
    jobs: int = 1,
    validated_at: datetime | None = None,
    progress: bool | None = None,
) -> Summary:
    """Validate every return under `folder` and write the outputs given (none: the Summary
    only). An empty folder is a summary with every unit 未报, not an error."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError("usage.folder-missing", path=folder)
    outputs = [Path(p) for p in (output, json_path, html_path, md_path) if p is not None]
    ours = {p.resolve() for p in outputs}  # an earlier summary in the folder is not a return
    paths = [p for p in find_returns([folder]) if p.resolve() not in ours]
    return consolidate_files(
        paths,
        period,
        output=output,
        json_path=json_path,
        html_path=html_path,
        md_path=md_path,
        include_invalid=include_invalid,
        jobs=jobs,
        validated_at=validated_at,
        progress=progress,
    )


def consolidate_files(
    paths: list[Path],
    period: Period,
    *,
    output: Path | None = None,
    json_path: Path | None = None,
    html_path: Path | None = None,
    md_path: Path | None = None,
    include_invalid: bool = False,
    jobs: int = 1,
    validated_at: datetime | None = None,
    progress: bool | None = None,
) -> Summary:
    """Validate the return files given, consolidate them, write the outputs given."""
    outputs = [Path(p) for p in (output, json_path, html_path, md_path) if p is not None]
    for path in outputs:  # before any work: a summary without its JSON is half a result
        check_writable(path)
    returns = validate_paths(paths, period=period, jobs=jobs, progress=progress)
    result = consolidate(
        returns,
        period,
        include_invalid=include_invalid,
        validated_at=validated_at or clock.stamp(),
    )
    written = []
    if output is not None:
        written.append(summary_book.write_summary(result, output))
    if json_path is not None:
        written.append(report.write_json(result, json_path))
    if html_path is not None:
        written.append(report.write_html(result, html_path))
    if md_path is not None:
        written.append(report.write_markdown(result, md_path))
    return replace(result, outputs=tuple(str(p) for p in written))


def console_states(folder: Path, period: Period) -> dict[str, tuple[str, str, int, int]] | None:
    """Each unit's (status, file, errors, warnings) as the folder stands; None when it is absent."""
    if not Path(folder).is_dir():
        return None
    return console_book.states_of(consolidate_folder(folder, period))


def write_console(period: Period, folder: Path, output: Path) -> Path:
    """The bureau's console workbook, with the units' state computed now from `folder`."""
    states = console_states(folder, period)
    when = clock.now() if states is not None else None
    return console_book.write_console(period, folder, output, states, when)


def refresh_console(settings: console_book.Settings) -> tuple[Summary, list[list]]:
    """What the button does in the console: consolidate its folder into its summary file, and
    the 报送情况 table to show for it."""
    if settings.output.suffix.lower() != ".xlsx":
        raise UsageError("usage.console-suffix", what="汇总输出路径", path=settings.output)
    summary = consolidate_folder(settings.folder, settings.period, output=settings.output)
    rows = console_book.unit_rows(
        settings.period, console_book.states_of(summary), clock.now(), settings.output
    )
    return summary, rows
