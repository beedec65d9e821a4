"""The site's writer: files written while later pages render, with a bound on what waits."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.publish.site import writer


def test_every_file_is_written_with_its_digest(tmp_path: Path) -> None:
    files = [(f"page-{n}.html", "x" * n) for n in range(200)]

    digests, error = writer.write_all(iter(files), lambda rel: tmp_path / rel)

    assert error is None
    assert list(digests) == [rel for rel, _ in files]
    assert all((tmp_path / rel).read_text(encoding="utf-8") == text for rel, text in files)


def test_a_file_in_pieces_is_written_whole_with_the_digest_of_the_whole(tmp_path: Path) -> None:
    import hashlib

    pieces = ["<p>caf\u00e9 ", "", "\u2028 & more</p>"] * 3

    digests, error = writer.write_all(iter([("search.html", pieces)]), lambda rel: tmp_path / rel)

    written = (tmp_path / "search.html").read_bytes()
    assert error is None and written == "".join(pieces).encode("utf-8")
    assert digests == {"search.html": writer.Stored(hashlib.sha256(written).hexdigest())}


def test_the_search_page_on_disk_is_the_page_rendered(tmp_path: Path) -> None:
    from conftest import SAMPLE
    from ledger.publish.site import build_site, render_site
    from ledger.records.load import load
    from ledger.records.root import Layout, open_layout

    layout = open_layout(SAMPLE)
    assert isinstance(layout, Layout)
    ledger = load(layout).ledger

    result = build_site(ledger, tmp_path / "site")

    assert result.error is None
    page = (tmp_path / "site" / "search.html").read_text(encoding="utf-8")
    assert page == render_site(ledger)["search.html"]
    assert page.count('<script type="application/json"') == 1


def test_a_path_whose_last_part_is_no_name_does_not_move_later_files(tmp_path: Path) -> None:
    """``cases/`` names the folder itself: it may not be taken for a file, nor make later
    files of ``cases/`` land in the site's root."""
    from ledger.publish.site import write_site

    result = write_site({"cases/a.html": "a", "cases/": "x", "cases/b.html": "b"}, tmp_path)

    assert result.error is not None
    assert (tmp_path / "cases" / "a.html").read_text() == "a"
    assert not (tmp_path / "b.html").exists() and not (tmp_path / "a.html").exists()


def test_a_page_named_for_a_windows_device_says_so(tmp_path: Path) -> None:
    from ledger.publish.site import write_site

    result = write_site({"cases/a.html": "a", "cases/con.html": "x"}, tmp_path / "site")

    assert result.error == (
        "refused to write cases/con.html: the path has the name 'con.html', which is a "
        "device on Windows, not a file"
    )


def test_pages_are_not_flushed_one_by_one_but_the_manifest_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flush per page cost a fifth of a millisecond each (117,000 pages at 100,000 claims);
    a page is still renamed into place whole, and the manifest, written last, is flushed."""
    import os

    from ledger.publish.site import write_site

    flushed: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: flushed.append(fd) or real_fsync(fd))
    files = {f"page-{n}.html": f"<p>{n}</p>" for n in range(50)}

    result = write_site(files, tmp_path / "site")

    assert result.error is None and sorted(result.written) == sorted(files)
    assert len(flushed) == 1  # the manifest
    assert all((tmp_path / "site" / rel).read_text() == text for rel, text in files.items())
    assert not [p for p in (tmp_path / "site").iterdir() if p.name.endswith(".tmp")]


def test_large_pages_wait_to_be_written_before_more_are_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the first file's write held back, no page past the character bound is rendered:
    four 80 MB requirement pages never wait in memory together."""
    monkeypatch.setattr(writer, "AHEAD_CHARS", 10)
    release = threading.Event()
    real = writer._store

    def slow(target: Path, text: str, earlier: str | None) -> tuple[writer.Stored, str | None]:
        if target.name == "page-0.html":
            assert release.wait(10)
        return real(target, text, earlier)

    monkeypatch.setattr(writer, "_store", slow)
    rendered: list[str] = []

    def pages() -> Iterator[tuple[str, str]]:
        for n in range(6):
            rendered.append(f"page-{n}.html")
            if n == 3:  # rendered only once the first file was written
                assert (tmp_path / "page-0.html").exists()
            yield f"page-{n}.html", "abcdef"  # two of them are past the bound of 10

    threading.Timer(0.2, release.set).start()
    digests, error = writer.write_all(pages(), lambda rel: tmp_path / rel)

    assert error is None and len(digests) == 6 and len(rendered) == 6


def test_the_pages_of_a_build_that_failed_are_removed_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that fails part way has written some pages: they are recorded with the last
    build's, so the next build removes those it does not make, and a folder whose first
    build failed is not refused as someone else's."""
    from ledger.publish.site import MANIFEST, write_site

    # Each page written before the next is placed: a page already handed to a thread but
    # not yet started when a later one is refused would not be written at all.
    monkeypatch.setattr(writer, "AHEAD", 0)
    site = tmp_path / "site"
    failed = write_site({"stale.html": "s", "cases/con.html": "x"}, site)
    assert failed.error is not None and (site / "stale.html").exists()
    assert write_site({"a.html": "a", "b.html": "b"}, site).error is None
    failed = write_site({"a.html": "a", "c.html": "c", "cases/con.html": "x"}, site)
    assert failed.error is not None and (site / "c.html").read_text() == "c"

    result = write_site({"a.html": "a2"}, site)

    assert result.error is None
    assert sorted(result.removed) == ["b.html", "c.html"]
    assert sorted(p.name for p in site.rglob("*") if p.is_file()) == [MANIFEST, "a.html"]
