"""`consolidate … --word DIR` (SPEC §6): the bureau's documents from the same Summary as the
workbook — 总结报告-<P>.docx upward, 通报-<P>.docx to the counties, and 退回通知-<unit>-<P>.docx
for each unit whose return is sent back. Each is a template of templates/word/ rendered
(markup.py), laid out in 公文 format (gbt9704.py, compose.py) and written atomically."""

from __future__ import annotations

from pathlib import Path

from addin.model.summary import Summary
from addin.write.atomic import ensure_folder, write_bytes_atomic
from addin.write.compare import Comparison
from addin.write.documents import compose, contexts, markup
from schemas.reference import Period

REPORT = "report.gw.j2"
CIRCULAR = "circular.gw.j2"
NOTICE = "return_notice.gw.j2"


def file_names_of(period: Period) -> list[str]:
    """The documents every run writes: the report and the circular."""
    return [f"总结报告-{period.code}.docx", f"通报-{period.code}.docx"]


def file_names(summary: Summary) -> list[str]:
    """The names --word writes, in the order it writes them."""
    code = summary.period.code
    returned = [f"退回通知-{u.unit}-{code}.docx" for u in summary.units if u.status == "退回"]
    return file_names_of(summary.period) + returned


def documents(summary: Summary, comparison: Comparison | None = None) -> list[tuple[str, bytes]]:
    """(file name, .docx bytes) of every document, without writing anything."""
    shared = contexts.common(summary, comparison)
    label, issued = summary.period.label, shared["issued"]
    jobs = [
        (REPORT, shared, f"{label}“获得电力”工作推进情况的报告"),
        (CIRCULAR, shared, f"{label}“获得电力”任务台账报送及推进情况的通报"),
    ]
    jobs += [
        (NOTICE, contexts.notice(summary, row, shared), f"退回{row.unit}{label}任务台账的通知")
        for row in summary.units
        if row.status == "退回"
    ]
    out = []
    for name, (template, context, title) in zip(file_names(summary), jobs, strict=True):
        blocks = markup.render(template, **context)
        out.append((name, compose.to_bytes(compose.build(blocks, title=title, day=issued))))
    return out


def write_documents(
    summary: Summary, folder: Path | str, comparison: Comparison | None = None
) -> list[Path]:
    folder = ensure_folder(Path(folder))
    return [
        write_bytes_atomic(folder / name, data) for name, data in documents(summary, comparison)
    ]
