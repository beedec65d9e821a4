"""A cache of what reading the ledger produced, so an unchanged ledger is not read again.

Kept in SQLite (a data format: nothing in it can run code when read) under the ledger's
`.ledger-cache/` folder, which holds its own `.gitignore` so it never enters git. Safe to
delete at any time. It is never trusted blindly:

* the whole cache is dropped when the tool's version or the record schema changes;
* an entry is used only when the file's size, modification time, inode and change time are
  exactly those recorded (git's own test), and only if the file had settled when it was read
  (scan.py's racy-file rule);
* a corrupt, truncated or locked cache file is ignored (and replaced), never an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.scan import Identity

if TYPE_CHECKING:
    from ledger.root import Layout

CACHE_DIR = ".ledger-cache"
CACHE_FILE = "cache.sqlite3"
NO_CACHE_ENV = "LEDGER_NO_CACHE"
FAMILY_KEPT = 32
"""Results kept per family (the remembered outputs of one command, say), newest first."""

LAYOUT_VERSION = 2
"""The shape of the cache's tables: a cache of another shape is emptied and made again (the
schema version covers the code that reads records, not this module)."""


StoredFile = tuple[str, Identity, str | None, str]
"""A record file as last read: (kind, identity, the record as JSON or None, its problems as
JSON or "" for none)."""

FileRow = tuple[str, str, Identity, str | None, str]
"""A record file to remember: (rel, kind, identity, record JSON or None, problems JSON)."""

_TABLES = ("files", "records", "results", "quotes")
"""Every table but meta, as any layout has had them: all are dropped when the version changes."""


@functools.cache
def schema_version() -> str:
    """The tool's version and a digest of all its code (the schema above all): a change to
    either drops the cache, so an edited model, check or renderer never meets what an
    earlier one stored. Reading the package's sources costs a few milliseconds."""
    from ledger import __version__

    package = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for source in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            digest.update(source.relative_to(package).as_posix().encode() + b"\0")
            digest.update(source.read_bytes())
    return f"{__version__}:{digest.hexdigest()[:16]}"


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
        version = f"{schema_version()}/{LAYOUT_VERSION}"
        for attempt in range(2):
            db = None
            try:
                db = sqlite3.connect(self.path, timeout=1.0, isolation_level=None)
                db.execute("PRAGMA trusted_schema=OFF")
                if _has_code(db):
                    raise sqlite3.DatabaseError("a cache holds only tables")
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
                row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
                if row is None or row[0] != version:
                    db.executescript("".join(f"DROP TABLE IF EXISTS {t};" for t in _TABLES))
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (version,))
                db.executescript(
                    "CREATE TABLE IF NOT EXISTS records (rel TEXT PRIMARY KEY, kind TEXT, "
                    " size INT, mtime INT, ino INT, ctime INT, record TEXT, problems TEXT);"
                    "CREATE TABLE IF NOT EXISTS results (name TEXT PRIMARY KEY, "
                    " fingerprint TEXT, created INT, value TEXT);"
                    "CREATE TABLE IF NOT EXISTS quotes (archive TEXT, quote TEXT, match TEXT, "
                    " PRIMARY KEY (archive, quote));"
                )
                return db
            except sqlite3.OperationalError as exc:
                _close(db)
                if not _is_damage(exc):
                    return None  # busy, locked or read-only: used by another process, not ours
                self._discard()
                if attempt:
                    return None
            except sqlite3.DatabaseError:
                # Corrupt, not a database, or holding triggers or views: start from nothing.
                _close(db)
                self._discard()
                if attempt:
                    return None
        return None

    def _discard(self) -> None:
        """Delete the cache file (it is only a cache)."""
        with contextlib.suppress(OSError):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None

    # -- record files as last read ------------------------------------------------------

    def records(self) -> dict[str, StoredFile]:
        """Every record file as last read, by path; the caller trusts an entry only while
        the file's identity is the one stored with it."""
        if self.db is None:
            return {}
        try:
            rows = self.db.execute(
                "SELECT rel, kind, size, mtime, ino, ctime, record, problems FROM records"
            ).fetchall()
        except sqlite3.Error:
            return {}
        return {
            rel: (kind, (size, mtime, ino, ctime), record, problems)
            for rel, kind, size, mtime, ino, ctime, record, problems in rows
        }

    def store_records(
        self,
        rows: Iterable[FileRow],
        forget: Iterable[str],
        results: dict[str, str] | None = None,
        fingerprint: str = "",
    ) -> None:
        """Remember freshly read files and forget others (gone, or read too soon after a
        change to be trusted), in one transaction with ``results`` for ``fingerprint``. The
        caller has left out every file that had not settled (scan.py's racy-file rule)."""
        if self.db is None:
            return
        fresh = [
            (rel, kind, *ident, record, problems) for rel, kind, ident, record, problems in rows
        ]
        now = time.time_ns()
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("DELETE FROM records WHERE rel = ?", ((r,) for r in forget))
                self.db.executemany(
                    "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)", fresh
                )
                self.db.executemany(
                    "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)",
                    [(name, fingerprint, now, text) for name, text in (results or {}).items()],
                )
        except (sqlite3.Error, UnicodeError):
            pass  # a file name that is not UTF-8: nothing is kept this time

    # -- quotes found before ------------------------------------------------------------

    def quote_matches(self) -> dict[str, dict[str, str]]:
        """Every remembered quote search: by archive digest, then by quote."""
        if self.db is None:
            return {}
        known: dict[str, dict[str, str]] = {}
        try:
            for archive, quote, match in self.db.execute(
                "SELECT archive, quote, match FROM quotes"
            ):
                known.setdefault(archive, {})[quote] = match
        except sqlite3.Error:
            return {}
        return known

    def store_quote_matches(
        self, fresh: Iterable[tuple[str, str, str]], stale: Iterable[tuple[str, str]]
    ) -> None:
        """Remember new searches and forget ones no quote asks for any more."""
        if self.db is None:
            return
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("DELETE FROM quotes WHERE archive = ? AND quote = ?", stale)
                self.db.executemany("INSERT OR REPLACE INTO quotes VALUES (?, ?, ?)", fresh)
        except (sqlite3.Error, UnicodeError):
            pass  # a quote that is not valid UTF-8: it is searched again next time

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

    def store_result(self, name: str, fingerprint: str, value: Any, family: str = "") -> None:
        """Store a JSON result under one fingerprint. The caller has made sure that no file
        it depends on changed too recently to trust (the racy-file rule). With
        ``family``, a name prefix, the family's results for other fingerprints are dropped:
        they answer for a ledger that no longer exists."""
        if self.db is None:
            return
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        try:
            with self.db:
                self.db.execute("BEGIN")
                if family:
                    self.db.execute(
                        "DELETE FROM results WHERE substr(name, 1, ?) = ? AND fingerprint != ?",
                        (len(family), family, fingerprint),
                    )
                self.db.execute(
                    "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)",
                    (name, fingerprint, time.time_ns(), text),
                )
                if family:  # many terminal sizes or command lines: keep the newest few
                    self.db.execute(
                        "DELETE FROM results WHERE substr(name, 1, ?) = ? AND name NOT IN "
                        "(SELECT name FROM results WHERE substr(name, 1, ?) = ? "
                        " ORDER BY created DESC LIMIT ?)",
                        (len(family), family, len(family), family, FAMILY_KEPT),
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


def _close(db: sqlite3.Connection | None) -> None:
    if db is not None:
        with contextlib.suppress(sqlite3.Error):
            db.close()


def _has_code(db: sqlite3.Connection) -> bool:
    """Whether the file holds triggers or views: a cache of ours never does, and one planted
    in a shared folder could rewrite what this tool stores."""
    row = db.execute("SELECT count(*) FROM sqlite_master WHERE type IN ('trigger', 'view')")
    return bool(row.fetchone()[0])


def _is_damage(exc: sqlite3.OperationalError) -> bool:
    """An operational error that means a damaged file rather than one in use elsewhere."""
    text = str(exc).lower()
    return not any(word in text for word in ("locked", "busy", "readonly", "read-only"))
