"""docs/FINDINGS.md, rendered from the finding catalogue (schemas/data/findings/*.toml) by
templates/findings.md.j2, so the documentation cannot drift from the codes the validator
uses. `python -m addin.findings_doc` rewrites the file; a test checks it is up to date."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from addin.findings import FAMILIES, catalogue
from addin.render import render as render_template

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
DOC = Path(__file__).resolve().parent.parent / "docs" / "FINDINGS.md"


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
    """Write atomically: a temp file in the target folder, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
        out.write(render())
    os.replace(tmp, path)
    return path


if __name__ == "__main__":
    sys.stdout.write(f"{write()}\n")
