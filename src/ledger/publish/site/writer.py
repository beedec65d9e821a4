"""Writing a site's files while its later pages are still being rendered.

Each file is written by :func:`ledger.authoring.atomic.write_atomic` (a temporary file renamed
into place), so a web server serving the folder meanwhile finds each page wholly old or wholly
new. Pages are not flushed to disk one by one (at 100,000 claims that is 117,000 flushes,
a fifth of a millisecond each), so a power cut may leave a page empty; every build writes
every page again. The manifest, written last, is flushed. A few threads write
while the caller renders the next pages, so a large site is never held in memory whole.
A file is checked to lie inside the folder before it is handed to a thread, and the first
failure, in the order the files come, stops the build.

A rebuild leaves alone a page whose file already holds exactly the bytes it would write
(the earlier build's manifest gives the same SHA-256, and the file, read, is equal): writing
it again would change nothing but its times. At 100,000 claims most pages are the same
between two builds of a day, and writing them was a third of a build. The manifest only
says which files to read; the bytes are what decide, so an edited or forged page, a link
or a file with other names (hard links) is written again.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from ledger.authoring.atomic import WRITABLE, write_atomic
from ledger.records.files import read_bytes

WORKERS = 2
"""Threads writing files while the pages render. Without a flush a write is a few short system
calls, and each thread more only takes the interpreter's lock from the rendering (eight made
a site at 10,000 claims a tenth slower than two)."""

AHEAD = 64
"""Files rendered but not yet written, at most: bounds the memory a build holds."""

AHEAD_CHARS = 16 * 1024 * 1024
"""Characters rendered but not yet written, at most (one file over it is written alone):
at 100,000 claims a requirement's page is 80 MB, and four of them waiting, each with its
encoded copy, would hold half a gigabyte more."""

Text = str | Sequence[str]
"""A file's text, whole or in pieces written one after the other (a page whose text would
otherwise be copied whole several times on its way to the file: the search index)."""

Place = Callable[[str], "Path | str"]
"""Where a file goes inside the site's folder, or why it may not be written."""

Kept = Mapping[str, str]
"""The SHA-256 of each file the earlier build wrote, by path (its manifest)."""


class Stored(NamedTuple):
    """A file of the site as a build left it: the SHA-256 of its bytes, and whether this
    build wrote it (False: the file there held these very bytes already)."""

    digest: str
    wrote: bool = True


def _holds(target: Path, data: bytes) -> bool:
    """Whether ``target`` is a regular file anyone may write (as a rebuild would), with no
    other name, holding exactly ``data`` (read as any untrusted file is: no link followed)."""
    try:
        info = os.lstat(target)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1 or info.st_size != len(data):
        return False  # a link, a folder, a second name: the write says what it is
    if not info.st_mode & WRITABLE:
        return False  # read-only: refused by the write, as a changed page would be
    return read_bytes(target, len(data)) == data


def _store(target: Path, text: Text, earlier: str | None = None) -> tuple[Stored, str | None]:
    """Write one file, unless the earlier build's (``earlier``: its SHA-256) holds these
    very bytes; what the manifest keeps of it, and None, or why it was not written."""
    if isinstance(text, str):
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        if earlier == digest and _holds(target, data):
            return Stored(digest, wrote=False), None
        return Stored(digest), write_atomic(target, (data,), durable=False)
    whole = hashlib.sha256()

    def encoded() -> Iterator[bytes]:
        for piece in text:
            data = piece.encode("utf-8")
            whole.update(data)
            yield data

    problem = write_atomic(target, encoded(), durable=False)
    return Stored(whole.hexdigest()), problem


def _length(text: Text) -> int:
    return len(text) if isinstance(text, str) else sum(map(len, text))


def write_all(
    files: Iterable[tuple[str, Text]], place: Place, kept: Kept | None = None
) -> tuple[dict[str, Stored], str | None]:
    """Write every file (but those that already hold what the earlier build's manifest,
    ``kept``, says they held, and will hold now); what the manifest keeps of each, in
    order, and the first error (None when all were written).
    After an error no further file is started, and those already started are finished and
    counted: the caller records every file that is there."""
    digests: dict[str, Stored] = {}
    earlier = kept or {}
    pending: deque[tuple[str, int, Future[tuple[Stored, str | None]]]] = deque()
    error: str | None = None
    waiting = 0  # characters of the pending files

    def collect() -> str | None:
        nonlocal waiting
        rel, size, future = pending.popleft()
        waiting -= size
        entry, problem = future.result()
        if problem is None:
            digests[rel] = entry
        return problem

    def full() -> bool:
        return len(pending) > AHEAD or waiting > AHEAD_CHARS or pending[0][2].done()

    pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="ledger-site")
    try:
        for rel, text in files:
            target = place(rel)
            if isinstance(target, str):
                error = target
                break
            size = _length(text)
            pending.append((rel, size, pool.submit(_store, target, text, earlier.get(rel))))
            waiting += size
            del text  # the thread holds the only reference: freed once written
            while pending and full():
                error = collect()
                if error:
                    break
            if error:
                break
        while pending and not error:
            error = collect()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for rel, _size, future in pending:  # left by an error: each finished, or never started
        if future.cancelled() or future.exception() is not None:
            continue
        entry, problem = future.result()
        if problem is None:
            digests[rel] = entry
    return digests, error
