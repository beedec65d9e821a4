"""`ledger fmt`: one canonical form, values and comments kept, files written safely.

What a user sees is checked on copies of the sample ledger (exit codes, stdout, file bytes,
permission bits, mtimes); the formatter's promises (idempotent, never changes a value, keeps
every comment) are also checked with generated records full of awkward strings.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE, Sample, git, run
from ledger.authoring.atomic import write_atomic
from ledger.authoring.fmt import canonical
from ledger.records.yamlread import parse

REPO = Path(__file__).resolve().parents[1]
KINDS = ("sources", "requirements", "cases", "claims")
CLAIM = "claims/cso-torture-complaints.yaml"


def record_files(data: Path) -> list[Path]:
    return sorted(p for kind in KINDS for p in (data / kind).rglob("*.yaml"))


def rel_paths(sample: Sample) -> list[str]:
    return [p.relative_to(sample.root).as_posix() for p in record_files(sample.data)]


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and mtime (ns) under a folder."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def fmt(sample: Sample, *args: str):
    return run(["--root", str(sample.root), "fmt", *args])


def kind_of(path: Path, data: Path) -> str:
    return path.relative_to(data).parts[0]


# -- the command --------------------------------------------------------------------------


def rewrite_by_another_tool(path: Path) -> None:
    """The same values in another form: keys sorted, four-space indent, long lines."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(
        yaml.safe_dump(data, sort_keys=True, indent=4, width=200, allow_unicode=True),
        encoding="utf-8",
    )


def test_check_lists_the_files_that_would_change_and_changes_nothing(sample_copy: Sample) -> None:
    assert fmt(sample_copy).exit_code == 0
    rewrite_by_another_tool(sample_copy.path(CLAIM))
    rewrite_by_another_tool(sample_copy.path("sources/mx-gov-2018.yaml"))
    before = snapshot(sample_copy.root)

    result = fmt(sample_copy, "--check")

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"data/{CLAIM}", "data/sources/mx-gov-2018.yaml"]
    unchanged = len(rel_paths(sample_copy)) - 2
    assert result.stderr == f"2 file(s) would reformat, {unchanged} unchanged\n"
    assert snapshot(sample_copy.root) == before


def test_fmt_makes_check_pass_and_a_second_run_touches_nothing(sample_copy: Sample) -> None:
    first = fmt(sample_copy)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == ""

    check = fmt(sample_copy, "--check")
    assert (check.exit_code, check.stdout) == (0, "")

    old = 1_000_000_000 * 10**9  # 2001: a second run must not even touch the files
    for path in record_files(sample_copy.data):
        os.utime(path, ns=(old, old))
    before = snapshot(sample_copy.root)
    again = fmt(sample_copy)
    assert again.exit_code == 0
    assert snapshot(sample_copy.root) == before


def test_fmt_keeps_every_value_and_validate_stays_clean(sample_copy: Sample) -> None:
    files = record_files(sample_copy.data)
    values = {p: yaml.safe_load(p.read_text(encoding="utf-8")) for p in files}

    assert fmt(sample_copy).exit_code == 0

    for path in files:
        assert yaml.safe_load(path.read_text(encoding="utf-8")) == values[path], path
    validate = run(["--root", str(sample_copy.root), "validate", "--strict"])
    assert validate.exit_code == 0, validate.stdout


def test_quote_text_is_kept_exactly(sample_copy: Sample) -> None:
    quote = "  “Two” issues: arrest warrants #1, 'orders' — and \\ more   "
    data = yaml.safe_load(sample_copy.read(CLAIM))
    sample_copy.write(CLAIM, yaml.safe_dump({**data, "quote": quote}, allow_unicode=True))

    assert fmt(sample_copy).exit_code == 0

    assert yaml.safe_load(sample_copy.read(CLAIM))["quote"] == quote


def test_canonical_form_of_a_commented_file() -> None:
    text = """\
# Licence: CC-BY-4.0
# checked against the PDF, 2024-05
statement: The memo says the PGR received more than 10,000 torture complaints in 2012-2016.
kind: figure  # a count
id: c1
source: cso-memo-2017   # the memo
# the paragraph, not the page
locator: REQUIREMENT 2, paragraph 1
quote: >-  # verbatim
  the PGR received
  over 10,000 complaints
bears_on:
  requirement-2: undermines  # strongly
  # kept although weak
  requirement-1: context
figures:
  # the headline number
  - unit: complaints
    value: 10000   # more than
  - {value: 5, unit: x}  # flow style
as_of: '2016'
# reviewed later
"""
    expected = """\
# yaml-language-server: $schema=../../schema/claim.schema.json
# Licence: CC-BY-4.0
# checked against the PDF, 2024-05
id: c1
source: cso-memo-2017  # the memo
# the paragraph, not the page
locator: REQUIREMENT 2, paragraph 1
quote: the PGR received over 10,000 complaints  # verbatim
statement: >-
  The memo says the PGR received more than 10,000 torture complaints in 2012-2016.
kind: figure  # a count
bears_on:
  # kept although weak
  requirement-1: context
  requirement-2: undermines  # strongly
as_of: "2016"
figures:
  # the headline number
  - value: 10000  # more than
    unit: complaints
  - value: 5  # flow style
    unit: x
# reviewed later
"""
    result = canonical(text, "claims", "../../schema/claim.schema.json")

    assert result.text == expected
    assert canonical(expected, "claims", "../../schema/claim.schema.json").text == expected


@pytest.mark.parametrize(
    "written",
    [
        "notes: \u00a0#",  # a no-break space is text: this '#' starts no comment
        "notes: 'a\n\n  # not a comment, a line of the quoted text'",
        'notes: "first\n  #second"',
        "notes: plain text that stops here\n  # and this is a comment",
        "notes: |\n  # a line of the literal text\n  and another",
        "notes: ' leading and trailing spaces  '",
        'notes: "a tab\\there and a quote \\" and a backslash \\\\"',
        "notes: 'yes'",
        "notes: '2017'",
        "notes: '- not a list'",
        f"notes: {'unbroken' * 20}",
    ],
)
def test_awkward_values_are_kept(written: str) -> None:
    text = f"id: c1\n{written}\n"

    once = canonical(text, "claims")

    assert once.text is not None, once.problem
    assert yaml.safe_load(once.text) == yaml.safe_load(text)
    assert once.text.count("#") == text.count("#")  # no comment made up or lost
    assert canonical(once.text, "claims").text == once.text


@pytest.mark.parametrize("line_break", ["\r", "\u2028", "\u2029"])
def test_a_line_break_inside_a_value_moves_no_comment(line_break: str) -> None:
    """YAML counts CR, LS and PS as line breaks (and so do its marks): a value holding one
    once shifted every later line, so a comment was looked for on the wrong line."""
    text = (
        f"id: c1\nattributed_to: 'a{line_break}b'\nlocator: p. 1  # the page\n"
        'quote: "a quote, #1"\nstatement: x\n'
    )

    once = canonical(text, "claims")

    assert once.text is not None, once.problem
    assert "locator: p. 1  # the page\n" in once.text
    assert once.text.count("#") == text.count("#")
    assert yaml.safe_load(once.text) == yaml.safe_load(text)
    assert canonical(once.text, "claims").text == once.text


@pytest.mark.parametrize(
    "written",
    [
        "id:\tc1\nnotes: x\n",  # a tab after the colon
        "id: c1\nnotes: x\t\n",  # a tab at the end of a line
        "id: c1  \t# a comment\nnotes: x\n",
        "id: c1\nnotes:\t# a comment\n  x\n",
    ],
)
def test_tabs_the_reader_takes_do_not_stop_the_formatter(written: str) -> None:
    """PyYAML's pure-Python scanner refuses these tabs, libyaml (the ledger's reader) takes
    them; the comment check scans with libyaml, so such a file is formatted, not refused."""
    once = canonical(written, "claims")

    assert once.text is not None, once.problem
    assert "\t" not in once.text
    values = {"id": "c1", "notes": "x"}
    assert parse(once.text, "x.yaml").data == parse(written, "x.yaml").data == values
    assert once.text.count("# a comment") == written.count("# a comment")
    assert canonical(once.text, "claims").text == once.text


def test_a_file_with_yaml_errors_is_reported_and_left_alone(sample_copy: Sample) -> None:
    broken = sample_copy.write(CLAIM, "id: c1\nquote: [unclosed\n")
    before = broken.read_bytes()

    result = fmt(sample_copy)

    assert result.exit_code == 1
    assert "data/claims/cso-torture-complaints.yaml: the file has YAML errors" in result.stderr
    assert broken.read_bytes() == before
    # the other files were still formatted
    assert fmt(sample_copy, "--check").stdout == ""


def test_fmt_of_named_paths_only_touches_those(sample_copy: Sample) -> None:
    before = snapshot(sample_copy.data)

    result = fmt(sample_copy, str(sample_copy.path(CLAIM)), str(sample_copy.path("sources")))

    assert result.exit_code == 0, result.stderr
    after = snapshot(sample_copy.data)
    changed = sorted(rel for rel in before if before[rel][0] != after[rel][0])
    assert changed == [
        "claims/cso-torture-complaints.yaml",
        "sources/cso-memo-2017.yaml",
        "sources/mx-gov-2018.yaml",
    ]


def test_a_path_outside_the_data_folder_is_an_error(sample_copy: Sample, tmp_path: Path) -> None:
    result = fmt(sample_copy, str(tmp_path / "nowhere.yaml"))

    assert result.exit_code == 1
    assert "no such file or folder" in result.stderr


# -- writing safely -----------------------------------------------------------------------


def test_fmt_keeps_the_files_permission_bits(sample_copy: Sample) -> None:
    path = sample_copy.path(CLAIM)
    path.chmod(0o640)
    before = path.read_bytes()

    assert fmt(sample_copy).exit_code == 0

    assert path.read_bytes() != before
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_fmt_never_writes_through_a_symlink(sample_copy: Sample, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    shutil.copy(sample_copy.path(CLAIM), outside)
    sample_copy.path(CLAIM).unlink()
    link = sample_copy.path(CLAIM)
    link.symlink_to(outside)
    before = outside.read_bytes()

    everything = fmt(sample_copy)
    named = fmt(sample_copy, str(link))

    assert everything.exit_code == 0  # the link is not a record file: it is skipped
    assert named.exit_code == 1
    assert "not inside the ledger's data folder" in named.stderr
    assert outside.read_bytes() == before
    assert link.is_symlink()


def test_write_atomic_refuses_a_symlink_and_keeps_its_target(tmp_path: Path) -> None:
    target = tmp_path / "target.yaml"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(target)

    problem = write_atomic(link, "new\n")

    assert problem is not None and "not a regular file" in problem
    assert target.read_text(encoding="utf-8") == "old\n"
    assert link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.yaml", "target.yaml"]


def test_write_atomic_replaces_the_file_whole_and_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "record.yaml"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o604)
    inode = path.stat().st_ino

    assert write_atomic(path, "new: ü\r\n") is None

    assert path.read_bytes() == "new: ü\r\n".encode()  # no newline translation
    assert stat.S_IMODE(path.stat().st_mode) == 0o604
    assert path.stat().st_ino != inode  # a rename, not a write in place
    assert [p.name for p in tmp_path.iterdir()] == ["record.yaml"]  # no temporary file left


# -- in a git repository --------------------------------------------------------------------


def test_the_repository_data_is_in_canonical_form() -> None:
    result = run(["--root", str(REPO), "fmt", "--check"])

    assert (result.exit_code, result.stdout) == (0, ""), "run `ledger fmt` on the data"


def test_check_passes_on_the_repository_data_and_fails_on_a_reformatted_copy(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(SAMPLE, repo)
    sample = Sample(repo)
    git(repo, "init", "-q")
    assert fmt(sample).exit_code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "canonical form")

    assert (fmt(sample, "--check").exit_code, fmt(sample, "--check").stdout) == (0, "")

    for path in record_files(sample.data):
        rewrite_by_another_tool(path)
    assert run(["--root", str(repo), "validate", "--strict"]).exit_code == 0

    check = fmt(sample, "--check")
    assert check.exit_code == 1
    assert check.stdout.splitlines() == rel_paths(sample)

    assert fmt(sample).exit_code == 0
    assert git(repo, "status", "--porcelain") == ""  # back to the committed bytes


# -- the formatter's promises, over generated records --------------------------------------


@pytest.mark.parametrize("data", [SAMPLE / "data", REPO / "data"], ids=["sample", "repository"])
def test_canonical_form_is_idempotent_and_keeps_values_on_real_files(data: Path) -> None:
    files = record_files(data)
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        once = canonical(text, kind_of(path, data), "../schema.json")
        assert once.text is not None, (path, once.problem)
        assert yaml.safe_load(once.text) == yaml.safe_load(text), path
        assert canonical(once.text, kind_of(path, data), "../schema.json").text == once.text


TRICKY = st.sampled_from(
    [" ", "  ", "#", " #", "# ", ": ", ":", "'", '"', "\\", "- ", "? ", "é", "’", "—", "日本",
     "🙂", "\n", "\n\n", "\t", "x" * 95, "yes", "null", "~", "2017", "2014-06-01", "1e3",
     "0x1F", "[", "]", "{", "}", ",", "&", "*", "!", "|", ">", "%", "@", "`", "...", "---"]
)  # fmt: skip
TEXT_CHARS = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp"))
TRICKY_TEXT = st.lists(
    st.one_of(TRICKY, st.text(TEXT_CHARS, min_size=1, max_size=12)), min_size=1, max_size=12
).map("".join)
STYLES = st.sampled_from([None, '"', "'", "|", ">"])


def _readable(text: str) -> bool:
    """Whether the ledger's reader takes a file (it refuses some characters a dump may write)."""
    parsed = parse(text, "<test>")
    return parsed.data is not None and not any(d.severity == "error" for d in parsed.diagnostics)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    quote=TRICKY_TEXT,
    statement=TRICKY_TEXT,
    unit=TRICKY_TEXT,
    style=STYLES,
    width=st.sampled_from([30, 80, 1000]),
    indent=st.sampled_from([2, 4]),
)
def test_any_string_survives_formatting(
    quote: str, statement: str, unit: str, style: str | None, width: int, indent: int
) -> None:
    record = {
        "statement": statement,
        "id": "c1",
        "quote": quote,
        "figures": [{"unit": unit}],
        "kind": "figure",
    }
    # (PyYAML's dump does not always read back as the record it was given: the values that
    # count are the ones the text holds)
    text = yaml.safe_dump(
        record, default_style=style, width=width, indent=indent, allow_unicode=True
    )
    if not _readable(text):
        return

    once = canonical(text, "claims")

    assert once.text is not None, once.problem
    assert yaml.safe_load(once.text) == yaml.safe_load(text)
    assert canonical(once.text, "claims").text == once.text


FIELD_ORDER = ["id", "source", "locator", "quote", "statement", "kind", "cases", "bears_on",
               "as_of", "figures", "notes"]  # fmt: skip


BLOCK_HEADER = re.compile(r'^"?[a-z_]+"?: [|>][1-9]?[-+]?$')


@st.composite
def commented_claims(draw: st.DrawFn) -> tuple[str, list[str], list[str], dict[str, str]]:
    """A claim file with comments in many places: its text, every comment, the comments above
    the first key (the header), and the comment written above each other key."""
    record = {
        "id": "c1",
        "source": "cso-memo-2017",
        "locator": draw(TRICKY_TEXT),
        "quote": draw(TRICKY_TEXT),
        "statement": draw(TRICKY_TEXT),
        "kind": "figure",
        "cases": draw(st.lists(st.sampled_from(["tlatlaya", "ayotzinapa", "a.b"]), max_size=3)),
        "bears_on": draw(
            st.dictionaries(
                st.sampled_from(["requirement-1", "requirement-2"]),
                st.sampled_from(["supports", "undermines", "context"]),
            )
        ),
        "as_of": draw(st.sampled_from(["2016", "2016-05", "2016-05-01"])),
        "figures": [{"value": 10000, "unit": draw(TRICKY_TEXT).replace("\n", " ")}],
        "notes": draw(TRICKY_TEXT),
    }
    comment_text = st.text(TEXT_CHARS, max_size=20).map(lambda s: s.replace("~", "-"))
    comments: list[str] = []
    above: dict[str, str] = {}

    def comment(where: str) -> str:
        made = f"#~{len(comments)}~{where} {draw(comment_text)}".rstrip()
        comments.append(made)
        return made

    lines = [comment("header") for _ in range(draw(st.integers(0, 2)))]
    order = draw(st.permutations(FIELD_ORDER))
    for key in order:
        if draw(st.booleans()):
            above[key] = comment("above")
            lines.append(above[key])
        value = record[key]
        dumped = yaml.safe_dump(
            {key: value},
            default_style=draw(STYLES) if isinstance(value, str) else None,
            width=draw(st.sampled_from([30, 80, 1000])) if isinstance(value, str) else 1000,
            allow_unicode=True,
        ).splitlines()
        for number, line in enumerate(dumped):
            if isinstance(value, str):  # a single-line value, or a block scalar's header
                may_end = len(dumped) == 1 or (number == 0 and BLOCK_HEADER.match(line))
            else:  # the key, or any line of a list or map (nothing in them wraps)
                may_end = True
                if number > 0 and line.lstrip().startswith("- ") and draw(st.booleans()):
                    lines.append(" " * draw(st.integers(0, 4)) + comment("item"))
            if may_end and draw(st.booleans()):
                line = f"{line}  {comment('inline')}"
            lines.append(line)
    lines.extend(comment("trailing") for _ in range(draw(st.integers(0, 2))))
    header = [c for c in comments if "~header" in c]
    if order[0] in above:
        header.append(above.pop(order[0]))
    return "\n".join(lines) + "\n", comments, header, above


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(commented_claims())
def test_comments_and_values_survive_formatting(
    case: tuple[str, list[str], list[str], dict[str, str]],
) -> None:
    text, comments, header, above = case
    if not _readable(text):
        return

    once = canonical(text, "claims")

    assert once.text is not None, once.problem
    assert yaml.safe_load(once.text) == yaml.safe_load(text)
    assert canonical(once.text, "claims").text == once.text
    out = once.text.splitlines()
    for made in comments:  # each comment exactly once, at the end of a line
        assert [line.endswith(made) for line in out if made in line] == [True], made
    assert out[: len(header)] == header  # header comments stay on top, in order
    for key, made in above.items():  # a comment above a key moves with the key
        at = out.index(made)
        following = next(line for line in out[at:] if not line.startswith("#"))
        assert following.startswith(f"{key}:"), (made, following)


@pytest.mark.parametrize(
    ("written", "expected_head"),
    [
        ("---\n", "---\nid: tlatlaya\n"),
        ("# Licence: CC-BY-4.0\n---\n# about\n", "# Licence: CC-BY-4.0\n---\n# about\nid:"),
        ("# yaml-language-server: $schema=old.json\n---\n", "---\nid:"),
    ],
)
def test_a_leading_document_marker_is_kept(written: str, expected_head: str) -> None:
    record = (SAMPLE / "data" / "cases" / "tlatlaya.yaml").read_text(encoding="utf-8")
    modeline = "# yaml-language-server: $schema=../../schema/case.schema.json\n"
    formatted = canonical(written + record, "cases", "../../schema/case.schema.json")
    assert formatted.text is not None, formatted.problem
    assert formatted.text.startswith(modeline + expected_head)
    assert formatted.text.count("---\n") == 1
    again = canonical(formatted.text, "cases", "../../schema/case.schema.json")
    assert again.text == formatted.text
    assert parse(formatted.text, "x").data == parse(record, "x").data


def test_a_comment_on_the_marker_line_leaves_the_file_as_it_is() -> None:
    record = (SAMPLE / "data" / "cases" / "tlatlaya.yaml").read_text(encoding="utf-8")
    assert canonical("---  # the document\n" + record, "cases").text is None


def test_fmt_keeps_a_teams_document_marker_and_check_passes(sample_copy: Sample) -> None:
    path = sample_copy.root / "data" / "claims" / "cso-torture-complaints.yaml"
    path.write_text("---\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert fmt(sample_copy).exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        "# yaml-language-server: $schema=../../schema/claim.schema.json\n---\nid:"
    )
    assert fmt(sample_copy, "--check").exit_code == 0
    review = run(
        ["--root", str(sample_copy.root), "review", "cso-torture-complaints", "--by", "A. B."]
    )
    assert review.exit_code == 0, review.stderr
    assert "---\n" in path.read_text(encoding="utf-8").split("id:")[0]
