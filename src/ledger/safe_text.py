"""Making untrusted text harmless and visible before it reaches a terminal or a JSON reader.

Everything in a data file is untrusted. Control characters (ANSI CSI, OSC 8 hyperlinks, the
OSC 0 title change), C1 controls, and every invisible formatting character (Unicode category
Cf: bidirectional controls, zero-width characters, the soft hyphen; and the tag block, which
can carry hidden text) are shown as visible escapes such as ``\\x1b`` or ``<U+202E>``, so a
reviewer sees that something unusual is there and nothing is interpreted. A zero-width joiner
between two symbols (an emoji sequence such as a family) is kept: it only joins pictures.
Lone surrogates (a file name that is not UTF-8 arrives with its bad bytes as U+DC80-U+DCFF)
are escaped too: written raw, they would stop any UTF-8 output with an error. The terminal,
CSV, Markdown and JSON outputs all escape this one set (:func:`is_hidden`).
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

MISLEADING = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
) | frozenset(map(chr, range(0xE0000, 0xE0080)))
"""Characters that make text read differently from what it is: bidirectional controls,
zero-width characters, line separators and tag characters. A value holding one is warned
about when read (``invisible-character``); every output shows them escaped."""

_FORMAT = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x2028, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE007F),
)  # fmt: skip
"""Every format character (category Cf, as of Unicode 15), the tag block, and the line and
paragraph separators, as ranges of code points."""
_DRAWN_BLANK = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180D), (0x180F, 0x180F),
    (0x2065, 0x2065), (0x2800, 0x2800), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
)  # fmt: skip
"""Characters that are not format characters but draw nothing alone: the rest of Unicode's
default-ignorable code points of the Basic Multilingual Plane (the combining grapheme
joiner, the Hangul fillers, two Khmer vowels, the Mongolian and standard variation
selectors), and the blank Braille pattern."""


def _class(ranges: tuple[tuple[int, int], ...], write: Callable[[int], str]) -> str:
    """A regular-expression class (without its brackets) of these ranges of code points."""
    return "".join(write(lo) if lo == hi else f"{write(lo)}-{write(hi)}" for lo, hi in ranges)


_INVISIBLE_CLASS = _class((*_FORMAT, (0xD800, 0xDFFF)), chr)
"""The format characters and lone surrogates: the one set every output escapes (see
:func:`is_hidden`; a test checks it against the running Python's Unicode tables)."""

SHOWS_NOTHING = r"\s\x00-\x1f\x7f-\x9f" + _class(
    tuple(r for r in (*_FORMAT, *_DRAWN_BLANK) if r[1] <= 0xFFFF), "\\u{:04x}".format
)
"""A regular-expression class (without its brackets) of the characters that show nothing
where they stand: white space, controls, and the format and default-ignorable characters
of the Basic Multilingual Plane. A text of these alone is blank. The schema's patterns
hold it, written in escapes that a JSON Schema reader, Rust's and Python's regular
expressions all read; those readers agree only within that plane, so the few such
characters past it are left out (every output shows the format characters among them
escaped, and the tag characters are warned of as ``invisible-character``)."""

_SHOWS_SOMETHING = re.compile(f"[^{SHOWS_NOTHING}]")


def shows_nothing(text: str) -> bool:
    """Whether a text is blank: none of its characters shows (:data:`SHOWS_NOTHING`)."""
    return _SHOWS_SOMETHING.search(text) is None


_INVISIBLE = re.compile(f"[{_INVISIBLE_CLASS}]")
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_INVISIBLE_CLASS}]")
_ZWJ = "\u200d"
_EMOJI_VARIATION = "\ufe0f"


def is_hidden(char: str) -> bool:
    """Whether one character is shown escaped rather than as itself in every output."""
    return bool(_CONTROL.match(char) or _INVISIBLE.match(char))


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control and invisible character replaced by a visible escape."""
    if text.isascii() and not _CONTROL.search(text):  # the common case: nothing to escape
        return text if keep_newlines else text.replace("\n", "\\n").replace("\t", "\\t")

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
    if match.group() == _ZWJ and _joins_emoji(match.string, match.start()):
        return _ZWJ
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, carried by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"<U+{code:04X}>"


def _joins_emoji(text: str, at: int) -> bool:
    """Whether the zero-width joiner at ``at`` sits inside an emoji sequence: after a symbol
    (or its skin tone or emoji variation selector) and before another symbol."""
    import unicodedata

    if at == 0 or at + 1 >= len(text):
        return False
    before, after = text[at - 1], text[at + 1]
    return (
        before == _EMOJI_VARIATION or unicodedata.category(before) in ("So", "Sk")
    ) and unicodedata.category(after) == "So"


def has_hidden(text: str) -> bool:
    """Whether ``text`` holds anything that `visible` would escape.

    Only a few characters of a long text can be hidden ones: the ASCII controls and the
    non-ASCII characters. Those are all that remain of its UTF-8 bytes once the printable
    ASCII bytes are taken out (no ASCII byte is part of a longer character), so only they
    are searched: tens of megabytes of remembered output are checked in milliseconds. A
    zero-width joiner is judged by its neighbours in the whole text."""
    if len(text) > _SHORT:
        rest = text.encode("utf-8", "surrogatepass").translate(None, _PRINTABLE_ASCII)
        if not rest:
            return False
        reduced = rest.decode("utf-8", "surrogatepass")
        if _ZWJ not in reduced:
            return _has_hidden(reduced)
    return _has_hidden(text)


def _has_hidden(text: str) -> bool:
    return bool(_CONTROL.search(text)) or any(
        m.group() != _ZWJ or not _joins_emoji(text, m.start()) for m in _INVISIBLE.finditer(text)
    )


_SHORT = 4096
"""Texts up to this length are searched whole: the reduction would cost more than it saves."""

_PRINTABLE_ASCII = bytes([0x09, 0x0A, *range(0x20, 0x7F)])


_STYLE = re.compile(r"\x1b\[[0-9;]*m")
"""A colour or weight (SGR) sequence: the only escape this tool's own output holds."""


def is_plain_output(text: str) -> bool:
    """Whether ``text`` is output this tool could have printed: printable text, newlines and
    tabs, and colour sequences, nothing else. Text read back from a file (a cache that may
    have been tampered with) is checked before it reaches a terminal."""
    return not has_hidden(_STYLE.sub("", text) if "\x1b" in text else text)


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """JSON for machines: UTF-8 text kept readable, every invisible or control char escaped."""
    text = _pretty(data, indent) if indent else None
    if text is None:
        text = json.dumps(data, ensure_ascii=False, indent=indent, sort_keys=False)
    return _JSON_UNSAFE.sub(_json_escape, text) if _json_unsafe_in(text) else text


def _pretty(data: Any, indent: int) -> str | None:
    """The text ``json.dumps`` gives with an indent, from pydantic-core's compiled encoder
    (the standard library's indented JSON is written in Python: 1.5 s for the 90 MB of
    100,000 claims, against 0.3 s), or None where the two might differ (see
    :func:`_json_native`; a lone surrogate, which pydantic-core refuses). Used only when the
    schema's library is loaded already: importing it for a small answer costs more than the
    encoding saves."""
    core = sys.modules.get("pydantic_core")
    if core is None:
        return None
    try:
        raw: bytes = core.to_json(data, indent=indent)
    except (ValueError, TypeError, core.PydanticSerializationError):
        return None
    return raw.decode("utf-8") if _json_native(data) else None


def _json_native(data: Any) -> bool:
    """Whether ``data`` holds only what both encoders write alike: the types ``json.dumps``
    accepts, with keys that are text, integers or finite floats, and no float below 1e-4
    but zero (pydantic-core writes ``1e-7`` and ``0.00001`` for Python's ``1e-07`` and
    ``1e-05``). pydantic-core also writes dates, sets, bytes and plain enums (which
    ``json.dumps`` refuses) and writes a None, NaN or infinite key as ``"None"``, ``"nan"``
    or ``"inf"`` (``"null"``, ``"NaN"`` and ``"Infinity"`` here). Called only once the
    encoder has accepted ``data``, so it holds no cycle."""
    pending = [data]
    pop, extend = pending.pop, pending.extend
    while pending:
        value = pop()
        kind = type(value)
        if kind in _SCALARS:
            continue
        if kind is dict or (kind not in _LISTS and isinstance(value, dict)):
            if not all(type(key) is str or _plain_key(key) for key in value):
                return False
            extend(value.values())
        elif kind in _LISTS or isinstance(value, list | tuple):
            extend(value)
        elif isinstance(value, float):  # a float, or an enum of floats
            if not _plain_float(value):
                return False
        elif not isinstance(value, str | int):  # an enum of text or integers is kept
            return False
    return True


_SCALARS = frozenset((str, int, bool, type(None)))
_LISTS = frozenset((list, tuple))


def _plain_float(value: float) -> bool:
    """A float both encoders write alike: any but the small ones (NaN and the infinities
    too: both write them as Python does)."""
    return not 0 < abs(value) < 1e-4


def _plain_key(key: Any) -> bool:
    """A dict key both encoders turn into the same text (``str`` keys aside)."""
    if isinstance(key, str):
        return True
    kind = type(key)
    return (
        kind is int or kind is bool or (kind is float and math.isfinite(key) and _plain_float(key))
    )


_ASCII_BYTES = bytes(range(0x80))


def _json_unsafe_in(text: str) -> bool:
    """Whether ``text`` holds a character JSON output escapes, found without a regular
    expression's walk over all of it (about a second for the 90 MB of 100,000 claims):
    every such character but DEL is outside ASCII, and the non-ASCII characters of a text
    are its UTF-8 bytes with the ASCII bytes taken out (no ASCII byte is ever part of a
    longer character), so only those few are searched."""
    if "\x7f" in text:
        return True
    if text.isascii():
        return False
    rest = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
    return _JSON_UNSAFE.search(rest.decode("utf-8", "surrogatepass")) is not None


def _json_escape(found: re.Match[str]) -> str:
    """One character as a JSON escape: beyond U+FFFF, as its UTF-16 surrogate pair (JSON
    has no longer escape; `\\ue0000` would read back as U+E000 and a "0")."""
    code = ord(found.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


WEB_SCHEMES = ("http", "https")

_URI_KEPT = "!#$%&'()*+,/:;=?@[]~-._"
"""The characters a URI holds as they are, besides letters and digits (RFC 3986's reserved
and unreserved ones, and ``%`` of an escape already made)."""


def web_url(url: str | None) -> str | None:
    """``url`` when it is a web address (http or https), else None: a data file's
    ``javascript:``, ``data:`` or ``file:`` URL is never offered as something to open."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme
    except ValueError:  # a malformed address, such as an unclosed [IPv6 literal
        return None
    return url if scheme.lower() in WEB_SCHEMES else None


def as_uri(url: str) -> str:
    """``url`` with each character a URI may not hold (spaces, quotes, angle brackets,
    controls, non-ASCII) percent-encoded as UTF-8; the rest kept, so it means the same."""
    return quote(url, safe=_URI_KEPT)
