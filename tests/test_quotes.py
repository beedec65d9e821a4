"""Quote normalisation: the form in which quotes and sources are compared."""

from __future__ import annotations

import hashlib
import random
import re
import sys
import unicodedata

import pytest

from conftest import Sample
from ledger.analysis import checks, quotes
from ledger.analysis.quotes import _QUOTE_FOLD, closest_passage, find_quote, normalise, segments

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


# -- normalising a large text a piece at a time ----------------------------------------------


@pytest.mark.parametrize("piece", [1, 2, 5, 64])
def test_a_large_text_normalises_in_pieces_as_it_does_whole(
    piece: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "".join(
        f"{space}e\u0301 \u201cw{n}\u2019s\u201d{space}{space}x\u00a0y" for n, space in
        enumerate(SPACES)
    )  # fmt: skip
    monkeypatch.setattr(quotes, "PIECE", piece)
    assert normalise(text) == reference(text)
    assert normalise("  a  ") == "a" and normalise("   ") == ""


# -- the closest passage, within a budget ------------------------------------------------------


def prose(words: int, seed: int) -> str:
    rng = random.Random(seed)
    vocabulary = [
        "the",
        "of",
        "and",
        "to",
        "in",
        "state",
        "federal",
        "police",
        "army",
        "report",
        "victims",
        "case",
        "law",
        "court",
    ]
    return " ".join(rng.choice(vocabulary) + str(rng.randrange(50)) for _ in range(words))


def test_a_long_quote_with_changed_words_finds_its_passage_in_a_large_source() -> None:
    passage = prose(1_500, seed=1)
    source = normalise(f"{prose(300_000, seed=2)} {passage} {prose(300_000, seed=3)}")
    words = passage.split()
    for i in range(0, len(words), 7):
        words[i] = "zzz" + words[i]
    hint = closest_passage(" ".join(words), source)
    assert hint.passage.startswith(passage[:200])
    assert not hint.out_of_budget
    assert hint.spent <= quotes.HINT_BUDGET


@pytest.mark.parametrize("size", [400_000, 1_600_000])
def test_a_wrong_quote_gives_up_at_the_budget_whatever_the_sources_size(size: int) -> None:
    source = normalise(prose(size, seed=4))
    wrong = " ".join(f"qx{n}" for n in range(2_000))[: checks.MAX_QUOTE_CHARS]
    budget = 3_000_000
    hint = closest_passage(wrong, source, budget=budget)
    assert (hint.passage, hint.out_of_budget) == ("", True)
    assert budget <= hint.spent <= budget + len(wrong)  # the work done, not the source's size


def test_the_budget_is_said_in_the_hint(
    sample_copy: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = sample_copy.path("sources/cso-memo-2017.txt")
    grown = archive.read_bytes() + prose(200_000, seed=5).encode()
    archive.write_bytes(grown)
    record = "sources/cso-memo-2017.yaml"
    pinned = re.search(r"sha256: (\w+)", sample_copy.read(record))
    assert pinned is not None
    sample_copy.edit(record, pinned.group(1), hashlib.sha256(grown).hexdigest())
    wrong = " ".join(f"qx{n}" for n in range(2_000))[: checks.MAX_QUOTE_CHARS]
    sample_copy.edit(
        "claims/cso-torture-complaints.yaml",
        "quote: the PGR received over 10,000 complaints of torture between 2012 and 2016",
        f"quote: {wrong}",
    )
    monkeypatch.setattr(quotes, "HINT_BUDGET", 2_000_000)
    found = sample_copy.only()
    assert found.code == "quote-not-found"
    assert found.hint == (
        "no close passage found in cso-memo-2017 within the search budget; copy the words "
        "exactly from the archived text"
    )
