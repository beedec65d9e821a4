"""Loading a ledger: find the record files, read them safely, validate them, check them.

A pipeline in the manner of beancount: every stage adds to one list of diagnostics and
nothing raises on bad data. Records that pass the schema go into the Ledger even when
another record is broken, so one bad file never hides the state of the rest.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from ledger.cache import Cache, FileRow, StoredFile, open_cache
from ledger.diagnostics import Diagnostic, make, ordered
from ledger.gcpause import paused_gc
from ledger.ledger import Ledger
from ledger.model import RECORD_TYPES
from ledger.progress import Progress, announce, finished
from ledger.record_reader import FileOutcome, read_one, read_plain, read_record_text
from ledger.root import Layout
from ledger.scan import (
    RECORD_SUFFIX,
    RecordFile,
    Scan,
    discover,
    ledger_key,
    scan_data,
    unreadable_data,
)
from ledger.yamlread import Parsed, parse

__all__ = [
    "RECORD_SUFFIX", "LoadResult", "RecordFile", "Scan", "discover", "load", "read_record_text",
    "scan_data",
]  # fmt: skip

PARALLEL_MIN = 2000
"""Fewer files than this are read in this process: starting workers would cost more."""

PASSING = frozenset({"unreadable"})
"""Problems that may pass without the file changing (a read cut short by the system): a
file that had one is read again next time rather than remembered."""

ADMITTED = "snapshot:admitted"
"""The stored outcome of admitting ids (problems, unloaded ids, files whose record was not
admitted), under the fingerprint of the files it was worked out from."""


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


def load(
    layout: Layout,
    *,
    check: bool = True,
    use_cache: bool = True,
    progress: Progress | None = None,
    scan: Scan | None = None,
) -> LoadResult:
    """Read every record under the data folder; with ``check``, run the cross-record checks.

    Files unchanged since the last run come from the cache; the others are read (by worker
    processes when there are many).
    """
    result = LoadResult(Ledger())
    if _unreadable(layout, result):
        return result
    if scan is None:
        scan = scan_data(layout)
    result.diagnostics.extend(scan.diagnostics)
    result.files = len(scan.records)
    from ledger.checks import every_record_of, too_many_records

    result.unloaded.update(every_record_of(kind) for kind in scan.unlisted)
    too_many = too_many_records(len(scan.records), layout)
    if too_many is not None:  # read nothing, and answer nothing: memory stays bounded
        result.diagnostics.append(too_many)
        result.fatal = f"{too_many.path}: {too_many.message} ({too_many.code}); {too_many.hint}"
        return result
    cache = open_cache(layout) if use_cache else None
    # The garbage collector is paused while records are built and checked: it would otherwise
    # walk the growing heap again and again (the design notes measure about four times the
    # cost).
    try:
        with paused_gc():
            _read(layout, scan, cache, progress, result)
            if check:
                announce(progress, "checking references and quotes")
                _check(layout, cache, result)
    finally:
        if cache is not None:
            cache.close()
    result.left_out = result.files - len(result.ledger.paths) + len(scan.diagnostics)
    result.diagnostics = ordered(place(result.diagnostics, layout))
    finished(progress)
    return result


def _read(
    layout: Layout, scan: Scan, cache: Cache | None, progress: Progress | None, result: LoadResult
) -> None:
    """Fill ``result`` with every record and the problems of each file and of ids.

    Files whose identity is the one stored in the cache are taken from it; the rest are read.
    When nothing was read and the cache holds the outcome of admitting ids for exactly these
    files, that outcome is reused; otherwise ids are admitted again over every file, so the
    result is the same as a load with no cache."""
    announce(progress, f"loading {len(scan.records):,} records")
    stored = cache.records() if cache is not None else {}
    outcomes, fresh = _outcomes(scan.records, stored, progress)
    for outcome in fresh:  # placed now, so that what is stored is what a cold load reports
        if outcome.diagnostics:
            outcome.diagnostics = place(outcome.diagnostics, layout)
    # A whole-ledger result is stored, and so found, only when every file had settled when
    # the walk began (scan.py's racy-file rule): its key is not even worked out otherwise.
    key = ""
    if cache is not None and scan.all_settled:
        key = ledger_key(layout, scan)
    admitted = cache.result(ADMITTED, key) if cache is not None and key and not fresh else None
    if isinstance(admitted, dict) and _readmit(outcomes, admitted, result):
        result.ledger.sort()
        return
    found = LoadResult(result.ledger)
    _admit(outcomes, found)
    found.diagnostics = place(found.diagnostics, layout)
    result.diagnostics.extend(found.diagnostics)
    result.unloaded.update(found.unloaded)
    result.ledger.sort()
    if cache is not None:
        admitted = {
            "diagnostics": [d.to_dict() for d in found.diagnostics],
            "unloaded": sorted(found.unloaded),
            "rejected": _rejected(outcomes, result.ledger),
        }
        _remember(cache, scan, stored, fresh, key, admitted)


def _check(layout: Layout, cache: Cache | None, result: LoadResult) -> None:
    """Run the cross-record checks, searching only quotes not searched before."""
    from ledger.checks import check_ledger
    from ledger.quotes import QuoteMemo

    memo = QuoteMemo(cache.quote_matches() if cache is not None else {})
    result.diagnostics.extend(
        check_ledger(result.ledger, layout, unloaded=result.unloaded, memo=memo)
    )
    if cache is not None:
        stale = memo.stale()
        if memo.fresh or stale:
            cache.store_quote_matches(memo.fresh, stale)


def _unreadable(layout: Layout, result: LoadResult) -> bool:
    result.fatal = unreadable_data(layout)
    return result.fatal is not None


def _outcomes(
    files: list[RecordFile], stored: dict[str, StoredFile], progress: Progress | None
) -> tuple[list[FileOutcome], list[FileOutcome]]:
    """Each file's outcome, in file order, and those of the files that had to be read.

    A file is taken from the cache only when its identity is exactly the stored one; its
    record is then validated with every other stored record of its kind in one call (far
    cheaper than a record at a time)."""
    outcomes: dict[str, FileOutcome] = {}
    texts: dict[str, list[tuple[str, str]]] = {kind: [] for kind in RECORD_TYPES}
    todo = []
    for record_file in files:
        entry = stored.get(record_file.rel)
        outcome = _stored_outcome(record_file, entry) if entry is not None else None
        if outcome is None:
            todo.append(record_file)
            continue
        outcomes[record_file.rel] = outcome
        record = entry[2]  # type: ignore[index]
        if record is not None:
            texts[record_file.kind].append((record_file.rel, record))
    unusable = _stored_records(texts, outcomes)
    if unusable:
        todo = sorted([*todo, *(f for f in files if f.rel in unusable)], key=lambda f: f.rel)
    fresh = read_many(todo, progress)
    for outcome in fresh:
        outcomes[outcome.rel] = outcome
    return [outcomes[f.rel] for f in files], fresh


def _stored_outcome(record_file: RecordFile, entry: StoredFile) -> FileOutcome | None:
    """A stored file's outcome, its record still to come; None when the file's identity is
    not exactly the stored one, or the entry does not read back cleanly."""
    kind, ident, _record, problems = entry
    if kind != record_file.kind or ident != record_file.identity:
        return None
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


def _stored_records(
    texts: dict[str, list[tuple[str, str]]], outcomes: dict[str, FileOutcome]
) -> set[str]:
    """Validate the stored records, one JSON text per kind, into their outcomes; the files
    of a kind whose records do not read back cleanly are returned, to be read again."""
    from pydantic import TypeAdapter, ValidationError

    unusable: set[str] = set()
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
            for rel, _record in pairs:
                del outcomes[rel]
            continue
        for record, (rel, _record) in zip(records, pairs, strict=True):
            outcomes[rel].record = record
    return unusable


def _readmit(outcomes: list[FileOutcome], admitted: dict[str, Any], result: LoadResult) -> bool:
    """Admit ids as they were admitted for exactly these files before; False (and nothing
    added) when the stored outcome does not read back cleanly."""
    try:
        rejected = {str(rel) for rel in admitted["rejected"]}
        diagnostics = [Diagnostic.from_dict(d) for d in admitted["diagnostics"]]
        unloaded = [str(u) for u in admitted["unloaded"]]
    except (KeyError, TypeError, ValueError):
        return False
    for outcome in outcomes:
        if outcome.record is not None and outcome.rel not in rejected:
            result.ledger.add(outcome.kind, outcome.record, outcome.rel)  # type: ignore[arg-type]
    result.diagnostics.extend(diagnostics)
    result.unloaded.update(unloaded)
    return True


def _rejected(outcomes: list[FileOutcome], ledger: Ledger) -> list[str]:
    """Files with a valid record that was not admitted (its id was taken)."""
    owners = set(ledger.paths.values())
    return [o.rel for o in outcomes if o.record is not None and o.rel not in owners]


def _remember(
    cache: Cache,
    scan: Scan,
    stored: dict[str, StoredFile],
    fresh: list[FileOutcome],
    key: str,
    admitted: dict[str, Any],
) -> None:
    """Store the files just read and forget the ones gone, or not settled when the walk
    began (scan.py's racy-file rule: they could change again without their identity
    changing); with ``key`` (none when a file had not settled), keep the admission's
    outcome."""
    identities = {f.rel: f.identity for f in scan.records}
    rows: list[FileRow] = []
    gone = [rel for rel in stored if rel not in identities]
    for outcome in fresh:
        ident = identities[outcome.rel]
        if not scan.settled_file(ident):
            gone.append(outcome.rel)
        elif not any(d.code in PASSING for d in outcome.diagnostics):
            rows.append(
                (outcome.rel, outcome.kind, ident, _record_json(outcome), _problems_json(outcome))
            )
    results = None
    if key:
        results = {ADMITTED: json.dumps(admitted, ensure_ascii=False, separators=(",", ":"))}
    cache.store_records(rows, gone, results, key)


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


def read_many(files: list[RecordFile], progress: Progress | None = None) -> list[FileOutcome]:
    """Read files, in worker processes when there are enough to be worth it."""
    workers = min(os.cpu_count() or 1, 8)
    if len(files) >= PARALLEL_MIN and workers > 1:
        fresh = _read_in_workers(files, workers, progress)
        if fresh is not None:
            return fresh
    outcomes = []
    for number, record_file in enumerate(files, 1):
        outcomes.append(read_one(record_file.kind, record_file.where, record_file.rel))
        if progress and number % 500 == 0:
            progress("reading files", number, len(files))
    return outcomes


def _read_in_workers(
    files: list[RecordFile], workers: int, progress: Progress | None
) -> list[FileOutcome] | None:
    import multiprocessing

    method = "fork" if sys.platform.startswith("linux") else "spawn"
    jobs = [(f.kind, f.where, f.rel) for f in files]
    outcomes = []
    try:
        with multiprocessing.get_context(method).Pool(workers) as pool:
            plains = pool.imap(read_plain, jobs, chunksize=256)
            for number, (record_file, plain) in enumerate(zip(files, plains, strict=True), 1):
                outcomes.append(_built(record_file, plain))
                if progress and number % 500 == 0:
                    progress("reading files", number, len(files))
    except (OSError, RuntimeError):
        return None  # no processes to be had: read here instead
    return outcomes


def _built(record_file: RecordFile, plain: dict[str, Any]) -> FileOutcome:
    """A worker's outcome with its record built here, while the workers read on."""
    outcome = FileOutcome.from_plain(record_file.rel, record_file.kind, plain)
    if outcome.data is not None:
        outcome.record = RECORD_TYPES[outcome.kind].model_validate(outcome.data)
    return outcome


def _admit(outcomes: list[FileOutcome], result: LoadResult) -> None:
    """Turn outcomes into records, in file order: ids checked against names and each other."""
    owners: dict[str, str] = {}
    named, misnamed = [], []
    for outcome in outcomes:
        if outcome.diagnostics:
            result.diagnostics.extend(outcome.diagnostics)
        if outcome.unloaded:
            result.unloaded.update(outcome.unloaded)
        if outcome.record is None and outcome.data is not None:
            outcome.record = RECORD_TYPES[outcome.kind].model_validate(outcome.data)
        if outcome.record is not None:
            mine = named if _named_for(outcome.record, outcome) else misnamed
            mine.append((outcome.record, outcome))
    # A file whose name matches its id owns that id; one that merely claims it (a copy under
    # another name) is the one reported, whatever the order of the names.
    for record, outcome in (*named, *misnamed):
        _add(record, outcome, result, owners)


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
    find fault with are read again here, with positions.
    """
    cache: dict[str, Parsed | None] = {}
    placed = []
    for diagnostic in diagnostics:
        if diagnostic.line or diagnostic.anchor is None:
            placed.append(diagnostic)
            continue
        if diagnostic.path not in cache:
            text = read_record_text(layout.root / diagnostic.path, diagnostic.path)
            cache[diagnostic.path] = (
                None
                if isinstance(text, list)
                else parse(text.removeprefix("\ufeff"), diagnostic.path, positions=True)
            )
        parsed = cache[diagnostic.path]
        if parsed is None:
            placed.append(diagnostic)
            continue
        path, on_key = diagnostic.anchor
        line, column = parsed.where_key(path) if on_key else parsed.where(path)
        placed.append(diagnostic.at(line, column))
    return placed
