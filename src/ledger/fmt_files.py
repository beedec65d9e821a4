"""Putting record files into canonical form, or checking that they are (`ledger fmt`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ledger.atomic import write_atomic
from ledger.fmt import canonical
from ledger.jsonschema_export import SCHEMA_DIR, schema_file
from ledger.load import RECORD_SUFFIX, discover, read_record_text
from ledger.root import Layout


@dataclass
class FmtResult:
    """Which files changed (or would), how many were already canonical, what went wrong."""

    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    crlf: list[str] = field(default_factory=list)
    """Files among ``changed`` that had CRLF line endings (canonical form has LF): the likely
    work of git's core.autocrlf, worth saying so since every record changes at once."""
    problems: list[tuple[str, str]] = field(default_factory=list)


def format_files(
    layout: Layout, paths: list[Path] | None = None, *, check: bool = False
) -> FmtResult:
    """Format every record file (or those under ``paths``); with ``check``, write nothing."""
    result = FmtResult()
    wanted = [p.resolve() for p in paths] if paths else None
    for record in discover(layout):
        if wanted is not None and not any(
            record.path.resolve() == w or w in record.path.resolve().parents for w in wanted
        ):
            continue
        text = read_record_text(record.path, record.rel)
        if isinstance(text, list):
            result.problems.append((record.rel, text[0].message))
            continue
        formatted = canonical(text, record.kind, modeline_for(layout, record.path, record.kind))
        if formatted.text is None:
            result.problems.append((record.rel, formatted.problem))
        elif formatted.text == text:
            result.unchanged += 1
        elif not check and (
            failure := write_atomic(record.path, formatted.text, inside=layout.data)
        ):
            result.problems.append((record.rel, failure))
        else:
            result.changed.append(record.rel)
            if "\r\n" in text:
                result.crlf.append(record.rel)
    if wanted is not None:
        _unknown_paths(layout, wanted, result)
    return result


def _unknown_paths(layout: Layout, wanted: list[Path], result: FmtResult) -> None:
    for path in wanted:
        inside = path == layout.data or layout.data in path.parents
        if not path.exists():
            result.problems.append((layout.relative(path), "no such file or folder"))
        elif not inside:
            result.problems.append((layout.relative(path), "not inside the ledger's data folder"))
        elif path.is_file() and not path.name.endswith(RECORD_SUFFIX):
            result.problems.append((layout.relative(path), "not a record file (.yaml)"))


def modeline_for(layout: Layout, path: Path, kind: str) -> str:
    """The schema path, relative to the record's folder, that editors should use."""
    target = layout.root / SCHEMA_DIR / schema_file(kind)
    return Path(os.path.relpath(target, path.parent)).as_posix()
