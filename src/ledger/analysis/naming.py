"""Names in statements: a statement says what its source says, in the source's own names.

A claim's statement that names a case by a name its source never uses puts the ledger's
inference in the source's mouth: the government page says "Iguala" and "Mariana Selvas and
others", never "Ayotzinapa" or "Atenco". The link between a source's words and a case
belongs in the claim's ``cases`` (and ``notes``), not in what the source "says".

What counts as a name: every alias of every case that holds a capital letter (proper names:
"Iguala", "GIEI", "Law on Internal Security"); aliases all in lower case are search terms
("disappearances", "torture complaints"), and titles describe. Names are matched as whole
words, ignoring case, accents and punctuation, the longest at each place, where the
statement writes them as names: with a capital letter in one of their words ("the iguala
events" names nothing). A name is in order when the claim's quote or anywhere in its
source's archived text holds it, or holds a shorter name inside it ("Tlatlaya case" is in
order where the source says "Tlatlaya"): the coding protocol lets a statement use a name
the source uses for the case, whatever the quote's own words.

The names are indexed by their first two words (or their one word), so a statement costs a
few set operations in C whatever the number of cases, and a statement with no capital but
its first letter, a test of its first two words; each source's text is folded once, and
each name looked up in it once.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise

from ledger.analysis.textfold import fold
from ledger.records.model import Case

_WORD = re.compile(r"\w+")
_NOT_WORD = re.compile(r"\W+")

Words = tuple[str, ...]


_ASCII_WORDS = bytes(c if chr(c).isalnum() or c == ord("_") else 32 for c in range(256))
"""A byte table keeping the ASCII word characters (as ``\\w`` has them) and turning every
other byte to a space: an ASCII text's words in C, without a regular expression."""


def _ascii_words(text: str) -> list[str]:
    return text.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split()


def words(text: str) -> Words:
    """A text's words, folded (case, accents) and without punctuation."""
    if text.isascii():
        return tuple(_ascii_words(text.lower()))
    return tuple(_WORD.findall(fold(text)))


def written_words(text: str) -> tuple[Words, list[str] | None]:
    """A statement's words as :func:`words` gives them, and the same words as written (None
    for a text whose folded words do not line up with its own)."""
    if text.isascii():
        return tuple(_ascii_words(text.lower())), _ascii_words(text)
    folded = words(text)
    own = _WORD.findall(unicodedata.normalize("NFC", text))
    return folded, own if len(own) == len(folded) else None


def _haystack(text: str) -> str:
    """A text's words, folded, one space apart and one at each end: a run of words is in it
    when `` w1 w2 `` is."""
    if text.isascii():
        return f" {' '.join(_ascii_words(text.lower()))} "
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
    """Every case's names, indexed so that a text is tried in C first: the one-word names by
    their word, the others by their first two words, each of those sets intersected with the
    text's words (or pairs of words). Only a text that shares a key with some name is walked,
    a look-up per place, however many names share a word ("the Tlatlaya affair", "the Iguala
    affair", ...)."""

    def __init__(self, cases: Iterable[Case]) -> None:
        self.by_key: dict[Words, dict[int, dict[Words, Name]]] = {}
        """By the name's first word (a one-word name) or first two words, then by length."""
        self.singles: set[str] = set()
        self.pairs: set[tuple[str, str]] = set()
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
                key = folded[:2]
                if len(key) == 1:
                    self.singles.add(key[0])
                else:
                    self.pairs.add((key[0], key[1]))
                named = self.by_key.setdefault(key, {}).setdefault(len(folded), {})
                named.setdefault(folded, name)  # a name two cases share: as the first's
        for key, lengths in self.by_key.items():  # the longest first
            self.by_key[key] = dict(sorted(lengths.items(), reverse=True))

    def _at(self, text: Words, i: int, shorter_than: int = 0) -> Iterator[Name]:
        """The names that start at ``text[i]``, the longest first."""
        for key in (text[i : i + 2], text[i : i + 1]):
            for length, named in self.by_key.get(key, {}).items():
                if shorter_than and length >= shorter_than:
                    continue
                found = named.get(text[i : i + length])
                if found is not None:
                    yield found
            if len(key) == 1:
                break

    def mentions(self, text: Words) -> Iterator[Name]:
        """The names in a run of words, the longest at each place, none inside another."""
        return (name for _at, name in self._placed(text))

    def _placed(self, text: Words) -> Iterator[tuple[int, Name]]:
        hits = self.pairs.intersection(pairwise(text))
        words_hit = self.singles.intersection(text) if self.singles else ()
        if not hits and not words_hit:
            return  # most texts: no name starts anywhere in them
        starts: set[int] = set()
        for first, second in (*hits, *((word, None) for word in words_hit)):
            i = text.index(first)
            while True:
                if second is None or text[i + 1 : i + 2] == (second,):
                    starts.add(i)
                try:
                    i = text.index(first, i + 1)
                except ValueError:
                    break
        after = 0  # the first place not inside a name found
        for i in sorted(starts):
            if i < after:
                continue
            found = next(self._at(text, i), None)
            if found is not None:
                yield i, found
                after = i + len(found.words)

    def in_statement(self, text: str) -> Iterator[Name]:
        """The names a text writes as names (:meth:`mentions`, where one of the name's words
        has a capital letter in the text)."""
        folded, own = written_words(text)
        if text[1:].islower() and folded[:2] not in self.by_key and folded[:1] not in self.by_key:
            return  # a capital at most at the start ("The memo says ..."), and no name there
        for at, name in self._placed(folded):
            span = range(at, at + len(name.words))
            if own is None or any(own[i] != folded[i] for i in span):
                yield name

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
        self._folded: dict[str, tuple[str, set[str]]] = {}
        self._known: dict[tuple[str, Words], bool] = {}

    def holds(self, source: str, name: Words) -> bool | None:
        """Whether the source's text holds the name; None when its text is not at hand (a
        missing or broken archive, reported elsewhere). A name with a word the text lacks
        is answered from the set of its words, without a search."""
        key = (source, name)
        known = self._known.get(key)
        if known is None:
            if source not in self._folded:
                if source not in self.texts:
                    return None
                haystack = _haystack(self.texts[source])
                self._folded[source] = (haystack, set(haystack.split()))
            haystack, vocabulary = self._folded[source]
            known = vocabulary.issuperset(name) and _holds(haystack, name)
            self._known[key] = known
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
    for name in names.in_statement(statement):
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


Finding = tuple[str, str, "str | None"]
"""An unsourced name as the check reports it: (the name as written, its case, the name the
quote or source uses instead, if any)."""


def names_digest(cases: Iterable[Case]) -> str:
    """One digest of every case's names, in the order :class:`Names` reads them: what every
    claim's finding depends on besides its own text and its source's."""
    digest = hashlib.blake2b(digest_size=16)
    for case in cases:
        digest.update(json.dumps([case.id, case.aliases], ensure_ascii=False).encode())
    return digest.hexdigest()


class NameMemo:
    """The statement-name check's findings kept between runs, so that after an edit only the
    claims whose text, source text or case names changed are checked again.

    A claim's finding depends on its statement, its quote, its source's archived text (by
    SHA-256) and every case's names (one digest for them all): kept by a digest of the first
    three, for one digest of the names. ``stored`` is what was kept, (names digest, JSON)."""

    def __init__(self, stored: tuple[str, str] | None = None) -> None:
        self.stored = stored
        self.names = ""
        self.known: dict[str, list[Finding]] = {}
        self.used: dict[str, list[Finding]] = {}
        self.fresh = 0

    def start(self, names: str) -> None:
        """Begin a check among case names of this digest (what was kept for others is
        dropped)."""
        self.names = names
        self.known = {}
        if self.stored is not None and self.stored[0] == names:
            try:
                kept = json.loads(self.stored[1])
                self.known = {
                    str(key): [(str(w), str(c), None if i is None else str(i)) for w, c, i in found]
                    for key, found in kept.items()
                }
            except (ValueError, TypeError, AttributeError):
                self.known = {}

    def findings(
        self, archive: str, statement: str, quote: str, work: Callable[[], list[Finding]]
    ) -> list[Finding]:
        """The findings for one claim: kept ones, or ``work``'s."""
        key = hashlib.blake2b(
            f"{archive}\0{statement}\0{quote}".encode("utf-8", "surrogatepass"), digest_size=12
        ).hexdigest()
        found = self.known.get(key)
        if found is None:
            found = work()
            self.fresh += 1
        self.used[key] = found
        return found

    @property
    def changed(self) -> bool:
        """Whether what to keep differs from what was kept."""
        return bool(self.fresh) or len(self.used) != len(self.known) or not self.stored

    def kept(self) -> str:
        """What to keep: the findings of the claims checked this time, as JSON."""
        return json.dumps(self.used, ensure_ascii=False, separators=(",", ":"))
