"""Loading a ledger as plain stages, with no cache in them.

1. read each record file's bytes into an outcome: a record, or located problems (a pure
   function of kind, path and bytes: record_reader.outcome_of);
2. admit ids over all outcomes, in file order (a file named for its id owns it);
3. run the cross-record checks (quote searches memoised by archive digest and quote).

Every stage adds to one list of diagnostics and nothing raises on bad data: records that
pass the schema go into the Ledger even when another record is broken. The files come from
the working tree or, for a layout with a ``tree``, from a git revision's objects.
load.py wraps these stages with the cache; :func:`load` runs them plainly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.analysis.naming import NameMemo
from ledger.analysis.quotes import QuoteMemo
from ledger.gcpause import paused_gc
from ledger.progress import Progress, announce, finished
from ledger.records import record_reader
from ledger.records.diagnostics import Diagnostic, make, ordered
from ledger.records.files import MAX_RECORD_BYTES, ReadFailure
from ledger.records.ledger import Ledger
from ledger.records.model import RECORD_TYPES
from ledger.records.record_reader import FileOutcome, outcome_of, place_in, record_text
from ledger.records.root import Layout
from ledger.records.scan import RECORD_SUFFIX, RecordFile, Scan, scan_data, unreadable_data

PARALLEL_MIN = 2000
"""Fewer files than this are read in this process: starting workers would cost more."""

Job = tuple[str, str, "str | bytes | ReadFailure"]
"""One file to read: (kind, path from the root, where its bytes are: a path on disk, or the
bytes themselves, or why there are none)."""

Read = tuple["str | None", "FileOutcome | None"]
"""A file read: its content id (None: no bytes), and its outcome (None: the caller has it)."""


@dataclass
class LoadResult:
    """The ledger as far as it could be read, every problem found, and how many files."""

    ledger: Ledger
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    fatal: str | None = None
    """Set when the ledger itself cannot be read (no data folder, an unreadable one, or more
    record files than the limit)."""
    left_out: int = 0
    """Record files (and linked or unlisted record folders, and YAML files out of place)
    whose records are not in the ledger: they failed to load, their id was taken, or they
    were not read. A command answering from the ledger says how many."""
    unloaded: set[str] = field(default_factory=set)
    """Ids (and file names) of record files that exist but could not be loaded: references to
    them are not reported again as unresolved, since the file's own problem already is."""
    content_ids: Callable[[], dict[str, str | None]] | None = None
    """Each record file's content id by path, worked out when asked (None: not known, as in
    a load without the cache)."""
    left_out_paths: tuple[str, ...] = ()
    """The paths of what ``left_out`` counts: the record files whose records are not in the
    ledger, then what the walk would not read (:func:`finish`)."""


def load(
    layout: Layout,
    *,
    check: bool = True,
    progress: Progress | None = None,
    scan: Scan | None = None,
) -> LoadResult:
    """Read every record file of the layout (working tree or revision) and, with ``check``,
    run the cross-record checks: every stage, nothing remembered or taken from a cache."""
    started = begin(layout, scan)
    if isinstance(started, LoadResult):
        return started
    result, scan = started
    with paused_gc():  # the collector would walk the growing heap again and again
        announce(progress, f"loading {len(scan.records):,} records")
        reads = read_outcomes(jobs(layout, scan.records), progress=progress)
        admit([outcome for _blob, outcome in reads if outcome is not None], layout, result)
        if check:
            announce(progress, "checking references and quotes")
            run_checks(layout, result, QuoteMemo())
    return finish(result, scan, layout, progress)


# -- the stages ----------------------------------------------------------------------------


def begin(layout: Layout, scan: Scan | None) -> tuple[LoadResult, Scan] | LoadResult:
    """The record files to read and what their listing found; a finished result (with
    ``fatal`` set) when the ledger cannot be read at all, or holds too many files."""
    from ledger.analysis.checks import every_record_of, too_many_records

    result = LoadResult(Ledger())
    if layout.tree is None:
        result.fatal = unreadable_data(layout)
        if result.fatal is not None:
            return result
        scan = scan if scan is not None else scan_data(layout)
    else:
        from ledger.git.revision_scan import scan_revision

        scan = scan_revision(layout, layout.tree.blobs)
    result.diagnostics.extend(scan.diagnostics)
    result.files = len(scan.found)
    result.unloaded.update(every_record_of(kind) for kind in scan.unlisted)
    too_many = too_many_records(result.files, layout)
    if too_many is not None:  # read nothing, and answer nothing: memory stays bounded
        result.diagnostics.append(too_many)
        result.fatal = f"{too_many.path}: {too_many.message} ({too_many.code}); {too_many.hint}"
        return result
    return result, scan


def jobs(layout: Layout, files: Sequence[RecordFile]) -> list[Job]:
    """What reading each file needs: its path on disk, or, in a revision, its bytes (all
    fetched from git's objects at once)."""
    if layout.tree is None:
        return [(f.kind, f.rel, f.where) for f in files]
    found = layout.tree.read_many([f.rel for f in files], MAX_RECORD_BYTES)
    return [(f.kind, f.rel, found[f.rel]) for f in files]


def read_outcomes(
    todo: list[Job], have: Collection[str] = frozenset(), progress: Progress | None = None
) -> list[Read]:
    """Each file's content id and outcome, in order, in worker processes when there are
    many. A file whose content key (:func:`content_key`) is in ``have`` is not parsed: its
    outcome is the caller's to supply."""
    workers = min(os.cpu_count() or 1, 8)
    if len(todo) >= PARALLEL_MIN and workers > 1:
        reads = _in_workers(todo, have, workers, progress)
        if reads is not None:
            return reads
    reads = []
    for number, (kind, rel, where) in enumerate(todo, 1):
        data = record_reader.read_record_bytes(where, rel) if isinstance(where, str) else where
        reads.append(_read(kind, rel, data, have))
        if progress and number % 500 == 0:
            progress("reading files", number, len(todo))
    return reads


def content_key(blob: str, kind: str, rel: str) -> str:
    """What an outcome depends on: the bytes (by content id), the kind and the path."""
    return f"{blob}\0{kind}\0{rel}"


def _read(kind: str, rel: str, data: bytes | ReadFailure, have: Collection[str]) -> Read:
    if isinstance(data, bytes) and have:
        from ledger.records.content_id import blob_id

        blob = blob_id(data)
        if content_key(blob, kind, rel) in have:
            return blob, None
    outcome = outcome_of(kind, rel, data)
    return outcome.blob, outcome


_HAVE: Collection[str] = frozenset()
"""``have`` as the worker processes see it: set before they are forked."""


def _work(job: Job) -> tuple[str | None, dict[str, Any] | None]:
    """A worker's job: one file's content id and, unless the caller has it, its outcome in
    plain form (the record is built in the parent, while the workers read on)."""
    kind, rel, where = job
    data = record_reader.read_record_bytes(where, rel) if isinstance(where, str) else where
    blob, outcome = _read(kind, rel, data, _HAVE)
    return blob, (outcome.plain() if outcome is not None else None)


def _in_workers(
    todo: list[Job], have: Collection[str], workers: int, progress: Progress | None
) -> list[Read] | None:
    import multiprocessing

    global _HAVE
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    reads: list[Read] = []
    _HAVE = have
    try:
        with multiprocessing.get_context(method).Pool(workers) as pool:
            answers = pool.imap(_work, todo, chunksize=256)
            for number, ((kind, rel, _where), (blob, plain)) in enumerate(
                zip(todo, answers, strict=True), 1
            ):
                reads.append((blob, None if plain is None else _built(kind, rel, blob, plain)))
                if progress and number % 500 == 0:
                    progress("reading files", number, len(todo))
    except (OSError, RuntimeError):
        return None  # no processes to be had: read here instead
    finally:
        _HAVE = frozenset()
    return reads


def _built(kind: str, rel: str, blob: str | None, plain: dict[str, Any]) -> FileOutcome:
    outcome = FileOutcome.from_plain(rel, kind, plain)
    outcome.blob = blob
    if outcome.data is not None:
        outcome.record = RECORD_TYPES[kind].model_validate(outcome.data)
    return outcome


def admit(outcomes: list[FileOutcome], layout: Layout, result: LoadResult) -> LoadResult:
    """Turn outcomes into records, in file order: ids checked against names and each other.
    Adds to ``result`` the records and the problems of files and of ids; returns what the
    admission itself found (its problems and unloaded ids), for a cache to keep."""
    found = LoadResult(result.ledger)
    owners: dict[str, str] = {}
    named, misnamed = [], []
    for outcome in outcomes:
        if outcome.diagnostics:
            result.diagnostics.extend(outcome.diagnostics)
        if outcome.unloaded:
            found.unloaded.update(outcome.unloaded)
        if outcome.record is None and outcome.data is not None:
            outcome.record = RECORD_TYPES[outcome.kind].model_validate(outcome.data)
        if outcome.record is not None:
            mine = named if _named_for(outcome.record, outcome) else misnamed
            mine.append((outcome.record, outcome))
    # A file whose name matches its id owns that id; one that merely claims it (a copy under
    # another name) is the one reported, whatever the order of the names.
    for record, outcome in (*named, *misnamed):
        _add(record, outcome, found, owners)
    found.diagnostics = place(found.diagnostics, layout)
    result.diagnostics.extend(found.diagnostics)
    result.unloaded.update(found.unloaded)
    result.ledger.sort()
    return found


def run_checks(
    layout: Layout,
    result: LoadResult,
    memo: QuoteMemo,
    names: NameMemo | None = None,
    only: Collection[str] | None = None,
) -> None:
    """The cross-record checks, placed; ``memo`` answers quote searches done before, and
    ``names`` statement-name checks done before; with ``only``, those records' alone."""
    from ledger.analysis.checks import check_ledger

    ledger, unloaded = result.ledger, result.unloaded
    found = check_ledger(ledger, layout, unloaded=unloaded, memo=memo, names=names, only=only)
    result.diagnostics.extend(place(found, layout))


def misplaced(scan: Scan) -> tuple[str, ...]:
    """The files the walk found out of place (each a record file left out), by path."""
    return tuple(sorted({d.path for d in scan.diagnostics}))


def finish(result: LoadResult, scan: Scan, layout: Layout, progress: Progress | None) -> LoadResult:
    """Count what was left out and put the diagnostics in order."""
    result.left_out = result.files - len(result.ledger.paths) + len(scan.diagnostics)
    if result.left_out:  # named only when some are: a set of every path is not free
        admitted = set(result.ledger.paths.values())
        missing = sorted(rel for _kind, _where, rel, _identity in scan.found if rel not in admitted)
        result.left_out_paths = (*missing, *misplaced(scan))
    result.diagnostics = ordered(result.diagnostics)
    finished(progress)
    return result


def _named_for(record: object, outcome: FileOutcome) -> bool:
    return outcome.rel.rpartition("/")[2] == f"{record.id}{RECORD_SUFFIX}"  # type: ignore[attr-defined]


def _add(record: object, outcome: FileOutcome, result: LoadResult, owners: dict[str, str]) -> None:
    record_id = record.id  # type: ignore[attr-defined]
    name = outcome.rel.rpartition("/")[2]
    stem = name[: -len(RECORD_SUFFIX)]
    if record_id != stem:
        result.diagnostics.append(
            make(
                "id-mismatch",
                outcome.rel,
                f"the id '{record_id}' differs from the file name '{name}'",
                f"rename the file to {record_id}{RECORD_SUFFIX}, or set `id: {stem}`",
                field="id",
                anchor=(("id",), False),
            )
        )
    if record_id in owners:
        result.diagnostics.append(
            make(
                "duplicate-id",
                outcome.rel,
                f"the id '{record_id}' is already used by {owners[record_id]}",
                "ids are unique across all kinds of record: choose another",
                field="id",
                anchor=(("id",), False),
            )
        )
        return
    owners[record_id] = outcome.rel
    result.ledger.add(outcome.kind, record, outcome.rel)  # type: ignore[arg-type]


def place(diagnostics: list[Diagnostic], layout: Layout) -> list[Diagnostic]:
    """Give a line and column to diagnostics that carry only a field path.

    Checks across records work on validated data without positions; the few files they
    find fault with are read again here (from disk, or from the revision), with positions.
    """
    wanted = sorted({d.path for d in diagnostics if not d.line and d.anchor is not None})
    if not wanted:
        return diagnostics
    if layout.tree is not None:
        found = layout.tree.read_many(wanted, MAX_RECORD_BYTES)
        texts = {rel: record_text(found[rel], rel) for rel in wanted}
    else:
        texts = {rel: record_reader.read_record_text(layout.root / rel, rel) for rel in wanted}
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    placed = []
    for rel, group in by_path.items():
        text = texts.get(rel)
        placed.extend(place_in(group, text if isinstance(text, str) else None, rel))
    return placed
