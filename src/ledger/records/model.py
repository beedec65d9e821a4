"""The record schema: what a source, requirement, case, claim and assertion may contain.

Field order here is the canonical key order of a record file. Every model forbids unknown
fields, and text fields are strict strings so that YAML's guesses (``no`` read as false,
``2017`` read as a number) are reported instead of silently converted.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    TypeAdapter,
    model_validator,
)

from ledger.analysis.status_report import Status
from ledger.records.kinds import KINDS
from ledger.records.vocabulary import (
    CaseKind,
    ClaimKind,
    Force,
    Perspective,
    Qualifier,
    RelationKind,
    SourceKind,
    Stance,
)
from ledger.safe_text import SHOWS_NOTHING

__all__ = [
    "RECORD_TYPES", "Archive", "Assertion", "Case", "CaseKind", "Claim", "ClaimKind", "Figure",
    "Force", "Perspective", "Qualifier", "Record", "Relation", "RelationKind", "Requirement",
    "Review", "Source", "SourceKind", "Stance", "Status",
]  # fmt: skip

ID_PATTERN = r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def check_iso_date(value: str) -> str:
    """Accept ISO 8601 dates at year, month or day precision, and nothing else."""
    match = _DATE_RE.match(value)
    if not match:
        raise ValueError("expected an ISO date: YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"not a real date: {exc}") from None
    return value


Id = Annotated[StrictStr, Field(pattern=ID_PATTERN, max_length=120)]
NOT_BLANK = f"[^{SHOWS_NOTHING}]"
"""What every text field must hold somewhere: a character that shows (a value of only
spaces, or of characters that show nothing, says nothing)."""
Text = Annotated[StrictStr, Field(min_length=1, pattern=NOT_BLANK)]
GroundKey = Annotated[
    StrictStr,
    Field(pattern=r"^(?:source|archive|requirement|claim)/" + ID_PATTERN[1:], max_length=140),
]
"""A review's ground: its kind and id (``archive/cso-memo-2017``)."""
IsoDate = Annotated[
    StrictStr, Field(pattern=r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$"), AfterValidator(check_iso_date)
]


class Record(BaseModel):
    """Shared configuration: unknown fields are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Archive(Record):
    path: Text
    sha256: Annotated[StrictStr, Field(pattern=SHA256_PATTERN)]


class Source(Record):
    id: Id
    title: Text
    authors: list[Text] = Field(default_factory=list)
    published: IsoDate
    kind: SourceKind
    perspective: Perspective
    # The party the source speaks for ("Government of Mexico"): a source whose speaks_for is
    # a requirement's obligor, exactly, is the obligor's own on that requirement.
    speaks_for: Text | None = None
    language: Annotated[StrictStr, Field(pattern=r"^[a-z]{2,3}(?:-[A-Za-z0-9]+)*$")]
    url: Text | None = None
    archive: Archive
    notes: Text | None = None


class Requirement(Record):
    id: Id
    title: Text
    text: Text
    force: Force
    obligor: Text
    instrument: Text
    fiscal_year: StrictInt
    source: Id
    locator: Text
    cases: list[Id] = Field(default_factory=list)
    notes: Text | None = None


class Case(Record):
    id: Id
    title: Text
    kind: CaseKind
    aliases: list[Text] = Field(default_factory=list)
    date: IsoDate | None = None
    place: Text | None = None
    summary: Text
    requirements: list[Id] = Field(default_factory=list)
    notes: Text | None = None


class Figure(Record):
    value: StrictInt | StrictFloat
    unit: Text
    qualifier: Qualifier = Qualifier.exactly
    note: Text | None = None


class Relation(Record):
    """One link from a claim to another: exactly one of the kinds names the other claim."""

    contradicts: Id | None = None
    corroborates: Id | None = None
    responds_to: Id | None = Field(default=None, alias="responds-to")
    repeats: Id | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> Relation:
        if len(self.links()) != 1:
            kinds = ", ".join(k.value for k in RelationKind)
            raise ValueError(f"a relation names exactly one of: {kinds}")
        return self

    def links(self) -> list[tuple[RelationKind, str]]:
        """The (kind, claim id) pairs set on this relation."""
        pairs = [
            (RelationKind.contradicts, self.contradicts),
            (RelationKind.corroborates, self.corroborates),
            (RelationKind.responds_to, self.responds_to),
            (RelationKind.repeats, self.repeats),
        ]
        return [(kind, target) for kind, target in pairs if target is not None]

    @property
    def kind(self) -> RelationKind:
        return self.links()[0][0]

    @property
    def target(self) -> str:
        return self.links()[0][1]


class Review(Record):
    """Who checked a claim against its source, when, and the content they saw.

    ``fingerprint`` is the SHA-256 of the claim's values (not its formatting), so a review
    goes stale when the claim's content changes, and never merely because it was reformatted.
    ``grounds`` holds the fingerprint of each record and text the claim rests on, as
    ``kind/id: sha256`` (see ledger.analysis.grounds): when one changes, the claim is suspect.
    Stamps made before grounds were recorded have none, and cannot judge them.
    """

    by: Text
    date: IsoDate
    fingerprint: Annotated[StrictStr, Field(pattern=SHA256_PATTERN)]
    grounds: dict[GroundKey, Annotated[StrictStr, Field(pattern=SHA256_PATTERN)]] | None = None


class Claim(Record):
    id: Id
    source: Id
    locator: Text
    quote: Text
    statement: Text
    kind: ClaimKind
    cases: list[Id] = Field(default_factory=list)
    bears_on: dict[Id, Stance] = Field(default_factory=dict)
    attributed_to: Text | None = None
    as_of: IsoDate | None = None
    figures: list[Figure] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    notes: Text | None = None
    reviews: list[Review] = Field(default_factory=list)

    @property
    def dated(self) -> bool:
        """Whether it has an ``as_of`` date (read, as of a claim's counted facts, by a
        report's gaps: records/ledger.py's ``Counted``)."""
        return self.as_of is not None

    @property
    def figured(self) -> bool:
        """Whether it gives figures (as ``Counted.figured``)."""
        return bool(self.figures)


class Assertion(Record):
    """A maintainer's statement that a requirement (or one case on it) has a status as of a
    date, so that `validate` fails when a change to the data flips that status without the
    assertion being updated (as a beancount ``balance`` guards an account).

    ``case`` narrows it to the case's own status on the requirement (the per-case verdict of
    ``ledger status CASE``): a case has a status on each requirement, not one of its own.
    """

    id: Id
    requirement: Id
    case: Id | None = None
    status: Status
    as_of: IsoDate
    asserted_by: Text
    date: IsoDate
    reason: Text
    notes: Text | None = None


RECORD_TYPES: dict[str, type[Record]] = {k.folder: globals()[k.model_name] for k in KINDS}
"""Each data sub-folder and the record type its YAML files hold."""


def records_data(records: Iterable[Record], **options: Any) -> list[dict[str, Any]]:
    """Records as plain data (``model_dump(mode="json", **options)`` each), dumped a run of
    one kind at a time in one call: for 100,000 claims about half the time of a call each."""
    data: list[dict[str, Any]] = []
    for kind, run in itertools.groupby(records, key=type):
        data += _adapter(kind).dump_python(list(run), mode="json", **options)
    return data


@functools.cache
def _adapter(kind: type[Record]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[kind])  # type: ignore[valid-type]
