"""Cross-reference index and id resolution."""

from __future__ import annotations

import json

import pytest

from builders import cso, gov, make_case, make_claim, make_ledger, make_requirement
from ledger.analysis.xref import (
    Match,
    XrefIndex,
    fold_id,
    inbound_of,
    outbound_of,
    resolve,
    resolve_among,
    show,
    xref,
)
from ledger.records.ledger import Ledger


def sample() -> Ledger:
    return make_ledger(
        gov(),
        cso(),
        make_requirement("requirement-1", cases=["tlatlaya"], source="cso-memo"),
        make_requirement("requirement-2", source="gov-page"),
        make_case("tlatlaya", requirements=["requirement-2"]),
        make_case("nochixtlan"),
        make_claim(
            "cso-tlatlaya-1",
            "cso-memo",
            cases=["tlatlaya"],
            bears_on={"requirement-1": "undermines"},
            relations=[{"contradicts": "gov-tlatlaya-1"}],
        ),
        make_claim(
            "gov-tlatlaya-1",
            "gov-page",
            cases=["tlatlaya"],
            bears_on={"requirement-1": "supports"},
            relations=[{"responds-to": "cso-tlatlaya-1"}, {"repeats": "gone"}],
        ),
    )


def roles(links: tuple) -> list[tuple[str, str, str]]:
    return [(link.from_id, link.role, link.to_id) for link in links]


def test_claim_outbound_names_source_cases_requirements_and_relations() -> None:
    out = XrefIndex(sample()).outbound("cso-tlatlaya-1")
    assert roles(out) == [
        ("cso-tlatlaya-1", "bears-on", "requirement-1"),
        ("cso-tlatlaya-1", "case", "tlatlaya"),
        ("cso-tlatlaya-1", "contradicts", "gov-tlatlaya-1"),
        ("cso-tlatlaya-1", "source", "cso-memo"),
    ]
    assert out[0].detail == "undermines"
    assert out[0].to_kind == "requirements"


def test_inbound_collects_everything_that_points_at_a_record() -> None:
    index = XrefIndex(sample())
    assert roles(index.inbound("tlatlaya")) == [
        ("cso-tlatlaya-1", "case", "tlatlaya"),
        ("gov-tlatlaya-1", "case", "tlatlaya"),
        ("requirement-1", "case", "tlatlaya"),
    ]
    assert roles(index.inbound("requirement-2")) == [("tlatlaya", "requirement", "requirement-2")]
    assert roles(index.inbound("cso-memo")) == [
        ("cso-tlatlaya-1", "source", "cso-memo"),
        ("requirement-1", "source", "cso-memo"),
    ]
    assert roles(index.inbound("cso-tlatlaya-1")) == [
        ("gov-tlatlaya-1", "responds-to", "cso-tlatlaya-1")
    ]


def test_a_link_to_a_missing_record_is_kept_as_dangling() -> None:
    index = XrefIndex(sample())
    [gone] = index.dangling()
    assert (gone.from_id, gone.role, gone.to_id, gone.to_kind) == (
        "gov-tlatlaya-1",
        "repeats",
        "gone",
        None,
    )
    assert xref(sample(), "gone").kind is None
    assert roles(xref(sample(), "gone").inbound) == [("gov-tlatlaya-1", "repeats", "gone")]


def test_one_record_links_are_the_index_links() -> None:
    ledger = sample()
    index = XrefIndex(ledger)
    ids = [i for table in ledger.tables().values() for i in table]
    for record_id in [*ids, "gone", "nothing-at-all"]:
        assert outbound_of(ledger, record_id) == index.outbound(record_id), record_id
        assert inbound_of(ledger, record_id) == index.inbound(record_id), record_id


def test_xref_result_serialises() -> None:
    data = xref(sample(), "requirement-1").to_dict()
    assert data["kind"] == "requirements"
    assert data["path"] == "data/requirements/requirement-1.yaml"
    expected = {
        "from_id": "requirement-1",
        "from_kind": "requirements",
        "to_id": "cso-memo",
        "to_kind": "sources",
        "role": "source",
        "detail": "sec. 7045",
    }
    assert expected in data["outbound"]
    json.dumps(data)


def test_show_gives_the_record_with_aliased_fields_and_its_links() -> None:
    shown = show(sample(), "gov-tlatlaya-1")
    assert shown.kind == "claims"
    assert shown.record["relations"][0] == {"responds-to": "cso-tlatlaya-1"}
    assert roles(shown.inbound) == [("cso-tlatlaya-1", "contradicts", "gov-tlatlaya-1")]
    with pytest.raises(KeyError):
        show(sample(), "nope")


# --------------------------------------------------------------------------- resolution


def test_exact_id_wins_even_when_it_is_also_a_prefix() -> None:
    ledger = make_ledger(make_case("atenco"), make_case("atenco-2"))
    res = resolve(ledger, "atenco")
    assert (res.ok, res.id, res.match) == (True, "atenco", Match.exact)


def test_a_unique_prefix_resolves() -> None:
    res = resolve(sample(), "gov-t")
    assert (res.id, res.kind, res.match) == ("gov-tlatlaya-1", "claims", Match.prefix)


def test_an_ambiguous_prefix_lists_its_candidates() -> None:
    res = resolve(sample(), "requirement-")
    assert not res.ok
    assert res.match is Match.ambiguous
    assert res.candidates == ("requirement-1", "requirement-2")
    assert "ambiguous" in res.message and "requirement-1, requirement-2" in res.message


def test_an_unknown_id_suggests_close_matches() -> None:
    res = resolve(sample(), "tlatalya")
    assert (res.ok, res.match) == (False, Match.unknown)
    assert res.suggestions[0] == "tlatlaya"
    assert res.message.startswith("no record with id 'tlatalya'; did you mean tlatlaya, ")


def test_suggestions_include_ids_that_contain_the_text() -> None:
    res = resolve(sample(), "tlatlaya-1", kinds=["claims"])
    assert set(res.suggestions) == {"cso-tlatlaya-1", "gov-tlatlaya-1"}
    assert res.message.startswith("no claim with id 'tlatlaya-1'")


def test_an_id_of_another_kind_is_named_as_such() -> None:
    res = resolve(sample(), "tlatlaya", kinds=["claims"])
    assert (res.ok, res.match, res.other) == (False, Match.unknown, ("tlatlaya", "cases"))
    assert res.message == "'tlatlaya' is a case, not a claim"
    assert resolve(sample(), "Tlatlaya", kinds=["claims", "sources"]).message == (
        "'tlatlaya' is a case, not a claim or source"
    )


def test_the_id_of_another_kind_is_not_taken_for_the_start_of_an_id() -> None:
    ids = {"cso-torture-complaints": "claims", "cso-torture": "cases"}
    tables = {"claims": {"cso-torture-complaints"}, "cases": {"cso-torture"}}
    res = resolve_among(tables, ids.get, "cso-torture", ("claims",))
    assert (res.ok, res.other) == (False, ("cso-torture", "cases"))
    assert res.message == "'cso-torture' is a case, not a claim"
    assert resolve_among(tables, ids.get, "cso-tort", ("claims",)).id == "cso-torture-complaints"


def test_an_ambiguous_prefix_names_ten_ids_and_how_many_more() -> None:
    ids = {f"gov-{n:02}": None for n in range(25)}
    res = resolve_among(
        {"claims": ids}, lambda i: "claims" if i in ids else None, "gov", ("claims",)
    )
    assert res.match is Match.ambiguous and len(res.candidates) == 25
    listed = ", ".join(f"gov-{n:02}" for n in range(10))
    assert res.message == f"'gov' is ambiguous: it begins {listed} and 15 more: type more of the id"


def test_typed_case_and_accents_are_folded() -> None:
    assert fold_id("  Nochixtlán ") == "nochixtlan"
    res = resolve(sample(), "Nochixtlán")
    assert (res.id, res.match) == ("nochixtlan", Match.exact)
    assert resolve(sample(), "NOCHIX").id == "nochixtlan"


def test_kinds_restrict_resolution() -> None:
    res = resolve(sample(), "requirement-1", kinds=["cases"])
    assert not res.ok
    assert resolve(sample(), "requirement-1", kinds=["requirements"]).ok


def test_nothing_like_it_gives_no_suggestions() -> None:
    res = resolve(sample(), "zzzzzz")
    assert res.suggestions == ()
    assert res.message == "no record with id 'zzzzzz'"
    assert resolve(sample(), "").match is Match.unknown
