"""Names in statements: a statement says what its source says, in the source's own names.

A claim's statement that names a case by a name its source never uses puts the ledger's
inference in the source's mouth: the government page says "Iguala" and "Mariana Selvas and
others", never "Ayotzinapa" or "Atenco". The link between a source's words and a case
belongs in the claim's ``cases`` (and ``notes``), not in what the source "says".

What counts as a name: every alias of every case that holds a capital letter (proper names:
"Iguala", "GIEI", "Law on Internal Security"); aliases all in lower case are search terms
("disappearances", "torture complaints"), and titles describe. Names are matched as whole
words, ignoring case, accents and punctuation, the longest at each place. A name is in
order when the claim's quote or anywhere in its source's archived text holds it, or holds a
shorter name inside it ("Tlatlaya case" is in order where the source says "Tlatlaya"): the
coding protocol lets a statement use a name the source uses for the case, whatever the
quote's own words.

The names are indexed by their first word, so each statement costs a look-up per word,
whatever the number of cases; each source's text is folded once, and each name looked up in
it once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ledger.model import Case
from ledger.textfold import fold

_WORD = re.compile(r"\w+")
_NOT_WORD = re.compile(r"\W+")

Words = tuple[str, ...]


def words(text: str) -> Words:
    """A text's words, folded (case, accents) and without punctuation."""
    return tuple(_WORD.findall(fold(text)))


def _haystack(text: str) -> str:
    """A text's words, folded, one space apart and one at each end: a run of words is in it
    when `` w1 w2 `` is."""
    return f" {_NOT_WORD.sub(' ', fold(text)).strip()} "


def _holds(haystack: str, name: Words) -> bool:
    return f" {' '.join(name)} " in haystack


@dataclass(frozen=True)
class Name:
    words: Words
    written: str
    """As the case record writes it."""
    case: str


class Names:
    """Every case's names, indexed by first word, then by length: a place in a text is
    tried with one look-up per length of name that starts with its word, however many
    names share that word ("the Tlatlaya affair", "the Iguala affair", ...)."""

    def __init__(self, cases: Iterable[Case]) -> None:
        self.by_first: dict[str, dict[int, dict[Words, Name]]] = {}
        self.of_case: dict[str, list[Name]] = {}
        for case in cases:
            for alias in case.aliases:
                if not any(char.isupper() for char in alias):
                    continue
                folded = words(alias)
                if not folded:
                    continue
                name = Name(folded, alias, case.id)
                self.of_case.setdefault(case.id, []).append(name)
                named = self.by_first.setdefault(folded[0], {}).setdefault(len(folded), {})
                named.setdefault(folded, name)  # a name two cases share: as the first's
        for first, lengths in self.by_first.items():  # the longest first
            self.by_first[first] = dict(sorted(lengths.items(), reverse=True))

    def _at(self, text: Words, i: int, shorter_than: int = 0) -> Iterator[Name]:
        """The names that start at ``text[i]``, the longest first."""
        for length, named in self.by_first.get(text[i], {}).items():
            if shorter_than and length >= shorter_than:
                continue
            found = named.get(text[i : i + length])
            if found is not None:
                yield found

    def mentions(self, text: Words) -> Iterator[Name]:
        """The names in a run of words, the longest at each place, none inside another."""
        firsts = self.by_first
        if firsts.keys().isdisjoint(text):  # most texts: no word starts a name
            return
        i = 0
        while i < len(text):
            lengths = firsts.get(text[i])
            found = None
            if lengths is not None:
                for length, named in lengths.items():
                    found = named.get(text[i : i + length])
                    if found is not None:
                        break
            if found is None:
                i += 1
                continue
            yield found
            i += len(found.words)

    def within(self, name: Name) -> Iterator[Words]:
        """The name's words, and every shorter name inside them."""
        yield name.words
        text = name.words
        for i in range(len(text)):
            for other in self._at(text, i, shorter_than=len(text) if i == 0 else 0):
                yield other.words


class SourceNames:
    """Which names each source's archived text holds, each looked up once."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self._folded: dict[str, str] = {}
        self._known: dict[tuple[str, Words], bool] = {}

    def holds(self, source: str, name: Words) -> bool | None:
        """Whether the source's text holds the name; None when its text is not at hand (a
        missing or broken archive, reported elsewhere)."""
        key = (source, name)
        known = self._known.get(key)
        if known is None:
            if source not in self._folded:
                if source not in self.texts:
                    return None
                self._folded[source] = _haystack(self.texts[source])
            known = self._known[key] = _holds(self._folded[source], name)
        return known


@dataclass(frozen=True)
class Unsourced:
    """A name in a statement that neither the quote nor the source uses."""

    name: Name
    instead: str | None
    """A name of the same case that the quote (or else the source) uses, if any."""


def unsourced_names(
    names: Names, sources: SourceNames, statement: str, quote: str, source: str
) -> list[Unsourced]:
    """The names in a claim's statement that neither its quote nor its source uses."""
    found: list[Unsourced] = []
    quoted: str | None = None
    for name in names.mentions(words(statement)):
        if quoted is None:
            quoted = _haystack(quote)
        if any(
            _holds(quoted, part) or sources.holds(source, part) is not False
            for part in names.within(name)
        ):
            continue
        found.append(Unsourced(name, _instead(names, sources, name.case, quoted, source)))
    return found


def _instead(names: Names, sources: SourceNames, case: str, quoted: str, source: str) -> str | None:
    own = names.of_case.get(case, [])
    in_quote = next((n.written for n in own if _holds(quoted, n.words)), None)
    return in_quote or next((n.written for n in own if sources.holds(source, n.words)), None)
