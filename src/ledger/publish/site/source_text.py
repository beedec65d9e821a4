"""A source's archived text as a page, with every quote from it highlighted and linked.

The text is the one quote positions count in (the archived text in NFC, see
:class:`ledger.analysis.quotes.Position`). Each record quoting it (a claim, or a requirement's
wording) has its segments wrapped in ``<mark>``, linked to the record's page, and an anchor before
its first segment (``#claim-<id>``, ``#wording-<id>``) that the record's pages link to. Quotes
may overlap: the text is cut at every segment's start and end, and each piece is marked for
every record covering it (its text links to the one that began last, usually the innermost;
a small numbered list after it links to each, when there are several).

The text is cut once, in one pass over the boundaries sorted, so a page is made in time
linear in the text (plus the sort of its quotes' boundaries), however large the archive.
Every piece goes through :func:`ledger.publish.site.html.h`: nothing in an archive is markup.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.publish.site.html import h, rel


@dataclass(frozen=True)
class Quoted:
    """One record's quote in a source: where its segments stand, and where it links."""

    record: str
    """The record's id."""
    anchor: str
    """The id of the anchor before its first segment (``claim-<id>`` or ``wording-<id>``)."""
    target: str
    """The record's page (a site path)."""
    label: str
    """What the record is, in words, for a title (``claim <id>``)."""
    segments: tuple[tuple[int, int], ...]


def text_path(source_id: str) -> str:
    """The site path of a source's archived-text page."""
    return f"sources/{source_id}/text.html"


def nfc(text: str) -> str:
    """The text as positions count it (NFC; the text itself, as a rule)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _plain(piece: str) -> str:
    """A piece of archived text as HTML: line ends kept, tabs as spaces, the rest escaped."""
    if "\r" in piece or "\t" in piece:
        piece = piece.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return h(piece)


def ordered(quotes: Sequence[Quoted]) -> list[Quoted]:
    """Quotes in the order they begin in the text (then by id): their numbers on the page."""
    return sorted(quotes, key=lambda q: (q.segments[0][0], q.record))


def marked_text(page: str, text: str, quotes: Sequence[Quoted]) -> str:
    """The text as HTML with every quote's segments marked and linked (see the module's
    notes); ``quotes`` as :func:`ordered` gives them, ``text`` in NFC."""
    size = len(text)
    events: list[tuple[int, int, int]] = []  # (offset, 0 = end / 1 = start, quote)
    firsts: dict[int, list[int]] = {}
    for number, quote in enumerate(quotes):
        for index, (start, end) in enumerate(quote.segments):
            start, end = max(0, min(start, size)), max(0, min(end, size))
            if end <= start:
                continue
            events.append((start, 1, number))
            events.append((end, 0, number))
            if index == 0:
                firsts.setdefault(start, []).append(number)
    events.sort()
    links = [f'href="{h(rel(page, q.target))}"' for q in quotes]
    out: list[str] = []
    active: dict[int, int] = {}  # quote -> open segments, in the order they opened
    position = 0
    for offset, kind, number in events:
        if offset > position:
            out.append(_piece(text[position:offset], active, quotes, links))
            position = offset
        if kind == 1:
            for first in firsts.pop(offset, ()):
                out.append(f'<span class="anchor" id="{h(quotes[first].anchor)}"></span>')
            active[number] = active.pop(number, 0) + 1
        else:
            left = active.pop(number, 1) - 1
            if left > 0:
                active[number] = left
    out.append(_plain(text[position:]))
    return "".join(out)


def _piece(piece: str, active: dict[int, int], quotes: Sequence[Quoted], links: list[str]) -> str:
    if not active:
        return _plain(piece)
    covering = sorted(active)
    main = next(reversed(active))  # the quote that began last: usually the innermost
    title = "; ".join(quotes[n].label for n in covering)
    marked = f'<a class="quoted" {links[main]} title="{h(title)}"><mark>{_plain(piece)}</mark></a>'
    if len(covering) == 1:
        return marked
    numbers = " ".join(f'<a {links[n]} title="{h(quotes[n].label)}">{n + 1}</a>' for n in covering)
    return f'{marked}<sup class="quoted-by">[{numbers}]</sup>'
