"""A static HTML site of the ledger, for people who will never open a terminal.

:func:`render_site` gives every file of the site as text, by its path relative to the
site's folder (deterministic: the same ledger gives the same bytes). :func:`write_site` writes
them into a folder, each file atomically, never outside that folder and never through a link.

The site needs nothing but the files: no server, no network, no external asset. It opens
from the file system and from any web server, because every link is relative. A page's
Content-Security-Policy allows only the site's own style sheet and search script, and every
value from the data is HTML-escaped, so nothing in a record can become markup or script.

A folder is written only when it is empty or was written by ``ledger site`` before (it holds
:data:`MANIFEST`, the list of files written); files of an earlier build that the new one no
longer has (a deleted claim's page) are removed, and nothing else is touched.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ledger.atomic import write_atomic
from ledger.ledger import Ledger
from ledger.portable import PathRefusal, join_inside

MANIFEST = ".ledger-site.json"
"""The list of files a build wrote, so the next build can replace them and nothing else."""


def render_site(ledger: Ledger) -> dict[str, str]:
    """Every file of the site (pages and assets) by relative POSIX path, in a fixed order."""
    from ledger.site.assets import ASSETS
    from ledger.site.pages import all_pages

    return {**all_pages(ledger), **ASSETS}


@dataclass
class Written:
    """What a build wrote, what it removed, or why it stopped (``error``)."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    error: str | None = None


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


def _previous(root: Path) -> list[str] | None:
    """The files the last build wrote, or None when the folder was not made by a build."""
    manifest = root / MANIFEST
    try:
        info = os.lstat(manifest)
        if not stat.S_ISREG(info.st_mode):
            return None
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return files


def write_site(files: dict[str, str], outdir: Path) -> Written:
    """Write the site's files into ``outdir``, which must be empty, new, or an earlier build."""
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
    for rel, text in files.items():
        target = _inside(root, rel)
        if target is None:
            result.error = f"refused to write {rel}: it is outside {outdir}"
            return result
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            result.error = f"cannot make the folder {target.parent}: {exc.strerror}"
            return result
        if _inside(root, rel) is None:  # a folder made just now cannot lead out, but check
            result.error = f"refused to write {rel}: it is outside {outdir}"
            return result
        problem = write_atomic(target, text)
        if problem:
            result.error = problem
            return result
        result.written.append(rel)
    for rel in sorted(set(previous or ()) - set(files)):
        target = _inside(root, rel)
        if target is None:
            continue
        try:
            if stat.S_ISREG(os.lstat(target).st_mode):
                target.unlink()
                result.removed.append(rel)
        except OSError:
            continue
    manifest = json.dumps({"files": sorted(files)}, indent=1) + "\n"
    problem = write_atomic(root / MANIFEST, manifest)
    if problem:
        result.error = problem
    return result


def build_site(ledger: Ledger, outdir: Path) -> Written:
    """Render the site of ``ledger`` and write it into ``outdir``."""
    return write_site(render_site(ledger), outdir)
