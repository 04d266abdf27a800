"""Active content — VBA, Auto_Open, DDE, external links, OLE objects — is a warning that says
what was found, a plain return has none (no false alarm), and a --mark copy carries none of
it. Marking runs under the same time and memory bounds as reading."""

from __future__ import annotations

import json
import re
import resource
import time
import zipfile
from pathlib import Path

import pytest

from addin.model.ledger import Return, Source
from addin.read.active import find_active
from addin.write.mark import write_marked
from tests.faults import kit
from tests.faults.kit import rezip, taizhang
from tests.fill import make_return

TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    return make_return(tmp_path_factory.mktemp("clean"), "任城区")


def _armed(clean: Path, dst: Path) -> Path:
    """The clean return with every kind of active content added, as Excel would store it."""
    with zipfile.ZipFile(clean) as z:
        names = z.namelist()
        book = z.read("xl/workbook.xml").decode("utf-8")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        types = z.read("[Content_Types].xml").decode("utf-8")
        sheet_name = next(n for n in names if n.startswith("xl/worksheets/sheet2"))
        sheet = z.read(sheet_name).decode("utf-8")
    names_xml = "<definedName name=\"Auto_Open\">'任务台账'!$A$1</definedName>"
    if "<definedNames>" in book:
        book = book.replace("<definedNames>", "<definedNames>" + names_xml, 1)
    else:
        book = book.replace(
            "</sheets>", "</sheets><definedNames>" + names_xml + "</definedNames>", 1
        )
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdX1" Type="{TYPES}/externalLink" Target="externalLinks/externalLink1.xml"/>'
        f'<Relationship Id="rIdV1" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
        "</Relationships>",
    )
    types = types.replace(
        "</Types>",
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        '<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>',
    )
    dde = "<c r=\"Z3\"><f>cmd|' /C calc'!A0</f><v>0</v></c>"
    sheet = re.sub(
        r'(<row r="3"[^>]*>.*?)(</row>)',
        lambda m: m.group(1) + dde + m.group(2),
        sheet,
        count=1,
        flags=re.S,
    )
    link = (
        '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<externalBook xmlns:r="' + TYPES + '" r:id="rId1"/></externalLink>'
    )
    return rezip(
        clean,
        dst,
        {
            "xl/workbook.xml": book.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "[Content_Types].xml": types.encode(),
            sheet_name: sheet.encode(),
            "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not a real project",
            "xl/externalLinks/externalLink1.xml": link.encode(),
            "xl/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0 embedded",
        },
    )


def test_every_kind_of_active_content_is_one_warning_saying_what(clean, tmp_path):
    armed = _armed(clean, tmp_path / "收件" / "任城区.xlsx")
    run = taizhang("validate", armed, "--format", "json")
    [obj] = json.loads(run.out)["files"]
    [found] = [f for f in obj["findings"] if f["code"] == "file.active-content"]
    assert found["severity"] == "warning"
    for what in ("VBA 宏", "Auto_Open", "DDE", "外部链接", "OLE 对象"):
        assert what in found["message"], what
    plain = json.loads(taizhang("validate", clean, "--format", "json").out)["files"][0]
    assert run.code == taizhang("validate", clean).code  # a warning does not send it back
    assert not [f for f in plain["findings"] if f["code"] == "file.active-content"]


def test_the_marked_copy_carries_none_of_it(clean, tmp_path):
    armed = _armed(clean, tmp_path / "收件" / "任城区.xlsx")
    assert find_active(armed, "xlsx")
    run = taizhang("validate", armed.parent, "--mark", tmp_path / "标注")
    assert "1 个标注副本" in run.err
    [copy] = (tmp_path / "标注").glob("*.xlsx")
    assert find_active(copy, "xlsx") == []
    with zipfile.ZipFile(copy) as z:
        assert not [
            n
            for n in z.namelist()
            if "vba" in n.lower() or "embeddings" in n or "externalLink" in n
        ]
    from openpyxl import load_workbook

    ws = load_workbook(copy)["任务台账"]
    assert ws["Z3"].data_type == "s" and "cmd|" in ws["Z3"].value  # text, never a formula
    with zipfile.ZipFile(copy) as z:
        assert not [n for n in z.namelist() if b"cmd|" in z.read(n) and b"<f>" in z.read(n)]


def test_an_xlsm_copy_is_an_xlsx_without_macros(clean, tmp_path):
    xlsm = tmp_path / "收件" / "任城区.xlsm"
    _armed(clean, xlsm)
    run = taizhang("validate", xlsm.parent, "--mark", tmp_path / "标注")
    assert run.code in (0, 1)
    assert [p.suffix for p in (tmp_path / "标注").iterdir() if not p.name.startswith(".")] == [
        ".xlsx"
    ]


def test_active_content_in_an_xls_is_found():
    data = kit.xls(
        [kit.number(0, 0, 1.0)],
        globals_extra=[kit.name_record(0x01)],
        storages=("_VBA_PROJECT_CUR", "MBD0001"),
    )
    path = Path(pytest.importorskip("tempfile").mkdtemp()) / "旧格式.xls"
    path.write_bytes(data)
    assert find_active(path, "xls") == ["VBA 宏", "自动运行的名称（Auto_Open）", "嵌入的 OLE 对象"]
    plain = path.with_name("干净.xls")
    plain.write_bytes(kit.xls([kit.number(0, 0, 1.0)]))
    assert find_active(plain, "xls") == []


def _big(path: Path, rows: int) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("任务台账")
    for r in range(rows):
        for c in range(12):
            ws.write_string(r, c, f"第{r}行第{c}列的内容")
    book.close()
    return path


def test_marking_is_bounded_like_reading(tmp_path):
    """openpyxl would take tens of seconds and gigabytes here; the child is stopped at the
    limit and the 校验结果 list is written instead, the parent's memory untouched."""
    big = _big(tmp_path / "大.xlsx", 60_000)
    ret = Return(
        Source(str(big), big.name, None, big.stat().st_size, 0.0, "xlsx"), None, None, None, None
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    [timed] = write_marked([ret], tmp_path / "m1", timeout=2.0)
    assert time.perf_counter() - start < 15
    assert timed.kind == "results" and "2 秒" in timed.note
    [capped] = write_marked([ret], tmp_path / "m2", timeout=60.0, memory_mb=300)
    assert capped.kind == "results" and ("内存上限" in capped.note or "异常退出" in capped.note)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # KiB
