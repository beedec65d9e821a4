"""Pausing Python's cyclic garbage collector around work that builds many objects.

With a large ledger in memory, every full collection walks all of it again; work that
allocates a lot (loading, a status report) would trigger many. Such work makes no cycles
worth collecting early, so the collector is paused and restored as it was.
"""

from __future__ import annotations

import _thread
import gc
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = _thread.allocate_lock()
_pauses = 0
"""Pauses under way, in any thread: the collector is on again when the last one ends."""
_restore = False
"""Whether the collector was on when the first of them began."""


@contextmanager
def paused_gc() -> Iterator[None]:
    """The collector paused while the block runs. Pauses overlap in `ledger serve`, which
    answers requests on threads: the collector stays off until the last of them ends, and
    then is as it was before the first began."""
    _pause()
    try:
        yield
    finally:
        _resume()


def _pause() -> None:
    global _pauses, _restore
    with _LOCK:
        if _pauses == 0:
            _restore = gc.isenabled()
            gc.disable()
        _pauses += 1


def _resume(freeze: bool = False) -> None:
    global _pauses
    with _LOCK:
        _pauses -= 1
        if freeze:
            gc.freeze()
        if _pauses == 0 and _restore:
            gc.enable()


@contextmanager
def kept_to_the_end() -> Iterator[None]:
    """Work whose result lives until the process exits (a command's ledger): the collector
    paused during it, and everything alive after it left out of every later collection
    (:func:`keep_out_of_collection`).

    Freezing only once the collector runs again would be too late: resuming it, the next
    allocation starts a collection of the youngest generation, which is everything built
    while it was paused (a third of a second for a ledger of 100,000 records)."""
    _pause()
    try:
        yield
    finally:
        _resume(freeze=True)


def keep_out_of_collection() -> None:
    """Leave every object alive now out of the collector's walks from here on.

    A command loads the ledger once and keeps it until it exits: 100,000 records are
    millions of objects, and each full collection the work after the load triggers
    (building an index, a report) would walk them all again, for nothing: they are never
    garbage. Objects freed later by reference counting are freed as before."""
    gc.freeze()
