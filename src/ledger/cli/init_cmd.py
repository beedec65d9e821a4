"""`ledger init [DIR]`: a new ledger a team can use at once, in an empty folder or an
existing git repository. One call to :mod:`ledger.authoring.new_ledger` plus prompts and rendering.

Exit codes: 0 written, 2 usage (a missing answer with --no-input) or nothing written because
files exist or a write failed, 130 cancelled.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.prompts import (
    NoInputOption,
    cancellable,
    session,
    text_answer,
    year_answer,
)
from ledger.cli.requirement_fields import (
    FiscalYearOption,
    InstrumentOption,
    ObligorOption,
    check_fiscal_year,
)
from ledger.cli.shared import EXIT_USAGE, app, fail

if TYPE_CHECKING:
    from ledger.authoring.new_ledger import Place, Started


@app.command()
def init(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="[DIR]",
            help="The new ledger's folder (made if need be). Default: the current folder.",
            show_default=False,
        ),
    ] = Path("."),
    obligor: ObligorOption = None,
    instrument: InstrumentOption = None,
    fiscal_year: FiscalYearOption = None,
    no_git: Annotated[
        bool,
        typer.Option("--no-git", help="Do not make the folder a git repository."),
    ] = False,
    no_input: NoInputOption = False,
) -> None:
    """Start a ledger: ledger.toml, the record folders, the JSON Schemas records' modelines
    point to, a contributor guide (data/README.md), a .gitattributes that keeps archived
    texts byte for byte, a GitHub Actions workflow and a pre-commit configuration that
    validate it. Writes nothing if any of these files exists.

    The obligor, instrument and fiscal year become ledger.toml's [defaults], which `ledger
    new requirement` proposes. CI and pre-commit install this very version of the tool. In a
    git repository, the workflow and pre-commit configuration go to its top; elsewhere the
    folder is made a git repository (unless --no-git).
    """
    from ledger.authoring.new_ledger import (
        NotStarted,
        enclosing_ledger,
        existing,
        place_for,
        start_ledger,
        starter_files,
        this_release,
    )
    from ledger.authoring.starter_files import Answers

    if folder.exists() and not folder.is_dir():
        fail(f"{folder} is not a folder")
    place = place_for(folder)
    outer = enclosing_ledger(place)
    if outer is not None:
        fail(f"{place.root} is inside the ledger at {outer}: a ledger cannot hold another")
    _refuse_existing(existing(place))
    obligor, instrument = _flag_text("--obligor", obligor), _flag_text("--instrument", instrument)
    check_fiscal_year(fiscal_year)
    given = {"--obligor": obligor, "--instrument": instrument, "--fiscal-year": fiscal_year}
    prompter = session(no_input, [flag for flag, value in given.items() if value is None])
    with cancellable():
        ask = prompter.ask
        if obligor is None:
            obligor = ask("Obligor", text_answer(), hint="whose conduct is judged")
        if instrument is None:
            instrument = ask("Instrument", text_answer(), hint="the law or report")
        if fiscal_year is None:
            fiscal_year = ask("Fiscal year", year_answer, hint="YYYY")
        files = starter_files(place, Answers(obligor, instrument, fiscal_year), this_release())
        if prompter.interactive:
            prompter.say(f"\nin {place.top}:")
            for path in files:
                prompter.say(f"  {place.shown(path)}")
            prompter.confirm("Write these files?")
        result = start_ledger(place, files)
    if isinstance(result, NotStarted):
        _refuse_existing(result.exists)
        fail(f"{result.problem}; nothing was written")
    _report(place, result, no_git)


def _flag_text(flag: str, value: str | None) -> str | None:
    """A text flag as an answer would be taken (spaces folded), or exit 2."""
    if value is None:
        return None
    found = text_answer()(value.strip())
    if not isinstance(found, str):
        fail(f"{flag}: give plain text (not empty, no control or invisible characters)")
    return found


def _refuse_existing(found: list[str]) -> None:
    """Exit 2 naming each file that exists, one a line, when there is any."""
    from ledger.safe_text import visible

    if not found:
        return
    for rel in found:
        sys.stderr.write(f"ledger: {visible(rel)} exists\n")
    sys.stderr.write("nothing was written: `ledger init` never overwrites a file\n")
    raise typer.Exit(EXIT_USAGE)


def _report(place: Place, result: Started, no_git: bool) -> None:
    """What was written, the git repository made, and what to do next (on stderr)."""
    from ledger.authoring.new_ledger import start_git
    from ledger.safe_text import visible

    for rel in result.written:
        sys.stderr.write(f"created {visible(rel)}\n")
    if not no_git and not place.in_git:
        problem = start_git(place)
        if problem:
            sys.stderr.write(f"ledger: git init failed ({visible(problem)}); run it yourself\n")
        else:
            sys.stderr.write("made the folder a git repository\n")
    sys.stderr.write(
        f"\nA new ledger in {visible(str(place.root))}. Next, in that folder: `ledger new "
        "source FILE` archives a first document (data/README.md says how); then commit.\n"
    )
