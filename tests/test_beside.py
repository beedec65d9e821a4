"""A revision's records derived from another side already loaded (records/beside.py) are
exactly a whole load of that revision, or nothing: after any sequence of edits between two
commits, and beside the working tree; and `diff` derives the second commit's side."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE, Sample, age, git, layout_for, run
from ledger.git.revision import GitError, open_revision
from ledger.records.beside import load_beside
from ledger.records.load import LoadResult, load
from ledger.records.root import Layout
from test_edit_sequences import EDIT, apply

CLAIM = "claims/cso-torture-complaints.yaml"
STANCE = ("requirement-2: undermines", "requirement-2: supports")


def snapshot(result: LoadResult) -> dict[str, Any]:
    """Everything a load gives a command: records in order, paths, problems, counts, ids."""
    return {
        "tables": {
            kind: [(i, r.model_dump(mode="json")) for i, r in table.items()]
            for kind, table in result.ledger.tables().items()
        },
        "paths": sorted(result.ledger.paths.items()),  # a mapping: loads differ in its order
        "diagnostics": [d.to_dict() for d in result.diagnostics],
        "files": result.files,
        "left_out": result.left_out,
        "unloaded": sorted(result.unloaded),
        "fatal": result.fatal,
        "content_ids": result.content_ids() if result.content_ids else None,
    }


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def revision(layout: Layout, rev: str, like: Layout | None = None) -> Layout:
    found = open_revision(layout, rev, like)
    assert not isinstance(found, GitError), found
    return found


def derived_or_none(root: Path, rev: str, beside: str | None) -> LoadResult | None:
    """``rev``'s records derived from ``beside`` (a revision; None: the working tree),
    after checking that whenever there is an answer it is the whole load's."""
    layout = layout_for(root)
    other = layout if beside is None else revision(layout, beside)
    target = revision(layout, rev, other if beside is not None else None)
    found = load_beside(target, other, load(other, check=False))
    if found is not None:
        assert snapshot(found) == snapshot(load(target, check=False))
    return found


@contextmanager
def repository() -> Iterator[Path]:
    """A fresh git repository holding the sample ledger, committed once."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ledger"
        shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".ledger-cache"))
        age(root)
        git(root, "init", "-q")
        commit(root, "the sample")
        yield root


Edits = list[tuple[str, int, int]]

SEQUENCES = given(
    before=st.lists(EDIT, max_size=3),
    between=st.lists(EDIT, min_size=1, max_size=4),
    after=st.lists(EDIT, max_size=2),
)
"""Edits committed, then more committed, then more left in the working tree."""
PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@contextmanager
def edited(before: Edits, between: Edits, after: Edits) -> Iterator[Path]:
    """A repository of the sample with ``before`` committed, then ``between`` committed
    (HEAD), and ``after`` made in the working tree."""
    with repository() as root:
        for step, edit in enumerate(before):
            apply(root, edit, step)
        commit(root, "before")
        for step, edit in enumerate(between, len(before)):
            apply(root, edit, step)
        commit(root, "between")
        for step, edit in enumerate(after, len(before) + len(between)):
            apply(root, edit, step)
        yield root


@PROPERTY
@SEQUENCES
def test_derived_from_either_side_is_the_whole_load_or_nothing(
    before: Edits, between: Edits, after: Edits
) -> None:
    with edited(before, between, after) as root:
        age(root)
        derived_or_none(root, "HEAD", "HEAD~1")
        derived_or_none(root, "HEAD~1", "HEAD")
        derived_or_none(root, "HEAD", None)


def test_an_edited_claim_is_derived_from_the_commit_before(repo: Sample) -> None:
    repo.edit(CLAIM, *STANCE)
    commit(repo.root, "flip")
    assert derived_or_none(repo.root, "HEAD", "HEAD~1") is not None
    assert derived_or_none(repo.root, "HEAD~1", "HEAD") is not None
    assert derived_or_none(repo.root, "HEAD~1", None) is not None


def test_added_and_removed_records_are_derived(repo: Sample) -> None:
    text = repo.path(CLAIM).read_text(encoding="utf-8")
    added = repo.root / "data/claims/cso-added.yaml"
    added.write_text(text.replace("id: cso-torture-complaints", "id: cso-added"))
    repo.path(CLAIM).unlink()
    commit(repo.root, "one claim for another")
    found = derived_or_none(repo.root, "HEAD", "HEAD~1")
    assert found is not None
    assert "cso-added" in found.ledger.claims
    assert "cso-torture-complaints" not in found.ledger.claims


def test_what_only_a_whole_load_reports_is_not_derived(repo: Sample) -> None:
    misplaced = repo.root / "data/claims/stray.yml"
    misplaced.write_text("id: stray\n")
    commit(repo.root, "a .yml file")
    assert derived_or_none(repo.root, "HEAD", "HEAD~1") is None
    misplaced.unlink()
    repo.path(CLAIM).write_text("id: [unclosed\n")
    commit(repo.root, "a broken claim")
    assert derived_or_none(repo.root, "HEAD", "HEAD~1") is None  # its problem is reported
    assert derived_or_none(repo.root, "HEAD~2", "HEAD") is None  # the other side is not clean


def test_another_ledger_toml_is_not_derived(repo: Sample) -> None:
    marker = repo.root / "ledger.toml"
    marker.write_text(marker.read_text(encoding="utf-8") + "\n# another marker\n")
    commit(repo.root, "ledger.toml changed")
    assert derived_or_none(repo.root, "HEAD", "HEAD~1") is None


def test_an_id_two_files_hold_is_not_derived(repo: Sample) -> None:
    # Named for its id, in another folder: the file reads cleanly, and only admitting every
    # file decides which of the two owns the id.
    copy = repo.root / "data/claims/mx-gov-2018/cso-torture-complaints.yaml"
    copy.write_text(repo.path(CLAIM).read_text(encoding="utf-8"))
    commit(repo.root, "a copy")
    assert derived_or_none(repo.root, "HEAD", "HEAD~1") is None
    whole = load(revision(layout_for(repo.root), "HEAD"), check=False)
    assert [d.code for d in whole.diagnostics] == ["duplicate-id"]


def test_diff_of_two_commits_derives_the_second_and_says_the_same(
    repo: Sample, loads: list[str]
) -> None:
    repo.edit(CLAIM, *STANCE)
    commit(repo.root, "flip")
    derived = run(["--root", str(repo.root), "diff", "HEAD~1", "HEAD", "-f", "json"])
    assert len(loads) == 1
    whole = run(
        ["--root", str(repo.root), "diff", "HEAD~1", "HEAD", "-f", "json"],
        env={"LEDGER_NO_CACHE": "1"},
    )
    assert derived.exit_code == whole.exit_code == 0
    assert derived.stdout == whole.stdout
    assert '"requirement-2"' in derived.stdout
