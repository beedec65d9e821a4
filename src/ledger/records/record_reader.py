"""Reading one record file into validated data: the part of loading that needs no other file.

It is pure: an outcome is a function of the file's kind, its path and its bytes alone
(:func:`outcome_of`), so it can run in worker processes and be remembered by the bytes'
content id; everything that needs the whole ledger happens afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ledger.records.content_id import blob_id
from ledger.records.diagnostics import Diagnostic, make
from ledger.records.files import MAX_RECORD_BYTES, ReadFailure, decode, read_bytes
from ledger.records.model import RECORD_TYPES
from ledger.records.scan import RECORD_SUFFIX
from ledger.records.schema_errors import schema_diagnostics
from ledger.records.yamlread import number_diagnostics, parse


@dataclass
class FileOutcome:
    """What one file yields: its validated data (None when it has none), its diagnostics,
    and the ids a broken file would have had (so references to it are not reported twice)."""

    rel: str
    kind: str
    data: dict[str, Any] | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unloaded: list[str] = field(default_factory=list)
    record: BaseModel | None = None
    """The validated record, when it was built in this process."""
    blob: str | None = None
    """The content id of the bytes read (None when none could be read)."""

    def plain(self) -> dict[str, Any]:
        """JSON-ready form, for the cache and for passing between processes."""
        return {
            "data": self.data,
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "unloaded": self.unloaded,
        }

    def sound(self) -> bool:
        """Whether the file read cleanly into one record named for its id (the record is
        built here, if only its data came back): such a file admits the same beside any
        other files that hold no record with its id."""
        if self.diagnostics or self.unloaded:
            return False
        if self.record is None and self.data is not None:
            self.record = RECORD_TYPES[self.kind].model_validate(self.data)
        record = self.record
        return record is not None and self.rel.rpartition("/")[2] == f"{record.id}{RECORD_SUFFIX}"  # type: ignore[attr-defined]

    @classmethod
    def from_plain(cls, rel: str, kind: str, plain: dict[str, Any]) -> FileOutcome:
        return cls(
            rel,
            kind,
            plain["data"],
            [Diagnostic.from_dict(d) for d in plain["diagnostics"]],
            list(plain["unloaded"]),
        )


def read_record_text(path: str | Path, rel: str) -> str | list[Diagnostic]:
    """The text of one record file, or the diagnostics that explain why it has none."""
    return record_text(read_bytes(path, MAX_RECORD_BYTES), rel)


def record_text(data: bytes | ReadFailure, rel: str) -> str | list[Diagnostic]:
    """A record file's bytes as text, or the diagnostics that explain why they are none."""
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


def read_one(kind: str, path: str | Path, rel: str) -> FileOutcome:
    """Read, parse and validate one record file. Never raises for bad input."""
    return outcome_of(kind, rel, read_bytes(path, MAX_RECORD_BYTES))


def outcome_of(kind: str, rel: str, data: bytes | ReadFailure) -> FileOutcome:
    """Parse and validate one record file's bytes (or say why there are none), every
    diagnostic placed at its line. Never raises for bad input."""
    outcome = _outcome(kind, rel, record_text(data, rel))
    if isinstance(data, bytes):
        outcome.blob = blob_id(data)
    return outcome


def _outcome(kind: str, rel: str, text: str | list[Diagnostic]) -> FileOutcome:
    stem = rel.rpartition("/")[2][: -len(RECORD_SUFFIX)]
    outcome = FileOutcome(rel, kind, None)
    if isinstance(text, list):
        outcome.diagnostics.extend(text)
        outcome.unloaded.append(stem)
        return outcome
    if text.startswith("\ufeff"):
        outcome.diagnostics.append(
            make(
                "byte-order-mark",
                rel,
                "the file starts with a byte-order mark",
                "save it as UTF-8 without a BOM",
                line=1,
                column=1,
            )
        )
        text = text[1:]
    parsed = parse(text, rel)
    outcome.diagnostics.extend(parsed.diagnostics)
    if parsed.data is None:
        outcome.unloaded.append(stem)
        return outcome
    model = RECORD_TYPES[kind]
    try:
        outcome.record = model.model_validate(parsed.data)
    except ValidationError as error:
        located = parse(text, rel, positions=True)
        schema = schema_diagnostics(error, located, model, rel)
        outcome.diagnostics.extend(schema)
        outcome.diagnostics.extend(number_diagnostics(located, schema))
        outcome.unloaded.append(stem)
        if isinstance(parsed.data.get("id"), str):
            outcome.unloaded.append(parsed.data["id"])
        outcome.diagnostics = place_in(outcome.diagnostics, text, rel)
        return outcome
    outcome.data = parsed.data
    outcome.diagnostics.extend(number_diagnostics(parsed))
    outcome.diagnostics = place_in(outcome.diagnostics, text, rel)
    return outcome


def place_in(diagnostics: list[Diagnostic], text: str | None, rel: str) -> list[Diagnostic]:
    """Give a line and column to diagnostics on one file that carry only a field path,
    from the file's text (None: it has none, and they stay unplaced)."""
    if text is None or all(d.line or d.anchor is None for d in diagnostics):
        return diagnostics
    parsed = parse(text.removeprefix("\ufeff"), rel, positions=True)
    placed = []
    for diagnostic in diagnostics:
        if diagnostic.line or diagnostic.anchor is None:
            placed.append(diagnostic)
            continue
        path, on_key = diagnostic.anchor
        line, column = parsed.where_key(path) if on_key else parsed.where(path)
        placed.append(diagnostic.at(line, column))
    return placed


def record_from_text(text: str, kind: str, rel: str) -> BaseModel | list[Diagnostic]:
    """A record's text validated against the schema: the record, or the errors that stop it
    (for a writer checking what it is about to write, or what it has just read again). A
    text over the size limit of a record file is refused: written, it would not be read."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_RECORD_BYTES:
        return [
            make(
                "file-too-large",
                rel,
                f"the record would have {size:,} bytes; the limit is {MAX_RECORD_BYTES:,}",
                "shorten its longest text: a larger record file is not read",
            )
        ]
    parsed = parse(text.removeprefix("\ufeff"), rel)
    errors = [d for d in parsed.diagnostics if d.severity == "error"]
    if parsed.data is None or errors:
        return errors or [make("yaml-syntax", rel, "the record cannot be read back")]
    model = RECORD_TYPES[kind]
    try:
        return model.model_validate(parsed.data)
    except ValidationError as error:
        located = parse(text.removeprefix("\ufeff"), rel, positions=True)
        return schema_diagnostics(error, located, model, rel)


def read_current(path: Path, rel: str, kind: str) -> tuple[str, BaseModel] | list[Diagnostic]:
    """A record file's text and record as they are now: what a writer holding the write lock
    reads again before it edits the file, so it builds on another writer's change rather
    than on what it read before; or the errors that stop it."""
    text = read_record_text(path, rel)
    if isinstance(text, list):
        return text
    record = record_from_text(text, kind, rel)
    return record if isinstance(record, list) else (text, record)


def read_record_bytes(path: str | Path, rel: str) -> bytes | ReadFailure:
    """A record file's bytes from disk, or why there are none (``rel`` names it)."""
    return read_bytes(path, MAX_RECORD_BYTES)
