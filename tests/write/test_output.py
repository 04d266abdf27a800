"""addin.write.results: text, JSON (SPEC §3) and HTML renderings of validated returns."""

from __future__ import annotations

import json
import re

from addin.model.findings import Finding, ordered
from addin.model.ledger import Return, Source
from addin.write.results import FINDING_FIELDS, render


def finding(
    code="time.later-than-city",
    severity="error",
    sheet="任务台账",
    cell="G14",
    message="县级完成时限（2022年底前）晚于市定完成时间（2021年6月底前）",
    hint="填写不晚于 2021年6月底前 的时限",
    value="2022年底前",
    task="12",
) -> Finding:
    row = int(re.sub(r"\D", "", cell)) if cell else None
    return Finding(
        code,
        severity,
        sheet,
        cell,
        row,
        "县级完成时限" if cell else None,
        task,
        value,
        message,
        hint,
    )


def ret(name="a.xlsx", findings=(), unit="任城区", period="2021Y") -> Return:
    return Return(
        Source(f"in/{name}", name, "0" * 64, 1, 0.0, "xlsx"),
        unit,
        period,
        None,
        "1.0",
        findings=tuple(findings),
    )


WARN = finding(
    "cover.reviewer-missing", "warning", "封面", "B7", "审核人未填写", "填写审核人姓名", None, None
)
FILE = finding(
    "file.not-template", "warning", None, None, "不是本模板生成的文件", "使用模板", None, None
)
ERR = finding()


def test_json_is_spec_structure_in_stable_order():
    out = render([ret("a.xlsx", [ERR, WARN, FILE]), ret("b.xlsx")], "json")
    data = json.loads(out)
    assert list(data) == ["files"]
    first, second = data["files"]
    assert list(first) == ["file", "unit", "period", "ok", "counts", "findings"]
    assert first["file"] == "in/a.xlsx" and first["unit"] == "任城区" and first["period"] == "2021Y"
    assert first["ok"] is False and first["counts"] == {"error": 1, "warning": 2}
    assert [list(f) for f in first["findings"]] == [list(FINDING_FIELDS)] * 3
    # whole-file first, then sheets in ledger order (封面 before 任务台账)
    assert [f["code"] for f in first["findings"]] == [
        "file.not-template",
        "cover.reviewer-missing",
        "time.later-than-city",
    ]
    assert first["findings"][2]["cell"] == "G14" and first["findings"][2]["row"] == 14
    assert second["ok"] is True and second["findings"] == []
    assert "\\u" not in out  # Chinese kept readable
    # deterministic whatever order the validator produced
    assert render([ret("a.xlsx", [WARN, FILE, ERR]), ret("b.xlsx")], "json") == out


def test_order_by_row_then_column():
    g20 = finding(cell="G20")
    c20 = finding(cell="C20", code="task.text-altered")
    g9 = finding(cell="G9")
    assert [f.cell for f in ordered([g20, g9, c20])] == ["G9", "C20", "G20"]


def test_text_groups_by_file_in_chinese():
    out = render([ret("a.xlsx", [ERR, WARN]), ret("b.xlsx", unit=None, period=None)], "text")
    lines = out.splitlines()
    assert lines[0].startswith("a.xlsx  任城区 · 2021年度 · 错误 1 个，警告 1 个")
    assert "  [警告] 封面!B7 cover.reviewer-missing  审核人未填写  → 提示：填写审核人姓名" in lines
    assert (
        "  [错误] 任务台账!G14 time.later-than-city  县级完成时限（2022年底前）晚于市定完成时间"
        "（2021年6月底前）  → 提示：填写不晚于 2021年6月底前 的时限"
    ) in lines
    assert any(line.startswith("b.xlsx  （单位未识别） · （未识别）") for line in lines)
    assert "  未发现问题" in lines
    assert lines[-1] == "合计：2 个文件，1 个有错误（退回），1 个通过；错误 1 个，警告 1 个"


def test_text_file_level_finding_says_whole_file():
    out = render([ret(findings=[FILE])], "text")
    assert "  [警告] 整个文件 file.not-template  不是本模板生成的文件" in out


def test_html_single_self_contained_page_escapes_text():
    evil = finding(
        value="<script>alert(1)</script>", message="含有<script>alert(1)</script>", hint="删除 <b>"
    )
    out = render([ret("a&b.xlsx", [evil, WARN]), ret("c.xlsx")], "html")
    assert out.count("<html") == 1 and out.count("</html>") == 1
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "a&amp;b.xlsx" in out
    assert not re.search(r"https?://", out)
    assert not re.search(r"<(link|img|script)\b", out)
    assert 'class="error"' in out and 'class="warning"' in out
    assert "任务台账!G14" in out and "2021年度" in out
    assert render([ret("a&b.xlsx", [WARN, evil]), ret("c.xlsx")], "html") == out
