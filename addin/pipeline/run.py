"""The whole job, once, for every face: find the returns in a folder, validate each (isolated
in batches), consolidate them into a Summary, write the outputs asked for. The CLI, the
add-in's button in the console, the demo and the service call these functions; none of them
writes its own copy of the sequence, so they cannot drift apart.

The clock is the pipeline's (pipeline/clock.py): the summary's 汇总日期 and the console's
更新于 honour SOURCE_DATE_EPOCH whichever face asked."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from addin.consolidate import history
from addin.consolidate.build import consolidate
from addin.model.errors import UsageError
from addin.model.ledger import Return
from addin.model.summary import Summary
from addin.pipeline import clock
from addin.pipeline.collect import find_returns, validate_paths
from addin.read.failure import shown
from addin.write import compare, console_book, report
from addin.write.atomic import os_reason, text_writer
from addin.write.documents import word
from addin.write.guard import Outputs, is_ours
from addin.write.mark import Marked, write_marked
from addin.write.summary import book as summary_book
from schemas.reference import Period, load


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
        raise UsageError("usage.no-returns", where="、".join(f"“{shown(str(p))}”" for p in paths))
    returns = validate_paths(files, period=period, jobs=jobs, scan=False)
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
    word_dir: Path | None = None,
    previous: Sequence[Path] = (),
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
        word_dir=word_dir,
        previous=previous,
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


def read_previous(paths: Sequence[Path], period: Period) -> list[dict]:
    """The earlier periods' summary JSON given with --previous (SPEC §7). A file that is not a
    summary taizhang wrote, or one of a period not before this one, is misuse: comparing with
    it would say something false."""
    out = []
    for path in map(Path, paths):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            reason = os_reason(exc) if isinstance(exc, OSError) else "不是 JSON"
            raise UsageError("usage.previous-unreadable", path=path, reason=reason) from exc
        earlier = load().period(data.get("period", "")) if isinstance(data, dict) else None
        if earlier is None or not {"units", "tasks", "as_of"} <= data.keys():
            reason = "不是 taizhang consolidate --json 写出的汇总"
            raise UsageError("usage.previous-unreadable", path=path, reason=reason)
        if earlier.as_of >= period.as_of:
            raise UsageError(
                "usage.previous-not-earlier", path=path, label=earlier.label, current=period.label
            )
        out.append(data)
    return out


def consolidate_files(
    paths: list[Path],
    period: Period,
    *,
    output: Path | None = None,
    json_path: Path | None = None,
    html_path: Path | None = None,
    md_path: Path | None = None,
    word_dir: Path | None = None,
    previous: Sequence[Path] = (),
    include_invalid: bool = False,
    jobs: int = 1,
    validated_at: datetime | None = None,
    progress: bool | None = None,
    force: bool = False,
) -> Summary:
    """Validate the return files given, consolidate them (with the history of the earlier
    periods' summaries when given), write the outputs given: all of them or none, never over
    one of the returns, over another file only with `force`."""
    earlier = read_previous(previous, period)
    outputs = Outputs(inputs=paths, force=force)
    targets = [
        (Path(p), kind)
        for p, kind in ((output, "summary"), (json_path, "json"), (html_path, "report"))
        + ((md_path, "markdown"),)
        if p is not None
    ]
    if word_dir is not None:  # its names depend on who is sent back: probe with the first
        targets.append((Path(word_dir) / word.file_names_of(period)[0], "word"))
    for path, _kind in targets:  # before any work: a summary without its JSON is half a result
        outputs.check(path)
    returns = validate_paths(paths, period=period, jobs=jobs, progress=progress, scan=False)
    result = consolidate(
        returns,
        period,
        include_invalid=include_invalid,
        validated_at=validated_at or clock.stamp(),
    )
    result = history.with_history(result, earlier)
    current = report.as_dict(result)
    said = compare.comparison(current, earlier)
    items = []
    if output is not None:
        trend = compare.trend(current, earlier)
        items.append((Path(output), lambda tmp: summary_book.build(result, tmp, trend), "summary"))
    for path, text, kind in (
        (json_path, lambda: report.to_json(result), "json"),
        (html_path, lambda: report.to_html(result, said), "report"),
        (md_path, lambda: report.to_markdown(result), "markdown"),
    ):
        if path is not None:
            items.append((Path(path), text_writer(text()), kind))
    if word_dir is not None:
        for name, data in word.documents(result, said):
            items.append((Path(word_dir) / name, _bytes_writer(data), "word"))
    written = outputs.write(items)
    return replace(result, outputs=tuple(shown(str(p)) for p in written))


def _bytes_writer(data: bytes):
    return lambda tmp: Path(tmp).write_bytes(data)


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
