"""Starting a ledger (`ledger init`): every file a team needs on its first day, written all
together or not at all.

A new ledger gets its `ledger.toml`, the record folders (each kept in git by a
`.gitkeep`), a `.gitattributes` that keeps archived texts byte for byte on every platform, the
JSON Schemas its records' modelines point to, a guide for contributors, a CI workflow and a
pre-commit configuration. Nothing is ever overwritten: when any of these
files exists, nothing is written and the existing ones are named. Inside a git repository,
the workflow and the pre-commit configuration go to the repository's top (where GitHub and
pre-commit look for them), pointed at the ledger's folder.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ledger.authoring.atomic import create_new
from ledger.authoring.starter_files import (
    DATA_README,
    GITATTRIBUTES,
    HOOKS_REPOSITORY,
    WORKFLOW,
    YAMLLINT,
    Answers,
    ledger_toml,
    precommit_config,
    workflow,
)
from ledger.git.revision import GitError, git
from ledger.publish.jsonschema_export import schema_files
from ledger.records.kinds import FOLDERS
from ledger.records.root import MARKER, find_root
from ledger.version import DISTRIBUTION

KEEP = ".gitkeep"
"""The empty file that keeps an empty record folder in git."""

PRECOMMIT = ".pre-commit-config.yaml"
YAMLLINT_FILE = ".yamllint"
"""yamllint's configuration, in the ledger's folder (beside ledger.toml)."""


@dataclass(frozen=True)
class Place:
    """Where a new ledger goes: its folder, and the top of the git repository holding it
    (the folder itself when there is none yet)."""

    root: Path
    top: Path
    in_git: bool

    @property
    def prefix(self) -> str:
        """The ledger's folder inside the repository ("" at its top)."""
        return self.root.relative_to(self.top).as_posix() if self.root != self.top else ""

    def shown(self, path: Path) -> str:
        """A path as the user reads it: relative to the repository's top."""
        return path.relative_to(self.top).as_posix()

    def paths(self) -> list[Path]:
        """Every file `ledger init` writes here, in the order it writes them."""
        data = self.root / "data"
        return [
            self.root / MARKER,
            *(data / kind / KEEP for kind in FOLDERS),
            data / "README.md",
            self.root / ".gitattributes",
            self.root / YAMLLINT_FILE,
            *(self.root / rel for rel in schema_files()),
            self.top / WORKFLOW,
            self.top / PRECOMMIT,
        ]


def place_for(folder: Path) -> Place:
    """Where `ledger init FOLDER` would put things (the folder need not exist yet)."""
    root = folder.expanduser().resolve()
    probe = next((p for p in (root, *root.parents) if p.is_dir()), root)
    top = git(probe, "rev-parse", "--show-toplevel")
    if isinstance(top, GitError) or not str(top).strip():
        return Place(root, root, False)
    return Place(root, Path(str(top).strip()).resolve(), True)


def enclosing_ledger(place: Place) -> Path | None:
    """The ledger the new one would sit inside, if any: its records would be read as the
    outer ledger's own, and the outer one would no longer be found from inside."""
    return find_root(place.root.parent)


def existing(place: Place) -> list[str]:
    """The files `ledger init` would write that exist already (or that a file stands in the
    way of, where a folder is needed), as the user reads them."""
    found = []
    for path in place.paths():
        blocked = [p for p in (path, *path.parents) if p != place.top and place.top in p.parents]
        for candidate in blocked:
            is_target = candidate == path
            if os.path.lexists(candidate) and (is_target or not candidate.is_dir()):
                found.append(place.shown(candidate))
                break
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Pin:
    """What CI and pre-commit install: this very release of the tool."""

    requirement: str
    """For pip: the tool from its own repository at the release's tag. Not the bare name
    from an index: whoever held that name there would run code in every ledger's CI."""
    rev: str
    """For pre-commit: the release's tag, ``vX.Y.Z``."""


def pin_for(version: str) -> Pin:
    """The pin for a version of the tool: a release (``X.Y.Z``) by its tag; any other build
    (a development or local one) has no release to name, so CI and pre-commit take the main
    branch, until `pre-commit autoupdate` pins a release."""
    rev = f"v{version}" if re.fullmatch(r"\d+(?:\.\d+)*", version) else "main"
    return Pin(f"{DISTRIBUTION} @ git+{HOOKS_REPOSITORY}@{rev}", rev)


def this_release() -> Pin:
    """The pin for the running tool."""
    from ledger.version import version

    return pin_for(version())


def starter_files(place: Place, answers: Answers, pin: Pin) -> dict[Path, str]:
    """Every file of a new ledger and its text, in the order of `Place.paths`."""
    texts = {
        place.root / MARKER: ledger_toml(answers),
        place.root / "data" / "README.md": DATA_README,
        place.root / ".gitattributes": GITATTRIBUTES,
        place.root / YAMLLINT_FILE: YAMLLINT,
        place.top / WORKFLOW: workflow(pin.rev, place.prefix),
        place.top / PRECOMMIT: precommit_config(pin.rev, place.prefix),
        **{place.root / rel: text for rel, text in schema_files().items()},
    }
    return {path: texts.get(path, "") for path in place.paths()}


@dataclass(frozen=True)
class Started:
    """The files written (as the user reads them)."""

    written: list[str]


@dataclass(frozen=True)
class NotStarted:
    """Why nothing was written: files that exist, or a write that failed (undone)."""

    exists: list[str]
    problem: str = ""


def start_ledger(place: Place, files: dict[Path, str]) -> Started | NotStarted:
    """Write every file, or none: the files are checked not to exist first, each is created
    whole (never replacing one that appears meanwhile), and a failure or an interrupt part
    way removes what was written, folders made included."""
    found = existing(place)
    if found:
        return NotStarted(found)
    made: list[Path] = []
    folders = [p for p in {f.parent for f in files} | {place.root} if not p.exists()]
    made_folders = sorted({d for f in folders for d in (f, *f.parents) if not d.exists()})
    try:
        for path, text in files.items():
            failure = create_new(path, text, inside=place.top)
            if failure:
                _undo(made, made_folders)
                return NotStarted([], failure)
            made.append(path)
    except BaseException:
        _undo(made, made_folders)
        raise
    return Started([place.shown(path) for path in made])


def _undo(files: list[Path], folders: list[Path]) -> None:
    for path in files:
        path.unlink(missing_ok=True)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        try:
            folder.rmdir()
        except OSError:
            continue  # not empty: something else lives there now


def start_git(place: Place) -> str | None:
    """Make the new ledger's folder a git repository (when it is in none); why not, or None."""
    if place.in_git:
        return None
    done = git(place.root, "init", "--quiet")
    return done.message if isinstance(done, GitError) else None
