"""`ledger validate` as CI and people use it: exit codes, which stream gets what, the formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLE, Sample, run, run_process

CLAIM = "claims/cso-tlatlaya-no-arrest-warrants.yaml"
GOV_CLAIM = "claims/mx-gov-2018/gov-tlatlaya-release-impartial.yaml"
DIAGNOSTIC_KEYS = {"code", "severity", "path", "line", "column", "field", "message", "hint"}


def break_quote(sample: Sample) -> None:
    sample.edit(CLAIM, "the failure to obtain arrest", "the failure to get arrest")


# -- a clean ledger -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--root", str(SAMPLE)],
        ["--root", str(SAMPLE), "validate"],
        ["validate", "--strict", "--root", str(SAMPLE)],
    ],
    ids=["root-after", "root-before", "strict"],
)
def test_clean_ledger_is_silent_and_exits_0(args: list[str]) -> None:
    result = run(args)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_clean_ledger_as_a_real_process_found_from_a_sub_folder() -> None:
    result = run_process(["validate"], cwd=SAMPLE / "data" / "claims" / "mx-gov-2018")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_ledger_root_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ledger here or above
    result = run(["validate"], env={"LEDGER_ROOT": str(SAMPLE)})
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_root_option_wins_over_the_environment(tmp_path: Path) -> None:
    for args in (["validate", "--root", str(SAMPLE)], ["--root", str(SAMPLE), "validate"]):
        result = run(args, env={"LEDGER_ROOT": str(tmp_path)})
        assert (result.exit_code, result.stderr) == (0, ""), args


def test_clean_ledger_in_json_still_prints_the_envelope() -> None:
    result = run(["validate", "--root", str(SAMPLE), "--format", "json"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {
        "format": "ledger-diagnostics",
        "version": 1,
        "summary": {"errors": 0, "warnings": 0, "files": 12},
        "diagnostics": [],
    }


def test_clean_ledger_in_github_format_prints_nothing() -> None:
    result = run(["validate", "--root", str(SAMPLE), "--format", "github"])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


# -- findings -------------------------------------------------------------------------------------


def test_findings_go_to_stderr_in_the_human_format(sample_copy: Sample) -> None:
    break_quote(sample_copy)
    result = run(["validate", "--root", str(sample_copy.root)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"data/{CLAIM}:4:8: error[quote-not-found]: the quote is not found in cso-memo-2017: "
        '"Two central issues limiting progress in this case have been the failure to get arrest '
        'warrants against soldiers"\n'
        "  field: quote\n"
        "  4 | quote: >-\n"
        "    |        ^\n"
        '  hint: the closest passage in cso-memo-2017 is: "Two central issues limiting progress '
        'in this case have been the failure to obtain arrest warrants against soldiers"\n'
        "1 error, 0 warnings in 12 files checked\n"
    )


def test_findings_as_a_real_process(sample_copy: Sample) -> None:
    break_quote(sample_copy)
    result = run_process(["validate"], cwd=sample_copy.root, env={"NO_COLOR": "1"})
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"data/{CLAIM}:4:8: error[quote-not-found]: ")
    assert "\x1b" not in result.stderr


def test_json_envelope_on_stdout(sample_copy: Sample) -> None:
    break_quote(sample_copy)
    sample_copy.write("cases/atenco.yml", "id: atenco\n")
    result = run(["validate", "--root", str(sample_copy.root), "--format", "json"])
    assert result.exit_code == 1
    assert result.stderr == ""
    envelope = json.loads(result.stdout)
    assert set(envelope) == {"format", "version", "summary", "diagnostics"}
    assert envelope["format"] == "ledger-diagnostics"
    assert envelope["version"] == 1
    assert envelope["summary"] == {"errors": 1, "warnings": 1, "files": 12}
    assert all(set(d) == DIAGNOSTIC_KEYS for d in envelope["diagnostics"])
    misplaced, quote = envelope["diagnostics"]
    assert misplaced == {
        "code": "misplaced-file",
        "severity": "warning",
        "path": "data/cases/atenco.yml",
        "line": 0,
        "column": 0,
        "field": "",
        "message": "a .yml file is not read",
        "hint": "rename it to atenco.yaml",
    }
    assert (quote["code"], quote["severity"], quote["path"]) == (
        "quote-not-found",
        "error",
        f"data/{CLAIM}",
    )
    assert (quote["line"], quote["column"], quote["field"]) == (4, 8, "quote")


def test_github_annotations_on_stdout(sample_copy: Sample) -> None:
    break_quote(sample_copy)
    sample_copy.write("cases/atenco.yml", "id: atenco\n")
    result = run(["validate", "--root", str(sample_copy.root), "--format", "github"])
    assert result.exit_code == 1
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0] == (
        "::warning file=data/cases/atenco.yml,title=misplaced-file::"
        "a .yml file is not read. Hint: rename it to atenco.yaml"
    )
    assert lines[1].startswith(
        f"::error file=data/{CLAIM},line=4,col=8,title=quote-not-found::the quote is not found"
    )
    assert "(field quote). Hint: the closest passage" in lines[1]


def test_github_escapes_what_would_break_an_annotation(sample_copy: Sample) -> None:
    sample_copy.edit(CLAIM, "the failure to obtain arrest", "100% of the failure::to, get")
    result = run(["validate", "--root", str(sample_copy.root), "--format", "github"])
    [line] = result.stdout.splitlines()
    assert line.startswith("::error file=")
    message = line.split("::", 2)[2]
    assert "100%25 of the failure::to, get" in message  # only % is special in the message


def test_strict_turns_warnings_into_failure(sample_copy: Sample) -> None:
    sample_copy.write("cases/atenco.yml", "id: atenco\n")
    lenient = run(["validate", "--root", str(sample_copy.root)])
    assert lenient.exit_code == 0
    assert lenient.stdout == ""
    assert "warning[misplaced-file]" in lenient.stderr
    assert lenient.stderr.endswith("0 errors, 1 warning in 12 files checked\n")
    strict = run(["validate", "--strict", "--root", str(sample_copy.root)])
    assert strict.exit_code == 1
    assert strict.stderr == lenient.stderr
    for fmt in ("json", "github"):
        result = run(["validate", "--strict", "--format", fmt, "--root", str(sample_copy.root)])
        assert result.exit_code == 1, fmt


def test_all_problems_of_several_files_in_one_run_sorted(sample_copy: Sample) -> None:
    sample_copy.edit("cases/tlatlaya.yaml", "place: Tlatlaya", "plase: Tlatlaya")
    sample_copy.edit("cases/tlatlaya.yaml", "kind: incident", "kind: incidnt")
    sample_copy.write("cases/ayotzinapa.yaml", "id: ayotzinapa\nid: again\n")
    break_quote(sample_copy)  # not reported: its source's archive fails its hash (below)
    sample_copy.edit(CLAIM, "  requirement-1: undermines", "  requirement-9: undermines")
    sample_copy.write("sources/cso-memo-2017.txt", "replaced\n")
    sample_copy.edit(GOV_CLAIM, "lack of evidence", "lack of proof")
    result = run(["validate", "--root", str(sample_copy.root), "--format", "json"])
    assert result.exit_code == 1
    found = [(d["path"], d["line"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert found == [
        ("data/cases/ayotzinapa.yaml", 2, "duplicate-key"),
        ("data/cases/tlatlaya.yaml", 3, "invalid-value"),
        ("data/cases/tlatlaya.yaml", 7, "unknown-field"),
        (f"data/{CLAIM}", 13, "unresolved-reference"),
        (f"data/{GOV_CLAIM}", 4, "quote-not-found"),
        ("data/sources/cso-memo-2017.yaml", 12, "archive-hash"),
    ]
    human = run(["validate", "--root", str(sample_copy.root)])
    headers = [line for line in human.stderr.splitlines() if line.startswith("data/")]
    assert [h.split(": ")[0] for h in headers] == [
        f"{p}:{n}:{c}"
        for p, n, c in [
            ("data/cases/ayotzinapa.yaml", 2, 1),
            ("data/cases/tlatlaya.yaml", 3, 7),
            ("data/cases/tlatlaya.yaml", 7, 1),
            (f"data/{CLAIM}", 13, 3),
            (f"data/{GOV_CLAIM}", 4, 8),
            ("data/sources/cso-memo-2017.yaml", 12, 11),
        ]
    ]
    assert human.stderr.endswith("6 errors, 0 warnings in 12 files checked\n")


# -- usage and configuration errors: exit 2 -------------------------------------------------------


def _one_line_error(stderr: str) -> str:
    assert stderr.count("\n") == 1, stderr
    assert stderr.startswith("ledger: ")
    assert "Traceback" not in stderr
    return stderr


def test_outside_any_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(["validate"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert "no ledger.toml in" in _one_line_error(result.stderr)
    assert "--root" in result.stderr


def test_outside_any_ledger_as_a_real_process(tmp_path: Path) -> None:
    result = run_process(["validate"], cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert "no ledger.toml in" in _one_line_error(result.stderr)


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_root_that_is_not_a_ledger(tmp_path: Path, how: str) -> None:
    if how == "option":
        result = run(["validate", "--root", str(tmp_path)])
    else:
        result = run(["validate"], env={"LEDGER_ROOT": str(tmp_path)})
    assert (result.exit_code, result.stdout) == (2, "")
    assert "is not a ledger" in _one_line_error(result.stderr)


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ('[ledger]\ndata = "../.."\n', "must be inside the ledger"),
        ('[ledger]\ndata = "nothing-here"\n', "does not exist"),
        ('[ledger]\ndata = ".git"\n', "is a hidden folder"),
        ('[ledger]\ndata = "data/.ledger-cache"\n', "is a hidden folder"),
    ],
    ids=["data-outside", "no-data-folder", "data-in-git", "data-in-the-cache"],
)
def test_a_data_folder_out_of_reach(sample_copy: Sample, marker: str, expected: str) -> None:
    """Where the data folder is, is the file system's question: one line. Mistakes in the
    text of ledger.toml are located diagnostics (tests/test_config.py)."""
    (sample_copy.root / "ledger.toml").write_text(marker)
    result = run(["validate", "--root", str(sample_copy.root)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert expected in _one_line_error(result.stderr)


def test_an_unknown_format_is_a_usage_error() -> None:
    result = run(["validate", "--root", str(SAMPLE), "--format", "xml"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "xml" in result.stderr


def test_python_dash_m_ledger_help() -> None:
    result = run_process(["--help"], cwd=SAMPLE)
    assert result.returncode == 0
    assert "validate" in result.stdout
    assert result.stderr == ""


def test_validate_help_names_the_exit_codes() -> None:
    result = run(["validate", "--help"])
    assert result.exit_code == 0
    assert "--strict" in result.stdout
    assert "--format" in result.stdout
    assert "exit 0" in result.stdout


def test_the_installed_script_runs(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("ledger")
    if not script.exists():
        pytest.skip("the ledger script is not installed next to this interpreter")
    result = subprocess.run(
        [str(script), "validate", "--root", str(SAMPLE)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ('"2006-02-30"', "not a real date: day is out of range for month"),
        ('"2018-2-28"', "not a date: expected YYYY, YYYY-MM or YYYY-MM-DD"),
    ],
)
def test_a_date_that_is_not_one_says_what_a_date_is(
    sample_copy: Sample, written: str, message: str
) -> None:
    path = "claims/cso-tlatlaya-no-arrest-warrants.yaml"
    text = sample_copy.read(path)
    sample_copy.write(
        path,
        "\n".join(line for line in text.splitlines() if not line.startswith("as_of:"))
        + f"\nas_of: {written}\n",
    )

    found = json.loads(
        run(["--root", str(sample_copy.root), "validate", "--format", "json"]).stdout
    )

    (problem,) = found["diagnostics"]
    assert (problem["code"], problem["field"], problem["message"]) == (
        "invalid-value",
        "as_of",
        message,
    )
    assert problem["hint"] == (
        'write a date that exists, as YYYY, YYYY-MM or YYYY-MM-DD, in quotes: "2018-02-28"'
    )
