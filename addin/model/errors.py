"""The program's own exceptions. The CLI turns each into one Chinese line and an exit code;
problems in a county's data are findings (findings.py), never exceptions."""

from __future__ import annotations


class TaizhangError(Exception):
    """A run that cannot go on: bad arguments, an unusable path, a file we may not write."""

    exit_code = 2

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def line(self) -> str:
        return f"错误 [{self.code}]：{self.message}"


class UsageError(TaizhangError):
    """The command was called wrongly (unknown unit, malformed period, missing folder)."""


class OutputError(TaizhangError):
    """An output could not be written (target open in Excel, folder not writable)."""
