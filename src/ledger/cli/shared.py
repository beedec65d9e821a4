"""The Typer application and what every command shares: finding the ledger, output format,
exit codes. Commands import the library inside their bodies so `ledger --help` stays fast."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO, TypeVar

import typer
from typer.completion import completion_init

if TYPE_CHECKING:
    from ledger.analysis.asof import Restriction
    from ledger.analysis.xref import Records, Resolution
    from ledger.progress import Progress
    from ledger.records.diagnostics import Diagnostic
    from ledger.records.ledger import Ledger
    from ledger.records.load import LoadResult
    from ledger.records.root import Layout
    from ledger.records.scan import Scan

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

T = TypeVar("T")

app = typer.Typer(
    name="ledger",
    help="An evidence ledger over plain-text YAML files: requirements, cases and sourced claims.",
    no_args_is_help=True,
    add_completion=False,  # its options are flags that ignore a shell named after them
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
completion_init()  # typer's completion for bash, zsh, fish and powershell (add_completion did it)


class OutputFormat(StrEnum):
    """A report for people, or JSON: what most read commands take."""

    human = "human"
    json = "json"


class Format(StrEnum):
    human = "human"
    json = "json"
    github = "github"


class ReportFormat(StrEnum):
    """The forms of a report a person reads or pastes: `status` and `diff` give all three."""

    human = "human"
    json = "json"
    markdown = "markdown"


class State:
    """Options given before the command name."""

    def __init__(self, root: Path | None) -> None:
        self.root = root


_ROOT_HELP = (
    "The ledger's folder (the one holding ledger.toml). Default: $LEDGER_ROOT, or found by "
    "walking up from the current folder."
)

RootOption = Annotated[
    Path | None,
    typer.Option("--root", metavar="DIR", help=_ROOT_HELP, show_default=False),
]
"""``--root`` for a command, so it may follow the command name as well as precede it.

It has no envvar: LEDGER_ROOT is read by the global option, and a ``--root`` given
anywhere on the command line wins over it."""


SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
"""The shells completion is written for (those typer writes scripts for)."""

COMPLETION_OPTIONS = ("--install-completion", "--show-completion")
"""Options that take a shell: named, or (given bare) the shell running ledger."""

COMPLETE_VAR = "_LEDGER_COMPLETE"
"""The variable a completion script sets to ask ledger for completions."""


def running_shell() -> str:
    """The shell that runs ledger, for a bare --show-completion or --install-completion
    (bash when it cannot be told)."""
    from typer.completion import _get_shell_name

    found = _get_shell_name()
    return found if found in SHELLS else "bash"


def _show_completion(shell: str | None) -> None:
    if shell:
        from typer.completion import get_completion_script

        sys.stdout.write(
            get_completion_script(prog_name="ledger", complete_var=COMPLETE_VAR, shell=shell) + "\n"
        )
        raise typer.Exit(EXIT_OK)


def _install_completion(shell: str | None) -> None:
    if shell:
        from typer.completion import install

        try:
            done, path = install(shell=shell, prog_name="ledger", complete_var=COMPLETE_VAR)
        except (OSError, ValueError) as exc:  # no such shell here, or a folder not writable
            fail(
                f"cannot install {shell} completion: {getattr(exc, 'strerror', None) or exc}; "
                f"`ledger --show-completion {shell}` prints the script to install by hand"
            )
        sys.stdout.write(f"{done} completion installed in {path}\n")
        sys.stdout.write("Completion will take effect once you restart the terminal\n")
        raise typer.Exit(EXIT_OK)


_SHELL_HELP = "SHELL: bash, zsh, fish or powershell; given bare, the shell running ledger."
Shell = StrEnum("Shell", [(name, name) for name in SHELLS])  # type: ignore[misc]


def _completion_option(name: str, callback: Callable[[str | None], None], says: str) -> Any:
    """One of the two completion options: a shell named after it, or the one running."""
    return typer.Option(
        name,
        metavar="[SHELL]",
        is_eager=True,
        expose_value=False,
        callback=callback,
        help=f"{says} {_SHELL_HELP}",
        show_default=False,
    )


def _print_version(asked: bool) -> None:
    if asked:
        from ledger.version import version_line

        sys.stdout.write(version_line() + "\n")
        raise typer.Exit(EXIT_OK)


@app.callback()
def options(
    ctx: typer.Context,
    root: Annotated[
        Path | None,
        typer.Option(
            "--root", envvar="LEDGER_ROOT", metavar="DIR", help=_ROOT_HELP, show_default=False
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            is_eager=True,
            callback=_print_version,
            help="Print the version of ledger and of the Python it runs on, and exit.",
        ),
    ] = False,
    install_completion: Annotated[
        Shell | None,
        _completion_option(
            "--install-completion", _install_completion, "Install tab completion for SHELL."
        ),
    ] = None,
    show_completion: Annotated[
        Shell | None,
        _completion_option(
            "--show-completion",
            _show_completion,
            "Print the completion script for SHELL, to install it by hand.",
        ),
    ] = None,
) -> None:
    """An evidence ledger over plain-text YAML files: requirements, cases and sourced claims."""
    ctx.obj = State(root)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """A one-line error on stderr and an exit code; data in the message is made harmless."""
    from ledger.safe_text import visible

    sys.stderr.write(f"ledger: {visible(message)}\n")
    raise typer.Exit(code)


ConfigReport = Callable[[list["Diagnostic"], Path], None]
"""Shows the mistakes in ledger.toml (diagnostics relative to the ledger's root)."""


def layout_of(
    ctx: typer.Context, root: Path | None = None, *, report: ConfigReport | None = None
) -> Layout:
    """The ledger's layout: from the command's ``--root``, the global one, or the cwd.

    A ledger.toml with mistakes stops every command with exit 2, each mistake shown as a
    diagnostic at its line and column (by ``report``, or on stderr for people)."""
    from ledger.records.root import RootError, open_layout

    state = ctx.find_object(State)
    found = open_layout(root or (state.root if state else None))
    if isinstance(found, RootError):
        if found.diagnostics and found.root is not None:
            (report or show_config_problems)(list(found.diagnostics), found.root)
            raise typer.Exit(EXIT_USAGE)
        fail(found.message)
    return found


def show_config_problems(diagnostics: list[Diagnostic], root: Path) -> None:
    """ledger.toml's mistakes on stderr, as `ledger validate` shows a record's."""
    from ledger.records.diagnostic_format import human

    sys.stderr.write(human(diagnostics, root, colour=colour_for(sys.stderr)) + "\n")


def load_or_exit(
    layout: Layout, *, check: bool = True, count_errors: bool = False, scan: Scan | None = None
) -> LoadResult:
    """The ledger as far as it loads, for a command to answer from. Exit 2 with one line when
    it cannot be read at all (no data folder, or more record files than the limit); records
    left out are announced in one line on stderr, and with ``count_errors`` (a command that
    publishes) errors too. ``scan``: a walk of the data folder already made (by default, the
    one the running command's replay made, if any)."""
    from ledger.cli.replay import walk_made
    from ledger.gcpause import kept_to_the_end
    from ledger.records.load import load

    scan = scan or walk_made(layout)
    with kept_to_the_end():
        result = load(layout, check=check, progress=progress_reporter(), scan=scan)
    if result.fatal:
        fail(result.fatal)
    errors = sum(1 for d in result.diagnostics if d.severity == "error") if count_errors else 0
    warn_left_out(result.left_out, errors, result.left_out_paths, checkout_of(layout))
    return result


def checkout_of(layout: Layout) -> str | None:
    """The commit a revision's layout is of (its short id), or None for the working tree:
    where `ledger validate` shows what its warnings are about."""
    return layout.tree.commit[:10] if layout.tree is not None else None


def warn_left_out(
    left_out: int, errors: int = 0, paths: Sequence[str] = (), checkout: str | None = None
) -> None:
    """One line on stderr when an answer leaves out record files that failed to load (and,
    when counted, how many errors the ledger has), so that no command is quieter than
    `ledger validate`; the first few files named, when ``paths`` are those counted, and
    for a revision (``checkout``: its commit), where to check it. stdout stays clean and
    the exit code is the answer's: 0. The running command's remembered output says it
    again when replayed."""
    from ledger.cli.replay import answer_left_out
    from ledger.records.diagnostics import unsound

    answer_left_out(left_out, errors, paths, checkout)

    said = unsound(left_out, errors, paths, checkout)
    if said:
        sys.stderr.write(f"ledger: warning: {said}\n")


def from_index(
    layout: Layout, ask: Callable[[Records], T], typed: str, scan: Scan | None = None
) -> T | None:
    """``ask`` (`show`, `xref` or `log` of one typed id) answered from the index kept for
    these very files (ledger.store.lookup); None when there is none to answer from: load
    the ledger. ``scan``: the walk of its files (by default, the one the running command's
    replay made, if any)."""
    from ledger.cli.replay import walk_made
    from ledger.store.lookup import answered

    found = answered(layout, scan or walk_made(layout), lambda index: ask(index, typed))
    if found is None:
        return None
    warn_left_out(found.left_out, paths=found.left_out_paths)
    return found.value


def load_indexed(ctx: typer.Context, layout: Layout, scan: Scan | None = None) -> Ledger:
    """The ledger's records; once the answer is printed, the index of its ids and links is
    kept for the next `show`, `xref` or `log` (ledger.store.lookup: about two seconds at
    100,000 claims, spent after the answer is out). ``scan`` as for :func:`from_index`."""
    from ledger.cli.replay import walk_made

    scan = scan or walk_made(layout)
    result = load_or_exit(layout, check=False, scan=scan)
    if scan is not None:

        def keep_index() -> None:
            from ledger.store.lookup import remember

            sys.stdout.flush()
            remember(layout, scan, result)

        ctx.call_on_close(keep_index)
    return result.ledger


PROGRESS_AFTER = 1.0
"""Seconds of work before progress is shown: quick commands print nothing extra."""


def progress_reporter() -> Progress | None:
    """Progress on stderr for work that takes more than a second, on a terminal only (and
    not under CI, whose logs are not terminals even when they look like one)."""
    if not (sys.stderr.isatty() and not os.environ.get("CI")):
        return None
    return _Reporter(PROGRESS_AFTER)


class _Reporter:
    """Counted work is one line rewritten in place; each stage of uncounted work is a line
    of its own, printed once the command has run for ``after`` seconds (by a timer, so a
    long stage that began early is still shown while it runs)."""

    def __init__(self, after: float) -> None:
        import threading
        import time

        self.clock = time.monotonic
        self.deadline = self.clock() + after
        self.lock = threading.Lock()
        self.pending = ""
        self.counting = False
        self.timer: threading.Timer | None = None

    def __call__(self, what: str, done: int, total: int) -> None:
        with self.lock:
            if total:
                if self.clock() >= self.deadline:
                    self._count(what, done, total)
                return
            self.pending = what
            if not what:  # the work is over: the command's own output comes next
                self._end_count()
                return
            if self.clock() >= self.deadline:
                self._show_pending()
            elif self.timer is None:
                import threading

                self.timer = threading.Timer(self.deadline - self.clock(), self._on_time)
                self.timer.daemon = True
                self.timer.start()

    def _on_time(self) -> None:
        with self.lock:
            self._show_pending()

    def _count(self, what: str, done: int, total: int) -> None:
        self.counting = done < total
        sys.stderr.write(f"\r{what}: {done:,} of {total:,}{'' if self.counting else chr(10)}")
        sys.stderr.flush()

    def _end_count(self) -> None:
        """End a counted line that was cut short (counts are reported every so many)."""
        if self.counting:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.counting = False

    def _show_pending(self) -> None:
        if not self.pending:
            return
        self._end_count()
        sys.stderr.write(f"{self.pending}...\n")
        sys.stderr.flush()
        self.pending = ""


def colour_for(stream: object) -> bool:
    """Whether to colour output on ``stream``, by the conventions people set once for every
    tool: ``NO_COLOR`` non-empty turns colour off (no-color.org), else ``FORCE_COLOR``
    non-empty turns it on even in a pipe (force-color.org, for CI logs and pagers), else
    colour on a terminal only. NO_COLOR wins when both are set: asking for none is the
    safer reading. The one place output decides on colour (render.console asks it too)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def resolve_or_exit(
    ledger: Ledger, typed: str, kinds: tuple[str, ...] | None = None, layout: Layout | None = None
) -> str:
    """The id the user meant (exact, or a unique prefix), or exit 2 with "did you mean";
    with the ``layout`` the ledger was loaded from, a file there named for the id that gave
    no record is named instead (:func:`fail_unresolved`)."""
    from ledger.analysis.xref import resolve

    found = resolve(ledger, typed, kinds)
    if found.id is None:
        if layout is not None:
            fail_unresolved(layout, found)
        fail(found.message)
    return found.id


def fail_unresolved(layout: Layout, found: Resolution) -> NoReturn:
    """Exit 2 with why no record has the typed id: when a record file of the working tree is
    named for it but gave no record of that id, that file is named, not other ids offered."""
    fail(unloaded_said(layout, found) or found.message)


def unloaded_said(layout: Layout, found: Resolution) -> str | None:
    """Why no record has the typed id, when a record file of the working tree is named for
    it but gave no record of that id (:func:`ledger.analysis.xref.unloaded_message`); else
    None."""
    from ledger.analysis.xref import unloaded_message
    from ledger.cli.replay import walk_made
    from ledger.records.scan import scan_data, unreadable_data

    if layout.tree is not None or unreadable_data(layout):
        return None
    scan = walk_made(layout) or scan_data(layout)
    return unloaded_message(found, scan.found)


def complete_ids(*kinds: str) -> Callable[[typer.Context, str], list[str]]:
    """Shell completion for the ids of records of these kinds (folder names; every kind when
    none), read from the file names under their folders, without loading."""

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        from ledger.records.root import RootError, open_layout

        state = ctx.find_object(State)
        given = ctx.params.get("root") or (state.root if state else None)
        layout = open_layout(Path(given) if given else None)
        if isinstance(layout, RootError):
            return []
        folders = [layout.data / kind for kind in kinds] if kinds else [layout.data]
        return sorted(
            {
                path.name.removesuffix(".yaml")
                for folder in folders
                for path in folder.rglob("*.yaml")
                if path.name.startswith(incomplete)
            }
        )

    return complete


complete_id = complete_ids()
"""Shell completion for any record's id."""


REV_HELP = "Read the ledger as it was at this git revision (no checkout is made)."


RevOption = Annotated[
    str | None, typer.Option("--rev", metavar="REV", help=REV_HELP, show_default=False)
]
"""``--rev`` for a read command: the ledger as it was at a git revision."""


def layout_at(ctx: typer.Context, rev: str | None, root: Path | None = None) -> Layout:
    """The ledger's layout now, or at a git revision (read from git's objects)."""
    layout = layout_of(ctx, root)
    if rev is None:
        return layout
    from ledger.git.revision import GitError, open_revision

    revision = open_revision(layout, rev)
    if isinstance(revision, GitError):
        fail(revision.message)
    return revision


JSON_VERSION = 1


def write_csv(header: Sequence[object], rows: Iterable[Sequence[object]]) -> None:
    """CSV on stdout, written by the one CSV writer (:mod:`ledger.publish.tables`): every cell
    whole, control characters made visible, formula-looking text defused."""
    from ledger.publish.tables import csv_lines

    sys.stdout.writelines(csv_lines(header, rows))


def write_json(kind: str, data: dict[str, object]) -> None:
    """A command's JSON on stdout, in the versioned envelope every command shares:
    ``{"format": "ledger-<kind>", "version": 1, ...}``."""
    from ledger.safe_text import dumps

    sys.stdout.write(dumps({"format": f"ledger-{kind}", "version": JSON_VERSION, **data}) + "\n")


AS_OF_HELP = (
    "The ledger as it stood on this date (YYYY, YYYY-MM or YYYY-MM-DD): only sources "
    "published by then, and their claims whose as_of is not later. A partial date compares "
    "at the precision both share (a source of 2017 counts as of 2017-09, one of 2018 does "
    "not); the report names what was left out and why."
)

AsOfOption = Annotated[
    str | None, typer.Option("--as-of", metavar="DATE", help=AS_OF_HELP, show_default=False)
]
"""``--as-of`` for a read command: the ledger restricted to a date (ledger.analysis.asof)."""


def as_of_or_exit(text: str | None) -> str | None:
    """The as-of date as given, checked (exit 2 with one line when it is not a date)."""
    if text is None:
        return None
    from ledger.analysis.asof import AsOfError, parse_as_of

    try:
        return parse_as_of(text)
    except AsOfError as exc:
        fail(str(exc))


def restrict_to(ledger: Ledger, as_of: str | None) -> tuple[Ledger, Restriction | None]:
    """The ledger restricted to the as-of date (unchanged without one), and what was left out."""
    if as_of is None:
        return ledger, None
    from ledger.analysis.asof import restrict

    return restrict(ledger, as_of)


def show_restriction(restriction: Restriction | None, stream: TextIO | None = None) -> None:
    """What --as-of left out, a few lines for people (on stdout unless told otherwise)."""
    if restriction is None:
        return
    from ledger.safe_text import visible

    out = stream or sys.stdout
    out.write("".join(visible(line) + "\n" for line in restriction.lines()))
    if stream is None:
        out.write("\n")


def as_of_json(restriction: Restriction | None) -> dict[str, object]:
    """The ``as_of`` member of a command's JSON (nothing without --as-of)."""
    return {} if restriction is None else {"as_of": restriction.to_dict()}
