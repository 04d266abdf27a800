"""Annotated copies for `taizhang validate --mark DIR`: a 校验结果 sheet listing the findings
(the 单元格 column links to the cell) and highlighted cells, written beside — never over — the
county's own file (mark_copy.py makes the copy, in a bounded child process: the same time and
memory limits as reading).

openpyxl cannot open .xls, .xlsb or .ods, nor a file that could not be read at all: those get
`<file name>.校验结果.xlsx` (微山县.ods.校验结果.xlsx, so an .ods and an .xls of one stem do not
collide), a new workbook holding only the 校验结果 sheet; so does a copy that would overrun
the limits. An .xlsm's copy is an .xlsx: it carries no macros.

The folder's register (stamp.py) lists every file written there with its sha256, so a later
folder scan skips exactly those and still finds county returns in the same folder, and a file
there that is not ours — even one under an old copy's name — is never overwritten (the copy
gets a "(2)" name instead). Names are kept within 255 bytes, the limit of every file system."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from addin.model.errors import UsageError
from addin.model.ledger import Return
from addin.read.failure import shown
from addin.read.isolate import ChildPool
from addin.write.guard import Outputs
from addin.write.mark_copy import (
    CLEAN_MESSAGE,
    cell_link,
    results_book,
    results_rows,
    set_text,
)
from addin.write.stamp import RESULTS_SUFFIX, STAMP, Register
from schemas.sheets import RESULT_HEADERS, RESULTS_SHEET

__all__ = [
    "CLEAN_MESSAGE",
    "RESULT_HEADERS",
    "RESULTS_SHEET",
    "RESULTS_SUFFIX",
    "STAMP",
    "Marked",
    "cell_link",
    "results_rows",
    "set_text",
    "write_marked",
]

EDITABLE = ("xlsx", "xlsm")  # formats openpyxl can re-save
ANNOTATE = "addin.write.mark_copy:annotate"
NAME_BYTES = 255


@dataclass(frozen=True)
class Marked:
    """What --mark did for one return: `kind` is "copy" (annotated copy), "results" (only the
    校验结果 workbook) or "skipped"; `note` says why in Chinese when it is not a copy."""

    source: str
    path: Path | None
    kind: str
    note: str = ""


class _NoCopy(Exception):
    def __init__(self, note: str):
        super().__init__(note)
        self.note = note


def write_marked(
    returns: Sequence[Return], mark_dir: Path, *, timeout: float = 20.0, memory_mb: int = 1024
) -> list[Marked]:
    """One annotated copy (or 校验结果 workbook) per return into `mark_dir`, in input order."""
    mark_dir = Path(mark_dir)
    target = mark_dir.resolve()
    for ret in returns:
        if Path(ret.source.path).resolve().parent == target:
            raise UsageError(
                "usage.mark-same-folder", folder=shown(str(mark_dir)), name=ret.source.name
            )
    outputs = Outputs(inputs=[Path(r.source.path) for r in returns])
    used: set[str] = set()
    with ChildPool(1, timeout=timeout, memory_mb=memory_mb) as pool:
        done = [_mark_one(ret, mark_dir, used, outputs, pool) for ret in returns]
    return done


def _fit(stem: str, suffix: str) -> str:
    """stem + suffix within NAME_BYTES bytes as the file system stores them."""
    while len(os.fsencode(stem + suffix)) > NAME_BYTES and stem:
        stem = stem[:-1]
    return stem + suffix


def _unique(mark_dir: Path, name: str, used: set[str], ours: Register) -> Path:
    """Two returns with the same file name (from different folders) get name (2).xlsx, … in
    input order, so a later copy never overwrites an earlier one; nor a file in the folder
    that an earlier --mark did not write (a county's return beside the copies)."""
    if name.endswith(RESULTS_SUFFIX):  # a (2) before the suffix keeps it a 校验结果 name
        stem, suffix = name[: -len(RESULTS_SUFFIX)], RESULTS_SUFFIX
    elif "." in name:
        stem, dot, ext = name.rpartition(".")
        suffix = dot + ext
    else:
        stem, suffix = name, ""
    candidate, n = _fit(stem, suffix), 1
    while candidate.lower() in used or (
        os.path.lexists(mark_dir / candidate) and not ours.owns(mark_dir / candidate)
    ):
        n += 1
        candidate = _fit(stem, f" ({n}){suffix}")
    used.add(candidate.lower())
    return mark_dir / candidate


def _mark_one(ret: Return, mark_dir: Path, used: set[str], outputs, pool) -> Marked:
    src = Path(ret.source.path)
    fmt = ret.source.format
    ours = Register.load(mark_dir)
    if fmt in EDITABLE:
        path = _unique(mark_dir, f"{src.stem}.xlsx", used, ours)
        try:
            [path] = outputs.write([(path, _copy_writer(ret, pool), "marked")])
            return Marked(str(src), path, "copy")
        except _NoCopy as missed:
            used.discard(path.name.lower())
            note = missed.note
    elif fmt is not None:
        note = f"{fmt.upper()} 格式无法直接标注，只写出校验结果"
    else:
        note = "文件无法读取，只写出校验结果"
    path = _unique(mark_dir, f"{src.name}{RESULTS_SUFFIX}", used, ours)
    book = results_book(ret.findings)
    [path] = outputs.write([(path, book.save, "results")])
    return Marked(str(src), path, "results", note)


def _copy_writer(ret: Return, pool: ChildPool):
    findings = [f.as_dict() for f in ret.findings]

    def write(tmp: Path) -> None:
        args = {
            "src": ret.source.path,
            "sha256": ret.source.sha256,
            "fmt": ret.source.format,
            "findings": findings,
            "out": str(tmp),
        }
        answer = pool.call(ANNOTATE, args)
        if answer.problem is not None:
            raise _NoCopy(_why(answer, pool))
        if answer.value.get("note"):
            raise _NoCopy(answer.value["note"])

    return write


def _why(answer, pool: ChildPool) -> str:
    if answer.problem == "timeout":
        return f"标注副本超过 {pool.timeout:g} 秒仍未完成，只写出校验结果"
    if answer.problem == "memory":
        return f"标注副本超出内存上限 {pool.memory_mb} MB，只写出校验结果"
    if answer.problem == "crashed":
        return f"生成标注副本的进程异常退出（{answer.detail}），只写出校验结果"
    return f"无法生成标注副本（{answer.detail.partition(':')[0]}），只写出校验结果"
