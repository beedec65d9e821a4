"""Whose word is the obligor's: on a copy of the repository's ledger, a report by another
government (the U.S. Department of State) is independent evidence about Mexico, and a source
counts as the obligor's own only when it speaks for the requirement's obligor.

Everything goes through the command line, as a researcher would: `ledger new source` and
`ledger new claim` add the report and its claim, `ledger status requirement-1 --format json`
gives the counts, `--explain` the side decisions, and `ledger diff` the change and its cause.
The report's text is a fixture written for these tests, not a real document.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from conftest import Sample, git, repository_copy, run

REQUIREMENT = "requirement-1"
OBLIGOR = "Government of Mexico"
UNITED_STATES = "Government of the United States"
REPORT_ID = "us-state-report"
CLAIM_ID = "us-investigation-continued"
REPORT = """\
Report on the conditions on assistance (test fixture)

The Department of State notes that civilian prosecutors continued the investigation of the
killings at Tlatlaya and opened investigations into other abuses by soldiers.
"""
QUOTE = "civilian prosecutors continued the investigation of the killings at Tlatlaya"


def ledger(root: Path, *args: str) -> Result:
    return run(["--root", str(root), *args], env={"COLUMNS": "200"})


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return result


@pytest.fixture
def repo(tmp_path: Path) -> Sample:
    """A copy of the repository's ledger, committed in a new git repository."""
    return Sample(repository_copy(tmp_path))


def add_report(repo: Sample, *speaks_for: str) -> None:
    """The State Department's report (a government source) and one claim from it that
    supports requirement-1 with a verbatim quote."""
    document = repo.root.parent / "us-report.txt"
    document.write_text(REPORT, encoding="utf-8")
    ok(
        ledger(
            repo.root, "new", "source", str(document), "--id", REPORT_ID,
            "--title", "Report on the conditions on assistance (test fixture)",
            "--author", "U.S. Department of State", "--published", "2018", "--kind", "report",
            "--perspective", "government", *speaks_for, "--language", "en", "--no-input",
        )
    )  # fmt: skip
    ok(
        ledger(
            repo.root, "new", "claim", "--id", CLAIM_ID, "--source", REPORT_ID, "--quote", QUOTE,
            "--statement", "The report says civilian prosecutors continued the investigation of "
            "the killings at Tlatlaya.",
            "--kind", "assessment", "--case", "tlatlaya",
            "--bears-on", f"{REQUIREMENT}=supports", "--no-input",
        )
    )  # fmt: skip


def reassert_contested(repo: Sample) -> None:
    """What a maintainer does when a new claim moves requirement-1 to contested on purpose:
    the repository's status assertion is updated with it (else `validate` fails)."""
    repo.edit(
        f"assertions/{REQUIREMENT}-as-of-2018-02-28.yaml", "status: not-met", "status: contested"
    )


def status(repo: Sample) -> dict[str, Any]:
    return json.loads(ok(ledger(repo.root, "status", REQUIREMENT, "--format", "json")).stdout)


def evidence(report: dict[str, Any], claim_id: str) -> list[dict[str, Any]]:
    """Every listing of a claim in a requirement's report (once per case it is about)."""
    return [
        item
        for group in report["cases"]
        for stance in ("supports", "undermines", "context")
        for item in group[stance]
        if item["claim"]["id"] == claim_id
    ]


def sides(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {s["source"]: (s["side"], s["why"]) for s in report["verdict"]["sides"]}


def test_another_governments_report_is_independent_evidence(repo: Sample) -> None:
    before = status(repo)
    add_report(repo, "--speaks-for", UNITED_STATES)
    after = status(repo)

    assert after["rule"] == {"name": "ledger-status", "version": "2"}
    was, now = before["verdict"]["tally"], after["verdict"]["tally"]
    assert now["independent_supports"] == was["independent_supports"] + 1
    assert now["obligor_supports"] == was["obligor_supports"]
    (listed,) = evidence(after, CLAIM_ID)
    assert listed["claim"]["side"] == "independent"
    assert listed["claim"]["perspective"] == "government"
    assert listed["counted"] is True
    # independent support beside independent undermining: no longer not-met, but contested
    assert (before["verdict"]["line"], after["verdict"]["line"]) == ("S2", "S3")
    assert sides(after)[REPORT_ID] == (
        "independent",
        f"speaks for {UNITED_STATES}, not the obligor ({OBLIGOR})",
    )
    assert sides(after)["mx-gov-case-updates-2018"] == (
        "obligor",
        f"speaks for {OBLIGOR}, the obligor",
    )
    reassert_contested(repo)
    ok(ledger(repo.root, "validate", "--strict"))


def test_a_source_that_speaks_for_the_obligor_is_the_obligors_own(repo: Sample) -> None:
    before = status(repo)
    add_report(repo, "--speaks-for", OBLIGOR)
    after = status(repo)

    was, now = before["verdict"]["tally"], after["verdict"]["tally"]
    assert now["obligor_supports"] == was["obligor_supports"] + 1
    assert now["independent_supports"] == was["independent_supports"]
    assert after["verdict"]["status"] == before["verdict"]["status"] == "not-met"
    (listed,) = evidence(after, CLAIM_ID)
    assert listed["claim"]["side"] == "obligor"
    assert listed["disputed"] is True  # the obligor's support, where the status is not-met
    assert sides(after)[REPORT_ID] == ("obligor", f"speaks for {OBLIGOR}, the obligor")


def test_a_government_source_for_no_one_is_independent_and_warned_about(repo: Sample) -> None:
    add_report(repo)

    (listed,) = evidence(status(repo), CLAIM_ID)
    assert listed["claim"]["side"] == "independent"
    reassert_contested(repo)
    result = ledger(repo.root, "validate", "--strict", "--format", "json")
    assert result.exit_code == 1
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["code"], d["path"], d["field"]) for d in found] == [
        ("speaks-for-missing", f"data/sources/{REPORT_ID}.yaml", "perspective")
    ]


def test_the_trace_names_the_rule_and_how_each_side_was_decided(repo: Sample) -> None:
    add_report(repo, "--speaks-for", UNITED_STATES)

    out = ok(ledger(repo.root, "status", REQUIREMENT, "--explain")).stdout
    flat = " ".join(out.split())

    assert "rule ledger-status v2, line S3" in flat
    assert (
        f"sides: the obligor is {OBLIGOR}; a source is the obligor's own when its speaks_for "
        "is exactly that, else independent"
    ) in flat
    assert (
        f"{REPORT_ID} → independent: speaks for {UNITED_STATES}, not the obligor ({OBLIGOR})"
    ) in flat
    assert f"mx-gov-case-updates-2018 → obligor: speaks for {OBLIGOR}, the obligor" in flat
    assert "cso-memo-2017 → independent: no speaks_for, not the obligor" in flat
    markdown = ok(ledger(repo.root, "status", REQUIREMENT, "--format", "markdown")).stdout
    assert (
        "The obligor’s own sources: mx-gov-case-updates-2018 (speaks for Government of Mexico, "
        "the obligor). Every other source is independent."
    ) in markdown


def test_diff_reports_the_status_change_and_its_cause(repo: Sample) -> None:
    add_report(repo, "--speaks-for", UNITED_STATES)

    added = json.loads(ok(ledger(repo.root, "diff", "--format", "json")).stdout)

    assert added["rule"] == {"name": "ledger-status", "version": "2"}
    change = next(s for s in added["statuses"] if s["id"] == REQUIREMENT)
    assert (change["old"], change["new"]) == ("not-met", "contested")
    assert (change["claims"], change["sources"]) == ([CLAIM_ID], [REPORT_ID])

    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "the State Department's report")
    repo.edit(f"sources/{REPORT_ID}.yaml", UNITED_STATES, OBLIGOR)

    moved = json.loads(ok(ledger(repo.root, "diff", "--format", "json")).stdout)

    assert [(r["kind"], r["id"], r["fields"]) for r in moved["records"]] == [
        ("source", REPORT_ID, [{"field": "speaks_for", "old": UNITED_STATES, "new": OBLIGOR}])
    ]
    change = next(s for s in moved["statuses"] if s["id"] == REQUIREMENT)
    assert (change["old"], change["old_line"], change["new"], change["new_line"]) == (
        "contested",
        "S3",
        "not-met",
        "S2",
    )
    assert (change["claims"], change["sources"]) == ([], [REPORT_ID])
    human = ok(ledger(repo.root, "diff")).stdout
    assert "statuses on both sides by rule ledger-status v2" in human
    assert f"because of: source {REPORT_ID}" in human
