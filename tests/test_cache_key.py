"""The key that seals the cache: made once, private, never taken through a link, and never
inside a ledger."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import ledger.store.cache_key as key_module
from conftest import SAMPLE, Sample, age, layout_for
from ledger.analysis.validation import validate
from ledger.store.cache_key import (
    KEY_BYTES,
    KEY_ENV,
    KEY_FILE,
    KeyRefusal,
    Sealer,
    key_folder,
    ledger_sealer,
    machine_sealer,
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A key folder of this test's own, with no key read yet."""
    folder = tmp_path / "cache-home"
    monkeypatch.setenv(KEY_ENV, str(folder))
    key_module._key_in.cache_clear()
    yield folder
    key_module._key_in.cache_clear()


def test_the_key_is_made_once_and_readable_by_its_owner_only(home: Path) -> None:
    sealer = machine_sealer()
    assert sealer is not None
    key = home / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_bytes()) == KEY_BYTES
    key_module._key_in.cache_clear()
    again = machine_sealer()
    assert again is not None and again.seal("x") == sealer.seal("x")
    assert sorted(p.name for p in home.iterdir()) == [KEY_FILE]


@pytest.mark.parametrize("how", ["link", "shared", "short"])
def test_an_unfit_key_is_replaced(home: Path, tmp_path: Path, how: str) -> None:
    home.mkdir()
    known = b"k" * KEY_BYTES
    if how == "link":
        planted = tmp_path / "planted"
        planted.write_bytes(known)
        planted.chmod(0o600)
        (home / KEY_FILE).symlink_to(planted)
    else:
        (home / KEY_FILE).write_bytes(known if how == "shared" else known[:8])
        (home / KEY_FILE).chmod(0o644 if how == "shared" else 0o600)
    sealer = machine_sealer()
    assert sealer is not None
    assert sealer.seal("x") != Sealer(known).seal("x")
    assert not (home / KEY_FILE).is_symlink()
    assert stat.S_IMODE((home / KEY_FILE).stat().st_mode) == 0o600
    if how == "link":
        assert planted.read_bytes() == known


def test_without_a_key_the_ledger_is_read_uncached(home: Path, sample_copy: Sample) -> None:
    home.write_text("a file where the key folder should be\n")
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    assert validate(layout).diagnostics == []
    found = validate(layout)
    assert found.diagnostics == [] and not found.cached


def test_the_key_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(KEY_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert key_folder() == tmp_path / "ledger"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # ignored, as the XDG spec says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert key_folder() == tmp_path / "home" / ".cache" / "ledger"


def test_a_seal_depends_on_the_key_and_every_byte() -> None:
    one, other = Sealer(os.urandom(KEY_BYTES)), Sealer(os.urandom(KEY_BYTES))
    assert one.holds("quotes\0a\0b", one.seal("quotes\0a\0b"))
    assert not one.holds("quotes\0a\0c", one.seal("quotes\0a\0b"))
    assert not one.holds("quotes\0a\0b", other.seal("quotes\0a\0b"))
    assert not one.holds("quotes\0a\0b", None)


def test_a_relative_key_folder_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A relative LEDGER_CACHE_HOME would name a folder in the current one, a checkout
    perhaps: it is ignored, as the XDG spec has a relative XDG_CACHE_HOME ignored."""
    monkeypatch.setenv(KEY_ENV, ".key")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert key_folder() == tmp_path / "ledger"


def refused(root: Path, why: str) -> None:
    """The key is refused for ``why``: no sealer, and validate warns, naming the reason."""
    found = ledger_sealer(root)
    assert isinstance(found, KeyRefusal) and why in found.why
    assert machine_sealer(root) is None
    age(root)
    layout = layout_for(root)
    for _ in range(2):
        result = validate(layout)
        assert not result.cached
        (diagnostic,) = result.diagnostics
        assert diagnostic.code == "cache-untrusted" and why in diagnostic.message
    assert not (root / ".ledger-cache").exists()


def test_a_key_folder_inside_the_ledger_is_refused(
    home: Path, sample_copy: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, str(sample_copy.root / ".key"))
    refused(sample_copy.root, "inside the ledger")
    assert not (sample_copy.root / ".key").exists()  # and no key is made there


def test_a_key_folder_inside_the_work_tree_is_refused(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ledger in a sub-folder of a checkout: a key elsewhere in the checkout is refused."""
    checkout = tmp_path / "checkout"
    (checkout / ".git").mkdir(parents=True)
    shutil.copytree(SAMPLE, checkout / "ledger", ignore=shutil.ignore_patterns(".ledger-cache"))
    monkeypatch.setenv(KEY_ENV, str(checkout / ".xdg" / "ledger"))
    refused(checkout / "ledger", "inside the git work tree")
    assert not (checkout / ".xdg").exists()


def test_a_key_folder_behind_a_link_is_refused(
    home: Path, sample_copy: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real-home"
    real.mkdir()
    (tmp_path / "linked-home").symlink_to(real, target_is_directory=True)
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "linked-home" / "ledger"))
    refused(sample_copy.root, "symbolic link")
    assert list(real.iterdir()) == []


@pytest.mark.parametrize("how", ["hard-link", "not-ours"])
def test_a_key_not_wholly_ours_is_refused_not_replaced(
    home: Path, sample_copy: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    home.mkdir()
    key = home / KEY_FILE
    key.write_bytes(b"k" * KEY_BYTES)
    key.chmod(0o600)
    if how == "hard-link":
        os.link(key, tmp_path / "second-name")
        refused(sample_copy.root, "another name (a hard link)")
    else:
        monkeypatch.setattr(os, "geteuid", lambda: key.stat().st_uid + 1)
        refused(sample_copy.root, "owned by another user")
    assert key.read_bytes() == b"k" * KEY_BYTES
