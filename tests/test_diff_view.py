"""A diff of two commits read only as far as it reads them (ledger.store.diff_view): after any
sequence of edits on either side, the diff is the one two whole loads give, in every format;
each claim the view builds is the whole load's; and the whole loads answer whenever the view
cannot read the change soundly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import ledger.store.diff_view as view_module
from conftest import Sample, age, git, layout_for, run
from ledger.records.ledger import Countable, Counted
from ledger.records.load import LoadResult, load
from ledger.records.model import RelationKind, Stance
from ledger.records.root import Layout
from test_beside import PROPERTY, SEQUENCES, Edits, commit, edited, revision

CLAIM = "claims/cso-torture-complaints.yaml"
STANCE = ("requirement-2: undermines", "requirement-2: supports")
FORMATS = (["-f", "json"], ["-f", "markdown"], [])


def remember(root: Path) -> None:
    """Let the working tree's files settle and load it, so that the cache remembers the
    ledger whole: the base a view reads both commits from."""
    age(root)
    assert run(["--root", str(root), "list", "requirements"]).exit_code == 0


def viewed(
    root: Path, old: str = "HEAD~1", new: str | None = "HEAD"
) -> tuple[LoadResult, LoadResult] | None:
    """The view of two commits, checked against each commit's whole load whenever there is
    one: the same records of every other kind, and each claim it holds the whole load's,
    at the same path, with the claims it leaves out known by id."""
    layout = layout_for(root)
    first = revision(layout, old)
    second = layout if new is None else revision(layout, new, first)
    found = view_module.diff_view(first, second)
    if found is None:
        return None
    for side, rev in zip(found, (first, second), strict=True):
        whole = load(rev, check=False).ledger
        part = side.ledger
        for kind, table in whole.tables().items():
            if kind != "claims":
                assert part.tables()[kind] == table, kind
        assert set(part.claims) <= set(whole.claims)
        assert list(part.claims) == sorted(part.claims)
        for claim_id, claim in part.claims.items():
            assert claim == whole.claims[claim_id]
            assert part.paths[claim_id] == whole.paths[claim_id]
        assert set(part.claims) | set(part.absent) == set(whole.claims)
        assert side.left_out == 0 and not side.unloaded and side.files == len(whole.paths)
        for requirement, items in part.counted.items():
            assert [counted_facts(c, s) for c, s in items] == [
                counted_facts(c, c.bears_on[requirement])
                for c in whole.claims.values()
                if requirement in c.bears_on
            ], requirement
    return found


def counted_facts(claim: Countable, stance: Stance) -> tuple[Any, ...]:
    """What the status rule counts of a claim, and what a report reads of one it does not
    print, whether it is built or given as facts."""
    if isinstance(claim, Counted):
        return (*claim, stance)
    repeats = tuple(r.target for r in claim.relations if r.kind is RelationKind.repeats)
    facts = (tuple(sorted(set(claim.cases))), claim.as_of is not None, bool(claim.figures))
    return claim.id, claim.source, repeats, *facts, stance


def diffs(root: Path, *revisions: str) -> list[tuple[int, str]]:
    """The diff of two commits in every format: exit code and output."""
    found = []
    for options in FORMATS:
        result = run(["--root", str(root), "diff", *revisions, *options], env={"COLUMNS": "200"})
        found.append((result.exit_code, result.stdout + result.stderr))
    return found


def whole_diffs(root: Path, *revisions: str) -> list[tuple[int, str]]:
    """The same diffs with no cache: each side loaded whole, read from git's objects."""
    found = []
    for options in FORMATS:
        result = run(
            ["--root", str(root), "diff", *revisions, *options],
            env={"COLUMNS": "200", "LEDGER_NO_CACHE": "1"},
        )
        found.append((result.exit_code, result.stdout + result.stderr))
    return found


@pytest.fixture
def views(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each diff_view call answered."""
    answered: list[bool] = []
    real = view_module.diff_view

    def spy(old: Layout, new: Layout) -> Any:
        found = real(old, new)
        answered.append(found is not None)
        return found

    monkeypatch.setattr(view_module, "diff_view", spy)
    return answered


@PROPERTY
@SEQUENCES
def test_after_any_edits_the_view_is_the_whole_load_s_and_so_is_the_diff(
    before: Edits, between: Edits, after: Edits
) -> None:
    with edited(before, between, after) as root:
        remember(root)
        viewed(root)
        viewed(root, "HEAD", "HEAD~1")
        viewed(root, "HEAD~1", None)
        for pair in (("HEAD~1", "HEAD"), ("HEAD", "HEAD~1"), ("HEAD~2", "HEAD"), ("HEAD~1",)):
            assert diffs(root, *pair) == whole_diffs(root, *pair)


def flip(repo: Sample) -> None:
    repo.edit(CLAIM, *STANCE)
    commit(repo.root, "flip")


def flipped_view(repo: Sample) -> tuple[LoadResult, LoadResult]:
    """The view of a commit flipping a claim's stance and the commit before, the ledger
    remembered."""
    flip(repo)
    remember(repo.root)
    sides = viewed(repo.root)
    assert sides is not None
    return sides


def test_a_stance_flip_is_read_by_the_view_and_said_as_two_whole_loads_say_it(
    repo: Sample, views: list[bool], loads: list[str]
) -> None:
    flip(repo)
    remember(repo.root)
    loads.clear()
    found = diffs(repo.root, "HEAD~1", "HEAD")
    assert views == [True] * len(FORMATS) and loads == []  # no side was loaded whole
    assert found == whole_diffs(repo.root, "HEAD~1", "HEAD")
    assert found[0][0] == 0 and '"requirement-2"' in found[0][1]
    assert "not-met" in found[0][1] and '"met"' in found[0][1]


def test_the_view_builds_only_the_claims_a_change_reaches(repo: Sample) -> None:
    """A claim about none of the flipped claim's cases and not linked to it within the
    links a diff follows is not built; where it bears on a requirement the flipped claim
    bears on, the verdict counts it from the remembered index (Ledger.counted)."""
    far = "claims/cso-tlatlaya-order-to-kill.yaml"  # about another case, linked to none
    repo.edit(
        far,
        "  requirement-1: undermines",
        "  requirement-1: undermines\n  requirement-2: undermines",
    )
    commit(repo.root, "a claim about another case bears on requirement-2 too")
    old, new = (side.ledger for side in flipped_view(repo))
    assert "cso-torture-complaints" in old.claims and "cso-torture-complaints" in new.claims
    assert old.claims["cso-torture-complaints"] != new.claims["cso-torture-complaints"]
    left_out = set(old.absent)
    assert left_out and left_out == set(new.absent)
    whole = load(layout_for(repo.root), check=False).ledger
    bearing = {i for i, claim in whole.claims.items() if "requirement-2" in claim.bears_on}
    assert "cso-tlatlaya-order-to-kill" in left_out & bearing  # counted, not built
    for side in (old, new):
        assert [c.id for c, _ in side.counted["requirement-2"]] == sorted(bearing)
        assert all(
            isinstance(c, Counted) for c, _ in side.counted["requirement-2"] if c.id in left_out
        )
    # a claim both sides hold unchanged is one object in both: the diff passes over it
    for claim_id, claim in old.claims.items():
        if claim_id != "cso-torture-complaints":
            assert new.claims[claim_id] is claim


def test_added_moved_and_removed_claims(repo: Sample, views: list[bool]) -> None:
    text = repo.path(CLAIM).read_text(encoding="utf-8")
    (repo.root / "data/claims/cso-added.yaml").write_text(
        text.replace("id: cso-torture-complaints", "id: cso-added"), encoding="utf-8"
    )
    moved = repo.root / "data/claims/mx-gov-2018/cso-tlatlaya-order-to-kill.yaml"
    repo.path("claims/cso-tlatlaya-order-to-kill.yaml").rename(moved)
    repo.path("claims/cso-tlatlaya-no-arrest-warrants.yaml").unlink()
    commit(repo.root, "one added, one moved, one removed")
    remember(repo.root)
    sides = viewed(repo.root)
    assert sides is not None
    assert "cso-added" in sides[1].ledger.claims and "cso-added" not in sides[0].ledger.claims
    assert "cso-tlatlaya-no-arrest-warrants" in sides[0].ledger.claims
    assert "cso-tlatlaya-no-arrest-warrants" not in sides[1].ledger.claims
    views.clear()
    assert diffs(repo.root, "HEAD~1", "HEAD") == whole_diffs(repo.root, "HEAD~1", "HEAD")
    assert views[: len(FORMATS)] == [True] * len(FORMATS)


def test_a_changed_case_is_read_with_its_claims(repo: Sample, views: list[bool]) -> None:
    repo.edit("cases/tlatlaya.yaml", "Killings at Tlatlaya", "The Tlatlaya killings")
    commit(repo.root, "a case's title")
    remember(repo.root)
    sides = viewed(repo.root)
    assert sides is not None
    about = [c for c in sides[1].ledger.claims.values() if "tlatlaya" in c.cases]
    assert about and {c.id for c in about} == {
        c.id
        for c in load(layout_for(repo.root), check=False).ledger.claims.values()
        if "tlatlaya" in c.cases
    }
    views.clear()
    assert diffs(repo.root, "HEAD~1", "HEAD") == whole_diffs(repo.root, "HEAD~1", "HEAD")
    assert views[: len(FORMATS)] == [True] * len(FORMATS)


def _change_source(repo: Sample) -> None:
    repo.edit("sources/mx-gov-2018.yaml", "speaks_for:", "speaks_for:\n  - Nobody in particular")


def _change_requirement(repo: Sample) -> None:
    path = repo.path("requirements/requirement-1.yaml")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: ", "title: Amended: ", 1), encoding="utf-8")


def _add_assertion(repo: Sample) -> None:
    folder = repo.root / "data/assertions"
    folder.mkdir()
    (folder / "req-2-not-met.yaml").write_text(
        "id: req-2-not-met\nrequirement: requirement-2\nstatus: not-met\nas_of: 2018-01-01\n"
        "by: a maintainer\nnote: As the memo has it.\n",
        encoding="utf-8",
    )


def _misplace(repo: Sample) -> None:
    (repo.root / "data/claims/stray.yml").write_text("id: stray\n", encoding="utf-8")


def _break(repo: Sample) -> None:
    repo.path(CLAIM).write_text("id: [unclosed\n", encoding="utf-8")


def _duplicate(repo: Sample) -> None:
    copy = repo.root / "data/claims/mx-gov-2018/cso-torture-complaints.yaml"
    copy.write_text(repo.path(CLAIM).read_text(encoding="utf-8"), encoding="utf-8")


def _marker(repo: Sample) -> None:
    marker = repo.root / "ledger.toml"
    marker.write_text(marker.read_text(encoding="utf-8") + "\n# another marker\n")


@pytest.mark.parametrize(
    "change",
    [_change_source, _change_requirement, _add_assertion, _misplace, _break, _duplicate, _marker],
)
def test_what_the_view_does_not_read_is_loaded_whole(
    repo: Sample, views: list[bool], change: Any
) -> None:
    repo.edit(CLAIM, *STANCE)
    change(repo)
    commit(repo.root, "a change the view leaves to whole loads")
    remember(repo.root)
    assert diffs(repo.root, "HEAD~1", "HEAD") == whole_diffs(repo.root, "HEAD~1", "HEAD")
    assert views and not any(views)


def test_without_a_remembered_ledger_both_sides_are_loaded(
    repo: Sample, views: list[bool], loads: list[str]
) -> None:
    flip(repo)
    shutil.rmtree(repo.root / ".ledger-cache", ignore_errors=True)
    found = diffs(repo.root, "HEAD~1", "HEAD")
    assert views[0] is False and loads
    assert found == whole_diffs(repo.root, "HEAD~1", "HEAD")


def test_a_diff_with_the_working_tree_is_read_from_the_remembered_ledger(
    repo: Sample, views: list[bool], loads: list[str]
) -> None:
    """The working tree as the new side is read as a load reads it, from the remembered
    ledger and the files whose identity differs from it; the commit, from that and the
    files whose content differs between the two."""
    flip(repo)
    remember(repo.root)
    repo.edit("cases/tlatlaya.yaml", "Killings at Tlatlaya", "The Tlatlaya killings")
    age(repo.root)
    sides = viewed(repo.root, "HEAD~1", None)
    assert sides is not None
    assert sides[1].ledger.cases["tlatlaya"].title == "The Tlatlaya killings"
    assert sides[0].ledger.claims["cso-torture-complaints"].bears_on["requirement-2"].value == (
        "undermines"
    )
    views.clear()
    loads.clear()
    found = diffs(repo.root, "HEAD~1")
    assert views == [True] * len(FORMATS) and loads == []
    assert found == whole_diffs(repo.root, "HEAD~1")
    assert "The Tlatlaya killings" in found[0][1] and '"requirement-2"' in found[0][1]


def test_a_working_tree_file_out_of_place_loads_both_sides_whole(
    repo: Sample, views: list[bool]
) -> None:
    flip(repo)
    remember(repo.root)
    _misplace(repo)
    age(repo.root)
    views.clear()
    assert diffs(repo.root, "HEAD~1") == whole_diffs(repo.root, "HEAD~1")
    assert views[: len(FORMATS)] == [False] * len(FORMATS)


def test_a_blob_git_reads_as_another_is_read_not_taken_from_the_cache(
    repo: Sample, views: list[bool]
) -> None:
    """With `git replace`, a blob id no longer fixes the bytes git gives for it: neither
    side is built from what the cache remembers by blob id."""
    text = repo.path(CLAIM).read_text(encoding="utf-8")
    other = text.replace("id: cso-torture-complaints", "id: other-claim")
    repo.path("claims/other-claim.yaml").write_text(other.replace(*STANCE), encoding="utf-8")
    commit(repo.root, "a second claim on requirement-2")
    flip(repo)
    blob = git(repo.root, "rev-parse", "HEAD:data/claims/other-claim.yaml").strip()
    replacement = repo.root / "replacement.yaml"
    replacement.write_text(other, encoding="utf-8")  # the stance as it was: undermines
    stored = git(repo.root, "hash-object", "-w", str(replacement)).strip()
    replacement.unlink()
    git(repo.root, "replace", blob, stored)
    remember(repo.root)
    views.clear()
    found = diffs(repo.root, "HEAD~1", "HEAD")
    assert views and not any(views)
    assert found == whole_diffs(repo.root, "HEAD~1", "HEAD")
    assert "not-met (S2) -> contested (S3)" in found[2][1]


def test_a_repeat_among_claims_counted_not_built_is_counted_once_on_its_origin_s_side(
    repo: Sample, views: list[bool]
) -> None:
    """Two claims about another case bear on requirement-2, the memo's repeating the
    government's: counted from the index, the two count once, on the government's side,
    as the whole load counts them. Were the repeat missed, the memo's claim would count as
    independent support and the old side would read contested, not not-met."""
    government = "claims/mx-gov-2018/gov-tlatlaya-release-impartial.yaml"
    memo = "claims/cso-tlatlaya-order-to-kill.yaml"
    repo.edit(
        government,
        "  requirement-1: supports",
        "  requirement-1: supports\n  requirement-2: supports",
    )
    repo.edit(
        memo,
        "  requirement-1: undermines",
        "  requirement-1: undermines\n  requirement-2: supports\n"
        "relations:\n  - repeats: gov-tlatlaya-release-impartial",
    )
    commit(repo.root, "two claims about Tlatlaya bear on requirement-2, one repeating the other")
    for side in flipped_view(repo):
        facts = {c.id: c for c, _ in side.ledger.counted["requirement-2"]}
        assert facts["cso-tlatlaya-order-to-kill"][:3] == (
            "cso-tlatlaya-order-to-kill",
            "cso-memo-2017",
            ("gov-tlatlaya-release-impartial",),
        )
        assert "cso-tlatlaya-order-to-kill" not in side.ledger.claims  # counted, not built
    views.clear()
    found = diffs(repo.root, "HEAD~1", "HEAD")
    assert views == [True] * len(FORMATS)
    assert found == whole_diffs(repo.root, "HEAD~1", "HEAD")
    change = json.loads(found[0][1])["statuses"][0]
    assert (change["id"], change["old_line"], change["new_line"]) == ("requirement-2", "S2", "S4")
