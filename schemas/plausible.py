"""What a value can mean (SPEC §2.3–2.5): the words that say nothing where a text is required
(`schemas/data/words.toml`), the bounds a county's figure can plausibly reach and the sums that
are really averages (`schemas/data/bounds.toml`), and the task statuses the figures must agree
with across sheets. Loaded once; the validator reads them, nothing here reads a return."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from schemas.reference import CatalogueError, _read, load

# Brackets and punctuation a person puts around a word that says nothing: （无）, 无。, “暂无”.
_AROUND = re.compile(r"[\s()（）\[\]【】“”\"'‘’。，,、；;:：!！?？]+")


@cache
def _nothing() -> frozenset[str]:
    return frozenset(_fold(w) for w in _read("words.toml")["say_nothing"])


def _fold(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).casefold()
    bare = _AROUND.sub("", t)
    return bare or t.strip()  # "。" alone is itself a word that says nothing


@lru_cache(maxsize=4096)
def says_nothing(text: str | None) -> bool:
    """True for a text that is empty or only a word that says nothing (无, 暂无, /, 同上 …)."""
    if text is None:
        return True
    t = unicodedata.normalize("NFKC", str(text)).strip()
    return not t or _fold(t) in _nothing()


@dataclass(frozen=True)
class ConnectionCross:
    task: str
    types: tuple[str, ...]


@dataclass(frozen=True)
class SanlingCross:
    tasks: tuple[str, ...]
    part: str
    total: str


@dataclass(frozen=True)
class Bounds:
    maximum: dict[str, float]
    min_outage_hours: float
    min_working_days: float
    min_count: int
    max_local: int
    connection: tuple[ConnectionCross, ...]
    sanling: tuple[SanlingCross, ...]
    reliability_task: str


@cache
def bounds() -> Bounds:
    doc = _read("bounds.toml")
    avg, cross = doc["average"], doc["cross"]
    b = Bounds(
        maximum={k: float(v) for k, v in doc["maximum"].items()},
        min_outage_hours=float(avg["min_outage_hours"]),
        min_working_days=float(avg["min_working_days"]),
        min_count=int(avg["min_count"]),
        max_local=int(doc["tasks"]["max_local"]),
        connection=tuple(
            ConnectionCross(c["task"], tuple(c["types"])) for c in cross["connection"]
        ),
        sanling=tuple(
            SanlingCross(tuple(c["tasks"]), c["part"], c["total"]) for c in cross["sanling"]
        ),
        reliability_task=cross["reliability"]["task"],
    )
    _check(b)
    return b


def _check(b: Bounds) -> None:
    ref = load()
    tasks = {t.id for t in ref.tasks}
    types = {t.name for t in ref.customer_types}
    indicators = {i.name for i in ref.indicators}
    for c in b.connection:
        if c.task not in tasks or set(c.types) - types:
            raise CatalogueError(
                f"bounds.toml: cross.connection {c.task} names an unknown task or type"
            )
    for s in b.sanling:
        if set(s.tasks) - tasks or {s.part, s.total} - indicators:
            raise CatalogueError(
                f"bounds.toml: cross.sanling {s.tasks} names an unknown task or row"
            )
    if b.reliability_task not in tasks:
        raise CatalogueError("bounds.toml: cross.reliability names an unknown task")
