"""A return with planted errors, saved by LibreOffice as .xlsx, .ods and .xls, gives the same
findings — (code, sheet, cell) — as the file taizhang's template produced, so a county that
works in LibreOffice or saves in an older format is judged the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from addin.pipeline.collect import validate_file, validate_paths
from schemas.sheets import CONNECTION, COVER, RELIABILITY, TASKS
from tests.fill import col, cover_row, make_return, task_cell

pytestmark = pytest.mark.slow

PLANTED = {
    (TASKS.name, task_cell("9", "county_due")): "2022年底前",  # time.later-than-city
    (TASKS.name, task_cell("10", "status")): "基本完成",  # not one of the 7 statuses
    (TASKS.name, task_cell("11", "done_date")): "2021年13月5日",  # not a date
    (TASKS.name, task_cell("20", "county_units")): "金乡县发展和改革局",  # another county's office
    (COVER.name, f"B{cover_row('联系电话')}"): "12345",  # not a phone number
    (CONNECTION.name, f"C{3}"): -3,  # negative count
    (RELIABILITY.name, f"{chr(64 + col(RELIABILITY, 'customers'))}4"): "十万",  # not a number
}


def key(ret) -> list[tuple[str, str | None, str | None]]:
    return sorted((f.code, f.sheet, f.cell) for f in ret.findings)


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    return make_return(tmp_path_factory.mktemp("lo") / "orig", "微山县", edits=PLANTED)


@pytest.fixture(scope="module")
def original(planted):
    ret = validate_file(planted)
    cells = {(f.sheet, f.cell) for f in ret.findings}
    # every planted cell is reported, so the comparison below compares something
    assert set(PLANTED) <= cells, sorted(set(PLANTED) - cells)
    return ret


@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_libreoffice_copy_gives_same_findings(planted, original, convert, tmp_path, fmt):
    saved = convert(planted, fmt, tmp_path / fmt)
    ret = validate_file(saved)
    assert ret.source.format == fmt
    assert ret.unit == original.unit and ret.period == original.period
    assert key(ret) == key(original)


def test_batch_of_formats_in_input_order(planted, original, convert, tmp_path):
    saved = [convert(planted, fmt, tmp_path / fmt) for fmt in ("ods", "xls")]
    returns = validate_paths([planted, *saved], jobs=2, progress=False)
    assert [r.source.path for r in returns] == [str(p) for p in (planted, *saved)]
    assert [key(r) for r in returns] == [key(original)] * 3
