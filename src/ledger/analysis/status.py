"""The status of a requirement (and of a case): rule ``ledger-status``, version 2, with a trace.

The rule follows design.md §3. Its lines are evaluated top-down on a tally of the claims bearing
on a requirement; the first that matches gives the status, and the trace records every line
tested, whether it matched and why, so the status can be explained in one screen and reproduced
from the files.

====  ====================================================================  ====================
line  when                                                                  status
====  ====================================================================  ====================
S1    no claim supports or undermines it (context claims are shown, not     no-evidence
      counted)
S2    independent claims undermine it, none support it (the obligor's own   not-met
      supporting claims are listed as disputed)
S3    independent claims support it, and claims undermine it (independent,  contested
      or the obligor's own admission)
S4    independent claims support it, no claim undermines it                 met
S5    only the obligor's own sources support it, nothing undermines it      claimed-by-obligor
S6    only the obligor's own sources undermine it (an admission)            not-met
====  ====================================================================  ====================

Where design.md is silent or ambiguous, this module decides (and the tests pin it down):

* **The obligor's own sources** (version 2) are those whose ``speaks_for`` equals the
  requirement's ``obligor``, matched exactly: case, spacing and punctuation count, and nothing
  is folded, so what decides a side is what the files say (``validate`` warns when the two
  differ only in case, accents, spacing or punctuation, and when a government source names no
  party it speaks for).
  Every other source is independent, a government source included: a government reporting on
  another government's conduct is not the obligor. Version 1 took every ``government``
  perspective for the obligor's. A claim's *side* is ``obligor`` or ``independent``, and is
  decided per requirement (:func:`obligors`), so one claim may be the obligor's on one
  requirement and independent on another whose obligor differs; where no single requirement
  applies (contradictions, a case's figures and unlinked claims, gaps across the ledger) a
  source is the obligor's when it speaks for any requirement's obligor. Each verdict lists the
  side of every source whose claims it lists, and why (``sides``).
* **S1 counts only supports and undermines.** A requirement with nothing but ``context`` claims
  has no evidence; its context claims are still listed.
* **S3 and S4 look at the obligor's admissions too.** Independent support next to the obligor's
  own admission of failure is a contradiction; it is never rounded off to ``met`` (S3), and S4
  needs that *no* claim undermines. S5 likewise needs that nothing undermines, so an obligor
  that both claims and admits falls to S6: its admission wins. With these readings every tally
  matches exactly one line.
* **Repeats.** Claims bearing on the requirement with the *same* stance and joined by ``repeats``
  links (in either direction, through chains) form one group that counts once. The group counts
  on the side of its *origins* — the members that repeat no other member (all members, for a
  cycle): independent if any origin is independent, else the obligor's. So an independent source
  that repeats the obligor's words adds no independent evidence, and a claim repeated by
  three reports is one claim. Only claims bearing on the requirement are grouped: a repeat of a
  claim that does not bear on it counts alone, on its own side. A repeat whose target bears on
  the requirement with a *different* stance is not merged: both count, and the verdict notes
  the mismatch (it is most likely a coding error, and merging would silently drop one side).
* **Missing sources.** A claim whose source is not in the ledger is skipped (the loader reports
  it); the verdict's ``notes`` say so.
* **Disputed.** When the status is ``not-met``, the obligor's own supporting claims are marked
  ``disputed``.
* **Cases of a requirement** are those named by its claims' ``cases``, by its own ``cases`` and by
  cases whose ``requirements`` name it. A claim about two cases is listed under both; claims
  about no case are grouped under ``id: null`` (listed last). Each group gets its own verdict by
  the same rule.
* **Contradictions** shown for a requirement are the ``contradicts`` pairs in which at least one
  claim bears on it, deduplicated over both directions; the obligor's claim is on the ``left``
  when exactly one side is an obligor's own, else the lower id is.
* **Gaps** of a requirement: a linked case with no claim bearing on it; a case heard from one
  side only (counting every claim bearing on the requirement, context included); a claim bearing
  on it without ``as_of``.

JSON shape (``to_dict()``; keys always present, ``null`` where there is no value, lists sorted by
id unless said otherwise)::

    RequirementStatus = {
      "rule": {"name": "ledger-status", "version": "2"},
      "requirement": {"id", "title", "text", "force", "obligor", "instrument", "fiscal_year",
                      "source", "locator", "cases": [id]},
      "verdict": Verdict,
      "cases": [Group],             # by case id, the no-case group (id null) last
      "contradictions": [Contradiction],
      "figures": [FigureView],      # by unit, source, as_of, claim
      "gaps": [Gap]}                # by kind (in GapKind order), subject
    CaseStatus = {
      "rule": {...}, "case": {"id", "title", "kind", "aliases", "date", "place", "summary",
                              "requirements": [id]},
      "requirements": [Group],      # one per requirement this case's claims bear on or it names
      "unlinked": [ClaimRef],       # this case's claims that bear on no requirement
      "contradictions": [...], "figures": [...], "gaps": [...]}
    Overview = {"rule": {...}, "rows": [{"id", "title", "force", "status", "line",
                "independent_supports", "independent_undermines", "obligor_supports",
                "obligor_undermines", "context", "cases", "contradictions"}]}
    Verdict = {"status", "line", "when",
               "tally": {"independent_supports", "independent_undermines", "obligor_supports",
                         "obligor_undermines", "context", "merged_repeats"},
               "steps": [{"line", "when", "status", "matched", "why"}],   # in rule order
               "disputed": [claim id], "notes": [str],
               "obligor",                    # the requirement's; null when it is unknown
               "sides": [{"source", "perspective", "speaks_for", "side", "why"}]}  # by source
    Group = {"id", "title", "verdict": Verdict,
             "supports": [Evidence], "undermines": [Evidence], "context": [Evidence]}
    Evidence = {"claim": ClaimRef, "stance", "counted", "counted_with", "disputed", "note"}
    ClaimRef = {"id", "source", "source_title", "perspective", "side", "kind", "locator",
                "quote", "statement", "as_of", "attributed_to", "cases": [id]}
    Contradiction = {"left": ClaimRef, "right": ClaimRef, "declared_by": [claim id],
                     "notes": [str], "cases": [id], "requirements": [id]}
    FigureView = {"claim", "source", "perspective", "side", "value", "unit", "qualifier",
                  "note", "as_of", "locator", "cases": [id]}
    Gap = {"kind", "subject", "message", "related": [id]}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ledger.analysis.grounds import why_suspect
from ledger.analysis.status_report import (
    CaseInfo,
    CaseStatus,
    ClaimRef,
    Contradiction,
    Evidence,
    FigureView,
    Gap,
    Group,
    Overview,
    OverviewRow,
    Plain,
    RequirementInfo,
    RequirementStatus,
    RuleInfo,
    Side,
    SourceSide,
    Status,
    Tally,
    TraceStep,
    Verdict,
    describe_side,
)
from ledger.records.ledger import Countable, Counted, Ledger
from ledger.records.model import (
    Case,
    Claim,
    Perspective,
    RelationKind,
    Requirement,
    Source,
    Stance,
)
from ledger.records.vocabulary import GapKind

# --------------------------------------------------------------------------- sides


def obligors(ledger: Ledger, requirement: Requirement | None = None) -> frozenset[str]:
    """Whose word is the obligor's: the requirement's ``obligor``. Outside any one requirement
    (contradictions, figures, gaps, the sources table) every requirement's, so that a source
    speaking for any party the ledger judges counts as that party's own."""
    if requirement is not None:
        return frozenset((requirement.obligor,))
    return frozenset(r.obligor for r in ledger.requirements.values())


def is_obligor_source(source: Source, obligor_names: frozenset[str]) -> bool:
    """Whether ``source`` is the obligor's own: its ``speaks_for`` is one of ``obligor_names``,
    exactly (case, spacing and punctuation count; ``validate`` warns about a near miss).

    The perspective does not decide: a government speaking about another government's conduct
    is independent of it.
    """
    return source.speaks_for is not None and source.speaks_for in obligor_names


def side_of(source: Source, obligor_names: frozenset[str]) -> Side:
    """The side a source is on, as the rule counts it."""
    return Side.obligor if is_obligor_source(source, obligor_names) else Side.independent


def side_decision(source: Source, obligor_names: frozenset[str]) -> SourceSide:
    """A source's side with the reason in words, for the trace."""
    side = side_of(source, obligor_names)
    the = "the obligor" if len(obligor_names) == 1 else "an obligor"
    if side is Side.obligor:
        why = f"speaks for {source.speaks_for}, {the}"
    else:
        wanted = " or ".join(sorted(obligor_names)) or "none: the ledger has no requirement"
        said = f"speaks for {source.speaks_for}" if source.speaks_for else "no speaks_for"
        if source.speaks_for is None and source.perspective is Perspective.government:
            said += " (a government source)"
        why = f"{said}, not {the} ({wanted})"
    return SourceSide(source.id, source.perspective, source.speaks_for, side, why)


# --------------------------------------------------------------------------- the rule


@dataclass(frozen=True)
class RuleLine(Plain):
    """One line of the rule: a name, its condition in words, the status, and the test."""

    line: str
    when: str
    status: Status
    test: Callable[[Tally], bool] = field(metadata={"plain": False}, repr=False, compare=False)
    why: Callable[[Tally], str] = field(metadata={"plain": False}, repr=False, compare=False)


def _indep(t: Tally) -> str:
    return f"independent: {t.independent_supports} support, {t.independent_undermines} undermine"


def _oblig(t: Tally) -> str:
    return f"obligor: {t.obligor_supports} support, {t.obligor_undermines} undermine"


def _both(t: Tally) -> str:
    return f"{_indep(t)}; {_oblig(t)}"


RULE_LINES: tuple[RuleLine, ...] = (
    RuleLine(
        "S1",
        "no claim supports or undermines it (context claims are shown, not counted)",
        Status.no_evidence,
        lambda t: t.counted == 0,
        lambda t: f"{t.counted} counted claim(s), {t.context} context claim(s)",
    ),
    RuleLine(
        "S2",
        "independent claims undermine it, none support it "
        "(the obligor's own supporting claims are listed as disputed)",
        Status.not_met,
        lambda t: t.independent_undermines > 0 and t.independent_supports == 0,
        _indep,
    ),
    RuleLine(
        "S3",
        "independent claims support it, and claims undermine it "
        "(independent, or the obligor's own admission)",
        Status.contested,
        lambda t: (
            t.independent_supports > 0
            and (t.independent_undermines > 0 or t.obligor_undermines > 0)
        ),
        _both,
    ),
    RuleLine(
        "S4",
        "independent claims support it, no claim undermines it",
        Status.met,
        lambda t: (
            t.independent_supports > 0
            and t.independent_undermines == 0
            and t.obligor_undermines == 0
        ),
        _both,
    ),
    RuleLine(
        "S5",
        "only the obligor's own sources support it, nothing undermines it "
        "(never met on the obligor's word)",
        Status.claimed_by_obligor,
        lambda t: t.obligor_supports > 0 and t.independent == 0 and t.obligor_undermines == 0,
        _both,
    ),
    RuleLine(
        "S6",
        "only the obligor's own sources undermine it (an admission)",
        Status.not_met,
        lambda t: t.obligor_undermines > 0 and t.independent == 0,
        _both,
    ),
)


def evaluate(tally: Tally) -> tuple[RuleLine, tuple[TraceStep, ...]]:
    """Apply the rule to a tally: the line that fired and the steps tested up to it."""
    steps: list[TraceStep] = []
    for rule_line in RULE_LINES:
        matched = rule_line.test(tally)
        steps.append(
            TraceStep(
                rule_line.line, rule_line.when, rule_line.status, matched, rule_line.why(tally)
            )
        )
        if matched:
            return rule_line, tuple(steps)
    raise AssertionError(f"no rule line matched {tally!r}")  # the lines are exhaustive


# --------------------------------------------------------------------------- building views


def claim_ref(
    ledger: Ledger,
    claim: Claim,
    requirement: Requirement | None = None,
    side: Side | None = None,
) -> ClaimRef:
    """The reportable view of a claim (source fields are null when the source is missing); its
    side is on ``requirement``, or outside any one requirement when None (see :func:`obligors`),
    unless the caller decided it already (``side``)."""
    source = ledger.sources.get(claim.source)
    if source is not None and side is None:
        side = side_of(source, obligors(ledger, requirement))
    return ClaimRef(
        id=claim.id,
        source=claim.source,
        source_title=source.title if source else None,
        perspective=source.perspective if source else None,
        side=side if source else None,
        kind=claim.kind,
        locator=claim.locator,
        quote=claim.quote,
        statement=claim.statement,
        as_of=claim.as_of,
        attributed_to=claim.attributed_to,
        cases=tuple(claim.cases),
        suspect=why_suspect(ledger, claim),
    )


def figure_views(
    ledger: Ledger, claims: Iterable[Claim], requirement: Requirement | None = None
) -> tuple[FigureView, ...]:
    """The structured figures of these claims, sorted by unit, source, date and claim; sides
    on ``requirement``, or outside any one requirement when None."""
    obligor_names = obligors(ledger, requirement)
    views = []
    for claim in claims:
        source = ledger.sources.get(claim.source)
        for fig in claim.figures:
            views.append(
                FigureView(
                    claim=claim.id,
                    source=claim.source,
                    perspective=source.perspective if source else None,
                    side=side_of(source, obligor_names) if source else None,
                    value=fig.value,
                    unit=fig.unit,
                    qualifier=fig.qualifier,
                    note=fig.note,
                    as_of=claim.as_of,
                    locator=claim.locator,
                    cases=tuple(claim.cases),
                )
            )
    return tuple(sorted(views, key=lambda v: (v.unit.casefold(), v.source, v.as_of or "", v.claim)))


def contradiction_pairs(ledger: Ledger) -> tuple[Contradiction, ...]:
    """Every ``contradicts`` pair in the ledger, once, whichever side (or both) declared it.

    Links to a missing claim, and a claim contradicting itself, are left to the checks.
    """
    declared: dict[frozenset[str], list[str]] = defaultdict(list)
    notes: dict[frozenset[str], list[str]] = defaultdict(list)
    for claim in ledger.claims.values():
        for rel in claim.relations:
            if rel.kind is not RelationKind.contradicts or rel.target == claim.id:
                continue
            if rel.target not in ledger.claims:
                continue
            key = frozenset((claim.id, rel.target))
            declared[key].append(claim.id)
            if rel.note:
                notes[key].append(rel.note)
    obligor_names = obligors(ledger)
    pairs = [_pair(ledger, key, declared[key], notes[key], obligor_names) for key in declared]
    return tuple(sorted(pairs, key=lambda p: (p.left.id, p.right.id)))


def _pair(
    ledger: Ledger,
    key: frozenset[str],
    declared: list[str],
    notes: list[str],
    obligor_names: frozenset[str],
) -> Contradiction:
    a, b = (ledger.claims[i] for i in sorted(key))
    b_first = _is_obligors(ledger, b, obligor_names) and not _is_obligors(ledger, a, obligor_names)
    left, right = (b, a) if b_first else (a, b)
    return Contradiction(
        left=claim_ref(ledger, left),
        right=claim_ref(ledger, right),
        declared_by=tuple(sorted(set(declared))),
        notes=tuple(notes),
        cases=tuple(sorted(set(left.cases) & set(right.cases))),
        requirements=tuple(sorted(set(left.bears_on) | set(right.bears_on))),
    )


def _is_obligors(ledger: Ledger, claim: Claim, obligor_names: frozenset[str]) -> bool:
    source = ledger.sources.get(claim.source)
    return source is not None and is_obligor_source(source, obligor_names)


# --------------------------------------------------------------------------- counting


class _Groups:
    """Union-find over the claim ids joined by a repeat (ids never joined are their own root):
    repeats of the same stance collapse into one group, whose root is its least id."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, i: str) -> str:
        parent = self.parent
        while (up := parent.get(i, i)) != i:
            parent[i] = parent.get(up, up)
            i = up
        return i

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class _Sides(dict[str, Side]):
    """Each source's side on one requirement, decided once however many claims it has."""

    def __init__(self, sources: dict[str, Source], obligor_names: frozenset[str]) -> None:
        super().__init__()
        self.sources = sources
        self.obligor_names = obligor_names

    def __missing__(self, source_id: str) -> Side:
        side = self[source_id] = side_of(self.sources[source_id], self.obligor_names)
        return side


_COUNTED_STANCES = (Stance.supports, Stance.undermines)
_CELL = {(d, s): f"{d.value}_{s.value}" for d in Side for s in _COUNTED_STANCES}
"""The tally cell of a side and stance (the names of :class:`Tally`'s fields)."""
_COUNTED_NOTE = {(d, s): f"counted: {d.value} {s.value}" for d in Side for s in _COUNTED_STANCES}


def _repeat_targets(claim: Countable) -> tuple[str, ...] | list[str]:
    if type(claim) is Counted:
        return claim.repeats
    return [rel.target for rel in claim.relations if rel.kind is RelationKind.repeats]


@dataclass
class _Counting:
    """The mutable working state of one count; frozen into a Verdict and Evidence at the end."""

    sides: _Sides
    tally: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    counted: dict[str, bool] = field(default_factory=dict)
    counted_with: dict[str, str | None] = field(default_factory=dict)
    note: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    cell: dict[str, str] = field(default_factory=dict)
    """Each counted unit's head claim and the tally cell it counts in (``independent_supports``)."""


def _count(
    ledger: Ledger, items: list[tuple[Countable, Stance]], obligor_names: frozenset[str]
) -> _Counting:
    """Count claims per side and stance: context listed only, repeats once, no-source skipped.
    What is counted of each claim is the item's own: its id, source and repeats (a view
    judges a requirement from these alone, :class:`ledger.records.ledger.Counted`)."""
    state = _Counting(_Sides(ledger.sources, obligor_names))
    stance_of: dict[str, Stance] = {}
    sources = ledger.sources
    claims: dict[str, Countable] = {}
    for claim, stance in items:
        claims[claim.id] = claim
        if claim.source not in sources:
            state.notes.append(f"{claim.id}: skipped, its source {claim.source!r} is not loaded")
            continue
        stance_of[claim.id] = stance
        if stance is Stance.context:
            state.tally["context"] += 1
            state.counted[claim.id] = False
            state.counted_with[claim.id] = None
            state.note[claim.id] = "context: shown, not counted"
    counted = {i: s for i, s in stance_of.items() if s is not Stance.context}
    sides, tally = state.sides, state.tally
    for members in _group_repeats(claims, counted, state):
        if len(members) > 1:
            _count_group(claims, members, counted, state)
            continue
        (head,) = members  # most claims repeat nothing: their own origin and head
        key = (sides[claims[head].source], counted[head])
        tally[_CELL[key]] += 1
        state.cell[head] = _CELL[key]
        state.counted[head] = True
        state.counted_with[head] = None
        state.note[head] = _COUNTED_NOTE[key]
    return state


def _group_repeats(
    claims: dict[str, Countable], counted: dict[str, Stance], state: _Counting
) -> list[list[str]]:
    """Group counted claims joined by ``repeats`` with the same stance; note mismatches.
    Groups come in the order of their least ids (each group's root, met first in id order)."""
    ids = sorted(counted)
    groups = _Groups()
    for claim_id in ids:
        claim = claims[claim_id]
        if not (claim.repeats if type(claim) is Counted else claim.relations):
            continue  # most claims link to nothing
        for target in _repeat_targets(claim):
            if target not in counted or target == claim_id:
                continue
            if counted[target] is counted[claim_id]:
                groups.union(claim_id, target)
            else:
                state.notes.append(
                    f"{claim_id} repeats {target} but {counted[claim_id].value} where "
                    f"{target} {counted[target].value}: both counted"
                )
    if not groups.parent:
        return [[claim_id] for claim_id in ids]
    members: dict[str, list[str]] = defaultdict(list)
    for claim_id in ids:
        members[groups.find(claim_id)].append(claim_id)
    return list(members.values())


def _count_group(
    claims: dict[str, Countable], members: list[str], stance_of: dict[str, Stance], state: _Counting
) -> None:
    """Count one repeat group of two or more claims once, on the side of its origins."""
    inside = set(members)
    origins = [
        m for m in members if not (set(_repeat_targets(claims[m])) - {m}) & inside
    ] or members
    independent = [o for o in origins if state.sides[claims[o].source] is Side.independent]
    side = Side.independent if independent else Side.obligor
    head = (independent or origins)[0]
    key = (side, stance_of[head])
    state.tally[_CELL[key]] += 1
    state.cell[head] = _CELL[key]
    state.counted[head] = True
    state.counted_with[head] = None
    state.note[head] = f"{_COUNTED_NOTE[key]}, with {len(members) - 1} repeat(s)"
    for m in members:
        if m != head:
            state.counted[m] = False
            state.counted_with[m] = head
            state.tally["merged_repeats"] += 1
            state.note[m] = f"repeat: counted once, with {head} ({side.value})"


def _verdict(
    ledger: Ledger, items: list[tuple[Countable, Stance]], requirement: Requirement | None
) -> Verdict:
    """Count the claims and apply the rule."""
    return _judge(ledger, items, requirement)[0]


def _judge(
    ledger: Ledger, items: list[tuple[Countable, Stance]], requirement: Requirement | None
) -> tuple[Verdict, _Counting]:
    obligor_names = obligors(ledger, requirement)
    state = _count(ledger, items, obligor_names)
    tally = Tally(**state.tally)
    rule_line, steps = evaluate(tally)
    disputed = (
        sorted(
            claim.id
            for claim, stance in items
            if stance is Stance.supports
            and claim.id in state.counted
            and state.sides[claim.source] is Side.obligor
        )
        if rule_line.status is Status.not_met
        else []
    )
    listed = sorted({c.source for c, _ in items if c.id in state.counted})
    verdict = Verdict(
        status=rule_line.status,
        line=rule_line.line,
        when=rule_line.when,
        tally=tally,
        steps=steps,
        disputed=tuple(disputed),
        notes=tuple(state.notes),
        obligor=requirement.obligor if requirement else None,
        sides=tuple(side_decision(ledger.sources[s], obligor_names) for s in listed),
    )
    return verdict, state


def _evidence(
    ledger: Ledger,
    items: list[tuple[Claim, Stance]],
    requirement: Requirement | None,
    verdict: Verdict,
    state: _Counting,
) -> dict[str, Evidence]:
    """Each listed claim's view, with how it was counted (skipped claims are left out)."""
    disputed = set(verdict.disputed)
    evidence: dict[str, Evidence] = {}
    for claim, stance in items:
        if claim.id not in state.counted:
            continue
        note = state.note[claim.id]
        if claim.id in disputed:
            note += f"; disputed ({verdict.line})"
        evidence[claim.id] = Evidence(
            claim=claim_ref(ledger, claim, requirement, state.sides[claim.source]),
            stance=stance,
            counted=state.counted[claim.id],
            counted_with=state.counted_with[claim.id],
            disputed=claim.id in disputed,
            note=note,
        )
    return evidence


Judged = tuple[Verdict, tuple[Evidence, ...], tuple[Evidence, ...], tuple[Evidence, ...]]
"""A group's verdict and its evidence by stance (supports, undermines, context)."""


def _group(
    ledger: Ledger,
    group_id: str | None,
    title: str | None,
    items: list[tuple[Claim, Stance]],
    requirement: Requirement | None,
    pair: tuple[Analysis, str, str] | None = None,
) -> Group:
    """The group of ``items``; with ``pair`` (an analysis, a case and a requirement: the
    items are that case's claims bearing on it), judged once per analysis, however many
    reports show it: a requirement's report and the case's own (a site shows both)."""
    judged = pair[0].judged.get(pair[1:]) if pair is not None else None
    if judged is None:
        verdict, state = _judge(ledger, items, requirement)
        evidence = _evidence(ledger, items, requirement, verdict, state)
        ordered = [
            evidence[c.id] for c, _ in sorted(items, key=lambda i: i[0].id) if c.id in evidence
        ]
        judged = (
            verdict,
            tuple(e for e in ordered if e.stance is Stance.supports),
            tuple(e for e in ordered if e.stance is Stance.undermines),
            tuple(e for e in ordered if e.stance is Stance.context),
        )
        if pair is not None:
            pair[0].judged[pair[1:]] = judged
    verdict, supports, undermines, context = judged
    return Group(group_id, title, verdict, supports, undermines, context)


# --------------------------------------------------------------------------- analysis


@dataclass(frozen=True)
class Analysis:
    """The whole-ledger indexes every derived view reads, built once per ledger in linear time.

    A command that reports on every case or requirement builds one and passes it to each
    :func:`case_status` or :func:`requirement_status` call, so the command stays linear in the
    ledger's size instead of re-indexing the whole ledger per case. It is a snapshot: build a
    new one after changing the ledger.
    """

    ledger: Ledger
    by_requirement: dict[str, list[tuple[Claim, Stance]]]
    by_case: dict[str, list[Claim]]
    by_source: dict[str, list[Claim]]
    pairs: tuple[Contradiction, ...]
    pairs_of_claim: dict[str, list[int]]
    cases_naming: dict[str, set[str]]
    requirements_naming: dict[str, set[str]]
    judged: dict[tuple[str, str], Judged] = field(default_factory=dict, compare=False, repr=False)
    """Each (case, requirement) group judged so far (:func:`_group`)."""

    @classmethod
    def of(cls, ledger: Ledger) -> Analysis:
        """Index the ledger: claims by requirement, case and source (by id), every
        contradiction pair once with the pairs of each claim, and who names whom."""
        by_requirement: dict[str, list[tuple[Claim, Stance]]] = defaultdict(list)
        by_case: dict[str, list[Claim]] = defaultdict(list)
        by_source: dict[str, list[Claim]] = defaultdict(list)
        claims = ledger.claims
        for claim in map(claims.__getitem__, sorted(claims)):  # the ids are sorted already
            for item in claim.bears_on.items():
                by_requirement[item[0]].append((claim, item[1]))
            cases = claim.cases
            if len(cases) > 1 and len(set(cases)) < len(cases):
                cases = list(dict.fromkeys(cases))  # a case listed twice counts once
            for case_id in cases:
                by_case[case_id].append(claim)
            by_source[claim.source].append(claim)
        pairs = contradiction_pairs(ledger)
        pairs_of_claim: dict[str, list[int]] = defaultdict(list)
        for number, pair in enumerate(pairs):
            pairs_of_claim[pair.left.id].append(number)
            pairs_of_claim[pair.right.id].append(number)
        cases_naming: dict[str, set[str]] = defaultdict(set)
        for case in ledger.cases.values():
            for req_id in case.requirements:
                cases_naming[req_id].add(case.id)
        requirements_naming: dict[str, set[str]] = defaultdict(set)
        for req in ledger.requirements.values():
            for case_id in req.cases:
                requirements_naming[case_id].add(req.id)
        return cls(
            ledger,
            by_requirement,
            by_case,
            by_source,
            pairs,
            pairs_of_claim,
            cases_naming,
            requirements_naming,
        )

    def contradictions_of(self, claim_ids: Iterable[str]) -> tuple[Contradiction, ...]:
        """The pairs in which at least one of these claims stands, in :attr:`pairs` order."""
        found = {n for claim_id in claim_ids for n in self.pairs_of_claim.get(claim_id, ())}
        return tuple(self.pairs[n] for n in sorted(found))

    def counted_on(self, requirement_id: str) -> list[tuple[Countable, Stance]]:
        """Every claim bearing on a requirement as the rule counts it, with its stance, in
        id order: the claims, or the ledger's counted facts where a view gives them
        (:attr:`Ledger.counted`). What a verdict reads, and a report of the claims it does
        not print."""
        counted = self.ledger.counted.get(requirement_id)
        if counted is not None:
            return counted
        return self.by_requirement.get(requirement_id, [])  # type: ignore[return-value]

    def linked_cases(self, requirement: Requirement) -> list[str]:
        """Cases a requirement names, and cases that name it (not those reached via claims)."""
        return sorted(set(requirement.cases) | self.cases_naming.get(requirement.id, set()))


def analysis_of(ledger: Ledger, analysis: Analysis | None) -> Analysis:
    """The analysis a caller passed (it must be of this ledger), or a fresh one."""
    if analysis is None:
        return Analysis.of(ledger)
    if analysis.ledger is not ledger:
        raise ValueError("the analysis is of another ledger")
    return analysis


# --------------------------------------------------------------------------- gaps


def sides_of(
    ledger: Ledger,
    claims: Iterable[Countable],
    obligor_names: frozenset[str],
    known: dict[str, Side] | None = None,
) -> set[Side]:
    """The sides these claims' sources are on (claims with a missing source are left out);
    each source judged once, however many of the claims are its, and once for every call
    that passes the same ``known`` (made by :func:`source_sides` for these obligors)."""
    sources = ledger.sources
    known = known if known is not None else source_sides(ledger, obligor_names)
    return {known[source_id] for source_id in {c.source for c in claims} if source_id in sources}


def source_sides(ledger: Ledger, obligor_names: frozenset[str]) -> dict[str, Side]:
    """Each source's side, decided when first asked: for many calls of :func:`sides_of`."""
    return _Sides(ledger.sources, obligor_names)


def no_claims_gap(case_id: str) -> Gap:
    """A case no claim is about."""
    return Gap(GapKind.case_without_claims, case_id, f"no claim is about case {case_id}")


def silent_link_gap(case_id: str, req_id: str) -> Gap:
    """A case linked to a requirement on which none of its claims bears."""
    return Gap(
        GapKind.case_without_claims,
        case_id,
        f"case {case_id} is linked to {req_id} but no claim about it bears on it",
        (req_id,),
    )


def one_sided_gap(
    ledger: Ledger,
    subject: str,
    claims: list[Countable],
    requirement: Requirement | None,
    known: dict[str, Side] | None = None,
) -> Gap | None:
    """A case heard from one side only: on ``requirement``, or across the ledger when None
    (``known``: the sources' sides on it, as :func:`sides_of` takes them)."""
    sides = sides_of(ledger, claims, obligors(ledger, requirement), known)
    if len(sides) != 1:
        return None
    (side,) = sides
    where = f" on {requirement.id}" if requirement else ""
    return Gap(
        GapKind.one_sided_case,
        subject,
        f"case {subject} is heard{where} from {describe_side(side)} only",
        tuple(sorted({c.id for c in claims} | ({requirement.id} if requirement else set()))),
    )


def undated_gaps(claims: Iterable[Countable]) -> list[Gap]:
    """Each of these claims (once, by id) that has no ``as_of`` date."""
    return [
        Gap(GapKind.undated_claim, c.id, f"claim {c.id} has no as_of date", (c.source,))
        for c in sorted({c.id: c for c in claims}.values(), key=lambda c: c.id)
        if not c.dated
    ]


def sorted_gaps(gaps: Iterable[Gap]) -> tuple[Gap, ...]:
    order = {kind: i for i, kind in enumerate(GapKind)}
    return tuple(sorted(gaps, key=lambda g: (order[g.kind], g.subject, g.related)))


# --------------------------------------------------------------------------- requirement


def requirement_status(
    ledger: Ledger,
    requirement_id: str,
    analysis: Analysis | None = None,
    *,
    cases_shown: int | None = None,
) -> RequirementStatus:
    """The status of one requirement, per case, with contradictions, figures, gaps and trace.

    ``requirement_id`` must be an exact id (resolve prefixes with ``ledger.analysis.xref.resolve``);
    an unknown id raises ``KeyError``. Pass the ledger's :class:`Analysis` when asking about
    many requirements, so the ledger is indexed once. With ``cases_shown``, only the first
    that many cases get their group (a view that shows no more: a group is most of the
    work, thousands of them in a large ledger); the claims about no case always get theirs,
    being on no case's report, and ``cases_left_out`` counts the rest. The verdict, the
    contradictions, figures and gaps are of every claim either way.
    """
    req = ledger.requirements[requirement_id]
    found = analysis_of(ledger, analysis)
    items = found.counted_on(req.id)
    buckets = _by_case(found, req, items)  # the groups and the gaps read the same buckets
    named = sorted((k for k in buckets if k is not None), key=str)
    shown = named if cases_shown is None else named[:cases_shown]
    keys = [*shown, None] if None in buckets else shown
    return RequirementStatus(
        rule=RuleInfo(),
        requirement=_requirement_info(req),
        verdict=_verdict(ledger, items, req),
        cases=tuple(
            _group(
                ledger,
                k,
                _case_title(ledger, k),
                _whole(ledger, buckets[k]),
                req,
                _judged_as(found, k, req.id),
            )
            for k in keys
        ),
        contradictions=found.contradictions_of(c.id for c, _ in items),
        figures=figure_views(ledger, _whole_figured(ledger, items), req),
        gaps=_requirement_gaps(ledger, req, items, buckets),
        cases_left_out=len(named) - len(shown),
    )


def _whole(ledger: Ledger, items: list[tuple[Countable, Stance]]) -> list[tuple[Claim, Stance]]:
    """These items as claims: a view that gives counted facts holds, as claims, those of
    the groups its report shows (store/report_view.py)."""
    claims = ledger.claims
    return [(claims[c.id] if type(c) is Counted else c, s) for c, s in items]  # type: ignore[misc]


def _whole_figured(ledger: Ledger, items: list[tuple[Countable, Stance]]) -> list[Claim]:
    """The claims among these items that give figures (a view holds those as claims)."""
    claims = ledger.claims
    return [
        claims[c.id] if type(c) is Counted else c  # type: ignore[misc]
        for c, _ in items
        if c.figured
    ]


def _requirement_info(req: Requirement) -> RequirementInfo:
    return RequirementInfo(
        id=req.id,
        title=req.title,
        text=req.text,
        force=req.force,
        obligor=req.obligor,
        instrument=req.instrument,
        fiscal_year=req.fiscal_year,
        source=req.source,
        locator=req.locator,
        cases=tuple(req.cases),
    )


def _by_case(
    analysis: Analysis, req: Requirement, items: list[tuple[Countable, Stance]]
) -> dict[str | None, list[tuple[Countable, Stance]]]:
    """The requirement's claims per case: linked cases first appear empty, no-case under None."""
    buckets: dict[str | None, list[tuple[Countable, Stance]]] = {
        c: [] for c in analysis.linked_cases(req)
    }
    for claim, stance in items:
        for case_id in dict.fromkeys(claim.cases) or [None]:
            buckets.setdefault(case_id, []).append((claim, stance))
    return buckets


def _case_title(ledger: Ledger, case_id: str | None) -> str | None:
    case = ledger.cases.get(case_id) if case_id is not None else None
    return case.title if case else None


def _requirement_gaps(
    ledger: Ledger,
    req: Requirement,
    items: list[tuple[Countable, Stance]],
    buckets: dict[str | None, list[tuple[Countable, Stance]]],
) -> tuple[Gap, ...]:
    gaps: list[Gap] = []
    known = source_sides(ledger, obligors(ledger, req))
    for case_id, bucket in buckets.items():
        if case_id is None:
            continue
        claims = [c for c, _ in bucket]
        if not claims:
            gaps.append(silent_link_gap(case_id, req.id))
        elif gap := one_sided_gap(ledger, case_id, claims, req, known):
            gaps.append(gap)
    gaps.extend(undated_gaps(c for c, _ in items))
    return sorted_gaps(gaps)


# --------------------------------------------------------------------------- case


def case_status(ledger: Ledger, case_id: str, analysis: Analysis | None = None) -> CaseStatus:
    """A case across every requirement its claims bear on (or that it names, or names it).

    Each requirement's group holds only this case's claims and gets its own verdict by the
    same rule. ``case_id`` must be exact; an unknown id raises ``KeyError``. Pass the ledger's
    :class:`Analysis` when asking about many cases, so the ledger is indexed once.
    """
    case = ledger.cases[case_id]
    found = analysis_of(ledger, analysis)
    claims = found.by_case.get(case.id, [])
    req_ids = sorted(
        {*case.requirements, *found.requirements_naming.get(case.id, ())}
        | {r for claim in claims for r in claim.bears_on}
    )
    groups = tuple(_case_requirement_group(ledger, case, r, claims, found) for r in req_ids)
    return CaseStatus(
        rule=RuleInfo(),
        case=_case_info(case),
        requirements=groups,
        unlinked=tuple(claim_ref(ledger, c) for c in claims if not c.bears_on),
        contradictions=found.contradictions_of(c.id for c in claims),
        figures=figure_views(ledger, claims),
        gaps=_case_gaps(ledger, case, claims, req_ids),
    )


def _case_info(case: Case) -> CaseInfo:
    return CaseInfo(
        id=case.id,
        title=case.title,
        kind=case.kind.value,
        aliases=tuple(case.aliases),
        date=case.date,
        place=case.place,
        summary=case.summary,
        requirements=tuple(case.requirements),
    )


def _case_requirement_group(
    ledger: Ledger, case: Case, req_id: str, claims: list[Claim], analysis: Analysis
) -> Group:
    req = ledger.requirements.get(req_id)
    items = [(c, c.bears_on[req_id]) for c in claims if req_id in c.bears_on]
    pair = _judged_as(analysis, case.id, req_id) if req is not None else None
    return _group(ledger, req_id, req.title if req else None, items, req, pair)


def _judged_as(
    analysis: Analysis, case_id: str | None, req_id: str
) -> tuple[Analysis, str, str] | None:
    """The key a (case, requirement) group is judged once under; none for the claims about
    no case, which no case's report holds."""
    return (analysis, case_id, req_id) if case_id is not None else None


def _case_gaps(
    ledger: Ledger, case: Case, claims: list[Claim], req_ids: list[str]
) -> tuple[Gap, ...]:
    gaps: list[Gap] = []
    if not claims:
        gaps.append(no_claims_gap(case.id))
    for req_id in req_ids:
        bearing = [c for c in claims if req_id in c.bears_on]
        if claims and not bearing:
            gaps.append(silent_link_gap(case.id, req_id))
        elif bearing and (
            gap := one_sided_gap(ledger, case.id, bearing, ledger.requirements.get(req_id))
        ):
            gaps.append(gap)
    gaps.extend(undated_gaps(claims))
    return sorted_gaps(gaps)


# --------------------------------------------------------------------------- overview


def overview(ledger: Ledger, analysis: Analysis | None = None) -> Overview:
    """One row per requirement (by id): status, rule line, claims per side, cases, conflicts."""
    found = analysis_of(ledger, analysis)
    rows = []
    for req in sorted(ledger.requirements.values(), key=lambda r: r.id):
        items = found.by_requirement.get(req.id, [])
        verdict = _verdict(ledger, items, req)
        cases = set(found.linked_cases(req)) | {k for c, _ in items for k in c.cases}
        t = verdict.tally
        rows.append(
            OverviewRow(
                id=req.id,
                title=req.title,
                force=req.force,
                status=verdict.status,
                line=verdict.line,
                independent_supports=t.independent_supports,
                independent_undermines=t.independent_undermines,
                obligor_supports=t.obligor_supports,
                obligor_undermines=t.obligor_undermines,
                context=t.context,
                cases=len(cases),
                contradictions=len(found.contradictions_of(c.id for c, _ in items)),
            )
        )
    return Overview(rule=RuleInfo(), rows=tuple(rows))


DECIDING: dict[str, tuple[str, ...]] = {
    "S1": (),
    "S2": ("independent_undermines",),
    "S3": ("independent_supports", "independent_undermines", "obligor_undermines"),
    "S4": ("independent_supports",),
    "S5": ("obligor_supports",),
    "S6": ("obligor_undermines",),
}
"""The tally cells each rule line rests on: the claims counted there are what gives the status
(an assertion that fails names them)."""


def subject_verdict(
    ledger: Ledger,
    requirement_id: str,
    case_id: str | None = None,
    claims: Iterable[Claim] | None = None,
) -> tuple[Verdict, dict[str, tuple[str, ...]]]:
    """The verdict on a requirement (or one case's claims on it, as :func:`case_status`
    groups them), with the claims counted in each cell the deciding rule line rests on
    (:data:`DECIDING`), by id. No index: one pass over ``claims`` (by default every claim;
    a caller asking about several subjects passes those bearing on the requirement).
    ``requirement_id`` must be exact; an unknown id raises ``KeyError``."""
    req = ledger.requirements[requirement_id]
    items = sorted(
        (
            (c, c.bears_on[requirement_id])
            for c in (ledger.claims.values() if claims is None else claims)
            if requirement_id in c.bears_on and (case_id is None or case_id in c.cases)
        ),
        key=lambda item: item[0].id,
    )
    verdict, state = _judge(ledger, items, req)
    causes = {
        cell: tuple(sorted(i for i, c in state.cell.items() if c == cell))
        for cell in DECIDING[verdict.line]
    }
    return verdict, causes


def requirement_verdicts(
    ledger: Ledger, analysis: Analysis | None = None, only: set[str] | None = None
) -> dict[str, Verdict]:
    """The verdict of every requirement (or of those in ``only``), by id (for gap reports,
    exports and diffs)."""
    found = analysis_of(ledger, analysis)
    return {
        req_id: _verdict(ledger, found.counted_on(req_id), req)
        for req_id, req in sorted(ledger.requirements.items())
        if only is None or req_id in only
    }
