"""Reading the ledger as it was at a git revision, without a checkout.

`git archive` streams the revision's `ledger.toml` and data folder, which are unpacked into
a private temporary folder and loaded by the ordinary loader, so every safety check applies
to old revisions too. Members that would land outside the folder, links that leave it, and
device files are dropped by tarfile's `data` filter. The working tree is never touched.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path

from ledger.root import MARKER, Layout, RootError, read_marker

WORKTREE = "worktree"
"""The name `ledger diff` gives the working tree as one side of a comparison."""


@dataclass(frozen=True)
class GitError:
    """Why a revision could not be read (not a repository, unknown revision, ...)."""

    message: str


def git(root: Path, *args: str, binary: bool = False) -> bytes | str | GitError:
    """Run git in ``root``; its output, or the reason it failed."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            check=False,
            timeout=120,
        )
    except FileNotFoundError:
        return GitError("git is not installed")
    except subprocess.TimeoutExpired:
        return GitError(f"git {args[0]} took too long")
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout if binary else done.stdout.decode("utf-8", "replace")


def repository_prefix(layout: Layout) -> str | GitError:
    """The ledger root's path inside its git repository ("" at the top)."""
    inside = git(layout.root, "rev-parse", "--is-inside-work-tree")
    if isinstance(inside, GitError) or str(inside).strip() != "true":
        return GitError(f"{layout.root} is not inside a git repository")
    prefix = git(layout.root, "rev-parse", "--show-prefix")
    return prefix if isinstance(prefix, GitError) else str(prefix).strip()


def resolve_revision(layout: Layout, rev: str) -> str | GitError:
    """The full commit id a revision names."""
    if rev.startswith("-"):
        return GitError(f"'{rev}' is not a revision")
    found = git(layout.root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if isinstance(found, GitError) or not str(found).strip():
        return GitError(f"unknown revision '{rev}'")
    return str(found).strip()


class Snapshot(AbstractContextManager["Snapshot"]):
    """The ledger at one revision, unpacked in a temporary folder for as long as it is open."""

    def __init__(self, layout: Layout, commit: str, prefix: str) -> None:
        self.commit = commit
        self._temp = tempfile.TemporaryDirectory(prefix="ledger-rev-")
        self.folder = Path(self._temp.name)
        self.layout: Layout | RootError = RootError("not unpacked")
        self._source = layout
        self._prefix = prefix

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self._temp.cleanup()

    def unpack(self) -> GitError | None:
        data_rel = self._source.relative(self._source.data)
        paths = [f"{self._prefix}{MARKER}", f"{self._prefix}{data_rel}"]
        # ls-tree and archive take paths from the folder they run in: run them at the top
        cdup = git(self._source.root, "rev-parse", "--show-cdup")
        if isinstance(cdup, GitError):
            return cdup
        top = self._source.root / str(cdup).strip()
        # -z: unquoted names (git quotes a name with non-ASCII letters, as in "Données/")
        listed = git(top, "ls-tree", "-z", "--name-only", self.commit, "--", *paths)
        if isinstance(listed, GitError):
            return listed
        present = [p for p in str(listed).split("\0") if p]
        if f"{self._prefix}{MARKER}" not in present:
            return GitError(f"revision {self.commit[:12]} has no {MARKER}")
        # The files as committed: with core.autocrlf (Git for Windows' default) git archive
        # would write archived texts with CRLF, and their pinned hashes would fail.
        archive = git(
            top,
            *_AS_COMMITTED,
            "archive",
            "--format=tar",
            self.commit,
            "--",
            *present,
            binary=True,
        )
        if isinstance(archive, GitError):
            return archive
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:  # type: ignore[arg-type]
            tar.extractall(self.folder, filter=_safe_member)
        root = self.folder / self._prefix if self._prefix else self.folder
        found = read_marker(root)
        self.layout = replace(found, cacheable=False) if isinstance(found, Layout) else found
        return None


_AS_COMMITTED = ("-c", "core.autocrlf=false", "-c", "core.eol=lf")
"""git options that turn off line-ending conversion the user's configuration asks for (a
`.gitattributes` that asks for it still applies)."""


def _safe_member(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """tarfile's `data` filter, but dropping (not failing on) members it refuses."""
    try:
        return tarfile.data_filter(member, dest)
    except tarfile.FilterError:
        return None


def open_snapshot(layout: Layout, rev: str) -> Snapshot | GitError:
    """Unpack the ledger at ``rev``; the caller closes the snapshot when done."""
    prefix = repository_prefix(layout)
    if isinstance(prefix, GitError):
        return prefix
    commit = resolve_revision(layout, rev)
    if isinstance(commit, GitError):
        return commit
    snapshot = Snapshot(layout, commit, prefix)
    failure = snapshot.unpack()
    if failure is not None:
        snapshot.__exit__(None, None, None)
        return failure
    if isinstance(snapshot.layout, RootError):
        snapshot.__exit__(None, None, None)
        return GitError(snapshot.layout.message)
    return snapshot
