"""A cache of what reading the ledger produced, so an unchanged ledger is not read again.

Kept in SQLite (a data format: nothing in it can run code when read) under the ledger's
`.ledger-cache/` folder, which holds its own `.gitignore` so it never enters git. Safe to
delete at any time. It is never trusted blindly:

* the whole cache is dropped when the tool's version or the record schema changes;
* an entry is used only when the file's size, modification time, inode and change time are
  exactly those recorded (git's own test), and only if the file had not been modified within
  two seconds before it was read, since a file written in the same clock tick as the read
  could change without its time changing;
* a corrupt, truncated or locked cache file is ignored (and replaced), never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.root import Layout

CACHE_DIR = ".ledger-cache"
CACHE_FILE = "cache.sqlite3"
NO_CACHE_ENV = "LEDGER_NO_CACHE"
RACY_NS = 2_000_000_000
"""A file modified this close before it was read is not cached (see the module docstring)."""

Identity = tuple[int, int, int, int]
"""(size, mtime_ns, inode, ctime_ns) of a file, from lstat."""


def identity(stat: os.stat_result) -> Identity:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)


_READER_MODULES = (
    "model", "yamlread", "schema_errors", "record_reader", "files", "diagnostics", "quotes",
)  # fmt: skip


def schema_version(extra: tuple[str, ...] = ()) -> str:
    """The tool's version and a digest of the code that reads records (the schema above all):
    a change to either drops the cache, so an edited model never meets old entries. ``extra``
    names further modules a stored result depends on (the status rule, say)."""
    from ledger import __version__

    package = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for name in (*_READER_MODULES, *extra):
        with contextlib.suppress(OSError):
            digest.update((package / f"{name}.py").read_bytes())
    return f"{__version__}:{digest.hexdigest()[:16]}"


@dataclass(frozen=True)
class Entry:
    identity: Identity
    outcome: dict[str, Any]


class Cache:
    """Per-file outcomes and whole-ledger results, keyed by file identities."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / CACHE_FILE
        self.db: sqlite3.Connection | None = None

    # -- opening ------------------------------------------------------------------------

    def open(self) -> bool:
        """Open (or create) the cache; False when it cannot be used, which is not an error."""
        if os.environ.get(NO_CACHE_ENV):
            return False
        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by ledger: a cache, never committed.\n*\n")
            self.db = self._connect()
        except (OSError, sqlite3.Error):
            self.db = None
        return self.db is not None

    def _connect(self) -> sqlite3.Connection | None:
        version = schema_version()
        for attempt in range(2):
            try:
                db = sqlite3.connect(self.path, timeout=1.0, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(
                    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
                    "CREATE TABLE IF NOT EXISTS files (rel TEXT PRIMARY KEY, kind TEXT, "
                    " size INT, mtime INT, ino INT, ctime INT, outcome TEXT);"
                    "CREATE TABLE IF NOT EXISTS results (name TEXT PRIMARY KEY, "
                    " fingerprint TEXT, created INT, value TEXT);"
                )
                row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
                if row is None or row[0] != version:
                    db.executescript("DELETE FROM files; DELETE FROM results;")
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (version,))
                return db
            except sqlite3.DatabaseError:
                # Corrupt or not a database: start again from nothing.
                with contextlib.suppress(OSError):
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                if attempt:
                    return None
        return None

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None

    # -- per-file outcomes --------------------------------------------------------------

    def files(self) -> dict[str, Entry]:
        if self.db is None:
            return {}
        try:
            rows = self.db.execute(
                "SELECT rel, size, mtime, ino, ctime, outcome FROM files"
            ).fetchall()
            return {
                rel: Entry((size, mtime, ino, ctime), json.loads(outcome))
                for rel, size, mtime, ino, ctime, outcome in rows
            }
        except (sqlite3.Error, ValueError, TypeError):
            return {}

    def store_files(
        self, entries: Iterable[tuple[str, str, Identity, dict[str, Any]]], keep: set[str]
    ) -> None:
        """Record fresh outcomes (racy ones excluded) and forget files that are gone."""
        if self.db is None:
            return
        now = time.time_ns()
        rows = [
            (rel, kind, *ident, json.dumps(outcome, separators=(",", ":")))
            for rel, kind, ident, outcome in entries
            if ident[1] + RACY_NS < now
        ]
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", rows
                )
                known = {r[0] for r in self.db.execute("SELECT rel FROM files")}
                gone = [(rel,) for rel in known - keep]
                self.db.executemany("DELETE FROM files WHERE rel = ?", gone)
        except (sqlite3.Error, UnicodeError):
            pass  # a file name that is not UTF-8: nothing is kept this time

    # -- whole results ------------------------------------------------------------------

    def result(self, name: str, fingerprint: str) -> Any | None:
        """A stored JSON result, if it was computed from exactly these files."""
        text = self.raw(name, fingerprint)
        if text is None:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    def store_result(
        self, name: str, fingerprint: str, value: Any, newest_mtime: int, family: str = ""
    ) -> None:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        self.store_raw({name: text}, fingerprint, newest_mtime, family)

    def raw(self, name: str, fingerprint: str) -> str | None:
        """Stored text, if it was computed from exactly these files."""
        if self.db is None:
            return None
        try:
            row = self.db.execute(
                "SELECT fingerprint, value FROM results WHERE name = ?", (name,)
            ).fetchone()
        except sqlite3.Error:
            return None
        return row[1] if row is not None and row[0] == fingerprint else None

    def store_raw(
        self, items: dict[str, str], fingerprint: str, newest_mtime: int, family: str = ""
    ) -> None:
        """Store several texts at once, all under one fingerprint, or none of them. With
        ``family``, a name prefix, the family's results for other fingerprints are dropped:
        they answer for a ledger that no longer exists."""
        if self.db is None or newest_mtime + RACY_NS >= time.time_ns():
            return
        now = time.time_ns()
        try:
            with self.db:
                self.db.execute("BEGIN")
                if family:
                    self.db.execute(
                        "DELETE FROM results WHERE substr(name, 1, ?) = ? AND fingerprint != ?",
                        (len(family), family, fingerprint),
                    )
                self.db.executemany(
                    "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)",
                    [(name, fingerprint, now, text) for name, text in items.items()],
                )
        except (sqlite3.Error, UnicodeError):
            pass  # a file name that is not UTF-8: that result is not kept


def open_cache(layout: Layout) -> Cache | None:
    """The ledger's cache, open; None when it cannot or must not be used (a ledger read
    from a git revision, LEDGER_NO_CACHE set, a folder that cannot be written)."""
    if not layout.cacheable:
        return None
    cache = Cache(layout.root / CACHE_DIR)
    return cache if cache.open() else None


def fingerprint(identities: Iterable[tuple[str, Identity]], extra: str = "") -> str:
    """One digest of every file's path and identity (and anything else the result used)."""
    digest = hashlib.sha256(extra.encode())
    for rel, ident in sorted(identities):
        digest.update(f"{rel}\0{ident}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()
