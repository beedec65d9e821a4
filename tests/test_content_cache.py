"""The cache keyed by content: whatever edits a ledger goes through, a load through the
cache equals a plain pipeline load; a revision reads from git only the blobs the cache lacks;
and reading a revision from git's objects keeps every protection a checkout would need."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE, Sample, age, git, layout_for, make_old, run
from ledger.git.revision import GitError, open_revision
from ledger.records.load import load
from ledger.records.pipeline import load as plain_load
from ledger.records.root import Layout
from test_diff import CLAIM, EXPECTED_STATUSES, commit, diff_json, flip_stance
from test_incremental import state

CLAIMS = sorted(
    p.relative_to(SAMPLE / "data").as_posix() for p in SAMPLE.glob("data/claims/**/*.yaml")
)
ARCHIVES = sorted(
    p.relative_to(SAMPLE / "data").as_posix() for p in SAMPLE.glob("data/sources/*.txt")
)

EDITS = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 99)),
    st.tuples(st.just("change"), st.integers(0, 99)),
    st.tuples(st.just("delete"), st.integers(0, 99)),
    st.tuples(st.just("rename"), st.integers(0, 99)),
    st.tuples(st.just("break"), st.integers(0, 99)),
    st.tuples(st.just("archive"), st.integers(0, 99)),
    st.tuples(st.just("duplicate"), st.integers(0, 99)),
    st.tuples(st.just("restore"), st.integers(0, 99)),
)
"""An edit and which file it picks (modulo the files there are)."""


def _claims(root: Path) -> list[Path]:
    return sorted((root / "data" / "claims").rglob("*.yaml"))


def apply(root: Path, edit: tuple[str, int], step: int) -> None:
    """One edit of the kinds a ledger goes through, on the ledger at ``root``."""
    what, pick = edit
    claims = _claims(root)
    if what == "restore" or not claims:
        rel = CLAIMS[pick % len(CLAIMS)]
        shutil.copyfile(SAMPLE / "data" / rel, root / "data" / rel)
        return
    path = claims[pick % len(claims)]
    text = path.read_text(encoding="utf-8")
    if what == "add":
        new_id = f"added-{step}-{pick}"
        old_id = path.stem
        (path.parent / f"{new_id}.yaml").write_text(
            text.replace(f"id: {old_id}", f"id: {new_id}"), encoding="utf-8"
        )
    elif what == "change":
        path.write_text(text.replace("statement: ", f"statement: Step {step}: ", 1), "utf-8")
    elif what == "delete":
        path.unlink()
    elif what == "rename":
        path.rename(path.with_name(f"renamed-{step}.yaml"))
    elif what == "break":
        path.write_text("id: [unclosed\n", encoding="utf-8")
    elif what == "duplicate":
        shutil.copyfile(path, path.with_name(f"copy-{step}.yaml"))
    elif what == "archive":
        archive = root / "data" / ARCHIVES[pick % len(ARCHIVES)]
        with archive.open("ab") as out:
            out.write(f"appended at step {step}\n".encode())


def comparable(result: Any) -> dict[str, Any]:
    found = state(result)
    found["left_out"] = result.left_out
    return found


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(edits=st.lists(st.tuples(EDITS, st.booleans()), min_size=1, max_size=6))
def test_a_cached_load_equals_a_plain_one_after_any_edits(
    edits: list[tuple[tuple[str, int], bool]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ledger"
        shutil.copytree(SAMPLE, root)
        age(root)
        layout = layout_for(root)
        assert comparable(load(layout)) == comparable(plain_load(layout))
        for step, (edit, settle) in enumerate(edits):
            apply(root, edit, step)
            if settle:  # as if written a while ago: the cache may then trust its identity
                for path in (root / "data").rglob("*"):
                    if path.is_file() and not path.is_symlink():
                        make_old(path, 1_500_000_000 + step)
            cold = comparable(plain_load(layout))
            assert comparable(load(layout)) == cold
            assert comparable(load(layout)) == cold  # and again, from what was stored
            asked = comparable(plain_load(layout, check=False))
            assert comparable(load(layout, check=False)) == asked  # remembered whole
            assert comparable(load(layout, check=False)) == asked  # and read back
            assert comparable(load(layout)) == cold


def test_a_diff_reads_from_git_only_the_blobs_the_cache_lacks(
    repo: Sample, requested: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    flip_stance(repo)
    commit(repo.root, "requirement 2 is met after all")
    age(repo.root)
    assert run(["--root", str(repo.root), "validate"]).exit_code == 0  # the cache knows HEAD
    made: list[str] = []
    real = tempfile.mkdtemp

    def mkdtemp(*args: Any, **kwargs: Any) -> str:
        made.append("folder")
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    requested.clear()

    found = diff_json(repo.root, "HEAD~1", "HEAD")

    assert found["statuses"] == EXPECTED_STATUSES
    marker = git(repo.root, "rev-parse", "HEAD:ledger.toml").strip()
    records = [blob for blob, _limit in requested if blob != marker]
    changed = git(repo.root, "rev-parse", f"HEAD~1:data/{CLAIM}").strip()
    assert records == [changed]  # only the one claim HEAD~1 holds and the cache has not seen
    assert made == []  # nothing is unpacked into a temporary folder
    requested.clear()
    assert diff_json(repo.root, "HEAD~1", "HEAD") == found
    assert [blob for blob, _limit in requested if blob != marker] == []  # now seen


def test_without_a_cache_a_revision_is_read_whole_and_alike(
    repo: Sample, requested: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    flip_stance(repo)
    commit(repo.root, "requirement 2 is met after all")
    monkeypatch.setenv("LEDGER_NO_CACHE", "1")
    found = diff_json(repo.root, "HEAD~1", "HEAD")
    assert found["statuses"] == EXPECTED_STATUSES
    files = len(_claims(repo.root)) + 1  # and the cases, requirements and sources
    marker = git(repo.root, "rev-parse", "HEAD:ledger.toml").strip()
    assert len([blob for blob, _limit in requested if blob != marker]) > files


def revision_codes(root: Path, rev: str = "HEAD") -> list[tuple[str, str]]:
    revision = open_revision(layout_for(root), rev)
    assert isinstance(revision, Layout), revision
    return [(d.path, d.code) for d in plain_load(revision).diagnostics]


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_revision_never_follows_a_link_to_an_archive(repo: Sample, tmp_path: Path) -> None:
    archive = repo.path("sources/cso-memo-2017.txt")
    outside = tmp_path / "memo.txt"
    shutil.copyfile(archive, outside)
    archive.unlink()
    archive.symlink_to(outside)  # the worktree reads through it; a revision never does
    commit(repo.root, "the archive becomes a link")

    codes = revision_codes(repo.root)

    assert ("data/sources/cso-memo-2017.yaml", "archive-missing") in codes


def test_a_revision_refuses_an_archive_path_out_of_its_folder(repo: Sample) -> None:
    repo.edit(
        "sources/cso-memo-2017.yaml",
        "path: cso-memo-2017.txt",
        "path: ../../ledger.toml",
    )
    commit(repo.root, "an archive path that climbs out")

    codes = revision_codes(repo.root)

    assert ("data/sources/cso-memo-2017.yaml", "archive-path") in codes


def test_a_revision_reads_nothing_from_the_working_tree(repo: Sample) -> None:
    """A file only the working tree has (untracked) is not in the revision, even at the
    path a revision's record names."""
    repo.edit("sources/cso-memo-2017.yaml", "path: cso-memo-2017.txt", "path: later.txt")
    commit(repo.root, "the archive is to move")
    shutil.copyfile(repo.path("sources/cso-memo-2017.txt"), repo.path("sources/later.txt"))
    (repo.root / "data" / "claims" / "untracked.yaml").write_text("id: [broken\n", "utf-8")

    codes = revision_codes(repo.root)

    assert ("data/sources/cso-memo-2017.yaml", "archive-missing") in codes
    assert not [c for c in codes if c[0] == "data/claims/untracked.yaml"]


def test_a_revision_whose_ledger_toml_names_a_data_folder_outside_is_refused(
    repo: Sample,
) -> None:
    layout = layout_for(repo.root)
    marker = repo.root / "ledger.toml"
    kept = marker.read_text(encoding="utf-8")
    marker.write_text('[ledger]\ndata = "../elsewhere"\n', "utf-8")
    commit(repo.root, "the data folder climbs out")
    marker.write_text(kept, "utf-8")  # the working tree's own is sound

    found = open_revision(layout, "HEAD")

    assert isinstance(found, GitError)
    assert "must be inside the ledger" in found.message
