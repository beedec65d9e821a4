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


def _fails_in_the_second(monkeypatch: pytest.MonkeyPatch, name: str, error: BaseException) -> None:
    """Two processes, and the page function ``name`` raising ``error`` in the second only."""
    from ledger.publish.site import pages

    monkeypatch.setattr(processes, "processes_for", lambda pages: 2)
    parent = os.getpid()
    real = getattr(pages, name)

    def page(*args: object) -> object:
        if os.getpid() != parent:
            raise error
        return real(*args)

    monkeypatch.setattr(pages, name, page)


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
    _fails_in_the_second(monkeypatch, "about_page", ValueError("a defect"))

    result = build_site(sample, tmp_path / "site")

    assert result.error == "a process rendering the site failed: ValueError: a defect"


def test_the_load_stays_out_of_collection(
    sample: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load leaves the ledger out of the collector's walks for the rest of the command
    (gcpause.keep_out_of_collection): building the site does not put it back."""
    import gc

    monkeypatch.setattr(processes, "processes_for", lambda pages: 2)
    gc.freeze()
    before = gc.get_freeze_count()
    try:
        assert build_site(sample, tmp_path / "site").error is None
        assert gc.get_freeze_count() >= before
    finally:
        gc.unfreeze()


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*.tmp")]


def test_a_defect_in_the_first_process_stops_the_second_cleanly_and_at_once(
    sample: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second process is interrupted as Ctrl-C would (its writes end whole), not left
    to finish nor killed mid-write; the defect is raised as in one process."""
    import multiprocessing
    import time

    from ledger.publish.site import pages

    monkeypatch.setattr(processes, "processes_for", lambda pages: 2)
    parent = os.getpid()
    real = pages.claim_page

    def claim_page(site: pages.Site, claim: object) -> str:
        if os.getpid() == parent:
            raise ValueError("a defect")
        time.sleep(3)  # the second process has seconds of work left when the first fails
        return real(site, claim)  # type: ignore[arg-type]

    monkeypatch.setattr(pages, "claim_page", claim_page)
    started = time.monotonic()

    with pytest.raises(ValueError, match="a defect"):
        build_site(sample, tmp_path / "site")

    assert time.monotonic() - started < 4  # the second share alone takes longer
    assert multiprocessing.active_children() == []
    assert _leftovers(tmp_path / "site") == []


def test_ctrl_c_in_the_second_process_prints_no_traceback(
    sample: Ledger,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    _fails_in_the_second(monkeypatch, "about_page", KeyboardInterrupt())

    result = build_site(sample, tmp_path / "site")

    assert result.error == "a process rendering the site stopped unexpectedly"
    assert "Traceback" not in capfd.readouterr().err
    assert _leftovers(tmp_path / "site") == []


def test_the_first_failure_is_told_over_a_later_defect_in_the_second_process(
    sample: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first process fails at the site's third page (a folder is in its way); the second
    fails later, rendering a claim's page: one process would have stopped at the third."""
    _fails_in_the_second(monkeypatch, "claim_page", ValueError("a defect late in the share"))
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "cases.html").mkdir()
    (tmp_path / "site" / MANIFEST).write_text('{"version": 2, "files": {}}', encoding="utf-8")

    result = build_site(sample, tmp_path / "site")

    assert result.error is not None and "cases.html" in result.error, result.error


def test_a_share_whose_parent_is_gone_stops() -> None:
    """A process whose parent ended (killed alone, by the kernel or by kill) stops at its
    next page instead of writing for nobody, then waiting forever to say so."""
    share = processes._Share([("a.html", lambda: "a")], parent=-1)

    with pytest.raises(processes._ParentGone):
        next(share.pages())
