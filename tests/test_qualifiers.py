"""A figure's qualifier is printed in words wherever a person reads it ("more than 300"),
from the one vocabulary; files, JSON, CSV and SQL keep the token ("more-than")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run
from ledger.publish.markdown_text import escape
from ledger.records.vocabulary import Qualifier, qualified

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("value", "qualifier", "words"),
    [
        (300, "more-than", "more than 300"),
        (12000, Qualifier.more_than, "more than 12,000"),
        (15, "at-least", "at least 15"),
        (2.5, "about", "about 2.5"),
        (10, "at-most", "at most 10"),
        (3, "fewer-than", "fewer than 3"),
        (32142, "exactly", "32,142"),
    ],
)
def test_a_figure_in_words(value: float, qualifier: str, words: str) -> None:
    assert qualified(value, qualifier) == words
    assert escape(words) == words  # nothing in the words needs escaping in Markdown


def cli(*args: str) -> str:
    result = run(["--root", str(REPO), *args], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_status_markdown_and_export_markdown_say_figures_in_words() -> None:
    for markdown in (
        cli("status", "requirement-3", "--format", "markdown"),
        cli("export", "--format", "markdown"),
    ):
        assert "- more than 300 skulls (state of Veracruz" in markdown
        assert "more-than300" not in markdown
        assert "at-least15" not in markdown
    assert "- at least 15 convictions for torture" in cli("export", "--format", "markdown")


def test_human_status_and_figures_say_figures_in_words() -> None:
    status = cli("status", "requirement-3")
    assert "more than 300" in status
    figures = cli("figures")
    assert "more than 12,000" in figures
    assert "at least 15" in figures
    for human in (status, figures):
        for token in ("more-than", "at-least"):
            assert token not in human


def test_json_keeps_the_token() -> None:
    data = json.loads(cli("figures", "--format", "json"))
    assert "more-than" in json.dumps(data)


def test_the_site_says_figures_in_words(tmp_path: Path) -> None:
    cli("site", str(tmp_path / "site"))
    claim = (tmp_path / "site" / "claims" / "memo-veracruz-300-skulls.html").read_text()
    assert "<li>more than 300 skulls" in claim
    pages = "".join(p.read_text() for p in (tmp_path / "site").rglob("*.html"))
    assert "more than 12,000" in pages
    assert ">more-than<" not in pages
