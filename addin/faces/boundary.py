"""The one error boundary of every face (CLI, the add-in's button, the service): any exception
that ends a run becomes one Chinese line, `错误 [code]：message`, and an exit code. The codes
and their wording are schemas/data/errors.toml; a county's data never gets here (findings)."""

from __future__ import annotations

import os

import click

from addin.model.errors import TaizhangError, UsageError, catalogue
from addin.write.atomic import os_reason

DEBUG_ENV = "TAIZHANG_DEBUG"


def _line(code: str, **fields: object) -> str:
    return f"错误 [{code}]：{catalogue()[code].format(**fields)}"


def explain(exc: BaseException) -> tuple[str, int]:
    """(the line to show, the exit code) for an exception that ended a run."""
    if isinstance(exc, TaizhangError):
        return exc.line(), exc.exit_code
    if isinstance(exc, click.exceptions.Abort):
        return _line("run.cancelled"), 2
    if isinstance(exc, click.ClickException):
        return UsageError("usage.bad-arguments", detail=exc.format_message()).line(), 2
    if isinstance(exc, KeyboardInterrupt):
        return _line("run.interrupted"), 2
    if isinstance(exc, OSError):
        return _line("io.failed", path=exc.filename or "", reason=os_reason(exc)), 2
    return _line("internal", kind=type(exc).__name__, detail=exc), 2


def is_fault(exc: BaseException) -> bool:
    """The program's own failure, not the user's nor the system's."""
    expected = (TaizhangError, click.ClickException, click.exceptions.Abort, KeyboardInterrupt)
    return not isinstance(exc, (*expected, OSError))


def debugging() -> bool:
    """TAIZHANG_DEBUG=1: let the program's own faults raise with their traceback."""
    return bool(os.environ.get(DEBUG_ENV))
