"""Shared helpers: the sample ledger, throw-away copies of it to break, and ways to run the CLI.

`tests/sample/` is a small, clean ledger. A test that needs a broken ledger takes the
`sample_copy` fixture (a copy in a temporary folder), changes one thing and looks at what comes
back: the library's diagnostics, or the CLI's exit code and its stdout and stderr, which the
installed Typer's `CliRunner` keeps apart (`result.stdout`, `result.stderr`).
"""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner, Result

import ledger.records.load as load_module
import ledger.records.record_reader as reader_module
import ledger.records.scan as scan_module
import ledger.store.report_view as view_module
from browser import CHROMIUM, MISSING, Browser, Tab
from ledger.cli import app
from ledger.records.diagnostics import Diagnostic
from ledger.records.load import LoadResult, load
from ledger.records.root import Layout, open_layout
from ledger.records.scan import Identity
from ledger.store.cache_key import KEY_ENV

# Property tests draw new random inputs on every local run, to keep finding bugs, but the
# same inputs on every CI run (`.ci/run` sets CI), so that a red build means a change broke
# something, not that a lucky draw found an old bug. Each test keeps its own max_examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("local", derandomize=False)
settings.load_profile("ci" if os.environ.get("CI") else "local")

SAMPLE = Path(__file__).parent / "sample"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
"""A git identity and no user configuration, for scratch repositories the tests build."""


def git(repo: Path, *args: str) -> str:
    """Run git in a scratch repository; its stdout (a failure fails the test)."""
    done = subprocess.run(
        ["git", "-C", str(repo), *args],
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


"""The committed sample ledger; never written to by tests."""


def layout_for(root: Path) -> Layout:
    layout = open_layout(root)
    assert isinstance(layout, Layout), layout
    return layout


def where(d: Diagnostic) -> tuple[str, int, int, str]:
    """What most tests assert about a diagnostic: code, line, column and field."""
    return (d.code, d.line, d.column, d.field)


class Sample:
    """A copy of the sample ledger that a test may break. Paths are relative to `data/`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"

    def path(self, rel: str) -> Path:
        return self.data / rel

    def read(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.path(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def edit(self, rel: str, old: str, new: str) -> Path:
        """Replace one occurrence of ``old`` (which must be there) in a file."""
        text = self.read(rel)
        assert text.count(old) == 1, f"{old!r} is not exactly once in {rel}"
        return self.write(rel, text.replace(old, new))

    def load(self) -> LoadResult:
        result = load(layout_for(self.root))
        assert result.fatal is None, result.fatal
        return result

    def diagnostics(self) -> list[Diagnostic]:
        return self.load().diagnostics

    def only(self) -> Diagnostic:
        """The single diagnostic the ledger gives (fails, listing them, if there are others)."""
        found = self.diagnostics()
        assert len(found) == 1, [(d.path, *where(d), d.message) for d in found]
        return found[0]


class DatedEdits:
    """Edits to a ledger's files, each file dated anew: a minute after the one before, an
    hour ago (a new identity, old enough for the cache to trust)."""

    def __init__(self, sample: Sample) -> None:
        self.sample = sample
        self.step = 0

    def write(self, rel: str, text: str) -> None:
        self.step += 1
        make_old(self.sample.write(rel, text), PAST + 60 * self.step)

    def edit(self, rel: str, old: str, new: str) -> None:
        text = self.sample.read(rel)
        assert old in text, (rel, old)
        self.write(rel, text.replace(old, new, 1))


@pytest.fixture
def sample_copy(tmp_path: Path) -> Sample:
    """A fresh copy of tests/sample in a temporary folder."""
    root = tmp_path / "ledger"
    shutil.copytree(SAMPLE, root, symlinks=True, ignore=shutil.ignore_patterns(".ledger-cache"))
    return Sample(root)


def run(args: Sequence[str], env: dict[str, str | None] | None = None) -> Result:
    """`ledger ARGS` in-process. LEDGER_ROOT is unset unless ``env`` sets it."""
    return CliRunner().invoke(
        app, list(args), env={"LEDGER_ROOT": None, "FORCE_COLOR": None, **(env or {})}
    )


def run_process(
    args: Sequence[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`python -m ledger ARGS` as a real process, where process behaviour matters (a crash,
    a hang, real file descriptors). ``timeout`` only guards against a hang; it is no budget."""
    unset = {"LEDGER_ROOT", "NO_COLOR", "FORCE_COLOR"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "-m", "ledger", *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        timeout=timeout,
        check=False,
    )


PAST = time.time() - 3600
"""An hour ago: a time at which the cache trusts a file (see scan.py's racy-file rule)."""

AGED: set[tuple[int, int]] = set()
"""(inode, change time) of every file made old by :func:`make_old` while its change time is
still the one it was given then."""


def age(root: Path) -> None:
    """Make every file under data/ an hour old, as files are between commits: a file written
    in the same clock tick as it is read could change unseen, so fresh files are not cached."""
    for path in (root / "data").rglob("*"):
        if path.is_file():
            make_old(path)


def make_old(path: Path | str | bytes, when: float = PAST, follow_symlinks: bool = True) -> None:
    """Date a file ``when``, as if it had not changed since. A test cannot set a file's change
    time (setting the modification time is itself a change), so the file is also noted in
    AGED, and the racy-file rule takes its change time to be its modification time until it
    changes again (the fixture below)."""
    os.utime(path, (when, when), follow_symlinks=follow_symlinks)
    for info in (os.stat(path, follow_symlinks=follow_symlinks), os.lstat(path)):
        AGED.add((info.st_ino, info.st_ctime_ns))


def wait_until_settled(root: Path) -> None:
    """Wait until every file under data/ has really settled (its change time RACY_NS in the
    past), for a test whose ledger is read by another process, which AGED does not reach."""
    newest = max(os.lstat(path).st_ctime_ns for path in (root / "data").rglob("*"))
    wait = newest + scan_module.RACY_NS - time.time_ns()
    if wait > 0:
        time.sleep(wait / 1e9 + 0.05)


@pytest.fixture(autouse=True)
def collected_as_usual() -> Iterator[None]:
    """A command in-process leaves what it loaded out of the collector's walks (gcpause.py),
    as it may in a process that ends with it; each test's leftovers are collected again."""
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def aged_files_have_settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files made old by :func:`make_old` count as changed when they were modified, as the
    files of a checkout made an hour ago do; every other file is judged by its real times."""
    real = scan_module.settled

    def settled(identity: Identity, now_ns: int) -> bool:
        if (identity[2], identity[3]) in AGED:
            identity = (identity[0], identity[1], identity[2], identity[1])
        return real(identity, now_ns)

    monkeypatch.setattr(scan_module, "settled", settled)


@pytest.fixture(autouse=True, scope="session")
def private_cache_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The cache's key in a folder of this test run, never in the user's own cache folder."""
    before = os.environ.get(KEY_ENV)
    os.environ[KEY_ENV] = str(tmp_path_factory.mktemp("cache-home"))
    yield
    if before is None:
        os.environ.pop(KEY_ENV, None)
    else:
        os.environ[KEY_ENV] = before


@pytest.fixture
def files_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The record files actually read (not taken from the cache), in order."""
    found: list[str] = []
    real = reader_module.read_record_bytes

    def spy(path: Path, rel: str):  # type: ignore[no-untyped-def]
        found.append(rel)
        return real(path, rel)

    monkeypatch.setattr(reader_module, "read_record_bytes", spy)
    return found


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time the ledger was actually loaded (not answered from the cache), whole or as
    far as one requirement's report reads it."""
    calls: list[str] = []
    real = load_module.load
    real_view = view_module.report_view

    def spy(layout, **options):  # type: ignore[no-untyped-def]
        calls.append(str(layout.root))
        return real(layout, **options)

    def spy_view(layout, *args):  # type: ignore[no-untyped-def]
        found = real_view(layout, *args)
        if found is not None:
            calls.append(str(layout.root))
        return found

    monkeypatch.setattr(load_module, "load", spy)
    monkeypatch.setattr(view_module, "report_view", spy_view)
    return calls


@pytest.fixture
def repo(tmp_path: Path) -> Sample:
    """The sample ledger in canonical form, committed as the first commit of a new git
    repository (for `diff`, `log`, `--rev` and review)."""
    root = tmp_path / "repo"
    shutil.copytree(SAMPLE, root)
    git(root, "init", "-q")
    assert run(["--root", str(root), "fmt"]).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the sample ledger")
    return Sample(root)


REPO = Path(__file__).resolve().parents[1]
"""The repository, whose own ledger (ledger.toml, data/, schema/) some tests copy."""


def repository_ledger(root: Path) -> Path:
    """The repository's own ledger (ledger.toml and data/) copied into a new folder ``root``."""
    root.mkdir()
    shutil.copy2(REPO / "ledger.toml", root / "ledger.toml")
    shutil.copytree(REPO / "data", root / "data", ignore=shutil.ignore_patterns(".*"))
    return root


def repository_copy(tmp_path: Path) -> Path:
    """The repository's ledger copied and committed as the first commit of a new git
    repository (for `diff`, `git diff` and review)."""
    root = tmp_path / "ledger"
    root.mkdir()
    shutil.copy2(REPO / "ledger.toml", root / "ledger.toml")
    for folder in ("data", "schema"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns(".*"))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the repository's ledger")
    return root


@pytest.fixture
def requested(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every blob asked of git's object database, with the size limit it was asked under."""
    asked: list[tuple[str, int]] = []
    import ledger.git.git_objects as objects_module

    real = objects_module.read_blobs

    def spy(top, blobs, limit):  # type: ignore[no-untyped-def]
        wanted = list(blobs)
        asked.extend((blob, limit) for blob in wanted)
        return real(top, wanted, limit)

    monkeypatch.setattr(objects_module, "read_blobs", spy)
    import ledger.git.revision as revision_module

    monkeypatch.setattr(revision_module, "read_blobs", spy)
    return asked


def broken_ids(output: str, ids: Iterable[str]) -> list[str]:
    """The ids that output shows broken across lines: both a beginning and an end of the id
    stand as words of their own, cut inside one of its hyphen-separated parts
    (``disappearances-n`` and ``ationwide``), as a fold at the width leaves them."""
    import re

    word = r"[a-z0-9][a-z0-9-]*[a-z0-9]"
    # a piece a fold leaves ends a line or a table cell, and the rest begins one
    ends = set(re.findall(rf"(?<![\w-])({word})(?:  |\s*$)", output, re.MULTILINE))
    starts = set(re.findall(rf"(?:^ *|  )({word})(?![\w-])", output, re.MULTILINE))
    found = []
    for record_id in ids:
        heads = [
            w for w in ends
            if w != record_id and record_id.startswith(w) and record_id[len(w)] != "-"
        ]  # fmt: skip
        tails = [
            w for w in starts
            if w != record_id and record_id.endswith(w) and record_id[-len(w) - 1] != "-"
        ]  # fmt: skip
        if any(len(h) + len(t) <= len(record_id) for h in heads for t in tails):
            found.append(record_id)
    return sorted(found)


# -- the browser tests' Chromium (tests/browser.py) ---------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """The browser; its absence skips the tests, or fails them when LEDGER_REQUIRE_BROWSER is
    set (as CI sets it, so the browser tests cannot be skipped there unnoticed)."""
    if CHROMIUM is None:
        if os.environ.get("LEDGER_REQUIRE_BROWSER"):
            pytest.fail(f"LEDGER_REQUIRE_BROWSER is set but {MISSING}")
        pytest.skip(MISSING)
    started = Browser(CHROMIUM, tmp_path_factory.mktemp("profile"))
    try:
        started.call("Browser.getVersion")
        yield started
    finally:
        started.close()


@pytest.fixture
def tab(browser: Browser) -> Tab:
    return Tab(browser)
