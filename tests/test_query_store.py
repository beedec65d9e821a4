"""The query database kept in the cache: `ledger query` on an unchanged ledger reads no
record, an edit is seen at once, and a stored file this machine did not make for exactly
this ledger (planted, committed, copied, edited, linked) is never used."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import Sample, age, git, layout_for, make_old, run
from ledger.publish import export as ex
from ledger.publish.sqlite_db import connect
from ledger.records.load import load
from ledger.store.cache import CACHE_DIR, NO_CACHE_ENV
from ledger.store.query_store import STORE_FILE

CLAIM = "claims/cso-torture-complaints.yaml"
CLAIM_ID = "cso-torture-complaints"
STATEMENT = f"SELECT statement FROM claims WHERE id = '{CLAIM_ID}'"
COUNT = "SELECT count(*) FROM claims"


def query(root: Path, sql: str, env: dict[str, str | None] | None = None) -> str:
    """The rows of a query, as JSON; the run must succeed."""
    done = run(["--root", str(root), "query", sql, "-f", "json"], env=env)
    assert done.exit_code == 0, done.stderr
    return json.dumps(json.loads(done.stdout)["rows"])


def stored(root: Path) -> Path:
    return root / CACHE_DIR / STORE_FILE


def doctored(path: Path, source: Path) -> None:
    """A copy of a real stored database with one claim's statement replaced: a file that
    would lie, were it ever believed."""
    shutil.copyfile(source, path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE claims SET statement = 'PLANTED'")
    db.close()


# -- the store is used, and follows the ledger ----------------------------------------------


def test_a_second_query_on_an_unchanged_ledger_reads_no_record(
    sample_copy: Sample, loads: list[str]
) -> None:
    age(sample_copy.root)
    off = {NO_CACHE_ENV: "1"}
    fresh = query(sample_copy.root, STATEMENT, env=off)
    count = query(sample_copy.root, COUNT, env=off)
    first = query(sample_copy.root, STATEMENT)
    assert len(loads) == 3
    assert stored(sample_copy.root).is_file()
    assert query(sample_copy.root, COUNT) == count
    assert query(sample_copy.root, STATEMENT) == first == fresh
    assert len(loads) == 3


def test_the_second_query_does_not_import_the_schema(sample_copy: Sample) -> None:
    """Answered from the store, a query needs neither the records nor their models."""
    age(sample_copy.root)
    query(sample_copy.root, COUNT)
    code = (
        "import sys\nfrom ledger.cli import app\n"
        f"try:\n    app(['--root', {str(sample_copy.root)!r}, 'query', {COUNT!r}])\n"
        "except SystemExit:\n    pass\n"
        "print([m for m in ('pydantic', 'ledger.records.model', 'ledger.records.load') if m in "
        "sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_an_edited_claim_is_seen_by_the_next_query(sample_copy: Sample, loads: list[str]) -> None:
    age(sample_copy.root)
    query(sample_copy.root, STATEMENT)
    sample_copy.edit(CLAIM, "received more than", "counted more than")
    edited = query(sample_copy.root, STATEMENT)
    assert "counted more than" in edited
    make_old(sample_copy.path(CLAIM))
    assert query(sample_copy.root, STATEMENT) == edited  # built again, and kept
    calls = len(loads)
    assert query(sample_copy.root, STATEMENT) == edited
    assert len(loads) == calls


def test_a_ledger_that_had_not_settled_is_not_stored(sample_copy: Sample) -> None:
    """A file changed within the last two seconds could change again unseen: nothing is
    kept for such a ledger (scan.py's racy-file rule)."""
    query(sample_copy.root, COUNT)
    assert not stored(sample_copy.root).exists()


def test_without_the_cache_nothing_is_stored(sample_copy: Sample, loads: list[str]) -> None:
    age(sample_copy.root)
    off = {NO_CACHE_ENV: "1"}
    first = query(sample_copy.root, STATEMENT, env=off)
    assert query(sample_copy.root, STATEMENT, env=off) == first
    assert len(loads) == 2
    assert not (sample_copy.root / CACHE_DIR).exists()


def test_a_cache_folder_that_cannot_be_used_gives_the_same_answer(
    sample_copy: Sample, loads: list[str]
) -> None:
    age(sample_copy.root)
    expected = query(sample_copy.root, STATEMENT, env={NO_CACHE_ENV: "1"})
    (sample_copy.root / CACHE_DIR).write_text("not a folder\n")
    assert query(sample_copy.root, STATEMENT) == expected
    assert query(sample_copy.root, STATEMENT) == expected
    assert len(loads) == 3
    assert (sample_copy.root / CACHE_DIR).read_text() == "not a folder\n"


def test_records_left_out_are_still_announced_from_the_store(sample_copy: Sample) -> None:
    sample_copy.write("claims/broken.yaml", "id: broken\nsource: [unclosed\n")
    age(sample_copy.root)
    root = ["--root", str(sample_copy.root), "query", COUNT]
    first, second = run(root), run(root)
    assert first.exit_code == second.exit_code == 0
    assert "1 record file failed to load" in first.stderr
    assert (first.stdout, first.stderr) == (second.stdout, second.stderr)


def test_a_revision_is_queried_in_memory(repo: Sample, loads: list[str]) -> None:
    shutil.rmtree(repo.root / CACHE_DIR, ignore_errors=True)
    age(repo.root)
    expected = query(repo.root, COUNT, env={NO_CACHE_ENV: "1"})
    for _ in range(2):
        done = run(["--root", str(repo.root), "query", COUNT, "--rev", "HEAD", "-f", "json"])
        assert done.exit_code == 0, done.stderr
        assert json.dumps(json.loads(done.stdout)["rows"]) == expected
    assert len(loads) == 3
    assert not stored(repo.root).exists()


# -- export -f sqlite -----------------------------------------------------------------------


def test_the_sqlite_export_is_the_same_bytes_from_the_store(
    sample_copy: Sample, tmp_path: Path, loads: list[str]
) -> None:
    age(sample_copy.root)
    built = ex.export_sqlite(load(layout_for(sample_copy.root)).ledger)
    outputs = []
    for number, env in enumerate([{NO_CACHE_ENV: "1"}, {}, {}]):
        target = tmp_path / f"export-{number}.sqlite"
        done = run(["--root", str(sample_copy.root), "export", "-o", str(target)], env=env)
        assert done.exit_code == 0, done.stderr
        outputs.append(target.read_bytes())
    assert outputs == [built, built, built]
    assert stored(sample_copy.root).read_bytes() == built
    query(sample_copy.root, COUNT)  # the store the export made serves the query
    assert len(loads) == 3  # each export loads and checks the ledger, as it always did


def test_the_database_a_query_stores_is_the_one_it_built_in_memory(sample_copy: Sample) -> None:
    age(sample_copy.root)
    query(sample_copy.root, COUNT)
    ledger = load(layout_for(sample_copy.root)).ledger
    assert stored(sample_copy.root).read_bytes() == ex.export_sqlite(ledger)
    kept = sqlite3.connect(f"{stored(sample_copy.root).as_uri()}?mode=ro", uri=True)
    built = connect(ledger)
    try:
        assert list(kept.iterdump()) == list(built.iterdump())
    finally:
        kept.close()
        built.close()


# -- a stored file that is not ours is never used -------------------------------------------


def test_a_committed_database_is_never_used_and_left_alone(
    repo: Sample, tmp_path: Path, loads: list[str]
) -> None:
    age(repo.root)
    expected = query(repo.root, STATEMENT)
    planted = tmp_path / "planted.sqlite3"
    doctored(planted, stored(repo.root))
    stored(repo.root).unlink()
    shutil.copyfile(planted, stored(repo.root))
    git(repo.root, "add", "-f", f"{CACHE_DIR}/{STORE_FILE}")
    git(repo.root, "commit", "-q", "-m", "a database to trust")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo.root), str(clone))
    age(clone)
    calls = len(loads)
    assert query(clone, STATEMENT) == expected
    assert query(clone, STATEMENT) == expected
    assert len(loads) == calls + 2  # never answered from the committed file
    assert stored(clone).read_bytes() == planted.read_bytes()
    assert git(clone, "status", "--porcelain") == ""


def test_a_database_swapped_in_under_the_same_name_is_not_used(sample_copy: Sample) -> None:
    age(sample_copy.root)
    expected = query(sample_copy.root, STATEMENT)
    path = stored(sample_copy.root)
    swapped = path.with_name("swap")
    doctored(swapped, path)
    os.replace(swapped, path)
    assert query(sample_copy.root, STATEMENT) == expected
    assert b"PLANTED" not in path.read_bytes()  # replaced by one of ours


def test_a_database_edited_in_place_with_its_times_put_back_is_not_used(
    sample_copy: Sample,
) -> None:
    """An edit in place keeps the inode and may put the modification time back, but not
    the change time."""
    age(sample_copy.root)
    expected = query(sample_copy.root, STATEMENT)
    path = stored(sample_copy.root)
    before = os.stat(path)
    time.sleep(0.01)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE claims SET statement = 'PLANTED'")
    db.close()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_ino == before.st_ino
    assert query(sample_copy.root, STATEMENT) == expected


def test_a_database_swapped_for_a_link_is_refused(sample_copy: Sample, tmp_path: Path) -> None:
    age(sample_copy.root)
    expected = query(sample_copy.root, STATEMENT)
    path = stored(sample_copy.root)
    outside = tmp_path / "outside.sqlite3"
    doctored(outside, path)
    before = outside.read_bytes()
    path.unlink()
    path.symlink_to(outside)
    assert query(sample_copy.root, STATEMENT) == expected
    assert query(sample_copy.root, STATEMENT) == expected
    assert path.is_symlink() and outside.read_bytes() == before  # never written through


def test_a_database_with_a_second_name_is_refused(sample_copy: Sample, tmp_path: Path) -> None:
    age(sample_copy.root)
    expected = query(sample_copy.root, STATEMENT)
    path = stored(sample_copy.root)
    second = tmp_path / "second-name.sqlite3"
    os.link(path, second)
    before = path.read_bytes()
    sample_copy.edit(CLAIM, "received more than", "counted more than")
    make_old(sample_copy.path(CLAIM))
    assert "counted more than" in query(sample_copy.root, STATEMENT)
    assert second.read_bytes() == before and os.stat(path).st_nlink == 2  # left alone
    assert "counted more than" not in expected


def test_a_fifo_in_the_database_place_does_not_block(sample_copy: Sample) -> None:
    age(sample_copy.root)
    expected = query(sample_copy.root, STATEMENT)
    path = stored(sample_copy.root)
    path.unlink()
    os.mkfifo(path)
    assert query(sample_copy.root, STATEMENT) == expected


def test_a_temporary_file_left_by_a_killed_run_is_removed_once_old(sample_copy: Sample) -> None:
    age(sample_copy.root)
    query(sample_copy.root, COUNT)
    folder = sample_copy.root / CACHE_DIR
    old, young = folder / f".{STORE_FILE}.dead.tmp", folder / f".{STORE_FILE}.live.tmp"
    old.write_bytes(b"half")
    young.write_bytes(b"half")
    make_old(old)
    sample_copy.edit(CLAIM, "received more than", "counted more than")
    make_old(sample_copy.path(CLAIM))
    query(sample_copy.root, COUNT)
    assert sorted(p.name for p in folder.iterdir() if STORE_FILE in p.name) == [
        young.name,
        STORE_FILE,
    ]
