"""Pausing Python's cyclic garbage collector around work that builds many objects.

With a large ledger in memory, every full collection walks all of it again; work that
allocates a lot (loading, a status report) would trigger many. Such work makes no cycles
worth collecting early, so the collector is paused and restored as it was.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def kept_to_the_end() -> Iterator[None]:
    """Work whose result lives until the process exits (a command's ledger): the collector
    paused during it, and everything alive after it left out of every later collection
    (:func:`keep_out_of_collection`).

    Freezing only once the collector runs again would be too late: resuming it, the next
    allocation starts a collection of the youngest generation, which is everything built
    while it was paused (a third of a second for a ledger of 100,000 records)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def keep_out_of_collection() -> None:
    """Leave every object alive now out of the collector's walks from here on.

    A command loads the ledger once and keeps it until it exits: 100,000 records are
    millions of objects, and each full collection the work after the load triggers
    (building an index, a report) would walk them all again, for nothing: they are never
    garbage. Objects freed later by reference counting are freed as before."""
    gc.freeze()
