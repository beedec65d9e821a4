"""The safe YAML reader: every problem it refuses, with its code, line, column and field.

Each case breaks one line of a clean claim from the sample ledger (whose unbroken text is the
passing fixture) and is checked twice: by the parser alone, and through the loader, which must
report that one problem at that place in that file and nothing else.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE, Sample, where
from ledger.records.diagnostics import CODES
from ledger.records.yamlread import MAX_DEPTH, dotted, parse

CLAIM = "claims/cso-torture-complaints.yaml"
BASE = (SAMPLE / "data" / CLAIM).read_text(encoding="utf-8")
# The claim, line by line:
#  1 id: cso-torture-complaints
#  2 source: cso-memo-2017
#  3 locator: REQUIREMENT 2, paragraph 1
#  4 quote: the PGR received over 10,000 complaints of torture between 2012 and 2016
#  5 statement: The memo says the PGR received more than 10,000 torture complaints in 2012-2016.
#  6 kind: figure
#  7 cases:
#  8   - torture-prosecutions
#  9 bears_on:
# 10   requirement-2: undermines
# 11 as_of: "2016"
# 12 figures:
# 13   - value: 10000
# 14     unit: complaints of torture received by the PGR
# 15     qualifier: more-than
STATEMENT = (
    "statement: The memo says the PGR received more than 10,000 torture complaints in 2012-2016."
)
DEEP = "[" * 40 + "]" * 40

# (name, text replaced, replacement, (code, line, column, field))
BROKEN = [
    (
        "colon-in-plain-scalar",
        "locator: REQUIREMENT 2, paragraph 1",
        "locator: REQUIREMENT 2: paragraph 1",
        ("yaml-syntax", 3, 23, ""),
    ),
    ("unclosed-flow-sequence", "kind: figure", "kind: [figure", ("yaml-syntax", 7, 6, "")),
    (  # no quote follows: libyaml gives up at the end; the opening quote is meant
        "unclosed-quote",
        'as_of: "2016"',
        'as_of: "2016',
        ("yaml-syntax", 11, 8, "as_of"),
    ),
    (
        "python-tag",
        "kind: figure",
        'kind: !!python/object/apply:os.system ["echo"]',
        ("yaml-tag", 6, 7, "kind"),
    ),
    ("str-tag", 'as_of: "2016"', "as_of: !!str 2016", ("yaml-tag", 11, 8, "as_of")),
    ("local-tag", "kind: figure", "kind: !custom figure", ("yaml-tag", 6, 7, "kind")),
    ("anchor", "kind: figure", "kind: &k figure", ("yaml-alias", 6, 7, "kind")),
    ("alias", "  - torture-prosecutions", "  - *k", ("yaml-alias", 8, 5, "cases[0]")),
    (
        "merge-key",
        "  - value: 10000",
        "  - <<: {note: x}\n    value: 10000",
        ("yaml-alias", 13, 5, "figures[0]"),
    ),
    (
        "duplicate-top-level-key",
        "kind: figure",
        "kind: figure\nkind: fact",
        ("duplicate-key", 7, 1, "kind"),
    ),
    (
        "duplicate-nested-key",
        "    unit: complaints",
        "    value: 1\n    unit: complaints",
        ("duplicate-key", 14, 5, "figures[0].value"),
    ),
    ("integer-key", "kind: figure", "kind: figure\n1: x", ("non-string-key", 7, 1, "")),
    ("boolean-key", "kind: figure", "kind: figure\nyes: x", ("non-string-key", 7, 1, "")),
    (
        "sequence-as-key",
        "kind: figure",
        "kind: figure\n? [a]\n: x",
        ("non-string-key", 7, 3, ""),
    ),
    (
        "second-document",
        "    qualifier: more-than",
        "    qualifier: more-than\n---\nid: x",
        ("multiple-documents", 16, 1, ""),
    ),
    (
        "too-deep",
        "    qualifier: more-than",
        f"    qualifier: more-than\n    note: {DEEP}",
        # figures, its item and `note` make three levels; the 30th `[` is one too many.
        ("too-deep", 16, 11 + MAX_DEPTH - 3, "figures[0].note" + "[0]" * (MAX_DEPTH - 3)),
    ),
    ("unquoted-date", 'as_of: "2016"', "as_of: 2016-05-01", ("unquoted-date", 11, 8, "as_of")),
    (
        "escaped-escape-character",
        STATEMENT,
        r'statement: "The memo says \e[31mthe PGR received torture complaints."',
        ("control-character", 5, 12, "statement"),
    ),
    (
        "escaped-bell-and-c1-csi",
        STATEMENT,
        r'statement: "The memo \a says \x9b31m so."',
        ("control-character", 5, 12, "statement"),
    ),
    (
        "raw-escape-character",
        STATEMENT,
        "statement: The memo \x1b[31msays so.",
        # The reader refuses it before any field is known: placed at the character itself.
        ("control-character", 5, 21, ""),
    ),
    (
        "raw-escape-after-wide-characters",
        STATEMENT,
        "statement: Él dijo 😀 \x1b[31m.",
        ("control-character", 5, 22, ""),
    ),
    (
        "right-to-left-override",
        STATEMENT,
        "statement: The memo \u202esays so.",
        ("invisible-character", 5, 12, "statement"),
    ),
    (
        "zero-width-space",
        "locator: REQUIREMENT 2, paragraph 1",
        "locator: REQUIREMENT\u200b 2, paragraph 1",
        ("invisible-character", 3, 10, "locator"),
    ),
]


def broken(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def test_the_unbroken_claim_reads_cleanly_with_and_without_positions() -> None:
    for positions in (False, True):
        parsed = parse(BASE, CLAIM, positions=positions)
        assert parsed.diagnostics == []
        assert parsed.data is not None
        assert parsed.data["id"] == "cso-torture-complaints"
        assert parsed.data["as_of"] == "2016"
        assert parsed.data["figures"] == [
            {
                "value": 10000,
                "unit": "complaints of torture received by the PGR",
                "qualifier": "more-than",
            }
        ]


@pytest.mark.parametrize(("name", "old", "new", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_parser_reports_the_problem_at_its_place(
    name: str, old: str, new: str, expected: tuple[str, int, int, str]
) -> None:
    for positions in (False, True):
        parsed = parse(broken(old, new), CLAIM, positions=positions)
        assert [where(d) for d in parsed.diagnostics] == [expected]
        assert parsed.diagnostics[0].path == CLAIM


@pytest.mark.parametrize(("name", "old", "new", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_loader_reports_only_that_problem_in_that_file(
    sample_copy: Sample, name: str, old: str, new: str, expected: tuple[str, int, int, str]
) -> None:
    sample_copy.write(CLAIM, broken(old, new))
    found = sample_copy.only()
    assert found.path == f"data/{CLAIM}"
    assert where(found) == expected


def test_every_reader_code_has_a_broken_case() -> None:
    reader_codes = {
        "yaml-syntax",
        "yaml-tag",
        "yaml-alias",
        "duplicate-key",
        "non-string-key",
        "multiple-documents",
        "too-deep",
        "unquoted-date",
        "control-character",
        "invisible-character",
    }
    assert reader_codes <= set(CODES)
    assert {b[3][0] for b in BROKEN} == reader_codes


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [
        ("", "empty-file", 1, 1),
        ("# only a comment\n\n# and another\n", "empty-file", 1, 1),
        ("- id: a\n- id: b\n", "not-a-mapping", 1, 1),
        ("just words\n", "not-a-mapping", 1, 1),
        ("---\n", "not-a-mapping", 2, 1),
        ("\n\n[1, 2]\n", "not-a-mapping", 3, 1),
    ],
    ids=["empty", "comment-only", "list", "scalar", "empty-document", "flow-list"],
)
def test_files_without_a_mapping(text: str, code: str, line: int, column: int) -> None:
    parsed = parse(text, "x.yaml", positions=True)
    assert parsed.data is None
    assert [where(d) for d in parsed.diagnostics] == [(code, line, column, "")]


def test_the_message_says_which_tag_anchor_or_alias() -> None:
    tag = parse(broken("kind: figure", "kind: !!python/object/apply:os.system [x]"), CLAIM)
    assert "!!python/object/apply:os.system" in tag.diagnostics[0].message
    anchor = parse(broken("kind: figure", "kind: &here figure"), CLAIM)
    assert "&here" in anchor.diagnostics[0].message
    alias = parse(broken("  - torture-prosecutions", "  - *there"), CLAIM)
    assert "*there" in alias.diagnostics[0].message


def test_a_quoted_merge_key_is_an_ordinary_key() -> None:
    parsed = parse('id: a\n"<<": x\n', "x.yaml")
    assert parsed.diagnostics == []
    assert parsed.data == {"id": "a", "<<": "x"}


def test_a_problem_in_a_value_keeps_the_data_but_a_fatal_one_drops_it() -> None:
    date = parse(broken('as_of: "2016"', "as_of: 2016-05-01"), CLAIM)
    assert date.data is not None
    assert date.data["as_of"] == "2016-05-01"  # kept as the text written, not a date object
    duplicate = parse(broken("kind: figure", "kind: figure\nkind: fact"), CLAIM)
    assert duplicate.data is None


def test_yaml_1_1_guesses_are_kept_for_the_schema_to_judge() -> None:
    parsed = parse("a: no\nb: 0012\nc: 12:30\nd: ~\ne: 1.5\nf: '0012'\n", "x.yaml", positions=True)
    assert parsed.diagnostics == []
    assert parsed.data == {"a": False, "b": 10, "c": 750, "d": None, "e": 1.5, "f": "0012"}
    # What was written, for a hint that says how YAML read it.
    assert parsed.plain[("a",)] == "no"
    assert parsed.plain[("c",)] == "12:30"
    assert ("f",) not in parsed.plain


def test_positions_of_keys_and_values() -> None:
    parsed = parse(BASE, CLAIM, positions=True)
    assert parsed.where(("kind",)) == (6, 7)
    assert parsed.where_key(("kind",)) == (6, 1)
    assert parsed.where(("figures", 0, "unit")) == (14, 11)
    assert parsed.where_key(("bears_on", "requirement-2")) == (10, 3)
    # A path that is not in the file falls back to the deepest part that is.
    assert parsed.where(("figures", 0, "note")) == (13, 5)
    assert parsed.where(("notes",)) == (1, 1)


def test_dotted_field_paths() -> None:
    assert dotted(("figures", 0, "value")) == "figures[0].value"
    assert dotted(("bears_on", "requirement-1")) == "bears_on.requirement-1"
    assert dotted(()) == ""


@pytest.mark.parametrize("depth", [30_000, 200_000])
def test_very_deep_nesting_is_refused_at_the_limit(depth: int) -> None:
    # libyaml's own composer overflows the C stack near 25,000 levels; the reader must stop at
    # MAX_DEPTH, whether the brackets are closed or not.
    for text in (f"x: {'[' * depth}{']' * depth}\n", f"x: {'[' * depth}\n", "{" * depth):
        parsed = parse(text, "x.yaml")
        assert parsed.data is None
        assert len(parsed.diagnostics) == 1
        assert parsed.diagnostics[0].code in {"too-deep", "non-string-key"}
    nested = parse(f"x: {'[' * depth}{']' * depth}\n", "x.yaml")
    assert where(nested.diagnostics[0])[:3] == ("too-deep", 1, 4 + MAX_DEPTH - 1)


def test_deep_block_nesting_is_refused_too() -> None:
    text = "x:\n" + "".join(" " * (2 * i) + "-\n" for i in range(1, 100))
    parsed = parse(text, "x.yaml")
    assert [d.code for d in parsed.diagnostics] == ["too-deep"]
    assert parsed.diagnostics[0].line == MAX_DEPTH + 1


_YAMLISH = st.text(
    alphabet=st.sampled_from(
        [*"ab:-[]{}&*!|>'\"#?,\n \t\\%@`~09.<", "\x1b", "\u202e", "\x85", "é", "😀"]
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(_YAMLISH)
def test_the_reader_never_raises_and_always_places_its_diagnostics(text: str) -> None:
    for positions in (False, True):
        parsed = parse(text, "x.yaml", positions=positions)
        assert parsed.data is None or isinstance(parsed.data, dict)
        assert parsed.data is not None or parsed.diagnostics
        for d in parsed.diagnostics:
            assert d.code in CODES
            assert d.line >= 1
            assert d.column >= 1


@pytest.mark.parametrize(
    "text", ["id: x\n\ttitle: y\n", "id: x\naliases:\n\t- a\n", "id: x\naliases: [a\n\tb]\n"]
)
def test_a_tab_for_indentation_is_named_in_the_hint(text: str) -> None:
    (found,) = parse(text, "x.yaml").diagnostics
    assert (found.code, found.column) == ("yaml-syntax", 1)
    assert found.hint == "indent with spaces: YAML does not take a tab for indentation"


def test_another_syntax_error_keeps_the_general_hint() -> None:
    (found,) = parse("id: a: b\n", "x.yaml").diagnostics
    assert found.hint == "fix the YAML at this place; a quoted string avoids most surprises"


def test_an_unclosed_list_says_where_it_began() -> None:
    """libyaml gives up at the next key, lines below the ``[`` left open: the message says
    where the list began, so the reader is sent to the mistake, not past it."""
    (found,) = parse("id: x\nkind: [fact\ncases:\n  - a\n", "x.yaml").diagnostics
    assert (found.code, found.line, found.column) == ("yaml-syntax", 3, 6)
    assert found.message == (
        "YAML syntax error: did not find expected ',' or ']' "
        "(reading a flow sequence begun at line 2, column 7)"
    )


@pytest.mark.parametrize("ending", ["", "  ", "\n", "\n\n  \n", "\r\n", "\n# a comment\n"])
@pytest.mark.parametrize(
    ("opened", "problem"),
    [
        ("[", "did not find expected node content"),
        ("[a, b", "did not find expected ',' or ']'"),
        ("{a: 1", "did not find expected ',' or '}'"),
    ],
)
def test_a_file_that_ends_inside_a_value_is_shown_at_its_last_line(
    ending: str, opened: str, problem: str
) -> None:
    """libyaml gives up past the last line with content (an empty line, a comment, or past
    the end): the error is shown where the content ends, and says the file ended."""
    (found,) = parse(f"id: x\ncases: {opened}{ending}", "x.yaml").diagnostics
    assert (found.code, found.line, found.column) == ("yaml-syntax", 2, 8 + len(opened))
    assert found.message == f"YAML syntax error: {problem}, at the end of the file"
    assert found.hint == (
        "the file ends before this value is complete: close the [ or { opened above, or "
        "finish the value"
    )


def test_an_open_list_over_several_lines_says_where_it_began_at_the_end_too() -> None:
    (found,) = parse("id: x\ncases: [\n  a,\n  b\n\n", "x.yaml").diagnostics
    assert (found.line, found.column) == (4, 4)
    assert found.message == (
        "YAML syntax error: did not find expected ',' or ']', at the end of the file "
        "(reading a flow sequence begun at line 2, column 8)"
    )


def test_an_error_at_the_end_that_opens_nothing_keeps_its_own_hint() -> None:
    """Moved up from the end, an error that is no open [ or { is not said to be one; a tab
    on the last line is the error itself, and stays where it is."""
    (found,) = parse("id: x\ntitle: a\nfoo\n\n", "x.yaml").diagnostics
    assert (found.line, found.column) == (3, 4)
    assert found.message == "YAML syntax error: could not find expected ':', at the end of the file"
    assert found.hint == "fix the YAML at this place; a quoted string avoids most surprises"
    (found,) = parse("id: x\ntitle: a\n\t\n", "x.yaml").diagnostics
    assert (found.line, found.column) == (3, 1)
    assert found.hint == "indent with spaces: YAML does not take a tab for indentation"


@pytest.mark.parametrize(
    "text",
    [
        "id: a: b\n",  # where the construct began
        'id: x\ntitle: "He said "no" to it"\n',  # a block mapping: its start says nothing
        "id: x\naliases:\n  - a\n - b\n",
    ],
)
def test_only_an_unclosed_flow_collection_says_where_it_began(text: str) -> None:
    (found,) = parse(text, "x.yaml").diagnostics
    assert found.code == "yaml-syntax"
    assert "begun at" not in found.message
