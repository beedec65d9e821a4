"""The walk of a large record folder shared with a second process finds exactly what one
process finds, in the same order, and falls back to one process whenever the second fails
or forking is not safe."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from ledger.records import split_walk
from ledger.records.root import Layout, open_layout
from ledger.records.scan import Scan, scan_data

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the walk is shared on Linux only")


def a_ledger(root: Path) -> Layout:
    """Forty source folders of claims, with the oddities the walk reports or counts: a
    hidden folder, a link, a .yml file, a folder in a folder."""
    (root / "ledger.toml").write_text('[ledger]\ndata = "data"\n', encoding="utf-8")
    claims = root / "data" / "claims"
    for n in range(40):
        folder = claims / f"source-{n:02d}"
        folder.mkdir(parents=True)
        for m in range(3):
            (folder / f"claim-{n}-{m}.yaml").write_text(f"id: claim-{n}-{m}\n", encoding="utf-8")
    (claims / "source-03" / "deeper").mkdir()
    (claims / "source-03" / "deeper" / "claim-deep.yaml").write_text("id: x\n", encoding="utf-8")
    (claims / ".hidden").mkdir()
    (claims / ".hidden" / "archive.txt").write_text("kept\n", encoding="utf-8")
    (claims / "source-05" / "old.yml").write_text("id: old\n", encoding="utf-8")
    (claims / "source-07" / "link.yaml").symlink_to(claims / "source-07" / "claim-7-0.yaml")
    (claims / "top.yaml").write_text("id: top\n", encoding="utf-8")
    layout = open_layout(root)
    assert isinstance(layout, Layout)
    return layout


def walked(scan: Scan) -> tuple[Any, ...]:
    return (scan.identities, scan.found, scan.diagnostics, scan.unlisted)


def one_process(layout: Layout, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    with monkeypatch.context() as patch:
        patch.setattr(split_walk, "SPLIT_FROM", 10**9)
        return walked(scan_data(layout))


def test_two_processes_find_what_one_finds_in_the_same_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = a_ledger(tmp_path)
    forks = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(split_walk, "SPLIT_FROM", 4)

    shared = walked(scan_data(layout))

    assert len(forks) == 1
    assert shared == one_process(layout, monkeypatch)
    identities, found, diagnostics, _unlisted = shared
    assert len(found) == 40 * 3 + 2  # the deep one and the top one; the link is none
    assert {d.code for d in diagnostics} == {"misplaced-file", "not-a-regular-file"}
    assert "data/claims/.hidden/archive.txt" in dict(identities)


def test_a_second_process_that_sends_nothing_whole_leaves_the_walk_to_this_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = a_ledger(tmp_path)
    expected = one_process(layout, monkeypatch)

    class Broken:
        """marshal, failing in the child: it ends having sent nothing."""

        loads = staticmethod(split_walk.marshal.loads)

        @staticmethod
        def dumps(value: object) -> bytes:
            raise RuntimeError("the child fails")

    monkeypatch.setattr(split_walk, "marshal", Broken)
    monkeypatch.setattr(split_walk, "SPLIT_FROM", 4)

    assert walked(scan_data(layout)) == expected


def test_no_second_process_while_another_thread_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process with threads (`ledger serve`) is not forked: the child could be left
    holding a lock some other thread held."""
    layout = a_ledger(tmp_path)

    def fork() -> int:
        raise AssertionError("forked beside another thread")

    monkeypatch.setattr(split_walk, "SPLIT_FROM", 4)
    monkeypatch.setattr(os, "fork", fork)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        found = walked(scan_data(layout))
    finally:
        stop.set()
        other.join()

    assert found == one_process(layout, monkeypatch)
