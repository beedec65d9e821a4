"""Finding a quote in a source's archived text, verbatim after normalisation.

Both sides are normalised the same way (Unicode NFC, typographic quotes folded to plain ones,
runs of whitespace folded to one space), so a quote copied across a line break still matches
while a changed word never does. ``...``, ``…`` or ``[...]`` split a quote into segments that
must appear in that order.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher

_QUOTE_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00a0": " ",
    }
)
_FOLDED = re.compile("[" + "".join(chr(c) for c in _QUOTE_FOLD) + "]")
_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\.\.|…)\s*\]|\.\.\.|…)\s*")


def normalise(text: str) -> str:
    """The form in which quotes are compared: NFC, plain quotes, single spaces, trimmed."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _FOLDED.search(text):  # translate() walks every character: only when it has work
        text = text.translate(_QUOTE_FOLD)
    return " ".join(text.split())  # str.split() breaks at exactly what \s matches, faster


def segments(quote: str) -> list[str]:
    """The normalised pieces of a quote, split at ellipses; empty pieces are dropped."""
    pieces = _ELLIPSIS.split(quote) if "..." in quote or "…" in quote else [quote]
    return [piece for piece in (normalise(p) for p in pieces) if piece]


@dataclass(frozen=True)
class Match:
    """Where a quote was found, or the first segment that was not."""

    found: bool
    missing: str = ""
    closest: str = ""
    out_of_order: bool = False
    """The missing segment is in the source, but only before the segment quoted ahead of it."""


def find_quote(quote: str, normalised_source: str) -> Match:
    """Find every segment of ``quote`` in order in an already normalised source text."""
    position = 0
    for piece in segments(quote):
        index = normalised_source.find(piece, position)
        if index < 0:
            if position and normalised_source.find(piece) >= 0:
                return Match(False, missing=piece, closest=piece, out_of_order=True)
            return Match(False, missing=piece, closest=closest_passage(piece, normalised_source))
        position = index + len(piece)
    return Match(True)


class QuoteMemo:
    """Searches done before, so a re-check searches only quotes that are new or edited.

    Kept by the SHA-256 of the archived bytes searched (verified before any search) and the
    quote's exact text: a search depends on nothing else, so the same quote in the same
    archive is found, or not, exactly as before."""

    def __init__(self, known: dict[str, dict[str, str]] | None = None) -> None:
        self.known = known if known is not None else {}
        self.fresh: list[tuple[str, str, str]] = []
        self.used: dict[str, set[str]] = {}

    def find(self, quote: str, archive_sha256: str, normalised: Callable[[], str]) -> Match:
        """``find_quote`` in the archive, unless this quote was searched in it before;
        ``normalised`` gives the archive's normalised text, made only when a search runs."""
        used = self.used.get(archive_sha256)
        if used is None:
            used = self.used[archive_sha256] = set()
        used.add(quote)
        stored = self.known.get(archive_sha256, {}).get(quote)
        if stored is not None:
            match = _match_from(stored)
            if match is not None:
                return match
        match = find_quote(quote, normalised())
        text = _match_text(match)
        self.known.setdefault(archive_sha256, {})[quote] = text
        self.fresh.append((archive_sha256, quote, text))
        return match

    def stale(self) -> list[tuple[str, str]]:
        """Remembered searches that no quote asked for this time."""
        nothing: set[str] = set()
        return [
            (archive, quote)
            for archive, quotes in self.known.items()
            for quote in quotes
            if quote not in self.used.get(archive, nothing)
        ]


def _match_text(match: Match) -> str:
    """A match as stored: empty when found, else its details as JSON."""
    if match.found:
        return ""
    return json.dumps([match.missing, match.closest, match.out_of_order], ensure_ascii=False)


def _match_from(text: str) -> Match | None:
    """A stored match read back; None when it does not read back cleanly."""
    if text == "":
        return Match(True)
    try:
        missing, closest, out_of_order = json.loads(text)
    except (ValueError, TypeError):
        return None
    if not (isinstance(missing, str) and isinstance(closest, str)):
        return None
    return Match(False, missing=missing, closest=closest, out_of_order=out_of_order is True)


def closest_passage(piece: str, normalised_source: str) -> str:
    """The stretch of the source most like ``piece``: the hint for a quote that is not found.

    Anchors on the longest run the two share, then widens it to the length of the piece.
    """
    if not normalised_source:
        return ""
    if len(normalised_source) > SEARCH_WHOLE_MAX:
        return _closest_in_windows(piece, normalised_source)
    matcher = SequenceMatcher(None, normalised_source, piece, autojunk=False)
    block = matcher.find_longest_match(0, len(normalised_source), 0, len(piece))
    if block.size == 0:
        return ""
    start = max(0, block.a - block.b)
    end = min(len(normalised_source), start + len(piece))
    while end < len(normalised_source) and not normalised_source[end].isspace():
        end += 1  # finish the last word rather than cut it
    return normalised_source[start:end].strip()


SEARCH_WHOLE_MAX = 200_000
"""Longest source searched whole for a hint; a longer one is searched near the piece's words,
so a wrong quote against a very large archive still costs milliseconds, not hours."""


def _closest_in_windows(piece: str, source: str) -> str:
    """The closest passage among windows around the occurrences of the piece's rarest-looking
    (longest) words; the hint is a help, not a guarantee."""
    words = sorted(set(piece.split()), key=len, reverse=True)[:3]
    starts: list[int] = []
    for word in words:
        position = source.find(word)
        while position >= 0 and len(starts) < 30:
            starts.append(position)
            position = source.find(word, position + 1)
    reach = len(piece) + 200
    windows = [source[max(0, s - reach) : s + reach] for s in starts] or [source[:SEARCH_WHOLE_MAX]]
    best, best_size = "", 0
    for window in windows:
        found = closest_passage(piece, window)
        size = SequenceMatcher(None, found, piece, autojunk=False).find_longest_match().size
        if size > best_size:
            best, best_size = found, size
    return best
