"""Review stamps: `ledger review` writes one, `validate` warns once the claim has changed,
formatting never makes a review stale, and `ledger diff` marks changed claims left unreviewed."""

from __future__ import annotations

import json
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest
import yaml

from builders import make_claim
from conftest import SAMPLE, Sample, git, run
from ledger.analysis.grounds import Grounds
from ledger.analysis.review import fingerprint, is_fresh

CLAIM = "claims/cso-torture-complaints.yaml"
CLAIM_ID = "cso-torture-complaints"
NEW_STATEMENT = "The memo says the PGR received over 10,000 torture complaints."


def ledger(root: Path, *args: str):
    return run(["--root", str(root), *args])


def review(sample: Sample, *args: str):
    return ledger(sample.root, "review", *args)


def diagnostics(sample: Sample, *args: str) -> tuple[int, list[tuple[str, str, str]]]:
    result = ledger(sample.root, "validate", "--format", "json", *args)
    found = json.loads(result.stdout)["diagnostics"]
    return result.exit_code, [(d["code"], d["severity"], d["path"]) for d in found]


def reviews_in(sample: Sample, rel: str = CLAIM) -> list[dict[str, str]]:
    return yaml.safe_load(sample.read(rel)).get("reviews", [])


def current_fingerprint(sample: Sample, claim_id: str = CLAIM_ID) -> str:
    return fingerprint(sample.load().ledger.claims[claim_id])


def current_grounds(sample: Sample, claim_id: str = CLAIM_ID) -> dict[str, str]:
    ledger = sample.load().ledger
    return Grounds(ledger).of(ledger.claims[claim_id])


def edit_statement(sample: Sample) -> None:
    """Change the claim's content (its statement), keeping its review stamps."""
    data = yaml.safe_load(sample.read(CLAIM))
    assert data["statement"] != NEW_STATEMENT
    sample.write(CLAIM, yaml.safe_dump({**data, "statement": NEW_STATEMENT}, allow_unicode=True))


# -- the stamp ----------------------------------------------------------------------------


def test_review_writes_a_stamp_and_validate_is_clean(sample_copy: Sample) -> None:
    result = review(sample_copy, CLAIM_ID, "--by", "Ana Díaz", "--date", "2024-05-01")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"reviewed {CLAIM_ID} by Ana Díaz\n"
    assert reviews_in(sample_copy) == [
        {
            "by": "Ana Díaz",
            "date": "2024-05-01",
            "fingerprint": current_fingerprint(sample_copy),
            "grounds": current_grounds(sample_copy),
        }
    ]
    assert diagnostics(sample_copy, "--strict") == (0, [])


def test_review_dates_the_stamp_today_by_default(sample_copy: Sample) -> None:
    before = date.today().isoformat()
    assert review(sample_copy, CLAIM_ID, "--by", "Ana").exit_code == 0
    after = date.today().isoformat()

    assert reviews_in(sample_copy)[0]["date"] in {before, after}


def test_review_changes_nothing_but_the_stamp(sample_copy: Sample) -> None:
    path = sample_copy.path(CLAIM)
    sample_copy.write(CLAIM, "# checked twice\n" + sample_copy.read(CLAIM))
    path.chmod(0o640)
    before = yaml.safe_load(path.read_text(encoding="utf-8"))

    assert review(sample_copy, CLAIM_ID, "--by", "Ana", "--date", "2024-05-01").exit_code == 0

    after = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {k: v for k, v in after.items() if k != "reviews"} == before
    assert path.read_text(encoding="utf-8").startswith("# checked twice\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_editing_the_claim_makes_the_review_stale(sample_copy: Sample) -> None:
    assert review(sample_copy, CLAIM_ID, "--by", "Ana", "--date", "2024-05-01").exit_code == 0

    edit_statement(sample_copy)

    warning = ("stale-review", "warning", f"data/{CLAIM}")
    assert diagnostics(sample_copy) == (0, [warning])
    assert diagnostics(sample_copy, "--strict") == (1, [warning])
    human = ledger(sample_copy.root, "validate")
    assert "the claim changed after its review by Ana on 2024-05-01" in human.stderr
    assert f"ledger review {CLAIM_ID} --by NAME" in human.stderr


def test_a_new_review_after_the_edit_makes_it_fresh_again(sample_copy: Sample) -> None:
    assert review(sample_copy, CLAIM_ID, "--by", "Ana", "--date", "2024-05-01").exit_code == 0
    edit_statement(sample_copy)

    assert review(sample_copy, CLAIM_ID, "--by", "Ben", "--date", "2024-06-01").exit_code == 0

    assert [(r["by"], r["date"]) for r in reviews_in(sample_copy)] == [
        ("Ana", "2024-05-01"),
        ("Ben", "2024-06-01"),
    ]
    assert diagnostics(sample_copy, "--strict") == (0, [])


def test_formatting_never_makes_a_review_stale(sample_copy: Sample) -> None:
    assert review(sample_copy, CLAIM_ID, "--by", "Ana", "--date", "2024-05-01").exit_code == 0
    # the same values written by another tool: sorted keys, wide indent, flow lists
    data = yaml.safe_load(sample_copy.read(CLAIM))
    sample_copy.write(CLAIM, yaml.safe_dump(data, sort_keys=True, indent=4, width=40))
    assert diagnostics(sample_copy, "--strict") == (0, [])

    result = ledger(sample_copy.root, "fmt", str(sample_copy.path(CLAIM)))

    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"reformatted data/{CLAIM}\n1 file(s) reformatted, 0 unchanged\n"
    assert yaml.safe_load(sample_copy.read(CLAIM)) == data
    assert diagnostics(sample_copy, "--strict") == (0, [])


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["no-such-claim", "--by", "Ana"], 2, "no-such-claim"),
        (["requirement-1", "--by", "Ana"], 2, "requirement-1"),
        ([CLAIM_ID, "--by", "Ana", "--date", "2024-13-01"], 2, "--date 2024-13-01"),
        ([CLAIM_ID, "--by", "   "], 2, "--by needs a reviewer's name"),
        ([CLAIM_ID, "--by", "Eve\x1b[2J\x1b]0;pwned\x07"], 2, "'Eve\\x1b[2J"),
        ([CLAIM_ID, "--by", "Eve\nline2"], 2, "a reviewer's name is one line"),
        ([CLAIM_ID, "--by", "Eve\u202e"], 2, "direction-changing"),
        ([CLAIM_ID, "--by", "Ana", "--date", "2999-01-01"], 2, "cannot be dated after today"),
    ],
)
def test_a_review_that_cannot_be_made_writes_nothing(
    sample_copy: Sample, args: list[str], code: int, message: str
) -> None:
    before = {p: p.read_bytes() for p in sample_copy.data.rglob("*.yaml")}

    result = review(sample_copy, *args)

    assert result.exit_code == code
    assert result.stderr.startswith("ledger: ") and message in result.stderr
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert {p: p.read_bytes() for p in sample_copy.data.rglob("*.yaml")} == before


# -- the fingerprint ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"quote": "Other words."},
        {"statement": "Another statement."},
        {"locator": "p. 2"},
        {"bears_on": {"requirement-1": "undermines"}},
        {"cases": ["tlatlaya"]},
        {"figures": [{"value": 2, "unit": "people"}]},
        {"as_of": "2017"},
        {"notes": "A note."},
    ],
    ids=lambda change: next(iter(change)),
)
def test_every_value_of_a_claim_is_in_its_fingerprint(change: dict) -> None:
    base = {"bears_on": {"requirement-1": "supports"}, "figures": [{"value": 1, "unit": "people"}]}

    assert fingerprint(make_claim("c1", **{**base, **change})) != fingerprint(
        make_claim("c1", **base)
    )


def test_the_fingerprint_ignores_reviews_and_freshness_follows_the_latest() -> None:
    claim = make_claim("c1")
    seen = fingerprint(claim)
    stamp = {"by": "Ana", "date": "2024-05-01", "fingerprint": seen}
    old = {"by": "Ben", "date": "2023-01-01", "fingerprint": "0" * 64}

    assert is_fresh(claim) is None
    assert fingerprint(make_claim("c1", reviews=[stamp])) == seen
    assert is_fresh(make_claim("c1", reviews=[old, stamp])) is True
    assert is_fresh(make_claim("c1", reviews=[stamp, old])) is False


# -- in `ledger diff` ---------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Sample:
    """The sample ledger with one reviewed claim, committed in a new git repository."""
    root = tmp_path / "repo"
    shutil.copytree(SAMPLE, root)
    sample = Sample(root)
    assert ledger(root, "fmt").exit_code == 0
    assert review(sample, CLAIM_ID, "--by", "Ana", "--date", "2024-05-01").exit_code == 0
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "reviewed")
    return sample


def reviews_in_diff(sample: Sample) -> tuple[dict[str, str | None], list[str]]:
    result = ledger(sample.root, "diff", "--format", "json")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    return {r["id"]: r["review"] for r in found["records"]}, found["unreviewed"]


def test_diff_marks_a_changed_claim_whose_review_is_stale(repo: Sample) -> None:
    edit_statement(repo)

    assert reviews_in_diff(repo) == ({CLAIM_ID: "stale"}, [CLAIM_ID])
    human = ledger(repo.root, "diff").stdout
    assert "[review: stale]" in human
    assert f"Changed claims without a fresh review: {CLAIM_ID}" in human


def test_diff_does_not_mark_a_changed_claim_reviewed_again(repo: Sample) -> None:
    edit_statement(repo)
    assert review(repo, CLAIM_ID, "--by", "Ben", "--date", "2024-06-01").exit_code == 0

    assert reviews_in_diff(repo) == ({CLAIM_ID: "fresh"}, [])
    assert "without a fresh review" not in ledger(repo.root, "diff").stdout


def test_diff_marks_a_changed_claim_never_reviewed(repo: Sample) -> None:
    repo.edit("claims/cso-tlatlaya-order-to-kill.yaml", "kind: allegation", "kind: assessment")

    assert reviews_in_diff(repo) == (
        {"cso-tlatlaya-order-to-kill": "none"},
        ["cso-tlatlaya-order-to-kill"],
    )


def test_formatting_a_reviewed_claim_is_no_change_in_diff(repo: Sample) -> None:
    data = yaml.safe_load(repo.read(CLAIM))
    repo.write(CLAIM, yaml.safe_dump(data, sort_keys=True, indent=4))

    assert reviews_in_diff(repo) == ({}, [])
    assert ledger(repo.root, "fmt").exit_code == 0
    assert reviews_in_diff(repo) == ({}, [])


def test_a_review_is_refused_while_a_record_it_rests_on_fails_to_load(
    sample_copy: Sample,
) -> None:
    """A stamp without that record's fingerprint would later call the claim suspect."""
    claim = yaml.safe_load(sample_copy.read(CLAIM))
    requirement = next(iter(claim["bears_on"]))
    path = next(p for p in sample_copy.data.rglob(f"{requirement}.yaml"))
    path.write_text(path.read_text("utf-8") + "bad: [\n", "utf-8")
    before = sample_copy.read(CLAIM)

    result = review(sample_copy, CLAIM_ID, "--by", "Ana")

    assert result.exit_code == 1
    assert f"{requirement}, which {CLAIM_ID} rests on, is not in the ledger" in result.stderr
    assert sample_copy.read(CLAIM) == before
