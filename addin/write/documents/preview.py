"""LibreOffice previews of the Word documents: .docx → PDF (Writer, headless) → text or PNG.
For the tests and the pictures in docs/img only; the bureau opens the .docx itself.

Two facts shape it (measured with LibreOffice 7.4, docs/WORD.md):
- The 公文 fonts are absent on Linux. FONTCONFIG_FILE points fontconfig at
  docs/fonts/fonts.conf, which maps their names to installed CJK fonts; the .docx still names
  the official fonts.
- LibreOffice lays a CJK glyph wider than its grid cell over two cells, so Word's 28-a-line
  grid (a 15.79 pt cell for a 16 pt glyph, charSpace −842) shows 14 a line. `variant()` makes
  a preview-only copy with a line grid of the same pitch (22 lines stay) and every run
  condensed by 0.25 pt, which gives exactly 28 a line; the delivered file keeps the 28 × 22
  character grid that Word and WPS compress to."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import uuid
import zipfile
from collections.abc import Sequence
from pathlib import Path

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def variant(docx: bytes) -> bytes:
    """The preview-only copy (see the module's docstring)."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = re.sub(
                    rb'<w:docGrid w:type="linesAndChars" (w:linePitch="\d+") w:charSpace="-?\d+"/>',
                    rb'<w:docGrid w:type="lines" \1/>',
                    data,
                )
            elif info.filename == "word/styles.xml":
                data = re.sub(
                    rb"(<w:rPrDefault>\s*<w:rPr>.*?)(<w:sz )",
                    rb'\1<w:spacing w:val="-5"/>\2',
                    data,
                    count=1,
                    flags=re.S,
                )
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=ZIP_TIME), data)
    return out.getvalue()


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(f"{name} is not installed (libreoffice-writer, poppler-utils)")
    return path


def to_pdf(
    docx: Sequence[Path], outdir: Path, fonts_conf: Path, *, exact: bool = False
) -> list[Path]:
    """PDFs of the documents in `outdir` (their preview copies unless `exact`), in one soffice
    run with its own profile, so parallel runs never share one."""
    outdir.mkdir(parents=True, exist_ok=True)
    staged = outdir / f".in-{uuid.uuid4().hex}"
    staged.mkdir()
    inputs = []
    for path in docx:
        copy = staged / Path(path).name
        data = Path(path).read_bytes()
        copy.write_bytes(data if exact else variant(data))
        inputs.append(copy)
    profile = outdir / f".lo-profile-{uuid.uuid4().hex}"
    env = {**os.environ, "FONTCONFIG_FILE": str(Path(fonts_conf).resolve()), "HOME": str(outdir)}
    try:
        subprocess.run(
            [
                tool("soffice"),
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf:writer_pdf_Export",
                "--outdir",
                str(outdir),
                *map(str, inputs),
            ],
            check=True,
            capture_output=True,
            timeout=300,
            env=env,
        )
    finally:
        shutil.rmtree(staged, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)
    return [outdir / f"{Path(p).stem}.pdf" for p in docx]


def pdf_text(pdf: Path, *, layout: bool = False) -> str:
    """The text in content order (-raw): the reading order pdftotext guesses otherwise mixes
    lines of the delivered grid, whose characters LibreOffice spreads two cells apart."""
    args = [tool("pdftotext"), "-layout" if layout else "-raw", str(pdf), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pages(pdf: Path) -> int:
    info = subprocess.run([tool("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout)[1])


def to_png(pdf: Path, target: Path, *, page: int = 1, dpi: int = 60) -> Path:
    """One page as a PNG at `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
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
            str(pdf),
            str(target.with_suffix("")),
        ],
        check=True,
        capture_output=True,
    )
    return target
