"""JSON Schema (draft-07) for each record kind, for editors (yaml-language-server) and tools.

Generated from the pydantic models, so the schema cannot drift from what `ledger validate`
accepts; the committed copies under `schema/` are checked against the models by a test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.records.kinds import BY_FOLDER, KINDS
from ledger.records.model import RelationKind

if TYPE_CHECKING:
    from ledger.authoring.writelock import LockFailure
    from ledger.records.root import Layout

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
SCHEMA_DIR = "schema"


def schema_file(kind: str) -> str:
    """The file name of a kind's schema, e.g. ``claim.schema.json``."""
    return BY_FOLDER[kind].schema_file


def json_schema(kind: str) -> dict[str, Any]:
    """The draft-07 JSON Schema of one record kind."""
    schema = (
        BY_FOLDER[kind]
        .model()
        .model_json_schema(by_alias=True, ref_template="#/definitions/{model}", mode="validation")
    )
    _closed_maps(schema)
    definitions = schema.pop("$defs", None)
    if definitions and "Relation" in definitions:
        # the model's own check, which pydantic cannot export: exactly one kind names a claim
        definitions["Relation"]["oneOf"] = [
            {"required": [kind.value], "properties": {kind.value: {"type": "string"}}}
            for kind in RelationKind
        ]
    ordered: dict[str, Any] = {
        "$schema": DRAFT_07,
        "$id": schema_file(kind),
        **schema,
    }
    if definitions:
        ordered["definitions"] = definitions
    return ordered


def _closed_maps(node: Any) -> None:
    """A map of ids (``bears_on``) takes no key outside its pattern, as the model checks."""
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _closed_maps(value)
    elif isinstance(node, list):
        for value in node:
            _closed_maps(value)


def all_schemas() -> dict[str, dict[str, Any]]:
    """Every kind's schema by file name."""
    return {k.schema_file: json_schema(k.folder) for k in KINDS}


def schema_files() -> dict[str, str]:
    """Every kind's schema as the text of its file under schema/ (the folder the records'
    modelines point to), by path relative to the ledger's root."""
    from ledger.safe_text import dumps

    return {f"{SCHEMA_DIR}/{name}": dumps(schema) + "\n" for name, schema in all_schemas().items()}


def write_schemas(layout: Layout) -> list[str] | str | LockFailure:
    """Write every kind's schema into the ledger's schema folder, holding the write lock:
    the names written, or why one was not."""
    from ledger.authoring.atomic import write_atomic
    from ledger.authoring.writelock import write_lock

    written = []
    with write_lock(layout.root) as busy:
        if busy:
            return busy
        try:
            (layout.root / SCHEMA_DIR).mkdir(exist_ok=True)
        except OSError as exc:
            return f"cannot make the folder {layout.root / SCHEMA_DIR}: {exc.strerror}"
        for rel, content in schema_files().items():
            failure = write_atomic(layout.root / rel, content)
            if failure:
                return failure
            written.append(rel)
    return written
