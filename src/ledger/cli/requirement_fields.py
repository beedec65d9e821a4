"""The options for what a ledger's requirements share: `ledger init` records them in
ledger.toml's [defaults], and `ledger new requirement` takes them (or those defaults)."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.prompts import Bad, year_answer
from ledger.cli.shared import fail

ObligorOption = Annotated[
    str | None,
    typer.Option(
        metavar="TEXT",
        help="Whose conduct the requirements judge, e.g. 'Government of Mexico'.",
        show_default=False,
    ),
]
InstrumentOption = Annotated[
    str | None,
    typer.Option(
        metavar="TEXT",
        help="The law or report the requirements come from.",
        show_default=False,
    ),
]
FiscalYearOption = Annotated[
    int | None,
    typer.Option(
        metavar="YEAR", help="The fiscal year the requirements apply to.", show_default=False
    ),
]


def check_fiscal_year(given: int | None) -> None:
    """A --fiscal-year of other than four digits is a usage error (exit 2)."""
    if given is not None and isinstance(year_answer(str(given)), Bad):
        fail(f"--fiscal-year {given}: a year of four digits, e.g. 2017")
