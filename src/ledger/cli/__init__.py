"""The command line: each command is one library call plus rendering."""

from __future__ import annotations

from ledger.cli import validate_cmd  # noqa: F401  (registers its command)
from ledger.cli.app import app


def main() -> None:
    app()
