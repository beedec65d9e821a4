"""JSON Schema (draft-07) for each record kind, for editors (yaml-language-server) and tools.

Generated from the pydantic models, so the schema cannot drift from what `ledger validate`
accepts; the committed copies under `schema/` are checked against the models by a test.
"""

from __future__ import annotations

from typing import Any

from ledger.model import RECORD_TYPES

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
SCHEMA_DIR = "schema"

KIND_NAMES = {
    "sources": "source",
    "requirements": "requirement",
    "cases": "case",
    "claims": "claim",
}


def schema_file(kind: str) -> str:
    """The file name of a kind's schema, e.g. ``claim.schema.json``."""
    return f"{KIND_NAMES[kind]}.schema.json"


def json_schema(kind: str) -> dict[str, Any]:
    """The draft-07 JSON Schema of one record kind."""
    model = RECORD_TYPES[kind]
    schema = model.model_json_schema(
        by_alias=True, ref_template="#/definitions/{model}", mode="validation"
    )
    definitions = schema.pop("$defs", None)
    ordered: dict[str, Any] = {
        "$schema": DRAFT_07,
        "$id": schema_file(kind),
        **schema,
    }
    if definitions:
        ordered["definitions"] = definitions
    return ordered


def all_schemas() -> dict[str, dict[str, Any]]:
    """Every kind's schema by file name."""
    return {schema_file(kind): json_schema(kind) for kind in RECORD_TYPES}
