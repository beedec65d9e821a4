"""`ledger validate`: what CI runs on every commit."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ledger.cli.shared import (
    EXIT_FINDINGS,
    EXIT_OK,
    Format,
    RootOption,
    app,
    colour_for,
    fail,
    layout_of,
    progress_reporter,
)


@app.command()
def validate(
    ctx: typer.Context,
    output: Annotated[
        Format,
        typer.Option("--format", "-f", help="human (on stderr), json or github (on stdout)."),
    ] = Format.human,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    root: RootOption = None,
) -> None:
    """Check every record: schema, references, archives and quotes.

    Silent with exit 0 when the data is clean; exit 1 on findings (errors, or warnings with
    --strict); exit 2 when the ledger cannot be read or the command is misused.
    """
    from ledger import diagnostic_format as fmt
    from ledger.diagnostics import count
    from ledger.validation import validate as validate_ledger

    layout = layout_of(ctx, root)
    result = validate_ledger(layout, progress=progress_reporter())
    if result.fatal:
        fail(result.fatal)
    found = result.diagnostics
    errors, warnings = count(found)
    failed = errors > 0 or (strict and warnings > 0)
    if output is Format.json:
        sys.stdout.write(fmt.json_envelope(found, result.files) + "\n")
    elif output is Format.github:
        if found:
            sys.stdout.write(fmt.github(found) + "\n")
    elif found:
        text = fmt.human(found, layout.root, colour=colour_for(sys.stderr))
        sys.stderr.write(text + "\n" + fmt.summary_line(found, result.files) + "\n")
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)
