"""Finding passages in a source's archived text, and naming where they are.

Researchers remember a few words, not the exact quote; `locate` finds the stretch of the
archived text that best matches them, tolerant of accents, case, punctuation and line
breaks, and fuzzy when nothing matches exactly. It returns the exact words of the source
(whitespace folded, so the quote verifies with `quotes.find_quote`) and a locator derived
from the text's own structure:

- paragraphs are blocks separated by blank lines; a text whose lines are all separated by
  blank lines (an extraction from a paginated original, like the memo) counts only longer
  gaps as paragraph breaks, and a gap in the middle of a sentence never starts one;
- a heading is a block that opens with a numbered label (``REQUIREMENT 3)``, ``Section 2.``)
  or a short line without closing punctuation; paragraphs are counted from 1 after each
  heading, and those before the first heading are the ``Introduction``;
- the first block, when it does not end a sentence, is the title and not a paragraph;
- a numbered list counts as one paragraph with the line that introduces it, and a quote
  inside one item names it: ``paragraph 2, item 3``.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from ledger.analysis.quotes import find_quote, normalise, quote_spans
from ledger.analysis.textfold import fold_with_map

_CLOSERS = "\"”’')]»"
_NOT_HEADING_END = tuple(".,;:!?")
_LABEL = re.compile(
    r"^\s*(?P<label>(?P<word>[A-Z][A-Za-z]*)(?: [A-Z][A-Za-z]*)* (?:\d+(?:\.\d+)*|[IVXLC]+))"
    r"(?P<mark>[).:]|\s+[-–—])\s"
)
_LABEL_WORDS = {
    "annex",
    "appendix",
    "article",
    "chapter",
    "finding",
    "part",
    "recommendation",
    "requirement",
    "section",
}
_ITEM = re.compile(r"^\s*(\d+)[.)]\s")
_LIST_START = re.compile(r"^\s*(?:\d+[.)]|[-•*])\s")
_CLOSING = set(".,;:!?\"”’')]»…")
_OPENING = set("\"“‘'([«")
HEADING_MAX = 80
"""A line longer than this is never taken for a heading."""


# -- structure ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """One paragraph (or the title, or a heading) as offsets into the archived text."""

    start: int
    end: int
    role: str
    """``title``, ``heading`` or ``paragraph``."""
    section: str | None
    """The heading label it falls under (``REQUIREMENT 3``, ``Introduction``), if any."""
    number: int = 0
    """Its number within its section (paragraphs only)."""
    heading: str = ""
    """For a heading: how a locator names it (``REQUIREMENT 3) heading``)."""
    items: tuple[tuple[int, int, int], ...] = ()
    """Numbered list items inside it: (number, start, end)."""

    def locator(self) -> str:
        if self.role == "title":
            return "title"
        if self.role == "heading":
            return self.heading
        where = f"paragraph {self.number}"
        return f"{self.section}, {where}" if self.section else where


@dataclass
class _Block:
    start: int
    end: int
    gap: int
    """Blank lines before it."""
    lines: list[tuple[int, int]] = field(default_factory=list)
    labelled: bool = False
    """It opens with a heading label (``REQUIREMENT 3)``): it starts a block of its own."""


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    gap = 0
    offset = 0
    current: _Block | None = None
    for raw in text.splitlines(keepends=True):
        content = raw.rstrip("\r\n")
        start, end = offset, offset + len(content)
        offset += len(raw)
        if not content.strip():
            if current is not None:
                blocks.append(current)
                current = None
            gap += 1
            continue
        labelled = _label_heading(content) is not None
        if current is not None and labelled:  # a heading with no blank line above it
            blocks.append(current)
            current = None
        if current is None:
            current = _Block(start, end, gap, labelled=labelled)
            gap = 0
        current.end = end
        current.lines.append((start, end))
    if current is not None:
        blocks.append(current)
    return blocks


def _ends_sentence(text: str) -> bool:
    """Whether a block ends a sentence (closing quotes and a footnote number aside)."""
    stripped = re.sub(r"(?<=[.!?\"”’)])\s*\d{1,2}$", "", text.rstrip())
    return stripped.rstrip(_CLOSERS).endswith((".", "!", "?"))


def _continues(text: str) -> bool:
    """Whether a block reads as the rest of an unfinished sentence (lower case, a number)."""
    first = text.lstrip()[:1]
    return bool(first) and (first.islower() or first.isdigit() or first in ",;)")


def structure(text: str) -> list[Paragraph]:
    """The title, headings and paragraphs of an archived text, in order."""
    blocks = _blocks(text)
    if not blocks:
        return []
    singles = [b for a, b in itertools.pairwise(blocks) if b.gap == 1 and a.end > a.start]
    mid = sum(
        1
        for a, b in itertools.pairwise(blocks)
        if b.gap == 1 and not _ends_sentence(text[a.start : a.end])
    )
    threshold = 2 if len(singles) >= 3 and mid * 2 > len(singles) else 1
    merged: list[_Block] = []
    for block in blocks:
        if merged:
            previous = merged[-1]
            before = text[previous.start : previous.end]
            after = text[block.start : block.end]
            joined = block.gap < threshold and not block.labelled
            joined = joined or (
                not block.labelled and not _ends_sentence(before) and _continues(after)
            )
            joined = joined or (before.rstrip().endswith(":") and bool(_LIST_START.match(after)))
            if joined:
                previous.end = block.end
                previous.lines.extend(block.lines)
                continue
        merged.append(_Block(block.start, block.end, block.gap, list(block.lines), block.labelled))
    return _classify(text, merged)


def _heading(text: str, block: _Block, is_first: bool, is_last: bool) -> str | None:
    """How a locator names this block when it is a heading, else None."""
    content = text[block.start : block.end]
    labelled = _label_heading(content)
    if labelled:
        return labelled
    if is_first or is_last or len(block.lines) != 1:
        return None
    line = " ".join(content.split())
    if len(line) > HEADING_MAX or not (line[0].isupper() or line[0].isdigit()):
        return None
    letters = [c for c in line if c.isalpha()]
    shouting = bool(letters) and all(c.isupper() for c in letters)
    if shouting or not line.rstrip(_CLOSERS).endswith(_NOT_HEADING_END):
        return f"{line} (heading)"
    return None


def _label_heading(content: str) -> str | None:
    """``REQUIREMENT 3) heading`` for a block opening with such a label, else None."""
    match = _LABEL.match(content)
    if not match:
        return None
    label_words = match.group("label").rsplit(" ", 1)[0].split()
    known = match.group("word").lower() in _LABEL_WORDS
    if not known and not all(w.isupper() and len(w) > 1 for w in label_words):
        return None
    mark = match.group("mark").strip()
    return f"{match.group('label')}{mark if mark in ').:' else ''} heading"


def _label_of(heading: str) -> str:
    """The section name a heading gives the paragraphs under it."""
    if heading.endswith(" (heading)"):
        return heading.removesuffix(" (heading)")
    return heading.removesuffix(" heading").rstrip(").:")


def _classify(text: str, blocks: list[_Block]) -> list[Paragraph]:
    out: list[Paragraph] = []
    headings = [_heading(text, b, i == 0, i == len(blocks) - 1) for i, b in enumerate(blocks)]
    section = "Introduction" if any(headings) else None
    number = 0
    for index, block in enumerate(blocks):
        content = text[block.start : block.end]
        if index == 0 and len(blocks) > 1 and not _ends_sentence(content) and not headings[0]:
            out.append(Paragraph(block.start, block.end, "title", None))
            continue
        heading = headings[index]
        if heading:
            section = _label_of(heading)
            number = 0
            out.append(Paragraph(block.start, block.end, "heading", section, heading=heading))
            continue
        number += 1
        items = tuple(
            (int(m.group(1)), start, end)
            for start, end in block.lines
            if (m := _ITEM.match(text[start:end]))
        )
        items = _extend_items(items, block)
        out.append(Paragraph(block.start, block.end, "paragraph", section, number, items=items))
    return out


def _extend_items(
    items: tuple[tuple[int, int, int], ...], block: _Block
) -> tuple[tuple[int, int, int], ...]:
    """An item runs until the next item starts (it may wrap over several lines)."""
    extended = []
    for i, (number, start, _end) in enumerate(items):
        stop = items[i + 1][1] if i + 1 < len(items) else block.end
        extended.append((number, start, stop))
    return tuple(extended)


def locator_for_span(paragraphs: list[Paragraph], start: int, end: int) -> str:
    """The locator of the text between two offsets: its paragraph, and list item if one."""
    first = _containing(paragraphs, start)
    last = _containing(paragraphs, max(start, end - 1))
    if first is None:
        return ""
    if last is not None and last is not first:
        if last.section == first.section and first.role == last.role == "paragraph":
            where = f"paragraphs {first.number}-{last.number}"
            return f"{first.section}, {where}" if first.section else where
        return f"{first.locator()} to {last.locator()}"
    for number, item_start, item_end in first.items:
        if item_start <= start and end <= item_end:
            return f"{first.locator()}, item {number}"
    return first.locator()


def _containing(paragraphs: list[Paragraph], offset: int) -> Paragraph | None:
    found = None
    for paragraph in paragraphs:
        if paragraph.start <= offset:
            found = paragraph
        else:
            break
    return found


# -- folding ------------------------------------------------------------------------------


# -- finding ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """A stretch of the source that matches the words looked for."""

    quote: str
    """The source's exact words, whitespace folded: a quote that verifies."""
    locator: str
    score: float
    """1.0 for an exact match (after folding); less for a fuzzy one."""
    exact: bool
    start: int
    end: int
    context: str
    """The paragraph around the quote, whitespace folded (shortened when long)."""
    context_start: int
    """Where the quote begins in ``context``."""

    def to_dict(self) -> dict[str, object]:
        return {
            "quote": self.quote,
            "locator": self.locator,
            "score": round(self.score, 3),
            "exact": self.exact,
            "context": self.context,
        }


class Source:
    """An archived text prepared for searching: folded once, searched many times."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded, self.where = fold_with_map(text, words_only=True)
        self.paragraphs = structure(text)
        self._normalised: str | None = None
        self._words: list[tuple[int, int]] | None = None

    @property
    def normalised(self) -> str:
        if self._normalised is None:
            self._normalised = normalise(self.text)
        return self._normalised

    def words(self) -> list[tuple[int, int]]:
        """(start, end) of every word in the folded text."""
        if self._words is None:
            self._words = [(m.start(), m.end()) for m in re.finditer(r"\S+", self.folded)]
        return self._words

    def span(self, folded_start: int, folded_end: int) -> tuple[int, int]:
        """Original offsets of a stretch of the folded text (whole characters, accents kept)."""
        start = self.where[folded_start]
        end = self.where[folded_end - 1] + 1
        while end < len(self.text) and unicodedata.combining(self.text[end]):
            end += 1
        return start, end

    def exact(self, words: str) -> list[tuple[int, int]]:
        """Original spans where the folded words occur, whole words only."""
        query, _ = fold_with_map(words, words_only=True)
        if not query:
            return []
        found = []
        padded = f" {self.folded} "
        needle = f" {query} "
        position = padded.find(needle)
        while position >= 0:
            found.append(self.span(position, position + len(query)))
            position = padded.find(needle, position + 1)
        return found

    def fuzzy(self, words: str, limit: int) -> list[tuple[tuple[int, int], float]]:
        """The best approximate matches: original spans and a similarity from 0 to 1."""
        query, _ = fold_with_map(words, words_only=True)
        wanted = query.split()
        spans = self.words()
        if not wanted or not spans:
            return []
        vocabulary = {self.folded[s:e] for s, e in spans}
        wanted = [_closest(w, vocabulary) for w in wanted]
        need = Counter(wanted)
        tokens = [self.folded[s:e] for s, e in spans]
        size = min(len(wanted) + len(wanted) // 2, len(tokens))  # room for words in between
        window: Counter[str] = Counter(tokens[:size])
        overlap = sum(min(window[w], n) for w, n in need.items())
        scores = [overlap]
        for i in range(1, len(tokens) - size + 1):
            gone, new = tokens[i - 1], tokens[i + size - 1]
            if gone in need and window[gone] <= need[gone]:
                overlap -= 1
            window[gone] -= 1
            window[new] += 1
            if new in need and window[new] <= need[new]:
                overlap += 1
            scores.append(overlap)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        picked: list[int] = []
        for i in order:
            if scores[i] * 2 < len(wanted) or len(picked) >= limit * 3:
                break
            if all(abs(i - j) >= max(1, size // 2) for j in picked):
                picked.append(i)
        results = []
        for i in picked:
            refined = self._refine(query, wanted, tokens, i, size)
            if refined is not None:
                results.append(refined)
        results.sort(key=lambda r: (-r[1], r[0][0]))
        unique: list[tuple[tuple[int, int], float]] = []
        for span, score in results:
            if all(span[1] <= s[0] or span[0] >= s[1] for s, _ in unique):
                unique.append((span, score))
        return unique[:limit]

    def _refine(
        self, query: str, wanted: list[str], tokens: list[str], index: int, size: int
    ) -> tuple[tuple[int, int], float] | None:
        low = max(0, index - size // 2)
        high = min(len(tokens), index + size + size // 2)
        matcher = difflib.SequenceMatcher(None, wanted, tokens[low:high], autojunk=False)
        blocks = [b for b in matcher.get_matching_blocks() if b.size]
        if not blocks:
            return None
        first = low + blocks[0].b
        last = low + blocks[-1].b + blocks[-1].size - 1
        spans = self.words()
        folded_start, folded_end = spans[first][0], spans[last][1]
        candidate = self.folded[folded_start:folded_end]
        score = difflib.SequenceMatcher(None, query, candidate, autojunk=False).ratio()
        return self.span(folded_start, folded_end), score

    def passage(self, start: int, end: int, score: float, exact: bool) -> Passage:
        """A found span as a passage: its quote, locator and surrounding paragraph."""
        quote = " ".join(self.text[start:end].split())
        paragraph = _containing(self.paragraphs, start)
        if paragraph is None:
            before, after = "", ""
        else:
            before = " ".join(self.text[paragraph.start : start].split())
            after = " ".join(self.text[end : max(end, paragraph.end)].split())
        before = ("… " + before[-160:].split(" ", 1)[-1]) if len(before) > 160 else before
        after = (after[:160].rsplit(" ", 1)[0] + " …") if len(after) > 160 else after
        lead = f"{before} " if before and self.text[start - 1 : start].isspace() else before
        tail = f" {after}" if after and self.text[end : end + 1].isspace() else after
        return Passage(
            quote=quote,
            locator=locator_for_span(self.paragraphs, start, end),
            score=score,
            exact=exact,
            start=start,
            end=end,
            context=f"{lead}{quote}{tail}",
            context_start=len(lead),
        )

    def widen(self, start: int, end: int, words: str) -> tuple[int, int]:
        """Take in the punctuation next to a span when the words looked for had it too."""
        typed = words.strip()
        if typed[-1:] in _CLOSING:
            while end < len(self.text) and self.text[end] in _CLOSING:
                end += 1
        if typed[:1] in _OPENING:
            while start > 0 and self.text[start - 1] in _OPENING:
                start -= 1
        return start, end


def _closest(word: str, vocabulary: set[str]) -> str:
    """A word of the text in place of a misspelt one, so ``tlatlya`` still finds Tlatlaya."""
    if word in vocabulary or len(word) < 4:
        return word
    close = difflib.get_close_matches(word, list(vocabulary), n=1, cutoff=0.8)
    return close[0] if close else word


def locate(text: str | Source, words: str, limit: int = 3) -> list[Passage]:
    """The passages of ``text`` that best match ``words``: every exact match (after folding)
    in order, up to ``limit``; when there is none, the closest approximate matches."""
    source = text if isinstance(text, Source) else Source(text)
    found: list[Passage] = []
    for start, end in source.exact(words)[:limit]:
        start, end = source.widen(start, end, words)
        found.append(source.passage(start, end, 1.0, True))
    if not found:
        for (start, end), score in source.fuzzy(words, limit):
            found.append(source.passage(start, end, score, False))
    return [p for p in found if find_quote(p.quote, source.normalised).found]


def locator_for_quote(text: str | Source, quote: str, near: int | None = None) -> str | None:
    """Where a verified quote stands in the text, as a locator; None when it is not found.
    ``near``: an offset the quote was picked at (a selection in `ledger serve`); of several
    places the quote stands, the one beginning nearest it, else the first.

    The quote is found as written (:func:`ledger.analysis.quotes.quote_spans`), so a text need not
    be folded for it: naming where a quote stands in the largest archive costs a scan of it and
    its paragraphs, not a folded copy with an offset for every character.

    A quote that joins a list's opening line to one item (``organized with: ... The Global
    Association ...``) is located at that item, as the data's conventions cite it.
    """
    raw = text.text if isinstance(text, Source) else text
    written = unicodedata.is_normalized("NFC", raw)
    if not written:  # offsets into the NFC text, whose paragraphs are the same
        raw = unicodedata.normalize("NFC", raw)
    spans = quote_spans(raw, quote)
    if not spans:
        return None
    if near is not None:
        spans = _nearest(raw, quote, spans, near)
    paragraphs = text.paragraphs if isinstance(text, Source) and written else structure(raw)
    start, end = spans[0][0], spans[-1][1]
    paragraph = _containing(paragraphs, start)
    if paragraph is not None and paragraph.items and len(spans) > 1 and end <= paragraph.end:
        first_item = paragraph.items[0][1]
        inside = {
            number
            for s, e in spans
            if s >= first_item
            for number, item_start, item_end in paragraph.items
            if item_start <= s and e <= item_end
        }
        in_items = [s for s in spans if s[0] >= first_item]
        if len(inside) == 1 and in_items:
            return f"{paragraph.locator()}, item {inside.pop()}"
    return locator_for_span(paragraphs, start, end)


def _nearest(
    text: str, quote: str, spans: list[tuple[int, int]], near: int
) -> list[tuple[int, int]]:
    """Of the places a quote stands (``spans`` the first), the one beginning nearest ``near``."""
    best = spans
    while True:
        later = quote_spans(text, quote, best[0][0] + 1)
        if later is None or abs(later[0][0] - near) > abs(best[0][0] - near):
            return best
        best = later
