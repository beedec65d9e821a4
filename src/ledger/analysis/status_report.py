"""The status report's data: plain frozen dataclasses, and their JSON form.

Kept apart from the rule (status.py) so that what renders a report (the terminal, Markdown)
needs neither the schema nor the ledger. ``to_dict()`` gives the JSON that ``--format json``
prints.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from ledger.records.vocabulary import ClaimKind, Force, GapKind, Perspective, Qualifier, Stance

RULE = "ledger-status"
RULE_VERSION = "2"
RULE_CHANGE = (
    "version 1 took every government source for the obligor's own; version 2 takes only "
    "those whose speaks_for is the requirement's obligor"
)
"""What the latest version changed, for reports comparing data written before it."""

CASES_SHOWN = 40
"""Cases whose evidence a requirement's report shows in full. Past it, the terminal shows
the first 40 and counts the rest, and the site's page has a table of every case instead
(each case's own report has its evidence)."""


def to_plain(value: Any) -> Any:
    """JSON-ready data: dataclasses become dicts (minus fields marked ``plain=False``)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.metadata.get("plain", True)
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value


class Plain:
    """Mixin for result dataclasses: ``to_dict()`` gives the JSON shape documented above."""

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- enums and sides


class Status(StrEnum):
    no_evidence = "no-evidence"
    not_met = "not-met"
    contested = "contested"
    met = "met"
    claimed_by_obligor = "claimed-by-obligor"


class Side(StrEnum):
    obligor = "obligor"
    independent = "independent"


def describe_side(side: Side) -> str:
    """A side in words, for messages."""
    return "the obligor's own sources" if side is Side.obligor else "independent sources"


@dataclass(frozen=True)
class Tally(Plain):
    """Counted evidence units per side and stance (a group of repeats is one unit)."""

    independent_supports: int = 0
    independent_undermines: int = 0
    obligor_supports: int = 0
    obligor_undermines: int = 0
    context: int = 0
    merged_repeats: int = 0

    @property
    def counted(self) -> int:
        return (
            self.independent_supports
            + self.independent_undermines
            + self.obligor_supports
            + self.obligor_undermines
        )

    @property
    def independent(self) -> int:
        return self.independent_supports + self.independent_undermines

    def sentence(self) -> str:
        """The counts in words, as every report states them beside a status (how much a
        "contested" weighs is in them)."""
        return (
            f"independent sources: {self.independent_supports} support, "
            f"{self.independent_undermines} undermine \u00b7 obligor's own: "
            f"{self.obligor_supports} support, {self.obligor_undermines} undermine \u00b7 "
            f"{self.context} context"
        )


@dataclass(frozen=True)
class TraceStep(Plain):
    """One rule line as tested: its condition, whether it matched, and the counts it saw."""

    line: str
    when: str
    status: Status
    matched: bool
    why: str


@dataclass(frozen=True)
class ClaimRef(Plain):
    """A claim as reports show it: who says it, where, in which words."""

    id: str
    source: str
    source_title: str | None
    perspective: Perspective | None
    side: Side | None
    kind: ClaimKind
    locator: str
    quote: str
    statement: str
    as_of: str | None
    attributed_to: str | None
    cases: tuple[str, ...]
    suspect: str | None = None
    """Why the claim is suspect (what it rests on changed after its latest review, see
    ledger.analysis.grounds); None when it is not."""


@dataclass(frozen=True)
class Evidence(Plain):
    """A claim bearing on a requirement, with its stance and how the rule counted it."""

    claim: ClaimRef
    stance: Stance
    counted: bool
    counted_with: str | None
    disputed: bool
    note: str


@dataclass(frozen=True)
class SourceSide(Plain):
    """How the rule decided one source's side: what it says it speaks for, and why that makes
    it the obligor's own or independent."""

    source: str
    perspective: Perspective
    speaks_for: str | None
    side: Side
    why: str


@dataclass(frozen=True)
class Verdict(Plain):
    """The status, the rule line that gave it, the tally, and the full trace, with the side
    of every source whose claims were weighed."""

    status: Status
    line: str
    when: str
    tally: Tally
    steps: tuple[TraceStep, ...]
    disputed: tuple[str, ...]
    notes: tuple[str, ...]
    obligor: str | None
    sides: tuple[SourceSide, ...]

    def sides_rule(self) -> str:
        """How the trace decided each source's side, in words every report of the trace
        gives (the terminal's and Markdown's)."""
        obligor = self.obligor or "unknown (the requirement is not in the ledger)"
        return (
            f"the obligor is {obligor}; a source is the obligor's own when its speaks_for is "
            "exactly that, else independent"
        )


TRACE = "Trace (first matching line wins)"
"""The heading of a rule's trace, in every report that gives it."""
DISPUTED = "disputed (obligor's own support)"
"""How a trace introduces the obligor's own supporting claims the rule lists as disputed."""


@dataclass(frozen=True)
class Group(Plain):
    """The claims of one case (or one requirement, for a case) by stance, with a verdict."""

    id: str | None
    title: str | None
    """None for the claims about no case, and for an id that names no record of the ledger
    (a reference `ledger validate` reports): :func:`no_record` says so."""
    verdict: Verdict
    supports: tuple[Evidence, ...]
    undermines: tuple[Evidence, ...]
    context: tuple[Evidence, ...]


def no_record(kind: str) -> str:
    """What a report says in place of the title of a group whose id names no record of the
    ledger: claims name a case (or bear on a requirement) that is not there, misspelled or
    its file broken. A reader must not take it for one."""
    return f"not a {kind} of this ledger; `ledger validate` shows why"


@dataclass(frozen=True)
class Contradiction(Plain):
    """Two claims that contradict each other, side by side (the obligor's on the left)."""

    left: ClaimRef
    right: ClaimRef
    declared_by: tuple[str, ...]
    notes: tuple[str, ...]
    cases: tuple[str, ...]
    requirements: tuple[str, ...]


@dataclass(frozen=True)
class FigureView(Plain):
    """One structured figure, with the claim and source it comes from."""

    claim: str
    source: str
    perspective: Perspective | None
    side: Side | None
    value: int | float
    unit: str
    qualifier: Qualifier
    note: str | None
    as_of: str | None
    locator: str
    cases: tuple[str, ...]


@dataclass(frozen=True)
class Gap(Plain):
    """One evidence gap: what kind, about which record, in words, and the records involved."""

    kind: GapKind
    subject: str
    message: str
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleInfo(Plain):
    name: str = RULE
    version: str = RULE_VERSION


@dataclass(frozen=True)
class RequirementInfo(Plain):
    id: str
    title: str
    text: str
    force: Force
    obligor: str
    instrument: str
    fiscal_year: int
    source: str
    locator: str
    cases: tuple[str, ...]


@dataclass(frozen=True)
class CaseInfo(Plain):
    id: str
    title: str
    kind: str
    aliases: tuple[str, ...]
    date: str | None
    place: str | None
    summary: str
    requirements: tuple[str, ...]


@dataclass(frozen=True)
class RequirementStatus(Plain):
    """Everything ``ledger status REQUIREMENT`` shows."""

    rule: RuleInfo
    requirement: RequirementInfo
    verdict: Verdict
    cases: tuple[Group, ...]
    contradictions: tuple[Contradiction, ...]
    figures: tuple[FigureView, ...]
    gaps: tuple[Gap, ...]
    cases_left_out: int = field(default=0, metadata={"plain": False})
    """Cases whose group the report was asked not to build (``cases_shown``); 0 in every
    report that is given whole, as the JSON one always is."""


@dataclass(frozen=True)
class CaseStatus(Plain):
    """Everything ``ledger status CASE`` shows: the case across the requirements it touches."""

    rule: RuleInfo
    case: CaseInfo
    requirements: tuple[Group, ...]
    unlinked: tuple[ClaimRef, ...]
    contradictions: tuple[Contradiction, ...]
    figures: tuple[FigureView, ...]
    gaps: tuple[Gap, ...]


@dataclass(frozen=True)
class OverviewRow(Plain):
    id: str
    title: str
    force: Force
    status: Status
    line: str
    independent_supports: int
    independent_undermines: int
    obligor_supports: int
    obligor_undermines: int
    context: int
    cases: int
    contradictions: int


@dataclass(frozen=True)
class Overview(Plain):
    """One row per requirement: what ``ledger status`` with no argument prints."""

    rule: RuleInfo
    rows: tuple[OverviewRow, ...]
