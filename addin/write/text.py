"""Text from a county's file on its way to a person. A cell can hold any character — a
return's `_x001B_` arrives as a real ESC, which in a terminal can clear the screen and print
a fake "通过" — so every output passes text through one of these: `clean_text` strips control
characters (workbooks, reports), `escaped` shows them as \\x1b (terminal text), and both make
lone surrogates (file names the file system holds that are not UTF-8) printable."""

from __future__ import annotations

import re

from addin.read.failure import shown

# C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional overrides that
# make text display in another order than it is stored
_STRIPPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# shown escaped in terminal text: every control character, tab and line feed included
_ESCAPED = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# what json.dumps(ensure_ascii=False) leaves raw but a terminal would act on
_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` without control characters, and printable (no XML holds a lone surrogate)."""
    return shown(_STRIPPED.sub("", text))


_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _code(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def escaped(text: object) -> str:
    """`text` for a terminal: control characters as \\x1b, \\n, \\u202e."""
    return _ESCAPED.sub(lambda m: _code(m.group(0)), shown(str(text)))


def json_safe(dumped: str) -> str:
    """JSON text (from json.dumps(ensure_ascii=False)) with the characters a terminal would act
    on written as \\u escapes: the same JSON, safe to print."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", dumped)
