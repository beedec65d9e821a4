"""`ledger diff`, `ledger log` and `status --rev`, on scratch git repositories built here.

Each test starts from the sample ledger in canonical form, committed as the first commit of
a new repository, and makes the changes it reads back.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLE, Sample, age, git, run

CLAIM = "claims/cso-torture-complaints.yaml"
CLAIM_ID = "cso-torture-complaints"


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def ledger(root: Path, *args: str):
    return run(["--root", str(root), *args], env={"COLUMNS": "200"})


def diff_json(root: Path, *args: str) -> dict:
    result = ledger(root, "diff", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def flip_stance(repo: Sample) -> None:
    """The one independent claim on requirement 2 now supports it: not-met (S2) -> met (S4)."""
    repo.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")


EXPECTED_RECORDS = [
    {
        "id": CLAIM_ID,
        "kind": "claim",
        "change": "changed",
        "path": f"data/{CLAIM}",
        "fields": [{"field": "bears_on.requirement-2", "old": "undermines", "new": "supports"}],
        "review": "none",
    }
]
EXPECTED_STATUSES = [
    {
        "id": "requirement-2",
        "kind": "requirement",
        "requirement": "requirement-2",
        "title": "Enforcing the prohibition of torture",
        "old": "not-met",
        "new": "met",
        "old_line": "S2",
        "new_line": "S4",
        "claims": [CLAIM_ID],
        "sources": [],
        "obligor": None,
    },
    {
        "id": "torture-prosecutions",
        "kind": "case",
        "requirement": "requirement-2",
        "title": "Prosecution of torture",
        "old": "not-met",
        "new": "met",
        "old_line": "S2",
        "new_line": "S4",
        "claims": [CLAIM_ID],
        "sources": [],
        "obligor": None,
    },
]


def test_a_stance_edit_shows_as_that_field_and_the_status_it_changes(repo: Sample) -> None:
    flip_stance(repo)

    found = diff_json(repo.root)

    assert found == {
        "format": "ledger-diff",
        "version": 1,
        "rule": {"name": "ledger-status", "version": "2"},
        "old": "HEAD",
        "new": "worktree",
        "records": EXPECTED_RECORDS,
        "statuses": EXPECTED_STATUSES,
        "unreviewed": [CLAIM_ID],
        "notes": [],
    }


def test_the_human_diff_names_the_field_the_status_and_the_cause(repo: Sample) -> None:
    flip_stance(repo)

    result = ledger(repo.root, "diff")

    assert result.exit_code == 0
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[0] == "ledger diff HEAD .. worktree"
    assert lines[1] == "statuses on both sides by rule ledger-status v2"
    assert f"~ claim {CLAIM_ID}  data/{CLAIM}  [review: none]" in lines
    assert "    bears_on.requirement-2: undermines -> supports" in lines
    assert "requirement requirement-2  not-met (S2) -> met (S4)" in lines
    assert "case torture-prosecutions / requirement-2  not-met (S2) -> met (S4)" in lines
    assert lines.count(f"    because of: {CLAIM_ID}") == 2
    assert lines[-1] == f"Changed claims without a fresh review: {CLAIM_ID}"


def test_markdown_shows_statuses_then_each_claim_as_a_reviewer_reads_it(repo: Sample) -> None:
    flip_stance(repo)

    result = ledger(repo.root, "diff", "--format", "markdown")

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "### Ledger changes: `HEAD` → `worktree`"
    assert lines[2] == "Statuses on both sides by rule `ledger-status` v2."
    assert (
        "| requirement requirement-2 | requirement-2 | not-met (S2) | **met** (S4) "
        "| cso-torture-complaints |"
    ) in lines
    # each claim: its statement, its stance on each requirement, and its quote
    at = lines.index(f"- changed claim `{CLAIM_ID}` — review: none")
    assert lines[at + 1 : at + 5] == [
        "  - statement: The memo says the PGR received more than 10,000 torture complaints "
        "in 2012-2016.",
        "  - stance: requirement-2 undermines → **supports**",
        "  - quote (`cso-memo-2017`, REQUIREMENT 2, paragraph 1):",
        "    > the PGR received over 10,000 complaints of torture between 2012 and 2016",
    ]
    assert lines[at - 2 : at] == ["**Claims**", ""]


def test_committed_changes_compare_by_revision_in_every_spelling(repo: Sample) -> None:
    flip_stance(repo)
    commit(repo.root, "requirement 2 is met after all")

    two = diff_json(repo.root, "HEAD~1", "HEAD")
    dotted = diff_json(repo.root, "HEAD~1..HEAD")
    against_worktree = diff_json(repo.root, "HEAD~1")
    nothing = diff_json(repo.root)

    for found in (two, dotted, against_worktree):
        assert (found["records"], found["statuses"]) == (EXPECTED_RECORDS, EXPECTED_STATUSES)
    assert (two["old"], two["new"]) == ("HEAD~1", "HEAD")
    assert (dotted["old"], dotted["new"]) == ("HEAD~1", "HEAD")
    assert against_worktree["new"] == "worktree"
    assert (nothing["records"], nothing["statuses"], nothing["unreviewed"]) == ([], [], [])
    assert "no changes to records or statuses" in ledger(repo.root, "diff").stdout


GOV_SOURCE = "sources/mx-gov-2018.yaml"
SPEAKS_FOR = "speaks_for: Government of Mexico\n"


def test_a_speaks_for_edit_shows_the_status_it_changes_and_why(repo: Sample) -> None:
    """The sample as written before sources said whom they speak for, then as it is now: the
    government page's support was independent, and is now the obligor's own word."""
    repo.edit(GOV_SOURCE, SPEAKS_FOR, "")
    commit(repo.root, "the government page says for no one")
    repo.edit(GOV_SOURCE, "language: en", SPEAKS_FOR + "language: en")

    found = diff_json(repo.root)

    assert found["rule"] == {"name": "ledger-status", "version": "2"}
    assert found["records"] == [
        {
            "id": "mx-gov-2018",
            "kind": "source",
            "change": "changed",
            "path": f"data/{GOV_SOURCE}",
            "fields": [{"field": "speaks_for", "old": None, "new": "Government of Mexico"}],
            "review": None,
        }
    ]
    requirement = found["statuses"][0]
    assert (requirement["id"], requirement["old"], requirement["new"]) == (
        "requirement-1",
        "contested",
        "not-met",
    )
    assert (requirement["old_line"], requirement["new_line"]) == ("S3", "S2")
    assert (requirement["claims"], requirement["sources"]) == ([], ["mx-gov-2018"])
    assert {(s["kind"], s["id"]) for s in found["statuses"]} == {
        ("requirement", "requirement-1"),
        ("case", "tlatlaya"),
    }
    assert found["notes"] == [
        {
            "state": "old",
            "source": "mx-gov-2018",
            "code": "speaks-for-missing",
            "message": "the government source does not say whom it speaks for, so its claims "
            "count as independent of every obligor",
        }
    ]
    human = [line.rstrip() for line in ledger(repo.root, "diff").stdout.splitlines()]
    assert "requirement requirement-1  contested (S3) -> not-met (S2)" in human
    assert "    because of: source mx-gov-2018" in human
    assert "    speaks_for: (none) -> Government of Mexico" in human
    assert any(line.startswith("  old: mx-gov-2018: the government source") for line in human)
    assert (
        "  ledger-status: version 1 took every government source for the obligor's own; "
        "version 2 takes only those whose speaks_for is the requirement's obligor"
    ) in human
    markdown = ledger(repo.root, "diff", "--format", "markdown").stdout
    assert "| contested (S3) | **not-met** (S2) | source mx-gov-2018 |" in markdown
    assert "- old: `mx-gov-2018`: the government source does not say whom" in markdown
    assert "`ledger-status`: version 1 took every government source" in markdown


def test_an_obligor_edit_is_named_as_the_cause(repo: Sample) -> None:
    repo.edit(
        "requirements/requirement-1.yaml",
        "obligor: Government of Mexico",
        "obligor: Government of the State of Guerrero",
    )

    (requirement, *_) = diff_json(repo.root)["statuses"]

    assert (requirement["id"], requirement["old_line"], requirement["new_line"]) == (
        "requirement-1",
        "S2",
        "S3",
    )
    assert requirement["obligor"] == {
        "field": "obligor",
        "old": "Government of Mexico",
        "new": "Government of the State of Guerrero",
    }
    human = ledger(repo.root, "diff").stdout
    assert "because of: obligor Government of Mexico -> Government of the State of Guerrero" in (
        " ".join(human.split())
    )


def test_added_and_removed_records(repo: Sample) -> None:
    added = repo.read(CLAIM).replace(f"id: {CLAIM_ID}", "id: cso-torture-complaints-2")
    repo.write("claims/cso-torture-complaints-2.yaml", added)
    repo.path("claims/cso-tlatlaya-order-to-kill.yaml").unlink()

    found = diff_json(repo.root)

    changes = [(r["change"], r["id"], r["review"]) for r in found["records"]]
    assert changes == [  # claims first, by id
        ("removed", "cso-tlatlaya-order-to-kill", None),
        ("added", "cso-torture-complaints-2", "none"),
    ]
    assert found["statuses"] == []  # requirement 1 keeps other undermining claims
    assert found["unreviewed"] == ["cso-torture-complaints-2"]


def test_a_ledger_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    top = tmp_path / "top"
    shutil.copytree(SAMPLE, top / "evidence" / "ledger")
    (top / "README.md").write_text("not the ledger\n", encoding="utf-8")
    root = top / "evidence" / "ledger"
    git(top, "init", "-q")
    commit(top, "a ledger one level down")
    Sample(root).edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")

    found = diff_json(root)
    commit(top, "requirement 2 is met after all")
    log = json.loads(ledger(root, "log", "requirement-2", "--format", "json").stdout)

    assert found["statuses"] == EXPECTED_STATUSES
    assert [(c["subject"], c["status"]) for c in log["commits"]] == [
        ("requirement 2 is met after all", "met"),
        ("a ledger one level down", "not-met"),
    ]


def test_outside_a_git_repository_diff_says_so_in_one_line(tmp_path: Path) -> None:
    root = tmp_path / "ledger"
    shutil.copytree(SAMPLE, root)

    result = run(["--root", str(root), "diff"], env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"ledger: {root} is not inside a git repository\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-branch"], "unknown revision 'no-such-branch'"),
        (["HEAD..no-such-branch"], "unknown revision 'no-such-branch'"),
        (["HEAD~5", "HEAD"], "unknown revision 'HEAD~5'"),
        (["--", "--output=x"], "'--output=x' is not a revision"),
        (["a", "b", "c"], "give at most two revisions: ledger diff [A [B]]"),
    ],
)
def test_a_bad_revision_is_a_usage_error(repo: Sample, args: list[str], message: str) -> None:
    result = ledger(repo.root, "diff", *args)

    assert result.exit_code == 2
    assert result.stderr == f"ledger: {message}\n"
    assert "Traceback" not in result.output


def test_a_revision_before_the_ledger_existed(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README.md").write_text("a ledger is coming\n", encoding="utf-8")
    git(root, "init", "-q")
    commit(root, "before the ledger")
    shutil.copytree(SAMPLE, root, dirs_exist_ok=True)

    result = ledger(root, "diff", "HEAD")

    assert result.exit_code == 2
    assert result.stderr.startswith("ledger: revision ")
    assert result.stderr.endswith(" has no ledger.toml\n")


def test_status_rev_reads_the_old_state_and_leaves_the_worktree_alone(repo: Sample) -> None:
    flip_stance(repo)
    commit(repo.root, "requirement 2 is met after all")
    before = repo.read(CLAIM)

    def status_of_requirement_2(*rev: str) -> tuple[str, str]:
        result = ledger(repo.root, "status", *rev, "--format", "json")
        assert result.exit_code == 0, result.stderr
        row = next(r for r in json.loads(result.stdout)["rows"] if r["id"] == "requirement-2")
        return row["status"], row["line"]

    assert status_of_requirement_2("--rev", "HEAD~1") == ("not-met", "S2")
    assert status_of_requirement_2("--rev", "HEAD") == ("met", "S4")
    assert status_of_requirement_2() == ("met", "S4")
    assert repo.read(CLAIM) == before
    assert git(repo.root, "status", "--porcelain") == ""
    bad = ledger(repo.root, "status", "--rev", "nope")
    assert (bad.exit_code, bad.stderr) == (2, "ledger: unknown revision 'nope'\n")


def test_log_lists_the_commits_with_the_status_at_each(repo: Sample) -> None:
    flip_stance(repo)
    commit(repo.root, "requirement 2 is met after all")
    repo.edit("cases/ayotzinapa.yaml", "place: Iguala, Guerrero", "place: Iguala")
    commit(repo.root, "a case's place")

    result = ledger(repo.root, "log", "requirement-2", "--format", "json")

    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert (found["format"], found["id"]) == ("ledger-log", "requirement-2")
    assert found["path"] == "data/requirements/requirement-2.yaml"
    assert [(c["subject"], c["status"], c["line"]) for c in found["commits"]] == [
        ("a case's place", "met", "S4"),
        ("requirement 2 is met after all", "met", "S4"),
        ("the sample ledger", "not-met", "S2"),
    ]
    human = ledger(repo.root, "log", "requirement-2").stdout
    assert "requirement 2 is met after all  status: met (S4)" in human
    assert "the sample ledger  status: not-met (S2)" in human


def test_three_dots_compare_a_branch_with_where_it_left_the_other(repo: Sample) -> None:
    git(repo.root, "checkout", "-q", "-b", "branch")
    flip_stance(repo)
    commit(repo.root, "requirement 2 is met after all")
    git(repo.root, "checkout", "-q", "-")
    repo.edit("cases/ayotzinapa.yaml", "place: Iguala, Guerrero", "place: Iguala")
    commit(repo.root, "a case's place, on the main line")

    from_base = json.loads(ledger(repo.root, "diff", "HEAD...branch", "-f", "json").stdout)
    two_dots = json.loads(ledger(repo.root, "diff", "HEAD..branch", "-f", "json").stdout)

    assert [r["id"] for r in from_base["records"]] == [CLAIM_ID]  # the branch's change only
    assert sorted(r["id"] for r in two_dots["records"]) == sorted([CLAIM_ID, "ayotzinapa"])
    assert from_base["statuses"] == two_dots["statuses"] == EXPECTED_STATUSES
    base = git(repo.root, "merge-base", "HEAD", "branch").strip()[:12]
    human = ledger(repo.root, "diff", "HEAD...branch").stdout.splitlines()
    assert human[:2] == [
        f"ledger diff {base} .. branch",
        f"{base} is where branch left HEAD (their merge base)",
    ]


def test_three_dots_without_a_common_commit_say_so(repo: Sample) -> None:
    git(repo.root, "checkout", "-q", "--orphan", "alone")
    commit(repo.root, "another history")
    result = ledger(repo.root, "diff", "master...alone")
    if result.exit_code == 2 and "unknown revision" in result.stderr:
        result = ledger(repo.root, "diff", "main...alone")
    assert result.exit_code == 2
    assert result.stderr.endswith("have no commit in common\n"), result.stderr


def test_log_of_a_case_gives_a_status_per_requirement_at_each_commit(repo: Sample) -> None:
    flip_stance(repo)
    commit(repo.root, "requirement 2 is met after all")

    human = ledger(repo.root, "log", "tlatlaya")

    assert human.exit_code == 0, human.stderr
    rows = [row for row in human.stdout.splitlines() if "status:" in row]
    assert len(rows) == 2
    assert all(row.rstrip().endswith(("met", "contested", "no-evidence")) for row in rows), rows


def test_log_of_a_claim_lists_only_the_commits_that_changed_its_file(repo: Sample) -> None:
    flip_stance(repo)
    commit(repo.root, "requirement 2 is met after all")
    repo.edit("cases/ayotzinapa.yaml", "place: Iguala, Guerrero", "place: Iguala")
    commit(repo.root, "a case's place")

    found = json.loads(ledger(repo.root, "log", CLAIM_ID, "--format", "json").stdout)

    assert [(c["subject"], c["status"]) for c in found["commits"]] == [
        ("requirement 2 is met after all", None),
        ("the sample ledger", None),
    ]


def test_log_reads_the_record_s_file_and_kind_from_the_kept_index_without_a_load(
    repo: Sample, loads: list[str]
) -> None:
    """`log` needs of the working tree only the record's file and kind: once the index of
    ids is kept (the first `log` keeps it, as `show` does), it loads nothing of the working
    tree, and says what a load would have said, for a claim, a prefix, an id no record has
    and a case (whose statuses are still read from each commit)."""
    flip_stance(repo)
    commit(repo.root, "requirement 2 is met after all")
    age(repo.root)
    asked = [
        (CLAIM_ID, "--format", "json"),
        (CLAIM_ID,),
        (CLAIM_ID[:-2],),
        ("no-such-record",),
        ("ayotzinapa", "--format", "json"),
    ]
    loaded = {args: ledger(repo.root, "log", *args) for args in asked}
    assert loads  # the first asked loaded the ledger, and kept the index after answering
    case_loads = len(loads) - 1  # a load of the working tree, then the case's commits
    loads.clear()
    for args, first in loaded.items():
        again = ledger(repo.root, "log", *args)
        assert (again.exit_code, again.stdout, again.stderr) == (
            first.exit_code,
            first.stdout,
            first.stderr,
        )
        if args[0] != "ayotzinapa":
            assert loads == [], args
    assert len(loads) <= case_loads  # the commits only, not the working tree again
    assert loaded[("no-such-record",)].exit_code == 2
    assert "no record with id 'no-such-record'" in loaded[("no-such-record",)].stderr
    commits = json.loads(loaded[(CLAIM_ID, "--format", "json")].stdout)["commits"]
    subjects = [c["subject"] for c in commits]
    assert subjects == ["requirement 2 is met after all", "the sample ledger"]


def test_log_of_a_claim_from_the_kept_index_does_not_import_the_schema(repo: Sample) -> None:
    """A claim's history is its file's commits: once the index of ids is kept, nothing
    builds a record, and importing the schema (pydantic) would be a tenth of the run."""
    age(repo.root)
    assert ledger(repo.root, "log", CLAIM_ID).exit_code == 0  # keeps the index
    code = (
        "import sys\n"
        f"sys.argv = ['ledger', '--root', {str(repo.root)!r}, 'log', {CLAIM_ID!r}]\n"
        "from ledger.cli import main\n"
        "try:\n    main()\nexcept SystemExit as stop:\n    assert not stop.code, stop.code\n"
        "print('pydantic' in sys.modules, 'ledger.records.model' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "False False"


def test_log_outside_a_git_repository(tmp_path: Path) -> None:
    root = tmp_path / "ledger"
    shutil.copytree(SAMPLE, root)

    result = run(
        ["--root", str(root), "log", "requirement-1"],
        env={"GIT_CEILING_DIRECTORIES": str(tmp_path)},
    )

    assert (result.exit_code, result.stderr) == (
        2,
        f"ledger: {root} is not inside a git repository\n",
    )


def test_a_file_that_fails_to_load_is_said_in_every_format_never_no_changes(repo: Sample) -> None:
    broken = repo.read(CLAIM).replace("id: cso-torture-complaints", "id: broken-claim")
    repo.write("claims/broken-claim.yaml", broken + "notes: a\nnotes: b\n")  # a duplicate key
    commit(repo.root, "a claim that does not load")
    warning = (
        "1 record file on HEAD failed to load and is not compared "
        "(data/claims/broken-claim.yaml); `ledger validate` in a checkout of HEAD shows why"
    )

    markdown = ledger(repo.root, "diff", "HEAD~1", "HEAD", "--format", "markdown")
    assert markdown.exit_code == 0, markdown.stderr
    assert (
        "**\u26a0 1 record file on `HEAD` failed to load and is not compared "
        "(`data/claims/broken-claim.yaml`); `ledger validate` in a checkout of `HEAD` shows "
        "why**"
    ) in markdown.stdout
    assert "No changes" not in markdown.stdout

    human = ledger(repo.root, "diff", "HEAD~1", "HEAD")
    assert f"\u26a0 {warning}" in human.stdout and "no changes" not in human.stdout

    data = diff_json(repo.root, "HEAD~1", "HEAD")
    assert data["left_out"] == {"old": 0, "new": 1}
    assert data["left_out_files"] == {"old": [], "new": ["data/claims/broken-claim.yaml"]}

    on_worktree = ledger(repo.root, "diff", "--format", "markdown")
    assert "1 record file on the working tree failed to load" in on_worktree.stdout
    assert "1 record file on `HEAD` failed to load" in on_worktree.stdout


def test_the_warning_names_the_first_files_left_out(repo: Sample) -> None:
    for n in range(4):
        repo.write(f"claims/broken-{n}.yaml", "id: [\n")
    warning = ledger(repo.root, "diff").stdout.splitlines()[2]
    assert warning == (
        "\u26a0 4 record files on the working tree failed to load and are not compared "
        "(data/claims/broken-0.yaml, data/claims/broken-1.yaml, data/claims/broken-2.yaml "
        "and 1 more); `ledger validate` shows why"
    )


def test_the_warning_names_the_files_left_out_not_those_with_errors(repo: Sample) -> None:
    """A record whose id is not its file's name loads (with an error), and of two files
    holding one id the first loads: the files named are those whose records are not in the
    ledger, and a YAML file out of place, which has only a warning."""
    case = repo.read("cases/tlatlaya.yaml")
    repo.write("cases/misnamed.yaml", case.replace("id: tlatlaya", "id: not-its-name"))
    repo.write("cases/aa.yaml", case.replace("id: tlatlaya", "id: twice"))
    repo.write("cases/bb.yaml", case.replace("id: tlatlaya", "id: twice"))
    repo.write("cases/stray.yml", case)

    warning = ledger(repo.root, "diff").stdout.splitlines()[2]

    assert warning == (
        "\u26a0 2 record files on the working tree failed to load and are not compared "
        "(data/cases/bb.yaml, data/cases/stray.yml); `ledger validate` shows why"
    )


def test_a_long_or_strange_path_is_shown_short_and_visible(repo: Sample) -> None:
    long_name = "d" * 200 + "/" + "x" * 200 + ".yaml"
    repo.write(f"claims/{long_name}", "id: [\n")
    repo.write("claims/bell\x07\x1c.yaml", "id: [\n")

    plain = ledger(repo.root, "diff").stdout.splitlines()[2]
    markdown = ledger(repo.root, "diff", "-f", "markdown").stdout

    shown = "data/claims/" + "d" * 47 + "\u2026" + "x" * 54 + ".yaml"
    assert f'("data/claims/bell\\x07\\x1c.yaml", {shown});' in plain
    assert f"(`data/claims/bell\\x07\\x1c.yaml`, `{shown}`);" in markdown


def test_a_record_whose_file_broke_is_left_out_not_removed(repo: Sample) -> None:
    repo.write(CLAIM, repo.read(CLAIM) + "notes: a\nnotes: b\n")  # a duplicate key
    commit(repo.root, "the claim no longer loads")

    data = diff_json(repo.root, "HEAD~1", "HEAD")
    human = ledger(repo.root, "diff", "HEAD~1", "HEAD")

    assert data["left_out"] == {"old": 0, "new": 1}
    assert [r["id"] for r in data["records"]] == []  # not "removed": its file is there
    assert "failed to load and is not compared" in human.stdout
    assert f"- claim {CLAIM_ID}" not in human.stdout


def test_a_clean_diff_leaves_nothing_out(repo: Sample) -> None:
    assert "left_out" not in diff_json(repo.root)
    assert (
        "No changes to records or statuses." in ledger(repo.root, "diff", "-f", "markdown").stdout
    )


def test_a_diff_judges_only_the_requirements_a_change_can_reach(
    repo: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ledger.git.diff as diff_module

    flip_stance(repo)
    commit(repo.root, "requirement 2 is met after all")
    asked: list[set[str] | None] = []
    real = diff_module.requirement_verdicts

    def spy(ledger, analysis=None, only=None):  # type: ignore[no-untyped-def]
        asked.append(only)
        return real(ledger, analysis, only)

    monkeypatch.setattr(diff_module, "requirement_verdicts", spy)

    assert diff_json(repo.root, "HEAD~1", "HEAD")["statuses"] == EXPECTED_STATUSES
    assert asked == [{"requirement-2"}, {"requirement-2"}]  # not requirement-1: untouched
    asked.clear()
    repo.edit("requirements/requirement-1.yaml", "title: ", "title: Renamed, ")
    commit(repo.root, "a requirement changed: every status is judged again")
    diff_json(repo.root, "HEAD~1", "HEAD")
    assert asked == [None, None]


def test_the_statuses_are_judged_with_the_collector_paused_and_it_runs_again_after(
    repo: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Judging two ledgers builds millions of objects at 100,000 claims: no collection runs
    while it does, and the collector is on again once the diff is made."""
    import gc

    import ledger.git.diff as diff_module

    flip_stance(repo)
    commit(repo.root, "requirement 2 is met after all")
    collecting: list[bool] = []
    real = diff_module.requirement_verdicts

    def spy(ledger, analysis=None, only=None):  # type: ignore[no-untyped-def]
        collecting.append(gc.isenabled())
        return real(ledger, analysis, only)

    monkeypatch.setattr(diff_module, "requirement_verdicts", spy)
    assert diff_json(repo.root, "HEAD~1", "HEAD")["statuses"] == EXPECTED_STATUSES
    assert collecting == [False, False]
    assert gc.isenabled()


def test_markdown_shows_a_changed_figure_in_words(repo: Sample) -> None:
    repo.edit(CLAIM, "qualifier: more-than", "qualifier: at-least")

    result = ledger(repo.root, "diff", "--format", "markdown")

    assert result.exit_code == 0, result.stderr
    assert (
        "  - `figures`: more than 10,000 complaints of torture received by the PGR"
        " → at least 10,000 complaints of torture received by the PGR"
    ) in result.stdout.splitlines()
    assert "more-than" not in result.stdout


def test_diff_in_a_repository_with_no_commits_says_so(sample_copy: Sample) -> None:
    git(sample_copy.root, "init", "-q")
    result = ledger(sample_copy.root, "diff")
    assert result.exit_code == 2
    assert result.stderr == (
        "ledger: unknown revision 'HEAD': the repository has no commits yet (commit the ledger "
        "first, then `ledger diff` compares with it)\n"
    )
