"""Reading blobs straight from git's object database with one `git cat-file --batch`.

Nothing is checked out or written: no `.gitattributes` filter, eol rule or smudge command a
revision carries applies, and a blob over the size limit is skipped unread, never held whole.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from ledger.records.files import ReadFailure


def too_large(size: int, limit: int) -> ReadFailure:
    """What files.read_bytes says of a file over the limit, said alike of a blob."""
    return ReadFailure(
        "file-too-large",
        f"the file has {size:,} bytes; the limit is {limit:,}",
        "split it, or check that it is the file you meant",
    )


MISSING = ReadFailure(
    "unreadable",
    "cannot open the file: No such file or directory",
    "check that the file exists and can be read",
)
"""What files.read_bytes says of a path with no regular file: said of a blob git lacks."""


def read_blobs(top: Path, blobs: Iterable[str], limit: int) -> dict[str, bytes | ReadFailure]:
    """Each blob's bytes (or why not) by id, from the repository at ``top``; a blob git cannot
    give (no git, a partial clone) is reported unreadable, as a file that cannot be opened."""
    wanted = list(dict.fromkeys(blobs))
    if not wanted:
        return {}
    found: dict[str, bytes | ReadFailure] = {}
    try:
        process = subprocess.Popen(
            ["git", "-C", str(top), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return dict.fromkeys(wanted, MISSING)
    assert process.stdin is not None and process.stdout is not None
    request = "".join(f"{blob}\n" for blob in wanted).encode("ascii")
    feeder = threading.Thread(target=_feed, args=(process.stdin, request), daemon=True)
    feeder.start()
    try:
        for blob in wanted:
            header = process.stdout.readline().decode("ascii", "replace").split()
            if len(header) != 3 or header[0] != blob or header[1] != "blob":
                if len(header) == 2 and header[1] == "missing":
                    found[blob] = MISSING
                    continue
                break  # git stopped, or answered out of step: the rest are unreadable
            size = int(header[2])
            found[blob] = _body(process.stdout, size, limit)
            process.stdout.read(1)  # the newline after each object
    except (OSError, ValueError):
        pass
    finally:
        process.stdout.close()
        process.kill()
        process.wait()
        feeder.join()
    return {blob: found.get(blob, MISSING) for blob in wanted}


def _body(stream: IO[bytes], size: int, limit: int) -> bytes | ReadFailure:
    """A blob's bytes, or, over the limit, a refusal (its bytes read past a chunk at a time)."""
    if size <= limit:
        data = stream.read(size)
        if len(data) != size:
            raise OSError("git cat-file stopped early")
        return data
    left = size
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            raise OSError("git cat-file stopped early")
        left -= len(chunk)
    return too_large(size, limit)


def _feed(stream: IO[bytes], request: bytes) -> None:
    """Send `cat-file` its requests while the answers are read (so neither pipe fills)."""
    try:
        stream.write(request)
        stream.close()
    except OSError:  # git stopped early; the reader says why
        pass
