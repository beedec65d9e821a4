"""The installed version of ledger, read from the distribution's metadata (pyproject.toml
says it once), so `ledger --version`, exports and generated files all agree."""

from __future__ import annotations

import platform
from importlib import metadata

DISTRIBUTION = "evidence-ledger"
"""The name ledger is installed by (PyPI's `ledger` and Debian's `ledger` are other
programs); the import package and the command are `ledger`."""


def version() -> str:
    """The installed version, or "unknown" when run from a source tree never installed."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


def version_line() -> str:
    """What `ledger --version` prints: enough to reproduce a report or a bug."""
    return f"ledger {version()} ({DISTRIBUTION}, Python {platform.python_version()})"
