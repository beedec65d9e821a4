"""`--as-of DATE`: the ledger restricted to the sources published by a date (ledger.analysis.asof),
as a pure filter every view answers on, and through the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from builders import make_claim, make_ledger, make_requirement, make_source
from ledger.analysis import status as rule
from ledger.analysis.asof import AsOfError, is_after, parse_as_of, restrict
from ledger.analysis.status_report import Verdict
from ledger.cli import app

REPO = Path(__file__).resolve().parents[1]


def run(*args: str) -> Result:
    return CliRunner().invoke(
        app, ["--root", str(REPO), *args], env={"COLUMNS": "100", "NO_COLOR": "1"}
    )


def as_json(*args: str) -> Any:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# -- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "as_of", "after"),
    [
        ("2017", "2017-09", False),  # the year holds September: counted (uncertain)
        ("2018", "2017-09", True),
        ("2017-09", "2017-09", False),
        ("2017-09-30", "2017-09", False),
        ("2017-10-01", "2017-09", True),
        ("2017-10", "2017-09-30", True),
        ("2017-09", "2017-09-01", False),
        ("2016-12-31", "2017", False),
        ("2017-12-31", "2017", False),
        ("2018-01-01", "2017", True),
    ],
)
def test_a_partial_date_compares_at_the_precision_both_share(
    value: str, as_of: str, after: bool
) -> None:
    assert is_after(value, as_of) is after


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("2017-13", "--as-of '2017-13' is not a real date: month must be in 1..12"),
        ("2017-02-30", "--as-of '2017-02-30' is not a real date: day is out of range for month"),
        ("Sept 2017", "--as-of 'Sept 2017' is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD"),
        ("17-09", "--as-of '17-09' is not a date"),
        ("", "--as-of '' is not a date"),
    ],
)
def test_a_bad_date_is_refused_with_what_is_wrong(given: str, says: str) -> None:
    with pytest.raises(AsOfError) as caught:
        parse_as_of(given)
    assert str(caught.value).startswith(says)


@pytest.mark.parametrize("command", ["status", "show", "conflicts", "timeline", "export"])
def test_a_bad_date_is_one_line_and_exit_2_for_every_command(command: str) -> None:
    args = [command, "requirement-1"] if command == "show" else [command]
    result = run(*args, "--as-of", "2017-9")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "ledger: --as-of '2017-9' is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD "
        "(e.g. 2017-09)\n"
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)


# -- the filter ------------------------------------------------------------------------------


def _two_sources() -> Any:
    return make_ledger(
        make_source("memo", published="2017"),
        make_source("page", published="2018-02", perspective="government"),
        make_requirement("requirement-1"),
        make_claim("m1", "memo", bears_on={"requirement-1": "undermines"}),
        make_claim("m2", "memo", bears_on={"requirement-1": "supports"}, as_of="2017-11-17"),
        make_claim(
            "p1",
            "page",
            bears_on={"requirement-1": "supports"},
            relations=[{"contradicts": "m1"}],
        ),
        make_claim("m3", "memo", relations=[{"responds-to": "p1"}, {"repeats": "m1"}]),
    )


def test_restrict_is_a_pure_filter_that_says_what_it_left_out() -> None:
    ledger = _two_sources()
    restricted, why = restrict(ledger, "2017-09")
    assert list(restricted.sources) == ["memo"]
    assert list(restricted.claims) == ["m1", "m3"]
    assert restricted.requirements == ledger.requirements
    # the relation to a claim left out is dropped from the claim kept; the other stays
    assert [r.target for r in restricted.claims["m3"].relations] == ["m1"]
    assert set(restricted.paths) == {"memo", "requirement-1", "m1", "m3"}
    # the original is untouched
    assert len(ledger.claims) == 4
    assert len(ledger.claims["m3"].relations) == 2
    data = why.to_dict()
    assert data["date"] == "2017-09"
    assert data["claims_left_out"] == 2
    assert [(d["kind"], d["id"], d["date"], d["reason"]) for d in data["left_out"]] == [
        ("source", "page", "2018-02", "published 2018-02, after 2017-09"),
        ("claim", "m2", "2017-11-17", "as_of 2017-11-17, after 2017-09"),
    ]
    assert [(d["kind"], d["id"], d["reason"]) for d in data["uncertain"]] == [
        ("source", "memo", "published 2017: may be after 2017-09"),
    ]
    assert why.why_left_out("p1") == (
        "its source page is left out (published 2018-02, after 2017-09)"
    )
    assert why.why_left_out("m1") is None


def test_the_status_follows_the_date() -> None:
    ledger = _two_sources()

    def verdict(at: str) -> Verdict:
        return rule.requirement_status(restrict(ledger, at)[0], "requirement-1").verdict

    assert verdict("2016").status.value == "no-evidence"
    assert verdict("2017-09").status.value == "not-met"
    assert verdict("2017-12").status.value == "contested"  # m2 counts from November
    assert rule.requirement_status(ledger, "requirement-1").verdict.status.value == "contested"


# -- the repository's data -------------------------------------------------------------------


def test_requirement_4_as_of_2017_09_is_the_memo_alone_and_as_of_2018_02_both() -> None:
    before = as_json("status", "requirement-4", "--as-of", "2017-09")
    after = as_json("status", "requirement-4", "--as-of", "2018-02")
    now = as_json("status", "requirement-4")
    assert before["as_of"]["left_out"] == [
        {
            "kind": "source",
            "id": "mx-gov-case-updates-2018",
            "date": "2018",
            "reason": "published 2018, after 2017-09",
        }
    ]
    assert before["as_of"]["claims_left_out"] == 69
    assert after["as_of"]["left_out"] == []
    assert "as_of" not in now
    sides = lambda d: {s["source"] for s in d["verdict"]["sides"]}  # noqa: E731
    assert sides(before) == {"cso-memo-2017"}
    assert sides(after) == {"cso-memo-2017", "mx-gov-case-updates-2018"}
    tally = lambda d: d["verdict"]["tally"]  # noqa: E731
    assert tally(before)["obligor_supports"] == 0
    assert tally(after)["obligor_supports"] == 4
    assert {k: v for k, v in after.items() if k != "as_of"} == now


def test_status_human_says_what_was_left_out_first() -> None:
    result = run("status", "requirement-4", "--as-of", "2017-09")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "As of 2017-09: 1 source and 69 claims left out.\n"
        "  left out: source mx-gov-case-updates-2018 (published 2018, after 2017-09)\n"
        "  counted, uncertain: source cso-memo-2017 (published 2017: may be after 2017-09)\n"
    )
    assert "requirement-4  Full cooperation" in result.stdout


def test_status_before_any_source_is_no_evidence() -> None:
    data = as_json("status", "--as-of", "2016-12-31")
    assert {row["status"] for row in data["rows"]} == {"no-evidence"}
    assert [d["id"] for d in data["as_of"]["left_out"]] == [
        "cso-memo-2017",
        "mx-gov-case-updates-2018",
    ]


def test_show_of_a_record_left_out_says_why() -> None:
    result = run("show", "mx-gov-case-updates-2018", "--as-of", "2017-09")
    assert result.exit_code == 2
    assert result.stderr == (
        "ledger: mx-gov-case-updates-2018 is left out as of 2017-09: "
        "published 2018, after 2017-09\n"
    )
    shown = as_json("show", "requirement-4", "--as-of", "2017-09")
    assert shown["as_of"]["date"] == "2017-09"


def test_conflicts_and_timeline_answer_on_the_restricted_ledger() -> None:
    assert as_json("conflicts", "--as-of", "2017-09")["pairs"] == []
    human = run("conflicts", "--as-of", "2017-09")
    assert human.stdout.endswith(
        "No contradictions recorded among the records counted as of 2017-09.\n"
    )
    assert as_json("conflicts", "--as-of", "2018-02")["pairs"] == as_json("conflicts")["pairs"]
    events = as_json("timeline", "--as-of", "2017-09")["events"]
    assert {e["source"] for e in events if e["kind"] == "claim"} == {"cso-memo-2017"}
    assert "2018" not in {e["date"][:4] for e in events}


def test_export_as_of_leaves_out_the_later_source() -> None:
    result = run("export", "--as-of", "2017-09")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [s["id"] for s in data["sources"]] == ["cso-memo-2017"]
    assert {c["source"] for c in data["claims"]} == {"cso-memo-2017"}
    assert "As of 2017-09: 1 source and 69 claims left out." in result.stderr


def test_people_see_every_source_left_out_and_at_most_20_claims() -> None:
    sources = [make_source(f"s{i}", published="2019") for i in range(3)]
    claims = [make_claim(f"c{i:02}", "memo", as_of="2018") for i in range(25)]
    ledger = make_ledger(make_source("memo", published="2017"), *sources, *claims)
    _, why = restrict(ledger, "2017-09")
    lines = why.lines()
    assert lines[0] == "As of 2017-09: 3 sources and 25 claims left out."
    assert lines[1:4] == [
        f"  left out: source s{i} (published 2019, after 2017-09)" for i in range(3)
    ]
    assert lines[4] == "  left out: claim c00 (as_of 2018, after 2017-09)"
    assert lines[24] == "  left out: 5 more claims by their as_of (JSON lists them)"
    assert lines[25:] == [
        "  counted, uncertain: source memo (published 2017: may be after 2017-09)"
    ]
    assert len(why.to_dict()["left_out"]) == 28


def test_restrict_refuses_a_date_that_is_not_one() -> None:
    with pytest.raises(AsOfError, match="is not a date"):
        restrict(_two_sources(), "September")


def test_status_markdown_says_what_was_left_out_before_the_section() -> None:
    result = run("status", "requirement-4", "--as-of", "2017-09", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    head = result.stdout.split("\n\n")[:2]
    assert head[0] == "*As of 2017-09: 1 source and 69 claims left out.*"
    assert head[1].splitlines()[0] == (
        "- left out: source mx-gov-case-updates-2018 (published 2018, after 2017-09)"
    )


def test_as_of_is_part_of_the_remembered_answer() -> None:
    """The same command with and without --as-of gives each its own answer, run twice."""
    for _ in range(2):
        plain = run("status", "requirement-4")
        dated = run("status", "requirement-4", "--as-of", "2017-09")
        assert not plain.stdout.startswith("As of")
        assert dated.stdout.startswith("As of 2017-09")
