"""Reading untrusted files without being fooled: no symlinks, FIFOs or devices, bounded size.

A symlink to /dev/zero passes a size check and a FIFO blocks a plain open() forever, so
files are opened without following links and without blocking, then checked with fstat
on the open descriptor before a byte is read.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_RECORD_BYTES = 1024 * 1024
"""Largest record file accepted (1 MiB; a claim is about 1 KiB)."""

MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
"""Largest archived source text accepted (64 MiB)."""


@dataclass(frozen=True)
class ReadFailure:
    """Why a file could not be read: a diagnostic code and a message."""

    code: str
    message: str
    hint: str


def read_bytes(path: str | Path, limit: int) -> bytes | ReadFailure:
    """The bytes of a regular file of at most ``limit`` bytes, or why not."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    # Without O_BINARY, Windows opens in text mode: CRLF read as LF and Ctrl-Z as the end, so
    # an archive's hash would be of other bytes than the file's.
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if Path(path).is_symlink():
            return ReadFailure(
                "not-a-regular-file",
                "the file is a symbolic link",
                "replace the link with the file itself",
            )
        return ReadFailure(
            "unreadable",
            f"cannot open the file: {exc.strerror}",
            "check that the file exists and can be read",
        )
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return ReadFailure(
                "not-a-regular-file",
                "the file is not a regular file (a FIFO, device or folder)",
                "replace it with an ordinary text file",
            )
        if info.st_size > limit:
            return ReadFailure(
                "file-too-large",
                f"the file has {info.st_size:,} bytes; the limit is {limit:,}",
                "split it, or check that it is the file you meant",
            )
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            return ReadFailure(
                "file-too-large",
                f"the file grows past {limit:,} bytes",
                "split it, or check that it is the file you meant",
            )
        return data
    except OSError as exc:
        return ReadFailure(
            "unreadable", f"cannot read the file: {exc.strerror}", "check that the file can be read"
        )
    finally:
        os.close(fd)


def decode(data: bytes) -> str | tuple[int, int, str]:
    """UTF-8 text, or the 1-based (line, column) of the first bad byte and a description."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return 1, 1, "it starts with a UTF-16 byte-order mark"
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return line, column, f"byte 0x{data[exc.start]:02x} is not valid UTF-8"
