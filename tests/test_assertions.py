"""Status assertions: a requirement's status written down as of a date, which `validate`
holds the data to and `diff` says a change breaks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import ledger.analysis.assertions as assertions_module
from builders import cso, gov, make_assertion, make_case, make_claim, make_ledger, make_requirement
from conftest import Sample, age, git, layout_for, run, where
from ledger.analysis.assertions import judge
from ledger.records.load import load

REPO = Path(__file__).resolve().parents[1]
R4 = "assertions/requirement-4-as-of-2018-02-28.yaml"
FLIPPED = "claims/cso-memo-2017/memo-pgr-ordered-inspector-general-investigation.yaml"
R4_AGAINST = (
    "memo-ayotzinapa-concealment-of-criminal-records, "
    "memo-ayotzinapa-government-impeded-investigation, "
    "memo-families-notified-different-resolution, "
    "memo-follow-up-mechanism-concerned-slow-giei-lines, memo-giei-faced-obstacles, "
    "memo-giei-subjected-to-spying, memo-inspector-general-pressured"
)


@pytest.fixture
def real_copy(tmp_path: Path) -> Sample:
    """The repository's own ledger (data and ledger.toml) in a folder a test may change."""
    root = tmp_path / "ledger"
    root.mkdir()
    shutil.copytree(REPO / "data", root / "data", ignore=shutil.ignore_patterns(".ledger-cache"))
    shutil.copy(REPO / "ledger.toml", root / "ledger.toml")
    return Sample(root)


def ledger(root: Path, *args: str):
    return run(["--root", str(root), *args], env={"COLUMNS": "300", "NO_COLOR": "1"})


def flip(sample: Sample) -> None:
    """The one independent claim supporting requirement 4 undermines it instead: S3 -> S2."""
    sample.edit(FLIPPED, "requirement-4: supports", "requirement-4: undermines")


# -- validate ------------------------------------------------------------------------------


def test_the_repositorys_assertions_hold() -> None:
    result = ledger(REPO, "validate", "--strict")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    checks = judge(load(layout_for(REPO)).ledger)
    assert [(c.assertion.requirement, c.status, c.line, c.holds) for c in checks] == [
        ("requirement-1", "not-met", "S2", True),
        ("requirement-2", "not-met", "S2", True),
        ("requirement-3", "contested", "S3", True),
        ("requirement-4", "contested", "S3", True),
    ]


def test_a_flipped_status_fails_validate_naming_the_assertion_and_the_claims(
    real_copy: Sample,
) -> None:
    flip(real_copy)
    result = ledger(real_copy.root, "validate")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"data/{R4}:4:9: error[assertion-failed]: requirement-4 is not-met as of 2018-02-28, "
        "asserted contested (by ledger maintainers on 2026-12-05): S2, independent claims "
        "undermine it, none support it (the obligor's own supporting claims are listed as "
        f"disputed); undermining (independent): {R4_AGAINST}, "
        "memo-pgr-ordered-inspector-general-investigation\n"
        "  field: status\n"
        "  4 | status: contested\n"
        "    |         ^\n"
        "  hint: if the change is meant, set `status: not-met` (and `date`, `reason`); else fix "
        "the data. `ledger status requirement-4 --as-of 2018-02-28 --explain` shows the trace\n"
        f"1 error, 0 warnings in {len(list(real_copy.data.rglob('*.yaml')))} files checked\n"
    )
    as_json = json.loads(ledger(real_copy.root, "validate", "--format", "json").stdout)
    (found,) = as_json["diagnostics"]
    assert {k: found[k] for k in ("code", "severity", "path", "line", "column", "field")} == {
        "code": "assertion-failed",
        "severity": "error",
        "path": f"data/{R4}",
        "line": 4,
        "column": 9,
        "field": "status",
    }
    (loaded,) = real_copy.diagnostics()
    assert where(loaded) == ("assertion-failed", 4, 9, "status")
    # Updating the assertion is what makes the data sound again.
    real_copy.edit(R4, "status: contested", "status: not-met")
    assert ledger(real_copy.root, "validate", "--strict").exit_code == 0


def test_a_file_that_fails_to_load_leaves_the_assertions_unchecked_and_says_so(
    real_copy: Sample,
) -> None:
    """A broken claim file would show as a flipped status: the assertions are not judged
    (no assertion-failed for the flip), and validate says that they were not, once."""
    flip(real_copy)
    real_copy.edit(
        "claims/cso-memo-2017/memo-giei-faced-obstacles.yaml", "bears_on:", "bears_on: ["
    )
    result = ledger(real_copy.root, "validate", "--format", "json")
    found = json.loads(result.stdout)["diagnostics"]
    assert result.exit_code == 1
    assert [d["code"] for d in found] == ["assertions-unchecked", "yaml-syntax"]
    assert found[0] == {
        "code": "assertions-unchecked",
        "severity": "warning",
        "path": "data/assertions/requirement-1-as-of-2018-02-28.yaml",
        "line": 1,
        "column": 1,
        "field": "",
        "message": "the status assertions were not checked, as a record file failed to load",
        "hint": "fix the files that failed to load (each listed as an error); "
        "`ledger validate` then checks the assertions",
    }
    real_copy.edit(
        "claims/cso-memo-2017/memo-giei-faced-obstacles.yaml", "bears_on: [", "bears_on:"
    )
    found = json.loads(ledger(real_copy.root, "validate", "--format", "json").stdout)
    assert [d["code"] for d in found["diagnostics"]] == ["assertion-failed"]


def test_the_status_is_judged_as_of_the_assertions_date(real_copy: Sample) -> None:
    """As of 2016 neither source was published: no evidence, whatever the claims say now."""
    real_copy.edit(R4, 'as_of: "2018-02-28"', 'as_of: "2016"')
    result = ledger(real_copy.root, "validate")
    assert result.exit_code == 1
    assert "requirement-4 is no-evidence as of 2016, asserted contested" in result.stderr
    real_copy.edit(R4, "status: contested", "status: no-evidence")
    assert ledger(real_copy.root, "validate", "--strict").exit_code == 0


def test_a_warm_run_sees_an_edited_assertion(real_copy: Sample) -> None:
    """The cache keeps records by kind: an assertion read from it is checked as one read."""
    age(real_copy.root)
    assert ledger(real_copy.root, "validate").exit_code == 0
    assert ledger(real_copy.root, "status", "requirement-4").exit_code == 0  # writes the state
    real_copy.edit(R4, "status: contested", "status: met")
    result = ledger(real_copy.root, "validate")
    assert result.exit_code == 1
    assert "requirement-4 is contested as of 2018-02-28, asserted met" in result.stderr
    listed = json.loads(ledger(real_copy.root, "list", "assertions", "--format", "json").stdout)
    assert [r["status"] for r in listed["records"]] == ["not-met", "not-met", "contested", "met"]


def test_an_unknown_subject_is_a_reference_error(real_copy: Sample) -> None:
    real_copy.edit(R4, "requirement: requirement-4", "requirement: requirement-9")
    real_copy.write(
        "assertions/ayotzinapa-r4.yaml",
        "id: ayotzinapa-r4\nrequirement: requirement-4\ncase: ayotzinapaa\nstatus: contested\n"
        'as_of: "2018"\nasserted_by: us\ndate: "2026-12-01"\nreason: Both sides.\n',
    )
    found = [(d.path, d.line, d.code, d.field, d.message, d.hint) for d in real_copy.diagnostics()]
    assert found == [
        (
            "data/assertions/ayotzinapa-r4.yaml",
            3,
            "unresolved-reference",
            "case",
            "no case has the id 'ayotzinapaa'",
            "did you mean 'ayotzinapa'?",
        ),
        (
            f"data/{R4}",
            3,
            "unresolved-reference",
            "requirement",
            "no requirement has the id 'requirement-9'",
            "did you mean 'requirement-4'?",
        ),
    ]


def test_a_status_outside_the_vocabulary_is_a_schema_error_with_a_hint(real_copy: Sample) -> None:
    real_copy.edit(R4, "status: contested", "status: disputed")
    unchecked, found = real_copy.diagnostics()  # the other assertions went unchecked
    assert where(unchecked) == ("assertions-unchecked", 1, 1, "")
    assert (
        unchecked.message
        == "the status assertions were not checked, as a record file failed to load"
    )
    assert (found.path, found.line, found.code, found.field) == (
        f"data/{R4}",
        4,
        "invalid-value",
        "status",
    )
    assert (found.message, found.hint) == (
        "Input should be 'no-evidence', 'not-met', 'contested', 'met' or 'claimed-by-obligor'",
        "use one of the values listed",
    )


def test_a_case_is_asserted_on_one_requirement(real_copy: Sample) -> None:
    real_copy.write(
        "assertions/ayotzinapa-r4.yaml",
        "id: ayotzinapa-r4\nrequirement: requirement-4\ncase: ayotzinapa\nstatus: contested\n"
        'as_of: "2018"\nasserted_by: us\ndate: "2026-12-01"\nreason: Both sides.\n',
    )
    assert ledger(real_copy.root, "validate").exit_code == 0
    flip(real_copy)
    result = ledger(real_copy.root, "validate")
    assert result.exit_code == 1
    assert (
        "data/assertions/ayotzinapa-r4.yaml:4:9: error[assertion-failed]: case ayotzinapa on "
        "requirement-4 is not-met as of 2018, asserted contested (by us on 2026-12-01): S2"
    ) in result.stderr


def test_no_status_is_derived_without_assertions(
    monkeypatch: pytest.MonkeyPatch, sample_copy: Sample
) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("a status was derived")

    monkeypatch.setattr(assertions_module, "subject_verdict", refuse)
    assert sample_copy.diagnostics() == []


def test_each_date_restricts_the_ledger_once(monkeypatch: pytest.MonkeyPatch) -> None:
    dates: list[str] = []
    real = assertions_module.restrict

    def counting(led, as_of):  # type: ignore[no-untyped-def]
        dates.append(as_of)
        return real(led, as_of)

    monkeypatch.setattr(assertions_module, "restrict", counting)
    led = make_ledger(
        cso(),
        gov(),
        make_requirement("requirement-1"),
        make_requirement("requirement-2"),
        make_case("tlatlaya", requirements=["requirement-1"]),
        make_claim("c1", bears_on={"requirement-1": "undermines"}, cases=["tlatlaya"]),
        make_claim("g1", "gov-page", bears_on={"requirement-2": "supports"}),
        make_assertion("a1"),
        make_assertion("a2", "requirement-2", "claimed-by-obligor"),
        make_assertion("a3", case="tlatlaya"),
        make_assertion("a4", "requirement-2", "no-evidence", as_of="2016"),
    )
    checks = judge(led)
    assert sorted(dates) == ["2016", "2018-02-28"]
    assert [(c.assertion.id, c.status, c.holds, c.claims) for c in checks] == [
        ("a1", "not-met", True, ("c1",)),
        ("a2", "claimed-by-obligor", True, ("g1",)),
        ("a3", "not-met", True, ("c1",)),
        ("a4", "no-evidence", True, ()),
    ]


# -- diff ----------------------------------------------------------------------------------


def test_diff_lists_the_assertion_a_commit_breaks(real_copy: Sample) -> None:
    root = real_copy.root
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    flip(real_copy)
    git(root, "commit", "-q", "-am", "flip")

    human = ledger(root, "diff", "HEAD~1", "HEAD")
    assert human.exit_code == 0, human.stderr
    assert (
        "Assertions this change breaks\n"
        "\u2717 requirement-4-as-of-2018-02-28: requirement-4 as of 2018-02-28: asserted "
        "contested, was contested, now not-met (S2)\n"
        f"    data/{R4}\n"
        "    because of: memo-pgr-ordered-inspector-general-investigation\n"
        "    rests on: memo-ayotzinapa-concealment-of-criminal-records, "
    ) in human.stdout

    data = json.loads(ledger(root, "diff", "HEAD~1", "HEAD", "--format", "json").stdout)
    assert data["assertions"] == [
        {
            "id": "requirement-4-as-of-2018-02-28",
            "path": f"data/{R4}",
            "requirement": "requirement-4",
            "case": None,
            "as_of": "2018-02-28",
            "asserted": "contested",
            "old": "contested",
            "new": "not-met",
            "new_line": "S2",
            "claims": [*R4_AGAINST.split(", "), "memo-pgr-ordered-inspector-general-investigation"],
            "because": ["memo-pgr-ordered-inspector-general-investigation"],
        }
    ]

    markdown = ledger(root, "diff", "HEAD~1", "HEAD", "--format", "markdown").stdout
    assert (
        "**\u2717 Assertions this change breaks**\n\n"
        "- `requirement-4-as-of-2018-02-28`: `requirement-4` as of 2018-02-28: asserted "
        "contested, was contested, now **not-met** (S2); because of "
        "`memo-pgr-ordered-inspector-general-investigation`; rests on "
        "`memo-ayotzinapa-concealment-of-criminal-records`, "
        "`memo-ayotzinapa-government-impeded-investigation`, "
        "`memo-families-notified-different-resolution`, "
        "`memo-follow-up-mechanism-concerned-slow-giei-lines`, `memo-giei-faced-obstacles` and 3 "
        "more\n"
    ) in markdown
    # The next commit updates the assertion: nothing is broken any more.
    real_copy.edit(R4, "status: contested", "status: not-met")
    again = json.loads(ledger(root, "diff", "HEAD~1", "--format", "json").stdout)
    assert again["assertions"] == []


def test_an_assertion_broken_before_the_change_is_not_blamed_on_it(real_copy: Sample) -> None:
    root = real_copy.root
    real_copy.edit(R4, "status: contested", "status: met")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    flip(real_copy)
    data = json.loads(ledger(root, "diff", "--format", "json").stdout)
    assert data["assertions"] == []


def _committed(sample: Sample) -> Path:
    root = sample.root
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def test_diff_blames_a_changed_source_for_the_assertion_it_breaks(real_copy: Sample) -> None:
    """The government page no longer speaks for the obligor: its claims turn independent,
    and the assertions that move name the source, as the status changes do."""
    root = _committed(real_copy)
    real_copy.edit(
        "sources/mx-gov-case-updates-2018.yaml",
        "speaks_for: Government of Mexico",
        "speaks_for: Nobody in particular",
    )
    data = json.loads(ledger(root, "diff", "--format", "json").stdout)
    assert data["assertions"], data["statuses"]
    for broken in data["assertions"]:
        assert broken["because"] == ["mx-gov-case-updates-2018"]


def test_diff_judges_no_assertion_when_a_file_fails_to_load(real_copy: Sample) -> None:
    """As validate does: with records missing, a status would seem to flip because of the
    broken file, which is reported already."""
    root = _committed(real_copy)
    real_copy.edit("sources/cso-memo-2017.yaml", "perspective: civil-society", "perspective: x")
    result = ledger(root, "diff", "--format", "json")
    data = json.loads(result.stdout)
    assert "assertions" not in data
    assert data["left_out"]["new"] == 1
