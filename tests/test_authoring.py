"""The authoring library: ids, records in canonical form, checks before writing, refusals.

Every writer must leave the ledger either as it was or with one more valid record, in the
form `ledger fmt` gives; these tests break that promise in each way it could be broken.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from conftest import Sample, layout_for
from ledger.authoring import new_records as authoring
from ledger.authoring.fmt import canonical
from ledger.authoring.fmt_files import format_files, modeline_for
from ledger.authoring.new_records import (
    Refused,
    Unchanged,
    Written,
    add_relation,
    claim_path,
    claim_prefix,
    create,
    create_source,
    generate_id,
    id_problem,
    parse_relation,
    parse_stance,
    record_path,
    slugify,
    verify_quote,
)
from ledger.authoring.text_extract import (
    Extracted,
    ExtractError,
    detect_kind,
    extract,
    html_to_text,
)
from ledger.authoring.workspace import Workspace, open_workspace, read_archive
from ledger.records.yamlread import parse

QUOTE = "the PGR received over 10,000 complaints of torture between 2012 and 2016"


def workspace(sample: Sample) -> Workspace:
    ws = open_workspace(layout_for(sample.root))
    assert isinstance(ws, Workspace), ws
    return ws


def claim_values(**fields: object) -> dict[str, object]:
    values: dict[str, object] = {
        "id": "cso-new-claim",
        "source": "cso-memo-2017",
        "locator": "REQUIREMENT 2, paragraph 1",
        "quote": QUOTE,
        "statement": "The memo says the PGR received more than 10,000 torture complaints.",
        "kind": "figure",
        "cases": ["torture-prosecutions"],
        "bears_on": {"requirement-2": "undermines"},
    }
    values.update(fields)
    return values


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# -- ids ----------------------------------------------------------------------------------


def test_slugs_are_ascii_lowercase_and_short() -> None:
    assert slugify("Inés Fernández Ortega’s case, in Guerrero!") == (
        "ines-fernandez-ortegas-case-guerrero"
    )
    assert slugify("one two three four five six seven eight") == "one-two-three-four-five-six"
    assert slugify("The memo says that the PGR received 10,000 complaints", drop_attribution=True)
    assert slugify(
        "The government page says that the court released the soldiers", drop_attribution=True
    ) == ("court-released-soldiers")
    assert slugify("the of and") == "the-of-and"  # nothing but filler: keep it rather than ""


def test_generated_ids_carry_a_suffix_and_avoid_taken_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    suffixes = iter(["aaaa", "aaaa", "bbbb"])
    monkeypatch.setattr(authoring, "random_suffix", lambda: next(suffixes))
    taken = {"memo-pgr-torture-aaaa"}
    assert generate_id("PGR torture", taken, prefix="memo") == "memo-pgr-torture-bbbb"


def test_two_branches_adding_the_same_statement_get_different_ids() -> None:
    ids = {
        generate_id("The memo says the PGR failed", set(), prefix="memo", statement=True)
        for _ in range(50)
    }
    assert len(ids) > 45  # a 4-hex suffix: 50 draws collide only rarely
    assert all(i.startswith("memo-pgr-failed-") for i in ids)


def test_a_chosen_id_is_checked_for_form_and_uniqueness() -> None:
    assert id_problem("fine-id-2", {"other"}) is None
    assert "not a valid id" in (id_problem("Bad_Id", set()) or "")
    assert "not a valid id" in (id_problem("x" * 121, set()) or "")
    assert "already used" in (id_problem("tlatlaya", {"tlatlaya"}) or "")


def test_workspace_ids_include_files_that_do_not_load(sample_copy: Sample) -> None:
    sample_copy.write("cases/broken.yaml", "id: broken\ntitle: [unclosed\n")
    ws = workspace(sample_copy)
    assert {"broken", "tlatlaya", "cso-memo-2017", "requirement-1"} <= ws.taken
    assert ws.existing_errors >= 1


def test_the_claim_prefix_follows_the_sources_existing_claims(sample_copy: Sample) -> None:
    ws = workspace(sample_copy)
    assert claim_prefix(ws, "cso-memo-2017") == "cso"
    assert claim_prefix(ws, "mx-gov-2018") == "gov"
    assert claim_prefix(ws, "court-ruling-2016") == "court"  # no claims yet


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("requirement-1=undermines", ("requirement-1", "undermines")),
        (" requirement-1 = context ", ("requirement-1", "context")),
        ("requirement-1", "is not REQUIREMENT=STANCE"),
        ("requirement-1=meh", "is not a stance"),
    ],
)
def test_stances_parse_or_say_why(text: str, expected: object) -> None:
    parsed = parse_stance(text)
    if isinstance(expected, tuple):
        assert parsed == expected
    else:
        assert isinstance(parsed, str) and str(expected) in parsed


def test_relations_parse_or_say_why() -> None:
    assert parse_relation("contradicts=x") == ("contradicts", "x")
    assert parse_relation("responds-to = y") == ("responds-to", "y")
    assert "is not a relation" in str(parse_relation("refutes=x"))
    assert "is not KIND=CLAIM" in str(parse_relation("contradicts"))


# -- writing claims and cases ----------------------------------------------------------------


def test_a_new_claim_is_written_in_canonical_form_where_the_sources_claims_are(
    sample_copy: Sample,
) -> None:
    ws = workspace(sample_copy)
    path = claim_path(ws, "mx-gov-2018", "gov-new")
    assert path == sample_copy.data / "claims" / "mx-gov-2018" / "gov-new.yaml"
    path = claim_path(ws, "cso-memo-2017", "cso-new-claim")
    written = create(ws, "claims", claim_values(), path)
    assert isinstance(written, Written), written
    text = path.read_text(encoding="utf-8")
    assert text == written.text
    layout = layout_for(sample_copy.root)
    assert canonical(text, "claims", modeline_for(layout, path, "claims")).text == text
    assert format_files(layout, [path], check=True).changed == []
    assert text.startswith("# yaml-language-server: $schema=../../schema/claim.schema.json\n")
    assert "id: cso-new-claim\nsource: cso-memo-2017\nlocator:" in text
    assert "quote: >-\n  the PGR received over 10,000 complaints of torture between 2012" in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    assert sample_copy.load().diagnostics == []


def test_empty_optional_fields_are_left_out(sample_copy: Sample) -> None:
    ws = workspace(sample_copy)
    values = claim_values(relations=[], figures=[], notes=None, attributed_to="")
    path = claim_path(ws, "cso-memo-2017", "cso-new-claim")
    written = create(ws, "claims", values, path, dry_run=True)
    assert isinstance(written, Written)
    for key in ("relations", "figures", "notes", "attributed_to"):
        assert f"{key}:" not in written.text
    assert not path.exists()


def test_a_new_record_holds_exactly_the_values_given(sample_copy: Sample) -> None:
    """Records used to be written as JSON read as YAML, which turns a raw line or paragraph
    separator (and the spaces after it) into a bare line break, and 1e-07 into a string."""
    ws = workspace(sample_copy)
    values = claim_values(
        statement="The first part.\u2028  The second part.",
        attributed_to="the memo \u2029 its annex",
        figures=[{"value": 1e-07, "unit": "share of complaints"}],
    )
    path = claim_path(ws, "cso-memo-2017", "cso-new-claim")

    written = create(ws, "claims", values, path, dry_run=True)

    assert isinstance(written, Written), written
    assert parse(written.text, "x.yaml").data == values
    layout = layout_for(sample_copy.root)
    assert canonical(written.text, "claims", modeline_for(layout, path, "claims")).text == (
        written.text
    )


def test_an_existing_file_is_never_overwritten(sample_copy: Sample) -> None:
    ws = workspace(sample_copy)
    path = record_path(ws, "cases", "fresh-case")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# someone else's work\n", encoding="utf-8")
    ws.taken.discard("fresh-case")  # written after the workspace was opened
    values = {"id": "fresh-case", "title": "T", "kind": "incident", "summary": "S."}
    refused = create(ws, "cases", values, path)
    assert isinstance(refused, Refused)
    assert "already exists; nothing was overwritten" in refused.message
    assert path.read_text(encoding="utf-8") == "# someone else's work\n"


def test_an_id_in_use_by_any_kind_of_record_is_refused(sample_copy: Sample) -> None:
    ws = workspace(sample_copy)
    before = snapshot(sample_copy.root)
    values = claim_values(id="tlatlaya")
    refused = create(ws, "claims", values, claim_path(ws, "cso-memo-2017", "tlatlaya"))
    assert isinstance(refused, Refused) and "already used" in refused.message
    assert snapshot(sample_copy.root) == before


def test_a_quote_not_in_the_source_is_refused_with_the_closest_passage(
    sample_copy: Sample,
) -> None:
    ws = workspace(sample_copy)
    before = snapshot(sample_copy.root)
    values = claim_values(quote="the PGR received over 10,000 complaints of abuse")
    refused = create(ws, "claims", values, claim_path(ws, "cso-memo-2017", "cso-new-claim"))
    assert isinstance(refused, Refused)
    assert [d.code for d in refused.diagnostics] == ["quote-not-found"]
    assert refused.diagnostics[0].line == 5  # placed in the text that would have been written
    assert "the closest passage in cso-memo-2017 is" in refused.hint
    assert snapshot(sample_copy.root) == before


def test_verify_quote_answers_before_anything_is_built(sample_copy: Sample) -> None:
    ws = workspace(sample_copy)
    found = verify_quote(ws, "cso-memo-2017", QUOTE)
    assert not isinstance(found, str) and found.found
    missing = verify_quote(ws, "cso-memo-2017", "words that are not there")
    assert not isinstance(missing, str) and not missing.found
    assert "no source" in str(verify_quote(ws, "nope", QUOTE))


def test_references_to_unknown_records_are_refused(sample_copy: Sample) -> None:
    ws = workspace(sample_copy)
    values = claim_values(cases=["no-such-case"], relations=[{"contradicts": "no-such-claim"}])
    refused = create(ws, "claims", values, claim_path(ws, "cso-memo-2017", "cso-new-claim"))
    assert isinstance(refused, Refused)
    assert {d.code for d in refused.diagnostics} == {"unresolved-reference"}
    assert len(refused.diagnostics) == 2


def test_schema_problems_are_refused_with_their_field(sample_copy: Sample) -> None:
    ws = workspace(sample_copy)
    refused = create(
        ws, "claims", claim_values(kind="rumour"), claim_path(ws, "cso-memo-2017", "c-x")
    )
    assert isinstance(refused, Refused)
    assert [d.field for d in refused.diagnostics] == ["kind"]
    control = create(
        ws,
        "claims",
        claim_values(statement="bad \x1b[31m escape"),
        claim_path(ws, "cso-memo-2017", "c-y"),
    )
    assert isinstance(control, Refused)
    assert [d.code for d in control.diagnostics] == ["control-character"]


def test_problems_the_ledger_already_has_do_not_block_a_new_record(sample_copy: Sample) -> None:
    sample_copy.edit(
        "claims/cso-torture-complaints.yaml", "over 10,000 complaints", "over 99 complaints"
    )
    ws = workspace(sample_copy)
    assert ws.existing_errors == 1
    values = {"id": "new-case", "title": "A case", "kind": "incident", "summary": "What."}
    written = create(ws, "cases", values, record_path(ws, "cases", "new-case"))
    assert isinstance(written, Written), written


# -- sources ------------------------------------------------------------------------------


def source_values(source_id: str = "court-ruling") -> dict[str, object]:
    return {
        "id": source_id,
        "title": "Ruling on the Tlatlaya case",
        "authors": ["First Collegiate Court"],
        "published": "2016-05",
        "kind": "court-ruling",
        "perspective": "court",
        "language": "en",
    }


def test_a_source_is_archived_byte_for_byte_with_its_hash_pinned(sample_copy: Sample) -> None:
    ws = workspace(sample_copy)
    data = "Ruling\r\n\r\nThe court found what it found (resolvió).\r\n".encode()
    written = create_source(ws, Extracted(data, "text"), source_values())
    assert isinstance(written, Written), written
    archive = sample_copy.data / "sources" / "court-ruling.txt"
    assert archive.read_bytes() == data
    assert written.archive == "data/sources/court-ruling.txt"
    assert f"sha256: {hashlib.sha256(data).hexdigest()}" in written.text
    assert "path: court-ruling.txt" in written.text
    assert sample_copy.load().diagnostics == []
    text = read_archive(layout_for(sample_copy.root), sample_copy.load().ledger, "court-ruling")
    assert text.text == data.decode()


def test_an_archive_with_other_content_is_never_overwritten(sample_copy: Sample) -> None:
    ws = workspace(sample_copy)
    sample_copy.write("sources/court-ruling.txt", "an older text\n")
    refused = create_source(ws, Extracted(b"a new text\n", "text"), source_values())
    assert isinstance(refused, Refused) and "other content" in refused.message
    assert sample_copy.read("sources/court-ruling.txt") == "an older text\n"
    assert not sample_copy.path("sources/court-ruling.yaml").exists()


def test_an_archive_holding_the_same_bytes_is_reused(sample_copy: Sample) -> None:
    ws = workspace(sample_copy)
    sample_copy.write("sources/court-ruling.txt", "the same text\n")
    written = create_source(ws, Extracted(b"the same text\n", "text"), source_values())
    assert isinstance(written, Written), written


def test_a_refused_source_leaves_no_archive_behind(
    sample_copy: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = workspace(sample_copy)
    before = snapshot(sample_copy.root)
    broken = [authoring.make("archive-missing", "data/sources/court-ruling.yaml", "forced")]
    monkeypatch.setattr(authoring, "_new_problems", lambda *args: broken)
    refused = create_source(ws, Extracted(b"text\n", "text"), source_values())
    assert isinstance(refused, Refused) and refused.message == "forced"
    assert snapshot(sample_copy.root) == before


def test_a_source_dry_run_writes_nothing(sample_copy: Sample) -> None:
    ws = workspace(sample_copy)
    before = snapshot(sample_copy.root)
    written = create_source(ws, Extracted(b"text\n", "text"), source_values(), dry_run=True)
    assert isinstance(written, Written) and "kind: court-ruling" in written.text
    assert snapshot(sample_copy.root) == before


# -- relations ----------------------------------------------------------------------------


def test_a_relation_is_added_keeping_comments(sample_copy: Sample) -> None:
    rel = "claims/cso-torture-complaints.yaml"
    sample_copy.edit(rel, "kind: figure\n", "# checked against page 4\nkind: figure  # a count\n")
    ws = workspace(sample_copy)
    written = add_relation(
        ws, "cso-torture-complaints", "corroborates", "cso-tlatlaya-order-to-kill"
    )
    assert isinstance(written, Written), written
    text = sample_copy.read(rel)
    assert "# checked against page 4\nkind: figure  # a count\n" in text
    assert text.endswith("relations:\n  - corroborates: cso-tlatlaya-order-to-kill\n")
    assert sample_copy.load().diagnostics == []


def test_a_relation_with_a_note_and_a_second_one(sample_copy: Sample) -> None:
    ws = workspace(sample_copy)
    claim = "cso-tlatlaya-no-arrest-warrants"
    written = add_relation(ws, claim, "responds-to", "cso-torture-complaints", "same paragraph")
    assert isinstance(written, Written)
    assert written.text.endswith(
        "relations:\n  - contradicts: gov-tlatlaya-release-impartial\n"
        "  - responds-to: cso-torture-complaints\n    note: same paragraph\n"
    )


def test_a_relation_already_recorded_or_mirrored_is_left_alone(sample_copy: Sample) -> None:
    ws = workspace(sample_copy)
    before = snapshot(sample_copy.root)
    a, b = "cso-tlatlaya-no-arrest-warrants", "gov-tlatlaya-release-impartial"
    assert isinstance(add_relation(ws, a, "contradicts", b), Unchanged)
    mirrored = add_relation(ws, b, "contradicts", a)
    assert isinstance(mirrored, Unchanged) and "the pair is recorded" in mirrored.message
    assert snapshot(sample_copy.root) == before


def test_a_relation_to_itself_or_to_nothing_is_refused(sample_copy: Sample) -> None:
    ws = workspace(sample_copy)
    claim = "cso-torture-complaints"
    assert isinstance(add_relation(ws, claim, "repeats", claim), Refused)
    assert isinstance(add_relation(ws, claim, "repeats", "nope"), Refused)
    assert isinstance(add_relation(ws, "nope", "repeats", claim), Refused)


# -- text extraction ----------------------------------------------------------------------


def test_html_is_reduced_to_paragraphs_of_visible_text() -> None:
    html = (
        "<!doctype html><html><head><title>A  report</title><style>p {}</style>"
        '<script>var s = "<p>hidden</p>";</script></head><body>'
        "<h1>Findings</h1><p>The court   found\nthat the <b>soldiers</b> were&nbsp;released"
        " &amp; freed.<br>A second line.</p><p>Intro:</p><ol><li>one</li><li>two<li>three</ol>"
        "<table><tr><td>a</td><td>b</td></tr></table><p>Caf\u0065\u0301</p></body></html>"
    )
    text, title = html_to_text(html)
    assert title == "A report"
    assert text == (
        "Findings\n\nThe court found that the soldiers were released & freed.\nA second line."
        "\n\nIntro:\n\n1. one\n2. two\n3. three\n\na b\n\nCaf\u00e9\n"
    )


def test_document_kinds_are_told_by_content_then_name(tmp_path: Path) -> None:
    assert detect_kind(Path("x.txt"), b"%PDF-1.7 ...") == "pdf"
    assert detect_kind(Path("x.txt"), b"  <!DOCTYPE html><html>") == "html"
    assert detect_kind(Path("x.htm"), b"just text") == "html"
    assert detect_kind(Path("x.md"), b"# just text") == "text"


def test_plain_text_is_kept_as_is_and_must_be_utf8(tmp_path: Path) -> None:
    good = tmp_path / "doc.txt"
    good.write_bytes(b"Title line\n\nBody \xc3\xa9.\n")
    extracted = extract(good)
    assert isinstance(extracted, Extracted)
    assert extracted.data == good.read_bytes() and extracted.title == "Title line"
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"caf\xe9\n")
    problem = extract(bad)
    assert isinstance(problem, ExtractError) and "not UTF-8" in problem.message
    assert "iconv" in problem.hint


def test_a_pdf_without_pdftotext_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    problem = extract(pdf)
    assert isinstance(problem, ExtractError)
    assert "needs `pdftotext`, which is not installed" in problem.message
    assert "poppler-utils" in problem.hint


def test_a_pdf_goes_through_pdftotext(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pdftotext"
    fake.write_text("#!/bin/sh\nprintf 'Page one text.\\n\\fPage two\\r\\n'\n", encoding="utf-8")
    fake.chmod(0o755)
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    monkeypatch.setenv("PATH", str(bin_dir))
    extracted = extract(pdf)
    assert isinstance(extracted, Extracted), extracted
    assert extracted.method == "pdf"
    assert extracted.text == "Page one text.\n\nPage two\n"
    assert extracted.original_sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()


def test_the_ids_in_use_are_every_yaml_name_the_walk_saw(sample_copy: Sample) -> None:
    """The names a new record may not take come from the load's own walk of the data folder:
    the same names a second walk of every folder would give (stray, hidden, broken files)."""
    from ledger.authoring.workspace import file_ids
    from ledger.records.scan import scan_data, yaml_names

    sample_copy.write("claims/broken.yaml", "id: [unclosed\n")
    sample_copy.write("stray/elsewhere.yaml", "id: elsewhere\n")
    sample_copy.write("claims/.hidden/secret.yaml", "id: secret\n")
    sample_copy.write("elsewhere.yml", "id: not-yaml-suffix\n")
    layout = layout_for(sample_copy.root)
    names = yaml_names(scan_data(layout))
    assert names == file_ids(layout)
    assert {"broken", "elsewhere", "secret"} <= names and "not-yaml-suffix" not in names
