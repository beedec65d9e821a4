"""Running one SQL statement on a built ledger database, read-only and within limits.

:class:`ReadOnly` locks a connection for reading: ``PRAGMA query_only`` plus an authorizer
that allows reading and nothing else (no INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, ATTACH,
VACUUM, and no pragma but the few that only describe the schema). A refused statement raises
:class:`QueryError` with ``refused`` set.

A statement is also bounded (:class:`Limits`): by time, checked every few thousand steps of
SQLite's virtual machine, so a recursive query that never ends is stopped; by the size of any
one value (SQLite's own ``SQLITE_LIMIT_LENGTH``, so ``zeroblob(300000000)`` is refused before
it is made; with several columns each value gets its share of the limit, so no one row
outgrows it); and by the rows and bytes of its result, counted row by row as they are
fetched. The same check stops the statement when the caller's ``cancelled`` says so (the
command line sets it on Ctrl-C). Each ends in a :class:`QueryError` whose ``stopped`` names
the limit.

Kept apart from :mod:`ledger.publish.sqlite_db`, which builds the database from records: a query on
the stored database (:mod:`ledger.store.query_store`) needs neither the records nor the schema's
models.
"""

from __future__ import annotations

import math
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


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

_REFUSED_FUNCTIONS = frozenset({"load_extension", "fts3_tokenizer"})
"""Functions no statement may call: loading code, and registering (or reading) a native
tokenizer pointer."""
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
