"""What the service keeps, in its data folder DIR: `DIR/taizhang.sqlite3` (SQLite in WAL mode:
accounts, sessions, returns, audit) and every uploaded file as `DIR/files/<sha256>`.

An upload is acknowledged only after it is durable: the file is written under `DIR/tmp/`,
fsynced, renamed into `files/`, the folder fsynced, and its row committed with
synchronous=FULL. A crash before the commit leaves at most a file without a row (harmless:
content-addressed, never listed) and a staging file that the next start clears; it never
leaves a row without its file, nor a 201 for something that is not on disk.

Every statement takes its values as SQL parameters; table and column names are constants of
this module. One connection, guarded by a lock, serves the service's threads."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from addin.model.errors import UsageError

DB_NAME = "taizhang.sqlite3"
SCHEMA_VERSION = "1"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('unit', 'bureau')),
    key TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    account TEXT NOT NULL REFERENCES accounts (name),
    csrf TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS returns (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    unit TEXT,
    period TEXT,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    name TEXT NOT NULL,
    format TEXT,
    received_at TEXT NOT NULL,
    filed TEXT,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    filler TEXT NOT NULL,
    phone TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS returns_by_period ON returns (period, unit, id);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    what TEXT NOT NULL,
    sha256 TEXT,
    period TEXT,
    address TEXT
);
CREATE INDEX IF NOT EXISTS audit_by_period ON audit (period, id);
"""
RETURN_COLUMNS = [
    "id",
    "owner",
    "unit",
    "period",
    "sha256",
    "size",
    "name",
    "format",
    "received_at",
    "filed",
    "errors",
    "warnings",
    "filler",
    "phone",
    "result",
]
AUDIT_COLUMNS = ("id", "at", "who", "action", "what", "sha256", "period", "address")


def moment() -> str:
    """Now, to the millisecond, with the zone: when something was received or done."""
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


def fsync_folder(folder: Path) -> None:
    """Make a rename into `folder` durable (POSIX); Windows has no folder handles to sync."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Account:
    name: str  # a unit's name, or 市能源局
    role: str  # unit or bureau
    key: str  # the code's public prefix, which tells whose code it is
    hash: str  # scrypt$n$r$p$salt$digest (auth.py)

    @property
    def bureau(self) -> bool:
        return self.role == "bureau"


class Store:
    def __init__(self, folder: Path, connection: sqlite3.Connection):
        self.folder = folder
        self.files = folder / "files"
        self.staging = folder / "tmp"
        self._db = connection
        self._lock = threading.Lock()

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    def exists(cls, folder: Path | str) -> bool:
        return (Path(folder) / DB_NAME).is_file()

    @classmethod
    def create(cls, folder: Path | str) -> Store:
        folder = Path(folder)
        for sub in (folder, folder / "files", folder / "tmp"):
            sub.mkdir(parents=True, exist_ok=True)
        store = cls(folder, _connect(folder / DB_NAME))
        with store._lock, store._db:
            store._db.executescript(SCHEMA)
            store._db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,)
            )
        return store

    @classmethod
    def open(cls, folder: Path | str) -> Store:
        """The store of an existing data folder; UsageError when `accounts` never made one.
        Staging files of an upload that a crash interrupted are cleared."""
        folder = Path(folder)
        if not cls.exists(folder):
            raise UsageError("usage.store-missing", path=folder)
        store = cls.create(folder)
        for leftover in store.staging.iterdir():
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        return store

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # --- accounts and sessions ------------------------------------------------------------------

    def accounts(self) -> list[Account]:
        return [Account(*r) for r in self._rows("SELECT name, role, key, hash FROM accounts")]

    def account(self, name: str) -> Account | None:
        rows = self._rows("SELECT name, role, key, hash FROM accounts WHERE name = ?", (name,))
        return Account(*rows[0]) if rows else None

    def account_by_key(self, key: str) -> Account | None:
        rows = self._rows("SELECT name, role, key, hash FROM accounts WHERE key = ?", (key,))
        return Account(*rows[0]) if rows else None

    def put_account(self, account: Account) -> None:
        """Add the account, or give it a new code hash; its sessions end with the old code."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO accounts (name, role, key, hash, issued_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET hash = excluded.hash,"
                " issued_at = excluded.issued_at",
                (account.name, account.role, account.key, account.hash, moment()),
            )
            self._db.execute("DELETE FROM sessions WHERE account = ?", (account.name,))

    def add_session(self, token: str, account: str, csrf: str, expires: float) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM sessions WHERE expires < ?", (expires - 2 * 86400,))
            self._db.execute(
                "INSERT INTO sessions (token, account, csrf, expires) VALUES (?, ?, ?, ?)",
                (token, account, csrf, expires),
            )

    def session(self, token: str) -> tuple[str, str, float] | None:
        """(account, csrf, expires) of a session token's hash."""
        rows = self._rows("SELECT account, csrf, expires FROM sessions WHERE token = ?", (token,))
        return tuple(rows[0]) if rows else None

    def drop_session(self, token: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM sessions WHERE token = ?", (token,))

    # --- files ----------------------------------------------------------------------------------

    def staged(self) -> Path:
        """A fresh folder under tmp/ for one upload on its way in."""
        folder = self.staging / uuid.uuid4().hex
        folder.mkdir()
        return folder

    def file(self, sha256: str) -> Path:
        return self.files / sha256

    def keep(self, staged: Path, sha256: str) -> Path:
        """Move a staged, fsynced file to files/<sha256> and make the move durable. The same
        bytes sent twice are kept once."""
        target = self.file(sha256)
        if target.exists():
            staged.unlink()
        else:
            os.replace(staged, target)
            fsync_folder(self.files)
        return target

    # --- returns ------------------------------------------------------------------------------

    def add_return(self, row: dict[str, Any], audit: dict[str, Any]) -> int:
        """Commit the return's row and its audit entry together; the new row's id."""
        values = {**row, "result": json.dumps(row["result"], ensure_ascii=False)}
        columns = [c for c in RETURN_COLUMNS if c != "id"]
        with self._lock, self._db:
            cursor = self._db.execute(
                f"INSERT INTO returns ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                tuple(values[c] for c in columns),
            )
            self._log(audit)
            return int(cursor.lastrowid)

    def returns(self, *, period: str | None = None, owner: str | None = None) -> list[dict]:
        """Stored returns, newest first; a unit's own (`owner`) or all."""
        sql, params = f"SELECT {', '.join(RETURN_COLUMNS)} FROM returns WHERE 1 = 1", []
        if period is not None:
            sql += " AND period = ?"
            params.append(period)
        if owner is not None:
            sql += " AND (owner = ? OR unit = ?)"
            params += [owner, owner]
        return [_return(r) for r in self._rows(sql + " ORDER BY id DESC", tuple(params))]

    def periods(self) -> list[str]:
        """Periods that stored returns belong to, latest first by their code."""
        rows = self._rows("SELECT DISTINCT period FROM returns WHERE period IS NOT NULL")
        return sorted((r[0] for r in rows), reverse=True)

    def get_return(self, return_id: int) -> dict | None:
        rows = self._rows(
            f"SELECT {', '.join(RETURN_COLUMNS)} FROM returns WHERE id = ?", (return_id,)
        )
        return _return(rows[0]) if rows else None

    def newest_per_unit(self, period: str) -> list[dict]:
        """The newest stored return of each unit for `period` (later uploads supersede)."""
        rows = self._rows(
            f"SELECT {', '.join(RETURN_COLUMNS)} FROM returns WHERE id IN "
            "(SELECT MAX(id) FROM returns WHERE period = ? AND unit IS NOT NULL GROUP BY unit)"
            " ORDER BY id",
            (period,),
        )
        return [_return(r) for r in rows]

    def contacts(self) -> dict[str, tuple[str, str, str, str]]:
        """Each unit's (填报人, 联系电话, period, received_at) from its latest return that
        names someone, whatever the period: whom to call for 催报."""
        rows = self._rows(
            "SELECT unit, filler, phone, period, received_at FROM returns WHERE id IN "
            "(SELECT MAX(id) FROM returns WHERE unit IS NOT NULL"
            " AND (filler != '' OR phone != '') GROUP BY unit)"
        )
        return {r[0]: (r[1], r[2], r[3] or "", r[4]) for r in rows}

    # --- audit --------------------------------------------------------------------------------

    def log(self, **entry: Any) -> None:
        with self._lock, self._db:
            self._log(entry)

    def _log(self, entry: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT INTO audit (at, who, action, what, sha256, period, address)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                moment(),
                entry["who"],
                entry["action"],
                entry.get("what", ""),
                entry.get("sha256"),
                entry.get("period"),
                entry.get("address"),
            ),
        )

    def audit(self, period: str | None = None) -> list[dict]:
        """Every entry, oldest first; with `period`, those of that period and those of none
        (sign-ins and sign-outs belong to no period)."""
        sql = f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit"
        params: tuple = ()
        if period is not None:
            sql += " WHERE period = ? OR period IS NULL"
            params = (period,)
        return [
            dict(zip(AUDIT_COLUMNS, r, strict=True))
            for r in self._rows(sql + " ORDER BY id", params)
        ]


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")  # a committed row survives a power cut too
    db.execute("PRAGMA foreign_keys = ON")
    db.isolation_level = "DEFERRED"  # `with db:` commits or rolls back each write
    return db


def _return(row: tuple) -> dict:
    out = dict(zip(RETURN_COLUMNS, row, strict=True))
    out["result"] = json.loads(out["result"])
    return out
