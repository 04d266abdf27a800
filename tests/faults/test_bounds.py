"""No hard abort, no unbounded file: sheet parts are found from the workbook's relationships
(a part at xl/s1.xml typed by a Default content type is scanned like any other), .xls extents
are guarded, and a single file is read under the same time and memory bounds as a batch."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.faults import kit
from tests.faults.kit import taizhang

WB = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
QUICK = 20


def _package(path: Path, *, target: str, part: str, cell: str, default_typed: bool) -> Path:
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    xml_type = sheet_type if default_typed else "application/xml"
    override = (
        "" if default_typed else f'<Override PartName="/{part}" ContentType="application/xml"/>'
    )
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="{xml_type}"/>{override}'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{WB}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    book = (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{WB}"><sheets><sheet name="表" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    book_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{WB}/worksheet" Target="{target}"/></Relationships>'
    )
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="{cell}"><v>2</v></c></row>'
        "</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", book)
        z.writestr("xl/_rels/workbook.xml.rels", book_rels)
        z.writestr(part, sheet)
    return path


@pytest.mark.parametrize(
    "target, part, default_typed",
    [
        ("s1.xml", "xl/s1.xml", True),  # the red-team case: exit 134 before
        ("/data/s1.xml", "data/s1.xml", False),
        ("../s1.xml", "s1.xml", False),
        ("parts\\s1.xml", "xl/parts/s1.xml", True),
    ],
    ids=["xl-s1-default-typed", "absolute", "parent-folder", "backslash"],
)
def test_a_sheet_anywhere_is_scanned_before_calamine_sees_it(tmp_path, target, part, default_typed):
    far = _package(
        tmp_path / "远.xlsx",
        target=target,
        part=part,
        cell="XFD1048576",
        default_typed=default_typed,
    )
    run = taizhang("validate", far, "--format", "json", timeout=QUICK)
    [obj] = json.loads(run.out)["files"]
    assert run.code == 1 and [f["code"] for f in obj["findings"]] == ["file.too-large"]
    near = _package(
        tmp_path / "近.xlsx", target=target, part=part, cell="B2", default_typed=default_typed
    )
    [ok] = json.loads(taizhang("validate", near, "--format", "json").out)["files"]
    assert "file.too-large" not in [f["code"] for f in ok["findings"]]  # no false alarm


@pytest.mark.parametrize(
    "records, code",
    [
        ([kit.number(0, 0, 1.0), kit.number(65535, 65535, 2.0)], "file.hostile"),  # beyond BIFF8
        ([kit.number(0, 0, 1.0), kit.number(60000, 250, 2.0)], "file.too-large"),  # 15M cells
        ([kit.dimensions(0xFFFFFFF0, 0xFFFF), kit.number(0, 0, 1.0)], "file.hostile"),  # a claim
        ([kit.dimensions(65536, 256), kit.number(0, 0, 1.0)], "file.too-large"),
    ],
    ids=["cell-beyond-biff8", "cell-far-out", "dimensions-impossible", "dimensions-huge"],
)
def test_xls_extents_are_guarded(tmp_path, records, code):
    path = tmp_path / "小.xls"
    path.write_bytes(kit.xls(records))
    assert path.stat().st_size < 10_000  # a 9 KB file asked calamine for gigabytes before
    run = taizhang("validate", path, "--format", "json", timeout=QUICK)
    [obj] = json.loads(run.out)["files"]
    assert [f["code"] for f in obj["findings"]] == [code]
    assert run.seconds < 10 and run.peak_mb < 400


def test_a_small_xls_is_still_read(tmp_path):
    path = tmp_path / "正常.xls"
    path.write_bytes(kit.xls([kit.dimensions(3, 3), kit.number(0, 0, 1.0), kit.number(2, 2, 3.0)]))
    [obj] = json.loads(taizhang("validate", path, "--format", "json").out)["files"]
    assert obj["findings"][0]["code"] == "file.not-ledger"  # read, then judged as a ledger


def test_a_single_file_is_read_in_a_bounded_child(tmp_path, monkeypatch):
    """With the guards off the corner-cells file makes calamine abort its process: for a
    single file too that is the child, so the run says so in a finding and goes on."""
    from addin.pipeline import collect
    from addin.read.isolate import IsolatedReader
    from tests.conftest import CORPUS

    monkeypatch.setattr(
        collect, "IsolatedReader", lambda jobs=1, **kw: IsolatedReader(jobs, guard=False, **kw)
    )
    corner = CORPUS / "hostile" / "corner_cells_A1_XFD1048576.xlsx"
    [ret] = collect.validate_paths([corner], progress=False)
    assert [f.code for f in ret.findings] == ["file.crashed-reader"]
