"""ReadFailure: why a file cannot become a Workbook, as a `file.*` entry of the findings
catalogue and the parameters of its message. Raised by every stage of reading (intake.py,
sniff.py, ole.py, guard.py, reader.py) and sent back as data by isolate.py's children.

File names are shown as `shown_name` gives them: a name the file system holds that is not
valid UTF-8 (a GBK name from unzipping a Windows archive arrives as surrogate escapes) is
displayed with replacement characters, so no writer or terminal ever meets a lone surrogate."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

MB = 1024 * 1024


class ReadFailure(Exception):
    """A file that cannot become a Workbook; `code` names a `file.*` catalogue entry and
    `params` fills its placeholders."""

    def __init__(self, code: str, params: dict[str, Any] | None = None, /, **more: Any):
        self.code = code
        self.params = {**(params or {}), **more}
        super().__init__(code, self.params)

    def __reduce__(self):  # picklable across the isolation pipe
        return (ReadFailure, (self.code, self.params))

    def __str__(self) -> str:
        return f"{self.code}: {self.params}"

    def finding(self):
        from addin.model.findings import make

        return make(self.code, **self.params)


def shown(text: str) -> str:
    """`text` (a name or path) as people see it: undecodable bytes become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:  # bytes the file system held, escaped by os.fsdecode
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # other lone surrogates (from a cell, a JSON file)
        raw = text.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


def shown_name(path: str | os.PathLike) -> str:
    return shown(Path(path).name)


def fail(code: str, path: str | os.PathLike, **params: Any) -> ReadFailure:
    """A ReadFailure naming the file by its name (never its folder: findings are shown)."""
    return ReadFailure(code, name=shown_name(path), **params)


def size_text(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{n / 1024:.1f} KB"
