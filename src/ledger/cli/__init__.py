"""The command line: each command is one library call plus rendering."""

from __future__ import annotations

from ledger.cli import (  # noqa: F401  (they register commands)
    diff_cmd,
    fmt_cmd,
    new_cmd,
    publish_cmds,
    query_cmds,
    review_cmd,
    schema_cmd,
    status_cmd,
    validate_cmd,
)
from ledger.cli.app import app


def main() -> None:
    app()
