"""The ledger as an SQLite database: built in memory, queried read-only, or written to a file.

:data:`SCHEMA` is the whole schema, documented in place; docs/query.md explains it with
examples. Every record field has a column or a link table (lists keep their order in a
``position`` column, counted from 0), so the database holds the ledger's content whole; the
derived tables (statuses by rule ``ledger-status``, contradiction pairs) are computed by
:mod:`ledger.analysis.status`, exactly as ``ledger status`` and ``ledger conflicts`` report them.

:func:`tables` gives the same rows without SQLite: the CSV export writes one file per table.

:func:`connect` builds the database; :class:`~ledger.publish.sqlite_query.ReadOnly` (re-exported
here with its limits and errors) runs SQL statements on it read-only and within limits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.analysis.status import Analysis, case_status, obligors, overview, side_of
from ledger.analysis.status_report import RULE, RULE_VERSION
from ledger.publish.sqlite_query import DEFAULT_LIMITS, Limits, QueryError, QueryResult, ReadOnly
from ledger.records.kinds import ASSERTIONS, CASES, CLAIMS, REQUIREMENTS, SOURCES
from ledger.records.ledger import Ledger
from ledger.records.model import Claim
from ledger.safe_text import visible

if TYPE_CHECKING:
    from ledger.analysis.quotes import Position

__all__ = [
    "DB_FORMAT", "DB_VERSION", "DEFAULT_LIMITS", "FTS_FALLBACK", "FTS_SCHEMA", "SCHEMA", "Limits",
    "QueryError", "QueryResult", "ReadOnly", "Table", "compact", "connect", "database_bytes",
    "derived_tables", "has_fts5", "query", "record_tables", "tables",
]  # fmt: skip

DB_FORMAT = "ledger-sqlite"
DB_VERSION = "2"

SCHEMA = """\
-- The ledger as SQLite (format ledger-sqlite, version 2).
-- Text is stored exactly as in the YAML files; NULL where a field is not set. Dates are ISO
-- strings at the precision the source gives ('2017', '2017-06', '2017-06-27').
-- `position` counts a list's items from 0, in the order the record file gives them.
-- Foreign keys are declared, for the tools that follow them (Datasette, GUI clients), and not
-- enforced: a ledger with an unresolved reference still loads; `ledger validate` names it.

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
  source_id TEXT NOT NULL REFERENCES sources (id),
  position  INTEGER NOT NULL,
  author    TEXT NOT NULL,
  PRIMARY KEY (source_id, position)
);

CREATE TABLE requirements (
  id          TEXT PRIMARY KEY,
  title       TEXT NOT NULL,
  text        TEXT NOT NULL,      -- the wording, quoted from `source` at `locator`
  text_start  INTEGER,            -- derived: where the wording stands in the source's
  text_end    INTEGER,            -- archived text, in characters from 0 (end excluded);
                                  -- NULL when it is not found there
  force       TEXT NOT NULL,      -- condition or expectation
  obligor     TEXT NOT NULL,
  instrument  TEXT NOT NULL,
  fiscal_year INTEGER NOT NULL,
  source      TEXT NOT NULL REFERENCES sources (id),
  locator     TEXT NOT NULL,
  notes       TEXT,
  path        TEXT NOT NULL
);

-- A requirement's own `cases` list.
CREATE TABLE requirement_cases (
  requirement_id TEXT NOT NULL REFERENCES requirements (id),
  position       INTEGER NOT NULL,
  case_id        TEXT NOT NULL REFERENCES cases (id),
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
  case_id  TEXT NOT NULL REFERENCES cases (id),
  position INTEGER NOT NULL,
  alias    TEXT NOT NULL,
  PRIMARY KEY (case_id, position)
);

-- A case's own `requirements` list.
CREATE TABLE case_requirements (
  case_id        TEXT NOT NULL REFERENCES cases (id),
  position       INTEGER NOT NULL,
  requirement_id TEXT NOT NULL REFERENCES requirements (id),
  PRIMARY KEY (case_id, position)
);

CREATE TABLE claims (
  id            TEXT PRIMARY KEY,
  source        TEXT NOT NULL REFERENCES sources (id),
  locator       TEXT NOT NULL,
  quote         TEXT NOT NULL,    -- verbatim; '...' separates segments
  quote_start   INTEGER,          -- derived: where the quote stands in its source's archived
  quote_end     INTEGER,          -- text, in characters from 0 (end excluded): its first
                                  -- segment's start, its last one's end; NULL when it is
                                  -- not found there
  statement     TEXT NOT NULL,    -- a neutral paraphrase
  kind          TEXT NOT NULL,    -- fact, figure, allegation, assessment, commitment, ...
  attributed_to TEXT,
  as_of         TEXT,
  notes         TEXT,
  path          TEXT NOT NULL
);

-- The claim-case links (a claim's `cases`).
CREATE TABLE claim_cases (
  claim_id TEXT NOT NULL REFERENCES claims (id),
  position INTEGER NOT NULL,
  case_id  TEXT NOT NULL REFERENCES cases (id),
  PRIMARY KEY (claim_id, position)
);

-- The claim-requirement links with their stance (a claim's `bears_on`).
CREATE TABLE claim_requirements (
  claim_id       TEXT NOT NULL REFERENCES claims (id),
  position       INTEGER NOT NULL,
  requirement_id TEXT NOT NULL REFERENCES requirements (id),
  stance         TEXT NOT NULL,   -- supports, undermines or context
  side           TEXT,            -- derived: 'obligor' when the claim's source speaks for
                                  -- this requirement's obligor, else 'independent'; NULL
                                  -- when the source or the requirement is missing
  PRIMARY KEY (claim_id, position)
);

CREATE TABLE figures (
  claim_id  TEXT NOT NULL REFERENCES claims (id),
  position  INTEGER NOT NULL,
  value,                          -- an integer or a real, as written
  unit      TEXT NOT NULL,
  qualifier TEXT NOT NULL,        -- exactly, about, at-least, more-than, at-most, fewer-than
  note      TEXT,
  PRIMARY KEY (claim_id, position)
);

-- Links from a claim to another claim, as declared (a claim's `relations`).
CREATE TABLE relations (
  claim_id  TEXT NOT NULL REFERENCES claims (id),
  position  INTEGER NOT NULL,
  kind      TEXT NOT NULL,        -- contradicts, corroborates, responds-to, repeats
  target_id TEXT NOT NULL REFERENCES claims (id),
  note      TEXT,
  PRIMARY KEY (claim_id, position)
);

CREATE TABLE claim_reviews (
  claim_id    TEXT NOT NULL REFERENCES claims (id),
  position    INTEGER NOT NULL,
  by          TEXT NOT NULL,
  date        TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  PRIMARY KEY (claim_id, position)
);

-- A maintainer's statement of a requirement's status (or a case's on it) as of a date, which
-- `ledger validate` checks; "case" is an SQL keyword, so quote it: SELECT "case" FROM ...
CREATE TABLE assertions (
  id          TEXT PRIMARY KEY,
  requirement TEXT NOT NULL REFERENCES requirements (id),
  "case"      TEXT REFERENCES cases (id),  -- when the assertion is about one case
  status      TEXT NOT NULL,      -- the status asserted: no-evidence, not-met, ...
  as_of       TEXT NOT NULL,      -- the date the status is derived as of
  asserted_by TEXT NOT NULL,
  date        TEXT NOT NULL,      -- when it was asserted
  reason      TEXT NOT NULL,
  notes       TEXT,
  path        TEXT NOT NULL
);

-- Derived by rule ledger-status v2 ----------------------------------------------------------

-- Each requirement's status, as `ledger status` shows it. The counts are evidence units
-- (a group of repeats counts once); `cases` and `contradictions` count what touches it.
CREATE TABLE requirement_status (
  requirement_id         TEXT PRIMARY KEY REFERENCES requirements (id),
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
  case_id                TEXT NOT NULL REFERENCES cases (id),
  requirement_id         TEXT NOT NULL REFERENCES requirements (id),
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
  left_claim  TEXT NOT NULL REFERENCES claims (id),
  right_claim TEXT NOT NULL REFERENCES claims (id),
  declared_by TEXT NOT NULL,      -- 'left', 'right' or 'both'
  PRIMARY KEY (left_claim, right_claim)
);

-- The cases both claims of a contradiction are about.
CREATE TABLE contradiction_cases (
  left_claim  TEXT NOT NULL REFERENCES claims (id),
  right_claim TEXT NOT NULL REFERENCES claims (id),
  case_id     TEXT NOT NULL REFERENCES cases (id),
  PRIMARY KEY (left_claim, right_claim, case_id)
);

CREATE INDEX claims_source ON claims (source);
CREATE INDEX claim_cases_case ON claim_cases (case_id);
CREATE INDEX claim_requirements_requirement ON claim_requirements (requirement_id);
CREATE INDEX relations_target ON relations (target_id);

-- Views for the common questions ------------------------------------------------------------

-- Each claim's stance on each requirement it bears on, with its source: the evidence a
-- requirement's status is judged from.
CREATE VIEW evidence AS
SELECT cr.requirement_id, cr.claim_id, cr.stance, cr.side, c.kind, c.statement, c.quote,
       c.source AS source_id, s.title AS source_title, s.published, c.locator, c.path
FROM claim_requirements cr
JOIN claims c ON c.id = cr.claim_id
LEFT JOIN sources s ON s.id = c.source;

-- Each case with the claims about it.
CREATE VIEW case_claims AS
SELECT cc.case_id, k.title AS case_title, cc.claim_id, c.kind, c.statement,
       c.source AS source_id
FROM claim_cases cc
JOIN claims c ON c.id = cc.claim_id
LEFT JOIN cases k ON k.id = cc.case_id;

-- Each contradiction pair, both claims' statements and sources side by side.
CREATE VIEW contradiction_pairs AS
SELECT x.left_claim, l.source AS left_source, l.statement AS left_statement,
       x.right_claim, r.source AS right_source, r.statement AS right_statement, x.declared_by
FROM contradictions x
JOIN claims l ON l.id = x.left_claim
JOIN claims r ON r.id = x.right_claim;
"""
"""The database's tables, one statement each; docs/query.md explains them with examples."""

FTS_SCHEMA = """\
-- Full-text search over claims' quotes and statements: case- and accent-insensitive. Its
-- rows are the claims' own (content="claims": each row's rowid is its claim's), so tools
-- that look for a table's full-text index (Datasette's ?_search=) find this one.
--   SELECT id FROM claims_fts WHERE claims_fts MATCH 'disappear*'
CREATE VIRTUAL TABLE claims_fts USING fts5(
  id UNINDEXED,
  quote,
  statement,
  content="claims",
  tokenize = 'unicode61 remove_diacritics 2'
);
"""
"""The full-text index, when the sqlite3 build has FTS5."""

FTS_FALLBACK = """\
-- This sqlite3 build has no FTS5: the same columns as a plain table (use LIKE, not MATCH).
CREATE TABLE claims_fts (
  id        TEXT NOT NULL,
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


def _span(positions: dict[str, Position], record_id: str) -> tuple[int | None, int | None]:
    """Where a record's quote stands (None, None when not found, or not placed: a ledger
    loaded without its checks; see ledger.records.load.quote_positions)."""
    found = positions.get(record_id)
    return (found.start, found.end) if found is not None else (None, None)


def record_tables(ledger: Ledger) -> list[Table]:
    """The records' content as rows: every field in a column or a link table."""
    paths = ledger.paths
    everyone = obligors(ledger)
    sources = ledger.sources.values()
    requirements = ledger.requirements.values()
    cases = ledger.cases.values()
    claims = ledger.claims.values()
    positions = ledger.positions or {}
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
            "id title text text_start text_end force obligor instrument fiscal_year source "
            "locator notes path",
            (
                (
                    r.id,
                    r.title,
                    r.text,
                    *_span(positions, r.id),
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
            "id source locator quote quote_start quote_end statement kind attributed_to as_of "
            "notes path",
            (
                (
                    c.id,
                    c.source,
                    c.locator,
                    c.quote,
                    *_span(positions, c.id),
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
        _table(
            ASSERTIONS.folder,
            "id requirement case status as_of asserted_by date reason notes path",
            (
                (
                    a.id,
                    a.requirement,
                    a.case,
                    a.status.value,
                    a.as_of,
                    a.asserted_by,
                    a.date,
                    a.reason,
                    a.notes,
                    _path(paths, a.id),
                )
                for a in ledger.assertions.values()
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
    conn.execute(
        "INSERT INTO claims_fts (rowid, id, quote, statement) "
        "SELECT rowid, id, quote, statement FROM claims ORDER BY rowid"
    )
    conn.execute("COMMIT")
    return conn


def database_bytes(ledger: Ledger, *, fts: bool | None = None) -> bytes:
    """The database as an SQLite file's bytes: compact, and the same for the same ledger."""
    conn = connect(ledger, fts=fts)
    try:
        return compact(conn)
    finally:
        conn.close()


def compact(conn: sqlite3.Connection) -> bytes:
    """A built database's file bytes, compacted (the connection stays usable): what
    ``export -f sqlite`` writes and the store (:mod:`ledger.store.query_store`) keeps."""
    conn.execute("VACUUM")
    return conn.serialize()


def query(
    ledger: Ledger, sql: str, *, fts: bool | None = None, limits: Limits = DEFAULT_LIMITS
) -> QueryResult:
    """Build the database for ``ledger`` and run one read-only statement on it."""
    database = ReadOnly(connect(ledger, fts=fts))
    try:
        return database.run(sql, limits)
    finally:
        database.close()
