"""Writing a file so that it is always either wholly old or wholly new.

The text goes to a temporary file in the same folder, is flushed to disk, takes the old
file's permission bits (mkstemp makes files 0600), and replaces the old file in one rename.
A symlink is never written through, nor a linked folder on the way from ``inside`` (the data
folder) to the file, so no writer follows a link out of the ledger. A file whose permission
bits allow no one to write it is left alone: a rename would replace it all the same.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str | bytes, *, inside: Path | None = None) -> str | None:
    """Replace ``path`` with ``text`` (or bytes); return None, or why nothing was written.

    With ``inside``, the file must lie under that folder with no symbolic link between them.
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
    if info is not None and not stat.S_ISREG(info.st_mode):
        return f"{path} is not a regular file (a link or special file); it is not written"
    if info is not None and not info.st_mode & _WRITABLE:
        return f"{path} is read-only; it is not written"
    folder = path.parent
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        return f"cannot write in {folder}: {exc.strerror}"
    try:
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        mode = stat.S_IMODE(info.st_mode) if info is not None else 0o644
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        return f"cannot write {path}: {exc.strerror}; the file is unchanged"
    return None


_WRITABLE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def create_new(path: Path, content: str | bytes, *, inside: Path) -> str | None:
    """Create a file that must not exist yet, whole or not at all: never replacing a file,
    not even one that appears meanwhile (the finished temporary file is hard-linked into
    place, which fails rather than replaces), creating its folder if need be, and never
    through a linked folder out of ``inside``. None, or why nothing was written."""
    problem = linked_folder(path, inside)
    if problem:
        return problem
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.link(temp, path)
    except FileExistsError:
        return f"{path} appeared meanwhile; nothing was overwritten"
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror}"
    finally:  # written, refused or interrupted: the temporary file goes
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
    return None


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
