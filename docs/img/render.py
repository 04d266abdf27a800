"""Re-draw the pictures of docs/GUIDE.md and docs/WORD.md from the program's real output: the
demo's sample returns and summary, a blank template, an annotated (--mark) copy and the Word
documents, printed to PDF by LibreOffice headless and cut to PNG by pdftoppm (poppler-utils).
The Word documents print through their preview copies with the 公文 fonts aliased
(addin/write/documents/preview.py, docs/fonts/fonts.conf). The PNGs are committed, so tests
never need either tool. Run from the checkout: .venv/bin/python docs/img/render.py"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

LIMIT = 200_000  # bytes per picture
# picture name → (source key, words on the first line of the page, resolution in dpi,
# the most of the page to show, in points from the top of its text)
PICTURES = {
    "template-tasks.png": ("template", "工作任务台账", 90, 330),
    "marked-tasks.png": ("marked", "工作任务台账", 90, 240),
    "summary-overview.png": ("summary", "任务台账汇总", 90, 300),
    "summary-matrix.png": ("summary", "任务完成状态矩阵", 80, 221),
}


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        hint = "apt-get install -y poppler-utils" if name.startswith("pdf") else "libreoffice-calc"
        raise SystemExit(f"缺少 {name}：请先安装（{hint}）")
    return path


def to_pdf(src: Path, outdir: Path) -> Path:
    profile = outdir / ".lo-profile"
    subprocess.run(
        [
            tool("soffice"),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(outdir)},
    )
    return outdir / f"{src.stem}.pdf"


def text_box(pdf: Path, page: int) -> tuple[float, float, float, float]:
    """The box around every word printed on the page, in points: left, top, right, bottom."""
    xml = subprocess.run(
        [tool("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
    ).stdout
    boxes = [
        tuple(float(v) for v in m)
        for m in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', xml)
    ]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def find_page(pdf: Path, start: str) -> int:
    """The first page whose first line of text contains `start`."""
    info = subprocess.run([tool("pdfinfo"), str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    for page in range(1, pages + 1):
        text = subprocess.run(
            [tool("pdftotext"), "-f", str(page), "-l", str(page), str(pdf), "-"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        if start in text.splitlines()[0] if text else False:
            return page
    raise SystemExit(f"{pdf.name}：没有以“{start}”开头的页")


def crop(pdf: Path, page: int, dpi: int, most: float, target: Path) -> None:
    """Cut the page's printed area (plus a margin for the table borders), at most `most`
    points tall, to a PNG."""
    margin = 8
    left, top, right, bottom = text_box(pdf, page)
    left, top = max(left - margin, 0), max(top - margin, 0)
    right, bottom = right + margin, min(bottom + margin, top + most)
    scale = dpi / 72
    subprocess.run(
        [
            tool("pdftoppm"),
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            "-x",
            str(round(left * scale)),
            "-y",
            str(round(top * scale)),
            "-W",
            str(round((right - left) * scale)),
            "-H",
            str(round((bottom - top) * scale)),
            str(pdf),
            str(target.with_suffix("")),
        ],
        check=True,
    )


def sources(work: Path) -> dict[str, Path]:
    """The workbooks to photograph, all made by the program itself."""
    from addin.faces.demo import demo_paths, run_demo
    from addin.pipeline.collect import validate_file
    from addin.write.mark import write_marked
    from addin.write.template.book import write_ledger
    from schemas.reference import load

    period = load().period("2021Y")
    run_demo(work / "demo")
    blank = write_ledger("任城区", period, work / "blank")
    # 微山县's sample sets a deadline later than the city's: a typical annotated copy
    wrong = next((work / "demo" / "returns").glob("微山县*.xlsx"))
    marked = write_marked([validate_file(wrong, period=period)], work / "marked")
    return {
        "template": blank,
        "marked": Path(marked[0].path),
        "summary": demo_paths(work / "demo")["summary"],
    }


# picture name → (document file name, page); one page of each kind of document
DOCUMENTS = {
    "word-report.png": ("总结报告-2021Y.docx", 1),
    "word-circular.png": ("通报-2021Y.docx", 1),
    "word-notice.png": ("退回通知-微山县-2021Y.docx", 1),
}
DOCUMENT_DPI = 60


def documents(work: Path) -> None:
    """A page of each Word document the demo writes, whole (the page is the point: margins,
    title, grid, page number)."""
    from addin.faces.demo import demo_paths
    from addin.write.documents import preview

    folder = demo_paths(work / "demo")["word"]
    wanted = [folder / name for name, _ in DOCUMENTS.values()]
    fonts = ROOT / "docs" / "fonts" / "fonts.conf"
    pdfs = dict(zip(wanted, preview.to_pdf(wanted, work / "pdf-word", fonts), strict=True))
    for picture, (name, page) in DOCUMENTS.items():
        target = HERE / picture
        preview.to_png(pdfs[folder / name], target, page=page, dpi=DOCUMENT_DPI)
        report(target)


def report(target: Path) -> None:
    size = target.stat().st_size
    flag = "" if size < LIMIT else "  ← 超过 200 KB，请缩小裁剪范围"
    print(f"{target.relative_to(ROOT)}  {size // 1024} KB{flag}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="taizhang-img-") as tmp:
        work = Path(tmp)
        books = sources(work)
        pdfs = {}
        for key, book in books.items():
            outdir = work / f"pdf-{key}"
            outdir.mkdir()
            pdfs[key] = to_pdf(book, outdir)
        for name, (key, start, dpi, most) in PICTURES.items():
            target = HERE / name
            crop(pdfs[key], find_page(pdfs[key], start), dpi, most, target)
            report(target)
        documents(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
