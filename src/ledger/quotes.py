"""Finding a quote in a source's archived text, verbatim after normalisation.

Both sides are normalised the same way (Unicode NFC, typographic quotes folded to plain ones,
runs of whitespace folded to one space), so a quote copied across a line break still matches
while a changed word never does. ``...``, ``…`` or ``[...]`` split a quote into segments that
must appear in that order.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
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


_PLAIN = {chr(code): plain for code, plain in _QUOTE_FOLD.items()}
_SPACE = re.compile(r"\s")

PIECE = 1 << 20
"""A text longer than this is normalised a piece at a time (pieces end at a space), so the
list of every word that folding spaces makes is never held for a whole archive at once."""


def normalise(text: str) -> str:
    """The form in which quotes are compared: NFC, plain quotes, single spaces, trimmed."""
    if len(text) <= PIECE:
        return _normalise(text)
    return " ".join(piece for piece in map(_normalise, _pieces(text)) if piece)


def _normalise(text: str) -> str:
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _FOLDED.search(text):  # only the quotes: translate() looks up every character
        text = _FOLDED.sub(lambda m: _PLAIN[m.group()], text)
    return " ".join(text.split())  # str.split() breaks at exactly what \s matches, faster


def _pieces(text: str) -> Iterator[str]:
    """The text in pieces of about :data:`PIECE` characters, each ending before a space; as
    no character combines with a space before it, each normalises on its own."""
    start = 0
    while start < len(text):
        space = _SPACE.search(text, start + PIECE)
        end = space.start() if space else len(text)
        yield text[start:end]
        start = end


def segments(quote: str) -> list[str]:
    """The normalised pieces of a quote, split at ellipses; empty pieces are dropped."""
    pieces = _ELLIPSIS.split(quote) if "..." in quote or "…" in quote else [quote]
    return [piece for piece in (normalise(p) for p in pieces) if piece]


def quote_spans(text: str, quote: str) -> list[tuple[int, int]] | None:
    """Where each segment of a quote stands, in order, in an NFC text as it is written (its
    own spaces and typographic quotes): offsets into ``text``, found without normalising the
    whole text, so a quote is placed in the largest archive at the cost of one scan; None
    when a segment is not there."""
    spans: list[tuple[int, int]] = []
    position = 0
    for piece in segments(quote):
        found = re.compile(_written(piece)).search(text, position)
        if found is None:
            return None
        spans.append(found.span())
        position = found.end()
    return spans


_WRITTEN = {
    plain: "[" + re.escape(plain + "".join(k for k, v in _PLAIN.items() if v == plain)) + "]"
    for plain in set(_PLAIN.values()) - {" "}
}


def _written(piece: str) -> str:
    """A pattern for every way a normalised piece may be written: any run of spaces for a
    space, any of the quotes that fold to a plain one."""
    return r"\s+".join(
        "".join(_WRITTEN.get(char) or re.escape(char) for char in word) for word in piece.split(" ")
    )


@dataclass(frozen=True)
class Match:
    """Where a quote was found, or the first segment that was not."""

    found: bool
    missing: str = ""
    closest: str = ""
    out_of_order: bool = False
    """The missing segment is in the source, but only before the segment quoted ahead of it."""
    out_of_budget: bool = False
    """No closest passage was found within the search's budget (:data:`HINT_BUDGET`)."""


def find_quote(quote: str, normalised_source: str) -> Match:
    """Find every segment of ``quote`` in order in an already normalised source text."""
    position = 0
    for piece in segments(quote):
        index = normalised_source.find(piece, position)
        if index < 0:
            if position and normalised_source.find(piece) >= 0:
                return Match(False, missing=piece, closest=piece, out_of_order=True)
            hint = closest_passage(piece, normalised_source)
            return Match(
                False, missing=piece, closest=hint.passage, out_of_budget=hint.out_of_budget
            )
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
    details = [match.missing, match.closest, match.out_of_order, match.out_of_budget]
    return json.dumps(details, ensure_ascii=False)


def _match_from(text: str) -> Match | None:
    """A stored match read back; None when it does not read back cleanly."""
    if text == "":
        return Match(True)
    try:
        missing, closest, out_of_order, out_of_budget = json.loads(text)
    except (ValueError, TypeError):
        return None
    if not (isinstance(missing, str) and isinstance(closest, str)):
        return None
    return Match(
        False,
        missing=missing,
        closest=closest,
        out_of_order=out_of_order is True,
        out_of_budget=out_of_budget is True,
    )


HINT_BUDGET = 512 * 1024 * 1024
"""Characters one hint may scan or compare: eight passes over the largest archive (64 MiB),
a fraction of a second, whatever the archive's size or the quote's length."""

WHOLE_MAX = 4_000_000
"""Largest source length times piece length searched whole, character by character (as
``difflib`` does, in Python: about a second at worst); beyond it the search is anchored."""

ANCHORS = 32
"""Most runs of words of a piece looked up in the source."""

HITS_PER_ANCHOR = 8
"""Most places one anchor is taken from (a common phrase occurs everywhere)."""

WINDOWS = 48
"""Most candidate passages compared with the piece."""


@dataclass(frozen=True)
class Hint:
    """The passage of a source most like a piece that is not in it."""

    passage: str
    """The source's words; empty when none is close."""
    out_of_budget: bool = False
    """The search stopped at :data:`HINT_BUDGET`: no passage was found within it."""
    spent: int = 0
    """Characters scanned or compared."""


def closest_passage(piece: str, normalised_source: str, budget: int | None = None) -> Hint:
    """The stretch of the source most like ``piece``: the hint for a quote that is not found.

    A small source is searched whole: anchored on the longest run of characters the two
    share. A larger one is searched through anchors, runs of words spread over the piece,
    each looked up in the source within ``budget``; every place one is found puts the piece
    there, and the place whose words share most with the piece's wins. The work is bounded
    by ``budget`` (default :data:`HINT_BUDGET`) and the caps above, not by the size of the
    source.
    """
    if not normalised_source or not piece:
        return Hint("")
    budget = HINT_BUDGET if budget is None else budget
    cells = len(normalised_source) * len(piece)
    if cells <= min(WHOLE_MAX, budget):
        matcher = SequenceMatcher(None, normalised_source, piece, autojunk=False)
        block = matcher.find_longest_match(0, len(normalised_source), 0, len(piece))
        found = _passage(normalised_source, block.a - block.b, len(piece)) if block.size else ""
        return Hint(found, spent=cells)
    return _anchored(piece, normalised_source, budget)


def _anchored(piece: str, source: str, budget: int) -> Hint:
    spent = 0
    starts: set[int] = set()
    for offset, anchor in _anchors(piece):
        position = 0
        for _ in range(HITS_PER_ANCHOR):
            stop = min(len(source), position + budget - spent + len(anchor))
            found = source.find(anchor, position, stop)
            spent += (found + len(anchor) if found >= 0 else stop) - position
            if found < 0:
                break
            starts.add(max(0, found - offset))
            position = found + 1
        if spent >= budget or len(starts) >= WINDOWS:
            break
    if not starts:
        return Hint("", out_of_budget=spent >= budget, spent=spent)
    wanted = _shingles(piece)
    best, best_score = 0, -1
    for start in sorted(starts)[:WINDOWS]:
        candidate = source[start : start + len(piece)]
        spent += len(candidate)
        score = len(wanted & _shingles(candidate))
        if score > best_score:
            best, best_score = start, score
    start, work = _align(piece, source, best)
    return Hint(_passage(source, start, len(piece)), spent=spent + work)


def _align(piece: str, source: str, start: int) -> tuple[int, int]:
    """Where the piece begins near ``start``: as many words before the first word the two
    share as the piece has before it (an anchor's place drifts when words before it differ
    in length). Also the characters compared."""
    slack = len(piece) // 4 + 40
    low = max(0, start - slack)
    near = source[low : start + len(piece) + slack]
    theirs = [(m.start() + low, m.group()) for m in re.finditer(r"\S+", near)]
    ours = [(m.start(), m.group()) for m in re.finditer(r"\S+", piece)]
    matcher = SequenceMatcher(None, [w for _, w in ours], [w for _, w in theirs])
    first = next((b for b in matcher.get_matching_blocks() if b.size), None)
    if first is None:
        return start, len(near)
    if first.b >= first.a:  # the words the piece has before it stand for as many before it
        return theirs[first.b - first.a][0], len(near)
    return theirs[first.b][0] - ours[first.a][0], len(near)


def _anchors(piece: str) -> list[tuple[int, str]]:
    """Runs of words of the piece (about 24 characters), with their offsets, spread over the
    piece: its middle first, then its quarters, and so on; for a short piece, its words,
    longest (rarest-looking) first."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", piece)]
    if len(words) <= 4:
        return sorted(((s, piece[s:e]) for s, e in words), key=lambda r: (-len(r[1]), r[0]))
    runs: list[tuple[int, str]] = []
    last = 0
    for start, _ in words:
        while last < len(words) - 1 and words[last][1] - start < 24:
            last += 1
        runs.append((start, piece[start : words[last][1]]))
    order: list[int] = []
    step = len(runs)
    while step and len(order) < ANCHORS:
        order += [i for i in range(step // 2, len(runs), step) if i not in order]
        step //= 2
    return [runs[i] for i in order[:ANCHORS]]


def _shingles(text: str) -> set[tuple[str, ...]]:
    """The words of a text and its pairs of words: what two passages share."""
    words = text.split()
    return {(w,) for w in words} | set(itertools.pairwise(words))


def _passage(source: str, start: int, length: int) -> str:
    """``length`` characters of the source from about ``start``: from the nearer start of a
    word, to the end of the last word."""
    start = max(0, start)
    if 0 < start < len(source) and not (source[start - 1].isspace() or source[start].isspace()):
        back = start - 1 - max(source.rfind(" ", 0, start), -1)  # into a word: to its nearer end
        ahead = source.find(" ", start)
        start = start - back if ahead < 0 or back <= ahead + 1 - start else ahead + 1
    end = min(len(source), start + length)
    while end < len(source) and not source[end].isspace():
        end += 1  # finish the last word rather than cut it
    return source[start:end].strip()
