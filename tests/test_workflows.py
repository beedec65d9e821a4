"""The GitHub workflows, this repository's and those `ledger init` writes, read as data: what
they may do with which token. (`.ci/run` also checks them with actionlint; these tests hold
the security properties actionlint does not know about.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ledger.starter_files import ARTIFACT, COMMENT_WORKFLOW, WORKFLOW, workflows

TOP = Path(__file__).resolve().parents[1]
FLOWS = TOP / ".github" / "workflows"

VARIANTS = {
    "this repository": workflows(None, ""),
    "init, at the top": workflows("v1.2.3", ""),
    "init, in a folder": workflows("v1.2.3", "research/ledger"),
}


def parse(text: str) -> dict:
    flow = yaml.safe_load(text)
    flow["on"] = flow.pop(True, flow.get("on"))  # YAML 1.1 reads the key `on` as true
    return flow


def load(name: str) -> dict:
    return parse((FLOWS / name).read_text(encoding="utf-8"))


def steps_of(flow: dict) -> list[dict]:
    return [step for job in flow["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_checking_job_has_a_read_only_token_and_runs_on_pull_requests(variant: str) -> None:
    flow = parse(VARIANTS[variant][WORKFLOW])

    assert set(flow["on"]) == {"push", "pull_request"}  # never pull_request_target
    assert flow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in flow["jobs"].values())
    checkout = flow["jobs"]["validate"]["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["persist-credentials"] is False
    assert not re.search(r"secrets\.\w", VARIANTS[variant][WORKFLOW])


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_comment_is_rendered_and_uploaded_when_validation_fails_too(variant: str) -> None:
    steps = parse(VARIANTS[variant][WORKFLOW])["jobs"]["validate"]["steps"]
    names = [step.get("name", step.get("uses")) for step in steps]
    validate = next(i for i, s in enumerate(steps) if "ledger validate" in s.get("run", ""))
    render = next(i for i, s in enumerate(steps) if "ledger diff" in s.get("run", ""))
    upload = next(i for i, s in enumerate(steps) if "upload-artifact" in s.get("uses", ""))

    assert validate < render < upload, names
    assert steps[validate]["run"] == "ledger validate --strict --format github"
    for step in (steps[render], steps[upload]):
        assert step["if"] == "${{ !cancelled() && github.event_name == 'pull_request' }}"
    assert "--check --format markdown" in steps[render]["run"]
    assert '--report "$out/report.md"' in steps[render]["run"]
    assert steps[upload]["with"]["name"] == ARTIFACT
    if variant == "init, in a folder":  # files are linked in the ledger's folder
        assert steps[render]["env"]["LEDGER_FOLDER"] == "research/ledger"
        assert '/blob/$HEAD_SHA/$LEDGER_FOLDER"' in steps[render]["run"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_tool_is_installed_pinned_and_never_editable(variant: str) -> None:
    runs = "\n".join(step.get("run", "") for f in VARIANTS[variant].values()
                     for step in steps_of(parse(f)))  # fmt: skip
    installs = [line for line in runs.splitlines() if "pip install" in line]

    assert installs
    assert not any(" -e " in line or "--editable" in line for line in installs)
    if variant == "this repository":
        assert "pip install --require-hashes -r requirements/run.lock" in installs
    else:
        flow = parse(VARIANTS[variant][WORKFLOW])
        assert flow["env"]["LEDGER_REF"] == "v1.2.3"
        assert all("$LEDGER_REF" in line for line in installs)
        assert any("--require-hashes" in line for line in installs)


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_poster_has_the_one_write_permission_and_runs_nothing_of_the_pull_request(
    variant: str,
) -> None:
    text = VARIANTS[variant][COMMENT_WORKFLOW]
    flow = parse(text)
    (job,) = flow["jobs"].values()

    assert flow["on"] == {"workflow_run": {"workflows": ["ledger"], "types": ["completed"]}}
    assert flow["permissions"] == {}
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert job["if"] == "github.event.workflow_run.event == 'pull_request'"
    for step in job["steps"]:
        # no checkout of the pull request's commit: only the default branch, without a token
        if step.get("uses", "").startswith("actions/checkout@"):
            assert set(step.get("with", {})) == {"persist-credentials"}
            assert step["with"]["persist-credentials"] is False
    download = next(s for s in job["steps"] if "download-artifact" in s.get("uses", ""))
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    post = job["steps"][-1]
    assert post["run"] == f'python -m ledger.pr_comment "$RUNNER_TEMP/{ARTIFACT}"'
    assert post["env"] == {"GITHUB_TOKEN": "${{ github.token }}"}
    assert "head_sha" not in text and "head_branch }}" in text  # only in the concurrency group


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_expression_is_interpolated_into_a_script(variant: str) -> None:
    """Values reach scripts through env: a pull request's title, branch name or body
    interpolated into a `run:` script would be code."""
    for text in VARIANTS[variant].values():
        for step in steps_of(parse(text)):
            assert "${{" not in step.get("run", ""), step
        assert not re.search(r"github\.event\.pull_request\.(title|body|head\.ref)", text)
        assert "github.head_ref" not in text


def test_this_repositorys_workflows_are_the_template_it_gives_every_ledger() -> None:
    for path, text in workflows(None, "").items():
        assert (TOP / path).read_text(encoding="utf-8") == text, (
            f"{path} differs from its template: `python tests/golden_outputs.py` writes it"
        )


def test_the_code_is_tested_without_secrets() -> None:
    flow = load("tests.yml")

    assert set(flow["on"]) == {"push", "pull_request"}
    assert flow["permissions"] == {"contents": "read"}
    assert "secrets." not in (FLOWS / "tests.yml").read_text(encoding="utf-8")
