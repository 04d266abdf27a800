"""`taizhang demo`: the whole job on sample returns, so a newcomer sees in one command what
taizhang does for the bureau. Sample returns for the 14 units (from the template, with the
mistakes counties really make, one unit missing, one late, one resubmitted) are written for the
half-year to DIR/returns-2021H1/ and for the year to DIR/returns/. The half-year is
consolidated to its JSON; the year is then consolidated with the half-year as --previous (the
ledger over time: the history findings the samples plant, the 趋势 sheet, 环比 sentences) into
the summary workbook, the HTML report, the findings JSON, the Markdown drafts and the Word
documents in DIR/公文/.

The demo succeeds (exit 0) although some sample returns have errors: showing those findings is
its purpose. It is deterministic: the samples are fixed and the consolidation timestamp is
pinned, so two runs write the same JSON."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import click

from addin.model.errors import UsageError

PERIOD = "2021Y"
HALF = "2021H1"
# the days the bureau consolidates in the story the samples tell: after the due dates
CONSOLIDATED_AT = datetime(2022, 1, 10, 9, 0)
HALF_CONSOLIDATED_AT = datetime(2021, 7, 5, 9, 0)
MARKER = ".taizhang-demo"  # marks a returns folder the demo wrote and may therefore rewrite


def demo_paths(output: Path) -> dict[str, Path]:
    output = Path(output)
    return {
        "returns": output / "returns",
        "half_returns": output / f"returns-{HALF}",
        "half_json": output / f"汇总-{HALF}.json",
        "summary": output / f"汇总-{PERIOD}.xlsx",
        "json": output / f"汇总-{PERIOD}.json",
        "html": output / f"报告-{PERIOD}.html",
        "markdown": output / f"报告-{PERIOD}.md",
        "word": output / "公文",
    }


def fresh_returns_folder(folder: Path) -> None:
    """Empty the demo's own returns folder; never delete a folder the demo did not write."""
    if folder.exists():
        if not (folder / MARKER).exists() and any(folder.iterdir()):
            raise UsageError("usage.demo-folder-taken", folder=folder)
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("taizhang demo\n", encoding="utf-8")


def history_line(summary, earlier: str) -> str:
    """How many history findings of each kind the comparison gave, by their titles."""
    from addin.model.findings import catalogue

    found: dict[str, int] = {}
    for row in summary.findings:
        if row.finding.code.startswith("history."):
            found[row.finding.code] = found.get(row.finding.code, 0) + 1
    kinds = "，".join(f"{catalogue()[code].title} {n} 条" for code, n in sorted(found.items()))
    return f"与{earlier}对比：{kinds or '无变化'}（警告，见校验问题表）"


def run_demo(output: Path) -> int:
    from addin.faces.samples import make_returns
    from addin.pipeline.run import consolidate_folder
    from schemas.reference import load

    period, half = load().period(PERIOD), load().period(HALF)
    paths = demo_paths(output)
    for key, when in (("half_returns", half), ("returns", period)):
        fresh_returns_folder(paths[key])
        written = make_returns(paths[key], when)
        click.echo(f"已生成 {len(written)} 份示例台账（{when.label}）：{paths[key]}")
    click.echo(f"正在校验并汇总{half.label}……")
    earlier = consolidate_folder(
        paths["half_returns"],
        half,
        json_path=paths["half_json"],
        jobs=1,
        validated_at=HALF_CONSOLIDATED_AT,
    )
    for line in earlier.outputs:
        click.echo(f"已写出：{line}")
    click.echo(f"正在校验并汇总{period.label}，与{half.label}对比……")
    summary = consolidate_folder(
        paths["returns"],
        period,
        output=paths["summary"],
        json_path=paths["json"],
        html_path=paths["html"],
        md_path=paths["markdown"],
        word_dir=paths["word"],
        previous=[paths["half_json"]],
        jobs=1,
        validated_at=CONSOLIDATED_AT,
    )
    click.echo()
    # the comparison's line beside the counts it adds to, before the files written
    counts, written, files = summary.overview_text().partition("\n已写出：")
    click.echo(counts)
    click.echo(history_line(summary, half.label))
    if written:
        click.echo("已写出：" + files)
    click.echo()
    click.echo(
        "示例台账里有县区常犯的错误，所以上面列出的错误是预期的；示例本身运行成功。\n"
        f"打开 {paths['html']} 查看报告，或用 Excel 打开 {paths['summary']}；"
        f"公文（Word）在 {paths['word']}。"
    )
    return 0
