"""The summary workbook: sheets, values as values, text as text, atomic writes, determinism."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from addin.consolidate.build import consolidate
from addin.model.errors import OutputError
from addin.write.summary.book import SHEETS, write_summary
from schemas.reference import load
from tests.handmade import city_due, conn, rel, ret, task

PERIOD = load().period("2021Y")
HOSTILE = [
    '=HYPERLINK("http://evil.example","点我")',
    "@SUM(A1:A2)",
    "+1+1",
    "-2+3",
    "=cmd|' /C calc'!A0",
]


def summary():
    tasks = [
        task("1", "已完成", done=date(2021, 5, 1)),
        task("2", "进度滞后", progress=HOSTILE[0], problems=HOSTILE[1], plan=HOSTILE[2]),
        task("3", "序时推进"),
        task("L1", "序时推进", text=HOSTILE[3], progress=HOSTILE[4]),
    ]
    a = ret(
        "任城区",
        name="=evil.xlsx",
        tasks=tasks,
        connection=[
            conn(
                "低压居民和小微企业用户",
                100,
                {"受理并答复供电方案": 80, "验收送电": 90},
                170,
                note=HOSTILE[3],
            )
        ],
        reliability=[rel("市区", 1000, 1500, 1000, 2000)],
        sanling={"线上办电户数": 50, "低压居民报装户数": 100},
    )
    b = ret("兖州区", filed=date(2022, 1, 8))
    # sent back: every task on schedule (ongoing ones green by their figures), yet no light
    c = ret("曲阜市", tasks=[task("3", "序时推进"), task("4", "持续推进")], errors=1)
    return consolidate([a, b, c], PERIOD, validated_at=datetime(2022, 1, 10, 9), city_due=city_due)


@pytest.fixture(scope="module")
def book_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("summary") / "汇总.xlsx"
    write_summary(summary(), path)
    return path


def cells(path):
    book = openpyxl.load_workbook(path)
    return {
        ws.title: [
            [(c.value, c.data_type, c.number_format, c.fill.fgColor.rgb) for c in row]
            for row in ws.iter_rows()
        ]
        for ws in book.worksheets
    }


def test_sheets_in_the_contract_order(book_path):
    assert openpyxl.load_workbook(book_path).sheetnames == list(SHEETS)


def test_overview_rows_values_and_fills(book_path):
    ws = openpyxl.load_workbook(book_path)["总览"]
    header = [c.value for c in ws[2]]
    assert header[:3] == ["报送单位", "报送状态", "文件"]
    rows = {ws.cell(r, 1).value: r for r in range(3, 3 + 15)}
    r = rows["任城区"]
    col = {h: i + 1 for i, h in enumerate(header)}
    assert ws.cell(r, col["报送状态"]).value == "已报"
    # tasks 1 done, 2 behind (both with an end point), 3 持续推进 by the city: 完成率 1/2;
    # green 1 and 3 of 3: 推进正常率 2/3 (rounded as shown); task 1 due and done: 到期 1/1
    assert ws.cell(r, col["完成率"]).value == 0.5
    assert ws.cell(r, col["完成率"]).number_format == "0.00%"
    assert ws.cell(r, col["推进正常率"]).value == 0.6667
    assert ws.cell(r, col["到期完成率"]).value == 1.0
    assert ws.cell(r, col["滞后"]).value == 1
    assert ws.cell(r, col["红绿灯"]).value == "黄"
    assert ws.cell(r, col["红绿灯"]).fill.fgColor.rgb.endswith("FFEB9C")
    y = rows["兖州区"]
    assert ws.cell(y, col["报送状态"]).value == "迟报"
    assert ws.cell(y, col["逾期"]).value == 1  # task 1 due, 序时推进
    assert ws.cell(y, col["红绿灯"]).fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.cell(rows["泗水县"], col["报送状态"]).value == "未报"
    assert ws.cell(rows["泗水县"], col["红绿灯"]).value == "—"
    q = rows["曲阜市"]  # 退回: its figures are listed, its light is none (never green)
    assert ws.cell(q, col["报送状态"]).value == "退回"
    assert ws.cell(q, col["推进正常率"]).value == 1.0
    assert ws.cell(q, col["红绿灯"]).value == "—"
    assert ws.cell(q, col["红绿灯"]).fill.fgColor.rgb.endswith("EDEDED")
    assert ws.cell(rows["全市合计"], col["逾期"]).value == 1
    assert ws.freeze_panes == "B3"
    assert ws.page_setup.paperSize == 8 and ws.page_setup.orientation == "landscape"


def test_text_from_returns_is_never_a_formula(book_path):
    seen = set()
    for sheet in cells(book_path).values():
        for row in sheet:
            for value, dtype, _, _ in row:
                assert dtype != "f", value
                if value in HOSTILE or value == "=evil.xlsx":
                    assert dtype == "s"
                    seen.add(value)
    assert set(HOSTILE) | {"=evil.xlsx"} <= seen
    with zipfile.ZipFile(book_path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)


def test_two_native_charts(book_path):
    with zipfile.ZipFile(book_path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 2


def test_matrix_has_a_cell_per_task_and_unit(book_path):
    ws = openpyxl.load_workbook(book_path)["任务矩阵"]
    assert ws.cell(2, 5).value == "任城区" and ws.cell(2, 4 + 14).value.startswith(
        "济宁经济技术开发区"
    )
    assert ws.cell(3, 1).value == 1 and ws.cell(3 + 67, 1).value == 68
    assert ws.cell(3, 5).value == "已完成" and ws.cell(3, 5).fill.fgColor.rgb.endswith("C6EFCE")
    assert ws.cell(4, 5).value == "进度滞后" and ws.cell(4, 5).fill.fgColor.rgb.endswith("FFEB9C")
    assert ws.cell(3, 6).value == "序时推进" and ws.cell(3, 6).fill.fgColor.rgb.endswith("FFC7CE")
    # 曲阜市 (退回): its statuses are shown, but grey — a returned ledger has no lights
    assert ws.cell(2, 7).value == "曲阜市（退回）"
    assert ws.cell(5, 7).value == "序时推进" and ws.cell(5, 7).fill.fgColor.rgb.endswith("EDEDED")
    assert ws.cell(6, 7).value == "持续推进" and ws.cell(6, 7).fill.fgColor.rgb.endswith("EDEDED")
    assert ws.cell(3, 8).value == "未报"


def test_same_summary_same_cells(tmp_path, book_path):
    again = tmp_path / "again.xlsx"
    write_summary(summary(), again)
    assert cells(again) == cells(book_path)


def test_target_that_is_a_folder_gives_output_error(tmp_path):
    target = tmp_path / "汇总.xlsx"
    target.mkdir()
    with pytest.raises(OutputError) as err:
        write_summary(summary(), target)
    assert "无法写入" in err.value.message
    assert [p.name for p in tmp_path.iterdir()] == ["汇总.xlsx"]  # no temp file left


def test_missing_folders_are_created(tmp_path):
    out = write_summary(summary(), tmp_path / "汇总" / "2021" / "汇总.xlsx")
    assert openpyxl.load_workbook(out).sheetnames[0] == "总览"


def test_findings_and_sources_sheets(book_path):
    book = openpyxl.load_workbook(book_path)
    findings = book["校验问题"]
    codes = {findings.cell(r, 5).value for r in range(3, findings.max_row + 1)}
    assert {"submission.late", "submission.missing"} <= codes
    sources = book["来源"]
    assert sources.cell(3, 8).value == "0" * 64
    assert sources.cell(3, 9).value == datetime(2022, 1, 10)  # 汇总日期: the day


def test_rows_are_as_tall_as_their_wrapped_text(book_path):
    """Excel does not grow rows on open: a long task text gets a taller row than a short one."""
    ws = openpyxl.load_workbook(book_path)["任务矩阵"]
    texts = {r: ws.cell(r, 3).value for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value}
    longest = max(texts, key=lambda r: len(texts[r] or ""))
    shortest = min(texts, key=lambda r: len(texts[r] or ""))
    assert ws.row_dimensions[longest].height > ws.row_dimensions[shortest].height


def test_unit_columns_hold_the_longest_unit_name(book_path):
    longest = max((u.name for u in load().units), key=len)
    book = openpyxl.load_workbook(book_path)
    for name, header in (("总览", "报送单位"), ("校验问题", "单位"), ("办电时限汇总", "单位")):
        ws = book[name]
        col = next(c for c in range(1, ws.max_column + 1) if ws.cell(2, c).value == header)
        assert ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width >= 2 * len(longest)


def sheet_rows(path, name):
    ws = openpyxl.load_workbook(path)[name]
    header = [c.value for c in ws[2]]
    return header, [
        dict(zip(header, [c.value for c in row], strict=False)) for row in ws.iter_rows(3)
    ]


def test_attachment1_verdicts_and_rates_as_shown(tmp_path):
    """按时率 of 0.99996 is written 0.9999 (Excel shows 99.99%, never 100.00%), and 达到 needs
    nobody over the limit."""
    low, double = "低压居民和小微企业用户", "10千伏双电源用户"
    a = ret(
        "任城区",
        connection=[
            conn(low, 25000, {"受理并答复供电方案": 20000, "验收送电": 20000}, 40000, over=1),
            conn(double, 10, {"受理并答复供电方案": 60}, 150, over=2, note="客户原因延期"),
        ],
    )
    s = consolidate([a], PERIOD, validated_at=datetime(2022, 1, 10, 9), city_due=city_due)
    path = write_summary(s, tmp_path / "s.xlsx")
    header, rows = sheet_rows(path, "办电时限汇总")
    verdict = next(h for h in header if h and h.startswith("是否达到"))
    city = {r["客户类型"]: r for r in rows if r["单位"] == "全市"}
    assert city[low]["按时率"] == 0.9999 and city[low][verdict] == "未达到"
    assert city[double][verdict] == "基本达到（2 户超时限）"
    assert city["10千伏单电源用户（1250千伏安及以下）"][verdict] == "—"


def test_h1_reliability_sheet_says_the_target_is_for_reference(tmp_path):
    h1 = load().period("2021H1")
    a = ret("任城区", period="2021H1", reliability=[rel("市区", 1000, 1200, 1000, 1250)])
    s = consolidate([a], h1, validated_at=datetime(2021, 7, 1, 9), city_due=city_due)
    path = write_summary(s, tmp_path / "s.xlsx")
    header, rows = sheet_rows(path, "供电可靠性汇总")
    assert "全年目标（小时，仅供参考）" in header and "达到全年目标（参考）" in header
    city = next(r for r in rows if r["区域"] == "市区" and r["单位"] == "全市")
    # 1.2 h is under the annual 1.59 h, but only 4 % below last H1: not met in an H1 period
    assert (city["达到全年目标（参考）"], city["是否达标"]) == ("达标", "未达标")
    title = openpyxl.load_workbook(path)["供电可靠性汇总"]["A1"].value
    assert "同比压降 8% 认定达标" in title
    year = consolidate(
        [ret("任城区", reliability=[rel("市区", 1000, 1200, 1000, 1250)])],
        PERIOD,
        validated_at=datetime(2022, 1, 10, 9),
        city_due=city_due,
    )
    header, rows = sheet_rows(write_summary(year, tmp_path / "y.xlsx"), "供电可靠性汇总")
    assert "目标（小时）" in header
    assert (
        next(r for r in rows if r["单位"] == "全市" and r["区域"] == "市区")["是否达标"] == "达标"
    )


def test_a_return_with_absurd_magnitudes_never_stops_the_writers(tmp_path):
    """Issue 11 item 2: 上年同期用户数 = 1.7e308 made consolidate exit 2 ([internal], XlsxWriter
    refused inf) and write nothing. Now every output is written, counted or not."""
    import json

    from click.testing import CliRunner

    from addin.faces.cli import cli
    from addin.faces.samples import make_returns
    from schemas.sheets import FIRST_DATA_ROW, RELIABILITY

    paths = make_returns(tmp_path / "in", PERIOD, units=["任城区", "兖州区"], mistakes=False)
    book = openpyxl.load_workbook(paths[0])
    ws = book[RELIABILITY.name]
    for header, value in (("上年同期用户数", 1.7e308), ("上年同期停电时户数", 1.0)):
        ws.cell(FIRST_DATA_ROW, RELIABILITY.headers.index(header) + 1).value = value
    book.save(paths[0])
    out = tmp_path / "out"
    for extra in ([], ["--include-invalid"]):
        args = ["consolidate", str(tmp_path / "in"), "--period", "2021Y", "-o", str(out / "s.xlsx")]
        args += ["--json", str(out / "s.json"), "--report", str(out / "r.html")]
        args += ["--markdown", str(out / "r.md"), *extra]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code in (0, 1), result.output  # never 2: the data decides
        assert "[internal]" not in result.output

        def strict(token):
            raise AssertionError(f"JSON holds {token}")

        data = json.loads((out / "s.json").read_text(encoding="utf-8"), parse_constant=strict)
        assert data["period"] == "2021Y"
        for name in ("r.html", "r.md"):
            text = (out / name).read_text(encoding="utf-8")
            assert not re.search(r"\b(inf|nan|infinity)\b", text, flags=re.I), name
        assert openpyxl.load_workbook(out / "s.xlsx").sheetnames == list(SHEETS)
