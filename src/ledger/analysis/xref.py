"""Cross-references and id resolution: who points at whom, and what the user meant by an id.

:class:`XrefIndex` is built once from a :class:`~ledger.records.ledger.Ledger` and answers, for any
id, what it references (outbound links) and what references it (inbound links); for one id,
:func:`outbound_of` and :func:`inbound_of` give the same without indexing every record. Links whose
target is not in the ledger are kept, with ``to_kind`` null, so a reader sees stale links.

Links (``role`` names the field the link comes from)::

    claim       -> source       role "source"
    claim       -> case         role "case"
    claim       -> requirement  role "bears-on", detail = the stance
    claim       -> claim        role = the relation kind ("contradicts", "corroborates",
                                "responds-to", "repeats"), detail = the relation's note
    requirement -> source       role "source", detail = the locator
    requirement -> case         role "case"
    case        -> requirement  role "requirement"

:func:`resolve` turns what a user typed into an id, as data: an exact id; else the one id it
is a prefix of; else an error carrying "did you mean" suggestions. Typed text is case- and
accent-folded first, so ``Nochixtlán`` resolves to ``nochixtlan``.

JSON shapes (``to_dict()``)::

    Link = {"from_id", "from_kind", "to_id", "to_kind", "role", "detail"}
    Xref = {"id", "kind", "path", "outbound": [Link], "inbound": [Link]}
    Shown = {"id", "kind", "path", "record": {...the record's fields...},
             "outbound": [Link], "inbound": [Link]}
    Resolution = {"query", "id", "kind", "match", "candidates": [id], "suggestions": [id]}
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from ledger.analysis.status_report import Plain
from ledger.records.kinds import BY_FOLDER, FOLDERS, KINDS, SINGULAR, Kind, names_any, references
from ledger.records.scan import RECORD_SUFFIX, stem

if TYPE_CHECKING:
    from ledger.analysis.quotes import Position
    from ledger.records.ledger import Ledger


@dataclass(frozen=True)
class Link(Plain):
    """One reference from a record to another, named by the field it comes from."""

    from_id: str
    from_kind: str
    to_id: str
    to_kind: str | None
    role: str
    detail: str | None = None


def links_of(kind_of: Callable[[str], str | None], kind: Kind, record: Any) -> Iterable[Link]:
    """The outbound links of one record, in field order; ``kind_of`` names each target's
    kind (a ledger's, or a kept index's: ledger.store.lookup)."""
    for _, to_id, _, _, role, detail in references(kind, record):
        yield Link(record.id, kind.folder, to_id, kind_of(to_id), role, detail)


def _links_of(ledger: Ledger, kind: Kind, record: Any) -> Iterable[Link]:
    return links_of(ledger.kind_of, kind, record)


def ordered(links: Iterable[Link]) -> tuple[Link, ...]:
    """Links in the order every answer lists them: by role, then the ids."""
    return tuple(sorted(links, key=_order))


def outbound_of(ledger: Ledger, record_id: str) -> tuple[Link, ...]:
    """What one record references, by role then target id (as :class:`XrefIndex` gives)."""
    folder = ledger.kind_of(record_id)
    if folder is None:
        return ()
    return ordered(_links_of(ledger, BY_FOLDER[folder], ledger.tables()[folder][record_id]))


def inbound_of(ledger: Ledger, record_id: str) -> tuple[Link, ...]:
    """What references one id, found by one pass over the records, building links only for
    the records that name it (as :class:`XrefIndex` gives, without indexing every record)."""
    wanted = {record_id}
    found = [
        link
        for kind in KINDS
        for record in ledger.tables()[kind.folder].values()
        if names_any(kind, record, wanted)
        for link in _links_of(ledger, kind, record)
        if link.to_id == record_id
    ]
    return ordered(found)


def _order(link: Link) -> tuple[str, str, str]:
    return (link.role, link.from_id, link.to_id)


class XrefIndex:
    """Every link of a ledger, by the record it leaves and the record it reaches."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._out: dict[str, list[Link]] = defaultdict(list)
        self._in: dict[str, list[Link]] = defaultdict(list)
        for kind in KINDS:
            for record in ledger.tables()[kind.folder].values():
                for link in _links_of(ledger, kind, record):
                    self._out[link.from_id].append(link)
                    self._in[link.to_id].append(link)

    def outbound(self, record_id: str) -> tuple[Link, ...]:
        """What this record references, by role then target id."""
        return tuple(sorted(self._out.get(record_id, []), key=_order))

    def inbound(self, record_id: str) -> tuple[Link, ...]:
        """What references this record (even if the record itself is missing)."""
        return tuple(sorted(self._in.get(record_id, []), key=_order))

    def dangling(self) -> tuple[Link, ...]:
        """Links whose target is not in the ledger."""
        links = (link for links in self._out.values() for link in links if link.to_kind is None)
        return tuple(sorted(links, key=lambda x: (x.from_id, x.role, x.to_id)))


@dataclass(frozen=True)
class Xref(Plain):
    """What one id references and what references it."""

    id: str
    kind: str | None
    path: str | None
    outbound: tuple[Link, ...]
    inbound: tuple[Link, ...]


@dataclass(frozen=True)
class Shown(Plain):
    """One record in full, with everything it references and everything that points to it."""

    id: str
    kind: str
    path: str | None
    record: dict[str, Any]
    outbound: tuple[Link, ...]
    inbound: tuple[Link, ...]
    position: dict[str, Any] | None = None
    """For a claim or a requirement, where its quote or wording stands in its source's
    archived text (:class:`ledger.analysis.quotes.Position`); None when not found, or for others."""


def xref(ledger: Ledger, record_id: str, index: XrefIndex | None = None) -> Xref:
    """The links of one exact id; an id not in the ledger still shows who points at it."""
    return Xref(
        id=record_id,
        kind=ledger.kind_of(record_id),
        path=ledger.paths.get(record_id),
        outbound=index.outbound(record_id) if index else outbound_of(ledger, record_id),
        inbound=index.inbound(record_id) if index else inbound_of(ledger, record_id),
    )


def show(
    ledger: Ledger,
    record_id: str,
    index: XrefIndex | None = None,
    position: Position | None = None,
) -> Shown:
    """Any record by exact id, as plain data, with its links (and the position of its quote,
    when the caller has placed it); an unknown id raises KeyError."""
    record = ledger.get(record_id)
    kind = ledger.kind_of(record_id)
    if record is None or kind is None:
        raise KeyError(record_id)
    return shown(
        record_id,
        kind,
        ledger.paths.get(record_id),
        record,
        outbound=index.outbound(record_id) if index else outbound_of(ledger, record_id),
        inbound=index.inbound(record_id) if index else inbound_of(ledger, record_id),
        position=position,
    )


def shown(
    record_id: str,
    kind: str,
    path: str | None,
    record: Any,
    *,
    outbound: tuple[Link, ...],
    inbound: tuple[Link, ...],
    position: Position | None,
) -> Shown:
    """One record as `ledger show` gives it, from its parts (a loaded ledger's, or a kept
    index's: ledger.store.lookup)."""
    return Shown(
        id=record_id,
        kind=kind,
        path=path,
        record=record.model_dump(mode="json", by_alias=True, exclude_none=True),
        outbound=outbound,
        inbound=inbound,
        position=position.to_dict() if position is not None else None,
    )


class Records(Protocol):
    """What answering `show` and `xref` of a typed id needs: a loaded ledger's records
    (:class:`LedgerRecords`) or the index kept of one (ledger.store.lookup.LinkIndex)."""

    def ids_by_kind(self) -> Mapping[str, Collection[str]]: ...
    def kind_of(self, record_id: str) -> str | None: ...
    def path(self, record_id: str) -> str | None: ...
    def record(self, record_id: str) -> Any: ...
    def inbound(self, record_id: str) -> tuple[Link, ...]: ...
    def position(self, record_id: str) -> Position | None: ...


class LedgerRecords:
    """A loaded ledger's records, as :class:`Records`; ``position`` places a quote with the
    checks' own search (reading only that record's source's archive)."""

    def __init__(self, ledger: Ledger, position: Callable[[str], Position | None]) -> None:
        self.ledger = ledger
        self.position = position
        self.kind_of = ledger.kind_of
        self.record = ledger.get

    def ids_by_kind(self) -> Mapping[str, Collection[str]]:
        return self.ledger.tables()

    def path(self, record_id: str) -> str | None:
        return self.ledger.paths.get(record_id)

    def inbound(self, record_id: str) -> tuple[Link, ...]:
        return inbound_of(self.ledger, record_id)


def show_answer(records: Records, typed: str) -> Shown | Resolution:
    """`ledger show TYPED`: the record the typed id resolves to, or why it resolves to none."""
    found = resolve_among(records.ids_by_kind(), records.kind_of, typed)
    if found.id is None or found.kind is None:
        return found
    record = records.record(found.id)
    return shown(
        found.id,
        found.kind,
        records.path(found.id),
        record,
        outbound=ordered(links_of(records.kind_of, BY_FOLDER[found.kind], record)),
        inbound=records.inbound(found.id),
        position=records.position(found.id),
    )


def xref_answer(records: Records, typed: str) -> Xref | Resolution:
    """`ledger xref TYPED`: the links of the record the typed id resolves to; of the id as
    typed when no record has it but some record names it; else why it resolves to none."""
    found = resolve_among(records.ids_by_kind(), records.kind_of, typed)
    if found.id is None or found.kind is None:
        inbound = records.inbound(typed)
        return Xref(typed, None, None, (), inbound) if inbound else found
    kind = BY_FOLDER[found.kind]
    outbound = ordered(links_of(records.kind_of, kind, records.record(found.id)))
    return Xref(found.id, found.kind, records.path(found.id), outbound, records.inbound(found.id))


def located(records: Records, typed: str) -> tuple[str, str, str] | Resolution:
    """`ledger log TYPED`: the id the typed id resolves to, its kind and its file (all a
    record's history needs of the ledger as it is now), or why it resolves to none."""
    found = resolve_among(records.ids_by_kind(), records.kind_of, typed)
    if found.id is None or found.kind is None:
        return found
    return found.id, found.kind, records.path(found.id) or ""


# --------------------------------------------------------------------------- resolution


class Match(StrEnum):
    exact = "exact"
    prefix = "prefix"
    ambiguous = "ambiguous"
    unknown = "unknown"


@dataclass(frozen=True)
class Resolution(Plain):
    """What a typed id resolved to; ``id`` is null unless ``match`` is exact or prefix.

    ``kinds`` are the record kinds that were searched; ``candidates`` the ids an ambiguous
    prefix fits; ``suggestions`` the ids offered as "did you mean" when nothing fits;
    ``other`` the id typed and its kind, when it is a record of a kind not searched.
    """

    query: str
    id: str | None
    kind: str | None
    match: Match
    kinds: tuple[str, ...] = FOLDERS
    candidates: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    other: tuple[str, str] | None = None

    @property
    def ok(self) -> bool:
        return self.id is not None

    @property
    def message(self) -> str:
        """One line for the user: empty when resolved."""
        if self.ok:
            return ""
        if self.match is Match.ambiguous:
            shown = ", ".join(self.candidates[:SHOWN_CANDIDATES])
            more = len(self.candidates) - SHOWN_CANDIDATES
            rest = f" and {more:,} more: type more of the id" if more > 0 else ""
            return f"{self.query!r} is ambiguous: it begins {shown}{rest}"
        searched = [SINGULAR[k] for k in self.kinds]
        what = "record" if set(self.kinds) == set(FOLDERS) else " or ".join(searched)
        if self.other is not None:
            return f"'{self.other[0]}' is a {SINGULAR[self.other[1]]}, not a {what}"
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        return f"no {what} with id {self.query!r}{hint}"


def unloaded_message(found: Resolution, files: Iterable[tuple[str, str, str, Any]]) -> str | None:
    """Why no record has the typed id when a record file named for it is there (``files``:
    the walk's record files, scan.py's ``found``) but gave no record of that id: it failed to
    load, or holds another id. The typed text may be the start of the id, as it may be of a
    loaded one, when one file alone is named so. None when there is no such file, or the id
    was not unknown."""
    if found.ok or found.other is not None or found.match is not Match.unknown:
        return None
    named = [
        (kind, rel, stem(rel))
        for kind, _where, rel, _identity in files
        if kind in found.kinds and rel.endswith(RECORD_SUFFIX)
    ]
    folded = fold_id(found.query)
    fits = [f for f in named if f[2] in (found.query, folded)]
    if not fits and folded:  # the start of one file's id, and of no other's
        fits = [f for f in named if f[2].startswith(folded)]
        fits = fits if len(fits) == 1 else []
    if not fits:
        return None
    kind, rel, record_id = fits[0]
    return (
        f"no {SINGULAR[kind]} {record_id!r} loaded: its file {rel} is there but failed "
        "to load, or holds another id; `ledger validate` shows why"
    )


SHOWN_CANDIDATES = 10
"""Ids an ambiguous prefix fits that its message names (a prefix such as "gov" can fit
tens of thousands)."""


def fold_id(text: str) -> str:
    """Typed text in the form ids take: accents stripped, case folded, spaces to hyphens."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "-".join(plain.casefold().split())


def resolve(
    ledger: Ledger, text: str, kinds: Iterable[str] | None = None, *, max_suggestions: int = 5
) -> Resolution:
    """Resolve typed text to one id of the given kinds (all kinds by default).

    Exact id first, then the typed text folded (case, accents, spaces); then a unique prefix;
    then an error with the ids that prefix fits, or with suggestions: close matches by
    ``difflib``, then ids that contain the text.
    """
    return resolve_among(
        ledger.tables(), ledger.kind_of, text, kinds, max_suggestions=max_suggestions
    )


def resolve_among(
    tables: Mapping[str, Collection[str]],
    kind_of: Callable[[str], str | None],
    text: str,
    kinds: Iterable[str] | None = None,
    *,
    max_suggestions: int = 5,
) -> Resolution:
    """:func:`resolve` among ids given by kind (a ledger's tables, or a kept index's)."""
    wanted = tuple(kinds) if kinds is not None else FOLDERS
    searched = [tables[k] for k in wanted]
    folded = fold_id(text)
    for candidate in (text, folded):
        if any(candidate in table for table in searched):
            return Resolution(text, candidate, kind_of(candidate), Match.exact, wanted)
    for candidate in (text, folded):  # the very id of a record of a kind not searched
        other = kind_of(candidate)
        if other is not None:  # said so, rather than taken as the start of another id
            return Resolution(text, None, None, Match.unknown, wanted, other=(candidate, other))
    ids = sorted(i for table in searched for i in table)
    starts = [i for i in ids if folded and i.startswith(folded)]
    if len(starts) == 1:
        return Resolution(text, starts[0], kind_of(starts[0]), Match.prefix, wanted)
    if starts:
        return Resolution(text, None, None, Match.ambiguous, wanted, candidates=tuple(starts))
    return Resolution(
        text, None, None, Match.unknown, wanted, suggestions=_suggest(folded, ids, max_suggestions)
    )


def _suggest(folded: str, ids: list[str], limit: int) -> tuple[str, ...]:
    """Close matches first (most similar first), then ids containing the text, up to limit."""
    if not folded:
        return ()
    close = difflib.get_close_matches(folded, ids, n=limit, cutoff=0.6)
    containing = [i for i in ids if folded in i and i not in close]
    return tuple((close + containing)[:limit])
