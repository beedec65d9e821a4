"""`ledger validate` after claim files alone changed since its last check, without
building every claim.

After an edit to a claim, the kept check (:mod:`ledger.store.checked_state`) says which
records the edit reaches; a load would still build all of a large ledger's claims from the
remembered ledger to check those few, which costs more than the checks. Here the ledger is
built only as far as that check reads it:

* every record of the other kinds, from the remembered ledger (a small part of it, kept
  apart from its claims), or from its file when that changed since;
* the claims the edit reaches (by their old id and their new), the claims that link to
  them, the records reported before for a reference to no record, and every claim those
  link to (the grounds of their reviews), each read as a load reads it;
* the id of every other claim, from its file's name (:attr:`Ledger.absent`): each file of
  a clean ledger holds the record named for it.

The findings are exactly those of ``load(positions=False)``. The case it serves is narrow
on purpose; anything else answers False and the caller loads the ledger: a file of another
kind changed since the last check; a record file that does not read into one sound record
named for it; an id held twice; assertions (they judge every claim); a remembered ledger
or kept check that was not clean; a revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.records.diagnostics import Diagnostic, ordered
from ledger.records.kinds import ASSERTIONS, CLAIMS
from ledger.records.load import few_outcomes
from ledger.records.scan import RECORD_SUFFIX, RecordFile
from ledger.records.scan import stem as _stem
from ledger.store import checked_state, loaded_state
from ledger.store.checked_state import links_to

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ledger.records.ledger import Ledger
    from ledger.records.pipeline import LoadResult
    from ledger.records.record_reader import FileOutcome
    from ledger.records.root import Layout
    from ledger.records.scan import Identity, Scan
    from ledger.store.cache import Cache

_CLAIMS = CLAIMS.folder
Reading = tuple["Layout", "Scan", "Cache"]
"""What reading a few record files as a load does needs: the layout, the walk, the cache."""
Found = tuple[str, str, str, "Identity"]
"""A record file as the walk met it (scan.py's ``found``): kind, path, path from the root,
identity."""
_NONE: loaded_state.FileState = ("", (), None)


def checked(layout: Layout, scan: Scan, result: LoadResult) -> bool:
    """Fill ``result`` (as pipeline.begin left it) with what a check of every record
    finds, worked out for the records that the claim edits since the kept check reach;
    False, ``result`` untouched, when this case does not apply. ``result.ledger`` is then
    a view made for the check (most claims absent), for no other use."""
    return loaded_state.viewed(
        layout, scan, result, lambda cache: _checked(layout, scan, cache, result), False
    )


def _checked(layout: Layout, scan: Scan, cache: Cache, result: LoadResult) -> bool:
    from ledger.records.ledger import Ledger
    from ledger.records.load import PASSING
    from ledger.records.pipeline import misplaced

    base = loaded_state.latest(cache)
    changed = base.changes(layout, scan) if base is not None else None
    if base is None or changed is None:
        return False
    then = Then(base)
    removed: set[str] = base.head["removed"]
    asserted = ASSERTIONS.folder
    if base.head["paths"][asserted] and all(f.kind != asserted for f in changed):
        return False  # assertions judge every claim: decided before any file is read
    fresh = {o.rel: o for o in few_outcomes(layout, scan, cache, changed)}
    if not all(o.sound() and o.blob is not None for o in fresh.values()):
        return False  # a broken or misnamed file: the whole admission says what it is
    claim_list = [f for f in scan.found if f[0] == _CLAIMS]  # the walk's, unsorted
    claim_files = {f[2].rpartition("/")[2][: -len(RECORD_SUFFIX)]: f for f in claim_list}
    ledger = Ledger()
    if not _fill_others(ledger, base, fresh, removed, claim_files, len(claim_list)):
        return False  # an id held twice, assertions, or a row that does not read back
    key = checked_state.key_of(layout, scan, base, ledger)
    kept = checked_state.read(cache, key) if key is not None else None
    if key is None or kept is None or kept["unloaded"]:
        return False
    found = checked_state.findings(kept)
    if found is None:
        return False
    now = Now(then, {rel: (o.blob, o.kind) for rel, o in fresh.items()}, removed)
    plan = _plan(kept, found, now, len(scan.found), claim_files)
    if plan is None:
        return False
    since, ids, hinted = plan
    if not _fill_claims(ledger, ids, ClaimFiles(claim_files, fresh, (layout, scan, cache))):
        return False
    links: dict[str, list[str]] = kept["links"]
    for record_id in {_stem(rel) for rel in since}:  # by the old id and the new
        links.pop(record_id, None)
        claim = ledger.claims.get(record_id)
        if claim is not None and claim.relations:
            links[record_id] = links_to(claim)
    kept_found = checked_state.still_found(found, since | hinted | {ledger.paths[i] for i in ids})
    before = len(result.diagnostics)
    result.ledger = ledger
    _run_checks(layout, cache, result, ids)
    new = result.diagnostics[before:]
    result.diagnostics[before:] = [*kept_found, *new]
    found = result.diagnostics[before:]
    result.diagnostics = ordered(result.diagnostics)
    result.left_out = len(scan.diagnostics)
    result.left_out_paths = misplaced(scan)
    if scan.all_settled and not any(d.code in PASSING for d in found):
        delta = _delta(base, fresh.values())
        checked_state.store(cache, key, delta, [], found, links)
    return True


def _fill_others(
    ledger: Ledger,
    base: loaded_state.Remembered,
    fresh: dict[str, FileOutcome],
    removed: set[str],
    claim_files: dict[str, Found],
    claims: int,
) -> bool:
    """Every record but the claims into ``ledger`` (the remembered ledger's, those of the
    files read again in their place), and every claim's id (its file's name) as absent.
    False when an id is held twice (``claims``: how many claim files there are), the ledger
    has assertions, or the remembered ledger's records do not read back."""
    if not base.fill_others(ledger, fresh.values(), removed | fresh.keys()):
        return False
    if ledger.assertions:
        return False  # each judges every claim bearing on its requirement
    if len(claim_files) != claims or any(stem in ledger.paths for stem in claim_files):
        return False
    ledger.sort()
    ledger.absent = dict.fromkeys(claim_files, _CLAIMS)
    return True


class Then:
    """Each record file as the remembered ledger has it, looked up by path."""

    def __init__(self, base: loaded_state.Remembered) -> None:
        self.base = base

    def kind(self, rel: str) -> str:
        """The file's kind then ("" when there was no such file)."""
        return (self.base.state_of(rel) or _NONE)[0]

    def blob(self, rel: str) -> str | None:
        """The file's content id then (None when there was no such file)."""
        return (self.base.state_of(rel) or _NONE)[2]


@dataclass
class Now:
    """Each record file's content id now, told by how it differs from the remembered
    ledger: a file that is neither read again (``fresh``: its content id and kind) nor
    gone holds what it held."""

    then: Then
    fresh: dict[str, tuple[str | None, str]]
    removed: set[str]

    def blob(self, rel: str) -> str | None:
        """The file's content id now (None: there is no such file)."""
        if rel in self.fresh:
            return self.fresh[rel][0]
        if rel in self.removed:
            return None
        return self.then.blob(rel)


def _plan(
    kept: dict[str, Any],
    found: list[Diagnostic],
    now: Now,
    count: int,
    claim_files: dict[str, Found],
) -> tuple[set[str], set[str], set[str]] | None:
    """The claim files changed since the kept check, the records to check again, and the
    files of the records reported then for a reference to no record; None when the kept
    check was not of a clean ledger, or too much changed since (``count``: record files
    now). Only a file read again, gone, or differing then can differ now."""
    delta: dict[str, list[Any]] = kept["delta"]
    if any(e[0] is not None and e[1] != _stem(rel) for rel, e in delta.items()):
        return None  # a file that held no record then, or another than its name says
    since = set()
    for rel in {*now.fresh, *now.removed, *delta}:
        blob = delta[rel][0] if rel in delta else now.then.blob(rel)
        if now.blob(rel) != blob:
            since.add(rel)
    if len(since) > loaded_state.drift_limit(count):
        return None
    for rel in since:
        kind = delta[rel][2] if rel in delta else now.then.kind(rel)
        there = now.blob(rel) is not None
        if kind not in ("", _CLAIMS) or (there and not _is_claim(rel, claim_files)):
            return None
    touched = {_stem(rel) for rel in since}
    links: dict[str, list[str]] = kept["links"]
    ids = {i for i in touched if i in claim_files}
    ids.update(c for c, targets in links.items() if c not in touched and touched & set(targets))
    hinted = checked_state.hinted_files(found)
    ids.update(_stem(rel) for rel in hinted)
    return since, ids, hinted


def _is_claim(rel: str, claim_files: dict[str, Found]) -> bool:
    found = claim_files.get(_stem(rel))
    return found is not None and found[2] == rel


@dataclass
class ClaimFiles:
    """The claim files as the walk met them, by id (their names), those read again, and what
    reading the others as a load does needs."""

    by_id: dict[str, Found]
    fresh: dict[str, FileOutcome]
    reading: Reading

    def read_into(self, ledger: Ledger, ids: set[str]) -> bool:
        """These claims (those with files) into the view; False when one does not read
        back into one sound record."""
        todo = [RecordFile._make(self.by_id[i]) for i in sorted(ids) if i not in ledger.claims]
        outcomes = [self.fresh.get(f.rel) for f in todo]
        unread = [f for f, o in zip(todo, outcomes, strict=True) if o is None]
        read = iter(few_outcomes(*self.reading, unread))
        for f, outcome in zip(todo, outcomes, strict=True):
            outcome = outcome if outcome is not None else next(read)
            if not outcome.sound():
                return False
            claim = outcome.record
            ledger.claims[claim.id] = claim  # type: ignore[union-attr,assignment]
            ledger.paths[claim.id] = f.rel  # type: ignore[union-attr]
            ledger.absent.pop(claim.id, None)  # type: ignore[union-attr]
        return True


def _fill_claims(ledger: Ledger, ids: set[str], files: ClaimFiles) -> bool:
    """The claims among ``ids`` into the view, and the claims they link to (the grounds
    of their reviews), from their files; False when one does not read back soundly."""
    wanted = {i for i in ids if i in files.by_id}
    if not files.read_into(ledger, wanted):
        return False
    linked = {t for i in wanted for t in links_to(ledger.claims[i])}
    if not files.read_into(ledger, linked & files.by_id.keys()):
        return False
    ids.difference_update(i for i in list(ids) if ledger.kind_of(i) is None)
    ledger.claims = dict(sorted(ledger.claims.items()))
    return True


def _run_checks(layout: Layout, cache: Cache, result: LoadResult, ids: set[str]) -> None:
    from ledger.analysis.quotes import QuoteMemo
    from ledger.records.pipeline import run_checks

    memo = QuoteMemo(fetch=cache.quote_match)
    run_checks(layout, result, memo, only=ids)
    if memo.fresh:
        cache.store_quote_matches(memo.fresh, [])


def _delta(base: loaded_state.Remembered, fresh: Iterable[FileOutcome]) -> dict[str, list[Any]]:
    """The files that differ from the remembered ledger, as a kept check names them."""
    return {
        rel: [blob, None if blob is None else _stem(rel), kind]
        for rel, (blob, kind) in base.differing(fresh).items()
    }
