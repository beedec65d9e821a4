"""`ledger validate` as a library call: every problem in the ledger, remembered while the
ledger is unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledger.progress import Progress
from ledger.records.diagnostics import Diagnostic, ordered
from ledger.records.root import Layout
from ledger.records.scan import Scan, scan_data, unreadable_data
from ledger.store.answers import Answers
from ledger.store.cache import untrusted_cache

if TYPE_CHECKING:
    from ledger.records.pipeline import LoadResult


@dataclass
class Validation:
    """What `ledger validate` reports: every diagnostic, and how many record files."""

    diagnostics: list[Diagnostic]
    files: int
    fatal: str | None = None
    cached: bool = False


def validate(
    layout: Layout,
    *,
    progress: Progress | None = None,
) -> Validation:
    """Every problem in the ledger. When no file under data/ changed since the last run
    (by the cache's identity test), the last run's answer is given without reading a file.
    A cache refused as untrusted is reported as a warning: the run went on without it."""
    fatal = unreadable_data(layout)
    if fatal is not None:
        return Validation([], 0, fatal)
    scan = scan_data(layout)
    answers = Answers(layout, scan)
    stored = answers.recall("validate")
    if isinstance(stored, dict) and isinstance(stored.get("diagnostics"), list):
        try:
            found = [Diagnostic.from_dict(d) for d in stored["diagnostics"]]
            return Validation(found, int(stored.get("files", 0)), cached=True)
        except (KeyError, TypeError, ValueError):
            pass  # a malformed answer: work it out again
    result = _load(layout, scan, progress)
    if result.fatal:
        return Validation([], 0, result.fatal)
    from ledger.records.load import PASSING

    if not any(d.code in PASSING for d in result.diagnostics):
        value = {"files": result.files, "diagnostics": [d.to_dict() for d in result.diagnostics]}
        answers.remember("validate", value)
    untrusted = untrusted_cache(layout)
    if untrusted is not None:  # never remembered: a cache refused stores nothing
        return Validation(ordered([*result.diagnostics, untrusted]), result.files)
    return Validation(result.diagnostics, result.files)


def _load(layout: Layout, scan: Scan, progress: Progress | None) -> LoadResult:
    """The ledger loaded with its checks, for their findings alone: after edits to claims
    alone, only the records they reach are built (store/claim_edits.py)."""
    from ledger.records.load import load
    from ledger.records.pipeline import LoadResult, begin
    from ledger.store import claim_edits

    started = begin(layout, scan)
    if not isinstance(started, LoadResult) and claim_edits.checked(layout, scan, started[0]):
        return started[0]
    return load(layout, progress=progress, scan=scan, positions=False)
