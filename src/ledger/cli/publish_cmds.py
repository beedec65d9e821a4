"""Publishing the ledger: `export` (json, jsonl, csv, sqlite, markdown, annotations), `query`
(read-only SQL over the ledger as SQLite) and `site` (a static HTML site that works
offline).

Each command is one library call (:mod:`ledger.publish.export`, :mod:`ledger.publish.sqlite_db`,
:mod:`ledger.publish.site`) plus writing. Files are written atomically and never through a link;
data goes to stdout, messages to stderr.
"""

from __future__ import annotations

import math
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ledger.cli.shared import (
    EXIT_USAGE,
    AsOfOption,
    RevOption,
    RootOption,
    app,
    as_of_or_exit,
    fail,
    layout_at,
    layout_of,
    load_or_exit,
    restrict_to,
    show_restriction,
    warn_left_out,
    write_csv,
    write_json,
)

if TYPE_CHECKING:
    import sqlite3

    from ledger.publish.sqlite_query import QueryError
    from ledger.records.ledger import Ledger
    from ledger.records.root import Layout


class ExportFormat(StrEnum):
    """Mirrors ledger.publish.export.FORMATS."""

    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    sqlite = "sqlite"
    markdown = "markdown"
    annotations = "annotations"


class QueryFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


QUERY_SECONDS, QUERY_ROWS, QUERY_BYTES = 10.0, 1_000_000, 256 * 1024 * 1024
"""Mirror ledger.publish.sqlite_db.Limits' defaults (a test keeps them equal), which help shows."""

EXIT_INTERRUPTED = 130
"""Stopped by Ctrl-C: 128 + SIGINT, as shells report it."""

_LIMIT_OPTIONS = {"time": "--timeout", "rows": "--max-rows", "bytes": "--max-bytes"}


def _load_checked(ctx: typer.Context, root: Path | None, rev: str | None) -> tuple[Layout, Ledger]:
    """The ledger, checked: what is published should be what `ledger validate` passes, so
    errors are announced on stderr (the records that loaded are still published)."""
    layout = layout_at(ctx, rev, root)
    return layout, load_or_exit(layout, check=True, count_errors=True).ledger


def _sqlite_export(
    ctx: typer.Context, root: Path | None, rev: str | None, as_of: str | None = None
) -> bytes:
    """The database file's bytes, loaded and checked as every export is, then taken from
    the store (ledger.store.query_store) when it holds this ledger's, else built and kept there.
    With an as-of date it is built from the restricted ledger and never kept."""
    from ledger.store.query_store import Store

    store = Store(layout_at(ctx, rev, root))
    loaded = load_or_exit(store.layout, check=True, count_errors=True, scan=store.scan)
    if as_of is not None:
        from ledger.publish.sqlite_db import database_bytes

        ledger, restriction = restrict_to(loaded.ledger, as_of)
        show_restriction(restriction, sys.stderr)
        return database_bytes(ledger)
    return store.database_bytes(loaded.ledger, (loaded.left_out, loaded.left_out_paths))


def _message(line: str) -> None:
    from ledger.safe_text import visible

    sys.stderr.write(f"ledger: {visible(line)}\n")


# -- export --------------------------------------------------------------------------------


@app.command()
def export(
    ctx: typer.Context,
    output_format: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="json, jsonl, csv, sqlite, markdown or annotations. Default: from the -o "
            "file's extension, else json.",
            show_default=False,
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            help="Only one kind of record (sources, requirements, cases, claims, assertions) "
            "for json and jsonl; one table for csv (a record kind, or any table of `ledger "
            "query`, e.g. claim_requirements).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Write to this file (.json, .jsonl, .csv, .sqlite, .db, .md, .jsonld), or "
            "for csv without --kind to this folder, one file per table. Default: stdout.",
            show_default=False,
        ),
    ] = None,
    root: RootOption = None,
    rev: RevOption = None,
    as_of: AsOfOption = None,
) -> None:
    """The whole ledger in a file others can use: every field and link of every record, the
    same bytes for the same ledger.

    json: {"format": "ledger-export", "version": 1, "rule", "sources", "requirements",
    "cases", "claims", "assertions", "paths", "positions", "derived"}, each record with every
    field (null where not set). jsonl: one {"kind", "id", "path", "record", "position"} a
    line. csv: the tables of `ledger
    query`, one file each. sqlite: the database `ledger query` runs on, for the sqlite3 shell
    or any SQLite client. markdown: every requirement's status with footnoted quotes, then
    every record. annotations: every claim as a W3C Web Annotation (JSON-LD) on its quote
    in the archived text; claims whose quote has no place there are listed on stderr.
    docs/export.md describes each shape. With --as-of, the ledger as it stood
    on that date; what was left out is said on stderr.
    """
    from ledger.publish import export as ex

    date = as_of_or_exit(as_of)
    if output == Path("-"):
        output = None  # `-o -`: stdout, as for most tools
    fmt = _export_format(output_format, output)
    if kind is not None and fmt in (
        ExportFormat.sqlite,
        ExportFormat.markdown,
        ExportFormat.annotations,
    ):
        fail(f"--kind applies to json, jsonl and csv, not {fmt.value}")
    if fmt is ExportFormat.sqlite and output is None:
        fail("sqlite is a binary file: name it with -o FILE (e.g. -o ledger.sqlite)")
    if fmt is ExportFormat.csv and kind is None:
        if output is None or ex.format_for(output) == "csv":
            fail(
                "a CSV file holds one table: name it with --kind (claims, cases, ...), "
                "or give -o a folder to write every table"
            )
    elif fmt is ExportFormat.csv and kind not in ex.table_names():
        fail(f"unknown table {kind!r}: expected one of {', '.join(ex.table_names())}")
    elif fmt in (ExportFormat.json, ExportFormat.jsonl) and kind not in (None, *ex.RECORD_KINDS):
        fail(f"unknown kind {kind!r}: expected one of {', '.join(ex.RECORD_KINDS)}")
    if output is not None:
        _outside_the_data(layout_of(ctx, root).data, output)
    if fmt is ExportFormat.sqlite:
        _write_export(output, _sqlite_export(ctx, root, rev, date), fmt)
        return
    layout, checked = _load_checked(ctx, root, rev)
    ledger, restriction = restrict_to(checked, date)
    show_restriction(restriction, sys.stderr)
    if fmt is ExportFormat.annotations:
        _write_export(output, _annotations(ledger, checked, layout.about.by), fmt)
        return
    if fmt is ExportFormat.csv and kind is None:
        assert output is not None
        files = ex.export_csv_files(ledger)
        problem = ex.write_folder(output, files)
        if problem:
            fail(problem)
        _message(f"wrote {len(files)} CSV files to {output}")
        return
    content: str | bytes
    if fmt is ExportFormat.json:
        content = ex.export_json(ledger, kind)
    elif fmt is ExportFormat.jsonl:
        content = ex.export_jsonl(ledger, kind)
    elif fmt is ExportFormat.csv:
        content = ex.export_csv(ledger, kind or "")
    else:
        content = ex.export_markdown(ledger)
    _write_export(output, content, fmt)


def _annotations(ledger: Ledger, checked: Ledger, keepers: str | None) -> str:
    """The annotation page (``keepers``, ledger.toml's ``[about] by``, its creator); each
    claim left out is said on stderr (the export still succeeds: the rest are good
    annotations)."""
    from dataclasses import replace

    from ledger.publish.annotations import annotations

    # an as-of ledger is restricted after the checks: its quotes stand where they stood
    made = annotations(replace(ledger, positions=checked.positions), keepers)
    if made.left_out:
        count = len(made.left_out)
        _message(
            f"warning: {count:,} claim{'' if count == 1 else 's'} left out of the annotations, "
            "their quote having no place in an archived text:"
        )
        from ledger.safe_text import visible

        for left in made.left_out:
            sys.stderr.write(f"  {visible(left.claim)}: {visible(left.reason)}\n")
    return made.text()


def _write_export(output: Path | None, content: str | bytes, fmt: ExportFormat) -> None:
    """An export to stdout, or to its file atomically."""
    from ledger.publish.export import write_export

    if output is None:
        assert isinstance(content, str)
        sys.stdout.write(content)
        return
    problem = write_export(output, content)
    if problem:
        fail(problem)
    _message(f"wrote {output} ({fmt.value})")


def _outside_the_data(data: Path, output: Path) -> None:
    """An export never lands among the records and archived texts it was made from: a typo
    in -o must not replace an archived source (pinned by its hash) or add a table as data."""
    target = output.resolve()
    if target == data or data in target.parents:
        fail(
            f"{output} is inside the ledger's data folder, which holds only records and "
            "archived texts; write the export somewhere else"
        )


def _export_format(given: ExportFormat | None, output: Path | None) -> ExportFormat:
    """The format: as given, else from the output's extension, else json."""
    from ledger.publish.export import EXTENSIONS, format_for

    inferred = format_for(output) if output is not None else None
    if given is not None:
        if inferred is not None and inferred != given.value:
            fail(f"--format {given.value} does not match the file name {output}")
        return given
    if inferred is not None:
        return ExportFormat(inferred)
    if output is None:
        return ExportFormat.json
    known = ", ".join(sorted(EXTENSIONS))
    fail(f"cannot tell the format from {output.name!r}: use --format, or one of {known}")


# -- query ---------------------------------------------------------------------------------


@app.command()
def query(
    ctx: typer.Context,
    sql: Annotated[
        str | None,
        typer.Argument(
            metavar="SQL",
            help="One SQL statement, quoted; it may only read.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        QueryFormat, typer.Option("--format", "-f", help="table, csv or json.")
    ] = QueryFormat.table,
    schema: Annotated[
        bool, typer.Option("--schema", help="Print the database's schema (SQL) and exit.")
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            min=0,
            help="Stop the statement after this long (0: no limit).",
        ),
    ] = QUERY_SECONDS,
    max_rows: Annotated[
        int,
        typer.Option(
            "--max-rows", metavar="N", min=1, help="Stop if the result has more rows than this."
        ),
    ] = QUERY_ROWS,
    max_bytes: Annotated[
        int,
        typer.Option(
            "--max-bytes",
            metavar="N",
            min=1,
            help="Stop if the result, or any one value, is larger than this (text in UTF-8, "
            "blobs as hex).",
        ),
    ] = QUERY_BYTES,
    root: RootOption = None,
    rev: RevOption = None,
) -> None:
    """Ask the ledger anything in SQL: one read-only statement over an SQLite database built
    from the records, and kept in the ledger's cache while they are unchanged.

    Tables: sources, source_authors, requirements, requirement_cases, cases, case_aliases,
    case_requirements, claims, claim_cases, claim_requirements (with stance), figures,
    relations, claim_reviews; derived: requirement_status, case_status, contradictions,
    contradiction_cases; views: evidence, case_claims, contradiction_pairs; full text:
    claims_fts (id, quote, statement; MATCH 'disappear*'). See
    `--schema` and docs/query.md, with examples. Example: ledger query "SELECT c.source,
    r.stance, count(DISTINCT c.id) AS claims FROM claims c JOIN claim_requirements r ON
    r.claim_id = c.id GROUP BY 1, 2".

    Writes (INSERT, UPDATE, DELETE, DROP, CREATE, ATTACH, a pragma that changes a setting)
    are refused with exit 2. `ledger export -o ledger.sqlite` writes the same database to a
    file.

    A statement that runs past --timeout, or whose result passes --max-rows or --max-bytes,
    is stopped with a one-line error and exit 2; Ctrl-C stops it with exit 130. Nothing of
    its result is printed then.

    JSON: {"format": "ledger-query", "version": 1, "sql", "columns": [name], "rows":
    [[value]]}; NULL is null.
    """
    if schema:
        from ledger.publish.sqlite_db import FTS_SCHEMA, SCHEMA

        sys.stdout.write(SCHEMA + "\n" + FTS_SCHEMA)
        return
    if sql is None or not sql.strip():
        fail('give one SQL statement, e.g. ledger query "SELECT id, title FROM cases"')
    from ledger.publish import sqlite_query

    limits = sqlite_query.Limits(seconds=timeout, rows=max_rows, bytes=max_bytes)
    database = sqlite_query.ReadOnly(_query_database(layout_at(ctx, rev, root)))
    try:
        with _ctrl_c() as pressed:
            result = database.run(sql, limits, cancelled=pressed.is_set)
    except sqlite_query.QueryError as exc:
        fail(_limit_hint(exc), EXIT_INTERRUPTED if exc.stopped == "cancelled" else EXIT_USAGE)
    finally:
        database.close()
    rows = [[_plain(v) for v in row] for row in result.rows]
    if output is QueryFormat.json:
        write_json("query", {"sql": sql, "columns": list(result.columns), "rows": rows})
    elif output is QueryFormat.csv:
        write_csv(result.columns, rows)
    else:
        _query_table(result.columns, rows)


def _query_database(layout: Layout) -> sqlite3.Connection:
    """The database to query: the stored one when it is this ledger's (no record is read),
    else built from the records and kept in the store (ledger.store.query_store) when it may be."""
    from ledger.store.query_store import Store

    store = Store(layout)
    stored = store.open()
    if stored is not None:
        warn_left_out(store.left_out, paths=store.left_out_paths)
        return stored
    from ledger.records.load import quote_positions

    loaded = load_or_exit(layout, check=False, scan=store.scan)
    quote_positions(layout, loaded.ledger)  # the claims' quote_start and quote_end
    return store.build(loaded.ledger, (loaded.left_out, loaded.left_out_paths))


def _limit_hint(error: QueryError) -> str:
    """A stopped query's message with what to do about it."""
    option = _LIMIT_OPTIONS.get(error.stopped or "")
    if option:
        return f"{error.message}; ask for less (a LIMIT, a WHERE, fewer columns) or raise {option}"
    return error.message


@contextmanager
def _ctrl_c() -> Iterator[threading.Event]:
    """Ctrl-C sets an event instead of raising, while SQLite runs: the query's progress
    handler sees it and stops the statement, which a KeyboardInterrupt could not do."""
    pressed = threading.Event()
    try:
        previous = signal.signal(signal.SIGINT, lambda *_: pressed.set())
    except ValueError:  # not the main thread: Ctrl-C is not ours to catch
        yield pressed
        return
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)


def _plain(value: Any) -> Any:
    """A value JSON can carry: blobs as hex, infinities as text."""
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _query_table(columns: tuple[str, ...], rows: list[list[Any]]) -> None:
    from ledger.cli.render import console, table, text

    out = console()
    if not columns:
        out.print(text("The statement returned no columns.", "dim"))
        return
    grid = table(*(visible_name(c) for c in columns))
    whole: list[tuple[int, int]] = []
    for index, column in enumerate(grid.columns):
        values = [str(r[index]) for r in rows if r[index] is not None]
        if values and all(isinstance(r[index], int | float) for r in rows if r[index] is not None):
            column.justify = "right"
        if all(len(v) <= 60 and not any(c.isspace() for c in v) for v in values):
            whole.append((max([len(str(column.header)), *map(len, values)]), index))
    # Keep ids, numbers and dates whole while the table still fits; the rest wraps (rich
    # would crop a whole column that cannot fit, and nothing may be cut).
    room = out.width - 3 * (len(columns) - 1) - 12 * (len(columns) - len(whole))
    for width, index in sorted(whole):
        if width > room:
            break
        grid.columns[index].no_wrap = True
        room -= width
    for row in rows:
        grid.add_row(*(text("" if v is None else v) for v in row))
    out.print(grid)
    out.print(text(f"{len(rows)} row{'' if len(rows) == 1 else 's'}", "dim"))


def visible_name(name: str) -> str:
    """A column name as a header: it may come from the data (``SELECT quote AS ...``)."""
    from ledger.safe_text import visible

    return visible(name)


# -- site ----------------------------------------------------------------------------------


@app.command()
def site(
    ctx: typer.Context,
    outdir: Annotated[
        Path,
        typer.Argument(
            metavar="OUTDIR",
            help="The folder to write the site into: new, empty, or an earlier site.",
            show_default=False,
        ),
    ],
    root: RootOption = None,
    rev: RevOption = None,
) -> None:
    """A static HTML site of the ledger that people can read and share: it opens from the
    file system or any web server, offline, with no external assets.

    Pages: the status of every requirement with a chart of evidence per side; an about page
    (what is judged, against what, by whom: ledger.toml's [about]); a page per requirement,
    case, source and claim, each claim with its quote, locator and source; each source's
    archived text with every quote highlighted and linked to its claim, and back;
    contradictions side by side; search (by title, alias, quote, statement), its matches
    highlighted. Every page's footer gives the build date (SOURCE_DATE_EPOCH when set) and the
    git commit of the data (saying when the data folder has uncommitted changes). Readable on
    a phone and in print. Nothing in the data is ever interpreted as HTML or script.

    OUTDIR must be new, empty, or a site written before (it holds .ledger-site.json): files of
    the earlier site that are no longer part of it are removed, pages that hold their bytes
    already are left as they are, nothing else is touched.
    """
    from ledger.publish.site import build_site
    from ledger.publish.site.stamp import stamp_of
    from ledger.records.diagnostics import count, unsound

    layout = layout_at(ctx, rev, root)
    loaded = load_or_exit(layout, check=True, count_errors=True)
    known = loaded.content_ids() if loaded.content_ids is not None else None
    said = unsound(loaded.left_out, count(loaded.diagnostics)[0], loaded.left_out_paths)
    stamp = stamp_of(layout, None, known)
    written = build_site(loaded.ledger, outdir, layout.about, stamp, said)
    if written.error:
        fail(written.error)
    removed = f", removed {len(written.removed)} old" if written.removed else ""
    fresh = len(written.written) - written.unchanged
    kept = f" and left {written.unchanged} unchanged" if written.unchanged else ""
    _message(
        f"wrote {fresh} file{'' if fresh == 1 else 's'} to {outdir}{kept}{removed}; "
        f"open {outdir / 'index.html'} in a browser"
    )
