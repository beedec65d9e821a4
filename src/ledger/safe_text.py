"""Making untrusted text harmless and visible before it reaches a terminal or a JSON reader.

Everything in a data file is untrusted. Control characters (ANSI CSI, OSC 8 hyperlinks, the
OSC 0 title change), C1 controls, bidirectional overrides and zero-width characters are shown
as visible escapes such as ``\\x1b`` or ``<U+202E>``, so a reviewer sees that something unusual
is there and nothing is interpreted.
"""

from __future__ import annotations

import json
import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_JSON_UNSAFE = re.compile(
    r"[\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064"
    r"\u2066-\u2069\ufeff]"
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
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def has_hidden(text: str) -> bool:
    """Whether ``text`` holds anything that `visible` would escape."""
    return bool(_CONTROL.search(text) or _INVISIBLE.search(text))


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """JSON for machines: UTF-8 text kept readable, every invisible or control char escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=indent, sort_keys=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
