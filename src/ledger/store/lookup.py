"""One record and its links, answered from a kept index without loading the ledger.

`ledger show` and `ledger xref` ask about one id, yet loading 100,000 records to find the
few that name it takes seconds. After a load, an index is kept for that state of the ledger
(the key of every file's identity, :func:`ledger.records.scan.ledger_key`): in the cache's
``lookup`` table, a row per id with its kind, file, content id and every link reaching it,
each row sealed with the state; and in one sealed answer, the ids by kind (for prefixes and
"did you mean"), the ids only named by other records (so that a row taken out of the
cache file is missed) and how many files the load left out. While the files are exactly as
they were, a question about an id reads its row, then only the files it needs: the record's own,
and its source's for where its quote stands, each checked against the content id the index
holds. Anything that does not read back as it was indexed answers None, and the caller
loads the ledger as before.

The answers are :class:`ledger.analysis.xref.Shown` and :class:`ledger.analysis.xref.Xref`, made by
the same functions as from a loaded ledger (the tests compare the two for every id).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic_core import to_json

from ledger.records.kinds import FOLDERS, KINDS, references

if TYPE_CHECKING:
    from ledger.analysis.quotes import Position
    from ledger.analysis.xref import Link
    from ledger.records.ledger import Ledger
    from ledger.records.model import Record
    from ledger.records.pipeline import LoadResult
    from ledger.records.root import Layout
    from ledger.records.scan import Scan
    from ledger.store.cache import Cache, LookupRow

T = TypeVar("T")

NAME = "index:ids"
FAMILY = "index:"
FORMAT = 4


class NotAsIndexed(Exception):
    """A row or file that does not read back as the index was made: load the ledger."""


class LinkIndex:
    """The index kept for one state of the ledger, read an id at a time."""

    def __init__(
        self,
        layout: Layout,
        cache: Cache,
        state: str,
        ids: dict[str, set[str]],
        left_out: int,
        named: frozenset[str] = frozenset(),
        left_out_paths: tuple[str, ...] = (),
    ):
        self.layout = layout
        self.cache = cache
        self.state = state
        self.ids = ids
        """Every record id, by kind (folder)."""
        self.named = named
        """The ids no record has but some record names: each has a row, as every record's
        id has, so a missing row is one taken out of the cache file, not an unnamed id."""
        self.left_out = left_out
        """Record files the indexed load left out (said again with every answer)."""
        self.left_out_paths = left_out_paths
        """Their paths (LoadResult.left_out_paths)."""
        self._kinds: dict[str, str] | None = None
        self._rows: dict[str, LookupRow | None] = {}

    def ids_by_kind(self) -> dict[str, set[str]]:
        return self.ids

    def kind_of(self, record_id: str) -> str | None:
        if self._kinds is None:
            self._kinds = {i: kind for kind, ids in self.ids.items() for i in ids}
        return self._kinds.get(record_id)

    def row(self, record_id: str) -> LookupRow | None:
        """The id's row (None when no record has it and none names it)."""
        if record_id not in self._rows:
            self._rows[record_id] = self.stored(record_id)
        return self._rows[record_id]

    def stored(self, record_id: str) -> LookupRow | None:
        """The id's row as the cache holds it for the indexed state."""
        found = self.cache.lookup(self.state, record_id)
        if found is False:
            raise NotAsIndexed(record_id)
        if found is None and self.had(record_id):
            raise NotAsIndexed(record_id)  # a row the index had is gone
        return found  # type: ignore[return-value]

    def had(self, record_id: str) -> bool:
        """Whether the indexed state had a row for the id (a record's, or a named id's)."""
        return record_id in self.named or self.kind_of(record_id) is not None

    def inbound(self, record_id: str) -> tuple[Link, ...]:
        """What names the id, as a load's cross-references give it."""
        from ledger.analysis.xref import Link, ordered

        row = self.row(record_id)
        links = json.loads(row[4]) if row is not None else []
        to_kind = self.kind_of(record_id)
        return ordered(
            Link(from_id, from_kind, record_id, to_kind, role, detail)
            for from_id, from_kind, role, detail in links
        )

    def record(self, record_id: str) -> Record:
        """The record with this id, read from its file as indexed."""
        row = self.row(record_id)
        if row is None or row[1] is None or row[2] is None or row[3] is None:
            raise NotAsIndexed(record_id)
        record = read_record(self.layout, row[1], row[2], row[3], record_id)
        if record is None:
            raise NotAsIndexed(record_id)
        return record

    def path(self, record_id: str) -> str | None:
        row = self.row(record_id)
        return row[2] if row is not None else None

    def position(self, record_id: str) -> Position | None:
        """Where a claim's quote (a requirement's wording) stands, placed as a load places
        it: in a ledger of the record and its source alone, read from their files."""
        from ledger.records.ledger import Ledger
        from ledger.records.load import position_of

        kind = self.kind_of(record_id)
        if kind not in ("claims", "requirements"):
            return None
        record = self.record(record_id)
        alone = Ledger(paths={record_id: self.path(record_id) or ""})
        alone.tables()[kind][record_id] = record
        source_id = record.source  # type: ignore[union-attr]
        if self.kind_of(source_id) == "sources":
            alone.sources[source_id] = self.record(source_id)  # type: ignore[assignment]
            alone.paths[source_id] = self.path(source_id) or ""
        return position_of(self.layout, alone, record_id)


def rows_of(ledger: Ledger, blobs: dict[str, str | None]) -> list[LookupRow] | None:
    """A loaded ledger's index rows; ``blobs`` gives each record file's content id by path.
    None when one is not known: the index must name every record."""
    inbound: dict[str, list[list[Any]]] = defaultdict(list)
    files: dict[str, tuple[str, str, str]] = {}
    for kind in KINDS:
        for record_id, record in ledger.tables()[kind.folder].items():
            rel = ledger.paths[record_id]
            blob = blobs.get(rel)
            if blob is None:
                return None
            files[record_id] = (kind.folder, rel, blob)
            for _to, target, _at, _key, role, detail in references(kind, record):
                inbound[target].append([record_id, kind.folder, role, detail])
    rows: list[LookupRow] = [
        (record_id, *files[record_id], encoded(inbound.get(record_id, []))) for record_id in files
    ]
    rows += [
        (i, None, None, None, encoded(links)) for i, links in inbound.items() if i not in files
    ]
    return rows


def encoded(value: Any) -> str:
    """Compact JSON, from pydantic-core's compiled encoder (a row per id: 100,000 of them),
    or the standard library's for what it refuses (a lone surrogate)."""
    try:
        return to_json(value).decode("utf-8")
    except ValueError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def remember(layout: Layout, scan: Scan, result: LoadResult) -> None:
    """Keep the index of a ledger loaded from exactly these files (nothing is kept when a
    file had not settled when the walk began, or a file's content id is not known)."""
    from ledger.store.answers import Answers
    from ledger.store.cache import open_cache
    from ledger.store.lookup_forward import since_base

    answers = Answers(layout, scan)
    if not answers.enabled or not scan.all_settled or result.content_ids is None:
        return
    if answers.holds(NAME):
        return  # kept already (a question the index could not answer loaded the ledger)
    blobs = result.content_ids()
    rows = rows_of(result.ledger, blobs)
    cache = open_cache(layout) if rows is not None else None
    if cache is None or rows is None:
        return
    try:
        stored = cache.store_lookup(answers.key, rows)
        since = since_base(cache, blobs) if stored else None
    finally:
        cache.close()
    if stored:
        ids = {kind: list(table) for kind, table in result.ledger.tables().items()}
        named = [row[0] for row in rows if row[1] is None]
        header = {"format": FORMAT, "ids": ids, "left_out": result.left_out, "named": named}
        header["left_out_paths"] = list(result.left_out_paths)
        header["since"] = since
        answers.remember(NAME, header, family=FAMILY)


def opened(layout: Layout, scan: Scan | None) -> LinkIndex | None:
    """The index kept for exactly this state of the ledger, or one kept for an earlier
    state brought forward over the files changed since (store/lookup_forward.py); None when
    there is neither. Its cache is left open: the caller closes ``index.cache``."""
    from ledger.store.answers import Answers
    from ledger.store.cache import open_cache

    answers = Answers(layout, scan) if scan is not None else None
    cache = open_cache(layout) if answers is not None and answers.enabled else None
    if cache is None or scan is None or answers is None:
        return None
    header = cache.result(NAME, answers.key)
    index = kept(layout, cache, answers.key, header) if header is not None else None
    if index is None:  # imported only here: it reads records, so it imports the schema
        from ledger.store.lookup_forward import forward

        index = forward(layout, scan, cache)
    if index is None:
        cache.close()
    return index


def kept(layout: Layout, cache: Cache, state: str, header: Any) -> LinkIndex | None:
    """The index a header kept for ``state`` describes (None: not one of this shape)."""
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        return None
    ids, left_out, named = header.get("ids"), header.get("left_out"), header.get("named")
    if not isinstance(ids, dict) or set(ids) != set(FOLDERS) or not isinstance(left_out, int):
        return None
    if not isinstance(named, list) or not all(isinstance(v, list) for v in ids.values()):
        return None
    paths = header.get("left_out_paths")
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        return None
    by_kind = {k: set(v) for k, v in ids.items()}
    return LinkIndex(layout, cache, state, by_kind, left_out, frozenset(named), tuple(paths))


def read_record(layout: Layout, folder: str, rel: str, blob: str, record_id: str) -> Record | None:
    """One record, read from its file; None unless the file holds exactly the bytes indexed
    (their content id) and reads back cleanly into the record with that id."""
    from ledger.records.files import MAX_RECORD_BYTES, read_bytes
    from ledger.records.model import RECORD_TYPES
    from ledger.records.record_reader import outcome_of

    if folder not in RECORD_TYPES:
        return None
    data = read_bytes(layout.root / rel, MAX_RECORD_BYTES)
    if not isinstance(data, bytes):
        return None
    outcome = outcome_of(folder, rel, data)
    if outcome.blob != blob or outcome.diagnostics or outcome.unloaded:
        return None
    record = outcome.record
    if record is None and outcome.data is not None:
        record = RECORD_TYPES[folder].model_validate(outcome.data)
    if record is None or getattr(record, "id", None) != record_id:
        return None
    return record  # type: ignore[return-value]


@dataclass(frozen=True)
class Answer(Generic[T]):
    """What the index answers, and how many record files the indexed load left out (and
    which)."""

    value: T
    left_out: int
    left_out_paths: tuple[str, ...] = ()


def answered(layout: Layout, scan: Scan | None, ask: Callable[[LinkIndex], T]) -> Answer[T] | None:
    """``ask`` (ledger.analysis.xref's show_answer or xref_answer) of the index kept for
    exactly these files; None when there is none, or something does not read back as
    indexed: the caller loads the ledger and asks that."""
    index = opened(layout, scan)
    if index is None:
        return None
    try:
        return Answer(ask(index), index.left_out, index.left_out_paths)
    except NotAsIndexed:
        return None
    finally:
        index.cache.close()
