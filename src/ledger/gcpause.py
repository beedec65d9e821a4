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
