"""Piped output printed without rich's layout is byte for byte what rich prints."""

from __future__ import annotations

import io
import random

import pytest
from rich.console import Console

from ledger.cli.plain_console import PlainConsole
from ledger.cli.render import indented, line, text

PIECES = [
    "word", "a", "longerword", "Nochixtlán", "e\u0301", "大熊猫", "😀", "-", "—", ",", ".",
    "x" * 30, "y" * 120, " ", "  ", "   ", "\u00a0", "\\x1b[31m", "[bold]", "ＡＢＣ",
]  # fmt: skip


def _phrase(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) + rng.choice(["", " ", " ", "  "]) for _ in range(40))


def _both(width: int, *things: object) -> tuple[str, str]:
    ours, theirs = io.StringIO(), io.StringIO()
    options = {"markup": False, "emoji": False, "highlight": False, "soft_wrap": False}
    fast = PlainConsole(piped=True, file=ours, width=width, no_color=True, **options)
    slow = Console(file=theirs, width=width, no_color=True, **options)
    for thing in things:
        fast.print(thing)
        slow.print(thing)
    fast.file.flush()
    return ours.getvalue(), theirs.getvalue()


@pytest.mark.parametrize("seed", range(40))
def test_text_and_indented_text_print_as_rich_prints_them(seed: int) -> None:
    rng = random.Random(seed)
    width = rng.choice([10, 17, 40, 61, 80, 100, 133])
    phrase = _phrase(rng)[: rng.randint(0, 400)]
    things = [
        text(phrase),
        line(("id-1", "cyan"), (" " + phrase, "dim")),
        indented(text(phrase, "dim"), 4),
        indented(text(phrase), rng.randint(0, 12)),
        text(phrase + "   "),
    ]
    ours, theirs = _both(width, *things)
    assert ours == theirs


def test_what_needs_rich_still_goes_through_rich() -> None:
    ours, theirs = _both(40, text("tab\there"), text("two\nlines"), text(""))
    assert ours == theirs
