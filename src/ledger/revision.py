"""Reading the ledger as it was at a git revision, without a checkout.

The revision's `ledger.toml` and data folder are read straight from git's object database
(`ls-tree -z` names the blobs, `cat-file --batch` gives their bytes) and written into a
private temporary folder, where the ordinary loader reads them, so every safety check
applies to old revisions too. Nothing passes through `git archive` or checkout, so no
`.gitattributes` a revision carries (`export-ignore`, `export-subst`, filters, eol) can hide
or rewrite what a revision holds. Only regular files are written: links and submodules are
left out, and so is any name that would land outside the folder. The working tree is never
touched.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from ledger.config import parse_config
from ledger.portable import PathRefusal, relative_parts
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
        """Write the revision's ledger.toml, then the data folder that file names (which
        may not be the working tree's: a revision may have moved it)."""
        # ls-tree takes paths from the folder it runs in: run it at the top
        cdup = git(self._source.root, "rev-parse", "--show-cdup")
        if isinstance(cdup, GitError):
            return cdup
        top = self._source.root / str(cdup).strip()
        marker = f"{self._prefix}{MARKER}"
        failure = self._write_listed(top, marker)
        if failure is not None:
            return failure
        root = self.folder / self._prefix if self._prefix else self.folder
        if not (root / MARKER).is_file():
            return GitError(f"revision {self.commit[:12]} has no {MARKER}")
        data = _data_folder((root / MARKER).read_bytes())
        if data is not None:
            failure = self._write_listed(top, f"{self._prefix}{data}")
            if failure is not None:
                return failure
            (root / data).mkdir(parents=True, exist_ok=True)  # no data yet at this revision
        found = read_marker(root)
        self.layout = replace(found, cacheable=False) if isinstance(found, Layout) else found
        return None

    def _write_listed(self, top: Path, path: str) -> GitError | None:
        """Write every regular file at or under ``path`` (from the repository's top)."""
        listed = git(
            top, "--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", self.commit,
            "--", path,
        )  # fmt: skip
        if isinstance(listed, GitError):
            return listed
        return _write_blobs(top, dict(regular_files(str(listed))), self.folder)


def _data_folder(marker: bytes) -> str | None:
    """The data folder a revision's ledger.toml names, when it names one a revision may
    be read from (else None: `read_marker` then says what is wrong with the file)."""
    try:
        config, problems = parse_config(marker.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None
    if problems or isinstance(relative_parts(config.data), PathRefusal):
        return None
    return config.data


_REGULAR_MODES = {"100644", "100755"}


def regular_files(listing: str) -> Iterator[tuple[str, str]]:
    """(path, blob id) for each regular file of an `ls-tree -r -z` listing whose path is
    safe to write below a folder here. A name only another platform reads otherwise
    (``con.yaml`` on Windows) is written all the same, so that a revision holds what the
    working tree would, and the loader warns about it alike."""
    for entry in listing.split("\0"):
        head, tab, path = entry.partition("\t")
        fields = head.split(" ")
        if not tab or len(fields) != 3 or fields[0] not in _REGULAR_MODES or fields[1] != "blob":
            continue
        if not _safe_here(path):
            continue
        yield path, fields[2]


def _safe_here(path: str) -> bool:
    """Whether ``path`` stays below the folder it is written in, on this platform."""
    if os.name == "nt":
        return not isinstance(relative_parts(path), PathRefusal)
    parts = path.split("/")
    return (
        not path.startswith("/")
        and "\0" not in path
        and "" not in parts
        and not any(part in (".", "..") for part in parts)
    )


def _write_blobs(top: Path, blobs: dict[str, str], folder: Path) -> GitError | None:
    """Write each blob's bytes, exactly as git stores them, to its path below ``folder``."""
    try:
        process = subprocess.Popen(
            ["git", "-C", str(top), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        return GitError("git is not installed")
    assert process.stdin is not None and process.stdout is not None
    names = list(blobs.items())
    request = "".join(f"{blob}\n" for _path, blob in names).encode("ascii")
    feeder = threading.Thread(target=_feed, args=(process.stdin, request), daemon=True)
    feeder.start()
    failure: GitError | None = None
    try:
        for path, blob in names:
            header = process.stdout.readline().decode("ascii", "replace").split()
            if len(header) != 3 or header[0] != blob or header[1] != "blob":
                failure = GitError(f"git cat-file could not read {path}")
                break
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as out:
                _copy(process.stdout, out, int(header[2]))
            process.stdout.read(1)  # the newline after each object
    finally:
        process.stdout.close()
        process.kill()
        process.wait()
        feeder.join()
    return failure


def _copy(source: IO[bytes], out: IO[bytes], size: int) -> None:
    """Copy exactly ``size`` bytes, a chunk at a time, so a large file is never held whole."""
    while size > 0:
        chunk = source.read(min(size, 1 << 20))
        if not chunk:
            raise OSError("git cat-file stopped early")
        out.write(chunk)
        size -= len(chunk)


def _feed(stream: IO[bytes], request: bytes) -> None:
    """Send `cat-file` its requests while the answers are read (so neither pipe fills)."""
    try:
        stream.write(request)
        stream.close()
    except OSError:  # git stopped early; the reader says why
        pass


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
