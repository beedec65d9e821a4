"""The claims as W3C Web Annotations (JSON-LD), each targeting its quote in the archived text.

One annotation per claim whose quote stands in its source's archived text, as the checks
placed it (``ledger.positions``, see :class:`ledger.analysis.quotes.Position`), in one
``AnnotationPage`` (docs/export.md says why that container, and every choice below):

* ``id``: ``urn:ledger:claim:<claim id>``, as stable and unique as claim ids are;
* ``target``: the source's URL (a web address only, characters an IRI may not hold
  percent-encoded), with a ``TimeState`` whose ``cached`` copy is the archive,
  named by its content IRI (``ni:///sha-256;...``, RFC 6920: the SHA-256 the source pins);
  without a URL, that IRI is the source itself; and two selectors over the archived text
  as stored: a ``TextQuoteSelector`` (the exact text, :data:`CONTEXT_CHARS` characters of
  prefix and suffix) and a ``TextPositionSelector`` (code point offsets);
* ``body``: the statement (purpose ``describing``), one ``classifying`` body a requirement
  the claim bears on (``"<stance> <requirement id>"``), and a ``linking`` body a case.

Nothing is guessed: the ``creator`` is the ledger's keepers as ledger.toml names them
(``[about] by``; none when it does not), the ``generator`` is ledger, and there are no dates
(the records say when a claim was reviewed, not written; and the same ledger gives the same
bytes). A claim whose quote has no place in a text as stored
is left out, with the reason, for the command line to say.
"""

from __future__ import annotations

import base64
import unicodedata
from dataclasses import dataclass
from typing import Any

from ledger.records.ledger import Ledger
from ledger.records.model import Claim
from ledger.safe_text import as_uri, dumps, web_url

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
"""The Web Annotation JSON-LD context every export names."""

CONTEXT_CHARS = 32
"""Characters of the archived text kept before and after a quote (prefix and suffix)."""

PAGE_ID = "urn:ledger:annotations"
COLLECTION_ID = "urn:ledger:claims"


@dataclass(frozen=True)
class LeftOut:
    """A claim with no annotation, and why."""

    claim: str
    reason: str


@dataclass(frozen=True)
class Annotations:
    """The annotation page as data, and the claims left out of it (in id order)."""

    page: dict[str, Any]
    left_out: tuple[LeftOut, ...]

    def text(self) -> str:
        """The page as JSON-LD text: the same ledger gives the same bytes."""
        return dumps(self.page) + "\n"


def claim_iri(claim_id: str) -> str:
    return f"urn:ledger:claim:{claim_id}"


def case_iri(case_id: str) -> str:
    return f"urn:ledger:case:{case_id}"


def archive_iri(sha256: str) -> str:
    """The archive's content IRI (RFC 6920 ``ni``): its SHA-256, base64url without padding."""
    digest = base64.urlsafe_b64encode(bytes.fromhex(sha256)).decode("ascii").rstrip("=")
    return f"ni:///sha-256;{digest}"


def annotations(ledger: Ledger, keepers: str | None = None) -> Annotations:
    """Every claim of a checked ledger (its positions placed) as a Web Annotation, in id
    order; the claims without a place in an archived text as stored, left out. ``keepers``
    (``[about] by`` of ledger.toml: who keeps the ledger) is each annotation's creator."""
    made: dict[str, Any] = {"creator": {"name": keepers}} if keepers else {}
    made["generator"] = {"type": "Software", "name": "ledger"}
    items: list[dict[str, Any]] = []
    left_out: list[LeftOut] = []
    unnormalized = {  # each text checked once, not once a claim quoting it
        sid
        for sid, text in ledger.source_texts.items()
        if not unicodedata.is_normalized("NFC", text)
    }
    for claim in ledger.claims.values():
        found = _annotation(ledger, claim, made, unnormalized)
        if isinstance(found, str):
            left_out.append(LeftOut(claim.id, found))
        else:
            items.append(found)
    page = {
        "@context": CONTEXT,
        "id": PAGE_ID,
        "type": "AnnotationPage",
        "partOf": {
            "id": COLLECTION_ID,
            "type": "AnnotationCollection",
            "label": "The ledger's claims, each on its quote in the archived source",
            "total": len(items),
        },
        "startIndex": 0,
        "items": items,
    }
    return Annotations(page, tuple(left_out))


def _annotation(
    ledger: Ledger, claim: Claim, made: dict[str, Any], unnormalized: set[str]
) -> dict[str, Any] | str:
    """The claim's annotation, or why it has none (``unnormalized``: the sources whose
    archived text is not in Unicode NFC)."""
    source = ledger.sources.get(claim.source)
    if source is None:
        return f"its source {claim.source} is not in the ledger"
    text = ledger.source_texts.get(source.id)
    if text is None:
        return f"the archived text of {source.id} cannot be read or does not match its SHA-256"
    position = (ledger.positions or {}).get(claim.id)
    if position is None:
        return f"its quote is not found in the archived text of {source.id}"
    if source.id in unnormalized:
        return (
            f"the archived text of {source.id} is not in Unicode NFC, and quotes are placed "
            "in its NFC form: the offsets would not count in the text as stored"
        )
    start, end = position.start, position.end
    exact = text[start:end]
    archive = archive_iri(source.archive.sha256)
    url = web_url(source.url)
    target: dict[str, Any] = {"type": "SpecificResource", "source": as_uri(url) if url else archive}
    if url:
        target["state"] = {"type": "TimeState", "cached": archive}
    target["selector"] = [
        {
            "type": "TextQuoteSelector",
            "exact": exact,
            "prefix": text[max(0, start - CONTEXT_CHARS) : start],
            "suffix": text[end : end + CONTEXT_CHARS],
        },
        {"type": "TextPositionSelector", "start": start, "end": end},
    ]
    body: list[dict[str, Any]] = [
        {
            "type": "TextualBody",
            "purpose": "describing",
            "format": "text/plain",
            "value": claim.statement,
        }
    ]
    body += [
        {"type": "TextualBody", "purpose": "classifying", "value": f"{stance} {requirement}"}
        for requirement, stance in claim.bears_on.items()
    ]
    body += [
        {"type": "SpecificResource", "purpose": "linking", "source": case_iri(case)}
        for case in claim.cases
    ]
    return {
        "id": claim_iri(claim.id),
        "type": "Annotation",
        "motivation": "describing",
        **made,
        "body": body,
        "target": target,
    }
