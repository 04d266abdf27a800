"""addin.read.ole: the farthest cell an .xls holds or declares is checked before calamine
reserves memory for it (a 9 KB file asked for gigabytes)."""

from __future__ import annotations

import pytest

from addin.read.failure import ReadFailure
from addin.read.ole import check_xls
from tests.faults import kit


def check(tmp_path, records) -> str | None:
    path = tmp_path / "x.xls"
    path.write_bytes(kit.xls(records))
    try:
        check_xls(path)
    except ReadFailure as failure:
        return failure.code
    return None


def test_a_ledger_sized_sheet_passes(tmp_path):
    records = [kit.dimensions(80, 14)] + [kit.number(r, c, 1.0) for r in range(80) for c in (0, 13)]
    assert check(tmp_path, records) is None


@pytest.mark.parametrize(
    "records, expected",
    [
        ([kit.number(65535, 65535, 1.0)], "file.hostile"),
        ([kit.number(0, 0, 1.0), kit.number(0, 220, 1.0)], "file.too-large"),
        ([kit.dimensions(0xFFFFFFF0, 10)], "file.hostile"),
        ([kit.dimensions(40_000, 200)], "file.too-large"),
    ],
    ids=["cell-beyond-biff8", "too-wide", "impossible-claim", "huge-claim"],
)
def test_far_cells_and_claims_are_refused(tmp_path, records, expected):
    assert check(tmp_path, records) == expected


def test_a_formatted_blank_column_is_not_a_claim_to_refuse(tmp_path):
    """Excel declares formatted blank columns too: 256 columns over a ledger's rows is fine."""
    assert check(tmp_path, [kit.dimensions(100, 256), kit.number(0, 0, 1.0)]) is None
