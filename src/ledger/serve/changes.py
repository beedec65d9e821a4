"""The changes not yet committed: what `ledger diff` says of them, and git's own view.

The app writes files and never commits; this is what a researcher reads before committing:
the semantic diff (records and statuses, :func:`ledger.git.diff.diff_ledgers`, the working tree
against HEAD, as `ledger diff` compares them), `git status` and `git diff` of the data
folder, and the text of each new file (git's diff leaves untracked files out). Only
read-only git commands run, and none writes the index (a git command the user runs meanwhile
never finds it locked); a new file is read only when it lies inside the data folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ledger.git.diff import LedgerDiff, diff_ledgers, settings_changes
from ledger.git.revision import WORKTREE, GitError, git, open_revision, repository_prefix
from ledger.records.files import MAX_RECORD_BYTES, read_bytes
from ledger.records.ledger import Ledger
from ledger.records.root import Layout


@dataclass(frozen=True)
class Pending:
    """The diff (or why there is none), git's status and patch, and each new file's text;
    ``status`` is None outside git."""

    diff: LedgerDiff | str
    status: str | None = None
    patch: str = ""
    new_files: list[tuple[str, str]] = field(default_factory=list)


def pending(layout: Layout, ledger: Ledger) -> Pending:
    """The working tree's changes against HEAD; ``ledger`` is the working tree's, loaded.
    Before a first commit there is no diff, but git's status still lists the new files."""
    from ledger.records.load import load

    prefix = repository_prefix(layout)
    if isinstance(prefix, GitError):
        return Pending(f"not in git: {prefix.message}")
    head = open_revision(layout, "HEAD")
    result: LedgerDiff | str
    if isinstance(head, GitError):
        result = f"no commit to compare with: {head.message}"
    else:
        old = load(head, check=False)
        result = diff_ledgers(
            old.ledger,
            ledger,
            "HEAD",
            WORKTREE,
            (old.left_out, 0),
            settings_changes(head, layout),
            (old.unloaded, frozenset()),
            (old.left_out_paths, ()),
        )
    data = os.path.relpath(layout.data, layout.root)
    listed = git(layout.root, "status", "--porcelain=v1", "-z", "-uall", "--", data)
    patch = git(  # diff-files: git diff would write the index, taking its lock
        layout.root,
        *("-c", "core.quotepath=off", "diff-files", "-p", "--no-color", "--no-ext-diff"),
        *("--", data),
    )
    entries = [] if isinstance(listed, GitError) else [e for e in str(listed).split("\0") if e]
    status = "\n".join(entries) if not isinstance(listed, GitError) else listed.message
    return Pending(
        result,
        status,
        patch.message if isinstance(patch, GitError) else str(patch),
        _new_files(layout, str(prefix), entries),
    )


def _new_files(layout: Layout, prefix: str, entries: list[str]) -> list[tuple[str, str]]:
    """The text of each untracked file in the data folder (paths from git's top), read
    only when it is a regular file inside the data folder, and not too large."""
    top = prefix.strip("/")
    data = layout.data.resolve()
    found = []
    for entry in entries:
        if not entry.startswith("?? "):
            continue
        path = entry[3:]
        if top:
            if not path.startswith(f"{top}/"):
                continue
            path = path[len(top) + 1 :]
        target = layout.root / path
        try:
            inside = target.resolve().is_relative_to(data) and not target.is_symlink()
        except OSError:
            continue
        if not inside:
            continue
        content = read_bytes(target, MAX_RECORD_BYTES)
        if isinstance(content, bytes):
            found.append((path, content.decode("utf-8", "replace")))
    return found
