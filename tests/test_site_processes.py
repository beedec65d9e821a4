"""A large site rendered by two processes: the same files, the same first failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import SAMPLE
from ledger.publish.site import MANIFEST, build_site, processes
from ledger.records.ledger import Ledger
from ledger.records.load import load
from ledger.records.root import Layout, open_layout

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="processes are forked")


@pytest.fixture(scope="module")
def sample() -> Ledger:
    layout = open_layout(SAMPLE)
    assert isinstance(layout, Layout)
    return load(layout).ledger


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_two_processes_write_the_very_site_one_writes(
    sample: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = build_site(sample, tmp_path / "one")
    monkeypatch.setattr(processes, "processes_for", lambda pages: 2)

    two = build_site(sample, tmp_path / "two")

    assert one.error is None and two.error is None
    assert two.written == one.written  # in the site's order
    assert files_of(tmp_path / "two") == files_of(tmp_path / "one")
    assert len(one.written) > 20 and MANIFEST not in one.written


def test_the_failure_of_the_first_page_is_told_whichever_process_met_it(
    sample: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages go to the two processes in turn: the third page (the first process's second)
    and the fourth (the second process's second) both fail; the third is told."""
    monkeypatch.setattr(processes, "processes_for", lambda pages: 2)
    (tmp_path / "site").mkdir()
    for blocked in ("cases.html", "sources.html"):  # a folder where the page goes
        (tmp_path / "site" / blocked).mkdir()
    (tmp_path / "site" / MANIFEST).write_text('{"version": 2, "files": {}}', encoding="utf-8")

    result = build_site(sample, tmp_path / "site")

    assert result.error is not None and "cases.html" in result.error
    assert "index.html" in result.written and "about.html" in result.written


def test_a_defect_in_the_second_process_is_told_not_waited_on(
    sample: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledger.publish.site import pages

    monkeypatch.setattr(processes, "processes_for", lambda pages: 2)
    parent = os.getpid()
    real = pages.about_page

    def broken(site: pages.Site) -> str:
        if os.getpid() != parent:
            raise ValueError("a defect")
        return real(site)

    monkeypatch.setattr(pages, "about_page", broken)

    result = build_site(sample, tmp_path / "site")

    assert result.error == "a process rendering the site failed: ValueError: a defect"
