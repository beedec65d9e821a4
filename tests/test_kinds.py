"""The declaration of record kinds: true to the models, and cheap to import."""

from __future__ import annotations

import subprocess
import sys
import typing

import pytest

from builders import make_claim, make_requirement
from ledger.records import kinds
from ledger.records.ledger import Ledger
from ledger.records.model import ID_PATTERN, RECORD_TYPES


def test_every_kind_names_its_model_and_the_folders_are_the_ledgers_tables() -> None:
    assert {k.folder: k.model() for k in kinds.KINDS} == RECORD_TYPES
    assert tuple(Ledger().tables()) == kinds.FOLDERS
    assert all(k.model().__name__ == k.model_name for k in kinds.KINDS)


@pytest.mark.parametrize("kind", kinds.KINDS, ids=kinds.FOLDERS)
def test_declared_fields_are_fields_of_the_model(kind: kinds.Kind) -> None:
    fields = kind.model().model_fields
    for ref in kind.refs:
        assert ref.field in fields and ref.to in kinds.BY_FOLDER
        assert ref.detail is None or ref.detail in fields
    for name in kind.unique_lists:
        assert typing.get_origin(fields[name].annotation) is list


def test_every_field_holding_ids_is_declared_as_a_reference() -> None:
    """A field whose values take the id pattern (``id`` itself aside) names other records, as
    do a claim's relations (each names a claim)."""
    for kind in kinds.KINDS:
        fields = kind.model().model_fields
        named = {n for n, info in fields.items() if n != "id" and ID_PATTERN in repr(info)}
        assert named | ({"relations"} & set(fields)) == {r.field for r in kind.refs}, kind.folder


def test_references_come_in_field_order_with_their_paths() -> None:
    claim = make_claim(
        "c-1",
        "src",
        cases=["k-1"],
        bears_on={"r-1": "undermines"},
        relations=[{"contradicts": "c-2", "note": "n"}],
    )
    assert kinds.references(kinds.CLAIMS, claim) == [
        ("sources", "src", ("source",), False, "source", None),
        ("cases", "k-1", ("cases", 0), False, "case", None),
        ("requirements", "r-1", ("bears_on", "r-1"), True, "bears-on", "undermines"),
        ("claims", "c-2", ("relations", 0, "contradicts"), False, "contradicts", "n"),
    ]
    requirement = make_requirement("r-1", source="src", cases=["k-1"])
    assert kinds.references(kinds.REQUIREMENTS, requirement)[0] == (
        "sources",
        "src",
        ("source",),
        False,
        "source",
        requirement.locator,
    )


def test_singular_and_plural_spellings() -> None:
    assert kinds.folder_of("claim") == kinds.folder_of("claims") == "claims"
    with pytest.raises(ValueError, match="expected one of source, requirement, case, claim"):
        kinds.folder_of("claimz")


def test_importing_the_declaration_imports_no_schema_and_no_terminal_library() -> None:
    code = (
        "import sys, ledger.records.kinds; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pydantic', 'typer', 'rich', 'yaml', 'click')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_names_any_finds_what_references_find() -> None:
    """The cheap question (does this record name any of these ids?) answers as the full walk
    of its references does, on every record of the repository's data."""
    from pathlib import Path

    from conftest import layout_for
    from ledger.records.load import load

    ledger = load(layout_for(Path(__file__).resolve().parents[1]), check=False).ledger
    every_id = sorted(ledger.paths)
    probes = [{i} for i in every_id[::7]] + [{"no-such-id"}, set(every_id[:40]), set()]
    for kind in kinds.KINDS:
        for record in ledger.tables()[kind.folder].values():
            named = {ref[1] for ref in kinds.references(kind, record)}
            for ids in probes:
                assert kinds.names_any(kind, record, ids) == bool(named & ids), (record.id, ids)
