"""Progress of long work, as data: the library says what it is doing, the CLI decides
whether and how to show it (on a terminal, after a second)."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]
"""Called as (what is being done, units done, units in all). Work that is not counted in
units is announced once, with 0 in all; an empty ``what`` says the work is over."""


def announce(progress: Progress | None, what: str) -> None:
    """Say that uncounted work has begun (the next report ends it)."""
    if progress is not None:
        progress(what, 0, 0)


def finished(progress: Progress | None) -> None:
    """Say that nothing is under way any more: what follows is the command's own output."""
    if progress is not None:
        progress("", 0, 0)
