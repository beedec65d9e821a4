"""Exports of the whole ledger: JSON, JSON Lines, CSV, SQLite, Markdown and Web Annotations.

Every export is complete (every field of every record, and every link between them) and
deterministic (the same ledger gives the same bytes). docs/export.md describes each shape:

* **json**: one document, ``{"format": "ledger-export", "version": 1, "rule", "sources",
  "requirements", "cases", "claims", "paths", "positions", "derived"}``; each record with
  every field of the schema (``null`` where not set), exactly as the models validate it
  back; ``positions``, where each quote and wording stands in its source's archived text.
* **jsonl**: one line per record, ``{"kind", "id", "path", "record", "position"}``, by kind
  then id.
* **csv**: one file per table of the SQLite schema (:mod:`ledger.publish.sqlite_db`), or one table,
  written by :mod:`ledger.publish.tables` as every CSV is.
* **sqlite**: the database ``ledger query`` runs on, as a file.
* **markdown**: the status report of every requirement, then every record field by field.
* **annotations**: every claim as a W3C Web Annotation on its quote in the archived text
  (JSON-LD), made by :mod:`ledger.publish.annotations`.

The library never writes to a terminal: the command line decides where the text goes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ledger.analysis.status_report import RULE, RULE_VERSION
from ledger.publish.tables import csv_text
from ledger.records.kinds import FOLDERS
from ledger.records.ledger import Ledger
from ledger.records.model import records_data
from ledger.safe_text import dumps

EXPORT_FORMAT = "ledger-export"
EXPORT_VERSION = 1

FORMATS: tuple[str, ...] = ("json", "jsonl", "csv", "sqlite", "markdown", "annotations")
"""The export formats."""

RECORD_KINDS: tuple[str, ...] = FOLDERS
"""The kinds an export holds, in schema order."""

EXTENSIONS: dict[str, str] = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".sqlite": "sqlite",
    ".sqlite3": "sqlite",
    ".db": "sqlite",
    ".md": "markdown",
    ".markdown": "markdown",
    ".jsonld": "annotations",
}
"""File extensions and the format ``-o FILE`` infers from each."""


def format_for(path: Path) -> str | None:
    """The format a file name's extension names, or None."""
    return EXTENSIONS.get(path.suffix.lower())


# --------------------------------------------------------------------------- records


def record_data(record: Any) -> dict[str, Any]:
    """A record as plain data: every field in schema order, null where not set."""
    return record.model_dump(mode="json", by_alias=True)  # type: ignore[no-any-return]


def _kinds(kind: str | None) -> tuple[str, ...]:
    if kind is None:
        return RECORD_KINDS
    if kind not in RECORD_KINDS:
        raise ValueError(f"unknown kind {kind!r}: expected one of {', '.join(RECORD_KINDS)}")
    return (kind,)


def export_data(ledger: Ledger, kind: str | None = None) -> dict[str, Any]:
    """The JSON export as data: records by kind, their files, and (for the whole ledger) the
    derived statuses and contradiction pairs."""
    from ledger.publish.sqlite_db import derived_tables

    kinds = _kinds(kind)
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "rule": {"name": RULE, "version": RULE_VERSION},
    }
    if kind is not None:
        data["kind"] = kind
    for name in kinds:
        data[name] = records_data(ledger.tables()[name].values(), by_alias=True)
    data["paths"] = {
        record_id: ledger.paths[record_id]
        for name in kinds
        for record_id in ledger.tables()[name]
        if record_id in ledger.paths
    }
    positions = ledger.positions or {}
    data["positions"] = {
        record_id: positions[record_id].to_dict()
        for name in kinds
        for record_id in ledger.tables()[name]
        if record_id in positions
    }
    if kind is None:
        data["derived"] = {
            table.name: [dict(zip(table.columns, row, strict=True)) for row in table.rows]
            for table in derived_tables(ledger)
        }
    return data


def export_json(ledger: Ledger, kind: str | None = None) -> str:
    """The whole ledger (or one kind of record) as one JSON document."""
    return dumps(export_data(ledger, kind)) + "\n"


def export_jsonl(ledger: Ledger, kind: str | None = None) -> str:
    """One JSON object a line: ``{"kind", "id", "path", "record", "position"}``, by kind then
    id; ``position`` is null but for a quote or wording found in its source."""
    positions = ledger.positions or {}
    lines = [
        dumps(
            {
                "kind": name,
                "id": record_id,
                "path": ledger.paths.get(record_id),
                "record": record_data(record),
                "position": positions[record_id].to_dict() if record_id in positions else None,
            },
            indent=None,
        )
        for name in _kinds(kind)
        for record_id, record in ledger.tables()[name].items()
    ]
    return "".join(f"{line}\n" for line in lines)


# --------------------------------------------------------------------------- csv


def table_names() -> tuple[str, ...]:
    """The tables a CSV export can write, in schema order."""
    from ledger.publish.sqlite_db import tables

    return tuple(t.name for t in tables(Ledger()))


def export_csv(ledger: Ledger, table: str) -> str:
    """One table of the SQLite schema as CSV, with a header row."""
    from ledger.publish.sqlite_db import tables

    for found in tables(ledger):
        if found.name == table:
            return csv_text(found.columns, found.rows)
    raise ValueError(f"unknown table {table!r}: expected one of {', '.join(table_names())}")


def export_csv_files(ledger: Ledger) -> dict[str, str]:
    """Every table as CSV, by file name (``claims.csv``, ...), in schema order."""
    from ledger.publish.sqlite_db import tables

    return {f"{t.name}.csv": csv_text(t.columns, t.rows) for t in tables(ledger)}


# --------------------------------------------------------------------------- sqlite


def export_sqlite(ledger: Ledger) -> bytes:
    """The query database as an SQLite file's bytes."""
    from ledger.publish.sqlite_db import database_bytes

    return database_bytes(ledger)


# --------------------------------------------------------------------------- markdown

_FOOTNOTE = re.compile(r"(?<!\\)\[\^(\d+)\]")


def export_markdown(ledger: Ledger) -> str:
    """The status of every requirement (footnoted), then every record, field by field."""
    from ledger.analysis.status import Analysis, overview, requirement_status
    from ledger.publish.markdown_text import escape
    from ledger.publish.status_markdown import overview_markdown, requirement_markdown

    analysis = Analysis.of(ledger)
    counts = ", ".join(f"{len(ledger.tables()[k])} {k}" for k in RECORD_KINDS)
    out = [
        "# Ledger export",
        "",
        f"Rule {escape(RULE)} v{escape(RULE_VERSION)}; {counts}.",
        "",
        "## Status",
        "",
        overview_markdown(overview(ledger, analysis)).rstrip("\n"),
        "",
        "## Requirements",
    ]
    for number, req_id in enumerate(ledger.requirements, 1):
        section = requirement_markdown(requirement_status(ledger, req_id, analysis), heading=3)
        out += ["", _FOOTNOTE.sub(lambda m, n=number: f"[^r{n}-{m[1]}]", section).rstrip("\n")]
    out += ["", "## Records"]
    for kind in RECORD_KINDS:
        out += ["", f"### {kind.capitalize()}"]
        for record_id, record in ledger.tables()[kind].items():
            out += ["", f"#### {escape(record_id)}", ""]
            path = ledger.paths.get(record_id)
            if path:
                out.append(f"- *file*: {escape(path)}")
            for key, value in record_data(record).items():
                if key == "id" or value in (None, [], {}):
                    continue
                out += _md_field(escape(key), value, 0)
            found = (ledger.positions or {}).get(record_id)
            if found is not None:
                what = "wording" if kind == "requirements" else "quote"
                out.append(
                    f"- *position of the {what}*: characters {found.start}–{found.end} of "
                    f"{escape(found.archive)}"
                )
    return "\n".join(out).rstrip("\n") + "\n"


def _md_field(key: str, value: Any, depth: int) -> list[str]:
    from ledger.publish.markdown_text import escape

    pad = "  " * depth
    if isinstance(value, dict):
        items = [(k, v) for k, v in value.items() if v is not None]
        return [f"{pad}- *{key}*:"] + [
            line for k, v in items for line in _md_field(escape(k), v, depth + 1)
        ]
    if isinstance(value, list):
        lines = [f"{pad}- *{key}*:"]
        for item in value:
            if isinstance(item, dict):
                parts = [f"{escape(k)}: {escape(v)}" for k, v in item.items() if v is not None]
                lines.append(f"{pad}  - {'; '.join(parts)}")
            else:
                lines.append(f"{pad}  - {escape(item)}")
        return lines
    return [f"{pad}- *{key}*: {escape(value)}"]


# --------------------------------------------------------------------------- writing


def write_export(path: Path, content: str | bytes) -> str | None:
    """Write one export file atomically; return None, or why it was not written."""
    from ledger.authoring.atomic import write_atomic

    return write_atomic(path, content)


def write_folder(folder: Path, files: dict[str, str]) -> str | None:
    """Write several export files into ``folder`` (made if missing), each atomically."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot make the folder {folder}: {exc.strerror}"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    for name, text in files.items():
        problem = write_export(folder / name, text)
        if problem:
            return problem
    return None
