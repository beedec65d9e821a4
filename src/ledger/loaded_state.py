"""The loaded ledger remembered whole, for one state of the working tree.

Loading through the per-file cache still makes a pass over every file's stored outcome
(seals, content keys, admission of ids): seconds at 100,000 records, for every command that
reads records. When the ledger is exactly as it was at an earlier load (:func:`ledger_key`:
every file's identity under data/, the marker file and the code), the records as admitted
then are read back from one sealed row, each kind's records validated in one call, with the
diagnostics and unloaded ids that reading and admitting them gave.

The row is kept for one state only (the newest): a ledger that changes is remembered again
by the next load that asks questions (not `validate`), from texts the per-file cache
already holds. It is written only when every
file had settled when the walk began (scan.py's racy-file rule), and never for a revision.
The cross-record checks are not part of it: a load with checks runs them after.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ledger.diagnostics import Diagnostic
from ledger.kinds import FOLDERS
from ledger.model import RECORD_TYPES

if TYPE_CHECKING:
    from ledger.cache import Cache
    from ledger.pipeline import LoadResult

NAME = "loaded:working-tree"
FAMILY = "loaded:"
FORMAT = 1


def recall(cache: Cache, key: str, result: LoadResult) -> bool:
    """Fill ``result`` (as :func:`ledger.pipeline.begin` left it) with the records,
    diagnostics and unloaded ids remembered for ``key``; False, with ``result`` untouched,
    when there is nothing remembered or it does not read back whole."""
    from pydantic import TypeAdapter, ValidationError

    text = cache.raw(NAME, key)
    if text is None:
        return False
    lines = text.split("\n")
    if len(lines) != 1 + len(FOLDERS):
        return False
    try:
        head = json.loads(lines[0])
        if head.get("format") != FORMAT:
            return False
        diagnostics = [Diagnostic.from_dict(d) for d in head["diagnostics"]]
        unloaded = {str(u) for u in head["unloaded"]}
        rels: dict[str, list[str]] = {kind: list(head["paths"][kind]) for kind in FOLDERS}
        tables = {
            kind: TypeAdapter(list[RECORD_TYPES[kind]]).validate_json(line)  # type: ignore[valid-type]
            for kind, line in zip(FOLDERS, lines[1:], strict=True)
        }
    except (ValueError, KeyError, TypeError, AttributeError, ValidationError):
        return False
    if any(len(tables[kind]) != len(rels[kind]) for kind in FOLDERS):
        return False
    ledger = result.ledger
    for kind in FOLDERS:
        table = ledger.tables()[kind]
        for record, rel in zip(tables[kind], rels[kind], strict=True):
            table[record.id] = record
            ledger.paths[record.id] = rel
    result.diagnostics.extend(diagnostics)
    result.unloaded.update(unloaded)
    return True


def remember(
    cache: Cache,
    key: str,
    result: LoadResult,
    added: list[Diagnostic],
    texts: dict[str, str | None],
) -> None:
    """Keep ``result``'s records (in the ledger's order, as the JSON texts ``texts`` gives
    by file, or dumped again where it has none), the diagnostics loading ``added`` and the
    unloaded ids, under ``key``, in place of any other state's."""
    ledger = result.ledger
    paths: dict[str, list[str]] = {}
    lines = []
    for kind, table in ledger.tables().items():
        rels = paths[kind] = [ledger.paths[record_id] for record_id in table]
        parts = []
        for record, rel in zip(table.values(), rels, strict=True):
            stored = texts.get(rel)
            parts.append(stored if stored is not None else _dumped(record))
        lines.append("[" + ",".join(parts) + "]")
    head = {
        "format": FORMAT,
        "diagnostics": [d.to_dict() for d in added],
        "unloaded": sorted(result.unloaded),
        "paths": paths,
    }
    text = "\n".join([json.dumps(head, ensure_ascii=False, separators=(",", ":")), *lines])
    cache.store_text(NAME, key, text, family=FAMILY)


def _dumped(record: object) -> str:
    """A record's JSON as the per-file cache stores it."""
    return record.model_dump_json(by_alias=True, exclude_defaults=True)  # type: ignore[attr-defined]
