"""Questions a researcher asks of a ledger: list, conflicts, gaps, search, timeline, figures.

Every function is pure (a :class:`~ledger.records.ledger.Ledger` in, a frozen result out) and every
result has ``to_dict()`` giving JSON-ready data in a deterministic order. Ids given to these
functions are exact: the CLI resolves what the user typed with :func:`ledger.analysis.xref.resolve`.

Decisions where design.md is silent:

* **list** — filters combine with AND. On claims every filter applies to the claim
  (``perspective`` is its source's; ``stance`` is its stance on ``requirement`` when given,
  else on any requirement). On sources, cases and requirements a filter on the record's own
  field applies directly (``perspective`` of a source; a case linked to ``requirement`` by
  either side's list, a requirement linked to ``case``); the other filters keep a record when at
  least one claim linked to it passes them all.
* **conflicts** — the ``contradicts`` pairs of :func:`ledger.analysis.status.contradiction_pairs`,
  once per pair, the obligor's claim on the left. ``record_id`` keeps the pairs touching it: a
  claim (either side), a case or requirement (either claim is about / bears on it), a source
  (either claim is from it).
* **gaps** — in this order: requirements with no evidence (no claim supports or undermines
  them); requirements whose evidence is the obligor's alone (rule lines S5/S6); cases no claim
  is about; cases heard from one side only; *unpaired* claims — a supporting or undermining
  claim about a case that both sides speak about, linked by no relation (either direction) to
  any claim of the other side: the likely missing ``contradicts`` or ``corroborates``; and
  claims without ``as_of``. Sides here span the ledger: a source is the obligor's when it
  speaks for any requirement's obligor (:func:`ledger.analysis.status.obligors`).
* **search** — one phrase, matched as a substring after case folding, accent stripping (NFKD,
  combining marks dropped) and whitespace folding. Fields: claim quote, statement and
  attributed_to; case title, aliases, summary and place; requirement title and text; source
  title and authors. One hit per field value, with a snippet of the original text around the
  first occurrence and the match's offsets in the snippet.
* **timeline** — claims with ``as_of``, cases with ``date`` and sources by ``published``. Dates
  of different precision sort by the start of their period: ``2017`` before ``2017-01`` before
  ``2017-01-01`` (the same as string order for ISO dates), then by kind (case, source, claim),
  then id. With an id, the timeline is that record's neighbourhood: for a claim, itself and
  the claims it relates to either way; for a case, the claims about it; for a requirement, the
  claims bearing on it; for a source, its claims — plus the cases and sources of those claims
  and the record itself. Claims without ``as_of`` are listed apart as ``undated``.
* **figures** — grouped by unit, normalised for grouping only (case, accents, punctuation and
  spacing folded, a plural ``s`` dropped from each word, so "Disappeared persons" and
  "disappeared person" sit together); inside a unit, by source. ``unit`` keeps the groups
  whose key contains the normalised filter.

JSON shapes (``to_dict()``)::

    Listing = {"kind", "filters": {name: value}, "records": [{...record fields...}]}
    Conflicts = {"record_id", "pairs": [Contradiction]}            # see ledger.analysis.status
    GapReport = {"counts": {kind: n}, "gaps": [Gap]}
    SearchResult = {"query", "hits": [{"id", "kind", "field", "title", "snippet",
                                      "start", "end"}]}
    Timeline = {"record_id", "events": [{"date", "precision", "kind", "id", "label",
                                        "source", "cases": [id]}],
                "undated": [claim id]}
    FigureReport = {"unit_filter", "groups": [{"key", "units": [str], "sources": [
                      {"source", "title", "perspective", "side", "figures": [FigureView]}]}]}
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ledger.analysis.status import (
    Analysis,
    contradiction_pairs,
    figure_views,
    no_claims_gap,
    obligors,
    one_sided_gap,
    requirement_verdicts,
    side_of,
    sides_of,
    silent_link_gap,
    sorted_gaps,
    source_sides,
    undated_gaps,
)
from ledger.analysis.status_report import Contradiction, FigureView, Gap, Plain, Side, Status
from ledger.analysis.textfold import fold, fold_with_map, fold_word
from ledger.records.kinds import CASES, CLAIMS, FOLDERS, SOURCES, folder_of
from ledger.records.ledger import Ledger
from ledger.records.model import Claim, ClaimKind, Perspective, Record, Stance, records_data
from ledger.records.vocabulary import GapKind
from ledger.safe_text import shows_nothing

# --------------------------------------------------------------------------- list


@dataclass(frozen=True)
class Listing(Plain):
    """Records of one kind that pass the filters, by id."""

    kind: str
    filters: dict[str, str]
    records: tuple[Record, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "filters": dict(self.filters),
            "records": records_data(self.records, by_alias=True, exclude_none=True),
        }


ClaimTest = Callable[[Claim], bool]


def _claim_tests(ledger: Ledger, filters: dict[str, str]) -> list[ClaimTest]:
    """One predicate per claim-level filter."""
    tests: list[ClaimTest] = []
    requirement = filters.get("requirement")
    if "source" in filters:
        tests.append(lambda c: c.source == filters["source"])
    if "perspective" in filters:
        wanted = Perspective(filters["perspective"])
        tests.append(
            lambda c: c.source in ledger.sources and ledger.sources[c.source].perspective is wanted
        )
    if "case" in filters:
        tests.append(lambda c: filters["case"] in c.cases)
    if requirement is not None:
        tests.append(lambda c: requirement in c.bears_on)
    if "stance" in filters:
        stance = Stance(filters["stance"])
        if requirement is not None:
            tests.append(lambda c: c.bears_on.get(requirement) is stance)
        else:
            tests.append(lambda c: stance in c.bears_on.values())
    if "claim_kind" in filters:
        claim_kind = ClaimKind(filters["claim_kind"])
        tests.append(lambda c: c.kind is claim_kind)
    return tests


def _claims_by_record(ledger: Ledger, kind: str) -> dict[str, list[Claim]]:
    """The claims linked to each source, case or requirement (built once per listing)."""
    linked: dict[str, list[Claim]] = defaultdict(list)
    for claim in ledger.claims.values():
        if kind == "sources":
            keys: Iterable[str] = (claim.source,)
        elif kind == "cases":
            keys = dict.fromkeys(claim.cases)
        else:
            keys = claim.bears_on
        for key in keys:
            linked[key].append(claim)
    return linked


_OWN: dict[str, tuple[str, ...]] = {
    "sources": ("source", "perspective"),
    "cases": ("case",),
    "requirements": ("requirement",),
}
"""Filters each non-claim kind answers from its own fields."""

_DIRECT: dict[str, str] = {"cases": "requirement", "requirements": "case"}
"""The filter a case or requirement also passes by a direct link between the two."""


def _own_ok(kind: str, record: Any, filters: dict[str, str]) -> bool:
    for name in _OWN[kind]:
        if name not in filters:
            continue
        value = record.perspective.value if name == "perspective" else record.id
        if value != filters[name]:
            return False
    return True


def _directly_linked(ledger: Ledger, kind: str, record: Any, other_id: str) -> bool:
    """A case and a requirement that name each other in their own lists."""
    if kind == "cases":
        req = ledger.requirements.get(other_id)
        return other_id in record.requirements or (req is not None and record.id in req.cases)
    case = ledger.cases.get(other_id)
    return other_id in record.cases or (case is not None and record.id in case.requirements)


def list_records(
    ledger: Ledger,
    kind: str,
    *,
    source: str | None = None,
    perspective: str | None = None,
    case: str | None = None,
    requirement: str | None = None,
    stance: str | None = None,
    claim_kind: str | None = None,
) -> Listing:
    """Records of ``kind`` (singular or plural) passing every given filter, by id.

    Enum filters (perspective, stance, claim_kind) take their YAML values and raise
    ValueError for anything else.
    """
    name = folder_of(kind)
    given = {
        "source": source,
        "perspective": perspective,
        "case": case,
        "requirement": requirement,
        "stance": stance,
        "claim_kind": claim_kind,
    }
    filters = {k: v for k, v in given.items() if v is not None}
    _claim_tests(ledger, filters)  # rejects a bad enum value whatever the kind
    keep = _keeper(ledger, name, filters)
    table = ledger.tables()[name]
    kept = [table[i] for i in sorted(table) if keep(table[i])]
    return Listing(kind=name, filters=filters, records=tuple(kept))


def _keeper(ledger: Ledger, kind: str, filters: dict[str, str]) -> Callable[[Any], bool]:
    """The predicate a record of ``kind`` must pass."""
    if kind == "claims":
        tests = _claim_tests(ledger, filters)
        return lambda claim: all(t(claim) for t in tests)
    if kind == "assertions":
        # An assertion names its requirement and case itself; no other filter applies to it.
        if set(filters) - {"requirement", "case"}:
            return lambda _: False
        return lambda a: all(getattr(a, name) == value for name, value in filters.items())
    rest = {k: v for k, v in filters.items() if k not in _OWN[kind]}
    tests = _claim_tests(ledger, rest)
    linked = _claims_by_record(ledger, kind) if rest else {}
    direct = _DIRECT.get(kind)
    direct_only = direct is not None and set(rest) == {direct}

    def keep(record: Any) -> bool:
        if not _own_ok(kind, record, filters):
            return False
        if not rest:
            return True
        if direct_only and _directly_linked(ledger, kind, record, rest[direct]):  # type: ignore[index]
            return True
        return any(all(t(c) for t in tests) for c in linked.get(record.id, []))

    return keep


# --------------------------------------------------------------------------- conflicts


@dataclass(frozen=True)
class Conflicts(Plain):
    """Contradiction pairs, side by side, optionally only those touching one record."""

    record_id: str | None
    pairs: tuple[Contradiction, ...]


def conflicts(ledger: Ledger, record_id: str | None = None) -> Conflicts:
    """Every contradiction pair, or those touching a claim, case, requirement or source."""
    pairs = contradiction_pairs(ledger)
    if record_id is not None:
        pairs = tuple(p for p in pairs if _touches(ledger, p, record_id))
    return Conflicts(record_id=record_id, pairs=pairs)


def _touches(ledger: Ledger, pair: Contradiction, record_id: str) -> bool:
    for ref in (pair.left, pair.right):
        claim = ledger.claims[ref.id]
        if record_id in (claim.id, claim.source) or record_id in claim.cases:
            return True
        if record_id in claim.bears_on:
            return True
    return False


# --------------------------------------------------------------------------- gaps


@dataclass(frozen=True)
class GapReport(Plain):
    """Evidence gaps across the ledger, by kind then subject, with counts per kind."""

    counts: dict[str, int]
    gaps: tuple[Gap, ...]


def gaps(ledger: Ledger) -> GapReport:
    """What a researcher should look for next; see the module docstring for the kinds."""
    analysis = Analysis.of(ledger)
    found = sorted_gaps(
        [
            *_requirement_gaps(analysis),
            *_case_gaps(analysis),
            *_unpaired(analysis),
            *undated_gaps(ledger.claims.values()),
        ]
    )
    counts = {k.value: sum(1 for g in found if g.kind is k) for k in GapKind}
    return GapReport(counts=counts, gaps=found)


def _requirement_gaps(analysis: Analysis) -> Iterable[Gap]:
    ledger = analysis.ledger
    for req_id, verdict in requirement_verdicts(ledger, analysis).items():
        if verdict.status is Status.no_evidence:
            context = verdict.tally.context
            detail = f"only {context} context claim(s)" if context else "no claim bears on it"
            yield Gap(GapKind.no_evidence, req_id, f"{req_id} has no evidence: {detail}")
        elif verdict.line in ("S5", "S6"):
            yield Gap(
                GapKind.obligor_only,
                req_id,
                f"{req_id} rests on the obligor's own word only "
                f"({verdict.line}: {verdict.status.value})",
            )
        for case_id in analysis.linked_cases(ledger.requirements[req_id]):
            if not any(req_id in c.bears_on for c in analysis.by_case.get(case_id, [])):
                yield silent_link_gap(case_id, req_id)


def _case_gaps(analysis: Analysis) -> Iterable[Gap]:
    ledger = analysis.ledger
    known = source_sides(ledger, obligors(ledger))
    for case_id in sorted(ledger.cases):
        claims = analysis.by_case.get(case_id, [])
        if not claims:
            yield no_claims_gap(case_id)
        elif gap := one_sided_gap(ledger, case_id, claims, None, known):
            yield gap


def _related_ids(ledger: Ledger) -> dict[str, set[str]]:
    """Every claim's relation partners, in both directions."""
    related: dict[str, set[str]] = defaultdict(set)
    for claim in ledger.claims.values():
        for rel in claim.relations:
            related[claim.id].add(rel.target)
            related[rel.target].add(claim.id)
    return related


def _unpaired(analysis: Analysis) -> Iterable[Gap]:
    """Counted claims about a case both sides speak of, unlinked to the other side."""
    ledger = analysis.ledger
    by_case = analysis.by_case
    related = _related_ids(ledger)
    obligor_names = obligors(ledger)
    known = source_sides(ledger, obligor_names)
    seen: set[str] = set()
    for case_id in sorted(by_case):
        claims = by_case[case_id]
        if len(sides_of(ledger, claims, obligor_names, known)) < 2:
            continue
        for claim in sorted(claims, key=lambda c: c.id):
            if claim.id in seen or claim.source not in ledger.sources:
                continue
            if not any(s is not Stance.context for s in claim.bears_on.values()):
                continue
            own = known[claim.source]
            partners = [ledger.claims[i] for i in related[claim.id] if i in ledger.claims]
            if sides_of(ledger, partners, obligor_names, known) - {own}:
                continue
            seen.add(claim.id)
            other = "independent" if own is Side.obligor else "obligor"
            yield Gap(
                GapKind.unpaired_claim,
                claim.id,
                f"both sides speak about {case_id}, but {claim.id} ({own.value}) is linked "
                f"to no {other} claim",
                (case_id,),
            )


# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class Hit(Plain):
    """One field of one record that contains the phrase, with a snippet around it.

    ``start`` and ``end`` are the match's offsets in ``snippet``, for highlighting.
    """

    id: str
    kind: str
    field: str
    title: str
    snippet: str
    start: int
    end: int


@dataclass(frozen=True)
class SearchResult(Plain):
    query: str
    hits: tuple[Hit, ...]


def _search_fields(ledger: Ledger) -> Iterable[tuple[str, str, str, str, str]]:
    """(kind, id, title, field, value) for every searchable text, in kind and id order."""
    for s in ledger.sources.values():
        yield "sources", s.id, s.title, "title", s.title
        for author in s.authors:
            yield "sources", s.id, s.title, "authors", author
    for r in ledger.requirements.values():
        yield "requirements", r.id, r.title, "title", r.title
        yield "requirements", r.id, r.title, "text", r.text
    for k in ledger.cases.values():
        yield "cases", k.id, k.title, "title", k.title
        for alias in k.aliases:
            yield "cases", k.id, k.title, "aliases", alias
        yield "cases", k.id, k.title, "summary", k.summary
        if k.place:
            yield "cases", k.id, k.title, "place", k.place
    for c in ledger.claims.values():
        yield "claims", c.id, c.statement, "quote", c.quote
        yield "claims", c.id, c.statement, "statement", c.statement
        if c.attributed_to:
            yield "claims", c.id, c.statement, "attributed_to", c.attributed_to


_SPACES = re.compile(r"\s+")


def searchable(text: str) -> bool:
    """Whether a phrase can match anything: it shows something, and folds to something (a
    phrase of spaces, invisible characters or accents alone does neither)."""
    return not shows_nothing(text) and bool(fold(text).strip())


def search(ledger: Ledger, text: str, *, context: int = 40) -> SearchResult:
    """Records whose texts contain ``text``, ignoring case, accents and spacing: each field
    that holds it once (of a list, such as a case's aliases, its first entry that does),
    with ``context`` characters around the match (a title whole: it names the record)."""
    needle = fold(text)
    hits: list[Hit] = []
    found: set[tuple[str, str, str]] = set()
    if needle:
        for kind, record_id, title, field_name, value in _search_fields(ledger):
            if (kind, record_id, field_name) in found:
                continue
            hit = _find(value, needle, len(value) if field_name == "title" else context)
            if hit is not None:
                found.add((kind, record_id, field_name))
                snippet, start, end = hit
                hits.append(Hit(record_id, kind, field_name, title, snippet, start, end))
    order = {k: i for i, k in enumerate(FOLDERS)}
    hits.sort(key=lambda h: (order[h.kind], h.id))
    return SearchResult(query=text, hits=tuple(hits))


def _find(value: str, needle: str, context: int) -> tuple[str, int, int] | None:
    """The snippet of ``value`` around the first match, and the match's offsets in it.

    Most fields do not match: their cheap fold says so before the character map is built."""
    folded = fold(value)
    at = folded.find(needle)
    if at < 0:
        return None
    placed = _origins(value, at, at + len(needle) - 1)
    if placed is None:
        origin = fold_with_map(value)[1]
        placed = origin[at], origin[at + len(needle) - 1]
    first, last = placed
    end_char = last + 1
    lo, hi = max(0, first - context), min(len(value), end_char + context)
    before = _SPACES.sub(" ", value[lo:first]).lstrip()
    match = _SPACES.sub(" ", value[first:end_char])
    after = _SPACES.sub(" ", value[end_char:hi]).rstrip()
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(value) else ""
    snippet = f"{prefix}{before}{match}{after}{suffix}"
    start = len(prefix) + len(before)
    return snippet, start, start + len(match)


_WORDS = re.compile(r"\S+")


def _origins(value: str, *offsets: int) -> tuple[int, ...] | None:
    """Where characters of ``value``'s fold (ascending ``offsets``) stand in it, as
    :func:`fold_with_map`'s map says, found word by word: the fold is the words folded and
    joined by one space, that space standing for the first space after its word; only the
    word a match starts or ends in is mapped character by character. None when a word does
    not fold alone into one word (a mark that folds to a space, or to nothing): then only
    the whole map can say."""
    found: list[int] = []
    pending = list(offsets)
    folded = 0  # where the current word starts in the fold
    for word in _WORDS.finditer(value):
        text = word.group()
        plain = text.isascii()
        own = fold_word(text)
        if not own:  # a mark that folds to a space, or a word of marks that fold to nothing
            return None
        length = len(own)
        while pending and pending[0] <= folded + length:  # in the word, or the space after
            inside = pending.pop(0) - folded
            if inside == length:
                found.append(word.end())
            elif plain:
                found.append(word.start() + inside)
            else:
                found.append(word.start() + fold_with_map(text)[1][inside])
        if not pending:
            return tuple(found)
        folded += length + 1
    return None


# --------------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class Event(Plain):
    """One dated item: a claim's as_of, a case's date, a source's publication."""

    date: str
    precision: str
    kind: str
    id: str
    label: str
    source: str | None
    cases: tuple[str, ...]


@dataclass(frozen=True)
class Timeline(Plain):
    record_id: str | None
    events: tuple[Event, ...]
    undated: tuple[str, ...]


_PRECISION = {1: "year", 2: "month", 3: "day"}
_KIND_RANK = {k.singular: i for i, k in enumerate((CASES, SOURCES, CLAIMS))}
"""On one date, a case's event comes first, then the source's, then the claims'."""


def date_key(iso: str) -> tuple[int, int, int]:
    """A sort key for ISO dates of any precision: a period sorts at its start, coarse first."""
    parts = [int(p) for p in iso.split("-")]
    return (parts[0], parts[1] if len(parts) > 1 else 0, parts[2] if len(parts) > 2 else 0)


def timeline(ledger: Ledger, record_id: str | None = None) -> Timeline:
    """Dated claims, cases and sources in order; with an id, only its neighbourhood."""
    claims = _timeline_claims(ledger, record_id)
    case_ids = {k for c in claims for k in c.cases}
    source_ids = {c.source for c in claims}
    if record_id in ledger.cases:
        case_ids.add(record_id)
    if record_id in ledger.sources:
        source_ids.add(record_id)
    events = [
        *(_claim_event(c) for c in claims if c.as_of),
        *(
            Event(k.date, _precision(k.date), CASES.singular, k.id, k.title, None, ())
            for k in (ledger.cases[i] for i in case_ids if i in ledger.cases)
            if k.date
        ),
        *(
            Event(s.published, _precision(s.published), SOURCES.singular, s.id, s.title, s.id, ())
            for s in (ledger.sources[i] for i in source_ids if i in ledger.sources)
        ),
    ]
    events.sort(key=lambda e: (date_key(e.date), _KIND_RANK[e.kind], e.id))
    undated = tuple(sorted(c.id for c in claims if not c.as_of))
    return Timeline(record_id=record_id, events=tuple(events), undated=undated)


def _precision(iso: str) -> str:
    return _PRECISION[iso.count("-") + 1]


def _claim_event(claim: Claim) -> Event:
    assert claim.as_of is not None
    return Event(
        claim.as_of,
        _precision(claim.as_of),
        CLAIMS.singular,
        claim.id,
        claim.statement,
        claim.source,
        tuple(claim.cases),
    )


def _timeline_claims(ledger: Ledger, record_id: str | None) -> list[Claim]:
    """The claims a timeline covers: all, or those in the neighbourhood of one record."""
    everything = list(ledger.claims.values())
    if record_id is None:
        return everything
    if record_id in ledger.claims:
        related = _related_ids(ledger).get(record_id, set()) | {record_id}
        return [c for c in everything if c.id in related]
    return [
        c
        for c in everything
        if record_id in c.cases or record_id in c.bears_on or c.source == record_id
    ]


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class SourceFigures(Plain):
    source: str
    title: str | None
    perspective: Perspective | None
    side: Side | None
    figures: tuple[FigureView, ...]


@dataclass(frozen=True)
class FigureGroup(Plain):
    """The figures of one (normalised) unit, by source, so competing numbers sit together."""

    key: str
    units: tuple[str, ...]
    sources: tuple[SourceFigures, ...]


@dataclass(frozen=True)
class FigureReport(Plain):
    unit_filter: str | None
    groups: tuple[FigureGroup, ...]


_NON_WORD = re.compile(r"[^\w]+")


def unit_key(unit: str) -> str:
    """A unit as grouping compares it: folded, punctuation to spaces, plural ``s`` dropped."""
    words = _NON_WORD.sub(" ", fold(unit)).split()
    return " ".join(_singular(w) for w in words)


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def figures(ledger: Ledger, unit: str | None = None) -> FigureReport:
    """Every structured figure, by normalised unit then source; ``unit`` filters by key."""
    wanted = unit_key(unit) if unit else None
    by_key: dict[str, list[FigureView]] = defaultdict(list)
    for view in figure_views(ledger, ledger.claims.values()):
        key = unit_key(view.unit)
        if wanted is None or wanted in key:
            by_key[key].append(view)
    groups = tuple(_figure_group(ledger, key, by_key[key]) for key in sorted(by_key))
    return FigureReport(unit_filter=unit, groups=groups)


def _figure_group(ledger: Ledger, key: str, views: list[FigureView]) -> FigureGroup:
    by_source: dict[str, list[FigureView]] = defaultdict(list)
    for view in views:
        by_source[view.source].append(view)
    obligor_names = obligors(ledger)
    sources = []
    for source_id in sorted(by_source):
        source = ledger.sources.get(source_id)
        sources.append(
            SourceFigures(
                source=source_id,
                title=source.title if source else None,
                perspective=source.perspective if source else None,
                side=side_of(source, obligor_names) if source else None,
                figures=tuple(by_source[source_id]),
            )
        )
    return FigureGroup(
        key=key, units=tuple(sorted({v.unit for v in views})), sources=tuple(sources)
    )
