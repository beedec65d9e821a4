"""Asking for what a command was not given: one answer at a time, each checked as it is
typed, in a terminal only.

Values come from flags; when a required one is missing and stdin is a terminal, the command
asks for it. With ``--no-input``, or when stdin is not a terminal, a missing value is a usage
error (exit 2), so scripts never wait for an answer. Ctrl-C or Ctrl-D at any prompt cancels
with nothing written (exit 130). `ledger new` and `ledger init` share this.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, NoReturn, TypeVar

import typer

from ledger.cli.shared import EXIT_USAGE, fail

EXIT_CANCELLED = 130

T = TypeVar("T")

NoInputOption = Annotated[
    bool,
    typer.Option(
        "--no-input",
        help="Never prompt: a missing required value is a usage error (as when stdin is not "
        "a terminal).",
    ),
]
DryRunOption = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Check everything and print the YAML as it would be written (invisible "
        "characters shown as escapes); write nothing.",
    ),
]


class Cancelled(Exception):
    """The user pressed Ctrl-C or Ctrl-D at a prompt."""


@dataclass(frozen=True)
class Bad:
    """An answer that does not fit: why, shown before asking again."""

    message: str


class Prompter:
    """Asks for missing values, one at a time, checking each answer before moving on."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive

    def say(self, message: str) -> None:
        from ledger.safe_text import visible

        sys.stderr.write(visible(message, keep_newlines=True) + "\n")
        sys.stderr.flush()

    def ask(
        self,
        label: str,
        check: Callable[[str], T | Bad],
        *,
        default: str | None = None,
        words: list[str] | None = None,
        hint: str = "",
    ) -> T:
        """Ask until ``check`` accepts the answer; Enter takes ``default`` when there is one.

        ``hint`` is said on the line above; an answer that resolves to something else (an id
        prefix to the id) is echoed, so what will be written is never a surprise.
        """
        from ledger.safe_text import visible

        if hint:
            self.say(f"  ({hint})")
        shown = f"{label} [{visible(default)}]: " if default else f"{label}: "
        while True:
            with _completion(words or []):
                answer = self._read(shown).strip()
            if not answer and default is not None:
                answer = default
            value = check(answer)
            if isinstance(value, Bad):
                self.say(f"  {value.message}")
                continue
            resolved = _describe(value)
            if resolved and resolved != answer:
                self.say(f"  = {resolved}")
            return value

    def confirm(self, question: str) -> None:
        """Ask yes or no (Enter is yes); no cancels, with nothing written."""
        answer = self.ask(f"{question} (y/n)", choice_of(["y", "yes", "n", "no"]), default="y")
        if answer.startswith("n"):
            raise Cancelled

    @staticmethod
    def _read(prompt: str) -> str:
        try:
            return input(prompt)
        except (KeyboardInterrupt, EOFError):
            raise Cancelled from None


def _describe(value: object) -> str:
    """An accepted answer as the user would type it, to echo what it resolved to."""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return "=".join(_describe(v) for v in value)
    if isinstance(value, list):
        return ", ".join(_describe(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return ""


@contextmanager
def _completion(words: list[str]) -> Iterator[None]:
    """Tab-completion of ``words`` (ids) at one prompt, where readline is available."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        yield
        return
    if not words:
        readline.set_completer(None)
        yield
        return

    def complete(text: str, state: int) -> str | None:
        found = [w for w in words if w.startswith(text)]
        return found[state] if state < len(found) else None

    readline.set_completer_delims(" ,=\t\n")
    if "libedit" in (readline.__doc__ or ""):  # pragma: no cover - macOS
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")
    readline.set_completer(complete)
    try:
        yield
    finally:
        readline.set_completer(None)


def fail_lines(lines: list[str], code: int) -> NoReturn:
    """Like `fail`, for a message of several lines (each made harmless on its own)."""
    from ledger.safe_text import visible

    sys.stderr.write("ledger: " + "\n".join(visible(line) for line in lines) + "\n")
    raise typer.Exit(code)


def session(no_input: bool, missing: list[str]) -> Prompter:
    """Prompts when required values are missing and stdin is a terminal (and --no-input is
    not given); a missing value otherwise is a usage error. With every required value given,
    nothing is asked, so flags alone never wait for an answer."""
    if not missing:
        return Prompter(False)
    if no_input or not sys.stdin.isatty():
        missing_values(missing)
    return Prompter(True)


def missing_values(names: list[str]) -> NoReturn:
    fail(
        f"missing {', '.join(names)}: give {'it' if len(names) == 1 else 'them'}, or run in a "
        "terminal (without --no-input) to be asked",
        EXIT_USAGE,
    )


@contextmanager
def cancellable() -> Iterator[None]:
    """Ctrl-C or Ctrl-D anywhere in a session: say so, write nothing, exit 130."""
    try:
        yield
    except (Cancelled, KeyboardInterrupt):
        sys.stderr.write("\nledger: cancelled, nothing written\n")
        raise typer.Exit(EXIT_CANCELLED) from None


# -- checks for answers -------------------------------------------------------------------


def text_answer(required: bool = True) -> Callable[[str], str | Bad | None]:
    def check(answer: str) -> str | Bad | None:
        if not answer:
            return Bad("an answer is needed") if required else None
        return plain_answer(answer)

    return check


def plain_answer(answer: str) -> str | Bad:
    from ledger.safe_text import has_hidden

    if has_hidden(answer):
        return Bad("the answer holds control or invisible characters; type it plainly")
    return " ".join(answer.split())


def choice_of(values: list[str]) -> Callable[[str], str | Bad]:
    def check(answer: str) -> str | Bad:
        if answer in values:
            return answer
        starts = [v for v in values if v.startswith(answer)] if answer else []
        if len(starts) == 1:
            return starts[0]
        return Bad(f"choose one of: {', '.join(values)}")

    return check


def date_answer(required: bool) -> Callable[[str], str | Bad | None]:
    def check(answer: str) -> str | Bad | None:
        from ledger.records.model import check_iso_date

        if not answer:
            return Bad("a date is needed") if required else None
        try:
            return check_iso_date(answer)
        except ValueError as exc:
            return Bad(f"{answer}: {exc}")

    return check


def year_answer(answer: str) -> int | Bad:
    """A year of four digits, as a fiscal year is written."""
    if len(answer) == 4 and answer.isdigit():
        return int(answer)
    return Bad("a year of four digits, e.g. 2017")
