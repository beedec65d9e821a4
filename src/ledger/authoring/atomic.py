"""Writing a file so that it is always either wholly old or wholly new.

The text goes to a temporary file in the same folder, is flushed to disk (unless the caller
can make the file again and asks for no flush: a site's pages), takes the old
file's permission bits (mkstemp makes files 0600), and replaces the old file in one rename.
A symlink is never written through, nor a linked folder on the way from ``inside`` (the data
folder) to the file, so no writer follows a link out of the ledger. A file whose permission
bits allow no one to write it is left alone: a rename would replace it all the same.

A new file is written the same way but linked into place, never replacing one that appeared
meanwhile. The temporary file is removed whatever stops the write; only a killed process
leaves one, a dotfile the loader never reads, which `ledger fmt` removes once it is old.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path


def write_atomic(
    path: Path,
    text: str | bytes | Iterable[bytes],
    *,
    inside: Path | None = None,
    exclusive: bool = False,
    durable: bool = True,
) -> str | None:
    """Replace ``path`` with ``text`` (or bytes, or pieces of bytes written one after the
    other); return None, or why nothing was written.

    With ``inside``, the file must lie under that folder with no symbolic link between them.
    With ``exclusive``, the file must be new, and a file that appears meanwhile is never
    replaced: the finished temporary file is linked into place, which fails rather than
    replaces. The temporary file never outlives the call, however it ends (Ctrl-C too).
    Without ``durable`` the text is not flushed to disk before the rename: every reader still
    finds the file wholly old or wholly new, but a power cut may leave it empty.
    """
    if inside is not None:
        problem = linked_folder(path, inside)
        if problem:
            return problem
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        return f"cannot inspect {path}: {exc.strerror}"
    if info is not None and exclusive:
        return f"{path} already exists; nothing was overwritten"
    if info is not None and not stat.S_ISREG(info.st_mode):
        return f"{path} is not a regular file (a link or special file); it is not written"
    if info is not None and not info.st_mode & WRITABLE:
        return f"{path} is read-only; it is not written"
    folder = path.parent
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        return f"cannot write in {folder}: {exc.strerror}"
    replaced = False
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in _pieces(text):
                handle.write(piece)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        mode = stat.S_IMODE(info.st_mode) if info is not None else 0o644
        os.chmod(temp, mode)
        if exclusive:
            _place_new(temp, path)
        else:
            os.replace(temp, path)
            replaced = True
    except FileExistsError:
        return f"{path} appeared meanwhile; nothing was overwritten"
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror}; the file is unchanged"
    finally:
        if not replaced:
            with contextlib.suppress(OSError):
                os.unlink(temp)
    return None


_NO_HARD_LINKS = {
    getattr(errno, name)
    for name in ("EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV")
    if hasattr(errno, name)
}
"""What ``os.link`` fails with on a file system without hard links (FAT, some shares)."""


def _pieces(text: str | bytes | Iterable[bytes]) -> Iterable[bytes]:
    if isinstance(text, str):
        return (text.encode("utf-8"),)
    return (text,) if isinstance(text, bytes) else text


def _place_new(temp: str, path: Path) -> None:
    """Put the finished ``temp`` at ``path``, which must not exist (FileExistsError if it
    does). Where hard links are missing, the name is claimed by an exclusive create of an
    empty file first, then replaced: briefly empty, but never someone else's file replaced."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        os.close(os.open(path, flags, 0o600))
        os.replace(temp, path)


LEFTOVER = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")
"""The name of a temporary file of :func:`write_atomic`: ``.<file>.<8 random>.tmp``."""

LEFTOVER_AGE = 600.0
"""Seconds after which a temporary file is taken to be a leftover of a killed writer: a
write takes milliseconds, so one this old has no writer any more."""


def leftovers(folder: Path, *, older_than: float = LEFTOVER_AGE) -> list[Path]:
    """Temporary files under ``folder`` that a killed writer left (regular files named as
    :func:`write_atomic` names them, unchanged for ``older_than`` seconds). Never read as
    records (they are dotfiles); links are not followed."""
    cutoff = time.time() - older_than
    found = []
    for here, _folders, names in os.walk(folder):
        for name in names:
            if not LEFTOVER.fullmatch(name):
                continue
            path = Path(here) / name
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
                found.append(path)
    return sorted(found)


WRITABLE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
"""Permission bits of which a file must have one to be written: a file with none is left
alone (a rename would replace it all the same)."""


def create_new(path: Path, content: str | bytes, *, inside: Path) -> str | None:
    """Create a file that must not exist yet, whole or not at all, creating its folder if
    need be: :func:`write_atomic` with ``exclusive``. None, or why nothing was written."""
    problem = linked_folder(path, inside)
    if problem:
        return problem
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot make {path.parent}: {exc.strerror}"
    return write_atomic(path, content, inside=inside, exclusive=True)


def linked_folder(path: Path, inside: Path) -> str | None:
    """Why ``path`` may not be written as a file under ``inside``, or None."""
    try:
        parts = path.relative_to(inside).parts
    except ValueError:
        return f"{path} is not inside {inside}; it is not written"
    folder = inside
    for part in parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            return f"{folder} is a symbolic link; {path.name} is not written through it"
    return None
