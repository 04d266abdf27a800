"""The child side of isolation (isolate.py is the parent): a plain `python -c` process, capped
by RLIMIT_AS where the OS has it, that answers one request frame at a time on stdin/stdout.

A request names the function to run as "module:function" with JSON arguments, so the same
bounded child reads returns (`read_file` here) and writes annotated copies (mark.py names its
own function): the caller owns the work, this module only runs it. Answers are JSON, never
pickle: a child a hostile file has subverted must not be able to run code in the parent.

Paths travel as str with surrogate escapes (json escapes them as \\udcXX and restores them),
so a GBK-encoded file name the file system holds reaches the child byte for byte."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
import struct
import sys
import tempfile
from dataclasses import replace
from datetime import date, datetime
from datetime import time as dtime
from typing import Any

from addin.model.workbook import Sheet, Workbook
from addin.read.failure import MB, ReadFailure, shown, shown_name

# ---------------------------------------------------------------- frames and the wire format


def frame(data: bytes) -> bytes:
    return struct.pack("<I", len(data)) + data


def read_frame(stream) -> bytes | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    (size,) = struct.unpack("<I", head)
    data = stream.read(size)
    return data if len(data) == size else None


def _cell_out(value: Any) -> Any:
    # datetime before date: a datetime is a date too
    if isinstance(value, datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, dtime):
        return ["t", value.isoformat()]
    return value


_CELL_IN = {"dt": datetime.fromisoformat, "d": date.fromisoformat, "t": dtime.fromisoformat}


def _cell_in(value: Any) -> Any:
    return _CELL_IN[value[0]](value[1]) if isinstance(value, list) else value


def to_doc(result: Workbook | ReadFailure) -> dict[str, Any]:
    if isinstance(result, ReadFailure):
        return {"fail": result.code, "params": {k: str(v) for k, v in result.params.items()}}
    return {
        "source": result.source,
        "format": result.format,
        "date1904": result.date1904,
        "meta": {k: _cell_out(v) for k, v in result.meta.items()},
        "sheets": [
            [s.name, s.hidden, [[_cell_out(v) for v in row] for row in s.rows]]
            for s in result.sheets.values()
        ],
    }


def from_doc(doc: dict[str, Any]) -> Workbook | ReadFailure:
    if "fail" in doc:
        return ReadFailure(doc["fail"], doc["params"])
    sheets = {
        name: Sheet(name, tuple(tuple(_cell_in(v) for v in row) for row in rows), hidden)
        for name, hidden, rows in doc["sheets"]
    }
    return Workbook(
        sheets=sheets,
        source=doc["source"],
        format=doc["format"],
        date1904=doc["date1904"],
        meta={k: _cell_in(v) for k, v in doc["meta"].items()},
    )


def dumps(doc: Any) -> bytes:
    # ensure_ascii: lone surrogates of undecodable file names travel as \udcXX escapes
    return json.dumps(doc, ensure_ascii=True, allow_nan=True).encode("ascii")


# ---------------------------------------------------------------- reading one return


def read_file(path: str, options: dict[str, Any], memory_mb: int = 0) -> dict[str, Any]:
    """Check, hash and read one file: the Workbook (or why not), its sha256, size and mtime,
    and the active content it carries."""
    from addin.read.active import find_active
    from addin.read.intake import check_path, read_digest
    from addin.read.reader import read_workbook

    out: dict[str, Any] = {"sha256": None, "size": None, "mtime": None, "active": []}
    try:
        failure = check_path(path, options.get("max_bytes", 50 * MB))
        if failure is not None:
            raise failure
        out["sha256"], out["size"], out["mtime"] = read_digest(
            path, options.get("max_bytes", 50 * MB)
        )
        with _utf8_path(path) as readable:
            book = replace(read_workbook(readable, **options), source=path)
    except ReadFailure as exc:
        if "name" in exc.params:  # read through an alias: the finding names the real file
            exc.params["name"] = shown_name(path)
        out["book"] = to_doc(exc)
        return out
    except MemoryError:
        out["book"] = to_doc(
            ReadFailure(
                "file.too-large", name=shown_name(path), detail=f"读取时超出内存上限 {memory_mb} MB"
            )
        )
        return out
    except Exception as exc:  # read_workbook should let none out; never lose the batch
        detail = f"{type(exc).__name__}: {str(exc)[:160]}"
        out["book"] = to_doc(ReadFailure("file.unreadable", name=shown_name(path), detail=detail))
        return out
    out["active"] = find_active(path, book.format)
    out["book"] = to_doc(book)
    return out


@contextlib.contextmanager
def _utf8_path(path: str):
    """A name calamine can take: a path the file system holds that is not valid UTF-8 (a GBK
    name from a Windows archive) cannot cross into Rust, so it is read through a link (or a
    copy) in this child's scratch folder, under the same suffix."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        yield path
        return
    folder = tempfile.mkdtemp(prefix="taizhang-name-")
    alias = os.path.join(folder, "book" + os.path.splitext(shown(path))[1].lower())
    try:
        try:
            os.link(path, alias)
        except OSError:
            shutil.copyfile(path, alias)
        yield alias
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- the child's main loop


def serve() -> None:
    """Child main: `python -c "from addin.read.child import serve; serve()" MEMORY_MB`."""
    memory_mb = int(sys.argv[1])
    if memory_mb:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_mb * MB, memory_mb * MB))
        except (ImportError, ValueError, OSError):
            pass  # Windows has no RLIMIT_AS: the wall-clock limit still holds
    wire_in, wire_out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the answer stream
    import python_calamine  # noqa: F401  (load the extension before the first file)

    while data := read_frame(wire_in):
        request = json.loads(data)
        try:
            module, _, name = request["call"].partition(":")
            function = getattr(importlib.import_module(module), name)
            answer: dict[str, Any] = {"value": function(**request["args"], memory_mb=memory_mb)}
        except MemoryError:
            answer = {"problem": "memory"}
        except Exception as exc:  # the caller turns this into its own finding or note
            answer = {"problem": "error", "detail": f"{type(exc).__name__}: {str(exc)[:160]}"}
        try:
            payload = dumps(answer)
        except MemoryError:
            payload = dumps({"problem": "memory"})
        wire_out.write(frame(payload))
        wire_out.flush()
    os._exit(0)  # no interpreter teardown: the parent may already have gone
