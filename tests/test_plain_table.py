"""Piped tables written without rich's layout are byte for byte what rich prints, and a table
the writer cannot reproduce is printed by rich."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ledger.cli.plain_console import PlainConsole
from ledger.cli.plain_table import NARROW, plain_table, table_fits
from ledger.cli.render import line, lines, table, text

ALL_NARROW = re.compile(f"[{NARROW}]*")
OPTIONS = {"markup": False, "emoji": False, "highlight": False, "soft_wrap": False}

WORDS = [
    "a", "of", "the", "claim", "memo-atenco-torture", "2017-03", "1,234", "—", "·", "(x)",
    "Nochixtlán", "Ayotzinapa", "e\u0301", "大熊猫", "😀", "ＡＢＣ", "\u00a0", "[bold]",
    "x" * 45, "y" * 130, "z" * 17, "", " ", "  ",
]  # fmt: skip
ODD = ["\u200b", "a\u0301\u0301", "\u3000", "x\x1cy", "\u2028", "\x85", "ｗｉｄｅ" * 9, "ab  "]


def _rich(width: int, grid: Table) -> str:
    stream = io.StringIO()
    Console(file=stream, width=width, no_color=True, **OPTIONS).print(grid)
    return stream.getvalue()


def _plain_console(width: int, stream: io.StringIO) -> PlainConsole:
    return PlainConsole(piped=True, file=stream, width=width, no_color=True, **OPTIONS)


def _ours(width: int, grid: Table) -> str:
    stream = io.StringIO()
    _plain_console(width, stream).print(grid)
    return stream.getvalue()


phrases = st.lists(st.sampled_from(WORDS), max_size=30).map(lambda words: " ".join(words))
ascii_phrases = st.lists(st.sampled_from([w for w in WORDS if w.isascii()]), max_size=30).map(
    " ".join
)


@st.composite
def cells(draw: st.DrawFn) -> Text | str:
    kind = draw(st.sampled_from(["text", "ascii", "empty", "lines", "styled", "str", "odd"]))
    if kind == "empty":
        return text("")
    if kind == "lines":
        count = draw(st.integers(1, 4))
        return lines(*(text(draw(phrases)) for _ in range(count)))
    if kind == "styled":
        return line((draw(ascii_phrases), "cyan"), (" " + draw(phrases), "dim"))
    if kind == "str":
        return draw(ascii_phrases)
    if kind == "odd":  # what `text` would make visible: rich measures it all the same
        return Text(" ".join(draw(st.lists(st.sampled_from(WORDS + ODD), max_size=20))))
    return text(draw(phrases if kind == "text" else ascii_phrases), "bold")


@st.composite
def tables(draw: st.DrawFn) -> Table:
    count = draw(st.integers(1, 5))
    title = draw(st.one_of(st.none(), phrases))
    grid = table(*(draw(ascii_phrases) for _ in range(count)), title=title)
    grid.show_header = draw(st.booleans())
    if draw(st.integers(0, 4)) == 0:
        grid.caption = draw(phrases)
        grid.caption_justify = "left"
    for column in grid.columns:
        column.no_wrap = draw(st.booleans())
        column.justify = draw(st.sampled_from(["left", "left", "right", "center", "default"]))
        if draw(st.integers(0, 5)) == 0:
            column.overflow = draw(st.sampled_from(["crop", "ellipsis"]))
        if draw(st.integers(0, 5)) == 0:
            column.min_width = draw(st.integers(0, 30))
    for _ in range(draw(st.integers(0, 50))):
        grid.add_row(*(draw(cells()) for _ in range(count)))
    return grid


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(grid=tables(), width=st.integers(40, 160))
def test_tables_print_as_rich_prints_them(grid: Table, width: int) -> None:
    theirs = _rich(width, grid)
    written = plain_table(grid, _plain_console(width, io.StringIO()))
    if written is not None:
        assert written == theirs
    assert _ours(width, grid) == theirs


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    headers=st.lists(ascii_phrases, min_size=1, max_size=5),
    rows=st.lists(st.lists(phrases, min_size=5, max_size=5), max_size=30),
    width=st.integers(40, 160),
)
def test_wrapping_tables_are_written_not_left_to_rich(
    headers: list[str], rows: list[list[str]], width: int
) -> None:
    """Tables as `render.table` makes them, whose columns all wrap, never need rich."""
    grid = table(*headers)
    for row in rows:
        grid.add_row(*(text(cell) for cell in row[: len(headers)]))
    written = plain_table(grid, _plain_console(width, io.StringIO()))
    assert written == _rich(width, grid)


def test_a_listing_like_the_commands_print() -> None:
    grid = table("date", "kind", "record")
    for column in grid.columns[:2]:
        column.no_wrap = True
    for n in range(200):
        grid.add_row(
            text(f"2017-{n % 12 + 1:02}"),
            text("claim"),
            lines(line((f"claim-{n}", "cyan"), (" · memo", "dim")), text("words " * (n % 40))),
        )
    assert plain_table(grid, _plain_console(100, io.StringIO())) == _rich(100, grid)


def _refused() -> list[tuple[str, Table]]:
    out: list[tuple[str, Table]] = []

    def made(name: str, change: object = None) -> Table:
        grid = table("one", "two", title="A table")
        grid.add_row(text("left cell"), text("right cell, a few words long"))
        out.append((name, grid))
        return grid

    made("a cell that is another renderable").add_row(Padding(text("padded"), 1), text("x"))
    nested = table("inner")
    nested.add_row(text("cell"))
    made("a table in a cell").add_row(nested, text("x"))
    made("text justified on its own").add_row(text("x"), Text("right", justify="right"))
    made("text with its own overflow").add_row(text("x"), Text("y" * 200, overflow="crop"))
    made("text that will not wrap").add_row(text("x"), Text("y " * 200, no_wrap=True))
    made("a tab").add_row(Text("a\tb"), text("x"))
    made("lines between rows").show_lines = True
    made("a section end").add_row(text("x"), text("y"), end_section=True)
    made("another box").box = box.ROUNDED
    made("edges").show_edge = True
    made("expanded").expand = True
    made("a table width").width = 60
    made("a footer").show_footer = True
    made("a fixed column width").columns[1].width = 12
    made("full justification").columns[1].justify = "full"
    made("overflow ignored").columns[1].overflow = "ignore"
    made("a text title").title = Text("title", justify="center")
    return out


@pytest.mark.parametrize(("name", "grid"), _refused(), ids=[name for name, _ in _refused()])
def test_what_the_writer_refuses_rich_prints(name: str, grid: Table) -> None:
    assert plain_table(grid, _plain_console(80, io.StringIO())) is None, name
    assert _ours(80, grid) == _rich(80, grid)


def test_strings_are_left_to_rich_when_the_console_reads_markup() -> None:
    grid = table("one", "two")
    grid.add_row("[bold]x[/bold]", ":smile:")
    stream = io.StringIO()
    marked = PlainConsole(piped=True, file=stream, width=80, no_color=True, markup=True)
    assert plain_table(grid, marked) is None
    marked.print(grid)
    theirs = io.StringIO()
    Console(file=theirs, width=80, no_color=True, markup=True).print(grid)
    assert stream.getvalue() == theirs.getvalue()


def test_a_coloured_console_is_left_to_rich() -> None:
    grid = table("one")
    grid.add_row(text("x", "red"))
    coloured = Console(file=io.StringIO(), width=80, force_terminal=True, color_system="standard")
    assert plain_table(grid, coloured) is None


def test_the_characters_taken_as_one_cell_are_one_cell_to_rich() -> None:
    """The writer counts these characters instead of asking rich: rich must agree, alone and
    side by side."""
    chars = [chr(n) for n in range(0x110000) if n != 10 and ALL_NARROW.fullmatch(chr(n))]
    assert len(chars) > 800
    assert all(cell_len(char) == 1 for char in chars)
    together = "".join(chars)
    assert cell_len(together) == len(together)
    assert cell_len(together[::-1]) == len(together)
    assert not ALL_NARROW.fullmatch("e\u0301") and not ALL_NARROW.fullmatch("\u2028")


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(grid=tables(), width=st.integers(40, 160))
def test_a_table_that_fits_prints_as_rich_prints_it_when_unwrapped(grid: Table, width: int) -> None:
    """Piped commands print unwrapped; a table that fits its width without splitting a word
    is still byte for byte rich's (one that does not is a block per row: test_cli_output)."""
    stream = io.StringIO()
    console = PlainConsole(
        piped=True, unwrapped=True, file=stream, width=width, no_color=True, **OPTIONS
    )
    if table_fits(grid, console):
        console.print(grid)
        assert stream.getvalue() == _rich(width, grid)


def test_a_table_too_narrow_for_its_words_is_a_block_per_row() -> None:
    grid = table("id", "title", title="Things")
    grid.add_row(text("a-very-long-identifier-of-a-record"), lines(text("one"), text("two")))
    grid.add_row(text("b"), text("[bold]not markup[/bold]"))
    stream = io.StringIO()
    PlainConsole(piped=True, unwrapped=True, file=stream, width=20, no_color=True, **OPTIONS).print(
        grid
    )
    assert stream.getvalue() == (
        "Things\n\n"
        "id: a-very-long-identifier-of-a-record\ntitle: one\n  two\n\n"
        "id: b\ntitle: [bold]not markup[/bold]\n"
    )
