"""The Word documents through LibreOffice Writer (SPEC §6): each converts to PDF — the file as
delivered and its preview copy, with the 公文 fonts aliased by docs/fonts/fonts.conf — on an A4
page inside the GB/T 9704 margins, and the PDF's text holds the figures of the JSON."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from addin.write import report
from addin.write.documents import markup, preview, word
from schemas.reference import load
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

PERIOD = load().period("2021Y")
FONTS = ROOT / "docs" / "fonts" / "fonts.conf"
PT_PER_MM = 72 / 25.4


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    from addin.faces.demo import CONSOLIDATED_AT
    from addin.faces.samples import make_returns
    from addin.pipeline.run import consolidate_folder

    work = tmp_path_factory.mktemp("word")
    make_returns(work / "returns", PERIOD)
    summary = consolidate_folder(work / "returns", PERIOD, validated_at=CONSOLIDATED_AT)
    paths = word.write_documents(summary, work / "word")
    data = json.loads(report.to_json(summary))
    exact = preview.to_pdf(paths, work / "exact", FONTS, exact=True)
    shown = preview.to_pdf(paths, work / "preview", FONTS)
    return data, {p.name: (e, s) for p, e, s in zip(paths, exact, shown, strict=True)}


def flat(pdf) -> str:
    """The PDF's text without any white space (lines break anywhere in Chinese, and LibreOffice
    spaces Latin runs from CJK ones)."""
    return re.sub(r"\s+", "", preview.pdf_text(pdf))


def test_every_document_converts_both_as_delivered_and_as_previewed(made):
    _, pdfs = made
    for name, (exact, shown) in pdfs.items():
        for pdf in (exact, shown):
            assert pdf.exists() and preview.pages(pdf) >= 1, name
        # the delivered grid shows 14 a line in LibreOffice (docs/WORD.md); the preview 28
        assert preview.pages(exact) >= preview.pages(shown), name


def word_boxes(pdf, page: int) -> list[tuple[float, float, float, float, str]]:
    xml = subprocess.run(
        [preview.tool("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [(*map(float, m[:4]), m[4]) for m in re.findall(pattern, xml)]


def test_pages_are_a4_and_the_text_keeps_inside_the_margins(made):
    _, pdfs = made
    for name, (_, pdf) in pdfs.items():
        info = subprocess.run(
            [preview.tool("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
        ).stdout
        width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
        assert (round(width), round(height)) == (595, 842), name  # A4 in points
        boxes = word_boxes(pdf, 1)
        body = [b for b in boxes if b[3] < height - 35 * PT_PER_MM]  # above the bottom margin
        left = min(b[0] for b in body)
        assert abs(left - 28 * PT_PER_MM) < 3, (name, left)  # the addressee is flush left
        right = width - 26 * PT_PER_MM
        for *box, said in body:
            # a closing mark may hang one character into the margin, as Word lets it (避头尾)
            hang = 16 if said[-1:] in "，。、；：？！）”" else 2
            assert box[2] <= right + hang, (name, said, box)
        assert min(b[1] for b in body) >= 37 * PT_PER_MM - 2, name
        number = [b for b in boxes if b[1] > height - 35 * PT_PER_MM]
        assert number, f"{name}: no page number below the text"


def test_the_report_holds_the_figures_of_the_json(made):
    data, pdfs = made
    text = flat(pdfs["总结报告-2021Y.docx"][0])
    city = data["city"]
    for figure in (
        f"完成率{markup.pct(city['completion_rate'])}",
        f"推进正常率{markup.pct(city['on_track_rate'])}",
        f"到期完成率{markup.pct(city['due_completion_rate'])}",
        f"逾期未完成{city['overdue']}项",
        f"进度滞后或未启动{city['lagging']}项",
        f"工作任务{city['tasks_applicable']}项",
    ):
        assert figure in text, figure
    for unit in data["units"]:
        row = (
            f"{unit['unit']}{unit['status']}{markup.pct(unit['completion_rate'])}"
            f"{markup.pct(unit['on_track_rate'])}{markup.pct(unit['due_completion_rate'])}"
        )
        assert row in text, row
    for row in data["connection_time"]:
        said = f"{row['connections']}{markup.dec(row['average_days'])}{row['limit_days']}"
        said += str(row["over_limit"])
        assert said + re.sub(r"\s+", "", row["verdict_text"]) in text, row["type"]
    for row in data["reliability"]:
        assert f"{row['area']}{row['customers']}{markup.dec(row['average_hours'])}" in text
    for row in data["sanling"]:
        value = markup.dec(row["total"]) if row["unit_of_measure"] == "万元" else str(row["total"])
        assert f"{value}{row['unit_of_measure']}" in text, row["indicator"]
    assert "—1—" in text and "—2—" in text  # page numbers


def test_the_circular_holds_the_states_rates_and_lagging_tasks(made):
    data, pdfs = made
    text = flat(pdfs["通报-2021Y.docx"][0])
    for state, word_ in (
        ("已报", "按期报送"),
        ("迟报", "迟报"),
        ("退回", "退回修改"),
        ("未报", "未报送"),
    ):
        names = [u["unit"] for u in data["units"] if u["status"] == state]
        assert f"{word_}（{len(names)}个）：{'、'.join(names) or '无'}。" in text
    for unit in data["units"]:
        assert f"{unit['unit']}{unit['status']}{markup.pct(unit['completion_rate'])}" in text
    for item in data["lagging"]:
        assert f"{item['unit']}第{item['task']}项" in text


def test_each_notice_holds_every_error_cell_and_the_resend_date(made):
    data, pdfs = made
    for unit in (u for u in data["units"] if u["status"] == "退回"):
        text = flat(pdfs[f"退回通知-{unit['unit']}-2021Y.docx"][0])
        errors = [
            f for f in data["findings"] if f["unit"] == unit["unit"] and f["severity"] == "error"
        ]
        assert f"有{len(errors)}处错误" in text
        for f in errors:
            assert f"{f['sheet']}{f['cell']}" in text, f
        assert "于2022年1月17日前" in text  # 2022-01-10 + 5 working days
