"""No command is quieter than `ledger validate`: one that answers without the records that
failed to load says how many on stderr, in one line, and keeps stdout as it would be; past the
file-count limit every command refuses the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ledger.analysis.checks as checks_module
from conftest import Sample, age, git, run

CLAIM = "claims/cso-torture-complaints.yaml"

LEFT_OUT = (
    "1 record file failed to load and is left out (data/claims/cso-torture-complaints.yaml); "
    "`ledger validate` shows why\n"
)
WARNING = f"ledger: warning: {LEFT_OUT}"


@pytest.fixture
def broken(sample_copy: Sample) -> Sample:
    """The sample with one claim that fails to load: a key given twice."""
    sample_copy.edit(CLAIM, "kind: figure\n", "kind: figure\nkind: figure\n")
    return sample_copy


READ_COMMANDS = [
    ["status"],
    ["status", "requirement-2"],
    ["status", "requirement-2", "--format", "json"],
    ["show", "requirement-2"],
    ["xref", "requirement-2", "--format", "json"],
    ["list", "claims"],
    ["list", "claims", "--format", "json"],
    ["search", "PGR"],
    ["conflicts"],
    ["gaps"],
    ["timeline"],
    ["figures", "--format", "json"],
    ["export", "--format", "json"],
    ["export", "--format", "csv", "--kind", "claims"],
    ["query", "SELECT count(*) AS n FROM claims", "--format", "json"],
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=" ".join)
def test_a_read_command_says_what_it_left_out(broken: Sample, args: list[str]) -> None:
    result = run(["--root", str(broken.root), *args])
    assert result.exit_code == 0, result.stderr
    assert result.stdout
    assert result.stderr.startswith("ledger: warning: ")
    assert result.stderr.endswith(LEFT_OUT)
    assert result.stderr.count("\n") == 1
    if "json" in args:
        json.loads(result.stdout)


def test_a_clean_ledger_gets_no_warning(sample_copy: Sample) -> None:
    result = run(["--root", str(sample_copy.root), "list", "claims"])
    assert (result.exit_code, result.stderr) == (0, "")


def test_status_counts_without_the_record_and_says_so(broken: Sample) -> None:
    """The duplicate key takes a claim against requirement-2 out of the count: the numbers
    drop, and the command says why they may."""
    args = ["status", "requirement-2", "--format", "json"]
    whole = json.loads(run(["--root", str(broken.root), *args]).stdout)
    broken.edit(CLAIM, "kind: figure\nkind: figure\n", "kind: figure\n")
    assert json.loads(run(["--root", str(broken.root), *args]).stdout) != whole


def test_the_warning_is_said_again_when_the_output_is_remembered(broken: Sample) -> None:
    age(broken.root)
    args = ["--root", str(broken.root), "status", "requirement-2"]
    first = run(args)
    again = run(args)
    assert again.stdout == first.stdout
    assert again.stderr == first.stderr == WARNING


def test_publishing_counts_errors_and_records_left_out_in_one_line(broken: Sample) -> None:
    result = run(["--root", str(broken.root), "export", "--format", "json"])
    assert result.stderr == f"ledger: warning: the ledger has 1 error, and {LEFT_OUT}"


def test_a_duplicate_id_is_left_out_too(sample_copy: Sample) -> None:
    sample_copy.write("claims/copy.yaml", sample_copy.read(CLAIM))
    result = run(["--root", str(sample_copy.root), "list", "claims"])
    assert result.stderr == WARNING.replace("cso-torture-complaints.yaml", "copy.yaml")


@pytest.mark.parametrize(
    ("args", "another"),
    [
        (["status", "requirement-2"], ["status", "requirement-1"]),
        (["show", "requirement-2"], ["show", "cso-tlatlaya-order-to-kill"]),
        (["xref", "cso-tlatlaya-order-to-kill"], ["xref", "tlatlaya"]),
        (["list", "claims"], ["list", "cases"]),
        (["query", "SELECT count(*) AS n FROM claims"], ["query", "SELECT 2 AS n"]),
    ],
    ids=lambda args: " ".join(args),
)
def test_the_file_is_named_however_the_answer_is_had(
    broken: Sample, args: list[str], another: list[str]
) -> None:
    """Worked out, answered again from the remembered output, then another question
    answered from what the first kept (the index of ids and links, the stored query
    database, the remembered ledger): each names the file as the load did."""
    age(broken.root)
    at = ["--root", str(broken.root)]
    answers = [run([*at, *args]), run([*at, *args]), run([*at, *another])]
    assert [(r.exit_code, r.stderr) for r in answers] == [(0, WARNING)] * 3
    assert answers[0].stdout == answers[1].stdout


@pytest.mark.parametrize(
    ("names", "said"),
    [
        (
            # a name holding more than a path's plain characters is quoted: it cannot close
            # the list and say something of its own
            ['x.yaml and 7 more); all "fine"; (y.yaml'],
            '1 record file failed to load and is left out ("data/claims/x.yaml and 7 more); '
            'all \\"fine\\"; (y.yaml")',
        ),
        (
            [f"broken-{n}.yaml" for n in range(5)],
            "5 record files failed to load and are left out (data/claims/broken-0.yaml, "
            "data/claims/broken-1.yaml, data/claims/broken-2.yaml and 2 more)",
        ),
    ],
)
def test_the_warning_names_three_files_then_counts(
    sample_copy: Sample, names: list[str], said: str
) -> None:
    for name in names:
        sample_copy.write(f"claims/{name}", "id: [\n")
    result = run(["--root", str(sample_copy.root), "list", "claims"])
    assert result.stderr == f"ledger: warning: {said}; `ledger validate` shows why\n"


def test_a_file_name_is_shown_visible_and_short(sample_copy: Sample) -> None:
    """A file's name is data: its control characters are shown, not sent to the terminal,
    and a long one is cut in its middle."""
    sample_copy.write("claims/bad\x1b[31mred.yaml", "id: [\n")
    sample_copy.write(f"claims/{'long-' * 40}name.yaml", "id: [\n")
    result = run(["--root", str(sample_copy.root), "list", "claims"])
    assert "\x1b" not in result.stderr
    assert "data/claims/bad\\x1b[31mred.yaml" in result.stderr
    assert "\u2026" in result.stderr and "long-" * 40 not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["validate", "--format", "json"],
        ["status"],
        ["status", "requirement-2"],
        ["list", "claims"],
        ["export", "--format", "json"],
        ["site", "SITE"],
        ["query", "SELECT 1"],
    ],
    ids=" ".join,
)
def test_past_the_file_limit_every_command_refuses(
    sample_copy: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setattr(checks_module, "MAX_RECORDS", 3)
    args = [str(tmp_path / "site") if a == "SITE" else a for a in args]
    result = run(["--root", str(sample_copy.root), *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "the limit is 3 (too-many-records)" in result.stderr
    assert not (tmp_path / "site").exists()


UNLOADED = (
    "ledger: no claim 'cso-torture-complaints' loaded: its file "
    "data/claims/cso-torture-complaints.yaml is there but failed to load, or holds another "
    "id; `ledger validate` shows why\n"
)


@pytest.mark.parametrize("typed", ["cso-torture-complaints", "cso-torture", "CSO Torture"])
@pytest.mark.parametrize("command", ["show", "xref"])
def test_a_record_whose_file_failed_to_load_is_said_to_be_so(
    broken: Sample, command: str, typed: str
) -> None:
    """Not "no record with id ..." and other ids offered: the file is there, and broken;
    typed whole, or its start, as a loaded id may be."""
    result = run(["--root", str(broken.root), command, typed])
    assert (result.exit_code, result.stderr) == (2, WARNING + UNLOADED)


def test_xref_of_a_record_that_failed_to_load_but_is_pointed_to_says_so(broken: Sample) -> None:
    """The records that point to it are still its answer (exit 0), under why it is missing:
    not "no record has this id", as if no file were there."""
    rel = "claims/cso-tlatlaya-order-to-kill.yaml"
    links = "relations:\n  - corroborates: cso-torture-complaints\n"
    broken.write(rel, broken.read(rel).rstrip("\n") + "\n" + links)
    result = run(["--root", str(broken.root), "xref", "cso-torture-complaints"])
    assert (result.exit_code, result.stderr) == (0, WARNING)
    said = UNLOADED.removeprefix("ledger: ").removesuffix("\n")
    assert f"{said}; these records point to it" in " ".join(result.stdout.split())
    assert "cso-tlatlaya-order-to-kill" in result.stdout


def test_the_start_of_two_files_ids_names_neither(broken: Sample) -> None:
    broken.write("claims/cso-tortured.yaml", "id: [\n")
    result = run(["--root", str(broken.root), "show", "cso-tort"])
    assert result.exit_code == 2
    assert "is there but failed to load" not in result.stderr


def test_review_says_so_too(broken: Sample) -> None:
    result = run(
        ["--root", str(broken.root), "review", "cso-torture-complaints", "--by", "A Reviewer"]
    )
    assert (result.exit_code, result.stderr) == (2, WARNING + UNLOADED)


def test_log_says_so_too(repo: Sample) -> None:
    repo.edit(CLAIM, "kind: figure\n", "kind: figure\nkind: figure\n")
    result = run(["--root", str(repo.root), "log", "cso-torture-complaints"])
    assert (result.exit_code, result.stderr) == (2, WARNING + UNLOADED)


def test_a_case_whose_file_failed_to_load_is_said_to_be_so_by_status(sample_copy: Sample) -> None:
    sample_copy.edit("cases/tlatlaya.yaml", "kind: incident", "kind: incidnt")
    result = run(["--root", str(sample_copy.root), "status", "tlatlaya"])
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "ledger: no case 'tlatlaya' loaded: its file data/cases/tlatlaya.yaml is there but "
        "failed to load, or holds another id; `ledger validate` shows why\n"
    )


@pytest.mark.parametrize("misnamed", ["torture-prosecution", "tlatlaya"])
def test_a_case_no_record_holds_is_said_to_be_none_not_shown_as_one(
    sample_copy: Sample, misnamed: str
) -> None:
    """A claim naming a case by a misspelled id (or one whose file failed to load) is
    grouped under that id: the report says it is no case of the ledger, never "None"."""
    sample_copy.edit(CLAIM, "  - torture-prosecutions", "  - torture-prosecution")
    if misnamed == "tlatlaya":  # the case's own file broken: its claims name it rightly
        sample_copy.edit(CLAIM, "  - torture-prosecution", "  - tlatlaya")
        sample_copy.edit("cases/tlatlaya.yaml", "title:", "title:\ntitle:")
    at = ["--root", str(sample_copy.root)]
    plain = run([*at, "status", "requirement-2"], env={"COLUMNS": "120"})
    assert plain.exit_code == 0, plain.stderr
    assert f"{misnamed} (no such case)" in plain.stdout
    assert f"{misnamed}  not a case of this ledger; `ledger validate` shows why" in plain.stdout
    assert "None" not in plain.stdout
    markdown = run([*at, "status", "requirement-2", "-f", "markdown"]).stdout
    assert f"### {misnamed} (not a case of this ledger; \\`ledger validate\\` shows why)" in (
        markdown
    )
    data = json.loads(run([*at, "status", "requirement-2", "-f", "json"]).stdout)
    assert [g["title"] for g in data["cases"] if g["id"] == misnamed] == [None]


def test_a_requirement_no_record_holds_is_said_to_be_none_on_a_case(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "  requirement-2: undermines", "  requirement-9: undermines")
    at = ["--root", str(sample_copy.root), "status", "torture-prosecutions"]
    plain = run(at, env={"COLUMNS": "120"}).stdout
    markdown = run([*at, "-f", "markdown"]).stdout
    said = "not a requirement of this ledger; `ledger validate` shows why"
    assert f"requirement-9  {said}" in plain
    assert f"### requirement-9: ({said.replace('`', chr(92) + '`')})" in markdown
    assert "None" not in plain + markdown


def test_the_site_says_a_group_s_id_is_no_case_and_links_it_nowhere(
    sample_copy: Sample, tmp_path: Path
) -> None:
    """A claim naming a source's id as its case: the requirement page's group heading is
    the id, linked to nothing, and says what it is not."""
    sample_copy.edit(CLAIM, "  - torture-prosecutions", "  - cso-memo-2017")
    out = tmp_path / "site"
    assert run(["--root", str(sample_copy.root), "site", str(out)]).exit_code == 0
    page = (out / "requirements" / "requirement-2.html").read_text(encoding="utf-8")
    assert (
        '<span class="missing">cso-memo-2017</span> (not a case of this ledger; '
        "`ledger validate` shows why)"
    ) in page
    assert '<h3><a href="../sources/cso-memo-2017.html">' not in page


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        # a backslash cannot escape the closing quote: it is escaped itself
        (
            'q\\" and 7 more); all fine; (\\"y.yaml',
            '"data/claims/q\\\\\\" and 7 more); all fine; (\\\\\\"y.yaml"',
        ),
        # the character ESC and a name spelling it out read apart
        ("ev\x1b[31m.yaml", '"data/claims/ev\\x1b[31m.yaml"'),
        ("ev\\x1b[31m.yaml", '"data/claims/ev\\\\x1b[31m.yaml"'),
        # letters that look like a comma and a space are not a path's plain characters
        ("a.yaml\ua4f9\u3164data.yaml", '"data/claims/a.yaml\ua4f9\u3164data.yaml"'),
    ],
)
def test_a_quoted_name_reads_as_one_name(sample_copy: Sample, name: str, shown: str) -> None:
    sample_copy.write(f"claims/{name}", "id: [\n")
    result = run(["--root", str(sample_copy.root), "list", "claims"])
    assert f"left out ({shown}); `ledger validate` shows why\n" in result.stderr


def test_a_commit_s_files_left_out_point_to_a_checkout_of_it(repo: Sample) -> None:
    repo.write("claims/broken.yaml", "id: [\n")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "a broken claim")
    (repo.root / "data" / "claims" / "broken.yaml").unlink()  # the working tree is clean
    commit = git(repo.root, "rev-parse", "HEAD").strip()[:10]
    result = run(["--root", str(repo.root), "status", "requirement-1", "--rev", "HEAD"])
    assert result.stderr == (
        "ledger: warning: 1 record file failed to load and is left out "
        f"(data/claims/broken.yaml); `ledger validate` in a checkout of {commit} shows why\n"
    )
