"""How firmly a quote is anchored in its source: the slips that leave a reader unsure which
words of the source a quote stands for, and the locator that may settle it.

A quote found in its archived text (:func:`ledger.analysis.quotes.place_quote`) may still be loosely
anchored:

- a segment between ellipses so short that it says nothing about where it stands
  (``Mexico ... proposed a plan``): fewer than :data:`ANCHOR_WORDS` words, in a quote of
  several segments (a quote of one segment is as long as the claim needs);
- a segment (or a whole quote) that occurs more than once in the text, after the
  normalisation quotes are compared in, whatever its length. The claim's locator settles it
  when the tool can place the locator in the text (it names a paragraph, heading or list
  item as `ledger locate` names them) and that passage holds the segment exactly once; the
  quote is then placed there. A locator in a scheme of the source's own (its notes may
  number sections the text does not mark) cannot be placed, and settles nothing;
- an ellipsis where nothing is left out: the two segments stand side by side in the text,
  with only whitespace (a line or page break) between them.

Each is a warning (an error under ``validate --strict``), found on the quote's placement
that the quote memo keeps, so an unchanged quote costs nothing to check again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ledger.analysis.locate import Paragraph, locator_for_span, structure
from ledger.analysis.quotes import Placement, Repeat, _written, quote_spans, segments

ANCHOR_WORDS = 3
"""Fewest words a segment of a quote with several segments may have: one or two words
("Mexico", "the case") anchor nothing, and recur in any text."""

SHOWN = 80
"""Characters of a segment a message quotes."""

Slip = tuple[str, str, str]
"""A slip found: (code, message, hint)."""


class Passages:
    """The passages of an archived text that a locator may name, as `ledger locate` names
    them: the title, each heading, paragraph and numbered list item. Worked out when first
    asked for (only a quote with a repeated segment needs them)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._paragraphs: list[Paragraph] | None = None
        self._named: dict[str, tuple[int, int] | None] = {}

    @property
    def paragraphs(self) -> list[Paragraph]:
        if self._paragraphs is None:
            self._paragraphs = structure(self.text)
            for paragraph in self._paragraphs:
                self._name(paragraph.locator(), paragraph.start, paragraph.end)
                for number, start, end in paragraph.items:
                    self._name(f"{paragraph.locator()}, item {number}", start, end)
        return self._paragraphs

    def _name(self, name: str, start: int, end: int) -> None:
        # a name given twice names no one passage
        self._named[name] = None if name in self._named else (start, end)

    def passage(self, locator: str) -> tuple[int, int] | None:
        """The passage a locator names, or None when it names none (or several)."""
        _ = self.paragraphs
        return self._named.get(" ".join(locator.split()))

    def name(self, start: int, end: int) -> str:
        """How `ledger locate` names the place of a span."""
        return locator_for_span(self.paragraphs, start, end)


@dataclass(frozen=True)
class Anchored:
    """A quote's placement once its locator has had its say."""

    placement: Placement
    unsettled: tuple[Repeat, ...]
    """The repeated segments the locator does not settle."""
    passage: tuple[int, int] | None = None
    """The passage the locator names, when the tool can place it."""
    inside: tuple[int, ...] = ()
    """For each unsettled segment, how often the locator's passage holds it."""


def settle(
    quote: str, locator: str, placement: Placement, text: str, passages: Callable[[], Passages]
) -> Anchored:
    """Let the locator choose among the places of repeated segments: a segment it settles
    is one its passage holds exactly once, and the quote is then placed from that passage."""
    if not placement.repeats:
        return Anchored(placement, ())
    passage = passages().passage(locator)
    if passage is None:
        return Anchored(placement, placement.repeats)
    low, high = passage
    spans = quote_spans(text, quote, low)
    if spans is None or not low <= spans[0][0] < high:
        return Anchored(placement, placement.repeats, passage, (0,) * len(placement.repeats))
    pieces = segments(quote)
    unsettled, inside = [], []
    for repeat in placement.repeats:
        start, end = spans[repeat.segment]
        pattern = re.compile(_written(pieces[repeat.segment]))
        held = sum(1 for _ in zip(range(2), pattern.finditer(text, low, high), strict=False))
        if not (held == 1 and low <= start and end <= high):
            unsettled.append(repeat)
            inside.append(held)
    joins = tuple(
        i for i in range(len(spans) - 1) if not text[spans[i][1] : spans[i + 1][0]].strip()
    )
    placed = Placement(tuple(spans), placement.repeats, joins)
    return Anchored(placed, tuple(unsettled), passage, tuple(inside))


def slips(
    quote: str, what: str, source: str, archive_name: str, anchored: Anchored, text: str,
    passages: Callable[[], Passages],
) -> list[Slip]:  # fmt: skip
    """Every slip in a found quote's anchoring: short segments, repeated ones the locator
    does not settle, and ellipses that leave nothing out. ``what`` is "quote" or "wording";
    ``archive_name`` the archived text's file name, for the lines a message gives."""
    pieces = segments(quote)
    found: list[Slip] = []
    if len(pieces) > 1:
        for piece in pieces:
            count = len(piece.split(" "))
            if count < ANCHOR_WORDS:
                found.append(
                    (
                        "quote-segment-short",
                        f"the {what}'s segment {_shown(piece)} has {_words(count)}: too short "
                        "to anchor it in the source",
                        f"give each segment between '...' at least {_words(ANCHOR_WORDS)}: "
                        "extend it with the words around it in the source",
                    )
                )
    for index, repeat in enumerate(anchored.unsettled):
        piece = pieces[repeat.segment]
        subject = f"the {what}" if len(pieces) == 1 else f"the {what}'s segment {_shown(piece)}"
        lines = list(dict.fromkeys(_line(text, start) for start, _end in repeat.where))
        at = "line" if len(lines) == 1 else "lines"
        if repeat.count > len(repeat.where):
            where = f"at {at} {', '.join(map(str, lines))} and elsewhere in {archive_name}"
        else:
            where = f"at {at} {_and([str(n) for n in lines])} of {archive_name}"
        if anchored.passage is None:
            here = passages().name(*anchored.placement.spans[repeat.segment])
            hint = (
                "quote more of the words around it, so that it occurs once; or name in the "
                "locator the one passage that holds it, as `ledger locate` names passages "
                f"(it is placed at '{here}')"
            )
        else:
            held = anchored.inside[index]
            times = "once" if held == 1 else "twice or more" if held else "nowhere"
            hint = (
                f"the passage the locator names holds it {times}: quote more of the words "
                "around it, so that it occurs once"
            )
        found.append(
            (
                "quote-segment-repeated",
                f"{subject} occurs {repeat.count} times in {source} ({where}), and the "
                "locator does not say which",
                hint,
            )
        )
    spans = anchored.placement.spans
    for i in anchored.placement.joins:
        left = " ".join(pieces[i].split(" ")[-4:])
        right = " ".join(pieces[i + 1].split(" ")[:4])
        found.append(
            (
                "quote-ellipsis-contiguous",
                f"'...' joins {_shown(left)} and {_shown(right)}, which stand side by side in "
                f"{source} (line {_line(text, spans[i][1])} of {archive_name}): nothing is "
                "left out between them",
                "write a space for the '...': a line or page break between the words folds "
                "to one space when quotes are compared",
            )
        )
    return found


def _shown(piece: str) -> str:
    return f'"{piece}"' if len(piece) <= SHOWN else f'"{piece[: SHOWN - 1].rstrip()}…"'


def _words(count: int) -> str:
    return f"{count} word" if count == 1 else f"{count} words"


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
