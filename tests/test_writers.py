"""Writers never lose data: every file is always either wholly old or wholly new.

Every command that writes (fmt, review, new, site, export) goes through a temporary file in
the same folder and one atomic rename. Here that promise is tested the hard way:

* `ledger fmt` over hundreds of files is killed (SIGKILL) at each step of a write (half the
  text written, before the fsync, before the rename, after it), and at random moments from
  outside; afterwards every record parses and holds its old or its new bytes, and what a
  killed write leaves behind is a dotfile that the loader does not read.
* two `ledger fmt` runs at once leave every file canonical;
* a full disk, a read-only file system, a folder or a file that cannot be written give a
  clear error and leave the original untouched, for every command that writes;
* no writer follows a symbolic link out of the ledger.
"""

from __future__ import annotations

import errno
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import ledger.authoring.fmt as fmt_module
from conftest import SAMPLE, layout_for, run
from ledger.authoring.atomic import write_atomic
from ledger.authoring.fmt import canonical
from ledger.authoring.fmt_files import modeline_for
from ledger.records.load import discover
from ledger.records.pipeline import load as plain_load
from ledger.records.yamlread import parse
from test_hostile_corpus import CAN_DROP_ROOT_POWERS, finish, ledger_process

TEMP_FILE = re.compile(r"\.[^/]+\.yaml\.[^/.]+\.tmp")
"""What a write killed half-way may leave: `.<name>.yaml.<random>.tmp`, a dotfile."""
TIMEOUT = 120
CLAIM = "claims/cso-torture-complaints.yaml"


@dataclass
class Bulk:
    """A ledger of many records written the way another tool would: not canonical."""

    root: Path
    old: dict[Path, bytes]
    new: dict[Path, bytes]

    @property
    def data(self) -> Path:
        return self.root / "data"

    def reset(self) -> None:
        """Every record back to its old bytes; what killed writes left, removed."""
        for path, data in self.old.items():
            if path.read_bytes() != data:
                path.write_bytes(data)
        for leftover in self.leftovers():
            leftover.unlink()

    def leftovers(self) -> list[Path]:
        return sorted(p for p in self.data.rglob("*") if p.is_file() and p.name.startswith("."))

    def states(self) -> tuple[int, int]:
        """(records holding their new bytes, records holding their old bytes); a file in
        neither state fails the test."""
        new = old = 0
        for path in self.old:
            data = path.read_bytes()
            assert data in (self.old[path], self.new[path]), f"{path} is neither old nor new"
            new += data == self.new[path] != self.old[path]
            old += data == self.old[path]
            text = data.decode("utf-8")
            assert [d for d in parse(text, str(path)).diagnostics if d.severity == "error"] == []
        return new, old

    def assert_whole(self) -> tuple[int, int]:
        """Every record old or new; leftovers only dotfiles the loader does not read."""
        states = self.states()
        for leftover in self.leftovers():
            assert TEMP_FILE.fullmatch(leftover.name), leftover
        result = plain_load(layout_for(self.root))
        assert result.fatal is None
        assert result.files == len(self.old)
        assert not [d for d in result.diagnostics if Path(d.path).name.startswith(".")]
        return states


def build_bulk(root: Path, count: int) -> Bulk:
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".ledger-cache"))
    claim = yaml.safe_load((SAMPLE / "data" / CLAIM).read_text(encoding="utf-8"))
    for number in range(count):
        claim["id"] = f"bulk-{number:04d}"
        path = root / "data/claims/bulk" / f"{claim['id']}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(yaml.safe_dump(claim, indent=4, width=60), encoding="utf-8")
    layout = layout_for(root)
    old, new = {}, {}
    for record in discover(layout):
        old[record.path] = record.path.read_bytes()
        formatted = canonical(
            old[record.path].decode("utf-8"),
            record.kind,
            modeline_for(layout, record.path, record.kind),
        )
        assert formatted.text is not None and formatted.text.encode() != old[record.path]
        new[record.path] = formatted.text.encode("utf-8")
    return Bulk(root, old, new)


@pytest.fixture
def bulk(tmp_path: Path) -> Bulk:
    return build_bulk(tmp_path / "ledger", 300)


# -- killed at each step of a write ----------------------------------------------------------------

# Runs `ledger ARGS` after arranging for the process to SIGKILL itself at the N-th write of a
# record file, at one step of `write_atomic`.
KILLER = r"""
import os, signal, sys
step, target = sys.argv[1], int(sys.argv[2])
count = [0]
def record_file(name):
    return ".yaml." in str(name) or str(name).endswith(".yaml")
def hit():
    count[0] += 1
    if count[0] == target:
        os.kill(os.getpid(), signal.SIGKILL)
real_fdopen, real_fsync, real_replace = os.fdopen, os.fsync, os.replace
if step == "write":
    def fdopen(fd, *args, **kwargs):
        handle = real_fdopen(fd, *args, **kwargs)
        if record_file(os.readlink(f"/proc/self/fd/{fd}")):
            write = handle.write
            def half_then_die(text):
                write(text[: len(text) // 2])
                handle.flush()
                hit()
                return write(text[len(text) // 2 :])
            handle.write = half_then_die
        return handle
    os.fdopen = fdopen
elif step == "fsync":
    def fsync(fd):
        if record_file(os.readlink(f"/proc/self/fd/{fd}")):
            hit()
        return real_fsync(fd)
    os.fsync = fsync
elif step in ("rename", "after-rename"):
    def replace(source, target_, **kwargs):
        if step == "rename" and record_file(target_):
            hit()
        done = real_replace(source, target_, **kwargs)
        if step == "after-rename" and record_file(target_):
            hit()
        return done
    os.replace = replace
sys.argv = ["ledger", *sys.argv[3:]]
from ledger.cli import main
main()
"""


def ledger_killed_at(step: str, number: int, root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", KILLER, step, str(number), "--root", str(root), "fmt"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.mark.parametrize("step", ["write", "fsync", "rename", "after-rename"])
def test_fmt_killed_at_each_step_of_a_write(step: str, bulk: Bulk) -> None:
    total = len(bulk.old)
    for number in (1, random.randint(2, total - 1)):
        bulk.reset()
        done = ledger_killed_at(step, number, bulk.root)
        assert done.returncode == -signal.SIGKILL, done.stderr  # the step was reached

        new, old = bulk.assert_whole()

        renamed = number if step == "after-rename" else number - 1
        assert (new, old) == (renamed, total - renamed)
        # The write cut short leaves its temporary file, a dotfile; a finished one nothing.
        assert len(bulk.leftovers()) == (0 if step == "after-rename" else 1)
    # A later run finishes the job; what the killed ones left is still not read.
    assert run(["--root", str(bulk.root), "fmt"]).exit_code == 0
    assert bulk.assert_whole() == (total, 0)


# -- killed from outside at random moments ---------------------------------------------------------


def first_record(bulk: Bulk) -> Path:
    return min(bulk.old, key=lambda p: p.relative_to(bulk.root).as_posix())


def test_fmt_killed_at_random_moments(bulk: Bulk) -> None:
    """SIGKILL from outside, twenty times, up to 0.2 s after the first file was replaced (fmt
    goes through the files in order): no file is ever half written."""
    first = first_record(bulk)
    interrupted = 0
    for _ in range(20):
        bulk.reset()
        before = first.stat().st_ino
        process = ledger_process(["fmt"], bulk.root)
        deadline = time.monotonic() + TIMEOUT
        while process.poll() is None and first.stat().st_ino == before:
            assert time.monotonic() < deadline, "fmt never replaced its first file"
            time.sleep(0.0005)
        time.sleep(random.uniform(0, 0.2))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=TIMEOUT)

        new, _old = bulk.assert_whole()

        interrupted += 0 < new < len(bulk.old)
    # Not a claim about speed: proof that the kills landed mid-run, so the checks above
    # looked at files of an interrupted run (each kill follows the first replaced file).
    assert interrupted > 0


# -- two at once -------------------------------------------------------------------------------


def test_two_fmt_runs_at_once_leave_every_file_canonical(bulk: Bulk) -> None:
    runs = [ledger_process(["fmt"], bulk.root) for _ in range(2)]
    outcomes = [finish(process, bulk.root) for process in runs]
    assert [o.exit for o in outcomes] == [0, 0], [o.stderr[-2000:] for o in outcomes]
    assert bulk.assert_whole() == (len(bulk.old), 0)
    assert bulk.leftovers() == []
    assert run(["--root", str(bulk.root), "fmt", "--check"]).exit_code == 0


# -- a full disk, a read-only file system, no permission ----------------------------------------


def _fails(monkeypatch: pytest.MonkeyPatch, name: str, code: int) -> None:
    """Make ``os.<name>`` (or ``tempfile.mkstemp``) fail with ``code`` for files in tmp. The
    last step of a write, ``replace``, is ``link`` for a new file (never replacing one)."""
    module = tempfile if name == "mkstemp" else os
    real = getattr(module, name)

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(module, name, failing)
    if name == "replace":
        monkeypatch.setattr(os, "link", failing)
    assert real is not failing


FAILURES = [
    ("fsync", errno.ENOSPC, "No space left on device"),
    ("replace", errno.EROFS, "Read-only file system"),
    ("mkstemp", errno.EACCES, "Permission denied"),
]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".ledger-cache" not in p.parts
    }


@pytest.fixture
def ledger_root(tmp_path: Path) -> Path:
    root = tmp_path / "ledger"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".ledger-cache"))
    return root


@pytest.mark.parametrize(("call", "code", "said"), FAILURES, ids=[f[0] for f in FAILURES])
def test_fmt_when_the_disk_refuses(
    call: str, code: int, said: str, ledger_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(ledger_root)
    _fails(monkeypatch, call, code)

    result = run(["--root", str(ledger_root), "fmt"])

    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    problems = [line for line in result.stderr.splitlines() if said in line]
    assert len(problems) == 12, result.stderr  # one line a record, each naming the file
    assert all(line.startswith("data/") for line in problems)
    assert snapshot(ledger_root) == before  # nothing changed, nothing left behind


def _review(root: Path) -> list[str]:
    return ["--root", str(root), "review", "cso-torture-complaints", "--by", "A. Reviewer"]


def _new_case(root: Path) -> list[str]:
    return [
        "--root", str(root), "new", "case", "--no-input", "--id", "new-case",
        "--title", "A case", "--kind", "incident", "--summary", "The memo names it.",
    ]  # fmt: skip


def _export_json(root: Path) -> list[str]:
    return ["--root", str(root), "export", "-o", str(root / "out/ledger.json")]


def _export_sqlite(root: Path) -> list[str]:
    return ["--root", str(root), "export", "-o", str(root / "out/ledger.sqlite")]


def _site(root: Path) -> list[str]:
    return ["--root", str(root), "site", str(root / "out/site")]


WRITERS = {
    "review": _review,
    "new": _new_case,
    "export-json": _export_json,
    "export-sqlite": _export_sqlite,
    "site": _site,
}


@pytest.mark.parametrize("writer", sorted(WRITERS))
@pytest.mark.parametrize(("call", "code", "said"), FAILURES[:2], ids=[f[0] for f in FAILURES[:2]])
def test_every_writer_when_the_disk_refuses(
    writer: str,
    call: str,
    code: int,
    said: str,
    ledger_root: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each writer runs once to leave files to overwrite (its output, or the claim reviewed),
    then again on a full or read-only disk: a clear error, every file as it was."""
    args = WRITERS[writer](ledger_root)
    (ledger_root / "out").mkdir()
    if writer != "new":
        first = run(args)
        assert first.exit_code == 0, first.stderr
    if writer == "review":  # a second review would stamp the same claim again
        args[-1] = "B. Reviewer"
    before = snapshot(ledger_root)

    _fails(monkeypatch, call, code)
    result = run(args)

    assert result.exit_code != 0
    assert "Traceback" not in result.stderr
    assert said in result.stderr
    assert result.stderr.startswith("ledger: ") or writer == "new", result.stderr
    assert snapshot(ledger_root) == before


def test_a_read_only_record_is_not_replaced(ledger_root: Path) -> None:
    """A rename would replace a read-only file as readily as any other: fmt checks first."""
    path = ledger_root / "data" / CLAIM
    path.chmod(0o444)
    before = path.read_bytes()

    result = run(["--root", str(ledger_root), "fmt"])

    assert result.exit_code == 1
    assert f"data/{CLAIM}: " in result.stderr and "is read-only" in result.stderr
    assert path.read_bytes() == before
    assert (path.stat().st_mode & 0o777) == 0o444


@pytest.mark.skipif(
    os.geteuid() == 0 and not CAN_DROP_ROOT_POWERS,
    reason="running as root, and root's power to ignore permissions cannot be dropped",
)
def test_a_folder_that_cannot_be_written(ledger_root: Path) -> None:
    """A real read-only folder (the process runs as an ordinary user would)."""
    folder = ledger_root / "data/claims"
    before = snapshot(ledger_root)
    folder.chmod(0o555)
    try:
        outcome = finish(ledger_process(["fmt"], ledger_root), ledger_root)
    finally:
        folder.chmod(0o755)
    assert outcome.exit == 1
    assert "Traceback" not in outcome.stderr
    assert f"cannot write in {folder}: Permission denied" in outcome.stderr
    after = snapshot(ledger_root)
    in_claims = {k: v for k, v in after.items() if Path(k).parent == Path("data/claims")}
    assert in_claims == {k: v for k, v in before.items() if Path(k).parent == Path("data/claims")}
    assert len(in_claims) == 3


def test_fmt_formats_a_file_that_only_libyaml_scans(ledger_root: Path) -> None:
    """libyaml reads a tab inside a key that PyYAML's own scanner refuses: fmt used to stop
    there with a traceback, then to leave the file alone; the ledger reads such a file, so
    fmt puts it in canonical form with every value kept."""
    path = ledger_root / "data" / CLAIM
    path.write_bytes(path.read_bytes() + b"x\t<<: y\n")
    before = parse(path.read_text(encoding="utf-8"), "x.yaml").data

    result = run(["--root", str(ledger_root), "fmt", str(path)])

    assert result.exit_code == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    assert text.endswith('"x\\t<<": y\n')
    assert parse(text, "x.yaml").data == before
    assert run(["--root", str(ledger_root), "fmt", "--check", str(path)]).exit_code == 0


def test_fmt_leaves_a_file_alone_when_it_cannot_prove_its_comments(
    ledger_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the read-back check fails, fmt says why and leaves the file as it is (the check
    is made to fail here: no file is known that the formatter gets wrong)."""
    monkeypatch.setattr(fmt_module, "_same_comments", lambda result, text: False)
    path = ledger_root / "data" / CLAIM
    path.write_bytes(path.read_bytes() + b"# a comment\n")
    before = path.read_bytes()

    result = run(["--root", str(ledger_root), "fmt", str(path)])

    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert f"data/{CLAIM}: the canonical form would change a value" in result.stderr
    assert path.read_bytes() == before


# -- a temporary file never outlives a write; a new file never replaces one -----------------------


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("exclusive", [False, True], ids=["replace", "new"])
def test_an_interrupted_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exclusive: bool
) -> None:
    """Ctrl-C (or any exception) in the middle of a write: the exception goes on, the file is
    as it was, and the temporary file is gone."""
    path = tmp_path / "record.yaml"
    if not exclusive:
        path.write_text("old\n", encoding="utf-8")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, "new\n", exclusive=exclusive)
    assert _temporaries(tmp_path) == []
    if exclusive:
        assert not path.exists()
    else:
        assert path.read_text(encoding="utf-8") == "old\n"


def test_a_new_file_never_replaces_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "record.yaml"
    path.write_text("theirs\n", encoding="utf-8")
    problem = write_atomic(path, "mine\n", exclusive=True)
    assert problem == f"{path} already exists; nothing was overwritten"
    path.unlink()

    real_fsync = os.fsync

    def someone_else_writes_it(fd: int) -> None:  # between the check and the placing
        real_fsync(fd)
        path.write_text("theirs\n", encoding="utf-8")

    monkeypatch.setattr(os, "fsync", someone_else_writes_it)
    problem = write_atomic(path, "mine\n", exclusive=True)
    assert problem == f"{path} appeared meanwhile; nothing was overwritten"
    assert path.read_text(encoding="utf-8") == "theirs\n"
    assert _temporaries(tmp_path) == []


def test_a_new_file_where_hard_links_are_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAT and some shares have no hard links: the name is claimed by an exclusive create."""

    def no_links(*args: object) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "record.yaml"
    assert write_atomic(path, "mine\n", exclusive=True) is None
    assert path.read_text(encoding="utf-8") == "mine\n"
    assert (path.stat().st_mode & 0o777) == 0o644
    assert _temporaries(tmp_path) == []


def test_leftovers_are_old_temporary_files_only(tmp_path: Path) -> None:
    from ledger.authoring.atomic import leftovers

    old = time.time() - 11 * 60
    names = {
        ".claim.yaml.k3j_x9ab.tmp": True,  # what write_atomic leaves
        ".source.txt.0a1b2c3d.tmp": True,
        ".notes.tmp": False,  # someone's own dotfiles
        "claim.yaml.k3j_x9ab.tmp": False,
        ".claim.yaml.k3j_x9.tmp": False,
    }
    (tmp_path / "claims").mkdir()
    for name in names:
        path = tmp_path / "claims" / name
        path.write_text("x", encoding="utf-8")
        os.utime(path, (old, old))
    (tmp_path / "claims/.fresh.yaml.abcdefgh.tmp").write_text("x", encoding="utf-8")
    (tmp_path / "claims/.link.yaml.abcdefgh.tmp").symlink_to(tmp_path / "claims/.notes.tmp")

    found = leftovers(tmp_path)

    assert [p.name for p in found] == sorted(name for name, left in names.items() if left)


# -- never through a link out of the ledger -----------------------------------------------------


@pytest.fixture
def linked_folder(ledger_root: Path) -> Iterator[tuple[Path, Path]]:
    """data/claims/mx-gov-2018 moved out of the ledger, and a link to it left in its place."""
    outside = ledger_root.parent / "outside"
    outside.mkdir()
    shutil.move(ledger_root / "data/claims/mx-gov-2018", outside / "mx-gov-2018")
    (ledger_root / "data/claims/mx-gov-2018").symlink_to(outside / "mx-gov-2018")
    yield ledger_root, outside / "mx-gov-2018"


def test_fmt_writes_nothing_through_a_linked_folder(linked_folder: tuple[Path, Path]) -> None:
    root, outside = linked_folder
    before = snapshot(outside)
    run(["--root", str(root), "fmt"])
    assert snapshot(outside) == before


def test_write_atomic_refuses_a_linked_folder_on_the_way(linked_folder: tuple[Path, Path]) -> None:
    root, outside = linked_folder
    target = root / "data/claims/mx-gov-2018/new.yaml"
    problem = write_atomic(target, "id: new\n", inside=root / "data")
    assert problem is not None and "is a symbolic link" in problem
    assert not (outside / "new.yaml").exists()
    assert write_atomic(root / "data/claims/new.yaml", "id: new\n", inside=root / "data") is None
    assert write_atomic(root / "elsewhere.yaml", "x\n", inside=root / "data") is not None


def test_new_writes_nothing_through_a_linked_folder(linked_folder: tuple[Path, Path]) -> None:
    root, outside = linked_folder
    before = snapshot(outside)
    quote = "The Government of Mexico is fully committed to clarify the events"
    run(
        [
            "--root", str(root), "new", "claim", "--no-input", "--id", "gov-new",
            "--source", "mx-gov-2018", "--quote", quote, "--kind", "fact",
            "--statement", "The government says it is committed.", "--case", "ayotzinapa",
        ]
    )  # fmt: skip
    assert snapshot(outside) == before


def test_review_does_not_write_through_a_record_swapped_for_a_link(ledger_root: Path) -> None:
    """Between loading and writing, the claim's file becomes a link out of the ledger."""
    from ledger.analysis.review import add_review

    layout = layout_for(ledger_root)
    ledger = plain_load(layout).ledger
    outside = ledger_root.parent / "outside.yaml"
    path = ledger_root / "data" / CLAIM
    shutil.copy(path, outside)
    path.unlink()
    path.symlink_to(outside)
    before = outside.read_bytes()

    problem = add_review(layout, ledger, "cso-torture-complaints", "A. Reviewer", "2024-01-01")

    assert problem is not None
    assert outside.read_bytes() == before
    assert path.is_symlink()


def test_site_writes_nothing_through_a_linked_folder(ledger_root: Path) -> None:
    outdir = ledger_root.parent / "site"
    assert run(["--root", str(ledger_root), "site", str(outdir)]).exit_code == 0
    claims = next(p for p in outdir.iterdir() if p.is_dir())
    outside = ledger_root.parent / "outside"
    shutil.move(claims, outside)
    claims.symlink_to(outside)
    before = snapshot(outside)

    result = run(["--root", str(ledger_root), "site", str(outdir)])

    assert result.exit_code != 0
    assert "outside" in result.stderr
    assert snapshot(outside) == before


def test_the_loader_reads_no_dotfile_a_killed_write_leaves(ledger_root: Path) -> None:
    """What makes a killed write harmless: its temporary file is a dotfile, and dotfiles are
    not records (this one is a valid record under any other name)."""
    claim = (ledger_root / "data" / CLAIM).read_text(encoding="utf-8")
    leftover = ledger_root / "data/claims/.cso-torture-complaints.yaml.k3j_x9.tmp"
    leftover.write_text(claim.replace("cso-torture-complaints", "leftover"), encoding="utf-8")
    result = plain_load(layout_for(ledger_root))
    assert "leftover" not in result.ledger.claims
    assert result.diagnostics == []
    assert (
        json.loads(run(["--root", str(ledger_root), "validate", "-f", "json"]).stdout)["summary"][
            "files"
        ]
        == result.files
    )
