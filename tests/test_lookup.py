"""`ledger show` and `ledger xref` answered from the index kept after a load (ledger.store.lookup):
the very output a load gives, for every id, without loading the ledger again; and a load
whenever the files are not exactly as indexed."""

from __future__ import annotations

from pathlib import Path

import pytest

import ledger.cli.replay as replay_module
import ledger.store.lookup as lookup_module
from conftest import Sample, age, layout_for, repository_ledger, run
from ledger.records.load import load
from ledger.store.cache import NO_CACHE_ENV
from ledger.store.lookup import read_record


def ids_of(root: Path) -> dict[str, str]:
    """Every record's id, and its file."""
    ledger = load(layout_for(root), check=False).ledger
    return dict(sorted(ledger.paths.items()))


def ask(root: Path, *args: str, cached: bool = True) -> tuple[int, str, str]:
    done = run(["--root", str(root), *args], env=None if cached else {NO_CACHE_ENV: "1"})
    return done.exit_code, done.stdout, done.stderr


def indexed(root: Path) -> None:
    """Ask one question that loads the ledger, so that the index is kept."""
    code, _out, _err = ask(root, "xref", "no-such-id-anywhere")
    assert code == 2


@pytest.fixture
def repository_ledger_copy(tmp_path: Path) -> Path:
    root = repository_ledger(tmp_path / "repository")
    age(root)
    return root


@pytest.mark.parametrize("which", ["sample", "repository"])
def test_every_id_is_shown_from_the_index_as_a_load_shows_it(
    which: str,
    sample_copy: Sample,
    repository_ledger_copy: Path,
    loads: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = sample_copy.root if which == "sample" else repository_ledger_copy
    age(root)
    paths = ids_of(root)
    ids = list(paths)
    if which == "repository":  # every record but most claims, each asked in one form
        claims = [i for i in ids if paths[i].startswith("data/claims/")]
        ids = [i for i in ids if i not in claims] + claims[::4]
        forms: tuple[tuple[str, ...], ...] = (("--format", "json"),)
    else:
        forms = ((), ("--format", "json"))
    questions = [
        (command, record_id, *form)
        for record_id in ids
        for command in ("show", "xref")
        for form in forms
    ]
    with monkeypatch.context() as unindexed:  # every answer worked out from a load
        unindexed.setattr(lookup_module, "opened", lambda layout, scan: None)
        loaded = [ask(root, *question) for question in questions]
    assert len(loads) == len(questions)  # and each load kept the index
    loads.clear()
    monkeypatch.setattr(replay_module.Replay, "replayed", lambda self: False)
    assert [ask(root, *question) for question in questions] == loaded
    assert loads == []  # every answer came from the index


def test_prefixes_typos_and_dangling_ids_answer_as_a_load_does(
    sample_copy: Sample, loads: list[str]
) -> None:
    root = sample_copy.root
    sample_copy.edit(
        "claims/cso-torture-complaints.yaml", "cases:\n", "cases:\n  - a-case-not-yet-written\n"
    )
    age(root)
    questions = [
        ("show", "tlat"),  # a unique prefix
        ("show", "Tlatlaya"),  # folded
        ("show", "cso"),  # ambiguous
        ("show", "tlatlayaa"),  # did you mean
        ("xref", "a-case-not-yet-written"),  # no record has it; a claim names it
        ("xref", "requirement"),
        ("show", "a-case-not-yet-written"),
    ]
    loaded = [ask(root, *q, cached=False) for q in questions]
    loads.clear()
    indexed(root)
    assert [ask(root, *q) for q in questions] == loaded
    assert len(loads) == 1
    assert loaded[0][0] == 0 and loaded[2][0] == 2 and "did you mean" in loaded[3][2]
    assert loaded[4][0] == 0 and "a-case-not-yet-written" in loaded[4][1]


def test_an_edit_is_shown_at_once(sample_copy: Sample, loads: list[str]) -> None:
    """After an edit, the index answers with the edited file read again in place of what it
    held (store/lookup_forward.py; test_lookup_forward.py holds the rest)."""
    root = sample_copy.root
    age(root)
    indexed(root)
    sample_copy.edit("cases/tlatlaya.yaml", "Killings at Tlatlaya", "The Tlatlaya killings")
    age(root)
    code, out, _err = ask(root, "show", "tlatlaya")
    assert code == 0 and "The Tlatlaya killings" in out
    code, out, _err = ask(root, "show", "tlatlaya", "--format", "json")
    assert code == 0 and '"title": "The Tlatlaya killings"' in out
    assert len(loads) == 1  # the load that indexed


def test_files_left_out_are_said_from_the_index_too(sample_copy: Sample, loads: list[str]) -> None:
    root = sample_copy.root
    sample_copy.write("claims/broken.yaml", "id: broken\nkind: [\n")
    age(root)
    expected = ask(root, "show", "tlatlaya", cached=False)
    assert "1 record file" in expected[2]
    indexed(root)
    assert ask(root, "show", "tlatlaya") == expected
    assert len(loads) == 2  # the uncached answer, then the one that indexed


def test_a_file_not_as_indexed_is_not_read_into_an_answer(sample_copy: Sample) -> None:
    """A record is read from its file only when the bytes are those indexed (their content
    id) and read back cleanly into that very record."""
    from ledger.records.content_id import blob_id

    root = sample_copy.root
    rel = "data/cases/tlatlaya.yaml"
    blob = blob_id((root / rel).read_bytes())
    layout = layout_for(root)
    record = read_record(layout, "cases", rel, blob, "tlatlaya")
    assert record is not None and record.id == "tlatlaya"  # type: ignore[attr-defined]
    assert read_record(layout, "cases", rel, "0" * 40, "tlatlaya") is None  # other bytes
    assert read_record(layout, "cases", rel, blob, "ayotzinapa") is None  # another id
    assert read_record(layout, "claims", rel, blob, "tlatlaya") is None  # another kind
    assert read_record(layout, "nothing", rel, blob, "tlatlaya") is None
    assert read_record(layout, "cases", "data/cases/gone.yaml", blob, "gone") is None


@pytest.mark.parametrize(
    ("change", "question", "named_by"),
    [
        # a row whose seal does not hold (changed in the cache file, or kept for another state)
        (
            "UPDATE lookup SET rel = 'data/cases/ayotzinapa.yaml' WHERE id = 'tlatlaya'",
            ("show", "tlatlaya"),
            None,
        ),
        # a row taken out (rows cannot be forged, but they can be deleted): it does not hide
        # who names an id no record has
        (
            "DELETE FROM lookup WHERE id = 'a-case-not-yet-written'",
            ("xref", "a-case-not-yet-written"),
            "cso-torture-complaints",
        ),
    ],
)
def test_a_row_not_as_indexed_makes_the_command_load_the_ledger(
    sample_copy: Sample,
    loads: list[str],
    monkeypatch: pytest.MonkeyPatch,
    change: str,
    question: tuple[str, str],
    named_by: str | None,
) -> None:
    import sqlite3

    root = sample_copy.root
    sample_copy.edit(
        "claims/cso-torture-complaints.yaml", "cases:\n", "cases:\n  - a-case-not-yet-written\n"
    )
    age(root)
    expected = ask(root, *question, cached=False)
    if named_by is not None:
        assert expected[0] == 0 and named_by in expected[1]
    indexed(root)
    with sqlite3.connect(root / ".ledger-cache" / "cache.sqlite3") as db:
        db.execute(change)
    monkeypatch.setattr(replay_module.Replay, "replayed", lambda self: False)
    loads.clear()
    assert ask(root, *question) == expected
    assert len(loads) == 1


def test_without_a_cache_nothing_is_indexed(sample_copy: Sample, loads: list[str]) -> None:
    root = sample_copy.root
    age(root)
    for _ in range(2):
        assert ask(root, "show", "tlatlaya", cached=False)[0] == 0
    assert len(loads) == 2
    assert not (root / ".ledger-cache").exists()
