"""`ledger review`: stamp a claim as checked against its source."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ledger.cli.shared import (
    EXIT_FINDINGS,
    EXIT_USAGE,
    RootOption,
    app,
    complete_id,
    fail,
    layout_of,
    load_or_exit,
    resolve_or_exit,
)


@app.command()
def review(
    ctx: typer.Context,
    claim_id: Annotated[
        str, typer.Argument(metavar="CLAIM", help="The claim reviewed.", autocompletion=complete_id)
    ],
    by: Annotated[str, typer.Option("--by", help="The reviewer's name.")],
    on: Annotated[
        str | None, typer.Option("--date", help="The review's date (default: today).")
    ] = None,
    root: RootOption = None,
) -> None:
    """Record that NAME checked a claim against its source: who, when, and a fingerprint of
    the claim's content. `ledger validate` warns when the claim changes afterwards."""
    from ledger.model import check_iso_date
    from ledger.review import add_review
    from ledger.writelock import LockFailure

    if on is not None:
        try:
            check_iso_date(on)
        except ValueError as exc:
            fail(f"--date {on}: {exc}")
    layout = layout_of(ctx, root)
    ledger = load_or_exit(layout).ledger
    found = resolve_or_exit(ledger, claim_id, ("claims",))
    failure = add_review(layout, ledger, found, by, on)
    if isinstance(failure, LockFailure):
        fail(failure.message, EXIT_USAGE)
    if failure:
        fail(failure, EXIT_FINDINGS)
    sys.stderr.write(f"reviewed {found} by {by}\n")
