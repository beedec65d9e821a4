"""`ledger status` as one library call: the report on a requirement, a case or the whole
ledger, or why there is none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.analysis.status_report import CaseStatus, Overview, RequirementStatus
from ledger.progress import Progress, announce, finished
from ledger.records.kinds import SINGULAR, STATUS_KINDS
from ledger.records.root import Layout
from ledger.records.scan import Scan

if TYPE_CHECKING:
    from ledger.analysis.asof import Restriction
    from ledger.analysis.xref import Resolution
    from ledger.records.pipeline import LoadResult
    from ledger.store.report_basis import Basis

Report = RequirementStatus | CaseStatus | Overview


@dataclass(frozen=True)
class StatusAnswer:
    """A report, and how many record files it leaves out (they failed to load): the command
    says so, as every command answering from the ledger does."""

    report: Report
    left_out: int = 0
    left_out_paths: tuple[str, ...] = ()
    """The files ``left_out`` counts, when known (LoadResult.left_out_paths)."""
    restriction: Restriction | None = None
    """With an as-of date: what the restriction left out, for the report to say."""
    basis: Basis | None = None
    """What the report read, when it was built from a view of the remembered ledger: its
    output serves again while no edit reaches that (store/report_basis.py)."""


@dataclass(frozen=True)
class StatusFailure:
    """Why no report could be given: the ledger cannot be read, or the id names nothing."""

    message: str
    resolution: Resolution | None = None
    """What the typed id resolved to, when it named nothing."""


def status_report(
    layout: Layout,
    typed: str | None,
    *,
    progress: Progress | None = None,
    scan: Scan | None = None,
    as_of: str | None = None,
    cases_shown: int | None = None,
) -> StatusAnswer | StatusFailure:
    """The report on ``typed`` (a requirement or case id, or a unique prefix of one), or on
    every requirement when it is None. ``scan`` spares a second walk of the data folder
    when the caller has made one; ``as_of`` (a checked date) restricts the ledger to it
    (:func:`ledger.analysis.asof.restrict`); ``cases_shown`` builds only so many of a
    requirement's cases (:func:`ledger.analysis.status.requirement_status`)."""
    from ledger.gcpause import paused_gc

    typed_now = typed if as_of is None else None  # a restriction is never viewed
    result, scan, basis = _loaded(layout, typed_now, progress, scan, cases_shown)
    if result.fatal:
        return StatusFailure(result.fatal)
    announce(progress, "working out the status")
    ledger, restriction = result.ledger, None
    with paused_gc():
        if as_of is not None:
            from ledger.analysis.asof import restrict

            ledger, restriction = restrict(ledger, as_of)
        report = _work_out(ledger, typed, cases_shown)
        if basis is None and as_of is None and typed is not None and scan is not None:
            basis = _whole_basis(layout, scan, result, typed, report)
    finished(progress)
    if isinstance(report, StatusFailure):
        return report
    return StatusAnswer(report, result.left_out, result.left_out_paths, restriction, basis)


def _loaded(
    layout: Layout,
    typed: str | None,
    progress: Progress | None,
    scan: Scan | None,
    cases_shown: int | None,
) -> tuple[LoadResult, Scan | None, Basis | None]:
    """The ledger, or, for a requirement's report, as much of it as that report reads
    (:mod:`ledger.store.report_view`) and what that is; with the walk made."""
    from ledger.records.load import load
    from ledger.records.pipeline import LoadResult, begin
    from ledger.store.report_view import report_view

    if typed is not None and layout.tree is None:  # a revision is never viewed: not walked twice
        started = begin(layout, scan)
        if isinstance(started, LoadResult):
            return started, None, None
        result, scan = started
        announce(progress, "loading the records the report reads")
        view = report_view(layout, scan, result, typed, cases_shown)
        if view is not None:
            return result, scan, view.basis
    return load(layout, check=False, progress=progress, scan=scan), scan, None


def _whole_basis(
    layout: Layout, scan: Scan, result: LoadResult, typed: str, report: Report | StatusFailure
) -> Basis | None:
    """What a report worked out from the whole ledger read (store/report_basis.py)."""
    from ledger.store.report_basis import of_whole

    if isinstance(report, RequirementStatus):
        subject = report.requirement.id
    elif isinstance(report, CaseStatus):
        subject = report.case.id
    else:
        return None
    return of_whole(layout, scan, result, typed, subject)


def _work_out(ledger: Any, typed: str | None, cases_shown: int | None) -> Report | StatusFailure:
    from ledger.analysis import status as rule
    from ledger.analysis.xref import resolve

    if typed is None:
        return rule.overview(ledger)
    found = resolve(ledger, typed, STATUS_KINDS)
    if found.id is None:
        other = ledger.kind_of(typed)  # a source or claim: it has no status, show has it
        if other is not None:
            what = SINGULAR[other]
            return StatusFailure(
                f"{typed!r} is {'an' if what[0] in 'aeiou' else 'a'} {what}, which has no "
                "status of its own (requirements and "
                f"cases have one); `ledger show {typed}` shows it with its links"
            )
        return StatusFailure(found.message, found)
    if found.id in ledger.requirements:
        return rule.requirement_status(ledger, found.id, cases_shown=cases_shown)
    return rule.case_status(ledger, found.id)
