"""The finding catalogue as data: codes, severities, placeholders, the generated docs; and
the pandera mapping (unmapped failures stay visible, the quick path agrees with pandera)."""

import re
import string
import tomllib
from datetime import date

import pytest

from addin.model.findings import FAMILIES, SEVERITIES, catalogue
from addin.validate import pandera_map
from addin.write import findings_doc
from tests import factory
from tests.conftest import ROOT
from tests.validate_helpers import run

MINE = ("file", "cover", "task", "unit", "time", "status", "indicator")
KEBAB = re.compile(r"^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$")


def my_codes() -> dict[str, dict]:
    codes = {}
    for name in MINE:
        codes.update(
            tomllib.loads((ROOT / f"schemas/data/findings/{name}.toml").read_text("utf-8"))
        )
    return codes


def test_codes_are_kebab_case_with_a_valid_family_and_severity():
    entries = catalogue()
    assert entries, "catalogue is empty"
    for code, entry in entries.items():
        assert KEBAB.match(code), code
        assert code.split(".")[0] in FAMILIES, code
        assert entry.severity in SEVERITIES, code
        assert entry.title and entry.message, code
        for text in (entry.message, entry.hint):
            list(string.Formatter().parse(text))  # well-formed braces


def test_my_codes_are_unique_across_files():
    seen = {}
    for name in sorted((ROOT / "schemas/data/findings").glob("*.toml")):
        for code in tomllib.loads(name.read_text("utf-8")):
            assert code not in seen, f"{code} in {name.name} and {seen[code]}"
            seen[code] = name.name


def test_findings_doc_is_up_to_date():
    assert (ROOT / "docs/FINDINGS.md").read_text("utf-8") == findings_doc.render(), (
        "run: python -m addin.write.findings_doc"
    )


def _scenarios():
    """Mutations that, together, make every code of my catalogue files (except the
    check-failed fallbacks, tested below). Rendering them proves each code's maker supplies
    every placeholder of its message and hint (findings.make raises otherwise)."""
    wb = factory.build()
    C, R, S, V = (
        factory.CONNECTION,
        factory.RELIABILITY,
        factory.SANLING,
        factory.COVER,
    )
    dual, low = "10千伏双电源用户", "低压居民和小微企业用户"
    yield factory.build(meta=False)
    yield factory.Workbook(
        {"S1": factory.Sheet("S1", (("姓名",),))}, wb.source, wb.format
    )  # not a ledger
    yield factory.set_cover(factory.set_cover(wb, "报送单位", None), "报送期次", None)
    yield factory.set_cover(factory.set_cover(wb, "报送单位", "济南"), "报送期次", "x")
    yield factory.set_cover(factory.build("兖州区"), "报送单位", "兖州市")
    yield factory.set_cover(wb, "报送单位", "曲阜市")  # a file made for 任城区
    for item in ("填报人", "联系电话", "审核人", "填报日期"):
        yield factory.set_cover(wb, item, None)
    yield factory.set_cover(factory.set_cover(wb, "联系电话", "1"), "填报日期", "x")
    yield factory.set_cover(factory.set_cover(wb, "填报日期", date(2030, 1, 1)), "模板版本", "0.1")
    yield factory.delete_row(wb, "封面", factory.label_row(wb, V, "审核人"))
    yield factory.set_cell(wb, "任务台账", 2, 8, "状态")
    yield factory.Workbook(
        {k: v for k, v in wb.sheets.items() if k != "三零三省"},
        wb.source,
        wb.format,
        wb.date1904,
        wb.meta,
    )
    yield factory.delete_row(wb, "办电时限", factory.label_row(wb, C, dual))
    yield factory.delete_row(wb, "供电可靠性", 2)  # the header row
    w = wb
    for tid in ("40", "41", "42"):  # texts not the city's: the rows are known by 序号 alone
        w = factory.set_task(w, tid, "工作目标任务", f"自拟{tid}")
    w = factory.set_task(w, "40", "序号", "39")
    w = factory.set_task(w, "41", "序号", "abc")
    w = factory.set_task(w, "42", "序号", None)
    w = factory.set_task(w, "45", "序号", "44")  # the text is 45's: a mistyped 序号
    w = factory.set_task(w, "20", "完成时间", "2022年底前")
    w = factory.set_task(factory.set_task(w, "67", "工作目标任务", "自拟67"), "67", "序号", "L1")
    yield w
    last = factory.task_row(wb, "68") + 1
    yield factory.set_cell(
        factory.set_cell(wb, "任务台账", last, 1, "L1"), "任务台账", last, 6, "x"
    )
    w = factory.set_task(wb, "1", "县级责任单位", "曲阜市供电中心、老王")
    w = factory.set_task(w, "2", "县级责任单位", None)
    w = factory.set_task(w, "17", "县级完成时限", "2022年底前")
    w = factory.set_task(w, "18", "县级完成时限", "x")
    w = factory.set_task(w, "21", "县级完成时限", None)
    w = factory.set_task(w, "25", "县级完成时限", "5月前")
    w = factory.set_task(w, "35", "完成日期", "x")
    w = factory.set_task(w, "36", "完成日期", date(2022, 1, 6))
    w = factory.set_task(w, "37", "完成日期", date(2022, 1, 2))
    w = factory.set_task(w, "40", "完成日期", date(2020, 1, 2))
    yield w
    w = factory.set_task(wb, "10", "完成状态", None)
    w = factory.set_task(w, "14", "完成状态", "x")
    w = factory.set_task(w, "17", "完成日期", None)
    w = factory.set_task(w, "19", "完成日期", date(2021, 5, 1))
    w = factory.set_task(factory.set_task(w, "9", "完成状态", "序时推进"), "9", "完成日期", None)
    w = factory.set_task(w, "24", "完成状态", "进度滞后")
    w = factory.set_task(w, "26", "进展情况", None)
    w = factory.set_task(factory.set_task(w, "27", "完成状态", "不适用"), "27", "进展情况", None)
    w = factory.set_task(w, "28", "进展情况", "短")
    w = factory.set_task(w, "28", "联系电话", "1")
    yield w
    w = factory.set_row_value(wb, C, low, factory.step_header("设计审查"), 1)
    w = factory.set_row_value(w, C, dual, "接电户数", "x")
    yield w
    for header, value in (
        ("接电户数", -1),
        ("接电户数", 1.5),
        ("合计累计（工作日）", None),
        ("合计累计（工作日）", 500),  # a sum, not the steps' sum
        ("合计累计（工作日）", 1),  # 100 customers: the average typed
        ("最长办理时长（工作日）", 1),
        ("最长办理时长（工作日）", 5000),
        ("超时限户数", 1000),
        ("最长办理时长（工作日）", 25),
        ("接电户数", 0),
    ):
        yield factory.set_row_value(wb, C, dual, header, value)
    yield factory.set_row_value(
        factory.set_row_value(wb, C, dual, "最长办理时长（工作日）", 25), C, dual, "超时限户数", 1
    )
    few = factory.set_row_value(wb, C, dual, "接电户数", 3)  # too few to call it an average
    few = factory.set_row_value(few, C, dual, "合计累计（工作日）", 10)
    for step in ("受理并答复供电方案", "设计审查", "中间检查", "验收送电"):
        few = factory.set_row_value(few, C, dual, factory.step_header(step), None)
    yield factory.set_row_value(few, C, dual, "最长办理时长（工作日）", 12)
    empty = wb
    for row in range(3, 9):
        for col in range(3, 12):
            empty = factory.set_cell(empty, "办电时限", row, col, None)
    yield empty
    yield factory.set_row_value(wb, R, "市区", "用户数", 0)
    rural = wb
    for header in ("用户数", "停电时户数", "停电户次", "上年同期用户数", "上年同期停电时户数"):
        rural = factory.set_row_value(rural, R, "农村", header, None)
    yield rural
    yield factory.set_row_value(wb, R, "市区", "停电时户数", 10**10)
    yield factory.set_row_value(wb, R, "市区", "停电时户数", 10**6)
    yield factory.set_cell(wb, "三零三省", 13, 1, "多的")
    yield factory.set_row_value(wb, S, "其中享受“三零”服务户数", "数值", 1000)
    yield factory.set_row_value(wb, S, "线上办电户数", "数值", 1000)
    yield factory.set_cover(wb, "报送期次", "2022Y")  # not asked: run with --period below
    # issue 10: formulas, hidden copies, local rows, units, figures, cross-sheet sense
    w = factory.set_cover(wb, "审核人", "#N/A")
    w = factory.set_cover(w, "填报人", "=B9")  # =B9 is followed; =TODAY() cannot be
    w = factory.set_cover(w, "填报日期", "=TODAY()")
    w = factory.set_task(w, "20", "进展情况", "#REF!")
    w = factory.set_task(w, "21", "联系电话", "=CONCAT(A1,B1)")
    w = factory.set_row_value(w, C, low, "接电户数", "#DIV/0!")
    w = factory.set_row_value(w, S, "线上办电户数", "数值", "=SUM(B3:B9)")
    hidden = factory.Sheet("任务台账 (2)", wb.sheets["任务台账"].rows, hidden=True)
    yield factory.Workbook(
        {**w.sheets, hidden.name: hidden}, w.source, w.format, w.date1904, w.meta
    )
    last = factory.task_row(wb, "68")
    w = wb
    for n in range(1, 203):
        w = factory.set_cell(w, "任务台账", last + n, 1, f"L{n}")
        w = factory.set_cell(w, "任务台账", last + n, 3, "本地任务")
    yield w
    w = factory.set_task(wb, "1", "县级责任单位", "各县（市、区）电力主管部门、各供电企业")
    w = factory.set_task(w, "2", "县级责任单位", "任城区发改局、国网济宁供电公司")
    w = factory.set_task(w, "3", "县级完成时限", "已于2021年6月完成")
    yield w
    w = factory.set_row_value(wb, C, low, "超时限户数", 1)
    w = factory.set_row_value(w, C, low, "最长办理时长（工作日）", 3)
    w = factory.set_row_value(w, C, low, "说明", "客户原因")
    w = factory.set_row_value(w, S, "其中享受“三零”服务户数", "数值", 90)
    w = factory.set_row_value(w, R, "市区", "停电时户数", 350000 * 2)
    w = factory.set_row_value(w, R, "市区", "说明", "线路改造")
    w = factory.set_row_value(w, R, "城镇", "停电时户数", 1.25)
    w = factory.set_row_value(w, C, dual, "接电户数", 1.7e308)
    yield w


def test_every_code_is_made_and_renders_fully():
    made = set()
    for wb in _scenarios():
        for f in run(wb, period_code="2021Y").findings:
            assert "{" not in f.message + f.hint, f
            assert f.severity == catalogue()[f.code].severity or f.code.endswith("check-failed")
            made.add(f.code)
    expected = {c for c in my_codes() if not c.endswith(".check-failed")}
    assert expected - made == set()


def test_unmapped_pandera_failure_stays_visible(monkeypatch):
    rules = dict(pandera_map.RULES)
    del rules[("total_matches_steps", None)]
    monkeypatch.setattr(pandera_map, "RULES", rules)
    wb = factory.set_row_value(
        factory.build(), factory.CONNECTION, "10千伏双电源用户", "合计累计（工作日）", 500
    )
    unmapped = [f for f in run(wb).findings if f.code == "indicator.check-failed"]
    assert len(unmapped) == 1 and unmapped[0].sheet == "办电时限"
    assert "total_matches_steps" in unmapped[0].message


@pytest.mark.parametrize("period_code", ["2021Y", "2021P"])
def test_quick_path_agrees_with_pandera(monkeypatch, period_code):
    scenarios = list(_scenarios())[:: 1 if period_code == "2021Y" else 4]
    quick = [run(wb, period_code=period_code).findings for wb in scenarios]
    original = pandera_map.run_model

    def always_pandera(*args, **kw):
        return original(*args, **{**kw, "quick": False})

    monkeypatch.setattr("addin.validate.validator.run_model", always_pandera)
    full = [run(wb, period_code=period_code).findings for wb in scenarios]
    assert quick == full
