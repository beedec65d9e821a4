"""What a site was built from, and when: every page's footer says so, so that a page cited
today can be matched, later, with the state of the ledger it showed.

The revision is the git commit of the ledger's repository. It is read from git's objects
only (``rev-parse`` and ``ls-tree``, as :mod:`ledger.git.revision` reads a revision), and the data
folder's files are compared with that commit by blob ids worked out here, byte for byte:
no ``git status``, so no hook, fsmonitor or filter a repository configures runs on a build,
and a folder outside git is said to be so, quietly. The date is ``SOURCE_DATE_EPOCH``'s when
it is set (the reproducible-builds convention: the same ledger and the same epoch give the
same bytes), else today's, in UTC.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ledger.records.content_id import blob_id
from ledger.records.root import Layout

NOT_IN_GIT = "a folder not in git"
NOT_RECORDED = "a ledger whose revision was not recorded"


@dataclass(frozen=True)
class Stamp:
    """When a site was built and from which commit (None: ``where`` says why there is none)."""

    built: str
    """The build date, ISO 8601 (YYYY-MM-DD), UTC."""
    commit: str | None = None
    """The full commit id the data was read at."""
    changed: bool = False
    """Whether the data folder differs from that commit (changes not committed)."""
    where: str = NOT_RECORDED
    """What the site was built from, when there is no commit to name."""

    @property
    def short(self) -> str:
        return (self.commit or "")[:12]


def build_date(environ: Mapping[str, str] | None = None) -> str:
    """The build date: ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) when it is a
    non-negative integer, else today (UTC)."""
    raw = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.now(UTC)
    if raw.isdigit():
        with contextlib.suppress(OverflowError, OSError, ValueError):
            moment = datetime.fromtimestamp(int(raw), UTC)
    return moment.date().isoformat()


def stamp_of(
    layout: Layout,
    environ: Mapping[str, str] | None = None,
    content_ids: Mapping[str, str | None] | None = None,
) -> Stamp:
    """The build's date and the commit its data comes from (see the module's notes).

    ``content_ids``: the blob id of each record file the site's load read, by path (its
    ``LoadResult.content_ids``), so that those files are not read again to be compared with
    the commit: the stamp then says whether the data the site shows is the commit's."""
    from ledger.git.revision import GitError, open_revision, repository_prefix, resolve_revision

    built = build_date(environ)
    if layout.tree is not None:  # `site --rev`: read from the commit itself
        return Stamp(built, layout.tree.commit)
    if isinstance(repository_prefix(layout), GitError):
        return Stamp(built, where=NOT_IN_GIT)
    commit = resolve_revision(layout, "HEAD")
    if isinstance(commit, GitError):
        return Stamp(built, where="a git repository with no commit yet")
    at_head = open_revision(layout, commit)
    if isinstance(at_head, GitError) or at_head.tree is None:
        return Stamp(built, commit, changed=True)  # no ledger.toml there: not committed
    committed = {rel: blob for rel, blob in at_head.tree.blobs.items() if not _hidden(rel)}
    return Stamp(built, commit, changed=_worktree(layout, content_ids or {}) != committed)


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))


def _worktree(layout: Layout, known: Mapping[str, str | None]) -> dict[str, str]:
    """Every regular file in the data folder (links and hidden names left out, as a commit's
    listing is read), by its path from the ledger's root, with its blob id: ``known``'s, or
    read from the file. Paths are joined as text: a site of 100,000 claims has as many
    files, and making each a ``Path`` to ask for its path from the root cost a second."""
    found: dict[str, str] = {}
    top = layout.relative(layout.data)
    folders = [(str(layout.data), "" if top == "." else f"{top}/")]
    while folders:
        folder, prefix = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):
                folders.append((entry.path, f"{prefix}{entry.name}/"))
            elif stat.S_ISREG(mode):
                rel = f"{prefix}{entry.name}"
                blob = known.get(rel)
                if blob is None:
                    try:
                        blob = blob_id(Path(entry.path).read_bytes())
                    except OSError:
                        continue
                found[rel] = blob
    return found
