"""`ledger new requirement`: the wording verified against its source, obligor, instrument and
fiscal year from ledger.toml's [defaults], canonical YAML that validates, nothing overwritten."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import Result

from conftest import SAMPLE, Sample, run
from test_interactive import CTRL_C, snapshot, terminal

WORDING = "Vigorously enforcing prohibitions against torture"
DEFAULTS = (
    '[ledger]\ndata = "data"\n\n[defaults]\nobligor = "Government of Mexico"\n'
    'instrument = "Human rights requirements, fiscal year 2017"\nfiscal_year = 2017\n'
)


@pytest.fixture
def ledger_copy(tmp_path: Path) -> Sample:
    """The sample ledger, with [defaults] in its ledger.toml."""
    root = tmp_path / "ledger"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".ledger-cache"))
    (root / "ledger.toml").write_text(DEFAULTS, encoding="utf-8")
    return Sample(root)


def new_requirement(sample: Sample, *args: str) -> Result:
    return run(["--root", str(sample.root), "new", "requirement", "--no-input", *args])


FLAGS = ["--source", "cso", "--text", WORDING, "--title", "Torture", "--force", "condition"]


def test_a_requirement_from_flags_and_defaults_is_written_and_validates(
    ledger_copy: Sample,
) -> None:
    result = new_requirement(ledger_copy, *FLAGS, "--case", "torture")

    assert (result.exit_code, result.stdout) == (0, "requirement-3\n")
    assert result.stderr == (
        "created requirement requirement-3: data/requirements/requirement-3.yaml\n"
        "  obligor, instrument, fiscal_year from ledger.toml's [defaults]\n"
    )
    assert ledger_copy.read("requirements/requirement-3.yaml") == (
        "# yaml-language-server: $schema=../../schema/requirement.schema.json\n"
        "id: requirement-3\n"
        "title: Torture\n"
        "text: Vigorously enforcing prohibitions against torture\n"
        "force: condition\n"
        "obligor: Government of Mexico\n"
        "instrument: Human rights requirements, fiscal year 2017\n"
        "fiscal_year: 2017\n"
        "source: cso-memo-2017\n"
        "locator: REQUIREMENT 2) heading\n"
        "cases:\n  - torture-prosecutions\n"
    )
    assert ledger_copy.diagnostics() == []
    assert run(["--root", str(ledger_copy.root), "validate"]).exit_code == 0


def test_flags_win_over_the_defaults(ledger_copy: Sample) -> None:
    result = new_requirement(
        ledger_copy,
        *FLAGS,
        "--obligor",
        "Government of Guatemala",
        "--fiscal-year",
        "2024",
        "--id",
        "torture-rule",
        "--locator",
        "Requirement 2",
    )

    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith("  instrument from ledger.toml's [defaults]\n")
    text = ledger_copy.read("requirements/torture-rule.yaml")
    assert "obligor: Government of Guatemala\n" in text
    assert "fiscal_year: 2024\n" in text
    assert "locator: Requirement 2\n" in text


def test_a_wording_not_in_its_source_writes_nothing(ledger_copy: Sample) -> None:
    before = snapshot(ledger_copy.root)
    flags = [*FLAGS]
    flags[3] = "Vigorously enforcing prohibitions against tortures"

    result = new_requirement(ledger_copy, *flags)

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        'ledger: the wording is not found in cso-memo-2017: "Vigorously enforcing prohibitions '
        'against tortures"\n'
        '  hint: the closest passage is: "Vigorously enforcing prohibitions against torture '
        'and"\n'
        '  `ledger locate cso-memo-2017 "some words"` prints quotes that verify\n'
        "nothing was written\n"
    )
    assert snapshot(ledger_copy.root) == before


def test_without_defaults_the_shared_fields_are_required(sample_copy: Sample) -> None:
    result = new_requirement(sample_copy, *FLAGS)

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "ledger: missing --obligor (or [defaults] obligor in ledger.toml), --instrument (or "
        "[defaults] instrument in ledger.toml), --fiscal-year (or [defaults] fiscal_year in "
        "ledger.toml): give them, or run in a terminal (without --no-input) to be asked\n"
    )


@pytest.mark.parametrize(
    ("flags", "code", "said"),
    [
        (["--id", "requirement-1"], 1, "the id 'requirement-1' is already used"),
        (["--fiscal-year", "17"], 2, "--fiscal-year 17: a year of four digits"),
        (["--force", "wish"], 2, "'wish' is not one of 'condition', 'expectation'"),
        (["--case", "nowhere"], 2, "--case nowhere: "),
        (["--source", "nope"], 2, "--source nope: "),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(
    ledger_copy: Sample, flags: list[str], code: int, said: str
) -> None:
    before = snapshot(ledger_copy.root)

    result = new_requirement(ledger_copy, *FLAGS, *flags)

    assert result.exit_code == code, result.stderr
    assert said in result.stderr
    assert snapshot(ledger_copy.root) == before


def test_a_dry_run_prints_the_record_and_writes_nothing(ledger_copy: Sample) -> None:
    before = snapshot(ledger_copy.root)

    result = new_requirement(ledger_copy, *FLAGS, "--dry-run")

    assert result.exit_code == 0
    modeline = "# yaml-language-server: $schema=../../schema/requirement.schema.json\n"
    assert result.stdout.startswith(f"{modeline}id: requirement-3\n")
    assert snapshot(ledger_copy.root) == before


def test_asked_in_a_terminal_the_defaults_are_offered(ledger_copy: Sample) -> None:
    with terminal(ledger_copy.root, "new", "requirement") as term:
        term.answer("Source: ", "cso")
        term.expect("= cso-memo-2017")
        term.answer("Wording: ", "vigorously enforcing prohibitions against torture")
        term.expect("not verbatim; the closest passages:")
        term.answer("Use passage [1]: ", "")
        term.answer("Locator [REQUIREMENT 2) heading]: ", "")
        term.answer("Title: ", "Torture")
        term.answer("Force: ", "exp")
        term.expect("= expectation")
        term.answer("Obligor [Government of Mexico]: ", "")
        term.answer("Instrument [Human rights requirements, fiscal year 2017]: ", "")
        term.answer("Fiscal year [2017]: ", "17")
        term.expect("a year of four digits")
        term.answer("Fiscal year [2017]: ", "2018")
        term.answer("Cases: ", "")
        term.answer("Id [requirement-3]: ", "")
        term.expect("--- data/requirements/requirement-3.yaml")
        term.answer("Write it? (y/n) [y]: ", "y")
        term.expect("created requirement requirement-3")
        assert term.wait() == 0
    text = ledger_copy.read("requirements/requirement-3.yaml")
    assert "text: Vigorously enforcing prohibitions against torture" in text
    assert "force: expectation\nobligor: Government of Mexico\n" in text
    assert "fiscal_year: 2018\n" in text
    assert ledger_copy.diagnostics() == []


def test_ctrl_c_at_a_prompt_writes_nothing(ledger_copy: Sample) -> None:
    before = snapshot(ledger_copy.root)
    with terminal(ledger_copy.root, "new", "requirement", "--source", "cso") as term:
        term.press("Wording: ", CTRL_C)
        term.expect("cancelled, nothing written")
        assert term.wait() == 130
    assert snapshot(ledger_copy.root) == before
