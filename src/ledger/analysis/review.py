"""Review stamps: who checked a claim against its source, and whether it changed since."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import cast

from ledger.analysis.grounds import (
    ground_keys,
    grounds_of,
    suspect_claims,
    suspicion,
    values_fingerprint,
)
from ledger.authoring.atomic import write_atomic
from ledger.authoring.fmt import with_field
from ledger.authoring.staleness import Stale, stale
from ledger.authoring.writelock import LockFailure, write_lock
from ledger.records.diagnostics import Diagnostic, make
from ledger.records.ledger import Ledger
from ledger.records.model import Claim
from ledger.records.record_reader import read_current
from ledger.records.root import Layout
from ledger.safe_text import has_hidden, visible


def fingerprint(claim: Claim) -> str:
    """SHA-256 of the claim's values, without its reviews: formatting never changes it."""
    return values_fingerprint(claim, {"reviews"})


def is_fresh(claim: Claim) -> bool | None:
    """Whether the latest review saw the claim as it is now; None when it was never reviewed."""
    if not claim.reviews:
        return None
    return claim.reviews[-1].fingerprint == fingerprint(claim)


def stale_reviews(ledger: Ledger, claims: Iterable[Claim] | None = None) -> Iterator[Diagnostic]:
    """A warning for each reviewed claim (of ``claims``, by default every one) whose content
    changed after its latest review."""
    grounds = grounds_of(ledger)  # the claims' fingerprints, made once for suspect_evidence too
    for claim in ledger.claims.values() if claims is None else claims:
        if claim.reviews and grounds.is_fresh(claim) is False:
            last = claim.reviews[-1]
            yield make(
                "stale-review",
                ledger.paths[claim.id],
                f"the claim changed after its review by {last.by} on {last.date}",
                f"check it against the source again, then `ledger review {claim.id} --by NAME`",
                field=f"reviews[{len(claim.reviews) - 1}]",
                anchor=(("reviews", len(claim.reviews) - 1), False),
            )


def suspect_evidence(ledger: Ledger, claims: Iterable[Claim] | None = None) -> Iterator[Diagnostic]:
    """A warning for each claim (of ``claims``, by default every one) whose grounds (its
    source's record or archived text, the requirements it bears on, the claims it links to)
    changed after its latest review."""
    for claim_id, suspect in suspect_claims(ledger, claims).items():
        yield make(
            "suspect-evidence",
            ledger.paths[claim_id],
            suspect.why,
            f"check the claim against what changed, then `ledger review {claim_id} --by NAME`",
            field=f"reviews[{suspect.index}]",
            anchor=(("reviews", suspect.index), False),
        )


QUEUE_STATES = ("suspect", "stale", "unreviewed")
"""Why a claim waits for a reviewer, in the order the queue lists them: a review that no
longer holds first (the grounds changed, then the claim itself), then claims never reviewed."""


@dataclass(frozen=True)
class QueueItem:
    """A claim waiting for a review, and why."""

    id: str
    path: str
    state: str
    why: str


@dataclass(frozen=True)
class ReviewQueue:
    """Every claim whose review is missing or no longer holds (`ledger queue`).

    JSON (``to_dict()``): {"counts": {state: n}, "claims": [{"id", "path", "state", "why"}]}.
    """

    items: tuple[QueueItem, ...]

    def counts(self) -> dict[str, int]:
        return {state: sum(1 for i in self.items if i.state == state) for state in QUEUE_STATES}

    def to_dict(self) -> dict[str, object]:
        return {
            "counts": self.counts(),
            "claims": [
                {"id": i.id, "path": i.path, "state": i.state, "why": i.why} for i in self.items
            ],
        }


def review_queue(ledger: Ledger) -> ReviewQueue:
    """The claims a reviewer should check next: suspect, stale, never reviewed, each in id
    order. One pass over the claims; each fingerprint is made once (ledger.analysis.grounds)."""
    grounds = grounds_of(ledger)
    found: dict[str, list[QueueItem]] = {state: [] for state in QUEUE_STATES}
    for claim in ledger.claims.values():
        path = ledger.paths[claim.id]
        if not claim.reviews:
            found["unreviewed"].append(QueueItem(claim.id, path, "unreviewed", "never reviewed"))
            continue
        last = claim.reviews[-1]
        if not grounds.is_fresh(claim):
            why = f"the claim changed after its review by {last.by} on {last.date}"
            found["stale"].append(QueueItem(claim.id, path, "stale", why))
            continue
        suspect = suspicion(claim, grounds)
        if suspect is not None:
            found["suspect"].append(QueueItem(claim.id, path, "suspect", suspect.why))
    return ReviewQueue(
        tuple(item for state in QUEUE_STATES for item in sorted(found[state], key=_by_id))
    )


def _by_id(item: QueueItem) -> str:
    return item.id


def reviewer_problem(by: str, on: str | None = None) -> str | None:
    """Why a review cannot be stamped with this name and date (None: it can): a name is
    one plain line, something a reader can check; a review is not dated in the future."""
    if not by.strip():
        return "--by needs a reviewer's name"
    if "\n" in by or "\r" in by or has_hidden(by):
        return (
            f"--by '{visible(by)}': a reviewer's name is one line of visible characters "
            "(no control, direction-changing or zero-width characters)"
        )
    if on is not None and on > date.today().isoformat():
        return f"--date {visible(on)}: a review cannot be dated after today"
    return None


def _missing_grounds(ledger: Ledger, claim: Claim) -> str | None:
    """Why the claim's grounds cannot all be fingerprinted: one is not in the ledger (its
    file failed to load, or it does not exist), and a stamp without it would later call
    the claim suspect for a change nobody made."""
    grounds = grounds_of(ledger)
    missing = [
        key.partition("/")[2]
        for key in ground_keys(claim)
        if not key.startswith("archive/") and grounds.fingerprint(key) is None
    ]
    if not missing:
        return None
    return (
        f"{', '.join(visible(m) for m in missing)}, which {claim.id} rests on, "
        f"{'is' if len(missing) == 1 else 'are'} not in the ledger (a file that failed to "
        "load, or a missing record): `ledger validate` says why; review it once it loads"
    )


def add_review(
    layout: Layout,
    ledger: Ledger,
    claim_id: str,
    by: str,
    on: str | None = None,
    *,
    expected: str | None = None,
) -> str | LockFailure | Stale | None:
    """Stamp a claim as reviewed by ``by`` today (or ``on``); None, or why nothing was written.

    The fingerprint is of the claim as ``ledger`` holds it: what was checked; ``grounds``
    those of what it rests on (see ledger.analysis.grounds), so the stamp clears a suspect claim.
    Holding the write lock, the claim's file is read again and the stamp added to it as it is now,
    so a relation another writer added a moment ago is kept (and, being a change the review did
    not see, makes it stale). ``expected``: the file's fingerprint when the reviewer opened
    it (a form); a file changed since is left alone (:class:`ledger.authoring.staleness.Stale`): the
    review was of content that is no longer there.
    """
    claim = ledger.claims.get(claim_id)
    if claim is None:
        return f"no claim has the id '{claim_id}'"
    problem = reviewer_problem(by, on) or _missing_grounds(ledger, claim)
    if problem:
        return problem
    rel = ledger.paths[claim_id]
    with write_lock(layout.root) as busy:
        if busy:
            return busy
        changed = stale(layout.root, rel, expected)
        if changed:
            return changed
        found = read_current(layout.root / rel, rel, "claims")
        if isinstance(found, list):
            return f"{rel}: {found[0].message}"
        text, now = found
        stamp = {
            "by": by.strip(),
            "date": on or date.today().isoformat(),
            "fingerprint": fingerprint(claim),
            "grounds": grounds_of(ledger).of(claim),
        }
        old = cast(Claim, now).reviews
        reviews = [r.model_dump(mode="json", exclude_none=True) for r in old] + [stamp]
        edited = with_field(text, "claims", "reviews", reviews)
        if edited.text is None:
            return edited.problem
        return write_atomic(layout.root / rel, edited.text, inside=layout.data)
