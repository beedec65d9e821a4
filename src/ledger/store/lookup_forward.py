"""The kept index of ids and links (store/lookup.py) brought forward over the record files
changed since it was made, so that `show`, `xref`, `log` and a writer's dry run just after
an edit read a few files instead of loading the ledger and indexing it again (seconds at
100,000 claims).

An index is made for one state of the ledger. With it is kept the remembered ledger it
can be compared through (store/loaded_state.py, by the state that ledger was written for)
and the record files whose content differed from that ledger then (``since_base``). Now,
the files that differ from the remembered ledger (by identity, as a load finds them) and
those that differed then are read; each whose content id is not what the index holds is a
file changed since the index. Each must read cleanly into one record named for its file,
and no id may then be held twice; the record a changed file held then must be the one the
index's row names there. Then the index answers as if made now: the records of the
changed files from what was just read, the other records from their files as indexed,
and every id's links less those of the changed files' records then, plus theirs now.

A file that held a record when the index was made and is not there now is gone, whether
the remembered ledger had it or not. Anything else (no remembered ledger, another one
since, files left out by the index's load or by this walk, too many changes, a file that
does not read back) brings nothing forward: the caller loads the
ledger and keeps a fresh index, as before.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from ledger.records.kinds import BY_FOLDER, FOLDERS, references
from ledger.records.scan import RecordFile, stem
from ledger.store import loaded_state
from ledger.store.lookup import NAME, LinkIndex, NotAsIndexed, encoded, kept

if TYPE_CHECKING:
    from ledger.records.model import Record
    from ledger.records.record_reader import FileOutcome
    from ledger.records.root import Layout
    from ledger.records.scan import Scan
    from ledger.store.cache import Cache, LookupRow

Fresh = tuple[str, "Record", str, str]
"""A record read from a file changed since the index: its kind, the record, file, content id."""


def since_base(cache: Cache, blobs: dict[str, str | None]) -> list[Any] | None:
    """What an index made of the files with these content ids (by path) keeps to be
    brought forward later: the state the remembered ledger was written for, and the record
    files whose content differs from it (None: gone). None when there is no remembered
    ledger, a content id is not known, or too much differs to be worth it."""
    if any(blob is None for blob in blobs.values()):
        return None
    base = loaded_state.latest(cache)
    then = base.content_ids() if base is not None else {}
    if base is None or not then:
        return None
    delta: dict[str, str | None] = {
        rel: blob for rel, blob in blobs.items() if then.get(rel) != blob
    }
    delta.update(dict.fromkeys(then.keys() - blobs.keys()))
    if len(delta) > loaded_state.drift_limit(len(blobs)):
        return None
    return [base.key, delta]


class ForwardIndex(LinkIndex):
    """An index made for an earlier state, answering for this one: ``fresh`` holds the
    records of the files changed since, ``dropped`` the ids those files held then."""

    def __init__(
        self,
        index: LinkIndex,
        fresh: dict[str, Fresh],
        dropped: set[str],
    ) -> None:
        ids = {kind: index.ids[kind] - dropped for kind in FOLDERS}
        for record_id, (kind, _record, _rel, _blob) in fresh.items():
            ids[kind].add(record_id)
        super().__init__(index.layout, index.cache, index.state, ids, 0, index.named)
        self.then = index
        self.fresh = fresh
        self.dropped = dropped
        self.added: dict[str, list[list[Any]]] = defaultdict(list)
        """The links the changed files' records make now, by the id each names."""
        for record_id, (kind, record, _rel, _blob) in fresh.items():
            for _to, target, _at, _key, role, detail in references(BY_FOLDER[kind], record):
                self.added[target].append([record_id, kind, role, detail])

    def had(self, record_id: str) -> bool:
        return self.then.had(record_id)

    def row(self, record_id: str) -> LookupRow | None:
        if record_id not in self._rows:
            stored = self.stored(record_id)
            links = json.loads(stored[4]) if stored is not None else []
            links = [link for link in links if link[0] not in self.dropped]
            links += self.added.get(record_id, [])
            row: LookupRow | None
            if record_id in self.fresh:
                kind, _record, rel, blob = self.fresh[record_id]
                row = (record_id, kind, rel, blob, encoded(links))
            elif stored is not None and stored[1] is not None and record_id not in self.dropped:
                row = (*stored[:4], encoded(links))
            else:  # named by some record, had by none
                row = (record_id, None, None, None, encoded(links)) if links else None
            self._rows[record_id] = row
        return self._rows[record_id]

    def record(self, record_id: str) -> Record:
        if record_id in self.fresh:
            return self.fresh[record_id][1]
        return super().record(record_id)


def forward(layout: Layout, scan: Scan, cache: Cache) -> LinkIndex | None:
    """The index kept for an earlier state of the working tree, brought forward to this
    walk's files; None when it cannot be (module docstring)."""
    if layout.tree is not None or scan.unlisted or scan.diagnostics:
        return None  # a file the walk left out is said by a load
    found = cache.newest(NAME)
    if found is None:
        return None
    index = _kept(layout, cache, *found)
    base = loaded_state.latest(cache)
    if index is None or base is None or base.key != index[1][0]:
        return None
    changed = base.changes(layout, scan)
    if changed is None:
        return None
    return _brought(layout, scan, cache, index[0], base, index[1][1], changed)


def _kept(
    layout: Layout, cache: Cache, state: str, text: str
) -> tuple[LinkIndex, list[Any]] | None:
    """The index an earlier state kept, and what it keeps to be brought forward."""
    try:
        header = json.loads(text)
    except (ValueError, RecursionError):
        return None
    index = kept(layout, cache, state, header)
    since = header.get("since") if index is not None else None
    if index is None or index.left_out != 0 or not isinstance(since, list) or len(since) != 2:
        return None
    if not isinstance(since[0], str) or not isinstance(since[1], dict):
        return None
    return index, since


def _brought(
    layout: Layout,
    scan: Scan,
    cache: Cache,
    index: LinkIndex,
    base: loaded_state.Remembered,
    delta: dict[str, str | None],
    changed: list[Any],
) -> LinkIndex | None:
    from ledger.records.load import few_outcomes
    from ledger.store.claim_edits import Now, Then

    removed: set[str] = base.head["removed"]
    reading = {f.rel: f for f in changed}
    if delta:  # the files that differed then, if there now, are read too
        walked = [f for f in scan.found if f[2] in delta and f[2] not in reading]
        reading.update((f[2], RecordFile._make(f)) for f in walked)
    if len(reading) + len(removed) > loaded_state.drift_limit(len(scan.found)):
        return None
    outcomes: dict[str, FileOutcome] = {
        o.rel: o for o in few_outcomes(layout, scan, cache, list(reading.values()))
    }
    at_base = Then(base)
    now = Now(at_base, {rel: (o.blob, o.kind) for rel, o in outcomes.items()}, removed)

    def then(rel: str) -> str | None:
        """The file's content id when the index was made (None: there was no such file)."""
        return delta[rel] if rel in delta else at_base.blob(rel)

    since = [rel for rel in sorted({*outcomes, *removed, *delta}) if now.blob(rel) != then(rel)]
    dropped: set[str] = set()
    for rel in since:
        was = then(rel)
        if was is not None and not _held(index, stem(rel), rel, was):
            return None
        if was is not None:
            dropped.add(stem(rel))
    fresh: dict[str, Fresh] = {}
    for rel in since:
        outcome = outcomes.get(rel)
        if outcome is None:
            continue  # gone
        if outcome.blob is None or not outcome.sound():
            return None  # a file that does not read cleanly: a load says what is wrong
        record_id = stem(rel)
        if record_id in fresh or (index.kind_of(record_id) and record_id not in dropped):
            return None  # an id held twice
        fresh[record_id] = (outcome.kind, outcome.record, rel, outcome.blob)  # type: ignore[assignment]
    return ForwardIndex(index, fresh, dropped) if since else index


def _held(index: LinkIndex, record_id: str, rel: str, blob: str) -> bool:
    """Whether the index's row has this record in this file, with this content."""
    try:
        row = index.stored(record_id)
    except NotAsIndexed:
        return False
    return row is not None and row[2] == rel and row[3] == blob
