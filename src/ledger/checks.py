"""Checks across records: references resolve, archives are intact, quotes are in their sources.

Each check yields diagnostics that carry a field path; the loader places them at a line.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterator, Set
from dataclasses import dataclass
from pathlib import Path

from ledger.diagnostics import Diagnostic, make
from ledger.files import MAX_ARCHIVE_BYTES, ReadFailure, decode, read_bytes
from ledger.ledger import Ledger
from ledger.model import Claim, Requirement, Source
from ledger.quotes import QuoteMemo, normalise
from ledger.review import stale_reviews
from ledger.root import Layout
from ledger.yamlread import Path as FieldPath
from ledger.yamlread import dotted

MAX_QUOTE_CHARS = 10_000
"""Longest quote (or requirement wording) checked against its source. Real quotes are a
sentence or a paragraph; the search for the closest passage, when one is not found, is
bounded by :data:`ledger.quotes.HINT_BUDGET` whatever the length of either."""

MAX_RECORDS = 200_000
"""Most record files a ledger may hold: twice the size the tool is measured at (design notes
§6). The loader checks the count after listing the files and before reading any of them."""

_KIND_NAMES = {
    "sources": "source",
    "requirements": "requirement",
    "cases": "case",
    "claims": "claim",
}


def check_ledger(
    ledger: Ledger,
    layout: Layout,
    *,
    unloaded: Set[str] = frozenset(),
    memo: QuoteMemo | None = None,
) -> list[Diagnostic]:
    """Every cross-record problem in the ledger.

    ``unloaded`` names records whose files exist but could not be loaded: a reference to one
    of them is not reported, since the broken file is (one mistake, one diagnostic).
    ``memo`` holds quote searches done before, so only new or edited quotes are searched.
    """
    found = list(_references(ledger, unloaded))
    found.extend(_claim_shape(ledger))
    archives = dict(_archives(ledger, layout, found))
    found.extend(_quotes(ledger, archives, memo if memo is not None else QuoteMemo()))
    found.extend(stale_reviews(ledger))
    return found


def too_many_records(count: int, layout: Layout) -> Diagnostic | None:
    """The diagnostic for a data folder holding more than MAX_RECORDS record files, if it does;
    a loader that gets one reads no record, so memory stays bounded."""
    if count <= MAX_RECORDS:
        return None
    return make(
        "too-many-records",
        layout.relative(layout.data),
        f"the data folder holds {count:,} record files; the limit is {MAX_RECORDS:,}",
        "check that this is the ledger you meant, or split it into several ledgers",
    )


def _problem(
    ledger: Ledger,
    record_id: str,
    code: str,
    message: str,
    hint: str,
    path: FieldPath,
    on_key: bool = False,
) -> Diagnostic:
    return make(
        code, ledger.paths[record_id], message, hint, field=dotted(path), anchor=(path, on_key)
    )


# -- references ---------------------------------------------------------------------------


def every_record_of(kind: str) -> str:
    """The entry of ``unloaded`` that stands for every record of a kind, for a record folder
    that could not be listed: its ids are unknown, so no reference into it is reported."""
    return f"*{kind}"


def _references(ledger: Ledger, unloaded: Set[str]) -> Iterator[Diagnostic]:
    """Every id a record names must be a record of the kind the field expects."""
    kinds = _kinds(ledger)
    for record_id, kind, target, path, on_key in _links(ledger):
        actual = kinds.get(target)
        if actual == kind or (
            actual is None and (target in unloaded or every_record_of(kind) in unloaded)
        ):
            continue
        wanted = _KIND_NAMES[kind]
        if actual is None:
            close = difflib.get_close_matches(target, list(ledger.tables()[kind]), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"no {wanted} has this id"
            message = f"no {wanted} has the id '{target}'"
        else:
            message = f"'{target}' is a {_KIND_NAMES[actual]}, not a {wanted}"
            hint = f"name a {wanted} here"
        yield _problem(ledger, record_id, "unresolved-reference", message, hint, path, on_key)


def _kinds(ledger: Ledger) -> dict[str, str]:
    """The kind of every record by id, as ``Ledger.kind_of`` gives it, in one dictionary: a
    lookup per link rather than one per table."""
    kinds: dict[str, str] = {}
    for kind, table in reversed(ledger.tables().items()):
        kinds.update(dict.fromkeys(table, kind))
    return kinds


def _links(ledger: Ledger) -> Iterator[tuple[str, str, str, FieldPath, bool]]:
    """(record id, kind of target, target id, field path, whether the id is a key)."""
    for req in ledger.requirements.values():
        yield req.id, "sources", req.source, ("source",), False
        for i, case_id in enumerate(req.cases):
            yield req.id, "cases", case_id, ("cases", i), False
    for case in ledger.cases.values():
        for i, req_id in enumerate(case.requirements):
            yield case.id, "requirements", req_id, ("requirements", i), False
    for claim in ledger.claims.values():
        yield claim.id, "sources", claim.source, ("source",), False
        for i, case_id in enumerate(claim.cases):
            yield claim.id, "cases", case_id, ("cases", i), False
        for req_id in claim.bears_on:
            yield claim.id, "requirements", req_id, ("bears_on", req_id), True
        for i, relation in enumerate(claim.relations):
            kind = relation.kind.value
            yield claim.id, "claims", relation.target, ("relations", i, kind), False


def _claim_shape(ledger: Ledger) -> Iterator[Diagnostic]:
    for claim in ledger.claims.values():
        if not claim.cases and not claim.bears_on:
            yield _problem(
                ledger,
                claim.id,
                "no-subject",
                "the claim names neither a requirement nor a case",
                "add `cases:` or `bears_on:` so the claim counts somewhere",
                ("id",),
            )
        for i, relation in enumerate(claim.relations):
            if relation.target == claim.id:
                yield _problem(
                    ledger,
                    claim.id,
                    "self-relation",
                    f"the claim {relation.kind.value} itself",
                    "point the relation at another claim",
                    ("relations", i, relation.kind.value),
                )


# -- archives and quotes ------------------------------------------------------------------


@dataclass
class _Archive:
    """A source's verified archived text; normalised only when a quote must be searched in it
    (normalising every archive costs more than all the rest of a re-check)."""

    text: str
    sha256: str
    _normalised: str | None = None

    def normalised(self) -> str:
        if self._normalised is None:
            self._normalised = normalise(self.text)
        return self._normalised


def _archives(
    ledger: Ledger, layout: Layout, found: list[Diagnostic]
) -> Iterator[tuple[str, _Archive]]:
    """Each source's archived text, when it is inside the data folder and intact."""
    for source in ledger.sources.values():
        archive = _archive_text(source, ledger, layout, found)
        if archive is not None:
            ledger.source_texts[source.id] = archive.text
            yield source.id, archive


def _archive_text(
    source: Source, ledger: Ledger, layout: Layout, found: list[Diagnostic]
) -> _Archive | None:
    def problem(code: str, message: str, hint: str, field: str = "path") -> None:
        found.append(_problem(ledger, source.id, code, message, hint, ("archive", field)))

    raw = source.archive.path
    record_dir = (layout.root / ledger.paths[source.id]).parent
    if Path(raw).is_absolute() or raw.startswith(("/", "\\")) or ".." in Path(raw).parts:
        problem(
            "archive-path",
            f"the archive path '{raw}' leaves the data folder",
            "give a path relative to the source record's folder, with no '..'",
        )
        return None
    target = record_dir / raw
    try:
        resolved = target.resolve(strict=False)
    except (OSError, RuntimeError):
        problem(
            "archive-path",
            f"the archive path '{raw}' cannot be resolved (a link loop?)",
            "point it at a plain file inside the data folder",
        )
        return None
    if layout.data.resolve() not in resolved.parents:
        problem(
            "archive-path",
            f"the archive path '{raw}' leads outside the data folder",
            "archive the text inside the data folder; links out of it are not followed",
        )
        return None
    data = read_bytes(resolved, MAX_ARCHIVE_BYTES)
    if isinstance(data, ReadFailure):
        problem(
            "archive-missing",
            f"the archived text '{raw}' cannot be read: {data.message}",
            "archive the source's text at this path, byte for byte",
        )
        return None
    digest = hashlib.sha256(data).hexdigest()
    if digest != source.archive.sha256:
        problem(
            "archive-hash",
            f"the archived text '{raw}' has SHA-256 {digest}, not the pinned one",
            "restore the archived text; if the change is intended, pin the new hash "
            "and re-check every quote",
            "sha256",
        )
        return None
    text = decode(data)
    if isinstance(text, tuple):
        problem(
            "archive-missing",
            f"the archived text '{raw}' is not UTF-8: {text[2]}",
            "archive the text as UTF-8",
        )
        return None
    return _Archive(text, digest)


def _quotes(ledger: Ledger, archives: dict[str, _Archive], memo: QuoteMemo) -> Iterator[Diagnostic]:
    """Claims' quotes and requirements' wording must stand in their source's text."""
    subjects: list[tuple[Claim | Requirement, str, str, str]] = [
        (claim, claim.quote, "quote", "quote-not-found") for claim in ledger.claims.values()
    ]
    subjects += [
        (req, req.text, "text", "wording-not-found") for req in ledger.requirements.values()
    ]
    for record, quote, field, code in subjects:
        what = "quote" if field == "quote" else "wording"
        if len(quote) > MAX_QUOTE_CHARS:
            yield _problem(
                ledger,
                record.id,
                "quote-too-long",
                f"the {what} has {len(quote):,} characters; the limit is {MAX_QUOTE_CHARS:,}",
                "quote only the words that make the claim; the locator points to the rest",
                (field,),
            )
            continue
        archive = archives.get(record.source)
        if archive is None:  # the source is missing or its archive is broken: reported there
            continue
        match = memo.find(quote, archive.sha256, archive.normalised)
        if match.found:
            continue
        if match.out_of_order:
            hint = (
                f"this part is in {record.source}, but before the part quoted ahead of it: "
                "put the parts separated by '...' in the order of the source"
            )
        elif match.closest:
            hint = f'the closest passage in {record.source} is: "{match.closest}"'
        elif match.out_of_budget:
            hint = (
                f"no close passage found in {record.source} within the search budget; copy "
                "the words exactly from the archived text"
            )
        else:
            hint = "copy the words exactly from the archived text"
        yield _problem(
            ledger,
            record.id,
            code,
            f"the {what} is not found in {record.source}"
            f'{" in the order given" if match.out_of_order else ""}: "{match.missing}"',
            hint,
            (field,),
        )
