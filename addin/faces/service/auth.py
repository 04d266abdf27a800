"""Who is calling: access codes, their salted scrypt hashes, sessions, CSRF tokens and the
slowing of failed sign-ins.

A code looks like `03-K7QM-X2PD-9HTA-RW4E`: two digits name the account (its public `key`),
the rest is 80 bits of randomness from an alphabet without look-alikes (no 0/O, 1/I/L). Only
`scrypt$n$r$p$salt$digest` is kept. The key lets a code be checked against one hash instead of
fifteen; case, spaces and dashes do not matter when it is typed.

scrypt costs ~50 ms of CPU by design, too much for every API call of the WPS add-in, so a code
that verified once is remembered by an HMAC under a key that lives only in this process, and
only for as long as the stored hash is the one it verified against (`accounts --rotate` in
another process takes effect on the next request).

A request is authenticated by `Authorization: Bearer <code>` or by the session cookie that the
sign-in page sets (HttpOnly, SameSite=Strict; forms and the pages' fetch calls carry the
session's CSRF token). A request whose Origin is `null` (the WPS add-in's page) or another
site never counts a cookie: Bearer only."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from addin.faces.service.store import Account, Store

BUREAU = "市能源局"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS, GROUP = 4, 4
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
SESSION_COOKIE = "taizhang_session"
SIGNIN_COOKIE = "taizhang_signin"  # the sign-in form's CSRF token, before any session
SESSION_SECONDS = 12 * 3600


def new_code(key: str) -> str:
    groups = ["".join(secrets.choice(ALPHABET) for _ in range(GROUP)) for _ in range(GROUPS)]
    return "-".join([key, *groups])


def normal(code: str) -> str:
    """The code as typed, without spaces or dashes, upper case."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_code(code: str, *, salt: bytes | None = None, n: int = 0, r: int = 0, p: int = 0) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    n, r, p = n or SCRYPT["n"], r or SCRYPT["r"], p or SCRYPT["p"]
    digest = hashlib.scrypt(normal(code).encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def matches(code: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        assert kind == "scrypt"
        again = hash_code(code, salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    except (ValueError, AssertionError):
        return False
    return hmac.compare_digest(again.rsplit("$", 1)[1], digest)


# A hash to check unknown keys against, so a wrong key costs what a wrong code costs.
_DECOY = hash_code(new_code("00"))


def token_hash(token: str) -> str:
    """Sessions are kept by the hash of their token: the database never holds a live cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Caller:
    account: Account
    via: str  # bearer or cookie
    csrf: str | None = None  # the session's token (cookie callers)
    session: str | None = None  # the session token's hash

    @property
    def name(self) -> str:
        return self.account.name

    @property
    def bureau(self) -> bool:
        return self.account.bureau


class Verifier:
    """Checks codes against the store, remembering the ones that verified (see above)."""

    def __init__(self, store: Store):
        self.store = store
        self._key = secrets.token_bytes(32)
        self._known: dict[str, tuple[str, str]] = {}  # hmac(code) → (account, hash)
        self._lock = threading.Lock()
        # a storm of wrong codes must not take every core and 16 MiB per attempt at once
        self._scrypt = threading.BoundedSemaphore(2)

    def _matches(self, text: str, stored: str) -> bool:
        with self._scrypt:
            return matches(text, stored)

    @staticmethod
    def key_of(code: str) -> str:
        text = normal(code)
        return text[:2] if len(text) == 2 + GROUPS * GROUP else ""

    def check(self, code: str) -> tuple[Account | None, bool]:
        """(the account whose code this is or None, whether scrypt had to run for it)."""
        text = normal(code)
        found = self.store.account_by_key(text[:2]) if self.key_of(text) else None
        if found is None:
            self._matches(text, _DECOY)
            return None, True
        mark = hmac.new(self._key, text.encode(), "sha256").hexdigest()
        with self._lock:
            known = self._known.get(mark)
        if known == (found.name, found.hash):
            return found, False
        if not self._matches(text, found.hash):
            return None, True
        with self._lock:
            self._known[mark] = (found.name, found.hash)
        return found, True


class Throttle:
    """Failed sign-ins per client address: each failure after the first few makes the next
    answer wait longer (1, 2, 4 … 30 s), and the count fades after a quiet quarter hour."""

    FREE = 3
    CAP = 30.0
    FORGET = 900.0

    def __init__(self):
        self._fails: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def delay(self, address: str) -> float:
        """Seconds a sign-in from `address` waits before it is checked."""
        with self._lock:
            count, last = self._fails.get(address, (0, 0.0))
            if time.monotonic() - last > self.FORGET:
                return 0.0
        return 0.0 if count < self.FREE else min(self.CAP, 2.0 ** (count - self.FREE))

    def failed(self, address: str) -> int:
        with self._lock:
            count, last = self._fails.get(address, (0, 0.0))
            if time.monotonic() - last > self.FORGET:
                count = 0
            self._fails[address] = (count + 1, time.monotonic())
            if len(self._fails) > 10_000:  # a flood of addresses must not grow without end
                oldest = sorted(self._fails, key=lambda a: self._fails[a][1])[:5_000]
                for gone in oldest:
                    del self._fails[gone]
            return count + 1

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._fails.pop(address, None)


def new_session(store: Store, account: Account) -> tuple[str, str]:
    """(cookie token, CSRF token) of a new session for `account`."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    store.add_session(token_hash(token), account.name, csrf, time.time() + SESSION_SECONDS)
    return token, csrf


def session_caller(store: Store, token: str | None) -> Caller | None:
    if not token or len(token) > 200:
        return None
    digest = token_hash(token)
    found = store.session(digest)
    if found is None:
        return None
    name, csrf, expires = found
    if expires < time.time():
        store.drop_session(digest)
        return None
    account = store.account(name)
    if account is None:
        return None
    return Caller(account, "cookie", csrf=csrf, session=digest)


def same_token(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(given.encode(), expected.encode())
