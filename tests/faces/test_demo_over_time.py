"""`taizhang demo` shows the ledger over time and the bureau's documents (issue 12): it makes the
half-year and the year, consolidates the year with the half-year as --previous, and writes the
Word documents — with exactly the history findings the samples plant, and no others."""

from __future__ import annotations

import json

import openpyxl
import pytest

from addin.faces.demo import demo_paths, run_demo

PLANTED = [  # faces/samples.py's story over time, in the summary's order
    ("兖州区", "history.status-regressed", "H3"),
    ("曲阜市", "history.deadline-moved", "G13"),
    ("金乡县", "history.figure-dropped", "C4"),
    ("梁山县", "history.promise-missed", "L35"),
    ("梁山县", "history.promise-missed", "L63"),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    assert run_demo(out) == 0
    return demo_paths(out)


def test_the_year_has_exactly_the_planted_history_findings(demo):
    data = json.loads(demo["json"].read_text(encoding="utf-8"))
    found = [(f["unit"], f["code"], f["cell"]) for f in data["findings"] if "history." in f["code"]]
    assert found == PLANTED
    assert all(f["severity"] == "warning" for f in data["findings"] if "history." in f["code"])
    half = json.loads(demo["half_json"].read_text(encoding="utf-8"))
    assert half["period"] == "2021H1"
    assert not [f for f in half["findings"] if f["code"].startswith("history.")]
    assert set(half["tasks"]["梁山县"]["33"]["promises"]) == {"2021-09-30"}


def test_the_summary_sets_the_half_year_beside_the_year(demo):
    ws = openpyxl.load_workbook(demo["summary"], read_only=True)["趋势"]
    header = next(ws.iter_rows(min_row=2, max_row=2, values_only=True))
    assert header[:4] == ("指标", "单位", "2021年上半年", "2021年度")
    assert "环比：与2021年上半年相比，全市完成率由" in demo["html"].read_text(encoding="utf-8")


def test_the_word_documents_are_written(demo):
    names = sorted(p.name for p in demo["word"].iterdir())
    assert names == sorted(
        [
            "总结报告-2021Y.docx",
            "通报-2021Y.docx",
            "退回通知-微山县-2021Y.docx",
            "退回通知-鱼台县-2021Y.docx",
            "退回通知-嘉祥县-2021Y.docx",
        ]
    )
