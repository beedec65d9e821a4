"""Finding the ledger: the folder holding `ledger.toml`, and the data folder it names.

A ledger is found the way git finds a repository: by walking up from the current folder to
the marker file, unless `--root` or `LEDGER_ROOT` names the folder outright.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ledger.portable import PathRefusal, join_inside

MARKER = "ledger.toml"
ROOT_ENV = "LEDGER_ROOT"
_MUST_BE_INSIDE = "{marker}: the data folder {name!r} must be inside the ledger"


@dataclass(frozen=True)
class Layout:
    """Where a ledger lives: its root folder and its data folder (inside the root)."""

    root: Path
    data: Path
    cacheable: bool = True
    """Whether loading may keep a cache in the root (not for a revision unpacked in /tmp)."""

    def relative(self, path: Path) -> str:
        """A path as diagnostics show it: relative to the root, with forward slashes."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


@dataclass(frozen=True)
class RootError:
    """Why no ledger could be opened (the CLI prints it and exits 2)."""

    message: str


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds the marker file."""
    for folder in (start, *start.parents):
        if (folder / MARKER).is_file():
            return folder
    return None


def open_layout(explicit: Path | None = None, cwd: Path | None = None) -> Layout | RootError:
    """Resolve the ledger's layout from ``--root``, ``LEDGER_ROOT`` or the current folder."""
    given = explicit or (Path(os.environ[ROOT_ENV]) if os.environ.get(ROOT_ENV) else None)
    if given is not None:
        root = given.expanduser().resolve()
        if not (root / MARKER).is_file():
            return RootError(f"{root} is not a ledger: it has no {MARKER}")
    else:
        here = (cwd or Path.cwd()).resolve()
        found = find_root(here)
        if found is None:
            return RootError(
                f"no {MARKER} in {here} or any folder above it; "
                f"run inside a ledger, or pass --root (or set {ROOT_ENV})"
            )
        root = found
    return read_marker(root)


def read_marker(root: Path) -> Layout | RootError:
    marker = root / MARKER
    try:
        config = tomllib.loads(marker.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return RootError(f"cannot read {marker}: {exc}")
    except tomllib.TOMLDecodeError as exc:
        return RootError(f"{marker} is not valid TOML: {exc}")
    section = config.get("ledger", {})
    data_name = section.get("data", "data") if isinstance(section, dict) else "data"
    if not isinstance(data_name, str) or not data_name:
        return RootError(f"{marker}: [ledger] data must be a folder name")
    inside = _MUST_BE_INSIDE.format(marker=marker, name=data_name)
    # "." is the root itself; any other name must be a relative path that every platform
    # reads as the same folder
    folder = join_inside(root, data_name) if PurePosixPath(data_name).parts else root
    if isinstance(folder, PathRefusal):
        return RootError(f"{inside}, as a relative path with '/': it {folder.why}")
    data = folder.resolve()
    if data != root and root not in data.parents:
        return RootError(inside)
    return Layout(root=root, data=data)
