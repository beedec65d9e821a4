"""A revision's records worked out from another side of the same ledger, already loaded.

A diff loads two sides of one ledger, and a log one commit after another; even answered from
the cache, each load lists, sorts and admits every record file again (seconds at 100,000
records). When the side already loaded came through clean (every record file read into one
record named for its id, nothing out of place) under the same ledger.toml, the revision is
that side with only the files whose content differs read again: the others admit exactly as
they did, so the result is what a load of the revision gives. Anything else (a file that does
not read cleanly, an id two files hold, a YAML file out of place, too many files changed)
answers None, and the caller loads the revision whole.
"""

from __future__ import annotations

import functools

from ledger.git.revision_scan import changed_records, classify, data_prefix
from ledger.records.diagnostics import Diagnostic
from ledger.records.ledger import Ledger
from ledger.records.load import outcomes_of
from ledger.records.pipeline import LoadResult
from ledger.records.root import Layout
from ledger.records.scan import RECORD_SUFFIX
from ledger.store.loaded_state import drift_limit, marker_digest


def load_beside(layout: Layout, other_layout: Layout, other: LoadResult) -> LoadResult | None:
    """The records of ``layout`` (a revision), from ``other`` (the load of ``other_layout``,
    a revision or the working tree of the same ledger) and the record files whose content
    differs; None when the revision must be loaded whole."""
    tree = layout.tree
    if tree is None or not _clean(other) or other.content_ids is None:
        return None
    if (layout.root, layout.data) != (other_layout.root, other_layout.data):
        return None
    if marker_digest(layout) != marker_digest(other_layout):
        return None  # ledger.toml decides which files are read and how ids are admitted
    before = other.content_ids()
    if len(before) != other.files or None in before.values():
        return None
    prefix = data_prefix(layout)
    changed = changed_records(tree.blobs, before, prefix)
    if isinstance(changed, Diagnostic):
        return None  # a file out of place: the whole load reports it
    gone = [rel for rel in before if tree.blobs.get(rel) != before[rel]]
    if len(changed) + len(gone) > drift_limit(len(before)):
        return None  # the cache serves a whole load better than reading this many files
    fresh = outcomes_of(layout, changed)
    if not all(outcome.sound() for outcome in fresh):
        return None
    tables = {kind: dict(table) for kind, table in other.ledger.tables().items()}
    paths = dict(other.ledger.paths)
    blobs = dict(before)
    for rel in gone:
        record_id = rel.rpartition("/")[2][: -len(RECORD_SUFFIX)]
        kind = classify(rel, prefix)
        assert isinstance(kind, str)  # every file of a clean load is a record named for its id
        del tables[kind][record_id], paths[record_id], blobs[rel]
    for outcome in fresh:
        assert outcome.record is not None
        record_id = outcome.record.id  # type: ignore[attr-defined]
        if record_id in paths:
            return None  # two files hold the id: the whole admission decides which one
        tables[outcome.kind][record_id] = outcome.record
        paths[record_id] = outcome.rel
        blobs[outcome.rel] = tree.blobs[outcome.rel]
    for kind in {outcome.kind for outcome in fresh}:
        tables[kind] = dict(sorted(tables[kind].items()))
    ledger = Ledger(**tables, paths=paths)  # type: ignore[arg-type]
    files = len(before) - len(gone) + len(changed)
    from ledger.analysis.checks import too_many_records

    if too_many_records(files, layout) is not None:
        return None  # the whole load refuses it
    return LoadResult(ledger, files=files, content_ids=functools.partial(dict, blobs))


def _clean(result: LoadResult) -> bool:
    """Whether every record file of a load admitted, and nothing was reported."""
    return (
        result.fatal is None
        and not result.diagnostics
        and not result.unloaded
        and result.left_out == 0
        and len(result.ledger.paths) == result.files
    )
