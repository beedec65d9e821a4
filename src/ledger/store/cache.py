"""A cache of what reading the ledger produced, so an unchanged ledger is not read again.

Kept in SQLite (a data format: nothing in it can run code when read) under the ledger's
`.ledger-cache/` folder, which holds its own `.gitignore` so it never enters git. Safe to
delete at any time. Its file lies inside the ledger, where a commit could put one, so nothing
in it is taken on trust:

* every row is sealed under a key that lives outside the ledger (cache_key.py); a row whose
  seal fails, planted or altered, is ignored as if it were not there; a key a commit could
  have put in place is refused, and then nothing is cached;
* a cache file not made by this tool on this machine for this folder (no owner's seal of
  ours) is only looked at read-only, never used or written: it is replaced, or, when git
  tracks it (a commit put it there), left alone and reported (``refusal``), and the run goes
  on without a cache. The owner's seal covers the file's own identity (device and inode,
  which SQLite's writes in place keep) as well as its folder: a file git checked out or
  anything copied is a new file, so it is never ours, even to one who knows the key, and
  a tracked one is always found out;
* a cache folder or file that is a link (or another special file, or a file with a second
  hard link) is refused the same way: the cache never writes through a link;
* the whole cache is dropped when the tool's version or the record schema changes;
* an outcome is stored under the content id of the bytes it was worked out from (git's blob
  id), with the file's kind and path: any run that has those bytes at that path, from the
  working tree or from a revision's objects, may use it. A blob id is predictable from the
  repository, so these rows are sealed like every other;
* a working-tree path is taken to hold a stored content id only while the file's size,
  modification time, inode and change time are exactly those recorded with it (git's own
  test), and only if the file had settled when it was read (scan.py's racy-file rule);
  otherwise the file is read and its content id worked out again;
* a corrupt, truncated or locked cache file is ignored (and replaced), never an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sqlite3
import stat
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.records.scan import CACHE_DIR as CACHE_DIR  # where the cache lives
from ledger.records.scan import Identity
from ledger.store.cache_key import KEY_ENV, NO_FOLLOW, KeyRefusal, Sealer, ledger_sealer

if TYPE_CHECKING:
    from ledger.records.diagnostics import Diagnostic
    from ledger.records.root import Layout

CACHE_FILE = "cache.sqlite3"
NO_CACHE_ENV = "LEDGER_NO_CACHE"
FAMILY_KEPT = 32
"""Results kept per family (the remembered outputs of one command, say), newest first."""

LAYOUT_VERSION = 5
"""The shape of the cache's tables: a cache of another shape is emptied and made again (the
schema version covers the code that reads records, not this module)."""


StoredOutcome = tuple[str | None, str]
"""A file's outcome as stored: (the record as JSON or None, its problems as JSON or "" for
none)."""

OutcomeRow = tuple[str, str, str, Identity | None, str | None, str]
"""An outcome to remember: (content id, kind, rel, the working-tree identity the file had
when it held these bytes, or None, record JSON or None, problems JSON)."""

LookupRow = tuple[str, "str | None", "str | None", "str | None", str]
"""One id in the index of one state of the ledger (ledger.store.lookup): (the id, its kind, file
and content id, or None for an id only named by others, and the links reaching it as
JSON)."""

KnownPath = tuple[Identity, str]
"""What a working-tree path held when last read: (its identity, the content key)."""

ADMITTED_KEPT = 8
"""Outcomes of admitting ids kept, newest first (the working tree's and a few revisions')."""

_TABLES = ("files", "records", "results", "quotes", "lookup")
"""Every table but meta, as any layout has had them: all are dropped when the version changes."""

_SIDE_FILES = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside a database: a planted one could be replayed into it."""

_IGNORE = "# Created by ledger: a cache, never committed.\n*\n"

ADMITTED = "admitted:"
"""The name prefix of a stored outcome of admitting ids, by the content of the files."""

OURS, FOREIGN, ABSENT = "ours", "foreign", "absent"
"""What a probe finds at the cache's path."""


@functools.cache
def schema_version() -> str:
    """The tool's version and a digest of all its code (the schema above all): a change to
    either drops the cache, so an edited model, check or renderer never meets what an
    earlier one stored. Reading the package's sources costs a few milliseconds."""
    from ledger import __version__

    package = Path(__file__).parents[1]  # the whole ledger package, not store/ alone
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
        self.sealer: Sealer | None = None
        self.refusal: tuple[str, str] | None = None
        """Why the cache was refused as untrusted: (the path, relative to the ledger, and
        what is wrong with it); None when it was not."""
        self.key_refusal: KeyRefusal | None = None
        """Why the key was refused (so nothing is cached); None when it was not."""

    # -- opening ------------------------------------------------------------------------

    def open(self) -> bool:
        """Open (or create) the cache; False when it cannot or must not be used, which is
        not an error (``refusal`` says why when the cache was refused as untrusted)."""
        if os.environ.get(NO_CACHE_ENV):
            return False
        self.refusal = _unsafe_path(self.folder)
        if self.refusal is not None:
            return False
        found = ledger_sealer(self.folder.parent)
        if not isinstance(found, Sealer):
            self.key_refusal = found
            return False  # no private key to seal with: nothing can be trusted, or stored
        self.sealer = found
        try:
            self._make_folder()
            self.db = self._connect()
        except (OSError, sqlite3.Error):
            self.db = None
        return self.db is not None

    def _make_folder(self) -> None:
        """The cache folder and its `.gitignore`, never written through a link (the folder
        was checked above; the file is made only where nothing, not even a link, is)."""
        with contextlib.suppress(FileExistsError):
            self.folder.mkdir()
        try:
            handle = os.open(
                self.folder / ".gitignore",
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | NO_FOLLOW,
                0o644,
            )
        except FileExistsError:
            return
        with os.fdopen(handle, "w", encoding="utf-8") as ignore:
            ignore.write(_IGNORE)

    def _owner(self, info: os.stat_result) -> str:
        """This machine's seal on the cache file ``info`` describes, in this folder: what
        makes a cache file ours. It names the file (device and inode), so a file that git
        checked out or a copy brought is never ours, whatever its rows say."""
        assert self.sealer is not None
        return self.sealer.seal(f"owner\0{self.folder}\0{info.st_dev}\0{info.st_ino}").hex()

    def _connect(self) -> sqlite3.Connection | None:
        found = self._probe()
        if found == FOREIGN and _tracked(self.folder):
            self.refusal = (
                f"{CACHE_DIR}/{CACHE_FILE}",
                "it is tracked by git: a commit put it there, not ledger on this machine",
            )
            return None
        if found != OURS and not self._create():
            return None
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
                row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
                if row is None or row[0] != version:
                    db.executescript("".join(f"DROP TABLE IF EXISTS {t};" for t in _TABLES))
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (version,))
                db.executescript(
                    "CREATE TABLE IF NOT EXISTS records (blob TEXT, kind TEXT, rel TEXT, "
                    " size INT, mtime INT, ino INT, ctime INT, record TEXT, problems TEXT, "
                    " created INT, seal BLOB, PRIMARY KEY (blob, kind, rel));"
                    # A few files' outcomes are looked up by path, and the outcomes no path
                    # holds are cut to the newest: neither may walk every row.
                    "CREATE INDEX IF NOT EXISTS records_by_rel ON records (rel);"
                    "CREATE INDEX IF NOT EXISTS records_unlinked ON records (created) "
                    " WHERE ino IS NULL;"
                    "CREATE TABLE IF NOT EXISTS results (name TEXT PRIMARY KEY, "
                    " fingerprint TEXT, created INT, value TEXT, seal BLOB);"
                    "CREATE TABLE IF NOT EXISTS quotes (archive TEXT, quote TEXT, match TEXT, "
                    " seal BLOB, PRIMARY KEY (archive, quote));"
                    "CREATE TABLE IF NOT EXISTS lookup (id TEXT PRIMARY KEY, kind TEXT, "
                    " rel TEXT, blob TEXT, inbound TEXT, seal BLOB);"
                )
                return db
            except sqlite3.OperationalError as exc:
                _close(db)
                if not _is_damage(exc):
                    return None  # busy, locked or read-only: used by another process, not ours
            except sqlite3.DatabaseError:
                _close(db)  # corrupt, not a database, or holding triggers or views
            if attempt or not self._create():
                return None
        return None

    def _probe(self) -> str:
        """Whether the cache file is ours (sealed by this machine for this folder), absent,
        or foreign: committed, copied, damaged, holding code, or made under another key or
        by an older version. A file not yet known to be ours is opened read-only and as
        immutable, so that nothing is written to it, not even a journal replayed."""
        try:
            info = os.lstat(self.path)
        except FileNotFoundError:
            return ABSENT
        except OSError:
            return FOREIGN
        db = None
        try:
            uri = f"{self.path.absolute().as_uri()}?mode=ro&immutable=1"
            db = sqlite3.connect(uri, uri=True)
            db.execute("PRAGMA trusted_schema=OFF")
            if _has_code(db):
                return FOREIGN
            row = db.execute("SELECT value FROM meta WHERE key='owner'").fetchone()
        except sqlite3.Error:
            return FOREIGN
        finally:
            _close(db)
        return OURS if row is not None and row[0] == self._owner(info) else FOREIGN

    def _create(self) -> bool:
        """Put a new, empty cache of ours in place at once: made beside it and renamed over
        it, so no process ever sees a cache file without its owner's seal, and the files
        SQLite keeps beside a database are removed first, so none is replayed into it."""
        import tempfile  # here: most runs find their cache made, and start faster without it

        handle, temporary = tempfile.mkstemp(prefix=".new-", suffix=".sqlite3", dir=self.folder)
        info = os.fstat(handle)  # the renamed file keeps its inode, and so its owner's seal
        os.close(handle)
        db = None
        try:
            db = sqlite3.connect(temporary, isolation_level=None)
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute("INSERT INTO meta VALUES ('owner', ?)", (self._owner(info),))
            db.close()
            db = None
            for suffix in _SIDE_FILES:
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            os.replace(temporary, self.path)
            return True
        except (OSError, sqlite3.Error):
            return False
        finally:
            _close(db)
            for suffix in ("", "-journal"):
                with contextlib.suppress(OSError):
                    os.unlink(f"{temporary}{suffix}")

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None

    # -- outcomes by content ------------------------------------------------------------

    def stamp(self) -> tuple[object, ...]:
        """The identity of the cache file and the size of its write-ahead log: a write grows
        the log, and closing the last connection moves it into the file (opening one makes
        an empty log, which is no write). What a process read stays good while it holds."""
        try:
            info = os.stat(self.path)
            main: object = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
        except OSError:
            main = None
        try:
            log = os.stat(f"{self.path}-wal").st_size
        except OSError:
            log = 0
        return (main, log)

    def outcomes(
        self, rels: list[str] | None = None
    ) -> tuple[dict[str, StoredOutcome], dict[str, KnownPath]]:
        """Every stored outcome that carries this machine's seal (or those read at the paths
        ``rels``), by content key (blob id, kind and path, NUL-joined); and by working-tree
        path, the identity it had when last read and the content key it held then."""
        if self.db is None or self.sealer is None:
            return {}, {}
        query = (
            "SELECT blob, kind, rel, size, mtime, ino, ctime, record, problems, seal FROM records"
        )
        try:
            if rels is None:
                rows = self.db.execute(query).fetchall()
            else:
                rows = []
                for start in range(0, len(rels), 500):
                    chunk = rels[start : start + 500]
                    marks = ", ".join("?" * len(chunk))
                    rows += self.db.execute(f"{query} WHERE rel IN ({marks})", chunk).fetchall()
        except (sqlite3.Error, UnicodeError):  # a path that is not UTF-8 is never stored
            return {}, {}
        holds = self.sealer.holds
        stored: dict[str, StoredOutcome] = {}
        paths: dict[str, KnownPath] = {}
        for blob, kind, rel, size, mtime, ino, ctime, record, problems, seal in rows:
            ident = None if ino is None else (size, mtime, ino, ctime)
            if not holds(_record_text(blob, kind, rel, ident, record, problems), seal):
                continue
            key = f"{blob}\0{kind}\0{rel}"
            stored[key] = (record, problems)
            if ident is not None:
                paths[rel] = (ident, key)
        return stored, paths

    def store_outcomes(
        self,
        rows: Iterable[OutcomeRow],
        admitted: tuple[str, str] | None = None,
        *,
        forget: Iterable[str] = (),
        keep: int | None = None,
    ) -> None:
        """Remember outcomes (a row for a key already stored replaces it: so a path's
        identity is updated, or dropped), and ``admitted`` (key, JSON) the outcome of
        admitting ids for one set of files, in one transaction; every outcome for a path in
        ``forget`` is dropped first (a file that had not settled). With ``keep``, outcomes no
        working-tree path holds are cut to the newest ``keep``."""
        if self.db is None or self.sealer is None:
            return
        seal = self.sealer.seal
        now = time.time_ns()
        fresh = []
        for blob, kind, rel, ident, record, problems in rows:
            text = _record_text(blob, kind, rel, ident, record, problems)
            size, mtime, ino, ctime = ident if ident is not None else (None, None, None, None)
            fresh.append(
                (blob, kind, rel, size, mtime, ino, ctime, record, problems, now, seal(text))
            )
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("DELETE FROM records WHERE rel = ?", ((r,) for r in forget))
                self.db.executemany(
                    "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    fresh,
                )
                if keep is not None:
                    self.db.execute(
                        "DELETE FROM records WHERE ino IS NULL AND rowid NOT IN (SELECT rowid "
                        " FROM records WHERE ino IS NULL ORDER BY created DESC LIMIT ?)",
                        (keep,),
                    )
                if admitted is not None:
                    self._keep_admitted(*admitted, now)
        except (sqlite3.Error, UnicodeError):
            pass  # a file name that is not UTF-8: nothing is kept this time

    def _keep_admitted(self, key: str, text: str, now: int) -> None:
        assert self.db is not None and self.sealer is not None
        name = f"{ADMITTED}{key}"
        self.db.execute(
            "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)",
            (name, key, now, text, self.sealer.seal_parts(_result_parts(name, key, text))),
        )
        self.db.execute(
            "DELETE FROM results WHERE substr(name, 1, ?) = ? AND name NOT IN (SELECT name "
            " FROM results WHERE substr(name, 1, ?) = ? ORDER BY created DESC LIMIT ?)",
            (len(ADMITTED), ADMITTED, len(ADMITTED), ADMITTED, ADMITTED_KEPT),
        )

    def admitted(self, key: str) -> Any | None:
        """The stored outcome of admitting ids for the files ``key`` names, if any."""
        return self.result(f"{ADMITTED}{key}", key)

    # -- quotes found before ------------------------------------------------------------

    def quote_matches(self) -> dict[str, dict[str, str]]:
        """Every remembered quote search that carries this machine's seal: by archive
        digest, then by quote. Both are predictable from the repository, so without the seal
        a planted row could make any quote pass."""
        if self.db is None or self.sealer is None:
            return {}
        holds = self.sealer.holds
        known: dict[str, dict[str, str]] = {}
        try:
            for archive, quote, match, seal in self.db.execute(
                "SELECT archive, quote, match, seal FROM quotes"
            ):
                if holds(_quote_text(archive, quote, match), seal):
                    known.setdefault(archive, {})[quote] = match
        except sqlite3.Error:
            return {}
        return known

    def quote_match(self, archive: str, quote: str) -> str | None:
        """One remembered quote search, if it carries this machine's seal: for a re-check
        of a few quotes, which need not read every search."""
        if self.db is None or self.sealer is None:
            return None
        try:
            row = self.db.execute(
                "SELECT match, seal FROM quotes WHERE archive = ? AND quote = ?", (archive, quote)
            ).fetchone()
        except (sqlite3.Error, UnicodeError):
            return None
        if row is None or not self.sealer.holds(_quote_text(archive, quote, row[0]), row[1]):
            return None
        return str(row[0])

    def store_quote_matches(
        self, fresh: Iterable[tuple[str, str, str]], stale: Iterable[tuple[str, str]]
    ) -> None:
        """Remember new searches and forget ones no quote asks for any more."""
        if self.db is None or self.sealer is None:
            return
        seal = self.sealer.seal
        sealed = [(a, q, m, seal(_quote_text(a, q, m))) for a, q, m in fresh]
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("DELETE FROM quotes WHERE archive = ? AND quote = ?", stale)
                self.db.executemany("INSERT OR REPLACE INTO quotes VALUES (?, ?, ?, ?)", sealed)
        except (sqlite3.Error, UnicodeError):
            pass  # a quote that is not valid UTF-8: it is searched again next time

    # -- one record and its links, for one state of the ledger ------------------------

    def store_lookup(self, state: str, rows: Iterable[LookupRow]) -> bool:
        """Keep every id's row of one state's index (ledger.store.lookup) in place of any other
        state's, in one transaction; False when it could not be written whole."""
        if self.db is None or self.sealer is None:
            return False
        seal = self.sealer.seal
        sealed = [(*row, seal(_lookup_text(state, *row))) for row in rows]
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.execute("DELETE FROM lookup")
                self.db.executemany("INSERT INTO lookup VALUES (?, ?, ?, ?, ?, ?)", sealed)
        except (sqlite3.Error, UnicodeError):
            return False
        return True

    def lookup(self, state: str, record_id: str) -> LookupRow | bool | None:
        """One id's row of the index kept for ``state``: the row; None when no row names the
        id; False when one does but its seal does not hold (for another state, or not ours)."""
        if self.db is None or self.sealer is None:
            return False
        try:
            row = self.db.execute(
                "SELECT id, kind, rel, blob, inbound, seal FROM lookup WHERE id = ?", (record_id,)
            ).fetchone()
        except sqlite3.Error:
            return False
        if row is None:
            return None
        found: LookupRow = row[:5]
        return found if self.sealer.holds(_lookup_text(state, *found), row[5]) else False

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
        """Stored text, if it was computed from exactly these files, on this machine."""
        if self.fingerprint(name) != fingerprint:  # compared first: no value read, no hash
            return None
        row = self._result_row(name)
        if row is None or row[0] != fingerprint:
            return None
        return row[1] if self._sealed(name, row) else None

    def _result_row(self, name: str) -> tuple[str, str, bytes] | None:
        """The stored row of one result, unchecked: (fingerprint, value, seal)."""
        if self.sealer is None:
            return None
        return self._columns(name, "fingerprint, value, seal", str, str, object)  # type: ignore[return-value]

    def _sealed(self, name: str, row: tuple[str, str, bytes]) -> bool:
        assert self.sealer is not None
        return self.sealer.holds_parts(_result_parts(name, row[0], row[1]), row[2])

    def fingerprint(self, name: str) -> str | None:
        """The fingerprint a result is stored under, unchecked (to look for it elsewhere:
        what is read by it is checked)."""
        row = self._columns(name, "fingerprint", str)
        return row[0] if row is not None else None

    def version(self, name: str) -> tuple[str, int] | None:
        """The fingerprint a result is stored under and when it was stored, unchecked: a
        row written again, by anyone, is stored anew; other rows' writes leave it as it is."""
        return self._columns(name, "fingerprint, created", str, int)  # type: ignore[return-value]

    def _columns(self, name: str, columns: str, *types: type) -> tuple[Any, ...] | None:
        """Some columns of one result's row, each of its type (a cache file is not trusted:
        a value of another type is no row); None when there is no such row."""
        if self.db is None:
            return None
        try:
            row = self.db.execute(
                f"SELECT {columns} FROM results WHERE name = ?", (name,)
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None or not all(map(isinstance, row, types)):
            return None
        return tuple(row)

    def newest(self, name: str) -> tuple[str, str] | None:
        """The fingerprint and text stored under ``name``, whatever the fingerprint, if its
        seal holds: what was true of the ledger at some earlier state."""
        row = self._result_row(name)
        return (row[0], row[1]) if row is not None and self._sealed(name, row) else None

    def store_result(self, name: str, fingerprint: str, value: Any, family: str = "") -> None:
        """Store a JSON result under one fingerprint. The caller has made sure that no file
        it depends on changed too recently to trust (the racy-file rule). With ``family``, a
        name prefix, the family's results for other fingerprints are dropped: they answer
        for a ledger that no longer exists."""
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        self.store_text(name, fingerprint, text, family)

    def store_text(self, name: str, fingerprint: str, text: str, family: str = "") -> None:
        """Store text under one fingerprint, as :meth:`store_result` stores JSON (read it
        back with :meth:`raw`)."""
        if self.db is None or self.sealer is None:
            return
        sealed = self.sealer.seal_parts(_result_parts(name, fingerprint, text))
        try:
            with self.db:
                self.db.execute("BEGIN")
                if family:
                    self.db.execute(
                        "DELETE FROM results WHERE substr(name, 1, ?) = ? AND fingerprint != ?",
                        (len(family), family, fingerprint),
                    )
                self.db.execute(
                    "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)",
                    (name, fingerprint, time.time_ns(), text, sealed),
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


# What a seal covers, per table: every column a reader uses, after the table's name, joined
# by NUL. Only the last field can hold a NUL (paths, kinds, numbers, hex digests and JSON
# never do), so no two rows give the same text.


def _record_text(
    blob: str,
    kind: str,
    rel: str,
    ident: Identity | None,
    record: str | None,
    problems: str,
) -> str:
    shown = "null" if record is None else record  # a stored record is always a JSON object
    held = "-" if ident is None else " ".join(map(str, ident))
    return f"records\0{blob}\0{kind}\0{rel}\0{held}\0{shown}\0{problems}"


def _result_parts(name: str, fingerprint: str, value: str) -> tuple[str, ...]:
    """What a result's seal covers, in pieces (the value may be a hundred megabytes)."""
    return (f"results\0{name}\0{fingerprint}\0", value)


def _lookup_text(
    state: str, record_id: str, kind: str | None, rel: str | None, blob: str | None, inbound: str
) -> str:
    return f"lookup\0{state}\0{record_id}\0{kind}\0{rel}\0{blob}\0{inbound}"


def _quote_text(archive: str, quote: str, match: str) -> str:
    return f"quotes\0{archive}\0{match}\0{quote}"


def open_cache(layout: Layout) -> Cache | None:
    """The ledger's cache, open; None when it cannot or must not be used (LEDGER_NO_CACHE
    set, a folder that cannot be written, or a cache that is not to be trusted). A revision's
    layout has the working tree's root, so its files' outcomes are found there too; none
    when git reads some object of it as another (its blob ids do not fix its bytes)."""
    if layout.tree is not None and layout.tree.replaced:
        return None
    cache = Cache(layout.root / CACHE_DIR)
    return cache if cache.open() else None


def untrusted_cache(layout: Layout) -> Diagnostic | None:
    """A warning when the ledger's cache was refused as untrusted (a link, a cache file git
    tracks, or a key a commit could have put in place): the run went on without it, and
    `ledger validate` says so."""
    if not layout.cacheable:
        return None
    cache = Cache(layout.root / CACHE_DIR)
    cache.open()
    cache.close()
    from ledger.records.diagnostics import make

    if cache.key_refusal is not None:
        key = cache.key_refusal.path
        return make(
            "cache-untrusted",
            layout.relative(key),
            f"the cache is not used: its key {key} cannot be trusted, as {cache.key_refusal.why}; "
            "every file was read and checked instead",
            f"keep the key in a private folder of your own outside every checkout: set "
            f"{KEY_ENV} or XDG_CACHE_HOME to an absolute path there (a relative one is "
            "ignored), or unset them for ~/.cache/ledger",
        )
    if cache.refusal is None:
        return None

    path, why = cache.refusal
    return make(
        "cache-untrusted",
        path,
        f"the cache is not used: {why}; every file was read and checked instead",
        f"delete {CACHE_DIR}/ (and `git rm -r --cached {CACHE_DIR}` if it was committed); "
        "ledger makes a new cache of its own",
    )


def _unsafe_path(folder: Path) -> tuple[str, str] | None:
    """Why the cache's folder or one of its files may not be used, or None. Each is looked
    at without following links: the folder must be a folder and each file a regular file
    with no second name, so the cache never reads or writes anything outside the ledger."""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return None  # made afresh
    except OSError as exc:
        return (CACHE_DIR, f"it cannot be examined: {exc.strerror}")
    if stat.S_ISLNK(info.st_mode):
        return (CACHE_DIR, "it is a symbolic link")
    if not stat.S_ISDIR(info.st_mode):
        return (CACHE_DIR, "it is not a folder")
    for name in (CACHE_FILE, *(CACHE_FILE + s for s in _SIDE_FILES), ".gitignore"):
        try:
            info = os.lstat(folder / name)
        except FileNotFoundError:
            continue
        except OSError as exc:
            return (f"{CACHE_DIR}/{name}", f"it cannot be examined: {exc.strerror}")
        if stat.S_ISLNK(info.st_mode):
            return (f"{CACHE_DIR}/{name}", "it is a symbolic link")
        if not stat.S_ISREG(info.st_mode):
            return (f"{CACHE_DIR}/{name}", "it is not a regular file")
        if info.st_nlink != 1:
            return (f"{CACHE_DIR}/{name}", "it has another name (a hard link)")
    return None


def _tracked(folder: Path) -> bool:
    """Whether git tracks the cache file (or one SQLite keeps beside it). Asked only of a
    cache file that is not ours, so the warm path never starts git."""
    return tracked(folder, CACHE_FILE)


def tracked(folder: Path, prefix: str) -> bool:
    """Whether git tracks a file of the cache folder whose name starts with ``prefix``: a
    commit put it there, so it is left alone rather than replaced."""
    from ledger.git.revision import git

    listed = git(folder.parent, "ls-files", "-z", "--", CACHE_DIR)
    if not isinstance(listed, str):
        return False  # not a repository, or no git: nothing is tracked
    return any(name.rpartition("/")[2].startswith(prefix) for name in listed.split("\0") if name)


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
