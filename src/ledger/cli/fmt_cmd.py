"""`ledger fmt`: one canonical form for every record, so diffs stay small."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.shared import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, RootOption, app, fail, layout_of


@app.command()
def fmt(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Record files or folders (default: every record).", show_default=False),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; list the files that would change.")
    ] = False,
    root: RootOption = None,
) -> None:
    """Rewrite records in canonical form: keys in schema order, block style, two-space indent,
    prose in block scalars, dates quoted. Comments and values are kept; files already in
    canonical form are not touched. Exit 1 with --check when a file would change.

    Each file is read again and written holding the ledger's write lock, so a change another
    writer makes meanwhile is kept. Temporary files that killed writers left in the data
    folder over ten minutes ago are removed (not with --check). Exit 2 when another writer
    holds the lock for too long ($LEDGER_LOCK_WAIT seconds, default 10)."""
    from ledger.authoring.fmt_files import format_files
    from ledger.safe_text import visible

    layout = layout_of(ctx, root)
    result = format_files(layout, paths or None, check=check)
    for rel in result.removed:
        sys.stderr.write(f"removed {visible(rel)}, left by a writer that was stopped\n")
    for rel, problem in result.problems:
        sys.stderr.write(f"{visible(rel)}: {visible(problem)}\n")
    verb = "would reformat" if check else "reformatted"
    for rel in result.changed:
        (sys.stdout if check else sys.stderr).write(
            f"{visible(rel)}\n" if check else f"{verb} {visible(rel)}\n"
        )
    if result.changed or result.problems:
        sys.stderr.write(
            f"{len(result.changed)} file(s) {verb}, {result.unchanged} unchanged"
            f"{f', {len(result.problems)} not formatted' if result.problems else ''}\n"
        )
    if result.crlf:
        sys.stderr.write(
            f"{len(result.crlf)} file(s) "
            + (
                "have Windows (CRLF) line endings; `ledger fmt` makes them LF"
                if check
                else "had Windows (CRLF) line endings, now LF"
            )
            + ". If git converted them (core.autocrlf), `*.yaml text eol=lf` in .gitattributes "
            "stops it (see the README)\n"
        )
    if result.stopped:
        fail(result.stopped.message, EXIT_USAGE)
    failed = bool(result.problems) or (check and bool(result.changed))
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)
