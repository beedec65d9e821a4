"""A claim's grounds, and whether any of them changed after the claim's latest review.

A review checks a claim against what it rests on: its source's record, its source's archived
text, the requirements it bears on and the claims it links to. A stamp made by
`ledger review` records each ground's fingerprint under ``grounds`` (``kind/id: sha256``), so
that a later change to one of them makes the claim *suspect*, as a change to the claim itself
makes its review stale. Fingerprints, one per ground:

* ``source/ID``, ``requirement/ID``, ``claim/ID``: the SHA-256 of the record's values, as
  :func:`values_fingerprint` makes it (a review stamp's ``fingerprint`` is the claim's). A
  claim's reviews and a source's ``archive.sha256`` are left out: a review of a linked claim
  changes nothing, and the archived text is a ground of its own.
* ``archive/ID``: the ``archive.sha256`` its source pins (``validate`` checks it against the
  file's bytes, ``archive-hash``), so a text is never read to judge its claims.

A stamp without ``grounds`` (made before they were recorded) cannot judge them: its claim is
never suspect until reviewed again. A ground no longer in the ledger is not judged either (an
unresolved reference is an error of its own; ``--as-of`` leaves records out). A claim whose
review is stale is not also called suspect: its review must be done again in any case.

Each ground's fingerprint is made once per ledger (:func:`grounds_of`), however many claims
rest on it, so judging every claim is linear in the ledger's size.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ledger.records.ledger import Ledger
from ledger.records.model import Claim, Record, Review

GROUND_KINDS = ("source", "archive", "requirement", "claim")
"""The kinds of ground, in the order a claim's grounds are listed and named."""

_EXCLUDED: dict[str, Any] = {"claim": {"reviews"}, "source": {"archive": {"sha256"}}}


def values_fingerprint(record: Record, exclude: Any = None) -> str:
    """SHA-256 of a record's values (not its formatting), minus ``exclude``."""
    content = record.model_dump(mode="json", by_alias=True, exclude=exclude)
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def ground_keys(claim: Claim) -> list[str]:
    """The claim's grounds as ``kind/id``, in a fixed order, each once."""
    keys = [f"source/{claim.source}", f"archive/{claim.source}"]
    keys += [f"requirement/{r}" for r in sorted(claim.bears_on)]
    keys += sorted({f"claim/{r.target}" for r in claim.relations if r.target != claim.id})
    return keys


def describe(key: str) -> str:
    """A ground in words, for messages: "the archive of source cso-memo-2017"."""
    kind, _, record_id = key.partition("/")
    if kind == "archive":
        return f"the archive of source {record_id}"
    return f"the {kind} {record_id}"


class Grounds:
    """Fingerprints of one ledger's grounds and claims, each made once, when first asked.

    A fingerprint is kept with the record it was made of and made again if the ledger holds
    another record under that id by then.
    """

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._made: dict[str, tuple[object, str]] = {}

    def fingerprint(self, key: str) -> str | None:
        """The ground's fingerprint now; None when the ledger holds no such record."""
        kind, _, record_id = key.partition("/")
        table = self.ledger.sources if kind == "archive" else getattr(self.ledger, f"{kind}s")
        record = table.get(record_id)
        if record is None:
            return None
        made = self._made.get(key)
        if made is not None and made[0] is record:
            return made[1]
        if kind == "archive":
            value = record.archive.sha256
        else:
            value = values_fingerprint(record, _EXCLUDED.get(kind))
        self._made[key] = (record, value)
        return value

    def of(self, claim: Claim) -> dict[str, str]:
        """The claim's grounds and their fingerprints now (those in the ledger): what a new
        review stamp records."""
        found = {key: self.fingerprint(key) for key in ground_keys(claim)}
        return {key: value for key, value in found.items() if value is not None}

    def is_fresh(self, claim: Claim) -> bool | None:
        """Whether the latest review saw the claim as it is; None when never reviewed."""
        if not claim.reviews:
            return None
        return claim.reviews[-1].fingerprint == self.fingerprint(f"claim/{claim.id}")


_LAST: list[tuple[weakref.ref[Ledger], Grounds]] = []


def grounds_of(ledger: Ledger) -> Grounds:
    """The :class:`Grounds` of this ledger, shared by every caller while it is the last one
    asked about (a report asks once per claim shown)."""
    if _LAST and _LAST[0][0]() is ledger:
        return _LAST[0][1]
    grounds = Grounds(weakref.proxy(ledger))  # remembered here, it must not keep it alive
    _LAST[:] = [(weakref.ref(ledger), grounds)]
    return grounds


@dataclass(frozen=True)
class Suspicion:
    """A claim whose grounds changed after its latest review: which, and that review."""

    claim: str
    review: Review
    index: int
    """The review's place in the claim's ``reviews``."""
    changed: tuple[str, ...]
    """The changed grounds, as ``kind/id``."""

    @property
    def why(self) -> str:
        """What changed, in one sentence (the diagnostic's message)."""
        names = [describe(key) for key in self.changed]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return f"{listed} changed after the review by {self.review.by} on {self.review.date}"


def suspicion(claim: Claim, grounds: Grounds) -> Suspicion | None:
    """Why the claim is suspect; None when it is not (never reviewed, reviewed without
    grounds, its review stale, or every ground as the review saw it)."""
    if not claim.reviews or claim.reviews[-1].grounds is None:
        return None
    if not grounds.is_fresh(claim):
        return None
    last = claim.reviews[-1]
    seen = last.grounds or {}
    changed = []
    for key in ground_keys(claim):
        now = grounds.fingerprint(key)
        if now is not None and seen.get(key) != now:
            changed.append(key)
    if not changed:
        return None
    return Suspicion(claim.id, last, len(claim.reviews) - 1, tuple(changed))


def suspect_claims(ledger: Ledger, claims: Iterable[Claim] | None = None) -> dict[str, Suspicion]:
    """Every suspect claim of the ledger (or of ``claims``, judged against the ledger's
    grounds), by id, in the ledger's order."""
    grounds = grounds_of(ledger)
    found = {}
    for claim in ledger.claims.values() if claims is None else claims:
        if claim.reviews and claim.reviews[-1].grounds is not None:
            suspect = suspicion(claim, grounds)
            if suspect is not None:
                found[claim.id] = suspect
    return found


def why_suspect(ledger: Ledger, claim: Claim) -> str | None:
    """Why a claim is suspect, in words, for reports; None when it is not."""
    if not claim.reviews or claim.reviews[-1].grounds is None:
        return None  # the common case costs nothing
    suspect = suspicion(claim, grounds_of(ledger))
    return suspect.why if suspect is not None else None
