"""Filled sample returns, written from the real template and filled as a county would fill it
(openpyxl, keeping the template's drop-downs and locks): for the demo, the golden test and the
benchmark. Deterministic — the same arguments give the same bytes (fixed zip times, fixed
document dates, file mtime = 填报日期).

With mistakes=True the 14 units tell the story of a real period (2021Y as the example):
任城区 clean · 兖州区 writes its old name 兖州市 on the cover · 曲阜市 copies 任城区's progress text
for one task · 泗水县 sends nothing · 邹城市 is late · 微山县 sets a deadline later than the
city's · 鱼台县 names a neighbour's office (金乡县…) · 金乡县 has over-limit connections with no
说明 · 嘉祥县 leaves the cover phone empty · 汶上县 resubmits (an older file with a bad status,
a newer fixed one) · 梁山县 is behind on two tasks · 济宁高新区 has a task not started ·
太白湖新区 marks one task 不适用 · 济宁经济技术开发区 clean. In the summary (SPEC §5) the clean
units have done all that is due (2021Y: 43 of the 44 tasks with an end point, the one due
2022年底前 under way), 金乡县's unexplained over-limit customers keep 低压 from 达到 city-wide, and
邹城市's explained one makes 35 千伏单电源 基本达到 (tests/faces/test_demo.py).

The validator's findings on these samples are exactly the planted ones
(tests/faces/test_samples.py), for every period the samples are made for (2021H1, 2021Y, 2022Y,
the 2021P plan):
兖州区 cover.unit-old-name · 嘉祥县 cover.phone-missing · 微山县 time.later-than-city ·
鱼台县 unit.other-county · 汶上县 status.invalid (its older file) · 金乡县
indicator.over-limit-unexplained (not in 2021P: a plan has no indicator figures). A planning
return (2021P) fills only 县级责任单位 and 县级完成时限 of each task; the cross-file stories
(泗水县 missing, 邹城市 late, 汶上县 resubmitted, 曲阜市 copying, except in 2021P) hold in every
period."""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import time
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

from addin.faces import sample_rows
from schemas.reference import Period, load
from schemas.sheets import CONNECTION, COVER_ITEMS, FIRST_DATA_ROW, RELIABILITY, SANLING, TASKS

MISSING, LATE, RESUBMITTED, COPIER, COPIED = "泗水县", "邹城市", "汶上县", "曲阜市", "任城区"
COPIED_TASK = "15"
PLAN_KEYS = ("county_units", "county_due")  # what a planning return (2021P) fills per task
CLEAN_UNIT = "任城区"


def _period(period: Period | str) -> Period:
    return period if isinstance(period, Period) else load().period(period)


def _filed(period: Period, unit: str, late: bool = False) -> date:
    base = period.due - timedelta(days=1 + sum(map(ord, unit)) % 4)
    return period.due + timedelta(days=3) if late else max(base, period.as_of)


def fill_return(
    path: Path,
    unit: str,
    period: Period,
    *,
    filed: date,
    seed: int = 0,
    mistakes: bool = True,
    cover_unit: str | None = None,
    phone: bool = True,
    bad_status: bool = False,
) -> dict:
    """Fill the blank ledger at `path` in place; returns what was written (for tests)."""
    import openpyxl

    rng = random.Random(f"{seed}:{unit}:{period.code}")
    book = openpyxl.load_workbook(path)
    cover = {
        "报送单位": cover_unit or unit,
        "填报人": sample_rows.NAMES[len(unit) % len(sample_rows.NAMES)],
        "联系电话": sample_rows.phone(rng) if phone else None,
        "审核人": sample_rows.NAMES[(len(unit) + 3) % len(sample_rows.NAMES)],
        "填报日期": filed,
    }
    ws = book["封面"]
    for i, item in enumerate(COVER_ITEMS):
        if item in cover:
            _set(ws.cell(FIRST_DATA_ROW + i, 2), cover[item])
    tasks = sample_rows.task_rows(unit, period, rng, mistakes)
    if period.planning:  # 2021P: the county's own plan — who and by when, nothing reported yet
        tasks = [{key: row[key] for key in PLAN_KEYS} for row in tasks]
    if bad_status:
        tasks[20]["status"] = "基本完成"  # not one of the seven statuses
    ws = book[TASKS.name]
    for i, row in enumerate(tasks):
        for key, value in row.items():
            _set(
                ws.cell(FIRST_DATA_ROW + i, TASKS.headers.index(TASKS.column(key).header) + 1),
                value,
            )
    connection, reliability, sanling = [], [], {}
    if not period.planning:  # a plan has no indicator figures yet
        connection = sample_rows.connection_rows(unit, rng, mistakes)
        _fill_block(book[CONNECTION.name], connection, first_col=3)
        reliability = sample_rows.reliability_rows(rng)
        _fill_block(book[RELIABILITY.name], reliability, first_col=3)
        sanling = sample_rows.sanling_values(connection, rng)
        ws = book[SANLING.name]
        for i, ind in enumerate(load().indicators):
            _set(ws.cell(FIRST_DATA_ROW + i, 2), sanling[ind.name])
    book.save(path)
    return {
        "cover": cover,
        "tasks": tasks,
        "connection": connection,
        "reliability": reliability,
        "sanling": sanling,
    }


def _fill_block(ws, rows: list[list], first_col: int) -> None:
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            cell = ws.cell(FIRST_DATA_ROW + i, first_col + j)
            if value is None:  # an abolished step: the template's "--" stays
                continue
            _set(cell, value)


def _set(cell, value) -> None:
    if value is None or value == "":
        cell.value = None
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # never a formula, even if it began with "="
    else:
        cell.value = value


def _pin(path: Path, stamp: datetime) -> None:
    """Make the bytes reproducible: openpyxl stamps zip entries and docProps with 'now'."""
    with zipfile.ZipFile(path) as src:
        items = [(info, src.read(info)) for info in src.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*",
                    rb"\g<1>" + stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode(),
                    data,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)
    path.write_bytes(buffer.getvalue())
    moment = time.mktime(stamp.timetuple())
    os.utime(path, (moment, moment))


def make_returns(
    folder: Path | str, period: Period | str, *, units=None, mistakes: bool = True, seed: int = 0
) -> list[Path]:
    """Write filled sample returns for `units` (default: all 14) into `folder`."""
    from addin.write.template.book import write_ledger

    period, folder = _period(period), Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for unit in units or load().unit_names:
        if mistakes and unit == MISSING:
            continue
        filed = _filed(period, unit, late=mistakes and unit == LATE)
        path = write_ledger(unit, period, folder)
        options = (
            {"cover_unit": "兖州市" if unit == "兖州区" else None, "phone": unit != "嘉祥县"}
            if mistakes
            else {}
        )
        fill_return(path, unit, period, filed=filed, seed=seed, mistakes=mistakes, **options)
        if mistakes and unit == RESUBMITTED:  # the first try, with an error, sent earlier
            fixed = path.with_name(path.stem + "（修改版）" + path.suffix)
            path.rename(fixed)
            first = write_ledger(unit, period, folder)
            fill_return(
                first,
                unit,
                period,
                filed=filed - timedelta(days=2),
                seed=seed,
                mistakes=True,
                bad_status=True,
            )
            _pin(first, datetime.combine(filed - timedelta(days=2), datetime.min.time()))
            written.append(first)
            path = fixed
        _pin(path, datetime.combine(filed, datetime.min.time()) + timedelta(hours=10))
        written.append(path)
    if (
        mistakes
        and not period.planning  # a plan has no 进展情况 to copy
        and COPIER in (units or load().unit_names)
        and COPIED in (units or load().unit_names)
    ):
        _copy_text(folder, period, written)
    return sorted(written)


def _copy_text(folder: Path, period: Period, written: list[Path]) -> None:
    """曲阜市 pastes 任城区's 进展情况 of one task into its own return (a warning on both)."""
    import openpyxl

    source = next(p for p in written if p.name.startswith(COPIED))
    target = next(p for p in written if p.name.startswith(COPIER))
    row = FIRST_DATA_ROW + int(COPIED_TASK) - 1
    col = TASKS.headers.index("进展情况") + 1
    text = openpyxl.load_workbook(source, read_only=True)[TASKS.name].cell(row, col).value
    book = openpyxl.load_workbook(target)
    _set(book[TASKS.name].cell(row, col), text)
    book.save(target)
    _pin(
        target, datetime.combine(_filed(period, COPIER), datetime.min.time()) + timedelta(hours=10)
    )


def make_one(folder: Path | str, period: Period | str) -> Path:
    """One clean filled return (任城区), for timing a single validation."""
    return make_returns(folder, period, units=[CLEAN_UNIT], mistakes=False)[0]


def copy_returns(src: list[Path], dst: Path | str, count: int) -> list[Path]:
    """`count` files in `dst`, copies of `src` in turn, each under a distinct name."""
    dst = Path(dst)
    dst.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        original = src[i % len(src)]
        target = dst / f"{i:05d}-{original.name}"
        shutil.copy2(original, target)
        out.append(target)
    return out
