"""Finding passages in archived texts, and the locators derived from the texts' structure.

The structure rules are checked on small texts written here, then on the repository's two
real sources: the locator derived for every memo claim's quote must be the one a person
recorded by hand.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml

from ledger.analysis.locate import Source, locate, locator_for_quote, structure
from ledger.analysis.quotes import find_quote, normalise
from ledger.analysis.textfold import fold_with_map

DATA = Path(__file__).resolve().parents[1] / "data"

MEMO_LIKE = """\
A Report on Something Important

The first paragraph of the introduction. It has two sentences.

The second paragraph of the introduction.

REQUIREMENT 1) The government is investigating and
prosecuting violations.

Under the first heading, the first paragraph runs over a page
break in the middle of a sentence and

continues here, still in paragraph 1.

Under the first heading, paragraph 2.
REQUIREMENT 2) A heading with no blank line above it.

Paragraph 1 of requirement 2 says the Tlatlaya case is closed.
"""


def locators(text: str) -> list[str]:
    return [p.locator() for p in structure(text)]


def test_title_introduction_headings_and_paragraphs() -> None:
    assert locators(MEMO_LIKE) == [
        "title",
        "Introduction, paragraph 1",
        "Introduction, paragraph 2",
        "REQUIREMENT 1) heading",
        "REQUIREMENT 1, paragraph 1",
        "REQUIREMENT 1, paragraph 2",
        "REQUIREMENT 2) heading",
        "REQUIREMENT 2, paragraph 1",
    ]


def test_a_text_without_headings_counts_paragraphs_only() -> None:
    text = "First paragraph.\n\nSecond paragraph,\nover two lines.\n\nThird.\n"
    assert locators(text) == ["paragraph 1", "paragraph 2", "paragraph 3"]


def test_short_lines_without_punctuation_are_headings() -> None:
    text = (
        "Ruling on the case\n\nThe court ordered a release.\n\nFindings\n\n"
        "The court found that warrants were obtained.\n\nThe court said more.\n"
    )
    assert locators(text) == [
        "title",
        "Introduction, paragraph 1",
        "Findings (heading)",
        "Findings, paragraph 1",
        "Findings, paragraph 2",
    ]


def test_double_spaced_lines_are_one_paragraph_and_longer_gaps_separate() -> None:
    """An extraction from a paginated original puts a blank line after every line; then
    only longer gaps (here a line holding a single space) end a paragraph."""
    lines = [
        "The first paragraph begins here and",
        "goes on for a while, line after",
        "line, until it ends.",
        " ",
        "The second paragraph also runs",
        "over several lines before it",
        "ends.",
    ]
    text = "\n\n".join(lines) + "\n"
    assert locators(text) == ["paragraph 1", "paragraph 2"]


def test_a_numbered_list_is_one_paragraph_with_its_opening_line_and_items_are_named() -> None:
    text = (
        "Relevant actions:\n\n  1. Warrants were issued.\n  2. Searches were made.\n\n"
        "A closing paragraph.\n"
    )
    source = Source(text)
    assert [p.locator() for p in source.paragraphs] == ["paragraph 1", "paragraph 2"]
    assert locator_for_quote(source, "Searches were made.") == "paragraph 1, item 2"
    assert locator_for_quote(source, "Relevant actions: ... Searches were made") == (
        "paragraph 1, item 2"
    )
    assert locator_for_quote(source, "Relevant actions") == "paragraph 1"


def test_a_quote_across_paragraphs_names_both() -> None:
    source = Source("One ends here.\n\nTwo starts here.\n")
    assert locator_for_quote(source, "here. Two starts") == "paragraphs 1-2"
    assert locator_for_quote(source, "nowhere to be found") is None


@pytest.mark.parametrize(
    ("words", "quote"),
    [
        ("tlatlaya case is closed", "Tlatlaya case is closed"),
        ("TLATLAYA CASE", "Tlatlaya case"),
        ("tlatlayá  case,  is", "Tlatlaya case is"),
        ("page break in the middle", "page break in the middle"),
        ("sentence and continues here", "sentence and\n\ncontinues here"),
    ],
)
def test_exact_matching_folds_case_accents_punctuation_and_line_breaks(
    words: str, quote: str
) -> None:
    found = locate(MEMO_LIKE, words)
    assert found, words
    assert found[0].exact and found[0].score == 1.0
    assert found[0].quote == " ".join(quote.split())
    assert find_quote(found[0].quote, normalise(MEMO_LIKE)).found


def test_accented_source_text_is_found_from_unaccented_words() -> None:
    text = "Mexico regrets the violent acts that took place in Nochixtlán, Oaxaca.\n"
    found = locate(text, "nochixtlan oaxaca")
    assert [p.quote for p in found] == ["Nochixtlán, Oaxaca"]
    decomposed = "Took place in Nochixtla\u0301n today.\n"  # NFD: the accent is its own char
    found = locate(decomposed, "nochixtlan today")
    assert found[0].quote == "Nochixtla\u0301n today"
    assert find_quote(found[0].quote, normalise(decomposed)).found


def test_punctuation_typed_with_the_words_is_taken_in() -> None:
    text = "He spoke of the military\u2019s \u201corder to kill.\u201d Then he left.\n"
    assert locate(text, "order to kill")[0].quote == "order to kill"
    assert locate(text, '"order to kill."')[0].quote == "\u201corder to kill.\u201d"


def test_every_exact_match_is_listed_in_order_up_to_the_limit() -> None:
    text = "The case. Another case.\n\nA third case here.\n"
    found = locate(text, "case", limit=5)
    assert [p.locator for p in found] == ["paragraph 1", "paragraph 1", "paragraph 2"]
    assert len(locate(text, "case", limit=2)) == 2


def test_near_misses_are_found_fuzzily_with_a_lower_score() -> None:
    found = locate(MEMO_LIKE, "the government investigates and prosecutes violations")
    assert found and not found[0].exact
    assert 0.5 < found[0].score < 1.0
    assert found[0].locator == "REQUIREMENT 1) heading"
    assert "investigating and prosecuting violations" in found[0].quote


def test_a_misspelt_word_still_finds_its_passage() -> None:
    found = locate(MEMO_LIKE, "tlatlya case closed")
    assert found and found[0].locator == "REQUIREMENT 2, paragraph 1"
    assert "Tlatlaya case" in found[0].quote


def test_words_not_in_the_text_find_nothing() -> None:
    assert locate(MEMO_LIKE, "zebra quantum") == []
    assert locate(MEMO_LIKE, "   ") == []


def test_the_context_is_the_paragraph_around_the_quote() -> None:
    found = locate(MEMO_LIKE, "Tlatlaya case")[0]
    assert found.context == "Paragraph 1 of requirement 2 says the Tlatlaya case is closed."
    assert found.context[found.context_start :].startswith(found.quote)


# -- the real sources -------------------------------------------------------------------


def _claims(folder: str) -> list[dict[str, str]]:
    return [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((DATA / "claims" / folder).glob("*.yaml"))
    ]


def test_every_memo_claims_locator_is_the_one_derived_from_the_text() -> None:
    source = Source((DATA / "sources" / "cso-memo-2017.txt").read_text(encoding="utf-8"))
    claims = _claims("cso-memo-2017")
    assert len(claims) > 100
    wrong = {
        c["id"]: (c["locator"], locator_for_quote(source, c["quote"]))
        for c in claims
        if locator_for_quote(source, c["quote"]) != c["locator"]
    }
    # Every quote anchors at the passage its locator names: a phrase that a heading repeats
    # ("including the killings at Tlatlaya in June 2014") carries the words before it.
    assert wrong == {}


def test_government_list_items_are_located_at_their_item() -> None:
    """The page's sections are named by its source notes, not by the text; the paragraph
    and item within a list are derived."""
    source = Source((DATA / "sources" / "mx-gov-case-updates-2018.txt").read_text(encoding="utf-8"))
    claims = [c for c in _claims("mx-gov-case-updates-2018") if "list), item" in c["locator"]]
    assert len(claims) >= 10
    for claim in claims:
        derived = locator_for_quote(source, claim["quote"])
        assert derived is not None
        assert derived.endswith(claim["locator"].rsplit(",", 1)[1]), (claim["id"], derived)


# -- bounded memory on a large archive -----------------------------------------------------------


def test_a_verified_quote_is_placed_without_folding_the_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`new claim` names a correct quote's locator: that must not make a folded copy of the
    archive with an offset for every character (3.4 GB for 64 MiB, as it once did)."""
    import ledger.analysis.locate as locate_module

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the whole text was folded")

    monkeypatch.setattr(locate_module, "fold_with_map", refuse)
    text = MEMO_LIKE.replace("is closed", "is \u201cclosed\u201d")
    assert locator_for_quote(text, 'the Tlatlaya case is "closed"') == "REQUIREMENT 2, paragraph 1"
    assert locator_for_quote(text, "investigating and prosecuting") == "REQUIREMENT 1) heading"
    decomposed = unicodedata.normalize("NFD", "Paragraph on Nochixtlán.\n\nAnd Tlapa.\n")
    assert locator_for_quote(decomposed, "Nochixtlán") == "paragraph 1"


def test_the_fold_keeps_its_offsets_in_four_bytes_a_character() -> None:
    folded, origin = fold_with_map("Nochixtlán, ’s  Oaxaca " * 1000, words_only=True)
    assert origin.itemsize == 4 and len(origin) == len(folded)
    assert folded.startswith("nochixtlan s oaxaca nochixtlan")
