"""`ledger status` as one library call: the report on a requirement, a case or the whole
ledger, remembered while the ledger is unchanged.

Asked again of an unchanged ledger (every file's identity as it was, the same code), the
report is read back from the cache without loading a record; otherwise the ledger is loaded,
the rule applied (status.py), and the report remembered for next time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ledger.answers import Answers
from ledger.diagnostics import Diagnostic
from ledger.root import Layout
from ledger.scan import scan_data, unreadable_data
from ledger.status_report import CaseStatus, Overview, RequirementStatus, from_plain

STATUS_CODE = ("load", "scan", "ledger", "status", "status_report", "status_lookup", "xref")
"""Modules beyond the record readers whose change changes a report."""

FAMILY = "status:"

Report = RequirementStatus | CaseStatus | Overview

_KINDS: dict[str, type[Report]] = {
    "requirement": RequirementStatus,
    "case": CaseStatus,
    "overview": Overview,
}


@dataclass(frozen=True)
class StatusFailure:
    """Why no report could be given: the ledger cannot be read, or the id names nothing."""

    message: str


def status_report(
    layout: Layout,
    typed: str | None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Report | StatusFailure:
    """The report on ``typed`` (a requirement or case id, or a unique prefix of one), or on
    every requirement when it is None."""
    fatal = unreadable_data(layout)
    if fatal is not None:
        return StatusFailure(fatal)
    early: list[Diagnostic] = []
    scan = scan_data(layout, early)
    answers = Answers(layout, scan, STATUS_CODE)
    name = FAMILY if typed is None else f"{FAMILY}={typed}"
    remembered = _read_back(answers.recall(name))
    if remembered is not None:
        return remembered
    from ledger.load import load

    scan.diagnostics = early
    result = load(layout, check=False, progress=progress, scan=scan)
    if result.fatal:
        return StatusFailure(result.fatal)
    report = _work_out(result.ledger, typed)
    if not isinstance(report, StatusFailure):
        kind = next(k for k, t in _KINDS.items() if isinstance(report, t))
        answers.remember(name, {"kind": kind, "report": report.to_dict()}, family=FAMILY)
    return report


def _work_out(ledger: Any, typed: str | None) -> Report | StatusFailure:
    from ledger import status as rule
    from ledger.xref import resolve

    if typed is None:
        return rule.overview(ledger)
    found = resolve(ledger, typed, ("requirements", "cases"))
    if found.id is None:
        return StatusFailure(found.message)
    if found.id in ledger.requirements:
        return rule.requirement_status(ledger, found.id)
    return rule.case_status(ledger, found.id)


def _read_back(stored: Any) -> Report | None:
    """The report in a remembered answer; None when there is none or it does not read back
    as a report of this version (then it is worked out again)."""
    if not isinstance(stored, dict) or stored.get("kind") not in _KINDS:
        return None
    try:
        return from_plain(_KINDS[stored["kind"]], stored["report"])
    except (KeyError, TypeError, ValueError):
        return None
