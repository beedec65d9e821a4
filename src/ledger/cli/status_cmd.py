"""`ledger status [ID]`: the derived status of a requirement or case, with its evidence."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.replay import answer_read, replayable_after_edits
from ledger.cli.shared import (
    AsOfOption,
    ReportFormat,
    RevOption,
    RootOption,
    app,
    as_of_json,
    as_of_or_exit,
    checkout_of,
    complete_ids,
    fail,
    fail_unresolved,
    layout_at,
    progress_reporter,
    show_restriction,
    warn_left_out,
    write_json,
)
from ledger.records.kinds import STATUS_KINDS

if TYPE_CHECKING:
    from rich.console import Console

    from ledger.analysis.status_report import (
        CaseStatus,
        ClaimRef,
        Contradiction,
        Evidence,
        FigureView,
        Gap,
        Group,
        Overview,
        RequirementStatus,
        Verdict,
    )


GAPS_LISTED = 8
"""Gaps of one kind listed before they are only counted (``--all`` lists them)."""

PER_SIDE = 25
"""Claims listed per side of a case before the rest are counted (``--all`` lists them)."""


NO_REQUIREMENTS = "No requirements yet: add one with `ledger new requirement`."


@app.command()
@replayable_after_edits
def status(
    ctx: typer.Context,
    record_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="A requirement or case id (a unique prefix will do). Without it: every "
            "requirement in one table.",
            autocompletion=complete_ids(*STATUS_KINDS),
            show_default=False,
        ),
    ] = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Print the full trace of the status rule (in Markdown too; JSON always holds "
            "it: verdict.steps and verdict.sides).",
        ),
    ] = False,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all",
            help=f"List every claim and every case; by default a case shows at most {PER_SIDE} "
            "per side, a requirement its first 40 cases, and each says how many more there "
            "are.",
        ),
    ] = False,
    output: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="human, json or markdown.")
    ] = ReportFormat.human,
    root: RootOption = None,
    rev: RevOption = None,
    as_of: AsOfOption = None,
) -> None:
    """The status of a requirement or case: the rule line that decided it, the claims on each
    side with source, place and quoted words, contradictions side by side, key figures, gaps."""
    from ledger.analysis.status_lookup import StatusFailure, status_report
    from ledger.analysis.status_report import CASES_SHOWN, CaseStatus, RequirementStatus
    from ledger.cli.replay import walk_made
    from ledger.gcpause import kept_to_the_end

    if record_id is None and (explain or show_all):
        fail(
            "--explain and --all are about one requirement or case: give its id (as in "
            "`ledger status requirement-3 --explain`); the overview has no trace to show"
        )
    date = as_of_or_exit(as_of)
    layout = layout_at(ctx, rev, root)
    with kept_to_the_end():  # the ledger and its report live until the command exits
        answer = status_report(
            layout,
            record_id,
            progress=progress_reporter(),
            scan=walk_made(layout),
            as_of=date,
            cases_shown=CASES_SHOWN if output is ReportFormat.human and not show_all else None,
        )
    if isinstance(answer, StatusFailure):
        fail_unresolved(layout, answer.resolution) if answer.resolution else fail(answer.message)
    answer_read(answer.basis)
    warn_left_out(answer.left_out, paths=answer.left_out_paths, checkout=checkout_of(layout))
    report = answer.report
    if output is ReportFormat.json:
        write_json("status", {**report.to_dict(), **as_of_json(answer.restriction)})
        return
    if output is ReportFormat.markdown:
        from ledger.publish.status_markdown import (
            case_markdown,
            overview_markdown,
            requirement_markdown,
        )

        if answer.restriction is not None:
            from ledger.publish.status_markdown import restriction_markdown

            sys.stdout.write(restriction_markdown(answer.restriction))

        if isinstance(report, RequirementStatus):
            sys.stdout.write(requirement_markdown(report, explain=explain))
        elif isinstance(report, CaseStatus):
            sys.stdout.write(case_markdown(report, explain=explain))
        else:
            sys.stdout.write(overview_markdown(report))
        return
    from ledger.cli.render import console

    show_restriction(answer.restriction)
    out = console()
    if isinstance(report, RequirementStatus):
        show_requirement(out, report, explain, None if show_all else PER_SIDE)
    elif isinstance(report, CaseStatus):
        show_case(out, report, explain, None if show_all else PER_SIDE)
    else:
        show_overview(out, report)


# -- human rendering ----------------------------------------------------------------------


def show_overview(out: Console, report: Overview) -> None:
    from ledger.cli.render import lines, status_text, table, text

    if not report.rows:  # a ledger just made by `ledger init`
        out.print(text(NO_REQUIREMENTS))
        return

    grid = table(
        "requirement",
        "status",
        "line",
        "for",
        "against",
        "context",
        "cases",
        "conflicts",
        title=f"Status by {report.rule.name} v{report.rule.version}",
    )
    grid.columns[0].min_width = 24
    for row in report.rows:
        grid.add_row(
            lines(text(row.id, "bold"), text(row.title)),
            status_text(row.status.value),
            text(row.line),
            text(f"{row.independent_supports} / {row.obligor_supports}"),
            text(f"{row.independent_undermines} / {row.obligor_undermines}"),
            text(row.context),
            text(row.cases),
            text(row.contradictions),
        )
    out.print(grid)
    from ledger.cli.bars import evidence_bars

    out.print()
    out.print(evidence_bars(report.rows, max_cells=max(6, min(24, (out.width - 48) // 2))))
    out.print(
        text(
            "for / against: claims by independent sources / by the obligor's own sources (those "
            "that speak for the obligor). `ledger status ID --explain` says which they are.",
            "dim",
        )
    )


def show_requirement(
    out: Console, report: RequirementStatus, explain: bool, limit: int | None = None
) -> None:
    """Every case group the report holds: the report is cut to the cases a view shows when
    it is made (``cases_shown``), and says how many it left out. ``limit``: claims listed
    per side of a case."""
    from ledger.analysis.status_report import no_record
    from ledger.cli.render import indented, line, text

    req = report.requirement
    out.print(line((req.id, "bold"), "  ", (req.title, "bold")))
    out.print(
        text(
            f"{req.force.value} \u00b7 obligor: {req.obligor} \u00b7 {req.instrument} "
            f"\u00b7 FY{req.fiscal_year}",
            "dim",
        )
    )
    out.print(indented(line("\u201c", (req.text, "italic"), "\u201d"), 2))
    out.print(text(f"  wording: {req.source}, {req.locator}", "dim"))
    out.print()
    _verdict(out, report.verdict, f"{report.rule.name} v{report.rule.version}", explain)
    _case_table(out, report.cases)  # the first CASES_SHOWN unless --all: the library cut them
    out.print(
        text(
            f"{len(report.contradictions)} contradiction(s), {len(report.figures)} "
            f"figure(s), {len(report.gaps)} gap(s); the evidence follows.",
            "dim",
        )
    )
    for group in report.cases:
        heading = f"{group.id}  {group.title or no_record('case')}" if group.id else "No case"
        _group(out, group, heading, explain, limit)
    if report.cases_left_out:
        out.print(
            text(
                f"... {report.cases_left_out:,} more cases bear on it: `ledger status CASE` "
                "shows one, --all lists them all, --format json gives everything.",
                "yellow",
            )
        )
    _contradictions(out, report.contradictions[:limit], len(report.contradictions))
    _figures(out, report.figures[:limit], len(report.figures))
    _gaps(out, report.gaps, limit)


def show_case(out: Console, report: CaseStatus, explain: bool, limit: int | None = None) -> None:
    from ledger.analysis.status_report import no_record
    from ledger.cli.render import line, text

    case = report.case
    out.print(line((case.id, "bold"), "  ", (case.title, "bold")))
    facts = [case.kind, case.date, case.place]
    out.print(text(" \u00b7 ".join(f for f in facts if f), "dim"))
    if case.aliases:
        out.print(text(f"also known as: {'; '.join(case.aliases)}", "dim"))
    out.print(text(case.summary))
    for group in report.requirements:
        out.print()
        _group(out, group, f"{group.id}  {group.title or no_record('requirement')}", explain, limit)
        if explain:
            _trace(out, group.verdict)
    if report.unlinked:
        out.print()
        out.print(text("Claims bearing on no requirement", "bold underline"))
        for claim in report.unlinked:
            _claim(out, claim, "")
    _contradictions(out, report.contradictions[:limit], len(report.contradictions))
    _figures(out, report.figures[:limit], len(report.figures))
    _gaps(out, report.gaps, limit)


def _case_table(out: Console, groups: tuple[Group, ...]) -> None:
    """One row per case: the answer in one screen, before the evidence."""
    from ledger.cli.render import status_text, table, text

    grid = table("case", "status", "support ind/obl", "undermine ind/obl", "context")
    for group in groups:
        t = group.verdict.tally
        status = status_text(group.verdict.status.value)
        status.append_text(text(f" {group.verdict.line}", "dim"))
        label = group.id or "(no case)"
        if group.id is not None and group.title is None:
            label += " (no such case)"
        grid.add_row(
            text(label),
            status,
            text(f"{t.independent_supports} / {t.obligor_supports}"),
            text(f"{t.independent_undermines} / {t.obligor_undermines}"),
            text(t.context),
        )
    out.print(grid)


def _verdict(out: Console, verdict: Verdict, rule: str, explain: bool) -> None:
    from ledger.cli.render import line, status_text, text

    status_line = line(("Status: ", "bold"))
    status_line.append_text(status_text(verdict.status.value))
    status_line.append_text(text(f"   rule {rule}, line {verdict.line}: {verdict.when}"))
    out.print(status_line)
    out.print(text(f"  {verdict.tally.sentence()}", "dim"))
    for note in verdict.notes:
        out.print(text(f"  note: {note}", "dim"))
    if explain:
        _trace(out, verdict)


def _trace(out: Console, verdict: Verdict) -> None:
    from ledger.analysis.status_report import DISPUTED, TRACE
    from ledger.cli.render import text

    out.print(text(f"  {TRACE}:", "bold"))
    out.print(text(f"    sides: {verdict.sides_rule()}"))
    for decided in verdict.sides:
        out.print(text(f"      {decided.source} \u2192 {decided.side.value}: {decided.why}", "dim"))
    for step in verdict.steps:
        mark = "\u2192 matched" if step.matched else "  no"
        out.print(text(f"    {step.line} {mark:10} {step.status.value:19} when {step.when}"))
        out.print(text(f"                  saw: {step.why}", "dim"))
    if verdict.disputed:
        out.print(text(f"  {DISPUTED}: {', '.join(verdict.disputed)}", "dim"))


def _group(
    out: Console, group: Group, heading: str, explain: bool, limit: int | None = None
) -> None:
    """One case's (or requirement's) claims by side; context claims in brief unless explaining."""
    from ledger.cli.render import STANCE_STYLES, line, status_text, text

    out.print()
    title = line((heading, "bold underline"), "  ")
    title.append_text(status_text(group.verdict.status.value))
    title.append_text(text(f" ({group.verdict.line})", "dim"))
    out.print(title)
    for stance, items in (("supports", group.supports), ("undermines", group.undermines)):
        if items:
            out.print(text(f"  {stance}", STANCE_STYLES[stance]))
            for item in items[:limit]:
                _claim(out, item.claim, _flags(item))
            _more(out, len(items), limit)
    if group.context and explain:
        out.print(text("  context (shown, not counted)", STANCE_STYLES["context"]))
        for item in group.context[:limit]:
            _claim(out, item.claim, "")
        _more(out, len(group.context), limit)
    elif group.context:
        ids = ", ".join(item.claim.id for item in group.context[:limit])
        rest = len(group.context) - len(group.context[:limit])
        ids += f" and {rest:,} more" if rest else ""
        out.print(text(f"  context (not counted; --explain shows them): {ids}", "dim"))


def _more(out: Console, shown_of: int, limit: int | None) -> None:
    """Say how many claims were not listed: nothing is left out silently."""
    from ledger.cli.render import text

    if limit is not None and shown_of > limit:
        out.print(text(f"    ... {shown_of - limit:,} more (--all lists them)", "yellow"))


def _flags(item: Evidence) -> str:
    flags = []
    if item.disputed:
        flags.append("disputed")
    if item.counted_with:
        flags.append(f"counted once with {item.counted_with}")
    if item.claim.suspect:
        flags.append("suspect")
    return f"  [{'; '.join(flags)}]" if flags else ""


def _claim(out: Console, claim: ClaimRef, flags: str) -> None:
    from ledger.cli.render import indented, line, text

    side = "obl" if claim.side and claim.side.value == "obligor" else "ind"
    head = line(
        (claim.id, "cyan"), f"  ({side}) {claim.source}, {claim.locator}", (flags, "yellow")
    )
    out.print(indented(head, 4))
    by = f" \u2014 according to {claim.attributed_to}" if claim.attributed_to else ""
    out.print(indented(line("\u201c", (claim.quote, "italic"), f"\u201d{by}"), 6))
    if claim.suspect:
        out.print(indented(text(f"suspect: {claim.suspect}", "yellow"), 6))


def _contradictions(out: Console, pairs: tuple[Contradiction, ...], total: int = 0) -> None:
    from ledger.cli.render import table, text

    if not pairs:
        return
    out.print()
    grid = table("", "", title="Contradictions")
    for pair in pairs:
        grid.add_row(_pair_cell(pair.left), _pair_cell(pair.right))
        for note in pair.notes:
            grid.add_row(text(note, "dim"), text(""))
    out.print(grid)
    _more(out, total, len(pairs))


def _pair_cell(claim: ClaimRef) -> object:
    from ledger.cli.render import line, lines

    return lines(
        line((claim.id, "cyan"), f" ({claim.perspective or '?'})"),
        line("\u201c", (claim.quote, "italic"), "\u201d"),
    )


def _figures(out: Console, figures: tuple[FigureView, ...], total: int = 0) -> None:
    from ledger.cli.render import table, text
    from ledger.records.vocabulary import qualified

    if not figures:
        return
    out.print()
    grid = table("value", "unit", "source", "claim", title="Key figures")
    for fig in figures:
        unit = fig.unit + (f" ({fig.note})" if fig.note else "")
        grid.add_row(
            text(qualified(fig.value, fig.qualifier)), text(unit), text(fig.source), text(fig.claim)
        )
    out.print(grid)
    _more(out, total, len(figures))


def _gaps(out: Console, gaps: tuple[Gap, ...], limit: int | None) -> None:
    """Gaps by kind; a kind with many entries is counted, with the command that lists them."""
    from ledger.cli.render import text

    if not gaps:
        return
    out.print()
    out.print(text("Gaps", "bold underline"))
    by_kind: dict[str, list[Gap]] = {}
    for gap in gaps:
        by_kind.setdefault(gap.kind.value, []).append(gap)
    for kind, items in by_kind.items():
        if limit is not None and len(items) > GAPS_LISTED:
            out.print(
                text(
                    f"  - {len(items):,} gaps of kind {kind}: `ledger gaps --kind {kind}` "
                    "lists them (--all here)"
                )
            )
            continue
        for gap in items:
            out.print(text(f"  - {gap.message}"))
