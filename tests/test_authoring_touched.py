"""A change is checked on the records it touches, and refused for exactly the errors a check
of the whole ledger before and after would show."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Sample, age, layout_for
from ledger.analysis.checks import check_ledger
from ledger.authoring import new_records as authoring
from ledger.authoring.workspace import Workspace, keep_index, open_workspace
from ledger.records.diagnostics import Diagnostic
from ledger.records.ledger import Ledger
from ledger.records.model import RECORD_TYPES

CLAIM: dict[str, Any] = {
    "id": "new-claim",
    "source": "cso-memo-2017",
    "locator": "REQUIREMENT 2, paragraph 1",
    "quote": "the PGR received over 10,000 complaints of torture between 2012 and 2016",
    "statement": "The memo says so.",
    "kind": "figure",
    "cases": ["torture-prosecutions"],
    "bears_on": {"requirement-2": "undermines"},
}

CHANGES: dict[str, tuple[str, dict[str, Any]]] = {
    "a sound claim": ("claims", CLAIM),
    "a quote not in the source": ("claims", {**CLAIM, "quote": "words nobody wrote"}),
    "a missing case and requirement": (
        "claims",
        {**CLAIM, "cases": ["nowhere"], "bears_on": {"requirement-9": "supports"}},
    ),
    "a case listed twice": ("claims", {**CLAIM, "cases": ["tlatlaya", "tlatlaya"]}),
    "a relation to itself": ("claims", {**CLAIM, "relations": [{"repeats": "new-claim"}]}),
    "no subject": ("claims", {**CLAIM, "cases": [], "bears_on": {}}),
    "a claim from a missing source": ("claims", {**CLAIM, "source": "gone-source"}),
    "a case another record names as a claim": (
        "cases",
        {"id": "dangling", "title": "A case", "kind": "incident", "summary": "What."},
    ),
    "a claim another record names as a claim": ("claims", {**CLAIM, "id": "dangling"}),
}


def _whole(ws: Workspace, candidate: Ledger) -> list[Diagnostic]:
    def errors(ledger: Ledger) -> list[Diagnostic]:
        found = check_ledger(ledger, ws.layout, unloaded=ws.unloaded)
        return [d for d in found if d.severity == "error"]

    known = {authoring._key(d) for d in errors(ws.ledger)}
    return [d for d in errors(candidate) if authoring._key(d) not in known]


@pytest.mark.parametrize("indexed", [False, True], ids=["whole", "indexed"])
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_touched_records_give_the_whole_checks_answer(
    sample_copy: Sample, change: str, indexed: bool
) -> None:
    sample_copy.edit(
        "claims/cso-torture-complaints.yaml",
        "  - torture-prosecutions\n",
        "  - torture-prosecutions\n  - dangling\nrelations:\n  - repeats: dangling\n",
    )
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    whole = open_workspace(layout)
    assert isinstance(whole, Workspace), whole
    ws = whole
    if indexed:  # only the records the checks need, read as the kept index names them
        keep_index(whole)
        ws = open_workspace(layout, indexed=True)  # type: ignore[assignment]
        assert isinstance(ws, Workspace) and ws.index is not None
    kind, values = CHANGES[change]
    record = RECORD_TYPES[kind].model_validate(values)
    rel = f"data/{kind}/{values['id']}.yaml"
    candidate = authoring._with_record(whole.ledger, kind, record, rel)
    ours = authoring._changed_errors(ws, kind, record, rel)
    assert ours == _whole(whole, candidate)
    if change != "a sound claim":
        assert ours, "the change brings an error"
    elif indexed:
        assert ws.index is not None, "a sound claim is checked without loading the ledger"
        assert len(ws.ledger.claims) < len(whole.ledger.claims)
