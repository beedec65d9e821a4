"""One requirement's or case's report without building every claim: the ledger as far as
``requirement_status`` or ``case_status`` reads it.

A report on a requirement (analysis/status.py) reads every record of the other kinds, the
claims that bear on it, and, of their links: the claims each of them links to (a review's
grounds), the claims that contradict one (each pair shows both sides), and the claims those
partners link to (whether a partner is suspect rests on them). A report on a case reads the
same of the claims about the case. No other claim changes a line of either. In a large
ledger that is a fraction of the claims (a third, where claims bear on four requirements; a
handful, for a case), and building every claim from the remembered ledger is most of the
first `status` after an edit.

The remembered ledger keeps, with its claims, which requirements each bears on, which cases
it is about and what it links to (loaded_state.ClaimsIndex). Here the claims the report
reads are picked from that, as brought up to date by the files changed since (read as a
load reads them), and only those are built. Every other claim is known by id alone
(:attr:`Ledger.absent`), so a typed id resolves as in the whole ledger.

Narrow on purpose; anything else answers None and the caller loads the ledger: a revision;
unlisted folders; no remembered ledger that can serve, or one the changes have drifted far
from (a whole load then writes it again); a changed file that does not read into one sound
record; an id held twice; text that names no requirement or case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ledger.records.kinds import CLAIMS, STATUS_KINDS
from ledger.records.load import few_outcomes
from ledger.records.pipeline import misplaced
from ledger.records.scan import RecordFile
from ledger.store import loaded_state
from ledger.store.report_basis import Basis, printed_set, read_set

if TYPE_CHECKING:
    from collections.abc import Container, Iterable

    from ledger.records.ledger import Ledger
    from ledger.records.model import Claim
    from ledger.records.pipeline import LoadResult
    from ledger.records.record_reader import FileOutcome
    from ledger.records.root import Layout
    from ledger.records.scan import Scan
    from ledger.store.cache import Cache
    from ledger.store.loaded_state import ClaimsIndex

_CLAIMS = CLAIMS.folder
FILES_SHARE = 10
"""Claims are read from their files (through the per-file cache) when they are at most one
in this many of the ledger's, else cut from the remembered JSON of every claim: reading
that JSON costs about what reading a tenth of the claims from their files does (at 100,000
claims, 12,000 files 0.40 s against the JSON's 0.38 s; 1,024 files 0.05 s)."""


class View(NamedTuple):
    """The requirement or case a view was built for, and what its report reads."""

    subject: str
    basis: Basis


def report_view(
    layout: Layout, scan: Scan, result: LoadResult, typed: str, cases_shown: int | None = None
) -> View | None:
    """Fill ``result`` (as pipeline.begin left it) with the view of the ledger that the
    report on the requirement or case ``typed`` names (an id or what resolves to one)
    reads, and return its id with what it read; None, ``result`` untouched, when this case
    does not apply. ``result.ledger`` then holds the claims that report reads, for no
    other use; with ``cases_shown`` (a requirement's report that shows the groups of only
    so many cases), those it prints, and every claim bearing on the requirement as counted
    facts (:attr:`Ledger.counted`)."""
    return loaded_state.viewed(
        layout,
        scan,
        result,
        lambda cache: _viewed(layout, scan, cache, result, typed, cases_shown),
        None,
    )


def _viewed(
    layout: Layout,
    scan: Scan,
    cache: Cache,
    result: LoadResult,
    typed: str,
    cases_shown: int | None,
) -> View | None:
    from ledger.analysis.status import Analysis
    from ledger.analysis.xref import resolve
    from ledger.records.ledger import Ledger

    base = loaded_state.latest(cache)
    changed = base.changes(layout, scan) if base is not None else None
    if base is None or changed is None:
        return None
    if base.head["drift"] >= loaded_state.rebase_at(len(scan.found)):
        return None  # a whole load writes the remembered ledger again
    index = base.claims_index()
    if index is None:
        return None
    fresh = few_outcomes(layout, scan, cache, changed)
    if not all(outcome.sound() for outcome in fresh):
        return None  # a broken or misnamed file: the whole admission says what it is
    ledger = Ledger()
    gone = base.head["removed"] | {outcome.rel for outcome in fresh}
    if not base.fill_others(ledger, fresh, gone):
        return None
    rels = base.head["paths"][_CLAIMS]
    split = claims_of(index, rels, ledger, fresh, gone)
    if split is None:
        return None
    kept, new = split
    ledger.absent = dict.fromkeys([*kept, *new], _CLAIMS)
    found = resolve(ledger, typed, STATUS_KINDS)
    if found.id is None:
        return None
    requirement = found.id in ledger.requirements
    wanted, linked = read_set(index, kept, new, found.id, requirement)
    printed = wanted
    if requirement and cases_shown is not None:
        linked_cases = Analysis.of(ledger).linked_cases(ledger.requirements[found.id])
        printed = printed_set(index, kept, new, found.id, linked_cases, cases_shown)
        read_again = [claim for claim, _ in new.values()]
        ledger.counted = {found.id: index.counted(found.id, kept.__contains__, read_again)}
    positions = sorted(kept[i] for i in printed if i in kept)
    if len(positions) * FILES_SHARE <= len(rels):
        built = _from_files(layout, scan, cache, [rels[p] for p in positions])
    else:
        built = base.some_claims(positions)
    if built is None or any(c.id != index.ids[p] for c, p in zip(built, positions, strict=True)):
        return None
    claims: dict[str, Claim] = {}
    for position, claim in zip(positions, built, strict=True):
        claims[claim.id] = claim
        ledger.paths[claim.id] = rels[position]
    for record_id in printed & new.keys():
        claims[record_id], ledger.paths[record_id] = new[record_id]
    for record_id in claims:
        del ledger.absent[record_id]
    ledger.claims = claims
    ledger.sort()
    result.ledger = ledger
    result.diagnostics.extend(base.head["diagnostics"])
    result.left_out = len(scan.diagnostics)
    result.left_out_paths = misplaced(scan)
    files = base.differing(fresh)
    basis = Basis(base.key, typed, found.id, requirement, files, wanted, linked, result.left_out)
    return View(found.id, basis)


def claims_of(
    index: ClaimsIndex,
    rels: list[str],
    ledger: Ledger,
    fresh: Iterable[FileOutcome],
    gone: Container[str],
) -> tuple[dict[str, int], dict[str, tuple[Claim, str]]] | None:
    """The claims of a view of the remembered ledger: those it holds as they are (their
    position in it, by id: every claim but those of the files ``gone``) and those of the
    files read again (``fresh``, with their paths); None when an id is held twice, by two
    claims or by a claim and a record of another kind (``ledger``, filled with those)."""
    kept = {i: p for p, (i, rel) in enumerate(zip(index.ids, rels, strict=True)) if rel not in gone}
    new: dict[str, tuple[Claim, str]] = {}
    for outcome in fresh:
        if outcome.kind == _CLAIMS:
            claim = outcome.record
            if claim.id in kept or claim.id in ledger.paths or claim.id in new:  # type: ignore[union-attr]
                return None
            new[claim.id] = (claim, outcome.rel)  # type: ignore[union-attr,assignment]
    if any(record_id in kept for record_id in ledger.paths):
        return None  # a record of another kind, changed, now holds a claim's id
    return kept, new


def _from_files(layout: Layout, scan: Scan, cache: Cache, rels: list[str]) -> list[Claim] | None:
    """The claims of these files, read as a load reads them (from the per-file cache, for
    files as they were); None if one does not read back into one sound claim."""
    wanted = set(rels)
    files = {f[2]: RecordFile._make(f) for f in scan.found if f[2] in wanted}
    if len(files) != len(wanted):
        return None
    outcomes = {o.rel: o for o in few_outcomes(layout, scan, cache, list(files.values()))}
    if not all(o.sound() and o.kind == _CLAIMS for o in outcomes.values()):
        return None
    return [outcomes[rel].record for rel in rels]  # type: ignore[misc]
