"""Pausing the collector: what a command keeps to the end is left out of later collections
without the collector first sweeping it all once."""

from __future__ import annotations

import gc

from ledger.gcpause import kept_to_the_end, paused_gc


def test_what_is_kept_to_the_end_is_frozen_before_the_collector_runs_again() -> None:
    assert gc.isenabled()
    frozen, sweeps = gc.get_freeze_count(), gc.get_stats()[0]["collections"]
    with kept_to_the_end():
        assert not gc.isenabled()
        kept = [[n] for n in range(50_000)]  # far past the youngest generation's threshold
        with paused_gc():  # a library's own pause inside restores it paused
            pass
        assert not gc.isenabled()

    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + len(kept)
    assert gc.get_stats()[0]["collections"] == sweeps  # no sweep of what was built
    assert gc.get_count()[0] < 700  # and none due: the young generation was emptied


def test_a_paused_collector_stays_paused() -> None:
    gc.disable()
    try:
        with kept_to_the_end():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_pauses_that_overlap_keep_the_collector_off_until_the_last_ends() -> None:
    """`ledger serve` answers on threads: two requests' pauses overlap, the first ending
    before the second. The collector stays off until the second ends, and is on after."""
    assert gc.isenabled()
    first, second = paused_gc(), paused_gc()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()
