"""Just enough of the OLE2 compound file format (.xls, .et, encrypted OOXML) to tell what a
file is and whether calamine may read it: the stream directory for sniffing, and the first
records of the workbook stream for encryption (FILEPASS) and the 1904 date system. Every
sector number is checked: fuzzed and truncated files point anywhere."""

from __future__ import annotations

import struct

from addin.read.failure import ReadFailure, fail
from addin.read.limits import BIFF8_COLS, BIFF8_ROWS, check_claim, check_extent


class Cfb:
    """The stream directory of a compound file and the start of any stream."""

    END = 0xFFFFFFFE

    def __init__(self, data: bytes, path):
        self.data, self.path = data, path
        if len(data) < 512:
            raise self._bad("文件头不完整")
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise self._bad("复合文件头无效")
        self.ssz = 1 << shift
        self.major = struct.unpack_from("<H", data, 0x1A)[0]
        nfat, first_dir = struct.unpack_from("<II", data, 0x2C)
        self.cutoff, self.first_minifat, _, first_difat, ndifat = struct.unpack_from(
            "<IIIII", data, 0x38
        )
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        nxt = first_difat
        for _ in range(min(ndifat, len(data) // self.ssz)):
            entries = struct.unpack(f"<{self.ssz // 4}I", self._sector(nxt))
            difat += entries[:-1]
            nxt = entries[-1]
        self.fat: list[int] = []
        for sec in difat[: min(nfat, len(data) // self.ssz + 1)]:
            if sec < 0xFFFFFFFA:
                self.fat += struct.unpack(f"<{self.ssz // 4}I", self._sector(sec))
        directory = b"".join(self._sector(s) for s in self._chain(first_dir))
        self.entries = []
        for off in range(0, len(directory) - 127, 128):
            rec = directory[off : off + 128]
            nlen, kind = struct.unpack_from("<HB", rec, 0x40)
            if kind not in (1, 2, 5) or not 2 <= nlen <= 64:
                continue
            start, size = struct.unpack_from("<IQ", rec, 0x74)
            if self.major == 3:
                size &= 0xFFFFFFFF
            name = rec[: nlen - 2].decode("utf-16-le", "replace")
            self.entries.append((name, kind, start, size))

    def _bad(self, why: str) -> ReadFailure:
        return fail("file.corrupt", self.path, detail=f"OLE 复合文件已损坏或不完整（{why}）")

    def _sector(self, n: int) -> bytes:
        off = (n + 1) * self.ssz
        if n >= 0xFFFFFFFA or off >= len(self.data):
            raise self._bad(f"扇区 {n} 超出文件末尾，文件可能不完整")
        return self.data[off : off + self.ssz].ljust(self.ssz, b"\0")

    def _chain(self, start: int, fat: list[int] | None = None, limit: int | None = None):
        fat = self.fat if fat is None else fat
        out, seen = [], set()
        while start != self.END and (limit is None or len(out) < limit):
            if start >= len(fat) or start in seen:
                raise self._bad("扇区链断裂或循环")
            seen.add(start)
            out.append(start)
            start = fat[start]
        return out

    def names(self) -> set[str]:
        return {name.lower() for name, kind, _, _ in self.entries if kind == 2}

    def stream(self, name: str, limit: int) -> bytes:
        """The first `limit` bytes of stream `name`; the whole chain is checked so a truncated
        file is found here rather than deep inside the parser."""
        found = [e for e in self.entries if e[1] == 2 and e[0].lower() == name]
        if not found:
            return b""
        entry_name, _, start, size = found[0]
        if size < self.cutoff:
            root = next((e for e in self.entries if e[1] == 5), None)
            if root is None:
                raise self._bad("缺少根目录项")
            mini_fat: list[int] = []
            for s in self._chain(self.first_minifat):
                mini_fat += struct.unpack(f"<{self.ssz // 4}I", self._sector(s))
            container = b"".join(self._sector(s) for s in self._chain(root[2]))
            sectors = self._chain(start, mini_fat)
            data = b"".join(container[s * 64 : s * 64 + 64] for s in sectors)
        else:
            sectors = self._chain(start)
            if len(sectors) * self.ssz < size:
                raise self._bad(f"数据流 {entry_name} 缺少 {size - len(sectors) * self.ssz} 字节")
            want = -(-min(size, limit) // self.ssz)
            data = b"".join(self._sector(s) for s in sectors[:want])
        if len(data) < min(size, limit):
            raise self._bad(f"数据流 {entry_name} 不完整")
        return data[: min(size, limit)]


def ole_format(path) -> str:
    """encrypted-ooxml or xls, or ReadFailure for other OLE documents (Word, PowerPoint)."""
    with open(path, "rb") as f:
        cfb = Cfb(f.read(), path)
    names = cfb.names()
    if {"encryptioninfo", "encryptedpackage"} <= names:
        return "encrypted-ooxml"
    if names & {"workbook", "book"}:
        return "xls"
    if "worddocument" in names:
        raise fail("file.not-spreadsheet", path, what="Word 97-2003 文档")
    if "powerpoint document" in names:
        raise fail("file.not-spreadsheet", path, what="PowerPoint 97-2003 演示文稿")
    raise fail("file.not-spreadsheet", path, what="不含工作簿的 OLE 复合文件")


def workbook_stream(path) -> tuple[Cfb, bytes]:
    """The compound file and its whole Workbook (BIFF8) or Book (BIFF5) stream."""
    with open(path, "rb") as f:
        data = f.read()
    cfb = Cfb(data, path)
    names = cfb.names()
    return cfb, cfb.stream("workbook" if "workbook" in names else "book", len(data))


def records(stream: bytes):
    """(offset, record type, body) of every BIFF record; stops at a truncated record (the
    parser then says what is wrong)."""
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, pos)
        if pos + 4 + length > end:
            return
        yield pos, kind, stream[pos + 4 : pos + 4 + length]
        pos += 4 + length


_DIMENSIONS = 0x0200
# cell records that hold a value: row and column are their first two 16-bit fields
_VALUE_CELLS = frozenset({0x0006, 0x0203, 0x0204, 0x0205, 0x00D6, 0x00FD, 0x027E})
_MULRK = 0x00BD  # row, first column, RK values…, last column


def check_xls(path) -> bool:
    """Encryption (FILEPASS) and the 1904 date system from the workbook globals, and the
    farthest cell each sheet holds or declares (calamine reserves a grid for the DIMENSIONS
    record and grows it to the farthest value); returns date1904."""
    _cfb, stream = workbook_stream(path)
    date1904, in_globals = False, True
    extent = [0, 0, 0]  # rows, columns, sheet number
    for _pos, kind, body in records(stream):
        if in_globals:
            if kind == 0x002F:  # FILEPASS: everything after it is encrypted or obfuscated
                raise fail("file.encrypted", path)
            if kind == 0x0022 and len(body) >= 2:  # DATE1904
                date1904 = struct.unpack_from("<H", body)[0] != 0
            if kind == 0x000A:  # EOF of the workbook globals
                in_globals = False
            continue
        _sheet_extent(path, kind, body, extent)
    _check_cells(path, extent)
    return date1904


def _sheet_extent(path, kind: int, body: bytes, extent: list[int]) -> None:
    if kind == 0x0809:  # BOF of the next sheet: its own extent starts again
        _check_cells(path, extent)
        extent[:] = [0, 0, extent[2] + 1]
    elif kind == _DIMENSIONS:
        if len(body) >= 14:  # BIFF8: 32-bit rows
            _r0, rows, _c0, cols = struct.unpack_from("<IIHH", body)
        elif len(body) >= 8:
            _r0, rows, _c0, cols = struct.unpack_from("<HHHH", body)
        else:
            return
        check_claim(path, _part(extent), rows, cols, (BIFF8_ROWS, BIFF8_COLS))
    elif kind in _VALUE_CELLS and len(body) >= 4:
        row, col = struct.unpack_from("<HH", body)
        extent[0], extent[1] = max(extent[0], row + 1), max(extent[1], col + 1)
    elif kind == _MULRK and len(body) >= 6:
        row, _first = struct.unpack_from("<HH", body)
        last = struct.unpack_from("<H", body, len(body) - 2)[0]
        extent[0], extent[1] = max(extent[0], row + 1), max(extent[1], last + 1)


def _part(extent: list[int]) -> str:
    return f"第 {extent[2]} 张工作表"


def _check_cells(path, extent: list[int]) -> None:
    if extent[0] or extent[1]:
        check_extent(path, _part(extent), extent[0], extent[1], limits=(BIFF8_ROWS, BIFF8_COLS))
