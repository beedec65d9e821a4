"""The controlled vocabularies of the records, with no dependency: the command line offers
them as choices without importing the schema's validation machinery."""

from __future__ import annotations

from enum import StrEnum


class SourceKind(StrEnum):
    memo = "memo"
    report = "report"
    government_statement = "government-statement"
    court_ruling = "court-ruling"
    news = "news"
    letter = "letter"
    law = "law"
    web_page = "web-page"
    other = "other"


class Perspective(StrEnum):
    government = "government"
    civil_society = "civil-society"
    intergovernmental = "intergovernmental"
    court = "court"
    media = "media"
    legislature = "legislature"
    academic = "academic"


class Force(StrEnum):
    condition = "condition"
    expectation = "expectation"


class CaseKind(StrEnum):
    incident = "incident"
    pattern = "pattern"
    law = "law"
    policy = "policy"
    proceeding = "proceeding"
    other = "other"


class ClaimKind(StrEnum):
    fact = "fact"
    figure = "figure"
    allegation = "allegation"
    assessment = "assessment"
    commitment = "commitment"
    official_act = "official-act"
    legal_finding = "legal-finding"


class Stance(StrEnum):
    supports = "supports"
    undermines = "undermines"
    context = "context"


class Qualifier(StrEnum):
    exactly = "exactly"
    about = "about"
    at_least = "at-least"
    more_than = "more-than"
    at_most = "at-most"
    fewer_than = "fewer-than"

    @property
    def words(self) -> str:
        """The qualifier as people write it before a number ("more than"; "" for exactly):
        the token is for files and queries, the words for everything a person reads."""
        return "" if self is Qualifier.exactly else self.value.replace("-", " ")


def qualified(value: float, qualifier: Qualifier | str = Qualifier.exactly) -> str:
    """A figure's number in words, as every report prints it: "more than 12,000", "at least
    15", "300". The one place a qualifier and a number are joined."""
    words = Qualifier(qualifier).words
    number = f"{value:,}"
    return f"{words} {number}" if words else number


class RelationKind(StrEnum):
    contradicts = "contradicts"
    corroborates = "corroborates"
    responds_to = "responds-to"
    repeats = "repeats"


class GapKind(StrEnum):
    """Kinds of evidence gap, in the order reports list them."""

    no_evidence = "no-evidence"
    obligor_only = "obligor-only"
    case_without_claims = "case-without-claims"
    one_sided_case = "one-sided-case"
    unpaired_claim = "unpaired-claim"
    undated_claim = "undated-claim"
