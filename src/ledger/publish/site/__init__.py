"""A static HTML site of the ledger, for people who will never open a terminal.

:func:`render_site` gives every file of the site as text, by its path relative to the
site's folder (deterministic: the same ledger gives the same bytes). :func:`write_site` writes
them into a folder, each file atomically, never outside that folder and never through a link.

The site needs nothing but the files: no server, no network, no external asset. It opens
from the file system and from any web server, because every link is relative. A page's
Content-Security-Policy allows only the site's own style sheet and search script, and every
value from the data is HTML-escaped, so nothing in a record can become markup or script.

A folder is written only when it is empty or was written by ``ledger site`` before (it holds
:data:`MANIFEST`, the files written and the SHA-256 of each); files of an earlier build that
the new one no longer has (a deleted claim's page) are removed, and nothing else is touched.
A build that fails part way records the files it wrote with the earlier build's, so that
the next one can remove them too.
The manifest may be forged (committed, or put there), so it is never trusted to name what
to delete: a file is removed only when it is a regular file inside the folder (no ``..``,
no absolute path, no link on the way), has a name the site writes (:data:`SUFFIXES`), and
still holds exactly the bytes the manifest says were written there. A page is left alone,
not written again, only when its file holds the very bytes the page has now (writer.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ledger.authoring.atomic import write_atomic
from ledger.publish.site.stamp import Stamp
from ledger.publish.site.writer import Kept, Place, Stored, Text, write_all
from ledger.records.config import About
from ledger.records.ledger import Ledger
from ledger.records.portable import (
    OUTSIDE,
    PathRefusal,
    join_inside,
    relative_parts,
    windows_device,
)

MANIFEST = ".ledger-site.json"
"""The files a build wrote, each with its SHA-256, so the next build can replace them and
remove those it no longer has, and nothing else."""

SUFFIXES = frozenset({".html", ".css", ".js", ".svg"})
"""The kinds of file a site holds: no other file is ever removed."""


def render_site(
    ledger: Ledger, about: About | None = None, stamp: Stamp | None = None
) -> dict[str, str]:
    """Every file of the site (pages and assets) by relative POSIX path, in a fixed order.

    ``about`` is ledger.toml's [about]; ``stamp`` the build's date and commit (by default,
    the date alone: see :func:`ledger.publish.site.stamp.stamp_of` for the commit)."""
    from ledger.publish.site.assets import ASSETS
    from ledger.publish.site.pages import all_pages

    return {**all_pages(ledger, about, stamp), **ASSETS}


@dataclass
class Written:
    """What a build wrote, what it removed, or why it stopped (``error``). ``written`` is
    every file of the site now there, ``unchanged`` how many of them held their bytes
    already and were left alone (writer.py)."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    error: str | None = None
    unchanged: int = 0


def _inside(root: Path, rel: str) -> Path | None:
    """``root / rel`` when that stays inside ``root`` (a portable relative path, no link out):
    a manifest is data, and may have been edited."""
    target = join_inside(root, rel)
    if isinstance(target, PathRefusal):
        return None
    try:
        parent = target.parent.resolve()
    except OSError:
        return None
    if parent != root and root not in parent.parents:
        return None
    return target


def _previous(root: Path) -> dict[str, str] | None:
    """The files the last build wrote, with the SHA-256 of each, or None when the folder was
    not made by a build. A manifest of the first version (a list, with no digests) makes the
    folder a build, but proves no file was written by it."""
    manifest = root / MANIFEST
    try:
        info = os.lstat(manifest)
        if not stat.S_ISREG(info.st_mode):
            return None
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if isinstance(files, list) and all(isinstance(f, str) for f in files):
        return {}
    if not isinstance(files, dict):
        return None
    return {rel: digest for rel, digest in files.items() if isinstance(digest, str)}


def _ours(root: Path, rel: str, digest: str) -> Path | None:
    """``root / rel`` when it is provably a file an earlier build wrote: a regular file of a
    kind the site writes, reached from ``root`` through real folders only (no link, no
    ``..``), holding exactly the bytes whose SHA-256 the manifest gives."""
    parts = relative_parts(rel)
    if isinstance(parts, PathRefusal) or not parts or Path(parts[-1]).suffix not in SUFFIXES:
        return None
    folder = root
    for part in parts[:-1]:
        folder = folder / part
        try:
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                return None
        except OSError:
            return None
    target = folder / parts[-1]
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(target, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None  # a folder opens too: it is not a file of the site
        with os.fdopen(os.dup(fd), "rb") as handle:
            actual = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)
    return target if actual == digest else None


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*", re.ASCII)
"""A file name every platform takes as it is (unless it names a device, or ends in a dot)."""


def _placer(root: Path, outdir: Path) -> Place:
    """Where each file goes: inside ``root``, its folder made and checked once (a folder
    made just now cannot lead out, but it is checked again after it is made). A file of a
    folder already checked is only joined to it: resolving every file's folder again cost
    three ``lstat`` calls a file (seconds for a large site), and a plain name in a folder
    checked before is not parsed again as a path."""
    ready: set[Path] = set()
    folders: dict[str, Path] = {}
    """Each folder checked, by its path from the site's root as pages name it."""

    def place(rel: str) -> Path | str:
        folder, _, name = rel.rpartition("/")
        plain = (
            _PLAIN_NAME.fullmatch(name) is not None
            and not name.endswith(".")
            and not windows_device(name)
        )
        known = folders.get(folder) if plain else None
        if known is not None:
            return known / name
        joined = join_inside(root, rel)
        if joined is OUTSIDE:
            return f"refused to write {rel}: it is outside {outdir}"
        if isinstance(joined, PathRefusal):
            return f"refused to write {rel}: the path {joined.why}"
        if joined.parent not in ready:
            target = _inside(root, rel)
            if target is None:
                return f"refused to write {rel}: it is outside {outdir}"
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                return f"cannot make the folder {target.parent}: {exc.strerror}"
            if _inside(root, rel) is None:
                return f"refused to write {rel}: it is outside {outdir}"
            ready.add(target.parent)
        if plain:  # the name is the path's last part, so ``folder`` is its parent's
            folders[folder] = joined.parent
        return joined

    return place


def write_site(files: Mapping[str, str] | Iterable[tuple[str, Text]], outdir: Path) -> Written:
    """Write the site's files into ``outdir``, which must be empty, new, or an earlier build.

    ``files`` may be a mapping or pairs given one at a time (as they are rendered)."""
    pairs = files.items() if isinstance(files, Mapping) else files
    return _write_into(outdir, lambda place, kept: write_all(pairs, place, kept))


def build_site(
    ledger: Ledger,
    outdir: Path,
    about: About | None = None,
    stamp: Stamp | None = None,
    unsound: str = "",
) -> Written:
    """Render the site of ``ledger`` and write it into ``outdir``, each page as it is made
    (a large site's pages by more than one process: :mod:`ledger.publish.site.processes`).
    ``unsound``: what every page says first of the ledger's problems (``Site.unsound``)."""
    from ledger.publish.site.assets import ASSETS
    from ledger.publish.site.pages import Site, page_jobs
    from ledger.publish.site.processes import write_jobs

    jobs = page_jobs(Site(ledger, about, stamp, unsound))
    jobs.extend((rel, partial(str, text)) for rel, text in ASSETS.items())  # str(t) is t
    return _write_into(outdir, lambda place, kept: write_jobs(jobs, place, kept))


def _write_into(
    outdir: Path, write: Callable[[Place, Kept], tuple[dict[str, Stored], str | None]]
) -> Written:
    """Make or check ``outdir``, have ``write`` write the files (given the earlier build's
    manifest, to leave alone those that hold their bytes already; the SHA-256 of each, and
    the first failure), then remove the earlier build's files no longer part of the site
    and write the manifest."""
    result = Written()
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        root = outdir.resolve(strict=True)
    except OSError as exc:
        result.error = f"cannot make the folder {outdir}: {exc.strerror}"
        return result
    if not root.is_dir():
        result.error = f"{outdir} is not a folder"
        return result
    previous = _previous(root)
    if previous is None and any(root.iterdir()):
        result.error = (
            f"{outdir} is not empty and holds no earlier `ledger site` build ({MANIFEST}); "
            "choose an empty or new folder"
        )
        return result
    stored, result.error = write(_placer(root, outdir), previous or {})
    digests = {rel: entry.digest for rel, entry in stored.items()}
    result.written = list(digests)
    result.unchanged = sum(not entry.wrote for entry in stored.values())
    if result.error:
        # The pages written before the failure are recorded with the last build's, so that
        # the next build removes those it does not make (a page of a case since renamed).
        _record(root, {**(previous or {}), **digests})
        return result
    for rel in sorted(set(previous or ()) - set(digests)):
        target = _ours(root, rel, (previous or {})[rel])
        if target is None:
            continue
        try:
            target.unlink()
        except OSError:
            continue
        result.removed.append(rel)
    result.error = _record(root, digests)
    return result


def _record(root: Path, digests: Mapping[str, str]) -> str | None:
    """Write the manifest: these files, each with its SHA-256. The problem, if any."""
    ordered = dict(sorted(digests.items()))
    manifest = json.dumps({"version": 2, "files": ordered}, indent=1) + "\n"
    return write_atomic(root / MANIFEST, manifest)
