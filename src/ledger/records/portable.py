"""Relative paths read from data, meaning the same file on every platform.

A source record's archive path, the data folder `ledger.toml` names, or a site's list of
the files it wrote is data that travels between Linux, macOS and Windows. It is read as a
POSIX path relative to a folder, and anything another platform would read differently is
refused everywhere: a backslash (a separator on Windows only), a drive or stream colon,
characters or names Windows cannot hold, an absolute path, or '..'. A path accepted on Linux
therefore cannot escape on Windows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath
from typing import TypeVar

P = TypeVar("P", bound=PurePath)


@dataclass(frozen=True)
class PathRefusal:
    """Why a path from data is not a portable relative path: ``why`` completes "the path
    'X' ...", ``hint`` says what to write instead."""

    why: str
    hint: str


OUTSIDE = PathRefusal(
    "leaves its folder", "give a path relative to the record's folder, with no '..'"
)
"""The refusal of a path that is absolute or climbs out with '..'."""
_NOT_ON_WINDOWS = '<>"|?*'
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DEVICE = re.compile(r"^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\..*)?$", re.IGNORECASE)
"""Names Windows keeps for devices, whatever their extension (``nul.txt`` is ``nul``)."""
_DEVICE_STARTS = frozenset({"con", "prn", "aux", "nul", "com", "lpt"})
"""What such a name starts with: a set lookup spares the pattern for almost every name."""


def relative_parts(raw: str) -> tuple[str, ...] | PathRefusal:
    """The names along a relative POSIX path, or why the path is not one."""
    if "\\" in raw:
        return PathRefusal(
            "has a backslash",
            "write it with forward slashes (sources/memo.txt): a path in the data must name "
            "the same file on every platform",
        )
    if ":" in raw:
        return PathRefusal(
            "has a ':' (a drive letter or a stream on Windows)",
            "give a path relative to the record's folder, without a drive",
        )
    bad = next((c for c in raw if c in _NOT_ON_WINDOWS), None) or _CONTROL.search(raw)
    if bad:
        char = bad if isinstance(bad, str) else bad.group()
        return PathRefusal(
            f"has {char!r}, which a file name cannot hold on Windows",
            "rename the file without it",
        )
    pure = PurePosixPath(raw)
    if pure.is_absolute() or ".." in pure.parts:
        return OUTSIDE
    if not pure.parts:
        return PathRefusal("names no file", "give the file's path, e.g. sources/memo.txt")
    for part in pure.parts:
        if part.endswith((".", " ")):
            return PathRefusal(
                f"has the name '{part}', which Windows reads without its last '.' or ' '",
                "rename the file without the trailing dot or space",
            )
        if windows_device(part):
            return PathRefusal(
                f"has the name '{part}', which is a device on Windows, not a file",
                "rename the file",
            )
    return pure.parts


def windows_device(name: str) -> bool:
    """Whether Windows reads a file name as a device (``nul.yaml`` is ``nul``): git cannot
    check such a file out there, so a clone on Windows fails."""
    return name[:3].lower() in _DEVICE_STARTS and bool(_DEVICE.match(name.rstrip()))


def join_inside(folder: P, raw: str) -> P | PathRefusal:
    """``folder`` joined with the relative POSIX path ``raw``, in ``folder``'s own flavour
    (so a Windows path stays a Windows path), or why ``raw`` may not be joined."""
    parts = relative_parts(raw)
    return parts if isinstance(parts, PathRefusal) else folder.joinpath(*parts)
