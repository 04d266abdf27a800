"""The program's own exceptions. Each carries a code of schemas/data/errors.toml and the fields
its wording needs; faces/boundary.py turns any of them into one Chinese line and an exit code.
Problems in a county's data are findings (model/findings.py), never exceptions."""

from __future__ import annotations

import string
import tomllib
from functools import cache
from importlib import resources


@cache
def catalogue() -> dict[str, str]:
    """code → message template."""
    text = resources.files("schemas").joinpath("data", "errors.toml").read_text(encoding="utf-8")
    return {code: entry["message"] for code, entry in tomllib.loads(text).items()}


def fields_of(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class TaizhangError(Exception):
    """A run that cannot go on: bad arguments, an unusable path, a file we may not write."""

    exit_code = 2

    def __init__(self, code: str, **fields: object):
        template = catalogue()[code]  # an unknown code is the program's fault: KeyError
        missing = fields_of(template) - fields.keys()
        if missing:
            raise KeyError(f"{code} needs {sorted(missing)}")
        self.code = code
        self.fields = fields
        self.message = template.format(**{k: "" if v is None else v for k, v in fields.items()})
        super().__init__(self.message)

    def line(self) -> str:
        return f"错误 [{self.code}]：{self.message}"


class UsageError(TaizhangError):
    """The command was called wrongly (unknown unit, malformed period, missing folder)."""


class OutputError(TaizhangError):
    """An output could not be written (target open in Excel, folder not writable)."""
