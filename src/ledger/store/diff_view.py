"""Both sides of a diff without building every claim: the ledgers as far as
``diff_ledgers`` (git/diff.py) reads them.

A diff compares the records that differ between the two sides, and the verdicts of the
requirements and cases the changed claims reach (the claims within two links of a changed
one, either way, on either side). A case's verdict reads every claim about it; whether a
claim is newly suspect reads the claims it links to. A requirement's verdict reads every
claim bearing on it, but of each only what the status rule counts (its id, source, stance
and repeats), which the remembered ledger's index keeps: those are given as counted facts
(:attr:`Ledger.counted`), not built. No other claim changes a line of the diff: it is the
same, unchanged, on both sides, and neither counted nor compared. In a large ledger a
one-claim change builds a few dozen claims, where it built a third of them when every claim
bearing on a reached requirement was built, and building claims was most of a diff.

The remembered ledger (store/loaded_state.py) keeps, with its claims, which requirements
each bears on and how, which cases it is about, its source and what it links to. The first
side is the remembered ledger and the files whose content differs from it: by identity for
the working tree (as a load finds them), by blob id for a commit. The second, a commit, is
the first and the files whose content differs between the two. Every claim either side
could need is picked from that, generously (two links from every claim a change could
reach, not only those it does), and built once: a claim both sides hold unchanged is one
object in both, so the diff passes over it.

Narrow on purpose; anything else answers None and the caller loads both sides: no cache,
or no remembered ledger that can serve; a ledger.toml that differs; a file out of place, a
folder not listed, or a file that does not read into one sound record; an id held twice; a
source or requirement that differs between the sides (it reaches every claim of the
source, or every claim); any assertion (the diff then judges every one).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, NamedTuple

from ledger.records.kinds import ASSERTIONS, CASES, CLAIMS, REQUIREMENTS, SOURCES

if TYPE_CHECKING:
    from ledger.records.ledger import Countable, Ledger
    from ledger.records.model import Claim, Stance
    from ledger.records.pipeline import LoadResult
    from ledger.records.record_reader import FileOutcome
    from ledger.records.root import Layout
    from ledger.records.scan import RecordFile
    from ledger.store.cache import Cache
    from ledger.store.loaded_state import ClaimsIndex, Remembered

_CLAIMS = CLAIMS.folder
_FIXED = (SOURCES.folder, REQUIREMENTS.folder)
"""The kinds a view refuses to see changed: a source reaches each of its claims, a
requirement every claim (git/diff.py's ``_reached_claims``)."""
HOPS = 2
"""Links followed from a changed claim, as the diff follows them."""

Overlay = dict[str, "FileOutcome | None"]
"""The record files of one side whose content differs from the remembered ledger's, by path:
each one's outcome, or None where the side has no such file."""


class _Side(NamedTuple):
    """One side as far as the view reads it: every record of the other kinds, the remembered
    claims it holds as they are (their position in the remembered ledger, by id), and the
    claims of its files that differ (with their paths)."""

    ledger: Ledger
    kept: dict[str, int]
    new: dict[str, tuple[Claim, str]]
    files: int


def diff_view(old: Layout, new: Layout) -> tuple[LoadResult, LoadResult] | None:
    """Each side's load as the diff reads it (see the module's docstring), for a revision
    of one ledger (``old``) and another or the working tree (``new``); None when a whole
    load of each must answer."""
    from ledger.gcpause import kept_to_the_end
    from ledger.store.cache import open_cache
    from ledger.store.loaded_state import marker_digest

    if old.tree is None or (old.root, old.data) != (new.root, new.data):
        return None
    if marker_digest(old) != marker_digest(new):
        return None  # ledger.toml decides which files are read and how ids are admitted
    cache = open_cache(old)
    if cache is None:
        return None
    try:
        with kept_to_the_end():  # the two sides live until the diff is printed
            if new.tree is not None:
                return _viewed(old, new, cache)
            # the working tree first: the remembered ledger is of it, by its files' identities
            found = _viewed(new, old, cache)
            return None if found is None else (found[1], found[0])
    finally:
        cache.close()


class _First(NamedTuple):
    """The side compared with the remembered ledger: its record files whose content differs
    from it (:data:`Overlay`), every file's content id by path, and its record files."""

    over: Overlay
    blobs: dict[str, str]
    files: int


def _viewed(
    first_layout: Layout, second_layout: Layout, cache: Cache
) -> tuple[LoadResult, LoadResult] | None:
    """The two sides, in this order: the first read from the remembered ledger and the
    files that differ from it, the second from the first and the files that differ
    between the two."""
    from ledger.analysis.checks import too_many_records
    from ledger.records.load import few_outcomes
    from ledger.records.scan import Scan
    from ledger.store import loaded_state

    base = loaded_state.latest(cache)
    index = base.claims_index() if base is not None else None
    if base is None or index is None:
        return None
    if first_layout.tree is None:
        first = _worktree_first(base, first_layout, cache)
    else:
        first = _revision_first(base, first_layout, cache)
    between = _between(first.blobs, second_layout) if first is not None else None
    if first is None or between is None:
        return None
    added, gone = between
    second_files = first.files - len(gone) + len(added)
    if too_many_records(second_files, second_layout) is not None:
        return None  # the whole load refuses it
    second_over = first.over | dict.fromkeys(gone)
    second_over.update((o.rel, o) for o in few_outcomes(second_layout, Scan([], []), cache, added))
    if not all(o.sound() for over in (first.over, second_over) for o in over.values() if o):
        return None  # a broken or misnamed file: the whole load says what it is
    sides = (
        _side(base, index, first.over, first.files),
        _side(base, index, second_over, second_files),
    )
    if sides[0] is None or sides[1] is None or not _fixed_alike(sides[0], sides[1]):
        return None
    rels = base.head["paths"][_CLAIMS]
    touched = {
        index.ids[p] for p, rel in enumerate(rels) if rel in first.over or rel in second_over
    }
    wanted, requirements = _wanted(index, sides, touched)
    built = _built(base, index, sides, wanted)
    if built is None:
        return None
    first_side, second_side = (
        _result(side, rels, built, wanted, _counted(index, side, requirements)) for side in sides
    )
    return first_side, second_side


def _revision_first(base: Remembered, layout: Layout, cache: Cache) -> _First | None:
    """A revision as the first side: its record files whose content differs from the
    remembered ledger's (by blob id), read, and the paths of the remembered ledger's it has
    not; None when the remembered ledger cannot serve as its base (it was not clean, or
    under another ledger.toml), a file is out of place, or too many differ (as
    Remembered.changes decides for a load)."""
    from ledger.analysis.checks import too_many_records
    from ledger.git.revision_scan import changed_records, data_prefix
    from ledger.records.diagnostics import Diagnostic
    from ledger.records.load import few_outcomes
    from ledger.records.scan import Scan
    from ledger.store.loaded_state import drift_limit, marker_digest

    columns = base.columns()
    if not base.head["clean"] or columns is None or columns.marker != marker_digest(layout):
        return None
    assert layout.tree is not None
    blobs = layout.tree.blobs
    then = dict(zip(columns.rels, columns.blobs, strict=True))
    changed = changed_records(blobs, then, data_prefix(layout))
    if isinstance(changed, Diagnostic):
        return None  # a file out of place: the whole load reports it
    differing = [rel for rel, blob in then.items() if blobs.get(rel) != blob]
    removed = {rel for rel in differing if rel not in blobs}
    files = len(then) - len(differing) + len(changed)  # each held as it was, and the changed
    if len(changed) + len(removed) > drift_limit(files) or too_many_records(files, layout):
        return None
    over: Overlay = dict.fromkeys(removed)
    over.update((o.rel, o) for o in few_outcomes(layout, Scan([], []), cache, changed))
    return _First(over, blobs, files)


def _worktree_first(base: Remembered, layout: Layout, cache: Cache) -> _First | None:
    """The working tree as the first side: its record files whose identity differs from
    the remembered ledger's (as a load finds them), read; None when the walk finds what
    only a whole load reports (a file out of place, a folder not listed), or the
    remembered ledger cannot serve as its base."""
    from ledger.records.load import few_outcomes
    from ledger.records.pipeline import LoadResult, begin

    started = begin(layout, None)
    if isinstance(started, LoadResult):
        return None
    result, scan = started
    if scan.diagnostics or scan.unlisted or result.unloaded:
        return None
    changed = base.changes(layout, scan)
    columns = base.columns()
    if changed is None or columns is None:
        return None
    over: Overlay = dict.fromkeys(base.head["removed"])
    over.update((o.rel, o) for o in few_outcomes(layout, scan, cache, changed))
    blobs: dict[str, str | None] = {
        rel: blob for rel, blob in zip(columns.rels, columns.blobs, strict=True) if rel not in over
    }
    blobs.update((rel, o.blob) for rel, o in over.items() if o is not None)
    if None in blobs.values():
        return None  # a content id not known: nothing to compare the revision with
    return _First(over, blobs, len(scan.found))  # type: ignore[arg-type]


def _between(before: dict[str, str], second: Layout) -> tuple[list[RecordFile], list[str]] | None:
    """The record files whose content differs between the first side (its files' content
    ids, ``before``) and a revision: those of the revision to read, and the paths of the
    first's that it does not hold as they are; None when a changed file is out of place
    (the whole load reports it)."""
    from ledger.git.revision_scan import changed_records, classify, data_prefix
    from ledger.records.diagnostics import Diagnostic

    assert second.tree is not None
    after = second.tree.blobs
    prefix = data_prefix(second)
    added = changed_records(after, before, prefix)
    if isinstance(added, Diagnostic):
        return None
    gone = [
        rel
        for rel, blob in before.items()
        if after.get(rel) != blob
        and rel.startswith(prefix)
        and isinstance(classify(rel, prefix), str)
    ]
    return added, gone


def _side(base: Remembered, index: ClaimsIndex, over: Overlay, files: int) -> _Side | None:
    """One side: the remembered ledger with ``over`` laid on it; None when an id is held
    twice, or the side holds an assertion."""
    from ledger.records.ledger import Ledger
    from ledger.store.report_view import claims_of

    ledger = Ledger()
    fresh = [o for o in over.values() if o is not None]
    if not base.fill_others(ledger, fresh, set(over)) or ledger.assertions:
        return None
    split = claims_of(index, base.head["paths"][_CLAIMS], ledger, fresh, over)
    return None if split is None else _Side(ledger, *split, files)


def _fixed_alike(old: _Side, new: _Side) -> bool:
    """Whether the two sides hold the same sources and requirements, and no assertion."""
    for kind in _FIXED:
        before, after = old.ledger.tables()[kind], new.ledger.tables()[kind]
        if before.keys() != after.keys():
            return False
        if any(record is not after[i] and record != after[i] for i, record in before.items()):
            return False
    return not (old.ledger.tables()[ASSERTIONS.folder] or new.ledger.tables()[ASSERTIONS.folder])


def _wanted(
    index: ClaimsIndex, sides: tuple[_Side, _Side], touched: set[str]
) -> tuple[set[str], set[str]]:
    """Every claim id the diff could read on either side, and the requirements whose
    verdicts it could judge. The claims: those whose files differ from the remembered
    ledger on either side (``touched``) or hold claims that do now, and those within two
    links of them, either way (what a change reaches), with the claims those link to (a
    suspect claim's grounds); and, with two links either way, every claim about a case they
    are about, or a case that differs between the sides. The requirements: those the
    claims a change reaches bear on (their verdicts are counted from the index, not from
    built claims: :func:`_counted`). The links, requirements and cases are each claim's as
    the remembered ledger holds it and as either side does: more than a side has, never
    less."""
    ids = index.ids
    linked: dict[str, set[str]] = defaultdict(set)
    for position, target, _kind in index.links:
        linked[ids[position]].add(target)
        linked[target].add(ids[position])
    fresh = [claim for side in sides for claim, _rel in side.new.values()]
    for claim in fresh:
        touched.add(claim.id)
        for relation in claim.relations:
            linked[claim.id].add(relation.target)
            linked[relation.target].add(claim.id)

    def near(start: set[str], hops: int) -> set[str]:
        found = set(start)
        for _hop in range(hops):
            found |= {other for claim_id in found for other in linked.get(claim_id, ())}
        return found

    reached = near(touched, HOPS)
    positions = {p for p, i in enumerate(ids) if i in reached}
    requirements = {r for r, on in index.bears.items() if not positions.isdisjoint(on)}
    cases = {c for c, on in index.about.items() if not positions.isdisjoint(on)}
    for claim in fresh:
        requirements.update(claim.bears_on)
        cases.update(claim.cases)
    before, after = (side.ledger.tables()[CASES.folder] for side in sides)
    cases.update(i for i in before.keys() | after.keys() if before.get(i) != after.get(i))
    wanted = near(reached, 1)
    about = {ids[p] for case in cases for p in index.about.get(case, ())}
    about.update(claim.id for claim in fresh if cases.intersection(claim.cases))
    return wanted | near(about, HOPS), requirements


def _built(
    base: Remembered, index: ClaimsIndex, sides: tuple[_Side, _Side], wanted: set[str]
) -> dict[str, Claim] | None:
    """The wanted claims either side holds as the remembered ledger does, built once, by
    id; None if they do not read back."""
    positions = sorted({side.kept[i] for side in sides for i in wanted if i in side.kept})
    claims = base.some_claims(positions)
    if claims is None or any(c.id != index.ids[p] for c, p in zip(claims, positions, strict=True)):
        return None
    return {claim.id: claim for claim in claims}


def _counted(
    index: ClaimsIndex, side: _Side, requirements: set[str]
) -> dict[str, list[tuple[Countable, Stance]]]:
    """Every claim the side holds bearing on each of these requirements, as the status
    rule counts it (:attr:`Ledger.counted`): those it holds as the remembered ledger does
    from the index, those of its files that differ as they read."""
    new = [claim for claim, _ in side.new.values()]
    return {
        requirement: index.counted(requirement, side.kept.__contains__, new)
        for requirement in sorted(requirements)
    }


def _result(
    side: _Side,
    rels: list[str],
    built: dict[str, Claim],
    wanted: set[str],
    counted: dict[str, list[tuple[Countable, Stance]]],
) -> LoadResult:
    """The side's load: its other records, and its wanted claims; every other claim it
    holds known by id alone (:attr:`Ledger.absent`); the claims bearing on the reached
    requirements as the rule counts them (:attr:`Ledger.counted`)."""
    from ledger.records.pipeline import LoadResult

    ledger = side.ledger
    claims: dict[str, Claim] = {}
    for record_id, position in side.kept.items():
        if record_id in wanted:
            claims[record_id] = built[record_id]
            ledger.paths[record_id] = rels[position]
    for record_id, (claim, rel) in side.new.items():
        claims[record_id] = claim
        ledger.paths[record_id] = rel
    ledger.absent = dict.fromkeys(side.kept.keys() - claims.keys(), _CLAIMS)
    ledger.claims = claims
    ledger.counted = counted
    ledger.sort()
    return LoadResult(ledger, files=side.files)
