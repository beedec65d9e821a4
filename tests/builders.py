"""Small in-memory ledgers for tests: records with sensible defaults, built from the models.

Every builder takes the fields a test cares about and fills the rest, so a test reads as the
situation it sets up::

    gov = make_source("gov", perspective="government", speaks_for="Government of Mexico")
    ledger = make_ledger(gov, make_requirement(), make_claim("c1", "gov", bears_on={...}))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ledger.records.ledger import Ledger
from ledger.records.model import Assertion, Case, Claim, Record, Requirement, Source

FAKE_SHA = "0" * 64

OBLIGOR = "Government of Mexico"
"""The obligor of every requirement ``make_requirement`` builds, unless a test sets another."""

_KIND_OF: dict[type[Record], str] = {
    Source: "sources",
    Requirement: "requirements",
    Case: "cases",
    Claim: "claims",
    Assertion: "assertions",
}


def make_source(
    id: str = "cso-memo", *, perspective: str = "civil-society", **fields: Any
) -> Source:
    """A source; ``speaks_for=OBLIGOR`` makes it the obligor's own (see :func:`gov`)."""
    data: dict[str, Any] = {
        "id": id,
        "title": f"Title of {id}",
        "published": "2017",
        "kind": "government-statement" if perspective == "government" else "memo",
        "perspective": perspective,
        "language": "en",
        "archive": {"path": f"{id}.txt", "sha256": FAKE_SHA},
    }
    data.update(fields)
    return Source.model_validate(data)


def make_requirement(
    id: str = "requirement-1", *, cases: Iterable[str] = (), **fields: Any
) -> Requirement:
    """A requirement quoted from source ``law`` (which need not exist in the ledger)."""
    data: dict[str, Any] = {
        "id": id,
        "title": f"Title of {id}",
        "text": f"The wording of {id}.",
        "force": "condition",
        "obligor": OBLIGOR,
        "instrument": "Consolidated Appropriations Act, 2017",
        "fiscal_year": 2017,
        "source": "law",
        "locator": "sec. 7045",
        "cases": list(cases),
    }
    data.update(fields)
    return Requirement.model_validate(data)


def make_case(id: str = "tlatlaya", **fields: Any) -> Case:
    data: dict[str, Any] = {
        "id": id,
        "title": f"Case {id}",
        "kind": "incident",
        "summary": f"What happened in {id}.",
    }
    data.update(fields)
    return Case.model_validate(data)


def make_claim(
    id: str,
    source: str = "cso-memo",
    *,
    bears_on: Mapping[str, str] | None = None,
    cases: Iterable[str] = (),
    relations: Iterable[Mapping[str, str]] = (),
    figures: Iterable[Mapping[str, Any]] = (),
    **fields: Any,
) -> Claim:
    """A claim; ``relations`` are dicts as in YAML, e.g. ``{"repeats": "c1"}``."""
    data: dict[str, Any] = {
        "id": id,
        "source": source,
        "locator": "p. 1",
        "quote": f"The words of {id}.",
        "statement": f"Statement {id}.",
        "kind": "fact",
        "cases": list(cases),
        "bears_on": dict(bears_on or {}),
        "relations": [dict(r) for r in relations],
        "figures": [dict(f) for f in figures],
    }
    data.update(fields)
    return Claim.model_validate(data)


def make_assertion(
    id: str, requirement: str = "requirement-1", status: str = "not-met", **fields: Any
) -> Assertion:
    """A status assertion as of 2018-02-28 (set ``case`` to assert a case's status on it)."""
    data: dict[str, Any] = {
        "id": id,
        "requirement": requirement,
        "status": status,
        "as_of": "2018-02-28",
        "asserted_by": "the maintainers",
        "date": "2026-12-01",
        "reason": f"Why {id} holds.",
    }
    data.update(fields)
    return Assertion.model_validate(data)


def make_ledger(*records: Record) -> Ledger:
    """A ledger holding these records, sorted as the loader leaves it."""
    ledger = Ledger()
    for record in records:
        kind = _KIND_OF[type(record)]
        ledger.add(kind, record, f"data/{kind}/{record.id}.yaml")  # type: ignore[attr-defined]
    ledger.sort()
    return ledger


def gov(id: str = "gov-page") -> Source:
    """The obligor's own source: a government source that speaks for the obligor."""
    return make_source(id, perspective="government", speaks_for=OBLIGOR)


def cso(id: str = "cso-memo") -> Source:
    """An independent source (perspective civil-society)."""
    return make_source(id, perspective="civil-society")
