"""The query database kept between runs, so that `ledger query` on an unchanged ledger reads
no record file and `ledger export -f sqlite` builds nothing.

:mod:`ledger.publish.sqlite_db` builds the database from the records, which takes seconds on a large
ledger. This module keeps what it builds (the compacted bytes ``export -f sqlite`` writes) as
``.ledger-cache/query.sqlite3``, for exactly one state of the ledger: the fingerprint
:func:`ledger.records.scan.ledger_key` of every file under data/, the marker file and the code.

The file lies where a commit could put one, so it follows cache.py's trust model:

* it is used only when a row of the cache, sealed under this machine's key, names this very
  file (device, inode, size, modification and change time) as built for this ledger key and
  this SQLite; a file git checked out or copied in is a new inode, so it is never used,
  whatever it holds, and SQLite never opens a file that is not ours;
* it is opened without following a link, and must be a regular file with no second name;
  its identity is checked on the open descriptor, and the path checked again once SQLite
  has opened it;
* it is written as a new file beside it and renamed into place, never through a link; a
  link, special file or hard-linked file in its place, or one git tracks, is left alone and
  the run goes on without the store;
* nothing is kept for a ledger read from a git revision, with LEDGER_NO_CACHE set, when the
  cache cannot be opened or written, or when a file under data/ had not settled (scan.py's
  racy-file rule). The command then builds the database in memory, as it always did.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.records.scan import Scan, ledger_key, scan_data, unreadable_data
from ledger.store.cache import CACHE_DIR, NO_CACHE_ENV, Cache, open_cache, tracked
from ledger.store.cache_key import NO_FOLLOW

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ledger.records.ledger import Ledger
    from ledger.records.root import Layout

STORE_FILE = "query.sqlite3"
STORED = "store:query"
"""The cache row naming the stored file: its identity, the ledger key, and what it left out."""

STALE_SECONDS = 600
"""A temporary file this old was left by a killed run, and is removed."""

FileId = tuple[int, int, int, int, int]
"""(device, inode, size, mtime_ns, ctime_ns): a new file, or a changed one, differs."""


def _file_id(info: os.stat_result) -> FileId:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


Left = tuple[int, "Sequence[str]"]
"""How many record files the ledger's load left out (they failed to load), and their paths
(LoadResult.left_out_paths)."""


class Store:
    """The stored query database of one ledger as it is now (one walk of its files)."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.folder = layout.root / CACHE_DIR
        self.path = self.folder / STORE_FILE
        self.scan: Scan | None = None
        """The walk the key was worked out from: loading the ledger reuses it."""
        self.key = ""
        self.left_out = 0
        """Record files the stored database leaves out (they failed to load)."""
        self.left_out_paths: tuple[str, ...] = ()
        """Their paths (LoadResult.left_out_paths)."""
        usable = layout.cacheable and not os.environ.get(NO_CACHE_ENV)
        if usable and unreadable_data(layout) is None:
            self.scan = scan_data(layout)
            self.key = ledger_key(layout, self.scan)

    # -- reading ------------------------------------------------------------------------

    def open(self) -> sqlite3.Connection | None:
        """The stored database, opened read-only, when it was built for exactly this ledger;
        None when there is none to trust (then build it: :meth:`build`)."""
        with self._ours() as handle:
            if handle is None:
                return None
            uri = f"{self.path.absolute().as_uri()}?mode=ro&immutable=1"
            try:
                conn = sqlite3.connect(uri, uri=True, isolation_level=None)
                conn.execute("PRAGMA trusted_schema=OFF")
            except sqlite3.Error:
                return None
            if not self._still(handle):  # swapped between the check and SQLite's open
                conn.close()
                return None
            return conn

    def read(self) -> bytes | None:
        """The stored database's bytes, when it was built for exactly this ledger."""
        with self._ours() as handle:
            if handle is None:
                return None
            try:
                with os.fdopen(os.dup(handle), "rb") as stored:
                    data = stored.read()
                size = os.fstat(handle).st_size
            except OSError:
                return None
            return data if len(data) == size else None

    @contextlib.contextmanager
    def _ours(self) -> Iterator[int | None]:
        """A descriptor of the stored file when a sealed row names this very file for this
        ledger key (closed on leaving); else None."""
        wanted = self._recall()
        handle = None
        if wanted is not None:
            with contextlib.suppress(OSError):
                handle = os.open(self.path, os.O_RDONLY | NO_FOLLOW | _NON_BLOCK)
        try:
            if handle is not None and not self._is(handle, wanted):
                os.close(handle)
                handle = None
            yield handle
        finally:
            if handle is not None:
                os.close(handle)

    def _recall(self) -> FileId | None:
        """The identity the sealed row gives the file built for this key (and sets
        ``left_out``); None when there is none."""
        cache = self._cache()
        if cache is None:
            return None
        try:
            value = cache.result(STORED, self.key)
        finally:
            cache.close()
        if not isinstance(value, dict) or value.get("sqlite") != sqlite3.sqlite_version:
            return None
        found, left_out = value.get("file"), value.get("left_out")
        if not isinstance(found, list) or len(found) != 5 or not isinstance(left_out, int):
            return None
        paths = value.get("left_out_paths")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            return None
        if not all(isinstance(n, int) for n in found):
            return None
        self.left_out, self.left_out_paths = left_out, tuple(paths)
        return (found[0], found[1], found[2], found[3], found[4])

    @staticmethod
    def _is(handle: int, wanted: FileId) -> bool:
        """Whether the open file is a regular file with one name, exactly the one the row
        names."""
        try:
            info = os.fstat(handle)
        except OSError:
            return False
        lone = stat.S_ISREG(info.st_mode) and info.st_nlink == 1
        return lone and _file_id(info) == wanted

    def _still(self, handle: int) -> bool:
        """Whether the path still names the open file (not a link put in its place)."""
        try:
            now, held = os.lstat(self.path), os.fstat(handle)
        except OSError:
            return False
        return stat.S_ISREG(now.st_mode) and (now.st_dev, now.st_ino) == (
            held.st_dev,
            held.st_ino,
        )

    # -- building -----------------------------------------------------------------------

    def build(self, ledger: Ledger, left_out: Left) -> sqlite3.Connection:
        """The database of ``ledger``, in memory, kept in the store when it may be."""
        from ledger.publish.sqlite_db import compact, connect

        conn = connect(ledger)
        if self._storable():
            self._keep(compact(conn), left_out)
        return conn

    def database_bytes(self, ledger: Ledger, left_out: Left) -> bytes:
        """The database as ``export -f sqlite`` writes it: the stored bytes when they are
        this ledger's, else built (and kept)."""
        from ledger.publish.sqlite_db import compact, connect

        stored = self.read()
        if stored is not None:
            return stored
        conn = connect(ledger)
        try:
            data = compact(conn)
        finally:
            conn.close()
        if self._storable():
            self._keep(data, left_out)
        return data

    def _storable(self) -> bool:
        return self.scan is not None and self.scan.all_settled

    def _keep(self, data: bytes, left_out: Left) -> None:
        """Put ``data`` in place as the stored file and seal a row naming it. Anything in
        the way that is not a plain file of ours is left alone, and nothing is kept."""
        cache = self._cache()  # first: it checks the folder is no link, and makes it
        if cache is None:
            return
        try:
            made = self._write(data)
            if made is not None:
                count, paths = left_out
                value = {"file": list(made), "left_out": count, "left_out_paths": list(paths)}
                value["sqlite"] = sqlite3.sqlite_version
                cache.store_result(STORED, self.key, value)
        finally:
            cache.close()

    def _write(self, data: bytes) -> FileId | None:
        """Write ``data`` beside the stored file and rename it into place; the new file's
        identity, or None when it was not put in place."""
        if not self._replaceable():
            return None
        import tempfile

        _remove_stale(self.folder)
        try:
            handle, temporary = tempfile.mkstemp(
                prefix=f".{STORE_FILE}.", suffix=".tmp", dir=self.folder
            )
        except OSError:
            return None
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                made = os.fstat(out.fileno())
            os.replace(temporary, self.path)
            placed = os.lstat(self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            return None
        if (placed.st_dev, placed.st_ino) != (made.st_dev, made.st_ino):
            return None  # another run put its own in place meanwhile
        return _file_id(placed)

    def _replaceable(self) -> bool:
        """Whether the stored file's place is free, or holds a plain file git does not
        track (a stale store of ours, or a foreign one to replace)."""
        try:
            info = os.lstat(self.path)
        except FileNotFoundError:
            return True
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            return False
        return not tracked(self.folder, STORE_FILE)

    def _cache(self) -> Cache | None:
        return open_cache(self.layout) if self.scan is not None else None


_NON_BLOCK = getattr(os, "O_NONBLOCK", 0)
"""A FIFO in the file's place must not block the open."""


def _remove_stale(folder: Path) -> None:
    """Remove temporary files a killed run left, once they are old: a live run's is young."""
    cutoff = time.time() - STALE_SECONDS
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if not (name.startswith(f".{STORE_FILE}.") and name.endswith(".tmp")):
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
                    os.unlink(entry.path)
