"""Making untrusted text harmless and visible before it reaches a terminal or a JSON reader.

Everything in a data file is untrusted. Control characters (ANSI CSI, OSC 8 hyperlinks, the
OSC 0 title change), C1 controls, bidirectional overrides and zero-width characters are shown
as visible escapes such as ``\\x1b`` or ``<U+202E>``, so a reviewer sees that something unusual
is there and nothing is interpreted. Lone surrogates (a file name that is not UTF-8 arrives
with its bad bytes as U+DC80-U+DCFF) are escaped too: written raw, they would stop any UTF-8
output with an error.
"""

from __future__ import annotations

import json
import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(
    r"[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)
_JSON_UNSAFE = re.compile(
    r"[\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064"
    r"\u2066-\u2069\ufeff\ud800-\udfff]"
)


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control and invisible character replaced by a visible escape."""

    def control(match: re.Match[str]) -> str:
        char = match.group()
        if keep_newlines and char == "\n":
            return char
        return f"\\x{ord(char):02x}"

    text = _CONTROL.sub(control, text)
    if not keep_newlines:
        text = text.replace("\n", "\\n").replace("\t", "\\t")
    return _INVISIBLE.sub(_invisible, text)


def _invisible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, carried by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"<U+{code:04X}>"


def has_hidden(text: str) -> bool:
    """Whether ``text`` holds anything that `visible` would escape."""
    return bool(_CONTROL.search(text) or _INVISIBLE.search(text))


_STYLE = re.compile(r"\x1b\[[0-9;]*m")
"""A colour or weight (SGR) sequence: the only escape this tool's own output holds."""


def is_plain_output(text: str) -> bool:
    """Whether ``text`` is output this tool could have printed: printable text, newlines and
    tabs, and colour sequences, nothing else. Text read back from a file (a cache that may
    have been tampered with) is checked before it reaches a terminal."""
    return not has_hidden(_STYLE.sub("", text))


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """JSON for machines: UTF-8 text kept readable, every invisible or control char escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=indent, sort_keys=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
