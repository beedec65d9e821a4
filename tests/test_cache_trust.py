"""The cache is never trusted blindly: tampered, locked, too fresh or half-read, it gives
no answer rather than a wrong one."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

import ledger.records.record_reader as reader_module
import ledger.store.cache_key as key_module
from conftest import PAST, Sample, age, git, layout_for, run, where
from ledger.analysis.validation import validate
from ledger.records.files import ReadFailure
from ledger.records.load import load
from ledger.records.scan import RACY_NS, settled
from ledger.store.cache import CACHE_DIR, CACHE_FILE, NO_CACHE_ENV, Cache
from ledger.store.cache_key import KEY_ENV, KEY_FILE, Sealer

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


# -- a cache a commit could bring -----------------------------------------------------------

INVENTED = "the PGR received over 90,000 complaints of torture between 2012 and 2016"
"""A quote in no source: the same length as the real one, so nothing but the words differ."""


def invent_a_quote(sample: Sample) -> None:
    sample.edit(
        CLAIM,
        "quote: the PGR received over 10,000 complaints",
        "quote: the PGR received over 90,000 complaints",
    )


def forge_quote_found(sample: Sample) -> None:
    """Make the cache say the invented quote was found, as a hand with sqlite3 would."""
    db = database(sample)
    with db:
        changed = db.execute("UPDATE quotes SET match = '' WHERE quote = ?", (INVENTED,))
        assert changed.rowcount == 1
        db.execute("DELETE FROM results")
    db.close()


def test_a_committed_cache_does_not_make_an_invented_quote_pass(
    sample_copy: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pull request that force-adds a doctored cache: CI's validate still finds the quote
    in no source, says the cache was not used, and leaves the committed file as it was."""
    author = sample_copy.root
    invent_a_quote(sample_copy)
    with monkeypatch.context() as patch:  # the cache is built on the author's machine
        patch.setenv(KEY_ENV, str(tmp_path / "author-cache-home"))
        assert run(["--root", str(author), "validate"]).exit_code == 1
    forge_quote_found(sample_copy)
    git(author, "init", "-q", "-b", "main")
    git(author, "add", "-A")
    git(author, "add", "-f", f"{CACHE_DIR}/{CACHE_FILE}")
    git(author, "commit", "-qm", "an invented quote, and a cache that says it is there")
    clone = tmp_path / "ci"
    git(tmp_path, "clone", "-q", str(author), str(clone))
    committed = (clone / CACHE_DIR / CACHE_FILE).read_bytes()

    result = run(["--root", str(clone), "validate", "--strict", "--format", "json"])
    assert result.exit_code == 1
    found = {(d["code"], d["path"]) for d in json.loads(result.stdout)["diagnostics"]}
    assert found == {
        ("quote-not-found", f"data/{CLAIM}"),
        ("cache-untrusted", f"{CACHE_DIR}/{CACHE_FILE}"),
    }
    assert (clone / CACHE_DIR / CACHE_FILE).read_bytes() == committed
    assert git(clone, "status", "--porcelain", "--untracked-files=no") == ""
    assert run(["--root", str(clone), "validate"]).exit_code == 1  # and again


KEY = bytes(range(32))
"""A key a pull request commits, or one that leaked: the forger knows it."""


def forged_clone(
    sample: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key_home: str
) -> Path:
    """A pull request built where CI will check it out: an invented quote, a cache sealed
    under KEY for CI's path that says the quote is there, and ``key_home`` (a folder in the
    checkout, or "" for none) holding KEY. Cloned under umask 077, as a CI job may be, so git
    checks the key out private to its owner. Returns the clone."""
    ci = tmp_path / "ci"
    sample.root.rename(ci)
    forged = Sample(ci)
    author_home = tmp_path / "author-cache-home"
    author_home.mkdir(mode=0o700)
    (author_home / KEY_FILE).write_bytes(KEY)
    (author_home / KEY_FILE).chmod(0o600)
    invent_a_quote(forged)
    with monkeypatch.context() as patch:
        patch.setenv(KEY_ENV, str(author_home))
        key_module._key_in.cache_clear()
        assert run(["--root", str(ci), "validate"]).exit_code == 1
    key_module._key_in.cache_clear()
    db = database(forged)
    with db:  # the forger holds the key, so the row is sealed as this tool would seal it
        ((archive,),) = db.execute("SELECT archive FROM quotes WHERE quote = ?", (INVENTED,))
        seal = Sealer(KEY).seal(f"quotes\0{archive}\0\0{INVENTED}")
        changed = db.execute(
            "UPDATE quotes SET match = '', seal = ? WHERE quote = ?", (seal, INVENTED)
        )
        assert changed.rowcount == 1
        db.execute("DELETE FROM results")
    db.close()
    git(ci, "init", "-q", "-b", "main")
    git(ci, "add", "-A")
    git(ci, "add", "-f", f"{CACHE_DIR}/{CACHE_FILE}")
    if key_home:
        (ci / key_home).mkdir(parents=True)
        (ci / key_home / KEY_FILE).write_bytes(KEY)
        git(ci, "add", "-f", f"{key_home}/{KEY_FILE}")
    git(ci, "commit", "-qm", "an invented quote, and a cache that says it is there")
    ci.rename(tmp_path / "pull-request")
    mask = os.umask(0o077)
    try:
        git(tmp_path, "clone", "-q", str(tmp_path / "pull-request"), str(ci))
    finally:
        os.umask(mask)
    age(ci)  # a checkout made a while before the job runs
    return ci


def strict_under_umask(root: Path, env: dict[str, str | None]) -> tuple[int, set[tuple[str, str]]]:
    """`validate --strict` under umask 077: its exit code and (code, path) of each finding."""
    mask = os.umask(0o077)
    try:
        result = run(["--root", str(root), "validate", "--strict", "--format", "json"], env=env)
    finally:
        os.umask(mask)
        key_module._key_in.cache_clear()
    found = {(d["code"], d["path"]) for d in json.loads(result.stdout)["diagnostics"]}
    return result.exit_code, found


@pytest.mark.parametrize("variable", ["XDG_CACHE_HOME", KEY_ENV, "HOME"])
def test_a_committed_key_in_the_checkout_does_not_make_an_invented_quote_pass(
    sample_copy: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """The key folder points into the checkout, where the pull request put a key of its own
    and a cache sealed under it for CI's path: the key is refused, nothing is cached, the
    quote is found in no source, and neither file is touched."""
    key_home = {"XDG_CACHE_HOME": ".xdg/ledger", KEY_ENV: ".key", "HOME": ".home/.cache/ledger"}
    clone = forged_clone(sample_copy, tmp_path, monkeypatch, key_home[variable])
    key = clone / key_home[variable] / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    value = {"XDG_CACHE_HOME": ".xdg", KEY_ENV: ".key", "HOME": ".home"}[variable]
    env: dict[str, str | None] = {KEY_ENV: None, "XDG_CACHE_HOME": None}
    env[variable] = str(clone / value)
    committed = (clone / CACHE_DIR / CACHE_FILE).read_bytes()
    code, found = strict_under_umask(clone, env)
    assert code == 1
    assert found == {
        ("quote-not-found", f"data/{CLAIM}"),
        ("cache-untrusted", f"{key_home[variable]}/{KEY_FILE}"),
    }
    assert (clone / CACHE_DIR / CACHE_FILE).read_bytes() == committed
    assert key.read_bytes() == KEY
    assert git(clone, "status", "--porcelain", "--untracked-files=no") == ""


def test_a_committed_cache_is_refused_even_under_the_right_key(
    sample_copy: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Had the forger the key itself (kept outside the checkout, as it must be), a cache git
    checked out is still a file this machine did not make: its owner's seal names another
    file, so it is found to be tracked and refused."""
    clone = forged_clone(sample_copy, tmp_path, monkeypatch, "")
    leaked = tmp_path / "leaked-key-home"
    leaked.mkdir(mode=0o700)
    (leaked / KEY_FILE).write_bytes(KEY)
    (leaked / KEY_FILE).chmod(0o600)
    code, found = strict_under_umask(clone, {KEY_ENV: str(leaked)})
    assert code == 1
    assert found == {
        ("quote-not-found", f"data/{CLAIM}"),
        ("cache-untrusted", f"{CACHE_DIR}/{CACHE_FILE}"),
    }


def test_a_copied_cache_is_replaced_not_trusted(sample_copy: Sample, tmp_path: Path) -> None:
    """The same doctored cache in a copied folder (no git to say it was committed) is
    made again from nothing: the quote is searched, and not found."""
    invent_a_quote(sample_copy)
    run(["--root", str(sample_copy.root), "validate"])
    forge_quote_found(sample_copy)
    copy = tmp_path / "copy"
    shutil.copytree(sample_copy.root, copy)
    found = validate(layout_for(copy)).diagnostics
    assert [(d.code, d.path) for d in found] == [("quote-not-found", f"data/{CLAIM}")]


def test_a_tampered_row_in_our_own_cache_is_ignored(sample_copy: Sample) -> None:
    """A row altered after this tool wrote it fails its seal, as if it were not there."""
    age(sample_copy.root)
    invent_a_quote(sample_copy)
    age(sample_copy.root)
    assert [d.code for d in validate(layout_for(sample_copy.root)).diagnostics] == [
        "quote-not-found"
    ]
    forge_quote_found(sample_copy)
    again = validate(layout_for(sample_copy.root))
    assert not again.cached
    assert [d.code for d in again.diagnostics] == ["quote-not-found"]


def test_a_forged_record_row_is_ignored(sample_copy: Sample) -> None:
    """A stored record rewritten in the cache (its identity kept) is read again from the
    file, not taken from the row."""
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    load(layout)
    db = database(sample_copy)
    with db:
        db.execute(
            "UPDATE records SET record = replace(record, 'undermines', 'supports') WHERE rel = ?",
            (f"data/{CLAIM}",),
        )
    db.close()
    claim = load(layout).ledger.claims["cso-torture-complaints"]
    assert {k: v.value for k, v in claim.bears_on.items()} == {"requirement-2": "undermines"}


def outside_database(path: Path) -> bytes:
    """An SQLite file outside the ledger, with tables a cache would drop; its bytes."""
    db = sqlite3.connect(path)
    with db:
        db.executescript(
            "CREATE TABLE records (rel TEXT); INSERT INTO records VALUES ('precious');"
            "CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('version', 'x');"
        )
    db.close()
    return path.read_bytes()


def untrusted(root: Path, path: str) -> None:
    """validate --strict fails on exactly one warning: the cache at ``path`` was refused."""
    result = run(["--root", str(root), "validate", "--strict", "--format", "json"])
    assert result.exit_code == 1
    (diagnostic,) = json.loads(result.stdout)["diagnostics"]
    assert (diagnostic["code"], diagnostic["path"]) == ("cache-untrusted", path)
    assert "symbolic link" in diagnostic["message"]
    assert run(["--root", str(root), "validate"]).exit_code == 0  # a warning, not an error


def test_a_cache_file_linked_elsewhere_is_neither_read_nor_written(
    sample_copy: Sample, tmp_path: Path
) -> None:
    target = tmp_path / "elsewhere.sqlite3"
    before = outside_database(target)
    (sample_copy.root / CACHE_DIR).mkdir()
    (sample_copy.root / CACHE_DIR / CACHE_FILE).symlink_to(target)
    untrusted(sample_copy.root, f"{CACHE_DIR}/{CACHE_FILE}")
    assert run(["--root", str(sample_copy.root), "status"]).exit_code == 0
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere.sqlite3", "ledger"]


def test_a_linked_gitignore_creates_nothing_outside(sample_copy: Sample, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (sample_copy.root / CACHE_DIR).mkdir()
    (sample_copy.root / CACHE_DIR / ".gitignore").symlink_to(outside / "planted")
    untrusted(sample_copy.root, f"{CACHE_DIR}/.gitignore")
    assert list(outside.iterdir()) == []
    assert not (sample_copy.root / CACHE_DIR / CACHE_FILE).exists()


@pytest.mark.parametrize("side", ["-wal", "-shm", "-journal"])
def test_a_linked_file_beside_the_cache_is_refused(
    sample_copy: Sample, tmp_path: Path, side: str
) -> None:
    target = tmp_path / "elsewhere"
    target.write_bytes(b"not the cache's\n")
    (sample_copy.root / CACHE_DIR).mkdir()
    (sample_copy.root / CACHE_DIR / f"{CACHE_FILE}{side}").symlink_to(target)
    untrusted(sample_copy.root, f"{CACHE_DIR}/{CACHE_FILE}{side}")
    assert target.read_bytes() == b"not the cache's\n"


def test_a_linked_cache_folder_is_refused(sample_copy: Sample, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (sample_copy.root / CACHE_DIR).symlink_to(outside, target_is_directory=True)
    untrusted(sample_copy.root, CACHE_DIR)
    assert list(outside.iterdir()) == []


def test_a_cache_file_with_a_second_name_is_refused(sample_copy: Sample, tmp_path: Path) -> None:
    age(sample_copy.root)
    validate(layout_for(sample_copy.root))
    other = tmp_path / "second-name.sqlite3"
    os.link(sample_copy.root / CACHE_DIR / CACHE_FILE, other)
    before = other.read_bytes()
    found = validate(layout_for(sample_copy.root))
    assert not found.cached
    (diagnostic,) = found.diagnostics
    assert diagnostic.path == f"{CACHE_DIR}/{CACHE_FILE}"
    assert where(diagnostic) == ("cache-untrusted", 0, 0, "")
    assert "another name (a hard link)" in diagnostic.message
    assert other.read_bytes() == before


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
