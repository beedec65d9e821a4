"""The loaded ledger remembered whole: a second load of an unchanged ledger reads no file's
outcome, gives exactly what a plain load gives, and a row that does not read back, a file
that had not settled, or a revision is never answered from it."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

import ledger.load as load_module
from conftest import Sample, age, layout_for
from ledger import loaded_state
from ledger.cache import CACHE_DIR, CACHE_FILE
from ledger.load import load
from ledger.pipeline import load as plain_load
from test_content_cache import comparable

CLAIM = "claims/cso-torture-complaints.yaml"


@pytest.fixture
def outcome_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times each load went through every file's stored outcome."""
    calls: list[int] = []
    real = load_module._outcomes

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(load_module, "_outcomes", spy)
    return calls


def rows(sample: Sample) -> list[tuple[str, str]]:
    with sqlite3.connect(sample.root / CACHE_DIR / CACHE_FILE) as db:
        return list(db.execute("SELECT name, fingerprint FROM results WHERE name LIKE 'loaded:%'"))


def troubled(sample: Sample) -> None:
    """A broken file, a duplicated id and a misnamed record: what reading and admitting
    report must come back with the records."""
    sample.write("claims/broken.yaml", "id: [unclosed\n")
    sample.write("claims/copy.yaml", sample.read(CLAIM))
    text = sample.read("cases/tlatlaya.yaml")
    sample.write("cases/elsewhere.yaml", text)


@pytest.mark.parametrize("check", [False, True])
def test_an_unchanged_ledger_is_loaded_from_one_row(
    sample_copy: Sample, outcome_reads: list[int], check: bool
) -> None:
    troubled(sample_copy)
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    plain = comparable(plain_load(layout, check=check))

    first = comparable(load(layout, check=False))  # a question: it remembers the ledger
    second = comparable(load(layout, check=check))

    assert first == comparable(plain_load(layout, check=False))
    assert second == plain
    assert outcome_reads == [1]  # the second load read no file's outcome
    assert len(rows(sample_copy)) == 1
    assert plain["diagnostics"]  # the trouble was reported, both times


def test_a_load_with_checks_does_not_write_it(sample_copy: Sample) -> None:
    age(sample_copy.root)
    load(layout_for(sample_copy.root))  # as `validate` does, after every edit
    assert rows(sample_copy) == []


def test_an_edit_is_loaded_again_and_remembered_in_place(
    sample_copy: Sample, outcome_reads: list[int]
) -> None:
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    load(layout, check=False)
    before = rows(sample_copy)
    sample_copy.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    age(sample_copy.root)

    edited = load(layout, check=False)

    assert edited.ledger.claims["cso-torture-complaints"].bears_on["requirement-2"] == "supports"
    assert outcome_reads == [1, 1]
    after = rows(sample_copy)
    assert len(after) == 1 and after != before  # one state kept: the newest
    assert comparable(load(layout)) == comparable(plain_load(layout))
    assert outcome_reads == [1, 1]


def test_a_row_that_does_not_read_back_is_not_used(
    sample_copy: Sample, outcome_reads: list[int]
) -> None:
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    load(layout, check=False)
    with sqlite3.connect(sample_copy.root / CACHE_DIR / CACHE_FILE) as db:
        db.execute(
            "UPDATE results SET value = replace(value, 'undermines', 'supports') WHERE name = ?",
            (loaded_state.NAME,),
        )

    assert comparable(load(layout)) == comparable(plain_load(layout))
    assert outcome_reads == [1, 1]  # the seal no longer held: every outcome was read


def test_a_ledger_with_a_file_just_written_is_not_remembered(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    load(layout_for(sample_copy.root), check=False)
    assert rows(sample_copy) == []
