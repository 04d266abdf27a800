"""The bureau's view of a period: the newest stored return of each unit, consolidated by the
same pipeline as `taizhang consolidate` (pipeline/run.py consolidate_files), and the summary
files it writes.

The files are linked for the run into a folder of ours under names we make
(<unit>-<period>-第<id>号.<format>), so the summary's 来源 and 总览 name each return by its unit
and number rather than by a hash. A period's Summary is remembered for as long as its set of
newest returns is the same, so the board costs one consolidation per upload, not per look."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

from addin.faces.service.store import Store
from addin.model.errors import UsageError
from addin.model.summary import Summary
from addin.pipeline.run import consolidate_files
from addin.write.report import as_dict
from schemas.reference import Period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# format → (consolidate_files keyword, file name, media type). The Word documents are one more
# entry here once consolidate_files takes the Word writer's keyword (SPEC §6).
SUMMARY_FORMATS = {
    "xlsx": ("output", "汇总-{period}.xlsx", XLSX),
    "json": ("json_path", "汇总-{period}.json", "application/json"),
    "html": ("html_path", "报告-{period}.html", "text/html; charset=utf-8"),
}
KNOWN_FORMATS = (*SUMMARY_FORMATS, "docx")


def link_name(row: dict) -> str:
    return f"{row['unit']}-{row['period']}-第{row['id']}号.{row['format'] or 'xlsx'}"


class Board:
    def __init__(self, store: Store, lock: threading.Lock):
        self.store = store
        self.lock = lock  # validation, shared with the intake: one at a time
        self._cache: dict[str, tuple[tuple[int, ...], Summary]] = {}
        self._cache_lock = threading.Lock()

    def _linked(self, rows: list[dict]) -> tuple[Path, list[Path]]:
        folder = self.store.staged()
        paths = []
        for row in rows:
            target = folder / link_name(row)
            try:
                os.link(self.store.file(row["sha256"]), target)
            except OSError:
                shutil.copyfile(self.store.file(row["sha256"]), target)
            paths.append(target)
        return folder, paths

    def _run(self, period: Period, rows: list[dict], **outputs) -> Summary:
        folder, paths = self._linked(rows)
        try:
            with self.lock:
                return consolidate_files(paths, period, progress=False, **outputs)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def summary(self, period: Period) -> tuple[Summary, list[dict]]:
        """The period's Summary and the stored rows it was made of."""
        rows = self.store.newest_per_unit(period.code)
        ids = tuple(r["id"] for r in rows)
        with self._cache_lock:
            cached = self._cache.get(period.code)
        if cached is not None and cached[0] == ids:
            return cached[1], rows
        summary = self._run(period, rows)
        with self._cache_lock:
            self._cache[period.code] = (ids, summary)
        return summary, rows

    def board(self, period: Period) -> dict:
        """The summary JSON's units (SPEC §5) with each unit's stored return id, its status
        counts and city figures (the 总览), and the 催报 list with each unit's last contact."""
        summary, rows = self.summary(period)
        data = as_dict(summary)
        by_name = {link_name(r): r for r in rows}
        contacts = self.store.contacts()
        units = []
        for unit in data["units"]:
            row = by_name.get(unit["file"] or "")
            units.append(
                {
                    **unit,
                    "id": row["id"] if row else None,
                    "received_at": row["received_at"] if row else None,
                }
            )
        chase = []
        for unit in units:
            if unit["status"] in ("未报", "退回"):
                filler, phone, since, when = contacts.get(unit["unit"], ("", "", "", ""))
                chase.append(
                    {
                        "unit": unit["unit"],
                        "status": unit["status"],
                        "filler": filler,
                        "phone": phone,
                        "contact_period": since,
                        "contact_at": when,
                    }
                )
        return {
            "period": period.code,
            "period_label": period.label,
            "due": data["due"],
            "validated_at": data["validated_at"],
            "status_counts": data["status_counts"],
            "city": data["city"],
            "finding_counts": data["finding_counts"],
            "units": units,
            "chase": chase,
        }

    def download(self, period: Period, fmt: str) -> tuple[bytes, str, str]:
        """(bytes, file name, media type) of the period's summary in `fmt`."""
        if fmt not in KNOWN_FORMATS:
            raise UsageError("usage.summary-format", given=fmt)
        if fmt not in SUMMARY_FORMATS:
            raise UsageError("usage.docx-unavailable")
        keyword, name, media = SUMMARY_FORMATS[fmt]
        name = name.format(period=period.code)
        out = self.store.staged()
        try:
            self._run(period, self.store.newest_per_unit(period.code), **{keyword: out / name})
            return (out / name).read_bytes(), name, media
        finally:
            shutil.rmtree(out, ignore_errors=True)
