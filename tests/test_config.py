"""ledger.toml: every key declared and documented, and every mistake in it a diagnostic at
its line and column that stops every command (exit 2), as `ledger validate` reports it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import Sample, run, where
from ledger.records.config import KEYS, SECTIONS, About, Defaults, parse_config
from ledger.records.root import Layout, RootError, read_marker

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "ledger-toml.md"

CASES = {
    "unknown-key": (
        '[ledger]\ndata = "data"\ndta = "data"\n',
        "ledger.toml:3:1: error[config-unknown-key]: unknown key 'dta' in [ledger]\n"
        "  field: ledger.dta\n"
        '  3 | dta = "data"\n'
        "    | ^\n"
        "  hint: did you mean 'data'? [ledger] takes: data\n",
    ),
    "unknown-section": (
        '[ledger]\ndata = "data"\n\n[default]\nobligor = "Government of Chile"\n',
        "ledger.toml:4:2: error[config-unknown-section]: unknown section [default]\n"
        "  field: default\n"
        "  4 | [default]\n"
        "    |  ^\n"
        "  hint: did you mean [defaults]? the sections are [ledger], [defaults], [review], "
        "[about]\n",
    ),
    "wrong-type": (
        '[ledger]\ndata = "data"\n[defaults]\n  fiscal_year = "2024"\n',
        "ledger.toml:4:3: error[config-wrong-type]: [defaults] fiscal_year must be an "
        "integer, not a string (in quotes)\n"
        "  field: defaults.fiscal_year\n"
        '  4 |   fiscal_year = "2024"\n'
        "    |   ^\n"
        "  hint: for example: fiscal_year = 2017\n",
    ),
    "bad-toml": (
        '[ledger]\ndata = "data"\n[defaults]\nobligor = Government of Chile\n',
        "ledger.toml:4:11: error[config-syntax]: ledger.toml is not valid TOML: invalid value\n"
        "  4 | obligor = Government of Chile\n"
        "    |           ^\n"
        '  hint: each line is a [section] header or a key = value pair; strings go in "double '
        'quotes"\n',
    ),
}


def broken(sample: Sample, text: str) -> Path:
    (sample.root / "ledger.toml").write_text(text, encoding="utf-8")
    return sample.root


@pytest.mark.parametrize("case", CASES)
def test_each_mistake_is_a_located_diagnostic_and_validate_exits_2(
    sample_copy: Sample, case: str
) -> None:
    text, expected = CASES[case]
    result = run(["--root", str(broken(sample_copy, text)), "validate"])

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == expected + "1 error, 0 warnings in 1 file checked\n"


@pytest.mark.parametrize("case", CASES)
def test_every_command_stops_with_the_same_diagnostic(sample_copy: Sample, case: str) -> None:
    text, expected = CASES[case]
    root = str(broken(sample_copy, text))
    new_case = ["new", "case", "--title", "T", "--kind", "other", "--summary", "S"]
    for args in (["status"], ["list", "claims"], ["show", "x"], ["fmt"], new_case):
        result = run(["--root", root, *args])
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", expected), args


def test_validate_reports_them_as_json_and_as_annotations(sample_copy: Sample) -> None:
    root = str(broken(sample_copy, '[ledger]\ndata = "data"\ncolour = true\n[site]\n'))

    as_json = run(["--root", root, "validate", "--format", "json"])
    assert as_json.exit_code == 2
    envelope = json.loads(as_json.stdout)
    assert envelope["summary"] == {"errors": 2, "warnings": 0, "files": 1}
    assert [(d["code"], d["path"], d["line"], d["column"]) for d in envelope["diagnostics"]] == [
        ("config-unknown-key", "ledger.toml", 3, 1),
        ("config-unknown-section", "ledger.toml", 4, 2),
    ]
    annotations = run(["--root", root, "validate", "--format", "github"])
    assert annotations.exit_code == 2
    assert annotations.stdout.splitlines() == [
        "::error file=ledger.toml,line=3,col=1,title=config-unknown-key::unknown key 'colour' "
        "in [ledger] (field ledger.colour). Hint: [ledger] takes: data",
        "::error file=ledger.toml,line=4,col=2,title=config-unknown-section::unknown section "
        "[site] (field site). Hint: the sections are [ledger], [defaults], [review], [about]",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('data = "data"\n', ("config-unknown-key", 1, 1, "put it under [ledger]")),
        ("[ledger.extra]\n", ("config-unknown-key", 1, 2, "[ledger] takes: data")),
        ('ledger.dat = "x"\n', ("config-unknown-key", 1, 8, "did you mean 'data'?")),
        ("[[ledger]]\n", ("config-wrong-type", 1, 3, "[ledger]")),
        ("[ledger]\ndata = 3\n", ("config-wrong-type", 2, 1, 'data = "data"')),
        ("[defaults]\nfiscal_year = true\n", ("config-wrong-type", 2, 1, "fiscal_year = 2017")),
        ("[site]\n", ("config-unknown-section", 1, 2, "the sections are [ledger], [defaults]")),
        ('[ledger]\ndata = ""\n', ("config-invalid-value", 2, 1, "or leave the key out")),
        ("[defaults]\nfiscal_year = 17\n", ("config-invalid-value", 2, 1, "fiscal_year = 2017")),
        ('[defaults]\nobligor = "a\\u001bb"\n', ("config-invalid-value", 2, 1, "plainly")),
        ('x = "unterminated', ("config-syntax", 1, 18, "double quotes")),
        ("a = 1\na = 2\n", ("config-syntax", 2, 6, "double quotes")),
    ],
)
def test_what_each_mistake_is_and_where(text: str, expected: tuple) -> None:
    _config, found = parse_config(text)
    assert len(found) == 1, found
    d = found[0]
    assert (d.code, d.line, d.column) == expected[:3]
    assert expected[3] in d.hint
    assert d.path == "ledger.toml"


def test_a_sound_file_gives_the_layout_and_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "ledger.toml").write_text(
        "# comments are fine\n[ledger]\ndata = 'records'\n\n[defaults]\n"
        'obligor = "Government of Chile"\ninstrument = "Ley 1"\nfiscal_year = 2024\n',
        encoding="utf-8",
    )
    layout = read_marker(tmp_path)
    assert isinstance(layout, Layout)
    assert layout.data == tmp_path / "records"
    assert layout.defaults == Defaults("Government of Chile", "Ley 1", 2024)
    assert read_marker_of(tmp_path, "") == Defaults()


def test_the_about_section_says_what_the_ledger_is_about(tmp_path: Path) -> None:
    (tmp_path / "ledger.toml").write_text(
        '[about]\ntitle = "Ley 1 ledger"\njudged = "Whether Chile met Ley 1"\n'
        'against = "Ley 1"\nby = "A research group"\ncontact = "x@example.org"\n',
        encoding="utf-8",
    )
    layout = read_marker(tmp_path)
    assert isinstance(layout, Layout)
    assert layout.about == About(
        "Ley 1 ledger", "Whether Chile met Ley 1", "Ley 1", "A research group", "x@example.org"
    )
    assert parse_config("")[0].about == About()  # every key may be left out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[about]\nauthor = "x"\n', ("config-unknown-key", 2, 1, "[about] takes: title")),
        ('[about]\ntitel = "x"\n', ("config-unknown-key", 2, 1, "did you mean 'title'?")),
        ("[about]\ntitle = 3\n", ("config-wrong-type", 2, 1, "title = ")),
        ('[about]\nby = "  "\n', ("config-invalid-value", 2, 1, "or leave the key out")),
        ('[about]\njudged = "a\\u202eb"\n', ("config-invalid-value", 2, 1, "plainly")),
        ('[abuot]\ntitle = "x"\n', ("config-unknown-section", 1, 2, "did you mean [about]?")),
    ],
)
def test_each_mistake_in_about_is_placed(text: str, expected: tuple) -> None:
    test_what_each_mistake_is_and_where(text, expected)


def test_the_repository_says_what_its_ledger_is_about() -> None:
    config, found = parse_config((REPO / "ledger.toml").read_text(encoding="utf-8"))
    assert found == []
    about = config.about
    assert about.title and about.judged and about.against and about.by
    assert "Government of Mexico" in about.judged and "2017" in about.against


def test_a_byte_order_mark_from_a_windows_editor_is_read_past(tmp_path: Path) -> None:
    defaults = read_marker_of(tmp_path, '\ufeff[defaults]\nobligor = "Government of Chile"\n')
    assert defaults.obligor == "Government of Chile"


def read_marker_of(folder: Path, text: str) -> Defaults:
    (folder / "ledger.toml").write_text(text, encoding="utf-8")
    layout = read_marker(folder)
    assert isinstance(layout, Layout), layout
    return layout.defaults


def test_the_one_line_message_names_the_first_mistake_and_counts_the_rest(tmp_path: Path) -> None:
    (tmp_path / "ledger.toml").write_text("a = 1\n[b]\n", encoding="utf-8")
    found = read_marker(tmp_path)
    assert isinstance(found, RootError)
    assert found.message == "ledger.toml:1:1: unknown key 'a' outside any section (and 1 more)"


def test_every_key_is_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f"\n## `[{section}]`\n" in docs, section
    documented = re.findall(r"^### `(\w+)`$", docs, re.M)
    assert documented == [key.name for key in KEYS]
    for key in KEYS:
        assert f"{key.name} = {key.example}" in docs, key.name
    assert "(docs/ledger-toml.md)" in (REPO / "README.md").read_text(encoding="utf-8")


def test_a_data_folder_other_than_the_bases_is_an_error_at_its_key() -> None:
    """Held to a base's policy (`validate --policy-from`), another data folder is an error at
    the `data` key; with no key (the default folder), at the start of the file."""
    from ledger.records.config import data_moved

    text = '[about]\ntitle = "T"\n\n[ledger]\ndata = "elsewhere"\n'
    moved = data_moved(text, "elsewhere", "data")
    assert moved is not None
    assert where(moved) == ("data-folder-moved", 5, 1, "ledger.data")
    assert moved.severity == "error"
    assert data_moved(text, "data", "data") is None
    unset = data_moved("", "data", "records")
    assert unset is not None
    assert where(unset) == ("data-folder-moved", 1, 1, "ledger.data")
