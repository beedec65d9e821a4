"""Loading a ledger through the cache: the plain stages of pipeline.py, wrapped.

The cache supplies the outcomes it already has and remembers new ones. An outcome is keyed
by the content id of the file's bytes (git's blob id), its kind and its path: a working-tree
path is mapped to its last known content id by the file's identity (no read), a revision's
paths by `git ls-tree`, so a revision shares every outcome with the working tree and only
blobs never seen are read. The outcome of admitting ids, and quote searches, are reused the
same way. Whatever comes from the cache, the result is that of pipeline.load.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ledger.gcpause import paused_gc
from ledger.progress import Progress, announce
from ledger.records.diagnostics import Diagnostic
from ledger.records.ledger import Ledger
from ledger.records.model import RECORD_TYPES
from ledger.records.pipeline import (
    LoadResult,
    admit,
    begin,
    content_key,
    finish,
    jobs,
    read_outcomes,
    run_checks,
)
from ledger.records.record_reader import FileOutcome, read_record_text
from ledger.records.root import Layout
from ledger.records.scan import (
    RECORD_SUFFIX,
    Identity,
    RecordFile,
    Scan,
    discover,
    ledger_key,
    scan_data,
)
from ledger.store import checked_state, loaded_state
from ledger.store.cache import Cache, OutcomeRow, StoredOutcome, open_cache

if TYPE_CHECKING:
    from ledger.analysis.quotes import Position

__all__ = [
    "RECORD_SUFFIX", "LoadResult", "RecordFile", "Scan", "discover", "load", "read_record_text",
    "scan_data",
]  # fmt: skip

PASSING = frozenset({"unreadable"})
"""Problems that may pass without the file changing (a read cut short by the system): a
whole answer that holds one is not remembered."""

UNLINKED_KEPT = 10_000
"""Outcomes no working-tree file holds (a revision's, an edited file's earlier content) kept
at least; as many as the working tree has files when it has more."""


@dataclass
class _Seen:
    """What this process has read from one cache file and built from it: a diff or a log
    loads several revisions that share almost every file, and checks each seal once.

    Kept only while the cache file is as this process left it (``stamp``): a file changed
    by anyone else is read again, seals and all."""

    stored: dict[str, StoredOutcome]
    paths: dict[str, tuple[Identity, str]]
    built: dict[str, FileOutcome] = field(default_factory=dict)
    stamp: tuple[object, ...] = ()


_SEEN: dict[str, _Seen] = {}


def _seen(cache: Cache) -> _Seen:
    found = _SEEN.get(str(cache.path))
    if found is None or found.stamp != cache.stamp():
        found = _SEEN[str(cache.path)] = _Seen(*cache.outcomes())
    return found


def load(
    layout: Layout,
    *,
    check: bool = True,
    progress: Progress | None = None,
    scan: Scan | None = None,
    positions: bool = True,
) -> LoadResult:
    """pipeline.load's result, with the cache supplying what it holds; the plain pipeline
    when there is no cache to be had (LEDGER_NO_CACHE, or one not to be trusted).

    ``positions=False`` says that the caller wants the checks' findings and not where each
    quote stands: the checks may then be made again only for the records a change reaches
    (store/checked_state.py), and ``ledger.positions`` is left unset when they are."""
    from ledger.records import pipeline

    cache = open_cache(layout)
    if cache is None:
        return pipeline.load(layout, check=check, progress=progress, scan=scan)
    try:
        started = begin(layout, scan)
        if isinstance(started, LoadResult):
            return started
        result, scan = started
        with paused_gc():
            announce(progress, f"loading {result.files:,} records")
            base = _records(layout, scan, cache, result, check, progress)
            if check:
                announce(progress, "checking references and quotes")
                _check(layout, cache, result, _Judged(scan, base, positions))
        return finish(result, scan, layout, progress)
    finally:
        cache.close()
        seen = _SEEN.get(str(cache.path))
        if seen is not None:
            seen.stamp = cache.stamp()  # what this process wrote is in ``seen`` too


def _records(
    layout: Layout,
    scan: Scan,
    cache: Cache,
    result: LoadResult,
    check: bool,
    progress: Progress | None,
) -> loaded_state.Remembered | None:
    """The records, and what reading and admitting them found, into ``result``: from the
    ledger remembered whole for this very state, or for an earlier one and the files that
    differ from it (loaded_state.py; a revision too), else through every file's stored
    outcome. The remembered ledger they came from is returned, or the one this load wrote
    first (None: neither).

    A load of the working tree without checks writes the whole ledger when none can serve,
    or it has drifted far; a load with checks (`validate`, run after every edit by hooks and
    CI) only when there is none at all: writing it costs a second or two at 100k records,
    which every later edit then saves."""
    before = len(result.diagnostics)
    worktree = layout.tree is None
    state = ledger_key(layout, scan) if worktree and scan.all_settled else ""
    exact = loaded_state.recall(cache, state) if state else None
    if exact is not None and exact.fill(result):
        result.content_ids = exact.content_ids
        return exact
    base = loaded_state.latest(cache)
    blobs = _from_base(layout, scan, cache, base, result) if base is not None else None
    if blobs is not None:
        result.content_ids = functools.partial(dict, blobs)
    if base is not None and blobs is not None:
        if base.head["drift"] >= loaded_state.rebase_at(len(scan.found)):
            _keep_whole(layout, scan, cache, result, before, check, state, {}, blobs)
        return base
    outcomes, texts, blobs = _outcomes(layout, scan, cache, progress)
    result.content_ids = functools.partial(dict, blobs)
    _admit(layout, scan, outcomes, cache, result)
    first = base is None and cache.fingerprint(loaded_state.NAME) is None
    _keep_whole(layout, scan, cache, result, before, check and not first, state, texts, blobs)
    # The ledger just remembered whole, if it was: a check of it is kept against it, so
    # the first check after an edit can serve from that one (store/checked_state.py).
    return loaded_state.recall(cache, state) if first and state else None


def _from_base(
    layout: Layout, scan: Scan, cache: Cache, base: loaded_state.Remembered, result: LoadResult
) -> dict[str, str | None] | None:
    """Load from the remembered ledger and the files that differ from it, into ``result``;
    each file's blob id then. None, ``result`` untouched, when the remembered ledger cannot
    serve (see Remembered.changes)."""
    changed = base.changes(layout, scan)
    written = base.files() if changed is not None else None
    if changed is None or written is None:
        return None
    fresh, _texts, changed_blobs = _outcomes(layout, scan, cache, None, only=changed)
    if not base.amend(result, fresh):
        outcomes = base.outcomes(scan, fresh)
        if outcomes is None:
            return None
        admit(outcomes, layout, result)
    gone = base.head["removed"]  # files the row holds that this state has not
    blobs = {rel: blob for rel, (_kind, _ident, blob) in written.items() if rel not in gone}
    blobs.update(changed_blobs)
    return blobs


def _keep_whole(
    layout: Layout,
    scan: Scan,
    cache: Cache,
    result: LoadResult,
    before: int,
    check: bool,
    state: str,
    texts: dict[str, str | None],
    blobs: dict[str, str | None],
) -> None:
    """Remember the loaded ledger whole, when a load that asks questions (not a check) has
    a settled state of the working tree to remember it for, and nothing was read short by
    the system."""
    added = result.diagnostics[before:]
    if state and not check and not any(d.code in PASSING for d in added):
        loaded_state.remember(cache, state, layout, scan, result, added, texts, blobs)


def outcomes_of(layout: Layout, files: list[RecordFile]) -> list[FileOutcome]:
    """These record files' outcomes (a few files of a revision), in order: from the cache
    where it holds their content, else read (and then remembered)."""
    cache = open_cache(layout)
    if cache is None:
        return [outcome for _blob, outcome in read_outcomes(jobs(layout, files))]  # type: ignore[misc]
    try:
        return _outcomes(layout, Scan([], []), cache, None, only=files)[0]
    finally:
        cache.close()


def few_outcomes(
    layout: Layout, scan: Scan, cache: Cache, files: list[RecordFile]
) -> list[FileOutcome]:
    """A few of the walk's record files' outcomes, in order, as a load reads them (each
    path then holds its content in the cache, as after a load)."""
    return _outcomes(layout, scan, cache, None, only=files)[0] if files else []


def _outcomes(
    layout: Layout,
    scan: Scan,
    cache: Cache,
    progress: Progress | None,
    only: list[RecordFile] | None = None,
) -> tuple[list[FileOutcome], dict[str, str | None], dict[str, str | None]]:
    """Each record file's outcome (or each of ``only``'s), in file order: from the cache
    when it holds the file's content key, else read (and then remembered); each file's
    record as stored JSON, and its blob id."""
    if only is None:
        seen = _seen(cache)
        files = scan.records
    else:  # a few files: only their rows are read from the cache
        seen = _Seen(*cache.outcomes([f.rel for f in only]))
        files = only
    stored, paths = seen.stored, seen.paths
    keys = _known_keys(layout, files, paths)
    found: dict[str, FileOutcome] = {}
    pending = {f.rel: keys[f.rel] for f in files if keys.get(f.rel) in stored}
    todo = [f for f in files if f.rel not in pending]
    reads = read_outcomes(jobs(layout, todo), have=stored.keys(), progress=progress)
    fresh: list[FileOutcome] = []
    for record_file, (blob, outcome) in zip(todo, reads, strict=True):
        if outcome is None:
            keys[record_file.rel] = pending[record_file.rel] = content_key(
                blob or "", record_file.kind, record_file.rel
            )
        else:
            found[record_file.rel] = outcome
            fresh.append(outcome)
            if blob is not None:
                keys[record_file.rel] = content_key(blob, record_file.kind, record_file.rel)
    unusable = _from_store(files, pending, seen, found)
    if unusable:  # rows that do not read back: their files are read again
        again = [f for f in files if f.rel in unusable]
        for _blob, outcome in read_outcomes(jobs(layout, again)):
            assert outcome is not None
            found[outcome.rel] = outcome
            fresh.append(outcome)
    _remember(layout, scan, files, cache, (stored, paths, keys), fresh)
    texts = {rel: stored[key][0] if key in stored else None for rel, key in keys.items()}
    blobs: dict[str, str | None] = {rel: key.partition("\0")[0] for rel, key in keys.items()}
    return [found[f.rel] for f in files], texts, blobs


def _known_keys(
    layout: Layout, files: list[RecordFile], paths: dict[str, tuple[Any, str]]
) -> dict[str, str]:
    """The content key of each file known without reading it: a revision lists its blob
    ids; a working-tree file's is the stored one while its identity is the stored one."""
    if layout.tree is not None:
        blobs = layout.tree.blobs
        return {f.rel: content_key(blobs[f.rel], f.kind, f.rel) for f in files}
    keys = {}
    for f in files:
        known = paths.get(f.rel)
        if known is not None and known[0] == f.identity:
            keys[f.rel] = known[1]
    return keys


def _from_store(
    files: list[RecordFile],
    pending: dict[str, str],
    seen: _Seen,
    found: dict[str, FileOutcome],
) -> set[str]:
    """Stored outcomes into ``found``; each kind's records validated in one call (far
    cheaper than one at a time). The files whose rows do not read back are returned."""
    from pydantic import TypeAdapter, ValidationError

    unusable: set[str] = set()
    texts: dict[str, list[tuple[str, str]]] = {kind: [] for kind in RECORD_TYPES}
    built: list[tuple[str, str]] = []
    for f in files:
        key = pending.get(f.rel)
        if key is None:
            continue
        done = seen.built.get(key)
        if done is not None:  # the same content at the same path: the same outcome
            found[f.rel] = replace(done, diagnostics=list(done.diagnostics))
            continue
        built.append((f.rel, key))
        record, problems = seen.stored[key]
        outcome = _stored_outcome(f, problems)
        if outcome is None:
            unusable.add(f.rel)
            continue
        outcome.blob = key.partition("\0")[0]
        found[f.rel] = outcome
        if record is not None:
            texts[f.kind].append((f.rel, record))
    for kind, pairs in texts.items():
        if not pairs:
            continue
        text = "[" + ",".join(record for _rel, record in pairs) + "]"
        try:
            records = TypeAdapter(list[RECORD_TYPES[kind]]).validate_json(text)  # type: ignore[valid-type]
        except (ValidationError, ValueError):
            records = []
        if len(records) != len(pairs):
            unusable.update(rel for rel, _record in pairs)
            continue
        for record, (rel, _record) in zip(records, pairs, strict=True):
            found[rel].record = record
    for rel in unusable:
        found.pop(rel, None)
    for rel, key in built:
        if rel in found:
            seen.built[key] = found[rel]
    return unusable


def _stored_outcome(record_file: RecordFile, problems: str) -> FileOutcome | None:
    """A stored outcome, its record still to come; None when it does not read back."""
    if not problems:
        return FileOutcome(record_file.rel, record_file.kind, None)
    try:
        plain = json.loads(problems)
        return FileOutcome(
            record_file.rel,
            record_file.kind,
            None,
            [Diagnostic.from_dict(d) for d in plain["diagnostics"]],
            [str(u) for u in plain["unloaded"]],
        )
    except (ValueError, KeyError, TypeError):
        return None


def _remember(
    layout: Layout,
    scan: Scan,
    files: list[RecordFile],
    cache: Cache,
    known: tuple[dict[str, StoredOutcome], dict[str, tuple[Any, str]], dict[str, str]],
    fresh: list[FileOutcome],
) -> None:
    """Store the outcomes of ``files`` (the walk's, all or a few) just worked out; for the
    working tree, also which content each path holds now (only for a file that had
    settled when the walk began: scan.py's racy-file rule), and unlink what a path held
    before. ``known``: the stored outcomes, the content each path held, each file's key."""
    stored, paths, keys = known
    worktree = layout.tree is None
    identities = {f.rel: f.identity for f in files} if worktree else {}

    def held(rel: str) -> Identity | None:
        ident = identities.get(rel)
        return ident if ident is not None and scan.settled_file(ident) else None

    # A file read before it had settled could change again unseen: nothing is kept for its
    # path, whatever its content, as for a file gone.
    forget = [f.rel for f in files if not scan.settled_file(f.identity)] if worktree else []
    unsettled = set(forget)
    rows: dict[str, OutcomeRow] = {}
    for outcome in fresh:
        if outcome.blob is not None and outcome.rel not in unsettled:
            key = content_key(outcome.blob, outcome.kind, outcome.rel)
            row = (outcome.blob, outcome.kind, outcome.rel, held(outcome.rel))
            rows[key] = (*row, _record_json(outcome), _problems_json(outcome))
    if worktree:
        for rel, (_ident, key) in paths.items():  # the path holds other content, or is gone
            if rel in unsettled:
                continue
            if keys.get(rel) != key and key in stored and key not in rows:
                rows[key] = _row(key, None, stored[key])
        for rel, key in keys.items():  # content found by reading: the path holds it now
            before = paths.get(rel)
            was = before[0] if before is not None and before[1] == key else None
            if rel not in unsettled and key not in rows and key in stored and was != held(rel):
                rows[key] = _row(key, held(rel), stored[key])
    keep = max(UNLINKED_KEPT, len(scan.found)) if worktree else None
    for key, row in rows.items():
        stored[key] = row[4:]
        if row[3] is not None:
            paths[row[2]] = (row[3], key)
    if rows or forget or (keep is not None and len(stored) > len(paths) + keep):
        cache.store_outcomes(rows.values(), forget=forget, keep=keep)


def _row(key: str, ident: Identity | None, outcome: StoredOutcome) -> OutcomeRow:
    blob, kind, rel = key.split("\0")
    return (blob, kind, rel, ident, *outcome)


def _record_json(outcome: FileOutcome) -> str | None:
    if outcome.record is None:
        return None
    return outcome.record.model_dump_json(by_alias=True, exclude_defaults=True)


def _problems_json(outcome: FileOutcome) -> str:
    """A file's problems as stored: empty when it has none (most files)."""
    if not outcome.diagnostics and not outcome.unloaded:
        return ""
    plain = {
        "diagnostics": [d.to_dict() for d in outcome.diagnostics],
        "unloaded": outcome.unloaded,
    }
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":"))


# -- admitting ids ---------------------------------------------------------------------------


def _admit(
    layout: Layout, scan: Scan, outcomes: list[FileOutcome], cache: Cache, result: LoadResult
) -> None:
    """Admit ids as they were admitted for exactly these files' contents before, or admit
    them and remember how (only when every file had settled: its problems were placed by
    reading the files again)."""
    key = _admission_key(outcomes)
    stored = cache.admitted(key) if key else None
    if isinstance(stored, dict) and _readmit(outcomes, stored, result):
        return
    found = admit(outcomes, layout, result)
    if key and (layout.tree is not None or scan.all_settled):
        owners = set(result.ledger.paths.values())
        plain = {
            "diagnostics": [d.to_dict() for d in found.diagnostics],
            "unloaded": sorted(found.unloaded),
            "rejected": [o.rel for o in outcomes if o.record is not None and o.rel not in owners],
        }
        cache.store_outcomes(
            [], (key, json.dumps(plain, ensure_ascii=False, separators=(",", ":")))
        )


def _admission_key(outcomes: list[FileOutcome]) -> str:
    """What admitting ids depends on: every file's path, kind and content, and the code;
    "" when a file had no content to name (it could not be read)."""
    from ledger.store.cache import schema_version

    digest = hashlib.sha256(schema_version().encode())
    for outcome in sorted(outcomes, key=lambda o: o.rel):
        if outcome.blob is None:
            return ""
        digest.update(
            f"{outcome.rel}\0{outcome.kind}\0{outcome.blob}\n".encode("utf-8", "surrogateescape")
        )
    return digest.hexdigest()


def _readmit(outcomes: list[FileOutcome], admitted: dict[str, Any], result: LoadResult) -> bool:
    """Admit ids as stored; False (and nothing added) when it does not read back cleanly."""
    try:
        rejected = {str(rel) for rel in admitted["rejected"]}
        diagnostics = [Diagnostic.from_dict(d) for d in admitted["diagnostics"]]
        unloaded = [str(u) for u in admitted["unloaded"]]
    except (KeyError, TypeError, ValueError):
        return False
    for outcome in outcomes:
        result.diagnostics.extend(outcome.diagnostics)
        if outcome.record is not None and outcome.rel not in rejected:
            result.ledger.add(outcome.kind, outcome.record, outcome.rel)  # type: ignore[arg-type]
    result.diagnostics.extend(diagnostics)
    result.unloaded.update(unloaded)
    result.ledger.sort()
    return True


FETCH_EACH_UP_TO = 1000
"""A ledger with at most this many quotes (a record and its source, as `show` places)
looks each search up alone: reading every remembered search costs about 6 µs a row, a
lookup about 50 µs, and a ledger of 100,000 claims remembers some 77,000."""


def quote_positions(layout: Layout, ledger: Ledger) -> dict[str, Position]:
    """Where each quote and wording stands in its source (see checks.quote_positions),
    for a ledger loaded with or without its checks: quote searches come from the cache, and
    new ones are remembered."""
    from ledger.analysis.checks import quote_positions as place
    from ledger.analysis.quotes import QuoteMemo

    if ledger.positions is not None:
        return ledger.positions
    cache = open_cache(layout)
    if cache is None:
        return place(ledger, layout)
    try:
        few = len(ledger.claims) + len(ledger.requirements) <= FETCH_EACH_UP_TO
        memo = QuoteMemo(fetch=cache.quote_match) if few else QuoteMemo(cache.quote_matches())
        found = place(ledger, layout, memo)
        if memo.fresh:
            cache.store_quote_matches(memo.fresh, [])
        return found
    finally:
        cache.close()


def position_of(layout: Layout, ledger: Ledger, record_id: str) -> Position | None:
    """Where one claim's quote or requirement's wording stands in its source; None for a
    record of another kind, or one not found in an intact archive. Only its source's
    archive is read."""
    if ledger.positions is not None:
        return ledger.positions.get(record_id)
    record = ledger.claims.get(record_id) or ledger.requirements.get(record_id)
    source = ledger.sources.get(record.source) if record is not None else None
    if record is None or source is None:
        return None
    kind = "claims" if record_id in ledger.claims else "requirements"
    alone = Ledger(
        sources={source.id: source},
        paths={i: ledger.paths[i] for i in (source.id, record_id) if i in ledger.paths},
        **{kind: {record_id: record}},  # type: ignore[arg-type]
    )
    return quote_positions(layout, alone).get(record_id)


NAME_FINDINGS = "check:statement-names"
"""The cache's name for the statement-name findings kept between checks (analysis/naming)."""


@dataclass
class _Judged:
    """What a check after a change can be worked out from: the walk, the remembered ledger
    the records came from, and whether every quote's position is wanted."""

    scan: Scan
    base: loaded_state.Remembered | None
    positions: bool

    def kept_under(
        self, layout: Layout, ledger: Ledger
    ) -> tuple[str, loaded_state.Remembered] | None:
        """The key a check of this state is kept under, and the remembered ledger it is
        said against (None: it is not kept)."""
        base = self.base
        if layout.tree is not None or base is None or not base.head["clean"]:
            return None
        key = checked_state.key_of(layout, self.scan, base, ledger)
        return (key, base) if key is not None else None

    @functools.cached_property
    def kinds(self) -> dict[str, str]:
        return {rel: kind for kind, _path, rel, _identity in self.scan.found}


def _check(layout: Layout, cache: Cache, result: LoadResult, judged: _Judged) -> None:
    """The checks, searching only quotes not searched before; only for the records a change
    reaches, when the caller does not want every quote's position and the last check of
    the working tree can serve (store/checked_state.py)."""
    from ledger.analysis.naming import NameMemo
    from ledger.analysis.quotes import QuoteMemo

    kept = judged.kept_under(layout, result.ledger)
    again = None
    if kept is not None and not judged.positions:
        again = checked_state.recheck(cache, *kept, result, judged.kinds)
    before = len(result.diagnostics)
    if again is not None:
        memo = QuoteMemo(fetch=cache.quote_match)
        run_checks(layout, result, memo, only=again.ids)
        found = [*again.kept, *result.diagnostics[before:]]
        result.diagnostics[before:] = found
        if memo.fresh:
            cache.store_quote_matches(memo.fresh, [])
    else:
        memo = QuoteMemo(cache.quote_matches())
        names = NameMemo(cache.newest(NAME_FINDINGS))
        run_checks(layout, result, memo, names)
        stale = memo.stale()
        if memo.fresh or stale:
            cache.store_quote_matches(memo.fresh, stale)
        if names.names and names.changed:
            cache.store_text(NAME_FINDINGS, names.names, names.kept())
        found = result.diagnostics[before:]
    # Kept, as every answer, only when every file had settled (one that had not could
    # change again unseen) and nothing was read short.
    if kept is not None and judged.scan.all_settled and not any(d.code in PASSING for d in found):
        checked_state.remember(cache, *kept, result, judged.kinds, found)
