"""The cache: used when nothing changed, never when something did, harmless when broken."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import ledger.store.cache as cache_module
from conftest import PAST, Sample, age, git, layout_for, run
from ledger.analysis.validation import validate
from ledger.records.load import load
from ledger.store.cache import CACHE_DIR, CACHE_FILE

CLAIM = "claims/cso-tlatlaya-no-arrest-warrants.yaml"


def codes(sample: Sample) -> list[tuple[str, str]]:
    return [(d.path, d.code) for d in validate(layout_for(sample.root)).diagnostics]


def test_an_unchanged_ledger_is_answered_from_the_cache(
    sample_copy: Sample, files_read: list[str]
) -> None:
    age(sample_copy.root)
    first = validate(layout_for(sample_copy.root))
    assert not first.cached and files_read
    files_read.clear()
    second = validate(layout_for(sample_copy.root))
    assert second.cached
    assert files_read == []
    assert second.diagnostics == first.diagnostics and second.files == first.files
    assert (sample_copy.root / CACHE_DIR / ".gitignore").read_text().splitlines()[-1] == "*"


def test_loading_reads_only_the_edited_file(sample_copy: Sample, files_read: list[str]) -> None:
    age(sample_copy.root)
    load(layout_for(sample_copy.root))
    files_read.clear()
    sample_copy.edit(CLAIM, "kind: assessment", "kind: allegation")
    result = load(layout_for(sample_copy.root))
    assert files_read == [f"data/{CLAIM}"]
    assert result.ledger.claims["cso-tlatlaya-no-arrest-warrants"].kind.value == "allegation"


def test_an_edit_is_seen_even_when_size_and_mtime_are_kept(sample_copy: Sample) -> None:
    age(sample_copy.root)
    assert codes(sample_copy) == []
    path = sample_copy.path(CLAIM)
    text = path.read_text()
    broken = text.replace("kind: assessment", "kind: assessmant")  # same length
    assert len(broken) == len(text) and broken != text
    path.write_text(broken)
    os.utime(path, (PAST, PAST))  # the change time and inode still tell
    assert codes(sample_copy) == [(f"data/{CLAIM}", "invalid-value")]


def test_an_archive_edit_invalidates_the_cached_answer(sample_copy: Sample) -> None:
    age(sample_copy.root)
    assert codes(sample_copy) == []
    archive = sample_copy.path("sources/cso-memo-2017.txt")
    archive.write_text(archive.read_text() + "\nappended\n")
    assert ("data/sources/cso-memo-2017.yaml", "archive-hash") in codes(sample_copy)


def test_a_branch_switch_is_seen(sample_copy: Sample) -> None:
    root = sample_copy.root

    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "sample")
    git(root, "checkout", "-q", "-b", "broken")
    sample_copy.edit(CLAIM, "kind: assessment", "kind: rumoured")
    git(root, "commit", "-qam", "break")
    age(root)
    assert codes(sample_copy) == [(f"data/{CLAIM}", "invalid-value")]
    git(root, "checkout", "-q", "main")
    age(root)  # even with the checked-out files made old, their identity differs
    assert codes(sample_copy) == []
    git(root, "checkout", "-q", "broken")
    age(root)
    assert codes(sample_copy) == [(f"data/{CLAIM}", "invalid-value")]


def test_a_version_change_drops_the_cache(
    sample_copy: Sample, files_read: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    age(sample_copy.root)
    load(layout_for(sample_copy.root))
    files_read.clear()
    load(layout_for(sample_copy.root))
    assert files_read == []
    monkeypatch.setattr(cache_module, "schema_version", lambda extra=(): "a-newer-version")
    load(layout_for(sample_copy.root))
    assert len(files_read) == sample_copy.load().files


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"this is not a database" * 100),
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 3]),
        lambda p: p.write_bytes(b""),
    ],
    ids=["garbage", "truncated", "empty"],
)
def test_a_damaged_cache_is_ignored(sample_copy: Sample, damage) -> None:  # type: ignore[no-untyped-def]
    age(sample_copy.root)
    sample_copy.edit(CLAIM, "kind: assessment", "kind: rumoured")
    age(sample_copy.root)
    expected = codes(sample_copy)
    assert expected == [(f"data/{CLAIM}", "invalid-value")]
    db = sample_copy.root / CACHE_DIR / CACHE_FILE
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    damage(db)
    assert codes(sample_copy) == expected
    assert codes(sample_copy) == expected  # and the rebuilt cache answers the same


def test_cached_entries_hold_no_code(sample_copy: Sample) -> None:
    """The cache is data: SQLite rows of JSON text, nothing a reader would execute."""
    import sqlite3

    age(sample_copy.root)
    validate(layout_for(sample_copy.root))
    db = sqlite3.connect(sample_copy.root / CACHE_DIR / CACHE_FILE)
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"meta", "records", "results", "quotes", "lookup"}
    rows = db.execute("SELECT record, problems FROM records").fetchall()
    assert rows
    for record, problems in rows:
        assert record is None or record.startswith("{")
        assert problems == "" or problems.startswith("{")
    for (match,) in db.execute("SELECT match FROM quotes"):
        assert match.startswith(("=", "{", "["))
    assert run(["--root", str(sample_copy.root), "show", "tlatlaya"]).exit_code == 0
    links = db.execute("SELECT inbound FROM lookup").fetchall()
    assert links
    assert all(json.loads(inbound) is not None for (inbound,) in links)


def test_no_cache_when_asked(sample_copy: Sample, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_NO_CACHE", "1")
    age(sample_copy.root)
    validate(layout_for(sample_copy.root))
    assert not (sample_copy.root / CACHE_DIR).exists()
