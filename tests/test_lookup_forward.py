"""The index behind `show`, `xref`, `log` and a writer's dry run, brought forward over the
files changed since it was kept (ledger.store.lookup_forward): after an edit, every answer
is the one a load gives, read from the changed files and the index, without a load; and a
load whenever the changes cannot be read soundly."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import ledger.cli.replay as replay_module
import ledger.store.lookup as lookup_module
from conftest import Sample, age, run
from test_lookup import ask, ids_of, indexed

NEW_CLAIM = """id: cso-new-order
source: cso-memo-2017
locator: REQUIREMENT 1, paragraph 1
quote: the failure to obtain arrest warrants
statement: The memo says no arrest warrants were obtained.
kind: allegation
cases:
  - tlatlaya
  - a-case-named-before-it-is-written
bears_on:
  requirement-1: undermines
relations:
  - corroborates: cso-tlatlaya-order-to-kill
"""

NAMED_CASE = """id: a-case-named-before-it-is-written
title: A case named before it is written
kind: incident
summary: A case a claim named before its file was written.
requirements:
  - requirement-1
"""


def _edit_title(s: Sample) -> None:
    s.edit("cases/tlatlaya.yaml", "Killings at Tlatlaya", "The Tlatlaya killings")


def _unlink_case(s: Sample) -> None:
    s.edit("claims/cso-tlatlaya-order-to-kill.yaml", "cases:\n  - tlatlaya\n", "cases: []\n")


def _add_claim(s: Sample) -> None:
    s.write("claims/cso-new-order.yaml", NEW_CLAIM)


def _add_then_write_named(s: Sample) -> None:
    _add_claim(s)
    s.write("cases/a-case-named-before-it-is-written.yaml", NAMED_CASE)


def _delete_claim(s: Sample) -> None:
    s.path("claims/cso-tlatlaya-order-to-kill.yaml").unlink()


def _move_claim(s: Sample) -> None:
    moved = s.path("claims/cso-memo-2017/cso-tlatlaya-order-to-kill.yaml")
    moved.parent.mkdir()
    s.path("claims/cso-tlatlaya-order-to-kill.yaml").rename(moved)


def _rename_claim(s: Sample) -> None:
    text = s.read("claims/cso-torture-complaints.yaml")
    s.path("claims/cso-torture-complaints.yaml").unlink()
    s.write(
        "claims/cso-torture-figures.yaml",
        text.replace("cso-torture-complaints", "cso-torture-figures"),
    )


def _edit_source(s: Sample) -> None:
    s.edit("sources/cso-memo-2017.yaml", "(excerpt)", "(an excerpt)")


def _comment_only(s: Sample) -> None:
    s.write(
        "claims/cso-torture-complaints.yaml",
        s.read("claims/cso-torture-complaints.yaml") + "# seen\n",
    )


EDITS: dict[str, Callable[[Sample], None]] = {
    "a case's title": _edit_title,
    "a claim's case taken out": _unlink_case,
    "a claim added, naming a case no record has": _add_claim,
    "that case written": _add_then_write_named,
    "a claim deleted": _delete_claim,
    "a claim moved to another folder": _move_claim,
    "a claim renamed": _rename_claim,
    "a source's title": _edit_source,
    "a comment added": _comment_only,
}


def questions(root: Path) -> list[tuple[str, ...]]:
    """`show` and `xref` of every record, of the ids only named, of ids gone, of a
    prefix and of an unknown id, each in both formats."""
    asked = [*ids_of(root), "cso-torture-complaints", "cso-tlatlaya-order-to-kill"]
    asked += ["a-case-named-before-it-is-written", "cso-", "t", "no-such-id"]
    return [
        (command, record_id, *form)
        for record_id in dict.fromkeys(asked)
        for command in ("show", "xref")
        for form in ((), ("--format", "json"))
    ]


def loaded_answers(root: Path, asked: list[tuple[str, ...]], mp: pytest.MonkeyPatch) -> list:
    """Each question's answer worked out from a load, keeping no index of the files now."""
    with unindexed(mp):
        return [ask(root, *question) for question in asked]


@contextmanager
def unindexed(mp: pytest.MonkeyPatch) -> Iterator[None]:
    """No index is read or kept: every answer comes from a load."""
    with mp.context() as patched:
        patched.setattr(lookup_module, "opened", lambda layout, scan: None)
        patched.setattr(lookup_module, "remember", lambda layout, scan, result: None)
        yield


SEQUENCES = [[edit] for edit in EDITS] + [
    [
        "a case's title", "a claim's case taken out", "that case written",
        "a claim moved to another folder", "a source's title", "a comment added",
        "a claim renamed",
    ],
    ["a claim added, naming a case no record has", "a claim deleted", "a comment added"],
]  # fmt: skip
"""Each edit alone, then edits one after another, each answered from the same kept index."""


@pytest.mark.parametrize("edits", SEQUENCES, ids=[*EDITS, "in turn", "added and deleted"])
def test_after_edits_every_answer_is_a_load_s_without_a_load(
    sample_copy: Sample, loads: list[str], monkeypatch: pytest.MonkeyPatch, edits: list[str]
) -> None:
    root = sample_copy.root
    age(root)
    indexed(root)
    for step, edit in enumerate(edits):
        EDITS[edit](sample_copy)
        age(root)
        asked = questions(root)
        expected = loaded_answers(root, asked, monkeypatch)
        loads.clear()
        with monkeypatch.context() as once:
            once.setattr(replay_module.Replay, "replayed", lambda self: False)
            assert [ask(root, *question) for question in asked] == expected, (step, edit)
        assert loads == []  # each from the index kept before the edits, brought forward


def test_a_writer_s_dry_run_after_an_edit_reads_no_whole_ledger(
    sample_copy: Sample, loads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = sample_copy.root
    age(root)
    indexed(root)
    _add_claim(sample_copy)
    age(root)
    command = [
        "new", "claim", "--source", "cso", "--quote", "the failure to obtain arrest warrants",
        "--statement", "The memo says so.", "--kind", "allegation", "--case", "tlatlaya",
        "--relation", "repeats=cso-new-order", "--bears-on", "requirement-1=undermines",
        "--id", "cso-another-order", "--dry-run",
    ]  # fmt: skip
    with unindexed(monkeypatch):
        whole = run(["--root", str(root), *command])
    loads.clear()
    indexed_run = run(["--root", str(root), *command])
    assert (indexed_run.exit_code, indexed_run.stdout, indexed_run.stderr) == (
        whole.exit_code,
        whole.stdout,
        whole.stderr,
    )
    assert whole.exit_code == 0 and "cso-new-order" in whole.stdout
    assert loads == []


def _broken(s: Sample) -> None:
    s.write("claims/cso-torture-complaints.yaml", "id: cso-torture-complaints\nkind: [\n")


def _duplicate(s: Sample) -> None:
    s.write(
        "cases/cso-torture-complaints.yaml",
        NAMED_CASE.replace("a-case-named-before-it-is-written", "cso-torture-complaints"),
    )


def _misnamed(s: Sample) -> None:
    s.write("claims/cso-other-name.yaml", NEW_CLAIM)


def _no_remembered_ledger(s: Sample) -> None:
    _edit_title(s)
    with sqlite3.connect(s.root / ".ledger-cache" / "cache.sqlite3") as db:
        db.execute("DELETE FROM results WHERE name LIKE 'loaded:%'")


def _forged_delta(s: Sample) -> None:
    """The header's list of files that differed is changed in the cache file: its seal fails."""
    _edit_title(s)
    with sqlite3.connect(s.root / ".ledger-cache" / "cache.sqlite3") as db:
        forged = "replace(value, '\"since\"', '\"sincE\"')"
        db.execute(f"UPDATE results SET value = {forged} WHERE name = 'index:ids'")


def _row_of_a_changed_file_gone(s: Sample) -> None:
    """The index's row for the record an edited file held is taken out: the edit cannot be
    told from what the index holds."""
    _edit_title(s)
    with sqlite3.connect(s.root / ".ledger-cache" / "cache.sqlite3") as db:
        db.execute("DELETE FROM lookup WHERE id = 'tlatlaya'")


def _left_out_by_the_walk(s: Sample) -> None:
    s.write("claims/notes.yml", "id: notes\n")


REFUSED: dict[str, Callable[[Sample], None]] = {
    "a file the walk leaves out": _left_out_by_the_walk,
    "a file that does not read": _broken,
    "an id held twice": _duplicate,
    "a file not named for its record": _misnamed,
    "no remembered ledger to compare through": _no_remembered_ledger,
    "a header changed in the cache file": _forged_delta,
    "a changed file's row taken out": _row_of_a_changed_file_gone,
}


@pytest.mark.parametrize("change", list(REFUSED))
def test_what_cannot_be_brought_forward_loads_the_ledger(
    sample_copy: Sample, loads: list[str], monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    root = sample_copy.root
    age(root)
    indexed(root)
    REFUSED[change](sample_copy)
    age(root)
    asked = [("show", "tlatlaya", "--format", "json"), ("xref", "cso-torture-complaints")]
    expected = loaded_answers(root, asked, monkeypatch)
    loads.clear()
    monkeypatch.setattr(replay_module.Replay, "replayed", lambda self: False)
    assert ask(root, *asked[0]) == expected[0]
    assert len(loads) == 1  # not brought forward: loaded (and indexed again)
    assert ask(root, *asked[1]) == expected[1]
    assert len(loads) == 1  # the fresh index answers


def test_a_file_added_after_the_remembered_ledger_and_gone_since_the_index_is_gone(
    sample_copy: Sample, loads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index keeps the files that differed from the remembered ledger when it was made:
    one added then, and deleted since, held a record the index has and the ledger no longer
    has."""
    root = sample_copy.root
    age(root)
    indexed(root)  # the remembered ledger and the index, of the files as they are
    _add_claim(sample_copy)
    age(root)
    with monkeypatch.context() as reindexed:  # a load keeps the index of these files
        reindexed.setattr(lookup_module, "opened", lambda layout, scan: None)
        assert ask(root, "xref", "no-such-id")[0] == 2
    _delete_added(sample_copy)
    age(root)
    asked = [
        ("xref", "tlatlaya"),
        ("show", "cso-memo-2017", "--format", "json"),
        ("show", "cso-new-order"),
        ("xref", "a-case-named-before-it-is-written"),
    ]
    expected = loaded_answers(root, asked, monkeypatch)
    assert "cso-new-order" not in expected[0][1] and expected[2][0] == 2
    loads.clear()
    monkeypatch.setattr(replay_module.Replay, "replayed", lambda self: False)
    assert [ask(root, *question) for question in asked] == expected


def _delete_added(s: Sample) -> None:
    s.path("claims/cso-new-order.yaml").unlink()


def test_the_index_kept_for_these_files_is_opened_without_importing_the_schema(
    sample_copy: Sample,
) -> None:
    """Bringing an index forward reads records, so it imports the schema; the index kept for
    exactly these files is opened without it, as `log` of an id needs no record read."""
    import subprocess
    import sys

    root = sample_copy.root
    age(root)
    indexed(root)
    code = (
        "import sys; from pathlib import Path; "
        "from ledger.records.root import open_layout; "
        "from ledger.records.scan import scan_data; "
        "from ledger.store.lookup import opened; "
        f"layout = open_layout(Path({str(root)!r})); "
        "index = opened(layout, scan_data(layout)); "
        "print(type(index).__name__, "
        "sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "LinkIndex []"
