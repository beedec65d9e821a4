"""Progress of long work: said by the library, shown by the CLI on a terminal only, and only
once work has taken a second."""

from __future__ import annotations

import io
import time

import pytest

import ledger.cli.shared as shared
from conftest import Sample, layout_for
from ledger.analysis.status_lookup import status_report
from ledger.progress import Progress
from ledger.records.pipeline import load as plain_load


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def on_terminal(monkeypatch: pytest.MonkeyPatch, after: float = 0.0) -> tuple[Terminal, Progress]:
    """stderr as a terminal, progress shown after ``after`` seconds. Called in the test
    itself: pytest puts its own stderr back between a fixture and the test."""
    stream = Terminal()
    monkeypatch.setattr("sys.stderr", stream)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(shared, "PROGRESS_AFTER", after)
    report = shared.progress_reporter()
    assert report is not None
    return stream, report


def test_counted_work_is_one_line_rewritten_then_stages_follow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal, report = on_terminal(monkeypatch)
    report("reading files", 500, 1200)
    report("reading files", 1000, 1200)
    report("reading files", 1200, 1200)
    report("checking references and quotes", 0, 0)
    assert terminal.getvalue() == (
        "\rreading files: 500 of 1,200\rreading files: 1,000 of 1,200"
        "\rreading files: 1,200 of 1,200\nchecking references and quotes...\n"
    )


def test_a_count_cut_short_still_ends_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal, report = on_terminal(monkeypatch)
    report("reading files", 500, 1200)
    report("working out the status", 0, 0)
    assert terminal.getvalue() == "\rreading files: 500 of 1,200\nworking out the status...\n"


def test_nothing_is_shown_in_the_first_second(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal, report = on_terminal(monkeypatch, after=60.0)
    report("reading files", 500, 1200)
    assert terminal.getvalue() == ""


def test_no_progress_when_stderr_is_not_a_terminal_or_under_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert shared.progress_reporter() is None
    monkeypatch.setattr("sys.stderr", Terminal())
    monkeypatch.setenv("CI", "1")
    assert shared.progress_reporter() is None


def test_loading_and_status_say_what_they_are_doing(sample_copy: Sample) -> None:
    said: list[tuple[str, int, int]] = []
    layout = layout_for(sample_copy.root)
    plain_load(layout, progress=lambda *step: said.append(step))
    files = len(list((sample_copy.root / "data").rglob("*.yaml")))
    assert said == [
        (f"loading {files:,} records", 0, 0),
        ("checking references and quotes", 0, 0),
        ("", 0, 0),
    ]
    said.clear()
    status_report(layout, "requirement-1", progress=lambda *step: said.append(step))
    assert said[-2:] == [("working out the status", 0, 0), ("", 0, 0)]


def test_a_long_stage_begun_early_is_shown_while_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal, report = on_terminal(monkeypatch, after=0.2)
    report("loading 100,000 records", 0, 0)
    assert terminal.getvalue() == ""
    waited_until = time.monotonic() + 30  # a guard against a hang on a busy machine
    while not terminal.getvalue() and time.monotonic() < waited_until:
        time.sleep(0.05)
    assert terminal.getvalue() == "loading 100,000 records...\n"
    report("", 0, 0)
    report("checking references and quotes", 0, 0)
    report("", 0, 0)
    assert terminal.getvalue() == "loading 100,000 records...\nchecking references and quotes...\n"


def test_a_stage_over_within_the_first_second_is_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal, report = on_terminal(monkeypatch, after=0.2)
    report("loading 12 records", 0, 0)
    report("", 0, 0)
    time.sleep(0.6)
    assert terminal.getvalue() == ""


def test_the_end_of_the_work_ends_a_count_cut_short(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal, report = on_terminal(monkeypatch)
    report("reading files", 99_500, 100_123)
    report("", 0, 0)
    assert terminal.getvalue() == "\rreading files: 99,500 of 100,123\n"
