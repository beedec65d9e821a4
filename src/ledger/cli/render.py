"""Terminal rendering shared by the commands: a console that interprets nothing from the data.

The console has markup, emoji and highlighting off, and every piece of data goes through
`safe_text.visible` into a `rich.text.Text`, so ``[link=...]`` or an escape sequence in a
record is printed as the characters it is. Colour follows the terminal (off when piped;
``NO_COLOR`` and ``FORCE_COLOR`` honoured, see shared.colour_for). Piped output is never
wrapped (grep and editors see each id, quote and statement whole); its tables are laid out
at a fixed width (``COLUMNS``, else 100) so they are stable, and one that cannot fit it
without splitting a word is printed a row to a block (plain_console).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TextIO

from ledger.safe_text import visible

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

PIPED_WIDTH = 100

STATUS_STYLES = {
    "met": "bold green",
    "not-met": "bold red",
    "contested": "bold yellow",
    "claimed-by-obligor": "bold magenta",
    "no-evidence": "bold",
}
STANCE_STYLES = {"supports": "green", "undermines": "red", "context": "dim"}


def console(stream: TextIO | None = None) -> Console:
    """A console for data: on a terminal, rich as it is; piped, fast (see plain_console)."""
    from ledger.cli.plain_console import PlainConsole
    from ledger.cli.shared import colour_for

    stream = stream or sys.stdout
    tty = bool(getattr(stream, "isatty", None) and stream.isatty())
    colour = colour_for(stream)
    width = None if tty else _piped_width()
    return PlainConsole(
        piped=not tty,
        unwrapped=not tty,
        file=stream,
        markup=False,
        emoji=False,
        highlight=False,
        width=width,
        no_color=not colour,
        force_terminal=tty or colour,
        soft_wrap=False,
    )


def _piped_width() -> int:
    """COLUMNS when it is a usable width (0, negative or not a number is ignored)."""
    try:
        given = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return PIPED_WIDTH
    return max(40, given) if given > 0 else PIPED_WIDTH


def text(value: object, style: str = "") -> Text:
    """Data as harmless text: escapes made visible, nothing interpreted."""
    from rich.text import Text

    return Text(visible("" if value is None else str(value)), style=style)


def line(*parts: tuple[object, str] | object) -> Text:
    """Join pieces into one line; a piece is data, or (data, style)."""
    from rich.text import Text

    out = Text()
    for part in parts:
        value, style = part if isinstance(part, tuple) else (part, "")
        out.append(visible("" if value is None else str(value)), style or None)
    return out


def indented(content: Text, left: int) -> object:
    """Text wrapped with a hanging indent, so long quotes stay readable (and no line ends in
    padding, as rich's Padding would leave)."""
    return Indented(content, left)


class Indented:
    """Text wrapped to the width left after an indent of ``left`` spaces."""

    def __init__(self, content: Text, left: int) -> None:
        self.content = content
        self.left = left

    def __rich_console__(self, console: Console, options: object) -> object:
        from rich.text import Text

        width = max(10, getattr(options, "max_width", 80) - self.left)
        for wrapped in self.content.wrap(console, width):
            wrapped.rstrip()
            yield Text(" " * self.left) + wrapped


def lines(*rows: Text) -> Text:
    """Several lines of text in one table cell."""
    from rich.text import Text

    return Text("\n").join(rows)


def table(*columns: str, title: str | None = None) -> Table:
    """A table whose cells wrap rather than cut: quotes are never truncated."""
    from rich import box
    from rich.table import Table

    grid = Table(
        title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title_justify="left"
    )
    for name in columns:
        grid.add_column(name, overflow="fold")
    return grid


def status_text(status: str) -> Text:
    return text(status, STATUS_STYLES.get(status, "bold"))
