"""The key that seals the cache: made once, private, never taken through a link, and never
inside a ledger."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import ledger.cache_key as key_module
from conftest import Sample, age, layout_for
from ledger.cache_key import KEY_BYTES, KEY_ENV, KEY_FILE, Sealer, key_folder, machine_sealer
from ledger.validation import validate


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
