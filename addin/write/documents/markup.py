"""The text of the bureau's documents: Jinja2 templates in `templates/word/*.gw.j2`, plain
UTF-8 in a small Markdown-like markup, so a change of wording is an ordinary diff.

Markup, one line one block (blank lines only end tables):
    # 标题                 title (2号 方正小标宋简体, centred, one empty line after it);
                           // in it breaks the line there (GB/T 9704 keeps words whole)
    ## 一、一级标题         黑体 heading
    ### （一）二级标题     楷体_GB2312 heading
    @主送 …：              the addressee, flush left
    @署名 … / @日期 …      signature and date (laid out as GB/T 9704 §7.3.5.3, no seal)
    @附件 …                attachment note
    @空行 · @分页           an empty body line · a page break
    | a | b |              table row; a |---| row ends the header rows (else the first row is);
                           |:--| aligns that column's cells left (long text), |--| centres
    \\# …                   a leading backslash: the line is body text
    anything else          body paragraph, first line indented two characters
    **x**                  bold

County text can never become markup, a field or XML: every `{{ value }}` is replaced, while
the template renders, by an opaque token (\\x00N\\x01, which holds none of # | * @ \\); the
markup is parsed into blocks from the template's own text; only then are the tokens replaced
by the values, cleaned to one line of plain text (clean_text). A value cannot start a heading,
split a table cell, turn on bold or add a directive, and it reaches Word only as the text of a
run (<w:t>). Templates should not capture output with {% set x %}…{% endset %} (the tokens
inside would be cleaned as text); expression sets and macros are fine."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import jinja2

from addin.model.figures import percent as pct  # two decimals, 100.00% only when exact

TOKENS = "_gw_tokens"  # the per-render list of values, passed in the context
TOKEN = re.compile("\x00(\\d+)\x01")

_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (but tab and line breaks) and C1 controls
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"  # zero-width, bidi overrides
    "\ud800-\udfff\ufffe\uffff]"  # lone surrogates, non-characters
)
_SPACE = re.compile(r"[\t\r\n\u2028\u2029\u00a0]+| {2,}")


def clean_text(value: Any) -> str:
    """One line of plain text that is safe inside <w:t>: NFC, no control, zero-width or bidi
    characters, line breaks and tabs as one space."""
    if value is None:
        return ""
    text = _UNSAFE.sub("", unicodedata.normalize("NFC", str(value)))
    return _SPACE.sub(" ", text).strip(" ")


@jinja2.pass_context
def _token(ctx, value: Any) -> str:
    # pass_context also keeps Jinja from folding constants at compile time, which would bake a
    # token number into the cached template
    tokens = ctx.get(TOKENS)
    if tokens is None:
        raise RuntimeError("render gw templates with markup.render()")
    tokens.append(clean_text(value))
    return f"\x00{len(tokens) - 1}\x01"


def cn_date(value: date | str | None) -> str:
    """2022-01-05 → 2022年1月5日 (Arabic numerals, no zero padding: GB/T 9704 §7.3.5)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def num(value: float | None) -> str:
    """Counts as integers, other figures with two decimals; — when there is none."""
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.2f}"


def dec(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _source(name: str) -> str:
    return resources.files("templates").joinpath("word", name).read_text(encoding="utf-8")


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_source),
        autoescape=False,  # nothing here is HTML; safety comes from the tokens
        undefined=jinja2.StrictUndefined,
        finalize=_token,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    helpers = {"cn_date": cn_date, "pct": pct, "num": num, "dec": dec}
    env.filters.update(helpers)
    env.globals.update(helpers)
    return env


@dataclass
class Block:
    kind: str  # title h1 h2 body addressee signature date attachment blank pagebreak table
    runs: list[tuple[str, bool]] = field(default_factory=list)  # (text, bold)
    rows: list[list[str]] = field(default_factory=list)  # a table's cells
    header_rows: int = 0
    align: list[str] = field(default_factory=list)  # per column: "center" or "left"

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.runs)


DIRECTIVES = {
    "主送": "addressee",
    "署名": "signature",
    "日期": "date",
    "附件": "attachment",
    "空行": "blank",
    "分页": "pagebreak",
}
HEADINGS = {1: "title", 2: "h1", 3: "h2"}
_RULE = re.compile(r"^:?-+:?$")


def _resolve(text: str, tokens: Sequence[str]) -> str:
    return TOKEN.sub(lambda m: tokens[int(m[1])], text)


LINE_BREAK = ("\n", False)  # a run that is a line break: no value holds "\n" (clean_text)


def _runs(text: str, tokens: Sequence[str]) -> list[tuple[str, bool]]:
    parts = text.split("**")  # tokens hold no "*": a value cannot turn bold on or off
    return [(_resolve(p, tokens), i % 2 == 1) for i, p in enumerate(parts) if p]


def _title(text: str, tokens: Sequence[str]) -> list[tuple[str, bool]]:
    runs: list[tuple[str, bool]] = []
    for i, part in enumerate(text.split("//")):  # tokens hold no "/": a value cannot break
        runs += ([LINE_BREAK] if i else []) + _runs(part, tokens)
    return runs


def parse(marked: str, tokens: Sequence[str]) -> list[Block]:
    """Blocks from the rendered template; the structure comes from the template text only."""
    blocks: list[Block] = []
    table: Block | None = None
    for raw in marked.splitlines():
        line = raw.strip()
        if len(line) > 1 and line.startswith("|") and line.endswith("|"):
            cells = [c.strip() for c in line[1:-1].split("|")]
            if table is None:
                table = Block("table")
                blocks.append(table)
            if all(_RULE.match(c) for c in cells):
                table.header_rows = len(table.rows)
                table.align = ["left" if c.startswith(":") else "center" for c in cells]
            else:
                table.rows.append([clean_text(_resolve(c, tokens)) for c in cells])
            continue
        table = None
        if not line:
            continue
        if line.startswith("\\"):
            blocks.append(Block("body", _runs(line[1:], tokens)))
        elif m := re.match(r"^(#{1,3})\s+(.*)$", line):
            kind = HEADINGS[len(m[1])]
            runs = _title(m[2], tokens) if kind == "title" else _runs(m[2], tokens)
            blocks.append(Block(kind, runs))
        elif m := re.match(r"^@(\S+)\s*(.*)$", line):
            if m[1] not in DIRECTIVES:
                raise ValueError(f"unknown directive @{m[1]} in {raw!r}")
            blocks.append(Block(DIRECTIVES[m[1]], _runs(m[2], tokens)))
        else:
            blocks.append(Block("body", _runs(line, tokens)))
    for block in blocks:
        if block.kind == "table":
            block.header_rows = block.header_rows or 1
            width = max(len(row) for row in block.rows)
            block.rows = [row + [""] * (width - len(row)) for row in block.rows]
            block.align = (block.align + ["center"] * width)[:width]
    return blocks


def render(name: str, **context: Any) -> list[Block]:
    tokens: list[str] = []
    marked = environment().get_template(name).render(**context, **{TOKENS: tokens})
    return parse(marked, tokens)
