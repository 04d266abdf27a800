"""Every file of the robustness corpus gives a Workbook or a catalogued ReadFailure, through the
isolated reader with a per-file time limit: no traceback, no hang, no crash of the test run."""

from __future__ import annotations

import pytest

from addin.model.findings import catalogue, make
from addin.read.isolate import IsolatedReader
from addin.read.reader import ReadFailure
from tests.conftest import CORPUS

FILES = sorted(
    p
    for folder in ("real", "hostile")
    for p in (CORPUS / folder).iterdir()
    if p.is_file() and p.suffix not in (".tsv", ".py", ".md")
)

ENCRYPTED = {
    "cal__pass_protected.ods",
    "cal__pass_protected.xlsb",
    "cal__pass_protected.xlsx",
    "poi__extenxls_pwd123.xlsx",
    "poi__protected_passtika.xlsx",
    "pxl__encryption-agile-123q.xlsx",
    "pxl__encryption-standard-default-password.xlsx",
    "pyc__password.xls",
    "sjs__password_2002_128_strong.xls",
    "sjs__password_2002_40_basecrypto.xls",
    "sjs__password_2002_40_xor.xls",
    "encrypted_agile_msoffcrypto.xlsx",
}
EMPTY = {"frl__empty.csv", "opx__null_file.xlsx", "pyc__empty_file.ods", "pyc__empty_file.xlsb"}
# bombs, entity expansion, external entities, far-out references: refused by the guards,
# so calamine never sees them (a crashed or timed-out reader would mean the guard missed)
REFUSED = {
    "bomb_cells_20M.xlsx",
    "bomb_whitespace_400MB.xlsx",
    "billion_laughs_sheet.xlsx",
    "billion_laughs_sst.xlsx",
    "quadratic_blowup_sst.xlsx",
    "xxe_file_sst.xlsx",
    "poi__poc-xmlbomb.xlsx",
    "poi__poc-xmlbomb-empty.xlsx",
    "cal__issue_594_dos.ods",
    "corner_cells_A1_XFD1048576.xlsx",
    "beyond_limits_refs.xlsx",
    "rows_1048576_declared.xlsx",
    "cols_16384_one_row.xlsx",
}
NOT_SPREADSHEET = {
    p.name
    for p in FILES
    if p.suffix in (".csv", ".html", ".fods", ".numbers") and p.name not in EMPTY
} | {
    "cal__too_small.xls",
    "sjs__CRLFX5_2.XLS",
    "sjs__CRLFX5_3.XLS",
    "sjs__CRLFX5_4.XLS",
    "xlrd__biff4_no_format_no_window2.xls",
    "csv_renamed.xlsx",
    "html_renamed.xls",
    "html_renamed.xlsx",
    "pdf_renamed.xlsx",
    "spreadsheetml2003_renamed.xls",
    "utf16_csv_renamed.xls",
}
CORRUPT = {
    "truncated_half.xls",
    "truncated_half.xlsx",
    "truncated_tail10.xlsx",
    "bitflip_64B.xlsx",
    "poi__invalid.xlsx",
}
# a file saved under another format's extension is read by what it is
RENAMED = {"xls_renamed.xlsx": "xls", "xlsx_renamed.xls": "xlsx", "ods_renamed.xlsx": "ods"}
DATE1904 = {"cal__date_1904.xlsx", "opx__date_1904.xlsx", "rxl__dates-1904.xls"}


@pytest.fixture(scope="module")
def reader():
    with IsolatedReader(jobs=1, timeout=20.0, memory_mb=1024) as isolated:
        yield isolated


def test_corpus_is_there():
    assert len(FILES) > 150, f"corpus missing under {CORPUS}"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_file_gives_a_workbook_or_a_coded_failure(reader, path):
    try:
        book = reader.read(path)
    except ReadFailure as failure:
        assert failure.code in catalogue(), failure.code
        finding = make(failure.code, **failure.params)
        assert path.name in finding.message and finding.severity == "error"
        assert failure.code not in ("file.crashed-reader", "file.timeout"), (
            f"{path.name}: a guard should have stopped this before the parser: {failure}"
        )
        if path.name in ENCRYPTED:
            assert failure.code == "file.encrypted"
        elif path.name in EMPTY:
            assert failure.code == "file.empty"
        elif path.name in REFUSED:
            assert failure.code in ("file.hostile", "file.too-large")
        elif path.name in NOT_SPREADSHEET:
            assert failure.code == "file.not-spreadsheet"
        elif path.name in CORRUPT:
            assert failure.code == "file.corrupt"
        else:
            assert path.name not in set(RENAMED) | DATE1904, failure
        return
    expected_failure = ENCRYPTED | EMPTY | REFUSED | NOT_SPREADSHEET | CORRUPT
    assert path.name not in expected_failure, f"{path.name} was read: {list(book.sheets)}"
    assert book.format == RENAMED.get(path.name, book.format)
    if path.name in DATE1904:
        assert book.date1904 is True
    assert all(isinstance(row, tuple) for s in book.sheets.values() for row in s.rows)
