"""The Word documents (SPEC §6) read as XML: GB/T 9704 page set-up, grid, fonts and sizes in
the styles, page numbers, tables, every error of a 退回 return with the date to resend by, and
county text that stays text. The numbers asserted are recomputed here from millimetres and
points, not copied from the module."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import pytest
from lxml import etree

from addin.consolidate.build import consolidate
from addin.model.findings import make
from addin.write.documents import contexts, markup, word
from addin.write.documents.gbt9704 import STYLE_FONTS
from schemas.reference import load
from tests.handmade import city_due, ret, task

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
PERIOD = load().period("2021Y")
HOSTILE = (
    '## 一、伪造标题 | x | y | { PAGE } <w:fldSimple w:instr="PAGE"/> **不应加粗** @署名 伪造'
    " // 断行 \x07\x1b[31m\u202e反转\x00空\r\n换行"
)


def q(name: str) -> str:
    return f"{{{W}}}{name}"


def twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def part(data: bytes, name: str):
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


def text_of(element) -> str:
    return "".join(t.text or "" for t in element.iter(q("t")))


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    """The demo's 14 sample returns, consolidated as the demo does."""
    from addin.faces.demo import CONSOLIDATED_AT
    from addin.faces.samples import make_returns
    from addin.pipeline.run import consolidate_folder

    folder = tmp_path_factory.mktemp("returns")
    make_returns(folder, PERIOD)
    return consolidate_folder(folder, PERIOD, validated_at=CONSOLIDATED_AT)


@pytest.fixture(scope="module")
def docs(summary) -> dict[str, bytes]:
    return dict(word.documents(summary))


def test_one_report_one_circular_and_a_notice_per_returned_unit(summary, docs):
    returned = [u.unit for u in summary.units if u.status == "退回"]
    assert returned, "the demo has returns sent back"
    assert list(docs) == ["总结报告-2021Y.docx", "通报-2021Y.docx"] + [
        f"退回通知-{u}-2021Y.docx" for u in returned
    ]


def test_page_is_a4_with_the_gbt9704_margins_and_grid(docs):
    for name, data in docs.items():
        section = part(data, "word/document.xml").find(".//w:body/w:sectPr", NS)
        size, margins, grid = (section.find(f"w:{t}", NS) for t in ("pgSz", "pgMar", "docGrid"))
        assert (int(size.get(q("w"))), int(size.get(q("h")))) == (11906, 16838), name  # A4
        got = {k: int(margins.get(q(k))) for k in ("top", "bottom", "left", "right")}
        assert got == {"top": twips(37), "bottom": twips(35), "left": twips(28), "right": twips(26)}
        assert grid.get(q("type")) == "linesAndChars", name
        pitch, space = int(grid.get(q("linePitch"))), int(grid.get(q("charSpace")))
        height = 16838 - twips(37) - twips(35)
        width_pt = (11906 - twips(28) - twips(26)) / 20
        assert 22 * pitch <= height < 23 * pitch  # 22 lines a page
        char_pitch = 16 + space / 4096  # ECMA-376 §17.6.5, Normal at 16 pt
        assert 28 * char_pitch <= width_pt < 28 * (char_pitch + 1 / 4096)  # 28 a line


def style(styles, sid: str):
    found = styles.find(f"w:style[@w:styleId='{sid}']", NS)
    assert found is not None, sid
    return found


def test_fonts_sizes_and_language_are_in_the_styles(docs):
    sizes = {"仿宋_GB2312": 32, "方正小标宋简体": 44, "黑体": 32, "楷体_GB2312": 32}
    for name, data in docs.items():
        styles = part(data, "word/styles.xml")
        defaults = styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
        assert defaults.find("w:rFonts", NS).get(q("eastAsia")) == "仿宋_GB2312"
        assert defaults.find("w:sz", NS).get(q("val")) == "32"  # 3号
        assert defaults.find("w:lang", NS).get(q("eastAsia")) == "zh-CN"
        for sid, (font, pt) in STYLE_FONTS.items():
            run = style(styles, sid).find("w:rPr", NS)
            assert run.find("w:rFonts", NS).get(q("eastAsia")) == font, (name, sid)
            assert run.find("w:sz", NS).get(q("val")) == str(pt * 2), (name, sid)
            assert run.find("w:lang", NS).get(q("eastAsia")) == "zh-CN", (name, sid)
        # the official sizes: title 2号, body 3号, headings 3号
        assert style(styles, "GWTitle").find("w:rPr/w:sz", NS).get(q("val")) == "44"
        for sid, font in (
            ("GWBody", "仿宋_GB2312"),
            ("Heading1", "黑体"),
            ("Heading2", "楷体_GB2312"),
        ):
            assert int(style(styles, sid).find("w:rPr/w:sz", NS).get(q("val"))) == sizes[font]
        assert style(styles, "Heading1").find("w:pPr/w:outlineLvl", NS).get(q("val")) == "0"
        raw = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml")
        assert not re.search(rb"w:(ascii|eastAsia|hAnsi|cs)[Tt]heme=", raw), name
        settings = part(data, "word/settings.xml")
        assert settings.find("w:themeFontLang", NS).get(q("eastAsia")) == "zh-CN"
        assert settings.find("w:evenAndOddHeaders", NS) is not None


def test_paragraphs_use_the_title_and_heading_styles(docs):
    body = part(docs["总结报告-2021Y.docx"], "word/document.xml").find("w:body", NS)
    used = [
        (p.find("w:pPr/w:pStyle", NS).get(q("val")), text_of(p)) for p in body.findall("w:p", NS)
    ]
    assert used[0] == ("GWTitle", "济宁市能源局关于2021年度“获得电力”工作推进情况的报告")
    assert body.find("w:p/w:r/w:br", NS) is not None  # the title breaks where the template says
    assert ("Heading1", "一、总体进展") in used
    assert ("Heading2", "（一）压减办电时间") in used
    assert ("GWPlain", "省能源局：") in used
    assert used[-1] == ("GWPlain", "2022年1月10日")  # Arabic numerals, no zero padding
    assert used[-2] == ("GWPlain", "济宁市能源局")


def test_page_numbers_are_dash_n_dash_right_on_odd_left_on_even(docs):
    data = docs["通报-2021Y.docx"]
    z = zipfile.ZipFile(io.BytesIO(data))
    footers = sorted(n for n in z.namelist() if n.startswith("word/footer"))
    sides = set()
    for name in footers:
        footer = etree.fromstring(z.read(name))
        assert text_of(footer) == "— 1 —"
        assert [e.get(q("fldCharType")) for e in footer.iter(q("fldChar"))] == [
            "begin",
            "separate",
            "end",
        ]
        assert [e.text for e in footer.iter(q("instrText"))] == [" PAGE "]
        sides.add(footer.find(".//w:pPr/w:jc", NS).get(q("val")))
        assert footer.find(".//w:pPr/w:pStyle", NS).get(q("val")) == "GWPageNumber"
    assert sides == {"left", "right"}
    styles = part(data, "word/styles.xml")
    number = style(styles, "GWPageNumber").find("w:rPr", NS)
    assert number.find("w:rFonts", NS).get(q("eastAsia")) == "宋体"
    assert number.find("w:sz", NS).get(q("val")) == "28"  # 4号


def test_tables_repeat_their_header_have_borders_and_fill_the_width(docs):
    for name, data in docs.items():
        for table in part(data, "word/document.xml").iter(q("tbl")):
            rows = table.findall("w:tr", NS)
            assert rows[0].find("w:trPr/w:tblHeader", NS) is not None, name
            assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in rows[1:]), name
            borders = table.find("w:tblPr/w:tblBorders", NS)
            assert {e.tag.split("}")[1] for e in borders} == {
                "top",
                "left",
                "bottom",
                "right",
                "insideH",
                "insideV",
            }
            widths = [int(c.get(q("w"))) for c in table.findall("w:tblGrid/w:gridCol", NS)]
            assert sum(widths) == 11906 - twips(28) - twips(26), name


def cells(table) -> list[list[str]]:
    return [[text_of(c) for c in row.findall("w:tc", NS)] for row in table.findall("w:tr", NS)]


def test_report_tables_hold_connection_time_and_reliability(summary, docs):
    tables = [
        cells(t) for t in part(docs["总结报告-2021Y.docx"], "word/document.xml").iter(q("tbl"))
    ]
    heads = [t[0] for t in tables]
    assert ["客户类型", "接电户数", "平均时长", "时限", "超时限户数", "评价"] in heads
    connection = tables[
        heads.index(["客户类型", "接电户数", "平均时长", "时限", "超时限户数", "评价"])
    ]
    city = [r for r in summary.connection if r.unit == "全市"]
    assert [row[0] for row in connection[1:]] == [r.type for r in city]
    assert [row[2] for row in connection[1:]] == [markup.dec(r.average_days) for r in city]
    reliability = next(t for t in tables if t[0][0] == "区域")
    assert [row[0] for row in reliability[1:]] == ["市区", "城镇", "农村"]


def test_a_notice_lists_every_error_with_sheet_cell_problem_and_fix(summary, docs):
    for row in summary.units:
        if row.status != "退回":
            continue
        data = docs[f"退回通知-{row.unit}-2021Y.docx"]
        document = part(data, "word/document.xml")
        first = cells(next(document.iter(q("tbl"))))
        assert first[0] == ["序号", "工作表", "单元格", "问题", "修改方法"]
        errors = [f for f in row.ret.findings if f.is_error]
        assert errors
        assert first[1:] == [
            [
                str(i),
                f.sheet or "（整个文件）",
                f.cell or "—",
                markup.clean_text(f.message),
                markup.clean_text(f.hint),
            ]
            for i, f in enumerate(errors, 1)
        ]
        said = text_of(document)
        resend = contexts.working_days_after(summary.validated_at.date(), 5)
        assert f"于{markup.cn_date(resend)}前（汇总之日起5个工作日内）重新报送" in said
        assert row.file in said


@pytest.mark.parametrize(
    "start,days,expected",
    [
        (date(2022, 1, 10), 5, date(2022, 1, 17)),  # Monday → the next Monday
        (date(2022, 1, 28), 3, date(2022, 2, 7)),  # 春节: Jan 29/30 are make-up workdays
        (date(2022, 1, 28), 1, date(2022, 1, 29)),
        (date(2021, 9, 30), 1, date(2021, 10, 8)),  # 国庆
        (date(2049, 1, 1), 5, date(2049, 1, 8)),  # beyond chinesecalendar: Monday–Friday
    ],
)
def test_resend_date_counts_working_days(start, days, expected):
    assert contexts.working_days_after(start, days) == expected


def test_county_text_stays_text_never_markup_or_a_field():
    bad = make(
        "submission.missing",
        unit=HOSTILE,
        period="2021年度",
        due="2022-01-05",
        unknown="",
        severity="error",
    )
    hostile = ret("任城区", tasks=[task("1", "进度滞后", problems=HOSTILE)], extra=(bad,))
    s = consolidate([hostile], PERIOD, validated_at=datetime(2022, 1, 10), city_due=city_due)
    data = dict(word.documents(s))["退回通知-任城区-2021Y.docx"]
    raw = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    document = etree.fromstring(raw)
    for tag in ("fldSimple", "fldChar", "instrText", "hyperlink", "br"):
        found = list(document.iter(q(tag)))
        # the only break is the title's own
        assert len(found) == (1 if tag == "br" else 0), tag
    headings = [p.get(q("val")) for p in document.iter(q("pStyle"))]
    assert headings.count("Heading1") == 1  # 一、须修改的错误 only
    assert len(list(document.iter(q("tbl")))) == 1
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", raw)
    assert "\u202e" not in raw.decode()
    row = cells(next(document.iter(q("tbl"))))[1]
    assert "## 一、伪造标题 | x | y | { PAGE }" in row[3]
    assert '<w:fldSimple w:instr="PAGE"/> **不应加粗** @署名 伪造 // 断行' in row[3]
    assert document.find(".//w:tc//w:b", NS) is None
    assert "[31m反转空 换行" in row[3]


def test_the_same_summary_gives_the_same_bytes(summary, docs):
    assert dict(word.documents(summary)) == docs


def test_markup_structure_comes_from_the_template_only():
    tokens: list[str] = []
    env = markup.environment()
    marked = env.from_string("{{ a }}\n## {{ b }}\n| {{ c }} |\n# x//{{ d }}\n").render(
        a="# 标题\n## 二", b="x**y**", c="a|b", d="p//q", **{markup.TOKENS: tokens}
    )
    blocks = markup.parse(marked, tokens)
    assert [b.kind for b in blocks] == ["body", "h1", "table", "title"]
    assert blocks[0].text == "# 标题 ## 二"
    assert blocks[1].runs == [("x**y**", False)]
    assert blocks[2].rows == [["a|b"]]
    assert blocks[3].runs == [("x", False), markup.LINE_BREAK, ("p//q", False)]


def test_rates_are_never_rounded_up_to_100():
    assert markup.pct(0.99996) == "99.99%"
    assert markup.pct(1.0) == "100.00%"
    assert markup.pct(0.6286) == "62.86%"
    assert markup.pct(None) == "—"
