"""Whether a file is still as it was when a change to it was asked for.

A form (`ledger serve`) carries the fingerprint of the file it edits as it was when the form
opened; the writer, holding the ledger's write lock, compares it with the file as it is now,
and writes nothing when they differ: a change is never made over content its author did not
see. Kept apart from the writers so that both `authoring` and `review` use it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ledger.records.files import MAX_RECORD_BYTES, read_bytes


@dataclass(frozen=True)
class Stale:
    """The file changed on disk since the change was prepared (a form was opened on it):
    nothing was written, so no one's change is overwritten by one made without seeing it."""

    message: str
    path: str


def content_fingerprint(path: Path) -> str | None:
    """SHA-256 of a record file's bytes as they are now, or None when it cannot be read:
    what a form carries from the moment it opened, so a change made since is noticed."""
    data = read_bytes(path, MAX_RECORD_BYTES)
    return hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else None


def stale(root: Path, rel: str, expected: str | None) -> Stale | None:
    """Under the write lock: a :class:`Stale` when ``rel`` no longer holds the bytes whose
    fingerprint is ``expected`` (None: nothing was expected, nothing is checked)."""
    if expected is None or content_fingerprint(root / rel) == expected:
        return None
    return Stale(f"{rel} changed on disk after this form was opened; nothing was written", rel)
