"""`taizhang demo`: the whole job on sample returns, so a newcomer sees in one command what
taizhang does for the bureau. Sample returns for the 14 units (2021Y, from the template, with
the mistakes counties really make, one unit missing, one late, one resubmitted) are written to
DIR/returns/, then validated and consolidated into the summary workbook, the HTML report, the
findings JSON and the Markdown drafts.

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
# the day the bureau consolidates in the story the samples tell: after the 2022-01-05 due date
CONSOLIDATED_AT = datetime(2022, 1, 10, 9, 0)
MARKER = ".taizhang-demo"  # marks a returns folder the demo wrote and may therefore rewrite


def demo_paths(output: Path) -> dict[str, Path]:
    output = Path(output)
    return {
        "returns": output / "returns",
        "summary": output / f"汇总-{PERIOD}.xlsx",
        "json": output / f"汇总-{PERIOD}.json",
        "html": output / f"报告-{PERIOD}.html",
        "markdown": output / f"报告-{PERIOD}.md",
    }


def fresh_returns_folder(folder: Path) -> None:
    """Empty the demo's own returns folder; never delete a folder the demo did not write."""
    if folder.exists():
        if not (folder / MARKER).exists() and any(folder.iterdir()):
            raise UsageError("usage.demo-folder-taken", folder=folder)
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("taizhang demo\n", encoding="utf-8")


def run_demo(output: Path) -> int:
    from addin.faces.samples import make_returns
    from addin.pipeline.run import consolidate_folder
    from schemas.reference import load

    period = load().period(PERIOD)
    paths = demo_paths(output)
    fresh_returns_folder(paths["returns"])

    written = make_returns(paths["returns"], period)
    click.echo(f"已生成 {len(written)} 份示例台账（{period.label}）：{paths['returns']}")
    click.echo("正在校验并汇总……")
    summary = consolidate_folder(
        paths["returns"],
        period,
        output=paths["summary"],
        json_path=paths["json"],
        html_path=paths["html"],
        md_path=paths["markdown"],
        jobs=1,
        validated_at=CONSOLIDATED_AT,
    )
    click.echo()
    click.echo(summary.overview_text())
    click.echo()
    click.echo(
        "示例台账里有县区常犯的错误，所以上面列出的错误是预期的；示例本身运行成功。\n"
        f"打开 {paths['html']} 查看报告，或用 Excel 打开 {paths['summary']}。"
    )
    return 0
