"""`ledger query`: the documented examples answer on the repository's data; the schema holds
every field of the models; statements that would write are refused, each with a clear error."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from builders import cso, gov, make_case, make_claim, make_ledger, make_requirement, make_source
from conftest import SAMPLE
from ledger.analysis.status import overview
from ledger.cli import app
from ledger.publish import sqlite_db
from ledger.records.model import RECORD_TYPES

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "query.md"


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(
        app, ["--root", str(root), "query", *args], env={"NO_COLOR": "1", "COLUMNS": "120"}
    )


def rows_of(root: Path, sql: str) -> tuple[list[str], list[list[Any]]]:
    result = run(root, "--format", "json", sql)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["format"], data["version"], data["sql"]) == ("ledger-query", 1, sql)
    return data["columns"], data["rows"]


def documented_examples() -> dict[str, str]:
    """The SQL of each example in docs/query.md's "Examples" section, by its heading."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("\n## Examples\n", 1)[1].split("\n## ", 1)[0]
    found = {}
    for block in section.split("\n### ")[1:]:
        title = block.split("\n", 1)[0]
        match = re.search(r"```sql\n(.*?)```", block, re.DOTALL)
        assert match, title
        found[title] = match.group(1).strip()
    return found


EXAMPLES = documented_examples()


def test_the_three_examples_are_documented() -> None:
    assert {
        "Claims per source and stance",
        "All figures about disappearances",
        "Contradictions by case",
    } <= set(EXAMPLES)


def test_claims_per_source_and_stance() -> None:
    columns, rows = rows_of(REPO, EXAMPLES["Claims per source and stance"])
    assert columns == ["source", "stance", "claims"]
    counts = {(source, stance): n for source, stance, n in rows}
    # the memo mostly undermines, and supports where it reports investigative results; the
    # government page never undermines a requirement
    assert counts[("cso-memo-2017", "undermines")] > counts[("cso-memo-2017", "supports")] > 0
    assert counts[("mx-gov-case-updates-2018", "supports")] > 0
    assert ("mx-gov-case-updates-2018", "undermines") not in counts
    assert rows == sorted(rows)


def test_figures_about_disappearances() -> None:
    columns, rows = rows_of(REPO, EXAMPLES["All figures about disappearances"])
    assert columns == ["value", "qualifier", "unit", "side", "claim_id"]
    found = {(value, unit, side, claim) for value, _, unit, side, claim in rows}
    assert (32142, "disappeared persons", "independent", "memo-32142-disappeared-persons") in found
    assert (43, "disappeared students", "independent", "memo-ayotzinapa-whereabouts-unknown") in (
        found
    )
    assert {side for _, _, side, _ in found} == {"independent", "obligor"}
    units = [unit.casefold() for _, _, unit, _, _ in rows]
    assert units == sorted(units)


def test_contradictions_by_case() -> None:
    columns, rows = rows_of(REPO, EXAMPLES["Contradictions by case"])
    assert columns == ["case_id", "left_claim", "right_claim", "declared_by"]
    assert {r[0] for r in rows} >= {"atenco"}
    for _, left, right, declared in rows:
        assert left.startswith("gov-") and right.startswith("memo-")  # the obligor's on the left
        assert declared in ("left", "right", "both")


def test_the_documented_outputs_match_the_command() -> None:
    """docs/query.md shows each example's table as the command prints it at 120 columns: the
    same header, and every row shown is still printed (the data may have grown since)."""
    text = DOC.read_text(encoding="utf-8")
    for title, sql in EXAMPLES.items():
        block = text.split(f"### {title}\n", 1)[1]
        shown = re.search(r"```text\n(.*?)```", block, re.DOTALL)
        assert shown, title
        documented = shown.group(1).splitlines()[:-1]  # the "N rows" line may change
        printed = [line.rstrip() for line in run(REPO, sql).stdout.splitlines()]
        assert printed[:2] == documented[:2], title
        missing = [line for line in documented[2:] if line not in printed]
        assert not missing, f"{title}: docs/query.md shows rows the command no longer prints"


def test_the_derived_tables_agree_with_ledger_status() -> None:
    from ledger.records.load import load
    from ledger.records.root import open_layout

    layout = open_layout(REPO)
    ledger = load(layout, check=False).ledger  # type: ignore[arg-type]
    _, rows = rows_of(REPO, "SELECT requirement_id, status, line FROM requirement_status")
    assert rows == [[r.id, r.status.value, r.line] for r in overview(ledger).rows]


def test_sides_in_sql_follow_whom_each_source_speaks_for() -> None:
    """A source's side across the ledger, and a claim's side on each requirement it bears on:
    another government speaking for itself is independent on a requirement judging Mexico,
    and the obligor's own on one judging itself."""
    us = make_source(
        "us-report", perspective="government", speaks_for="Government of the United States"
    )
    ledger = make_ledger(
        gov(),
        us,
        make_requirement("requirement-1"),
        make_requirement("requirement-2", obligor="Government of the United States"),
        make_claim("g", "gov-page", bears_on={"requirement-1": "supports"}),
        make_claim(
            "u", "us-report", bears_on=dict.fromkeys(["requirement-1", "requirement-2"], "supports")
        ),
    )
    conn = sqlite_db.connect(ledger)
    assert conn.execute("SELECT id, speaks_for, side FROM sources ORDER BY id").fetchall() == [
        ("gov-page", "Government of Mexico", "obligor"),
        ("us-report", "Government of the United States", "obligor"),  # it is judged here too
    ]
    assert conn.execute(
        "SELECT claim_id, requirement_id, side FROM claim_requirements ORDER BY 1, 2"
    ).fetchall() == [
        ("g", "requirement-1", "obligor"),
        ("u", "requirement-1", "independent"),
        ("u", "requirement-2", "obligor"),
    ]
    assert conn.execute("SELECT value FROM meta WHERE key = 'rule_version'").fetchone() == ("2",)


# -- the schema ----------------------------------------------------------------------------

FIELD_TABLES = {
    "sources": {"authors": "source_authors", "archive": "sources"},
    "requirements": {"cases": "requirement_cases"},
    "cases": {"aliases": "case_aliases", "requirements": "case_requirements"},
    "claims": {
        "cases": "claim_cases",
        "bears_on": "claim_requirements",
        "figures": "figures",
        "relations": "relations",
        "reviews": "claim_reviews",
    },
    "assertions": {},
}
"""Where each list or nested field of a record lives: a new model field must be added here,
and to the schema, or the next test fails."""


def test_every_model_field_has_a_place_in_the_schema() -> None:
    conn = sqlite_db.connect(make_ledger())
    columns = {
        table: {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    for kind, model in RECORD_TYPES.items():
        for name in model.model_fields:
            elsewhere = FIELD_TABLES[kind].get(name)
            assert name in columns[kind] or elsewhere in columns, (kind, name)


def test_every_table_lists_the_schema_columns_in_order() -> None:
    conn = sqlite_db.connect(make_ledger())
    for table in sqlite_db.tables(make_ledger()):
        declared = tuple(r[1] for r in conn.execute(f"PRAGMA table_info({table.name})"))
        assert table.columns == declared, table.name


def test_schema_prints_the_sql() -> None:
    result = run(SAMPLE, "--schema")
    assert result.exit_code == 0
    assert result.stdout.startswith(sqlite_db.SCHEMA)
    assert "CREATE VIRTUAL TABLE claims_fts" in result.stdout


# -- reading -------------------------------------------------------------------------------


def test_the_full_text_index_ignores_case_and_accents() -> None:
    _, rows = rows_of(
        REPO, "SELECT id FROM claims_fts WHERE claims_fts MATCH 'NOCHIXTLAN' ORDER BY 1"
    )
    ids = [r[0] for r in rows]
    assert ids and all("nochixtlan" in i for i in ids)


@pytest.mark.parametrize(
    "sql",
    [
        "PRAGMA table_info(claims)",
        "SELECT name FROM pragma_table_info('claims')",
        "SELECT sql FROM sqlite_master WHERE name = 'claims'",
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3) "
        "SELECT x FROM n",
    ],
)
def test_reading_statements_run(sql: str) -> None:
    _, rows = rows_of(SAMPLE, sql)
    assert rows


def test_csv_and_table_output() -> None:
    result = run(SAMPLE, "-f", "csv", "SELECT id, title, NULL AS empty FROM cases ORDER BY id")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "id,title,empty"
    assert lines[1].startswith("ayotzinapa,") and lines[1].endswith(",")
    table = run(SAMPLE, "SELECT id, date FROM cases ORDER BY id").stdout
    assert "ayotzinapa" in table and table.rstrip().endswith("3 rows")


def test_hostile_values_reach_the_terminal_harmless() -> None:
    ledger = make_ledger(
        cso(),
        gov(),
        make_requirement(),
        make_case(),
        make_claim("c1", quote="\x1b]0;pwned\x07 [link=http://x]y[/link]"),
    )
    result = sqlite_db.query(ledger, "SELECT quote FROM claims")
    assert result.rows == (("\x1b]0;pwned\x07 [link=http://x]y[/link]",),)  # exact in the data


# -- writes are refused --------------------------------------------------------------------

REFUSED = [
    "INSERT INTO claims (id) VALUES ('x')",
    "UPDATE claims SET quote = 'changed'",
    "DELETE FROM claims",
    "DROP TABLE claims",
    "ATTACH DATABASE '{tmp}/attached.db' AS other",
    "PRAGMA writable_schema = 1",
    "PRAGMA writable_schema = ON",
    "PRAGMA query_only = OFF",
    "CREATE TABLE t (a)",
    "CREATE TEMP VIEW v AS SELECT 1",
    "REPLACE INTO meta (key, value) VALUES ('format', 'x')",
    "WITH x AS (SELECT 1) INSERT INTO meta SELECT 'a', 'b'",
    "VACUUM INTO '{tmp}/copy.db'",
    "  /* a comment first */ DELETE FROM claims",
    "SELECT load_extension('x')",
    "BEGIN",
]


@pytest.mark.parametrize("sql", REFUSED)
def test_a_write_is_refused_with_a_clear_error(sql: str, tmp_path: Path) -> None:
    result = run(SAMPLE, sql.format(tmp=tmp_path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("ledger: refused: `ledger query` is read-only")
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # ATTACH and VACUUM INTO made no file


@pytest.mark.parametrize("sql", [*REFUSED, "UPDATE sqlite_master SET sql = ''"])
def test_nothing_changes_after_a_refused_statement(sql: str, tmp_path: Path) -> None:
    """On one connection: every refused statement leaves the database as it was, and the
    authorizer alone refuses what gets past the first-word check."""
    ledger = make_ledger(cso(), gov(), make_requirement(), make_case(), make_claim("c1"))
    database = sqlite_db.ReadOnly(sqlite_db.connect(ledger))
    before = database.run("SELECT id, quote FROM claims").rows
    with pytest.raises(sqlite_db.QueryError) as raised:
        database.run(sql.format(tmp=tmp_path))
    assert raised.value.refused or "may not be modified" in raised.value.message
    assert database.run("SELECT id, quote FROM claims").rows == before
    assert database.run("PRAGMA table_info(claims)").rows
    database.close()


def test_the_authorizer_refuses_writes_on_its_own() -> None:
    """Without the first-word check (a guard could be bypassed by syntax we did not foresee),
    the authorizer and query_only still refuse."""
    conn = sqlite_db.connect(make_ledger(cso()))
    database = sqlite_db.ReadOnly(conn)
    for sql in ("DELETE FROM sources", "DROP TABLE sources", "ATTACH ':memory:' AS x"):
        with pytest.raises(sqlite3.DatabaseError):
            conn.execute(sql)
    assert database.guard.denied
    assert conn.execute("SELECT count(*) FROM sources").fetchone() == (1,)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT 1; SELECT 2", "one SQL statement at a time"),
        ("SELEC 1", 'SQL error: near "SELEC": syntax error'),
        ("SELECT * FROM nowhere", "SQL error: no such table: nowhere"),
        ("   ", "give one SQL statement"),
    ],
)
def test_errors_are_one_line_and_exit_2(sql: str, message: str) -> None:
    result = run(SAMPLE, sql)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_without_fts5_the_index_is_a_plain_table() -> None:
    ledger = make_ledger(cso(), make_claim("c1", quote="The disappeared are sought."))
    database = sqlite_db.ReadOnly(sqlite_db.connect(ledger, fts=False))
    assert database.run("SELECT value FROM meta WHERE key = 'fts'").rows == (("none",),)
    assert database.run("SELECT id FROM claims_fts WHERE quote LIKE '%disappeared%'").rows == (
        ("c1",),
    )
    with pytest.raises(sqlite_db.QueryError) as raised:
        database.run("SELECT id FROM claims_fts WHERE claims_fts MATCH 'x'")
    assert raised.value.message.startswith("SQL error:") and not raised.value.refused
    database.close()


def test_the_file_export_is_the_same_database(tmp_path: Path) -> None:
    target = tmp_path / "ledger.sqlite"
    result = CliRunner().invoke(app, ["--root", str(REPO), "export", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    conn = sqlite3.connect(target)
    try:
        for sql in EXAMPLES.values():
            _, expected = rows_of(REPO, sql)
            assert [list(r) for r in conn.execute(sql)] == expected
    finally:
        conn.close()


def test_a_native_tokenizer_pointer_can_be_neither_read_nor_registered() -> None:
    """fts3_tokenizer() hands out and accepts raw pointers (where SQLite has it): refused."""
    for sql in ("SELECT fts3_tokenizer('simple')", "SELECT fts3_tokenizer('x', x'41414141')"):
        result = run(SAMPLE, sql)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert "Traceback" not in result.stderr


# -- what other tools read: links, the search index, views -----------------------------------


def test_every_id_column_declares_the_table_it_names() -> None:
    database = sqlite_db.connect(make_ledger(cso(), make_claim("c1")))
    declared = {
        (table, row[3]): row[2]
        for (table,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        for row in database.execute(f"PRAGMA foreign_key_list('{table}')")
    }
    database.close()
    assert declared[("claims", "source")] == "sources"
    assert declared[("claim_requirements", "requirement_id")] == "requirements"
    assert declared[("relations", "target_id")] == "claims"
    assert declared[("contradiction_cases", "case_id")] == "cases"
    for (table, column), target in declared.items():  # an id column, and a kind it names
        assert column.endswith(("_id", "source", "_claim", "requirement", "case")), (table, column)
        assert target in ("sources", "requirements", "cases", "claims")
    assert declared[("assertions", "requirement")] == "requirements"
    assert declared[("assertions", "case")] == "cases"
    named_for_a_kind = {  # a column named for a kind, as `claims.source` is
        (table.split(" ", 1)[0], column)
        for table in sqlite_db.SCHEMA.split("CREATE TABLE ")[1:]
        for column in re.findall(r'^  "?(source|requirement|case|claim)"?\s', table, re.MULTILINE)
    }
    assert named_for_a_kind <= set(declared)
    id_columns = {
        (table, column)
        for table in sqlite_db.SCHEMA.split("CREATE TABLE ")[1:]
        for column in re.findall(r"^  (\w+_id|left_claim|right_claim)\s", table, re.MULTILINE)
        for table in [table.split(" ", 1)[0]]
    }
    assert id_columns <= set(declared)


def test_a_broken_reference_still_exports(tmp_path: Path) -> None:
    """The keys are declared, not enforced: validate reports the missing record."""
    ledger = make_ledger(cso(), make_claim("c1", source="no-such-source"))
    database = sqlite_db.ReadOnly(sqlite_db.connect(ledger))
    assert database.run("SELECT source FROM claims").rows == (("no-such-source",),)
    database.close()


def test_the_search_index_is_the_claims_tables_own() -> None:
    """A full-text table whose content is `claims`, one row per claim under the claim's rowid:
    what Datasette looks for to search a table (`?_search=`)."""
    ledger = make_ledger(
        cso(),
        make_claim("c1", quote="The disappeared are sought."),
        make_claim("c2", quote="Torture was reported."),
    )
    compacted = sqlite3.connect(":memory:")
    compacted.deserialize(sqlite_db.database_bytes(ledger))  # as the file export writes it
    for database in (sqlite_db.connect(ledger), compacted):
        sql = database.execute("SELECT sql FROM sqlite_master WHERE name = 'claims_fts'")
        assert 'content="claims"' in sql.fetchone()[0]  # as Datasette looks for it
        found = database.execute(
            "SELECT id FROM claims WHERE rowid IN "
            "(SELECT rowid FROM claims_fts WHERE claims_fts MATCH 'torture')"
        ).fetchall()
        database.close()
        assert found == [("c2",)]


def test_the_views_answer_the_common_questions() -> None:
    claim = "memo-32142-disappeared-persons"
    _, rows = rows_of(
        REPO,
        "SELECT requirement_id, stance, source_id, source_title, quote FROM evidence "
        f"WHERE claim_id = '{claim}'",
    )
    path = REPO / "data" / "claims" / "cso-memo-2017" / f"{claim}.yaml"
    record = RECORD_TYPES["claims"].model_validate(yaml.safe_load(path.read_text("utf-8")))
    assert [(r[0], r[1], r[2], r[4]) for r in rows] == [
        (req, stance.value, record.source, record.quote) for req, stance in record.bears_on.items()
    ]
    assert all(r[3] for r in rows)  # the source's title
    _, rows = rows_of(REPO, "SELECT count(*) FROM case_claims WHERE case_id = 'atenco'")
    assert rows[0][0] > 0
    _, pairs = rows_of(REPO, "SELECT left_claim, right_claim FROM contradiction_pairs")
    _, table = rows_of(REPO, "SELECT left_claim, right_claim FROM contradictions")
    assert sorted(pairs) == sorted(table) and pairs
