"""`ledger schema`: the JSON Schema of each record kind, for editors and other tools."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from ledger.cli.shared import EXIT_FINDINGS, EXIT_USAGE, RootOption, app, fail, layout_of
from ledger.records.kinds import PLURAL

Kind = StrEnum("Kind", [(name, name) for name in PLURAL])  # type: ignore[misc]
"""The kinds `ledger schema` takes, by their singular."""


@app.command()
def schema(
    ctx: typer.Context,
    kind: Annotated[Kind | None, typer.Argument(help="Print this kind's schema.")] = None,
    write: Annotated[
        bool,
        typer.Option("--write", help="Write every kind's schema into the ledger's schema/ folder."),
    ] = False,
    root: RootOption = None,
) -> None:
    """Print the JSON Schema (draft-07) of a record kind, as editors use it to complete and
    check fields (yaml-language-server); or write all of them with --write."""
    from ledger.authoring.writelock import LockFailure
    from ledger.publish.jsonschema_export import json_schema, write_schemas
    from ledger.safe_text import dumps

    if write:
        written = write_schemas(layout_of(ctx, root))
        if isinstance(written, LockFailure):
            fail(written.message, EXIT_USAGE)
        if isinstance(written, str):
            fail(written, EXIT_FINDINGS)
        for rel in written:
            sys.stderr.write(f"wrote {rel}\n")
        return
    if kind is None:
        fail(f"name a kind ({', '.join(PLURAL)}), or pass --write")
    sys.stdout.write(dumps(json_schema(PLURAL[kind.value])) + "\n")
