"""The JSON Schemas under schema/: generated from the models, committed as generated, valid
draft-07, and accepting every record file, as checked by an independent validator
(`jsonschema`), which also rejects the mistakes `ledger validate` rejects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from pydantic import ValidationError

from conftest import SAMPLE, Sample, run
from ledger.publish.jsonschema_export import DRAFT_07, all_schemas, json_schema, schema_file
from ledger.records.model import RECORD_TYPES

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "schema"
MODELINE = "# yaml-language-server: $schema="


def validator(kind: str) -> Draft7Validator:
    """The committed schema of a kind, as an editor would load it."""
    schema = json.loads((SCHEMA / schema_file(kind)).read_text(encoding="utf-8"))
    return Draft7Validator(schema)


def errors(kind: str, data: Any) -> list[str]:
    return [error.message for error in validator(kind).iter_errors(data)]


def record_files(data: Path) -> list[tuple[str, Path]]:
    return [(kind, p) for kind in RECORD_TYPES for p in sorted((data / kind).rglob("*.yaml"))]


DATA_FILES = [
    pytest.param(kind, path, id=f"{label}:{path.relative_to(data).as_posix()}")
    for label, data in (("repository", REPO / "data"), ("sample", SAMPLE / "data"))
    for kind, path in record_files(data)
]


def test_the_committed_schemas_are_the_models_schemas() -> None:
    generated = all_schemas()

    assert sorted(p.name for p in SCHEMA.glob("*.json")) == sorted(generated)
    for name, schema in generated.items():
        assert json.loads((SCHEMA / name).read_text(encoding="utf-8")) == schema, (
            f"schema/{name} is out of date: run `ledger schema --write`"
        )


def test_schema_write_writes_exactly_the_committed_files(sample_copy: Sample) -> None:
    result = run(["--root", str(sample_copy.root), "schema", "--write"])

    assert result.exit_code == 0
    written = sorted((sample_copy.root / "schema").iterdir())
    assert [p.name for p in written] == sorted(p.name for p in SCHEMA.iterdir())
    for path in written:
        assert path.read_bytes() == (SCHEMA / path.name).read_bytes(), path.name
        assert f"wrote schema/{path.name}\n" in result.stderr


def test_schema_prints_one_kind_and_needs_one() -> None:
    printed = run(["schema", "claim"])
    nothing = run(["schema"])

    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == json_schema("claims")
    assert nothing.exit_code == 2
    assert "name a kind" in nothing.stderr


@pytest.mark.parametrize("kind", RECORD_TYPES)
def test_each_schema_is_valid_draft_07(kind: str) -> None:
    schema = json.loads((SCHEMA / schema_file(kind)).read_text(encoding="utf-8"))

    assert schema["$schema"] == DRAFT_07
    Draft7Validator.check_schema(schema)


@pytest.mark.parametrize(("kind", "path"), DATA_FILES)
def test_every_data_file_validates_against_its_schema(kind: str, path: Path) -> None:
    assert errors(kind, yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def test_the_repository_has_data_files_to_validate() -> None:
    kinds = {param.values[0] for param in DATA_FILES if param.id.startswith("repository:")}
    assert kinds == set(RECORD_TYPES)


def test_a_reviewed_claim_validates(sample_copy: Sample) -> None:
    rel = "claims/cso-torture-complaints.yaml"
    done = run(["--root", str(sample_copy.root), "review", "cso-torture-complaints", "--by", "A"])
    assert done.exit_code == 0, done.stderr

    data = yaml.safe_load(sample_copy.read(rel))

    assert data["reviews"][0]["by"] == "A"
    assert errors("claims", data) == []


@pytest.mark.parametrize(("kind", "path"), record_files(REPO / "data"))
def test_each_repository_file_names_its_schema_for_editors(kind: str, path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]

    assert first.startswith(MODELINE)
    named = (path.parent / first.removeprefix(MODELINE)).resolve()
    assert named == SCHEMA / schema_file(kind)


# -- the schema and the model refuse the same mistakes ---------------------------------------

CLAIM = yaml.safe_load((SAMPLE / "data/claims/cso-tlatlaya-no-arrest-warrants.yaml").read_text())
SOURCE = yaml.safe_load((SAMPLE / "data/sources/cso-memo-2017.yaml").read_text())
DROP = object()


def changed(record: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A copy of a record with fields set, or removed when set to DROP."""
    data = {**record, **fields}
    return {k: v for k, v in data.items() if v is not DROP}


MISTAKES = {
    "unknown field": ("claims", changed(CLAIM, stance="supports")),
    "missing quote": ("claims", changed(CLAIM, quote=DROP)),
    "empty quote": ("claims", changed(CLAIM, quote="")),
    "blank statement": ("claims", changed(CLAIM, statement=" \n\t ")),
    "blank figure unit": ("claims", changed(CLAIM, figures=[{"value": 3, "unit": "  "}])),
    "blank source title": ("sources", changed(SOURCE, title=" ")),
    "invisible source title": ("sources", changed(SOURCE, title="\u00ad\u200b \u3164")),
    "id not an id": ("claims", changed(CLAIM, id="Not An Id")),
    "unknown stance": ("claims", changed(CLAIM, bears_on={"requirement-1": "refutes"})),
    "bears_on key not an id": ("claims", changed(CLAIM, bears_on={"Requirement 1": "supports"})),
    "unknown claim kind": ("claims", changed(CLAIM, kind="rumour")),
    "number as text": ("claims", changed(CLAIM, locator=12)),
    "figure value as text": ("claims", changed(CLAIM, figures=[{"value": "ten", "unit": "x"}])),
    "figure value as yes": ("claims", changed(CLAIM, figures=[{"value": True, "unit": "x"}])),
    "relation of two kinds": (
        "claims",
        changed(CLAIM, relations=[{"contradicts": "a", "repeats": "b"}]),
    ),
    "relation of no kind": ("claims", changed(CLAIM, relations=[{"note": "which one?"}])),
    "review without fingerprint": (
        "claims",
        changed(CLAIM, reviews=[{"by": "A", "date": "2024-05-01"}]),
    ),
    "unquoted date": ("sources", changed(SOURCE, published=yaml.safe_load("2017-01-01"))),
    "year as number": ("sources", changed(SOURCE, published=2017)),
    "date in words": ("sources", changed(SOURCE, published="May 2017")),
    "archive hash too short": (
        "sources",
        changed(SOURCE, archive={"path": "x.txt", "sha256": "abc"}),
    ),
    "unknown perspective": ("sources", changed(SOURCE, perspective="neutral")),
}


@pytest.mark.parametrize("kind", ["claims", "sources"])
def test_the_unchanged_records_pass_both(kind: str) -> None:
    data = CLAIM if kind == "claims" else SOURCE

    RECORD_TYPES[kind].model_validate(data)
    assert errors(kind, data) == []


@pytest.mark.parametrize(("kind", "data"), MISTAKES.values(), ids=MISTAKES.keys())
def test_the_schema_and_the_model_refuse_the_same_mistakes(kind: str, data: dict) -> None:
    with pytest.raises(ValidationError):
        RECORD_TYPES[kind].model_validate(data)
    assert errors(kind, data) != []


def test_a_relation_of_one_kind_passes_both() -> None:
    data = changed(CLAIM, relations=[{"responds-to": "a", "note": "n"}, {"repeats": "b"}])

    RECORD_TYPES["claims"].model_validate(data)
    assert errors("claims", data) == []
