"""One writer at a time: the ledger's write lock.

Two writers that each read a claim, add to it and write it back lose one addition (two
`ledger link`s at once), and two that each find an id free both take it. So every command
that writes into the ledger holds this lock while it reads again what it is about to change,
checks it, and writes it. The lock is an advisory lock (``flock``; ``msvcrt.locking`` on
Windows) on ``.ledger.lock`` in the ledger's root. The system drops it when its holder ends,
however it ends (killed too), so a crashed writer never leaves the ledger locked.

A writer waits for the lock at most :data:`DEFAULT_WAIT` seconds (``LEDGER_LOCK_WAIT`` sets
another bound), then gives up and says so: nothing is written. The lock file exists only
while a writer holds it (one killed may leave it, which is harmless: its lock died with it);
it is opened without following a symbolic link, and a link or special file there is refused.
The lock is not re-entrant: a process takes it once, around one read-check-write.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

LOCK_FILE = ".ledger.lock"
WAIT_ENV = "LEDGER_LOCK_WAIT"
DEFAULT_WAIT = 10.0
"""Seconds a writer waits for another to finish: writers hold the lock for the time of one
change (milliseconds on a small ledger, seconds at 100,000 claims), so a longer wait means
something is stuck, and saying so beats waiting without end."""

_POLL = 0.02
"""Seconds between attempts while the lock is held by another writer."""

_FLAGS = (
    os.O_RDWR
    | os.O_CREAT
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO put there must not hang the open
    | getattr(os, "O_CLOEXEC", 0)
)


@dataclass(frozen=True)
class LockFailure:
    """Why the ledger's write lock was not taken (so nothing was written)."""

    message: str


def wait_seconds() -> float:
    """How long to wait for the lock: ``LEDGER_LOCK_WAIT`` when it is a number of seconds
    (0 or more), else :data:`DEFAULT_WAIT`."""
    try:
        wait = float(os.environ.get(WAIT_ENV, ""))
    except ValueError:
        return DEFAULT_WAIT
    return wait if 0 <= wait < float("inf") else DEFAULT_WAIT


@contextlib.contextmanager
def write_lock(root: Path, *, wait: float | None = None) -> Iterator[LockFailure | None]:
    """Hold the ledger's write lock for the ``with`` block.

    Yields None once the lock is held, or a :class:`LockFailure` saying why it is not (then
    the block must write nothing). The lock is released, and its file removed, on leaving
    the block, whatever ends it.
    """
    path = root / LOCK_FILE
    held = _acquire(path, wait_seconds() if wait is None else wait)
    if isinstance(held, LockFailure):
        yield held
        return
    try:
        yield None
    finally:
        _release(path, held)


def _acquire(path: Path, wait: float) -> int | LockFailure:
    """An open descriptor of the lock file, locked; or why not within ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        fd = _open(path)
        if isinstance(fd, LockFailure):
            return fd
        try:
            locked = _try_lock(fd)
        except OSError as exc:
            os.close(fd)
            return LockFailure(f"cannot lock {path}: {exc.strerror}")
        if locked and _still_there(path, fd):
            _note_holder(fd)
            return fd
        if locked:  # a holder removed the file as it let go: lock the new one
            _unlock(fd)
            os.close(fd)
            continue
        holder = _holder(fd)
        os.close(fd)
        if time.monotonic() >= deadline:
            return LockFailure(
                f"another ledger writer{holder} has held the ledger's lock ({path.name}) for "
                f"over {wait:g} s; nothing was written: try again when it is done "
                f"(${WAIT_ENV} sets how long to wait)"
            )
        time.sleep(_POLL)


def _open(path: Path) -> int | LockFailure:
    linked = LockFailure(
        f"{path} is a symbolic link; the ledger is never locked through one: remove it"
    )
    if not hasattr(os, "O_NOFOLLOW") and os.path.islink(path):  # pragma: no cover - Windows
        return linked
    try:
        fd = os.open(path, _FLAGS, 0o644)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK) or os.path.islink(path):
            return linked
        return LockFailure(f"cannot create the lock file {path}: {exc.strerror}")
    try:
        info = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        return LockFailure(f"cannot inspect the lock file {path}: {exc.strerror}")
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return LockFailure(f"{path} is not a regular file; remove it so writers can lock")
    return fd


def _try_lock(fd: int) -> bool:
    """Take the lock without waiting: True when taken, False when another holds it."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except BlockingIOError:
        return False
    except PermissionError:  # pragma: no cover - Windows: the region is locked
        if fcntl is None:
            return False
        raise
    return True


def _unlock(fd: int) -> None:
    with contextlib.suppress(OSError):
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        else:  # pragma: no cover - Windows
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _still_there(path: Path, fd: int) -> bool:
    """Whether the locked file is still the one at ``path``: a holder that was letting go
    may have removed it meanwhile, and a lock on a removed file locks nothing."""
    try:
        mine, there = os.fstat(fd), os.lstat(path)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)


def _note_holder(fd: int) -> None:
    """Write the holder's process id into the lock file, for a waiting writer's message."""
    if fcntl is None:  # pragma: no cover - Windows: the locked byte cannot be read by others
        return
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)


def _holder(fd: int) -> str:
    """`` (process N)`` for the writer holding the lock, when its file says so."""
    if fcntl is None:  # pragma: no cover - Windows
        return ""
    try:
        said = os.pread(fd, 16, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (process {said})" if said.isdigit() else ""


def _release(path: Path, fd: int) -> None:
    """Remove the lock file, then let go: a writer that opened it meanwhile finds it gone
    once it holds the lock, and opens the next one (see :func:`_still_there`)."""
    if fcntl is not None and _still_there(path, fd):  # Windows cannot remove an open file
        with contextlib.suppress(OSError):
            os.unlink(path)
    _unlock(fd)
    os.close(fd)
