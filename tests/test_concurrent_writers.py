"""Writers at the same moment never lose data: real `ledger` processes, started together.

Every command that writes into the ledger holds its write lock while it reads again what it
changes, checks and writes (src/ledger/authoring/writelock.py). Here several processes race, round
after round: of two `new claim`s taking one id exactly one succeeds and the other says why;
every relation of many `link`s on one claim is kept; `review` or `fmt` beside a `link` keeps
both changes. A writer killed while it holds the lock leaves nothing lasting (the system
drops its lock; its temporary file is never read, and `fmt` removes it once it is old), and
one that meets the lock held for too long refuses in one line after a bounded wait.

Most races here run through SLOW: `ledger` with every fsync made slow, so each write holds
the lock long enough for the others to be waiting on it (without the lock, each round would
lose data). The waits are set long (LOCK_WAIT) so that a busy machine never makes a writer
give up; the one test of giving up sets its own.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import SAMPLE, layout_for
from ledger.authoring.atomic import LEFTOVER
from ledger.authoring.writelock import DEFAULT_WAIT, LOCK_FILE, WAIT_ENV, wait_seconds, write_lock
from ledger.records.pipeline import load as plain_load
from test_hostile_corpus import Outcome, finish

TIMEOUT = 180
LOCK_WAIT = "60"
CLAIM = "cso-torture-complaints"
CLAIM_FILE = f"data/claims/{CLAIM}.yaml"
OTHERS = [
    "cso-tlatlaya-no-arrest-warrants",
    "cso-tlatlaya-order-to-kill",
    "gov-ayotzinapa-requests-addressed",
    "gov-tlatlaya-release-impartial",
]
QUOTES = {
    "cso-memo-2017": "the PGR received over 10,000 complaints of torture between 2012 and 2016",
    "mx-gov-2018": "The Government of Mexico is fully committed to clarify the events",
}

# `ledger ARGS` with each fsync first sleeping $SLOW_FSYNC seconds, and saying so on stderr
# ("fsync" once a write is under way): a write that holds the lock for a while, on demand.
SLOW = r"""
import os, sys, time
delay = float(os.environ.get("SLOW_FSYNC", "0"))
real_fsync = os.fsync
def fsync(fd):
    sys.stderr.write("fsync\n")
    sys.stderr.flush()
    time.sleep(delay)
    return real_fsync(fd)
os.fsync = fsync
sys.argv = ["ledger", *sys.argv[1:]]
from ledger.cli import main
main()
"""

# Holds the ledger's write lock (as any writer would) until killed; says "held" when it does.
HOLDER = r"""
import sys, time
from pathlib import Path
from ledger.authoring.writelock import write_lock
with write_lock(Path(sys.argv[1]), wait=60) as busy:
    assert busy is None, busy
    print("held", flush=True)
    time.sleep(600)
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"LEDGER_ROOT", "NO_COLOR"}}
    return {**env, WAIT_ENV: LOCK_WAIT, **extra}


def start(root: Path, *args: str, slow: float = 0.0, **env: str) -> subprocess.Popen[bytes]:
    """`ledger --root ROOT ARGS` as a process of its own (through SLOW when ``slow``)."""
    command = ["-c", SLOW] if slow else ["-m", "ledger"]
    return subprocess.Popen(
        [sys.executable, *command, "--root", str(root), *args],
        env=_env(SLOW_FSYNC=str(slow), **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def together(*runs: tuple[str, ...], root: Path, slow: float = 0.0) -> list[Outcome]:
    """Start every run at once, then wait for all of them."""
    processes = [start(root, *args, slow=slow) for args in runs]
    return [finish(process, root) for process in processes]


def sound(root: Path) -> None:
    """The ledger validates with no diagnostic at all (no leftover is read as a record)."""
    result = plain_load(layout_for(root))
    assert result.fatal is None
    assert [(d.path, d.code, d.message) for d in result.diagnostics] == []


def relations(root: Path, rel: str = CLAIM_FILE) -> list[dict[str, str]]:
    return yaml.safe_load((root / rel).read_text(encoding="utf-8")).get("relations", [])


@pytest.fixture
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "ledger"
    shutil.copytree(SAMPLE, copy, ignore=shutil.ignore_patterns(".ledger-cache"))
    return copy


def new_claim(claim_id: str, source: str, statement: str) -> tuple[str, ...]:
    return (
        "new", "claim", "--no-input", "--id", claim_id, "--source", source,
        "--quote", QUOTES[source], "--statement", statement, "--kind", "fact",
        "--case", "ayotzinapa",
    )  # fmt: skip


def record_files(root: Path, claim_id: str) -> list[Path]:
    return sorted((root / "data").rglob(f"{claim_id}.yaml"))


# -- new: one id, two writers ------------------------------------------------------------------


@pytest.mark.parametrize("sources", [("cso-memo-2017",) * 2, ("cso-memo-2017", "mx-gov-2018")])
def test_two_new_claims_with_one_id_at_once(root: Path, sources: tuple[str, str]) -> None:
    """Under one source the two would write one file; under two, two files with one id.
    Either way exactly one is written, the other refuses and says why, and the file is the
    winner's."""
    for round_ in range(3):
        claim_id = f"race-{round_}"
        statements = [f"The source says thing {n} of round {round_}." for n in (1, 2)]
        outcomes = together(
            *(new_claim(claim_id, s, t) for s, t in zip(sources, statements, strict=True)),
            root=root,
            slow=0.2,
        )

        exits = sorted(o.exit for o in outcomes)
        assert exits == [0, 1], [(o.exit, o.stderr) for o in outcomes]
        winner = next(n for n, o in enumerate(outcomes) if o.exit == 0)
        loser = outcomes[1 - winner]
        assert outcomes[winner].stdout == f"{claim_id}\n"
        assert "Traceback" not in loser.stderr and loser.stdout == ""
        assert re.search(
            f"ledger: (the id '{claim_id}' is already used|.*{claim_id}.yaml (already exists|"
            "appeared meanwhile))",
            loser.stderr,
        ), loser.stderr
        [written] = record_files(root, claim_id)
        data = yaml.safe_load(written.read_text(encoding="utf-8"))
        assert (data["statement"], data["source"]) == (statements[winner], sources[winner])
    sound(root)


# -- link: many relations on one claim ---------------------------------------------------------


def test_many_links_on_one_claim_at_once_keep_every_relation(root: Path) -> None:
    expected: list[dict[str, str]] = []
    for kind in ("responds-to", "corroborates"):
        outcomes = together(
            *(("link", CLAIM, kind, other) for other in OTHERS), root=root, slow=0.2
        )
        assert [o.exit for o in outcomes] == [0] * len(OTHERS), [o.stderr for o in outcomes]
        expected += [{kind: other} for other in OTHERS]
        found = relations(root)
        assert sorted(map(str, found)) == sorted(map(str, expected))
    sound(root)


# -- review or fmt beside link -----------------------------------------------------------------


def test_review_and_link_at_once_keep_both(root: Path) -> None:
    for round_, other in enumerate(OTHERS[:3]):
        reviewer = f"Reviewer {round_}"
        outcomes = together(
            ("review", CLAIM, "--by", reviewer, "--date", "2024-05-01"),
            ("link", CLAIM, "responds-to", other),
            root=root,
            slow=0.2,
        )
        assert [o.exit for o in outcomes] == [0, 0], [o.stderr for o in outcomes]
        data = yaml.safe_load((root / CLAIM_FILE).read_text(encoding="utf-8"))
        assert [r["by"] for r in data["reviews"]] == [f"Reviewer {n}" for n in range(round_ + 1)]
        assert data["relations"] == [{"responds-to": o} for o in OTHERS[: round_ + 1]]
    # The reviews may be stale (a relation landed after one was read): a warning, not a loss.
    result = plain_load(layout_for(root))
    assert {d.code for d in result.diagnostics} <= {"stale-review"}


def untidy(root: Path, *rels: str) -> None:
    """Records (all, or those named) rewritten as another tool would write them: the same
    values, not in canonical form."""
    paths = [root / rel for rel in rels] or sorted((root / "data").rglob("*.yaml"))
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.write_text(yaml.safe_dump(data, indent=4, width=60), encoding="utf-8")


def test_fmt_and_link_at_once_keep_the_relation(root: Path) -> None:
    """fmt's write of the claim is made slow, so the link lands while fmt holds the claim's
    old text: without the lock, fmt would write it back over the new relation."""
    for other in OTHERS[:3]:
        untidy(root, CLAIM_FILE)
        fmt = start(root, "fmt", slow=1.0)
        link = start(root, "link", CLAIM, "responds-to", other, slow=0.1)
        outcomes = [finish(fmt, root), finish(link, root)]
        assert [o.exit for o in outcomes] == [0, 0], [o.stderr for o in outcomes]
        assert {"responds-to": other} in relations(root)
    assert [r["responds-to"] for r in relations(root)] == OTHERS[:3]
    assert finish(start(root, "fmt", "--check"), root).exit == 0
    sound(root)


# -- a writer killed while it holds the lock ---------------------------------------------------


def leftovers(root: Path) -> list[Path]:
    return sorted(p for p in (root / "data").rglob("*") if LEFTOVER.fullmatch(p.name))


def test_a_writer_killed_holding_the_lock_leaves_no_lasting_damage(root: Path) -> None:
    before = (root / CLAIM_FILE).read_bytes()
    stuck = start(root, "link", CLAIM, "responds-to", OTHERS[0], slow=600)
    assert stuck.stderr is not None
    assert stuck.stderr.readline() == b"fsync\n"  # it holds the lock, mid-write
    assert (root / LOCK_FILE).is_file() and len(leftovers(root)) == 1
    stuck.send_signal(signal.SIGKILL)
    stuck.communicate(timeout=TIMEOUT)

    assert (root / CLAIM_FILE).read_bytes() == before  # the write never happened
    [leftover] = leftovers(root)
    sound(root)  # the temporary file is not read
    # The next writer gets the lock at once: it died with its holder.
    started = time.monotonic()
    done = finish(start(root, "link", CLAIM, "responds-to", OTHERS[1], **{WAIT_ENV: "5"}), root)
    assert done.exit == 0, done.stderr
    assert time.monotonic() - started < 60
    assert relations(root) == [{"responds-to": OTHERS[1]}]
    assert not (root / LOCK_FILE).exists()  # a writer that finishes takes its lock file away

    # fmt leaves a fresh leftover (its writer may be alive), and removes an old one.
    tidy = finish(start(root, "fmt"), root)
    assert tidy.exit == 0 and leftover.exists(), tidy.stderr
    old = time.time() - 11 * 60
    os.utime(leftover, (old, old))
    tidy = finish(start(root, "fmt"), root)
    assert tidy.exit == 0, tidy.stderr
    rel = leftover.relative_to(root).as_posix()
    assert tidy.stderr == f"removed {rel}, left by a writer that was stopped\n"
    assert leftovers(root) == []
    sound(root)


# -- the lock held for too long ----------------------------------------------------------------

WRITERS = {
    "link": ("link", CLAIM, "responds-to", OTHERS[0]),
    "review": ("review", CLAIM, "--by", "Ana"),
    "new": new_claim("waiting-claim", "cso-memo-2017", "The memo says a thing."),
    "fmt": ("fmt",),
    "schema": ("schema", "--write"),
}


def test_a_writer_waits_a_bounded_time_then_refuses_in_one_line(root: Path) -> None:
    untidy(root)  # so fmt has something to write
    before = {p: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(root)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        for name, args in WRITERS.items():
            started = time.monotonic()
            refused = finish(start(root, *args, **{WAIT_ENV: "0.5"}), root)
            waited = time.monotonic() - started

            assert refused.exit == 2, (name, refused.stderr)
            assert waited >= 0.5
            assert refused.stderr == (
                f"ledger: another ledger writer (process {holder.pid}) has held the ledger's "
                f"lock ({LOCK_FILE}) for over 0.5 s; nothing was written: try again when it "
                f"is done (${WAIT_ENV} sets how long to wait)\n"
            ), name
        after = {p: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()}
        assert after == before
    finally:
        holder.kill()
        holder.communicate(timeout=TIMEOUT)
    done = finish(start(root, *WRITERS["link"], **{WAIT_ENV: "5"}), root)
    assert done.exit == 0, done.stderr


# -- the lock itself -----------------------------------------------------------------------------


def test_the_lock_file_is_never_followed_through_a_link(root: Path) -> None:
    outside = root.parent / "elsewhere.txt"
    outside.write_text("keep\n", encoding="utf-8")
    (root / LOCK_FILE).symlink_to(outside)
    with write_lock(root, wait=0) as busy:
        assert busy is not None and "is a symbolic link" in busy.message
    done = finish(start(root, *WRITERS["link"]), root)
    assert done.exit == 2
    assert done.stderr.startswith("ledger: ") and "is a symbolic link" in done.stderr
    assert done.stderr.count("\n") == 1
    assert outside.read_text(encoding="utf-8") == "keep\n"
    assert (root / LOCK_FILE).is_symlink() and relations(root) == []


def test_a_special_file_in_its_place_is_refused_without_waiting(root: Path) -> None:
    os.mkfifo(root / LOCK_FILE)
    started = time.monotonic()
    with write_lock(root, wait=30) as busy:
        assert busy is not None and "is not a regular file" in busy.message
    assert time.monotonic() - started < 5


def test_the_lock_file_goes_with_its_holder(root: Path) -> None:
    for _ in range(2):
        with write_lock(root, wait=0) as busy:
            assert busy is None and (root / LOCK_FILE).is_file()
            assert (root / LOCK_FILE).read_text() == f"{os.getpid()}\n"
        assert not (root / LOCK_FILE).exists()


@pytest.mark.parametrize(("given", "wait"), [("0.25", 0.25), ("0", 0.0), ("-1", 10.0), ("x", 10.0)])
def test_the_wait_is_set_by_the_environment(
    given: str, wait: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(WAIT_ENV, given)
    assert wait_seconds() == wait
    monkeypatch.delenv(WAIT_ENV)
    assert wait_seconds() == DEFAULT_WAIT == 10.0


# Windows has no fcntl: the module takes msvcrt's byte lock instead. Here fcntl is hidden and
# msvcrt is played by flock, as msvcrt.locking behaves (EACCES when another holds the lock).
WINDOWS = r"""
import errno, fcntl, sys, types
from pathlib import Path
def locking(fd, mode, nbytes):
    if mode == fake.LK_UNLCK:
        return fcntl.flock(fd, fcntl.LOCK_UN)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise PermissionError(errno.EACCES, "Permission denied") from None
fake = types.ModuleType("msvcrt")
fake.LK_NBLCK, fake.LK_UNLCK, fake.locking = 2, 0, locking
sys.modules["msvcrt"], sys.modules["fcntl"] = fake, None
from ledger.authoring.writelock import write_lock
root = Path(sys.argv[1])
with write_lock(root, wait=0) as first:
    assert first is None, first
    with write_lock(root, wait=0.1) as second:
        print(second.message)
with write_lock(root, wait=0) as again:
    assert again is None, again
print("released")
"""


def test_without_fcntl_the_lock_is_msvcrt_s(root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", WINDOWS, str(root)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    busy, released = done.stdout.splitlines()
    assert busy.startswith("another ledger writer has held the ledger's lock") and released


# Adds one to a counter in a file, COUNT times, each under the lock: read, pause, write.
COUNTER = r"""
import sys, time
from pathlib import Path
from ledger.authoring.writelock import write_lock
root, count = Path(sys.argv[1]), int(sys.argv[2])
counter = root / "counter"
for _ in range(count):
    with write_lock(root, wait=60) as busy:
        assert busy is None, busy
        value = int(counter.read_text())
        time.sleep(0.001)
        counter.write_text(str(value + 1))
"""


def test_the_lock_lets_one_holder_in_at_a_time(tmp_path: Path) -> None:
    """Four processes take and let go of the lock 25 times each, its file removed and made
    again each time: no two ever hold it at once, or an addition would be lost."""
    (tmp_path / "counter").write_text("0")
    runs = [
        subprocess.Popen([sys.executable, "-c", COUNTER, str(tmp_path), "25"]) for _ in range(4)
    ]
    assert [run.wait(timeout=TIMEOUT) for run in runs] == [0] * 4
    assert (tmp_path / "counter").read_text() == "100"
    assert not (tmp_path / LOCK_FILE).exists()
