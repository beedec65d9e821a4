"""Loading: finding record files, reading them safely, and fitting them to the schema.

Each test breaks the sample ledger in one way and asserts the one diagnostic that comes back:
its code, file, line, column and field. The clean sample is the passing fixture for all.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import Sample, layout_for, where
from ledger.records.diagnostics import CODES
from ledger.records.files import MAX_RECORD_BYTES
from ledger.records.load import load

CLAIM = "claims/cso-torture-complaints.yaml"  # referenced by no other record
CASE = "cases/tlatlaya.yaml"
SOURCE = "sources/mx-gov-2018.yaml"


def test_the_sample_loads_cleanly(sample_copy: Sample) -> None:
    result = sample_copy.load()
    assert result.diagnostics == []
    assert result.files == 12
    ledger = result.ledger
    assert list(ledger.sources) == ["cso-memo-2017", "mx-gov-2018"]
    assert list(ledger.requirements) == ["requirement-1", "requirement-2"]
    assert list(ledger.cases) == ["ayotzinapa", "tlatlaya", "torture-prosecutions"]
    assert len(ledger.claims) == 5
    # A claim in a sub-folder of claims/ is a claim like any other.
    assert (
        ledger.paths["gov-tlatlaya-release-impartial"]
        == "data/claims/mx-gov-2018/gov-tlatlaya-release-impartial.yaml"
    )


def test_every_diagnostic_code_has_a_test() -> None:
    """A new code needs a fixture that produces it (asserted with its line and column)."""
    tests = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    tested = set(re.findall(r'"([a-z0-9-]+)",\s+\d+,\s+\d+', tests))
    assert set(CODES) - tested == set()


# -- reading files --------------------------------------------------------------------------------


def test_a_symlinked_record_is_not_followed(sample_copy: Sample) -> None:
    os.symlink("tlatlaya.yaml", sample_copy.path("cases/tlatlaya-link.yaml"))
    found = sample_copy.only()
    assert (found.path, *where(found)) == (
        "data/cases/tlatlaya-link.yaml",
        "not-a-regular-file",
        0,
        0,
        "",
    )


def test_a_symlink_to_a_device_is_not_read(sample_copy: Sample) -> None:
    # /dev/zero has st_size 0: it would pass a size check and then never end.
    os.symlink("/dev/zero", sample_copy.path("cases/zero.yaml"))
    found = sample_copy.only()
    assert (found.path, found.code) == ("data/cases/zero.yaml", "not-a-regular-file")


@pytest.mark.parametrize("where_", ["claims/linked", "claims"])
def test_a_symlinked_folder_is_not_walked(sample_copy: Sample, where_: str) -> None:
    if where_ == "claims":
        shutil.move(sample_copy.path("claims"), sample_copy.root / "elsewhere")
        os.symlink(sample_copy.root / "elsewhere", sample_copy.path("claims"))
    else:
        os.symlink(sample_copy.path("claims/mx-gov-2018"), sample_copy.path(where_))
    found = sample_copy.diagnostics()
    assert [(d.path, d.code) for d in found] == [(f"data/{where_}", "not-a-regular-file")]


def test_a_file_over_the_size_limit(sample_copy: Sample) -> None:
    sample_copy.write("cases/big.yaml", b"id: big\nnotes: " + b"x" * MAX_RECORD_BYTES + b"\n")
    found = sample_copy.only()
    assert (found.path, *where(found)) == ("data/cases/big.yaml", "file-too-large", 0, 0, "")
    assert f"{MAX_RECORD_BYTES:,}" in found.message


def test_a_file_at_the_size_limit_is_read(sample_copy: Sample) -> None:
    head = sample_copy.read(CASE).encode() + b"notes: "
    sample_copy.write(CASE, head + b"x" * (MAX_RECORD_BYTES - len(head) - 1) + b"\n")
    assert sample_copy.path(CASE).stat().st_size == MAX_RECORD_BYTES
    assert sample_copy.diagnostics() == []


def test_a_latin_1_file_is_not_utf8_at_the_bad_byte(sample_copy: Sample) -> None:
    text = sample_copy.read(CLAIM).replace("The memo says", "The memo says (café)")
    sample_copy.write(CLAIM, text.encode("latin-1"))
    found = sample_copy.only()
    # line 5 is `statement: The memo says (café) ...`: the é is the 30th byte
    assert where(found) == ("not-utf8", 5, 30, "")
    assert "0xe9" in found.message


@pytest.mark.parametrize(
    ("encoding", "column"), [("utf-16", 1), ("utf-16-le", 2)], ids=["with-bom", "without-bom"]
)
def test_a_utf16_file_is_not_utf8(sample_copy: Sample, encoding: str, column: int) -> None:
    sample_copy.write(CLAIM, sample_copy.read(CLAIM).encode(encoding))
    found = sample_copy.only()
    assert where(found) == ("not-utf8", 1, column, "")
    assert "UTF-16" in found.hint


def test_a_byte_order_mark_is_a_warning_and_does_not_shift_columns(sample_copy: Sample) -> None:
    sample_copy.write(CLAIM, b"\xef\xbb\xbf" + sample_copy.read(CLAIM).encode())
    found = sample_copy.only()
    assert where(found) == ("byte-order-mark", 1, 1, "")
    assert found.severity == "warning"
    # The record still loads, and a problem on line 1 is placed as an editor shows it.
    sample_copy.edit(CLAIM, "id: cso-torture-complaints", "id: cso-torture-complaints\nid: x")
    assert [where(d) for d in sample_copy.diagnostics()] == [
        ("byte-order-mark", 1, 1, ""),
        ("duplicate-key", 2, 1, "id"),
    ]


@pytest.mark.parametrize(
    ("rel", "hint"),
    [
        ("cases/atenco.yml", "rename it to atenco.yaml"),
        ("claims/mx-gov-2018/gov-x.yml", "rename it to gov-x.yaml"),
        ("stray.yaml", "move it into one of sources/, requirements/, cases/, claims/"),
        ("stray.yml", "move it into one of sources/, requirements/, cases/, claims/"),
        ("claim/misspelt-folder.yaml", "move it into one of sources/, requirements/"),
    ],
)
def test_misplaced_yaml_files_are_reported_not_skipped(
    sample_copy: Sample, rel: str, hint: str
) -> None:
    sample_copy.write(rel, "id: x\n")
    found = sample_copy.only()
    assert (found.path, *where(found)) == (f"data/{rel}", "misplaced-file", 0, 0, "")
    assert found.severity == "warning"
    assert found.hint.startswith(hint)


def test_hidden_files_and_other_files_are_ignored(sample_copy: Sample) -> None:
    sample_copy.write("claims/.cso-torture-complaints.yaml.swp", "junk: [")
    sample_copy.write("claims/.editor-backup.yaml", "junk: [")
    sample_copy.write("claims/README.md", "# notes\n")
    assert sample_copy.diagnostics() == []


def _refuse(monkeypatch: pytest.MonkeyPatch, name: str, target: Path) -> None:
    """Make os.<name> fail with EACCES for one path, as an unreadable file or folder would."""
    real = getattr(os, name)

    def refusing(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(path) == target:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, name, refusing)


def test_a_file_that_cannot_be_opened_is_unreadable(
    sample_copy: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    _refuse(monkeypatch, "open", sample_copy.path(CLAIM))
    found = sample_copy.only()
    assert (found.path, *where(found)) == (f"data/{CLAIM}", "unreadable", 0, 0, "")
    assert "Permission denied" in found.message


def test_a_folder_that_cannot_be_listed_is_unreadable(
    sample_copy: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    _refuse(monkeypatch, "scandir", sample_copy.path("claims/mx-gov-2018"))
    [found] = [d for d in sample_copy.diagnostics() if d.code == "unreadable"]
    assert (found.path, *where(found)) == ("data/claims/mx-gov-2018", "unreadable", 0, 0, "")
    assert "Permission denied" in found.message


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_a_file_without_read_permission_is_unreadable(sample_copy: Sample) -> None:
    sample_copy.path(CLAIM).chmod(0)
    found = sample_copy.only()
    assert (found.path, *where(found)) == (f"data/{CLAIM}", "unreadable", 0, 0, "")


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists a folder whatever its mode")
def test_a_folder_without_read_permission_is_unreadable(sample_copy: Sample) -> None:
    folder = sample_copy.path("claims/mx-gov-2018")
    folder.chmod(0)
    try:
        found = sample_copy.diagnostics()
    finally:
        folder.chmod(0o755)
    [unreadable] = [d for d in found if d.code == "unreadable"]
    assert (unreadable.path, *where(unreadable)) == (
        "data/claims/mx-gov-2018",
        "unreadable",
        0,
        0,
        "",
    )


def test_no_data_folder_is_fatal(sample_copy: Sample) -> None:
    shutil.rmtree(sample_copy.data)
    result = load(layout_for(sample_copy.root))
    assert result.fatal is not None
    assert "does not exist" in result.fatal


# -- the schema -----------------------------------------------------------------------------------


def test_unknown_field_with_a_did_you_mean_hint(sample_copy: Sample) -> None:
    sample_copy.edit(CASE, "place: Tlatlaya", "plase: Tlatlaya")
    found = sample_copy.only()
    assert (found.path, *where(found)) == (f"data/{CASE}", "unknown-field", 7, 1, "plase")
    assert found.message == "unknown field 'plase'"
    assert found.hint == "did you mean 'place'?"


def test_unknown_field_without_a_close_match_lists_the_known_ones(sample_copy: Sample) -> None:
    sample_copy.edit(CASE, "place: Tlatlaya", "zzz: Tlatlaya")
    found = sample_copy.only()
    assert where(found) == ("unknown-field", 7, 1, "zzz")
    assert found.hint.startswith("known fields: id, title, kind, aliases, date, place")


def test_unknown_field_in_a_nested_record(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "    qualifier: more-than", "    qualifer: more-than")
    found = sample_copy.only()
    assert where(found) == ("unknown-field", 15, 5, "figures[0].qualifer")
    assert found.hint == "did you mean 'qualifier'?"


def test_missing_field_at_the_top_level(sample_copy: Sample) -> None:
    sample_copy.edit(
        CASE,
        "summary: The killings at Tlatlaya in June 2014, named in the wording of requirement 1.\n",
        "",
    )
    found = sample_copy.only()
    assert where(found) == ("missing-field", 1, 1, "summary")
    assert found.hint == "add `summary: ...`"


def test_missing_field_in_a_nested_record_points_at_that_record(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "    unit: complaints of torture received by the PGR\n", "")
    assert where(sample_copy.only()) == ("missing-field", 13, 5, "figures[0].unit")


def test_invalid_enum_value(sample_copy: Sample) -> None:
    sample_copy.edit(CASE, "kind: incident", "kind: incidnt")
    found = sample_copy.only()
    assert where(found) == ("invalid-value", 3, 7, "kind")
    assert "'incident'" in found.message
    assert found.hint == "did you mean 'incident'?"


def test_a_stance_slip_is_named_and_an_unknown_stance_lists_the_values(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "requirement-2: undermines", "requirement-2: undermine")
    found = sample_copy.only()
    assert where(found) == ("invalid-value", 10, 18, "bears_on.requirement-2")
    assert found.message == "Input should be 'supports', 'undermines' or 'context'"
    assert found.hint == "did you mean 'undermines'?"

    sample_copy.edit(CLAIM, "requirement-2: undermine", "requirement-2: weakens")
    assert sample_copy.only().hint == "use one of the values listed"


def test_unquoted_no_in_a_text_field_hints_at_quoting(sample_copy: Sample) -> None:
    sample_copy.edit(CASE, "place: Tlatlaya", "place: no")
    found = sample_copy.only()
    assert where(found) == ("invalid-value", 7, 8, "place")
    assert found.hint == 'YAML reads the unquoted no as a boolean; write it in quotes: "no"'


def test_quoted_no_in_a_text_field_is_fine(sample_copy: Sample) -> None:
    sample_copy.edit(CASE, "place: Tlatlaya", 'place: "no"')
    assert sample_copy.diagnostics() == []


def test_unquoted_year_in_a_date_field_hints_at_quoting(sample_copy: Sample) -> None:
    sample_copy.edit(CASE, 'date: "2014-06"', "date: 2014")
    found = sample_copy.only()
    assert where(found) == ("invalid-value", 6, 7, "date")
    assert found.hint == 'YAML reads the unquoted 2014 as a number; write it in quotes: "2014"'


def test_a_boolean_in_a_number_field_does_not_advise_quoting(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "value: 10000", "value: yes")
    found = sample_copy.only()
    assert where(found) == ("invalid-value", 13, 12, "figures[0].value")
    assert "boolean" in found.hint
    assert "quotes" not in found.hint


def test_an_empty_value_says_so(sample_copy: Sample) -> None:
    sample_copy.edit(CASE, "title: Killings at Tlatlaya", "title:")
    found = sample_copy.only()
    assert where(found) == ("invalid-value", 2, 7, "title")
    assert found.hint == "the value is empty: write it after the colon"


@pytest.mark.parametrize(
    "blank",
    [
        '"   "',
        '"\\t"',
        '" \\n "',
        '"\\u00ad"',
        '"\\u200b \\u200b"',
        '"\\u3164"',
        '"\\x1b"',
        '"\\ufe0f"',
        '"\\u034f"',
        '"\\u180b"',
    ],
)
def test_a_blank_value_says_so(sample_copy: Sample, blank: str) -> None:
    """A text of only spaces (tabs, line breaks), or of characters that show nothing (a
    soft hyphen, a zero-width space, a Hangul filler, a control), says nothing: a title,
    a figure's unit."""
    sample_copy.edit(CASE, "title: Killings at Tlatlaya", f"title: {blank}")
    found = [d for d in sample_copy.load().diagnostics if d.code == "invalid-value"]
    assert len(found) == 1, found
    assert where(found[0]) == ("invalid-value", 2, 8, "title")
    assert found[0].message == (
        "the value is blank: it holds only spaces, line breaks or invisible characters"
    )
    assert found[0].hint == "write the text here (a field that may be left out can be removed)"


@pytest.mark.parametrize("title", ["\u00adAtenco", "Ñ", "\u3164x", "\u200d\U0001f600"])
def test_a_value_with_a_character_that_shows_is_text(sample_copy: Sample, title: str) -> None:
    sample_copy.edit(CASE, "title: Killings at Tlatlaya", f"title: {json.dumps(title)}")
    assert not [d for d in sample_copy.load().diagnostics if d.code == "invalid-value"]


@pytest.mark.parametrize("date", ["2017-02-30", "2017-13", "17-02-03", "June 2017"])
def test_a_date_that_is_not_a_real_iso_date(sample_copy: Sample, date: str) -> None:
    sample_copy.edit(CASE, 'date: "2014-06"', f'date: "{date}"')
    found = sample_copy.only()
    assert where(found) == ("invalid-value", 6, 7, "date")


def test_dates_at_every_precision_are_fine(sample_copy: Sample) -> None:
    for date in ("2014", "2014-06", "2014-06-30", "2016-02-29"):
        sample_copy.edit(CASE, sample_copy.read(CASE).splitlines()[5], f'date: "{date}"')
        assert sample_copy.diagnostics() == [], date


def test_a_bad_id_pattern(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "id: cso-torture-complaints", "id: CSO torture complaints")
    found = sample_copy.only()
    assert where(found) == ("invalid-value", 1, 5, "id")
    assert found.hint.startswith("ids are lowercase letters and digits")


def test_a_bad_id_in_a_list(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "  - torture-prosecutions", "  - Torture prosecutions")
    assert where(sample_copy.only()) == ("invalid-value", 8, 5, "cases[0]")


def test_a_bad_id_as_a_key_is_placed_at_the_key(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "  requirement-2: undermines", "  Requirement 2: undermines")
    found = sample_copy.only()
    assert where(found) == ("invalid-value", 10, 3, "bears_on.Requirement 2")
    assert found.hint.startswith("keys here are record ids")


def test_a_bad_stance(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "  requirement-2: undermines", "  requirement-2: undermine")
    assert where(sample_copy.only()) == ("invalid-value", 10, 18, "bears_on.requirement-2")


@pytest.mark.parametrize(
    "relation",
    ["- contradicts: cso-tlatlaya-order-to-kill\n    repeats: cso-tlatlaya-order-to-kill", "- {}"],
    ids=["two-kinds", "no-kind"],
)
def test_a_relation_names_exactly_one_kind(sample_copy: Sample, relation: str) -> None:
    sample_copy.write(CLAIM, sample_copy.read(CLAIM) + f"relations:\n  {relation}\n")
    found = sample_copy.only()
    assert where(found) == ("invalid-value", 17, 5, "relations[0]")
    assert "exactly one of" in found.message


def test_several_schema_problems_in_one_file_are_all_reported(sample_copy: Sample) -> None:
    sample_copy.edit(CASE, "kind: incident", "kind: incidnt")
    sample_copy.edit(CASE, "place: Tlatlaya", "plase: Tlatlaya")
    sample_copy.edit(CASE, 'date: "2014-06"', 'date: "2014-13"')
    assert [where(d) for d in sample_copy.diagnostics()] == [
        ("invalid-value", 3, 7, "kind"),
        ("invalid-value", 6, 7, "date"),
        ("unknown-field", 7, 1, "plase"),
    ]


# -- ids ------------------------------------------------------------------------------------------


def test_id_differs_from_the_file_name(sample_copy: Sample) -> None:
    shutil.move(sample_copy.path(CLAIM), sample_copy.path("claims/cso-torture.yaml"))
    found = sample_copy.only()
    assert (found.path, *where(found)) == (
        "data/claims/cso-torture.yaml",
        "id-mismatch",
        1,
        5,
        "id",
    )
    assert "cso-torture-complaints.yaml" in found.hint


def test_a_reference_to_a_misnamed_record_points_to_its_file(sample_copy: Sample) -> None:
    """A record whose id was changed in its file: the references to the name it had are
    unresolved, and each says which file is named for it rather than offering a close id."""
    rel = "claims/mx-gov-2018/gov-tlatlaya-release-impartial.yaml"  # another claim contradicts
    sample_copy.edit(rel, "id: gov-tlatlaya-release-impartial", "id: gov-release")
    found = {d.code: d for d in sample_copy.diagnostics()}
    assert set(found) == {"id-mismatch", "unresolved-reference"}
    unresolved = found["unresolved-reference"]
    assert unresolved.message == "no claim has the id 'gov-tlatlaya-release-impartial'"
    assert unresolved.hint == (
        f"the file data/{rel} is named for it but holds the id 'gov-release' (see its "
        "id-mismatch error)"
    )


def test_a_misnamed_record_of_another_kind_is_not_offered_for_a_reference(
    sample_copy: Sample,
) -> None:
    """A claim file named as the case a reference wants says nothing of that case."""
    sample_copy.edit(CASE, "id: tlatlaya", "id: tlatlaya-killings")
    text = sample_copy.read(CLAIM).replace("id: cso-torture-complaints", "id: claim-x")
    sample_copy.write("claims/tlatlaya.yaml", text)
    sample_copy.path(CLAIM).unlink()
    hints = {d.hint for d in sample_copy.diagnostics() if d.code == "unresolved-reference"}
    assert hints == {
        f"the file data/{CASE} is named for it but holds the id 'tlatlaya-killings' (see its "
        "id-mismatch error)"
    }


def test_duplicate_id_in_another_folder(sample_copy: Sample) -> None:
    shutil.copy(sample_copy.path(CLAIM), sample_copy.path("claims/mx-gov-2018"))
    found = sample_copy.only()
    assert (found.path, *where(found)) == (
        "data/claims/mx-gov-2018/cso-torture-complaints.yaml",
        "duplicate-id",
        1,
        5,
        "id",
    )
    assert f"data/{CLAIM}" in found.message


def test_duplicate_id_across_kinds(sample_copy: Sample) -> None:
    text = sample_copy.read("cases/ayotzinapa.yaml").replace("id: ayotzinapa", f"id: {'x' * 3}")
    sample_copy.write("cases/xxx.yaml", text)
    claim = sample_copy.read(CLAIM).replace("id: cso-torture-complaints", "id: xxx")
    sample_copy.write("claims/xxx.yaml", claim)
    found = sample_copy.only()
    assert (found.path, *where(found)) == ("data/claims/xxx.yaml", "duplicate-id", 1, 5, "id")


# -- one mistake, one diagnostic ------------------------------------------------------------------


def test_a_broken_record_does_not_make_references_to_it_unresolved(sample_copy: Sample) -> None:
    # Four records name the case tlatlaya; only the case itself is reported.
    sample_copy.edit(CASE, "kind: incident", "kind: incidnt")
    found = sample_copy.only()
    assert (found.path, found.code) == (f"data/{CASE}", "invalid-value")


def test_a_broken_source_hides_neither_itself_nor_others(sample_copy: Sample) -> None:
    sample_copy.edit(SOURCE, "  sha256: 6762", "  sha256: X762")
    result = sample_copy.load()
    assert [(d.path, *where(d)) for d in result.diagnostics] == [
        (f"data/{SOURCE}", "invalid-value", 12, 11, "archive.sha256"),
    ]
    # The rest of the ledger is still there.
    assert "cso-memo-2017" in result.ledger.sources
    assert "gov-tlatlaya-release-impartial" in result.ledger.claims


def test_an_unparsable_record_does_not_make_references_to_it_unresolved(
    sample_copy: Sample,
) -> None:
    sample_copy.edit(CASE, "kind: incident", "kind: [incident")
    assert sample_copy.only().code == "yaml-syntax"


def test_every_problem_in_every_file_in_one_run_sorted_by_path_and_line(
    sample_copy: Sample,
) -> None:
    sample_copy.edit(CLAIM, "kind: figure", "kind: figur")
    sample_copy.edit(CLAIM, 'as_of: "2016"', "as_of: 2016-05-01")
    sample_copy.edit(CASE, "place: Tlatlaya", "plase: Tlatlaya")
    sample_copy.write("cases/atenco.yml", "id: atenco\n")
    sample_copy.edit(SOURCE, "kind: government-statement", "kind: government")
    found = sample_copy.diagnostics()
    assert [(d.path, d.code, d.line) for d in found] == [
        ("data/cases/atenco.yml", "misplaced-file", 0),
        (f"data/{CASE}", "unknown-field", 7),
        (f"data/{CLAIM}", "invalid-value", 6),
        (f"data/{CLAIM}", "unquoted-date", 11),
        (f"data/{SOURCE}", "invalid-value", 6),
    ]
    assert found == sorted(found, key=lambda d: (d.path, d.line, d.column))
