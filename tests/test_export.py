"""`ledger export`: every format complete (the records come back whole), deterministic (the
same bytes twice), in the shapes docs/export.md describes; the command line's choices of
format, kind and destination."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from builders import (
    gov,
    make_assertion,
    make_case,
    make_claim,
    make_ledger,
    make_requirement,
    make_source,
)
from conftest import SAMPLE, Sample, layout_for
from ledger.cli import app
from ledger.publish import export as ex
from ledger.publish.sqlite_db import tables
from ledger.records.ledger import Ledger
from ledger.records.load import load
from ledger.records.model import RECORD_TYPES, Assertion, Case, Claim, Requirement, Source
from ledger.records.root import Layout, open_layout

REPO = Path(__file__).resolve().parents[1]


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["--root", str(root), *args], env={"NO_COLOR": "1"})


def loaded(root: Path) -> Ledger:
    layout = open_layout(root)
    assert isinstance(layout, Layout), layout
    result = load(layout, check=False)
    assert result.fatal is None
    return result.ledger


@pytest.fixture(scope="module")
def real() -> Ledger:
    ledger = loaded(REPO)
    assert len(ledger.claims) > 100 and ledger.requirements
    return ledger


def hostile() -> Ledger:
    """Text that breaks careless writers: markup, escapes, formulas, quotes, line breaks."""
    return make_ledger(
        make_source("cso-memo", title='Memo "quoted", with; separators\nand a line break'),
        gov("gov-page"),
        make_requirement("requirement-1", cases=["tlatlaya"], notes='=HYPERLINK("x")'),
        make_case("tlatlaya", aliases=["<b>bold</b>", "Tlatlaya, México"], date="2014-06-30"),
        make_claim(
            "c1",
            "cso-memo",
            quote="<script>alert(1)</script> | *star* [link](x) \x1b[31mred\x1b[0m \u202eevil",
            bears_on={"requirement-1": "undermines"},
            cases=["tlatlaya"],
            figures=[{"value": 22, "unit": "people"}, {"value": 2.5, "unit": "%"}],
            relations=[{"contradicts": "g1", "note": "both\nlines"}],
            attributed_to="@CNDH",
        ),
        make_claim(
            "g1",
            "gov-page",
            bears_on={"requirement-1": "supports"},
            relations=[{"responds-to": "c1"}],
            reviews=[{"by": "Ana", "date": "2024-01-02", "fingerprint": "a" * 64}],
        ),
        make_assertion(
            "a1",
            case="tlatlaya",
            asserted_by="=cmd|' /C calc'!A0",
            reason="<b>held</b> | *so* \x1b[31mred\x1b[0m",
        ),
    )


def records_from_json(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every record of a JSON export, validated back into the models, by kind and id."""
    return {
        kind: {d["id"]: RECORD_TYPES[kind].model_validate(d) for d in data[kind]}
        for kind in ex.RECORD_KINDS
    }


# -- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["real", "hostile"])
def test_the_json_export_reloads_to_the_same_records(which: str, real: Ledger) -> None:
    ledger = real if which == "real" else hostile()
    data = json.loads(ex.export_json(ledger))
    assert (data["format"], data["version"]) == ("ledger-export", 1)
    back = records_from_json(data)
    for kind in ex.RECORD_KINDS:
        table = ledger.tables()[kind]
        assert list(back[kind]) == list(table), kind
        for record_id, record in table.items():
            assert back[kind][record_id] == record, record_id
            assert back[kind][record_id].model_dump() == record.model_dump(), record_id
    assert data["paths"] == ledger.paths


def test_the_json_export_through_the_command_line_reloads(tmp_path: Path, real: Ledger) -> None:
    target = tmp_path / "ledger.json"
    result = run(REPO, "export", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    back = records_from_json(json.loads(target.read_text(encoding="utf-8")))
    assert back["claims"] == real.claims
    assert back["cases"] == real.cases
    assert back["requirements"] == real.requirements
    assert back["sources"] == real.sources
    # stdout gives the same document
    assert run(REPO, "export").stdout == target.read_text(encoding="utf-8")


def test_every_field_is_in_the_json_even_when_unset() -> None:
    data = json.loads(ex.export_json(hostile()))
    for kind, model in RECORD_TYPES.items():
        names = [info.alias or name for name, info in model.model_fields.items()]
        for record in data[kind]:
            assert list(record) == names, kind
    relation = data["claims"][0]["relations"][0]
    assert relation == {
        "contradicts": "g1",
        "corroborates": None,
        "responds-to": None,
        "repeats": None,
        "note": "both\nlines",
    }


def test_the_json_export_carries_the_derived_statuses(real: Ledger) -> None:
    from ledger.analysis.status import overview

    derived = json.loads(ex.export_json(real))["derived"]
    by_id = {row["requirement_id"]: row for row in derived["requirement_status"]}
    for row in overview(real).rows:
        assert by_id[row.id]["status"] == row.status.value
        assert by_id[row.id]["independent_undermines"] == row.independent_undermines
    assert {"case_status", "contradictions", "contradiction_cases"} <= set(derived)


def test_the_jsonl_export_is_one_record_a_line() -> None:
    ledger = hostile()
    lines = ex.export_jsonl(ledger).splitlines()
    assert len(lines) == sum(len(t) for t in ledger.tables().values())
    seen = []
    for line in lines:
        item = json.loads(line)
        assert list(item) == ["kind", "id", "path", "record", "position"]
        model = RECORD_TYPES[item["kind"]]
        assert model.model_validate(item["record"]) == ledger.get(item["id"])
        assert item["path"] == ledger.paths[item["id"]]
        seen.append((item["kind"], item["id"]))
    assert seen == [(k, i) for k in ex.RECORD_KINDS for i in ledger.tables()[k]]
    only = ex.export_jsonl(ledger, "cases").splitlines()
    assert [json.loads(x)["id"] for x in only] == ["tlatlaya"]


def rebuild(conn: sqlite3.Connection) -> Ledger:
    """The records read back from the SQLite tables alone: proof they hold everything."""

    def rows(sql: str, *args: Any) -> list[sqlite3.Row]:
        return list(conn.execute(sql, args))

    def listed(table: str, owner: str, value: str, record_id: str) -> list[Any]:
        return [
            r[0]
            for r in rows(
                f"SELECT {value} FROM {table} WHERE {owner} = ? ORDER BY position", record_id
            )
        ]

    def fields(row: sqlite3.Row, *leave_out: str) -> dict[str, Any]:
        return {k: v for k, v in zip(row.keys(), tuple(row), strict=True) if k not in leave_out}

    conn.row_factory = sqlite3.Row
    ledger = Ledger()
    for r in rows("SELECT * FROM sources ORDER BY id"):
        data = fields(r, "side", "path", "archive_path")
        data["archive"] = {"path": r["archive_path"], "sha256": data.pop("archive_sha256")}
        data["authors"] = listed("source_authors", "source_id", "author", r["id"])
        ledger.add("sources", Source.model_validate(_set(data)), r["path"])
    for r in rows("SELECT * FROM requirements ORDER BY id"):
        data = fields(r, "path")
        data["cases"] = listed("requirement_cases", "requirement_id", "case_id", r["id"])
        ledger.add("requirements", Requirement.model_validate(_set(data)), r["path"])
    for r in rows("SELECT * FROM cases ORDER BY id"):
        data = fields(r, "path")
        data["aliases"] = listed("case_aliases", "case_id", "alias", r["id"])
        data["requirements"] = listed("case_requirements", "case_id", "requirement_id", r["id"])
        ledger.add("cases", Case.model_validate(_set(data)), r["path"])
    for r in rows("SELECT * FROM claims ORDER BY id"):
        data = fields(r, "path")
        data["cases"] = listed("claim_cases", "claim_id", "case_id", r["id"])
        data["bears_on"] = {
            x["requirement_id"]: x["stance"]
            for x in rows(
                "SELECT * FROM claim_requirements WHERE claim_id = ? ORDER BY position", r["id"]
            )
        }
        data["figures"] = [
            {k: x[k] for k in ("value", "unit", "qualifier", "note")}
            for x in rows("SELECT * FROM figures WHERE claim_id = ? ORDER BY position", r["id"])
        ]
        data["relations"] = [
            {x["kind"]: x["target_id"], "note": x["note"]}
            for x in rows("SELECT * FROM relations WHERE claim_id = ? ORDER BY position", r["id"])
        ]
        data["reviews"] = [
            {k: x[k] for k in ("by", "date", "fingerprint")}
            for x in rows(
                "SELECT * FROM claim_reviews WHERE claim_id = ? ORDER BY position", r["id"]
            )
        ]
        ledger.add("claims", Claim.model_validate(_set(data)), r["path"])
    for r in rows("SELECT * FROM assertions ORDER BY id"):
        ledger.add("assertions", Assertion.model_validate(_set(fields(r, "path"))), r["path"])
    return ledger


def _set(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out what is NULL, as a record file leaves out an unset field."""
    return {
        k: ([_set(i) if isinstance(i, dict) else i for i in v] if isinstance(v, list) else v)
        for k, v in data.items()
        if v is not None
    }


@pytest.mark.parametrize("which", ["real", "hostile"])
def test_the_sqlite_export_holds_every_record_whole(
    which: str, real: Ledger, tmp_path: Path
) -> None:
    ledger = real if which == "real" else hostile()
    target = tmp_path / "ledger.sqlite"
    assert ex.write_export(target, ex.export_sqlite(ledger)) is None
    conn = sqlite3.connect(target)
    try:
        back = rebuild(conn)
    finally:
        conn.close()
    for kind in ex.RECORD_KINDS:
        assert back.tables()[kind] == ledger.tables()[kind], kind
    assert back.paths == ledger.paths


def test_csv_files_are_the_query_tables(tmp_path: Path) -> None:
    ledger = hostile()
    files = ex.export_csv_files(ledger)
    expected = tables(ledger)
    assert list(files) == [f"{t.name}.csv" for t in expected]
    for table in expected:
        parsed = list(csv.reader(io.StringIO(files[f"{table.name}.csv"])))
        assert tuple(parsed[0]) == table.columns
        assert len(parsed) - 1 == len(table.rows), table.name
    claims = list(csv.DictReader(io.StringIO(files["claims.csv"])))
    c1 = next(c for c in claims if c["id"] == "c1")
    # markup stays text, escapes are visible, the formula-looking cell is defused
    assert c1["quote"].startswith("<script>alert(1)</script> | *star*")
    assert "\x1b" not in c1["quote"] and "\\x1b[31mred" in c1["quote"]
    assert "\u202e" not in c1["quote"] and "<U+202E>evil" in c1["quote"]
    assert c1["attributed_to"] == "'@CNDH"
    requirements = list(csv.DictReader(io.StringIO(files["requirements.csv"])))
    assert requirements[0]["notes"] == '\'=HYPERLINK("x")'
    sources = list(csv.DictReader(io.StringIO(files["sources.csv"])))
    assert sources[0]["title"] == 'Memo "quoted", with; separators\nand a line break'
    links = list(csv.DictReader(io.StringIO(files["claim_requirements.csv"])))
    assert [(r["claim_id"], r["requirement_id"], r["stance"]) for r in links] == [
        ("c1", "requirement-1", "undermines"),
        ("g1", "requirement-1", "supports"),
    ]
    figures = list(csv.DictReader(io.StringIO(files["figures.csv"])))
    assert [f["value"] for f in figures] == ["22", "2.5"]


def test_markdown_lists_every_record_with_distinct_footnotes(real: Ledger) -> None:
    text = ex.export_markdown(real)
    for kind in ex.RECORD_KINDS:
        for record_id in real.tables()[kind]:
            assert f"\n#### {record_id}\n" in text.replace("\\-", "-"), record_id
    for req_id in real.requirements:
        assert f"\n### {req_id}: " in text
    definitions = re.findall(r"^\[\^(r\d+-\d+)\]:", text, re.MULTILINE)
    assert definitions and len(definitions) == len(set(definitions))
    references = set(re.findall(r"(?<!\\)\[\^(r\d+-\d+)\](?!:)", text))
    assert references == set(definitions)


def test_markdown_escapes_the_data() -> None:
    text = ex.export_markdown(hostile())
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\*star\\*" in text


# -- determinism ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("ledger.json", ()),
        ("ledger.jsonl", ()),
        ("ledger.md", ()),
        ("ledger.sqlite", ()),
        ("claims.csv", ("--kind", "claims")),
    ],
)
def test_two_exports_are_byte_identical(name: str, args: tuple[str, ...], tmp_path: Path) -> None:
    first, second = tmp_path / "a" / name, tmp_path / "b" / name
    for target in (first, second):
        target.parent.mkdir()
        result = run(REPO, "export", "-o", str(target), *args)
        assert result.exit_code == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()
    assert len(first.read_bytes()) > 1000


def test_two_csv_folders_are_byte_identical(tmp_path: Path) -> None:
    for name in ("a", "b"):
        result = run(REPO, "export", "--format", "csv", "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(f"{n}.csv" for n in ex.table_names())
    for file_name in names:
        assert (tmp_path / "a" / file_name).read_bytes() == (
            tmp_path / "b" / file_name
        ).read_bytes()


# -- the command line ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("out.json", lambda b: json.loads(b)["format"] == "ledger-export"),
        ("out.jsonl", lambda b: json.loads(b.splitlines()[0])["kind"] == "sources"),
        ("out.md", lambda b: b.startswith(b"# Ledger export\n")),
        ("out.db", lambda b: b.startswith(b"SQLite format 3\x00")),
    ],
)
def test_the_format_follows_the_file_name(name: str, check: Any, tmp_path: Path) -> None:
    result = run(SAMPLE, "export", "-o", str(tmp_path / name))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert check((tmp_path / name).read_bytes())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "json", "-o", "x.csv"), "does not match"),
        (("-o", "x.txt"), "cannot tell the format"),
        (
            (
                "--format",
                "sqlite",
            ),
            "binary",
        ),
        (
            (
                "--format",
                "csv",
            ),
            "one table",
        ),
        (("-o", "x.csv"), "one table"),
        (("--format", "csv", "--kind", "nonsense"), "unknown table"),
        (("--kind", "nonsense"), "unknown kind"),
        (("--format", "markdown", "--kind", "claims"), "--kind applies"),
    ],
)
def test_usage_errors_exit_2(
    args: tuple[str, ...], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(SAMPLE, "export", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_one_kind_to_stdout() -> None:
    data = json.loads(run(SAMPLE, "export", "--kind", "cases").stdout)
    assert data["kind"] == "cases" and "claims" not in data and "derived" not in data
    assert [c["id"] for c in data["cases"]] == sorted(loaded(SAMPLE).cases)
    rows = list(
        csv.DictReader(
            io.StringIO(run(SAMPLE, "export", "-f", "csv", "--kind", "claim_cases").stdout)
        )
    )
    assert rows and set(rows[0]) == {"claim_id", "position", "case_id"}


def test_an_export_is_never_written_through_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text("keep", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(outside)
    result = run(SAMPLE, "export", "-o", str(link))
    assert result.exit_code == 2
    assert "not a regular file" in result.stderr
    assert outside.read_text(encoding="utf-8") == "keep"


def test_an_export_never_lands_in_the_data_folder(sample_copy: Sample) -> None:
    archive = sample_copy.root / "data" / "sources" / "cso-memo-2017.txt"
    before = archive.read_bytes()
    for args in (["-f", "sqlite", "-o", str(archive)], ["-f", "csv", "-o", str(archive.parent)]):
        result = run(sample_copy.root, "export", *args)

        assert result.exit_code == 2
        assert "inside the ledger's data folder" in result.stderr
    assert archive.read_bytes() == before
    assert sorted(p.suffix for p in archive.parent.iterdir()) == [".txt", ".txt", ".yaml", ".yaml"]


def test_an_export_to_dash_goes_to_stdout(sample_copy: Sample) -> None:
    result = run(sample_copy.root, "export", "-f", "json", "-o", "-")

    assert result.exit_code == 0
    assert json.loads(result.stdout)["format"] == "ledger-export"
    assert not (Path.cwd() / "-").exists()


@pytest.mark.parametrize("options", [{"by_alias": True}, {"by_alias": True, "exclude_none": True}])
def test_records_dumped_together_are_as_each_dumped_alone(options: dict[str, bool]) -> None:
    """Records of the ledger, every kind mixed, dumped in one call per run of a kind: the
    very data each record's own dump gives, in order."""
    from ledger.records.model import records_data

    ledger = load(layout_for(SAMPLE), check=False).ledger
    records = [r for table in ledger.tables().values() for r in table.values()]
    mixed = records[::2] + records[1::2]
    for subset in (records, mixed, records[:1], []):
        assert records_data(subset, **options) == [
            r.model_dump(mode="json", **options) for r in subset
        ]
