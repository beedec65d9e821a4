"""A requirement's or case's status as a Markdown section, ready to paste into a memo.

Each claim is cited as a numbered footnote with its source's title and locator and the
quoted words. Data goes through :func:`ledger.publish.markdown_text.escape`, so nothing in a record
is read as Markdown or HTML, and no mention in it notifies anyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledger.analysis.status_report import (
    DISPUTED,
    TRACE,
    CaseStatus,
    ClaimRef,
    Contradiction,
    Evidence,
    FigureView,
    Gap,
    Group,
    Overview,
    RequirementStatus,
    Side,
    Verdict,
    no_record,
)
from ledger.publish.markdown_text import escape
from ledger.records.vocabulary import qualified


class _Notes:
    """Numbered footnotes, one per claim, in order of first citation."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.refs: dict[str, ClaimRef] = {}

    def cite(self, claim: ClaimRef) -> str:
        if claim.id not in self.numbers:
            self.numbers[claim.id] = len(self.numbers) + 1
            self.refs[claim.id] = claim
        return f"[^{self.numbers[claim.id]}]"

    def render(self) -> list[str]:
        lines = []
        for claim_id, number in self.numbers.items():
            claim = self.refs[claim_id]
            title = claim.source_title or claim.source
            by = f" ({escape(claim.attributed_to)})" if claim.attributed_to else ""
            lines.append(
                f"[^{number}]: {escape(title)}, {escape(claim.locator)}: "
                f"\u201c{escape(claim.quote)}\u201d{by} \\[{escape(claim.id)}\\]"
            )
        return lines


if TYPE_CHECKING:
    from ledger.analysis.asof import Restriction


def requirement_markdown(
    report: RequirementStatus, *, heading: int = 2, explain: bool = False
) -> str:
    """A requirement's report for a memo; with ``explain``, the rule's trace after its status."""
    req = report.requirement
    notes = _Notes()
    h = "#" * heading
    out = [
        f"{h} {escape(req.id)}: {escape(req.title)}",
        "",
        f"> {escape(req.text)}",
        "",
        f"*{escape(req.force.value)}* \u00b7 obligor: {escape(req.obligor)} \u00b7 "
        f"{escape(req.instrument)} \u00b7 FY{req.fiscal_year}",
        "",
        *_verdict(report.verdict, report.rule.name, report.rule.version, explain),
    ]
    for group in report.cases:
        title = group.title or (
            "Claims about no case" if group.id is None else f"{group.id} ({no_record('case')})"
        )
        out += _group(f"{h}# {escape(title)}", group, notes)
    out += _contradictions(report.contradictions, notes, h)
    out += _figures(report.figures, notes, h)
    out += _gaps(report.gaps, h)
    out += ["", *notes.render()]
    return "\n".join(out).rstrip() + "\n"


def case_markdown(report: CaseStatus, *, heading: int = 2, explain: bool = False) -> str:
    """A case's report for a memo; with ``explain``, the rule's trace after each status."""
    case = report.case
    notes = _Notes()
    h = "#" * heading
    details = " \u00b7 ".join(escape(v) for v in (case.kind, case.date, case.place) if v)
    out = [f"{h} {escape(case.title)}", "", details, "", escape(case.summary), ""]
    for group in report.requirements:
        title = group.title or f"({no_record('requirement')})"
        out += _group(f"{h}# {escape(group.id)}: {escape(title)}", group, notes)
        out += ["", *_verdict(group.verdict, report.rule.name, report.rule.version, explain)]
    if report.unlinked:
        out += ["", f"{h}# Claims bearing on no requirement", ""]
        out += [f"- {escape(c.statement)}{notes.cite(c)}" for c in report.unlinked]
    out += _contradictions(report.contradictions, notes, h)
    out += _figures(report.figures, notes, h)
    out += _gaps(report.gaps, h)
    out += ["", *notes.render()]
    return "\n".join(out).rstrip() + "\n"


def _verdict(verdict: Verdict, rule: str, version: str, explain: bool = False) -> list[str]:
    out = [
        f"**Status: {escape(verdict.status.value)}** (rule {escape(rule)} v{escape(version)}, "
        f"line {escape(verdict.line)}: {escape(verdict.when)})",
        "",
        f"Counted: {escape(verdict.tally.sentence())}.",
        "",
    ]
    own = [s for s in verdict.sides if s.side is Side.obligor]
    if verdict.sides:
        listed = "; ".join(f"{escape(s.source)} ({escape(s.why)})" for s in own) or "none"
        out += [f"The obligor\u2019s own sources: {listed}. Every other source is independent.", ""]
    return out + (_trace(verdict) if explain else [])


def _trace(verdict: Verdict) -> list[str]:
    """The rule's trace, as `--explain` prints it: each source's side and why, then each
    line of the rule tried, top down, with what it saw (the first that matches decides)."""
    out = [f"{TRACE}:", "", f"- Sides: {escape(verdict.sides_rule())}."]
    out += [
        f"  - {escape(s.source)} \u2192 {escape(s.side.value)}: {escape(s.why)}"
        for s in verdict.sides
    ]
    for step in verdict.steps:
        mark = "**matched**" if step.matched else "no"
        out.append(
            f"- {escape(step.line)} {mark}: {escape(step.status.value)} when "
            f"{escape(step.when)}; saw {escape(step.why)}"
        )
    if verdict.disputed:
        out.append(f"- {escape(DISPUTED.capitalize())}: {escape(', '.join(verdict.disputed))}")
    return [*out, ""]


def _group(title: str, group: Group, notes: _Notes) -> list[str]:
    out = [
        "",
        title,
        "",
        f"Status for this case: **{escape(group.verdict.status.value)}** "
        f"({escape(group.verdict.line)}; {escape(group.verdict.tally.sentence())})",
        "",
    ]
    for label, items in (
        ("Supports", group.supports),
        ("Undermines", group.undermines),
        ("Context", group.context),
    ):
        for item in items:
            out.append(
                f"- *{label}* \u2014 {escape(item.claim.statement)}"
                f"{_flags(item)}{notes.cite(item.claim)}"
            )
    return out


def _flags(item: Evidence) -> str:
    flags = []
    if item.disputed:
        flags.append("disputed")
    if not item.counted and item.stance.value != "context":
        flags.append(f"counted with {item.counted_with}" if item.counted_with else "not counted")
    if item.claim.suspect:
        flags.append(f"suspect: {item.claim.suspect}")
    return f" ({escape(', '.join(flags))})" if flags else ""


def _contradictions(pairs: tuple[Contradiction, ...], notes: _Notes, h: str) -> list[str]:
    if not pairs:
        return []
    out = ["", f"{h}# Contradictions", "", "| | |", "|---|---|"]
    for pair in pairs:
        left, right = pair.left, pair.right
        out.append(
            f"| **{escape(left.source_title or left.source)}**: "
            f"\u201c{escape(left.quote)}\u201d{notes.cite(left)} "
            f"| **{escape(right.source_title or right.source)}**: "
            f"\u201c{escape(right.quote)}\u201d{notes.cite(right)} |"
        )
    return out


def _figures(figures: tuple[FigureView, ...], notes: _Notes, h: str) -> list[str]:
    if not figures:
        return []
    out = ["", f"{h}# Key figures", ""]
    for fig in figures:
        note = f" ({escape(fig.note)})" if fig.note else ""
        out.append(
            f"- {escape(qualified(fig.value, fig.qualifier))} {escape(fig.unit)}{note} \u2014 "
            f"{escape(fig.source)}{_cite_id(fig.claim, notes)}"
        )
    return out


def _cite_id(claim_id: str, notes: _Notes) -> str:
    number = notes.numbers.get(claim_id)
    return f"[^{number}]" if number else f" \\[{escape(claim_id)}\\]"


def _gaps(gaps: tuple[Gap, ...], h: str) -> list[str]:
    if not gaps:
        return []
    return ["", f"{h}# Gaps", "", *(f"- {escape(g.message)}" for g in gaps)]


def overview_markdown(report: Overview) -> str:
    """Every requirement's status in one Markdown table."""
    if not report.rows:
        return "No requirements yet.\n"
    out = [
        f"Status by rule {escape(report.rule.name)} v{escape(report.rule.version)} "
        "(ind = independent sources, obl = the obligor's own: those that speak for it)",
        "",
        "| Requirement | Status | Line | Support ind/obl | Undermine ind/obl | Context | Cases "
        "| Contradictions |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in report.rows:
        out.append(
            f"| {escape(row.id)}: {escape(row.title)} | **{escape(row.status.value)}** "
            f"| {escape(row.line)} | {row.independent_supports}/{row.obligor_supports} "
            f"| {row.independent_undermines}/{row.obligor_undermines} | {row.context} "
            f"| {row.cases} | {row.contradictions} |"
        )
    return "\n".join(out) + "\n"


def restriction_markdown(restriction: Restriction) -> str:
    """What an as-of date left out, as a paragraph and a list before the report."""
    lines = restriction.lines()
    out = [f"*{escape(lines[0])}*", ""]
    out += [f"- {escape(line.strip())}" for line in lines[1:]]
    return "\n".join(out).rstrip() + "\n\n"
