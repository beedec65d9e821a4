"""The version of ledger, said once in `ledger.__version__` (pyproject.toml reads it from
there), so `ledger --version`, the cache, exports and generated files all agree. Read from
the package, not the distribution's metadata, whose import alone costs 60 ms a run."""

from __future__ import annotations

import platform

from ledger import __version__

DISTRIBUTION = "evidence-ledger"
"""The name ledger is installed by (PyPI's `ledger` and Debian's `ledger` are other
programs); the import package and the command are `ledger`."""


def version() -> str:
    """The version of the code that runs."""
    return __version__


def version_line() -> str:
    """What `ledger --version` prints: enough to reproduce a report or a bug."""
    return f"ledger {version()} ({DISTRIBUTION}, Python {platform.python_version()})"
