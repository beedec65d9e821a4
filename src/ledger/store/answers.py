"""Whole-ledger answers remembered between runs, so a question asked again of an unchanged
ledger is answered without reading a record file (or importing the schema).

An answer is JSON stored under a name (``validate``, a command line's output) with one
fingerprint of every file under data/, the ledger's marker file, and the code that computed
the answer. It is given back only when all of those are exactly as they were; cache.py says
what "exactly" means and why the cache is never trusted blindly.
"""

from __future__ import annotations

from typing import Any

from ledger.records.root import Layout
from ledger.records.scan import Scan, ledger_key
from ledger.store.cache import open_cache


class Answers:
    """The answers remembered for one state of a ledger (one scan of its files), or for
    one ``key`` that says all an answer depends on (two commits a diff compares)."""

    def __init__(
        self, layout: Layout, scan: Scan | None, *, enabled: bool = True, key: str = ""
    ) -> None:
        self.layout = layout
        self.enabled = enabled and layout.cacheable and (scan is not None or bool(key))
        self.settled = scan.all_settled if scan is not None else True
        self.key = key or (ledger_key(layout, scan) if self.enabled and scan else "")

    def recall(self, name: str) -> Any | None:
        """The answer stored under ``name`` for exactly this ledger, or None."""
        cache = open_cache(self.layout) if self.enabled else None
        if cache is None:
            return None
        try:
            return cache.result(name, self.key)
        finally:
            cache.close()

    def newest(self, name: str) -> Any | None:
        """The answer stored under ``name`` for whatever state the ledger was in then (the
        caller decides whether it still answers), or None."""
        import json

        cache = open_cache(self.layout) if self.enabled else None
        if cache is None:
            return None
        try:
            found = cache.newest(name)
        finally:
            cache.close()
        try:
            return json.loads(found[1]) if found is not None else None
        except (ValueError, RecursionError):
            return None

    def holds(self, name: str) -> bool:
        """Whether an answer is stored under ``name`` for this state (its fingerprint only is
        compared: the answer is neither read nor checked)."""
        cache = open_cache(self.layout) if self.enabled else None
        if cache is None:
            return False
        try:
            return cache.fingerprint(name) == self.key
        finally:
            cache.close()

    def remember(self, name: str, value: Any, family: str = "") -> None:
        """Store an answer; with ``family`` (a name prefix), forget the family's answers
        for earlier states of the ledger. When a file had not settled when the walk began
        (scan.py's racy-file rule), nothing is stored."""
        cache = open_cache(self.layout) if self.enabled and self.settled else None
        if cache is None:
            return
        try:
            cache.store_result(name, self.key, value, family)
        finally:
            cache.close()
