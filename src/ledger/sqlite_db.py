"""The ledger as an SQLite database: built in memory, queried read-only, or written to a file.

:data:`SCHEMA` is the whole schema, documented in place; docs/query.md explains it with
examples. Every record field has a column or a link table (lists keep their order in a
``position`` column, counted from 0), so the database holds the ledger's content whole; the
derived tables (statuses by rule ``ledger-status``, contradiction pairs) are computed by
:mod:`ledger.status`, exactly as ``ledger status`` and ``ledger conflicts`` report them.

:func:`tables` gives the same rows without SQLite: the CSV export writes one file per table.

:func:`connect` builds the database; :class:`ReadOnly` runs SQL statements on it read-only:
``PRAGMA query_only`` plus an authorizer that allows reading and nothing else (no INSERT,
UPDATE, DELETE, CREATE, DROP, ALTER, ATTACH, VACUUM, and no pragma but the few that only
describe the schema). A refused statement raises :class:`QueryError` with ``refused`` set.

A statement is also bounded (:class:`Limits`): by time, checked every few thousand steps of
SQLite's virtual machine, so a recursive query that never ends is stopped; by the size of any
one value (SQLite's own ``SQLITE_LIMIT_LENGTH``, so ``zeroblob(300000000)`` is refused before
it is made; with several columns each value gets its share of the limit, so no one row
outgrows it); and by the rows and bytes of its result, counted row by row as they are
fetched. The
same check stops the statement when the caller's ``cancelled`` says so (the command line sets
it on Ctrl-C). Each ends in a :class:`QueryError` whose ``stopped`` names the limit.
"""

from __future__ import annotations

import math
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.kinds import CASES, CLAIMS, REQUIREMENTS, SOURCES
from ledger.ledger import Ledger
from ledger.model import Claim
from ledger.safe_text import visible
from ledger.status import Analysis, case_status, obligors, overview, side_of
from ledger.status_report import RULE, RULE_VERSION

DB_FORMAT = "ledger-sqlite"
DB_VERSION = "1"

SCHEMA = """\
-- The ledger as SQLite (format ledger-sqlite, version 1).
-- Text is stored exactly as in the YAML files; NULL where a field is not set. Dates are ISO
-- strings at the precision the source gives ('2017', '2017-06', '2017-06-27').
-- `position` counts a list's items from 0, in the order the record file gives them.

-- What built the database: format, version, rule, rule_version, fts ('fts5' or 'none').
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Records -------------------------------------------------------------------------------

CREATE TABLE sources (
  id             TEXT PRIMARY KEY,
  title          TEXT NOT NULL,
  published      TEXT NOT NULL,
  kind           TEXT NOT NULL,   -- memo, report, government-statement, court-ruling, ...
  perspective    TEXT NOT NULL,   -- government, civil-society, intergovernmental, court, ...
  speaks_for     TEXT,            -- the party it speaks for, e.g. 'Government of Mexico'
  side           TEXT NOT NULL,   -- derived: 'obligor' when speaks_for is exactly some
                                  -- requirement's obligor, else 'independent' (a claim's
                                  -- side on one requirement: claim_requirements.side)
  language       TEXT NOT NULL,
  url            TEXT,
  archive_path   TEXT NOT NULL,   -- the archived text, relative to the sources folder
  archive_sha256 TEXT NOT NULL,
  notes          TEXT,
  path           TEXT NOT NULL    -- the record's file, relative to the ledger root
);

CREATE TABLE source_authors (
  source_id TEXT NOT NULL,
  position  INTEGER NOT NULL,
  author    TEXT NOT NULL,
  PRIMARY KEY (source_id, position)
);

CREATE TABLE requirements (
  id          TEXT PRIMARY KEY,
  title       TEXT NOT NULL,
  text        TEXT NOT NULL,      -- the wording, quoted from `source` at `locator`
  force       TEXT NOT NULL,      -- condition or expectation
  obligor     TEXT NOT NULL,
  instrument  TEXT NOT NULL,
  fiscal_year INTEGER NOT NULL,
  source      TEXT NOT NULL,
  locator     TEXT NOT NULL,
  notes       TEXT,
  path        TEXT NOT NULL
);

-- A requirement's own `cases` list.
CREATE TABLE requirement_cases (
  requirement_id TEXT NOT NULL,
  position       INTEGER NOT NULL,
  case_id        TEXT NOT NULL,
  PRIMARY KEY (requirement_id, position)
);

CREATE TABLE cases (
  id      TEXT PRIMARY KEY,
  title   TEXT NOT NULL,
  kind    TEXT NOT NULL,          -- incident, pattern, law, policy, proceeding, other
  date    TEXT,
  place   TEXT,
  summary TEXT NOT NULL,
  notes   TEXT,
  path    TEXT NOT NULL
);

CREATE TABLE case_aliases (
  case_id  TEXT NOT NULL,
  position INTEGER NOT NULL,
  alias    TEXT NOT NULL,
  PRIMARY KEY (case_id, position)
);

-- A case's own `requirements` list.
CREATE TABLE case_requirements (
  case_id        TEXT NOT NULL,
  position       INTEGER NOT NULL,
  requirement_id TEXT NOT NULL,
  PRIMARY KEY (case_id, position)
);

CREATE TABLE claims (
  id            TEXT PRIMARY KEY,
  source        TEXT NOT NULL,    -- sources.id
  locator       TEXT NOT NULL,
  quote         TEXT NOT NULL,    -- verbatim; '...' separates segments
  statement     TEXT NOT NULL,    -- a neutral paraphrase
  kind          TEXT NOT NULL,    -- fact, figure, allegation, assessment, commitment, ...
  attributed_to TEXT,
  as_of         TEXT,
  notes         TEXT,
  path          TEXT NOT NULL
);

-- The claim-case links (a claim's `cases`).
CREATE TABLE claim_cases (
  claim_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  case_id  TEXT NOT NULL,
  PRIMARY KEY (claim_id, position)
);

-- The claim-requirement links with their stance (a claim's `bears_on`).
CREATE TABLE claim_requirements (
  claim_id       TEXT NOT NULL,
  position       INTEGER NOT NULL,
  requirement_id TEXT NOT NULL,
  stance         TEXT NOT NULL,   -- supports, undermines or context
  side           TEXT,            -- derived: 'obligor' when the claim's source speaks for
                                  -- this requirement's obligor, else 'independent'; NULL
                                  -- when the source or the requirement is missing
  PRIMARY KEY (claim_id, position)
);

CREATE TABLE figures (
  claim_id  TEXT NOT NULL,
  position  INTEGER NOT NULL,
  value,                          -- an integer or a real, as written
  unit      TEXT NOT NULL,
  qualifier TEXT NOT NULL,        -- exactly, about, at-least, more-than, at-most, fewer-than
  note      TEXT,
  PRIMARY KEY (claim_id, position)
);

-- Links from a claim to another claim, as declared (a claim's `relations`).
CREATE TABLE relations (
  claim_id  TEXT NOT NULL,
  position  INTEGER NOT NULL,
  kind      TEXT NOT NULL,        -- contradicts, corroborates, responds-to, repeats
  target_id TEXT NOT NULL,        -- claims.id
  note      TEXT,
  PRIMARY KEY (claim_id, position)
);

CREATE TABLE claim_reviews (
  claim_id    TEXT NOT NULL,
  position    INTEGER NOT NULL,
  by          TEXT NOT NULL,
  date        TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  PRIMARY KEY (claim_id, position)
);

-- Derived by rule ledger-status v2 ----------------------------------------------------------

-- Each requirement's status, as `ledger status` shows it. The counts are evidence units
-- (a group of repeats counts once); `cases` and `contradictions` count what touches it.
CREATE TABLE requirement_status (
  requirement_id         TEXT PRIMARY KEY,
  status                 TEXT NOT NULL, -- no-evidence, not-met, contested, met,
                                        -- claimed-by-obligor
  line                   TEXT NOT NULL, -- the rule line that decided it (S1 ... S6)
  independent_supports   INTEGER NOT NULL,
  independent_undermines INTEGER NOT NULL,
  obligor_supports       INTEGER NOT NULL,
  obligor_undermines     INTEGER NOT NULL,
  context                INTEGER NOT NULL,
  cases                  INTEGER NOT NULL,
  contradictions         INTEGER NOT NULL
);

-- The same rule applied to one case's claims on one requirement, as `ledger status CASE`
-- shows it: a row per case and requirement it touches.
CREATE TABLE case_status (
  case_id                TEXT NOT NULL,
  requirement_id         TEXT NOT NULL,
  status                 TEXT NOT NULL,
  line                   TEXT NOT NULL,
  independent_supports   INTEGER NOT NULL,
  independent_undermines INTEGER NOT NULL,
  obligor_supports       INTEGER NOT NULL,
  obligor_undermines     INTEGER NOT NULL,
  context                INTEGER NOT NULL,
  PRIMARY KEY (case_id, requirement_id)
);

-- Contradiction pairs, once each whichever claim declared them, as `ledger conflicts`
-- lists them: the obligor's claim on the left when one side is an obligor's own.
CREATE TABLE contradictions (
  left_claim  TEXT NOT NULL,
  right_claim TEXT NOT NULL,
  declared_by TEXT NOT NULL,      -- 'left', 'right' or 'both'
  PRIMARY KEY (left_claim, right_claim)
);

-- The cases both claims of a contradiction are about.
CREATE TABLE contradiction_cases (
  left_claim  TEXT NOT NULL,
  right_claim TEXT NOT NULL,
  case_id     TEXT NOT NULL,
  PRIMARY KEY (left_claim, right_claim, case_id)
);

CREATE INDEX claims_source ON claims (source);
CREATE INDEX claim_cases_case ON claim_cases (case_id);
CREATE INDEX claim_requirements_requirement ON claim_requirements (requirement_id);
CREATE INDEX relations_target ON relations (target_id);
"""
"""The database's tables, one statement each; docs/query.md explains them with examples."""

FTS_SCHEMA = """\
-- Full-text search over claims' quotes and statements: case- and accent-insensitive.
--   SELECT claim_id FROM claims_fts WHERE claims_fts MATCH 'disappear*'
CREATE VIRTUAL TABLE claims_fts USING fts5(
  claim_id UNINDEXED,
  quote,
  statement,
  tokenize = 'unicode61 remove_diacritics 2'
);
"""
"""The full-text index, when the sqlite3 build has FTS5."""

FTS_FALLBACK = """\
-- This sqlite3 build has no FTS5: the same columns as a plain table (use LIKE, not MATCH).
CREATE TABLE claims_fts (
  claim_id  TEXT NOT NULL,
  quote     TEXT NOT NULL,
  statement TEXT NOT NULL
);
"""
"""What stands in for the full-text index when FTS5 is missing: MATCH fails, LIKE works."""


@dataclass(frozen=True)
class Table:
    """One table's rows, with its column names in schema order."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


# --------------------------------------------------------------------------- rows


def _table(name: str, columns: str, rows: Iterable[Sequence[Any]]) -> Table:
    return Table(name, tuple(columns.split()), tuple(tuple(r) for r in rows))


def _listed(owner: str, items: Iterable[Any]) -> Iterable[tuple[Any, ...]]:
    for position, item in enumerate(items):
        yield (owner, position, *(item if isinstance(item, tuple) else (item,)))


def _path(paths: dict[str, str], record_id: str) -> str:
    """A record's file as stored: a byte that was not UTF-8 in a folder's name is escaped
    (SQLite cannot store it raw)."""
    return visible(paths.get(record_id, ""))


def record_tables(ledger: Ledger) -> list[Table]:
    """The records' content as rows: every field in a column or a link table."""
    paths = ledger.paths
    everyone = obligors(ledger)
    sources = ledger.sources.values()
    requirements = ledger.requirements.values()
    cases = ledger.cases.values()
    claims = ledger.claims.values()
    return [
        _table(
            SOURCES.folder,
            "id title published kind perspective speaks_for side language url archive_path "
            "archive_sha256 notes path",
            (
                (
                    s.id,
                    s.title,
                    s.published,
                    s.kind.value,
                    s.perspective.value,
                    s.speaks_for,
                    side_of(s, everyone).value,
                    s.language,
                    s.url,
                    s.archive.path,
                    s.archive.sha256,
                    s.notes,
                    _path(paths, s.id),
                )
                for s in sources
            ),
        ),
        _table(
            "source_authors",
            "source_id position author",
            (row for s in sources for row in _listed(s.id, s.authors)),
        ),
        _table(
            REQUIREMENTS.folder,
            "id title text force obligor instrument fiscal_year source locator notes path",
            (
                (
                    r.id,
                    r.title,
                    r.text,
                    r.force.value,
                    r.obligor,
                    r.instrument,
                    r.fiscal_year,
                    r.source,
                    r.locator,
                    r.notes,
                    _path(paths, r.id),
                )
                for r in requirements
            ),
        ),
        _table(
            "requirement_cases",
            "requirement_id position case_id",
            (row for r in requirements for row in _listed(r.id, r.cases)),
        ),
        _table(
            CASES.folder,
            "id title kind date place summary notes path",
            (
                (
                    k.id,
                    k.title,
                    k.kind.value,
                    k.date,
                    k.place,
                    k.summary,
                    k.notes,
                    _path(paths, k.id),
                )
                for k in cases
            ),
        ),
        _table(
            "case_aliases",
            "case_id position alias",
            (row for k in cases for row in _listed(k.id, k.aliases)),
        ),
        _table(
            "case_requirements",
            "case_id position requirement_id",
            (row for k in cases for row in _listed(k.id, k.requirements)),
        ),
        _table(
            CLAIMS.folder,
            "id source locator quote statement kind attributed_to as_of notes path",
            (
                (
                    c.id,
                    c.source,
                    c.locator,
                    c.quote,
                    c.statement,
                    c.kind.value,
                    c.attributed_to,
                    c.as_of,
                    c.notes,
                    _path(paths, c.id),
                )
                for c in claims
            ),
        ),
        _table(
            "claim_cases",
            "claim_id position case_id",
            (row for c in claims for row in _listed(c.id, c.cases)),
        ),
        _table(
            "claim_requirements",
            "claim_id position requirement_id stance side",
            (
                row
                for c in claims
                for row in _listed(
                    c.id, ((r, s.value, _side(ledger, c, r)) for r, s in c.bears_on.items())
                )
            ),
        ),
        _table(
            "figures",
            "claim_id position value unit qualifier note",
            (
                row
                for c in claims
                for row in _listed(
                    c.id, ((f.value, f.unit, f.qualifier.value, f.note) for f in c.figures)
                )
            ),
        ),
        _table(
            "relations",
            "claim_id position kind target_id note",
            (
                row
                for c in claims
                for row in _listed(c.id, ((r.kind.value, r.target, r.note) for r in c.relations))
            ),
        ),
        _table(
            "claim_reviews",
            "claim_id position by date fingerprint",
            (
                row
                for c in claims
                for row in _listed(c.id, ((v.by, v.date, v.fingerprint) for v in c.reviews))
            ),
        ),
    ]


def _side(ledger: Ledger, claim: Claim, requirement_id: str) -> str | None:
    """The side of a claim's source on one requirement (None if either is missing)."""
    source = ledger.sources.get(claim.source)
    requirement = ledger.requirements.get(requirement_id)
    if source is None or requirement is None:
        return None
    return side_of(source, obligors(ledger, requirement)).value


_COUNTS = "independent_supports independent_undermines obligor_supports obligor_undermines context"


def derived_tables(ledger: Ledger) -> list[Table]:
    """Statuses and contradiction pairs, as `ledger status` and `ledger conflicts` give them."""
    analysis = Analysis.of(ledger)
    rows = overview(ledger, analysis).rows
    by_case = []
    for case_id in ledger.cases:
        for group in case_status(ledger, case_id, analysis).requirements:
            t = group.verdict.tally
            by_case.append(
                (
                    case_id,
                    group.id,
                    group.verdict.status.value,
                    group.verdict.line,
                    t.independent_supports,
                    t.independent_undermines,
                    t.obligor_supports,
                    t.obligor_undermines,
                    t.context,
                )
            )
    pairs = analysis.pairs
    return [
        _table(
            "requirement_status",
            f"requirement_id status line {_COUNTS} cases contradictions",
            (
                (
                    r.id,
                    r.status.value,
                    r.line,
                    r.independent_supports,
                    r.independent_undermines,
                    r.obligor_supports,
                    r.obligor_undermines,
                    r.context,
                    r.cases,
                    r.contradictions,
                )
                for r in rows
            ),
        ),
        _table("case_status", f"case_id requirement_id status line {_COUNTS}", by_case),
        _table(
            "contradictions",
            "left_claim right_claim declared_by",
            ((p.left.id, p.right.id, _declared(p.declared_by, p.left.id)) for p in pairs),
        ),
        _table(
            "contradiction_cases",
            "left_claim right_claim case_id",
            ((p.left.id, p.right.id, case_id) for p in pairs for case_id in p.cases),
        ),
    ]


def _declared(declared_by: Sequence[str], left: str) -> str:
    if len(set(declared_by)) > 1:
        return "both"
    return "left" if declared_by and declared_by[0] == left else "right"


def tables(ledger: Ledger) -> list[Table]:
    """Every table of the database, records first, in schema order (the CSV export's files)."""
    return record_tables(ledger) + derived_tables(ledger)


# --------------------------------------------------------------------------- building


def has_fts5() -> bool:
    """Whether this sqlite3 build can create an FTS5 table."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(a)")
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
    return True


def connect(ledger: Ledger, *, fts: bool | None = None) -> sqlite3.Connection:
    """A new in-memory database holding the ledger (writable: :class:`ReadOnly` locks it).

    ``fts`` chooses the full-text index; by default FTS5 when the build has it.
    """
    use_fts = has_fts5() if fts is None else fts
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.executescript(SCHEMA + (FTS_SCHEMA if use_fts else FTS_FALLBACK))
    conn.execute("BEGIN")
    meta = {
        "format": DB_FORMAT,
        "version": DB_VERSION,
        "rule": RULE,
        "rule_version": RULE_VERSION,
        "fts": "fts5" if use_fts else "none",
    }
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", sorted(meta.items()))
    for table in tables(ledger):
        columns = ", ".join(f'"{c}"' for c in table.columns)
        marks = ", ".join("?" for _ in table.columns)
        conn.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", table.rows)
    conn.executemany(
        "INSERT INTO claims_fts (claim_id, quote, statement) VALUES (?, ?, ?)",
        ((c.id, c.quote, c.statement) for c in ledger.claims.values()),
    )
    conn.execute("COMMIT")
    return conn


def database_bytes(ledger: Ledger, *, fts: bool | None = None) -> bytes:
    """The database as an SQLite file's bytes: compact, and the same for the same ledger."""
    conn = connect(ledger, fts=fts)
    try:
        conn.execute("VACUUM")
        return conn.serialize()
    finally:
        conn.close()


# --------------------------------------------------------------------------- querying


class QueryError(Exception):
    """A statement that failed, was refused (``refused``) because it would change something,
    or was stopped (``stopped``: ``"time"``, ``"rows"``, ``"bytes"``, ``"memory"`` or
    ``"cancelled"``) before it finished."""

    def __init__(self, message: str, *, refused: bool = False, stopped: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.refused = refused
        self.stopped = stopped


@dataclass(frozen=True)
class Limits:
    """What one statement may take. ``seconds`` 0 means no time limit."""

    seconds: float = 10.0
    rows: int = 1_000_000
    bytes: int = 256 * 1024 * 1024
    """The result's size: text in UTF-8, a blob as the hex it is printed as, 8 a number; also
    the largest single value SQLite may make."""


DEFAULT_LIMITS = Limits()

PROGRESS_STEPS = 10_000
"""Steps of SQLite's virtual machine between two checks of the clock and of ``cancelled``:
well under a millisecond, and a negligible cost."""

FETCH_BATCH = 1_000
"""Rows fetched between two checks of the clock and of ``cancelled``."""


@dataclass(frozen=True)
class QueryResult:
    """The column names and rows of one statement's result."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


READ_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "collation_list",
        "function_list",
        "module_list",
        "pragma_list",
        "compile_options",
        "data_version",
    }
)
"""Pragmas a query may use: each only describes the schema or the build (FTS5 reads
``data_version`` itself)."""

_ALLOWED_ACTIONS = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)
_SCHEMA_TABLES = frozenset({"sqlite_master", "sqlite_schema", "sqlite_temp_master"})
_ACTIONS = (
    "INSERT",
    "UPDATE",
    "DELETE",
    "ATTACH",
    "DETACH",
    "ALTER_TABLE",
    "REINDEX",
    "ANALYZE",
    "TRANSACTION",
    "SAVEPOINT",
    "PRAGMA",
    "CREATE_INDEX",
    "CREATE_TABLE",
    "CREATE_TEMP_INDEX",
    "CREATE_TEMP_TABLE",
    "CREATE_TEMP_TRIGGER",
    "CREATE_TEMP_VIEW",
    "CREATE_TRIGGER",
    "CREATE_VIEW",
    "CREATE_VTABLE",
    "DROP_INDEX",
    "DROP_TABLE",
    "DROP_TEMP_INDEX",
    "DROP_TEMP_TABLE",
    "DROP_TEMP_TRIGGER",
    "DROP_TEMP_VIEW",
    "DROP_TRIGGER",
    "DROP_VIEW",
    "DROP_VTABLE",
)
_ACTION_NAMES = {
    getattr(sqlite3, f"SQLITE_{name}"): name.replace("_", " ")
    for name in _ACTIONS
    if hasattr(sqlite3, f"SQLITE_{name}")
}
"""Authorizer action codes by name, for saying what was refused."""

_REFUSED_FUNCTIONS = frozenset({"load_extension"})
_WRITING_WORDS = frozenset(
    {
        "INSERT",
        "REPLACE",
        "UPDATE",
        "DELETE",
        "CREATE",
        "DROP",
        "ALTER",
        "ATTACH",
        "DETACH",
        "VACUUM",
        "REINDEX",
        "ANALYZE",
        "BEGIN",
        "COMMIT",
        "END",
        "ROLLBACK",
        "SAVEPOINT",
        "RELEASE",
    }
)
"""Statements refused before they reach SQLite (the authorizer refuses the rest)."""


class _Guard:
    """The authorizer: reading is allowed, everything else denied and remembered.

    SQLite asks to update the schema table's columns when a table-valued pragma such as
    ``pragma_table_info('claims')`` loads; that is let through, since the schema table cannot
    be changed anyway (``writable_schema`` is refused and ``query_only`` is on).
    """

    def __init__(self) -> None:
        self.denied: list[str] = []

    def __call__(
        self, action: int, arg1: str | None, arg2: str | None, db: str | None, trigger: str | None
    ) -> int:
        del db, trigger
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _REFUSED_FUNCTIONS:
            self.denied.append(f"the function {arg2}()")
            return sqlite3.SQLITE_DENY
        if action in _ALLOWED_ACTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in READ_PRAGMAS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_UPDATE and arg1 in _SCHEMA_TABLES and arg2:
            return sqlite3.SQLITE_OK
        what = _ACTION_NAMES.get(action, f"action {action}")
        if action == sqlite3.SQLITE_PRAGMA:
            what += f" {arg1}" + (f" = {arg2}" if arg2 is not None else "")
        elif arg1 and action not in (sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT):
            what += f" {arg1}"
        self.denied.append(what)
        return sqlite3.SQLITE_DENY


_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?(?:\*/|$))*", re.DOTALL)


def first_word(sql: str) -> str:
    """The statement's first keyword, upper case (comments and spaces skipped)."""
    rest = sql[_COMMENTS.match(sql).end() :]  # type: ignore[union-attr]
    match = re.match(r"[A-Za-z]+", rest)
    return match.group().upper() if match else ""


_COPY_HINT = "to change a copy, write the database with `ledger export -o ledger.sqlite`"


def refusal(sql: str, denied: str | None) -> str:
    """Why a statement was refused, in one line."""
    word = first_word(sql)
    if word == "PRAGMA":
        allowed = ", ".join(sorted(READ_PRAGMAS - {"data_version"}))
        return (
            f"refused: `ledger query` is read-only; {denied or 'this pragma'} is not "
            f"allowed (only pragmas that describe the schema: {allowed})"
        )
    if word in _WRITING_WORDS:
        return f"refused: `ledger query` is read-only and does not run {word}; {_COPY_HINT}"
    return (
        f"refused: `ledger query` is read-only and the statement needs "
        f"{denied or 'to write'}; {_COPY_HINT}"
    )


class ReadOnly:
    """A built database locked for reading: query_only plus the authorizer, set once."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA query_only = ON")
        self.conn = conn
        self.guard = _Guard()
        conn.set_authorizer(self.guard)

    def run(
        self,
        sql: str,
        limits: Limits = DEFAULT_LIMITS,
        cancelled: Callable[[], bool] | None = None,
    ) -> QueryResult:
        """Run one SQL statement within ``limits`` and return its rows; a write raises a
        refused QueryError, a limit or ``cancelled()`` turning true a stopped one."""
        self.guard.denied.clear()
        if first_word(sql) in _WRITING_WORDS:
            raise QueryError(refusal(sql, None), refused=True)
        watch = _Watch(limits, cancelled)
        columns = self._columns(sql)
        share = max(1, min(limits.bytes // columns, _MAX_LENGTH))
        self.conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, share)
        self.conn.set_progress_handler(watch, PROGRESS_STEPS)
        try:
            cursor = self.conn.execute(sql)
            rows = _fetch(cursor, limits, watch)
        except MemoryError:
            raise QueryError(
                "the query ran out of memory and was stopped; ask for less (a LIMIT, fewer "
                "columns)",
                stopped="memory",
            ) from None
        except sqlite3.ProgrammingError as exc:
            raise QueryError(_plain_error(str(exc))) from None
        except sqlite3.Error as exc:
            message = str(exc)
            if watch.stopped:
                raise watch.error() from None
            if self.guard.denied or "readonly" in message or "read-only" in message:
                denied = self.guard.denied[0] if self.guard.denied else None
                raise QueryError(refusal(sql, denied), refused=True) from None
            if "too big" in message:
                if columns > 1:
                    raise QueryError(
                        f"a value is larger than {share:,} bytes, its share of the "
                        f"{limits.bytes:,}-byte limit on a result of {columns:,} columns",
                        stopped="bytes",
                    ) from None
                raise _too_big(limits, "a value") from None
            raise QueryError(f"SQL error: {message}") from None
        finally:
            self.conn.set_progress_handler(None, 0)
        columns = tuple(d[0] for d in cursor.description or ())
        return QueryResult(columns=columns, rows=rows)

    def _columns(self, sql: str) -> int:
        """How many columns the statement gives, read from its compiled program without
        running it: each value may then take only its share of the byte limit, so that one
        row is never larger than the limit (SQLite makes a row's values, and Python copies
        them, before any can be counted). 1 when the program does not say."""
        try:
            program = self.conn.execute(f"EXPLAIN {sql}").fetchall()
        except (sqlite3.Error, sqlite3.Warning):
            return 1  # running the statement reports the error
        finally:
            self.guard.denied.clear()
        return max((int(op[3]) for op in program if op[1] == "ResultRow"), default=1) or 1

    def close(self) -> None:
        self.conn.close()


_MAX_LENGTH = 1_000_000_000
"""SQLite's own default for the largest value; a limit above it changes nothing."""


class _Watch:
    """The progress handler: stops the statement past its time or once ``cancelled``."""

    def __init__(self, limits: Limits, cancelled: Callable[[], bool] | None) -> None:
        self.limits = limits
        self.cancelled = cancelled
        self.deadline = time.monotonic() + limits.seconds if limits.seconds > 0 else math.inf
        self.stopped: str | None = None

    def __call__(self) -> int:
        """Non-zero stops SQLite (it raises "interrupted"); called every few thousand steps."""
        if self.cancelled is not None and self.cancelled():
            self.stopped = "cancelled"
        elif time.monotonic() > self.deadline:
            self.stopped = "time"
        return 1 if self.stopped else 0

    def error(self) -> QueryError:
        if self.stopped == "cancelled":
            return QueryError("the query was interrupted", stopped="cancelled")
        return QueryError(
            f"the query was stopped at its time limit of {self.limits.seconds:g} s",
            stopped="time",
        )


def _fetch(cursor: sqlite3.Cursor, limits: Limits, watch: _Watch) -> tuple[tuple[Any, ...], ...]:
    """The rows, one at a time, counted against the limits as they come: a batch of large
    rows would be in memory whole before its size could be counted."""
    rows: list[tuple[Any, ...]] = []
    size = 0
    for row in cursor:
        size += sum(_size(value) for value in row)
        rows.append(row)
        if len(rows) > limits.rows:
            raise QueryError(
                f"the result has more than {limits.rows:,} rows, its limit", stopped="rows"
            )
        if size > limits.bytes:
            raise _too_big(limits, "the result")
        if len(rows) % FETCH_BATCH == 0 and watch():
            raise watch.error()
    return tuple(rows)


def _size(value: object) -> int:
    """A value's share of the result: what printing it takes."""
    if isinstance(value, str):
        return len(value) if value.isascii() else len(value.encode("utf-8", "surrogatepass"))
    if isinstance(value, bytes):
        return 2 * len(value)  # printed as hex
    return 8


def _too_big(limits: Limits, what: str) -> QueryError:
    return QueryError(
        f"{what} is larger than {limits.bytes:,} bytes, the limit on a result", stopped="bytes"
    )


def _plain_error(message: str) -> str:
    if "one statement at a time" in message:
        return "give one SQL statement at a time (no `;` between statements)"
    return f"SQL error: {message}"


def query(
    ledger: Ledger, sql: str, *, fts: bool | None = None, limits: Limits = DEFAULT_LIMITS
) -> QueryResult:
    """Build the database for ``ledger`` and run one read-only statement on it."""
    database = ReadOnly(connect(ledger, fts=fts))
    try:
        return database.run(sql, limits)
    finally:
        database.close()
