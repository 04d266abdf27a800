"""The names taizhang gives what it writes beside returns, so a folder scan never takes them for
a return: the 校验结果 list-only workbooks and the --mark stamp that lists the copies written."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

RESULTS_SUFFIX = ".校验结果.xlsx"  # mark.py's list-only workbooks: ours, not a return
# mark.py writes it into a --mark folder, listing the files it wrote there, one a line. A scan
# skips exactly those: the folder may also hold county returns (a --mark folder above them).
STAMP = ".taizhang-marked"
STAMP_HEADER = "# taizhang --mark 写出的标注副本，校验文件夹时跳过下列文件："


def stamped_names(folder: Path) -> set[str]:
    """File names (lower case) the stamp in `folder` lists; empty when there is none."""
    try:
        text = (Path(folder) / STAMP).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    return {line.strip().lower() for line in text.splitlines() if line.strip()[:1] not in ("", "#")}


def stamp_text(names: Iterable[str]) -> str:
    return "\n".join([STAMP_HEADER, *sorted(set(names))]) + "\n"
