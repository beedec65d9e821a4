"""Writing a site's files while its later pages are still being rendered.

Each file is written by :func:`ledger.authoring.atomic.write_atomic` (a temporary file renamed
into place), so a web server serving the folder meanwhile finds each page wholly old or wholly
new. Pages are not flushed to disk one by one (at 100,000 claims that is 117,000 flushes,
a fifth of a millisecond each), so a power cut may leave a page empty; every build writes
every page again. The manifest, written last, is flushed. A few threads write
while the caller renders the next pages, so a large site is never held in memory whole.
A file is checked to lie inside the folder before it is handed to a thread, and the first
failure, in the order the files come, stops the build.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ledger.authoring.atomic import write_atomic

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


def _store(target: Path, text: Text) -> tuple[str, str | None]:
    """Write one file; its SHA-256 (for the manifest) and None, or why it was not written."""
    digest = hashlib.sha256()

    def encoded() -> Iterator[bytes]:
        for piece in (text,) if isinstance(text, str) else text:
            data = piece.encode("utf-8")
            digest.update(data)
            yield data

    problem = write_atomic(target, encoded(), durable=False)
    return digest.hexdigest(), problem


def _length(text: Text) -> int:
    return len(text) if isinstance(text, str) else sum(map(len, text))


def write_all(files: Iterable[tuple[str, Text]], place: Place) -> tuple[dict[str, str], str | None]:
    """Write every file; the SHA-256 of each written, in order, and the first error (None when
    all were written). After an error no further file is started, and those already started
    are finished and counted: the caller records every file that is there."""
    digests: dict[str, str] = {}
    pending: deque[tuple[str, int, Future[tuple[str, str | None]]]] = deque()
    error: str | None = None
    waiting = 0  # characters of the pending files

    def collect() -> str | None:
        nonlocal waiting
        rel, size, future = pending.popleft()
        waiting -= size
        digest, problem = future.result()
        if problem is None:
            digests[rel] = digest
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
            pending.append((rel, size, pool.submit(_store, target, text)))
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
        digest, problem = future.result()
        if problem is None:
            digests[rel] = digest
    return digests, error
