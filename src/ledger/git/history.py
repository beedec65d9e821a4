"""A record's history from git: the commits that changed it, and for a requirement or a case,
its derived status at each commit that changed any data (claims move a status too)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledger.analysis.status_report import to_plain
from ledger.gcpause import paused_gc
from ledger.git.revision import GitError, git, open_revision, repository_prefix
from ledger.records.kinds import CASES, STATUS_KINDS

if TYPE_CHECKING:  # a claim's or source's history loads no records: nor imports the schema
    from ledger.records.ledger import Ledger
    from ledger.records.pipeline import LoadResult
    from ledger.records.root import Layout

_SEP = "\x1f"


@dataclass(frozen=True)
class CommitInfo:
    commit: str
    date: str
    author: str
    subject: str
    status: str | None = None
    line: str | None = None


@dataclass(frozen=True)
class History:
    id: str
    path: str
    commits: tuple[CommitInfo, ...]

    def to_dict(self) -> dict[str, object]:
        return {"format": "ledger-log", "version": 1, **to_plain(self)}


def record_history(
    layout: Layout, record: tuple[str, str, str], limit: int = 20
) -> History | GitError:
    """The commits (newest first, at most ``limit``) that changed a record or its status;
    ``record`` is its id, kind (folder) and file as the working tree has them."""
    prefix = repository_prefix(layout)
    if isinstance(prefix, GitError):
        return prefix
    record_id, kind, path = record
    tracks_status = kind in STATUS_KINDS
    scope = layout.relative(layout.data) if tracks_status else path
    args = ["log", f"-n{max(1, limit)}", "--date=short", f"--format=%H{_SEP}%ad{_SEP}%an{_SEP}%s"]
    if not tracks_status:
        args.append("--follow")
    listed = git(layout.root, *args, "--", scope)
    if isinstance(listed, GitError):
        return listed
    commits = []
    previous: tuple[Layout, LoadResult] | None = None  # the commit after, loaded
    for row in str(listed).splitlines():
        parts = row.split(_SEP)
        if len(parts) != 4:
            continue
        info = CommitInfo(*parts)
        if tracks_status:
            revision = open_revision(layout, info.commit, previous[0] if previous else None)
            if not isinstance(revision, GitError):
                with paused_gc():  # each full collection would walk a whole ledger again
                    loaded = _load_beside(revision, previous)
                    info = _status_at(loaded.ledger, info, record_id, kind == CASES.folder)
                previous = revision, loaded
        commits.append(info)
    return History(record_id, path, tuple(commits))


def _load_beside(revision: Layout, previous: tuple[Layout, LoadResult] | None) -> LoadResult:
    """A commit's records: derived from the commit after it, already loaded, by the files
    that differ (records.beside), else loaded whole."""
    from ledger.records.beside import load_beside
    from ledger.records.load import load

    derived = load_beside(revision, *previous) if previous is not None else None
    return derived if derived is not None else load(revision, check=False)


def _status_at(old: Ledger, info: CommitInfo, record_id: str, is_case: bool) -> CommitInfo:
    from ledger.analysis.status import case_status, requirement_verdicts

    if is_case:
        if record_id not in old.cases:
            return CommitInfo(*_head(info), status="(absent)")
        groups = case_status(old, record_id).requirements
        summary = ", ".join(f"{g.id}: {g.verdict.status.value}" for g in groups if g.id)
        return CommitInfo(*_head(info), status=summary or "no-evidence", line="")
    verdict = requirement_verdicts(old, only={record_id}).get(record_id)
    if verdict is None:
        return CommitInfo(*_head(info), status="(absent)")
    return CommitInfo(*_head(info), status=verdict.status.value, line=verdict.line)


def _head(info: CommitInfo) -> tuple[str, str, str, str]:
    return info.commit, info.date, info.author, info.subject
