"""What one report read, so that its output serves again after edits to claims it never read.

A report on a requirement or a case built from the remembered ledger (store/report_view.py)
reads the records of the other kinds and a known set of claims; no other claim changes a
line of it. Its basis says which: the remembered ledger it was built on, the record files
that differed from it then, the claims it read, and the ids those claims link to. Asked
again after more edits, the output is still the report when every file that differs from
then is a claim file that

* names a claim the report did not read, nor one a claim it read links to (its own file's
  name, the claim's id in a clean ledger); and
* holds, now, a claim that does not bear on the requirement (is not about the case) and
  links to no claim the report read; a sound record, its id held by no other file.

Any other change (a record of another kind, the marker file, a file that does not read
into one sound record, another remembered ledger) serves nothing: the report is worked out
again. Narrow on purpose, as the view is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ledger.records.kinds import CLAIMS
from ledger.records.load import few_outcomes
from ledger.records.scan import stem
from ledger.store import loaded_state
from ledger.store.loaded_state import ClaimsIndex, FileNow

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ledger.records.model import Claim
    from ledger.records.pipeline import LoadResult
    from ledger.records.root import Layout
    from ledger.records.scan import Scan
    from ledger.store.cache import Cache

_CLAIMS = CLAIMS.folder


@dataclass(frozen=True)
class Basis:
    """What a report on ``subject`` (typed as ``typed``) read: the remembered ledger
    ``row`` (its key), the files that differed from it (:data:`FileNow` by path), the ids
    of the claims it read, the ids they link to, and how many files the walk left out."""

    row: str
    typed: str
    subject: str
    requirement: bool
    files: dict[str, FileNow]
    read: frozenset[str]
    linked: frozenset[str]
    left_out: int

    def plain(self) -> dict[str, Any]:
        """JSON-ready form, kept with the output."""
        return {
            "row": self.row,
            "typed": self.typed,
            "subject": self.subject,
            "requirement": self.requirement,
            "files": {rel: list(state) for rel, state in sorted(self.files.items())},
            "read": sorted(self.read),
            "linked": sorted(self.linked),
            "left_out": self.left_out,
        }

    @classmethod
    def from_plain(cls, plain: Any) -> Basis | None:
        """The basis kept with an output; None if it is not of the shape written."""
        if not isinstance(plain, dict) or set(plain) != _FIELDS:
            return None
        texts = [plain[k] for k in ("row", "typed", "subject")]
        files, read, linked = plain["files"], plain["read"], plain["linked"]
        if not (
            all(isinstance(t, str) for t in texts)
            and type(plain["requirement"]) is bool
            and type(plain["left_out"]) is int
            and isinstance(files, dict)
            and all(_file_state(state) for state in files.values())
            and _ids(read)
            and _ids(linked)
        ):
            return None
        states = {rel: (state[0], state[1]) for rel, state in files.items()}
        row, typed, subject = texts
        requirement, left_out = plain["requirement"], plain["left_out"]
        return cls(
            row, typed, subject, requirement, states, frozenset(read), frozenset(linked), left_out
        )


_FIELDS = {"row", "typed", "subject", "requirement", "files", "read", "linked", "left_out"}


def _file_state(state: Any) -> bool:
    return (
        isinstance(state, list)
        and len(state) == 2
        and (state[0] is None or isinstance(state[0], str))
        and isinstance(state[1], str)
    )


def _ids(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(i, str) for i in value)


def read_set(
    index: ClaimsIndex,
    kept: dict[str, int],
    new: dict[str, tuple[Claim, str]],
    subject: str,
    requirement: bool,
) -> tuple[frozenset[str], frozenset[str]]:
    """The ids of the claims the report on ``subject`` (a requirement, or else a case)
    reads: those bearing on it (about it), the claims they link to and those contradicting
    them, and the claims those link to; and every id those claims link to."""
    ids = index.ids
    on = (index.bears if requirement else index.about).get(subject, ())
    bearing = {ids[p] for p in on if ids[p] in kept}
    bearing.update(
        i
        for i, (claim, _) in new.items()
        if (subject in claim.bears_on if requirement else subject in claim.cases)
    )
    links = _links(index, kept, new)
    read = frozenset(_reached(bearing, links) & (kept.keys() | new.keys()))
    return read, frozenset(t for s, t, _ in links if s in read)


def printed_set(
    index: ClaimsIndex,
    kept: dict[str, int],
    new: dict[str, tuple[Claim, str]],
    subject: str,
    linked_cases: Iterable[str],
    cases_shown: int,
) -> frozenset[str]:
    """Of the claims the report on the requirement ``subject`` reads, with the groups of
    its first ``cases_shown`` cases (``linked_cases``: those it names or that name it), the
    ids of those it prints: the claims bearing on it about a case shown or about no case,
    those giving figures and those in a contradiction; the claims they link to and those
    contradicting them, and the claims those link to. Of every other claim bearing on it
    the report reads the facts the index keeps (:meth:`ClaimsIndex.counted`)."""
    ids, figured = index.ids, index.figured
    positions = [p for p in index.bears.get(subject, ()) if ids[p] in kept]
    cases = index.cases_at(positions)
    on = [(ids[p], cases[p], figured(p)) for p in positions]
    on += [
        (i, tuple(claim.cases), claim.figured)
        for i, (claim, _) in new.items()
        if subject in claim.bears_on
    ]
    named = set(linked_cases).union(*(case_ids for _, case_ids, _ in on))
    shown = set(sorted(named)[:cases_shown])
    links = _links(index, kept, new)
    paired = {i for s, t, c in links if c for i in (s, t)}
    printed = {
        i
        for i, case_ids, gives in on
        if gives or not case_ids or i in paired or not shown.isdisjoint(case_ids)
    }
    return frozenset(_reached(printed, links) & (kept.keys() | new.keys()))


def _links(
    index: ClaimsIndex, kept: dict[str, int], new: dict[str, tuple[Claim, str]]
) -> list[tuple[str, str, bool]]:
    """Every link the claims make: its claim, its target, whether it is a contradiction."""
    from ledger.records.model import RelationKind

    ids, contradicts = index.ids, RelationKind.contradicts
    links = [(ids[p], t, kind == contradicts) for p, t, kind in index.links if ids[p] in kept]
    links += [
        (i, rel.target, rel.kind is contradicts) for i, (c, _) in new.items() for rel in c.relations
    ]
    return links


def _reached(claims: set[str], links: list[tuple[str, str, bool]]) -> set[str]:
    """These claims, the claims they link to and those contradicting them (each pair shows
    both sides), and the claims those link to (whether one is suspect rests on them)."""
    partners = {t for s, t, _ in links if s in claims}
    partners.update(s for s, t, c in links if c and t in claims)
    grounds = {t for s, t, _ in links if s in partners}
    return claims | partners | grounds


def of_whole(
    layout: Layout, scan: Scan, result: LoadResult, typed: str, subject: str
) -> Basis | None:
    """What the report on ``subject`` read of ``result``, a whole load of the working tree
    as the walk ``scan`` met it, when every file loaded cleanly and the load remembered the
    ledger whole for that state (the first report asked of a ledger); None otherwise."""
    from ledger.records.scan import ledger_key
    from ledger.store.cache import open_cache

    if layout.tree is not None or not scan.all_settled or scan.unlisted:
        return None
    ledger = result.ledger
    if result.unloaded or len(result.diagnostics) != len(scan.diagnostics):
        return None  # a file that does not read cleanly: no view would serve either
    if len(ledger.paths) != len(scan.records):
        return None
    cache = open_cache(layout)
    if cache is None:
        return None
    try:
        state = ledger_key(layout, scan)
        if cache.fingerprint(loaded_state.NAME) != state:
            return None
    finally:
        cache.close()
    claims = list(ledger.claims.values())
    index = ClaimsIndex.of(claims)
    kept = {claim.id: position for position, claim in enumerate(claims)}
    requirement = subject in ledger.requirements
    read, linked = read_set(index, kept, {}, subject, requirement)
    return Basis(state, typed, subject, requirement, {}, read, linked, result.left_out)


def serves(layout: Layout, scan: Scan, kept: Any) -> Basis | None:
    """The basis ``kept`` (as :meth:`Basis.plain` wrote it) brought up to the ledger as the
    walk ``scan`` met it, when the report it describes is still that report; else None."""
    basis = Basis.from_plain(kept)
    if basis is None:
        return None
    now = loaded_state.viewed(
        layout, scan, None, lambda cache: _now(layout, scan, cache, basis), None
    )
    return None if now is None else replace(basis, files=now)


def _now(layout: Layout, scan: Scan, cache: Cache, basis: Basis) -> dict[str, FileNow] | None:
    """The files that differ from the remembered ledger now, when the report ``basis``
    describes is, for the ledger as the walk ``scan`` met it, the very report it was (see
    the module's docstring); else None."""
    from ledger.analysis.xref import fold_id

    if len(scan.diagnostics) != basis.left_out:
        return None
    base = loaded_state.latest(cache)
    if base is None or base.key != basis.row:
        return None
    changed = base.changes(layout, scan)
    if changed is None:
        return None
    fresh = few_outcomes(layout, scan, cache, changed)
    if not all(outcome.sound() for outcome in fresh):
        return None
    now = base.differing(fresh)
    since = {rel for rel in now.keys() | basis.files.keys() if now.get(rel) != basis.files.get(rel)}
    if not since:
        return now
    records = {o.rel: o.record for o in fresh}
    typed = (basis.typed, fold_id(basis.typed))
    for rel in since:
        kinds = {state[1] for state in (now.get(rel), basis.files.get(rel)) if state is not None}
        row_state = base.state_of(rel)
        if row_state is not None:
            kinds.add(row_state[0])
        claim_id = stem(rel)
        if kinds != {_CLAIMS} or claim_id in basis.read or claim_id in basis.linked:
            return None
        if any(claim_id.startswith(text) for text in typed if text):
            return None  # the typed text might now resolve otherwise
        claim = records.get(rel)
        if claim is None:
            if row_state is not None and rel not in base.head["removed"]:
                return None  # back as the remembered ledger has it, not read here
            continue  # gone: it was neither read nor linked to
        on = claim.bears_on if basis.requirement else claim.cases  # type: ignore[attr-defined]
        if basis.subject in on or any(r.target in basis.read for r in claim.relations):  # type: ignore[attr-defined]
            return None
    held = [stem(rel) for rel in since if rel in records]
    return now if _held_once(scan, held) else None


def _held_once(scan: Scan, ids: list[str]) -> bool:
    """Whether each of these claims' ids is held by its file alone: no other record file
    has its name (a clean ledger's files are named for their ids)."""
    if not ids:
        return True
    wanted = set(ids)
    files = Counter(name for f in scan.found if (name := stem(f[2])) in wanted)
    return all(files[i] == 1 for i in wanted) and len(wanted) == len(ids)
