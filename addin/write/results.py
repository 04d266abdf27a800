"""What `taizhang validate` prints: the returns' findings as Chinese text, as the JSON of
SPEC §3, or as one self-contained HTML page. Pure functions of the returns: no I/O, no clock,
so the same returns always give the same bytes.

The terminal is not the county's: every piece of text in the text output shows its control
characters escaped (\\x1b), the JSON writes them as \\u escapes, and the HTML (render.py)
strips them, so a cell can neither move the cursor nor fake a "通过"."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any

from addin.model.findings import SEVERITY_LABELS, Finding, ordered
from addin.model.ledger import Return
from addin.read.failure import shown
from addin.write.text import escaped, json_safe
from schemas.reference import load

FINDING_FIELDS = (
    "code",
    "severity",
    "sheet",
    "cell",
    "row",
    "column",
    "task",
    "value",
    "message",
    "hint",
)  # SPEC §3, in its order


def location(finding: Finding) -> str:
    """任务台账!G14, 任务台账 (a whole sheet) or 整个文件."""
    if finding.sheet and finding.cell:
        return f"{finding.sheet}!{finding.cell}"
    return finding.sheet or "整个文件"


@cache
def period_label(code: str | None) -> str:
    """2021Y → 2021年度; unknown or missing codes are shown as they are."""
    if not code:
        return "（未识别）"
    period = load().period(code)
    return period.label if period is not None else code


def file_object(ret: Return) -> dict[str, Any]:
    """One file of the JSON output (SPEC §3)."""
    counts = ret.counts
    return {
        "file": shown(ret.source.path),
        "unit": ret.unit,
        "period": ret.period,
        "ok": ret.ok,
        "counts": {"error": counts["error"], "warning": counts["warning"]},
        "findings": [
            {name: getattr(f, name) for name in FINDING_FIELDS} for f in ordered(ret.findings)
        ],
    }


def totals(returns: Sequence[Return]) -> dict[str, int]:
    return {
        "files": len(returns),
        "failed": sum(not r.ok for r in returns),
        "error": sum(r.counts["error"] for r in returns),
        "warning": sum(r.counts["warning"] for r in returns),
    }


def render_json(returns: Sequence[Return]) -> str:
    text = json.dumps({"files": [file_object(r) for r in returns]}, ensure_ascii=False, indent=2)
    return json_safe(text) + "\n"


def _verdict(ret: Return) -> str:
    return "通过" if ret.ok else "退回"


def render_text(returns: Sequence[Return]) -> str:
    lines: list[str] = []
    for ret in returns:
        counts = ret.counts
        lines.append(
            f"{escaped(ret.source.name)}  {escaped(ret.unit or '（单位未识别）')}"
            f" · {escaped(period_label(ret.period))}"
            f" · 错误 {counts['error']} 个，警告 {counts['warning']} 个 · {_verdict(ret)}"
        )
        if not ret.findings:
            lines.append("  未发现问题")
        for f in ordered(ret.findings):
            label = SEVERITY_LABELS.get(f.severity, f.severity)
            hint = f"  → 提示：{escaped(f.hint)}" if f.hint else ""
            lines.append(
                f"  [{label}] {escaped(location(f))} {escaped(f.code)}  {escaped(f.message)}{hint}"
            )
        lines.append("")
    t = totals(returns)
    lines.append(
        f"合计：{t['files']} 个文件，{t['failed']} 个有错误（退回），"
        f"{t['files'] - t['failed']} 个通过；错误 {t['error']} 个，警告 {t['warning']} 个"
    )
    return "\n".join(lines) + "\n"


def render_html(returns: Sequence[Return]) -> str:
    from addin.write.render import render as render_template

    files = []
    for i, ret in enumerate(returns, start=1):
        files.append(
            {
                "anchor": f"f{i}",
                "name": ret.source.name,
                "path": shown(ret.source.path),
                "unit": ret.unit or "（单位未识别）",
                "period": period_label(ret.period),
                "ok": ret.ok,
                "verdict": _verdict(ret),
                "counts": ret.counts,
                "findings": [
                    {
                        "severity": f.severity,
                        "label": SEVERITY_LABELS.get(f.severity, f.severity),
                        "where": location(f),
                        "code": f.code,
                        "task": f.task or "",
                        "value": f.value if f.value is not None else "",
                        "message": f.message,
                        "hint": f.hint,
                    }
                    for f in ordered(ret.findings)
                ],
            }
        )
    return render_template("validate.html.j2", files=files, totals=totals(returns))


RENDERERS = {"text": render_text, "json": render_json, "html": render_html}


def render(returns: Sequence[Return], fmt: str) -> str:
    """`fmt` is one of text, json, html (the CLI restricts it)."""
    return RENDERERS[fmt](returns)
