"""`ledger validate`: what CI runs on every commit."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    from ledger.records.diagnostics import Diagnostic


@app.command()
def validate(
    ctx: typer.Context,
    output: Annotated[
        Format,
        typer.Option("--format", "-f", help="human (on stderr), json or github (on stdout)."),
    ] = Format.human,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail on warnings too (see [review] in ledger.toml).")
    ] = False,
    root: RootOption = None,
    policy_from: Annotated[
        Path | None,
        typer.Option(
            "--policy-from",
            metavar="DIR",
            help="Hold the ledger to the stricter of its own [review] settings and those of "
            "the ledger at DIR (in CI: the base branch's), so that a pull request's "
            "ledger.toml cannot loosen its own check, nor name another data folder than "
            "DIR's (an error: data-folder-moved). A DIR with no ledger.toml sets none.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check every record: schema, references, archives and quotes.

    Silent with exit 0 when the data is clean. Exit 1 on errors; with --strict, on warnings
    too (suspect-evidence only when ledger.toml sets [review] suspect = "error"). Exit 2
    when the ledger cannot be read, ledger.toml has mistakes (each reported as a diagnostic,
    in the format asked for), or the command is misused.
    """
    from ledger.analysis.validation import validate as validate_ledger
    from ledger.records.diagnostics import failing

    def config_problems(found: list[Diagnostic], root: Path) -> None:
        _report(found, root, 1, output)

    layout = layout_of(ctx, root, report=config_problems)
    review = layout.review
    held: list[Diagnostic] = []
    if policy_from is not None and (policy_from / "ledger.toml").is_file():  # none: no policy
        from ledger.git.policy import held_to
        from ledger.records.root import RootError, open_layout

        base = open_layout(policy_from)
        if isinstance(base, RootError):
            fail(f"--policy-from {policy_from}: {base.message}")
        policy = held_to(layout, base)
        review, held = policy.review, list(policy.problems)
    result = validate_ledger(layout, progress=progress_reporter())
    if result.fatal:
        fail(result.fatal)
    found = [*held, *result.diagnostics]
    failed = bool(failing(found, strict=strict, suspect=review.suspect))
    _report(found, layout.root, result.files, output)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


def _report(found: list[Diagnostic], root: Path, files: int, output: Format) -> None:
    """The diagnostics in the format asked for: JSON or annotations on stdout, people's
    text on stderr (nothing at all for a clean ledger, but the JSON envelope)."""
    from ledger.records import diagnostic_format as fmt

    if output is Format.json:
        sys.stdout.write(fmt.json_envelope(found, files) + "\n")
    elif output is Format.github:
        if found:
            sys.stdout.write(fmt.github(found) + "\n")
    elif found:
        text = fmt.human(found, root, colour=colour_for(sys.stderr))
        sys.stderr.write(text + "\n" + fmt.summary_line(found, files) + "\n")
