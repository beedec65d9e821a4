"""The slips `validate` warns about (errors under --strict): quotes loosely anchored in their
source, cases on requirements they have nothing to do with, statements naming a case as the
source never does, names listed twice but for case; and where each quote stands.

Each test writes a small ledger of its own in a temporary folder, so every line a diagnostic
points at is in the test.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import layout_for, run, where
from ledger.analysis import quotes
from ledger.analysis.naming import Names
from ledger.analysis.quotes import (
    ArchiveIndex,
    Placement,
    Repeat,
    normalise,
    place_quote,
    quote_spans,
)
from ledger.records.diagnostics import Diagnostic
from ledger.records.load import load

SOURCE_TEXT = """\
Report on the cases


SECTION 1) Tlatlaya


The killings at Tlatlaya in June 2014 remain unpunished. Mexico has addressed the
recommendations and proposed a comprehensive plan for the victims.


The authorities of the State reported their progress to the court, and the
court ordered further steps

in the case of the soldiers.1 Those steps were taken.


SECTION 2) Iguala


The events that took place in Iguala are under investigation. Mexico regrets them.
The killings at Tlatlaya in June 2014 remain unpunished.
"""
"""A source with two sections, paragraphs two blank lines apart (as in a text extracted from
pages): its second section repeats a sentence of the first, a page break (one blank line)
falls inside a sentence, and a footnote number stands inline."""

CLAIM = "data/claims/c.yaml"


def claim_text(
    quote: str,
    *,
    locator: str = "p. 1",
    statement: str = "The report says so.",
    cases: tuple[str, ...] = ("tlatlaya",),
    bears_on: tuple[str, ...] = ("requirement-1",),
) -> str:
    lines = [
        "id: c",
        "source: report",
        f"locator: {locator}",
        f"quote: {quote}",
        f"statement: {statement}",
        "kind: fact",
    ]
    if cases:
        lines += ["cases:", *(f"  - {case}" for case in cases)]
    if bears_on:
        lines += ["bears_on:", *(f"  {req}: undermines" for req in bears_on)]
    return "\n".join(lines) + "\n"


def write_ledger(root: Path, claim: str, *, text: str = SOURCE_TEXT, extra: str = "") -> Path:
    """A ledger with one source (``text``), two requirements, two cases and one claim."""
    data = root / "data"
    for folder in ("sources", "requirements", "cases", "claims"):
        (data / folder).mkdir(parents=True, exist_ok=True)
    (root / "ledger.toml").write_text('[ledger]\ndata = "data"\n', encoding="utf-8")
    raw = text.encode("utf-8")
    (data / "sources" / "report.txt").write_bytes(raw)
    (data / "sources" / "report.yaml").write_text(
        "id: report\ntitle: A report\npublished: '2017'\nkind: report\n"
        "perspective: civil-society\nlanguage: en\narchive:\n  path: report.txt\n"
        f"  sha256: {hashlib.sha256(raw).hexdigest()}\n",
        encoding="utf-8",
    )
    for number in (1, 2):
        (data / "requirements" / f"requirement-{number}.yaml").write_text(
            f"id: requirement-{number}\ntitle: Requirement {number}\ntext: Report on the cases\n"
            "force: condition\nobligor: Government of Mexico\ninstrument: An act\n"
            "fiscal_year: 2017\nsource: report\nlocator: title\n",
            encoding="utf-8",
        )
    (data / "cases" / "tlatlaya.yaml").write_text(
        "id: tlatlaya\ntitle: Killings at Tlatlaya\nkind: incident\naliases:\n  - Tlatlaya\n"
        "  - Tlatlaya case\nsummary: The report's killings.\nrequirements:\n  - requirement-1\n",
        encoding="utf-8",
    )
    (data / "cases" / "ayotzinapa.yaml").write_text(
        "id: ayotzinapa\ntitle: Disappearance of the 43 students\nkind: incident\naliases:\n"
        "  - Ayotzinapa\n  - Iguala\n  - 43 students\nsummary: The events in Iguala.\n"
        "requirements:\n  - requirement-2\n" + extra,
        encoding="utf-8",
    )
    (root / CLAIM).write_text(claim, encoding="utf-8")
    return root


def found(root: Path) -> list[Diagnostic]:
    result = load(layout_for(root))
    assert result.fatal is None
    return result.diagnostics


def only(root: Path) -> Diagnostic:
    diagnostics = found(root)
    assert len(diagnostics) == 1, [(d.path, *where(d), d.message) for d in diagnostics]
    return diagnostics[0]


def position(root: Path, record_id: str = "c") -> dict[str, object]:
    shown = run(["--root", str(root), "show", record_id, "--format", "json"])
    assert shown.exit_code == 0, shown.stderr
    return json.loads(shown.stdout)["position"]  # type: ignore[no-any-return]


def test_a_clean_quote_is_placed_and_gives_nothing(tmp_path: Path) -> None:
    root = write_ledger(tmp_path, claim_text("Those steps were taken."))
    assert found(root) == []
    start = SOURCE_TEXT.index("Those steps")
    assert position(root) == {
        "source": "report",
        "archive": "data/sources/report.txt",
        "start": start,
        "end": start + len("Those steps were taken."),
        "segments": [[start, start + len("Those steps were taken.")]],
    }


# -- quote segments too short to anchor -------------------------------------------------------


def test_a_one_word_segment_is_too_short_to_anchor(tmp_path: Path) -> None:
    root = write_ledger(tmp_path, claim_text("progress ... court ordered further steps"))
    d = only(root)
    assert (d.path, *where(d)) == (CLAIM, "quote-segment-short", 4, 8, "quote")
    assert d.severity == "warning"
    assert d.message == (
        'the quote\'s segment "progress" has 1 word: too short to anchor it in the source'
    )
    assert d.hint == (
        "give each segment between '...' at least 3 words: extend it with the words around "
        "it in the source"
    )


def test_short_quotes_of_one_segment_and_three_word_segments_are_fine(tmp_path: Path) -> None:
    root = write_ledger(tmp_path, claim_text("The authorities ... to the court"))
    assert [d.code for d in found(root)] == ["quote-segment-short"]
    write_ledger(tmp_path, claim_text("The authorities of the State ... to the court"))
    assert found(root) == []
    write_ledger(tmp_path, claim_text("steps were"))  # one segment: as long as it needs
    assert found(root) == []


def test_a_requirements_wording_is_checked_too(tmp_path: Path) -> None:
    root = write_ledger(tmp_path, claim_text("Those steps were taken."))
    wording = root / "data/requirements/requirement-2.yaml"
    text = wording.read_text(encoding="utf-8")
    wording.write_text(text.replace("text: Report on the cases", "text: Report ... cases"))
    first, second = found(root)
    assert (first.path, *where(first)) == (
        "data/requirements/requirement-2.yaml",
        "quote-segment-short",
        3,
        7,
        "text",
    )
    assert first.message.startswith('the wording\'s segment "Report" has 1 word')
    assert second.message.startswith('the wording\'s segment "cases" has 1 word')


# -- segments that occur more than once -----------------------------------------------------


def test_a_repeated_quote_is_reported_with_where_it_occurs(tmp_path: Path) -> None:
    root = write_ledger(tmp_path, claim_text("remain unpunished."))
    d = only(root)
    assert (d.path, *where(d)) == (CLAIM, "quote-segment-repeated", 4, 8, "quote")
    assert d.message == (
        "the quote occurs 2 times in report (at lines 7 and 21 of report.txt), and the "
        "locator does not say which"
    )
    assert d.hint == (
        "quote more of the words around it, so that it occurs once; or name in the locator "
        "the one passage that holds it, as `ledger locate` names passages (it is placed at "
        "'SECTION 1, paragraph 1')"
    )


def test_a_repeated_segment_counts_every_occurrence_and_lists_five(tmp_path: Path) -> None:
    text = (
        "Report on the cases\n" + "Mexico said a thing. " * 7 + "\nMexico then proposed a plan.\n"
    )
    root = write_ledger(tmp_path, claim_text("Mexico ... proposed a plan"), text=text)
    codes = {d.code: d for d in found(root)}
    assert set(codes) == {"quote-segment-short", "quote-segment-repeated"}
    assert codes["quote-segment-repeated"].message == (
        'the quote\'s segment "Mexico" occurs 8 times in report (at line 2 and elsewhere in '
        "report.txt), and the locator does not say which"
    )
    # placed where the quote makes sense: "Mexico" just before "proposed", not the first one
    start, then = text.index("Mexico then"), text.index("proposed")
    assert position(root)["segments"] == [[start, start + 6], [then, then + 15]]


def test_a_locator_that_names_the_one_passage_holding_it_settles_it(tmp_path: Path) -> None:
    quote = "The killings at Tlatlaya in June 2014 remain unpunished."
    root = write_ledger(tmp_path, claim_text(quote, locator="SECTION 2, paragraph 1"))
    assert found(root) == []
    start = SOURCE_TEXT.rindex("The killings")  # the second section's, as the locator says
    assert position(root)["start"] == start
    write_ledger(tmp_path, claim_text(quote, locator="SECTION 1, paragraph 1"))
    assert found(root) == []
    assert position(root)["start"] == SOURCE_TEXT.index("The killings")


def test_a_locator_the_tool_cannot_place_settles_nothing(tmp_path: Path) -> None:
    quote = "The killings at Tlatlaya in June 2014 remain unpunished."
    root = write_ledger(tmp_path, claim_text(quote, locator="Section 2 (Iguala), paragraph 1"))
    assert where(only(root)) == ("quote-segment-repeated", 4, 8, "quote")


def test_a_locator_whose_passage_does_not_hold_it_once_settles_nothing(tmp_path: Path) -> None:
    root = write_ledger(
        tmp_path, claim_text("Mexico ... regrets them.", locator="SECTION 1, paragraph 1")
    )
    repeated = [d for d in found(root) if d.code == "quote-segment-repeated"]
    assert len(repeated) == 1
    assert repeated[0].hint == (
        "the passage the locator names holds it nowhere: quote more of the words around it, "
        "so that it occurs once"
    )


# -- ellipses that leave nothing out ------------------------------------------------------


def test_an_ellipsis_over_a_page_break_is_reported(tmp_path: Path) -> None:
    root = write_ledger(tmp_path, claim_text("the court ordered further steps ... in the case"))
    d = only(root)
    assert (d.path, *where(d)) == (CLAIM, "quote-ellipsis-contiguous", 4, 8, "quote")
    assert d.message == (
        '\'...\' joins "court ordered further steps" and "in the case", which stand side by '
        "side in report (line 12 of report.txt): nothing is left out between them"
    )
    assert d.hint == (
        "write a space for the '...': a line or page break between the words folds to one "
        "space when quotes are compared"
    )
    write_ledger(tmp_path, claim_text("the court ordered further steps in the case"))
    assert found(root) == []


def test_an_ellipsis_over_a_footnote_number_leaves_something_out(tmp_path: Path) -> None:
    root = write_ledger(
        tmp_path, claim_text("in the case of the soldiers. ... Those steps were taken.")
    )
    assert found(root) == []


# -- cases and the requirements a claim bears on ------------------------------------------


def test_a_case_on_a_requirement_it_has_nothing_to_do_with(tmp_path: Path) -> None:
    claim = claim_text(
        "Those steps were taken.",
        cases=("tlatlaya", "ayotzinapa"),
        bears_on=("requirement-1", "requirement-2"),
    )
    root = write_ledger(tmp_path, claim)
    diagnostics = found(root)
    assert [(d.path, *where(d)) for d in diagnostics] == [
        (CLAIM, "case-outside-requirement", 8, 5, "cases[0]"),
        (CLAIM, "case-outside-requirement", 9, 5, "cases[1]"),
    ]
    assert diagnostics[0].message == (
        "case 'tlatlaya' has nothing to do with requirement-2 (neither lists the other), yet "
        "the claim bears on it: it gives tlatlaya a status there"
    )
    assert diagnostics[1].hint == (
        "split the claim so that each case bears only on its own requirements, or drop the "
        "case or the requirement; if ayotzinapa does bear on requirement-1, add it to the "
        "case's `requirements`"
    )


def test_a_requirement_that_lists_the_case_relates_them_too(tmp_path: Path) -> None:
    claim = claim_text("Those steps were taken.", bears_on=("requirement-1", "requirement-2"))
    root = write_ledger(tmp_path, claim)
    assert where(only(root)) == ("case-outside-requirement", 8, 5, "cases[0]")
    wording = root / "data/requirements/requirement-2.yaml"
    wording.write_text(wording.read_text() + "cases:\n  - tlatlaya\n", encoding="utf-8")
    assert found(root) == []


# -- names in statements ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("The report says the Ayotzinapa events are investigated.", "Ayotzinapa"),
        ("The report says the events in Iguala are investigated.", None),
        ("The report says the 43 students' case is investigated.", None),  # not a name
        ("The report says the Tlatlaya case is unpunished.", None),  # it says Tlatlaya
        ("The report says the IGUALA events are investigated.", None),
    ],
)
def test_a_statement_naming_a_case_as_the_source_never_does(
    tmp_path: Path, statement: str, problem: str | None
) -> None:
    claim = claim_text(
        "are under investigation.", statement=statement, cases=("ayotzinapa",), bears_on=()
    )
    root = write_ledger(tmp_path, claim)
    diagnostics = found(root)
    if problem is None:
        assert diagnostics == []
        return
    [d] = diagnostics
    assert (d.path, *where(d)) == (CLAIM, "statement-name-not-in-source", 5, 12, "statement")
    assert d.message == (
        f"the statement names '{problem}' (case ayotzinapa), a name that neither the quote "
        "nor report uses"
    )
    assert d.hint == (
        "say it as report does ('Iguala'): the link to case ayotzinapa belongs in `cases` and "
        "`notes`"
    )


def test_a_name_of_a_case_the_claim_does_not_name_counts_too(tmp_path: Path) -> None:
    claim = claim_text(
        "Those steps were taken.", statement="The report says the Ayotzinapa steps were taken."
    )
    d = only(write_ledger(tmp_path, claim))
    assert d.code == "statement-name-not-in-source" and "(case ayotzinapa)" in d.message


def test_a_case_the_source_never_names_is_left_out_of_what_it_says(tmp_path: Path) -> None:
    root = write_ledger(
        tmp_path,
        claim_text("Those steps were taken.", statement="The report says Atenco steps were taken."),
    )
    (root / "data/cases/atenco.yaml").write_text(
        "id: atenco\ntitle: Atenco\nkind: incident\naliases:\n  - Atenco\nsummary: Atenco.\n",
        encoding="utf-8",
    )
    d = only(root)
    assert (d.path, *where(d)) == (CLAIM, "statement-name-not-in-source", 5, 12, "statement")
    assert d.hint == (
        "leave the name out of what report says: the link to case atenco belongs in `cases` "
        "and `notes`"
    )


def test_names_are_found_whole_and_the_longest_first() -> None:
    from builders import make_case

    names = Names(
        [
            make_case("a", aliases=["Tlatlaya", "Tlatlaya case", "the Mechanism"]),
            make_case("b", aliases=["the Iguala affair", "lower case only"]),
        ]
    )
    said = [n.written for n in names.mentions(("in", "the", "tlatlaya", "case", "tlatlayas"))]
    assert said == ["Tlatlaya case"]
    assert [n.written for n in names.mentions(("the", "iguala", "affair"))] == ["the Iguala affair"]
    assert list(names.mentions(("lower", "case", "only"))) == []


# -- names listed twice but for case ------------------------------------------------------


def test_an_alias_listed_again_but_for_case(tmp_path: Path) -> None:
    root = write_ledger(tmp_path, claim_text("Those steps were taken."))
    case = root / "data/cases/tlatlaya.yaml"
    case.write_text(
        case.read_text().replace("  - Tlatlaya case\n", "  - Tlatlaya case\n  - TLATLAYA  case\n")
    )
    d = only(root)
    assert (d.path, *where(d)) == (
        "data/cases/tlatlaya.yaml",
        "near-duplicate-entry",
        7,
        5,
        "aliases[2]",
    )
    assert d.message == (
        "'TLATLAYA  case' is aliases[1] 'Tlatlaya case' again but for case, spacing or "
        "typographic quotes"
    )


# -- the command line ---------------------------------------------------------------------


def test_warnings_fail_only_under_strict(tmp_path: Path) -> None:
    root = write_ledger(tmp_path, claim_text("the court ordered further steps ... in the case"))
    lenient = run(["--root", str(root), "validate"])
    assert lenient.exit_code == 0
    assert "warning[quote-ellipsis-contiguous]" in lenient.stderr
    strict = run(["--root", str(root), "validate", "--strict"])
    assert strict.exit_code == 1
    machine = run(["--root", str(root), "validate", "--strict", "--format", "json"])
    assert machine.exit_code == 1
    [d] = json.loads(machine.stdout)["diagnostics"]
    assert (d["code"], d["severity"], d["path"], d["line"], d["column"]) == (
        "quote-ellipsis-contiguous",
        "warning",
        CLAIM,
        4,
        8,
    )


def test_positions_in_every_export(tmp_path: Path) -> None:
    root = write_ledger(
        tmp_path, claim_text("Mexico has addressed ... proposed a comprehensive plan")
    )
    start = SOURCE_TEXT.index("Mexico has")
    end = SOURCE_TEXT.index(" for the victims")
    wording = SOURCE_TEXT.index("Report on the cases")
    exported = run(["--root", str(root), "export", "-f", "json"])
    assert exported.exit_code == 0, exported.stderr
    data = json.loads(exported.stdout)
    assert data["positions"]["c"]["start"] == start and data["positions"]["c"]["end"] == end
    assert data["positions"]["c"]["segments"][1] == [
        SOURCE_TEXT.index("proposed a"),
        end,
    ]
    assert data["positions"]["requirement-1"]["start"] == wording
    lines = run(["--root", str(root), "export", "-f", "jsonl"]).stdout.splitlines()
    by_id = {row["id"]: row for row in map(json.loads, lines)}
    assert by_id["c"]["position"]["start"] == start
    assert by_id["report"]["position"] is None
    csv = run(["--root", str(root), "export", "-f", "csv", "--kind", "claims"]).stdout
    header, row = csv.splitlines()[:2]
    assert "quote_start,quote_end" in header
    assert f",{start},{end}," in row
    target = tmp_path / "out.sqlite"
    assert run(["--root", str(root), "export", "-o", str(target)]).exit_code == 0
    db = sqlite3.connect(target)
    assert db.execute("SELECT quote_start, quote_end FROM claims").fetchall() == [(start, end)]
    assert db.execute("SELECT text_start FROM requirements").fetchall() == [(wording,), (wording,)]
    markdown = run(["--root", str(root), "export", "-f", "markdown"]).stdout
    assert f"- *position of the quote*: characters {start}–{end} of data/sources/report.txt" in (
        markdown
    )
    query = run(["--root", str(root), "query", "SELECT quote_start FROM claims", "-f", "json"])
    assert json.loads(query.stdout)["rows"] == [[start]]


def test_a_quote_not_found_has_no_position(tmp_path: Path) -> None:
    root = write_ledger(tmp_path, claim_text("words that are not there"))
    assert position(root) is None
    assert json.loads(run(["--root", str(root), "export"]).stdout)["positions"].get("c") is None


# -- placing a quote ----------------------------------------------------------------------


def test_offsets_count_characters_of_the_text_as_written() -> None:
    text = "Intro\u00a0line.\n\n  \u201cQuoted\u201d   words,\n\tthen Nochixtlán\u2019s text.\n"
    archive = ArchiveIndex(text)
    match = place_quote('"Quoted" words, then Nochixtlán\'s', archive)
    assert match.placement is not None
    [(start, end)] = match.placement.spans
    assert text[start:end] == "\u201cQuoted\u201d   words,\n\tthen Nochixtlán\u2019s"
    assert quote_spans(text, '"Quoted" words, then Nochixtlán\'s') == [(start, end)]


def test_a_placement_is_kept_as_data() -> None:
    placement = Placement(((1, 5), (9, 12)), (Repeat(0, 3, ((1, 5), (20, 24))),), (0,))
    assert Placement.from_data(json.loads(json.dumps(placement.to_data()))) == placement
    for bad in ({"spans": []}, {"spans": [[1, True]], "repeats": [], "joins": []}):
        with pytest.raises((ValueError, TypeError, KeyError)):
            Placement.from_data(bad)


WORDS = st.sampled_from(["a", "bb", "\u201cc\u201d", "d\u2019e", "x\u00a0y", "e\u0301", "Mexico"])
SPACES = st.sampled_from([" ", "\n\n", "  \t", "\u2003", "\r\n"])


@given(st.lists(st.tuples(WORDS, SPACES), max_size=80), st.integers(1, 16))
def test_the_index_normalises_as_quotes_are_compared_and_maps_back(
    parts: list[tuple[str, str]], step: int
) -> None:
    text = "".join(word + space for word, space in parts)
    saved, quotes.MAP_STEP = quotes.MAP_STEP, step
    try:
        archive = ArchiveIndex(text)
        assert archive.normalised == normalise(text)
        for word_start in range(len(archive.normalised)):
            if word_start and archive.normalised[word_start - 1] != " ":
                continue
            word_end = archive.normalised.find(" ", word_start)
            word_end = len(archive.normalised) if word_end < 0 else word_end
            start, end = archive.span(word_start, word_end)
            assert normalise(archive.text[start:end]) == archive.normalised[word_start:word_end]
    finally:
        quotes.MAP_STEP = saved


# -- statement names kept between checks ---------------------------------------------------


def test_statement_name_findings_are_kept_and_follow_every_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check after an edit works out again only the claims whose statement, quote, source
    text or case names changed; the findings are always a fresh check's."""
    import ledger.analysis.checks as checks_module
    from conftest import age

    root = write_ledger(
        tmp_path,
        claim_text("Those steps were taken.", statement="The report says Atenco steps were taken."),
    )
    age(root)
    assert found(root) == []  # no case is called Atenco yet
    worked: list[str] = []
    real = checks_module.unsourced_names

    def counted(names, sources, statement, quote, source):  # type: ignore[no-untyped-def]
        worked.append(statement)
        return real(names, sources, statement, quote, source)

    monkeypatch.setattr(checks_module, "unsourced_names", counted)
    assert found(root) == [] and worked == []  # nothing changed: nothing worked out

    (root / "data/cases/atenco.yaml").write_text(
        "id: atenco\ntitle: Atenco\nkind: incident\naliases:\n  - Atenco\nsummary: Atenco.\n",
        encoding="utf-8",
    )
    age(root)
    [d] = found(root)  # the case names changed: every claim is checked again
    assert (d.path, *where(d)) == (CLAIM, "statement-name-not-in-source", 5, 12, "statement")
    assert len(worked) == 1
    [again] = found(root)
    assert again.message == d.message and again.hint == d.hint and len(worked) == 1

    source = root / "data/sources/report.txt"
    text = SOURCE_TEXT + "\nThe Atenco steps.\n"
    source.write_text(text, encoding="utf-8")
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    meta = root / "data/sources/report.yaml"
    meta.write_text(
        "\n".join(
            f"  sha256: {sha}" if line.startswith("  sha256:") else line
            for line in meta.read_text(encoding="utf-8").splitlines()
        )
        + "\n",
        encoding="utf-8",
    )
    age(root)
    assert found(root) == []  # the source's text now uses the name
    assert len(worked) == 2
    monkeypatch.setenv("LEDGER_NO_CACHE", "1")
    assert found(root) == []
