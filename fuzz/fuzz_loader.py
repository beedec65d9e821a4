"""Fuzz the loader and the formatter for as long as you like: `python fuzz/fuzz_loader.py`.

Hypothesis at scale, on the strategies of `tests/test_properties.py`: random bytes, YAML-ish
text and mutated records in several encodings. Each input is written as a record file into a
copy of the sample ledger, which is then loaded whole; the loader must not raise, and every
diagnostic must be placed (see that module's docstring). The same input, as text, goes
through `fmt`, which must not raise and must keep every value.

Each input has 10 seconds (a hang fails it, via SIGALRM) and the process 2 GiB of address
space (a blow-up fails it as MemoryError). A failure is shrunk to a minimal input, printed
with its traceback, saved by hypothesis (`.hypothesis/`, so the next run tries it first) and
ends the run with exit 1. Exit 0 means no failure in the time given.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conftest import SAMPLE, layout_for  # noqa: E402
from ledger.records.root import Layout  # noqa: E402
from test_properties import check_fmt, load_with, record_bytes  # noqa: E402

BATCH = 100
"""Inputs per hypothesis run; runs repeat, each with a fresh seed, until the time is up."""
PER_INPUT_SECONDS = 10
MEMORY = 2 << 30


class Hung(Exception):
    """An input took longer than PER_INPUT_SECONDS."""


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise Hung(f"one input took more than {PER_INPUT_SECONDS} s")


def one_input(layout: Layout, data: bytes) -> None:
    """The invariants, for one input."""
    signal.alarm(PER_INPUT_SECONDS)
    try:
        load_with(layout, data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return
        check_fmt(text.removeprefix("\ufeff"))
    finally:
        signal.alarm(0)


def batch(layout: Layout, run_seed: int, counter: list[int]) -> None:
    @seed(run_seed)
    @settings(max_examples=BATCH, deadline=None, suppress_health_check=list(HealthCheck))
    @given(record_bytes() | st.binary(max_size=4000))
    def run(data: bytes) -> None:
        counter[0] += 1
        one_input(layout, data)

    run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long to run (60)")
    parser.add_argument("--seed", type=int, default=None, help="first seed (random)")
    args = parser.parse_args(argv)

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    signal.signal(signal.SIGALRM, _alarm)
    first = args.seed if args.seed is not None else random.randrange(2**32)
    counter = [0]
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ledger"
        shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".ledger-cache"))
        layout = layout_for(root)
        run = 0
        while time.monotonic() - start < args.seconds:
            try:
                batch(layout, first + run, counter)
            except BaseException as exc:  # hypothesis has printed the minimal input
                if isinstance(exc, KeyboardInterrupt):
                    print(f"stopped after {counter[0]} inputs", file=sys.stderr)
                    return 130
                traceback.print_exception(exc)  # with hypothesis's note of the minimal input
                print(
                    f"FAILED after {counter[0]} inputs (seeds {first}..{first + run}); "
                    f"replay with --seed {first + run}",
                    file=sys.stderr,
                )
                return 1
            run += 1
    elapsed = time.monotonic() - start
    print(
        f"fuzz_loader: {counter[0]} inputs in {elapsed:.0f} s, no failure "
        f"(seeds {first}..{first + run - 1})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
