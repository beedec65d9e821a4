"""The ledger as it stood on a date: only the sources published by then, and the claims they
make that speak for no later date.

:func:`restrict` is a pure filter from a loaded :class:`Ledger` to another, so every view
(status, show, conflicts, timeline, export) answers on it unchanged; :class:`Restriction`
says what was left out and why, for the report to show.

Dates are ISO at year, month or day precision, as the data's are, and a partial date is
compared at the precision the two dates share: ``2017`` is not after ``2017-09`` (the year
holds September), ``2017-10`` is, and ``2018`` is after ``2017-09``. So a record counts
unless it is dated wholly after the as-of date. A record dated less precisely than the
as-of date, and within it (a source published ``2017`` under ``--as-of 2017-09``), might
have come later in its year or month: it counts, and the report names it as uncertain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.records.ledger import Ledger
    from ledger.records.model import Claim

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class AsOfError(ValueError):
    """An as-of date that is not an ISO date at year, month or day precision."""


def parse_as_of(text: str) -> str:
    """``text`` as an as-of date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, a real date), or
    :class:`AsOfError` saying what is wrong."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        raise AsOfError(
            f"--as-of {text!r} is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2017-09)"
        )
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise AsOfError(f"--as-of {text!r} is not a real date: {exc}") from None
    return match.group(0)


def is_after(value: str, as_of: str) -> bool:
    """Whether a date is wholly after the as-of date (compared at their shared precision)."""
    shared = min(len(value), len(as_of))
    return value[:shared] > as_of[:shared]


def is_coarser_within(value: str, as_of: str) -> bool:
    """Whether a date is less precise than the as-of date and holds it (``2017`` and
    ``2017-09``): it counts, but might be later."""
    return len(value) < len(as_of) and as_of.startswith(value)


@dataclass(frozen=True)
class Dated:
    """A record the restriction left out or counted with a caveat, and why."""

    kind: str
    """``source`` or ``claim``."""
    id: str
    date: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "date": self.date, "reason": self.reason}


@dataclass(frozen=True)
class Restriction:
    """What restricting a ledger to a date did.

    ``left_out``: the sources published after the date, and the claims (of sources kept)
    whose ``as_of`` is after it; ``claims_left_out``: every claim not counted, those of the
    left-out sources included; ``uncertain``: sources and claims counted though dated only to
    a year or month that holds the date."""

    as_of: str
    left_out: tuple[Dated, ...] = ()
    claims_left_out: int = 0
    uncertain: tuple[Dated, ...] = ()
    sources_of: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    """Each claim left out with its source, and the source that took it out."""

    def why_left_out(self, record_id: str) -> str | None:
        """Why a record is not in the restricted ledger (None when it is, or never was)."""
        for dated in self.left_out:
            if dated.id == record_id:
                return dated.reason
        source = self.sources_of.get(record_id)
        if source is None:
            return None
        reason = self.why_left_out(source)
        return f"its source {source} is left out ({reason})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.as_of,
            "rule": "a record counts unless its date (a source's published, a claim's as_of) "
            "is wholly after this date, compared at the precision the two share",
            "left_out": [d.to_dict() for d in self.left_out],
            "claims_left_out": self.claims_left_out,
            "uncertain": [d.to_dict() for d in self.uncertain],
        }

    def lines(self) -> list[str]:
        """The restriction in a few lines for people: the date, then each source left out
        and each record counted with a caveat."""
        sources = [d for d in self.left_out if d.kind == "source"]
        claims = self.claims_left_out
        head = f"As of {self.as_of}: "
        if not sources and not claims:
            head += "nothing left out."
        else:
            parts = []
            if sources:
                parts.append(f"{len(sources)} source{'' if len(sources) == 1 else 's'}")
            if claims:
                parts.append(f"{claims} claim{'' if claims == 1 else 's'}")
            head += f"{' and '.join(parts)} left out."
        out = [head]
        out += _listed("left out", self.left_out)
        out += _listed("counted, uncertain", self.uncertain)
        return out


LISTED_CLAIMS = 20
"""Claims named per list in the lines for people; sources are always named, and JSON names
every record."""


def _listed(label: str, dated: tuple[Dated, ...]) -> list[str]:
    """One line per source, and per claim up to :data:`LISTED_CLAIMS`, then a count."""
    lines = [f"  {label}: {d.kind} {d.id} ({d.reason})" for d in dated if d.kind == "source"]
    claims = [d for d in dated if d.kind != "source"]
    lines += [f"  {label}: {d.kind} {d.id} ({d.reason})" for d in claims[:LISTED_CLAIMS]]
    if len(claims) > LISTED_CLAIMS:
        more = len(claims) - LISTED_CLAIMS
        lines.append(f"  {label}: {more} more claims by their as_of (JSON lists them)")
    return lines


def restrict(ledger: Ledger, as_of: str) -> tuple[Ledger, Restriction]:
    """``ledger`` as it stood on ``as_of`` (a date from :func:`parse_as_of`): the sources
    published by then, and their claims whose ``as_of`` is not later. Requirements and cases
    stay whole; relations to claims left out are dropped from the claims kept. One pass over
    the records; ``ledger`` is not changed. :class:`AsOfError` for a date that is not one."""
    from ledger.records.ledger import Ledger

    as_of = parse_as_of(as_of)

    left_out: list[Dated] = []
    uncertain: list[Dated] = []
    sources = {}
    for sid, source in ledger.sources.items():
        published = source.published
        if is_after(published, as_of):
            reason = f"published {published}, after {as_of}"
            left_out.append(Dated("source", sid, published, reason))
            continue
        sources[sid] = source
        if is_coarser_within(published, as_of):
            uncertain.append(
                Dated("source", sid, published, f"published {published}: may be after {as_of}")
            )
    claims: dict[str, Claim] = {}
    gone: set[str] = set()
    with_source: dict[str, str] = {}
    for cid, claim in ledger.claims.items():
        if claim.source not in sources:
            gone.add(cid)
            with_source[cid] = claim.source
            continue
        when = claim.as_of
        if when is not None:
            if is_after(when, as_of):
                left_out.append(Dated("claim", cid, when, f"as_of {when}, after {as_of}"))
                gone.add(cid)
                continue
            if is_coarser_within(when, as_of):
                uncertain.append(Dated("claim", cid, when, f"as_of {when}: may be after {as_of}"))
        claims[cid] = claim
    if gone:
        for cid, claim in claims.items():
            if claim.relations and any(r.target in gone for r in claim.relations):
                kept = [r for r in claim.relations if r.target not in gone]
                claims[cid] = claim.model_copy(update={"relations": kept})
    claims_gone = len(gone)
    gone.update(ledger.sources.keys() - sources.keys())
    restricted = Ledger(
        sources=sources,
        requirements=ledger.requirements,
        cases=ledger.cases,
        claims=claims,
        assertions=ledger.assertions,
        paths={i: p for i, p in ledger.paths.items() if i not in gone},
        source_texts={i: t for i, t in ledger.source_texts.items() if i in sources},
    )
    return restricted, Restriction(
        as_of, tuple(left_out), claims_gone, tuple(uncertain), with_source
    )
