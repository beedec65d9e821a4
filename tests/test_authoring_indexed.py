"""A writer reads only the records it needs when the index of exactly these files is kept
(ledger.authoring.workspace), and says and writes exactly what it does with the ledger
loaded whole: the same exit code, output, diagnostics and files, for every kind of writer
and every way a change is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ledger.authoring.new_records as new_records
import ledger.store.lookup as lookup_module
from conftest import SAMPLE, age, layout_for, repository_ledger, run
from ledger.authoring.workspace import Workspace, keep_index, open_workspace
from ledger.records.kinds import FOLDERS
from ledger.records.model import Record

QUOTE = "the PGR received over 10,000 complaints of torture between 2012 and 2016"
GOV_QUOTE = "95% of the 941 requests issued by the IGIE were effectively addressed"
CLAIM = ["new", "claim", "--source", "cso", "--quote", QUOTE, "--statement", "The memo says so."]
FIGURE = [*CLAIM, "--kind", "figure"]

COMMANDS: dict[str, list[str]] = {
    "a claim, dry run": [
        *FIGURE, "--case", "torture", "--bears-on", "requirement-2=undermines",
        "--relation", "repeats=cso-torture-complaints", "--dry-run",
    ],
    "a claim, id generated": [*FIGURE, "--case", "torture-prosecutions", "--dry-run"],
    "a claim, written": [*FIGURE, "--case", "torture-prosecutions", "--id", "cso-new-claim"],
    "a claim beside its source's other claims": [
        "new", "claim", "--source", "mx-gov-2018", "--quote", GOV_QUOTE, "--statement",
        "The government says so.", "--kind", "figure", "--case", "ayotzinapa",
    ],
    "a claim whose quote is not in the source": [
        "new", "claim", "--source", "cso-memo-2017", "--quote", "words nobody wrote",
        "--statement", "S.", "--kind", "fact", "--case", "tlatlaya",
    ],
    "a claim with an id in use": [*FIGURE, "--case", "tlatlaya", "--id", "tlatlaya"],
    "a claim about a case no record has": [*FIGURE, "--case", "nowhere"],
    "a claim about an ambiguous prefix": [*FIGURE, "--case", "t"],
    "a claim whose case is outside its requirement": [
        *FIGURE, "--case", "tlatlaya", "--bears-on", "requirement-2=supports", "--dry-run",
    ],
    "a claim related to itself": [
        *FIGURE, "--case", "tlatlaya", "--id", "cso-self", "--relation", "repeats=cso-self",
    ],
    "a case": [
        "new", "case", "--title", "Killings at Apatzingán", "--kind", "incident", "--summary",
        "The memo names them.", "--requirement", "requirement-1", "--id", "apatzingan",
    ],
    "a case, id generated": [
        "new", "case", "--title", "Killings at Apatzingán", "--kind", "incident", "--summary",
        "The memo names them.", "--dry-run",
    ],
    "a link": ["link", "cso-torture-complaints", "corroborates", "cso-tlatlaya-order"],
    "a link, dry run": [
        "link", "cso-torture-complaints", "corroborates", "cso-tlatlaya-order", "--dry-run",
    ],
    "a link already recorded the other way": [
        "link", "cso-tlatlaya-no-arrest-warrants", "contradicts", "gov-tlatlaya-release",
    ],
    "a link to itself": ["link", "cso-torture-complaints", "repeats", "cso-torture-complaints"],
    "a link to a claim no record has": ["link", "cso-torture", "repeats", "nope"],
    "a link to a case": ["link", "cso-torture-complaints", "repeats", "tlatlaya"],
}  # fmt: skip

READ_ONLY_THE_NEEDED = {
    "a claim, dry run",
    "a claim, id generated",
    "a claim, written",
    "a claim beside its source's other claims",
    "a claim whose quote is not in the source",
    "a case",
    "a link",
    "a link, dry run",
}
"""Changes the index answers without a whole load (the others may load it: a reference to no
record is said with the closest id of the whole ledger)."""


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / "data").rglob("*"))
        if p.is_file()
    }


def _ask(root: Path, args: list[str]) -> tuple[int, str, str, dict[str, bytes]]:
    done = run(["--root", str(root), *args], env={"COLUMNS": "200"})
    out = (done.stdout, done.stderr)
    return (done.exit_code, *(t.replace(str(root), "ROOT") for t in out), _snapshot(root))


@pytest.mark.parametrize("change", sorted(COMMANDS))
def test_an_indexed_writer_answers_as_a_whole_load_does(
    change: str, tmp_path: Path, loads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    suffixes = iter(["a1b2", "c3d4", "e5f6", "a7b8"])
    monkeypatch.setattr(new_records, "random_suffix", lambda: next(suffixes))
    whole, indexed = (tmp_path / "whole", tmp_path / "indexed")
    for root in (whole, indexed):
        shutil.copytree(SAMPLE, root)
        age(root)
    with monkeypatch.context() as unindexed:
        unindexed.setattr(lookup_module, "opened", lambda layout, scan: None)
        expected = _ask(whole, COMMANDS[change])
    assert run(["--root", str(indexed), "xref", "no-such-id-anywhere"]).exit_code == 2
    loads.clear()  # that load kept the index
    suffixes = iter(["a1b2", "c3d4", "e5f6", "a7b8"])
    assert _ask(indexed, COMMANDS[change]) == expected
    if change in READ_ONLY_THE_NEEDED:
        assert loads == [], "the ledger was loaded whole"


def test_a_dry_run_that_loads_the_ledger_keeps_the_index_for_the_write(
    tmp_path: Path, loads: list[str]
) -> None:
    root = tmp_path / "ledger"
    shutil.copytree(SAMPLE, root)
    age(root)
    flags = [*FIGURE, "--case", "torture-prosecutions", "--id", "cso-new-claim"]
    dry = run(["--root", str(root), *flags, "--dry-run"])
    assert (dry.exit_code, len(loads)) == (0, 1)
    written = run(["--root", str(root), *flags])
    assert (written.exit_code, written.stdout, len(loads)) == (0, "cso-new-claim\n", 1)
    assert (root / "data/claims/cso-new-claim.yaml").read_text(encoding="utf-8") == dry.stdout


def test_a_record_that_changed_since_it_was_indexed_is_read_as_it_is_now(
    tmp_path: Path, loads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that no longer holds what the index says (changed after the walk, a moment
    before it is read) loads the ledger whole: the change is checked against the files as
    they are."""
    root = tmp_path / "ledger"
    shutil.copytree(SAMPLE, root)
    age(root)
    assert run(["--root", str(root), "xref", "no-such-id-anywhere"]).exit_code == 2
    loads.clear()
    case = root / "data/cases/torture-prosecutions.yaml"
    real_record = lookup_module.LinkIndex.record

    def removed_meanwhile(index: lookup_module.LinkIndex, record_id: str) -> Record:
        if record_id == "torture-prosecutions":
            case.unlink(missing_ok=True)
        return real_record(index, record_id)

    monkeypatch.setattr(lookup_module.LinkIndex, "record", removed_meanwhile)
    done = run(["--root", str(root), *FIGURE, "--case", "torture-prosecutions", "--dry-run"])
    assert len(loads) == 1, "the ledger was loaded whole when the file did not read back"
    assert done.exit_code == 1
    assert "no case has the id 'torture-prosecutions'" in done.stderr
    assert done.stdout == ""


def test_a_dry_run_of_a_link_prints_the_file_the_link_writes(tmp_path: Path) -> None:
    root = tmp_path / "ledger"
    shutil.copytree(SAMPLE, root)
    before = _snapshot(root)
    args = [
        "--root",
        str(root),
        "link",
        "cso-torture-complaints",
        "corroborates",
        "cso-tlatlaya-order",
    ]
    dry = run([*args, "--note", "same figures", "--dry-run"])
    assert (dry.exit_code, dry.stderr) == (0, "")
    assert _snapshot(root) == before
    assert (
        "relations:\n  - corroborates: cso-tlatlaya-order-to-kill\n    note: same figures\n"
        in dry.stdout
    )
    assert run([*args, "--note", "same figures"]).exit_code == 0
    written = root / "data/claims/cso-torture-complaints.yaml"
    assert written.read_text(encoding="utf-8") == dry.stdout


@pytest.mark.parametrize("which", ["sample", "repository"])
def test_the_index_answers_what_a_writer_asks_as_the_whole_ledger_does(
    which: str, tmp_path: Path
) -> None:
    """Every id's kind, file and the records naming it; every source's claims; the ids of
    each kind: the same from the kept index as from the ledger loaded whole."""
    root = tmp_path / which
    if which == "sample":
        shutil.copytree(SAMPLE, root)
    else:
        root = repository_ledger(root)
    age(root)
    layout = layout_for(root)
    whole = open_workspace(layout)
    assert isinstance(whole, Workspace)
    keep_index(whole)
    indexed = open_workspace(layout, indexed=True)
    assert isinstance(indexed, Workspace) and indexed.index is not None
    every = [i for table in whole.ledger.tables().values() for i in table]
    assert {k: set(indexed.ids(k)) for k in FOLDERS} == {k: set(whole.ids(k)) for k in FOLDERS}
    assert [indexed.kind_of(i) for i in every] == [whole.kind_of(i) for i in every]
    assert [indexed.path(i) for i in every] == [whole.path(i) for i in every]
    assert [indexed.referring({i}) for i in every] == [whole.referring({i}) for i in every]
    assert [indexed.citing(s) for s in whole.ledger.sources] == [
        whole.citing(s) for s in whole.ledger.sources
    ]
    assert indexed.taken == whole.taken
    assert len(indexed.ledger.claims) == 0, "nothing asked of the index read a record"
    assert indexed.table("requirements") == whole.ledger.requirements
    assert indexed.index is not None


@pytest.mark.parametrize("command", ["a claim, dry run", "a link"])
def test_a_data_folder_gone_while_records_are_read_is_one_line(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkout switched or a folder moved mid-command: the writer finds no data folder
    to load whole, and says so in one line, writing nothing."""
    root = tmp_path / "ledger"
    shutil.copytree(SAMPLE, root)
    age(root)
    assert run(["--root", str(root), "xref", "no-such-id-anywhere"]).exit_code == 2
    real_record = lookup_module.LinkIndex.record

    def moved_meanwhile(index: lookup_module.LinkIndex, record_id: str) -> Record:
        if (root / "data").exists():
            (root / "data").rename(root / "moved")
        return real_record(index, record_id)

    monkeypatch.setattr(lookup_module.LinkIndex, "record", moved_meanwhile)
    done = run(["--root", str(root), *COMMANDS[command]])
    assert done.exception is None or isinstance(done.exception, SystemExit)
    assert (done.exit_code, done.stdout) == (2, "")
    assert done.stderr == (
        f"ledger: the data folder {root / 'data'} does not exist; nothing was written\n"
    )
