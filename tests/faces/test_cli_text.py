"""The command line speaks Chinese (SPEC §4): each kind of message click can raise for our
verbs, the --help layout, and bare `taizhang`. Each case runs the real entry point (main), so
the line is the one the boundary prints."""

from __future__ import annotations

import re

import click
import pytest

from addin.faces import cli_text
from addin.faces.cli import cli, main

# click's English, any of which in our output is a leak
ENGLISH = re.compile(
    r"Usage|Options|Commands|Arguments|required|default|Show this|Did you mean|No such|"
    r"Missing|Invalid|Error|Got unexpected|is not|OPTIONS|COMMAND|ARGS|TEXT|PATH|INTEGER|RANGE"
)


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def misuse(capsys, *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 2, (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误 [usage.bad-arguments]："), err
    assert not ENGLISH.search(lines[0]), lines[0]
    return lines[0].removeprefix("错误 [usage.bad-arguments]：")


def test_missing_option_names_it_and_says_what_it_is(capsys):
    text = misuse(capsys, "template", "--unit", "任城区")
    assert text.startswith("缺少必填选项 --period（报送期次，例如 2021Y")
    assert text.endswith("；运行 taizhang template -h 查看用法")


def test_no_such_option_suggests_the_near_one(capsys):
    text = misuse(capsys, "template", "--unti", "任城区", "--period", "2021Y")
    assert text.startswith("没有选项 --unti（您要找的是不是 --unit？）")


def test_no_such_option_without_a_near_one_suggests_nothing(capsys):
    text = misuse(capsys, "template", "--zzzzzz", "--period", "2021Y")
    assert text.startswith("没有选项 --zzzzzz；")
    assert "是不是" not in text


def test_invalid_choice_quotes_the_value_and_the_choices(capsys):
    text = misuse(capsys, "validate", "--format", "xml", "x.xlsx")
    assert text.startswith("--format 的值无效：“xml”不是可选的值，可选：text、json、html")


@pytest.mark.parametrize(
    "value,why", [("0", "“0”不在 1～64 之内"), ("abc", "“abc”不是整数"), ("65", "“65”不在")]
)
def test_invalid_number_says_why(capsys, value, why):
    text = misuse(capsys, "validate", "--jobs", value, "x.xlsx")
    assert text.startswith(f"--jobs 的值无效：{why}")


def test_missing_argument(capsys):
    assert misuse(capsys, "consolidate", "--period", "2021Y", "-o", "x.xlsx").startswith(
        "缺少参数 文件夹"
    )
    assert misuse(capsys, "validate").startswith("缺少参数 文件或文件夹")


def test_extra_arguments(capsys):
    text = misuse(capsys, "template", "--all", "甲", "乙", "--period", "2021Y")
    assert text.startswith("多余的参数：甲 乙")


def test_option_without_its_value(capsys):
    text = misuse(capsys, "consolidate", ".", "--period")
    assert text.startswith("选项 --period 后面要写一个值")


def test_flag_given_a_value(capsys):
    text = misuse(capsys, "template", "--all=yes", "--period", "2021Y")
    assert text.startswith("选项 --all 是开关，后面不写值")


def test_unknown_verb_lists_the_verbs_and_suggests(capsys):
    text = misuse(capsys, "consolidat")
    assert text.startswith("没有命令“consolidat”，可用的命令有：")
    assert "您要找的是不是 consolidate" in text
    for verb in cli.commands:
        assert verb in text
    assert "是不是" not in misuse(capsys, "qqqq")


def test_missing_command(capsys):
    assert misuse(capsys, "--").startswith("缺少命令")


def test_bare_taizhang_prints_a_short_chinese_help_and_exit_2(capsys):
    code, out, err = run(capsys)
    assert code == 2 and out == ""
    assert "错误" not in err and not ENGLISH.search(err)
    lines = err.splitlines()
    assert lines[0] == "台账：获得电力任务台账的模板、校验与汇总。"
    assert "用法：taizhang 命令 [选项]…" in lines
    for verb, command in cli.commands.items():
        assert any(line.split()[:1] == [verb] and command.help[:6] in line for line in lines)
    assert len(lines) < 15  # short: the full help is -h


@pytest.mark.parametrize("verb", [None, *sorted(cli.commands)])
def test_help_is_chinese(capsys, verb):
    code, out, err = run(capsys, *([verb] if verb else []), "--help")
    assert code == 0 and err == ""
    assert out.startswith(f"用法：taizhang {verb + ' ' if verb else ''}[选项]")
    assert "选项：" in out and "显示本帮助并退出" in out
    if verb is None:
        assert "命令：" in out and "[选项] 命令 [参数]…" in out
    leak = ENGLISH.search(out)
    assert not leak, f"{leak[0]!r} in {verb} --help:\n{out}"


def test_help_marks_required_and_default_in_chinese(capsys):
    _, out, _ = run(capsys, "consolidate", "-h")
    assert re.search(r"--period 期次 +报送期次.*［必填］", out)
    assert re.search(r"--jobs 整数 +并行进程数 ［默认：1；范围：1～64］", out)


def test_help_columns_line_up_in_display_width(capsys):
    _, out, _ = run(capsys, "consolidate", "-h")
    rows = [line for line in out.splitlines() if line.startswith("  -")]
    starts = set()
    for line in rows:
        term = re.match(r"  (\S+(?: \S+)*?)  +", line)
        starts.add(cli_text.width(line[: term.end()]))
    assert len(starts) == 1, out


def test_version_is_chinese(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and re.fullmatch(r"taizhang 版本 \S+\n", out)


def options():
    for verb, command in sorted(cli.commands.items()):
        for param in command.params:
            if isinstance(param, click.Option):
                yield verb, param


@pytest.mark.parametrize("verb,param", list(options()), ids=lambda v: getattr(v, "name", v))
def test_every_option_speaks_chinese(capsys, verb, param):
    """A new option with a type that can refuse a value must refuse it in Chinese."""
    kind = param.type
    if param.is_flag or kind is click.STRING:
        return
    if isinstance(kind, click.Path):
        # a Path that checks the file system would refuse in English
        assert not (kind.exists or kind.readable is False or kind.writable), param.name
        return
    assert isinstance(kind, cli_text.SPOKEN_TYPES), f"{verb} {param.opts}: {kind!r}"
    text = misuse(capsys, verb, param.opts[-1], "不是合法的值")
    assert text.startswith(f"{' / '.join(param.opts)} 的值无效：“不是合法的值”")


def test_every_argument_has_a_chinese_name():
    for command in cli.commands.values():
        for param in command.params:
            if isinstance(param, click.Argument):
                assert param.metavar and not re.search(r"[A-Za-z]", param.metavar), param.name


def test_an_unknown_click_error_is_still_chinese():
    class Odd(click.ClickException):
        pass

    assert cli_text.explain(Odd("something English")) == "命令的写法有误"
    assert cli_text.explain(click.FileError("a.txt", "Permission denied")).startswith(
        "无法打开文件“a.txt”"
    )


def test_wrap_counts_chinese_as_two_columns():
    assert cli_text.width("期次ab") == 6
    assert cli_text.wrap("一二三四五", 4) == ["一二", "三四", "五"]
