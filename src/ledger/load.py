"""Loading a ledger: find the record files, read them safely, validate them, check them.

A pipeline in the manner of beancount: every stage adds to one list of diagnostics and
nothing raises on bad data. Records that pass the schema go into the Ledger even when
another record is broken, so one bad file never hides the state of the rest.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from ledger.cache import open_cache
from ledger.diagnostics import Diagnostic, make, ordered
from ledger.ledger import Ledger
from ledger.model import RECORD_TYPES
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

SNAPSHOT_CODE = ("load", "scan")
"""Modules beyond the record readers that shape a stored snapshot."""

Progress = Callable[[int, int], None]
"""Called as (files done, files in all) while files are read."""


@dataclass
class LoadResult:
    """The ledger as far as it could be read, every problem found, and how many files."""

    ledger: Ledger
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    fatal: str | None = None
    """Set when the ledger itself cannot be read (no data folder, or an unreadable one)."""
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
        scan = scan_data(layout, result.diagnostics)
    else:
        result.diagnostics.extend(scan.diagnostics)
    result.files = len(scan.records)
    from ledger.checks import every_record_of, too_many_records

    result.unloaded.update(every_record_of(kind) for kind in scan.unlisted)
    too_many = too_many_records(len(scan.records), layout)
    if too_many is not None:  # read nothing: memory stays bounded
        result.diagnostics.append(too_many)
        return result
    cache = open_cache(layout) if use_cache else None
    key = ledger_key(layout, scan, SNAPSHOT_CODE) if cache is not None else ""
    # The garbage collector is paused while records are built: it would otherwise walk the
    # growing heap again and again (the design notes measure about four times the cost).
    enabled = gc.isenabled()
    gc.disable()
    try:
        if cache is None or not _from_snapshot(cache, key, result):
            outcomes = _outcomes(scan.records, cache, progress)
            _admit(outcomes, result)
            result.ledger.sort()
            result.diagnostics = place(result.diagnostics, layout)
            if cache is not None:
                _store_snapshot(cache, key, scan, result)
        if cache is not None:
            cache.close()
    finally:
        if enabled:
            gc.enable()
    if check:
        from ledger.checks import check_ledger

        result.diagnostics.extend(check_ledger(result.ledger, layout, unloaded=result.unloaded))
    result.diagnostics = ordered(place(result.diagnostics, layout))
    return result


def _from_snapshot(cache: object, key: str, result: LoadResult) -> bool:
    """Fill ``result`` from the whole-ledger snapshot stored for exactly these files.

    One JSON text per kind, validated by pydantic in one call: far cheaper than a file at a
    time. False when there is no such snapshot, or it does not read back cleanly.
    """
    import json

    from pydantic import TypeAdapter, ValidationError

    meta_text = cache.raw("snapshot:meta", key)  # type: ignore[attr-defined]
    if meta_text is None:
        return False
    try:
        meta = json.loads(meta_text)
        tables = {}
        for kind, model in RECORD_TYPES.items():
            text = cache.raw(f"snapshot:{kind}", key)  # type: ignore[attr-defined]
            if text is None:
                return False
            tables[kind] = TypeAdapter(list[model]).validate_json(text)  # type: ignore[valid-type]
        paths = meta["paths"]
        for kind, records in tables.items():
            for record in records:
                result.ledger.add(kind, record, paths[record.id])
        result.diagnostics.extend(Diagnostic.from_dict(d) for d in meta["diagnostics"])
        result.unloaded.update(meta["unloaded"])
    except (ValidationError, ValueError, KeyError, TypeError):
        result.ledger = Ledger()
        result.diagnostics.clear()
        result.unloaded.clear()
        return False
    return True


def _store_snapshot(cache: object, key: str, scan: Scan, result: LoadResult) -> None:
    import json

    items = {
        f"snapshot:{kind}": json.dumps(
            [
                r.model_dump(mode="json", by_alias=True, exclude_defaults=True)
                for r in table.values()
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        for kind, table in result.ledger.tables().items()
    }
    items["snapshot:meta"] = json.dumps(
        {
            "paths": result.ledger.paths,
            "diagnostics": [d.to_dict() for d in result.diagnostics],
            "unloaded": sorted(result.unloaded),
        },
        separators=(",", ":"),
    )
    newest = max((ident[1] for _rel, ident in scan.identities), default=0)
    cache.store_raw(items, key, newest)  # type: ignore[attr-defined]


def _unreadable(layout: Layout, result: LoadResult) -> bool:
    result.fatal = unreadable_data(layout)
    return result.fatal is not None


def _outcomes(
    files: list[RecordFile], cache: object | None, progress: Progress | None
) -> list[FileOutcome]:
    """Each file's outcome: from the cache when its identity is unchanged, else read."""
    entries = cache.files() if cache is not None else {}  # type: ignore[attr-defined]
    outcomes: dict[str, FileOutcome] = {}
    todo = []
    for record_file in files:
        entry = entries.get(record_file.rel)
        if entry is not None and entry.identity == record_file.identity:
            try:
                outcomes[record_file.rel] = FileOutcome.from_plain(
                    record_file.rel, record_file.kind, entry.outcome
                )
                continue
            except (KeyError, TypeError, ValueError):
                pass  # a malformed entry: read the file instead
        todo.append(record_file)
    fresh = read_many(todo, progress)
    for outcome in fresh:
        outcomes[outcome.rel] = outcome
    if cache is not None:
        by_rel = {f.rel: f for f in todo}
        cache.store_files(  # type: ignore[attr-defined]
            ((o.rel, o.kind, by_rel[o.rel].identity, o.plain()) for o in fresh),
            keep={f.rel for f in files},
        )
    return [outcomes[f.rel] for f in files]


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
            progress(number, len(files))
    return outcomes


def _read_in_workers(
    files: list[RecordFile], workers: int, progress: Progress | None
) -> list[FileOutcome] | None:
    import multiprocessing

    method = "fork" if sys.platform.startswith("linux") else "spawn"
    jobs = [(f.kind, f.where, f.rel) for f in files]
    try:
        with multiprocessing.get_context(method).Pool(workers) as pool:
            plains = []
            for number, plain in enumerate(pool.imap(read_plain, jobs, chunksize=256), 1):
                plains.append(plain)
                if progress and number % 500 == 0:
                    progress(number, len(files))
    except (OSError, RuntimeError):
        return None  # no processes to be had: read here instead
    return [FileOutcome.from_plain(f.rel, f.kind, p) for f, p in zip(files, plains, strict=True)]


def _admit(outcomes: list[FileOutcome], result: LoadResult) -> None:
    """Turn outcomes into records, in file order: ids checked against names and each other."""
    owners: dict[str, str] = {}
    built = []
    for outcome in outcomes:
        result.diagnostics.extend(outcome.diagnostics)
        result.unloaded.update(outcome.unloaded)
        if outcome.data is not None:
            record = outcome.record or RECORD_TYPES[outcome.kind].model_validate(outcome.data)
            built.append((record, outcome))
    # A file whose name matches its id owns that id; one that merely claims it (a copy under
    # another name) is the one reported, whatever the order of the names.
    built.sort(key=lambda pair: not _named_for(pair[0], pair[1]))
    for record, outcome in built:
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
