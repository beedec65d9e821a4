"""A read command's output (`ledger status`, `show`, `list`, ...) remembered between runs:
byte for byte what working it out prints, and never for a ledger, a command line or a
terminal it was not made for."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

import ledger.cli.replay as replay_module
import ledger.store.cache as cache_module
from conftest import PAST, Sample, age, make_old, run, wait_until_settled
from ledger.store.cache import CACHE_DIR, CACHE_FILE, NO_CACHE_ENV

CLAIM = "claims/cso-torture-complaints.yaml"


def remembered(root: Path) -> list[str]:
    """The command lines whose output the cache holds."""
    with sqlite3.connect(root / CACHE_DIR / CACHE_FILE) as db:
        names = [r[0] for r in db.execute("SELECT name FROM results")]
    return sorted(n for n in names if n.startswith("output:"))


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["status", "requirement-1", "--explain", "--all"],
        ["status", "requirement-2", "--format", "json"],
        ["status", "tlat", "--format", "markdown"],
        ["status", "ayotzinapa"],
        ["status", "requirement-2", "--as-of", "2017-06"],
        ["show", "cso-torture-complaints"],
        ["show", "tlat", "--format", "json"],
        ["xref", "requirement-2"],
        ["list", "claims", "--requirement", "requirement-2", "--stance", "undermines"],
        ["list", "cases", "--format", "csv"],
        ["search", "tortura"],
        ["search", "torture", "--ids"],
        ["conflicts"],
        ["gaps", "--format", "json"],
        ["timeline", "--as-of", "2017"],
        ["figures"],
    ],
)
def test_the_remembered_output_is_the_output_worked_out(
    sample_copy: Sample, args: list[str], loads: list[str]
) -> None:
    age(sample_copy.root)
    root = ["--root", str(sample_copy.root)]
    fresh = run([*root, *args], env={NO_CACHE_ENV: "1"})
    first = run([*root, *args])
    assert len(loads) == 2
    again = run([*root, *args])
    assert len(loads) == 2  # printed without loading the ledger
    assert fresh.exit_code == first.exit_code == again.exit_code == 0
    assert again.stdout == first.stdout == fresh.stdout
    assert len(remembered(sample_copy.root)) == 1


def test_an_edit_changes_what_is_printed(sample_copy: Sample, loads: list[str]) -> None:
    age(sample_copy.root)
    args = ["--root", str(sample_copy.root), "status", "requirement-2", "-f", "json"]
    assert '"status":"not-met"' in run(args).stdout.replace(" ", "")
    sample_copy.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    make_old(sample_copy.path(CLAIM), PAST + 60)
    after = run(args)
    assert len(loads) == 2
    assert '"status":"met"' in after.stdout.replace(" ", "")


def test_output_for_an_earlier_ledger_is_forgotten(sample_copy: Sample) -> None:
    age(sample_copy.root)
    root = ["--root", str(sample_copy.root)]
    run([*root, "status"])
    run([*root, "status", "requirement-1"])
    assert len(remembered(sample_copy.root)) == 2
    sample_copy.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    make_old(sample_copy.path(CLAIM), PAST + 60)
    run([*root, "status", "tlatlaya"])
    assert len(remembered(sample_copy.root)) == 1
    assert "tlatlaya" in remembered(sample_copy.root)[0]


def test_another_width_is_worked_out_for_that_width(sample_copy: Sample) -> None:
    age(sample_copy.root)
    args = ["--root", str(sample_copy.root), "status", "requirement-1"]
    narrow = run(args, env={"COLUMNS": "60"})
    wide = run(args, env={"COLUMNS": "160"})
    assert narrow.stdout != wide.stdout
    assert run(args, env={"COLUMNS": "60"}).stdout == narrow.stdout
    assert run(args, env={"COLUMNS": "160", NO_CACHE_ENV: "1"}).stdout == wide.stdout
    assert len(remembered(sample_copy.root)) == 2


def test_a_failure_is_not_remembered(sample_copy: Sample, loads: list[str]) -> None:
    age(sample_copy.root)
    args = ["--root", str(sample_copy.root), "status", "requirement-9"]
    for _ in range(2):
        failed = run(args)
        assert failed.exit_code == 2
        assert "no requirement or case with id 'requirement-9'" in failed.stderr
    assert len(loads) == 2
    assert remembered(sample_copy.root) == []


def test_output_over_the_limit_is_printed_but_not_remembered(
    sample_copy: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    age(sample_copy.root)
    monkeypatch.setattr(replay_module, "MAX_REMEMBERED", 100)
    done = run(["--root", str(sample_copy.root), "status", "requirement-1", "-f", "json"])
    assert done.exit_code == 0 and len(done.stdout) > 100
    assert remembered(sample_copy.root) == []


def test_only_the_newest_outputs_are_kept(
    sample_copy: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "FAMILY_KEPT", 2)
    age(sample_copy.root)
    root = ["--root", str(sample_copy.root)]
    for width in ("60", "80", "100"):
        run([*root, "status", "requirement-1"], env={"COLUMNS": width})
    kept = remembered(sample_copy.root)
    assert len(kept) == 2
    assert not [name for name in kept if '"COLUMNS": "60"' in name]


def on_a_terminal(root: Path, *args: str) -> str:
    """`ledger ARGS` run on a pseudo-terminal 100 columns wide: everything it printed."""
    import fcntl
    import pty
    import select
    import struct
    import subprocess
    import sys
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "COLUMNS", "CI"}}
    child = subprocess.Popen(
        [sys.executable, "-m", "ledger", "--root", str(root), *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**env, "TERM": "xterm"},
    )
    os.close(follower)
    out = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        try:
            chunk = os.read(leader, 65536) if ready else b""
        except OSError:  # the child closed the terminal
            chunk = b""
        if not chunk:
            break
        out += chunk
    child.wait(timeout=60)
    os.close(leader)
    return out.decode()


def answer_of(terminal: str) -> str:
    """What a terminal showed, less the progress lines a run slower than a second prints
    on stderr before its answer (a loaded machine makes the first run that slow)."""
    lines = terminal.splitlines(keepends=True)
    while lines and "\x1b[" not in lines[0] and lines[0].rstrip().endswith("..."):
        lines.pop(0)
    return "".join(lines)


def test_terminal_and_piped_output_are_remembered_apart(sample_copy: Sample) -> None:
    age(sample_copy.root)
    wait_until_settled(sample_copy.root)  # the terminal's runs are other processes
    args = ["status", "requirement-1"]
    piped = run(["--root", str(sample_copy.root), *args]).stdout
    coloured = answer_of(on_a_terminal(sample_copy.root, *args))
    assert "\x1b[" in coloured and "\x1b[" not in piped
    assert answer_of(on_a_terminal(sample_copy.root, *args)) == coloured
    assert run(["--root", str(sample_copy.root), *args]).stdout == piped
    assert len(remembered(sample_copy.root)) == 2


def test_a_read_command_walks_the_data_folder_once(
    sample_copy: Sample, monkeypatch: pytest.MonkeyPatch, loads: list[str]
) -> None:
    """Working an answer out reads the ledger with the walk the replay made: one walk."""
    import ledger.records.scan as scan_module

    age(sample_copy.root)
    walks: list[str] = []
    real = scan_module.scan_data

    def counted(layout):  # type: ignore[no-untyped-def]
        walks.append(str(layout.data))
        return real(layout)

    monkeypatch.setattr(scan_module, "scan_data", counted)
    done = run(["--root", str(sample_copy.root), "list", "claims", "--case", "tlatlaya"])
    assert done.exit_code == 0 and "cso-tlatlaya" in done.stdout
    assert len(loads) == 1 and len(walks) == 1


def test_an_answer_leaving_files_out_says_so_again(sample_copy: Sample) -> None:
    """A remembered answer that left a broken file out warns about it again, on stderr."""
    sample_copy.write("claims/broken.yaml", "id: broken\nkind: [\n")
    age(sample_copy.root)
    args = ["--root", str(sample_copy.root), "figures"]
    first, again = run(args), run(args)
    assert first.stdout == again.stdout and first.exit_code == again.exit_code == 0
    assert "1 record file" in first.stderr and again.stderr == first.stderr
    assert len(remembered(sample_copy.root)) == 1


def test_a_question_about_a_revision_is_not_remembered(repo: Sample, loads: list[str]) -> None:
    """The remembered answers are keyed by the working tree's files: `--rev` is worked out."""
    age(repo.root)
    args = ["--root", str(repo.root), "show", "cso-torture-complaints", "--rev", "HEAD"]
    first, again = run(args), run(args)
    assert first.exit_code == again.exit_code == 0 and first.stdout == again.stdout
    assert "cso-torture-complaints" in first.stdout
    assert remembered(repo.root) == []


def test_answers_are_remembered_per_working_folder(
    sample_copy: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same command line run from another folder is another question: a path in the
    output may be relative to it."""
    age(sample_copy.root)
    args = ["--root", str(sample_copy.root), "show", "tlatlaya"]
    monkeypatch.chdir(sample_copy.root)
    here = run(args)
    monkeypatch.chdir(sample_copy.root / "data")
    there = run(args)
    assert here.stdout == there.stdout
    assert len(remembered(sample_copy.root)) == 2


def test_a_ledger_whose_data_folder_is_its_root_remembers_its_output(
    tmp_path: Path, loads: list[str]
) -> None:
    """With `data = "."` the cache's own folder lies inside the data folder: the cache
    writing its file must not make the ledger look changed."""
    import shutil

    from conftest import SAMPLE

    root = tmp_path / "flat"
    shutil.copytree(SAMPLE / "data", root)
    (root / "ledger.toml").write_text('[ledger]\ndata = "."\n', encoding="utf-8")
    for path in root.rglob("*"):
        if path.is_file():
            make_old(path)
    args = ["--root", str(root), "status"]
    first = run(args)
    again = run(args)
    assert first.exit_code == again.exit_code == 0
    assert again.stdout == first.stdout
    assert len(loads) == 1  # the second answer was the remembered one
