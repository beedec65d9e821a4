"""Loading a ledger: find the record files, read them safely, validate them, check them.

A pipeline in the manner of beancount: every stage adds to one list of diagnostics and
nothing raises on bad data. Records that pass the schema go into the Ledger even when
another record is broken, so one bad file never hides the state of the rest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ledger.diagnostics import Diagnostic, make, ordered
from ledger.files import MAX_RECORD_BYTES, ReadFailure, decode, read_bytes
from ledger.ledger import Ledger
from ledger.model import RECORD_TYPES
from ledger.root import Layout
from ledger.schema_errors import schema_diagnostics
from ledger.yamlread import Parsed, parse

RECORD_SUFFIX = ".yaml"


@dataclass
class LoadResult:
    """The ledger as far as it could be read, every problem found, and how many files."""

    ledger: Ledger
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    fatal: str | None = None
    """Set when the ledger itself cannot be read (no data folder, or an unreadable one)."""
    unloaded: set[str] = field(default_factory=set)
    """Ids (and file names) of record files that exist but could not be loaded: references to
    them are not reported again as unresolved, since the file's own problem already is."""


@dataclass(frozen=True)
class RecordFile:
    kind: str
    path: Path
    rel: str


def load(layout: Layout, *, check: bool = True) -> LoadResult:
    """Read every record under the data folder; with ``check``, run the cross-record checks."""
    result = LoadResult(Ledger())
    if not layout.data.is_dir():
        result.fatal = f"the data folder {layout.data} does not exist"
        return result
    try:
        os.listdir(layout.data)
    except OSError as exc:
        result.fatal = f"cannot read the data folder {layout.data}: {exc.strerror}"
        return result
    files = discover(layout, result.diagnostics)
    result.files = len(files)
    owners: dict[str, str] = {}
    for record_file in files:
        _load_one(record_file, result, owners)
    result.ledger.sort()
    if check:
        from ledger.checks import check_ledger

        result.diagnostics.extend(check_ledger(result.ledger, layout, unloaded=result.unloaded))
    result.diagnostics = ordered(place(result.diagnostics, layout))
    return result


def discover(layout: Layout, diagnostics: list[Diagnostic]) -> list[RecordFile]:
    """Every record file, in sorted order. Symlinks and special files are reported, not read."""
    found: list[RecordFile] = []
    for kind in RECORD_TYPES:
        folder = layout.data / kind
        if folder.is_symlink():
            diagnostics.append(
                make(
                    "not-a-regular-file",
                    layout.relative(folder),
                    "the record folder is a symbolic link",
                    "record folders are not followed through links",
                )
            )
            continue
        if folder.is_dir():
            _walk(folder, kind, layout, found, diagnostics)
    _stray_files(layout, diagnostics)
    return sorted(found, key=lambda f: f.rel)


def _walk(
    folder: Path, kind: str, layout: Layout, found: list[RecordFile], diagnostics: list[Diagnostic]
) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        diagnostics.append(
            make(
                "unreadable",
                layout.relative(folder),
                f"cannot list the folder: {exc.strerror}",
                "check the folder's permissions",
            )
        )
        return
    for entry in entries:
        path = Path(entry.path)
        rel = layout.relative(path)
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            if entry.name.endswith(RECORD_SUFFIX) or _is_dir_link(path):
                diagnostics.append(
                    make(
                        "not-a-regular-file",
                        rel,
                        "a symbolic link is not read",
                        "replace the link with the file or folder itself",
                    )
                )
            continue
        if entry.is_dir(follow_symlinks=False):
            _walk(path, kind, layout, found, diagnostics)
        elif entry.name.endswith(RECORD_SUFFIX):
            found.append(RecordFile(kind, path, rel))
        elif entry.name.endswith(".yml"):
            diagnostics.append(
                make(
                    "misplaced-file",
                    rel,
                    "a .yml file is not read",
                    f"rename it to {Path(entry.name).stem}{RECORD_SUFFIX}",
                )
            )


def _is_dir_link(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return True


def _stray_files(layout: Layout, diagnostics: list[Diagnostic]) -> None:
    """YAML files right in the data folder, or in a folder that is not a record folder (a
    misspelt `claim/`), belong to no kind: say so rather than skip them."""
    folders = ", ".join(f"{k}/" for k in RECORD_TYPES)
    for dirpath, dirnames, filenames in os.walk(layout.data):
        here = Path(dirpath)
        if here == layout.data:
            dirnames[:] = [d for d in dirnames if d not in RECORD_TYPES]
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                diagnostics.append(
                    make(
                        "misplaced-file",
                        layout.relative(here / name),
                        "a YAML file outside the record folders is not read",
                        f"move it into one of {folders}",
                    )
                )


def read_record_text(path: Path, rel: str) -> str | list[Diagnostic]:
    """The text of one record file, or the diagnostics that explain why it has none."""
    data = read_bytes(path, MAX_RECORD_BYTES)
    if isinstance(data, ReadFailure):
        return [make(data.code, rel, data.message, data.hint)]
    text = decode(data)
    if isinstance(text, str) and "\x00" in text:  # valid UTF-8, but UTF-16 without a BOM
        offset = text.index("\x00")
        line_start = text.rfind("\n", 0, offset) + 1
        text = (text.count("\n", 0, offset) + 1, offset - line_start + 1, "a NUL byte")
    if isinstance(text, tuple):
        line, column, what = text
        return [
            make(
                "not-utf8",
                rel,
                f"the file is not UTF-8: {what}",
                "save the file as UTF-8 (not UTF-16 or a legacy code page)",
                line=line,
                column=column,
            )
        ]
    return text


def _load_one(record_file: RecordFile, result: LoadResult, owners: dict[str, str]) -> None:
    stem = record_file.path.name[: -len(RECORD_SUFFIX)]
    text = read_record_text(record_file.path, record_file.rel)
    if isinstance(text, list):
        result.diagnostics.extend(text)
        result.unloaded.add(stem)
        return
    if text.startswith("\ufeff"):
        result.diagnostics.append(
            make(
                "byte-order-mark",
                record_file.rel,
                "the file starts with a byte-order mark",
                "save it as UTF-8 without a BOM",
                line=1,
                column=1,
            )
        )
        text = text[1:]
    parsed = parse(text, record_file.rel)
    result.diagnostics.extend(parsed.diagnostics)
    if parsed.data is None:
        result.unloaded.add(stem)
        return
    model = RECORD_TYPES[record_file.kind]
    try:
        record = model.model_validate(parsed.data)
    except ValidationError as error:
        located = parse(text, record_file.rel, positions=True)
        result.diagnostics.extend(schema_diagnostics(error, located, model, record_file.rel))
        result.unloaded.add(stem)
        if isinstance(parsed.data.get("id"), str):
            result.unloaded.add(parsed.data["id"])
        return
    record_id = record.id  # type: ignore[attr-defined]
    if record_id != stem:
        result.diagnostics.append(
            make(
                "id-mismatch",
                record_file.rel,
                f"the id '{record_id}' differs from the file name '{record_file.path.name}'",
                f"rename the file to {record_id}{RECORD_SUFFIX}, or set `id: {stem}`",
                field="id",
                anchor=(("id",), False),
            )
        )
    if record_id in owners:
        result.diagnostics.append(
            make(
                "duplicate-id",
                record_file.rel,
                f"the id '{record_id}' is already used by {owners[record_id]}",
                "ids are unique across all kinds of record: choose another",
                field="id",
                anchor=(("id",), False),
            )
        )
        return
    owners[record_id] = record_file.rel
    result.ledger.add(record_file.kind, record, record_file.rel)


def place(diagnostics: list[Diagnostic], layout: Layout) -> list[Diagnostic]:
    """Give a line and column to diagnostics that carry only a field path.

    Checks across records work on validated data without positions; the few files they
    find fault with are read again here, with positions.
    """
    cache: dict[str, Parsed | None] = {}
    placed = []
    for diagnostic in diagnostics:
        if diagnostic.line or diagnostic.anchor is None:
            placed.append(diagnostic)
            continue
        if diagnostic.path not in cache:
            text = read_record_text(layout.root / diagnostic.path, diagnostic.path)
            cache[diagnostic.path] = (
                None
                if isinstance(text, list)
                else parse(text.removeprefix("\ufeff"), diagnostic.path, positions=True)
            )
        parsed = cache[diagnostic.path]
        if parsed is None:
            placed.append(diagnostic)
            continue
        path, on_key = diagnostic.anchor
        line, column = parsed.where_key(path) if on_key else parsed.where(path)
        placed.append(diagnostic.at(line, column))
    return placed
