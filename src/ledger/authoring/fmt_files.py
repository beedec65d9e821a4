"""Putting record files into canonical form, or checking that they are (`ledger fmt`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ledger.authoring.atomic import leftovers, write_atomic
from ledger.authoring.fmt import canonical
from ledger.authoring.writelock import LockFailure, write_lock
from ledger.publish.jsonschema_export import SCHEMA_DIR, schema_file
from ledger.records.load import RECORD_SUFFIX, discover, read_record_text
from ledger.records.root import Layout
from ledger.records.scan import RecordFile


@dataclass
class FmtResult:
    """Which files changed (or would), how many were already canonical, what went wrong,
    which leftovers of killed writers were removed, and why the run stopped, if it did."""

    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    crlf: list[str] = field(default_factory=list)
    """Files among ``changed`` that had CRLF line endings (canonical form has LF): the likely
    work of git's core.autocrlf, worth saying so since every record changes at once."""
    problems: list[tuple[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    stopped: LockFailure | None = None


def format_files(
    layout: Layout, paths: list[Path] | None = None, *, check: bool = False
) -> FmtResult:
    """Format every record file (or those under ``paths``); with ``check``, write nothing.

    A file that needs formatting is read again and written under the write lock, one file
    at a time, so a change another writer makes meanwhile (a relation, a review) is kept and
    a long run never keeps other writers waiting. Without ``check``, temporary files that
    killed writers left in the data folder over ten minutes ago are removed too.
    """
    result = FmtResult()
    wanted = [p.resolve() for p in paths] if paths else None
    for record in discover(layout):
        if wanted is not None and not any(
            record.path.resolve() == w or w in record.path.resolve().parents for w in wanted
        ):
            continue
        outcome = _format_one(layout, record)
        if isinstance(outcome, NotCanonical) and not check:
            with write_lock(layout.root) as busy:
                if busy:
                    result.stopped = busy
                    return result
                outcome = _format_one(layout, record, write=True)
        if outcome is None:
            result.unchanged += 1
        elif isinstance(outcome, tuple):
            result.problems.append(outcome)
        else:
            result.changed.append(outcome.rel)
            if outcome.crlf:
                result.crlf.append(outcome.rel)
    if wanted is not None:
        _unknown_paths(layout, wanted, result)
    if not check:
        _remove_leftovers(layout, result)
    return result


@dataclass(frozen=True)
class NotCanonical:
    """A record file not in canonical form (rewritten, unless only checked)."""

    rel: str
    crlf: bool
    """Whether its lines end in CRLF: then likely git's core.autocrlf, not its author."""


def _format_one(
    layout: Layout, record: RecordFile, *, write: bool = False
) -> NotCanonical | tuple[str, str] | None:
    """Read one record file and put it in canonical form (writing it with ``write``): what
    is wrong with its form, a problem, or None when it is canonical already."""
    text = read_record_text(record.path, record.rel)
    if isinstance(text, list):
        return (record.rel, text[0].message)
    formatted = canonical(text, record.kind, modeline_for(layout, record.path, record.kind))
    if formatted.text is None:
        return (record.rel, formatted.problem)
    if formatted.text == text:
        return None
    if write:
        failure = write_atomic(record.path, formatted.text, inside=layout.data)
        if failure:
            return (record.rel, failure)
    return NotCanonical(record.rel, "\r\n" in text)


def _remove_leftovers(layout: Layout, result: FmtResult) -> None:
    """Remove what killed writers left: old temporary files, under the write lock (so no
    writer of this ledger is mid-write)."""
    found = leftovers(layout.data)
    if not found:
        return
    with write_lock(layout.root) as busy:
        if busy:
            result.stopped = busy
            return
        for path in found:
            try:
                path.unlink()
            except OSError as exc:
                result.problems.append((layout.relative(path), f"not removed: {exc.strerror}"))
            else:
                result.removed.append(layout.relative(path))


def _unknown_paths(layout: Layout, wanted: list[Path], result: FmtResult) -> None:
    for path in wanted:
        inside = path == layout.data or layout.data in path.parents
        if not path.exists():
            result.problems.append((layout.relative(path), "no such file or folder"))
        elif not inside:
            result.problems.append((layout.relative(path), "not inside the ledger's data folder"))
        elif path.is_file() and not path.name.endswith(RECORD_SUFFIX):
            result.problems.append((layout.relative(path), "not a record file (.yaml)"))


def modeline_for(layout: Layout, path: Path, kind: str) -> str:
    """The schema path, relative to the record's folder, that editors should use."""
    target = layout.root / SCHEMA_DIR / schema_file(kind)
    return Path(os.path.relpath(target, path.parent)).as_posix()
