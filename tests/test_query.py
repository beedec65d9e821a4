"""list, conflicts, gaps, search, timeline and figures on small fixture ledgers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import cso, gov, make_case, make_claim, make_ledger, make_requirement, make_source
from ledger.analysis.query import (
    conflicts,
    date_key,
    figures,
    fold,
    gaps,
    list_records,
    search,
    timeline,
    unit_key,
)
from ledger.records.ledger import Ledger
from ledger.records.vocabulary import GapKind

R1, R2 = "requirement-1", "requirement-2"


def sample() -> Ledger:
    """Two sides on Tlatlaya (contradicting), one side on Ayotzinapa, nothing on Atenco."""
    return make_ledger(
        gov(),
        cso(),
        make_source("un-report", perspective="intergovernmental", published="2016-10"),
        make_requirement(R1, cases=["tlatlaya", "atenco"]),
        make_requirement(R2),
        make_requirement("requirement-3"),
        make_case(
            "tlatlaya",
            title="Tlatlaya",
            date="2014-06-30",
            requirements=[R1],
            summary="Soldiers killed 22 people in a warehouse in Tlatlaya.",
        ),
        make_case(
            "ayotzinapa",
            title="Ayotzinapa",
            aliases=["Iguala", "43 students"],
            date="2014-09",
            summary="Disappearance of 43 students of the Ayotzinapa teachers' college.",
        ),
        make_case("atenco", title="Atenco"),
        make_case(
            "nochixtlan",
            title="Nochixtlán",
            date="2016-06-19",
            summary="Police clashed with protesters in Asunción Nochixtlán, Oaxaca.",
        ),
        make_claim(
            "cso-tlatlaya",
            "cso-memo",
            kind="allegation",
            cases=["tlatlaya"],
            bears_on={R1: "undermines"},
            as_of="2017-06",
            quote="No senior officer has been charged for the killings in Tlatlaya.",
            relations=[{"contradicts": "gov-tlatlaya"}],
        ),
        make_claim(
            "gov-tlatlaya",
            "gov-page",
            kind="official-act",
            cases=["tlatlaya"],
            bears_on={R1: "supports"},
            as_of="2018-01",
            relations=[{"contradicts": "cso-tlatlaya"}],
        ),
        make_claim(
            "gov-tlatlaya-2",
            "gov-page",
            cases=["tlatlaya"],
            bears_on={R1: "supports"},
            as_of="2018",
        ),
        make_claim(
            "gov-ayotzinapa",
            "gov-page",
            cases=["ayotzinapa"],
            bears_on={R2: "supports"},
            quote="The search for the 43 students continues in Iguala.",
            figures=[{"value": 43, "unit": "Disappeared students"}],
        ),
        make_claim(
            "cso-figures",
            "cso-memo",
            bears_on={R2: "context"},
            as_of="2017",
            statement="The registry counts   more than 30,000\ndisappeared people.",
            figures=[
                {"value": 43, "unit": "disappeared student", "qualifier": "at-least"},
                {"value": 32142, "unit": "disappeared persons"},
            ],
        ),
        make_claim(
            "un-nochixtlan",
            "un-report",
            cases=["nochixtlan"],
            bears_on={"requirement-3": "context"},
            as_of="2016-06-19",
            quote="Eight people died in Nochixtlán on 19 June.",
            figures=[{"value": 8, "unit": "dead"}],
        ),
    )


def ids(records: object) -> list[str]:
    return [r.id for r in records.records]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- list


def test_list_claims_filtered_by_source_perspective_case_and_kind() -> None:
    ledger = sample()
    assert ids(list_records(ledger, "claims", source="cso-memo")) == ["cso-figures", "cso-tlatlaya"]
    assert ids(list_records(ledger, "claim", perspective="government")) == [
        "gov-ayotzinapa",
        "gov-tlatlaya",
        "gov-tlatlaya-2",
    ]
    assert ids(list_records(ledger, "claims", case="tlatlaya", perspective="civil-society")) == [
        "cso-tlatlaya"
    ]
    assert ids(list_records(ledger, "claims", claim_kind="official-act")) == ["gov-tlatlaya"]


def test_list_claims_by_stance_on_a_requirement_or_any() -> None:
    ledger = sample()
    assert ids(list_records(ledger, "claims", requirement=R1, stance="supports")) == [
        "gov-tlatlaya",
        "gov-tlatlaya-2",
    ]
    assert ids(list_records(ledger, "claims", stance="context")) == [
        "cso-figures",
        "un-nochixtlan",
    ]


def test_list_cases_by_requirement_takes_direct_links_and_claims() -> None:
    ledger = sample()
    assert ids(list_records(ledger, "cases", requirement=R1)) == ["atenco", "tlatlaya"]
    assert ids(list_records(ledger, "cases", requirement=R2)) == ["ayotzinapa"]
    # with a claim-level filter the case needs a matching claim, not just a link
    assert ids(list_records(ledger, "cases", requirement=R1, perspective="government")) == [
        "tlatlaya"
    ]


def test_list_sources_and_requirements() -> None:
    ledger = sample()
    assert ids(list_records(ledger, "sources", perspective="government")) == ["gov-page"]
    assert ids(list_records(ledger, "sources", case="tlatlaya")) == ["cso-memo", "gov-page"]
    assert ids(list_records(ledger, "requirements", case="atenco")) == [R1]
    assert ids(list_records(ledger, "requirements", stance="context")) == [R2, "requirement-3"]


def test_list_rejects_unknown_kinds_and_values() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        list_records(sample(), "figures")
    with pytest.raises(ValueError):
        list_records(sample(), "claims", stance="maybe")
    with pytest.raises(ValueError):
        list_records(sample(), "sources", perspective="press")


def test_listing_serialises_records_by_alias() -> None:
    data = list_records(sample(), "claims", case="tlatlaya").to_dict()
    assert data["filters"] == {"case": "tlatlaya"}
    assert data["records"][0]["relations"] == [{"contradicts": "gov-tlatlaya"}]
    json.dumps(data)


# --------------------------------------------------------------------------- conflicts


def test_conflicts_are_one_pair_per_contradiction_government_left() -> None:
    [pair] = conflicts(sample()).pairs
    assert (pair.left.id, pair.right.id) == ("gov-tlatlaya", "cso-tlatlaya")
    assert pair.cases == ("tlatlaya",)


@pytest.mark.parametrize(
    ("record_id", "expected"),
    [
        ("tlatlaya", 1),
        ("cso-tlatlaya", 1),
        ("gov-page", 1),
        (R1, 1),
        ("ayotzinapa", 0),
        (R2, 0),
        ("un-report", 0),
    ],
)
def test_conflicts_restricted_to_a_record(record_id: str, expected: int) -> None:
    assert len(conflicts(sample(), record_id).pairs) == expected


# --------------------------------------------------------------------------- gaps


def test_gaps_name_what_a_researcher_should_look_at() -> None:
    report = gaps(sample())
    found = {(g.kind, g.subject) for g in report.gaps}
    assert found == {
        (GapKind.no_evidence, "requirement-3"),
        (GapKind.obligor_only, R2),
        (GapKind.case_without_claims, "atenco"),
        (GapKind.one_sided_case, "ayotzinapa"),
        (GapKind.one_sided_case, "nochixtlan"),
        (GapKind.unpaired_claim, "gov-tlatlaya-2"),
        (GapKind.undated_claim, "gov-ayotzinapa"),
    }
    assert report.counts["one-sided-case"] == 2
    kinds = [g.kind for g in report.gaps]
    assert kinds == sorted(kinds, key=list(GapKind).index)


def test_case_linked_to_a_requirement_without_claims_on_it_is_a_gap() -> None:
    ledger = sample()
    atenco = [g for g in gaps(ledger).gaps if g.subject == "atenco"]
    assert {g.related for g in atenco} == {(), (R1,)}


# --------------------------------------------------------------------------- search


def hits(ledger: Ledger, text: str) -> set[tuple[str, str]]:
    return {(h.id, h.field) for h in search(ledger, text).hits}


def test_search_ignores_accents_and_case() -> None:
    found = hits(sample(), "nochixtlan")
    assert ("nochixtlan", "title") in found
    assert ("nochixtlan", "summary") in found
    assert ("un-nochixtlan", "quote") in found
    assert hits(sample(), "NOCHIXTLÁN") == found


def test_search_finds_a_case_by_its_alias() -> None:
    found = hits(sample(), "iguala")
    assert ("ayotzinapa", "aliases") in found
    assert ("gov-ayotzinapa", "quote") in found


def test_search_gives_a_field_once_however_many_of_its_entries_match() -> None:
    """A case found by two of its aliases is one hit: the first alias that matches."""
    ledger = sample()
    case = ledger.cases["ayotzinapa"]
    aliases = [*case.aliases, "Iguala students"]
    ledger.cases["ayotzinapa"] = case.model_copy(update={"aliases": aliases})
    found = [h for h in search(ledger, "iguala").hits if h.id == "ayotzinapa"]
    assert [(h.field, h.snippet[h.start : h.end]) for h in found] == [("aliases", "Iguala")]
    assert found[0].snippet == "Iguala"


def test_search_gives_a_title_whole() -> None:
    ledger = sample()
    title = "An investigation of the " + "long " * 30 + "case of Nochixtlán and its aftermath"
    ledger.cases["nochixtlan"] = ledger.cases["nochixtlan"].model_copy(update={"title": title})
    [hit] = [h for h in search(ledger, "nochixtlan").hits if h.field == "title"]
    assert hit.snippet == title
    assert hit.snippet[hit.start : hit.end] == "Nochixtlán"


def test_search_snippet_is_original_text_with_match_offsets() -> None:
    [hit] = [h for h in search(sample(), "nochixtlan").hits if h.field == "summary"]
    assert hit.snippet[hit.start : hit.end] == "Nochixtlán"
    assert hit.kind == "cases"
    assert hit.title == "Nochixtlán"


def test_search_folds_whitespace_across_lines() -> None:
    [hit] = search(sample(), "30,000 disappeared").hits
    assert (hit.id, hit.field) == ("cso-figures", "statement")
    assert hit.snippet[hit.start : hit.end] == "30,000 disappeared"


def test_search_snippet_is_trimmed_with_ellipses() -> None:
    ledger = make_ledger(make_case("x", summary="a" * 100 + " needle " + "b" * 100))
    [hit] = search(ledger, "needle", context=10).hits
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert hit.snippet[hit.start : hit.end] == "needle"
    assert len(hit.snippet) < 40


def test_empty_search_finds_nothing_and_fold_is_stable() -> None:
    assert search(sample(), "   ").hits == ()
    assert fold("Señor  ÁLVAREZ\n") == "senor alvarez"


# --------------------------------------------------------------------------- timeline


def test_date_precision_sorts_a_period_at_its_start() -> None:
    dates = ["2017-06-01", "2018", "2017-06", "2017", "2016-12-31"]
    assert sorted(dates, key=date_key) == ["2016-12-31", "2017", "2017-06", "2017-06-01", "2018"]


def test_timeline_orders_claims_cases_and_sources() -> None:
    events = timeline(sample()).events
    order = [date_key(e.date) for e in events]
    assert order == sorted(order)
    assert [(e.date, e.id) for e in events][:4] == [
        ("2014-06-30", "tlatlaya"),
        ("2014-09", "ayotzinapa"),
        ("2016-06-19", "nochixtlan"),
        ("2016-06-19", "un-nochixtlan"),
    ]
    assert [e.id for e in events if e.date == "2017"] == ["cso-memo", "gov-page", "cso-figures"]
    assert timeline(sample()).undated == ("gov-ayotzinapa",)
    assert events[2].precision == "day" and events[1].precision == "month"


def test_timeline_of_a_case_is_its_neighbourhood() -> None:
    tl = timeline(sample(), "tlatlaya")
    assert [e.id for e in tl.events] == [
        "tlatlaya",
        "cso-memo",
        "gov-page",
        "cso-tlatlaya",
        "gov-tlatlaya-2",
        "gov-tlatlaya",
    ]
    assert tl.undated == ()


def test_timeline_of_a_claim_includes_the_claims_it_relates_to() -> None:
    tl = timeline(sample(), "gov-tlatlaya")
    assert {e.id for e in tl.events if e.kind == "claim"} == {"gov-tlatlaya", "cso-tlatlaya"}


# --------------------------------------------------------------------------- figures


def test_unit_key_folds_case_accents_spacing_and_plurals() -> None:
    assert unit_key("Disappeared  persons") == unit_key("disappeared person")
    assert unit_key("Desaparecidos-Forzados") == "desaparecido forzado"
    assert unit_key("process") == "process"


def test_figures_group_competing_numbers_by_unit_then_source() -> None:
    report = figures(sample())
    by_key = {g.key: g for g in report.groups}
    assert list(by_key) == ["dead", "disappeared person", "disappeared student"]
    students = by_key["disappeared student"]
    assert students.units == ("Disappeared students", "disappeared student")
    assert [s.source for s in students.sources] == ["cso-memo", "gov-page"]
    assert [s.side.value for s in students.sources] == ["independent", "obligor"]
    assert students.sources[0].figures[0].qualifier.value == "at-least"


def test_figures_filter_by_unit() -> None:
    report = figures(sample(), unit="Disappeared")
    assert [g.key for g in report.groups] == ["disappeared person", "disappeared student"]
    assert figures(sample(), unit="nothing").groups == ()
    json.dumps(report.to_dict())


@settings(max_examples=300, deadline=None)
@given(
    value=st.text(alphabet="ab C\t\n \r\x0b\x1c\x85\xa0éÉß\u0301¨ﬁ\u2163İxyZ.,’", max_size=40),
    picks=st.tuples(st.integers(0, 60), st.integers(0, 60)),
)
def test_a_match_is_placed_as_the_character_map_places_it(
    value: str, picks: tuple[int, int]
) -> None:
    """A match is placed word by word; the place is the character map's, accents, marks
    that fold to a space or to nothing, and ligatures included."""
    from ledger.analysis.query import _origins
    from ledger.analysis.textfold import fold, fold_with_map

    folded = fold(value)
    if not folded:
        return
    first, last = sorted(p % len(folded) for p in picks)
    needle = fold(folded[first : last + 1])
    if not needle:
        return
    at = folded.find(needle)
    if at < 0:  # a mark folded to a space beside a space: what search folds never has it
        return
    _, origin = fold_with_map(value)
    placed = _origins(value, at, at + len(needle) - 1)
    if value.isascii():  # plain text is always placed word by word, never handed back
        assert placed is not None
    assert placed is None or placed == (
        origin[at],
        origin[at + len(needle) - 1],
    )
