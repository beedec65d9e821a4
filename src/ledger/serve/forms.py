"""Posted form values, checked as the terminal prompts check answers, then handed to the
writers in :mod:`ledger.authoring.new_records` and :mod:`ledger.analysis.review`.

Every check gives :class:`Problem` values (the form field, a message, a hint), never an
exception: ids must resolve (a unique prefix will do, as in the terminal), a quote must stand
in its source's archived text, text must be plain. What the writers refuse comes back the
same way, each diagnostic on the field it is about, so the form shows it where it was typed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.utils import secure_filename

from ledger.analysis.locate import locator_for_quote
from ledger.analysis.xref import resolve
from ledger.authoring.new_records import (
    Refused,
    Written,
    claim_path,
    claim_prefix,
    conversion_note,
    create,
    generate_id,
    id_problem,
    parse_relation,
    parse_stance,
    split_list,
    unique,
    verify_quote,
)
from ledger.authoring.text_extract import Extracted, ExtractError, extract
from ledger.authoring.workspace import Workspace
from ledger.records.model import check_iso_date
from ledger.records.vocabulary import ClaimKind, Perspective, RelationKind, SourceKind, Stance
from ledger.safe_text import has_hidden

STANCES = tuple(s.value for s in Stance)
KINDS = tuple(k.value for k in ClaimKind)
RELATIONS = tuple(k.value for k in RelationKind)


@dataclass(frozen=True)
class Problem:
    """Why a value cannot be used: the form field it is about ("" for the whole form), what
    is wrong, and what to do."""

    field: str
    message: str
    hint: str = ""


@dataclass
class Posted:
    """A form's values: one per name, several for a list (checkboxes)."""

    values: Mapping[str, str]
    lists: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def all(self, name: str) -> list[str]:
        return list(self.lists.get(name, ()))


def plain(posted: Posted, name: str, problems: list[Problem], *, required: bool = False) -> str:
    """A one-line text value, spaces folded; a problem when it holds hidden characters (or is
    missing and ``required``)."""
    raw = posted.get(name)
    if has_hidden(raw.replace("\r\n", "\n").replace("\n", " ")):
        problems.append(
            Problem(name, "the text holds control or invisible characters", "type it plainly")
        )
        return ""
    value = " ".join(raw.split())
    if required and not value:
        problems.append(Problem(name, "this is needed"))
    return value


def resolved(ws: Workspace, typed: str, kind: str, name: str, problems: list[Problem]) -> str:
    """A typed id of one kind, resolved as the terminal does (exact, then a unique prefix)."""
    found = resolve(ws.ledger, typed, (kind,))
    if found.id is None:
        problems.append(Problem(name, found.message, "pick one of the ids the ledger has"))
        return ""
    return found.id


def cases_and_stances(
    ws: Workspace, posted: Posted, problems: list[Problem]
) -> tuple[list[str], dict[str, str]]:
    """The checked cases (``case``) and each requirement's stance (``stance-<id>``)."""
    cases = unique(resolved(ws, c, "cases", "case", problems) for c in posted.all("case") if c)
    stances: dict[str, str] = {}
    for req in ws.ledger.requirements:
        stance = posted.get(f"stance-{req}")
        if not stance:
            continue
        pair = parse_stance(f"{req}={stance}")
        if isinstance(pair, str):
            problems.append(Problem(f"stance-{req}", pair))
            continue
        stances[req] = pair[1]
    return [c for c in cases if c], stances


def relations(ws: Workspace, posted: Posted, problems: list[Problem]) -> list[dict[str, str]]:
    """``KIND=CLAIM, ...`` as relations, each claim resolved (the terminal's syntax)."""
    out: list[dict[str, str]] = []
    for piece in split_list(plain(posted, "relations", problems)):
        pair = parse_relation(piece)
        if isinstance(pair, str):
            problems.append(Problem("relations", pair, "write KIND=CLAIM, comma-separated"))
            continue
        target = resolved(ws, pair[1], "claims", "relations", problems)
        if target and {pair[0]: target} not in out:
            out.append({pair[0]: target})
    return out


def quote_problem(ws: Workspace, source_id: str, quote: str) -> Problem | None:
    """Why a quote does not stand in its source, with the hint the terminal gives."""
    match = verify_quote(ws, source_id, quote)
    if isinstance(match, str):
        return Problem("quote", match)
    if match.found:
        return None
    if match.closest and not match.out_of_order:
        hint = f"the closest passage is: \u201c{match.closest}\u201d"
    elif match.out_of_order:
        hint = "put the parts separated by '...' in the order of the source"
    else:
        hint = "select the words in the archived text, or copy them exactly"
    return Problem(
        "quote", f"the quote is not found in {source_id}: \u201c{match.missing}\u201d", hint
    )


def derived_locator(text: str | None, quote: str, near: int | None) -> str:
    """Where a quote stands in a source's text, as `ledger new claim` names it ("" when it
    cannot be told); ``near`` the offset of the selection it came from."""
    return (locator_for_quote(text, quote, near) or "") if text and quote else ""


def offset(posted: Posted) -> int | None:
    """The selection's offset in the archived text, when the form was opened from one."""
    at = posted.get("at")
    return int(at) if at.isdigit() and len(at) < 12 else None


def claim_values(ws: Workspace, posted: Posted) -> tuple[dict[str, Any], list[Problem]]:
    """A new claim's values from the form, as `ledger new claim` builds them, and the
    problems found (none: the values go to :func:`save_claim`)."""
    problems: list[Problem] = []
    source_id = posted.get("source")
    if source_id not in ws.ledger.sources:
        problems.append(Problem("source", f"no source has the id '{source_id}'"))
        return {}, problems
    quote = plain(posted, "quote", problems, required=True)
    if quote and (wrong := quote_problem(ws, source_id, quote)):
        problems.append(wrong)
    locator = plain(posted, "locator", problems) or (
        derived_locator(ws.source_text(source_id), quote, offset(posted))
    )
    if quote and not locator:
        problems.append(Problem("locator", "this is needed", "heading and paragraph"))
    statement = plain(posted, "statement", problems, required=True)
    kind = posted.get("kind")
    if kind not in KINDS:
        problems.append(Problem("kind", f"choose one of: {', '.join(KINDS)}"))
    cases, stances = cases_and_stances(ws, posted, problems)
    if not cases and not stances:
        problems.append(
            Problem("case", "a claim needs a case or a requirement", "tick a case, or a stance")
        )
    links = relations(ws, posted, problems)
    as_of = plain(posted, "as_of", problems)
    if as_of:
        try:
            check_iso_date(as_of)
        except ValueError as exc:
            problems.append(Problem("as_of", str(exc), "YYYY, YYYY-MM or YYYY-MM-DD"))
    record_id = plain(posted, "id", problems)
    if record_id and (wrong_id := id_problem(record_id, ws.taken)):
        problems.append(Problem("id", wrong_id, "leave it empty to generate one"))
    values = {
        "id": record_id,
        "source": source_id,
        "locator": locator,
        "quote": quote,
        "statement": statement,
        "kind": kind,
        "cases": cases,
        "bears_on": stances,
        "attributed_to": plain(posted, "attributed_to", problems),
        "as_of": as_of,
        "relations": links,
        "notes": plain(posted, "notes", problems),
    }
    return values, problems


def save_claim(ws: Workspace, values: dict[str, Any]) -> Written | Refused | Any:
    """Write a new claim as `ledger new claim` does: the id generated when not given, the
    file beside the source's other claims, the ledger checked before it is created."""
    if not values["id"]:
        values = {
            **values,
            "id": generate_id(
                values["statement"] or "claim",
                ws.taken,
                prefix=claim_prefix(ws, values["source"]),
                statement=True,
            ),
        }
    return create(ws, "claims", values, claim_path(ws, values["source"], values["id"]))


def refusal_problems(refused: Refused) -> list[Problem]:
    """A writer's refusal as problems, each diagnostic on the field it is about."""
    if not refused.diagnostics:
        return [Problem("", refused.message, refused.hint)]
    return [Problem(_field_name(d.field), d.message, d.hint) for d in refused.diagnostics]


def _field_name(path: str) -> str:
    """A record's field path (``bears_on.requirement-3``) as the form field showing it."""
    head, _, rest = path.partition(".")
    if head == "bears_on" and rest:
        return f"stance-{rest}"
    if head.startswith("cases"):
        return "case"
    return head.split("[", 1)[0]


SOURCE_KINDS = tuple(k.value for k in SourceKind)
PERSPECTIVES = tuple(p.value for p in Perspective)
UPLOADS = (".txt", ".html", ".htm", ".pdf")
"""The endings an uploaded document is read by (any other is read by its first bytes)."""


def extracted_upload(name: str, data: bytes) -> tuple[Extracted | None, str, list[Problem]]:
    """An uploaded document's archivable text, as `ledger new source FILE` makes it (plain
    text as is, HTML without its markup, PDF through pdftotext), and the file's safe name
    (for the source's notes). The upload is written to a private temporary folder under a
    name of the app's choosing: nothing the client names is a path."""
    safe = secure_filename(name) or "document"
    suffix = Path(safe).suffix.lower()
    if not data:
        return None, safe, [Problem("file", "choose a file to archive")]
    with tempfile.TemporaryDirectory(prefix="ledger-upload-") as folder:
        path = Path(folder) / f"upload{suffix if suffix in UPLOADS else ''}"
        path.write_bytes(data)
        found = extract(path)
    if isinstance(found, ExtractError):
        message = found.message.replace(str(path), safe)
        return None, safe, [Problem("file", message, found.hint)]
    return found, safe, []


def source_values(
    ws: Workspace, posted: Posted, extracted: Extracted, name: str
) -> tuple[dict[str, Any], list[Problem]]:
    """A new source's values from the form, as `ledger new source` builds them."""
    problems: list[Problem] = []
    title = plain(posted, "title", problems) or (extracted.title or "")
    if not title:
        problems.append(Problem("title", "this is needed", "the document's own title"))
    published = plain(posted, "published", problems, required=True)
    if published:
        try:
            check_iso_date(published)
        except ValueError as exc:
            problems.append(Problem("published", str(exc), "YYYY, YYYY-MM or YYYY-MM-DD"))
    for key, choices in (("kind", SOURCE_KINDS), ("perspective", PERSPECTIVES)):
        if posted.get(key) not in choices:
            problems.append(Problem(key, f"choose one of: {', '.join(choices)}"))
    record_id = plain(posted, "id", problems)
    if record_id and (wrong := id_problem(record_id, ws.taken)):
        problems.append(Problem("id", wrong, "leave it empty to generate one"))
    note = conversion_note(extracted, Path(name))
    notes = " ".join(n for n in (plain(posted, "notes", problems), note) if n)
    values = {
        "id": record_id or generate_id(title or "source", ws.taken),
        "title": title,
        "authors": unique(split_list(plain(posted, "authors", problems), ";")),
        "published": published,
        "kind": posted.get("kind"),
        "perspective": posted.get("perspective"),
        "speaks_for": plain(posted, "speaks_for", problems),
        "language": plain(posted, "language", problems) or "en",
        "url": plain(posted, "url", problems),
        "notes": notes,
    }
    return values, problems
