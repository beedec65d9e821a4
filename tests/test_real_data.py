"""The repository's own data set: clean, verified, complete and fair to both sides."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import pytest

from ledger.analysis.quotes import find_quote, normalise
from ledger.records.load import LoadResult, load
from ledger.records.model import Force, Perspective, RelationKind
from ledger.records.root import open_layout

REPO = Path(__file__).resolve().parent.parent
SHARED_SOURCES = REPO.parent / "shared" / "sources"


@pytest.fixture(scope="module")
def loaded() -> LoadResult:
    layout = open_layout(REPO)
    assert not isinstance(layout, str) and hasattr(layout, "data")
    return load(layout)  # type: ignore[arg-type]


def test_the_data_is_clean(loaded: LoadResult) -> None:
    assert [d.to_dict() for d in loaded.diagnostics] == []


def test_every_quote_and_wording_verifies(loaded: LoadResult) -> None:
    ledger = loaded.ledger
    texts = {sid: normalise(text) for sid, text in ledger.source_texts.items()}
    assert set(texts) == set(ledger.sources)
    missing = [
        c.id for c in ledger.claims.values() if not find_quote(c.quote, texts[c.source]).found
    ]
    missing += [
        r.id for r in ledger.requirements.values() if not find_quote(r.text, texts[r.source]).found
    ]
    assert missing == []


def test_sources_are_archived_byte_for_byte(loaded: LoadResult) -> None:
    originals = {
        "cso-memo-2017": "000_252d391a29cfd5dc.txt",
        "mx-gov-case-updates-2018": "003_e148f4d81683c61a.txt",
    }
    for source_id, original in originals.items():
        source = loaded.ledger.sources[source_id]
        archived = (REPO / "data" / "sources" / source.archive.path).read_bytes()
        assert hashlib.sha256(archived).hexdigest() == source.archive.sha256
        if SHARED_SOURCES.is_dir():
            assert archived == (SHARED_SOURCES / original).read_bytes()
    perspectives = {s.id: s.perspective for s in loaded.ledger.sources.values()}
    assert perspectives["cso-memo-2017"] is Perspective.civil_society
    assert perspectives["mx-gov-case-updates-2018"] is Perspective.government


def test_four_requirements_with_their_force(loaded: LoadResult) -> None:
    reqs = loaded.ledger.requirements
    assert sorted(reqs) == [f"requirement-{n}" for n in range(1, 5)]
    assert [reqs[f"requirement-{n}"].force for n in range(1, 5)] == [
        Force.condition,
        Force.condition,
        Force.condition,
        Force.expectation,
    ]
    assert {r.obligor for r in reqs.values()} == {"Government of Mexico"}


def test_every_case_has_a_claim(loaded: LoadResult) -> None:
    claimed = {case for claim in loaded.ledger.claims.values() for case in claim.cases}
    assert sorted(set(loaded.ledger.cases) - claimed) == []


def test_every_requirement_has_claims_bearing_on_it(loaded: LoadResult) -> None:
    borne = {req for claim in loaded.ledger.claims.values() for req in claim.bears_on}
    assert sorted(set(loaded.ledger.requirements) - borne) == []


def test_the_cases_the_documents_name_are_recorded(loaded: LoadResult) -> None:
    expected = {
        "tlatlaya", "ayotzinapa", "atenco", "nitza-paola-alvarado", "taylin-wang",
        "ines-fernandez", "valentina-rosendo", "bonfilio-rubio", "maria-magdalena-saavedra",
        "veronica-razo", "monica-esparza-castro", "inm-torture", "veracruz-mass-graves",
        "nochixtlan", "oaxaca-unnamed-case", "pegasus-spyware", "law-on-internal-security",
        "general-law-against-torture", "general-law-on-disappearances",
    }  # fmt: skip
    assert expected <= set(loaded.ledger.cases)


def test_both_sources_have_many_claims(loaded: LoadResult) -> None:
    by_source: dict[str, int] = {}
    for claim in loaded.ledger.claims.values():
        by_source[claim.source] = by_source.get(claim.source, 0) + 1
    assert len(loaded.ledger.claims) > 150
    assert by_source["cso-memo-2017"] > 80
    assert by_source["mx-gov-case-updates-2018"] > 50


def test_every_contradiction_links_claims_of_different_sources(loaded: LoadResult) -> None:
    claims = loaded.ledger.claims
    pairs = [
        (claim, claims[rel.target])
        for claim in claims.values()
        for rel in claim.relations
        if rel.kind is RelationKind.contradicts
    ]
    assert pairs, "the two sources disagree: the ledger must link their contradicting claims"
    assert [(a.id, b.id) for a, b in pairs if a.source == b.source] == []


def test_key_figures_are_structured(loaded: LoadResult) -> None:
    figures = {
        (fig.value, claim.source)
        for claim in loaded.ledger.claims.values()
        for fig in claim.figures
    }
    for expected in [
        (32142, "cso-memo-2017"),
        (168, "mx-gov-case-updates-2018"),
        (941, "mx-gov-case-updates-2018"),
        (95, "mx-gov-case-updates-2018"),
    ]:
        assert expected in figures


def test_one_shared_analysis_gives_every_case_and_requirement_its_fresh_status(
    loaded: LoadResult,
) -> None:
    """Commands that report on every case share one index of the ledger; what each case and
    requirement is given from it must be what a fresh computation of that one record gives."""
    from ledger.analysis.status import Analysis, case_status, overview, requirement_status

    ledger = loaded.ledger
    shared = Analysis.of(ledger)
    assert overview(ledger, shared) == overview(ledger)
    for req_id in ledger.requirements:
        assert requirement_status(ledger, req_id, shared) == requirement_status(ledger, req_id)
    for case_id in ledger.cases:
        assert case_status(ledger, case_id, shared) == case_status(ledger, case_id)
    with pytest.raises(ValueError, match="another ledger"):
        case_status(copy.copy(ledger), next(iter(ledger.cases)), shared)


def test_a_case_on_a_requirement_is_judged_once_for_both_reports(
    loaded: LoadResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site shows each case's group twice, on the requirement's page and on the case's:
    with one analysis it is judged once, and each report is what a fresh one gives."""
    from ledger.analysis import status
    from ledger.analysis.status import Analysis, case_status, requirement_status

    ledger = loaded.ledger
    fresh_requirements = {r: requirement_status(ledger, r) for r in ledger.requirements}
    fresh_cases = {c: case_status(ledger, c) for c in ledger.cases}
    judged: list[int] = []
    real = status._judge

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        judged.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(status, "_judge", counted)
    shared = Analysis.of(ledger)
    for req_id, fresh in fresh_requirements.items():
        assert requirement_status(ledger, req_id, shared) == fresh
    on_requirements = len(judged)
    for case_id, fresh in fresh_cases.items():
        assert case_status(ledger, case_id, shared) == fresh
    groups = {(c, g.id) for c, report in fresh_cases.items() for g in report.requirements}
    assert groups <= set(shared.judged)
    assert len(judged) - on_requirements == len(groups - set(shared.judged)) == 0
