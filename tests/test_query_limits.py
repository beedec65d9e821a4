"""`ledger query` is bounded: a statement that never ends is stopped at its time limit or by
Ctrl-C, a result too large (in rows, bytes, or one value) is refused, and running out of
memory is one line, never a traceback. Nothing here times the tool: the limits are given and
the tests check that each one ends the statement the documented way."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SAMPLE, run, run_process
from ledger.cli import publish_cmds
from ledger.publish import sqlite_db
from ledger.records.ledger import Ledger

FOREVER = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
"""A statement that never ends: it counts the rows of an endless recursion."""


def query(*args: str):  # type: ignore[no-untyped-def]
    return run(["--root", str(SAMPLE), "query", *args])


def test_a_statement_that_never_ends_stops_at_its_time_limit() -> None:
    result = query(FOREVER, "--timeout", "0.5")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "ledger: the query was stopped at its time limit of 0.5 s; ask for less (a LIMIT, a "
        "WHERE, fewer columns) or raise --timeout\n"
    )


def test_the_time_limit_in_the_library() -> None:
    database = sqlite_db.ReadOnly(sqlite_db.connect(Ledger()))
    with pytest.raises(sqlite_db.QueryError) as raised:
        database.run(FOREVER, sqlite_db.Limits(seconds=0.2))
    assert raised.value.stopped == "time"
    assert database.run("SELECT 1").rows == ((1,),)  # the connection is still usable


def test_cancelled_stops_the_statement() -> None:
    database = sqlite_db.ReadOnly(sqlite_db.connect(Ledger()))
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 3

    with pytest.raises(sqlite_db.QueryError) as raised:
        database.run(FOREVER, sqlite_db.Limits(seconds=0), cancelled=cancelled)
    assert raised.value.stopped == "cancelled"
    assert len(asked) == 4


def test_a_huge_value_is_refused_in_one_line_as_a_real_process() -> None:
    done = run_process(["query", "SELECT zeroblob(300000000)"], cwd=SAMPLE)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "ledger: a value is larger than 268,435,456 bytes, the limit on a result; ask for less "
        "(a LIMIT, a WHERE, fewer columns) or raise --max-bytes\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("SELECT id FROM claims", "--max-rows", "2"),
            "the result has more than 2 rows, its limit; ask for less (a LIMIT, a WHERE, fewer "
            "columns) or raise --max-rows",
        ),
        (
            ("SELECT id FROM claims", "--max-bytes", "50"),
            "the result is larger than 50 bytes, the limit on a result; ask for less (a LIMIT, "
            "a WHERE, fewer columns) or raise --max-bytes",
        ),
        (
            ("SELECT hex(randomblob(100))", "--max-bytes", "100"),
            "a value is larger than 100 bytes, the limit on a result; ask for less (a LIMIT, "
            "a WHERE, fewer columns) or raise --max-bytes",
        ),
    ],
    ids=["rows", "bytes", "one-value"],
)
def test_a_result_too_large_is_refused_whole(args: tuple[str, ...], message: str) -> None:
    result = query(*args, "--format", "csv")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"ledger: {message}\n"


def test_within_the_limits_nothing_changes() -> None:
    result = query("SELECT id FROM claims ORDER BY id LIMIT 2", "--max-rows", "2", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3


def _query_within(megabytes: int, *args: str) -> subprocess.CompletedProcess[str]:
    """`ledger query ARGS` as a process whose address space is limited to ``megabytes``."""

    def limit() -> None:
        size = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    return subprocess.run(
        [sys.executable, "-m", "ledger", "query", *args],
        cwd=SAMPLE,
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.skipif(sys.platform != "linux", reason="address-space limits as Linux has them")
@pytest.mark.parametrize(
    "sql", ["SELECT zeroblob(999999999)", "SELECT hex(zeroblob(400000000))"], ids=["sqlite", "hex"]
)
def test_running_out_of_memory_is_one_line(sql: str) -> None:
    done = _query_within(800, sql, "--max-bytes", "4000000000")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "ledger: the query ran out of memory and was stopped; ask for less (a LIMIT, fewer "
        "columns)\n"
    )


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_ctrl_c_stops_a_running_query() -> None:
    """SIGINT once the process is surely inside the statement: it has used more CPU than
    starting and loading the sample take (about 0.3 s), whatever the machine's load."""
    child = subprocess.Popen(
        [sys.executable, "-m", "ledger", "query", FOREVER, "--timeout", "0"],
        cwd=SAMPLE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while _cpu_seconds(child.pid) < 1.5:
            assert child.poll() is None, child.communicate()
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=120)  # a guard against a hang, no budget
    finally:
        child.kill()
    assert child.returncode == 130
    assert (stdout, stderr) == ("", "ledger: the query was interrupted\n")


def test_the_command_line_defaults_are_the_librarys() -> None:
    defaults = sqlite_db.Limits()
    assert (
        defaults.seconds,
        defaults.rows,
        defaults.bytes,
    ) == (publish_cmds.QUERY_SECONDS, publish_cmds.QUERY_ROWS, publish_cmds.QUERY_BYTES)


@pytest.mark.skipif(sys.platform != "linux", reason="address-space limits as Linux has them")
@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "SELECT " + ", ".join(["zeroblob(260000000)"] * 12),
            "a value is larger than 22,369,621 bytes, its share of the 268,435,456-byte limit "
            "on a result of 12 columns",
        ),
        (
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1000) "
            "SELECT zeroblob(100000000) FROM r",
            "the result is larger than 268,435,456 bytes, the limit on a result",
        ),
    ],
    ids=["columns", "rows"],
)
def test_large_values_are_refused_before_they_fill_memory(sql: str, message: str) -> None:
    done = _query_within(1536, "--format", "json", sql)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"ledger: {message}; ask for less (a LIMIT, a WHERE, fewer columns) or raise --max-bytes\n"
    )


def test_a_value_within_its_share_passes() -> None:
    result = query("SELECT length(zeroblob(1000)), hex(zeroblob(10))", "--max-bytes", "3000")
    assert result.exit_code == 0, result.stderr
