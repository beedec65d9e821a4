"""show, list, xref, conflicts, gaps, search, timeline and figures through the command line,
on the repository's own data and on small ledgers written to a temporary folder."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from conftest import broken_ids
from ledger.analysis import query
from ledger.analysis.xref import show, xref
from ledger.cli import app
from ledger.cli import query_cmds as cmds
from ledger.records.ledger import Ledger
from ledger.records.load import load, position_of
from ledger.records.root import Layout, open_layout

REPO = Path(__file__).resolve().parents[1]
WIDTH = 100


def run(root: Path, *args: str, columns: int = WIDTH) -> Result:
    """`ledger --root ROOT ARGS...` with stdout and stderr kept apart, at a fixed width."""
    return CliRunner().invoke(
        app, ["--root", str(root), *args], env={"COLUMNS": str(columns), "NO_COLOR": "1"}
    )


def ok(root: Path, *args: str, columns: int = WIDTH) -> str:
    result = run(root, *args, columns=columns)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def as_json(root: Path, *args: str) -> Any:
    """A command's JSON without its envelope, which is checked here."""
    data = json.loads(ok(root, *args, "--format", "json"))
    assert data.pop("format") == f"ledger-{args[0]}"
    assert data.pop("version") == 1
    return data


def flat(text: str) -> str:
    """Output with its wrapping undone, so a wrapped sentence reads as one line."""
    return " ".join(text.split())


def loaded(root: Path) -> Ledger:
    """The ledger the command line sees, for comparing its output with the library's."""
    layout = open_layout(root)
    assert isinstance(layout, Layout), layout
    return load(layout, check=False).ledger


# -- a small ledger on disk ----------------------------------------------------------------

LONG_QUOTE = (
    "The investigation into the killings at Tlatlaya has not produced a single arrest "
    "warrant for homicide, cover-up or alteration of evidence, and the order to kill that "
    "soldiers received has never been investigated by any civilian authority at all."
)

SOURCES: list[dict[str, Any]] = [
    {
        "id": "cso-memo",
        "title": "Memo of the civil society organizations",
        "authors": ["Centro Prodh"],
        "published": "2017",
        "kind": "memo",
        "perspective": "civil-society",
        "language": "en",
    },
    {
        "id": "gov-page",
        "title": "Updates on specific cases",
        "published": "2018-02",
        "kind": "government-statement",
        "perspective": "government",
        "speaks_for": "Government of Mexico",
        "language": "en",
    },
]
REQUIREMENTS: list[dict[str, Any]] = [
    {
        "id": "requirement-1",
        "title": "Civilian investigation and prosecution",
        "text": "Investigating and prosecuting violations of human rights in civilian courts.",
        "force": "condition",
        "obligor": "Government of Mexico",
        "instrument": "Appropriations Act, 2017",
        "fiscal_year": 2017,
        "source": "cso-memo",
        "locator": "REQUIREMENT 1",
        "cases": ["tlatlaya"],
    },
    {
        "id": "requirement-2",
        "title": "Search for the disappeared",
        "text": "Searching for the victims of forced disappearances.",
        "force": "condition",
        "obligor": "Government of Mexico",
        "instrument": "Appropriations Act, 2017",
        "fiscal_year": 2017,
        "source": "cso-memo",
        "locator": "REQUIREMENT 3",
    },
]
CASES: list[dict[str, Any]] = [
    {
        "id": "tlatlaya",
        "title": "Killings at Tlatlaya",
        "kind": "incident",
        "date": "2014-06-30",
        "summary": "Soldiers killed 22 people in a warehouse.",
        "requirements": ["requirement-1"],
    },
    {
        "id": "ayotzinapa",
        "title": "Disappearance of the 43 students",
        "kind": "incident",
        "aliases": ["Iguala"],
        "date": "2014-09",
        "summary": "Forty-three students disappeared in Guerrero.",
    },
    {
        "id": "nochixtlan",
        "title": "Nochixtlán",
        "kind": "incident",
        "date": "2016-06-19",
        "summary": "Police clashed with protesters.",
    },
]
CLAIMS: list[dict[str, Any]] = [
    {
        "id": "gov-tlatlaya-impartial",
        "source": "gov-page",
        "locator": "Section 3",
        "quote": "The investigation was impartial and complete.",
        "statement": "The government says the Tlatlaya investigation was impartial.",
        "kind": "official-act",
        "cases": ["tlatlaya"],
        "bears_on": {"requirement-1": "supports"},
        "as_of": "2018-01",
        "figures": [{"value": 15, "unit": "People killed", "qualifier": "about"}],
    },
    {
        "id": "cso-tlatlaya-no-warrants",
        "source": "cso-memo",
        "locator": "REQUIREMENT 1, paragraph 1",
        "quote": LONG_QUOTE,
        "statement": "The memo says no arrest warrant was obtained for the Tlatlaya killings.",
        "kind": "allegation",
        "cases": ["tlatlaya"],
        "bears_on": {"requirement-1": "undermines"},
        "as_of": "2017-08",
        "figures": [{"value": 22, "unit": "people killed"}],
        "relations": [{"contradicts": "gov-tlatlaya-impartial", "note": "impartial vs none"}],
    },
    {
        "id": "cso-ayotzinapa-43",
        "source": "cso-memo",
        "locator": "REQUIREMENT 4, paragraph 1",
        "quote": "the whereabouts of the 43 disappeared students",
        "statement": "The memo says the whereabouts of the 43 students are unknown.",
        "kind": "fact",
        "cases": ["ayotzinapa"],
        "bears_on": {"requirement-2": "undermines"},
        "figures": [{"value": 43, "unit": "disappeared students"}],
    },
    {
        "id": "cso-nochixtlan-clash",
        "source": "cso-memo",
        "locator": "Introduction, paragraph 2",
        "quote": "Police clashed with protesters in Asunción Nochixtlán, Oaxaca.",
        "statement": "The memo reports the clash at Nochixtlán.",
        "kind": "fact",
        "cases": ["nochixtlan"],
        "bears_on": {"requirement-1": "context"},
        "as_of": "2016-06-19",
    },
]


def write_ledger(
    root: Path,
    *,
    sources: Iterable[Mapping[str, Any]] = SOURCES,
    requirements: Iterable[Mapping[str, Any]] = REQUIREMENTS,
    cases: Iterable[Mapping[str, Any]] = CASES,
    claims: Iterable[Mapping[str, Any]] = CLAIMS,
) -> Path:
    """A ledger on disk: ledger.toml, one YAML file per record, each source's archived text
    (the quotes and requirement wording it holds) pinned by its SHA-256."""
    claims, requirements = list(claims), list(requirements)
    (root / "ledger.toml").write_text('[ledger]\ndata = "data"\n', encoding="utf-8")
    for source in sources:
        quoted = [c["quote"] for c in claims if c["source"] == source["id"]]
        quoted += [r["text"] for r in requirements if r["source"] == source["id"]]
        archived = ("\n\n".join(quoted) + "\n").encode()
        folder = root / "data" / "sources"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{source['id']}.txt").write_bytes(archived)
        record = {
            **source,
            "archive": {
                "path": f"{source['id']}.txt",
                "sha256": hashlib.sha256(archived).hexdigest(),
            },
        }
        _write(root, "sources", record)
    for kind, records in (("requirements", requirements), ("cases", cases), ("claims", claims)):
        for record in records:
            _write(root, kind, record)
    return root


def _write(root: Path, kind: str, record: Mapping[str, Any]) -> None:
    folder = root / "data" / kind
    folder.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(dict(record), allow_unicode=True, sort_keys=False, width=1000)
    (folder / f"{record['id']}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write_ledger(tmp_path)


def test_the_small_ledger_is_valid(small: Path) -> None:
    result = run(small, "validate")
    assert result.exit_code == 0, result.stderr
    assert set(loaded(small).claims) == {c["id"] for c in CLAIMS}


# -- show ----------------------------------------------------------------------------------


def test_show_on_the_real_data_accepts_a_prefix_and_lists_what_points_to_it() -> None:
    out = ok(REPO, "show", "ayotz")
    ledger = loaded(REPO)
    assert out.splitlines()[0].split() == ["case", "ayotzinapa"]
    assert "Referenced by" in out
    for link in xref(ledger, "ayotzinapa").inbound:
        assert link.from_id in out


def test_root_may_follow_the_command_name(tmp_path: Path) -> None:
    env = {"COLUMNS": str(WIDTH), "LEDGER_ROOT": str(tmp_path)}  # not a ledger: --root wins
    result = CliRunner().invoke(app, ["show", "ayotz", "--root", str(REPO), "-f", "json"], env=env)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["id"] == "ayotzinapa"


def test_show_json_is_the_library_view_on_the_real_data() -> None:
    ledger = loaded(REPO)
    layout = open_layout(REPO)
    assert isinstance(layout, Layout)
    for record_id in (next(iter(ledger.claims)), next(iter(ledger.sources)), "requirement-1"):
        position = position_of(layout, ledger, record_id)
        assert (position is None) == (record_id in ledger.sources)
        expected = show(ledger, record_id, position=position).to_dict()
        assert as_json(REPO, "show", record_id) == expected


def test_show_looks_up_its_quote_search_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`show` of one claim places its quote from the one remembered search it needs, not
    by reading every search the ledger remembers (77,000 of them at 100,000 claims)."""
    from conftest import age, repository_ledger
    from ledger.store.cache import NO_CACHE_ENV, Cache

    root = repository_ledger(tmp_path / "ledger")
    age(root)
    assert run(root, "validate").exit_code == 0  # every search remembered
    asked: list[str] = []
    real_all, real_one = Cache.quote_matches, Cache.quote_match
    monkeypatch.setattr(Cache, "quote_matches", lambda *a: asked.append("all") or real_all(*a))
    monkeypatch.setattr(Cache, "quote_match", lambda *a: asked.append("one") or real_one(*a))
    claims = sorted(p.stem for p in (root / "data" / "claims").rglob("*.yaml"))
    for claim in (claims[0], claims[len(claims) // 2], "requirement-2"):
        del asked[:]
        found = as_json(root, "show", claim)
        assert asked == ["one"], claim
        assert found["position"] is not None
        monkeypatch.setenv(NO_CACHE_ENV, "1")
        assert found == as_json(root, "show", claim)
        monkeypatch.delenv(NO_CACHE_ENV)


def test_show_prints_every_field_and_the_whole_quote(small: Path) -> None:
    out = ok(small, "show", "cso-tlatlaya")
    text = flat(out)
    assert out.splitlines()[0].split() == ["claim", "cso-tlatlaya-no-warrants"]
    assert "data/claims/cso-tlatlaya-no-warrants.yaml" in out
    assert LONG_QUOTE in text
    assert "requirement-1: undermines" in text
    assert "contradicts: gov-tlatlaya-impartial; note: impartial vs none" in text
    assert "value: 22; unit: people killed" in text


def test_show_lists_inbound_links_with_their_role(small: Path) -> None:
    data = as_json(small, "show", "gov-tlatlaya-impartial")
    assert data["kind"] == "claims"
    assert data["record"]["bears_on"] == {"requirement-1": "supports"}
    assert [(i["from_id"], i["role"], i["detail"]) for i in data["inbound"]] == [
        ("cso-tlatlaya-no-warrants", "contradicts", "impartial vs none")
    ]
    out = ok(small, "show", "gov-tlatlaya-impartial")
    referenced_by = out.split("Referenced by (1)")[1]
    assert referenced_by.split("\n")[3].split()[:3] == [
        "contradicts",
        "cso-tlatlaya-no-warrants",
        "claim",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["show", "tlatlyaa"],
        ["xref", "tlatlyaa"],
        ["conflicts", "tlatlyaa"],
        ["timeline", "tlatlyaa"],
        ["list", "claims", "--case", "tlatlyaa"],
    ],
)
def test_an_unknown_id_exits_2_with_did_you_mean(small: Path, args: list[str]) -> None:
    for root in (small, REPO):
        result = run(root, *args)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert "did you mean tlatlaya?" in result.stderr


def test_list_help_names_every_kind_it_lists_and_an_unknown_kind_is_refused(
    small: Path,
) -> None:
    help_text = " ".join(run(small, "list", "--help").stdout.split())
    refused = run(small, "list", "widgets")

    assert "sources, requirements, cases, claims or assertions" in help_text
    assert refused.exit_code == 2
    assert refused.stderr == (
        "ledger: unknown kind 'widgets': expected one of sources, requirements, cases, claims, "
        "assertions\n"
    )
    for kind in cmds.LIST_KINDS:
        assert run(REPO, "list", kind, "--ids").exit_code == 0


def test_a_unique_prefix_is_enough_and_an_ambiguous_one_names_the_candidates(
    small: Path,
) -> None:
    assert as_json(small, "show", "cso-t")["id"] == "cso-tlatlaya-no-warrants"
    result = run(small, "show", "gov")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "'gov' is ambiguous: it begins gov-page, gov-tlatlaya-impartial" in result.stderr


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("ledger show ayotz", "ayotzinapa"),
        ("ledger xref requirement-", "requirement-1"),
        ("ledger timeline tlat", "tlatlaya"),
        ("ledger conflicts nochix", "nochixtlan"),
        ("ledger list claims --case nochix", "nochixtlan"),
        ("ledger list cla", "claims"),
    ],
)
def test_ids_and_kinds_tab_complete(words: str, expected: str) -> None:
    env = {
        "LEDGER_ROOT": str(REPO),
        "_LEDGER_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    result = CliRunner().invoke(app, [], env=env, prog_name="ledger")
    assert result.exit_code == 0
    assert expected in result.stdout.split()


# -- xref ----------------------------------------------------------------------------------


def test_xref_json_is_the_library_view_on_the_real_data() -> None:
    ledger = loaded(REPO)
    for record_id in ("requirement-4", "ayotzinapa", next(iter(ledger.claims))):
        assert as_json(REPO, "xref", record_id) == xref(ledger, record_id).to_dict()


def test_xref_names_both_directions(small: Path) -> None:
    out = ok(small, "xref", "tlatlaya")
    outbound, inbound = out.split("Referenced by")
    assert "requirement   requirement-1" in outbound
    for claim_id in ("cso-tlatlaya-no-warrants", "gov-tlatlaya-impartial"):
        assert claim_id in inbound
    assert "requirement-1" in inbound  # the requirement names the case too


def test_xref_of_a_missing_record_shows_who_points_at_it(tmp_path: Path) -> None:
    stale = {**CLAIMS[2], "id": "cso-stale", "relations": [{"repeats": "ghost-claim"}]}
    root = write_ledger(tmp_path, claims=[*CLAIMS, stale])
    data = as_json(root, "xref", "ghost-claim")
    assert data["kind"] is None
    assert [(i["from_id"], i["role"]) for i in data["inbound"]] == [("cso-stale", "repeats")]
    assert "no record has this id" in ok(root, "xref", "ghost-claim")
    assert run(root, "xref", "ghost").exit_code == 2  # a prefix of a missing id is not enough


# -- list ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sources", "requirements", "cases", "claims"])
def test_list_json_is_the_library_listing_on_the_real_data(kind: str) -> None:
    ledger = loaded(REPO)
    assert as_json(REPO, "list", kind) == query.list_records(ledger, kind).to_dict()
    out = ok(REPO, "list", kind.removesuffix("s"))
    for record_id in ledger.tables()[kind]:
        assert record_id in out


def test_list_filters_on_the_real_data_match_the_library() -> None:
    ledger = loaded(REPO)
    expected = query.list_records(ledger, "claims", case="nochixtlan", perspective="government")
    data = as_json(REPO, "list", "claims", "--case", "nochix", "--perspective", "government")
    assert data == expected.to_dict()
    assert data["records"], "the government speaks about Nochixtlán"


def test_list_claims_combines_filters(small: Path) -> None:
    def ids(*args: str) -> list[str]:
        return [r["id"] for r in as_json(small, "list", "claims", *args)["records"]]

    assert ids() == sorted(c["id"] for c in CLAIMS)
    assert ids("--perspective", "government") == ["gov-tlatlaya-impartial"]
    assert ids("--requirement", "requirement-1", "--stance", "undermines") == [
        "cso-tlatlaya-no-warrants"
    ]
    assert ids("--stance", "context") == ["cso-nochixtlan-clash"]
    assert ids("--source", "cso", "--kind", "fact") == ["cso-ayotzinapa-43", "cso-nochixtlan-clash"]
    assert ids("--case", "ayotz") == ["cso-ayotzinapa-43"]


def test_list_other_kinds_through_their_claims(small: Path) -> None:
    def ids(kind: str, *args: str) -> list[str]:
        return [r["id"] for r in as_json(small, "list", kind, *args)["records"]]

    assert ids("cases", "--perspective", "government") == ["tlatlaya"]
    assert ids("cases", "--requirement", "requirement-1") == ["nochixtlan", "tlatlaya"]
    assert ids("sources", "--case", "ayotzinapa") == ["cso-memo"]
    assert ids("requirements", "--stance", "undermines") == ["requirement-1", "requirement-2"]


def test_list_human_shows_each_claim_with_its_facts(small: Path) -> None:
    out = ok(small, "list", "claims", "--case", "tlatlaya")
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["cso-tlatlaya-no-warrants", "allegation"]
    assert "requirement-1 undermines" in lines[0]
    assert "The memo says no arrest warrant" in lines[1]
    assert lines[-1] == "2 claims (case tlatlaya)"
    empty = ok(small, "list", "claims", "--case", "ayotzinapa", "--stance", "supports")
    assert empty.strip() == "0 claims (case ayotzinapa, stance supports)"


def test_list_csv_has_every_field_and_whole_quotes(small: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(ok(small, "list", "claims", "--format", "csv"))))
    assert [r["id"] for r in rows] == sorted(c["id"] for c in CLAIMS)
    row = next(r for r in rows if r["id"] == "cso-tlatlaya-no-warrants")
    assert row["quote"] == LONG_QUOTE
    assert row["bears_on"] == "requirement-1=undermines"
    assert row["cases"] == "tlatlaya"
    assert json.loads(row["relations"]) == CLAIMS[1]["relations"]
    assert row["attributed_to"] == ""
    sources = list(csv.reader(io.StringIO(ok(small, "list", "sources", "-f", "csv"))))
    assert sources[0][:3] == ["id", "title", "authors"]
    assert sources[1][:3] == ["cso-memo", "Memo of the civil society organizations", "Centro Prodh"]


def test_list_csv_on_the_real_data_keeps_every_quote_whole() -> None:
    ledger = loaded(REPO)
    rows = list(csv.DictReader(io.StringIO(ok(REPO, "list", "claims", "-f", "csv"))))
    assert len(rows) == len(ledger.claims)
    for row in rows:
        assert row["quote"] == ledger.claims[row["id"]].quote


def test_list_rejects_a_bad_kind_or_filter_value_with_the_allowed_values(small: Path) -> None:
    result = run(small, "list", "widgets")
    assert result.exit_code == 2
    assert "sources, requirements, cases, claims" in result.stderr
    result = run(small, "list", "claims", "--stance", "maybe")
    assert result.exit_code == 2
    assert "'supports', 'undermines', 'context'" in result.stderr
    assert result.stdout == ""
    result = run(small, "list", "claims", "--perspective", "goverment")
    assert result.exit_code == 2
    assert "'government'" in result.stderr


# -- conflicts -----------------------------------------------------------------------------


def test_conflicts_on_the_real_data_match_the_library() -> None:
    ledger = loaded(REPO)
    assert as_json(REPO, "conflicts") == query.conflicts(ledger).to_dict()
    assert as_json(REPO, "conflicts", "tlat") == query.conflicts(ledger, "tlatlaya").to_dict()
    assert ok(REPO, "conflicts")


def test_conflicts_put_the_two_claims_side_by_side(small: Path) -> None:
    data = as_json(small, "conflicts")
    assert len(data["pairs"]) == 1
    pair = data["pairs"][0]
    assert (pair["left"]["id"], pair["right"]["id"]) == (
        "gov-tlatlaya-impartial",
        "cso-tlatlaya-no-warrants",
    )
    assert pair["right"]["quote"] == LONG_QUOTE
    out = ok(small, "conflicts")
    assert out.startswith("1 contradiction\n")
    row = next(line for line in out.splitlines() if "gov-tlatlaya-impartial" in line)
    assert row.index("gov-tlatlaya-impartial") < row.index("cso-tlatlaya-no-warrants")
    assert "note: impartial vs none" in out
    words = flat(out)
    for word in LONG_QUOTE.split():
        assert word in words


@pytest.mark.parametrize(
    ("record_id", "pairs"),
    [("tlatlaya", 1), ("requirement-1", 1), ("gov-page", 1), ("nochixtlan", 0)],
)
def test_conflicts_touching_a_record(small: Path, record_id: str, pairs: int) -> None:
    assert len(as_json(small, "conflicts", record_id)["pairs"]) == pairs
    if not pairs:
        assert ok(small, "conflicts", record_id).strip() == (
            f"No contradictions recorded touching {record_id}."
        )


# -- gaps ----------------------------------------------------------------------------------


def test_gaps_on_the_real_data_match_the_library() -> None:
    ledger = loaded(REPO)
    report = query.gaps(ledger)
    assert as_json(REPO, "gaps") == report.to_dict()
    out = ok(REPO, "gaps")
    for gap in report.gaps:
        assert gap.message in flat(out)


def test_gaps_name_the_holes_by_kind(small: Path) -> None:
    data = as_json(small, "gaps")
    found = {(g["kind"], g["subject"]) for g in data["gaps"]}
    assert ("one-sided-case", "ayotzinapa") in found
    assert ("undated-claim", "cso-ayotzinapa-43") in found
    assert data["counts"]["undated-claim"] == 1
    out = ok(small, "gaps")
    assert "undated-claim (1)\n  - claim cso-ayotzinapa-43 has no as_of date" in out


def test_gaps_of_one_kind(small: Path) -> None:
    data = as_json(small, "gaps", "--kind", "undated-claim")
    assert data["counts"] == {"undated-claim": 1}
    assert [g["subject"] for g in data["gaps"]] == ["cso-ayotzinapa-43"]
    assert "one-sided" not in ok(small, "gaps", "--kind", "undated-claim")


# -- search --------------------------------------------------------------------------------


def test_search_real_data_ignores_accents_and_finds_aliases() -> None:
    hits = as_json(REPO, "search", "nochixtlan")["hits"]
    assert ("nochixtlan", "title") in {(h["id"], h["field"]) for h in hits}
    hits = as_json(REPO, "search", "IGUALA")["hits"]
    assert ("ayotzinapa", "aliases") in {(h["id"], h["field"]) for h in hits}
    ledger = loaded(REPO)
    assert as_json(REPO, "search", "iguala") == query.search(ledger, "iguala").to_dict()
    out = ok(REPO, "search", "iguala")
    assert out.splitlines()[0] == f"{len(hits)} matches for \u201ciguala\u201d"
    assert "ayotzinapa  case \u00b7 aliases" in out


def test_search_takes_several_words_as_one_phrase(small: Path) -> None:
    data = as_json(small, "search", "asuncion", "NOCHIXTLAN")
    assert data["query"] == "asuncion NOCHIXTLAN"
    assert [(h["id"], h["field"]) for h in data["hits"]] == [("cso-nochixtlan-clash", "quote")]
    out = ok(small, "search", "asuncion", "NOCHIXTLAN")
    assert "Asunción Nochixtlán" in out
    assert "The memo reports the clash at Nochixtlán." in out  # the claim, for context


def test_search_finds_a_case_by_alias_and_accentless_title(small: Path) -> None:
    assert [h["id"] for h in as_json(small, "search", "iguala")["hits"]] == ["ayotzinapa"]
    hits = as_json(small, "search", "nochixtlan")["hits"]
    assert ("nochixtlan", "title") in {(h["id"], h["field"]) for h in hits}
    assert (
        ok(small, "search", "no such phrase").strip() == "0 matches for \u201cno such phrase\u201d"
    )


@pytest.mark.parametrize("phrase", ["", "   ", "\u200b", "\u00ad \t", "\u0301"])
def test_search_refuses_a_blank_phrase(small: Path, phrase: str) -> None:
    result = run(small, "search", phrase)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "ledger: give the words to find: a blank phrase matches nothing\n"


# -- timeline ------------------------------------------------------------------------------


def test_timeline_on_the_real_data_matches_the_library() -> None:
    ledger = loaded(REPO)
    report = query.timeline(ledger)
    assert as_json(REPO, "timeline") == report.to_dict()
    out = ok(REPO, "timeline")
    positions = [out.index(e.id) for e in report.events if e.kind == "case"]
    assert positions == sorted(positions)
    assert as_json(REPO, "timeline", "ayotz") == query.timeline(ledger, "ayotzinapa").to_dict()


def test_timeline_is_in_date_order_whatever_the_precision(small: Path) -> None:
    data = as_json(small, "timeline")
    ids = [e["id"] for e in data["events"]]
    assert ids == [
        "tlatlaya",  # 2014-06-30
        "ayotzinapa",  # 2014-09
        "nochixtlan",  # 2016-06-19: a case before a claim of the same date
        "cso-nochixtlan-clash",
        "cso-memo",  # 2017: a year sorts at its start
        "cso-tlatlaya-no-warrants",  # 2017-08
        "gov-tlatlaya-impartial",  # 2018-01
        "gov-page",  # 2018-02
    ]
    assert data["undated"] == ["cso-ayotzinapa-43"]
    out = ok(small, "timeline")
    assert [out.index(i) for i in ids] == sorted(out.index(i) for i in ids)
    assert "1 claim without as_of" in out


def test_timeline_of_a_case(small: Path) -> None:
    data = as_json(small, "timeline", "tlatlaya")
    assert data["record_id"] == "tlatlaya"
    assert [e["id"] for e in data["events"]] == [
        "tlatlaya",
        "cso-memo",
        "cso-tlatlaya-no-warrants",
        "gov-tlatlaya-impartial",
        "gov-page",
    ]
    assert "cso-nochixtlan-clash" not in ok(small, "timeline", "tlatlaya")


# -- figures -------------------------------------------------------------------------------


def test_figures_on_the_real_data_match_the_library() -> None:
    ledger = loaded(REPO)
    report = query.figures(ledger)
    assert as_json(REPO, "figures") == report.to_dict()
    rows = list(csv.DictReader(io.StringIO(ok(REPO, "figures", "--format", "csv"))))
    total = sum(len(s.figures) for g in report.groups for s in g.sources)
    assert len(rows) == total
    out = ok(REPO, "figures")
    for group in report.groups:  # headed by its units as the claims write them
        assert f"\n{'; '.join(group.units)}\n" in f"\n{out}"


def test_competing_figures_sit_together(small: Path) -> None:
    data = as_json(small, "figures", "--unit", "people")
    assert [g["key"] for g in data["groups"]] == ["people killed"]
    (group,) = data["groups"]
    assert group["units"] == ["People killed", "people killed"]
    assert [s["source"] for s in group["sources"]] == ["cso-memo", "gov-page"]
    out = ok(small, "figures", "--unit", "people")
    assert "disappeared" not in out
    assert "about 15" in out and "22" in out
    rows = list(csv.reader(io.StringIO(ok(small, "figures", "-f", "csv"))))
    assert rows[0] == list(cmds._FIGURE_COLUMNS)
    assert [r[0] for r in rows[1:]] == ["disappeared student", "people killed", "people killed"]
    assert rows[3][2:6] == ["about", "15", "", "gov-page"]
    assert ok(small, "figures", "--unit", "tonnes").strip() == (
        "No figures with a unit matching 'tonnes'."
    )


# -- layout --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["show", "cso-tlatlaya"],
        ["list", "claims"],
        ["list", "sources"],
        ["xref", "tlatlaya"],
        ["conflicts"],
        ["gaps"],
        ["search", "the"],
        ["timeline"],
        ["figures"],
    ],
)
def test_piped_human_output_at_a_narrow_width_cuts_no_quote_and_splits_no_id(
    small: Path, args: list[str]
) -> None:
    """Piped output is not wrapped (issue #19: hard wraps at the width broke ids and left
    continuations unindented), so it no longer fits 50 columns; a table that does not fit
    is printed a row to a block. Nothing is cut, and no id is broken across lines."""
    out = ok(small, *args, columns=50)
    if args[0] in ("show", "conflicts"):
        assert LONG_QUOTE in flat(out)
    assert broken_ids(out, {p.stem for p in (small / "data").rglob("*.yaml")}) == []


# -- hostile text --------------------------------------------------------------------------

HOSTILE = "[bold]x[/bold] [link=https://evil]y[/link] \x1b[31mred \x1b]0;title\x07 \u202eabc quote"


def strings(data: Any) -> Iterable[str]:
    """Every string in parsed JSON."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """The small ledger with hostile text in quotes, statements, a title, a note and a unit."""
    claims = [dict(c) for c in CLAIMS]
    claims[1]["quote"] = HOSTILE
    claims[1]["relations"] = [{"contradicts": "gov-tlatlaya-impartial", "note": HOSTILE}]
    claims[3].update(
        quote=HOSTILE,
        statement=f"Statement {HOSTILE}",
        figures=[{"value": 1, "unit": f"unit {HOSTILE}"}],
    )
    cases = [dict(c) for c in CASES]
    cases[2]["title"] = f"Case {HOSTILE}"
    return write_ledger(tmp_path, claims=claims, cases=cases)


HOSTILE_COMMANDS = (
    ["show", "cso-nochixtlan-clash"],
    ["show", "nochixtlan"],
    ["search", "red"],
    ["list", "claims"],
    ["list", "cases"],
    ["xref", "gov-tlatlaya-impartial"],
    ["conflicts"],
    ["timeline"],
    ["figures"],
)


@pytest.mark.parametrize(
    "args",
    [
        *([*args, "--format", output] for args in HOSTILE_COMMANDS for output in ("human", "json")),
        ["list", "claims", "--format", "csv"],
        ["figures", "--format", "csv"],
    ],
)
def test_hostile_text_reaches_stdout_harmless_and_visible(hostile: Path, args: list[str]) -> None:
    out = ok(hostile, *args)
    output = args[-1]
    for bad in ("\x1b", "\x07", "\u202e"):
        assert bad not in out
    if output == "json":
        assert "\\u001b" in out and "\\u202e" in out
        assert any(HOSTILE in value for value in strings(json.loads(out)))
    else:
        assert "[bold]x[/bold]" in out
        assert "[link=https://evil]y[/link]" in out
        assert "\\x1b[31mred" in out
        assert "\\x1b]0;title\\x07" in out
        assert "<U+202E>abc" in out


@pytest.mark.parametrize(
    ("words", "kinds"),
    [
        ("ledger status requirement-", {"requirements"}),
        ("ledger status ", {"requirements", "cases"}),
        ("ledger review memo-a", {"claims"}),
        ("ledger link memo-atenco-torture-of-eleven-women corroborates memo-", {"claims"}),
        ("ledger show requirement-", {"requirements", "assertions"}),
    ],
)
def test_completion_offers_only_the_ids_a_command_takes(words: str, kinds: set[str]) -> None:
    """`status` completes what has a status, `review` and `link` claims, `show` anything."""
    env = {
        "LEDGER_ROOT": str(REPO),
        "_LEDGER_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    }
    result = CliRunner().invoke(app, [], env=env, prog_name="ledger")
    assert result.exit_code == 0
    offered = set(result.stdout.split())
    ledger = loaded(REPO)
    expected = {
        record_id
        for kind in kinds
        for record_id in ledger.tables().get(kind, {})
        if record_id.startswith(words.split(" ")[-1])
    }
    assert offered == expected and offered
