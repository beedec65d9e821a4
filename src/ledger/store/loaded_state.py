"""The loaded ledger remembered whole, for one state of the working tree, and brought up to
date from the files changed since.

Loading through the per-file cache still makes a pass over every file's stored outcome
(seals, content keys, admission of ids): seconds at 100,000 records, for every command that
reads records. So the records as admitted at one load are kept in one sealed row, each
kind's records as one JSON array (validated in one call), with the diagnostics and unloaded
ids that reading and admitting them gave, and every record file's identity (the claims,
most of the row, are kept apart and read only when asked for: a check after an edit to
claims needs every other record and only a few claims, store/claim_edits.py):

* when the ledger is exactly as it was then (:func:`ledger.records.scan.ledger_key`: every file's
  identity under data/, the marker file and the code), the row is the load's result;
* when a few record files changed since (edited, added, removed: their identity differs),
  and that load found nothing wrong with any file, the unchanged files' records come from
  the row and only the changed files are read; ids are then admitted over every file as a
  plain load does (pipeline.admit), so the result is the same.

The row is kept for one state only, written by a load that asks questions (not `validate`,
run after every edit) when no row can serve, or when the ledger has drifted REBASE_AT files
from it; and only when every file had settled when the walk began (scan.py's racy-file
rule). Never for a revision. The cross-record checks are not part of it: a load with checks
runs them after.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ledger.records.diagnostics import Diagnostic
from ledger.records.kinds import CLAIMS, FOLDERS
from ledger.records.ledger import Countable, Counted, Ledger
from ledger.records.model import RECORD_TYPES, Claim, RelationKind, Stance
from ledger.records.record_reader import FileOutcome
from ledger.records.scan import RecordFile

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from ledger.records.pipeline import LoadResult
    from ledger.records.root import Layout
    from ledger.records.scan import Identity, Scan
    from ledger.store.cache import Cache

T = TypeVar("T")

NAME = "loaded:working-tree"
CLAIMS_NAME = "loaded:working-tree:claims"
"""The paths and index of the claims of the row kept under NAME, stored under the same
state (:class:`ClaimsIndex`)."""
CLAIM_RECORDS_NAME = "loaded:working-tree:claims:records"
"""The claims themselves, one JSON array, stored apart again: a view of a case reads a few
claims, from their files, and need not read them all."""
FAMILY = "loaded:"
FORMAT = 10
APART = CLAIMS.folder
"""The kind whose records are stored apart from the row."""


def rebase_at(files: int) -> int:
    """Changed files past which the row is written again: reading that many each time
    costs more than writing the row once."""
    return max(32, files // 1000)


def drift_limit(files: int) -> int:
    """Changed files past which the row is not used at all (a whole load is cheaper)."""
    return max(256, files // 50)


FileState = tuple[str, tuple[int, ...], "str | None"]
"""A record file's kind, identity and blob id (None when unknown)."""
FileNow = tuple["str | None", str]
"""A record file as it differs from the row: its content id (None: gone) and its kind."""


@dataclass
class Columns:
    """The row's record files, one list per field, in the order the walk met them."""

    marker: str
    """The marker file's digest (it decides how files are admitted)."""
    rels: list[str]
    kinds: list[str]
    blobs: list[str | None]
    flat: list[int]
    """Every file's identity, four numbers each, one after the other."""
    _index: dict[str, int] | None = None

    STRETCH = 1024
    """Files compared at a time: a stretch that differs is then compared file by file."""

    def differing(self, found: list[tuple[str, str, str, Identity]]) -> list[int]:
        """Where ``found`` (a walk's files, the same paths in the same order) differs in a
        file's identity or kind."""
        now = [n for f in found for n in f[3]]
        kinds = [f[0] for f in found]
        flat, then = self.flat, self.kinds
        if now == flat and kinds == then:
            return []
        step = self.STRETCH
        at = []
        for start in range(0, len(found), step):
            end = start + step
            if (
                now[4 * start : 4 * end] == flat[4 * start : 4 * end]
                and kinds[start:end] == then[start:end]
            ):
                continue
            for i in range(start, min(end, len(found))):
                if now[4 * i : 4 * i + 4] != flat[4 * i : 4 * i + 4] or kinds[i] != then[i]:
                    at.append(i)
        return at

    def state_of(self, rel: str) -> FileState | None:
        if self._index is None:
            self._index = dict(zip(self.rels, range(len(self.rels)), strict=True))
        i = self._index.get(rel)
        if i is None:
            return None
        return self.kinds[i], tuple(self.flat[4 * i : 4 * i + 4]), self.blobs[i]  # type: ignore[return-value]


@dataclass
class ClaimsIndex:
    """The remembered claims, one entry each in the row's order: its id, where its JSON
    starts in the row's array, the requirements it bears on and the cases it is about (as
    the positions of the claims bearing on each requirement, and about each case), every
    link it makes (position, target id, the link's kind), and what the status rule counts
    of it besides (its source, and its stance on each requirement it bears on), and whether
    it is dated and gives figures: enough to judge a requirement, and to group its claims
    by case and find its gaps, without building its claims (:meth:`counted`)."""

    ids: list[str]
    starts: list[int]
    bears: dict[str, list[int]]
    about: dict[str, list[int]]
    links: list[tuple[int, str, str]]
    sources: list[int]
    """Each claim's source, as its place in :attr:`source_ids`."""
    source_ids: list[str]
    stances: dict[str, str]
    """For each requirement, the stance on it of each claim :attr:`bears` lists for it, one
    character each (:data:`STANCE_CODES`)."""
    flags: str
    """Of each claim, one digit: 1 if it is dated, plus 2 if it gives figures."""
    _repeats: dict[int, tuple[str, ...]] | None = field(default=None, compare=False, repr=False)
    _cases: dict[int, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    NAMES = ("ids", "starts", "bears", "about", "links", "sources", "source_ids", "stances")
    NAMES += ("flags",)

    @classmethod
    def of(cls, claims: list[Claim], parts: list[str] | None = None) -> ClaimsIndex:
        """The index of ``claims``, stored as ``parts`` joined into one JSON array (without
        them, an index to pick claims by, where none starts anywhere)."""
        starts, at = [], 1
        for part in parts or ():
            starts.append(at)
            at += len(part) + 1
        bears: dict[str, list[int]] = {}
        stances: dict[str, list[str]] = {}
        about: dict[str, list[int]] = {}
        links = []
        source_at: dict[str, int] = {}
        sources = []
        flags = []
        for position, claim in enumerate(claims):
            for req_id, stance in claim.bears_on.items():
                bears.setdefault(req_id, []).append(position)
                stances.setdefault(req_id, []).append(STANCE_CODES[stance])
            for case_id in dict.fromkeys(claim.cases):
                about.setdefault(case_id, []).append(position)
            for rel in claim.relations:
                links.append((position, rel.target, rel.kind.value))
            sources.append(source_at.setdefault(claim.source, len(source_at)))
            flags.append(_FLAG[claim.dated, claim.figured])
        coded = {req_id: "".join(codes) for req_id, codes in stances.items()}
        ids = [c.id for c in claims]
        return cls(ids, starts, bears, about, links, sources, [*source_at], coded, "".join(flags))

    def to_json(self) -> str:
        return _json({name: getattr(self, name) for name in self.NAMES})

    @classmethod
    def parse(cls, text: str, count: int) -> ClaimsIndex | None:
        """The index as stored, for ``count`` claims; None if it is not of that shape."""
        try:
            plain = json.loads(text)
            ids, starts, bears, about, links, sources, source_ids, stances, flags = (
                plain[k] for k in cls.NAMES
            )
            if not (len(ids) == len(starts) == len(sources) == count):
                return None
            if not (type(flags) is str and len(flags) == count and set(flags) <= _FLAGS):
                return None
            if not type(bears) is type(about) is type(stances) is dict:
                return None
            positions = [*bears.values(), *about.values()]
            if not all(type(part) is list for part in [ids, starts, source_ids, *positions]):
                return None
            if not (_only(str, ids) and _only(int, starts) and _positions(positions, count)):
                return None
            if not (_only(str, source_ids) and _positions([sources], len(source_ids))):
                return None
            if stances.keys() != bears.keys() or not all(
                type(codes) is str
                and len(codes) == len(bears[req_id])
                and set(codes) <= STANCE_OF.keys()
                for req_id, codes in stances.items()
            ):
                return None
            made = [(p, t, k) for p, t, k in links]
        except (ValueError, KeyError, TypeError):
            return None
        if not _positions([[link[0] for link in made]], count):
            return None
        if not all(type(t) is type(k) is str and k in _RELATION_KINDS for _, t, k in made):
            return None
        return cls(ids, starts, bears, about, made, sources, source_ids, stances, flags)

    def counted(
        self, requirement_id: str, holds: Callable[[str], bool], new: Iterable[Claim] = ()
    ) -> list[tuple[Countable, Stance]]:
        """The claims bearing on a requirement, of those ``holds`` (by id), as the status
        rule counts them, with their stances, in id order; with the claims ``new`` (read
        again from their files) that bear on it, as they are."""
        items = self._counted(requirement_id, holds)
        fresh = [(c, c.bears_on[requirement_id]) for c in new if requirement_id in c.bears_on]
        if fresh:
            items.extend(fresh)
            items.sort(key=lambda item: item[0].id)
        return items

    def _counted(
        self, requirement_id: str, holds: Callable[[str], bool]
    ) -> list[tuple[Countable, Stance]]:
        if self._repeats is None:
            repeats: dict[int, list[str]] = {}
            for position, target, kind in self.links:
                if kind == _REPEATS:
                    repeats.setdefault(position, []).append(target)
            self._repeats = {p: tuple(targets) for p, targets in repeats.items()}
        ids, sources, source_ids, repeated = self.ids, self.sources, self.source_ids, self._repeats
        positions = self.bears.get(requirement_id, ())
        cases, flags = self.cases_at(positions), self.flags
        codes = self.stances.get(requirement_id, "")
        return [
            (
                Counted(
                    ids[p],
                    source_ids[sources[p]],
                    repeated.get(p, ()),
                    cases[p],
                    *_FLAG_OF[flags[p]],
                ),
                STANCE_OF[code],
            )
            for p, code in zip(positions, codes, strict=True)
            if holds(ids[p])
        ]

    def cases_at(self, positions: Iterable[int]) -> dict[int, tuple[str, ...]]:
        """The cases of the claims at these positions (each once, in id order), by
        position (with those of any asked for before)."""
        known = self._cases
        found: dict[int, list[str]] = {p: [] for p in positions if p not in known}
        if found:
            for case_id, about in sorted(self.about.items()):
                for p in about:
                    if p in found:
                        found[p].append(case_id)
            known.update((p, tuple(case_ids)) for p, case_ids in found.items())
        return known

    def figured(self, position: int) -> bool:
        """Whether the claim at this position gives figures."""
        return _FLAG_OF[self.flags[position]][1]


_FLAG = {(dated, figured): str(dated + 2 * figured) for dated in (0, 1) for figured in (0, 1)}
"""A claim's flags in the index, by whether it is dated and whether it gives figures."""
_FLAG_OF = {code: (bool(dated), bool(figured)) for (dated, figured), code in _FLAG.items()}
_FLAGS = frozenset(_FLAG_OF)
STANCE_OF = {str(number): stance for number, stance in enumerate(Stance)}
"""Each stance by the one character the index stores it as."""
STANCE_CODES = {stance: code for code, stance in STANCE_OF.items()}
_RELATION_KINDS = frozenset(kind.value for kind in RelationKind)
_REPEATS = RelationKind.repeats.value


def _only(kind: type, values: list[Any]) -> bool:
    """Whether every value is exactly of this type (a bool is no int here)."""
    return set(map(type, values)) <= {kind}


def _positions(lists: Iterable[list[Any]], count: int) -> bool:
    """Whether every list holds positions among ``count`` claims."""
    return all(
        not values or (_only(int, values) and min(values) >= 0 and max(values) < count)
        for values in lists
    )


@dataclass
class Remembered:
    """One stored row, split: a header, each kind's records (JSON), the files' identities."""

    head: dict[str, Any]
    kinds: list[str | None]
    """Each kind's records as a JSON array, in FOLDERS order; the claims' None until read."""
    files_line: str
    key: str
    """The state of the ledger it was written for."""
    cache: Cache | None = None
    """Where the claims are read from: the cache the row was last looked up in."""
    _tables: dict[str, list[Any]] | None = None
    _columns: Columns | None = None
    _files: dict[str, FileState] | None = None
    _others: dict[str, list[Any]] | None = None
    _index_line: str = ""
    _claims_index: ClaimsIndex | None = None
    _changed: tuple[Scan, str, list[RecordFile] | None] | None = None
    """The walk :meth:`changes` was last asked of, the marker file then, and its answer."""

    def records(self) -> dict[str, list[Any]] | None:
        """Each kind's records, validated (one call per kind, once per process); None if
        they do not read back, or not as many as the header names."""
        if self._tables is None:
            self._tables = self._validated()
            if self._tables:  # the JSON is not read again: the process need not hold it
                self.kinds = [""] * len(self.kinds)
        return self._tables or None

    def _validated(self, kinds: tuple[str, ...] = FOLDERS) -> dict[str, list[Any]]:
        from pydantic import TypeAdapter, ValidationError

        if APART in kinds and not (self._read_apart() and self._read_claims()):
            return {}
        done = self._others or {}  # the other kinds, when validated already
        try:
            tables = {
                kind: done[kind]
                if kind in done
                else TypeAdapter(list[RECORD_TYPES[kind]]).validate_json(line or "")  # type: ignore[valid-type]
                for kind, line in zip(FOLDERS, self.kinds, strict=True)
                if kind in kinds
            }
        except (ValueError, ValidationError):
            return {}
        paths = self.head["paths"]
        if any(len(tables[kind]) != len(paths[kind]) for kind in kinds):
            return {}
        return tables

    def _read_apart(self) -> bool:
        """Read the claims' paths and index, stored apart for the same state as the row;
        False if they do not read back (gone, sealed otherwise, or written for another
        state)."""
        if APART not in self.head["paths"]:
            text = self.cache.raw(CLAIMS_NAME, self.key) if self.cache is not None else None
            paths, _, index = (text or "").partition("\n")
            try:
                rels = json.loads(paths)
            except ValueError:
                return False
            if not isinstance(rels, list) or not all(isinstance(r, str) for r in rels):
                return False
            self.head["paths"][APART] = rels
            self._index_line = index
        return True

    def _read_claims(self) -> bool:
        """Read the claims' JSON, stored apart for the same state as the row (once per
        process); False if it does not read back."""
        at = FOLDERS.index(APART)
        if self.kinds[at] is None:
            text = self.cache.raw(CLAIM_RECORDS_NAME, self.key) if self.cache else None
            if text is None:
                return False
            self.kinds[at] = text
        return True

    def claims_index(self) -> ClaimsIndex | None:
        """Which requirements each remembered claim bears on and what it links to, with
        where its JSON stands in the row (None if that does not read back whole)."""
        if self._claims_index is None:
            if not self._read_apart():
                return None
            self._claims_index = ClaimsIndex.parse(self._index_line, len(self.head["paths"][APART]))
        return self._claims_index

    def some_claims(self, positions: list[int]) -> list[Any] | None:
        """The remembered claims at these positions (in the row's order), validated in one
        call; None if they do not read back."""
        from pydantic import TypeAdapter, ValidationError

        index = self.claims_index()
        if index is not None and self._tables is not None:  # every claim is built already
            return [self._tables[APART][p] for p in positions]
        if index is None or not self._read_claims():
            return None
        line = self.kinds[FOLDERS.index(APART)] or ""
        starts, end = index.starts, len(line) - 1
        ends = [*starts[1:], end + 1]  # each element ends before the comma that follows it
        text = "[" + ",".join(line[starts[p] : ends[p] - 1] for p in positions) + "]"
        try:
            found = TypeAdapter(list[RECORD_TYPES[APART]]).validate_json(text)  # type: ignore[valid-type]
        except (ValueError, ValidationError):
            return None
        return found if len(found) == len(positions) else None

    def others(self) -> dict[str, list[Any]] | None:
        """The records of every kind but the claims, validated (once per process), as
        :meth:`records` gives them: for a view that needs every record of those kinds and
        some claims."""
        if self._tables is not None:
            return {k: v for k, v in self._tables.items() if k != APART} or None
        if self._others is None:
            self._others = self._validated(tuple(k for k in FOLDERS if k != APART))
        return self._others or None

    def fill_others(self, ledger: Ledger, fresh: Iterable[FileOutcome], gone: set[str]) -> bool:
        """Every record of the other kinds than the claims into ``ledger``: the row's, but
        those of the files in ``gone``, then the records of ``fresh`` (sound outcomes; their
        claims are left out); False when the row's records do not read back, or a fresh
        record's id is taken."""
        others = self.others()
        if others is None:
            return False
        for kind, records in others.items():
            table = ledger.tables()[kind]
            for record, rel in zip(records, self.head["paths"][kind], strict=True):
                if rel not in gone:
                    table[record.id] = record
                    ledger.paths[record.id] = rel
        for outcome in fresh:
            if outcome.kind != APART:
                record = outcome.record
                if record.id in ledger.paths:  # type: ignore[union-attr]
                    return False
                ledger.add(outcome.kind, record, outcome.rel)  # type: ignore[arg-type]
        return True

    def fill(self, result: LoadResult) -> bool:
        """Fill ``result`` (as :func:`ledger.records.pipeline.begin` left it) with the row's
        records, diagnostics and unloaded ids; False, ``result`` untouched, if it does not
        read back whole."""
        tables = self.records()
        if tables is None:
            return False
        ledger = result.ledger
        for kind in FOLDERS:
            table = ledger.tables()[kind]
            for record, rel in zip(tables[kind], self.head["paths"][kind], strict=True):
                table[record.id] = record
                ledger.paths[record.id] = rel
        result.diagnostics.extend(self.head["diagnostics"])
        result.unloaded.update(self.head["unloaded"])
        return True

    def changes(self, layout: Layout, scan: Scan) -> list[RecordFile] | None:
        """The record files that differ from the row's (new, edited, or of another kind),
        when the row can serve as the base of this load: nothing was wrong with any file
        then, the marker file is the same, and few files differ. None otherwise.

        A working-tree file differs when its identity does (as the per-file cache has it);
        a revision's, when its blob id does: a revision a few commits from the working tree
        reads only the blobs it does not share with it. When the walk met the same files in
        the same order as the row lists them (an edit in place changes neither), they are
        compared a stretch at a time, and no file is looked up by name.

        Worked out once per walk: a report's check that its output still holds, and then
        its view, ask it of the same walk."""
        marker = marker_digest(layout)
        seen = self._changed
        if seen is None or seen[0] is not scan or seen[1] != marker:
            seen = self._changed = (scan, marker, self._changes(layout, scan, marker))
        return list(seen[2]) if seen[2] is not None else None

    def _changes(self, layout: Layout, scan: Scan, marker: str) -> list[RecordFile] | None:
        if not self.head["clean"]:
            return None
        columns = self.columns()
        if columns is None or columns.marker != marker:
            return None
        if layout.tree is None and [f[2] for f in scan.found] == columns.rels:
            changed = [RecordFile._make(scan.found[i]) for i in columns.differing(scan.found)]
            return self._drifted(changed, set(), len(scan.found))
        files = self.files()
        if files is None:
            return None
        changed = []
        kept = 0  # files the row holds as they are
        if layout.tree is None:
            for f in scan.records:
                was = files.get(f.rel)
                if was is None or was[1] != f.identity or was[0] != f.kind:
                    changed.append(f)
                else:
                    kept += 1
        else:
            blobs = layout.tree.blobs
            for f in scan.records:
                was = files.get(f.rel)
                if was is None or was[2] != blobs.get(f.rel) or was[0] != f.kind:
                    changed.append(f)
                else:
                    kept += 1
        held = kept + sum(1 for f in changed if f.rel in files)
        removed = set(files).difference(f.rel for f in scan.records) if held < len(files) else set()
        return self._drifted(changed, removed, len(scan.records))

    def _drifted(
        self, changed: list[RecordFile], removed: set[str], files: int
    ) -> list[RecordFile] | None:
        drift = len(changed) + len(removed)
        if drift > drift_limit(files):
            return None
        self.head["drift"] = drift
        self.head["removed"] = removed
        return changed

    def amend(self, result: LoadResult, fresh: list[FileOutcome]) -> bool:
        """Fill ``result`` with the row's records but those of the files that changed or
        went (as :meth:`changes` found them), and then ``fresh``'s, their outcomes: what
        admitting every file again would give, when each fresh file holds one sound record
        named for its own id, an id no other file holds. False, ``result`` untouched,
        otherwise: then the whole admission decides (a clash, a broken file).

        The row was clean (no file broken, misnamed or a duplicate), so the files that did
        not change admit exactly as they did; only the fresh ones need a look."""
        tables = self.records()
        if tables is None or any(not outcome.sound() for outcome in fresh):
            return False
        gone = {outcome.rel for outcome in fresh} | self.head.get("removed", set())
        kept: dict[str, dict[str, Any]] = {}
        paths: dict[str, str] = {}
        for kind in FOLDERS:
            table = kept[kind] = {}
            for record, rel in zip(tables[kind], self.head["paths"][kind], strict=True):
                if rel not in gone:
                    table[record.id] = record
                    paths[record.id] = rel
        for outcome in fresh:
            record_id = outcome.record.id  # type: ignore[union-attr]
            if record_id in paths:
                return False
            kept[outcome.kind][record_id] = outcome.record
            paths[record_id] = outcome.rel
        ledger = result.ledger
        for kind, table in kept.items():
            if any(outcome.kind == kind for outcome in fresh):
                table = dict(sorted(table.items()))
            getattr(ledger, kind).update(table)
        ledger.paths.update(paths)
        return True

    def columns(self) -> Columns | None:
        """Each record file's path, kind, identity and blob id when the row was written, as
        stored (None if they do not read back). Read once per process (a diff and a log
        read them for every revision), and not to be changed by the caller."""
        if self._columns is None:
            try:
                plain = json.loads(self.files_line)
                rels, kinds, blobs, flat = (plain[k] for k in ("rels", "kinds", "blobs", "idents"))
                if not len(rels) == len(kinds) == len(blobs) == len(flat) // 4:
                    return None
                if len(flat) % 4 or not isinstance(plain["marker"], str):
                    return None
                self._columns = Columns(plain["marker"], rels, kinds, blobs, flat)
            except (ValueError, KeyError, TypeError):
                return None
        return self._columns

    def files(self) -> dict[str, FileState] | None:
        """Each record file's kind, identity and blob id by path, when the row was written;
        None if they do not read back. Made once, and not to be changed by the caller."""
        columns = self.columns()
        if columns is None:
            return None
        if self._files is None:
            flat = columns.flat
            idents = zip(flat[0::4], flat[1::4], flat[2::4], flat[3::4], strict=True)
            states = zip(columns.kinds, idents, columns.blobs, strict=True)
            self._files = dict(zip(columns.rels, states, strict=True))
        return self._files

    def state_of(self, rel: str) -> FileState | None:
        """One record file's kind, identity and blob id when the row was written (None: the
        row holds no such file, or its files do not read back)."""
        columns = self.columns()
        return columns.state_of(rel) if columns is not None else None

    def differing(self, fresh: Iterable[FileOutcome]) -> dict[str, FileNow]:
        """The record files whose content differs from the row's, as :data:`FileNow`: the
        files read again (``fresh``) but those holding what the row holds, and the files
        gone (as :meth:`changes` found them)."""
        found: dict[str, FileNow] = {}
        for outcome in fresh:
            state = self.state_of(outcome.rel)
            if state is None or state[2] != outcome.blob or state[0] != outcome.kind:
                found[outcome.rel] = (outcome.blob, outcome.kind)
        for rel in self.head["removed"]:
            state = self.state_of(rel)
            found[rel] = (None, state[0] if state is not None else "")
        return found

    def content_ids(self) -> dict[str, str | None]:
        """Each record file's content id by path, as the row holds them (none if its files
        do not read back)."""
        columns = self.columns()
        return dict(zip(columns.rels, columns.blobs, strict=True)) if columns is not None else {}

    def outcomes(self, scan: Scan, fresh: list[FileOutcome]) -> list[FileOutcome] | None:
        """Every record file's outcome, in file order: ``fresh`` for the files that changed,
        the row's records for the others; None if the row does not read back."""
        tables = self.records()
        if tables is None:
            return None
        kept: dict[str, FileOutcome] = {}
        for kind in FOLDERS:
            for record, rel in zip(tables[kind], self.head["paths"][kind], strict=True):
                kept[rel] = FileOutcome(rel, kind, None, record=record)
        found = {o.rel: o for o in fresh}
        try:
            return [found.get(f.rel) or kept[f.rel] for f in scan.records]
        except KeyError:  # a file the row should hold but does not
            return None


def recall(cache: Cache, key: str) -> Remembered | None:
    """The row kept for exactly this state of the ledger (the one :func:`latest` gives, so
    that a process loading the working tree and then a revision reads it once)."""
    found = latest(cache) if cache.fingerprint(NAME) == key else None
    return found if found is not None and found.key == key else None


def latest(cache: Cache) -> Remembered | None:
    """The row kept for whatever state the ledger was in when it was written. Read once
    per process: a diff loads two revisions from the same row, and a report's check that
    its output still holds and then its view both read it (storing the files read between
    the two writes the cache, not the row)."""
    version = cache.version(NAME)
    if version is None:
        return None
    fingerprint = version[0]
    where = (str(cache.path), *version)
    seen = _READ.get(where)
    if seen is None:
        found = cache.newest(NAME)
        seen = None if found is None or found[0] != fingerprint else _parse(found[1], fingerprint)
        _READ.clear()
        if seen is not None:
            _READ[where] = seen
    if seen is not None:
        seen.cache = cache  # the claims, when asked for, are read from the cache open now
    return seen


_READ: dict[tuple[str, str, int], Remembered] = {}
"""The row this process has read and checked, by cache file, the state it was written for,
and when it was written (anyone's writing it again makes it read again)."""


def _parse(text: str, key: str) -> Remembered | None:
    lines = text.split("\n")
    if len(lines) != 1 + len(FOLDERS):
        return None
    try:
        head = json.loads(lines[0])
        if head.get("format") != FORMAT:
            return None
        head["diagnostics"] = [Diagnostic.from_dict(d) for d in head["diagnostics"]]
        head["unloaded"] = {str(u) for u in head["unloaded"]}
        head["paths"] = {k: [str(rel) for rel in head["paths"][k]] for k in FOLDERS if k != APART}
        head["clean"] = bool(head["clean"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    kinds: list[str | None] = list(lines[1:-1])
    kinds.insert(FOLDERS.index(APART), None)
    return Remembered(head, kinds, lines[-1], key)


def remember(
    cache: Cache,
    key: str,
    layout: Layout,
    scan: Scan,
    result: LoadResult,
    added: list[Diagnostic],
    texts: dict[str, str | None],
    blobs: dict[str, str | None],
) -> None:
    """Keep ``result``'s records (in the ledger's order, as the JSON texts ``texts`` gives
    by file, or dumped again where it has none), the diagnostics loading ``added``, the
    unloaded ids and every record file's identity and blob id (``blobs``, where known),
    under ``key``, in place of any other state's."""
    ledger = result.ledger
    paths: dict[str, list[str]] = {}
    lines = []
    claim_parts: list[str] = []
    for kind, table in ledger.tables().items():
        rels = paths[kind] = [ledger.paths[record_id] for record_id in table]
        parts = []
        for record, rel in zip(table.values(), rels, strict=True):
            stored = texts.get(rel)
            parts.append(stored if stored is not None else _dumped(record))
        lines.append("[" + ",".join(parts) + "]")
        if kind == APART:
            claim_parts = parts
    clean = not added and not result.unloaded and len(ledger.paths) == len(scan.records)
    head = {
        "format": FORMAT,
        "diagnostics": [d.to_dict() for d in added],
        "unloaded": sorted(result.unloaded),
        "paths": paths,
        "clean": clean,
    }
    found = scan.found  # in the walk's order, which the next walk meets again
    files = {  # a column each, which reads back several times faster than a list per file
        "marker": marker_digest(layout),
        "rels": [f[2] for f in found],
        "kinds": [f[0] for f in found],
        "idents": [n for f in found for n in f[3]],
        "blobs": [blobs.get(f[2]) for f in found],
    }
    at = FOLDERS.index(APART)
    index = ClaimsIndex.of(list(ledger.claims.values()), claim_parts)
    apart = _json(paths.pop(APART)) + "\n" + index.to_json()
    claims = lines.pop(at)
    text = "\n".join([_json(head), *lines, _json(files)])
    cache.store_text(NAME, key, text, family=FAMILY)  # drops the claims of any other state
    cache.store_text(CLAIMS_NAME, key, apart, family=FAMILY)
    cache.store_text(CLAIM_RECORDS_NAME, key, claims, family=FAMILY)


def viewed(
    layout: Layout,
    scan: Scan,
    result: LoadResult | None,
    build: Callable[[Cache], T],
    refused: T,
) -> T:
    """``build(cache)`` with the cache open and the collector paused: a view of the working
    tree built from the remembered ledger (store/claim_edits.py, store/report_view.py), or
    a check that a report's output still holds (store/report_basis.py, with no ``result``);
    ``refused`` when none can be (a revision, folders not listed, files not loaded, or no
    cache to be had)."""
    from ledger.gcpause import paused_gc
    from ledger.store.cache import open_cache

    if layout.tree is not None or (result is not None and result.unloaded) or scan.unlisted:
        return refused
    cache = open_cache(layout)
    if cache is None:
        return refused
    try:
        with paused_gc():
            return build(cache)
    finally:
        cache.close()


def marker_digest(layout: Layout) -> str:
    """The marker file's content, by digest: it decides how files are admitted."""
    if layout.tree is not None:
        return hashlib.sha256(layout.tree.marker).hexdigest()
    try:
        marker = (layout.root / "ledger.toml").read_bytes()
    except OSError:
        marker = b""
    return hashlib.sha256(marker).hexdigest()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _dumped(record: object) -> str:
    """A record's JSON as the per-file cache stores it."""
    return record.model_dump_json(by_alias=True, exclude_defaults=True)  # type: ignore[attr-defined]
