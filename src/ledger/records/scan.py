"""Finding the record files: one walk of the data folder, with every file's identity.

Kept apart from reading and validating so that a command answered from the cache (an
unchanged ledger) never imports the schema: the walk and the identities are all it needs.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from ledger.records.diagnostics import Diagnostic, make
from ledger.records.kinds import FOLDERS
from ledger.records.root import Layout

RECORD_KINDS = FOLDERS
"""The record folders under data/, one per kind, in schema order."""

RECORD_SUFFIX = ".yaml"


def stem(rel: str) -> str:
    """The id a record file is named for: its name without the suffix (the id it holds, in
    a clean ledger)."""
    return rel.rpartition("/")[2].removesuffix(RECORD_SUFFIX)


CACHE_DIR = ".ledger-cache"
"""The cache's folder (ledger.store.cache), left out of the walk when the data folder is the
root: its files change on every run that writes the cache, and none is a record or archive."""

Identity = tuple[int, int, int, int]
"""(size, mtime_ns, inode, ctime_ns) of a file, from lstat: git's own test for a change."""

RACY_NS = 2_000_000_000
"""A file whose modification or change time is this close before the walk began is not
trusted to have settled (see :func:`settled`). Two seconds covers the coarsest clocks in use
(FAT's two-second timestamps, one-second ones on older file systems)."""


def settled(identity: Identity, now_ns: int) -> bool:
    """Whether a file last changed long enough before ``now_ns`` that any later change must
    show in its identity. Both times are judged: a tool that puts the modification time back
    (utime, tar, rsync -t) leaves only the change time to tell, and on a file system with
    coarse timestamps an edit in the same tick as the read leaves both as they were."""
    cutoff = now_ns - RACY_NS
    return identity[1] < cutoff and identity[3] < cutoff


class RecordFile(NamedTuple):
    """One record file. A tuple: a ledger has a hundred thousand, made on every run."""

    kind: str
    where: str
    """The file's path as a string (a Path per file costs more than reading its stat)."""
    rel: str
    identity: Identity = (0, 0, 0, 0)

    @property
    def path(self) -> Path:
        return Path(self.where)


@dataclass
class Scan:
    """The record files, and the identity of every file under data/ (archives included)."""

    found: list[tuple[str, str, str, Identity]]
    """The record files as plain tuples, in the order they were met: a command answered
    from the cache needs only the identities, so RecordFiles are made when first asked for."""
    identities: list[tuple[str, Identity]]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """What the walk itself found (links, misplaced files, unlisted folders)."""
    started_ns: int = 0
    """The clock when the walk began: a file changed within RACY_NS before it is not trusted
    to have settled (:func:`settled`)."""
    unlisted: set[str] = field(default_factory=set)
    """Record kinds with a folder that could not be listed: their ids are unknown, so a
    reference to one is not reported as unresolved."""

    @functools.cached_property
    def files_digest(self) -> str:
        """One digest of every file's path and identity: worked out once per scan, however
        many whole-ledger results are looked up."""
        lines = sorted([f"{rel}\0{a} {b} {c} {d}\n" for rel, (a, b, c, d) in self.identities])
        return hashlib.sha256("".join(lines).encode("utf-8", "surrogateescape")).hexdigest()

    @functools.cached_property
    def all_settled(self) -> bool:
        """Whether every file under data/ had settled when the walk began: only then may a
        whole-ledger answer be remembered, or a remembered one be looked up."""
        started = self.started_ns
        return all(settled(ident, started) for _rel, ident in self.identities)

    def settled_file(self, identity: Identity) -> bool:
        """Whether one file had settled when the walk began."""
        return settled(identity, self.started_ns)

    @functools.cached_property
    def records(self) -> list[RecordFile]:
        """The record files, in path order."""
        return sorted((RecordFile._make(f) for f in self.found), key=attrgetter("rel"))


def unreadable_data(layout: Layout) -> str | None:
    """Why the data folder itself cannot be read, or None when it can."""
    if not layout.data.is_dir():
        return f"the data folder {layout.data} does not exist"
    try:
        os.listdir(layout.data)
    except OSError as exc:
        return f"cannot read the data folder {layout.data}: {exc.strerror}"
    return None


def scan_data(layout: Layout) -> Scan:
    """One walk of the data folder: the record files in sorted order, and the identity of
    every file (archives too). Symlinks and special files are reported (in the scan's
    diagnostics), not read."""
    scan = Scan([], [], started_ns=time.time_ns())
    diagnostics = scan.diagnostics
    for kind in RECORD_KINDS:
        folder = layout.data / kind
        if folder.is_symlink():
            diagnostics.append(
                make(
                    "not-a-regular-file",
                    layout.relative(folder),
                    "the record folder is a symbolic link",
                    "record folders are not followed through links",
                )
            )
            continue
        if folder.is_dir():
            _walk(folder, kind, layout, scan, diagnostics)
    _stray_files(layout, diagnostics, scan)
    return scan


def discover(layout: Layout) -> list[RecordFile]:
    """Every record file, in sorted order."""
    return scan_data(layout).records


Unit = tuple[str, str, bool]
"""A folder to walk: its path, its path from the root with a trailing slash, and whether it
is hidden (it or a folder above it is named with a leading dot)."""

Said = tuple[str, str, str, str]
"""A diagnostic the walk found (code, path, message, hint), made into one by its caller: a
walk may run in another process, which sends back plain data."""


@dataclass
class Walked:
    """What walking some folders found, as plain data (see :data:`Said`)."""

    identities: list[tuple[str, Identity]] = field(default_factory=list)
    found: list[tuple[str, str, str, Identity]] = field(default_factory=list)
    said: list[Said] = field(default_factory=list)
    unlisted: bool = False

    def plain(self) -> tuple[object, ...]:
        return (self.identities, self.found, self.said, self.unlisted)


def _walk(
    folder: Path, kind: str, layout: Layout, scan: Scan, diagnostics: list[Diagnostic]
) -> None:
    """Record files below ``folder``: its own entries first, then each folder in it (one
    :data:`Unit` each, in the order they were listed), walked by :func:`walk_units`, which
    may share a large folder's units with a second process."""
    from ledger.records.split_walk import walk_units

    top, units = Walked(), []
    _entries((str(folder), layout.relative(folder) + "/", False), kind, top, units)
    for walked in (top, *walk_units(units, kind)):
        scan.identities.extend(walked.identities)
        scan.found.extend(walked.found)
        diagnostics.extend(make(*said) for said in walked.said)
        if walked.unlisted:
            scan.unlisted.add(kind)


def walk_unit(unit: Unit, kind: str) -> Walked:
    """One folder and every folder below it."""
    walked, pending = Walked(), [unit]
    while pending:
        _entries(pending.pop(), kind, walked, pending)
    return walked


def _entries(unit: Unit, kind: str, walked: Walked, pending: list[Unit]) -> None:
    """One folder's entries into ``walked``, its folders onto ``pending``; plain strings on
    the hot path: a Path per file costs more than the stat itself."""
    current, rel_prefix, hidden = unit
    try:
        entries = list(os.scandir(current))  # in any order: records are sorted after
    except OSError as exc:
        walked.unlisted = True
        walked.said.append(
            (
                "unreadable",
                rel_prefix.rstrip("/"),
                f"cannot list the folder: {exc.strerror}",
                "check the folder's permissions",
            )
        )
        return
    identities, found = walked.identities, walked.found
    for entry in entries:
        name = entry.name
        rel = rel_prefix + name
        if name[0] == "." or hidden:  # not read, but an archive may be there: it counts
            if entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, rel + "/", True))
            else:
                identities.append((rel, _identity(entry)))
            continue
        if entry.is_symlink():
            identities.append((rel, _identity(entry)))
            if name.endswith(RECORD_SUFFIX) or _is_dir_link(Path(entry.path)):
                walked.said.append(
                    (
                        "not-a-regular-file",
                        rel,
                        "a symbolic link is not read",
                        "replace the link with the file or folder itself",
                    )
                )
            continue
        if entry.is_dir(follow_symlinks=False):
            pending.append((entry.path, rel + "/", False))
            continue
        try:  # _identity(), inlined: this line runs once per file
            info = entry.stat(follow_symlinks=False)
            ident = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
        except OSError:
            ident = (-1, -1, -1, -1)
        identities.append((rel, ident))
        if name.endswith(RECORD_SUFFIX):
            found.append((kind, entry.path, rel, ident))
        elif name.endswith(".yml"):
            walked.said.append(
                (
                    "misplaced-file",
                    rel,
                    "a .yml file is not read",
                    f"rename it to {name[: -len('.yml')]}{RECORD_SUFFIX}",
                )
            )


def _identity(entry: os.DirEntry[str]) -> Identity:
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        return (-1, -1, -1, -1)
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def _is_dir_link(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return True


def _stray_files(layout: Layout, diagnostics: list[Diagnostic], scan: Scan) -> None:
    """YAML files right in the data folder, or in a folder that is not a record folder (a
    misspelt `claim/`), belong to no kind: say so rather than skip them. Every file seen
    there, hidden ones too, counts in the scan's identities (an archive may live there)."""
    folders = ", ".join(f"{k}/" for k in RECORD_KINDS)
    for dirpath, dirnames, filenames in os.walk(layout.data):
        here = Path(dirpath)
        if here == layout.data:
            dirnames[:] = [d for d in dirnames if d not in RECORD_KINDS]
        if here == layout.root:  # data = ".": the cache's own files are no part of the ledger
            dirnames[:] = [d for d in dirnames if d != CACHE_DIR]
        dirnames[:] = sorted(dirnames)
        hidden = any(part.startswith(".") for part in here.relative_to(layout.data).parts)
        for name in sorted(filenames):
            try:
                info = os.lstat(here / name)
                ident = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
            except OSError:
                ident = (-1, -1, -1, -1)
            scan.identities.append((layout.relative(here / name), ident))
            if name.endswith((".yaml", ".yml")) and not hidden and not name.startswith("."):
                diagnostics.append(
                    make(
                        "misplaced-file",
                        layout.relative(here / name),
                        "a YAML file outside the record folders is not read",
                        f"move it into one of {folders}",
                    )
                )


def yaml_names(scan: Scan) -> set[str]:
    """The name (less ``.yaml``) of every YAML file the walk saw under the data folder, in
    any folder, loaded or not: ids in use."""
    return {
        rel.rpartition("/")[2][: -len(RECORD_SUFFIX)]
        for rel, _identity in scan.identities
        if rel.endswith(RECORD_SUFFIX)
    }


def ledger_key(layout: Layout, scan: Scan) -> str:
    """What a whole-ledger result depends on: every file's identity, the marker file, and
    the version of the tool's code."""
    from ledger.store.cache import schema_version

    try:
        marker = (layout.root / "ledger.toml").read_bytes()
    except OSError:
        marker = b""
    text = f"{scan.files_digest}\0{schema_version()}\0{marker!r}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
