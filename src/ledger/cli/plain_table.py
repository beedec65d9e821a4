"""The tables of piped, uncoloured output, written without rich's layout engine.

Rich lays a table out through renderables, segments and per-line measuring, which costs about
a fifth of a millisecond per row; on a listing of 100,000 claims that is most of the command.
Piped output has no colour, so a table is only its characters: the column widths (worked out
from each cell's narrowest and widest line, as rich measures), each cell's text wrapped to its
column, padded, and joined. This module writes those characters directly, in one pass over the
cells.

It reproduces the tables this project makes (``render.table``: the SIMPLE_HEAD box without
edges, cells padded one space from their neighbours, an optional title and caption) byte for
byte, and refuses everything else: :func:`plain_table` returns None, and the caller lets rich
print the table. Widths are measured with rich's own ``cell_len``; text whose every character
takes one cell (printable ASCII, Latin letters, common punctuation, arrows, box lines; the
test suite checks rich measures each so) is measured and wrapped without it.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from rich import box
from rich._wrap import divide_line
from rich.cells import cell_len, set_cell_size
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Column

_WORD = re.compile(r"\s*\S+\s*")
# Characters one cell wide that never join another into one (as accents or emoji do), and
# line feeds between lines of them.
NARROW = "\n -~\u00a0-\u00ac\u00ae-\u024f\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2500-\u257f"
_ALL_NARROW = re.compile(f"[{NARROW}]*")
_TRAILING_SPACE = re.compile(r"\s+$")
_JUSTIFY = frozenset({"left", "default", "right", "center"})
_OVERFLOW = frozenset({"fold", "crop", "ellipsis"})
_VERTICAL = frozenset({"top", "middle", "bottom"})


def plain_table(grid: object, console: Console) -> str | None:
    """What ``console`` (uncoloured) prints for ``grid``, every line ended, or None when the
    table has anything this writer does not reproduce exactly."""
    if type(grid) is not Table or not _plain_console(console) or not _plain_layout(grid):
        return None
    columns = grid.columns
    strings = _strings_allowed(console)
    cells = _measured(grid, strings)
    if cells is None:
        return None
    title = _annotation(grid.title, strings)
    caption = _annotation(grid.caption, strings)
    if title is False or caption is False:
        return None
    pads = _paddings(len(columns))
    available = (console.width if grid.width is None else grid.width) - (len(columns) - 1)
    widths = _column_widths(cells, columns, pads, available)
    table_width = sum(widths) + len(columns) - 1
    if table_width > console.width:
        return None
    inner = [width - left - right for width, (left, right) in zip(widths, pads, strict=True)]
    for size, column in zip(inner, cells, strict=True):
        if size < 1 and (size < 0 or any(c.widest or not c.narrow for c in column)):
            return None  # a column too narrow for its text: rich's own edge cases

    out: list[str] = []
    if title:
        out.extend(_lines(title, table_width, grid.title_justify, "fold", False))
    out.extend(_body(grid, cells, widths, inner, pads))
    if caption:
        out.extend(_lines(caption, table_width, grid.caption_justify, "fold", False))
    if not out:
        return None
    out.append("")
    return "\n".join(out)


_MEASURED: WeakKeyDictionary[Table, tuple[tuple[bool, bool, int], list[list[_Cell]] | None]] = (
    WeakKeyDictionary()
)
"""Each table's measured cells, by the table: deciding whether a table fits and writing it
measure the same cells (tens of thousands in a long listing) once."""


def _measured(grid: Table, strings: bool) -> list[list[_Cell]] | None:
    """Every column's cells (its header first, when shown), measured; None when a cell is
    not text this writer reproduces. Remembered while the table has as many cells and
    shows its header alike (a table is built, then printed)."""
    key = (strings, grid.show_header, grid.row_count * len(grid.columns))
    known = _MEASURED.get(grid)
    if known is not None and known[0] == key:
        return known[1]
    cells: list[list[_Cell]] | None = []
    for column in grid.columns:
        raw = [column.header] if grid.show_header else []
        raw.extend(column.cells)
        measured = [_cell(thing, strings) for thing in raw]
        if None in measured:
            cells = None
            break
        cells.append(measured)  # type: ignore[union-attr, arg-type]
    _MEASURED[grid] = (key, cells)
    return cells


def table_fits(grid: object, console: Console) -> bool | None:
    """Whether ``grid`` lays out in the console's width with no word split across lines
    (every column at least as wide as its longest word, or its longest line where it may
    not wrap), as rich would lay it out. None when it cannot be told here (cells that are
    not text): rich prints such a table as it is."""
    if type(grid) is not Table or not grid.columns:
        return None
    cells = _measured(grid, _strings_allowed(console))
    if cells is None:
        return None
    pads = _paddings(len(grid.columns))
    width = console.width if grid.width is None else grid.width
    widths = _column_widths(cells, grid.columns, pads, width - (len(grid.columns) - 1))
    if sum(widths) + len(grid.columns) - 1 > console.width:
        return False
    for size, (left, right), column, measured in zip(
        widths, pads, grid.columns, cells, strict=True
    ):
        needed = max((c.widest if column.no_wrap else c.narrowest for c in measured), default=0)
        if size - left - right < needed:
            return False
    return True


def table_blocks(grid: Table) -> list[Text]:
    """A table too wide for its width, as one block per row: a line per column, its header
    (lines joined), a colon and the cell's text unwrapped; a cell's further lines indented
    under it; a blank line between rows. The title comes first, the caption last."""
    names = [" ".join(str(getattr(c.header, "plain", c.header)).split()) for c in grid.columns]
    out: list[Text] = []
    if grid.title:
        out.append(_as_text(grid.title))
    for index, row in enumerate(zip(*(c.cells for c in grid.columns), strict=True)):
        if index or grid.title:
            out.append(Text())
        for name, cell in zip(names, row, strict=True):
            pieces = _as_text(cell).split("\n")
            head = Text(f"{name}: ") if name else Text()
            out.append(head + pieces[0])
            out.extend(Text("  ") + piece for piece in pieces[1:])
    if grid.caption:
        out.extend([Text(), _as_text(grid.caption)])
    return out


def _as_text(thing: object) -> Text:
    """A cell as Text: Text as it is, anything else as its characters (never markup)."""
    return thing if isinstance(thing, Text) else Text(str(thing))


def _plain_console(console: Console) -> bool:
    options = console.options
    return (
        console.color_system is None
        and not console.soft_wrap
        and not options.ascii_only
        and not options.legacy_windows
    )


def _plain_layout(grid: Table) -> bool:
    """The table is one `render.table` makes: anything else is left to rich."""
    if not grid.columns or grid.box is not box.SIMPLE_HEAD or grid.show_edge or grid.pad_edge:
        return False
    if grid.expand or grid.min_width is not None or tuple(grid.padding) != (0, 1, 0, 1):
        return False
    if grid.collapse_padding or grid.show_footer or grid.show_lines or grid.leading:
        return False
    if grid.title_justify not in _JUSTIFY or grid.caption_justify not in _JUSTIFY:
        return False
    if any(row.end_section for row in grid.rows):
        return False
    for column in grid.columns:
        if column.width is not None or column.justify not in _JUSTIFY:
            return False
        if column.overflow not in _OVERFLOW or column.vertical not in _VERTICAL:
            return False
    return True


def _strings_allowed(console: Console) -> bool:
    """A str cell is a plain Text when the console reads no markup and no emoji codes."""
    return not getattr(console, "_markup", True) and not getattr(console, "_emoji", True)


class _Cell:
    """A cell's text, its lines, and rich's measure of it: the widest word, the widest line."""

    __slots__ = ("lines", "narrow", "narrowest", "widest")

    def __init__(self, plain: str) -> None:
        self.lines = plain.split("\n")
        self.narrow = _ALL_NARROW.fullmatch(plain) is not None
        words = plain.split()
        if self.narrow:
            self.widest = max(map(len, self.lines))
            self.narrowest = max(map(len, words)) if words else self.widest
        else:
            self.widest = max(map(cell_len, plain.splitlines()), default=0)
            self.narrowest = max(map(cell_len, words)) if words else self.widest


def _cell(thing: object, strings: bool) -> _Cell | None:
    if type(thing) is str and strings:
        return _Cell(thing)
    if type(thing) is not Text:
        return None
    if thing.justify or thing.overflow or thing.no_wrap is not None or thing.end != "\n":
        return None
    plain = thing.plain
    if "\t" in plain:
        return None
    return _Cell(plain)


def _annotation(thing: object, strings: bool) -> _Cell | bool | None:
    """A title or caption: None when there is none, False when it is not plain text."""
    if not thing:
        return None
    cell = _cell(thing, strings)
    return False if cell is None else cell


def _paddings(count: int) -> list[tuple[int, int]]:
    """Each column's (left, right) padding: one space, but not at the table's edges."""
    return [(0 if index == 0 else 1, 0 if index == count - 1 else 1) for index in range(count)]


# -- widths --------------------------------------------------------------------------------


def _column_widths(
    cells: list[list[_Cell]], columns: list[Column], pads: list[tuple[int, int]], room: int
) -> list[int]:
    """Each column's width with its padding, as rich works it out for ``room`` cells."""
    measures = [{(cell.narrowest, cell.widest) for cell in column} for column in cells]
    extras = [left + right for left, right in pads]
    ranges = [
        _column_range(measure, column, extra, room)
        for measure, column, extra in zip(measures, columns, extras, strict=True)
    ]
    widths = [widest or 1 for _, widest in ranges]
    if sum(widths) > room:
        wrappable = [not column.no_wrap for column in columns]
        widths = _collapse(widths, wrappable, room)
        if sum(widths) > room:
            widths = _reduce(sum(widths) - room, [1] * len(widths), widths, widths)
        widths = [
            _column_range(measure, column, extra, width)[1]
            for measure, column, extra, width in zip(measures, columns, extras, widths, strict=True)
        ]
    return widths


def _normal(low: int, high: int) -> tuple[int, int]:
    low = min(max(0, low), high)
    return max(0, low), max(0, low, high)


def _fitted(low: int, high: int, room: int) -> tuple[int, int]:
    """A measure normalised and held to ``room``, none at all when nothing is left."""
    low, high = _normal(low, high)
    low, high = min(low, room), min(high, room)
    return (0, 0) if high < 1 else _normal(low, high)


def _cell_range(narrowest: int, widest: int, extra: int, room: int) -> tuple[int, int]:
    """The width range of a padded cell of text when ``room`` cells are available."""
    if room - extra < 1:
        return _fitted(room, room, room)
    low, high = _fitted(narrowest, widest, room)
    return _fitted(min(low + extra, room), min(high + extra, room), room)


def _column_range(
    measures: set[tuple[int, int]], column: Column, extra: int, room: int
) -> tuple[int, int]:
    if room < 1:
        return 0, 0
    ranges = [_cell_range(low, high, extra, room) for low, high in measures]
    low = max((low for low, _ in ranges), default=1)
    high = max((high for _, high in ranges), default=room)
    low, high = min(low, room), min(high, room)
    if column.min_width is not None:
        least = max(0, column.min_width + extra)
        low, high = max(low, least), max(high, least)
    if column.max_width is not None:
        most = column.max_width + extra
        low, high = min(low, most), min(high, most)
    return low, high


def _collapse(widths: list[int], wrappable: list[bool], room: int) -> list[int]:
    """Narrow the widest wrappable columns, step by step, until the table fits ``room``."""
    total = sum(widths)
    excess = total - room
    if not any(wrappable):
        return widths
    while total and excess > 0:
        widest = max(w for w, ok in zip(widths, wrappable, strict=True) if ok)
        second = max(
            (w if ok and w != widest else 0) for w, ok in zip(widths, wrappable, strict=True)
        )
        step = widest - second
        ratios = [int(ok and w == widest) for w, ok in zip(widths, wrappable, strict=True)]
        if not any(ratios) or not step:
            break
        widths = _reduce(excess, ratios, [min(excess, step)] * len(widths), widths)
        total = sum(widths)
        excess = total - room
    return widths


def _reduce(total: int, ratios: list[int], most: list[int], values: list[int]) -> list[int]:
    """Take ``total`` from ``values`` in proportion to ``ratios``, at most ``most`` each."""
    ratios = [ratio if limit else 0 for ratio, limit in zip(ratios, most, strict=True)]
    left_ratio = sum(ratios)
    if not left_ratio:
        return values[:]
    remaining = total
    out = []
    for ratio, limit, value in zip(ratios, most, values, strict=True):
        if ratio and left_ratio > 0:
            taken = min(limit, round(ratio * remaining / left_ratio))
            out.append(value - taken)
            remaining -= taken
            left_ratio -= ratio
        else:
            out.append(value)
    return out


# -- rows ----------------------------------------------------------------------------------


def _body(
    grid: Table,
    cells: list[list[_Cell]],
    widths: list[int],
    inner: list[int],
    pads: list[tuple[int, int]],
) -> list[str]:
    columns = grid.columns
    shapes = [
        (
            " " * left,
            " " * right,
            " " * width,
            size,
            column.justify,
            column.overflow,
            bool(column.no_wrap),
            column.vertical,
        )
        for (left, right), width, size, column in zip(pads, widths, inner, columns, strict=True)
    ]
    out: list[str] = []
    header = grid.show_header
    for index, row in enumerate(zip(*cells, strict=True)):
        rendered = []
        for cell, (left, right, _, size, justify, overflow, no_wrap, _) in zip(
            row, shapes, strict=True
        ):
            if cell.narrow and justify in ("left", "default") and cell.widest <= size:
                rendered.append([left + piece.ljust(size) + right for piece in cell.lines])
            else:
                lines = _lines(cell, size, justify, overflow, no_wrap)
                rendered.append([left + piece + right for piece in lines])
        height = max(map(len, rendered))
        if height == 1:
            out.append(" ".join(lines[0] for lines in rendered))
        else:
            for lines, shape in zip(rendered, shapes, strict=True):
                missing = height - len(lines)
                if missing:
                    vertical = "bottom" if header and index == 0 else shape[7]
                    above = {"top": 0, "middle": missing // 2, "bottom": missing}[vertical]
                    blank = shape[2]
                    lines[:0] = [blank] * above
                    lines.extend([blank] * (missing - above))
            out.extend(" ".join(parts) for parts in zip(*rendered, strict=True))
        if header and index == 0:
            out.append(box.SIMPLE_HEAD.get_row(widths, "head", edge=False))
    return out


def _lines(cell: _Cell, width: int, justify: str, overflow: str, no_wrap: bool) -> list[str]:
    """The cell's text wrapped to ``width`` cells as rich wraps it, each line exactly that
    wide."""
    out = []
    for line in cell.lines:
        if no_wrap or (cell.narrow and len(line) <= width):
            pieces = [line]
        else:
            pieces = _wrapped(line, width, overflow == "fold", cell.narrow)
        out.extend(_fit(piece, width, justify, overflow, cell.narrow) for piece in pieces)
    return out


def _wrapped(line: str, width: int, fold: bool, narrow: bool) -> list[str]:
    """One line of text broken where rich breaks it, trailing space past the width dropped."""
    breaks = _breaks(line, width, fold) if narrow else divide_line(line, width, fold=fold)
    pieces = []
    for start, end in pairwise([0, *breaks, len(line)]):
        piece = line[start:end]
        if len(piece) > width and (space := _TRAILING_SPACE.search(piece)):
            piece = piece[: len(piece) - min(len(space.group()), len(piece) - width)]
        pieces.append(piece)
    return pieces


def _breaks(line: str, width: int, fold: bool) -> list[int]:
    """Where rich's word wrap breaks a line of one-cell characters:
    words move whole to the next line; a word longer than a line is cut (folded) into
    line-long pieces, or left to be cropped."""
    breaks: list[int] = []
    used = 0
    for match in _WORD.finditer(line):
        start, end = match.span()
        size = len(match.group().rstrip())
        if width - used >= size:
            used += end - start
        elif size > width:
            if not fold:
                if start:
                    breaks.append(start)
                used = end - start
                continue
            for offset in range(start, end, width):
                if offset:
                    breaks.append(offset)
            used = (end - start) % width or width
        elif used and start:
            breaks.append(start)
            used = end - start
    return breaks


def _fit(piece: str, width: int, justify: str, overflow: str, narrow: bool) -> str:
    """A line justified in ``width`` cells, cut to it as ``overflow`` says."""
    if justify in ("right", "center"):
        piece = piece.rstrip()
    size = len(piece) if narrow else cell_len(piece)
    if size > width:
        if overflow == "ellipsis":
            piece = set_cell_size(piece, width - 1) + "\u2026"
        else:
            piece = piece[:width] if narrow else set_cell_size(piece, width)
        size = width if narrow else cell_len(piece)
    if justify == "right":
        return " " * (width - size) + piece
    if justify == "center":
        piece = " " * ((width - size) // 2) + piece
        size += (width - size) // 2
    return piece + " " * (width - size)
