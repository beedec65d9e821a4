"""Evidence per side as bars in the terminal, for the status overview.

For each requirement, two rows (independent sources, the obligor's own): the claims that
undermine it grow to the left of a bar, those that support it to the right, each with its
count. Bars are plain block characters (``█`` and the eighth blocks ``▏▎▍▌▋▊▉``), so they read
the same piped, without colour, and in any monospace font; the labels are fixed words, and
the one value from the data (the requirement id) goes through :func:`ledger.cli.render.text`.

Call it after the overview's table::

    from ledger.cli.bars import evidence_bars
    out.print(evidence_bars(report.rows))
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.table import Table
    from rich.text import Text

FULL = "\u2588"
EIGHTHS = ("", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589")
"""Partial blocks, one eighth to seven eighths of a cell wide."""

MAX_CELLS = 24
"""The longest bar, in terminal cells (a bar scales down when a count is larger)."""

SIDES = (
    ("independent", "independent_undermines", "independent_supports"),
    ("obligor", "obligor_undermines", "obligor_supports"),
)
"""Row label, then the counts to the left (undermine) and to the right (support)."""


class Counts(Protocol):
    """What a row needs: an :class:`ledger.analysis.status_report.OverviewRow` has it."""

    id: str
    independent_supports: int
    independent_undermines: int
    obligor_supports: int
    obligor_undermines: int


def bar(count: int, scale: float, *, leftward: bool = False) -> str:
    """``count`` as a bar of block characters, ``scale`` cells a claim.

    A bar growing right ends in an eighth block; one growing left has whole cells only (the
    partial blocks hug the left of their cell, which would leave a gap). A count above zero
    never draws as nothing.
    """
    if leftward:
        cells = round(count * scale)
        return FULL * (cells or (1 if count else 0))
    eighths = round(count * scale * 8)
    if count and not eighths:
        eighths = 1
    return FULL * (eighths // 8) + EIGHTHS[eighths % 8]


def scale_for(rows: Iterable[Counts], max_cells: int = MAX_CELLS) -> float:
    """Cells a claim: one, unless the largest count would not fit in ``max_cells``."""
    largest = max(
        (getattr(row, name) for row in rows for _, left, right in SIDES for name in (left, right)),
        default=0,
    )
    return 1.0 if largest <= max_cells else max_cells / largest


def evidence_bars(rows: Iterable[Counts], *, max_cells: int = MAX_CELLS) -> Table:
    """A table of bars: per requirement, the independent and the obligor's counts per stance,
    undermining to the left of the axis, supporting to the right."""
    from ledger.cli.render import table, text

    rows = list(rows)
    scale = scale_for(rows, max_cells)
    lefts = [
        f"{getattr(row, left)} {bar(getattr(row, left), scale, leftward=True)}"
        for row in rows
        for _, left, _ in SIDES
    ]
    width = max([len(LEFT_HEAD), *(len(s) for s in lefts)])
    grid = table(title="Evidence per side (claims; a repeat counts once)")
    grid.add_column("requirement", no_wrap=True)
    grid.add_column("side", no_wrap=True)
    grid.add_column(f"{LEFT_HEAD:>{width}}{AXIS}{RIGHT_HEAD}", no_wrap=True)
    for row in rows:
        for index, (side, left, right) in enumerate(SIDES):
            grid.add_row(
                text(row.id, "bold") if index == 0 else text(""),
                text(side, "dim"),
                _bars(getattr(row, left), getattr(row, right), scale, width),
            )
    if scale != 1.0:
        grid.caption = f"one cell is {1 / scale:.3g} claims"
        grid.caption_justify = "left"
    return grid


LEFT_HEAD = "\u2190 undermines "
RIGHT_HEAD = " supports \u2192"
AXIS = "\u2502"


def _bars(undermine: int, support: int, scale: float, width: int) -> Text:
    from rich.text import Text

    left_bar = bar(undermine, scale, leftward=True)
    out = Text(" " * (width - len(left_bar) - len(str(undermine)) - 1))
    out.append(f"{undermine} ")
    out.append(left_bar, style="red")
    out.append(AXIS, style="dim")
    out.append(bar(support, scale), style="green")
    out.append(f" {support}")
    return out
