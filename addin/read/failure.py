"""ReadFailure: why a file cannot become a Workbook, as a `file.*` entry of
`schemas/data/findings/read.toml` and the parameters of its message. Raised by every stage of
reading (sniff.py, ole.py, guard.py, read.py) and sent back as data by isolate.py's children."""

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


def fail(code: str, path: str | os.PathLike, **params: Any) -> ReadFailure:
    """A ReadFailure naming the file by its name (never its folder: findings are shown)."""
    return ReadFailure(code, name=Path(path).name, **params)


def size_text(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{n / 1024:.1f} KB"
