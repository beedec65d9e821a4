"""`ledger diff` by content: a side listed from the other side and what changed between the
two commits, and a diff asked again answered from what it printed, for exactly the commits
(or working tree) it compared."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE, Sample, age, git, layout_for, run
from ledger.git.revision import GitError, open_revision
from ledger.records.root import Layout

CLAIM = "claims/cso-torture-complaints.yaml"
STANCE = ("requirement-2: undermines", "requirement-2: supports")


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def ledger(root: Path, *args: str):  # type: ignore[no-untyped-def]
    return run(["--root", str(root), *args], env={"COLUMNS": "200"})


def changed_fields(root: Path, *args: str) -> list[tuple[str, str, str]]:
    result = ledger(root, "diff", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return [
        (change["id"], field["old"], field["new"])
        for change in json.loads(result.stdout)["records"]
        for field in change["fields"]
    ]


def revision(layout: Layout, rev: str, like: Layout | None = None) -> Layout:
    found = open_revision(layout, rev, like)
    assert not isinstance(found, GitError), found
    return found


def test_a_diff_of_two_commits_asked_again_loads_nothing(repo: Sample, loads: list[str]) -> None:
    repo.edit(CLAIM, *STANCE)
    commit(repo.root, "flip")

    asked = [ledger(repo.root, "diff", "HEAD~1", "HEAD", *f) for f in ([], ["-f", "json"])]
    assert len(loads) == 2  # one a diff: the second commit's records derived from the first's
    again = [ledger(repo.root, "diff", "HEAD~1", "HEAD", *f) for f in ([], ["-f", "json"])]

    assert len(loads) == 2
    assert [(r.exit_code, r.stdout, r.stderr) for r in again] == [
        (r.exit_code, r.stdout, r.stderr) for r in asked
    ]
    assert "bears_on.requirement-2: undermines -> supports" in again[0].stdout


def test_the_same_words_after_a_new_commit_compare_the_new_commits(repo: Sample) -> None:
    repo.edit(CLAIM, *STANCE)
    commit(repo.root, "flip")
    assert changed_fields(repo.root, "HEAD~1", "HEAD") == [
        ("cso-torture-complaints", "undermines", "supports")
    ]

    repo.edit(CLAIM, *reversed(STANCE))
    commit(repo.root, "flip back")

    assert changed_fields(repo.root, "HEAD~1", "HEAD") == [
        ("cso-torture-complaints", "supports", "undermines")
    ]


def test_a_commit_that_leaves_the_files_alone_still_moves_the_working_tree_diff(
    repo: Sample,
) -> None:
    """Committing changes no file under data/, only what HEAD names: a diff of HEAD with the
    working tree is not the one remembered before the commit."""
    repo.edit(CLAIM, *STANCE)
    assert changed_fields(repo.root) == [("cso-torture-complaints", "undermines", "supports")]

    commit(repo.root, "flip")

    assert changed_fields(repo.root) == []
    assert "no changes to records or statuses" in ledger(repo.root, "diff").stdout


def test_files_left_out_are_said_again_for_each_side(repo: Sample) -> None:
    broken = repo.read(CLAIM).replace("id: cso-torture-complaints", "id: broken-claim")
    repo.write("claims/broken-claim.yaml", broken + "notes: a\nnotes: b\n")  # a duplicate key
    commit(repo.root, "a claim that does not load")
    repo.write("claims/broken-two.yaml", "id: [\n")

    first, again = (ledger(repo.root, "diff", "HEAD") for _ in range(2))

    assert first.stderr.count("failed to load") == 2
    assert (again.exit_code, again.stdout, again.stderr) == (0, first.stdout, first.stderr)


def test_a_report_file_is_written_each_time(repo: Sample, tmp_path: Path) -> None:
    repo.edit(CLAIM, *STANCE)
    commit(repo.root, "flip")
    report = tmp_path / "report.md"
    args = ("diff", "HEAD~1", "HEAD", "-f", "markdown", "--report", str(report))

    assert ledger(repo.root, *args).exit_code == 0
    written = report.read_text(encoding="utf-8")
    report.unlink()
    assert ledger(repo.root, *args).exit_code == 0

    assert report.read_text(encoding="utf-8") == written


def _many_changes(root: Path, data: str) -> None:
    """Edit, add, remove, move into a new folder, turn into a link, and change a file
    outside the data folder."""
    claims = root / data / "claims"
    first, second, third, fourth = sorted(claims.rglob("*.yaml"))[:4]
    first.write_text(first.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    second.unlink()
    (claims / "new-folder").mkdir()
    shutil.move(third, claims / "new-folder" / third.name)
    fourth.unlink()
    os.symlink(first.name, fourth)
    (claims / "added.yaml").write_text("id: added\n", encoding="utf-8")
    (root / "README-outside.txt").write_text("not the ledger's\n", encoding="utf-8")


@pytest.mark.parametrize("subfolder", ["", "ledgers/mexico"])
def test_a_listing_from_the_other_side_is_the_revisions_own(tmp_path: Path, subfolder: str) -> None:
    top = tmp_path / "repo"
    root = top / subfolder if subfolder else top
    shutil.copytree(SAMPLE, root)
    git(top, "init", "-q")
    commit(top, "the sample")
    _many_changes(root, "data")
    commit(top, "many changes")
    layout = layout_for(root)
    before = revision(layout, "HEAD~1")

    for derived, own in (
        (revision(layout, "HEAD", like=before), revision(layout, "HEAD")),
        (revision(layout, "HEAD~1", like=revision(layout, "HEAD")), before),
    ):
        assert derived.tree is not None and own.tree is not None
        assert derived.tree.blobs == own.tree.blobs
    assert "data/claims/added.yaml" in revision(layout, "HEAD", like=before).tree.blobs  # type: ignore[union-attr]


def test_a_side_keeping_its_records_elsewhere_is_listed_whole(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(SAMPLE, root)
    git(root, "init", "-q")
    commit(root, "the sample")
    shutil.move(root / "data", root / "records")
    marker = root / "ledger.toml"
    text = marker.read_text(encoding="utf-8")
    marker.write_text(text.replace('data = "data"', 'data = "records"'), encoding="utf-8")
    commit(root, "the records moved")
    layout = layout_for(root)

    derived = revision(layout, "HEAD", like=revision(layout, "HEAD~1"))

    assert derived.tree is not None and revision(layout, "HEAD").tree is not None
    assert derived.tree.blobs == revision(layout, "HEAD").tree.blobs  # type: ignore[union-attr]
    assert any(rel.startswith("records/claims/") for rel in derived.tree.blobs)


def test_log_reads_the_working_tree_without_checking_it(
    repo: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`log` needs a record's file and kind: the checks (seconds at 100k claims) are not run,
    and what it prints is what it printed when they were."""
    import ledger.analysis.checks as checks

    repo.edit(CLAIM, *STANCE)
    commit(repo.root, "flip")
    before = ledger(repo.root, "log", "requirement-2")

    def refused(*_args: object, **_options: object) -> None:
        raise AssertionError("log ran the checks")

    monkeypatch.setattr(checks, "check_ledger", refused)
    after = ledger(repo.root, "log", "requirement-2")

    assert (after.exit_code, after.stdout) == (0, before.stdout)
    assert "status: met (S4)" in after.stdout.splitlines()[1]


def test_the_remembered_ledger_is_read_back_once_for_the_working_tree_and_a_revision(
    repo: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledger.store import loaded_state

    age(repo.root)
    assert ledger(repo.root, "status", "requirement-2").exit_code == 0  # writes the row
    validated: list[str] = []
    real = loaded_state.Remembered._validated

    def counted(self: loaded_state.Remembered) -> dict[str, list[object]]:
        validated.append(self.key)
        return real(self)

    monkeypatch.setattr(loaded_state.Remembered, "_validated", counted)
    loaded_state._READ.clear()

    result = ledger(repo.root, "log", "requirement-2")

    assert result.exit_code == 0, result.stderr
    assert len(validated) == 1


def _hide_blob(root: Path, rev: str, rel: str) -> tuple[Path, Path]:
    """Move a loose blob out of the object store, as a partial clone lacks one."""
    blob = git(root, "rev-parse", f"{rev}:{rel}").strip()
    loose = Path(git(root, "rev-parse", "--git-path", "objects").strip())
    if not loose.is_absolute():
        loose = root / loose
    where = loose / blob[:2] / blob[2:]
    hidden = root.parent / "hidden-blob"
    shutil.move(where, hidden)
    return where, hidden


def test_a_blob_git_could_not_give_is_not_remembered(repo: Sample) -> None:
    """A blob missing for a while (a partial clone that could not fetch it) leaves a file
    out of one run; once git has it again, the same diff reads it."""
    repo.edit(CLAIM, *STANCE)
    commit(repo.root, "flip")
    age(repo.root)
    where, hidden = _hide_blob(repo.root, "HEAD", f"data/{CLAIM}")
    git_lacks = [change["change"] for change in _records(repo.root, "HEAD~1", "HEAD")]
    shutil.move(hidden, where)

    assert git_lacks != ["changed"]
    assert [change["change"] for change in _records(repo.root, "HEAD~1", "HEAD")] == ["changed"]


def test_a_blob_the_checkout_holds_is_not_asked_of_git(repo: Sample) -> None:
    """Against the working tree, a commit's file whose content the checkout holds (the
    same blob id) is taken from the checkout's records: the diff is right even while git
    lacks the blob."""
    repo.edit(CLAIM, *STANCE)
    commit(repo.root, "flip")
    age(repo.root)  # settled: a diff with the working tree is remembered too
    where, hidden = _hide_blob(repo.root, "HEAD", f"data/{CLAIM}")
    assert _records(repo.root, "HEAD") == []
    shutil.move(hidden, where)
    assert _records(repo.root, "HEAD") == []


def _records(root: Path, *args: str) -> list[dict]:  # type: ignore[type-arg]
    result = ledger(root, "diff", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["records"]  # type: ignore[no-any-return]


def test_a_commit_git_reads_as_another_is_not_answered_from_before(repo: Sample) -> None:
    """`git replace` makes a commit's id read as another commit's files: the id no longer
    says what the diff read."""
    repo.edit(CLAIM, *STANCE)
    commit(repo.root, "flip")
    head = git(repo.root, "rev-parse", "HEAD").strip()
    git(repo.root, "checkout", "-q", "-b", "other", "HEAD~1")
    repo.edit(CLAIM, STANCE[0], "requirement-2: context")
    commit(repo.root, "another stance")
    other = git(repo.root, "rev-parse", "HEAD").strip()
    git(repo.root, "checkout", "-q", "-")
    assert changed_fields(repo.root, "HEAD~1", "HEAD") == [
        ("cso-torture-complaints", "undermines", "supports")
    ]

    git(repo.root, "replace", head, other)

    assert changed_fields(repo.root, "HEAD~1", "HEAD") == [
        ("cso-torture-complaints", "undermines", "context")
    ]


@pytest.mark.parametrize("subfolder", [" ledger", "led\udcffger/mexico"])
def test_a_ledger_in_a_folder_of_any_name_compares_its_commits(
    tmp_path: Path, subfolder: str
) -> None:
    """A folder name git prints as it is, not UTF-8 or starting with a space."""
    top = tmp_path / "repo"
    root = top / subfolder
    try:
        shutil.copytree(SAMPLE, root)
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system refuses the name")
    git(top, "init", "-q")
    commit(top, "the sample")
    (root / "data" / CLAIM).write_text(
        (root / "data" / CLAIM).read_text(encoding="utf-8").replace(*STANCE), encoding="utf-8"
    )
    commit(top, "flip")

    assert changed_fields(root, "HEAD~1", "HEAD") == [
        ("cso-torture-complaints", "undermines", "supports")
    ]


def test_a_diff_of_two_commits_and_one_with_the_working_tree_are_both_kept(
    repo: Sample, loads: list[str]
) -> None:
    repo.edit(CLAIM, *STANCE)
    commit(repo.root, "flip")
    age(repo.root)
    questions = (["HEAD~1", "HEAD", "-f", "markdown"], ["HEAD~1", "-f", "json"])
    first = [ledger(repo.root, "diff", *q).stdout for q in questions]
    asked = len(loads)

    again = [ledger(repo.root, "diff", *q).stdout for q in questions]

    assert again == first and len(loads) == asked
