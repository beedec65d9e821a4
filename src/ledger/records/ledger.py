"""The loaded ledger: every record by id, and where each one came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

from ledger.records.kinds import FOLDERS
from ledger.records.model import Assertion, Case, Claim, Record, Requirement, Source, Stance

if TYPE_CHECKING:
    from ledger.analysis.quotes import Position

_TABLES = attrgetter(*FOLDERS)
"""A ledger's record tables, in schema order (each an attribute named as its folder)."""


class Counted(NamedTuple):
    """A claim as the status rule counts it, and as a requirement's report reads a claim it
    does not print (analysis/status.py reads no more of one to judge a requirement, group
    its claims by case and find its gaps): a view that reports on a requirement without
    building every claim bearing on it gives these, from the remembered ledger's index
    (store/loaded_state.py)."""

    id: str
    source: str
    repeats: tuple[str, ...]
    """The claims it repeats, as its ``repeats`` relations name them, in their order."""
    cases: tuple[str, ...]
    """The cases it is about, each once, in id order (a report groups its claims by case)."""
    dated: bool
    """Whether it has an ``as_of`` date (an undated claim is a gap)."""
    figured: bool
    """Whether it gives figures (a report lists them from the claim itself)."""


Countable = Claim | Counted
"""What the status rule counts: a claim, or its counted facts."""


@dataclass
class Ledger:
    """All valid records of one ledger, keyed by id, in a deterministic (sorted) order.

    ``paths`` maps every record id to its file, relative to the ledger root (POSIX form);
    ``source_texts`` holds each source's archived text as read (only when it verified).
    ``positions`` holds where each claim's quote and each requirement's wording stands in
    its source's archived text (those found), once the quotes have been checked: None
    until then.
    """

    sources: dict[str, Source] = field(default_factory=dict)
    requirements: dict[str, Requirement] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    assertions: dict[str, Assertion] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    source_texts: dict[str, str] = field(default_factory=dict)
    positions: dict[str, Position] | None = None
    absent: dict[str, str] = field(default_factory=dict)
    """Records this ledger knows by id and kind but does not hold: a view built to check a
    few records (store/claim_edits.py) resolves every id without building every record."""
    counted: dict[str, list[tuple[Countable, Stance]]] = field(default_factory=dict)
    """Of a view that does not build every claim bearing on some requirements
    (store/diff_view.py): every claim bearing on each, in id order, as the rule counts it,
    with its stance on it. The status analysis takes these in place of the claims held."""

    def tables(self) -> dict[str, dict[str, Record]]:
        """The record tables by folder name, in schema order."""
        return dict(zip(FOLDERS, _TABLES(self), strict=True))

    def get(self, record_id: str) -> Record | None:
        """Any record by id, whatever its kind."""
        for table in _TABLES(self):
            if record_id in table:
                return table[record_id]
        return None

    def kind_of(self, record_id: str) -> str | None:
        """The folder name ("claims", "cases", ...) of the record with this id (asked once
        per link: it builds no dictionary)."""
        for kind in FOLDERS:
            if record_id in getattr(self, kind):
                return kind
        return self.absent.get(record_id)

    def ids_of(self, kind: str) -> list[str]:
        """Every id of a kind (folder name), those the ledger does not hold included."""
        ids = list(self.tables()[kind])
        if self.absent:
            ids.extend(i for i, k in self.absent.items() if k == kind)
        return ids

    def add(self, kind: str, record: Record, path: str) -> None:
        """Add a validated record; the caller has checked that the id is free."""
        self.tables()[kind][record.id] = record  # type: ignore[attr-defined]
        self.paths[record.id] = path  # type: ignore[attr-defined]

    def sort(self) -> None:
        """Put every table in id order, so every output is deterministic."""
        for table in self.tables().values():
            ordered = dict(sorted(table.items()))
            table.clear()
            table.update(ordered)
