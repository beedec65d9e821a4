"""A ledger held to another's policy: in CI, a pull request's to its base branch's.

A pull request's own ledger.toml could loosen the check it is held to, or point it at other
files. So the stricter of the two [review] settings holds, and a ledger.toml that names
another data folder than the base's is an error (`data-folder-moved`, at its `data` key).
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.records.config import CONFIG_FILE, ReviewSettings, data_moved, strictest
from ledger.records.diagnostics import Diagnostic
from ledger.records.root import Layout


@dataclass(frozen=True)
class Held:
    """The settings a ledger is checked by, and what its ledger.toml does wrong by the base."""

    review: ReviewSettings
    problems: tuple[Diagnostic, ...]


def held_to(own: Layout, base: Layout) -> Held:
    """``own`` (the working tree) held to ``base``'s policy (a folder or a revision)."""
    try:
        text = (own.root / CONFIG_FILE).read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        text = ""
    moved = data_moved(text, own.relative(own.data), base.relative(base.data))
    return Held(strictest(own.review, base.review), (moved,) if moved else ())
