"""Finding the ledger: the folder holding `ledger.toml`, and the data folder it names.

A ledger is found the way git finds a repository: by walking up from the current folder to
the marker file, unless `--root` or `LEDGER_ROOT` names the folder outright.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ledger.records.config import CONFIG_FILE, About, Defaults, ReviewSettings, parse_config
from ledger.records.diagnostics import Diagnostic
from ledger.records.portable import PathRefusal, join_inside

if TYPE_CHECKING:
    from ledger.git.revision import RevisionTree

MARKER = CONFIG_FILE
ROOT_ENV = "LEDGER_ROOT"
_MUST_BE_INSIDE = "{marker}: the data folder {name!r} must be inside the ledger"


@dataclass(frozen=True)
class Layout:
    """Where a ledger lives: its root folder and its data folder (inside the root)."""

    root: Path
    data: Path
    cacheable: bool = True
    """Whether whole answers (a command's output, `validate`'s result) may be remembered for
    this ledger: not for a revision, whose files are not the working tree's."""
    defaults: Defaults = field(default_factory=Defaults)
    """What ledger.toml's [defaults] gives new requirements."""
    review: ReviewSettings = field(default_factory=ReviewSettings)
    """What ledger.toml's [review] says: whether suspect evidence fails `validate --strict`."""
    about: About = field(default_factory=About)
    """What ledger.toml's [about] says the ledger is about (for the site's about page)."""
    tree: RevisionTree | None = field(default=None, compare=False, repr=False)
    """Where the files are read from: None for the folders on disk, else a git revision's
    objects (``root`` is then the working tree's, where the cache lives, and ``data`` names
    the revision's data folder: nothing is read there)."""

    def relative(self, path: Path) -> str:
        """A path as diagnostics show it: relative to the root, with forward slashes."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


@dataclass(frozen=True)
class RootError:
    """Why no ledger could be opened (the CLI prints it and exits 2): a message, and for a
    ledger.toml with mistakes, the diagnostics placing each in the file (paths relative to
    ``root``)."""

    message: str
    diagnostics: tuple[Diagnostic, ...] = ()
    root: Path | None = None


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
    """The layout ledger.toml describes, or why it cannot be used (every mistake in it)."""
    marker = root / MARKER
    try:
        text = marker.read_text(encoding="utf-8-sig")  # -sig: a BOM, as Notepad writes
    except (OSError, UnicodeDecodeError) as exc:
        return RootError(f"cannot read {marker}: {exc}")
    return layout_from(root, text)


def layout_from(root: Path, text: str, *, on_disk: bool = True) -> Layout | RootError:
    """The layout a ledger.toml's ``text`` describes for a ledger at ``root``. With
    ``on_disk`` the data folder is resolved (links followed) before it is judged; a
    revision's is judged by its name alone (a revision is read without links)."""
    marker = root / MARKER
    config, problems = parse_config(text)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        message = f"{first.path}:{first.line}:{first.column}: {first.message}{more}"
        return RootError(message, tuple(problems), root)
    inside = _MUST_BE_INSIDE.format(marker=marker, name=config.data)
    # "." is the root itself; any other name must be a relative path that every platform
    # reads as the same folder
    folder = join_inside(root, config.data) if PurePosixPath(config.data).parts else root
    if isinstance(folder, PathRefusal):
        return RootError(f"{inside}, as a relative path with '/': it {folder.why}")
    data = folder.resolve() if on_disk else folder
    if data != root and root not in data.parents:
        return RootError(inside)
    if any(part.startswith(".") for part in data.relative_to(root).parts):
        # .git, .ledger-cache and the like hold no records: a ledger.toml pointing there
        # would make `validate` pass on nothing
        return RootError(f"{marker}: the data folder {config.data!r} is a hidden folder")
    return Layout(
        root=root, data=data, defaults=config.defaults, review=config.review, about=config.about
    )
