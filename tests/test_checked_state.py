"""`validate` after claims changed re-checks only the records the change reaches
(store/checked_state.py), and says exactly what a check of the whole ledger says."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from pathlib import Path

import pytest

from conftest import PAST, DatedEdits, Sample, age, make_old, run
from ledger.records.scan import CACHE_DIR
from ledger.store import checked_state, claim_edits
from ledger.store.cache import CACHE_FILE, NO_CACHE_ENV

LINKED = "claims/mx-gov-2018/gov-tlatlaya-release-impartial.yaml"
"""A claim another one contradicts (cso-tlatlaya-no-arrest-warrants)."""
LINKING = "claims/cso-tlatlaya-no-arrest-warrants.yaml"
ALONE = "claims/cso-torture-complaints.yaml"
"""A claim no record names."""


@pytest.fixture
def rechecks(monkeypatch: pytest.MonkeyPatch) -> list[set[str] | None]:
    """What each check kept from the last one: the ids it checked again (None: it checked
    the whole ledger, as the last check could not serve)."""
    found: list[set[str] | None] = []
    real = checked_state.recheck
    real_partial = claim_edits._run_checks

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        plan = real(*args, **kwargs)
        found.append(None if plan is None else set(plan.ids))
        return plan

    def spy_partial(layout, cache, result, ids):  # type: ignore[no-untyped-def]
        found.append(set(ids))
        return real_partial(layout, cache, result, ids)

    monkeypatch.setattr(checked_state, "recheck", spy)
    monkeypatch.setattr(claim_edits, "_run_checks", spy_partial)
    return found


def validated(root: Path, cached: bool = True) -> tuple[int, dict[str, object]]:
    done = run(
        ["--root", str(root), "validate", "--format", "json"],
        env=None if cached else {NO_CACHE_ENV: "1"},
    )
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    assert done.exit_code in (0, 1), done.output
    return done.exit_code, json.loads(done.stdout)


class Edits(DatedEdits):
    """A sample ledger whose last check is kept, and edits to it, each file dated anew."""

    def __init__(self, sample: Sample) -> None:
        super().__init__(sample)
        age(sample.root)
        assert run(["--root", str(sample.root), "status", "requirement-1"]).exit_code == 0
        self.write(ALONE, self.sample.read(ALONE) + "# checked whole\n")
        assert validated(sample.root) == validated(sample.root, cached=False)

    def delete(self, rel: str) -> None:
        self.sample.path(rel).unlink()

    def validate(self) -> tuple[int, dict[str, object]]:
        """`validate` through the cache, after checking that it says what a run without
        the cache says."""
        found = validated(self.sample.root)
        assert found == validated(self.sample.root, cached=False)
        return found


@pytest.fixture
def edits(sample_copy: Sample) -> Edits:
    return Edits(sample_copy)


def codes(answer: dict[str, object]) -> list[tuple[str, str]]:
    return [(d["code"], d["path"]) for d in answer["diagnostics"]]  # type: ignore[attr-defined, index]


def test_a_claim_edited_is_checked_again_alone(
    edits: Edits, rechecks: list[set[str] | None]
) -> None:
    edits.edit(ALONE, "the PGR received", "the PGR got")
    code, answer = edits.validate()
    assert code == 1
    assert codes(answer) == [("quote-not-found", "data/" + ALONE)]
    assert rechecks == [{"cso-torture-complaints"}]
    edits.edit(ALONE, "the PGR got", "the PGR received")
    code, answer = edits.validate()
    assert (code, answer["diagnostics"]) == (0, [])
    assert rechecks[-1] == {"cso-torture-complaints"}


def test_records_naming_a_claim_that_goes_are_checked_again(
    edits: Edits, rechecks: list[set[str] | None]
) -> None:
    text = edits.sample.read(LINKED)
    edits.delete(LINKED)
    code, answer = edits.validate()
    assert code == 1
    assert ("unresolved-reference", "data/" + LINKING) in codes(answer)
    assert rechecks == [{"cso-tlatlaya-no-arrest-warrants"}]
    edits.write(LINKED, text)  # back: the reference resolves again
    assert edits.validate()[0] == 0
    assert rechecks[-1] == {"gov-tlatlaya-release-impartial", "cso-tlatlaya-no-arrest-warrants"}


def test_a_hint_follows_the_claim_ids_there_are(
    edits: Edits, rechecks: list[set[str] | None]
) -> None:
    """The closest id a hint names is chosen among every claim's: a claim added anywhere
    can change it, so a record reported for a reference to no claim is checked again."""
    edits.edit(LINKING, "contradicts: gov-tlatlaya-release-impartial", "contradicts: gov-tlatlaya")
    before = edits.validate()[1]
    edits.write(
        "claims/gov-tlatlaya-x.yaml",
        edits.sample.read(LINKED).replace(
            "id: gov-tlatlaya-release-impartial", "id: gov-tlatlaya-x"
        ),
    )
    after = edits.validate()[1]
    hints = [d["hint"] for d in after["diagnostics"] if d["code"] == "unresolved-reference"]  # type: ignore[attr-defined, index]
    assert hints == ["did you mean 'gov-tlatlaya-x'?"]
    assert hints != [
        d["hint"] for d in before["diagnostics"] if d["code"] == "unresolved-reference"
    ]  # type: ignore[attr-defined, index]
    assert rechecks[-1] == {"gov-tlatlaya-x", "cso-tlatlaya-no-arrest-warrants"}


def test_a_review_grounded_on_a_claim_that_changes_turns_suspect(
    edits: Edits, rechecks: list[set[str] | None]
) -> None:
    root = str(edits.sample.root)
    claim = "cso-tlatlaya-no-arrest-warrants"
    assert run(["--root", root, "review", claim, "--by", "A. Reviewer"]).exit_code == 0
    make_old(edits.sample.path(LINKING), PAST + 3000)
    assert edits.validate()[0] == 0
    edits.edit(LINKED, "kind: official-act", "kind: fact")
    answer = edits.validate()[1]
    assert ("suspect-evidence", "data/" + LINKING) in codes(answer)
    assert rechecks[-1] == {"gov-tlatlaya-release-impartial", claim}


def test_an_edit_to_another_kind_of_record_checks_the_whole_ledger(
    edits: Edits, rechecks: list[set[str] | None]
) -> None:
    edits.edit("cases/tlatlaya.yaml", "title: Killings", "title: The killings")
    edits.validate()
    assert rechecks == [None]
    edits.edit(ALONE, "the PGR received", "the PGR got")  # kept by that whole check
    edits.validate()
    assert rechecks[-1] == {"cso-torture-complaints"}


def test_an_archive_changed_checks_the_whole_ledger(
    edits: Edits, rechecks: list[set[str] | None]
) -> None:
    edits.write("sources/cso-memo-2017.txt", edits.sample.read("sources/cso-memo-2017.txt") + "\n")
    edits.edit(ALONE, "the PGR received", "the PGR got")
    answer = edits.validate()[1]
    assert ("archive-hash", "data/sources/cso-memo-2017.yaml") in codes(answer)
    assert rechecks == [None]


def test_a_case_a_claim_kept_out_comes_back_when_the_claim_goes(
    edits: Edits, rechecks: list[set[str] | None]
) -> None:
    """A case whose id a claim file holds is left out of the ledger; when the claim goes,
    the case comes back without its file changing, and its names count in every claim's
    statement: the whole ledger is checked."""
    case = "id: foo\ntitle: Foo\nkind: pattern\naliases:\n  - The Memo Says\nsummary: x\n"
    edits.write("cases/foo-case.yaml", case)
    claim = edits.sample.read("claims/cso-tlatlaya-order-to-kill.yaml")
    edits.write("claims/foo.yaml", claim.replace("id: cso-tlatlaya-order-to-kill", "id: foo"))
    assert ("duplicate-id", "data/cases/foo-case.yaml") in codes(edits.validate()[1])
    edits.delete("claims/foo.yaml")
    found = codes(edits.validate()[1])
    assert ("statement-name-not-in-source", "data/" + ALONE) in found
    assert rechecks[-1] is None


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_an_archive_that_links_to_a_claim_changes_with_it(
    edits: Edits, rechecks: list[set[str] | None]
) -> None:
    """An archive may be a link to any file inside the data folder, a claim's too: an edit
    to that claim changes the archived text, and the whole ledger is checked."""
    archive = edits.sample.path("sources/mx-gov-2018.txt")
    archive.unlink()
    os.symlink("../claims/cso-torture-complaints.yaml", archive)
    make_old(archive, PAST + 3000, follow_symlinks=False)
    pinned = hashlib.sha256(edits.sample.path(ALONE).read_bytes()).hexdigest()
    source = edits.sample.read("sources/mx-gov-2018.yaml")
    old_pin = re.search(r"sha256: (\w+)", source)
    assert old_pin is not None
    edits.write("sources/mx-gov-2018.yaml", source.replace(old_pin.group(1), pinned))
    assert ("archive-hash", "data/sources/mx-gov-2018.yaml") not in codes(edits.validate()[1])
    edits.edit(ALONE, "statement: ", "statement: Indeed, ")
    assert ("archive-hash", "data/sources/mx-gov-2018.yaml") in codes(edits.validate()[1])
    assert rechecks[-1] is None


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[set[str] | None]:
    """For each check after claims changed: the claims built for it (None: the ledger was
    loaded whole, as the records reached alone could not serve)."""
    found: list[set[str] | None] = []
    real, real_checks = claim_edits._checked, claim_edits._run_checks

    def spy(*args):  # type: ignore[no-untyped-def]
        served = real(*args)
        if not served:
            found.append(None)
        return served

    def spy_checks(layout, cache, result, ids):  # type: ignore[no-untyped-def]
        found.append(set(result.ledger.claims))
        return real_checks(layout, cache, result, ids)

    monkeypatch.setattr(claim_edits, "_checked", spy)
    monkeypatch.setattr(claim_edits, "_run_checks", spy_checks)
    return found


def test_an_edited_claim_is_checked_with_only_the_claims_it_reaches(
    edits: Edits, built: list[set[str] | None]
) -> None:
    """The other claims are known by their files' names, never built."""
    edits.edit(ALONE, "the PGR received", "the PGR got")
    assert codes(edits.validate()[1]) == [("quote-not-found", "data/" + ALONE)]
    assert built == [{"cso-torture-complaints"}]
    edits.edit(LINKED, "kind: official-act", "kind: fact")  # kept: the finding above
    assert codes(edits.validate()[1]) == [("quote-not-found", "data/" + ALONE)]
    assert built[-1] == {"gov-tlatlaya-release-impartial", "cso-tlatlaya-no-arrest-warrants"}


def test_a_claim_named_where_a_case_belongs_is_judged_by_the_ids_there_are(
    edits: Edits, built: list[set[str] | None]
) -> None:
    """A record naming a claim where another kind belongs is reported, and checked again
    when that claim goes: the hint then looks among every id of the kind."""
    edits.edit(ALONE, "cases:\n", "cases:\n  - gov-tlatlaya-release-impartial\n")
    answer = edits.validate()[1]
    assert ("unresolved-reference", "data/" + ALONE) in codes(answer)
    assert "is a claim, not a case" in json.dumps(answer)
    text = edits.sample.read(LINKED)
    edits.delete(LINKED)
    edits.write(
        "claims/gov-tlatlaya-release.yaml", text.replace("release-impartial\n", "release\n", 1)
    )
    answer = edits.validate()[1]
    assert "no case has the id 'gov-tlatlaya-release-impartial'" in json.dumps(answer)
    assert built[-1] is not None and "cso-torture-complaints" in built[-1]


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        pytest.param("claims/tlatlaya.yaml", None, id="a claim taking a case's id"),
        pytest.param("claims/mx-gov-2018/" + ALONE.split("/")[1], None, id="an id held twice"),
        pytest.param(ALONE, "id: [broken\n", id="a broken claim"),
        pytest.param(ALONE, "id: another-id\n", id="a claim misnamed"),
    ],
)
def test_what_the_reached_records_cannot_judge_loads_the_ledger(
    edits: Edits, built: list[set[str] | None], rel: str, text: str | None
) -> None:
    """Ids admitted otherwise than by their files' names: the whole admission decides, and
    the answer is still that of a check without the cache."""
    if text is None:
        found = edits.sample.read(ALONE)
        text = found.replace("id: cso-torture-complaints", "id: " + rel.rpartition("/")[2][:-5])
    else:
        text = edits.sample.read(ALONE).replace("id: cso-torture-complaints\n", text)
    edits.write(rel, text)
    assert edits.validate()[0] == 1
    assert built == [None]


def test_assertions_load_the_ledger(edits: Edits, built: list[set[str] | None]) -> None:
    """An assertion judges every claim bearing on its requirement: no partial check."""
    assertion = (
        "id: requirement-1-as-of-2018-02-28\nrequirement: requirement-1\nstatus: not-met\n"
        'as_of: "2018-02-28"\nasserted_by: the maintainers\ndate: "2026-12-05"\nreason: x\n'
    )
    edits.write("assertions/requirement-1-as-of-2018-02-28.yaml", assertion)
    edits.validate()
    edits.edit(ALONE, "the PGR received", "the PGR got")
    edits.validate()
    assert built == [None, None]


def test_after_a_case_is_checked_whole_claim_edits_are_checked_alone(
    edits: Edits, built: list[set[str] | None]
) -> None:
    """A case edited since the remembered ledger is read from its file in its place."""
    edits.edit("cases/tlatlaya.yaml", "title: Killings", "title: The killings")
    edits.validate()
    edits.edit(ALONE, "the PGR received", "the PGR got")
    assert codes(edits.validate()[1]) == [("quote-not-found", "data/" + ALONE)]
    assert built == [None, {"cso-torture-complaints"}]


def test_the_claims_read_for_a_check_stay_known_by_their_files(
    edits: Edits, built: list[set[str] | None]
) -> None:
    """A claim read because it links to the edited one keeps its path's stored outcome, so
    the next load does not read its file again."""
    edits.edit(LINKED, "kind: official-act", "kind: fact")
    edits.validate()
    assert built == [{"gov-tlatlaya-release-impartial", "cso-tlatlaya-no-arrest-warrants"}]
    with sqlite3.connect(edits.sample.root / CACHE_DIR / CACHE_FILE) as db:
        linked = dict(db.execute("SELECT rel, ino IS NOT NULL FROM records WHERE ino IS NOT NULL"))
    assert linked.get("data/" + LINKING) == 1
    assert linked.get("data/" + LINKED) == 1


def test_the_first_check_of_a_ledger_serves_the_check_after_an_edit(
    sample_copy: Sample, built: list[set[str] | None]
) -> None:
    """A first `validate` remembers the ledger whole and keeps its check against it."""
    age(sample_copy.root)
    assert validated(sample_copy.root) == validated(sample_copy.root, cached=False)
    make_old(sample_copy.write(ALONE, sample_copy.read(ALONE) + "# edited\n"), PAST + 60)
    assert validated(sample_copy.root) == validated(sample_copy.root, cached=False)
    assert built == [None, {"cso-torture-complaints"}]  # the first check: whole


def test_the_assertions_findings_are_worked_out_again_never_kept() -> None:
    """Whether the assertions hold, or could be checked at all, rests on the whole ledger:
    a check after an edit works both out again rather than keeping them (kept, a warning
    that they went unchecked was stored once more at every check while a file was broken)."""
    from ledger.records.diagnostics import make

    where = {"line": 1, "column": 1}
    unchecked = make("assertions-unchecked", "data/assertions/a.yaml", "not checked", **where)
    failed = make("assertion-failed", "data/assertions/b.yaml", "fails", **where)
    stale = make("stale-review", "data/claims/c.yaml", "changed", **where)
    assert checked_state.still_found([unchecked, failed, stale], set()) == [stale]
