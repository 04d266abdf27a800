"""GB/T 9704-2012 (党政机关公文格式) as exact WordprocessingML numbers, and the styles, page
set-up and page-number footers of a python-docx Document that carry them (SPEC §6).

The numbers (twips unless said; 1 mm = 1440 / 25.4 twips, rounded to the nearest twip):
- A4 11906 × 16838 (as Word writes it); margins top 37 mm = 2098, bottom 35 mm = 1984,
  left 28 mm = 1587, right 26 mm = 1474; so the text area is 8845 × 12756.
- The document grid (22 lines × 28 characters, `linesAndChars`): linePitch = 12756 // 22 = 579
  (floored so that 22 lines fit: 22 × 579 ≤ 12756 < 23 × 579); charSpace (ECMA-376 §17.6.5)
  = (character pitch − Normal's font size) × 4096 in points = (442.25 / 28 − 16) × 4096 =
  −841.1, floored to −842 so that 28 characters still fit. It depends on Normal's size, so
  docDefaults and Normal are 16 pt.
- Sizes in half-points: title 2号 22 pt = 44; body and headings 3号 16 pt = 32; page numbers
  and tables 4号 14 pt = 28.
- Fonts are set in the styles, each with its East Asian font as `w:eastAsia` (python-docx's
  `font.name` sets only ascii/hAnsi) and `w:lang w:eastAsia="zh-CN"`. Latin letters and digits
  are Times New Roman (LATIN).
- Page numbers "— N —" in 4号 宋体: odd pages right with one character of right space, even pages
  left with one of left space (GB/T 9704 §7.5), a PAGE complex field as Word and WPS write it.

python-docx's default template fights this: theme font attributes that win over explicit names
in Word, blue bold headings, lang eastAsia en-US, themeFontLang ja-JP, spacing after 200.
Every style used here is rebuilt and every *Theme font attribute removed."""

from __future__ import annotations

import contextlib
import math

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn


def mm(value: float) -> int:
    """Millimetres in twips."""
    return round(value * 1440 / 25.4)


PAGE_W, PAGE_H = 11906, 16838
MARGIN = {"top": mm(37), "bottom": mm(35), "left": mm(28), "right": mm(26)}
HEADER_DIST = mm(15)  # 公文 has no header; Word wants a value
FOOTER_DIST = mm(23)  # puts "— N —" about 7 mm below the text area
LINES, CHARS = 22, 28
BODY_PT, TITLE_PT, PAGE_NO_PT, TABLE_PT = 16, 22, 14, 14  # 3号, 2号, 4号, 4号
TEXT_W = PAGE_W - MARGIN["left"] - MARGIN["right"]  # 8845
TEXT_H = PAGE_H - MARGIN["top"] - MARGIN["bottom"]  # 12756
LINE_PITCH = TEXT_H // LINES  # 579
CHAR_SPACE = math.floor((TEXT_W / 20 / CHARS - BODY_PT) * 4096)  # −842

FONT_BODY = "仿宋_GB2312"
FONT_TITLE = "方正小标宋简体"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"
FONT_PAGE_NO = "宋体"
LATIN = "Times New Roman"
LANG = {"val": "en-US", "eastAsia": "zh-CN", "bidi": "ar-SA"}

# style id → (East Asian font, size in points); tests read styles.xml against this
STYLE_FONTS = {
    "Normal": (FONT_BODY, BODY_PT),
    "GWBody": (FONT_BODY, BODY_PT),
    "GWTitle": (FONT_TITLE, TITLE_PT),
    "Heading1": (FONT_H1, BODY_PT),
    "Heading2": (FONT_H2, BODY_PT),
    "GWPlain": (FONT_BODY, BODY_PT),
    "GWTable": (FONT_BODY, TABLE_PT),
    "GWTableHead": (FONT_H1, TABLE_PT),
    "GWPageNumber": (FONT_PAGE_NO, PAGE_NO_PT),
}

# Word is strict about child order in rPr, pPr and tblPr (ECMA-376 sequences)
RPR_ORDER = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr",
    "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish",
    "oMath",
)  # fmt: skip
PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
    "rPr", "sectPr", "pPrChange",
)  # fmt: skip
TBLPR_ORDER = (
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
    "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
    "tblLayout", "tblCellMar", "tblLook",
)  # fmt: skip


def el(tag: str, **attrs: object):
    """A w: element with w: attributes (or other prefixes given as "xml:space")."""
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(key if ":" in key else f"w:{key}"), str(value))
    return element


def put(parent, tag: str, **attrs: object):
    """Replace `parent`'s child `tag` with a fresh one carrying `attrs`."""
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    child = el(tag, **attrs)
    parent.append(child)
    return child


def reorder(parent, order: list[str]) -> None:
    rank = {qn(f"w:{name}"): i for i, name in enumerate(order)}
    children = sorted(parent, key=lambda e: rank.get(e.tag, len(rank)))
    for child in children:
        parent.remove(child)
        parent.append(child)


def set_run(rpr, *, east_asia: str, latin: str = LATIN, pt: float | None = None, bold=None):
    put(rpr, "w:rFonts", ascii=latin, hAnsi=latin, eastAsia=east_asia, cs=latin, hint="eastAsia")
    if bold is not None:
        for tag in ("w:b", "w:bCs"):
            put(rpr, tag, val="1" if bold else "0")
    put(rpr, "w:color", val="000000")
    if pt is not None:
        put(rpr, "w:sz", val=round(pt * 2))
        put(rpr, "w:szCs", val=round(pt * 2))
    put(rpr, "w:lang", **LANG)
    reorder(rpr, RPR_ORDER)


def set_paragraph(
    ppr,
    *,
    jc: str | None = None,
    first_chars: int | None = None,
    left_chars: float | None = None,
    right_chars: float | None = None,
    char_twips: int = BODY_PT * 20,
    snap: bool | None = None,
    keep_next: bool = False,
    line: int | None = None,
    line_rule: str = "auto",
    outline: int | None = None,
) -> None:
    """Spacing 0 before and after; indents in characters (Word's *Chars attributes, with the
    twips equivalent at `char_twips` a character for readers that ignore them)."""
    if keep_next:
        put(ppr, "w:keepNext")
    if snap is not None:
        put(ppr, "w:snapToGrid", val="1" if snap else "0")
    spacing = {"before": 0, "after": 0, "beforeLines": 0, "afterLines": 0}
    if line is not None:
        spacing |= {"line": line, "lineRule": line_rule}
    put(ppr, "w:spacing", **spacing)
    indent: dict[str, int] = {}
    if first_chars is not None:
        indent |= {"firstLineChars": first_chars * 100, "firstLine": first_chars * char_twips}
    if left_chars is not None:
        indent |= {"leftChars": round(left_chars * 100), "left": round(left_chars * char_twips)}
    if right_chars is not None:
        indent |= {"rightChars": round(right_chars * 100), "right": round(right_chars * char_twips)}
    if indent:
        put(ppr, "w:ind", **indent)
    if jc:
        put(ppr, "w:jc", val=jc)
    if outline is not None:
        put(ppr, "w:outlineLvl", val=outline)
    reorder(ppr, PPR_ORDER)


def _paragraph_style(doc, name: str, base: str | None = "Normal"):
    try:
        style = doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base:
        style.base_style = doc.styles[base]
    style.quick_style = True
    for tag in ("w:rPr", "w:pPr"):  # the default template's colours, sizes, spacing
        for old in style.element.findall(qn(tag)):
            style.element.remove(old)
    return style


def setup_styles(doc) -> dict[str, object]:
    """The styles the builder uses, by role: body, title, h1, h2, plain, table, table_head,
    page_number."""
    root = doc.styles.element
    for fonts in root.iter(qn("w:rFonts")):
        for attr in ("asciiTheme", "eastAsiaTheme", "hAnsiTheme", "cstheme"):
            fonts.attrib.pop(qn(f"w:{attr}"), None)
    defaults = root.find(qn("w:docDefaults"))
    set_run(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")), east_asia=FONT_BODY, pt=BODY_PT)
    set_paragraph(defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")), line=240)

    normal = _paragraph_style(doc, "Normal", base=None)
    set_run(normal.element.get_or_add_rPr(), east_asia=FONT_BODY, pt=BODY_PT)
    set_paragraph(normal.element.get_or_add_pPr(), jc="both", line=240)

    def style(role, name, font, pt, base="Normal", **paragraph):
        made = _paragraph_style(doc, name, base)
        set_paragraph(made.element.get_or_add_pPr(), **paragraph)
        latin = FONT_PAGE_NO if role == "page_number" else LATIN
        set_run(made.element.get_or_add_rPr(), east_asia=font, latin=latin, pt=pt, bold=False)
        styles[role] = made
        return made

    styles: dict[str, object] = {}
    style("body", "GW Body", FONT_BODY, BODY_PT, first_chars=2, jc="both")
    # one grid line per title line whatever the font's own line height (substitute CJK fonts
    # are 1.45 em tall and would take two)
    title = style(
        "title",
        "GW Title",
        FONT_TITLE,
        TITLE_PT,
        jc="center",
        keep_next=True,
        snap=False,
        line=LINE_PITCH,
        line_rule="exact",
    )
    title.next_paragraph_style = styles["body"]
    for level, (name, font) in enumerate((("Heading 1", FONT_H1), ("Heading 2", FONT_H2))):
        heading = style(  # the outline level keeps Word's navigation pane working
            f"h{level + 1}",
            name,
            font,
            BODY_PT,
            first_chars=2,
            jc="both",
            keep_next=True,
            outline=level,
        )
        heading.next_paragraph_style = styles["body"]
        with contextlib.suppress(KeyError):  # the linked character style has theme colours
            linked = doc.styles[f"{name} Char"]
            for old in linked.element.findall(qn("w:rPr")):
                linked.element.remove(old)
            set_run(linked.element.get_or_add_rPr(), east_asia=font, pt=BODY_PT, bold=False)
    style("plain", "GW Plain", FONT_BODY, BODY_PT, jc="both")  # 主送, 署名, 日期: no indent
    # table text is not snapped to the grid, or every row would be a grid line (28.95 pt) tall
    style("table", "GW Table", FONT_BODY, TABLE_PT, jc="center", snap=False, line=240)
    style(
        "table_head",
        "GW Table Head",
        FONT_H1,
        TABLE_PT,
        base="GW Table",
        jc="center",
        snap=False,
        line=240,
    )
    style("page_number", "GW Page Number", FONT_PAGE_NO, PAGE_NO_PT, snap=False, line=240)
    return styles


def setup_page(doc) -> None:
    section = doc.sections[0]._sectPr
    for tag in ("w:pgSz", "w:pgMar", "w:cols", "w:docGrid"):
        for old in section.findall(qn(tag)):
            section.remove(old)
    section.append(el("w:pgSz", w=PAGE_W, h=PAGE_H))
    section.append(
        el(
            "w:pgMar",
            top=MARGIN["top"],
            right=MARGIN["right"],
            bottom=MARGIN["bottom"],
            left=MARGIN["left"],
            header=HEADER_DIST,
            footer=FOOTER_DIST,
            gutter=0,
        )
    )
    section.append(el("w:cols", space=425))
    section.append(
        el("w:docGrid", type="linesAndChars", linePitch=LINE_PITCH, charSpace=CHAR_SPACE)
    )
    settings = doc.settings.element
    font_lang = settings.find(qn("w:themeFontLang"))
    if font_lang is not None:  # the default template says ja-JP
        font_lang.set(qn("w:eastAsia"), "zh-CN")


def _page_field(paragraph) -> None:
    """— N — around a PAGE complex field (begin / instrText / separate / result / end)."""
    paragraph.add_run("— ")
    paragraph.add_run()._r.append(el("w:fldChar", fldCharType="begin"))
    instruction = el("w:instrText", **{"xml:space": "preserve"})
    instruction.text = " PAGE "
    paragraph.add_run()._r.append(instruction)
    paragraph.add_run()._r.append(el("w:fldChar", fldCharType="separate"))
    paragraph.add_run("1")
    paragraph.add_run()._r.append(el("w:fldChar", fldCharType="end"))
    paragraph.add_run(" —")


def setup_footers(doc, styles) -> None:
    """单页码居右空一字，双页码居左空一字 (GB/T 9704 §7.5)."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = styles["page_number"]
        set_paragraph(
            paragraph._p.get_or_add_pPr(),
            jc=side,
            snap=False,
            line=240,
            char_twips=PAGE_NO_PT * 20,
            **{f"{side}_chars": 1},
        )
        _page_field(paragraph)
