"""Taking in one upload: stream the multipart body into a staging file (hashing it and
stopping at the size limit as the bytes arrive), read it in an isolated child and validate it
as a batch does (pipeline/check.py), refuse another unit's return, and only then make the file
and its row durable (store.py). The staging folder is named by us, never by the sender; the
name the sender gave is kept as data and shown, nothing more."""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header

from addin.faces.service.auth import Caller
from addin.faces.service.store import Store, moment
from addin.model.errors import UsageError
from addin.model.findings import Finding
from addin.model.ledger import Return, Source
from addin.pipeline.check import check_upload, contact_of
from addin.read.isolate import IsolatedReader
from addin.write.mark import write_marked
from addin.write.results import file_object

MIB = 1024 * 1024
DEFAULT_LIMIT = 20 * MIB
FORM_SLACK = 64 * 1024  # multipart boundaries, headers and the small fields beside the file
FIELD_MAX = 1024
STAGED_NAME = "upload"  # inside a fresh folder of tmp/ per upload


def limit_text(limit: int) -> str:
    return f"{limit / MIB:g} MiB" if limit >= MIB else f"{limit / 1024:g} KiB"


def shown_name(raw: str) -> str:
    """What the sender called the file, safe to show: the last path part, no control
    characters, at most 120 characters. Only ever shown, never used as a path."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:120] or "（未命名文件）"


@dataclass
class Upload:
    path: Path  # the staged, fsynced file
    folder: Path  # its staging folder, removed once the upload is kept or refused
    sha256: str
    size: int
    name: str  # shown_name of what the sender called it
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class Receiver:
    """python-multipart callbacks writing the part named `file` to the staging file."""

    def __init__(self, target: Path, limit: int):
        self.target, self.limit = target, limit
        self.out = None
        self.digest = hashlib.sha256()
        self.size = 0
        self.name: str | None = None
        self.fields: dict[str, str] = {}
        self._header, self._value = b"", b""
        self._disposition = b""
        self._part: str | None = None  # "file", a field name, or None (ignored)
        self._data = bytearray()

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda d, s, e: self._add("_header", d[s:e]),
            "on_header_value": lambda d, s, e: self._add("_value", d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_done,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _add(self, attr: str, data: bytes) -> None:
        setattr(self, attr, getattr(self, attr) + data)
        if len(getattr(self, attr)) > 8 * FIELD_MAX:
            raise UsageError("usage.upload-malformed", detail="表单头过长")

    def _begin(self) -> None:
        self._disposition, self._part, self._data = b"", None, bytearray()

    def _header_end(self) -> None:
        if self._header.strip().lower() == b"content-disposition":
            self._disposition = self._value
        self._header, self._value = b"", b""

    def _headers_done(self) -> None:
        _kind, options = parse_options_header(self._disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            if name == "file" and self.out is None:
                self._part = "file"
                self.name = shown_name(options[b"filename"].decode("utf-8", "replace"))
                self.out = open(self.target, "xb")  # noqa: SIM115 — closed in finish()
        elif name and len(self.fields) < 10:
            self._part = name

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._part == "file":
            self.size += len(chunk)
            if self.size > self.limit:
                raise UsageError("usage.upload-too-large", limit=limit_text(self.limit))
            self.digest.update(chunk)
            self.out.write(chunk)
        elif self._part is not None:
            self._data += chunk
            if len(self._data) > FIELD_MAX:
                raise UsageError("usage.upload-malformed", detail=f"字段 {self._part} 过长")

    def _part_end(self) -> None:
        if self._part not in (None, "file"):
            self.fields[self._part] = self._data.decode("utf-8", "replace").strip()
        if self._part == "file":
            self._part = "done"

    def finish(self) -> None:
        """Flush and fsync the staged file (called in a worker thread)."""
        if self.out is not None:
            self.out.flush()
            os.fsync(self.out.fileno())
            self.out.close()

    def close(self) -> None:
        if self.out is not None and not self.out.closed:
            self.out.close()


async def receive(request, store: Store, limit: int) -> Upload:
    """The request's multipart body, staged on disk; UsageError (413, 400) when it is too
    large or not a form with a file, with nothing left behind."""
    from starlette.concurrency import run_in_threadpool

    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_SLACK:
        raise UsageError("usage.upload-too-large", limit=limit_text(limit))
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise UsageError("usage.upload-malformed", detail="应为 multipart/form-data 表单")
    folder = store.staged()
    receiver = Receiver(folder / STAGED_NAME, limit)
    try:
        parser = MultipartParser(options[b"boundary"], receiver.callbacks())
        total = 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit + FORM_SLACK:
                raise UsageError("usage.upload-too-large", limit=limit_text(limit))
            parser.write(chunk)
        parser.finalize()
        if receiver.out is None:
            raise UsageError("usage.upload-missing")
        await run_in_threadpool(receiver.finish)
    except UsageError:
        receiver.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    except Exception as exc:  # python-multipart's own parse errors: a malformed form
        receiver.close()
        shutil.rmtree(folder, ignore_errors=True)
        if type(exc).__module__.startswith("python_multipart"):
            raise UsageError("usage.upload-malformed", detail=type(exc).__name__) from exc
        raise
    return Upload(
        path=folder / STAGED_NAME,
        folder=folder,
        sha256=receiver.digest.hexdigest(),
        size=receiver.size,
        name=receiver.name or "（未命名文件）",
        fields=receiver.fields,
    )


class Intake:
    """Checks and keeps uploads. `jobs` reader children stay warm between uploads (each a
    separate IsolatedReader, taken by one upload at a time); validation itself runs one at a
    time, as it is CPU-bound under one interpreter lock anyway."""

    def __init__(self, store: Store, *, jobs: int = 2, timeout: float = 20.0, memory_mb=1024):
        self.store = store
        self._readers: queue.Queue[IsolatedReader] = queue.Queue()
        for _ in range(max(1, jobs)):
            self._readers.put(IsolatedReader(1, timeout=timeout, memory_mb=memory_mb))
        self.jobs = max(1, jobs)
        self.validation = threading.Lock()

    def close(self) -> None:
        for _ in range(self.jobs):
            self._readers.get().close()

    def check(self, upload: Upload, period) -> tuple[Return, Any]:
        reader = self._readers.get()
        try:
            return check_upload(
                upload.path, reader, name=upload.name, period=period, lock=self.validation
            )
        finally:
            self._readers.put(reader)

    def accept(self, caller: Caller, upload: Upload, period, address: str) -> dict:
        """Check the upload; refuse another unit's return (nothing kept); else keep the file
        and its row durably and give the file object of SPEC §3 with id, sha256, received_at."""
        try:
            ret, workbook = self.check(upload, period)
            if not caller.bureau and ret.unit is not None and ret.unit != caller.name:
                self.store.log(
                    who=caller.name,
                    action="upload-refused",
                    what=f"{upload.name}（报送单位 {ret.unit}）",
                    sha256=upload.sha256,
                    period=ret.period or (period.code if period else None),
                    address=address,
                )
                raise UsageError("usage.other-unit", unit=ret.unit, account=caller.name)
            self.store.keep(upload.path, upload.sha256)
        finally:
            upload.discard()
        filler, phone = contact_of(workbook)
        received = moment()
        result = file_object(ret)
        row = {
            "owner": caller.name,
            "unit": ret.unit,
            "period": ret.period or (period.code if period else None),
            "sha256": upload.sha256,
            "size": upload.size,
            "name": upload.name,
            "format": ret.source.format,
            "received_at": received,
            "filed": ret.filed.isoformat() if ret.filed else None,
            "errors": ret.counts["error"],
            "warnings": ret.counts["warning"],
            "filler": filler,
            "phone": phone,
            "result": result,
        }
        audit = {
            "who": caller.name,
            "action": "upload",
            "what": upload.name,
            "sha256": upload.sha256,
            "period": row["period"],
            "address": address,
        }
        new_id = self.store.add_return(row, audit)
        return {**result, "id": new_id, "sha256": upload.sha256, "received_at": received}


def api_return(row: dict) -> dict:
    """A stored return as the API lists it: its file object with id, sha256, received_at."""
    return {
        **row["result"],
        "id": row["id"],
        "sha256": row["sha256"],
        "received_at": row["received_at"],
        "owner": row["owner"],
        "size": row["size"],
    }


def stored_return(store: Store, row: dict) -> Return:
    """A stored row as the Return it was when received (for the marked copy): its findings,
    and its file where the store keeps it, under a name we make."""
    result = row["result"]
    fmt = row["format"]
    source = Source(
        path=str(store.file(row["sha256"])),
        name=f"第{row['id']}号.{fmt or 'xlsx'}",
        sha256=row["sha256"],
        size=row["size"],
        mtime=None,
        format=fmt,
    )
    return Return(
        source=source,
        unit=row["unit"],
        period=row["period"],
        filed=None,
        template_version=None,
        findings=tuple(Finding(**f) for f in result["findings"]),
    )


def marked_copy(store: Store, row: dict) -> tuple[bytes, str]:
    """(bytes, suffix) of the return's annotated copy, written by the same writer as
    `validate --mark`: .xlsx or .xlsm as sent, else a .xlsx holding only the 校验结果 sheet."""
    folder = store.staged()
    try:
        [marked] = write_marked([stored_return(store, row)], folder)
        return marked.path.read_bytes(), marked.path.suffix
    finally:
        shutil.rmtree(folder, ignore_errors=True)
