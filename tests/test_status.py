"""The status rule: each line on a fixture where it fires, and the rule's invariants."""

from __future__ import annotations

import itertools
import json

import pytest

from builders import (
    OBLIGOR,
    cso,
    gov,
    make_case,
    make_claim,
    make_ledger,
    make_requirement,
    make_source,
)
from ledger.analysis.status import (
    RULE_LINES,
    case_status,
    contradiction_pairs,
    evaluate,
    figure_views,
    is_obligor_source,
    obligors,
    overview,
    requirement_status,
)
from ledger.analysis.status_report import RULE, RULE_VERSION, Side, Status, Tally
from ledger.records.ledger import Ledger
from ledger.records.model import Source
from ledger.records.vocabulary import GapKind

R = "requirement-1"


def status_of(ledger: Ledger, requirement: str = R) -> tuple[Status, str]:
    verdict = requirement_status(ledger, requirement).verdict
    return verdict.status, verdict.line


def base(*claims: object) -> Ledger:
    """Government and civil-society sources, requirement-1, and the given claims."""
    return make_ledger(gov(), cso(), make_requirement(R), *claims)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- each rule line


def test_s1_no_claim_bears_on_the_requirement() -> None:
    assert status_of(base()) == (Status.no_evidence, "S1")


def test_s1_context_claims_alone_are_no_evidence_but_are_listed() -> None:
    ledger = base(make_claim("c1", "cso-memo", bears_on={R: "context"}))
    result = requirement_status(ledger, R)
    assert (result.verdict.status, result.verdict.line) == (Status.no_evidence, "S1")
    assert result.verdict.tally.context == 1
    [group] = result.cases
    assert [e.claim.id for e in group.context] == ["c1"]
    assert group.context[0].counted is False


def test_s2_independent_undermine_and_obligor_support_is_not_met_and_disputed() -> None:
    ledger = base(
        make_claim("cso-1", "cso-memo", bears_on={R: "undermines"}),
        make_claim("gov-1", "gov-page", bears_on={R: "supports"}),
    )
    result = requirement_status(ledger, R)
    assert (result.verdict.status, result.verdict.line) == (Status.not_met, "S2")
    assert result.verdict.disputed == ("gov-1",)
    [group] = result.cases
    assert group.supports[0].disputed is True
    assert group.undermines[0].disputed is False


def test_s3_independent_claims_on_both_sides_are_contested() -> None:
    ledger = base(
        make_claim("a", "cso-memo", bears_on={R: "supports"}),
        make_claim("b", "cso-memo", bears_on={R: "undermines"}),
    )
    assert status_of(ledger) == (Status.contested, "S3")


def test_s3_independent_support_against_an_obligor_admission_is_contested_not_met() -> None:
    ledger = base(
        make_claim("a", "cso-memo", bears_on={R: "supports"}),
        make_claim("b", "gov-page", bears_on={R: "undermines"}),
    )
    assert status_of(ledger) == (Status.contested, "S3")


def test_s4_independent_support_alone_is_met() -> None:
    ledger = base(
        make_claim("a", "cso-memo", bears_on={R: "supports"}),
        make_claim("b", "gov-page", bears_on={R: "supports"}),
    )
    assert status_of(ledger) == (Status.met, "S4")


def test_s5_obligor_support_alone_is_claimed_never_met() -> None:
    ledger = base(
        *(make_claim(f"g{i}", "gov-page", bears_on={R: "supports"}) for i in range(5)),
    )
    result = requirement_status(ledger, R)
    assert (result.verdict.status, result.verdict.line) == (Status.claimed_by_obligor, "S5")
    assert result.verdict.tally.obligor_supports == 5


def test_s6_obligor_undermining_alone_is_an_admission() -> None:
    ledger = base(make_claim("g", "gov-page", bears_on={R: "undermines"}))
    assert status_of(ledger) == (Status.not_met, "S6")


def test_s6_obligor_admission_wins_over_its_own_claim_and_its_claim_is_disputed() -> None:
    ledger = base(
        make_claim("g1", "gov-page", bears_on={R: "supports"}),
        make_claim("g2", "gov-page", bears_on={R: "undermines"}),
    )
    result = requirement_status(ledger, R)
    assert (result.verdict.status, result.verdict.line) == (Status.not_met, "S6")
    assert result.verdict.disputed == ("g1",)


# --------------------------------------------------------------------------- rule invariants


TALLIES = [
    Tally(
        independent_supports=a,
        independent_undermines=b,
        obligor_supports=c,
        obligor_undermines=d,
    )
    for a, b, c, d in itertools.product(range(3), repeat=4)
]


@pytest.mark.parametrize("tally", TALLIES, ids=repr)
def test_exactly_one_line_matches_every_tally(tally: Tally) -> None:
    matching = [line.line for line in RULE_LINES if line.test(tally)]
    assert len(matching) == 1
    rule_line, _ = evaluate(tally)
    assert rule_line.line == matching[0]


@pytest.mark.parametrize("tally", TALLIES, ids=repr)
def test_met_needs_independent_support_and_no_undermining(tally: Tally) -> None:
    rule_line, _ = evaluate(tally)
    if rule_line.status is Status.met:
        assert tally.independent_supports > 0
        assert tally.independent_undermines == tally.obligor_undermines == 0
    if tally.independent_supports == 0:
        assert rule_line.status is not Status.met


def test_trace_lists_every_line_tested_up_to_the_one_that_fired() -> None:
    ledger = base(
        make_claim("a", "cso-memo", bears_on={R: "supports"}),
        make_claim("b", "cso-memo", bears_on={R: "undermines"}),
    )
    steps = requirement_status(ledger, R).verdict.steps
    assert [(s.line, s.matched) for s in steps] == [("S1", False), ("S2", False), ("S3", True)]
    assert "independent: 1 support, 1 undermine" in steps[-1].why
    assert steps[-1].status is Status.contested


def test_rule_has_a_name_and_version_in_every_result() -> None:
    data = requirement_status(base(), R).to_dict()
    assert data["rule"] == {"name": RULE, "version": RULE_VERSION}
    assert overview(base()).to_dict()["rule"] == {"name": "ledger-status", "version": "2"}


# --------------------------------------------------------------------------- sides


def us_report(speaks_for: str | None = "Government of the United States") -> Source:
    """Another government's report on the obligor: government, but not the obligor's word."""
    fields = {"speaks_for": speaks_for} if speaks_for else {}
    return make_source("us-report", perspective="government", **fields)


def test_the_obligors_own_sources_are_those_that_speak_for_the_obligor() -> None:
    mexico = frozenset({OBLIGOR})
    assert is_obligor_source(gov(), mexico) is True
    assert is_obligor_source(cso(), mexico) is False
    assert is_obligor_source(us_report(), mexico) is False
    assert is_obligor_source(us_report(None), mexico) is False
    assert is_obligor_source(us_report(), frozenset({"Government of the United States"}))


def test_speaks_for_is_matched_exactly() -> None:
    for near in ("government of Mexico", "Government of Mexico ", "Government  of Mexico"):
        source = make_source("x", perspective="government", speaks_for=near)
        assert is_obligor_source(source, frozenset({OBLIGOR})) is False, near


def test_another_governments_support_is_independent_and_can_make_it_met() -> None:
    ledger = make_ledger(
        us_report(), make_requirement(R), make_claim("us", "us-report", bears_on={R: "supports"})
    )
    report = requirement_status(ledger, R)
    assert (report.verdict.status, report.verdict.line) == (Status.met, "S4")
    assert report.verdict.tally.independent_supports == 1
    assert report.cases[-1].supports[0].claim.side is Side.independent


def test_any_perspective_speaking_for_the_obligor_is_the_obligors_own() -> None:
    party = make_source("party", perspective="legislature", speaks_for=OBLIGOR)
    ledger = make_ledger(
        party, make_requirement(R), make_claim("p", "party", bears_on={R: "supports"})
    )
    assert status_of(ledger) == (Status.claimed_by_obligor, "S5")


def test_a_claims_side_follows_each_requirements_obligor() -> None:
    """One US report bears on a requirement judging Mexico and one judging the US itself."""
    us_req = make_requirement("requirement-2", obligor="Government of the United States")
    ledger = make_ledger(
        us_report(),
        make_requirement(R),
        us_req,
        make_case("tlatlaya"),
        make_claim(
            "us",
            "us-report",
            bears_on={R: "supports", "requirement-2": "supports"},
            cases=["tlatlaya"],
        ),
    )
    assert status_of(ledger, R) == (Status.met, "S4")
    assert status_of(ledger, "requirement-2") == (Status.claimed_by_obligor, "S5")
    groups = {g.id: g for g in case_status(ledger, "tlatlaya").requirements}
    assert groups[R].supports[0].claim.side is Side.independent
    assert groups["requirement-2"].supports[0].claim.side is Side.obligor
    assert (groups[R].verdict.status, groups["requirement-2"].verdict.status) == (
        Status.met,
        Status.claimed_by_obligor,
    )


def test_outside_one_requirement_a_source_of_any_obligor_is_the_obligors() -> None:
    """Contradictions and figures span requirements: the obligor's side there is that of
    every requirement's obligor, and another government's report is independent."""
    ledger = make_ledger(
        gov(),
        us_report(),
        make_requirement(R),
        make_claim(
            "a-us",
            "us-report",
            bears_on={R: "undermines"},
            relations=[{"contradicts": "b-mx"}],
            figures=[{"value": 3, "unit": "cases"}],
        ),
        make_claim("b-mx", "gov-page", bears_on={R: "supports"}),
    )
    assert obligors(ledger) == frozenset({OBLIGOR})
    (pair,) = contradiction_pairs(ledger)
    assert (pair.left.id, pair.left.side, pair.right.side) == (
        "b-mx",
        Side.obligor,
        Side.independent,
    )
    assert figure_views(ledger, ledger.claims.values())[0].side is Side.independent
    judged_too = make_requirement("requirement-2", obligor="Government of the United States")
    ledger.add("requirements", judged_too, "data/requirements/requirement-2.yaml")
    assert figure_views(ledger, ledger.claims.values())[0].side is Side.obligor


def test_the_verdict_says_which_sources_are_the_obligors_and_why() -> None:
    ledger = make_ledger(
        gov(),
        cso(),
        us_report(),
        make_source("gov-2", perspective="government"),
        make_requirement(R),
        make_claim("a", "gov-page", bears_on={R: "supports"}),
        make_claim("b", "cso-memo", bears_on={R: "context"}),
        make_claim("c", "us-report", bears_on={R: "undermines"}),
        make_claim("d", "gov-2", bears_on={R: "undermines"}),
    )
    verdict = requirement_status(ledger, R).verdict
    assert verdict.obligor == OBLIGOR
    sides = {s.source: (s.side, s.why) for s in verdict.sides}
    assert sides == {
        "cso-memo": (Side.independent, "no speaks_for, not the obligor (Government of Mexico)"),
        "gov-2": (
            Side.independent,
            "no speaks_for (a government source), not the obligor (Government of Mexico)",
        ),
        "gov-page": (Side.obligor, "speaks for Government of Mexico, the obligor"),
        "us-report": (
            Side.independent,
            "speaks for Government of the United States, not the obligor (Government of Mexico)",
        ),
    }
    assert [s.source for s in verdict.sides] == sorted(sides)
    assert verdict.to_dict()["sides"][2] == {
        "source": "gov-page",
        "perspective": "government",
        "speaks_for": OBLIGOR,
        "side": "obligor",
        "why": "speaks for Government of Mexico, the obligor",
    }


# --------------------------------------------------------------------------- counting


def test_a_repeat_counts_once() -> None:
    ledger = base(
        make_claim("a", "cso-memo", bears_on={R: "supports"}),
        make_claim("b", "cso-memo", bears_on={R: "supports"}, relations=[{"repeats": "a"}]),
    )
    result = requirement_status(ledger, R)
    tally = result.verdict.tally
    assert (tally.independent_supports, tally.merged_repeats) == (1, 1)
    by_id = {e.claim.id: e for e in result.cases[0].supports}
    assert by_id["a"].counted and not by_id["b"].counted
    assert by_id["b"].counted_with == "a"


def test_a_chain_of_repeats_counts_once() -> None:
    ledger = base(
        make_claim("a", "cso-memo", bears_on={R: "undermines"}),
        make_claim("b", "cso-memo", bears_on={R: "undermines"}, relations=[{"repeats": "a"}]),
        make_claim("c", "cso-memo", bears_on={R: "undermines"}, relations=[{"repeats": "b"}]),
    )
    tally = requirement_status(ledger, R).verdict.tally
    assert (tally.independent_undermines, tally.merged_repeats) == (1, 2)


def test_a_cycle_of_repeats_still_counts_once() -> None:
    ledger = base(
        make_claim("a", "cso-memo", bears_on={R: "supports"}, relations=[{"repeats": "b"}]),
        make_claim("b", "cso-memo", bears_on={R: "supports"}, relations=[{"repeats": "a"}]),
    )
    assert requirement_status(ledger, R).verdict.tally.independent_supports == 1


def test_independent_repeat_of_the_obligor_is_the_obligors_word() -> None:
    ledger = base(
        make_claim("g", "gov-page", bears_on={R: "supports"}),
        make_claim("c", "cso-memo", bears_on={R: "supports"}, relations=[{"repeats": "g"}]),
    )
    result = requirement_status(ledger, R)
    assert (result.verdict.status, result.verdict.line) == (Status.claimed_by_obligor, "S5")
    assert result.verdict.tally.independent_supports == 0


def test_a_repeat_with_a_different_stance_is_counted_separately_and_noted() -> None:
    ledger = base(
        make_claim("a", "cso-memo", bears_on={R: "supports"}),
        make_claim("b", "cso-memo", bears_on={R: "undermines"}, relations=[{"repeats": "a"}]),
    )
    verdict = requirement_status(ledger, R).verdict
    assert (verdict.status, verdict.line) == (Status.contested, "S3")
    assert verdict.tally.merged_repeats == 0
    assert any("b repeats a" in note for note in verdict.notes)


def test_context_claims_are_shown_not_counted() -> None:
    ledger = base(
        make_claim("a", "cso-memo", bears_on={R: "supports"}),
        make_claim("b", "cso-memo", bears_on={R: "context"}),
        make_claim("c", "gov-page", bears_on={R: "context"}),
    )
    result = requirement_status(ledger, R)
    assert result.verdict.tally.context == 2
    assert result.verdict.tally.counted == 1
    assert (result.verdict.status, result.verdict.line) == (Status.met, "S4")
    assert [e.claim.id for e in result.cases[0].context] == ["b", "c"]


def test_a_claim_whose_source_is_missing_is_skipped_with_a_note() -> None:
    ledger = base(make_claim("x", "no-such-source", bears_on={R: "supports"}))
    verdict = requirement_status(ledger, R).verdict
    assert (verdict.status, verdict.line) == (Status.no_evidence, "S1")
    assert any("x: skipped" in note for note in verdict.notes)


# --------------------------------------------------------------------------- per case


def per_case_ledger() -> Ledger:
    return make_ledger(
        gov(),
        cso(),
        make_requirement(R, cases=["tlatlaya", "atenco"]),
        make_case("tlatlaya"),
        make_case("ayotzinapa"),
        make_case("atenco"),
        make_claim("g1", "gov-page", bears_on={R: "supports"}, cases=["tlatlaya"], as_of="2018"),
        make_claim(
            "c1",
            "cso-memo",
            bears_on={R: "undermines"},
            cases=["tlatlaya"],
            relations=[{"contradicts": "g1"}],
            as_of="2017-06",
        ),
        make_claim("g2", "gov-page", bears_on={R: "supports"}, cases=["ayotzinapa"]),
        make_claim("c2", "cso-memo", bears_on={R: "context"}, as_of="2017"),
    )


def test_claims_are_grouped_per_case_with_a_verdict_each_and_no_case_last() -> None:
    result = requirement_status(per_case_ledger(), R)
    assert [g.id for g in result.cases] == ["atenco", "ayotzinapa", "tlatlaya", None]
    by_id = {g.id: g for g in result.cases}
    assert by_id["tlatlaya"].verdict.line == "S2"
    assert by_id["ayotzinapa"].verdict.status is Status.claimed_by_obligor
    assert by_id["atenco"].verdict.status is Status.no_evidence
    assert [e.claim.id for e in by_id[None].context] == ["c2"]
    assert by_id["tlatlaya"].title == "Case tlatlaya"
    tl = by_id["tlatlaya"]
    assert tl.supports[0].claim.side is Side.obligor
    assert tl.undermines[0].claim.source_title == "Title of cso-memo"
    assert tl.undermines[0].claim.quote == "The words of c1."


def test_requirement_gaps_name_one_sided_cases_undated_claims_and_silent_cases() -> None:
    gaps = requirement_status(per_case_ledger(), R).gaps
    found = {(g.kind, g.subject) for g in gaps}
    assert found == {
        (GapKind.case_without_claims, "atenco"),
        (GapKind.one_sided_case, "ayotzinapa"),
        (GapKind.undated_claim, "g2"),
    }


def test_contradictions_are_deduplicated_with_the_government_on_the_left() -> None:
    ledger = base(
        make_claim(
            "a-cso", "cso-memo", bears_on={R: "undermines"}, relations=[{"contradicts": "z-gov"}]
        ),
        make_claim(
            "z-gov", "gov-page", bears_on={R: "supports"}, relations=[{"contradicts": "a-cso"}]
        ),
    )
    [pair] = requirement_status(ledger, R).contradictions
    assert (pair.left.id, pair.right.id) == ("z-gov", "a-cso")
    assert pair.declared_by == ("a-cso", "z-gov")


def test_contradiction_with_a_claim_bearing_elsewhere_is_still_shown() -> None:
    ledger = base(
        make_requirement("requirement-2"),
        make_claim("a", "cso-memo", bears_on={"requirement-2": "undermines"}),
        make_claim("b", "gov-page", bears_on={R: "supports"}, relations=[{"contradicts": "a"}]),
    )
    assert len(requirement_status(ledger, R).contradictions) == 1
    assert requirement_status(ledger, R).contradictions[0].requirements == (R, "requirement-2")


def test_key_figures_come_from_the_claims_bearing_on_it() -> None:
    ledger = base(
        make_claim(
            "a",
            "cso-memo",
            bears_on={R: "undermines"},
            figures=[{"value": 32142, "unit": "disappeared persons", "qualifier": "more-than"}],
        ),
        make_claim("b", "gov-page", figures=[{"value": 1, "unit": "x"}]),
    )
    [fig] = requirement_status(ledger, R).figures
    assert (fig.claim, fig.value, fig.unit, fig.qualifier.value) == (
        "a",
        32142,
        "disappeared persons",
        "more-than",
    )


# --------------------------------------------------------------------------- case status


def test_case_status_spans_every_requirement_the_case_touches() -> None:
    ledger = make_ledger(
        gov(),
        cso(),
        make_requirement(R),
        make_requirement("requirement-2"),
        make_requirement("requirement-3", cases=["tlatlaya"]),
        make_case("tlatlaya"),
        make_claim("g1", "gov-page", bears_on={R: "supports"}, cases=["tlatlaya"]),
        make_claim("c1", "cso-memo", bears_on={"requirement-2": "supports"}, cases=["tlatlaya"]),
        make_claim("c9", "cso-memo", bears_on={R: "undermines"}, cases=["other"]),
        make_claim("n1", "cso-memo", cases=["tlatlaya"]),
    )
    result = case_status(ledger, "tlatlaya")
    assert [g.id for g in result.requirements] == [R, "requirement-2", "requirement-3"]
    by_id = {g.id: g for g in result.requirements}
    assert by_id[R].verdict.line == "S5"  # c9 is about another case
    assert by_id["requirement-2"].verdict.line == "S4"
    assert by_id["requirement-3"].verdict.line == "S1"
    assert [c.id for c in result.unlinked] == ["n1"]
    kinds = {(g.kind, g.subject, g.related) for g in result.gaps}
    assert (GapKind.case_without_claims, "tlatlaya", ("requirement-3",)) in kinds


# --------------------------------------------------------------------------- overview, JSON


def test_overview_has_one_row_per_requirement_with_counts() -> None:
    ledger = per_case_ledger()
    ledger.requirements["requirement-0"] = make_requirement("requirement-0")
    ledger.sort()
    rows = overview(ledger).rows
    assert [r.id for r in rows] == ["requirement-0", R]
    row = rows[1]
    assert (row.status, row.line) == (Status.not_met, "S2")
    assert (row.independent_undermines, row.obligor_supports, row.context) == (1, 2, 1)
    assert (row.cases, row.contradictions) == (3, 1)
    assert rows[0].status is Status.no_evidence


def test_to_dict_is_json_ready_and_deterministic() -> None:
    first = requirement_status(per_case_ledger(), R).to_dict()
    text = json.dumps(first, sort_keys=False)
    assert json.loads(text) == first
    assert first["verdict"]["status"] == "not-met"
    assert first["verdict"]["line"] == "S2"
    assert first["cases"][-1]["id"] is None
    assert first["cases"][2]["supports"][0]["claim"]["perspective"] == "government"
    assert "test" not in first["verdict"]["steps"][0]
    assert json.dumps(requirement_status(per_case_ledger(), R).to_dict()) == text
    json.dumps(case_status(per_case_ledger(), "tlatlaya").to_dict())
    json.dumps(overview(per_case_ledger()).to_dict())


def test_unknown_requirement_raises_key_error() -> None:
    with pytest.raises(KeyError):
        requirement_status(base(), "requirement-9")


def test_a_report_cut_to_its_first_cases_is_the_whole_one_up_to_them() -> None:
    """The terminal asks for the first cases' groups only; everything else in the report is
    of every claim, exactly as in the whole report, and the claims about no case keep
    their group."""
    ledger = base(
        *(make_case(f"case-{n}", requirements=[R]) for n in range(5)),
        *(
            make_claim(
                f"c{n}",
                "cso-memo" if n % 2 else "gov-page",
                cases=[f"case-{n}"],
                bears_on={R: "supports" if n % 3 else "undermines"},
            )
            for n in range(5)
        ),
        make_claim("loose", bears_on={R: "undermines"}),
        make_claim("typo", cases=["case-00"], bears_on={R: "supports"}),
    )
    whole = requirement_status(ledger, R)
    cut = requirement_status(ledger, R, cases_shown=2)

    ids = [g.id for g in whole.cases]
    assert ids == ["case-0", "case-00", "case-1", "case-2", "case-3", "case-4", None]
    # An id that is no case counts among those shown, so that a ledger whose case files
    # failed to load still gets an answer of bounded length.
    assert cut.cases == (*whole.cases[:2], whole.cases[-1])
    assert (cut.cases_left_out, whole.cases_left_out) == (4, 0)
    for part in ("verdict", "contradictions", "figures", "gaps"):
        assert getattr(cut, part) == getattr(whole, part)
    assert "cases_left_out" not in whole.to_dict()
    assert requirement_status(ledger, R, cases_shown=9).cases == whole.cases
