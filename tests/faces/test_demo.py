"""`taizhang demo` runs the whole job on the sample returns, writes every output, and writes the
same findings JSON twice."""

from __future__ import annotations

import json
import zipfile

import pytest

from addin.faces.demo import demo_paths, run_demo
from addin.model.errors import UsageError
from schemas.reference import load


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    code = run_demo(out)
    first = demo_paths(out)["json"].read_text(encoding="utf-8")
    return out, code, first


def test_demo_succeeds_and_writes_every_output(demo_run):
    out, code, _ = demo_run
    assert code == 0  # the samples have errors on purpose; the demo itself succeeds
    paths = demo_paths(out)
    for key in ("summary", "json", "html", "markdown"):
        assert paths[key].exists() and paths[key].stat().st_size > 0, key
    with zipfile.ZipFile(paths["summary"]) as summary:
        assert "xl/workbook.xml" in summary.namelist()
    assert "<html" in paths["html"].read_text(encoding="utf-8").lower()
    assert list(paths["returns"].glob("*.xlsx")), "the sample returns are kept for the reader"


def test_demo_json_lists_every_unit_once_with_one_missing(demo_run):
    _, _, first = demo_run
    data = json.loads(first)
    assert data["period"] == "2021Y"
    units = [row["unit"] for row in data["units"]]
    assert sorted(units) == sorted(load().unit_names)
    assert len(units) == 14
    statuses = [row["status"] for row in data["units"]]
    assert statuses.count("未报") == 1
    assert statuses.count("迟报") >= 1
    assert statuses.count("已报") >= 1
    assert data["findings"], "the samples carry the mistakes counties make"


def test_demo_is_deterministic_and_says_where_files_are(demo_run, capsys):
    out, _, first = demo_run
    assert run_demo(out) == 0  # a second run into the same folder
    assert demo_paths(out)["json"].read_text(encoding="utf-8") == first
    shown = capsys.readouterr().out
    assert "未报 1" in shown
    assert str(demo_paths(out)["summary"]) in shown


def test_demo_never_clears_a_folder_it_did_not_write(tmp_path):
    returns = demo_paths(tmp_path)["returns"]
    returns.mkdir()
    keep = returns / "县里的台账.xlsx"
    keep.write_bytes(b"not ours")
    with pytest.raises(UsageError):
        run_demo(tmp_path)
    assert keep.read_bytes() == b"not ours"
