"""The benchmark's growth check: which commands grow too fast for the data."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import run as bench


def sized(claims: int, figures: dict[str, float]) -> bench.SizeResult:
    """A SizeResult whose series each hold one run of the given milliseconds."""
    series = {}
    for key, ms in figures.items():
        series[key] = bench.Series(key, [bench.Run(ms / 1000, 0, 0)])
    return bench.SizeResult(claims, 0, 0, None, series)


def test_a_command_growing_faster_than_the_limit_is_named() -> None:
    linear = {"warm": 100, "read": 10, "stat": 5}
    small = sized(1000, {**linear, "command: gaps": 100, "command: diff": 100})
    big = sized(10000, {"warm": 900, "read": 100, "stat": 50})
    big.series.update(sized(10000, {"command: gaps": 1000, "command: diff": 4000}).series)
    assert bench.too_fast_growing([big, small], 15) == ["diff"]
    lines = bench.command_report([small, big], 1, 15)
    assert any("MISS" in line and "diff" in line for line in lines)


def test_growth_is_judged_per_ten_times_the_claims() -> None:
    small = sized(500, {"warm": 100, "read": 10, "stat": 5, "command: site": 100})
    big = sized(2000, {"warm": 400, "read": 40, "stat": 20, "command: site": 1600})
    times, per_ten = bench.growth([small, big], "command: site")
    assert round(times) == 16 and round(per_ten) == 100
    assert bench.too_fast_growing([small, big], 15) == ["site"]


def test_the_first_commit_flips_one_stance() -> None:
    text = "id: c\nbears_on:\n  requirement-2: supports\n  requirement-4: context\n"
    assert bench.changed_claim(text).splitlines()[2] == "  requirement-2: undermines"


def test_the_served_page_is_judged_against_the_walk_timed_beside_it() -> None:
    """`serve`'s page walks the data folder per request: 5 ms to 96 ms is 19x for 10x the
    claims, and passes while it stays within WALK_BOUND times that walk, timed in turn with
    it; the walk timed apart (``stat_in``, once, perhaps in a quieter second) is not used."""
    page, walk = bench.COMMAND_KEY + bench.SERVE_PAGE, bench.SERVE_WALK
    small = sized(1000, {"warm": 100, "read": 10, "stat": 5, walk: 6, page: 5})
    big = sized(10000, {"warm": 900, "stat": 50, "stat_in": 40, walk: 62, page: 96})
    assert bench.too_fast_growing([small, big], 15) == []
    slower = sized(10000, {"warm": 900, "stat": 50, "stat_in": 80, walk: 62, page: 130})
    assert bench.too_fast_growing([small, slower], 15) == [bench.SERVE_PAGE]
