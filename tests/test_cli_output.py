"""How output behaves where it goes: colour by the NO_COLOR and FORCE_COLOR conventions."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from conftest import Sample, run
from ledger.cli import app

REPO = Path(__file__).resolve().parents[1]
ESC = "\x1b["


def piped(*args: str, env: dict[str, str | None] | None = None) -> Result:
    """`ledger --root REPO ARGS...` with stdout a pipe (not a terminal), 80 columns."""
    base: dict[str, str | None] = {
        "LEDGER_ROOT": None,
        "COLUMNS": "80",
        "NO_COLOR": None,
        "FORCE_COLOR": None,
    }
    return CliRunner().invoke(app, ["--root", str(REPO), *args], env={**base, **(env or {})})


@pytest.mark.parametrize(
    ("env", "coloured"),
    [
        ({}, False),
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": "0"}, True),  # any non-empty value forces colour (force-color.org)
        ({"FORCE_COLOR": ""}, False),
        ({"NO_COLOR": "1"}, False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),  # asking for none wins
        ({"NO_COLOR": "", "FORCE_COLOR": "1"}, True),  # an empty NO_COLOR asks nothing
    ],
)
def test_colour_in_a_pipe_follows_no_color_and_force_color(
    env: dict[str, str | None], coloured: bool
) -> None:
    result = piped("status", env=env)
    assert result.exit_code == 0
    assert (ESC in result.stdout) is coloured
    assert "requirement-3" in result.stdout


@pytest.mark.parametrize(("env", "coloured"), [({"FORCE_COLOR": "1"}, True), ({}, False)])
def test_force_color_colours_diagnostics_on_stderr_too(
    sample_copy: Sample, env: dict[str, str | None], coloured: bool
) -> None:
    (sample_copy.root / "data" / "cases" / "broken.yaml").write_text("id: broken\n")
    result = run(["--root", str(sample_copy.root), "validate"], env={"NO_COLOR": None, **env})
    assert result.exit_code == 1
    assert "broken.yaml" in result.stderr
    assert (ESC in result.stderr) is coloured
