"""Blocks (markup.py) → a python-docx Document in 公文 layout (gbt9704.py) → deterministic
.docx bytes. Text enters Word only through `add_run(text)`, a plain <w:t>: the only fields in
a document are the page numbers the footer writes."""

from __future__ import annotations

import io
import math
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn

from addin.write.documents import gbt9704 as gb
from addin.write.documents.markup import LINE_BREAK, Block

AUTHOR = "济宁市能源局"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CELL_MARGIN = 85  # twips left and right inside a table cell (1.5 mm)


def display_width(text: str) -> float:
    """Width in full-width characters: half-width (Latin-font) letters and digits count ½."""
    return sum(0.5 if unicodedata.east_asian_width(ch) in "NaH" else 1.0 for ch in text)


def signature_indents(signature: str, when: str) -> tuple[float, float]:
    """GB/T 9704 §7.3.5.3 without a seal: the signature 2 characters from the right, the date
    on the next line starting 2 characters right of the signature's start; when the date is
    the longer, the date keeps 2 characters of right space and the signature moves left.
    (right space of the signature, right space of the date), in characters."""
    sig, day = display_width(signature), display_width(when)
    date_right = sig - day  # = (sig + 2) − (day + 2): the date starts 2 right of the signature
    if date_right >= 2:
        return 2.0, date_right
    return day + 2 + 2 - sig, 2.0


def _head_width(text: str) -> float:
    width = display_width(text)
    return math.ceil(width / 2) if width >= 4 else width


def column_widths(
    rows: Sequence[Sequence[str]], header_rows: int = 1, total: int = gb.TEXT_W
) -> list[int]:
    """Column widths in twips summing to `total`. A column's natural width is its widest body
    cell or its header, half of a header of four characters or more (it may wrap to two lines;
    a figure should not). A column whose natural width fits its fair share keeps it; the others
    share what is left in proportion to their natural widths."""
    columns = len(rows[0])
    char = gb.TABLE_PT * 20

    def natural(c: int) -> float:
        body = [display_width(r[c]) for r in rows[header_rows:]] or [0.0]
        head = [_head_width(r[c]) for r in rows[:header_rows]] or [0]
        return max(1.0, *body, *head) * char + 2 * CELL_MARGIN + 40

    wanted = [natural(c) for c in range(columns)]
    free, left, widths = set(range(columns)), float(total), [0.0] * columns
    while free:
        fits = [c for c in sorted(free) if wanted[c] <= left / len(free)]
        if not fits:
            share = left / sum(wanted[c] for c in free)
            for c in free:
                widths[c] = wanted[c] * share
            break
        for c in fits:
            widths[c] = wanted[c]
            left -= wanted[c]
            free.discard(c)
    if not free:  # everything fits: spread the slack in proportion
        widths = [w * total / sum(widths) for w in widths]
    out = [int(w) for w in widths]
    out[-1] += total - sum(out)
    return out


def _table(doc, block: Block, styles) -> None:
    rows = block.rows
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    props = table._tbl.tblPr
    for tag in ("w:tblStyle", "w:tblW", "w:tblBorders", "w:tblLayout", "w:tblCellMar"):
        for old in props.findall(qn(tag)):
            props.remove(old)
    props.append(gb.el("w:tblW", w=gb.TEXT_W, type="dxa"))
    borders = gb.el("w:tblBorders")  # explicit: no dependence on a table style
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(gb.el(f"w:{edge}", val="single", sz=4, space=0, color="000000"))
    props.append(borders)
    props.append(gb.el("w:tblLayout", type="fixed"))
    margins = gb.el("w:tblCellMar")
    for edge in ("left", "right"):
        margins.append(gb.el(f"w:{edge}", w=CELL_MARGIN, type="dxa"))
    props.append(margins)
    gb.reorder(props, gb.TBLPR_ORDER)
    widths = column_widths(rows, block.header_rows)
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        column.set(qn("w:w"), str(width))
    for i, (row, cells) in enumerate(zip(table.rows, rows, strict=True)):
        head = i < block.header_rows
        row_props = row._tr.get_or_add_trPr()
        row_props.append(gb.el("w:cantSplit"))
        if head:
            row_props.append(gb.el("w:tblHeader"))  # repeated on every page
        for cell, text, width, align in zip(row.cells, cells, widths, block.align, strict=True):
            cell_props = cell._tc.get_or_add_tcPr()
            for old in cell_props.findall(qn("w:tcW")):
                cell_props.remove(old)
            cell_props.insert(0, gb.el("w:tcW", w=width, type="dxa"))
            cell_props.append(gb.el("w:vAlign", val="center"))
            paragraph = cell.paragraphs[0]
            paragraph.style = styles["table_head" if head else "table"]
            if not head and align != "center":
                gb.set_paragraph(paragraph._p.get_or_add_pPr(), jc=align, snap=False, line=240)
            paragraph.add_run(text)


def build(blocks: Sequence[Block], *, title: str, day: date):
    doc = Document()
    styles = gb.setup_styles(doc)
    gb.setup_page(doc)
    gb.setup_footers(doc, styles)
    props = doc.core_properties  # fixed, from the data: the template's own say 2013
    when = datetime.combine(day, time())
    props.title, props.author, props.last_modified_by = title, AUTHOR, AUTHOR
    props.comments, props.revision, props.created, props.modified = "", 1, when, when
    props.language = "zh-CN"

    def paragraph(role: str, runs=(), **layout):
        made = doc.add_paragraph(style=styles[role])
        for text, bold in runs:
            if (text, bold) == LINE_BREAK:
                made.add_run().add_break()
                continue
            run = made.add_run(text)
            if bold:
                run.bold = True
        if layout:
            gb.set_paragraph(made._p.get_or_add_pPr(), **layout)
        return made

    blocks = list(blocks)
    for i, block in enumerate(blocks):
        following = blocks[i + 1].kind if i + 1 < len(blocks) else None
        kind = block.kind
        if kind == "title":
            paragraph("title", block.runs)
            if following != "title":
                paragraph("body")  # 标题下空一行
        elif kind in ("h1", "h2", "body"):
            paragraph(kind, block.runs)
        elif kind == "addressee":
            paragraph("plain", block.runs)
        elif kind == "attachment":
            paragraph("body")
            paragraph("body", [("附件：", False), *block.runs])
        elif kind == "blank":
            paragraph("body")
        elif kind == "pagebreak":
            paragraph("body").add_run().add_break(WD_BREAK.PAGE)
        elif kind == "signature":
            if following != "date":
                paragraph("body")
                paragraph("plain", block.runs, jc="right", right_chars=2)
        elif kind == "date":
            previous = blocks[i - 1] if i and blocks[i - 1].kind == "signature" else None
            sig_right, date_right = signature_indents(previous.text if previous else "", block.text)
            if previous is not None:
                paragraph("body")  # 正文下空一行
                paragraph("plain", previous.runs, jc="right", right_chars=sig_right)
            paragraph("plain", block.runs, jc="right", right_chars=date_right)
        elif kind == "table":
            _table(doc, block, styles)
        else:
            raise ValueError(f"unknown block {kind}")
    return doc


def to_bytes(doc) -> bytes:
    """Saved, then zipped again with fixed entry times (python-docx stamps the current time),
    so the same Summary gives the same bytes."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
