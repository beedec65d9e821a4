"""`ledger schema`: the JSON Schema of each record kind, for editors and other tools."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from ledger.cli.shared import EXIT_FINDINGS, app, fail, layout_of


class Kind(StrEnum):
    source = "source"
    requirement = "requirement"
    case = "case"
    claim = "claim"


@app.command()
def schema(
    ctx: typer.Context,
    kind: Annotated[Kind | None, typer.Argument(help="Print this kind's schema.")] = None,
    write: Annotated[
        bool,
        typer.Option("--write", help="Write every kind's schema into the ledger's schema/ folder."),
    ] = False,
) -> None:
    """Print the JSON Schema (draft-07) of a record kind, as editors use it to complete and
    check fields (yaml-language-server); or write all of them with --write."""
    from ledger.jsonschema_export import SCHEMA_DIR, json_schema, schema_files
    from ledger.safe_text import dumps

    kinds = {"source": "sources", "requirement": "requirements", "case": "cases", "claim": "claims"}
    if write:
        from ledger.atomic import write_atomic

        layout = layout_of(ctx)
        folder = layout.root / SCHEMA_DIR
        folder.mkdir(exist_ok=True)
        for rel, content in schema_files().items():
            failure = write_atomic(layout.root / rel, content)
            if failure:
                fail(failure, EXIT_FINDINGS)
            sys.stderr.write(f"wrote {rel}\n")
        return
    if kind is None:
        fail("name a kind (source, requirement, case, claim), or pass --write")
    sys.stdout.write(dumps(json_schema(kinds[kind.value])) + "\n")
