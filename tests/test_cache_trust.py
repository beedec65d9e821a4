"""The cache is never trusted blindly: tampered, locked, too fresh or half-read, it gives
no answer rather than a wrong one."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest

import ledger.record_reader as reader_module
from conftest import PAST, Sample, age, layout_for, run
from ledger.cache import CACHE_DIR, CACHE_FILE, NO_CACHE_ENV, Cache
from ledger.files import ReadFailure
from ledger.scan import RACY_NS, settled
from ledger.validation import validate

CLAIM = "claims/cso-torture-complaints.yaml"


def database(sample: Sample) -> sqlite3.Connection:
    return sqlite3.connect(sample.root / CACHE_DIR / CACHE_FILE)


def test_remembered_output_holding_escapes_is_not_printed(sample_copy: Sample) -> None:
    age(sample_copy.root)
    args = ["--root", str(sample_copy.root), "status", "requirement-1"]
    fresh = run(args, env={NO_CACHE_ENV: "1"}).stdout
    run(args)
    with database(sample_copy) as db:
        db.execute(
            "UPDATE results SET value = ? WHERE name LIKE 'output:status:%'",
            (json.dumps("\x1b]52;c;cm0gLXJmIH4=\x07pwned\n"),),
        )
    again = run(args)
    assert again.exit_code == 0
    assert again.stdout == fresh
    assert "\x1b" not in again.stdout


def test_a_cache_holding_a_trigger_is_thrown_away(sample_copy: Sample) -> None:
    age(sample_copy.root)
    validate(layout_for(sample_copy.root))
    with database(sample_copy) as db:
        db.execute(
            "CREATE TRIGGER rewrite AFTER INSERT ON results BEGIN "
            "UPDATE results SET value = '\"planted\"'; END"
        )
    cache = Cache(sample_copy.root / CACHE_DIR)
    assert cache.open()
    assert cache.db is not None
    kinds = [r[0] for r in cache.db.execute("SELECT type FROM sqlite_master")]
    cache.close()
    assert "trigger" not in kinds
    assert validate(layout_for(sample_copy.root)).diagnostics == []


def test_a_cache_locked_by_another_process_is_left_alone(sample_copy: Sample) -> None:
    age(sample_copy.root)
    validate(layout_for(sample_copy.root))
    path = sample_copy.root / CACHE_DIR / CACHE_FILE
    inode = path.stat().st_ino
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        found = validate(layout_for(sample_copy.root))
        assert found.diagnostics == [] and not found.cached
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert path.stat().st_ino == inode  # the same file: not deleted and made again
    assert validate(layout_for(sample_copy.root)).cached  # what it held is still there


def test_files_modified_just_before_the_run_are_not_remembered(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    layout = layout_for(sample_copy.root)
    assert not validate(layout).cached
    assert not validate(layout).cached  # the edited file is too fresh to trust
    args = ["--root", str(sample_copy.root), "status", "requirement-2"]
    run(args)
    with database(sample_copy) as db:
        names = [r[0] for r in db.execute("SELECT name FROM results")]
    assert not [n for n in names if n.startswith(("output:", "validate"))]


def test_a_read_cut_short_by_the_system_is_not_remembered(
    sample_copy: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    age(sample_copy.root)
    real = reader_module.read_bytes

    def failing(path, limit):  # type: ignore[no-untyped-def]
        if str(path).endswith("cso-torture-complaints.yaml"):
            return ReadFailure("unreadable", "cannot read the file: Input/output error", "")
        return real(path, limit)

    monkeypatch.setattr(reader_module, "read_bytes", failing)
    found = validate(layout_for(sample_copy.root))
    assert [d.code for d in found.diagnostics] == ["unreadable"]
    monkeypatch.setattr(reader_module, "read_bytes", real)
    again = validate(layout_for(sample_copy.root))
    assert not again.cached
    assert again.diagnostics == []


def test_an_archive_in_a_hidden_folder_still_counts(sample_copy: Sample) -> None:
    hidden = sample_copy.path("sources/.texts")
    hidden.mkdir()
    sample_copy.path("sources/cso-memo-2017.txt").rename(hidden / "cso-memo-2017.txt")
    sample_copy.edit(
        "sources/cso-memo-2017.yaml",
        "path: cso-memo-2017.txt",
        "path: .texts/cso-memo-2017.txt",
    )
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    assert validate(layout).diagnostics == []
    assert validate(layout).cached
    archive = hidden / "cso-memo-2017.txt"
    archive.write_bytes(archive.read_bytes() + b"an added line\n")
    age(sample_copy.root)
    after = validate(layout)
    assert not after.cached
    assert [d.code for d in after.diagnostics] == ["archive-hash"]


# -- coarse clocks --------------------------------------------------------------------------


def test_a_file_whose_change_time_is_fresh_is_not_remembered(sample_copy: Sample) -> None:
    """A same-size edit with its modification time put back (as tar or rsync -t do): only
    the change time says the file just changed. On a file system with one-second times, a
    second such edit in the same second would leave the identity as it was, so a file whose
    change time is within the racy window is not remembered, nor is any answer."""
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    assert validate(layout).diagnostics == []
    answers = stored_answers(sample_copy)
    path = sample_copy.path(CLAIM)
    text = path.read_text()
    broken = text.replace("kind: figure", "kind: figura")
    assert len(broken) == len(text)
    path.write_text(broken)
    os.utime(path, (PAST, PAST))
    assert [d.code for d in validate(layout).diagnostics] == ["invalid-value"]
    with database(sample_copy) as db:
        rels = {r[0] for r in db.execute("SELECT rel FROM records")}
    assert f"data/{CLAIM}" not in rels
    assert stored_answers(sample_copy) == answers  # none for the ledger as it is now
    assert not validate(layout).cached


def stored_answers(sample: Sample) -> set[tuple[str, str]]:
    with database(sample) as db:
        return set(db.execute("SELECT name, fingerprint FROM results"))


def test_both_times_are_judged_against_the_start_of_the_walk() -> None:
    now = 10 * RACY_NS
    old, fresh = now - RACY_NS - 1, now - RACY_NS // 2
    assert settled((1, old, 1, old), now)
    assert not settled((1, old, 1, fresh), now)
    assert not settled((1, fresh, 1, old), now)
