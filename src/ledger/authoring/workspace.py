"""The ledger a writer adds to: its records, the ids in use, and what it needs read to check a
change.

A change is checked on the records it touches (`new_records._changed_errors`), so a writer
needs the whole ledger only to know which ids are in use and which records name an id. The
index kept for this very state of the ledger (ledger.store.lookup: every id by kind, and the
links reaching each) answers both; then only the records a command names, and those its
checks reach, are read, each from its file as indexed. Without such an index (or when the
indexed load left a file out) the ledger is loaded whole, as before; a dry run then keeps
the index for the run that writes. A file that does not read back as indexed (it changed a
moment ago) loads the ledger whole there and then: the answer is the one a whole load
gives.

The ids in use and who names whom are taken as the walk found the files. A file changed
after the walk that the command does not read (another process adding a reference to the
new id) is seen as it was, as a whole load that read it a moment earlier would have seen
it; the write lock, under which the ids in use are read again, is what guards writers
against each other.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ledger.analysis.checks import check_ledger, referring_to
from ledger.analysis.quotes import normalise
from ledger.records.kinds import BY_FOLDER, references
from ledger.records.ledger import Ledger
from ledger.records.load import RECORD_SUFFIX
from ledger.records.scan import scan_data, unreadable_data, yaml_names

if TYPE_CHECKING:
    from ledger.records.diagnostics import Diagnostic
    from ledger.records.model import Record
    from ledger.records.pipeline import LoadResult
    from ledger.records.root import Layout
    from ledger.records.scan import Scan
    from ledger.store.lookup import LinkIndex

T = TypeVar("T")


class LedgerGone(Exception):
    """The ledger could not be loaded whole when a file stopped reading back as indexed
    (its data folder went away mid-command): the message says why."""


@dataclass
class Workspace:
    """The ledger as it is before a change: its records, the ids in use (including those of
    files that do not load), and its load problems. A change is checked on the records it
    touches, so opening one checks nothing.

    With ``index``, ``ledger`` holds only the records read so far: ask for records through
    :meth:`record`, :meth:`table` and :meth:`need`, for ids through :meth:`ids`."""

    layout: Layout
    ledger: Ledger
    unloaded: set[str]
    load_problems: list[Diagnostic]
    taken: set[str] = field(default_factory=set)
    index: LinkIndex | None = None
    """The kept index of this state of the ledger, when records are read only as needed."""
    loaded: tuple[Scan, LoadResult] | None = None
    """The walk and whole load the workspace came from, to keep the index of (see
    :func:`keep_index`)."""
    _normalised: dict[str, str] = field(default_factory=dict)

    @property
    def existing_errors(self) -> int:
        """The errors the ledger has now, as `ledger validate` counts them (a full check,
        made only when asked: every record is read for it)."""
        if self.index is not None:
            self.load_whole()
        checked = check_ledger(self.ledger, self.layout, unloaded=self.unloaded)
        return sum(1 for d in [*self.load_problems, *checked] if d.severity == "error")

    # -- ids ------------------------------------------------------------------------------

    def ids(self, kind: str) -> Collection[str]:
        """Every id of one kind (folder name): in id order when the ledger is whole (a
        session's word lists, which only a whole workspace serves), else as a set."""
        return self.ledger.tables()[kind] if self.index is None else self.index.ids[kind]

    def kind_of(self, record_id: str) -> str | None:
        if self.index is None:
            return self.ledger.kind_of(record_id)
        return self.index.kind_of(record_id)

    def citing(self, source_id: str) -> list[str]:
        """The claims that quote a source, in id order."""
        links = self._indexed(lambda index: index.inbound(source_id))
        if links is not None:
            quoting = (k.from_id for k in links if k.from_kind == "claims" and k.role == "source")
            return sorted(quoting)
        return [c.id for c in self.ledger.claims.values() if c.source == source_id]

    def referring(self, ids: Set[str]) -> set[str]:
        """The records that name any of ``ids`` (see `checks.referring_to`)."""
        found = self._indexed(lambda index: [k.from_id for i in ids for k in index.inbound(i)])
        return set(found) if found is not None else referring_to(self.ledger, ids)

    def path(self, record_id: str) -> str | None:
        """A record's file, relative to the ledger root."""
        if record_id not in self.ledger.paths:
            found = self._indexed(lambda index: index.path(record_id))
            if self.index is not None:
                return found
        return self.ledger.paths.get(record_id)

    # -- records --------------------------------------------------------------------------

    def need(self, ids: Iterable[str]) -> None:
        """Have the records with these ids (those the ledger has) in ``ledger``."""
        if self.index is None:
            return
        wanted = [i for i in dict.fromkeys(ids) if i not in self.ledger.paths]
        read = self._indexed(lambda index: [_read(index, i) for i in wanted])
        if read is None:
            return  # a file did not read back as indexed: the ledger is whole now
        for found in read:
            if found is not None:
                self.ledger.add(*found)
        if read:
            self.ledger.sort()

    def record(self, record_id: str) -> Record | None:
        self.need([record_id])
        return self.ledger.get(record_id)

    def table(self, kind: str) -> dict[str, Record]:
        """Every record of one kind."""
        self.need(self.ids(kind))
        return self.ledger.tables()[kind]

    def need_for_checks(self, record: Record, kind: str) -> set[str]:
        """Read what checking a change to ``record`` reads: the records it touches (itself
        and those that name it) and every record those name. The touched ids."""
        record_id = record.id  # type: ignore[attr-defined]
        touched = {record_id} | self.referring({record_id})
        self.need(touched - {record_id})
        named = {target for _k, target, *_rest in references(BY_FOLDER[kind], record)}
        for other in touched - {record_id}:
            found = self.ledger.get(other)
            other_kind = self.ledger.kind_of(other)
            if found is not None and other_kind is not None:
                named.update(t for _k, t, *_r in references(BY_FOLDER[other_kind], found))
        self.need(named | {record_id})
        return touched

    # -- archives -------------------------------------------------------------------------

    def source_text(self, source_id: str) -> str | None:
        """A source's archived text, when its archive is intact (hash verified)."""
        self.need([source_id])
        if source_id not in self.ledger.source_texts and source_id in self.ledger.sources:
            found = read_archive(self.layout, self.ledger, source_id).text
            if found is not None:
                self.ledger.source_texts[source_id] = found
        return self.ledger.source_texts.get(source_id)

    def normalised(self, source_id: str) -> str | None:
        if source_id not in self._normalised:
            text = self.source_text(source_id)
            if text is None:
                return None
            self._normalised[source_id] = normalise(text)
        return self._normalised[source_id]

    def rel(self, path: Path) -> str:
        return self.layout.relative(path)

    def close(self) -> None:
        """Let go of the kept index's cache file (the command is done with it)."""
        if self.index is not None:
            self.index.cache.close()

    # -- the index ------------------------------------------------------------------------

    def _indexed(self, ask: Callable[[LinkIndex], T]) -> T | None:
        """``ask`` of the index; None without one, or when something does not read back as
        indexed: then the ledger is loaded whole in its place."""
        from ledger.store.lookup import NotAsIndexed

        if self.index is None:
            return None
        try:
            return ask(self.index)
        except NotAsIndexed:
            self.load_whole()
            return None

    def load_whole(self) -> None:
        """Load every record, from now on (the ledger as a whole load gives it)."""
        whole = _whole(self.layout, scan_data(self.layout))
        if isinstance(whole, str):
            raise LedgerGone(whole)
        self.close()
        self.index = None
        self.ledger, self.unloaded = whole.ledger, whole.unloaded
        self.load_problems, self.loaded = whole.load_problems, whole.loaded
        self.taken |= whole.taken


def _read(index: LinkIndex, record_id: str) -> tuple[str, Record, str] | None:
    """A record the index has, read from its file: its kind, the record and the file."""
    kind = index.kind_of(record_id)
    if kind is None:
        return None
    return kind, index.record(record_id), index.path(record_id) or ""


def open_workspace(layout: Layout, *, indexed: bool = False) -> Workspace | str:
    """The ledger to add to; a string says why it cannot be opened. ``indexed``: read records
    only as needed when an index of exactly these files is kept (a command that asks nothing
    of a person once it has begun: a failure to read back as indexed loads the ledger whole
    from then on, and a session could not be asked its questions again)."""
    unreadable = unreadable_data(layout)
    if unreadable is not None:
        return unreadable
    scan = scan_data(layout)
    if indexed:
        from ledger.store.lookup import opened

        index = opened(layout, scan)
        if index is not None and index.left_out == 0:
            taken = _taken(scan, index.ids.values())
            return Workspace(layout, Ledger(), set(), [], taken, index=index)
        if index is not None:
            index.cache.close()
    return _whole(layout, scan)


def _whole(layout: Layout, scan: Scan) -> Workspace | str:
    from ledger.records.load import load

    result = load(layout, check=False, scan=scan)
    if result.fatal:
        return result.fatal
    unloaded = set(result.unloaded)
    taken = _taken(scan, [unloaded, *result.ledger.tables().values()])
    return Workspace(
        layout, result.ledger, unloaded, result.diagnostics, taken, loaded=(scan, result)
    )


def _taken(scan: Scan, groups: Iterable[Iterable[str]]) -> set[str]:
    """The ids in use: every YAML file's name under the data folder (loaded or not), and
    every id in ``groups``."""
    taken = yaml_names(scan)
    for ids in groups:
        taken.update(ids)
    return taken


@dataclass(frozen=True)
class ArchiveText:
    """A source's archived text (when intact), or why it cannot be used."""

    text: str | None
    problem: str = ""


def read_archive(layout: Layout, ledger: Ledger, source_id: str) -> ArchiveText:
    """The archived text of one source, read and hash-checked as `ledger validate` does,
    without checking the rest of the ledger."""
    source = ledger.sources[source_id]
    alone = Ledger(sources={source_id: source}, paths={source_id: ledger.paths[source_id]})
    found = check_ledger(alone, layout)
    if source_id in alone.source_texts:
        return ArchiveText(alone.source_texts[source_id])
    problem = found[0].message if found else "the archived text cannot be read"
    return ArchiveText(None, f"{source_id}: {problem}")


def keep_index(ws: Workspace) -> None:
    """Keep the index of the ledger a workspace loaded whole, so that the next writer on the
    same files reads only the records it needs (ledger.store.lookup; about two seconds at
    100,000 claims: call it once the answer is out)."""
    if ws.loaded is not None:
        from ledger.store.lookup import remember

        scan, result = ws.loaded
        remember(ws.layout, scan, result)


def file_ids(layout: Layout) -> set[str]:
    """The name of every YAML file under the data folder, in any folder: ids in use, even by
    files that do not load. Every name that ``rglob("*.yaml")`` finds (folders linked in are
    not entered), listed by ``os.scandir``: pathlib's objects cost seconds at 100k files."""
    ids: set[str] = set()
    folders = [os.fspath(layout.data)]
    while folders:
        try:
            with os.scandir(folders.pop()) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            if entry.name.endswith(RECORD_SUFFIX):
                ids.add(entry.name[: -len(RECORD_SUFFIX)])
            try:
                if entry.is_dir() and not entry.is_symlink():
                    folders.append(entry.path)
            except OSError:
                continue
    return ids
