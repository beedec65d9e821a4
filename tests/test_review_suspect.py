"""Suspect evidence: a reviewed claim whose grounds (its source's record or archived text, the
requirements it bears on, the claims it links to) changed after its review. `validate` warns
(failing --strict only when ledger.toml says so), `status` marks it, `diff` lists it, `ledger
queue` lists it with the claims never reviewed or stale, and `ledger review` clears it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

import ledger.analysis.grounds as grounds_module
from conftest import Sample, git, repository_ledger, run
from ledger.analysis.grounds import Grounds, ground_keys, suspect_claims
from ledger.records.config import parse_config
from ledger.records.model import Review

MEMO = "cso-memo-2017"
ARCHIVE = f"sources/{MEMO}.txt"
SOURCE = f"sources/{MEMO}.yaml"
ATENCO = "memo-atenco-demonstrates-investigation-failure"
BONFILIO = "memo-bonfilio-rubio-no-progress"
GOV = "gov-oaxaca-case-not-closed"
PATHS = {
    ATENCO: f"data/claims/{MEMO}/{ATENCO}.yaml",
    BONFILIO: f"data/claims/{MEMO}/{BONFILIO}.yaml",
    GOV: f"data/claims/mx-gov-case-updates-2018/{GOV}.yaml",
}
WHY = f"the archive of source {MEMO} changed after the review by Ana on 2026-11-30"


def ledger(root: Path, *args: str):
    return run(["--root", str(root), *args])


@pytest.fixture
def data_copy(tmp_path: Path) -> Sample:
    """The repository's own ledger (ledger.toml and data/) in a temporary folder."""
    return Sample(repository_ledger(tmp_path / "ledger"))


def review_all(sample: Sample, by: str = "Ana", on: str = "2026-11-30") -> None:
    for claim_id in PATHS:
        result = ledger(sample.root, "review", claim_id, "--by", by, "--date", on)
        assert result.exit_code == 0, result.stderr


def reviewed_and_committed(sample: Sample) -> Path:
    """The ledger a git repository whose one commit has every claim reviewed (by Ana)."""
    root = sample.root
    git(root, "init", "-q")
    review_all(sample)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "reviewed")
    return root


def edit_archive(sample: Sample) -> str:
    """Add a line to the memo's archived text and pin its new SHA-256, as a corrected
    extraction would; every quote still verifies. The new hash."""
    old = hashlib.sha256(sample.path(ARCHIVE).read_bytes()).hexdigest()
    sample.write(ARCHIVE, sample.read(ARCHIVE) + "\nA line added to the archived text.\n")
    new = hashlib.sha256(sample.path(ARCHIVE).read_bytes()).hexdigest()
    sample.edit(SOURCE, old, new)
    return new


def diagnostics(sample: Sample, *args: str) -> tuple[int, list[dict[str, object]]]:
    result = ledger(sample.root, "validate", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)["diagnostics"]


def stamp_line(sample: Sample, claim_id: str) -> int:
    """The line of the claim's (only) review stamp: where the warning is placed."""
    lines = sample.root.joinpath(PATHS[claim_id]).read_text(encoding="utf-8").splitlines()
    return lines.index("reviews:") + 2


def expected_warning(sample: Sample, claim_id: str) -> dict[str, object]:
    return {
        "code": "suspect-evidence",
        "severity": "warning",
        "path": PATHS[claim_id],
        "line": stamp_line(sample, claim_id),
        "column": 5,
        "field": "reviews[0]",
        "message": WHY,
        "hint": f"check the claim against what changed, then `ledger review {claim_id} --by NAME`",
    }


# -- validate ------------------------------------------------------------------------------


def test_editing_an_archived_text_makes_the_claims_quoting_it_suspect(data_copy: Sample) -> None:
    review_all(data_copy)
    assert diagnostics(data_copy, "--strict") == (0, [])

    edit_archive(data_copy)

    expected = [expected_warning(data_copy, ATENCO), expected_warning(data_copy, BONFILIO)]
    assert diagnostics(data_copy) == (0, expected)
    assert diagnostics(data_copy, "--strict") == (0, expected)  # a warning, even under --strict
    human = ledger(data_copy.root, "validate", "--strict")
    assert human.exit_code == 0
    line = stamp_line(data_copy, ATENCO)
    assert f"{PATHS[ATENCO]}:{line}:5: warning[suspect-evidence]: {WHY}\n" in human.stderr
    assert f"hint: check the claim against what changed, then `ledger review {ATENCO}" in (
        human.stderr
    )
    files = len(list(data_copy.data.rglob("*.yaml")))
    assert human.stderr.endswith(f"0 errors, 2 warnings in {files} files checked\n")


@pytest.mark.parametrize(("setting", "strict_exit"), [("error", 1), ("warning", 0)])
def test_ledger_toml_decides_whether_strict_fails_on_it(
    data_copy: Sample, setting: str, strict_exit: int
) -> None:
    toml = data_copy.root / "ledger.toml"
    toml.write_text(toml.read_text() + f'\n[review]\nsuspect = "{setting}"\n', encoding="utf-8")
    review_all(data_copy)
    edit_archive(data_copy)

    assert ledger(data_copy.root, "validate").exit_code == 0
    strict = ledger(data_copy.root, "validate", "--strict", "--format", "github")
    assert strict.exit_code == strict_exit
    assert strict.stdout.count("title=suspect-evidence::") == 2


def test_other_warnings_still_fail_strict(data_copy: Sample) -> None:
    review_all(data_copy)
    edit_archive(data_copy)
    data_copy.edit(f"claims/{MEMO}/{ATENCO}.yaml", "statement: ", "statement: Changed. ")

    code, found = diagnostics(data_copy, "--strict")

    assert code == 1
    assert [(d["code"], d["path"]) for d in found] == [
        ("stale-review", PATHS[ATENCO]),  # stale, so not also called suspect
        ("suspect-evidence", PATHS[BONFILIO]),
    ]


def test_a_new_review_clears_it_and_records_the_new_grounds(data_copy: Sample) -> None:
    review_all(data_copy)
    new_hash = edit_archive(data_copy)

    result = ledger(data_copy.root, "review", ATENCO, "--by", "Ben", "--date", "2026-12-01")

    assert result.exit_code == 0, result.stderr
    assert diagnostics(data_copy) == (0, [expected_warning(data_copy, BONFILIO)])
    stamps = yaml.safe_load(data_copy.root.joinpath(PATHS[ATENCO]).read_text())["reviews"]
    assert [(s["by"], s["date"]) for s in stamps] == [("Ana", "2026-11-30"), ("Ben", "2026-12-01")]
    assert stamps[1]["grounds"][f"archive/{MEMO}"] == new_hash
    assert stamps[0]["grounds"][f"archive/{MEMO}"] != new_hash
    assert sorted(stamps[1]["grounds"]) == [
        f"archive/{MEMO}",
        "requirement/requirement-1",
        "requirement/requirement-2",
        f"source/{MEMO}",
    ]
    assert ledger(data_copy.root, "fmt", "--check").exit_code == 0


# -- status, queue, diff -------------------------------------------------------------------


def claim_refs(report: object) -> dict[str, object]:
    """Every claim shown in a status report (JSON), by id: its `suspect` field."""
    found: dict[str, object] = {}

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if "quote" in value and "suspect" in value:
                found[value["id"]] = value["suspect"]
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(report)
    return found


def test_status_marks_suspect_claims(data_copy: Sample) -> None:
    review_all(data_copy)
    edit_archive(data_copy)

    result = ledger(data_copy.root, "status", "requirement-1", "--format", "json")

    assert result.exit_code == 0, result.stderr
    refs = claim_refs(json.loads(result.stdout))
    assert {i: why for i, why in refs.items() if why is not None} == {ATENCO: WHY, BONFILIO: WHY}
    assert refs[GOV] is None
    human = ledger(data_copy.root, "status", "requirement-1", "--all")
    assert f"suspect: {WHY}" in human.stdout
    assert f"{ATENCO}  (ind)" in human.stdout
    markdown = ledger(data_copy.root, "status", "requirement-1", "--format", "markdown")
    assert f"(suspect: {WHY})" in markdown.stdout


def test_the_queue_lists_suspect_stale_and_unreviewed_claims(data_copy: Sample) -> None:
    review_all(data_copy)
    edit_archive(data_copy)
    data_copy.edit(f"claims/{MEMO}/{BONFILIO}.yaml", "statement: ", "statement: Changed. ")

    result = ledger(data_copy.root, "queue", "--format", "json")

    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["format"] == "ledger-review-queue"
    assert found["counts"] == {"suspect": 1, "stale": 1, "unreviewed": 182}
    assert found["claims"][:2] == [
        {"id": ATENCO, "path": PATHS[ATENCO], "state": "suspect", "why": WHY},
        {
            "id": BONFILIO,
            "path": PATHS[BONFILIO],
            "state": "stale",
            "why": "the claim changed after its review by Ana on 2026-11-30",
        },
    ]
    unreviewed = [c for c in found["claims"] if c["state"] == "unreviewed"]
    assert all(c["why"] == "never reviewed" for c in unreviewed)
    assert GOV not in {c["id"] for c in found["claims"]}
    assert [c["id"] for c in unreviewed] == sorted(c["id"] for c in unreviewed)

    human = ledger(data_copy.root, "queue")
    assert human.exit_code == 0
    assert human.stdout.startswith("1 suspect \u00b7 1 stale \u00b7 182 unreviewed\n")
    assert f"\nsuspect     {ATENCO}\n            {WHY}\n" in human.stdout

    cleared = ledger(data_copy.root, "review", ATENCO, "--by", "Ben", "--date", "2026-12-01")
    assert cleared.exit_code == 0
    after = json.loads(ledger(data_copy.root, "queue", "--format", "json").stdout)
    assert after["counts"] == {"suspect": 0, "stale": 1, "unreviewed": 182}


def test_diff_lists_claims_that_became_suspect(data_copy: Sample) -> None:
    root = reviewed_and_committed(data_copy)
    edit_archive(data_copy)
    git(root, "commit", "-q", "-am", "the memo's text corrected")

    result = ledger(root, "diff", "HEAD~1", "HEAD", "--format", "json")

    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["suspect"] == [
        {"id": ATENCO, "path": PATHS[ATENCO], "why": WHY},
        {"id": BONFILIO, "path": PATHS[BONFILIO], "why": WHY},
    ]
    assert [(r["id"], r["kind"]) for r in found["records"]] == [(MEMO, "source")]
    text = ledger(root, "diff", "HEAD~1", "HEAD")
    assert "Claims now suspect (what they rest on changed after their review)\n" in text.stdout
    assert f"\n  {ATENCO}\n    {WHY}\n" in text.stdout
    markdown = ledger(root, "diff", "HEAD~1", "HEAD", "--format", "markdown")
    assert (
        "\u26a0 Claims now suspect (what they rest on changed after their review):\n\n"
        f"- `{ATENCO}`: {WHY}\n- `{BONFILIO}`: {WHY}\n"
    ) in markdown.stdout
    # a claim already suspect on the old side did not become so: not listed again
    data_copy.edit(SOURCE, "language: en", "language: en-US")
    again = json.loads(ledger(root, "diff", "HEAD", "--format", "json").stdout)
    assert "suspect" not in again


def test_the_pull_request_comment_says_strict_passes_with_suspect_warnings(
    data_copy: Sample,
) -> None:
    root = reviewed_and_committed(data_copy)
    edit_archive(data_copy)

    result = ledger(root, "diff", "HEAD", "--check", "--format", "markdown")

    assert result.exit_code == 0, result.stderr
    files = len(list(data_copy.data.rglob("*.yaml")))
    assert (
        f"**\u2713 `ledger validate --strict` passes** ({files} files checked), with 2 warnings it "
        "does not fail on:\n\n"
    ) in result.stdout
    assert "warning `suspect-evidence`: the archive of source" in result.stdout


# -- each kind of ground, in the library ---------------------------------------------------


SAMPLE_CLAIM = "cso-tlatlaya-no-arrest-warrants"  # cites cso-memo-2017, contradicts a gov claim
SAMPLE_PATH = f"claims/{SAMPLE_CLAIM}.yaml"


def sample_review(sample_copy: Sample) -> None:
    result = ledger(sample_copy.root, "review", SAMPLE_CLAIM, "--by", "Ana", "--date", "2024-05-01")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("rel", "old", "new", "what"),
    [
        (
            "sources/cso-memo-2017.yaml",
            "language: en",
            "language: en-US",
            "the source cso-memo-2017",
        ),
        (
            "claims/mx-gov-2018/gov-tlatlaya-release-impartial.yaml",
            "statement: ",
            "statement: Reworded. ",
            "the claim gov-tlatlaya-release-impartial",
        ),
    ],
)
def test_each_kind_of_ground_makes_it_suspect(
    sample_copy: Sample, rel: str, old: str, new: str, what: str
) -> None:
    sample_review(sample_copy)
    sample_copy.edit(rel, old, new)

    found = suspect_claims(sample_copy.load().ledger)

    assert list(found) == [SAMPLE_CLAIM]
    assert found[SAMPLE_CLAIM].why == f"{what} changed after the review by Ana on 2024-05-01"


def test_the_warning_is_placed_at_the_review_stamp(sample_copy: Sample) -> None:
    sample_review(sample_copy)
    sample_copy.edit("sources/cso-memo-2017.yaml", "language: en", "language: en-US")

    found = sample_copy.only()

    assert (found.code, found.line, found.column, found.field) == (
        "suspect-evidence",
        17,
        5,
        "reviews[0]",
    )
    assert found.path == f"data/{SAMPLE_PATH}"


def test_a_changed_requirement_and_several_grounds_are_named_together(sample_copy: Sample) -> None:
    sample_review(sample_copy)
    claim = sample_copy.load().ledger.claims[SAMPLE_CLAIM]
    requirement = next(iter(claim.bears_on))
    sample_copy.edit(f"requirements/{requirement}.yaml", "title: ", "title: Renamed ")
    sample_copy.edit("sources/cso-memo-2017.yaml", "language: en", "language: en-US")

    found = suspect_claims(sample_copy.load().ledger)

    assert found[SAMPLE_CLAIM].why == (
        f"the source cso-memo-2017 and the requirement {requirement} changed after the review "
        "by Ana on 2024-05-01"
    )


def test_a_review_of_a_linked_claim_changes_nothing(sample_copy: Sample) -> None:
    sample_review(sample_copy)
    other = "gov-tlatlaya-release-impartial"
    assert ledger(sample_copy.root, "review", other, "--by", "Ben").exit_code == 0

    assert suspect_claims(sample_copy.load().ledger) == {}


def test_a_stamp_without_grounds_cannot_judge_them(sample_copy: Sample) -> None:
    sample_review(sample_copy)
    data = yaml.safe_load(sample_copy.read(SAMPLE_PATH))
    del data["reviews"][0]["grounds"]
    sample_copy.write(SAMPLE_PATH, yaml.safe_dump(data, allow_unicode=True))
    sample_copy.edit("sources/cso-memo-2017.yaml", "language: en", "language: en-US")

    assert sample_copy.diagnostics() == []
    queue = json.loads(ledger(sample_copy.root, "queue", "--format", "json").stdout)
    assert SAMPLE_CLAIM not in {c["id"] for c in queue["claims"]}
    # a new review records them, and keeps the old stamp as it was
    sample_review(sample_copy)
    stamps = yaml.safe_load(sample_copy.read(SAMPLE_PATH))["reviews"]
    assert "grounds" not in stamps[0] and "grounds" in stamps[1]


def test_a_malformed_grounds_key_is_an_invalid_value(sample_copy: Sample) -> None:
    sample_review(sample_copy)
    text = sample_copy.read(SAMPLE_PATH).replace("archive/cso-memo-2017:", "text/cso-memo-2017:")
    sample_copy.write(SAMPLE_PATH, text)

    assert [(d.code, d.field) for d in sample_copy.diagnostics()] == [
        ("invalid-value", "reviews[0].grounds.text/cso-memo-2017")
    ]


def test_each_ground_is_fingerprinted_once_per_ledger(
    sample_copy: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = sample_copy.load().ledger
    made = Grounds(loaded)
    for claim in list(loaded.claims.values()):  # every claim reviewed, as it is
        seen = made.fingerprint(f"claim/{claim.id}")
        assert seen is not None
        stamp = Review(by="A", date="2024", fingerprint=seen, grounds=made.of(claim))
        loaded.claims[claim.id] = claim.model_copy(update={"reviews": [stamp]})
    loaded.claims[SAMPLE_CLAIM] = loaded.claims[SAMPLE_CLAIM].model_copy(
        update={
            "reviews": [loaded.claims[SAMPLE_CLAIM].reviews[0].model_copy(update={"grounds": {}})]
        }
    )
    calls: list[str] = []
    real = grounds_module.values_fingerprint

    def counting(record, exclude=None):  # type: ignore[no-untyped-def]
        calls.append(record.id)
        return real(record, exclude)

    monkeypatch.setattr(grounds_module, "values_fingerprint", counting)

    assert list(suspect_claims(loaded)) == [SAMPLE_CLAIM]  # its stamp saw no grounds

    keys = {k for c in loaded.claims.values() for k in ground_keys(c)}
    records = {k.partition("/")[2] for k in keys if not k.startswith("archive/")}
    assert sorted(calls) == sorted(records | set(loaded.claims))  # each once


# -- ledger.toml ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[review]\nsuspect = "error"\n', None),
        ('[review]\nsuspect = "eror"\n', ("config-invalid-value", 2, 1, 'did you mean "error"?')),
        ("[review]\nsuspect = true\n", ("config-wrong-type", 2, 1, 'suspect = "error"')),
        ('[review]\nsuspects = "error"\n', ("config-unknown-key", 2, 1, "did you mean 'suspect'?")),
    ],
)
def test_the_review_setting_is_checked(text: str, expected: tuple | None) -> None:
    config, found = parse_config(text)
    if expected is None:
        assert (config.review.suspect, found) == ("error", [])
        return
    assert [(d.code, d.line, d.column) for d in found] == [expected[:3]]
    assert expected[3] in found[0].hint
    assert config.review.suspect == "warning"


def test_an_unknown_value_stops_validate_with_its_place(data_copy: Sample) -> None:
    toml = data_copy.root / "ledger.toml"
    toml.write_text(toml.read_text() + '[review]\nsuspect = "fatal"\n', encoding="utf-8")

    result = ledger(data_copy.root, "validate")

    assert result.exit_code == 2
    assert (
        'error[config-invalid-value]: [review] suspect must be "warning" or "error", '
        "not 'fatal'\n"
    ) in result.stderr


@pytest.mark.parametrize("how", ["grounds stripped", "stamp replaced", "stamp removed"])
def test_diff_flags_a_review_stamp_changed_or_removed(data_copy: Sample, how: str) -> None:
    """Stamps are only ever added: one edited or removed could make any change look
    reviewed, so the claim is listed as lacking a fresh review, its review `rewritten`."""
    root = reviewed_and_committed(data_copy)
    path = data_copy.data / PATHS[ATENCO].removeprefix("data/")
    text = path.read_text("utf-8")
    if how == "grounds stripped":
        path.write_text(text[: text.index("    grounds:")], "utf-8")
    elif how == "stamp replaced":
        path.write_text(text.replace("by: Ana", "by: Eve"), "utf-8")
    else:
        path.write_text(text[: text.index("reviews:")], "utf-8")

    found = json.loads(ledger(root, "diff", "--format", "json").stdout)

    (change,) = [r for r in found["records"] if r["id"] == ATENCO]
    assert change["review"] == "rewritten"
    assert ATENCO in found["unreviewed"]


# -- a pull request cannot loosen its own check -------------------------------------------------


def _strict_base(sample: Sample) -> Path:
    """A committed ledger reviewed whole whose ledger.toml holds suspect evidence to
    `--strict`; then a change (the memo's text corrected) and its ledger.toml loosened, as a
    pull request might."""
    root = sample.root
    marker = root / "ledger.toml"
    marker.write_text(marker.read_text("utf-8") + '\n[review]\nsuspect = "error"\n', "utf-8")
    reviewed_and_committed(sample)
    edit_archive(sample)
    marker.write_text(marker.read_text("utf-8").replace('suspect = "error"', ""), "utf-8")
    return root


def test_validate_holds_a_pull_request_to_its_bases_stricter_policy(
    data_copy: Sample, tmp_path: Path
) -> None:
    root = _strict_base(data_copy)
    base = tmp_path / "base"
    git(root, "worktree", "add", "-q", "--detach", str(base), "HEAD")

    assert ledger(root, "validate", "--strict").exit_code == 0  # its own loosened policy
    held = ledger(root, "validate", "--strict", "--policy-from", str(base))
    assert held.exit_code == 1
    assert "warning[suspect-evidence]" in held.stderr
    nothing = tmp_path / "no-ledger"
    nothing.mkdir()
    assert ledger(root, "validate", "--strict", "--policy-from", str(nothing)).exit_code == 0


def test_diff_shows_the_settings_a_change_makes_and_checks_by_the_stricter(
    data_copy: Sample,
) -> None:
    root = _strict_base(data_copy)

    found = json.loads(ledger(root, "diff", "--format", "json").stdout)
    assert found["settings"] == [{"field": "review.suspect", "old": "error", "new": "warning"}]
    text = ledger(root, "diff").stdout
    assert "\u26a0 ledger.toml changes how this ledger is checked\n" in text
    assert "    review.suspect: error -> warning\n" in text
    comment = ledger(root, "diff", "HEAD", "--check", "--format", "markdown").stdout
    assert "- `review.suspect`: `error` \u2192 `warning`" in comment
    assert "`ledger validate --strict` fails" in comment


def test_a_pull_request_cannot_move_the_checked_data_folder(
    data_copy: Sample, tmp_path: Path
) -> None:
    """A ledger.toml naming another (empty) data folder would have the check pass on nothing:
    held to the base's policy, that is an error at the `data` key."""
    root = data_copy.root
    reviewed_and_committed(data_copy)
    base = tmp_path / "base"
    git(root, "worktree", "add", "-q", "--detach", str(base), "HEAD")
    marker = root / "ledger.toml"
    marker.write_text('[ledger]\ndata = "elsewhere"\n', "utf-8")
    for folder in ("requirements", "cases", "claims", "sources"):
        (root / "elsewhere" / folder).mkdir(parents=True)

    assert ledger(root, "validate", "--strict").exit_code == 0  # an empty ledger is clean
    held = ledger(root, "validate", "--strict", "--policy-from", str(base))
    assert held.exit_code == 1
    assert "ledger.toml:2:1: error[data-folder-moved]" in held.stderr
    assert "'elsewhere' here but 'data' in the ledger whose policy holds" in held.stderr
    same = ledger(base, "validate", "--strict", "--policy-from", str(base))
    assert same.exit_code == 0, same.stderr
    comment = ledger(root, "diff", "HEAD", "--format", "markdown", "--check")
    assert "data-folder-moved" in comment.stdout
