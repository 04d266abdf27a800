"""--previous and --word through the one pipeline (SPEC §6, §7): the earlier summaries are read
and checked before any work, their history reaches every output, and the documents are written
beside the rest."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from addin.faces.samples import make_returns
from addin.model.errors import UsageError
from addin.pipeline.run import consolidate_folder
from schemas.reference import load

H1, Y = load().period("2021H1"), load().period("2021Y")
UNITS = ["梁山县", "任城区"]


@pytest.fixture(scope="module")
def half(tmp_path_factory):
    work = tmp_path_factory.mktemp("half")
    make_returns(work / "h1", H1, units=UNITS)
    make_returns(work / "y", Y, units=UNITS)
    consolidate_folder(
        work / "h1", H1, json_path=work / "h1.json", validated_at=datetime(2021, 7, 5)
    )
    return work


def test_the_year_with_the_half_year_writes_history_everywhere(half, tmp_path):
    out = tmp_path / "out"
    summary = consolidate_folder(
        half / "y",
        Y,
        output=out / "汇总.xlsx",
        json_path=out / "汇总.json",
        html_path=out / "报告.html",
        word_dir=out / "公文",
        previous=[half / "h1.json"],
        validated_at=datetime(2022, 1, 10),
    )
    data = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    history = [(f["unit"], f["code"]) for f in data["findings"] if f["code"].startswith("history.")]
    assert history == [("梁山县", "history.promise-missed")] * 2
    assert "的下步打算中承诺2021年9月30日前完成" in (out / "报告.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (out / "公文").iterdir()) == [
        "总结报告-2021Y.docx",
        "通报-2021Y.docx",
    ]
    assert [p for p in summary.outputs if p.endswith(".docx")] == [
        str(out / "公文" / "总结报告-2021Y.docx"),
        str(out / "公文" / "通报-2021Y.docx"),
    ]


def misuse(half, previous) -> UsageError:
    with pytest.raises(UsageError) as caught:
        consolidate_folder(half / "y", Y, json_path=half / "never.json", previous=[previous])
    assert not (half / "never.json").exists()  # refused before any work
    return caught.value


def test_a_file_that_is_not_json_is_refused(half):
    bad = half / "bad.json"
    bad.write_text("not json", encoding="utf-8")
    assert misuse(half, bad).code == "usage.previous-unreadable"
    assert misuse(half, half / "missing.json").code == "usage.previous-unreadable"


def test_json_that_is_not_a_summary_is_refused(half):
    other = half / "other.json"
    other.write_text(json.dumps({"files": []}), encoding="utf-8")
    error = misuse(half, other)
    assert error.code == "usage.previous-unreadable" and "consolidate --json" in error.message


def test_a_period_not_before_this_one_is_refused(half, tmp_path):
    consolidate_folder(
        half / "y", Y, json_path=tmp_path / "y.json", validated_at=datetime(2022, 1, 10)
    )
    error = misuse(half, tmp_path / "y.json")
    assert error.code == "usage.previous-not-earlier"
    assert "2021年度" in error.message
