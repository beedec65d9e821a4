"""`ledger export -f annotations`: every claim as a W3C Web Annotation whose selectors find
its quote again in the archived text as stored; stable ids, the same bytes twice, hostile
text kept as data, and the claims that cannot be placed listed, not crashed on.

The JSON-LD check (expansion by pyld against the Web Annotation context, no term dropped)
needs the context's file, which nothing here may fetch: it runs when
LEDGER_TEST_ANNO_CONTEXT names the file of a package that ships it, and is skipped
otherwise.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from conftest import SAMPLE, Sample, layout_for, run
from ledger.analysis.quotes import normalise, segments
from ledger.publish.annotations import CONTEXT, CONTEXT_CHARS, PAGE_ID, annotations, archive_iri
from ledger.records.load import load

REPO = Path(__file__).resolve().parents[1]


def export(root: Path, *args: str, env: dict[str, str | None] | None = None) -> Any:
    result = run(["--root", str(root), "export", "-f", "annotations", *args], env=env)
    assert result.exit_code == 0, result.output
    return result


def page(root: Path) -> dict[str, Any]:
    return json.loads(export(root).stdout)  # type: ignore[no-any-return]


def archives(root: Path) -> dict[str, str]:
    """Each archive's content IRI and its text as stored (decoded, nothing normalised)."""
    import yaml

    found = {}
    for record in (root / "data" / "sources").glob("*.yaml"):
        source = yaml.safe_load(record.read_text(encoding="utf-8"))
        data = (record.parent / source["archive"]["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == source["archive"]["sha256"]
        found[archive_iri(source["archive"]["sha256"])] = data.decode("utf-8")
    return found


def claim_files(root: Path) -> dict[str, dict[str, Any]]:
    import yaml

    found = {}
    for path in (root / "data" / "claims").rglob("*.yaml"):
        claim = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[claim["id"]] = claim
    return found


def archived(annotation: dict[str, Any]) -> str:
    """The content IRI of the archive an annotation's selectors count in."""
    target = annotation["target"]
    return target["state"]["cached"] if "state" in target else target["source"]


def assert_resolves(annotation: dict[str, Any], text: str, quote: str) -> None:
    """The selectors find the quote in the text as a client sees it: the exact text at the
    offsets, the prefix just before it and the suffix just after, each as long as the text
    allows; and the exact text is the quote (every segment of it, in order)."""
    quoted, position = annotation["target"]["selector"]
    assert quoted["type"] == "TextQuoteSelector"
    assert position["type"] == "TextPositionSelector"
    start, end = position["start"], position["end"]
    assert 0 <= start < end <= len(text)
    assert text[start:end] == quoted["exact"]
    assert quoted["prefix"] == text[max(0, start - CONTEXT_CHARS) : start]
    assert quoted["suffix"] == text[end : end + CONTEXT_CHARS]
    assert len(quoted["prefix"]) == min(CONTEXT_CHARS, start)
    assert len(quoted["suffix"]) == min(CONTEXT_CHARS, len(text) - end)
    pieces = segments(quote)
    exact = normalise(quoted["exact"])
    assert exact.startswith(pieces[0]) and exact.endswith(pieces[-1]), (exact, pieces)
    at = 0
    for piece in pieces:
        at = exact.index(piece, at) + len(piece)


@pytest.mark.parametrize("root", [SAMPLE, REPO], ids=["sample", "repository"])
def test_every_selector_finds_its_quote_in_the_archived_text(root: Path) -> None:
    data = page(root)
    texts, claims = archives(root), claim_files(root)
    items = data["items"]
    assert len(items) == len(claims) == data["partOf"]["total"]
    for annotation in items:
        claim = claims[annotation["id"].removeprefix("urn:ledger:claim:")]
        assert_resolves(annotation, texts[archived(annotation)], claim["quote"])


def test_the_sample_claims_as_annotations() -> None:
    """The shape docs/export.md describes, on one claim, whole."""
    data = page(SAMPLE)
    assert data["@context"] == CONTEXT
    assert (data["type"], data["id"], data["startIndex"]) == ("AnnotationPage", PAGE_ID, 0)
    assert data["partOf"]["type"] == "AnnotationCollection"
    ids = [a["id"] for a in data["items"]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) == 5
    one = next(a for a in data["items"] if a["id"].endswith(":cso-torture-complaints"))
    sha = "3748759865bcbdc0fab93b09c7b0d6ed4d5bfc71eafff4f5b9d201ba192368fa"
    iri = "ni:///sha-256;" + base64.urlsafe_b64encode(bytes.fromhex(sha)).decode().rstrip("=")
    assert one == {
        "id": "urn:ledger:claim:cso-torture-complaints",
        "type": "Annotation",
        "motivation": "describing",
        "generator": {"type": "Software", "name": "ledger"},
        "body": [
            {
                "type": "TextualBody",
                "purpose": "describing",
                "format": "text/plain",
                "value": "The memo says the PGR received more than 10,000 torture complaints "
                "in 2012-2016.",
            },
            {"type": "TextualBody", "purpose": "classifying", "value": "undermines requirement-2"},
            {
                "type": "SpecificResource",
                "purpose": "linking",
                "source": "urn:ledger:case:torture-prosecutions",
            },
        ],
        "target": {
            "type": "SpecificResource",
            "source": iri,
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": one["target"]["selector"][0]["exact"],
                    "prefix": one["target"]["selector"][0]["prefix"],
                    "suffix": one["target"]["selector"][0]["suffix"],
                },
                one["target"]["selector"][1],
            ],
        },
    }
    assert one["target"]["selector"][0]["exact"] == (
        "the PGR received over 10,000 complaints of torture between 2012 and 2016"
    )


def test_a_source_with_a_url_is_the_target_and_its_archive_the_cached_copy(
    sample_copy: Sample,
) -> None:
    sample_copy.edit(
        "sources/cso-memo-2017.yaml", "language: en\n", "language: en\nurl: https://x.test/m\n"
    )
    data = page(sample_copy.root)
    memo = [a for a in data["items"] if a["id"].startswith("urn:ledger:claim:cso-")]
    assert len(memo) == 3
    sha = "3748759865bcbdc0fab93b09c7b0d6ed4d5bfc71eafff4f5b9d201ba192368fa"
    for annotation in memo:
        assert annotation["target"]["source"] == "https://x.test/m"
        assert annotation["target"]["state"] == {"type": "TimeState", "cached": archive_iri(sha)}
    digest = archive_iri(sha).removeprefix("ni:///sha-256;")
    assert base64.urlsafe_b64decode(digest + "=").hex() == sha


def test_the_creator_is_the_ledgers_keepers_when_ledger_toml_names_them(
    sample_copy: Sample,
) -> None:
    assert all("creator" not in a for a in page(sample_copy.root)["items"])
    toml = sample_copy.root / "ledger.toml"
    toml.write_text(toml.read_text() + '\n[about]\nby = "The </script> keepers"\n')
    items = page(sample_copy.root)["items"]
    assert [a["creator"] for a in items] == [{"name": "The </script> keepers"}] * len(items)


def test_the_same_ledger_gives_the_same_bytes(tmp_path: Path) -> None:
    first = export(SAMPLE).stdout
    assert export(SAMPLE, env={"SOURCE_DATE_EPOCH": "0"}).stdout == first
    assert export(SAMPLE, env={"SOURCE_DATE_EPOCH": "1900000000"}).stdout == first
    target = tmp_path / "claims.jsonld"
    result = run(["--root", str(SAMPLE), "export", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "(annotations)" in result.stderr
    assert target.read_text(encoding="utf-8") == first


def test_ids_name_the_claims_and_stay_when_others_change(sample_copy: Sample) -> None:
    before = {a["id"]: a for a in page(sample_copy.root)["items"]}
    sample_copy.path("claims/cso-torture-complaints.yaml").unlink()
    after = {a["id"]: a for a in page(sample_copy.root)["items"]}
    assert set(before) - set(after) == {"urn:ledger:claim:cso-torture-complaints"}
    assert all(after[i] == before[i] for i in after)


def test_a_claim_whose_quote_cannot_be_placed_is_listed_and_left_out(
    sample_copy: Sample,
) -> None:
    sample_copy.edit(
        "claims/cso-torture-complaints.yaml", "over 10,000 complaints", "over 90,000 complaints"
    )
    result = export(sample_copy.root)
    ids = [a["id"] for a in json.loads(result.stdout)["items"]]
    assert "urn:ledger:claim:cso-torture-complaints" not in ids and len(ids) == 4
    assert "ledger: warning: 1 claim left out of the annotations" in result.stderr
    assert (
        "  cso-torture-complaints: its quote is not found in the archived text of "
        "cso-memo-2017\n" in result.stderr
    )
    assert json.loads(result.stdout)["partOf"]["total"] == 4


def test_claims_of_a_changed_archive_are_listed_with_the_reason(sample_copy: Sample) -> None:
    text = sample_copy.read("sources/mx-gov-2018.txt")
    sample_copy.write("sources/mx-gov-2018.txt", text + "Added later.\n")
    result = export(sample_copy.root)
    assert "ledger: warning: 2 claims left out of the annotations" in result.stderr
    for claim in ("gov-ayotzinapa-requests-addressed", "gov-tlatlaya-release-impartial"):
        assert (
            f"  {claim}: the archived text of mx-gov-2018 cannot be read or does not match "
            "its SHA-256\n" in result.stderr
        )
    assert len(json.loads(result.stdout)["items"]) == 3


def write_source(sample: Sample, source_id: str, text: str, **fields: str) -> None:
    data = text.encode("utf-8")
    sample.write(f"sources/{source_id}.txt", data)
    lines = [
        f"id: {source_id}",
        "title: A hostile source",
        'published: "2017"',
        "kind: memo",
        "perspective: civil-society",
        "language: en",
        *(f"{key}: {json.dumps(value)}" for key, value in fields.items()),
        "archive:",
        f"  path: {source_id}.txt",
        f"  sha256: {hashlib.sha256(data).hexdigest()}",
    ]
    sample.write(f"sources/{source_id}.yaml", "\n".join(lines) + "\n")


def write_claim(sample: Sample, claim_id: str, source_id: str, quote: str, statement: str) -> None:
    lines = [
        f"id: {claim_id}",
        f"source: {source_id}",
        "locator: p. 1",
        f"quote: {json.dumps(quote, ensure_ascii=False)}",
        f"statement: {json.dumps(statement, ensure_ascii=False)}",
        "kind: fact",
        "cases: [tlatlaya]",
    ]
    sample.write(f"claims/{claim_id}.yaml", "\n".join(lines) + "\n")


HOSTILE = (
    "Intro.\r\n\tA line with </script><script>alert(1)</script> and \x1b[31mred\x1b[0m, "
    "\u202eevil\u202c, \u200bzero width, “quoted” text, an emoji 🧪 and a NEL\x85 and "
    "done.\r\nEnd."
)


def test_hostile_text_stays_data(sample_copy: Sample) -> None:
    write_source(sample_copy, "hostile", HOSTILE, url="https://x.test/?a=1&b=%3C/script%3E")
    quote = "</script><script>alert(1)</script> and \x1b[31mred\x1b[0m, \u202eevil\u202c"
    write_claim(sample_copy, "h1", "hostile", quote, "Says </script> \x1b[2J\u202e here.")
    write_claim(sample_copy, "h2", "hostile", '"quoted" text, an emoji 🧪 and a NEL', "Two.")
    result = export(sample_copy.root)
    # control characters are errors in a record, yet the records are exported, as data
    assert "the ledger has 2 errors" in result.stderr and "left out" not in result.stderr
    for raw in ("\x1b", "\u202e", "\u200b", "\x85", "\r"):
        assert raw not in result.stdout  # escaped, never written raw
    data = json.loads(result.stdout)
    found = {a["id"].removeprefix("urn:ledger:claim:"): a for a in data["items"]}
    assert found["h1"]["body"][0]["value"] == "Says </script> \x1b[2J\u202e here."
    assert found["h1"]["target"]["source"] == "https://x.test/?a=1&b=%3C/script%3E"
    assert found["h1"]["target"]["selector"][0]["exact"] == quote
    assert found["h2"]["target"]["selector"][0]["exact"] == "“quoted” text, an emoji 🧪 and a NEL"
    for claim_id, quote_written in (("h1", quote), ("h2", '"quoted" text, an emoji 🧪 and a NEL')):
        assert_resolves(found[claim_id], HOSTILE, quote_written)
    # the prefix holds the CRLF and tab as they are stored: offsets count them
    assert "\r\n\t" in found["h1"]["target"]["selector"][0]["prefix"]


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("javascript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("file:///etc/passwd", None),
        ('https://x.test/a b?q="1"&r=<b>', "https://x.test/a%20b?q=%221%22&r=%3Cb%3E"),
        ("HTTP://x.test/caf\u00e9#p", "HTTP://x.test/caf%C3%A9#p"),
    ],
)
def test_only_a_web_address_is_a_target_and_as_a_valid_iri(
    sample_copy: Sample, url: str, target: str | None
) -> None:
    """A viewer may open an annotation's target: a URL of another scheme is not one (the
    archive is the target, as without a URL), and characters an IRI may not hold are
    percent-encoded."""
    text = "Some words to quote here.\n"
    write_source(sample_copy, "linked", text, url=url)
    write_claim(sample_copy, "l1", "linked", "words to quote", "Says words.")
    found = {a["id"]: a for a in page(sample_copy.root)["items"]}["urn:ledger:claim:l1"]
    sha = hashlib.sha256(text.encode()).hexdigest()
    if target is None:
        assert found["target"]["source"] == archive_iri(sha) and "state" not in found["target"]
    else:
        assert found["target"]["source"] == target
        assert found["target"]["state"]["cached"] == archive_iri(sha)


def test_a_quote_in_a_text_not_in_nfc_is_left_out_with_the_reason(sample_copy: Sample) -> None:
    text = "Le me\u0301decin a dit la ve\u0301rite\u0301.\n"
    assert not unicodedata.is_normalized("NFC", text)
    write_source(sample_copy, "decomposed", text)
    write_claim(sample_copy, "d1", "decomposed", "a dit la vérité", "Said.")
    result = export(sample_copy.root)
    assert "d1" not in {a["id"].rsplit(":", 1)[1] for a in json.loads(result.stdout)["items"]}
    assert "  d1: the archived text of decomposed is not in Unicode NFC" in result.stderr


def test_a_quote_with_ellipses_spans_from_its_first_to_its_last_part() -> None:
    data = page(SAMPLE)
    one = next(a for a in data["items"] if a["id"].endswith(":cso-tlatlaya-order-to-kill"))
    exact = one["target"]["selector"][0]["exact"]
    assert exact.startswith("the failure to obtain arrest warrants")
    assert "as well as" in exact  # the words the ellipsis stands for


def test_an_unchecked_ledger_leaves_every_claim_out() -> None:
    ledger = load(layout_for(SAMPLE), check=False).ledger
    made = annotations(ledger)
    assert made.page["items"] == [] and len(made.left_out) == len(ledger.claims)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "annotations", "--kind", "claims"], "--kind applies to json, jsonl and csv"),
        (["-f", "annotations", "-o", "x.json"], "--format annotations does not match"),
        (["-f", "json", "-o", "x.jsonld"], "--format json does not match"),
    ],
)
def test_wrong_options_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    args = [a if a not in ("x.json", "x.jsonld") else str(tmp_path / a) for a in args]
    result = run(["--root", str(SAMPLE), "export", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert not list(tmp_path.iterdir())


def test_the_export_never_lands_in_the_data_folder(sample_copy: Sample) -> None:
    target = sample_copy.data / "claims.jsonld"
    result = run(["--root", str(sample_copy.root), "export", "-o", str(target)])
    assert result.exit_code == 2 and "inside the ledger's data folder" in result.stderr
    assert not target.exists()


# -- JSON-LD: expanded by a real processor against the Web Annotation context -------------

ANNO_CONTEXT = os.environ.get("LEDGER_TEST_ANNO_CONTEXT", "")

OA = "http://www.w3.org/ns/oa#"


def _terms(node: Any, found: set[str]) -> int:
    """Count the members of every object in the export (but ``@context``, ``id`` and
    ``type``, which expand to keywords), and collect their names."""
    if isinstance(node, list):
        return sum(_terms(item, found) for item in node)
    if not isinstance(node, dict):
        return 0
    count = 0
    for key, value in node.items():
        if key in ("@context", "id", "type"):
            continue
        found.add(key)
        count += 1 + _terms(value, found)
    return count


def _properties(node: Any) -> int:
    """Count the properties (IRIs, not keywords) of every node of an expanded document."""
    if isinstance(node, list):
        return sum(_properties(item) for item in node)
    if not isinstance(node, dict):
        return 0
    return sum(
        (0 if key.startswith("@") else 1) + _properties(value) for key, value in node.items()
    )


@pytest.mark.skipif(
    not ANNO_CONTEXT,
    reason="LEDGER_TEST_ANNO_CONTEXT names no copy of the Web Annotation context "
    "(http://www.w3.org/ns/anno.jsonld)",
)
def test_every_term_expands_against_the_web_annotation_context(sample_copy: Sample) -> None:
    from pyld import jsonld
    from pyld.documentloader.frozen import FrozenDocumentLoader

    write_source(sample_copy, "hostile", HOSTILE, url="https://x.test/h")
    write_claim(sample_copy, "h1", "hostile", "</script><script>alert(1)</script>", "S.")
    data = page(sample_copy.root)
    loader = FrozenDocumentLoader({CONTEXT: Path(ANNO_CONTEXT)})  # nothing else is served
    base = "https://base.invalid/"  # a type or value the context does not define lands here
    expanded = jsonld.expand(data, {"documentLoader": loader, "base": base})

    used: set[str] = set()
    assert _properties(expanded) == _terms(data, used)  # no member was dropped
    (top,) = expanded
    assert top["@type"] == [OA + "AnnotationPage"] or top["@type"] == [
        "http://www.w3.org/ns/activitystreams#OrderedCollectionPage"
    ]
    items = next(v for k, v in top.items() if k.endswith("items"))[0]["@list"]
    assert len(items) == len(data["items"]) == 6
    for annotation in items:
        assert annotation["@type"] == [OA + "Annotation"]
        assert annotation["@id"].startswith("urn:ledger:claim:")
        (target,) = annotation[OA + "hasTarget"]
        selectors = {s["@type"][0]: s for s in target[OA + "hasSelector"]}
        assert set(selectors) == {OA + "TextQuoteSelector", OA + "TextPositionSelector"}
        assert selectors[OA + "TextQuoteSelector"][OA + "exact"][0]["@value"]
        assert isinstance(selectors[OA + "TextPositionSelector"][OA + "start"][0]["@value"], int)
        purposes = {b[OA + "hasPurpose"][0]["@id"] for b in annotation[OA + "hasBody"]}
        assert OA + "describing" in purposes
        assert annotation[OA + "motivatedBy"] == [{"@id": OA + "describing"}]
    # every type and vocabulary value is a term of the context, every id an absolute IRI
    assert base not in json.dumps(expanded)
