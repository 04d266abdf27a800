"""The whole job, once, for every face: find the returns in a folder, validate each (isolated
in batches), consolidate them into a Summary, write the outputs asked for. The CLI, the
add-in's button in the console, the demo and the service call these functions; none of them
writes its own copy of the sequence, so they cannot drift apart.

The clock is the pipeline's (pipeline/clock.py): the summary's 汇总日期 and the console's
更新于 honour SOURCE_DATE_EPOCH whichever face asked."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from addin.consolidate.build import consolidate
from addin.model.errors import UsageError
from addin.model.summary import Summary
from addin.pipeline import clock
from addin.pipeline.collect import find_returns, validate_paths
from addin.read.failure import shown
from addin.write import console_book, report
from addin.write.atomic import text_writer
from addin.write.guard import Outputs, is_ours
from addin.write.summary import book as summary_book
from schemas.reference import Period


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
    force: bool = False,
) -> Summary:
    """Validate every return under `folder` and write the outputs given (none: the Summary
    only). An empty folder is a summary with every unit 未报, not an error. The previous
    summary at an output path in the folder is not a return; a return there stays an input
    (and so is never written over)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError("usage.folder-missing", path=shown(str(folder)))
    return consolidate_files(
        _inputs(folder, (output, json_path, html_path, md_path)),
        period,
        output=output,
        json_path=json_path,
        html_path=html_path,
        md_path=md_path,
        include_invalid=include_invalid,
        jobs=jobs,
        validated_at=validated_at,
        progress=progress,
        force=force,
    )


def _key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def _inputs(folder: Path, outputs) -> list[Path]:
    """The returns under `folder`; an earlier output of ours at one of `outputs` is not one."""
    given = {_key(p) for p in outputs if p is not None}
    return [p for p in find_returns([folder]) if not (_key(p) in given and is_ours(p))]


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
    force: bool = False,
) -> Summary:
    """Validate the return files given, consolidate them, write the outputs given: all of
    them or none, never over one of the returns, over another file only with `force`."""
    outputs = Outputs(inputs=paths, force=force)
    targets = [
        (Path(p), kind)
        for p, kind in ((output, "summary"), (json_path, "json"), (html_path, "report"))
        + ((md_path, "markdown"),)
        if p is not None
    ]
    for path, _kind in targets:  # before any work: a summary without its JSON is half a result
        outputs.check(path)
    returns = validate_paths(paths, period=period, jobs=jobs, progress=progress, scan=False)
    result = consolidate(
        returns,
        period,
        include_invalid=include_invalid,
        validated_at=validated_at or clock.stamp(),
    )
    makers = {
        "summary": lambda tmp: summary_book.build(result, tmp),
        "json": text_writer(report.to_json(result)) if json_path else None,
        "report": text_writer(report.to_html(result)) if html_path else None,
        "markdown": text_writer(report.to_markdown(result)) if md_path else None,
    }
    written = outputs.write([(path, makers[kind], kind) for path, kind in targets])
    return replace(result, outputs=tuple(shown(str(p)) for p in written))


def console_states(folder: Path, period: Period) -> dict[str, tuple[str, str, int, int]] | None:
    """Each unit's (status, file, errors, warnings) as the folder stands; None when it is absent."""
    if not Path(folder).is_dir():
        return None
    return console_book.states_of(consolidate_folder(folder, period))


def write_console(period: Period, folder: Path, output: Path, *, force: bool = False) -> Path:
    """The bureau's console workbook, with the units' state computed now from `folder`; never
    written over one of the folder's returns."""
    inputs = _inputs(folder, [output]) if Path(folder).is_dir() else []
    outputs = Outputs(inputs=inputs, force=force)
    outputs.check(output)
    states = console_states(folder, period)
    when = clock.now() if states is not None else None
    return console_book.write_console(period, folder, output, states, when, outputs=outputs)


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
