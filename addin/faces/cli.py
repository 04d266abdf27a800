"""The command line: parses options and calls the pipeline; faces/boundary.py turns whatever
ends a run into a Chinese line on stderr and an exit code (0 clean, 1 the data has errors, 2
misuse or a run that could not go on).

Imports of the stages sit inside the verbs on purpose: `taizhang template` must not pay for
pandas and pandera (~0.6 s), and `--help` should answer at once (FACTS: start-up)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from addin.faces import boundary, cli_text
from addin.model.errors import UsageError
from addin.read.failure import shown
from addin.write.text import escaped

FORMATS = ("text", "json", "html")


def resolve_period(code: str | None, *, required: bool = True):
    from schemas.reference import load

    if code is None:
        if required:
            raise UsageError("usage.period-missing")
        return None
    period = load().period(code)
    if period is None:
        raise UsageError("usage.period-unknown", given=code)
    return period


def resolve_unit(name: str):
    from schemas.reference import load

    unit, _old = load().unit_named(name)
    if unit is None:
        raise UsageError("usage.unit-unknown", name=name, units="、".join(load().unit_names))
    return unit


def require_suffix(path: Path, suffix: str, option: str) -> None:
    if path.suffix.lower() != suffix:
        raise UsageError("usage.output-suffix", option=option, suffix=suffix, name=path.name)


@click.group(cls=cli_text.Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    package_name="taizhang", message="%(prog)s 版本 %(version)s", help="显示版本号并退出"
)
def cli() -> None:
    """台账：获得电力任务台账的模板、校验与汇总。"""


@cli.command()
@click.option("--unit", "unit_name", help="报送单位，例如 任城区（--all 时不用）")
@click.option("--all", "all_units", is_flag=True, help="为名单中每个单位各写一份")
@click.option("--period", "period_code", required=True, help="报送期次，例如 2021Y、2022H1、2021P")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="输出文件（--all 时为文件夹）"
)
@click.option(
    "--force",
    is_flag=True,
    help="输出路径已有不是 taizhang 写出的文件时也覆盖（本次读取的台账除外）",
)
def template(
    unit_name: str | None, all_units: bool, period_code: str, output: Path | None, force: bool
) -> None:
    """写出空白台账模板（参考列已预填并锁定）。已有同名文件时只覆盖 taizhang 写出且未被改动的
    空白模板；--all 遇到县区交回的台账等其他文件时一个也不写，并列出这些文件。"""
    from addin.write.template.book import write_all, write_ledger

    period = resolve_period(period_code)
    if all_units and unit_name:
        raise UsageError("usage.unit-and-all")
    if not all_units and not unit_name:
        raise UsageError("usage.unit-missing")
    if all_units:
        paths = write_all(period, output or Path("."), force=force)
    else:
        paths = [write_ledger(resolve_unit(unit_name).name, period, output, force=force)]
    for path in paths:
        click.echo(shown(str(path)))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--period", "period_code", help="只接受这一期次的台账，例如 2021Y")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="输出格式",
)
@click.option(
    "--mark",
    "mark_dir",
    type=click.Path(path_type=Path),
    help="把标注了问题的副本写入此文件夹（原文件不动）",
)
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 64), help="并行进程数")
def validate(
    paths: tuple[Path, ...], period_code: str | None, fmt: str, mark_dir: Path | None, jobs: int
) -> None:
    """校验一个或多个台账文件（文件夹会递归查找）。"""
    from addin.pipeline.run import check_paths
    from addin.write.results import render

    period = resolve_period(period_code, required=False)
    returns, marked = check_paths(paths, period, jobs=jobs, mark_dir=mark_dir)
    if mark_dir is not None:
        copies = sum(m.kind == "copy" for m in marked)
        click.echo(
            f"已在“{escaped(mark_dir)}”写出 {copies} 个标注副本、"
            f"{len(marked) - copies} 个校验结果清单",
            err=True,
        )
        for m in marked:
            if m.note:
                click.echo(f"  {escaped(Path(m.source).name)}：{m.note}", err=True)
    click.echo(render(returns, fmt), nl=False)
    sys.exit(0 if all(r.ok for r in returns) else 1)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--period", "period_code", required=True, help="报送期次，例如 2021Y")
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="汇总工作簿 .xlsx"
)
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="同时写出 JSON")
@click.option("--report", "html_path", type=click.Path(path_type=Path), help="同时写出 HTML 报告")
@click.option(
    "--markdown",
    "md_path",
    type=click.Path(path_type=Path),
    help="同时写出总结报告和通报的 Markdown 草稿",
)
@click.option(
    "--word",
    "word_dir",
    type=click.Path(path_type=Path),
    help="把总结报告、通报和各退回单位的退回通知（Word，公文格式）写入此文件夹",
)
@click.option(
    "--previous",
    "previous",
    multiple=True,
    type=click.Path(path_type=Path),
    help="往期的汇总 JSON（可写多次），用于前后期对比和趋势",
)
@click.option("--include-invalid", is_flag=True, help="退回的台账也计入汇总数字")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 64), help="并行进程数")
@click.option(
    "--force",
    is_flag=True,
    help="输出路径已有不是 taizhang 写出的文件时也覆盖（本次读取的台账除外）",
)
def consolidate(
    folder: Path,
    period_code: str,
    output: Path,
    json_path: Path | None,
    html_path: Path | None,
    md_path: Path | None,
    word_dir: Path | None,
    previous: tuple[Path, ...],
    include_invalid: bool,
    jobs: int,
    force: bool,
) -> None:
    """校验文件夹中本期全部台账，写出全市汇总。"""
    from addin.pipeline.run import consolidate_folder

    period = resolve_period(period_code)
    require_suffix(output, ".xlsx", "-o")
    for path, suffix, option in (
        (json_path, ".json", "--json"),
        (html_path, ".html", "--report"),
        (md_path, ".md", "--markdown"),
    ):
        if path is not None:
            require_suffix(path, suffix, option)
    for path in previous:
        require_suffix(path, ".json", "--previous")
    summary = consolidate_folder(
        folder,
        period,
        output=output,
        json_path=json_path,
        html_path=html_path,
        md_path=md_path,
        word_dir=word_dir,
        previous=previous,
        include_invalid=include_invalid,
        jobs=jobs,
        force=force,
    )
    click.echo(summary.overview_text())
    sys.exit(0 if summary.all_ok else 1)


@cli.command()
@click.option("--period", "period_code", required=True, help="报送期次，例如 2021Y")
@click.option("--dir", "folder", required=True, type=click.Path(path_type=Path), help="收件文件夹")
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="控制台工作簿 .xlsx"
)
@click.option(
    "--force",
    is_flag=True,
    help="输出路径已有不是 taizhang 写出的文件时也覆盖（本次读取的台账除外）",
)
def console(period_code: str, folder: Path, output: Path, force: bool) -> None:
    """写出市局的控制台工作簿（插件按钮在其中一键汇总）。"""
    from addin.pipeline.run import write_console

    path = write_console(resolve_period(period_code), folder, output, force=force)
    click.echo(shown(str(path)))


@cli.command()
@click.option(
    "-o",
    "--output",
    default=Path("demo-out"),
    show_default=True,
    type=click.Path(path_type=Path),
    help="示例输出文件夹",
)
def demo(output: Path) -> None:
    """生成 14 个单位的示例台账并跑完整流程。"""
    from addin.faces.demo import run_demo

    sys.exit(run_demo(output))


@cli.command()
@click.option(
    "--data", "folder", required=True, type=click.Path(path_type=Path), help="服务的数据文件夹"
)
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="口令表 账号.xlsx"
)
@click.option(
    "--rotate",
    "rotate",
    multiple=True,
    metavar="UNIT",
    help="给这个单位（或 市能源局）换发新口令，旧口令作废；可重复",
)
def accounts(folder: Path, output: Path, rotate: tuple[str, ...]) -> None:
    """建立报送服务的数据文件夹和各单位的口令，写出口令表。"""
    from addin.faces.service.accounts import issue

    require_suffix(output, ".xlsx", "-o")
    issued = issue(folder, output, rotate)
    click.echo(f"已写出口令表：{output}（{len(issued)} 个账号：{'、'.join(n for n, _ in issued)}）")
    click.echo(f"口令只以加盐散列保存在“{folder}”中；请妥善保管口令表，分发后删除电子副本。")


@cli.command()
@click.option(
    "--data", "folder", required=True, type=click.Path(path_type=Path), help="服务的数据文件夹"
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="监听地址；0.0.0.0 对局域网开放"
)
@click.option("--port", default=8750, show_default=True, type=click.IntRange(0, 65535), help="端口")
def serve(folder: Path, host: str, port: int) -> None:
    """运行台账报送服务（县区上传、市局看板），按 Ctrl-C 停止。"""
    from addin.faces.service.app import serve as run

    run(folder, host, port, echo=click.echo)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="taizhang", standalone_mode=False)
    except SystemExit:
        raise
    except cli_text.ShortHelp as exc:  # bare `taizhang`: the short help, not an error line
        exc.show()
        sys.exit(exc.exit_code)
    except BaseException as exc:
        if boundary.debugging() and boundary.is_fault(exc):
            raise
        line, code = boundary.explain(exc)
        click.echo(escaped(line), err=True)  # a path in it may hold any character
        sys.exit(code)
