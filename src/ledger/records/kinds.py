"""The record kinds, each declared once: its folder, its singular, its model, its JSON
Schema file and the fields that name records of other kinds.

Every list of kinds, every singular or plural, and every walk over a record's references
(the reference checks, the cross-references) comes from :data:`KINDS`, so a kind or a
reference is added in one place. The file walk (:mod:`ledger.records.scan`) and the command line's
help import this module, so it imports nothing but the standard library: the model is named
by its class, and :meth:`Kind.model` imports the schema only when asked; the declarations
are named tuples, which cost a tenth of what dataclasses do to define.
"""

from __future__ import annotations

from collections.abc import Set
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from ledger.records.model import Record

Shape = Literal["id", "ids", "keys", "relations"]
"""How a field names its targets: one id; a list of ids; a map keyed by ids (its values
are stances); a list of relations, each naming its own kind and target."""


class Ref(NamedTuple):
    """A field whose values are ids of records of the kind ``to`` (a folder name)."""

    field: str
    to: str
    shape: Shape
    role: str = ""
    """What cross-references call the link; a relation's own kind when empty."""
    detail: str | None = None
    """For a single id: the field whose value cross-references show with the link."""


class Kind(NamedTuple):
    """One record kind, as the data folder, the schema and the command line name it."""

    folder: str
    singular: str
    model_name: str
    """The class in :mod:`ledger.records.model` (by name, so declaring it imports no pydantic)."""
    refs: tuple[Ref, ...] = ()
    """The fields that name other records, in field order."""
    unique_lists: tuple[str, ...] = ()
    """The lists in which an entry may appear once (``reviews`` is a log, so not one)."""
    has_status: bool = False
    """Whether `ledger status` derives a status for a record of this kind."""

    @property
    def schema_file(self) -> str:
        """The file name of this kind's JSON Schema under schema/."""
        return f"{self.singular}.schema.json"

    def model(self) -> type[Record]:
        """The pydantic model of this kind's records (imports the schema)."""
        from ledger.records import model

        return getattr(model, self.model_name)  # type: ignore[no-any-return]


SOURCES = Kind("sources", "source", "Source", unique_lists=("authors",))
REQUIREMENTS = Kind(
    "requirements",
    "requirement",
    "Requirement",
    refs=(
        Ref("source", "sources", "id", "source", detail="locator"),
        Ref("cases", "cases", "ids", "case"),
    ),
    unique_lists=("cases",),
    has_status=True,
)
CASES = Kind(
    "cases",
    "case",
    "Case",
    refs=(Ref("requirements", "requirements", "ids", "requirement"),),
    unique_lists=("aliases", "requirements"),
    has_status=True,
)
CLAIMS = Kind(
    "claims",
    "claim",
    "Claim",
    refs=(
        Ref("source", "sources", "id", "source"),
        Ref("cases", "cases", "ids", "case"),
        Ref("bears_on", "requirements", "keys", "bears-on"),
        Ref("relations", "claims", "relations"),
    ),
    unique_lists=("cases", "figures", "relations"),
)

ASSERTIONS = Kind(
    "assertions",
    "assertion",
    "Assertion",
    refs=(
        Ref("requirement", "requirements", "id", "asserts-status-of"),
        Ref("case", "cases", "id", "asserts-status-of"),
    ),
)
"""A maintainer's statement of a status as of a date, which `validate` holds the data to."""

KINDS: tuple[Kind, ...] = (SOURCES, REQUIREMENTS, CASES, CLAIMS, ASSERTIONS)
"""Every record kind, in schema order (the order of the data folders, tables and exports)."""

FOLDERS: tuple[str, ...] = tuple(k.folder for k in KINDS)
"""The record folders under data/, one per kind, in schema order."""

BY_FOLDER: dict[str, Kind] = {k.folder: k for k in KINDS}
SINGULAR: dict[str, str] = {k.folder: k.singular for k in KINDS}
"""Each folder name and its singular ("claims" → "claim")."""
PLURAL: dict[str, str] = {k.singular: k.folder for k in KINDS}
"""Each singular and its folder name ("claim" → "claims")."""

STATUS_KINDS: tuple[str, ...] = tuple(k.folder for k in KINDS if k.has_status)
"""The kinds `ledger status` answers for, by folder name."""


def folder_of(kind: str) -> str:
    """The folder name for a kind typed singular or plural; ValueError for anything else."""
    name = PLURAL.get(kind, kind)
    if name not in BY_FOLDER:
        raise ValueError(f"unknown kind {kind!r}: expected one of {', '.join(PLURAL)}")
    return name


Reference = tuple[str, str, tuple[str | int, ...], bool, str, str | None]
"""One id a record names: (the kind it should be, the id, the field path where it stands,
whether it is a map's key, and how cross-references show it: role, detail). A plain tuple:
a large ledger has a million of them, walked on every validation."""


def references(kind: Kind, record: Any) -> list[Reference]:
    """Every id ``record`` (of ``kind``) names, in field order."""
    found: list[Reference] = []
    add = found.append
    for field, to, shape, role, detail in kind.refs:
        value = getattr(record, field)
        if shape == "ids":
            for i, target in enumerate(value):
                add((to, target, (field, i), False, role, None))
        elif shape == "id":
            if value is None:  # an optional reference left out
                continue
            add((to, value, (field,), False, role, getattr(record, detail) if detail else None))
        elif shape == "keys":
            for key, stance in value.items():
                add((to, key, (field, key), True, role, stance.value))
        else:
            for i, relation in enumerate(value):
                name = relation.kind.value
                add((to, relation.target, (field, i, name), False, name, relation.note))
    return found


def names_any(kind: Kind, record: Any, ids: Set[str]) -> bool:
    """Whether ``record`` (of ``kind``) names any of ``ids``: what :func:`references` would
    find, asked without building a reference, so a pass over every record to find the few
    that name an id stays cheap."""
    for field, _to, shape, _role, _detail in kind.refs:
        value = getattr(record, field)
        if shape == "id":
            if value in ids:
                return True
        elif shape == "relations":
            for relation in value:  # a loop, not any(): most records have none or one
                if relation.target in ids:
                    return True
        elif not ids.isdisjoint(value):  # a list of ids, or a map keyed by ids
            return True
    return False
