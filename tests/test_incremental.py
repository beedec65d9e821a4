"""Loading after a few files changed: only those are read and only their quotes searched, yet
every result is exactly that of a load with no cache."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

import ledger.analysis.quotes as quotes_module
from conftest import PAST, Sample, age, layout_for, make_old
from ledger.records.load import LoadResult, load
from ledger.records.pipeline import load as plain_load

CLAIM = "claims/cso-tlatlaya-no-arrest-warrants.yaml"
CLAIM_ID = "cso-tlatlaya-no-arrest-warrants"


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The quotes actually searched for (not answered by the memo)."""
    found: list[str] = []
    real = quotes_module.place_quote

    def spy(quote: str, archive: quotes_module.ArchiveIndex):  # type: ignore[no-untyped-def]
        found.append(quote)
        return real(quote, archive)

    monkeypatch.setattr(quotes_module, "place_quote", spy)
    return found


def state(result: LoadResult) -> dict[str, Any]:
    """Everything a load yields, in comparable form."""
    assert result.fatal is None, result.fatal
    return {
        "diagnostics": [(d.sort_key(), d.hint, d.field) for d in result.diagnostics],
        "records": {
            kind: {rid: r.model_dump() for rid, r in table.items()}
            for kind, table in result.ledger.tables().items()
        },
        "order": {kind: list(table) for kind, table in result.ledger.tables().items()},
        "paths": dict(result.ledger.paths),
        "unloaded": sorted(result.unloaded),
        "texts": dict(result.ledger.source_texts),
        "files": result.files,
    }


def same_as_cold(sample: Sample) -> LoadResult:
    """Load through the cache, and check it against a load with no cache at all."""
    warm = load(layout_for(sample.root))
    cold = plain_load(layout_for(sample.root))
    assert state(warm) == state(cold)
    return warm


def codes(result: LoadResult) -> list[tuple[str, str]]:
    return [(d.path, d.code) for d in result.diagnostics]


@pytest.fixture
def primed(sample_copy: Sample) -> Sample:
    """A sample copy whose cache holds everything (files aged so they are trusted)."""
    age(sample_copy.root)
    same_as_cold(sample_copy)
    same_as_cold(sample_copy)  # the second answered wholly from the cache
    return sample_copy


def settle(sample: Sample, *rels: str) -> None:
    """Age files just written, as if they had been written a while ago."""
    for rel in rels:
        make_old(sample.path(rel), PAST + 60)


def test_an_unchanged_ledger_reads_and_searches_nothing(
    primed: Sample, files_read: list[str], searches: list[str]
) -> None:
    load(layout_for(primed.root))
    assert files_read == [] and searches == []


def test_an_edited_file_is_read_again_and_its_problem_appears(
    primed: Sample, files_read: list[str], searches: list[str]
) -> None:
    primed.edit(CLAIM, "kind: assessment", "kind: assessmant")
    settle(primed, CLAIM)
    result = load(layout_for(primed.root))
    assert files_read == [f"data/{CLAIM}"]
    assert searches == []
    assert codes(result) == [(f"data/{CLAIM}", "invalid-value")]
    assert CLAIM_ID not in result.ledger.claims
    same_as_cold(primed)
    primed.edit(CLAIM, "kind: assessmant", "kind: allegation")
    settle(primed, CLAIM)
    result = same_as_cold(primed)
    assert codes(result) == []
    assert result.ledger.claims[CLAIM_ID].kind.value == "allegation"


def test_an_edit_within_the_racy_window_is_seen_and_not_trusted(
    primed: Sample, files_read: list[str]
) -> None:
    primed.edit(CLAIM, "kind: assessment", "kind: allegation")  # just written: racy
    assert load(layout_for(primed.root)).ledger.claims[CLAIM_ID].kind.value == "allegation"
    files_read.clear()
    load(layout_for(primed.root))
    assert files_read == [f"data/{CLAIM}"]  # not trusted from the cache: read again
    same_as_cold(primed)


def test_a_deleted_file_disappears(primed: Sample) -> None:
    primed.path(CLAIM).unlink()
    result = same_as_cold(primed)
    assert CLAIM_ID not in result.ledger.claims
    assert f"data/{CLAIM}" not in result.ledger.paths.values()


def test_a_new_file_appears(primed: Sample, files_read: list[str]) -> None:
    text = primed.read(CLAIM).replace(f"id: {CLAIM_ID}", "id: cso-new-claim")
    primed.write("claims/cso-new-claim.yaml", text)
    settle(primed, "claims/cso-new-claim.yaml")
    result = same_as_cold(primed)
    assert files_read[0] == "data/claims/cso-new-claim.yaml"
    assert result.ledger.paths["cso-new-claim"] == "data/claims/cso-new-claim.yaml"


def test_a_duplicate_id_is_reported_as_a_cold_load_reports_it(primed: Sample) -> None:
    primed.write("claims/aaa-copy.yaml", primed.read(CLAIM))  # sorts before the original
    settle(primed, "claims/aaa-copy.yaml")
    result = same_as_cold(primed)
    assert sorted(codes(result)) == [
        ("data/claims/aaa-copy.yaml", "duplicate-id"),
        ("data/claims/aaa-copy.yaml", "id-mismatch"),
    ]
    assert result.ledger.paths[CLAIM_ID] == f"data/{CLAIM}"
    # The original goes; the copy, now alone, owns the id (with its name still wrong).
    primed.path(CLAIM).unlink()
    result = same_as_cold(primed)
    assert codes(result) == [("data/claims/aaa-copy.yaml", "id-mismatch")]
    assert result.ledger.paths[CLAIM_ID] == "data/claims/aaa-copy.yaml"


def test_a_broken_quote_is_reported_as_a_cold_load_reports_it(
    primed: Sample, searches: list[str]
) -> None:
    primed.edit(CLAIM, "failure to obtain arrest", "failure to obtain any arrest")
    settle(primed, CLAIM)
    result = same_as_cold(primed)
    assert codes(result) == [(f"data/{CLAIM}", "quote-not-found")]
    searches.clear()
    again = load(layout_for(primed.root))
    assert searches == []  # the failed search is remembered too
    assert state(again) == state(result)


def test_an_archive_edit_searches_its_quotes_again(primed: Sample, searches: list[str]) -> None:
    archive = primed.path("sources/cso-memo-2017.txt")
    text = archive.read_text(encoding="utf-8")
    edited = text.replace("failure to obtain arrest warrants", "failure to get arrest warrants")
    assert edited != text
    archive.write_text(edited, encoding="utf-8")
    old = "3748759865bcbdc0fab93b09c7b0d6ed4d5bfc71eafff4f5b9d201ba192368fa"
    new = hashlib.sha256(edited.encode("utf-8")).hexdigest()
    primed.edit("sources/cso-memo-2017.yaml", old, new)  # pinned anew: the archive is intact
    settle(primed, "sources/cso-memo-2017.txt", "sources/cso-memo-2017.yaml")
    searches.clear()
    result = same_as_cold(primed)
    assert (f"data/{CLAIM}", "quote-not-found") in codes(result)
    assert {code for _path, code in codes(result)} == {"quote-not-found"}
    assert any("arrest" in quote for quote in searches)


def test_an_archive_edit_without_a_new_pin_is_reported(primed: Sample) -> None:
    archive = primed.path("sources/cso-memo-2017.txt")
    archive.write_text(archive.read_text(encoding="utf-8") + "\nappended\n", encoding="utf-8")
    settle(primed, "sources/cso-memo-2017.txt")
    result = same_as_cold(primed)
    assert codes(result) == [("data/sources/cso-memo-2017.yaml", "archive-hash")]


def test_many_changes_at_once_match_a_cold_load(primed: Sample) -> None:
    primed.edit(CLAIM, "kind: assessment", "kind: assessmant")
    primed.path("claims/cso-torture-complaints.yaml").unlink()
    primed.write("claims/stray.yaml", "id: [unclosed\n")
    primed.write("cases/tlatlaya-copy.yaml", primed.read("cases/tlatlaya.yaml"))
    settle(primed, CLAIM, "claims/stray.yaml", "cases/tlatlaya-copy.yaml")
    first = same_as_cold(primed)
    assert first.diagnostics
    second = same_as_cold(primed)  # now wholly from the cache
    assert state(second) == state(first)


def test_a_damaged_stored_record_is_read_again(primed: Sample, files_read: list[str]) -> None:
    import sqlite3

    from ledger.store.cache import CACHE_DIR, CACHE_FILE

    db = sqlite3.connect(primed.root / CACHE_DIR / CACHE_FILE)
    with db:
        db.execute("UPDATE records SET record = '{\"id\": 5}' WHERE rel = ?", (f"data/{CLAIM}",))
        db.execute("DELETE FROM results WHERE name LIKE 'loaded:%'")  # the whole, remembered
    db.close()
    files_read.clear()
    load(layout_for(primed.root))
    assert f"data/{CLAIM}" in files_read
    same_as_cold(primed)
