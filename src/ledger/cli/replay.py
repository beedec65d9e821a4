"""A command's output, remembered while the ledger is unchanged.

The same command line, run again on the same ledger (every file under data/, the marker file
and the code exactly as they were; cache.py says how that is tested) with its output going
to the same kind of place (a terminal or not, its size, colour or not, the encoding), prints
what it printed last time without loading a record or rendering anything, and says again,
on stderr, how many record files its answer left out. Only a run that ends without error is
remembered, and only output up to MAX_REMEMBERED characters: a larger one is as cheap to work
out again as to store.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

from ledger.answers import Answers
from ledger.root import Layout
from ledger.safe_text import is_plain_output
from ledger.scan import Scan, scan_data, unreadable_data

MAX_REMEMBERED = 4 * 1024 * 1024

_ENVIRONMENT = (
    "COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM", "COLORTERM", "TTY_COMPATIBLE",
    "TTY_INTERACTIVE", "JUPYTER_COLUMNS", "JUPYTER_LINES",
)  # fmt: skip
"""What rich reads from the environment to decide width and colour."""


class Replay:
    """The remembered output of one command line, and the recording of a new one."""

    def __init__(self, layout: Layout, command: list[Any]) -> None:
        self.scan: Scan | None = None
        self.answers: Answers | None = None
        self.left_out = 0
        """Record files the answer left out (set by the command): said again on replay."""
        self.family = f"output:{command[0]}:"
        self.name = self.family + json.dumps([command, _shape(sys.stdout)])
        if not layout.cacheable or unreadable_data(layout) is not None:
            return  # nothing to remember; the command reports an unreadable ledger itself
        self.scan = scan_data(layout)
        self.answers = Answers(layout, self.scan)

    def replayed(self) -> bool:
        """Print the remembered output, if there is one for exactly this ledger."""
        from ledger.cli.shared import warn_left_out

        stored = self.answers.recall(self.name) if self.answers else None
        if not isinstance(stored, dict):
            return False  # nothing remembered: work it out
        text, left_out = stored.get("output"), stored.get("left_out")
        if not isinstance(text, str) or not is_plain_output(text) or not isinstance(left_out, int):
            return False  # not what this tool prints: work it out
        warn_left_out(left_out)
        sys.stdout.write(text)
        return True

    @contextlib.contextmanager
    def recording(self) -> Iterator[None]:
        """Pass output through to stdout and, if the body ends without error, remember it."""
        tee = _Tee(sys.stdout)
        with contextlib.redirect_stdout(tee):  # type: ignore[type-var]
            yield
        if self.answers is not None and tee.parts is not None:
            value = {"output": "".join(tee.parts), "left_out": self.left_out}
            self.answers.remember(self.name, value, family=self.family)


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

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _shape(stream: Any) -> list[Any]:
    """Everything about where output goes that can change how it is rendered."""
    tty = bool(getattr(stream, "isatty", None) and stream.isatty())
    return [
        tty,
        _terminal_size() if tty else None,
        getattr(stream, "encoding", None),
        {k: os.environ[k] for k in _ENVIRONMENT if k in os.environ},
        _renderer(),
    ]


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
