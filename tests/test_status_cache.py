"""Status reports remembered between runs: the same answer as working it out, and never a
stale one."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ledger.load as load_module
from conftest import Sample, layout_for
from ledger.cache import CACHE_DIR, CACHE_FILE, NO_CACHE_ENV
from ledger.cli import app
from ledger.status import case_status, overview, requirement_status
from ledger.status_lookup import StatusFailure, status_report
from ledger.status_report import CaseStatus, Overview, RequirementStatus, from_plain

PAST = time.time() - 3600
CLAIM = "claims/cso-torture-complaints.yaml"


def age(root: Path) -> None:
    """Make every file an hour old: files written within two seconds are not trusted yet."""
    for path in (root / "data").rglob("*"):
        if path.is_file():
            os.utime(path, (PAST, PAST))


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How many times the ledger was actually loaded (not answered from the cache)."""
    calls: list[str] = []
    real = load_module.load

    def spy(layout, **options):  # type: ignore[no-untyped-def]
        calls.append(str(layout.root))
        return real(layout, **options)

    monkeypatch.setattr(load_module, "load", spy)
    return calls


def stored_names(root: Path) -> list[str]:
    """The status reports in the cache, by name."""
    with sqlite3.connect(root / CACHE_DIR / CACHE_FILE) as db:
        names = [r[0] for r in db.execute("SELECT name FROM results")]
    return sorted(n for n in names if n.startswith("status:"))


def test_every_report_reads_back_as_itself(sample_copy: Sample) -> None:
    ledger = sample_copy.load().ledger
    reports = [
        overview(ledger),
        requirement_status(ledger, "requirement-1"),
        requirement_status(ledger, "requirement-2"),
        *(case_status(ledger, case) for case in ledger.cases),
    ]
    for report in reports:
        plain = json.loads(json.dumps(report.to_dict()))
        assert from_plain(type(report), plain) == report


def test_an_unchanged_ledger_is_answered_without_loading(
    sample_copy: Sample, loads: list[str]
) -> None:
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    first = status_report(layout, "requirement-1")
    assert loads == [str(sample_copy.root)]
    again = status_report(layout, "requirement-1")
    assert loads == [str(sample_copy.root)]
    assert isinstance(again, RequirementStatus) and again == first
    assert "status:=requirement-1" in stored_names(sample_copy.root)


def test_an_edit_changes_the_answer(sample_copy: Sample, loads: list[str]) -> None:
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    before = status_report(layout, "requirement-2")
    assert isinstance(before, RequirementStatus) and before.verdict.status == "not-met"
    sample_copy.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    os.utime(sample_copy.path(CLAIM), (PAST + 60, PAST + 60))
    after = status_report(layout, "requirement-2")
    assert len(loads) == 2
    assert isinstance(after, RequirementStatus) and after.verdict.status == "met"
    assert after.verdict.line == "S4"


def test_answers_for_an_earlier_ledger_are_forgotten(sample_copy: Sample) -> None:
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    status_report(layout, "requirement-1")
    status_report(layout, None)
    assert stored_names(sample_copy.root) == ["status:", "status:=requirement-1"]
    sample_copy.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    os.utime(sample_copy.path(CLAIM), (PAST + 60, PAST + 60))
    status_report(layout, "tlatlaya")
    assert stored_names(sample_copy.root) == ["status:=tlatlaya"]


def test_a_malformed_stored_report_is_worked_out_again(
    sample_copy: Sample, loads: list[str]
) -> None:
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    first = status_report(layout, "requirement-1")
    with sqlite3.connect(sample_copy.root / CACHE_DIR / CACHE_FILE) as db:
        db.execute(
            "UPDATE results SET value = ? WHERE name = 'status:=requirement-1'",
            ('{"kind": "requirement", "report": {"rule": 3}}',),
        )
    again = status_report(layout, "requirement-1")
    assert again == first
    assert len(loads) == 2


def test_an_unknown_id_is_a_failure_and_not_remembered(sample_copy: Sample) -> None:
    age(sample_copy.root)
    found = status_report(layout_for(sample_copy.root), "requirement-9")
    assert isinstance(found, StatusFailure)
    assert "requirement-9" in found.message
    assert stored_names(sample_copy.root) == []


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["status", "requirement-1", "--explain", "--all"],
        ["status", "requirement-2", "--format", "json"],
        ["status", "tlat", "--format", "markdown"],
        ["status", "ayotzinapa"],
    ],
)
def test_the_remembered_output_is_the_output_worked_out(
    sample_copy: Sample, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    age(sample_copy.root)
    runner = CliRunner()
    root = ["--root", str(sample_copy.root)]
    monkeypatch.setenv(NO_CACHE_ENV, "1")
    fresh = runner.invoke(app, [*root, *args])
    monkeypatch.delenv(NO_CACHE_ENV)
    runner.invoke(app, [*root, *args])
    remembered = runner.invoke(app, [*root, *args])
    assert fresh.exit_code == remembered.exit_code == 0
    assert remembered.stdout == fresh.stdout
    assert stored_names(sample_copy.root)


def test_reports_of_each_kind_come_back_typed(sample_copy: Sample) -> None:
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    for typed, kind in [
        (None, Overview),
        ("requirement-1", RequirementStatus),
        ("tlatlaya", CaseStatus),
    ]:
        status_report(layout, typed)
        assert isinstance(status_report(layout, typed), kind)
