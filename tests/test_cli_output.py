"""How output behaves where it goes: colour by the NO_COLOR and FORCE_COLOR conventions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from conftest import Sample, broken_ids, run, run_process
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


@pytest.mark.parametrize(
    ("shell", "start", "not_in"),
    [
        ("zsh", "#compdef ledger\n", "COMPREPLY"),
        ("fish", "complete --command ledger ", "COMPREPLY"),
        ("bash", "_ledger_completion() {\n", "#compdef"),
    ],
)
def test_show_completion_writes_the_script_of_the_shell_named(
    shell: str, start: str, not_in: str, tmp_path: Path
) -> None:
    done = run_process(["--show-completion", shell], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(start)
    assert not_in not in done.stdout
    assert f"complete_{shell}" in done.stdout
    same = run(["--show-completion", shell])  # in process, the same script
    assert same.exit_code == 0
    assert same.stdout == done.stdout


def test_a_shell_completion_does_not_know_is_refused(tmp_path: Path) -> None:
    done = run_process(["--show-completion", "tcsh"], cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "'tcsh' is not one of 'bash', 'zsh', 'fish'" in done.stderr


def test_show_completion_bare_writes_a_script_for_the_running_shell(tmp_path: Path) -> None:
    done = run_process(["--show-completion"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "_LEDGER_COMPLETE=complete_" in done.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"_LEDGER_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "ledger stat"}, '"status"'),
        (
            {
                "_LEDGER_COMPLETE": "complete_fish",
                "_TYPER_COMPLETE_ARGS": "ledger status ayo",
                "_TYPER_COMPLETE_FISH_ACTION": "get-args",
            },
            "ayotzinapa",
        ),
        (
            {
                "_LEDGER_COMPLETE": "complete_bash",
                "COMP_WORDS": "ledger status ayo",
                "COMP_CWORD": "2",
            },
            "ayotzinapa",
        ),
    ],
)
def test_completions_are_answered_for_each_shell(env: dict[str, str], expected: str) -> None:
    command = Path(sys.executable).with_name("ledger")  # completion runs the installed command
    if not command.exists():
        pytest.skip("no installed ledger command beside this Python")
    clean = {k: v for k, v in os.environ.items() if k != "LEDGER_ROOT"}
    done = subprocess.run(
        [str(command)], cwd=REPO, env={**clean, **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout


def _json_of(*args: str) -> Any:
    result = piped(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _once(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("list", "claims", "--case", "tlatlaya"), lambda d: [r["id"] for r in d["records"]]),
        (("list", "sources"), lambda d: [r["id"] for r in d["records"]]),
        (("search", "iguala"), lambda d: _once([h["id"] for h in d["hits"]])),
        (("gaps",), lambda d: _once([g["subject"] for g in d["gaps"]])),
        (
            ("conflicts", "tlatlaya"),
            lambda d: _once([p[s]["id"] for p in d["pairs"] for s in ("left", "right")]),
        ),
    ],
)
def test_ids_prints_one_id_a_line_each_once(
    args: tuple[str, ...], expected: Callable[[Any], list[str]]
) -> None:
    result = piped(*args, "--ids")
    assert result.exit_code == 0, result.stderr
    wanted = expected(_json_of(*args))
    assert wanted
    assert result.stdout == "".join(f"{i}\n" for i in wanted)
    assert len(set(wanted)) == len(wanted)


@pytest.mark.parametrize("command", ["list claims", "search iguala", "gaps", "conflicts"])
def test_ids_with_a_format_is_refused(command: str) -> None:
    result = piped(*command.split(), "--ids", "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "ledger: --ids prints ids alone: leave out --format json\n"


FORMAT_WORDS = {
    "human",
    "json",
    "jsonl",
    "csv",
    "sqlite",
    "markdown",
    "annotations",
    "github",
    "table",
}


def test_every_format_option_names_exactly_the_formats_it_takes() -> None:
    import typer.main

    group = typer.main.get_command(app)
    checked = 0
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        for leaf in getattr(command, "commands", {name: command}).values():
            for param in leaf.params:
                if "--format" not in param.opts:
                    continue
                choices = set(getattr(param.type, "choices", ()))
                named = {w.strip(".,") for w in (param.help or "").split()} & FORMAT_WORDS
                assert named == choices, (name, param.help)
                checked += 1
    assert checked >= 14


def test_log_refuses_markdown_rather_than_printing_plain_text() -> None:
    result = piped("log", "tlatlaya", "--format", "markdown")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "'markdown' is not one of 'human', 'json'" in result.stderr


# -- piped layout ----------------------------------------------------------------------------


def _record_ids() -> set[str]:
    return {p.stem for p in (REPO / "data").rglob("*.yaml")}


def test_status_in_a_pipe_at_80_columns_breaks_no_id_and_wraps_no_line(tmp_path: Path) -> None:
    done = run_process(["status", "requirement-3"], cwd=REPO, env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert broken_ids(out, _record_ids()) == []
    lines = out.splitlines()
    # each claim's quote is whole on its line, indented under its claim
    assert any(
        line.startswith("      \u201c") and line.endswith("\u201d") and len(line) > 80
        for line in lines
    )
    # the cases table fits 80 columns by narrowing its headers, never its ids
    assert any(line.startswith("general-law-on-disappearances   ") for line in lines)
    header = lines.index(next(line for line in lines if line.startswith("case ")))
    assert all(len(line) <= 80 for line in lines[header - 1 : header + 12])


def test_query_in_a_pipe_at_80_columns_is_a_block_per_row(tmp_path: Path) -> None:
    done = run_process(["query", "select * from case_status"], cwd=REPO, env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert broken_ids(out, _record_ids()) == []
    blocks = out.rstrip("\n").split("\n\n")
    first = blocks[0].splitlines()
    assert [line.split(": ", 1)[0] for line in first] == [
        "case_id", "requirement_id", "status", "line", "independent_supports",
        "independent_undermines", "obligor_supports", "obligor_undermines", "context",
    ]  # fmt: skip
    assert first[0] == "case_id: atenco"
    assert blocks[-1].splitlines()[-1].endswith(" rows")
    # no one-character columns: every line is a whole "column: value" line (or the count)
    for block in blocks:
        for line in block.splitlines():
            assert ": " in line or line.endswith(" rows"), line


def test_a_query_that_fits_is_still_a_table() -> None:
    result = piped("query", "select case_id, status from case_status limit 2")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "case_id   status ",
        "\u2500" * 17,
        "atenco    not-met",
        "atenco    not-met",
        "2 rows",
    ]


def test_list_claims_in_a_pipe_keeps_each_statement_on_one_line() -> None:
    listed = piped("list", "claims", "--case", "tlatlaya")
    data = _json_of("list", "claims", "--case", "tlatlaya")
    lines = listed.stdout.splitlines()
    for record in data["records"]:
        assert f"    {record['statement']}" in lines


class _Terminal:
    """A stream that says it is a terminal, and keeps what is written."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.encoding = "utf-8"

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True

    def text(self) -> str:
        import re

        return re.sub(r"\x1b\[[0-9;]*m", "", "".join(self.parts))


@pytest.mark.parametrize("columns", [60, 80])
def test_a_terminal_table_too_narrow_keeps_every_column_and_every_id_whole(
    monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    """Rich alone drops columns it cannot fit and splits ids; the table is laid out with its
    ids whole, or as one block per row, never losing a column."""
    from rich.table import Table

    from ledger.cli.render import console

    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.delenv("NO_COLOR", raising=False)
    grid = Table("requirement", "status", "line", "independent supports", "obligor supports")
    grid.add_column("conflicts")
    ids = ["requirement-1-of-a-long-name", "disappearances-nationwide-and-more"]
    for record_id in ids:
        grid.add_row(record_id, "not-met", "S2", "0", "8", "2")
    terminal = _Terminal()
    console(terminal).print(grid)  # type: ignore[arg-type]
    shown = terminal.text()
    for record_id in ids:
        assert record_id in shown
    for header in ("conflicts", "obligor supports", "status"):
        assert header in " ".join(shown.split())


def test_installing_completion_for_a_shell_not_here_is_one_line(tmp_path: Path) -> None:
    """PowerShell's profile is asked of PowerShell itself: without it, a message, not a
    traceback."""
    if shutil.which("pwsh") or shutil.which("powershell"):
        pytest.skip("PowerShell is installed here")
    done = run_process(
        ["--install-completion", "powershell"], cwd=tmp_path, env={"HOME": str(tmp_path)}
    )
    assert done.returncode == 2
    assert done.stderr.startswith("ledger: cannot install powershell completion: ")
    assert "Traceback" not in done.stderr
