"""Checks across records: references, claim shape, archives, and quotes found in their sources.

Each test breaks the sample ledger in one way and asserts the one diagnostic that comes back,
placed at the line and column of the field at fault. The clean sample is the passing fixture.
"""

from __future__ import annotations

import hashlib
import os

import pytest

from conftest import SAMPLE, Sample, where
from ledger.analysis.quotes import find_quote, normalise, segments
from ledger.analysis.review import fingerprint

CLAIM = "claims/cso-tlatlaya-no-arrest-warrants.yaml"
# 1 id: cso-tlatlaya-no-arrest-warrants
# 2 source: cso-memo-2017
# 3 locator: REQUIREMENT 1, paragraph 1
# 4 quote: >-
# 5   Two central issues limiting progress in this case have been the failure to obtain arrest
# 6   warrants against soldiers
# 7 statement: >-
# 8   The memo says no arrest warrants were obtained against soldiers for the Tlatlaya killings.
# 9 kind: assessment
# 10 cases:
# 11   - tlatlaya
# 12 bears_on:
# 13   requirement-1: undermines
# 14 relations:
# 15   - contradicts: gov-tlatlaya-release-impartial
ELLIPSIS_CLAIM = "claims/cso-tlatlaya-order-to-kill.yaml"
SOURCE = "sources/cso-memo-2017.yaml"
# 11   path: cso-memo-2017.txt
# 12   sha256: 3748...
ARCHIVE = "sources/cso-memo-2017.txt"
REQUIREMENT = "requirements/requirement-2.yaml"
# 3 text: Vigorously enforcing prohibitions against torture and the use of testimony ...
# 8 source: cso-memo-2017


def pin(sample: Sample, source: str, archive: str) -> None:
    """Pin a source record to the current hash of an archived text."""
    digest = hashlib.sha256(sample.path(archive).read_bytes()).hexdigest()
    text = sample.read(source)
    old = next(line for line in text.splitlines() if "sha256:" in line)
    sample.edit(source, old, f"  sha256: {digest}")


# -- references -----------------------------------------------------------------------------------


def test_claim_names_a_source_that_does_not_exist(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "source: cso-memo-2017", "source: cso-memo-2016")
    found = sample_copy.only()
    assert (found.path, *where(found)) == (
        f"data/{CLAIM}",
        "unresolved-reference",
        2,
        9,
        "source",
    )
    assert found.message == "no source has the id 'cso-memo-2016'"
    assert found.hint == "did you mean 'cso-memo-2017'?"


def test_claim_names_a_case_that_does_not_exist(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "  - tlatlaya", "  - tlatelolco")
    found = sample_copy.only()
    assert where(found) == ("unresolved-reference", 11, 5, "cases[0]")
    assert found.message == "no case has the id 'tlatelolco'"


def test_claim_bears_on_a_requirement_that_does_not_exist(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "  requirement-1: undermines", "  requirement-9: undermines")
    found = sample_copy.only()
    # Placed at the key, which is the id at fault.
    assert where(found) == ("unresolved-reference", 13, 3, "bears_on.requirement-9")
    assert found.message == "no requirement has the id 'requirement-9'"


def test_relation_names_a_claim_that_does_not_exist(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "contradicts: gov-tlatlaya-release-impartial", "contradicts: gov-x")
    found = sample_copy.only()
    assert where(found) == ("unresolved-reference", 15, 18, "relations[0].contradicts")
    assert found.message == "no claim has the id 'gov-x'"
    assert found.hint == "no claim has this id"


def test_a_reference_to_a_record_of_the_wrong_kind(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "source: cso-memo-2017", "source: tlatlaya")
    found = sample_copy.only()
    assert where(found) == ("unresolved-reference", 2, 9, "source")
    assert found.message == "'tlatlaya' is a case, not a source"
    assert found.hint == "name a source here"


def test_a_relation_to_a_case_is_the_wrong_kind(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "contradicts: gov-tlatlaya-release-impartial", "contradicts: tlatlaya")
    found = sample_copy.only()
    assert where(found) == ("unresolved-reference", 15, 18, "relations[0].contradicts")
    assert found.message == "'tlatlaya' is a case, not a claim"


@pytest.mark.parametrize(
    ("rel", "old", "new", "line", "column", "field"),
    [
        (REQUIREMENT, "source: cso-memo-2017", "source: cso-memo", 8, 9, "source"),
        ("requirements/requirement-1.yaml", "  - tlatlaya", "  - tlatelolco", 14, 5, "cases[0]"),
        ("cases/tlatlaya.yaml", "  - requirement-1", "  - requirement-7", 10, 5, "requirements[0]"),
    ],
    ids=["requirement-source", "requirement-cases", "case-requirements"],
)
def test_references_from_requirements_and_cases(
    sample_copy: Sample, rel: str, old: str, new: str, line: int, column: int, field: str
) -> None:
    sample_copy.edit(rel, old, new)
    found = sample_copy.only()
    assert (found.path, *where(found)) == (
        f"data/{rel}",
        "unresolved-reference",
        line,
        column,
        field,
    )


# -- the shape of a claim -------------------------------------------------------------------------


def test_a_claim_with_neither_cases_nor_bears_on(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "cases:\n  - tlatlaya\nbears_on:\n  requirement-1: undermines\n", "")
    found = sample_copy.only()
    assert where(found) == ("no-subject", 1, 5, "id")


@pytest.mark.parametrize(
    "removed",
    ["cases:\n  - tlatlaya\n", "bears_on:\n  requirement-1: undermines\n"],
    ids=["bears-on-only", "cases-only"],
)
def test_a_claim_with_either_cases_or_bears_on_is_fine(sample_copy: Sample, removed: str) -> None:
    sample_copy.edit(CLAIM, removed, "")
    assert sample_copy.diagnostics() == []


def test_a_claim_that_contradicts_itself(sample_copy: Sample) -> None:
    sample_copy.edit(
        CLAIM,
        "contradicts: gov-tlatlaya-release-impartial",
        "contradicts: cso-tlatlaya-no-arrest-warrants",
    )
    found = sample_copy.only()
    assert where(found) == ("self-relation", 15, 18, "relations[0].contradicts")
    assert found.message == "the claim contradicts itself"


# -- an entry listed twice ---------------------------------------------------------------------

FIGURE = (
    "  - value: 10000\n    unit: complaints of torture received by the PGR\n"
    "    qualifier: more-than\n"
)
TWICE = [  # (file, text after which the repeat goes, the repeat, where it is reported, field)
    (CLAIM, "  - contradicts: gov-tlatlaya-release-impartial\n",
     "  - contradicts: gov-tlatlaya-release-impartial\n    note: said again\n",
     ("duplicate-entry", 16, 5, "relations[1]")),
    (CLAIM, "  - tlatlaya\n", "  - tlatlaya\n", ("duplicate-entry", 12, 5, "cases[1]")),
    ("cases/tlatlaya.yaml", "  - Tlatlaya case\n", "  - Tlatlaya case\n",
     ("duplicate-entry", 6, 5, "aliases[1]")),
    ("cases/tlatlaya.yaml", "  - requirement-1\n", "  - requirement-1\n",
     ("duplicate-entry", 11, 5, "requirements[1]")),
    (SOURCE, "  - Washington Office on Latin America (WOLA)\n", "  - Amnesty International\n",
     ("duplicate-entry", 6, 5, "authors[2]")),
    (REQUIREMENT, "locator: REQUIREMENT 2) heading\n",
     "cases:\n  - torture-prosecutions\n  - torture-prosecutions\n",
     ("duplicate-entry", 12, 5, "cases[1]")),
    ("claims/cso-torture-complaints.yaml", FIGURE, FIGURE,
     ("duplicate-entry", 16, 5, "figures[1]")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rel", "after", "repeat", "expected"), TWICE, ids=[f"{t[0]}:{t[3][3]}" for t in TWICE]
)
def test_an_entry_listed_twice(
    sample_copy: Sample, rel: str, after: str, repeat: str, expected: tuple[str, int, int, str]
) -> None:
    sample_copy.edit(rel, after, after + repeat)
    found = sample_copy.only()
    assert (found.path, *where(found)) == (f"data/{rel}", *expected)
    assert found.severity == "error" and found.hint.startswith(f"remove {expected[3]}")


def test_a_repeated_relation_is_named_whatever_its_note(sample_copy: Sample) -> None:
    rel, after, repeat, _ = TWICE[0]
    sample_copy.edit(rel, after, after + repeat)
    assert sample_copy.only().message == (
        "the relation contradicts gov-tlatlaya-release-impartial is listed twice in relations "
        "(first as relations[0])"
    )


@pytest.mark.parametrize(
    ("rel", "after", "other"),
    [
        (CLAIM, "  - contradicts: gov-tlatlaya-release-impartial\n",
         "  - responds-to: gov-tlatlaya-release-impartial\n"),
        ("claims/cso-torture-complaints.yaml", FIGURE, FIGURE.replace("more-than", "about")),
        ("cases/tlatlaya.yaml", "  - Tlatlaya case\n", "  - Tlatlayá case\n"),
    ],
    ids=["another-kind-of-relation", "another-figure", "another-alias"],
)  # fmt: skip
def test_entries_alike_but_not_the_same_are_fine(
    sample_copy: Sample, rel: str, after: str, other: str
) -> None:
    sample_copy.edit(rel, after, after + other)
    assert sample_copy.diagnostics() == []


def test_an_alias_again_but_for_case_is_warned_about(sample_copy: Sample) -> None:
    """Search ignores case, so the second adds nothing; spelled with or without accents,
    names are told apart (people search by both)."""
    sample_copy.edit(
        "cases/tlatlaya.yaml", "  - Tlatlaya case\n", "  - Tlatlaya case\n  - tlatlaya case\n"
    )
    found = sample_copy.only()
    assert where(found) == ("near-duplicate-entry", 6, 5, "aliases[1]")
    assert found.severity == "warning"


# -- archives -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["../../ledger.toml", "../sources/cso-memo-2017.txt", "/etc/passwd", "//etc/passwd"],
)
def test_an_archive_path_that_leaves_the_folder(sample_copy: Sample, path: str) -> None:
    sample_copy.edit(SOURCE, "path: cso-memo-2017.txt", f"path: {path}")
    found = sample_copy.only()
    assert (found.path, *where(found)) == (
        f"data/{SOURCE}",
        "archive-path",
        11,
        9,
        "archive.path",
    )


def test_an_archive_symlink_leading_out_of_the_data_folder(sample_copy: Sample) -> None:
    # The text outside is byte for byte the pinned one: the link itself is the fault.
    outside = sample_copy.root.parent / "outside.txt"
    outside.write_bytes(sample_copy.path(ARCHIVE).read_bytes())
    sample_copy.path(ARCHIVE).unlink()
    os.symlink(outside, sample_copy.path(ARCHIVE))
    found = sample_copy.only()
    assert where(found) == ("archive-path", 11, 9, "archive.path")
    assert "outside the data folder" in found.message


def test_an_archive_symlink_loop(sample_copy: Sample) -> None:
    sample_copy.path(ARCHIVE).unlink()
    os.symlink("cso-memo-2017.txt", sample_copy.path(ARCHIVE))
    found = sample_copy.only()
    assert where(found) == ("archive-path", 11, 9, "archive.path")


def test_an_archive_that_is_not_there(sample_copy: Sample) -> None:
    sample_copy.path(ARCHIVE).unlink()
    found = sample_copy.only()
    assert where(found) == ("archive-missing", 11, 9, "archive.path")
    # The claims and requirements quoting this source are not reported: the archive is.


def test_an_archive_that_is_a_folder(sample_copy: Sample) -> None:
    sample_copy.path(ARCHIVE).unlink()
    sample_copy.path(ARCHIVE).mkdir()
    assert where(sample_copy.only()) == ("archive-missing", 11, 9, "archive.path")


def test_an_archive_that_is_not_utf8(sample_copy: Sample) -> None:
    sample_copy.path(ARCHIVE).write_bytes(b"caf\xe9\n")
    pin(sample_copy, SOURCE, ARCHIVE)
    found = sample_copy.only()
    assert where(found) == ("archive-missing", 11, 9, "archive.path")
    assert "not UTF-8" in found.message


def test_an_archive_changed_by_one_byte(sample_copy: Sample) -> None:
    archive = sample_copy.path(ARCHIVE)
    archive.write_bytes(archive.read_bytes().replace(b"10,000", b"10.000"))
    found = sample_copy.only()
    assert where(found) == ("archive-hash", 12, 11, "archive.sha256")
    assert hashlib.sha256(archive.read_bytes()).hexdigest() in found.message


def test_a_wrong_pinned_hash(sample_copy: Sample) -> None:
    sample_copy.edit(SOURCE, "sha256: 3748759865bcbdc0", "sha256: 0000000000000000")
    assert where(sample_copy.only()) == ("archive-hash", 12, 11, "archive.sha256")


def test_the_sample_hashes_are_the_real_ones() -> None:
    for source, archive in [
        ("cso-memo-2017.yaml", "cso-memo-2017.txt"),
        ("mx-gov-2018.yaml", "mx-gov-2018.txt"),
    ]:
        digest = hashlib.sha256((SAMPLE / "data/sources" / archive).read_bytes()).hexdigest()
        assert f"sha256: {digest}" in (SAMPLE / "data/sources" / source).read_text()


# -- quotes and wording ---------------------------------------------------------------------------


def test_a_changed_word_in_a_quote(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "the failure to obtain arrest", "the failure to get arrest")
    found = sample_copy.only()
    assert (found.path, *where(found)) == (f"data/{CLAIM}", "quote-not-found", 4, 8, "quote")
    assert found.message == (
        'the quote is not found in cso-memo-2017: "Two central issues limiting progress in this '
        'case have been the failure to get arrest warrants against soldiers"'
    )
    assert found.hint == (
        'the closest passage in cso-memo-2017 is: "Two central issues limiting progress in this '
        'case have been the failure to obtain arrest warrants against soldiers"'
    )


def test_a_changed_word_in_a_requirements_wording(sample_copy: Sample) -> None:
    sample_copy.edit(REQUIREMENT, "text: Vigorously", "text: Vigourously")
    found = sample_copy.only()
    assert (found.path, *where(found)) == (
        f"data/{REQUIREMENT}",
        "wording-not-found",
        3,
        7,
        "text",
    )
    assert found.hint.startswith('the closest passage in cso-memo-2017 is: "Vigorously enforcing')


def test_a_quote_from_the_other_source(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "source: cso-memo-2017", "source: mx-gov-2018")
    assert where(sample_copy.only()) == ("quote-not-found", 4, 8, "quote")


def test_the_sample_exercises_normalisation() -> None:
    """The sample's clean quotes match only because of normalisation: keep it that way."""
    archive = (SAMPLE / "data" / ARCHIVE).read_text(encoding="utf-8")
    claim = (SAMPLE / "data" / ELLIPSIS_CLAIM).read_text(encoding="utf-8")
    assert "military’s “order to kill.”" in archive  # typographic quotes in the source
    assert 'military\'s\n  "order to kill."' in claim  # plain ones, across a line break
    assert " ... " in claim  # and segments
    assert "testimony\n\nobtained" in archive  # wording quoted across a blank line
    requirement = (SAMPLE / "data" / REQUIREMENT).read_text(encoding="utf-8")
    assert "testimony obtained" in requirement


def test_segments_out_of_order_are_not_found(sample_copy: Sample) -> None:
    sample_copy.edit(
        ELLIPSIS_CLAIM,
        "the failure to obtain arrest warrants ... the failure to investigate the Mexican "
        'military\'s\n  "order to kill."',
        'the failure to investigate the Mexican military\'s "order to kill." ... the failure '
        "to obtain arrest warrants",
    )
    found = sample_copy.only()
    assert where(found) == ("quote-not-found", 4, 8, "quote")
    assert found.message == (
        'the quote is not found in cso-memo-2017 in the order given: "the failure to obtain '
        'arrest warrants"'
    )
    assert "before the part quoted ahead of it" in found.hint


# -- the quote matcher itself ---------------------------------------------------------------------

SOURCE_TEXT = normalise(
    "Two central issues limiting progress in this case have been the failure to obtain arrest\n"
    "warrants against soldiers for homicide, cover-up, and alteration of evidence as well as the\n"
    "failure to investigate the Mexican military’s “order to kill.”\n\n"
    "REQUIREMENT 2) Vigorously enforcing\u00a0prohibitions"
)


@pytest.mark.parametrize(
    "quote",
    [
        "failure to obtain arrest warrants against soldiers",
        "failure to obtain arrest\n  warrants   against\tsoldiers",
        'the Mexican military\'s "order to kill."',
        "the Mexican military’s “order to kill.”",
        "the Mexican military‘s „order to kill.”",
        "Two central issues ... the failure to investigate",
        "Two central issues...the failure to investigate",
        "Two central issues … the failure to investigate",
        "Two central issues [...] the failure to investigate",
        "Two central issues [ … ] alteration of evidence ... order to kill",
        "... arrest warrants ...",
        "Vigorously enforcing prohibitions",
        "  arrest warrants  ",
    ],
)
def test_quotes_found_after_normalisation(quote: str) -> None:
    assert find_quote(quote, SOURCE_TEXT).found


@pytest.mark.parametrize(
    ("quote", "missing"),
    [
        ("failure to obtain arrest warrant against", "failure to obtain arrest warrant against"),
        ("Order to kill", "Order to kill"),
        ("order to kill ... Two central issues", "Two central issues"),
        ("failure to investigate ... failure to obtain", "failure to obtain"),
        ("arrestwarrants", "arrestwarrants"),
    ],
)
def test_quotes_not_found(quote: str, missing: str) -> None:
    match = find_quote(quote, SOURCE_TEXT)
    assert not match.found
    assert match.missing == missing


def test_a_repeated_segment_must_appear_again_later() -> None:
    assert find_quote("the failure ... the failure", SOURCE_TEXT).found
    assert not find_quote("the failure ... the failure ... the failure", SOURCE_TEXT).found


def test_out_of_order_is_told_apart_from_absent() -> None:
    assert find_quote("order to kill ... Two central issues", SOURCE_TEXT).out_of_order
    assert not find_quote("order to kill ... Three central issues", SOURCE_TEXT).out_of_order


def test_segments_and_normalise() -> None:
    assert segments("a ... b [...] c … d") == ["a", "b", "c", "d"]
    assert segments("... a ...") == ["a"]
    assert normalise("  “x”\n\n ‘y’\u00a0z ") == "\"x\" 'y' z"
    # NFC: a decomposed é matches a composed one.
    assert find_quote("Me\u0301xico", normalise("in Méxi\u0063o today")).found


# -- review stamps --------------------------------------------------------------------------------


def stamp(sample: Sample, rel: str) -> None:
    """Add a review stamp that saw the claim exactly as it is now."""
    claim_id = rel.rsplit("/", 1)[-1].removesuffix(".yaml")
    seen = fingerprint(sample.load().ledger.claims[claim_id])
    review = f'reviews:\n  - by: A. Reviewer\n    date: "2024-01-31"\n    fingerprint: {seen}\n'
    sample.write(rel, sample.read(rel) + review)


def test_a_fresh_review_is_fine_and_survives_reformatting(sample_copy: Sample) -> None:
    stamp(sample_copy, CLAIM)
    assert sample_copy.diagnostics() == []
    sample_copy.edit(CLAIM, "statement: >-\n  The memo", "statement:\n  The memo")
    assert sample_copy.diagnostics() == []


def test_a_claim_changed_after_its_review(sample_copy: Sample) -> None:
    stamp(sample_copy, CLAIM)
    sample_copy.edit(CLAIM, "requirement-1: undermines", "requirement-1: context")
    found = sample_copy.only()
    assert (found.path, *where(found)) == (f"data/{CLAIM}", "stale-review", 17, 5, "reviews[0]")
    assert found.severity == "warning"
    assert "A. Reviewer" in found.message


# -- whom a source speaks for ---------------------------------------------------------------------

GOV_SOURCE = "sources/mx-gov-2018.yaml"
# 7 perspective: government
# 8 speaks_for: Government of Mexico


def test_a_government_source_that_speaks_for_no_one_is_warned_about(sample_copy: Sample) -> None:
    sample_copy.edit(GOV_SOURCE, "speaks_for: Government of Mexico\n", "")
    found = sample_copy.only()
    assert (found.path, *where(found)) == (
        f"data/{GOV_SOURCE}",
        "speaks-for-missing",
        7,
        14,
        "perspective",
    )
    assert found.severity == "warning"
    assert "'Government of Mexico' if it is the obligor's own word" in found.hint


def test_a_source_of_another_perspective_need_not_say_whom_it_speaks_for(
    sample_copy: Sample,
) -> None:
    assert "speaks_for" not in sample_copy.read(SOURCE)
    assert sample_copy.diagnostics() == []


@pytest.mark.parametrize(
    "other", ["Government of the United States", "Government of Chile", "Mexico City Council"]
)
def test_another_government_speaking_for_itself_is_fine(sample_copy: Sample, other: str) -> None:
    sample_copy.edit(GOV_SOURCE, "speaks_for: Government of Mexico", f"speaks_for: {other}")
    assert sample_copy.diagnostics() == []


@pytest.mark.parametrize(
    "near",
    [
        "government of Mexico",
        "Government of  México",
        "Government of Mexico.",
        "Govenment of Mexico",  # a letter left out
        "Government of Mexlco",  # a letter mistyped
        "G\u043evernment of Mexico",  # a Cyrillic о
        "\u0393overnment of Mexico",  # a Greek capital gamma is no G: still one letter off
    ],
)
def test_a_speaks_for_that_misses_the_obligor_narrowly_is_warned_about(
    sample_copy: Sample, near: str
) -> None:
    sample_copy.edit(GOV_SOURCE, "speaks_for: Government of Mexico", f"speaks_for: {near}")
    found = sample_copy.only()
    assert (found.path, *where(found)) == (
        f"data/{GOV_SOURCE}",
        "speaks-for-near-obligor",
        8,
        13,
        "speaks_for",
    )
    assert (
        found.hint
        == "write `speaks_for: Government of Mexico` if the source speaks for that obligor"
    )
