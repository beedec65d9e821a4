"""Rendering and writing a large site's pages in more than one process.

Rendering is Python holding the interpreter's lock: at 100,000 claims it is most of a build,
on one core however many the machine has. A site of :data:`SPLIT_FROM` pages or more is
therefore split in turn between processes forked once the ledger and its analysis are built
(so they are shared, not rebuilt), each rendering and writing its share as a build in one
process does (:func:`ledger.publish.site.writer.write_all`), and sending back what the
manifest keeps of each file (its SHA-256, and whether it was written). Where ``fork`` is
not how processes start (macOS, Windows), or the site is small, one process does it all.

Each share stops at its own first failure; the build reports the failure of the page that
comes first, as one process would have stopped there.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ledger.gcpause import keep_out_of_collection
from ledger.publish.site.writer import Kept, Place, Stored, Text, write_all

Job = tuple[str, Callable[[], Text]]
"""A file of the site: its path, and what makes its text."""

SPLIT_FROM = 5000
"""Pages below which one process renders them all: forking and merging cost more than they
save (a site of 1,000 claims has about 1,200 pages)."""

MOST = 2
"""Processes at most: each more holds its own copy of every page of the ledger it touches."""


def processes_for(pages: int) -> int:
    """How many processes render a site of ``pages`` pages here (the cores this process
    may run on, not every core of the machine)."""
    if pages < SPLIT_FROM or not sys.platform.startswith("linux"):
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(MOST, cores or 1))


Outcome = tuple[dict[str, Stored], str | None, int]
"""What one process did with its share: what the manifest keeps of each file it wrote (or
left as it was), its failure (or None), and where in its share it stopped (its length when
it did not)."""


def write_jobs(
    jobs: Sequence[Job], place: Place, kept: Kept | None = None
) -> tuple[dict[str, Stored], str | None]:
    """Render and write every job (but the files ``kept`` as they are): what the manifest
    keeps of each file, in the jobs' order, and the first failure (None when all were
    written)."""
    count = processes_for(len(jobs))
    if count == 1:
        return write_all(((path, make()) for path, make in jobs), place, kept)
    import multiprocessing

    context = multiprocessing.get_context("fork")
    shares = [jobs[n::count] for n in range(count)]
    children = []
    parent = os.getpid()
    keep_out_of_collection()  # so the children's collector never touches (and copies) it
    finished = False
    try:
        for share in shares[1:]:
            reader, sender = context.Pipe(duplex=False)
            child = context.Process(
                target=_in_child, args=(share, place, kept, reader, sender, parent), daemon=True
            )
            child.start()
            sender.close()
            children.append((child, reader))
        outcomes = [_Share(shares[0]).written(place, kept)]
        for _process, reader in children:
            try:
                outcomes.append(reader.recv())
            except EOFError:
                outcomes.append(({}, "a process rendering the site stopped unexpectedly", 0))
        finished = True
    finally:
        for child, reader in children:
            reader.close()  # a child still sending gets a broken pipe, and ends
            if not finished:  # stopped short: the child too, as Ctrl-C stops it (cleanly)
                child.join(0.5)  # Ctrl-C reached it already, with this process
                if child.is_alive():
                    os.kill(child.pid, signal.SIGINT)
            child.join(10)
            if child.is_alive():
                child.terminate()
                child.join()
    return _merged(jobs, shares, outcomes)


class _ParentGone(Exception):
    """The process that forked this one ended: nobody will take what this one writes."""


class _Share:
    """One process's share of the pages, rendered in order, knowing which it has reached."""

    def __init__(self, jobs: Sequence[Job], parent: int | None = None) -> None:
        self.jobs = jobs
        self.parent = parent
        self.reached = 0

    def pages(self) -> Iterator[tuple[str, Text]]:
        for number, (path, make) in enumerate(self.jobs):
            if self.parent is not None and os.getppid() != self.parent:
                raise _ParentGone
            self.reached = number
            yield path, make()

    def written(self, place: Place, kept: Kept | None) -> Outcome:
        digests, error = write_all(self.pages(), place, kept)
        if error is None:
            return digests, None, len(self.jobs)
        stopped = next((i for i, (path, _) in enumerate(self.jobs) if path not in digests), 0)
        return digests, error, stopped


def _in_child(
    share: Sequence[Job], place: Place, kept: Kept | None, reader: Any, sender: Any, parent: int
) -> None:
    reader.close()  # only the parent reads: with its end closed, a send fails, not waits
    work = _Share(share, parent)
    try:
        outcome = work.written(place, kept)
    except (KeyboardInterrupt, _ParentGone):
        return  # interrupted, or orphaned: whoever stopped the build says so
    except Exception as exc:  # a defect: said, as a traceback would say it in one process
        message = f"a process rendering the site failed: {type(exc).__name__}: {exc}"
        outcome = ({}, message, work.reached)
    try:
        sender.send(outcome)
    except OSError:
        pass  # the parent is gone or gave up: nobody to tell
    finally:
        sender.close()


def _merged(
    jobs: Sequence[Job], shares: list[Sequence[Job]], outcomes: list[Outcome]
) -> tuple[dict[str, Stored], str | None]:
    """The files in the jobs' order, and the failure whose page comes first."""
    written: dict[str, Stored] = {}
    failed: list[tuple[int, str]] = []
    for number, (digests, error, stopped) in enumerate(outcomes):
        written.update(digests)
        if error is not None:
            failed.append((stopped * len(shares) + number, error))
    ordered = {path: written[path] for path, _ in jobs if path in written}
    return ordered, min(failed)[1] if failed else None
