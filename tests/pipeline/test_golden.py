"""The golden case: the 14 sample returns of 2021Y (addin.faces.samples — one unit missing, one late,
one resubmitted, one copying another's text, some with errors) through the real pipeline
(`consolidate_folder`: find, read, validate, consolidate, write). Figures are recomputed here
straight from the sample files with openpyxl, not through the code under test."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from addin.faces.samples import COPIED, COPIED_TASK, COPIER, make_returns
from addin.pipeline.run import consolidate_folder
from schemas.reference import load
from schemas.sheets import CONNECTION, DONE_STATUSES, RELIABILITY, TASKS

PERIOD = load().period("2021Y")
AT = datetime(2022, 1, 10, 9, 0)
EXPECTED = {  # the story addin/samples.py tells
    "任城区": "已报",
    "兖州区": "已报",
    "曲阜市": "已报",
    "泗水县": "未报",
    "邹城市": "迟报",
    "微山县": "退回",
    "鱼台县": "退回",
    "金乡县": "已报",
    "嘉祥县": "退回",
    "汶上县": "已报",
    "梁山县": "已报",
    "济宁高新区": "已报",
    "太白湖新区": "已报",
    "济宁经济技术开发区": "已报",
}
COUNTED = [u for u, s in EXPECTED.items() if s in ("已报", "迟报")]
FILL = {"green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE", "grey": "EDEDED"}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(returns: Path, out: Path):
    out.mkdir()
    return consolidate_folder(
        returns,
        PERIOD,
        output=out / "汇总.xlsx",
        json_path=out / "汇总.json",
        html_path=out / "报告.html",
        md_path=out / "报告.md",
        validated_at=AT,
    )


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    base = tmp_path_factory.mktemp("golden")
    returns = base / "returns"
    make_returns(returns, PERIOD)
    before = {p.name: sha(p) for p in returns.iterdir()}
    first = run(returns, base / "one")
    second = run(returns, base / "two")
    return {"returns": returns, "before": before, "summary": first, "base": base, "second": second}


def overview(path: Path) -> dict[str, dict]:
    ws = openpyxl.load_workbook(path)["总览"]
    header = [c.value for c in ws[2]]
    rows = {}
    for r in range(3, ws.max_row + 1):
        name = ws.cell(r, 1).value
        if name in EXPECTED or name == "全市合计":
            rows[name] = {h: ws.cell(r, i + 1) for i, h in enumerate(header)}
    return rows


def raw_file(returns: Path, unit: str) -> Path:
    files = sorted(p for p in returns.glob(f"{unit}-*.xlsx"))
    return files[-1]  # the resubmitted one sorts last: （修改版）


def test_statuses(golden):
    rows = overview(golden["base"] / "one" / "汇总.xlsx")
    assert {u: rows[u]["报送状态"].value for u in EXPECTED} == EXPECTED
    assert {u.unit: u.status for u in golden["summary"].units} == EXPECTED
    assert not golden["summary"].all_ok


def test_overview_values_recomputed_from_the_raw_files(golden):
    rows = overview(golden["base"] / "one" / "汇总.xlsx")
    col = TASKS.headers.index("完成状态") + 1
    city_col = TASKS.headers.index("完成时间") + 1
    done_all = applicable_all = 0
    for unit in EXPECTED:
        if EXPECTED[unit] == "未报":
            assert rows[unit]["完成率"].value is None
            continue
        ws = openpyxl.load_workbook(raw_file(golden["returns"], unit), read_only=True)[TASKS.name]
        # SPEC §5: over applicable tasks with an end point (the city's 完成时间 not 持续推进)
        pairs = [(ws.cell(r, col).value, ws.cell(r, city_col).value) for r in range(3, 3 + 68)]
        ending = [s for s, city in pairs if s != "不适用" and city != "持续推进"]
        done = sum(s in DONE_STATUSES for s in ending)
        shown = rows[unit]["完成率"].value  # written as shown: four places of the fraction
        assert shown == pytest.approx(done / len(ending), abs=5e-5), unit
        assert rows[unit]["完成率"].number_format == "0.00%"
        if unit in COUNTED:
            done_all, applicable_all = done_all + done, applicable_all + len(ending)
    assert rows["全市合计"]["完成率"].value == pytest.approx(done_all / applicable_all, abs=5e-5)


def test_lights_and_fills(golden):
    rows = overview(golden["base"] / "one" / "汇总.xlsx")
    light = {u: rows[u]["红绿灯"] for u in EXPECTED}
    assert light["梁山县"].value == "红" and light["梁山县"].fill.fgColor.rgb.endswith(FILL["red"])
    assert rows["梁山县"]["逾期"].value == 2 and rows["梁山县"]["滞后"].value == 2
    assert light["济宁高新区"].value == "黄"
    assert light["任城区"].value == "绿" and light["任城区"].fill.fgColor.rgb.endswith(
        FILL["green"]
    )
    assert light["泗水县"].value == "—"
    assert light["嘉祥县"].value == "—"  # 退回: no light of its own (SPEC §2.5)
    status = {u: rows[u]["报送状态"].fill.fgColor.rgb for u in EXPECTED}
    assert status["嘉祥县"].endswith(FILL["red"]) and status["邹城市"].endswith(FILL["yellow"])


def test_matrix_fills(golden):
    ws = openpyxl.load_workbook(golden["base"] / "one" / "汇总.xlsx")["任务矩阵"]
    header = [c.value for c in ws[2]]
    liangshan = next(i + 1 for i, h in enumerate(header) if h and h.startswith("梁山县"))
    cells = [ws.cell(r, liangshan) for r in range(3, 3 + 68)]
    red = [c for c in cells if c.fill.fgColor.rgb.endswith(FILL["red"])]
    assert len(red) == 2 and {c.value for c in red} == {"进度滞后"}
    missing = next(i + 1 for i, h in enumerate(header) if h and h.startswith("泗水县"))
    assert ws.cell(3, missing).value == "未报"


def test_cross_file_findings(golden):
    data = json.loads((golden["base"] / "one" / "汇总.json").read_text(encoding="utf-8"))
    copied = [f for f in data["findings"] if f["code"] == "submission.copied-text"]
    assert sorted(f["unit"] for f in copied) == sorted([COPIED, COPIER])
    assert {f["task"] for f in copied} == {COPIED_TASK}
    dup = [f for f in data["findings"] if f["code"] == "submission.duplicate-return"]
    assert len(dup) == 1 and dup[0]["unit"] == "汶上县" and "修改版" in dup[0]["message"]
    assert [f["unit"] for f in data["findings"] if f["code"] == "submission.late"] == ["邹城市"]
    assert [f["unit"] for f in data["findings"] if f["code"] == "submission.missing"] == ["泗水县"]
    ws = openpyxl.load_workbook(golden["base"] / "one" / "汇总.xlsx")["校验问题"]
    codes = {ws.cell(r, 5).value for r in range(3, ws.max_row + 1)}
    assert {
        "submission.copied-text",
        "time.later-than-city",
        "unit.other-county",
        "cover.phone-missing",
    } <= codes


def test_connection_and_reliability_weighted_from_the_raw_files(golden):
    sums: dict[str, list[float]] = {}
    rel: dict[str, list[float]] = {}
    for unit in COUNTED:
        book = openpyxl.load_workbook(raw_file(golden["returns"], unit), read_only=True)
        ws = book[CONNECTION.name]
        for r in range(3, 3 + 6):
            n, total = ws.cell(r, 3).value, ws.cell(r, 8).value
            acc = sums.setdefault(ws.cell(r, 1).value, [0, 0])
            acc[0], acc[1] = acc[0] + n, acc[1] + total
        ws = book[RELIABILITY.name]
        for r in range(3, 3 + 3):
            acc = rel.setdefault(ws.cell(r, 1).value, [0, 0])
            acc[0], acc[1] = acc[0] + ws.cell(r, 3).value, acc[1] + ws.cell(r, 4).value
    data = json.loads((golden["base"] / "one" / "汇总.json").read_text(encoding="utf-8"))
    for row in data["connection_time"]:
        n, total = sums[row["type"]]
        assert row["connections"] == n
        assert row["average_days"] == pytest.approx(total / n, abs=1e-4)
    for row in data["reliability"]:
        customers, hours = rel[row["area"]]
        assert row["average_hours"] == pytest.approx(hours / customers, abs=1e-4)
    ws = openpyxl.load_workbook(golden["base"] / "one" / "汇总.xlsx")["办电时限汇总"]
    city = [r for r in range(3, ws.max_row + 1) if ws.cell(r, 2).value == "全市"]
    n, total = sums[ws.cell(city[0], 1).value]
    assert ws.cell(city[0], 8).value == pytest.approx(total / n)


def test_deterministic(golden):
    one, two = golden["base"] / "one", golden["base"] / "two"
    assert (one / "汇总.json").read_text() == (two / "汇总.json").read_text()
    assert (one / "报告.html").read_text() == (two / "报告.html").read_text()
    assert (one / "报告.md").read_text() == (two / "报告.md").read_text()
    a, b = (openpyxl.load_workbook(p / "汇总.xlsx") for p in (one, two))
    for ws in a.worksheets:
        other = b[ws.title]
        assert [[c.value for c in row] for row in ws.iter_rows()] == [
            [c.value for c in row] for row in other.iter_rows()
        ]


def test_returns_never_modified(golden):
    after = {p.name: sha(p) for p in golden["returns"].iterdir()}
    assert after == golden["before"]


@pytest.mark.slow
def test_summary_opens_in_libreoffice(golden, convert, tmp_path):
    pdf = convert(golden["base"] / "one" / "汇总.xlsx", "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_error_and_warning_totals_agree_everywhere(golden):
    """总览's 全市合计 adds up its column; the CLI line, the JSON, the HTML and the Markdown
    give the same figures, each recounted here from the 校验问题 and 来源 sheets."""
    book = openpyxl.load_workbook(golden["base"] / "one" / "汇总.xlsx")
    rows = overview(golden["base"] / "one" / "汇总.xlsx")
    for col in ("错误", "警告"):
        assert rows["全市合计"][col].value == sum(rows[u][col].value for u in EXPECTED)
    label = rows["全市合计"]["文件"].value
    assert f"计入 {len(COUNTED)} 个单位（不含退回、未报）" in label
    assert f"错误、警告为上列 {len(EXPECTED)} 个单位之和" in label
    # recount from 校验问题 (file, severity) and 来源 (file, use)
    problems = book["校验问题"]
    listed = [
        (problems.cell(r, 2).value, problems.cell(r, 4).value)
        for r in range(3, problems.max_row + 1)
    ]
    sources = book["来源"]
    use = {
        sources.cell(r, 1).value: sources.cell(r, 10).value for r in range(3, sources.max_row + 1)
    }
    tally: dict[str, dict[str, int]] = {}
    for file, severity in listed:
        scope = {"采用": "unit", "未采用（有较新版本）": "superseded", None: "missing"}.get(
            use.get(file), "uncounted"
        )
        for key in ("all", scope):
            tally.setdefault(key, {"错误": 0, "警告": 0})[severity] += 1
    assert tally["unit"] == {
        "错误": rows["全市合计"]["错误"].value,
        "警告": rows["全市合计"]["警告"].value,
    }
    assert tally["superseded"] == {"错误": 1, "警告": 1}  # 汶上县's first try: bad status, older
    expected = (
        f"错误 {tally['all']['错误']} 条，警告 {tally['all']['警告']} 条（其中总览所列各单位采用的台账："
        f"错误 {tally['unit']['错误']} 条、警告 {tally['unit']['警告']} 条；被新版本替代的台账：错误 1 条、"
        f"警告 1 条；未报单位：警告 {tally['missing']['警告']} 条）"
    )
    summary = golden["summary"]
    assert f"校验问题：{expected}" in summary.overview_text().splitlines()
    notes = [overview_note.value for overview_note in book["总览"]["A"] if overview_note.value]
    assert f"“校验问题”表共{expected}。" in notes
    data = json.loads((golden["base"] / "one" / "汇总.json").read_text(encoding="utf-8"))
    assert (data["city"]["errors"], data["city"]["warnings"]) == (
        tally["unit"]["错误"],
        tally["unit"]["警告"],
    )
    assert data["finding_counts"]["all"] == {
        "error": tally["all"]["错误"],
        "warning": tally["all"]["警告"],
    }
    html = (golden["base"] / "one" / "报告.html").read_text(encoding="utf-8")
    city_row = next(line for line in html.splitlines() if line.startswith('<tr class="city">'))
    assert label in city_row
    assert (
        f'<td class="n">{tally["unit"]["错误"]}</td><td class="n">{tally["unit"]["警告"]}</td>'
        in city_row
    )
    assert expected in html
    assert expected in (golden["base"] / "one" / "报告.md").read_text(encoding="utf-8")
