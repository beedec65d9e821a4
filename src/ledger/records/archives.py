"""Finding and reading the archived texts of sources: on disk, or in a git revision.

On disk a path is resolved (links followed) and must still lie inside the data folder; in a
revision there are no links to follow (only regular blobs are listed), so the path is joined
by name and its blob read from git's objects, all of a load's archives in one `cat-file`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ledger.records.files import MAX_ARCHIVE_BYTES, ReadFailure, read_bytes
from ledger.records.portable import PathRefusal, join_inside
from ledger.records.root import Layout


@dataclass(frozen=True)
class ArchiveProblem:
    """Why a source's archived text cannot be had: a diagnostic's code, message and hint."""

    code: str
    message: str
    hint: str


Found = tuple[bytes, str] | ArchiveProblem
"""An archive's bytes and its path as shown (from the ledger's root), or why there are none."""


def read_archives(layout: Layout, wanted: dict[str, tuple[str, str]]) -> dict[str, Found]:
    """For each source id, given (its record's path from the root, its archive path as
    written), the archive's bytes or the problem that stops them."""
    if layout.tree is not None:
        return _in_revision(layout, wanted)
    return {key: _on_disk(layout, rel, raw) for key, (rel, raw) in wanted.items()}


def _refused(raw: str, refusal: PathRefusal) -> ArchiveProblem:
    return ArchiveProblem("archive-path", f"the archive path '{raw}' {refusal.why}", refusal.hint)


def _unreadable(raw: str, failure: ReadFailure) -> ArchiveProblem:
    return ArchiveProblem(
        "archive-missing",
        f"the archived text '{raw}' cannot be read: {failure.message}",
        "archive the source's text at this path, byte for byte",
    )


def _on_disk(layout: Layout, record_rel: str, raw: str) -> Found:
    target = join_inside((layout.root / record_rel).parent, raw)
    if isinstance(target, PathRefusal):
        return _refused(raw, target)
    try:  # strict: a link loop raises on every Python (3.13's lenient resolve does not)
        resolved = target.resolve(strict=True)
    except FileNotFoundError:
        resolved = target.resolve(strict=False)  # reported as missing below
    except (OSError, RuntimeError):
        return ArchiveProblem(
            "archive-path",
            f"the archive path '{raw}' cannot be resolved (a link loop?)",
            "point it at a plain file inside the data folder",
        )
    if layout.data.resolve() not in resolved.parents:
        return ArchiveProblem(
            "archive-path",
            f"the archive path '{raw}' leads outside the data folder",
            "archive the text inside the data folder; links out of it are not followed",
        )
    data = read_bytes(resolved, MAX_ARCHIVE_BYTES)
    if isinstance(data, ReadFailure):
        return _unreadable(raw, data)
    return data, layout.relative(Path(target))


def _in_revision(layout: Layout, wanted: dict[str, tuple[str, str]]) -> dict[str, Found]:
    assert layout.tree is not None
    found: dict[str, Found] = {}
    paths: dict[str, str] = {}
    for key, (record_rel, raw) in wanted.items():
        target = join_inside(PurePosixPath(record_rel).parent, raw)
        if isinstance(target, PathRefusal):
            found[key] = _refused(raw, target)
        else:  # no "..", no links: the name alone says it stays in the record's folder
            paths[key] = target.as_posix()
    read = layout.tree.read_many(list(dict.fromkeys(paths.values())), MAX_ARCHIVE_BYTES)
    for key, rel in paths.items():
        data = read[rel]
        found[key] = (
            _unreadable(wanted[key][1], data)
            if isinstance(data, ReadFailure)
            else (
                data,
                rel,
            )
        )
    return found
