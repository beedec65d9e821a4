"""Quote normalisation: the form in which quotes and sources are compared."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest

from ledger.quotes import _QUOTE_FOLD, find_quote, normalise, segments

SPACES = [
    chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(c)) or chr(c).isspace()
]


def reference(text: str) -> str:
    """normalise() as first written, with a regular expression for whitespace."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTE_FOLD)
    return re.sub(r"\s+", " ", text).strip()


def test_every_kind_of_space_folds_as_the_regular_expression_folds_it() -> None:
    assert len(SPACES) > 20
    for space in SPACES:
        text = f"{space}a{space}{space}b {space}\u201cc\u201d{space}"
        assert normalise(text) == reference(text) == 'a b "c"', repr(space)


@pytest.mark.parametrize(
    ("quote", "pieces"),
    [
        ("no ellipsis here", ["no ellipsis here"]),
        ("first ... second", ["first", "second"]),
        ("first [...] second…third", ["first", "second", "third"]),
        ("  ...  ", []),
    ],
)
def test_a_quote_is_split_at_ellipses_only(quote: str, pieces: list[str]) -> None:
    assert segments(quote) == pieces


def test_a_quote_with_odd_spacing_is_found_in_a_source() -> None:
    source = normalise("The PGR received\u00a0over 10,000\n complaints of torture.")
    assert find_quote("received over\t10,000 complaints", source).found
    assert find_quote("received ... complaints", source).found
    assert not find_quote("complaints ... received", source).found
