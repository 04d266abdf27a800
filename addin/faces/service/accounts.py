"""`taizhang accounts`: the service's store and its access codes (SPEC §8).

The first run creates the store in DIR and gives every unit of the list and 市能源局 a code;
the codes are written once, to the 账号 workbook, and kept in DIR only as salted hashes. Later
runs give codes only to what has none yet (a unit the city added to its list), and
`--rotate UNIT` replaces one account's code, ending its sessions. The workbook is written
before the hashes are stored, so a code that works is always one that was handed out."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from addin.faces.service.auth import BUREAU, hash_code, new_code
from addin.faces.service.store import Account, Store
from addin.model.errors import UsageError
from addin.write.atomic import check_writable, write_atomic
from addin.write.xlsx import Formats, new_book, put
from schemas.reference import load

SHEET = "账号"
HEADERS = ("单位", "口令")


def account_names() -> list[tuple[str, str]]:
    """(name, role) of every account there should be: the bureau first, then the units."""
    return [(BUREAU, "bureau")] + [(name, "unit") for name in load().unit_names]


def account_named(text: str) -> str:
    """The account a --rotate names: 市能源局, or a unit by its name or an alias."""
    if text.strip() == BUREAU:
        return BUREAU
    unit, _old = load().unit_named(text.strip())
    if unit is None:
        names = "、".join([BUREAU, *load().unit_names])
        raise UsageError("usage.unit-unknown", name=text, units=names)
    return unit.name


def issue(folder: Path, output: Path, rotate: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Create or update the store in `folder`, write the new codes to `output`; the
    (account, code) pairs written, in the workbook's order."""
    if output.exists():
        raise UsageError("usage.output-exists", path=output)
    targets = [account_named(t) for t in rotate]
    fresh = not Store.exists(folder)
    if targets and fresh:
        raise UsageError("usage.store-missing", path=folder)
    check_writable(output)
    store = Store.create(folder) if fresh else Store.open(folder)
    try:
        have = {a.name: a for a in store.accounts()}
        wanted = account_names()
        if targets:
            todo = [(name, role) for name, role in wanted if name in targets]
        else:
            todo = [(name, role) for name, role in wanted if name not in have]
            if not todo:
                raise UsageError("usage.accounts-exist", path=folder)
        keys = {a.key for a in have.values()}
        issued = []
        for name, role in todo:
            key = have[name].key if name in have else _next_key(keys, role)
            keys.add(key)
            issued.append((Account(name, role, key, ""), new_code(key)))
        write_codes(output, [(a.name, code) for a, code in issued])
        for account, code in issued:
            store.put_account(Account(account.name, account.role, account.key, hash_code(code)))
            store.log(
                who="taizhang accounts",
                action="rotate" if targets else "issue",
                what=account.name,
            )
    finally:
        store.close()
    return [(a.name, code) for a, code in issued]


def _next_key(keys: set[str], role: str) -> str:
    if role == "bureau" and "00" not in keys:
        return "00"
    for n in range(1, 100):
        if f"{n:02d}" not in keys:
            return f"{n:02d}"
    raise UsageError("usage.accounts-full")


def write_codes(output: Path, rows: list[tuple[str, str]]) -> Path:
    """The 账号 workbook: one row per account, the code as text in a monospaced font. Only the
    owner may read it where the system has file modes."""

    def write(tmp: Path) -> None:
        book = new_book(tmp)
        fmt = Formats(book, font_name="宋体", font_size=12, border=1)
        ws = book.add_worksheet(SHEET)
        for col, header in enumerate(HEADERS, start=1):
            put(ws, 1, col, header, fmt(bold=True, bg_color="#D9E1F2"))
        for row, (name, code) in enumerate(rows, start=2):
            put(ws, row, 1, name, fmt())
            put(ws, row, 2, code, fmt(font_name="Consolas"))
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 30)
        ws.freeze_panes(1, 0)
        book.close()
        if os.name != "nt":
            os.chmod(tmp, 0o600)

    return write_atomic(output, write)
