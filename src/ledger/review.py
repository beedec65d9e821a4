"""Review stamps: who checked a claim against its source, and whether it changed since."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date
from typing import cast

from ledger.atomic import write_atomic
from ledger.diagnostics import Diagnostic, make
from ledger.fmt import with_field
from ledger.ledger import Ledger
from ledger.model import Claim
from ledger.record_reader import read_current
from ledger.root import Layout
from ledger.writelock import LockFailure, write_lock


def fingerprint(claim: Claim) -> str:
    """SHA-256 of the claim's values, without its reviews: formatting never changes it."""
    content = claim.model_dump(mode="json", by_alias=True, exclude={"reviews"})
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_fresh(claim: Claim) -> bool | None:
    """Whether the latest review saw the claim as it is now; None when it was never reviewed."""
    if not claim.reviews:
        return None
    return claim.reviews[-1].fingerprint == fingerprint(claim)


def stale_reviews(ledger: Ledger) -> Iterator[Diagnostic]:
    """A warning for each reviewed claim whose content changed after its latest review."""
    for claim in ledger.claims.values():
        if is_fresh(claim) is False:
            last = claim.reviews[-1]
            yield make(
                "stale-review",
                ledger.paths[claim.id],
                f"the claim changed after its review by {last.by} on {last.date}",
                f"check it against the source again, then `ledger review {claim.id} --by NAME`",
                field=f"reviews[{len(claim.reviews) - 1}]",
                anchor=(("reviews", len(claim.reviews) - 1), False),
            )


def add_review(
    layout: Layout, ledger: Ledger, claim_id: str, by: str, on: str | None = None
) -> str | LockFailure | None:
    """Stamp a claim as reviewed by ``by`` today (or ``on``); None, or why nothing was written.

    The fingerprint is of the claim as ``ledger`` holds it: what was checked. Holding the
    write lock, the claim's file is read again and the stamp added to it as it is now, so a
    relation another writer added a moment ago is kept (and, being a change the review did
    not see, makes it stale).
    """
    claim = ledger.claims.get(claim_id)
    if claim is None:
        return f"no claim has the id '{claim_id}'"
    if not by.strip():
        return "--by needs a reviewer's name"
    rel = ledger.paths[claim_id]
    with write_lock(layout.root) as busy:
        if busy:
            return busy
        found = read_current(layout.root / rel, rel, "claims")
        if isinstance(found, list):
            return f"{rel}: {found[0].message}"
        text, now = found
        stamp = {
            "by": by.strip(),
            "date": on or date.today().isoformat(),
            "fingerprint": fingerprint(claim),
        }
        reviews = [r.model_dump(mode="json") for r in cast(Claim, now).reviews] + [stamp]
        edited = with_field(text, "claims", "reviews", reviews)
        if edited.text is None:
            return edited.problem
        return write_atomic(layout.root / rel, edited.text, inside=layout.data)
