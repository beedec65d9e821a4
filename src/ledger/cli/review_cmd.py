"""`ledger review`: stamp a claim as checked against its source."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ledger.cli.shared import (
    EXIT_FINDINGS,
    EXIT_USAGE,
    OutputFormat,
    RevOption,
    RootOption,
    app,
    complete_ids,
    fail,
    layout_at,
    layout_of,
    load_or_exit,
    resolve_or_exit,
    write_json,
)


@app.command()
def review(
    ctx: typer.Context,
    claim_id: Annotated[
        str,
        typer.Argument(
            metavar="CLAIM", help="The claim reviewed.", autocompletion=complete_ids("claims")
        ),
    ],
    by: Annotated[str, typer.Option("--by", help="The reviewer's name.")],
    on: Annotated[
        str | None, typer.Option("--date", help="The review's date (default: today).")
    ] = None,
    root: RootOption = None,
) -> None:
    """Record that NAME checked a claim against its source: who, when, a fingerprint of the
    claim's content, and one of each record and text it rests on (its source and archived
    text, the requirements it bears on, the claims it links to). `ledger validate` warns when
    the claim changes afterwards (stale-review), or what it rests on does (suspect-evidence);
    a new review clears both."""
    from ledger.analysis.review import add_review, reviewer_problem
    from ledger.authoring.writelock import LockFailure
    from ledger.records.model import check_iso_date

    if on is not None:
        try:
            check_iso_date(on)
        except ValueError as exc:
            fail(f"--date {on}: {exc}")
    problem = reviewer_problem(by, on)
    if problem:
        fail(problem, EXIT_USAGE)
    layout = layout_of(ctx, root)
    ledger = load_or_exit(layout).ledger
    found = resolve_or_exit(ledger, claim_id, ("claims",), layout)
    failure = add_review(layout, ledger, found, by, on)
    if isinstance(failure, LockFailure):
        fail(failure.message, EXIT_USAGE)
    if failure:
        fail(failure, EXIT_FINDINGS)
    sys.stderr.write(f"reviewed {found} by {by.strip()}\n")


@app.command()
def queue(
    ctx: typer.Context,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="human or json (its shape is above).")
    ] = OutputFormat.human,
    root: RootOption = None,
    rev: RevOption = None,
) -> None:
    """The claims waiting for a reviewer, with why: suspect (what a claim rests on changed
    after its latest review), stale (the claim itself changed), then never reviewed. Clear
    each with `ledger review CLAIM --by NAME`. JSON gives each claim's file too.

    JSON: {"counts": {"suspect", "stale", "unreviewed"}, "claims": [{"id", "path", "state",
    "why"}]}.
    """
    from ledger.analysis.review import review_queue

    found = review_queue(load_or_exit(layout_at(ctx, rev, root), check=False).ledger)
    if output is OutputFormat.json:
        write_json("review-queue", found.to_dict())
        return
    from ledger.cli.render import console, indented, line, text

    out = console()
    out.print(text(" \u00b7 ".join(f"{n:,} {k}" for k, n in found.counts().items()), "dim"))
    styles = {"suspect": "yellow", "stale": "yellow", "unreviewed": "dim"}
    for item in found.items:
        out.print(line((f"{item.state:<12}", styles[item.state]), (item.id, "cyan")))
        out.print(indented(text(item.why), 12))
