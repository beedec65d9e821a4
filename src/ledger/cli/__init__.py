"""The command line: each command is one library call plus rendering.

Typer builds every registered command (its parameters, their types) on each run, so a run
imports only the module of the command it was asked for; help, completion and anything
unclear import them all. ``ledger.cli.app`` is the whole application, every command in it
(the Typer object itself, and the helpers commands share, live in shared.py).
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typer import Typer

COMMAND_MODULES = (
    "diff_cmd", "fmt_cmd", "init_cmd", "new_cmd", "publish_cmds", "query_cmds", "review_cmd",
    "schema_cmd", "serve_cmd", "status_cmd", "validate_cmd",
)  # fmt: skip
"""Every module that registers commands, in the order help lists them."""

COMMANDS = {
    "diff": "diff_cmd", "log": "diff_cmd", "fmt": "fmt_cmd", "init": "init_cmd", "new": "new_cmd",
    "locate": "new_cmd", "link": "new_cmd", "export": "publish_cmds", "query": "publish_cmds",
    "site": "publish_cmds", "show": "query_cmds", "xref": "query_cmds", "list": "query_cmds",
    "conflicts": "query_cmds", "gaps": "query_cmds", "search": "query_cmds",
    "timeline": "query_cmds", "figures": "query_cmds", "review": "review_cmd",
    "queue": "review_cmd", "schema": "schema_cmd", "serve": "serve_cmd", "status": "status_cmd",
    "validate": "validate_cmd",
}  # fmt: skip
"""Which module registers each command (a test keeps this true)."""

_GLOBAL_WITH_VALUE = ("--root",)
"""Options before the command name that take a value."""


def full_app() -> Typer:
    """The application with every command registered."""
    for module in COMMAND_MODULES:
        import_module(f"ledger.cli.{module}")
    from ledger.cli.shared import app

    return app


def command_named(args: list[str]) -> str | None:
    """The command a command line asks for, when that is plain: None for help, an unknown
    name, or an option this reading does not know."""
    rest = iter(args)
    for arg in rest:
        if arg in _GLOBAL_WITH_VALUE:
            next(rest, None)
        elif arg.startswith(tuple(f"{o}=" for o in _GLOBAL_WITH_VALUE)):
            continue
        elif arg.startswith("-"):
            return None
        else:
            return arg if arg in COMMANDS else None
    return None


def main() -> None:
    """Run the command line: any terminal encoding, and out of memory, in one line."""
    tolerant_output()
    try:
        _run()
    except MemoryError:
        sys.stderr.write("ledger: out of memory; ask for less, or give it more memory\n")
        sys.exit(2)
    finally:
        flush_output()


def flush_output() -> None:
    """Write out what piped output still holds (it is not flushed line by line). A reader
    that stopped early (``ledger list claims | head``) ends the command quietly with exit 1,
    as a closed pipe does while printing, rather than with a traceback at shutdown."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


def _run() -> None:
    name = command_named(sys.argv[1:])
    completing = any(k.startswith("_LEDGER_COMPLETE") for k in os.environ)
    if name is None or completing:
        sys.argv[1:] = with_completion_shell(sys.argv[1:])
        full_app()()
        return
    import_module(f"ledger.cli.{COMMANDS[name]}")
    from ledger.cli.shared import app

    app()


def with_completion_shell(args: list[str]) -> list[str]:
    """The arguments, with the shell running ledger named after a bare
    ``--show-completion`` or ``--install-completion``, so that a shell named there is read
    as the option's value (typer's own options were flags and took ``zsh`` for nothing)."""
    from ledger.cli.shared import COMPLETION_OPTIONS, running_shell

    out = []
    for index, arg in enumerate(args):
        out.append(arg)
        following = args[index + 1] if index + 1 < len(args) else None
        if arg in COMPLETION_OPTIONS and (following is None or following.startswith("-")):
            out.append(running_shell())
    return out


def tolerant_output() -> None:
    """Print whatever the terminal's encoding: a character it cannot show is written as
    ``?`` on stdout (``\\u201c`` on stderr, Python's own default there) instead of ending
    the command with a UnicodeEncodeError. UTF-8 output is unchanged."""
    for stream, errors in ((sys.stdout, "replace"), (sys.stderr, "backslashreplace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "") == "strict":
            reconfigure(errors=errors)


def __getattr__(name: str) -> Any:
    if name == "app":
        globals()["app"] = whole = full_app()
        return whole
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
