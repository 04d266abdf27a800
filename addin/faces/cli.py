"""The command line: parses options, calls the common pipeline, and is the one boundary that
turns a TaizhangError into a Chinese line on stderr and an exit code (0 clean, 1 the data has
errors, 2 misuse or a run that could not go on). Heavy modules are imported per verb."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from addin.model.errors import TaizhangError, UsageError

FORMATS = ("text", "json", "html")


def resolve_period(code: str | None, *, required: bool = True):
    from schemas.reference import load

    if code is None:
        if required:
            raise UsageError(
                "usage.period-missing", "请用 --period 指定报送期次，例如 2021Y、2022H1"
            )
        return None
    period = load().period(code)
    if period is None:
        raise UsageError(
            "usage.period-unknown",
            f"报送期次“{code}”无法识别：应为 YYYYH1（上半年）、YYYYY（年度）或 2021P（制定台账），例如 2021Y",
        )
    return period


def resolve_unit(name: str):
    from schemas.reference import load

    unit, _old = load().unit_named(name)
    if unit is None:
        raise UsageError(
            "usage.unit-unknown",
            f"报送单位“{name}”不在单位名单中：可选 {'、'.join(load().unit_names)}",
        )
    return unit


def require_suffix(path: Path, suffix: str, option: str) -> None:
    if path.suffix.lower() != suffix:
        raise UsageError(
            "usage.output-suffix", f"{option} 的文件名应以 {suffix} 结尾，收到“{path.name}”"
        )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="taizhang")
def cli() -> None:
    """台账：获得电力任务台账的模板、校验与汇总。"""


@cli.command()
@click.option("--unit", "unit_name", help="报送单位，例如 任城区（--all 时不用）")
@click.option("--all", "all_units", is_flag=True, help="为名单中每个单位各写一份")
@click.option("--period", "period_code", required=True, help="报送期次，例如 2021Y、2022H1、2021P")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="输出文件（--all 时为文件夹）"
)
def template(unit_name: str | None, all_units: bool, period_code: str, output: Path | None) -> None:
    """写出空白台账模板（参考列已预填并锁定）。"""
    from addin.write.template.book import write_all, write_ledger

    period = resolve_period(period_code)
    if all_units and unit_name:
        raise UsageError(
            "usage.unit-and-all", "--unit 和 --all 只能用一个：一个单位用 --unit，全部单位用 --all"
        )
    if not all_units and not unit_name:
        raise UsageError(
            "usage.unit-missing", "请用 --unit 指定一个单位，或用 --all 为全部单位生成"
        )
    if all_units:
        paths = write_all(period, output or Path("."))
    else:
        paths = [write_ledger(resolve_unit(unit_name).name, period, output)]
    for path in paths:
        click.echo(str(path))


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
    from addin.pipeline.collect import validate_paths
    from addin.write.results import render

    period = resolve_period(period_code, required=False)
    returns = validate_paths(paths, period=period, jobs=jobs)
    if mark_dir is not None:
        from addin.write.mark import write_marked

        marked = write_marked(returns, mark_dir)
        copies = sum(m.kind == "copy" for m in marked)
        click.echo(
            f"已在“{mark_dir}”写出 {copies} 个标注副本、{len(marked) - copies} 个校验结果清单",
            err=True,
        )
        for m in marked:
            if m.note:
                click.echo(f"  {Path(m.source).name}：{m.note}", err=True)
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
@click.option("--include-invalid", is_flag=True, help="退回的台账也计入汇总数字")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 64), help="并行进程数")
def consolidate(
    folder: Path,
    period_code: str,
    output: Path,
    json_path: Path | None,
    html_path: Path | None,
    md_path: Path | None,
    include_invalid: bool,
    jobs: int,
) -> None:
    """校验文件夹中本期全部台账，写出全市汇总。"""
    from addin.consolidate.build import run_consolidate

    period = resolve_period(period_code)
    require_suffix(output, ".xlsx", "-o")
    for path, suffix, option in (
        (json_path, ".json", "--json"),
        (html_path, ".html", "--report"),
        (md_path, ".md", "--markdown"),
    ):
        if path is not None:
            require_suffix(path, suffix, option)
    summary = run_consolidate(
        folder,
        period,
        output=output,
        json_path=json_path,
        html_path=html_path,
        md_path=md_path,
        include_invalid=include_invalid,
        jobs=jobs,
    )
    click.echo(summary.overview_text())
    sys.exit(0 if summary.all_ok else 1)


@cli.command()
@click.option("--period", "period_code", required=True, help="报送期次，例如 2021Y")
@click.option("--dir", "folder", required=True, type=click.Path(path_type=Path), help="收件文件夹")
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="控制台工作簿 .xlsx"
)
def console(period_code: str, folder: Path, output: Path) -> None:
    """写出市局的控制台工作簿（插件按钮在其中一键汇总）。"""
    from addin.write.console_book import write_console

    click.echo(str(write_console(resolve_period(period_code), folder, output)))


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


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="taizhang", standalone_mode=False)
    except TaizhangError as exc:
        click.echo(exc.line(), err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("已取消", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"错误 [usage.bad-arguments]：{exc.format_message()}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("已中断", err=True)
        sys.exit(2)
    except OSError as exc:
        from addin.write.atomic import os_reason

        click.echo(f"错误 [io.failed]：无法读写 {exc.filename or ''}：{os_reason(exc)}", err=True)
        sys.exit(2)
    except Exception as exc:  # a fault of the program itself: still one line and a code
        if os.environ.get("TAIZHANG_DEBUG"):
            raise
        click.echo(
            f"错误 [internal]：程序内部错误（{type(exc).__name__}: {exc}），"
            "请设置 TAIZHANG_DEBUG=1 重跑并把输出发给维护人员",
            err=True,
        )
        sys.exit(2)
