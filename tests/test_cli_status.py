"""`ledger status` through the command line, on the repository's own data."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from ledger.analysis import status as rule
from ledger.analysis.status_report import RULE, RULE_VERSION, Status
from ledger.cli import app
from ledger.records.ledger import Ledger
from ledger.records.load import load
from ledger.records.root import Layout, open_layout

REPO = Path(__file__).resolve().parents[1]


def run(*args: str) -> Result:
    """`ledger --root REPO ARGS...` with stdout and stderr kept apart, at a fixed width."""
    return CliRunner().invoke(
        app, ["--root", str(REPO), *args], env={"COLUMNS": "100", "NO_COLOR": "1"}
    )


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def payload(stdout: str) -> Any:
    """The JSON a command printed, without its envelope (which is checked here)."""
    data = json.loads(stdout)
    assert data.pop("format") == "ledger-status"
    assert data.pop("version") == 1
    return data


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    layout = open_layout(REPO)
    assert isinstance(layout, Layout), layout
    return load(layout).ledger


def flat(text: str) -> str:
    return " ".join(text.split())


def test_overview_has_one_row_per_requirement_with_its_status(ledger: Ledger) -> None:
    out = ok("status")
    assert out.startswith(f"Status by {RULE} v{RULE_VERSION}")
    overview = rule.overview(ledger)
    assert [row.id for row in overview.rows] == list(ledger.requirements)
    table, _, bars = out.partition("Evidence per side")
    rows = {line.split()[0]: line.split() for line in table.splitlines() if line.strip()}
    for row in overview.rows:
        assert rows[row.id][1:3] == [row.status.value, row.line]
    bar_rows = [line.split() for line in bars.splitlines() if line.startswith("requirement-")]
    assert [(cells[0], cells[1]) for cells in bar_rows] == [
        (row.id, "independent") for row in overview.rows
    ]


def test_a_requirement_shows_its_wording_verdict_and_cases(ledger: Ledger) -> None:
    report = rule.requirement_status(ledger, "requirement-1")
    out = ok("status", "requirement-1")
    text = flat(out)
    assert out.splitlines()[0].startswith("requirement-1  ")
    assert flat(f"\u201c{report.requirement.text}\u201d") in text
    verdict = report.verdict
    assert f"Status: {verdict.status.value} rule" in text
    assert f"line {verdict.line}: {verdict.when}" in text
    for group in report.cases:
        if group.id:
            assert f"{group.id} {flat(group.title or '')}" in text
    assert "Trace (first matching line wins)" not in out


def test_a_case_shows_the_requirements_it_bears_on(ledger: Ledger) -> None:
    report = rule.case_status(ledger, "tlatlaya")
    out = ok("status", "tlatlaya")
    assert out.splitlines()[0] == f"tlatlaya  {report.case.title}"
    for group in report.requirements:
        assert f"{group.id}  {group.title}" in out
    for claim in (e.claim for g in report.requirements for e in (*g.supports, *g.undermines)):
        assert claim.id in out


def test_explain_prints_every_rule_line_tested(ledger: Ledger) -> None:
    verdict = rule.requirement_status(ledger, "requirement-2").verdict
    out = ok("status", "requirement-2", "--explain")
    assert "Trace (first matching line wins):" in out
    trace = out.split("Trace (first matching line wins):")[1]
    for step in verdict.steps:
        mark = "\u2192 matched" if step.matched else "no"
        assert re.search(rf"{step.line} +{mark} +{step.status.value} +when", trace), step.line
    assert verdict.steps[-1].matched
    has_context = any(g.context for g in rule.requirement_status(ledger, "requirement-2").cases)
    assert has_context, "requirement-2 has context claims in the real data"
    assert "context (shown, not counted)" in out
    assert "--explain shows them" in ok("status", "requirement-2")


@pytest.mark.parametrize(
    "flags", [("--explain",), ("--all",), ("--all", "--explain", "-f", "json")]
)
def test_explain_and_all_without_an_id_are_refused(flags: tuple[str, ...]) -> None:
    """The overview has no trace and no claims to list: the flags would be silently ignored."""
    result = run("status", *flags)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "ledger: --explain and --all are about one requirement or case: give its id (as in "
        "`ledger status requirement-3 --explain`); the overview has no trace to show\n"
    )


@pytest.mark.parametrize("record_id", ["requirement-1", "requirement-4"])
def test_json_is_the_library_report(ledger: Ledger, record_id: str) -> None:
    data = payload(ok("status", record_id, "--format", "json"))
    assert data == rule.requirement_status(ledger, record_id).to_dict()
    assert data["rule"] == {"name": RULE, "version": RULE_VERSION}
    assert data["verdict"]["status"] in {s.value for s in Status}


def test_json_of_a_case_and_of_the_overview(ledger: Ledger) -> None:
    assert payload(ok("status", "ayotzinapa", "-f", "json")) == (
        rule.case_status(ledger, "ayotzinapa").to_dict()
    )
    assert payload(ok("status", "-f", "json")) == rule.overview(ledger).to_dict()


@pytest.mark.parametrize("record_id", ["requirement-1", "requirement-4", "ayotzinapa"])
def test_markdown_footnotes_are_numbered_and_each_defined_once(record_id: str) -> None:
    out = ok("status", record_id, "--format", "markdown")
    definitions = [int(n) for n in re.findall(r"^\[\^(\d+)\]: ", out, flags=re.MULTILINE)]
    assert definitions, "the report cites its claims"
    assert definitions == list(range(1, len(definitions) + 1))
    body = re.sub(r"^\[\^\d+\]: .*$", "", out, flags=re.MULTILINE)
    cited = {int(n) for n in re.findall(r"\[\^(\d+)\]", body)}
    assert cited == set(definitions)
    first_use = [int(n) for n in dict.fromkeys(re.findall(r"\[\^(\d+)\]", body))]
    assert first_use == sorted(first_use), "numbered in order of first citation"


def test_markdown_states_the_counts_beside_each_status(ledger: Ledger) -> None:
    """A memo quoting "contested" needs what it weighs: the counts per side, for the
    requirement and for each case, as the terminal report gives them."""
    out = ok("status", "requirement-3", "--format", "markdown")
    report = rule.requirement_status(ledger, "requirement-3")
    assert f"\nCounted: {report.verdict.tally.sentence()}.\n" in out
    for group in report.cases:
        assert f"({group.verdict.line}; {group.verdict.tally.sentence()})" in out
    assert "Counted: independent sources: 2 support, 19 undermine \u00b7 obligor's own: 4 " in out


@pytest.mark.parametrize("record_id", ["requirement-3", "ayotzinapa"])
def test_markdown_with_explain_gives_the_trace(ledger: Ledger, record_id: str) -> None:
    plain = ok("status", record_id, "--format", "markdown")
    explained = ok("status", record_id, "--format", "markdown", "--explain")
    assert "Trace (first matching line wins):" not in plain
    assert explained.count("Trace (first matching line wins):") >= 1
    report = rule.requirement_status(ledger, "requirement-3")
    if record_id == "requirement-3":
        for step in report.verdict.steps:
            mark = "**matched**" if step.matched else "no"
            assert f"- {step.line} {mark}: {step.status.value} when " in explained
        assert "- mx-gov-case-updates-2018 \u2192 obligor: speaks for Government of Mexico" in (
            explained
        )
    # the rest of the report is as it is without the trace
    assert [line for line in explained.splitlines() if not _in_trace(line)] == [
        line for line in plain.splitlines() if not _in_trace(line)
    ]


def test_a_case_s_status_lines_stand_apart_from_the_claims_above_them() -> None:
    """Each requirement's status on a case is a paragraph of its own, not a continuation
    of the last claim's list item (CommonMark reads a line right after one as part of it)."""
    lines = ok("status", "ayotzinapa", "--format", "markdown").splitlines()
    at = [i for i, line in enumerate(lines) if line.startswith("**Status: ")]
    assert at
    assert all(lines[i - 1] == "" for i in at)


def _in_trace(line: str) -> bool:
    return line.startswith(("Trace (", "- Sides:", "  - ", "- S", "- Disputed")) or not line


def test_the_help_of_all_says_how_many_cases_a_report_shows() -> None:
    from ledger.analysis.status_report import CASES_SHOWN

    assert f"its first {CASES_SHOWN} cases" in " ".join(ok("status", "--help").split())


def test_an_unknown_id_exits_2_with_did_you_mean() -> None:
    result = run("status", "tlatlya")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        "ledger: no requirement or case with id 'tlatlya'; did you mean tlatlaya"
    )


def test_a_claim_is_not_a_status_subject_and_show_is_named() -> None:
    result = run("status", "memo-tlatlaya-no-arrest-warrants")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "ledger: 'memo-tlatlaya-no-arrest-warrants' is a claim, which has no status of its own "
        "(requirements and cases have one); `ledger show memo-tlatlaya-no-arrest-warrants` "
        "shows it with its links\n"
    )


def test_a_unique_prefix_is_accepted(ledger: Ledger) -> None:
    assert ok("status", "tlat") == ok("status", "tlatlaya")
    assert json.loads(ok("status", "Ayotz", "-f", "json"))["case"]["id"] == "ayotzinapa"
    result = run("status", "requirement-")
    assert result.exit_code == 2
    assert "ambiguous" in result.stderr
    for req_id in ledger.requirements:
        assert req_id in result.stderr


def test_past_forty_cases_the_claims_about_no_case_are_still_shown() -> None:
    """The terminal shows the first cases' evidence and counts the rest; the claims about no
    case come last in the report, and are on no case's report, so they are always shown."""
    import io

    from rich.console import Console

    from builders import make_case, make_claim, make_ledger, make_requirement, make_source
    from ledger.analysis.status_report import CASES_SHOWN
    from ledger.cli.status_cmd import PER_SIDE, show_requirement

    count = CASES_SHOWN + 2
    ledger = make_ledger(
        make_source(),
        make_requirement(),
        *(make_case(f"case-{n:02d}") for n in range(count)),
        *(
            make_claim(f"c{n:02d}", cases=[f"case-{n:02d}"], bears_on={"requirement-1": "supports"})
            for n in range(count)
        ),
        make_claim("loose", bears_on={"requirement-1": "undermines"}),
    )
    out = io.StringIO()

    show_requirement(
        Console(file=out, width=200, no_color=True),
        rule.requirement_status(ledger, "requirement-1", cases_shown=CASES_SHOWN),
        explain=False,
        limit=PER_SIDE,
    )

    text = out.getvalue()
    assert f"case-{CASES_SHOWN - 1:02d}  Case case-{CASES_SHOWN - 1:02d}" in text
    assert f"case-{CASES_SHOWN:02d}  Case" not in text
    assert "No case" in text and "loose" in text
    assert "... 2 more cases bear on it" in text
