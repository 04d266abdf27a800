"""docs/FINDINGS.md, rendered from the finding catalogue (schemas/data/findings/*.toml) by
templates/findings.md.j2, so the documentation cannot drift from the codes the validator
uses. `python -m addin.write.findings_doc` rewrites the file; a test checks it is up to date."""

from __future__ import annotations

import sys
from pathlib import Path

from addin.model.findings import FAMILIES, catalogue
from addin.write.atomic import write_text_atomic
from addin.write.render import render as render_template

FAMILY_TITLES = {
    "file": "文件与表格结构",
    "read": "读取文件",
    "cover": "封面",
    "task": "任务序号与市定内容",
    "unit": "县级责任单位",
    "time": "完成时限与完成日期",
    "status": "完成状态与进展",
    "indicator": "指标表",
    "submission": "报送（多个文件之间）",
}
DOC = Path(__file__).resolve().parents[2] / "docs" / "FINDINGS.md"


def render() -> str:
    entries = catalogue()
    families = []
    for family in FAMILIES:
        mine = sorted(
            (e for e in entries.values() if e.code.split(".")[0] == family), key=lambda e: e.code
        )
        if mine:
            families.append(
                {"name": family, "title": FAMILY_TITLES.get(family, family), "entries": mine}
            )
    severities = [e.severity for e in entries.values()]
    return render_template(
        "findings.md.j2",
        families=families,
        total=len(entries),
        errors=severities.count("error"),
        warnings=severities.count("warning"),
    )


def write(path: Path = DOC) -> Path:
    return write_text_atomic(path, render())


if __name__ == "__main__":
    sys.stdout.write(f"{write()}\n")
