"""How far a sheet may reach before a reader is allowed to allocate for it. calamine makes a
dense grid of the used range (and, for .xls, reserves what the DIMENSIONS record claims), so a
tiny file with one far-out cell asks for gigabytes; the guards refuse such a file first.
A ledger has a few hundred rows and fewer than twenty columns: the caps are far beyond it."""

from __future__ import annotations

from addin.read.failure import fail

EXCEL_ROWS, EXCEL_COLS = 1_048_576, 16_384
BIFF8_ROWS, BIFF8_COLS = 65_536, 256
MAX_ROWS, MAX_COLS, MAX_CELLS = 100_000, 200, 2_000_000


def check_extent(
    path,
    part: str,
    rows: int,
    cols: int,
    cells: int | None = None,
    *,
    limits: tuple[int, int] = (EXCEL_ROWS, EXCEL_COLS),
) -> None:
    """ReadFailure file.hostile beyond the format's own limits, file.too-large beyond ours."""
    top_rows, top_cols = limits
    if rows > top_rows or cols > top_cols:
        raise fail(
            "file.hostile",
            path,
            detail=f"部件 {part} 引用了第 {rows} 行、第 {cols} 列的单元格，超出 Excel 的极限"
            f"（{top_rows} 行、{top_cols} 列）",
        )
    area = rows * cols if cells is None else cells
    if rows > MAX_ROWS or cols > MAX_COLS or area > MAX_CELLS:
        raise fail(
            "file.too-large",
            path,
            detail=f"部件 {part} 的已用区域达 {rows} 行 × {cols} 列，台账至多 {MAX_ROWS} 行、"
            f"{MAX_COLS} 列",
        )


def check_claim(path, part: str, rows: int, cols: int, limits: tuple[int, int]) -> None:
    """A declared range (DIMENSIONS) that a reader reserves memory for: refused only when it
    is impossible or its area alone is beyond the cap, since real files declare formatted
    blank columns too."""
    if rows > limits[0] or cols > limits[1]:
        check_extent(path, part, rows, cols, limits=limits)
    if rows * cols > MAX_CELLS:
        raise fail(
            "file.too-large",
            path,
            detail=f"部件 {part} 声明的已用区域达 {rows} 行 × {cols} 列，超出台账的上限"
            f"（{MAX_CELLS:,} 个单元格）",
        )
