"""The command line speaks Chinese: click's help layout and every message click can raise for
our commands, said in the bureau's words (SPEC §4: "every message, usage errors and --help
included, is Chinese").

cli.py declares its group with `cls=Group`; everything else happens here:
- help: 用法／选项／命令 headings, [选项] and 命令 [参数]… in the usage line, Chinese names for
  the values an option takes, ［必填］／［默认：…］／［范围：…］ after an option's help, and the
  help option's own line;
- errors: click raises its English exceptions as usual; the group catches each one while it
  parses and turns it into `ArgumentError`, a click.UsageError whose message is built here from
  the exception's structure (which option, which value, which choices), never by translating
  click's English text. faces/boundary.py then prints it as one line;
- bare `taizhang`: a short Chinese help on stderr and exit 2 (`ShortHelp`).

click's own types are swapped for subclasses that say what was wrong with the value (click's
messages carry the value only inside English text). An option whose type is none of these
still gets a Chinese line, without the value; tests/faces/test_cli_text.py walks every option
of every verb so a new one cannot leak English unnoticed."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import click

# What the command line says, by key. {placeholders} are filled from the exception or the
# parameter; the keys are ours, the texts are the bureau's.
SAY = {
    "usage": "用法：",
    "options-metavar": "[选项]",
    "subcommand-metavar": "命令 [参数]…",
    "help-option": "显示本帮助并退出",
    "required": "必填",
    "default": "默认：{default}",
    "range": "范围：{range}",
    "missing-option": "缺少必填选项 {name}（{help}）",
    "missing-argument": "缺少参数 {name}",
    "no-such-option": "没有选项 {name}",
    "no-such-command": "没有命令“{name}”，可用的命令有：{commands}",
    "did-you-mean": "（您要找的是不是 {names}？）",
    "needs-value": "选项 {name} 后面要写一个值",
    "takes-no-value": "选项 {name} 是开关，后面不写值",
    "bad-value": "{name} 的值无效：{why}",
    "bad-value-unknown": "{name} 的值无效",
    "not-a-choice": "“{value}”不是可选的值，可选：{choices}",
    "not-an-integer": "“{value}”不是整数",
    "not-in-range": "“{value}”不在 {range} 之内",
    "extra-arguments": "多余的参数：{args}",
    "missing-command": "缺少命令：请写出要运行的命令，例如 taizhang consolidate",
    "usage-error": "命令的写法有误",
    "file-error": "无法打开文件“{name}”",
    "see-help": "；运行 {command} -h 查看用法",
    "error": "错误：{message}",
    "short-usage": "用法：{prog} 命令 [选项]…",
    "short-more": "运行 {prog} 命令 -h 查看该命令的选项，例如 {prog} consolidate -h；{prog} -h 查看全部帮助。",
}

# click's section headings (passed to the formatter in English) → ours
HEADINGS = {"Options": "选项", "Commands": "命令", "Positional arguments": "参数"}

# The value an option or argument takes, as the help shows it (click's default is the type's
# English name in capitals: TEXT, PATH, INTEGER RANGE). By parameter name first: the names our
# verbs give their parameters; then by the type's name.
METAVARS = {
    "period_code": "期次",
    "unit_name": "单位",
    "paths": "文件或文件夹…",
    "folder": "文件夹",
}
TYPE_METAVARS = {
    "text": "文本",
    "path": "路径",
    "file": "文件",
    "directory": "文件夹",
    "filename": "文件",
    "integer": "整数",
    "integer range": "整数",
    "float": "数",
    "float range": "数",
    "boolean": "是或否",
    "datetime": "日期",
}


def say(key: str, **fields: object) -> str:
    return SAY[key].format(**fields)


# ---- types that say what was wrong with the value -------------------------------------


class Choice(click.Choice):
    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            choices = "、".join(str(c) for c in self.choices)
            self.fail(say("not-a-choice", value=value, choices=choices), param, ctx)


class IntRange(click.IntRange):
    def convert(self, value, param, ctx):
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(say("not-an-integer", value=value), param, ctx)
        try:
            return super().convert(number, param, ctx)
        except click.BadParameter:
            self.fail(say("not-in-range", value=value, range=describe_range(self)), param, ctx)


def describe_range(kind: click.IntRange) -> str:
    low, high = kind.min, kind.max
    if low is not None and high is not None:
        return f"{low}～{high}"
    if low is not None:
        return f"{'大于' if kind.min_open else '不小于'} {low}"
    return f"{'小于' if kind.max_open else '不大于'} {high}"


SPOKEN_TYPES = (Choice, IntRange)


def spoken(kind: click.ParamType) -> click.ParamType:
    """The Chinese-speaking twin of one of click's types (itself when it has none)."""
    if isinstance(kind, SPOKEN_TYPES):
        return kind
    if isinstance(kind, click.Choice):
        return Choice(kind.choices, case_sensitive=kind.case_sensitive)
    if isinstance(kind, click.IntRange):
        return IntRange(kind.min, kind.max, kind.min_open, kind.max_open, kind.clamp)
    if kind is click.INT:
        return IntRange()
    return kind


def _speak(param: click.Parameter) -> None:
    param.type = spoken(param.type)
    if param.metavar is None and not isinstance(param.type, click.Choice):
        word = METAVARS.get(param.name or "") or TYPE_METAVARS.get(param.type.name)
        if word and isinstance(param, click.Argument):
            optional = not param.required
            param.metavar = f"[{word}]" if optional else word
        elif word:
            param.metavar = word


# ---- errors ----------------------------------------------------------------------------


class ArgumentError(click.UsageError):
    """A misuse of the command line, said in Chinese (one line)."""

    def show(self, file=None) -> None:
        click.echo(say("error", message=self.format_message()), file=file, err=True)


class ShortHelp(click.UsageError):
    """`taizhang` with nothing after it: the short help, exit 2 (nothing was done)."""

    def show(self, file=None) -> None:
        click.echo(self.format_message(), file=file, err=True)


def _name(param: click.Parameter | None, ctx: click.Context | None) -> str:
    if param is None:
        return "参数"
    if isinstance(param, click.Option):
        return " / ".join(param.opts)
    return param.make_metavar(ctx) if ctx else (param.metavar or param.name or "参数")


def _option(ctx: click.Context | None, name: str) -> click.Option | None:
    if ctx is None:
        return None
    for param in ctx.command.get_params(ctx):
        if isinstance(param, click.Option) and name in (*param.opts, *param.secondary_opts):
            return param
    return None


def _did_you_mean(possibilities: Sequence[str] | None) -> str:
    return say("did-you-mean", names="、".join(possibilities)) if possibilities else ""


def explain(exc: click.ClickException) -> str:
    """The Chinese message for one of click's exceptions, from its structure."""
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.MissingParameter):
        param = exc.param
        if isinstance(param, click.Option):
            return say("missing-option", name=_name(param, ctx), help=param.help or "")
        return say("missing-argument", name=_name(param, ctx))
    if isinstance(exc, click.BadParameter):
        name = _name(exc.param, ctx)
        if isinstance(exc.param, click.Option) and isinstance(exc.param.type, SPOKEN_TYPES):
            return say("bad-value", name=name, why=exc.message)
        return say("bad-value-unknown", name=name)
    if isinstance(exc, click.NoSuchOption):
        return say("no-such-option", name=exc.option_name) + _did_you_mean(exc.possibilities)
    if isinstance(exc, click.exceptions.NoSuchCommand):
        group = ctx.command if ctx else None
        commands = "、".join(group.list_commands(ctx)) if isinstance(group, click.Group) else ""
        return say("no-such-command", name=exc.command_name, commands=commands) + _did_you_mean(
            exc.possibilities
        )
    if isinstance(exc, click.BadOptionUsage):
        option = _option(ctx, exc.option_name)
        if option is not None and (option.is_flag or option.count):
            return say("takes-no-value", name=exc.option_name)
        return say("needs-value", name=exc.option_name)
    if isinstance(exc, click.FileError):
        return say("file-error", name=exc.ui_filename)
    if isinstance(exc, click.UsageError) and exc.message == "Missing command.":
        return say("missing-command")
    return say("usage-error")


@contextmanager
def in_chinese() -> Iterator[None]:
    try:
        yield
    except (ArgumentError, ShortHelp):
        raise
    except click.exceptions.NoArgsIsHelpError as exc:
        raise ShortHelp(short_help(exc.ctx), exc.ctx) from None
    except click.ClickException as exc:
        ctx = getattr(exc, "ctx", None)
        hint = say("see-help", command=ctx.command_path) if ctx else ""
        raise ArgumentError(explain(exc) + hint, ctx) from None


# ---- help ------------------------------------------------------------------------------


def width(text: str) -> int:
    """Columns a terminal gives the text: a Chinese character takes two (click counts one)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most `columns` display columns, breaking anywhere (Chinese has no spaces)."""
    lines, line = [], ""
    for ch in text:
        if width(line + ch) > columns and line:
            lines.append(line.rstrip())
            line = ch.lstrip()
        else:
            line += ch
    return [*lines, line] if line else lines


class Formatter(click.HelpFormatter):
    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2):
        rows = list(rows)
        first = min(max((width(term) for term, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for term, text in rows:
            self.write(f"{indent}{term}")
            if width(term) > first - col_spacing and text:
                self.write("\n" + " " * (first + self.current_indent))
            else:
                self.write(" " * (first - width(term)))
            lines = wrap(text, max(self.width - first - self.current_indent, 20)) or [""]
            self.write(lines[0].rstrip() + "\n")
            for line in lines[1:]:
                self.write(f"{indent}{' ' * first}{line}\n")

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, say("usage") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")


class Context(click.Context):
    formatter_class = Formatter


def extras(option: click.Option, ctx: click.Context) -> str:
    """［必填］, ［默认：text］, ［范围：1～64］ after an option's help, as click puts its
    English [required] and [default: text]."""
    extra = option.get_help_extra(ctx)
    items = []
    if "default" in extra:
        items.append(say("default", default=extra["default"]))
    if isinstance(option.type, IntRange):
        items.append(say("range", range=describe_range(option.type)))
    if "required" in extra:
        items.append(say("required"))
    return f"［{'；'.join(items)}］" if items else ""


class _Speaking:
    """What Command and Group share: Chinese parameters, help lines and help option."""

    context_class = Context

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", say("options-metavar"))
        super().__init__(*args, **kwargs)
        for param in self.params:
            _speak(param)

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:  # click's parser raises some without the context
            if exc.ctx is None:
                exc.ctx = ctx
            raise

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = say("help-option")
        return option

    def format_options(self, ctx, formatter) -> None:
        rows = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None or not isinstance(param, click.Option):
                continue
            text = " ".join(part for part in (param.help or "", extras(param, ctx)) if part)
            rows.append((record[0], text))
        if rows:
            with formatter.section("Options"):
                formatter.write_dl(rows)


class Command(_Speaking, click.Command):
    def parse_args(self, ctx, args):
        # click would refuse extra arguments in English inside its own parse_args
        allowed = ctx.allow_extra_args
        ctx.allow_extra_args = True
        try:
            rest = super().parse_args(ctx, args)
        finally:
            ctx.allow_extra_args = allowed
        if rest and not allowed and not ctx.resilient_parsing:
            raise ArgumentError(
                say("extra-arguments", args=" ".join(rest))
                + say("see-help", command=ctx.command_path),
                ctx,
            )
        return rest


class Group(_Speaking, click.Group):
    command_class = Command
    group_class = type  # subgroups speak Chinese too

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", say("subcommand-metavar"))
        super().__init__(*args, **kwargs)

    def format_options(self, ctx, formatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def make_context(self, info_name, args, parent=None, **extra):
        with in_chinese():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx):
        with in_chinese():
            return super().invoke(ctx)


def short_help(ctx: click.Context) -> str:
    """A few lines for `taizhang` alone: what it is, its verbs, where the full help is."""
    group = ctx.command
    prog = ctx.command_path
    lines = [(group.help or "").strip(), "", say("short-usage", prog=prog)]
    if isinstance(group, click.Group):
        names = [n for n in group.list_commands(ctx) if not group.commands[n].hidden]
        column = max(map(len, names), default=0)
        lines += [
            f"  {name:<{column}}  {group.commands[name].get_short_help_str(60)}" for name in names
        ]
    lines += ["", say("short-more", prog=prog)]
    return "\n".join(lines)
