"""A rich Console that stays linear on long piped listings.

Piped output has no colour and a fixed size, so a line of text renders to its plain string,
word-wrapped as rich wraps it. Printing that string directly skips rich's per-line layout
work (segments, measuring, cropping) and gives the same bytes; tables are written the same
way (see plain_table). Anything else (text with tabs or line breaks, a table with what the
table writer does not reproduce, colour on a terminal) goes through rich as before. Piped output is
also not flushed after every print: the stream's own buffer writes it in large pieces, and
the command line flushes it once at the end (:func:`ledger.cli.main`).
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any, TextIO

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ledger.cli.plain_table import plain_table, table_blocks, table_fits
from ledger.cli.render import Indented

_TRAILING_SPACE = re.compile(r"\s+$")


class PlainConsole(Console):
    """A Console whose piped prints of plain text skip rich's rendering.

    ``unwrapped`` (what commands use when stdout is not a terminal): no line of text is
    broken, so output read by grep, cut or an editor holds each statement, quote and id
    whole (in a table, prose may wrap within its cell, ids and numbers never). Piped or on
    a terminal, a table that cannot fit without splitting a word (an id) keeps its ids and
    numbers whole and wraps its prose; if even that cannot fit, it is printed as one block
    per row, never with a column dropped (a table that fits is printed as rich prints
    it)."""

    def __init__(self, *, piped: bool, unwrapped: bool = False, **options: Any) -> None:
        stream: TextIO = options.pop("file")
        super().__init__(file=_Unflushed(stream) if piped else stream, **options)
        self.plain_lines = piped and self.color_system is None
        self.unwrapped = unwrapped
        if piped:
            self.height = self.size.height  # asked of the OS once, not on every print

    def print(self, *objects: Any, **options: Any) -> None:
        if self.unwrapped and not options and len(objects) == 1 and not self._buffer_index:
            self._print_unwrapped(objects[0])
            return
        table = objects[0] if len(objects) == 1 and isinstance(objects[0], Table) else None
        on_terminal = not self.plain_lines and not options
        if table is not None and on_terminal and self._print_fitted(table, self._print_rich):
            return
        if self.plain_lines and not options and len(objects) <= 1 and not self._buffer_index:
            if objects and isinstance(objects[0], Table):
                written = plain_table(objects[0], self)
                if written is not None:
                    self.file.write(written)
                    return
            rendered = plain_render(objects[0], self.width) if objects else ""
            if rendered is not None:
                self.file.write(rendered + "\n")
                return
        super().print(*objects, **options)

    def _print_rich(self, thing: object) -> None:
        super().print(thing)

    def _print_fitted(self, grid: Table, show: Any) -> bool:
        """Print a table that does not fit as it is (see the class): its ids kept whole, or
        as blocks; False when it fits, or cannot be measured here (the caller prints it)."""
        if table_fits(grid, self) is not False:
            return False
        kept = _words_kept_whole(grid)
        try:
            fits = table_fits(grid, self)
            if fits:
                show(grid)
        finally:
            for column, no_wrap in kept:
                column.no_wrap = no_wrap
        if not fits:
            for row in table_blocks(grid):
                show(row)
        return True

    def _print_unwrapped(self, thing: object) -> None:
        """Text whole on its lines, an indent before each; a table as rich lays it out when
        it fits with no word split, else with its ids kept whole, else as blocks (see
        :func:`table_blocks`)."""
        if isinstance(thing, Table) and self._print_fitted(thing, self._print_unwrapped):
            return
        if isinstance(thing, Indented):
            pad = " " * thing.left
            pieces = thing.content.split("\n")
            thing = Text("\n").join(Text(pad) + piece if piece.plain else piece for piece in pieces)
        if isinstance(thing, Text) and "\t" not in thing.plain:
            if self.plain_lines and type(thing) is Text:
                plain = thing.plain
                self.file.write("\n".join(piece.rstrip() for piece in plain.split("\n")) + "\n")
                return
            super().print(thing, soft_wrap=True)
            return
        if isinstance(thing, Table):
            self._print_unwrapped_table(thing)
            return
        super().print(thing)

    def _print_unwrapped_table(self, grid: Table) -> None:
        written = plain_table(grid, self) if self.plain_lines else None
        if written is not None:
            self.file.write(written)
        else:
            super().print(grid)


def _words_kept_whole(grid: Table) -> list[tuple[Any, bool]]:
    """Make each column whose longest word is as wide as its widest line (a column of ids,
    numbers, dates) one that rich never wraps: wrapping it could only split that word, so
    a table too wide narrows its prose and headers first. The columns changed, with what
    they were, for the caller to restore."""
    changed = []
    for column in grid.columns:
        if column.no_wrap:
            continue
        texts = [str(getattr(c, "plain", c)) for c in (column.header, *column.cells)]
        longest_word = max((cell_len(w) for t in texts for w in t.split()), default=0)
        widest_line = max((cell_len(line) for t in texts for line in t.split("\n")), default=0)
        if longest_word >= widest_line:
            changed.append((column, bool(column.no_wrap)))
            column.no_wrap = True
    return changed


def plain_render(thing: object, width: int) -> str | None:
    """The lines rich would print for ``thing`` on an uncoloured console ``width`` cells
    wide, or None when it takes rich's own rendering to know."""
    if isinstance(thing, Indented):
        inner = _wrapped(thing.content, max(10, width - thing.left))
        if inner is None:
            return None
        pad = " " * thing.left
        out = [pad + piece.rstrip() for piece in inner]
        if any(cell_len(piece) > width for piece in out):
            return None
        return "\n".join(out)
    if isinstance(thing, Text):
        inner = _wrapped(thing, width)
        return None if inner is None else "\n".join(inner)
    return None


def _wrapped(text: Text, width: int) -> list[str] | None:
    """Text.wrap's lines for text of one paragraph with no tabs, in the console's defaults
    (left as it is, long words folded)."""
    if type(text) is not Text or text.justify or text.overflow or text.no_wrap:
        return None
    if text.end != "\n" or text.tab_size is not None:
        return None
    plain = text.plain
    if "\n" in plain or "\t" in plain:
        return None
    if len(plain) <= width and cell_len(plain) <= width:
        return [plain]
    from rich._wrap import divide_line

    bounds = [0, *divide_line(plain, width, fold=True), len(plain)]
    lines = []
    for start, end in pairwise(bounds):
        piece = plain[start:end]
        if len(piece) > width and (space := _TRAILING_SPACE.search(piece)):
            piece = piece[: len(piece) - min(len(space.group()), len(piece) - width)]
        if cell_len(piece) > width:
            piece = set_cell_size(piece, width)
        lines.append(piece)
    return lines


class _Unflushed:
    """A stream whose flush waits for the end: rich flushes after every print, which on a
    long listing is a system call per line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(text)

    def flush(self) -> None:
        """Left to the stream's own buffer, and to the final flush."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)
