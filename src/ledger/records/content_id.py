"""A file's content id: git's blob id of its bytes, so the working tree and any revision name
the same content alike and an outcome worked out once serves both."""

from __future__ import annotations

import hashlib


def blob_id(data: bytes) -> str:
    """Git's (SHA-1) blob id of ``data``: what `git hash-object` and `git ls-tree` print."""
    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.hexdigest()
