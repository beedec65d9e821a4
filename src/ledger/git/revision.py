"""Reading the ledger as it was at a git revision, straight from git's object database.

`ls-tree -r -z` names the revision's blobs, each by its content id, and `cat-file --batch`
gives the bytes of those that are needed: the revision's own `ledger.toml` (which names its
data folder), the record files whose outcome the cache does not hold, and the archived texts
the checks read. Nothing is written to disk and nothing passes through `git archive` or a
checkout, so no `.gitattributes` a revision carries (`export-ignore`, `export-subst`,
filters, eol) can hide or rewrite what a revision holds. Only regular blobs are read: links
and submodules are left out, and so is any name that would land outside the ledger's folder.
The working tree is never touched.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from ledger.git.git_objects import read_blobs
from ledger.records.files import ReadFailure
from ledger.records.portable import PathRefusal, relative_parts
from ledger.records.root import MARKER, Layout, RootError, layout_from

WORKTREE = "worktree"
"""The name `ledger diff` gives the working tree as one side of a comparison."""


@dataclass(frozen=True)
class GitError:
    """Why a revision could not be read (not a repository, unknown revision, ...)."""

    message: str


def git(root: Path, *args: str, binary: bool = False) -> bytes | str | GitError:
    """Run git in ``root``; its output, or the reason it failed. Optional locks are not
    taken: a read (``git status``) never rewrites the index, so a git command the user runs
    at the same moment does not find it locked."""
    try:
        done = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(root), *args],
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
    prefix = git(layout.root, "rev-parse", "--show-prefix", binary=True)
    if isinstance(prefix, GitError):
        return prefix
    # Decoded as git's listings are (names not UTF-8 kept), and only the line's end cut: a
    # folder's name may start with a space.
    return bytes(prefix).decode("utf-8", "surrogateescape").removesuffix("\n")  # type: ignore[arg-type]


def resolve_revision(layout: Layout, rev: str) -> str | GitError:
    """The full commit id a revision names."""
    if rev.startswith("-"):
        return GitError(f"'{rev}' is not a revision")
    found = git(layout.root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if isinstance(found, GitError) or not str(found).strip():
        any_commit = git(layout.root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
        if isinstance(any_commit, GitError) or not str(any_commit).strip():
            return GitError(
                f"unknown revision '{rev}': the repository has no commits yet "
                "(commit the ledger first, then `ledger diff` compares with it)"
            )
        return GitError(f"unknown revision '{rev}'")
    return str(found).strip()


@dataclass
class RevisionTree:
    """The regular files of one revision at or below the ledger's folder: each path
    (relative to the ledger's root, as diagnostics name it) and its blob id."""

    top: Path
    """The repository's top folder, where git is run."""
    commit: str
    blobs: dict[str, str]
    marker: bytes = b""
    """The revision's own ledger.toml, as read."""
    scope: str = ""
    """The path (from the repository's top) ``blobs`` lists the files at or under."""
    lacking: bool = False
    """Whether git could not give a blob the revision lists (a partial clone that could not
    fetch it, git stopping early): an answer read from it may read otherwise next time."""
    _folders: set[str] | None = field(default=None, repr=False)

    @cached_property
    def replaced(self) -> bool:
        """Whether git reads some object as another (`git replace`): a blob id then does not
        fix the bytes read for it, so nothing remembered by blob id may stand for them.
        Asked of git only by a reader that would take something by blob id (the cache)."""
        return _replacing(self.top)

    def read(self, rel: str, limit: int) -> bytes | ReadFailure:
        """One file's bytes, read as files.read_bytes reads a file on disk."""
        return self.read_many([rel], limit)[rel]

    def read_many(self, rels: list[str], limit: int) -> dict[str, bytes | ReadFailure]:
        """Several files' bytes by path, from one `cat-file`; a path with no regular file
        is unreadable (or not a regular file, for a folder), as it would be on disk."""
        wanted = {rel: self.blobs[rel] for rel in rels if rel in self.blobs}
        found = read_blobs(self.top, wanted.values(), limit)
        from ledger.git.git_objects import MISSING

        if any(found[blob] is MISSING for blob in wanted.values()):
            self.lacking = True
        return {rel: found[wanted[rel]] if rel in wanted else self._absent(rel) for rel in rels}

    def _absent(self, rel: str) -> ReadFailure:
        from ledger.git.git_objects import MISSING

        if self._folders is None:
            self._folders = {
                path.rsplit("/", depth)[0]
                for path in self.blobs
                for depth in range(1, path.count("/") + 1)
            }
        if rel in self._folders:
            return ReadFailure(
                "not-a-regular-file",
                "the file is not a regular file (a FIFO, device or folder)",
                "replace it with an ordinary text file",
            )
        return MISSING


def open_revision(layout: Layout, rev: str, like: Layout | None = None) -> Layout | GitError:
    """The ledger at ``rev``: its own ledger.toml's layout, its files read from git's
    objects (the layout's ``tree``). Paths and the cache are the working tree's ledger's.

    ``like``, another revision of the same ledger already open (a diff's other side, the
    commit before in a log), lends its listing: when both keep their records in the same
    folder, only the paths `git diff-tree` names as changed between the two are listed
    again, instead of every file of the revision."""
    prefix = repository_prefix(layout)
    if isinstance(prefix, GitError):
        return prefix
    commit = resolve_revision(layout, rev)
    if isinstance(commit, GitError):
        return commit
    cdup = git(layout.root, "rev-parse", "--show-cdup")  # ls-tree names paths from the top
    if isinstance(cdup, GitError):
        return cdup
    top = layout.root / str(cdup).strip()
    marker = _listed(top, commit, f"{prefix}{MARKER}", prefix)
    if isinstance(marker, GitError):
        return marker
    if MARKER not in marker:
        return GitError(f"revision {commit[:12]} has no {MARKER}")
    tree = RevisionTree(top, commit, marker)
    text = tree.read(MARKER, 1 << 20)
    try:
        decoded = text.decode("utf-8-sig") if isinstance(text, bytes) else None
    except UnicodeDecodeError as exc:
        decoded, text = None, ReadFailure("unreadable", str(exc), "")
    if decoded is None:
        why = text.message if isinstance(text, ReadFailure) else ""
        return GitError(f"cannot read {layout.root / MARKER} at {commit[:12]}: {why}")
    found = layout_from(layout.root, decoded, on_disk=False)
    if isinstance(found, RootError):
        return GitError(found.message)
    data = found.data.relative_to(layout.root).as_posix()
    scope = f"{prefix}{data}" if data != "." else prefix or "."
    files = _listed_like(like, top, commit, scope, prefix) if like is not None else None
    if files is None:
        files = _listed(top, commit, scope, prefix)
    if isinstance(files, GitError):
        return files
    tree.blobs = files
    tree.scope = scope
    tree.marker = text
    return replace(found, cacheable=False, tree=tree)


def replaced_objects(layout: Layout) -> bool:
    """Whether git reads some object as another (`git replace`): a commit's id then no
    longer fixes the files read for it. A failure to tell counts as yes."""
    return _replacing(layout.root)


def _replacing(folder: Path) -> bool:
    listed = git(folder, "replace", "--list")
    return isinstance(listed, GitError) or bool(str(listed).strip())


def _listed(top: Path, commit: str, path: str, prefix: str) -> dict[str, str] | GitError:
    """Every regular file at or under ``path`` (from the repository's top), by its path
    from the ledger's root (``prefix`` removed)."""
    listed = git(
        top,
        "--literal-pathspecs",
        "ls-tree",
        "-r",
        "-z",
        "--full-tree",
        commit,
        "--",
        path,
        binary=True,
    )
    if isinstance(listed, GitError):
        return listed
    # Names are bytes: decoded as the working tree's are (os.fsdecode), so two names that
    # are not UTF-8 stay two paths, and the same paths as in a checkout.
    names = bytes(listed).decode("utf-8", "surrogateescape")  # type: ignore[arg-type]
    return {
        name[len(prefix) :]: blob for name, blob in regular_files(names) if name.startswith(prefix)
    }


def _listed_like(
    like: Layout, top: Path, commit: str, scope: str, prefix: str
) -> dict[str, str] | GitError | None:
    """What :func:`_listed` gives for ``scope`` at ``commit``, from ``like``'s listing and
    the entries `git diff-tree` says differ between the two commits; None when ``like``
    is no revision of the same repository listed for the same scope."""
    other = like.tree
    if other is None or other.top != top or other.scope != scope:
        return None
    changed = git(
        top,
        "--literal-pathspecs",
        "diff-tree",
        "-r",
        "-z",
        "--no-renames",
        "--no-commit-id",
        other.commit,
        commit,
        "--",
        scope,
        binary=True,
    )
    if isinstance(changed, GitError):
        return changed
    files = dict(other.blobs)
    fields = bytes(changed).decode("utf-8", "surrogateescape").split("\0")  # type: ignore[arg-type]
    for head, name in zip(fields[0:-1:2], fields[1::2], strict=True):
        parts = head.split(" ")
        if len(parts) != 5 or not name.startswith(prefix):
            return None  # not the raw format this reads: list the revision whole
        rel = name[len(prefix) :]
        files.pop(rel, None)
        entry = f"{parts[1]} blob {parts[3]}\t{name}"
        for path, blob in regular_files(entry):
            files[path[len(prefix) :]] = blob
    return files


_REGULAR_HEADS = ("100644 blob ", "100755 blob ")
"""How an `ls-tree` entry of a regular file begins: its mode and type, then the blob id."""


def regular_files(listing: str) -> Iterator[tuple[str, str]]:
    """(path, blob id) for each regular file of an `ls-tree -r -z` listing whose path is
    safe to write below a folder here. A name only another platform reads otherwise
    (``con.yaml`` on Windows) is written all the same, so that a revision holds what the
    working tree would, and the loader warns about it alike.

    A hundred thousand entries: each is tested with a few string searches, and only a
    path that could be unsafe (one with an empty, ``.`` or ``..`` part, or absolute) is
    split into its parts."""
    posix = os.name != "nt"
    for entry in listing.split("\0"):
        head, tab, path = entry.partition("\t")
        if not tab or not head.startswith(_REGULAR_HEADS):
            continue
        blob = head[len(_REGULAR_HEADS[0]) :]
        if " " in blob:
            continue
        doubtful = path[:1] in ("", "/", ".") or "/." in path or "//" in path or path[-1] == "/"
        if (doubtful or not posix) and not _safe_here(path):
            continue
        yield path, blob


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
