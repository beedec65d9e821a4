"""Revisions are read from git's objects: nothing a commit adds beside the data (attributes,
links, odd folder names) changes what `diff`, `--rev` and `log` see."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SAMPLE, Sample, age, git, run
from ledger.git.revision import regular_files
from test_diff import (
    CLAIM,
    CLAIM_ID,
    EXPECTED_STATUSES,
    commit,
    diff_json,
    flip_stance,
    ledger,
)


def test_export_ignore_cannot_hide_a_committed_change(repo: Sample) -> None:
    flip_stance(repo)
    (repo.root / "data" / ".gitattributes").write_text(
        "claims/** export-ignore\n*.yaml export-subst\n", encoding="utf-8"
    )
    commit(repo.root, "requirement 2, quietly")

    found = diff_json(repo.root, "HEAD~1", "HEAD")
    markdown = ledger(repo.root, "diff", "HEAD~1", "HEAD", "--format", "markdown")

    assert found["statuses"] == EXPECTED_STATUSES
    assert [r["id"] for r in found["records"]] == [CLAIM_ID]
    assert "No changes" not in markdown.stdout
    assert "| requirement requirement-2 | requirement-2 | not-met (S2) |" in markdown.stdout


def test_export_subst_does_not_rewrite_what_a_revision_holds(repo: Sample) -> None:
    repo.edit(CLAIM, "kind: figure\n", "kind: figure\nnotes: $Format:%H$\n")  # `git archive`
    # would expand the placeholder
    (repo.root / "data" / ".gitattributes").write_text("*.yaml export-subst\n", "utf-8")
    commit(repo.root, "a placeholder in a note")

    shown = ledger(repo.root, "show", CLAIM_ID, "--rev", "HEAD", "--format", "json")

    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["record"]["notes"] == "$Format:%H$"


def test_a_ledger_under_a_folder_with_a_non_ascii_name(tmp_path: Path) -> None:
    top = tmp_path / "top"
    root = top / "Évidence" / "México 2017"
    shutil.copytree(SAMPLE, root)
    git(top, "init", "-q")
    commit(top, "a ledger in a folder with accents")
    Sample(root).edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")

    found = diff_json(root)
    rev = ledger(root, "status", "requirement-2", "--rev", "HEAD", "--format", "json")
    commit(top, "requirement 2 is met after all")
    log = json.loads(ledger(root, "log", "requirement-2", "--format", "json").stdout)

    assert found["statuses"] == EXPECTED_STATUSES
    assert rev.exit_code == 0 and json.loads(rev.stdout)["verdict"]["status"] == "not-met"
    assert [c["status"] for c in log["commits"]] == ["met", "not-met"]


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_links_in_a_revision_are_left_out_not_followed(repo: Sample, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: secret\n", encoding="utf-8")
    (repo.root / "data" / "cases" / "secret.yaml").symlink_to(secret)
    (repo.root / "data" / "cases" / "up").symlink_to("../../..")
    commit(repo.root, "two links")

    found = diff_json(repo.root, "HEAD~1", "HEAD")

    assert found["records"] == [] and found["statuses"] == []


@pytest.mark.skipif(os.name == "nt", reason="the names POSIX can hold")
def test_only_regular_files_at_safe_paths_are_taken_from_a_listing() -> None:
    blob = "a" * 40
    listing = "\0".join(
        [
            f"100644 blob {blob}\tdata/cases/ok.yaml",
            f"100755 blob {blob}\tdata/cases/run.yaml",
            f"120000 blob {blob}\tdata/cases/link.yaml",
            f"160000 commit {blob}\tdata/sub",
            f"100644 blob {blob}\tdata/../../escape.yaml",
            f"100644 blob {blob}\t/etc/passwd",
            f"100644 blob {blob}\tdata/./dot.yaml",
            f"100644 blob {blob}\tdata/cases/con.yaml",
            f"100644 blob {blob}\tdata/cases/back\\slash.yaml",
            f"100644 blob {blob}\tdata/Évidence/ü.yaml",
            "",
        ]
    )

    # Names only Windows reads otherwise are kept: the loader warns about them as it does
    # in the working tree, instead of a revision silently holding less.
    assert [path for path, _ in regular_files(listing)] == [
        "data/cases/ok.yaml",
        "data/cases/run.yaml",
        "data/cases/con.yaml",
        "data/cases/back\\slash.yaml",
        "data/Évidence/ü.yaml",
    ]


def test_a_record_named_for_a_windows_device_is_compared_like_any_other(repo: Sample) -> None:
    claim = repo.read(CLAIM).replace(f"id: {CLAIM_ID}", "id: con")
    (repo.root / "data" / "claims" / "con.yaml").write_text(claim, encoding="utf-8")
    commit(repo.root, "a claim with a device's name")

    committed = diff_json(repo.root, "HEAD~1", "HEAD")
    worktree = diff_json(repo.root, "HEAD~1")

    assert [r["id"] for r in committed["records"]] == ["con"]
    assert committed["records"] == worktree["records"]


@pytest.mark.skipif(os.name == "nt", reason="file names that are not UTF-8 are POSIX only")
def test_names_that_are_not_utf8_stay_apart_in_a_revision(repo: Sample) -> None:
    """Two names that differ only in bytes that are not UTF-8 are two files in a revision,
    as in the working tree: a commit that matches the checkout shows no change."""
    claims = sorted((repo.root / "data" / "claims").rglob("*.yaml"))[:2]
    for path, name in zip(claims, (b"x\xff.yaml", b"x\xfe.yaml"), strict=True):
        os.rename(os.fsencode(path), os.path.join(os.fsencode(path.parent), name))
    commit(repo.root, "two names that are not UTF-8")

    assert diff_json(repo.root, "HEAD")["records"] == []  # the checkout is the commit
    assert diff_json(repo.root, "HEAD~1", "HEAD")["records"] == []  # renamed, not removed


def test_a_commit_with_names_that_are_not_utf8_is_compared_with_a_clean_checkout(
    repo: Sample,
) -> None:
    """The checkout holds the usual names and the commit before it two that are not UTF-8:
    the commit's records are read beside the checkout's (which the cache cannot key by
    such a name) and compared, not refused with a traceback."""
    claims = sorted((repo.root / "data" / "claims").rglob("*.yaml"))[:2]
    for path, name in zip(claims, (b"x\xff.yaml", b"x\xfe.yaml"), strict=True):
        os.rename(os.fsencode(path), os.path.join(os.fsencode(path.parent), name))
    commit(repo.root, "two names that are not UTF-8")
    git(repo.root, "revert", "--no-edit", "HEAD")
    age(repo.root)
    assert ledger(repo.root, "status", "requirement-1").exit_code == 0  # the checkout kept

    changed = ledger(repo.root, "diff", "HEAD~1", "--format", "json")
    cold = run(
        ["--root", str(repo.root), "diff", "HEAD~1", "--format", "json"],
        env={"LEDGER_NO_CACHE": "1"},
    )

    assert changed.exit_code == cold.exit_code == 0, changed.stderr
    assert changed.stdout == cold.stdout
    assert json.loads(changed.stdout)["records"] == []  # the same records, under other names


def test_a_revision_is_read_from_the_data_folder_its_own_ledger_toml_names(repo: Sample) -> None:
    git(repo.root, "mv", "data", "evidence")
    (repo.root / "ledger.toml").write_text('[ledger]\ndata = "evidence"\n', encoding="utf-8")
    commit(repo.root, "the data folder moves")

    moved = diff_json(repo.root, "HEAD~1", "HEAD")
    old = ledger(repo.root, "status", "requirement-2", "--rev", "HEAD~1", "--format", "json")

    assert moved["records"] == [] and moved["statuses"] == []
    assert old.exit_code == 0 and json.loads(old.stdout)["verdict"]["status"] == "not-met"


def test_the_revision_is_read_without_checking_out_or_archiving(
    repo: Sample, tmp_path: Path
) -> None:
    # A smudge filter runs when files are checked out (checkout, worktree add), never for
    # cat-file: a reader that checked the revision out would leave the mark behind.
    mark = tmp_path / "PWNED"
    git(repo.root, "config", "filter.evil.smudge", f"touch {mark}; cat")
    (repo.root / "data" / ".gitattributes").write_text("* filter=evil\n", encoding="utf-8")
    commit(repo.root, "a filter")

    result = run(["--root", str(repo.root), "status", "--rev", "HEAD"])

    assert result.exit_code == 0, result.stderr
    assert not mark.exists()


HEADS = (
    "100644 blob {}",
    "100755 blob {}",
    "120000 blob {}",
    "160000 commit {}",
    "040000 tree {}",
    "100644 blob {} extra",
    "100644  blob {}",
    "100644 blob ",
    "100644 tree {}",
    "",
)
PARTS = ("", ".", "..", "data", "cases", "a.yaml", ".hidden", "..x", "x..", "b c", "\\", "É")


@settings(max_examples=300, deadline=None)
@given(
    entries=st.lists(
        st.tuples(
            st.sampled_from(HEADS),
            st.booleans(),
            st.lists(st.sampled_from(PARTS), min_size=0, max_size=4),
            st.booleans(),
        ),
        max_size=6,
    )
)
def test_a_listing_keeps_exactly_the_regular_files_at_safe_paths(
    entries: list[tuple[str, bool, list[str], bool]],
) -> None:
    """Every entry is kept exactly when it is a regular file (mode 100644 or 100755, type
    blob, three fields) at a path whose every part is a name (none empty, ``.`` or ``..``):
    the quick test of each path never lets an unsafe one through, nor drops a safe one."""
    blob = "f" * 40
    rows = []
    expected = []
    for head, tab, parts, absolute in entries:
        path = ("/" if absolute else "") + "/".join(parts)
        row = head.format(blob) + ("\t" + path if tab else path)
        rows.append(row)
        fields = head.format(blob).split(" ")
        regular = len(fields) == 3 and fields[0] in ("100644", "100755") and fields[1] == "blob"
        named = not absolute and all(p not in ("", ".", "..") for p in path.split("/"))
        if tab and regular and named:
            expected.append((path, fields[2]))
    assert list(regular_files("\0".join(rows))) == expected
