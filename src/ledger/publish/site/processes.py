"""Rendering and writing a large site's pages in more than one process.

Rendering is Python holding the interpreter's lock: at 100,000 claims it is most of a build,
on one core however many the machine has. A site of more than :data:`SPLIT_FROM` pages is
therefore split in turn between processes forked once the ledger and its analysis are built
(so they are shared, not rebuilt), each rendering and writing its share as a build in one
process does (:func:`ledger.publish.site.writer.write_all`), and sending back the SHA-256 of
each file it wrote. Where ``fork`` is not how processes start (macOS, Windows), or the site is
small, one process does it all.

Each share stops at its own first failure; the build reports the failure of the page that
comes first, as one process would have stopped there.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ledger.gcpause import keep_out_of_collection
from ledger.publish.site.writer import Place, Text, write_all

Job = tuple[str, Callable[[], Text]]
"""A file of the site: its path, and what makes its text."""

SPLIT_FROM = 5000
"""Pages below which one process renders them all: forking and merging cost more than they
save (a site of 1,000 claims has about 1,200 pages)."""

MOST = 2
"""Processes at most: each more holds its own copy of every page of the ledger it touches."""


def processes_for(pages: int) -> int:
    """How many processes render a site of ``pages`` pages here."""
    if pages < SPLIT_FROM or not sys.platform.startswith("linux"):
        return 1
    return max(1, min(MOST, os.cpu_count() or 1))


def write_jobs(jobs: Sequence[Job], place: Place) -> tuple[dict[str, str], str | None]:
    """Render and write every job: the SHA-256 of each file written, in the jobs' order, and
    the first failure (None when all were written)."""
    count = processes_for(len(jobs))
    if count == 1:
        return write_all(((path, make()) for path, make in jobs), place)
    import multiprocessing

    context = multiprocessing.get_context("fork")
    shares = [jobs[n::count] for n in range(count)]
    children = []
    keep_out_of_collection()  # so the children's collector never touches (and copies) it
    try:
        for share in shares[1:]:
            reader, sender = context.Pipe(duplex=False)
            child = context.Process(target=_in_child, args=(share, place, sender), daemon=True)
            child.start()
            sender.close()
            children.append((child, reader))
        outcomes = [_share(shares[0], place)]
        for _process, reader in children:
            try:
                outcomes.append(reader.recv())
            except EOFError:
                outcomes.append(({}, "a process rendering the site stopped unexpectedly"))
    finally:
        for child, reader in children:
            reader.close()
            child.join(5)  # it has sent its outcome, or stopped: it ends at once
            if child.is_alive():
                child.terminate()
                child.join()
    return _merged(jobs, shares, outcomes)


def _share(share: Sequence[Job], place: Place) -> tuple[dict[str, str], str | None]:
    return write_all(((path, make()) for path, make in share), place)


def _in_child(share: Sequence[Job], place: Place, sender: Any) -> None:
    try:
        outcome: tuple[dict[str, str], str | None] = _share(share, place)
    except Exception as exc:  # a defect: said, as a traceback would say it in one process
        outcome = ({}, f"a process rendering the site failed: {type(exc).__name__}: {exc}")
    sender.send(outcome)
    sender.close()


def _merged(
    jobs: Sequence[Job],
    shares: list[Sequence[Job]],
    outcomes: list[tuple[dict[str, str], str | None]],
) -> tuple[dict[str, str], str | None]:
    """The digests in the jobs' order, and the failure whose page comes first."""
    written: dict[str, str] = {}
    for digests, _error in outcomes:
        written.update(digests)
    failed: list[tuple[int, str]] = []
    for number, (share, (digests, error)) in enumerate(zip(shares, outcomes, strict=True)):
        if error is not None:
            stopped = next((i for i, (path, _) in enumerate(share) if path not in digests), 0)
            failed.append((stopped * len(shares) + number, error))
    ordered = {path: written[path] for path, _ in jobs if path in written}
    return ordered, min(failed)[1] if failed else None
