"""docs/cli.md is generated from the commands' own help and must be kept current."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import typer

from ledger.cli import app
from ledger.cli.docs import REGENERATE, command_reference

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_the_committed_reference_is_current() -> None:
    expected = command_reference()
    committed = DOCS.read_text(encoding="utf-8") if DOCS.is_file() else ""
    if committed != expected:
        diff = difflib.unified_diff(
            committed.splitlines(), expected.splitlines(), "docs/cli.md", "generated", lineterm=""
        )
        shown = "\n".join(list(diff)[:40])
        pytest.fail(f"docs/cli.md is out of date; regenerate it with:\n    {REGENERATE}\n{shown}")


def test_the_reference_says_how_to_regenerate_it() -> None:
    head = command_reference().split("## ", 1)[0]
    assert f"`{REGENERATE}`" in head


def test_every_command_and_option_is_documented() -> None:
    reference = command_reference()
    group = typer.main.get_command(app)
    ctx = group.context_class(group, info_name="ledger")
    names = group.list_commands(ctx)  # type: ignore[attr-defined]
    assert {"show", "list", "xref", "conflicts", "gaps", "search", "timeline", "figures"} <= set(
        names
    )
    for name in names:
        command = group.get_command(ctx, name)  # type: ignore[attr-defined]
        if command.hidden:
            continue
        assert f"\n## `ledger {name}`\n" in reference
        assert f"- [`ledger {name}`](#ledger-{name}): " in reference
        section = reference.split(f"\n## `ledger {name}`\n", 1)[1].split("\n## ", 1)[0]
        assert f"Usage: ledger {name} " in section
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("-"):
                    assert opt in section, f"{name} {opt}"


def test_the_reference_is_deterministic_markdown() -> None:
    first = command_reference()
    assert first == command_reference()
    assert first.endswith("\n") and not first.endswith("\n\n")
    assert first.count("```text") == first.count("```") // 2
    for line in first.splitlines():
        assert line == line.rstrip(), f"trailing space: {line!r}"
