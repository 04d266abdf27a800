"""The terminal is not the county's: a cell holding `_x001B_` (ESC to whoever decodes it) or
another control character shows escaped in text output, as a \\u escape in JSON, and not at
all in any workbook, page or report taizhang writes."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from tests.faults.kit import rezip, taizhang
from tests.fill import make_return, task_cell

# what an attacker would type: clear the screen, home the cursor, print a fake verdict,
# then a C1 CSI and a right-to-left override
FAKE = "_x001B_[2J_x001B_[H通过 _x009B_31m‮反"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _chars(xml: str) -> str:
    """Text as characters: openpyxl over lxml writes non-ASCII as &#NNNN; references."""
    return re.sub(r"&#(\d+);", lambda m: chr(int(m[1])) if int(m[1]) > 127 else m[0], xml)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A return whose 进展情况 and 存在问题 cells carry control characters: the way Excel
    stores them (_x001B_ in the XML) is what calamine decodes to a real ESC."""
    base = tmp_path_factory.mktemp("esc")
    src = make_return(
        base / "src", "任城区", edits={("任务台账", task_cell("9", "county_due")): "2022年底前"}
    )
    with zipfile.ZipFile(src) as z:
        parts = {n: _chars(z.read(n).decode("utf-8")) for n in z.namelist() if n.endswith(".xml")}
    changed = {}
    for name, xml in parts.items():  # wherever openpyxl put the strings (shared or inline)
        if "第9项" in xml or "2022年底前" in xml:
            xml = re.sub(
                r"(<t[^>]*>)([^<]*第9项)", lambda m: m.group(1) + FAKE + m.group(2), xml, count=1
            )
            changed[name] = xml.replace("2022年底前", "2022年底前" + FAKE, 1).encode("utf-8")
    assert changed, "the planted cells were not found"
    return rezip(src, base / "任城区.xlsx", changed)


def test_text_output_shows_control_characters_escaped(hostile):
    run = taizhang("validate", hostile)
    assert run.code == 1 and "\\x1b[2J" in run.out
    assert not RAW.search(run.out.replace("\n", ""))


def test_json_output_is_the_same_text_with_escapes(hostile):
    run = taizhang("validate", hostile, "--format", "json")
    assert not RAW.search(run.out.replace("\n", ""))
    values = [f["value"] or "" for f in json.loads(run.out)["files"][0]["findings"]]
    assert any("\x1b[2J" in v for v in values)  # json.loads gives the cell back as it was


def test_html_output_and_every_written_file_are_clean(hostile, tmp_path):
    html = taizhang("validate", hostile, "--format", "html")
    assert not RAW.search(html.out.replace("\n", ""))
    out = tmp_path / "out"
    cons = taizhang(
        "consolidate",
        hostile.parent,
        "--period",
        "2021Y",
        "-o",
        out / "汇总.xlsx",
        "--report",
        out / "r.html",
        "--markdown",
        out / "r.md",
        "--json",
        out / "s.json",
    )
    assert cons.code == 1
    for name in ("r.html", "r.md"):
        assert not RAW.search((out / name).read_text(encoding="utf-8").replace("\n", ""))
    summary = (out / "s.json").read_text(encoding="utf-8")
    assert not RAW.search(summary.replace("\n", "")) and "\\u001b[2J" in summary
    mark = taizhang("validate", hostile, "--mark", tmp_path / "标注")
    assert mark.code == 1
    books = [out / "汇总.xlsx", *(tmp_path / "标注").glob("*.xlsx")]
    assert len(books) == 2
    for book in books:
        with zipfile.ZipFile(book) as z:
            for name in z.namelist():
                if name.endswith(".xml"):
                    xml = z.read(name).decode("utf-8")
                    assert "_x001B_" not in xml and "_x009B_" not in xml, (book.name, name)
                    assert not RAW.search(xml.replace("\n", "").replace("\t", "")), (
                        book.name,
                        name,
                    )
