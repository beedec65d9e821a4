"""The entry point imports only the module of the command asked for: that must never change
which command runs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import SAMPLE, run
from ledger.cli import COMMAND_MODULES, COMMANDS, app, command_named


def test_every_command_is_mapped_to_the_module_that_registers_it() -> None:
    registered = {
        (c.name or c.callback.__name__): c.callback.__module__  # type: ignore[union-attr]
        for c in app.registered_commands
    }
    for group in app.registered_groups:
        registered[group.name] = group.typer_instance.registered_commands[0].callback.__module__  # type: ignore[union-attr]
    assert {name: f"ledger.cli.{module}" for name, module in COMMANDS.items()} == registered
    assert set(COMMANDS.values()) == set(COMMAND_MODULES)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["status", "requirement-3"], "status"),
        (["--root", "some/where", "validate"], "validate"),
        (["--root=some/where", "new", "claim"], "new"),
        (["--help"], None),
        (["-h", "status"], None),
        (["--install-completion"], None),
        ([], None),
        (["stauts"], None),
        (["--root"], None),
    ],
)
def test_the_command_asked_for_is_read_from_the_arguments(
    args: list[str], name: str | None
) -> None:
    assert command_named(args) == name


def test_a_command_run_alone_registers_only_its_own_module() -> None:
    code = (
        "import sys; sys.argv = ['ledger', 'schema', '--help']\n"
        "from ledger.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.endswith(('_cmd', '_cmds'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "['ledger.cli.schema_cmd']"


def test_a_misspelt_command_still_gets_every_name_suggested() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ledger", "stauts"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "No such command 'stauts'" in done.stderr
    assert "status" in done.stderr


def _commands() -> list[tuple[str, object]]:
    """Every command of the application, with its full name (``new claim``)."""
    import typer.main

    group = typer.main.get_command(app)
    found = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        for sub, leaf in getattr(command, "commands", {name: command}).items():
            found.append((name if sub == name else f"{name} {sub}", leaf))
    return found


def test_every_command_that_reads_a_ledger_takes_root_after_its_name() -> None:
    without = [
        name
        for name, command in _commands()
        if name != "init" and not any("--root" in p.opts for p in command.params)  # type: ignore[attr-defined]
    ]
    assert without == []


@pytest.mark.parametrize(
    "args",
    [
        ["diff", "HEAD"],
        ["log", "tlatlaya"],
        ["schema", "--write"],
        ["review", "no-such-claim", "--by", "A. Reviewer"],
        ["fmt", "--check"],
    ],
)
def test_root_after_the_command_name_is_taken(args: list[str]) -> None:
    result = run([*args, "--root", str(SAMPLE / "no-such-folder")])
    assert "No such option" not in result.output
    assert result.exit_code == 2
    assert "no-such-folder" in result.stderr
