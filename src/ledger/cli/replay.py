"""A command's output, remembered while the ledger is unchanged.

The same command line, run again on the same ledger (every file under data/, the marker file
and the code exactly as they were; cache.py says how that is tested) with its output going
to the same kind of place (a terminal or not, its size, colour or not, the encoding), prints
what it printed last time without loading a record or rendering anything, and says again,
on stderr, how many record files its answer left out. Only a run that ends without error is
remembered, and only output up to MAX_REMEMBERED characters.

A read command opts in with :func:`replayable`: its parameters are the question, and the
ledger it loads (through cli.shared.load_or_exit) is read with the walk the replay already
made, so an unchanged ledger is walked once per run. A question about a git revision is not
remembered by it: the key covers the working tree's files only. A command comparing
revisions (`ledger diff`) calls :func:`remembered` itself, with a key naming the commits it
read, which git's object ids fix.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ledger.records.root import Layout
    from ledger.records.scan import Scan
    from ledger.store.answers import Answers
    from ledger.store.report_basis import Basis

MAX_REMEMBERED = 32 * 1024 * 1024
"""The largest output remembered, in characters: a whole-ledger report at 100k claims (a
timeline, every gap) is tens of megabytes and seconds to work out again."""

_ENVIRONMENT = (
    "COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM", "COLORTERM", "TTY_COMPATIBLE",
    "TTY_INTERACTIVE", "JUPYTER_COLUMNS", "JUPYTER_LINES",
)  # fmt: skip
"""What rich reads from the environment to decide width and colour."""


class Replay:
    """The remembered output of one command line, and the recording of a new one."""

    def __init__(
        self,
        layout: Layout,
        command: list[Any],
        key: str | None = None,
        served_again: bool = False,
    ) -> None:
        """``key``: what the answer depends on, when not the working tree's files (then
        walked for it); ``served_again``: the command says what its answer read."""
        from ledger.records.scan import scan_data, unreadable_data
        from ledger.store.answers import Answers

        self.layout = layout
        self.scan: Scan | None = None
        self.answers: Answers | None = None
        self.warnings: list[list[Any]] = []
        """How many files each load left out, the errors it counted, the files' paths and
        the commit they are of (told by the command): said again on replay."""
        self.served_again = served_again
        self.basis: Basis | None = None
        """What the answer read, when the command knows it (:func:`answer_read`): kept
        with the output, which then serves again while no edit reaches that."""
        self.family = f"output:{command[0]}:"
        self.name = self.family + json.dumps([command, _shape(sys.stdout)], default=str)
        if key is not None:
            self.answers = Answers(layout, None, key=key)
            return
        if not layout.cacheable or unreadable_data(layout) is not None:
            return  # nothing to remember; the command reports an unreadable ledger itself
        self.scan = scan_data(layout)
        self.answers = Answers(layout, self.scan)

    def replayed(self) -> bool:
        """Print the remembered output, if there is one for exactly this ledger."""
        from ledger.cli.shared import warn_left_out
        from ledger.safe_text import is_plain_output

        stored = self.answers.recall(self.name) if self.answers else None
        if not isinstance(stored, dict):
            stored = self._still_read()
        if not isinstance(stored, dict):
            return False  # nothing remembered: work it out
        text, warnings = stored.get("output"), stored.get("warnings")
        if not isinstance(text, str) or not is_plain_output(text) or not _counts(warnings):
            return False  # not what this tool prints: work it out
        for left_out, errors, paths, checkout in warnings:
            warn_left_out(left_out, errors, paths, checkout)
        sys.stdout.write(text)
        return True

    def _still_read(self) -> dict[str, Any] | None:
        """The output remembered for this command line at an earlier state of the ledger,
        when it was kept with what it read and no edit since reaches that
        (store/report_basis.py); remembered again for this state."""
        if not self.served_again or self.answers is None or self.scan is None:
            return None
        kept = self.answers.newest(self.name)
        if not isinstance(kept, dict) or "basis" not in kept:
            return None
        from ledger.store.report_basis import serves

        basis = serves(self.layout, self.scan, _basis_of(kept["basis"]))
        if basis is None:
            return None
        value = {**kept, "basis": _basis_text(basis)}
        self.answers.remember(self.name, value)  # the family's other answers may serve too
        return value

    @contextlib.contextmanager
    def recording(self) -> Iterator[None]:
        """Pass output through to stdout and, if the body ends without error, remember it."""
        tee = _Tee(sys.stdout)
        with contextlib.redirect_stdout(tee):  # type: ignore[type-var]
            yield
        if self.answers is not None and tee.parts is not None:
            value: dict[str, Any] = {"output": "".join(tee.parts), "warnings": self.warnings}
            if self.basis is not None:
                value["basis"] = _basis_text(self.basis)
            self.answers.remember(self.name, value, family=self.family)


_ACTIVE: ContextVar[Replay | None] = ContextVar("replay", default=None)
"""The replay of the command running now, whose walk a load of the same ledger reuses."""


def replayable(command: Callable[..., None]) -> Callable[..., None]:
    """A read command whose output, for the same parameters, is remembered while the ledger
    is unchanged. The command takes ``ctx``, ``root`` and (optionally) ``rev``."""
    return _replayable(command, served_again=False)


def replayable_after_edits(command: Callable[..., None]) -> Callable[..., None]:
    """:func:`replayable`, for a command that says what its answer read
    (:func:`answer_read`): its output is printed again after edits that do not reach that."""
    return _replayable(command, served_again=True)


def _replayable(command: Callable[..., None], served_again: bool) -> Callable[..., None]:
    name = command.__name__.rstrip("_")

    @functools.wraps(command)
    def answered(**params: Any) -> None:
        if params.get("rev") is not None:
            command(**params)
            return
        from ledger.cli.shared import layout_of

        layout = layout_of(params["ctx"], params.get("root"))
        work = functools.partial(command, **params)
        remembered(layout, [name, question_of(params)], work, served_again=served_again)

    return answered


def question_of(params: dict[str, Any]) -> dict[str, Any]:
    """A command's parameters as the question its remembered output answers."""
    return {key: _plain(value) for key, value in params.items() if key != "ctx"}


def remembered(
    layout: Layout,
    command: list[Any],
    work: Callable[[], None],
    key: str | None = None,
    served_again: bool = False,
) -> None:
    """Print the output remembered for ``command`` (its name and question), or run ``work``
    and remember what it prints: for this state of the working tree's files, or for
    ``key`` when the answer depends on other things only (revisions by commit id). With
    ``served_again``, an output remembered for an earlier state is printed when what it
    read is as it was."""
    replay = Replay(layout, command, key, served_again)
    if replay.replayed():
        return
    active = _ACTIVE.set(replay)
    try:
        with replay.recording():
            work()
    finally:
        _ACTIVE.reset(active)


def walk_made(layout: Layout) -> Scan | None:
    """The walk of this ledger's data folder the running command's replay made, if any."""
    replay = _ACTIVE.get()
    if replay is None or replay.layout != layout:
        return None
    return replay.scan


def answer_unsettled() -> None:
    """The running command's answer rests on something that may read otherwise next time
    (a blob git could not give): it is printed, not remembered."""
    replay = _ACTIVE.get()
    if replay is not None:
        replay.answers = None


def answer_read(basis: Basis | None) -> None:
    """Tell the running command's replay what its answer read (None: not known)."""
    replay = _ACTIVE.get()
    if replay is not None:
        replay.basis = basis


def answer_left_out(
    left_out: int, errors: int = 0, paths: Sequence[str] = (), checkout: str | None = None
) -> None:
    """Tell the running command's replay how many record files its answer left out, which
    (when known), and of which commit (None: the working tree)."""
    replay = _ACTIVE.get()
    if replay is not None:
        replay.warnings.append([left_out, errors, list(paths), checkout])


def _basis_text(basis: Basis) -> str:
    """What an answer read, as JSON within the JSON of the answer: a replay parses it as
    one string (the ids of 31,000 claims, for a requirement's report at 100,000 claims)."""
    return json.dumps(basis.plain(), ensure_ascii=False, separators=(",", ":"))


def _basis_of(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        return None


def _counts(warnings: Any) -> bool:
    """Whether a remembered list of warnings is what :class:`Replay` stores."""
    return isinstance(warnings, list) and all(
        isinstance(w, list)
        and len(w) == 4
        and all(type(n) is int and n >= 0 for n in w[:2])
        and isinstance(w[2], list)
        and all(isinstance(p, str) for p in w[2])
        and (w[3] is None or isinstance(w[3], str))
        for w in warnings
    )


def _plain(value: Any) -> Any:
    """A parameter as JSON can hold it."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


class _Tee:
    """A stand-in for stdout that keeps a copy of what is written (up to the limit) and
    otherwise behaves as stdout does, terminal or not."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.parts: list[str] | None = []
        self.size = 0

    def write(self, text: str) -> int:
        if self.parts is not None:
            self.size += len(text)
            if self.size > MAX_REMEMBERED:
                self.parts = None
            else:
                self.parts.append(text)
        return self.stream.write(text)  # type: ignore[no-any-return]

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":  # bytes written past the copy: the output is not remembered
            self.parts = None
        return getattr(self.stream, name)


def _shape(stream: Any) -> list[Any]:
    """Everything about where output goes that can change how it is rendered."""
    tty = bool(getattr(stream, "isatty", None) and stream.isatty())
    return [
        tty,
        _cwd(),  # a path the output shows may be relative to it
        _terminal_size() if tty else None,
        getattr(stream, "encoding", None),
        {k: os.environ[k] for k in _ENVIRONMENT if k in os.environ},
        _renderer(),
    ]


def _cwd() -> str | None:
    try:
        return os.getcwd()
    except OSError:
        return None


def _terminal_size() -> list[int] | None:
    """The terminal's size as rich finds it: from the first of stdin, stdout and stderr
    that is a terminal."""
    for descriptor in (0, 1, 2):
        with contextlib.suppress(OSError, ValueError):
            return list(os.get_terminal_size(descriptor))
    return None


def _renderer() -> list[int] | None:
    """The identity of the installed rich (an upgrade may render differently)."""
    from importlib.util import find_spec

    spec = find_spec("rich")
    if spec is None or spec.origin is None:
        return None
    try:
        info = os.stat(spec.origin)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]
