"""Finding a quote in a source's archived text, verbatim after normalisation.

Both sides are normalised the same way (Unicode NFC, typographic quotes folded to plain ones,
runs of whitespace folded to one space), so a quote copied across a line break still matches
while a changed word never does. ``...``, ``…`` or ``[...]`` split a quote into segments that
must appear in that order.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, NamedTuple

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


def quote_spans(text: str, quote: str, start: int = 0) -> list[tuple[int, int]] | None:
    """Where each segment of a quote stands, in order, in an NFC text as it is written (its
    own spaces and typographic quotes): offsets into ``text``, found without normalising the
    whole text, so a quote is placed in the largest archive at the cost of one scan; None
    when a segment is not there. The search begins at ``start``.

    The placement is the tightest of those that end first: each segment but the last stands
    at its last occurrence before the next, so "Mexico ... proposed a plan" places "Mexico"
    in the sentence that goes on to propose the plan, not at the text's first "Mexico"."""
    spans: list[tuple[int, int]] = []
    patterns = [re.compile(_written(piece)) for piece in segments(quote)]
    position = start
    for pattern in patterns:
        found = pattern.search(text, position)
        if found is None:
            return None
        spans.append(found.span())
        position = found.end()
    for i in range(len(spans) - 2, -1, -1):
        later = patterns[i].search(text, spans[i][0] + 1, spans[i + 1][0])
        while later is not None:
            spans[i] = later.span()
            later = patterns[i].search(text, later.start() + 1, spans[i + 1][0])
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


LISTED = 5
"""Occurrences of a repeated segment that a placement keeps (the count is kept whole)."""

MAP_STEP = 256
"""Characters of an archived text between two places where :class:`ArchiveIndex` knows both
the text's own offset and the normalised text's: turning a normalised offset into the
text's re-reads at most about this many characters."""


@dataclass(frozen=True)
class Repeat:
    """A segment of a quote that occurs more than once in the archived text."""

    segment: int
    """Which segment (from 0)."""
    count: int
    """How many times it occurs (without overlaps; at least 2)."""
    where: tuple[tuple[int, int], ...]
    """The first :data:`LISTED` occurrences, as offsets into the archived text."""


class Placement(NamedTuple):
    """Where a quote that was found stands in the archived text, and how firmly (a named
    tuple: one is made for every quote on every check, and a tuple is made fastest).

    Offsets count characters (Unicode code points) of the archived text as decoded from
    UTF-8, in NFC (as `ledger new source` writes it, so the text as stored): ``text[start:end]``
    in Python, ``substr(text, start + 1, end - start)`` in SQL."""

    spans: tuple[tuple[int, int], ...]
    """Each segment's (start, end), in order: the tightest placement of those that end
    first (see :func:`quote_spans`)."""
    repeats: tuple[Repeat, ...] = ()
    """The segments that occur elsewhere in the text too."""
    joins: tuple[int, ...] = ()
    """Each ``i`` where the ellipsis after segment ``i`` joins it to the next although only
    whitespace (a line or page break) stands between them in the text."""

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]

    def to_data(self) -> dict[str, Any]:
        """The placement as stored by :class:`QuoteMemo`."""
        return {
            "spans": [list(span) for span in self.spans],
            "repeats": [[r.segment, r.count, [list(w) for w in r.where]] for r in self.repeats],
            "joins": list(self.joins),
        }

    @classmethod
    def from_data(cls, data: Any) -> Placement:
        """The inverse of :meth:`to_data`; ValueError (or TypeError) when it is not one."""
        spans = tuple(_span(s) for s in data["spans"])
        if not spans:
            raise ValueError("a placement without spans")
        repeats = tuple(
            Repeat(_int(seg), _int(count), tuple(_span(w) for w in where))
            for seg, count, where in data["repeats"]
        )
        return cls(spans, repeats, tuple(_int(j) for j in data["joins"]))


class Position(NamedTuple):
    """Where a record's quote (or a requirement's wording) stands in its source's archived
    text: what `show --format json` and the exports give. Offsets as in :class:`Placement`."""

    source: str
    """The source's id."""
    archive: str
    """The archived text's path from the ledger's root."""
    start: int
    end: int
    segments: tuple[tuple[int, int], ...]
    """Each segment's (start, end): one for a quote without ellipses."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "archive": self.archive,
            "start": self.start,
            "end": self.end,
            "segments": [list(span) for span in self.segments],
        }


def _int(value: object) -> int:
    if type(value) is not int:
        raise ValueError(f"not an integer: {value!r}")
    return value


def _span(value: Any) -> tuple[int, int]:
    start, end = value
    return _int(start), _int(end)


class Match(NamedTuple):
    """Where a quote was found, or the first segment that was not (a named tuple, made for
    every quote on every check)."""

    found: bool
    missing: str = ""
    closest: str = ""
    out_of_order: bool = False
    """The missing segment is in the source, but only before the segment quoted ahead of it."""
    out_of_budget: bool = False
    """No closest passage was found within the search's budget (:data:`HINT_BUDGET`)."""
    placement: Placement | None = None
    """For a quote found with :func:`place_quote`: where it stands (None for a quote with
    no words, which stands nowhere)."""


def find_quote(quote: str, normalised_source: str) -> Match:
    """Find every segment of ``quote`` in order in an already normalised source text."""
    found = _starts(segments(quote), normalised_source)
    return found if isinstance(found, Match) else Match(True)


def _starts(pieces: list[str], source: str) -> list[int] | Match:
    """Where each piece stands in order, first come first placed, or the Match that says
    which is missing."""
    starts: list[int] = []
    position = 0
    for piece in pieces:
        index = source.find(piece, position)
        if index < 0:
            if position and source.find(piece) >= 0:
                return Match(False, missing=piece, closest=piece, out_of_order=True)
            hint = closest_passage(piece, source)
            return Match(
                False, missing=piece, closest=hint.passage, out_of_budget=hint.out_of_budget
            )
        starts.append(index)
        position = index + len(piece)
    return starts


def place_quote(quote: str, archive: ArchiveIndex) -> Match:
    """:func:`find_quote` in an archived text, and for a quote found, its placement: the
    tightest that ends first, every segment that occurs more than once, and every ellipsis
    that joins words the text has side by side. Searched in the normalised text; the
    offsets kept are the archived text's own."""
    pieces = segments(quote)
    source = archive.normalised
    starts = _starts(pieces, source)
    if isinstance(starts, Match):
        return starts
    if not pieces:
        return Match(True)
    first_of_all = starts[0]  # found from the text's start: its first occurrence
    for i in range(len(pieces) - 2, -1, -1):  # each as late as the next allows
        starts[i] = source.rfind(pieces[i], starts[i], starts[i + 1])
    repeats = []
    for i, piece in enumerate(pieces):
        where = [first_of_all if i == 0 else source.find(piece)]
        while len(where) < LISTED and (later := source.find(piece, where[-1] + 1)) >= 0:
            where.append(later)
        if len(where) > 1:
            count = max(source.count(piece), len(where))
            spans = tuple(archive.span(w, w + len(piece)) for w in where)
            repeats.append(Repeat(i, count, spans))
    joins = []
    for i in range(len(pieces) - 1):
        gap = starts[i + 1] - (starts[i] + len(pieces[i]))
        if gap == 0 or (gap == 1 and source[starts[i + 1] - 1] == " "):
            joins.append(i)
    spans = tuple(archive.span(s, s + len(p)) for s, p in zip(starts, pieces, strict=True))
    return Match(True, placement=Placement(spans, tuple(repeats), tuple(joins)))


class ArchiveIndex:
    """An archived text as quotes are searched in it: in NFC, normalised (made when first
    asked for), with a sparse map from the normalised text's offsets back to the text's own,
    so a quote found in the normalised text is placed in the text without a second search.

    The map holds one pair of offsets every :data:`MAP_STEP` characters: a few hundred
    kilobytes for the largest archive, where an offset for every character would take
    hundreds of megabytes."""

    def __init__(self, text: str) -> None:
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        self.text = text
        self._normalised: str | None = None
        self._marks = array("q")
        """Where each piece begins in the normalised text."""
        self._origins = array("q")
        """Where the same piece begins in the text."""

    @property
    def normalised(self) -> str:
        """The text as :func:`normalise` gives it."""
        if self._normalised is None:
            self._normalised = self._build()
        return self._normalised

    def _build(self) -> str:
        text = self.text
        parts: list[str] = []
        length = start = 0
        while start < len(text):
            space = _SPACE.search(text, start + MAP_STEP)
            end = space.start() if space else len(text)
            piece = _normalise(text[start:end])  # each piece ends before a space: see _pieces
            if piece:
                length += 1 if parts else 0
                self._marks.append(length)
                self._origins.append(start)
                parts.append(piece)
                length += len(piece)
            start = end
        return " ".join(parts)

    def original(self, offset: int) -> int:
        """The text's offset for an offset into the normalised text. Normalising maps the
        characters of each word one to one (the text is NFC already) and runs of spaces to
        one, so the place is the same word, as many characters in."""
        source = self.normalised
        piece = bisect.bisect_right(self._marks, offset) - 1
        if piece < 0:
            return 0
        before = source[self._marks[piece] : offset]
        words = before.count(" ")
        into = len(before) - before.rfind(" ") - 1
        skipped = _skip_words(words).match(self.text, self._origins[piece])
        assert skipped is not None  # \s* and as many words as the piece has before it
        return skipped.end() + into

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The text's offsets for a span of the normalised text."""
        return self.original(start), self.original(end)


_SKIPS: dict[int, re.Pattern[str]] = {}


def _skip_words(count: int) -> re.Pattern[str]:
    """A pattern that passes leading spaces and ``count`` words with the spaces after them,
    in C (a piece holds at most about :data:`MAP_STEP` / 2 words, so few are ever made)."""
    pattern = _SKIPS.get(count)
    if pattern is None:
        pattern = _SKIPS[count] = re.compile(rf"\s*(?:\S+\s+){{{count}}}")
    return pattern


class QuoteMemo:
    """Searches done before, so a re-check searches only quotes that are new or edited.

    Kept by the SHA-256 of the archived bytes searched (verified before any search) and the
    quote's exact text: a search depends on nothing else, so the same quote in the same
    archive is found, or not, exactly as before."""

    def __init__(
        self,
        known: dict[str, dict[str, str]] | None = None,
        fetch: Callable[[str, str], str | None] | None = None,
    ) -> None:
        self.known = known if known is not None else {}
        self.fetch = fetch
        """Asked for a search ``known`` lacks, by archive digest and quote: a re-check of a
        few quotes looks up only theirs."""
        self.fresh: list[tuple[str, str, str]] = []
        self.used: dict[str, set[str]] = {}

    def find(self, quote: str, archive_sha256: str, archive: Callable[[], ArchiveIndex]) -> Match:
        """``place_quote`` in the archive, unless this quote was searched in it before;
        ``archive`` gives the archive's text, normalised only when a search runs."""
        used = self.used.get(archive_sha256)
        if used is None:
            used = self.used[archive_sha256] = set()
        used.add(quote)
        stored = self.known.get(archive_sha256, {}).get(quote)
        if stored is None and self.fetch is not None:
            stored = self.fetch(archive_sha256, quote)
        if stored is not None:
            match = _match_from(stored)
            if match is not None:
                return match
        match = place_quote(quote, archive())
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
    """A match as stored. Found, most quotes are firmly anchored: their spans alone, as
    ``start-end`` pairs after a ``=`` (read back a hundred times faster than JSON); found
    with repeated segments or joins, the placement as a JSON object; not found, a JSON list
    of its details."""
    if match.found:
        placement = match.placement
        if placement is not None and not placement.repeats and not placement.joins:
            return "=" + " ".join(f"{start}-{end}" for start, end in placement.spans)
        data = placement.to_data() if placement is not None else None
        return json.dumps({"placement": data}, separators=(",", ":"))
    details = [match.missing, match.closest, match.out_of_order, match.out_of_budget]
    return json.dumps(details, ensure_ascii=False)


def _match_from(text: str) -> Match | None:
    """A stored match read back; None when it does not read back cleanly."""
    if text.startswith("="):
        try:
            if " " not in text:  # one segment, as most quotes
                start, end = text[1:].split("-")
                spans: tuple[tuple[int, int], ...] = ((int(start), int(end)),)
            else:
                pairs = (pair.split("-") for pair in text[1:].split(" "))
                spans = tuple((int(start), int(end)) for start, end in pairs)
        except ValueError:
            return None
        return Match(True, placement=Placement(spans))
    try:
        stored = json.loads(text)
        if isinstance(stored, dict):
            placement = stored["placement"]
            return Match(
                True, placement=None if placement is None else Placement.from_data(placement)
            )
        missing, closest, out_of_order, out_of_budget = stored
    except (ValueError, TypeError, KeyError):
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
