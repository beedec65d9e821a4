"""The loaded ledger remembered whole: a second load of an unchanged ledger reads no file's
outcome, gives exactly what a plain load gives, and a row that does not read back, a file
that had not settled, or a revision is never answered from it."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

import ledger.records.load as load_module
from conftest import Sample, age, git, layout_for
from ledger.git.revision import open_revision
from ledger.records.load import load
from ledger.records.pipeline import load as plain_load
from ledger.records.root import Layout
from ledger.store import loaded_state
from ledger.store.cache import CACHE_DIR, CACHE_FILE, open_cache
from test_content_cache import comparable
from test_diff import commit, flip_stance

CLAIM = "claims/cso-torture-complaints.yaml"


@pytest.fixture
def outcome_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times each load went through every file's stored outcome."""
    calls: list[int] = []
    real = load_module._outcomes

    def spy(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("only") is None:  # a pass over every file, not over a few changed
            calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(load_module, "_outcomes", spy)
    return calls


def rows(sample: Sample) -> list[tuple[str, str]]:
    """The remembered ledger's row and its state, its claims (their paths and index, and
    their records) kept beside it for the same."""
    with sqlite3.connect(sample.root / CACHE_DIR / CACHE_FILE) as db:
        found = dict(db.execute("SELECT name, fingerprint FROM results WHERE name LIKE 'loaded:%'"))
    whole = found.pop(loaded_state.NAME, None)
    apart = (loaded_state.CLAIMS_NAME, loaded_state.CLAIM_RECORDS_NAME)
    assert found == ({} if whole is None else dict.fromkeys(apart, whole))
    return [] if whole is None else [(loaded_state.NAME, whole)]


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


def test_a_load_with_checks_writes_it_only_when_there_is_none(
    sample_copy: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    load(layout)  # as `validate` does: the first time, it is written
    first = rows(sample_copy)
    assert len(first) == 1
    monkeypatch.setattr(loaded_state, "rebase_at", lambda files: 1)
    sample_copy.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    age(sample_copy.root)

    assert comparable(load(layout)) == comparable(plain_load(layout))
    assert rows(sample_copy) == first  # after an edit, `validate` writes nothing
    load(layout, check=False)
    assert rows(sample_copy) != first  # a question does, once the ledger drifted


def test_an_edit_reads_only_the_changed_file(
    sample_copy: Sample, outcome_reads: list[int], files_read: list[str]
) -> None:
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    load(layout, check=False)
    before = rows(sample_copy)
    sample_copy.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    sample_copy.write(
        "claims/added.yaml",
        sample_copy.read(CLAIM).replace("id: cso-torture-complaints", "id: added"),
    )
    (sample_copy.data / "claims/cso-tlatlaya-order-to-kill.yaml").unlink()
    files_read.clear()

    edited = {check: load(layout, check=check) for check in (False, True)}

    assert sorted(files_read) == sorted([f"data/{CLAIM}", "data/claims/added.yaml"] * 2)
    for check, result in edited.items():
        assert comparable(result) == comparable(plain_load(layout, check=check))
    claim = edited[False].ledger.claims["cso-torture-complaints"]
    assert claim.bears_on["requirement-2"] == "supports"
    assert outcome_reads == [1]  # no pass over every file's stored outcome
    assert rows(sample_copy) == before  # three files changed: too few to write it again


@pytest.fixture
def admissions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times a load admitted the ids of every file again."""
    calls: list[int] = []
    real = load_module.admit

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(load_module, "admit", spy)
    return calls


@pytest.mark.parametrize(
    ("change", "whole"),
    [
        ("edit", False),
        ("add", False),
        ("rename", False),
        ("remove", False),
        ("same id, another folder", True),
        ("misnamed", True),
        ("broken", True),
    ],
)
def test_changed_files_are_admitted_alone_unless_they_could_clash(
    sample_copy: Sample, admissions: list[int], change: str, whole: bool
) -> None:
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    load(layout, check=False)
    admissions.clear()
    text = sample_copy.read(CLAIM)
    if change == "edit":
        sample_copy.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    elif change == "add":
        sample_copy.write("claims/a-new-one.yaml", text.replace(CLAIM[7:-5], "a-new-one"))
    elif change == "rename":
        (sample_copy.data / CLAIM).unlink()
        sample_copy.write("claims/zz-renamed.yaml", text.replace(CLAIM[7:-5], "zz-renamed"))
    elif change == "remove":
        (sample_copy.data / CLAIM).unlink()
    elif change == "same id, another folder":
        sample_copy.write(f"claims/more/{CLAIM[7:]}", text)
    elif change == "misnamed":
        sample_copy.write("claims/misnamed.yaml", text)
    else:
        sample_copy.write(CLAIM, "id: [unclosed\n")

    assert comparable(load(layout, check=False)) == comparable(plain_load(layout, check=False))
    assert admissions == ([1] if whole else [])


def test_a_ledger_drifted_far_is_remembered_again(
    sample_copy: Sample, outcome_reads: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    load(layout, check=False)
    before = rows(sample_copy)
    monkeypatch.setattr(loaded_state, "rebase_at", lambda files: 1)
    sample_copy.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    age(sample_copy.root)

    assert comparable(load(layout, check=False)) == comparable(plain_load(layout, check=False))
    after = rows(sample_copy)
    assert len(after) == 1 and after != before  # one state kept: the newest
    assert comparable(load(layout, check=False)) == comparable(plain_load(layout, check=False))
    assert outcome_reads == [1]


@pytest.mark.parametrize("change", ["trouble", "marker"])
def test_an_earlier_state_serves_only_when_nothing_was_wrong_and_the_marker_is_the_same(
    sample_copy: Sample, outcome_reads: list[int], change: str
) -> None:
    if change == "trouble":
        troubled(sample_copy)
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    load(layout, check=False)
    sample_copy.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    if change == "marker":
        marker = sample_copy.root / "ledger.toml"
        marker.write_text(marker.read_text(encoding="utf-8") + "\n# edited\n", "utf-8")

    assert comparable(load(layout, check=False)) == comparable(plain_load(layout, check=False))
    assert outcome_reads == [1, 1]  # the earlier state could not serve: a whole load


@pytest.mark.parametrize("name", [loaded_state.NAME, loaded_state.CLAIMS_NAME])
def test_a_row_that_does_not_read_back_is_not_used(
    sample_copy: Sample, outcome_reads: list[int], name: str
) -> None:
    """The row, or the claims kept apart from it, changed outside the tool."""
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    load(layout, check=False)
    with sqlite3.connect(sample_copy.root / CACHE_DIR / CACHE_FILE) as db:
        changed = db.execute(
            "UPDATE results SET value = replace(value, 'tlatlaya', 'tlatlayb') WHERE name = ?",
            (name,),
        ).rowcount
    assert changed == 1
    loaded_state._READ.clear()  # the next run: a process that has read no row yet

    assert comparable(load(layout)) == comparable(plain_load(layout))
    assert outcome_reads == [1, 1]  # the seal no longer held: every outcome was read


def test_a_process_reads_the_row_again_only_when_it_is_written_again(
    sample_copy: Sample, outcome_reads: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Storing what a run read (the files' outcomes, a remembered output) writes the cache
    but not the row: the same row is not read and checked twice in one run. A row written
    again, by anyone, is read again."""
    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    load(layout, check=False)
    read: list[str] = []
    real = loaded_state._parse

    def counted(text: str, key: str) -> loaded_state.Remembered | None:
        read.append(key)
        return real(text, key)

    monkeypatch.setattr(loaded_state, "_parse", counted)
    loaded_state._READ.clear()
    load(layout, check=False)
    cache = open_cache(layout)
    assert cache is not None
    try:
        cache.store_result("elsewhere", "any", {"answer": 1})
    finally:
        cache.close()
    load(layout, check=False)
    assert len(read) == 1
    with sqlite3.connect(sample_copy.root / CACHE_DIR / CACHE_FILE) as db:
        db.execute("UPDATE results SET created = created + 1 WHERE name = ?", (loaded_state.NAME,))
    assert comparable(load(layout, check=False)) == comparable(plain_load(layout, check=False))
    assert len(read) == 2


def test_a_ledger_with_a_file_just_written_is_not_remembered(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    load(layout_for(sample_copy.root), check=False)
    assert rows(sample_copy) == []


def test_a_revision_reads_only_the_blobs_it_does_not_share_with_the_working_tree(
    repo: Sample, requested: list[tuple[str, int]], outcome_reads: list[int]
) -> None:
    flip_stance(repo)
    commit(repo.root, "requirement 2 is met after all")
    age(repo.root)
    load(layout_for(repo.root), check=False)  # remembers the working tree: HEAD's files
    requested.clear()
    outcome_reads.clear()
    revisions = {rev: open_revision(layout_for(repo.root), rev) for rev in ("HEAD", "HEAD~1")}
    markers = {git(repo.root, "rev-parse", f"{rev}:ledger.toml").strip() for rev in revisions}
    asked_before = [blob for blob, _limit in requested]

    loaded = {rev: load(layout, check=False) for rev, layout in revisions.items()}  # type: ignore[arg-type]

    asked = [blob for blob, _limit in requested[len(asked_before) :] if blob not in markers]
    assert asked == [git(repo.root, "rev-parse", f"HEAD~1:data/{CLAIM}").strip()]
    assert outcome_reads == []  # no pass over every file's stored outcome
    for rev, layout in revisions.items():
        assert isinstance(layout, Layout)
        assert comparable(loaded[rev]) == comparable(plain_load(layout, check=False))
    stance = loaded["HEAD~1"].ledger.claims["cso-torture-complaints"].bears_on["requirement-2"]
    assert stance == "undermines"


def test_files_met_in_the_same_order_are_compared_a_stretch_at_a_time() -> None:
    """Every file whose identity or kind differs is found, at either edge of a stretch."""
    count = 3 * loaded_state.Columns.STRETCH + 5
    found = [
        ("claims", f"/x/{i}.yaml", f"data/claims/{i}.yaml", (i, 2, 3, 4)) for i in range(count)
    ]
    columns = loaded_state.Columns(
        "marker",
        [f[2] for f in found],
        [f[0] for f in found],
        [None] * count,
        [n for f in found for n in f[3]],
    )
    assert columns.differing(found) == []
    edge = loaded_state.Columns.STRETCH
    now = list(found)
    for i in (0, edge - 1, edge, count - 1):
        now[i] = (*now[i][:3], (i, 2, 3, 5))
    now[7] = ("cases", *now[7][1:])
    assert columns.differing(now) == [0, 7, edge - 1, edge, count - 1]
    assert columns.state_of(found[9][2]) == ("claims", (9, 2, 3, 4), None)
    assert columns.state_of("data/claims/none.yaml") is None


def test_the_files_that_differ_are_worked_out_once_per_walk(
    sample_copy: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report's check that its output still holds, and then its view, ask the same walk."""
    from ledger.records.scan import scan_data

    age(sample_copy.root)
    layout = layout_for(sample_copy.root)
    load(layout, check=False)
    sample_copy.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    worked: list[int] = []
    real = loaded_state.Remembered._changes

    def counted(self: loaded_state.Remembered, *args: Any) -> Any:
        worked.append(1)
        return real(self, *args)

    monkeypatch.setattr(loaded_state.Remembered, "_changes", counted)
    cache = open_cache(layout)
    assert cache is not None
    try:
        base = loaded_state.latest(cache)
        assert base is not None
        scan = scan_data(layout)
        first = base.changes(layout, scan)
        assert first is not None and [f.rel for f in first] == [f"data/{CLAIM}"]
        first.clear()  # the caller's own list
        again = base.changes(layout, scan)
        assert again is not None and [f.rel for f in again] == [f"data/{CLAIM}"]
        assert len(worked) == 1
        assert [f.rel for f in base.changes(layout, scan_data(layout)) or []] == [f"data/{CLAIM}"]
        assert len(worked) == 2  # another walk
    finally:
        cache.close()
