"""The GitHub workflows, this repository's and those `ledger init` writes, read as data: what
they may do with which token, and which code judges a pull request. (`.ci/run` also checks
them with actionlint; these tests hold the security properties actionlint does not know
about.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ledger.authoring.starter_files import ARTIFACT, PULL_REQUEST_FILES, WORKFLOW, workflows

TOP = Path(__file__).resolve().parents[1]
FLOWS = TOP / ".github" / "workflows"

VARIANTS = {
    "this repository": workflows(None, ""),
    "init, at the top": workflows("v1.2.3", ""),
    "init, in a folder": workflows("v1.2.3", "research/ledger"),
}
RELEASE = 'pip install --no-deps "evidence-ledger @ git+$LEDGER_TOOL@$LEDGER_REF"'
RELEASE_LOCK = (
    'pip install --require-hashes -r "$LEDGER_TOOL/raw/$LEDGER_REF/requirements/run.lock"'
)
OWN = ["pip install --require-hashes -r requirements/run.lock", "pip install --no-deps ."]
BASE_INSTALLS = {
    "this repository": OWN,
    "init, at the top": [RELEASE_LOCK, RELEASE],
    "init, in a folder": [RELEASE_LOCK, RELEASE],
}
"""Every `pip install` a job runs: the base's own code and lock, or the pinned release."""


def parse(text: str) -> dict:
    flow = yaml.safe_load(text)
    flow["on"] = flow.pop(True, flow.get("on"))  # YAML 1.1 reads the key `on` as true
    return flow


def load(name: str) -> dict:
    return parse((FLOWS / name).read_text(encoding="utf-8"))


def steps_of(flow: dict) -> list[dict]:
    return [step for job in flow["jobs"].values() for step in job["steps"]]


def pull_request_job(variant: str) -> dict:
    return parse(VARIANTS[variant][WORKFLOW])["jobs"]["pull-request"]


def installs(steps: list[dict]) -> list[str]:
    runs = "\n".join(step.get("run", "") for step in steps)
    return [line.strip() for line in runs.splitlines() if "pip install" in line]


def test_one_workflow_is_written() -> None:
    assert all(set(found) == {WORKFLOW} for found in VARIANTS.values())
    assert sorted(p.name for p in FLOWS.iterdir()) == ["ledger.yml", "tests.yml"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_push_is_checked_with_a_read_only_token_and_a_pull_request_on_its_target(
    variant: str,
) -> None:
    flow = parse(VARIANTS[variant][WORKFLOW])
    push, pull = flow["jobs"]["push"], flow["jobs"]["pull-request"]

    assert set(flow["on"]) == {"push", "pull_request_target"}  # never pull_request
    assert flow["permissions"] == {"contents": "read"}
    assert push["if"] == "github.event_name == 'push'" and "permissions" not in push
    assert pull["if"] == "github.event_name == 'pull_request_target'"
    assert pull["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert pull["concurrency"]["cancel-in-progress"] is True
    assert not re.search(r"secrets\.\w", VARIANTS[variant][WORKFLOW])
    assert installs(push["steps"]) == installs(pull["steps"]) == BASE_INSTALLS[variant]


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_pull_request_is_judged_by_the_bases_code_reading_its_commit_as_data(
    variant: str,
) -> None:
    """The only checkout is the base; the tool is installed from it (or is the pinned
    release) before anything of the pull request is on the machine; the pull request's
    commit is fetched into a separate worktree that only `ledger --root` reads."""
    job = pull_request_job(variant)
    steps = job["steps"]
    checkouts = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
    layout = next(i for i, s in enumerate(steps) if s.get("id") == "layout")
    install = next(i for i, s in enumerate(steps) if "pip install" in s.get("run", ""))

    (checkout,) = checkouts  # the base: no ref, repository or path of the pull request's
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    assert steps.index(checkout) < install < layout
    assert steps[layout]["run"] == (
        'git fetch --no-tags origin "refs/pull/$NUMBER/head"\n'
        f'git worktree add --detach {PULL_REQUEST_FILES} "$HEAD_SHA"\n'
    )
    assert steps[layout]["env"] == {
        "NUMBER": "${{ github.event.pull_request.number }}",
        "HEAD_SHA": "${{ github.event.pull_request.head.sha }}",
    }
    root = job["env"]["PULL_REQUEST_LEDGER"]
    prefix = "research/ledger" if variant == "init, in a folder" else ""
    assert root == "/".join(filter(None, [PULL_REQUEST_FILES, prefix]))
    assert "defaults" not in job  # every path is the trusted checkout's, or named as data
    after = steps[layout + 1 :]
    for step in after:
        assert set(step) <= {"name", "id", "if", "env", "run", "uses", "with"}
        assert "working-directory" not in step
        script = step.get("run", "")
        # the pull request's files are named only as a ledger for `ledger --root` to read,
        # and its commit only for links and for where it left the base
        assert PULL_REQUEST_FILES not in script
        named = re.sub(r'/blob/\$HEAD_SHA[/"]|"\$BASE_SHA" "\$HEAD_SHA"', "", script)
        assert "HEAD_SHA" not in named
        uses = re.findall(r"\S*PULL_REQUEST_LEDGER\S*", script)
        assert all(u == '"$PULL_REQUEST_LEDGER"' for u in uses), uses
        assert script.count("PULL_REQUEST_LEDGER") == script.count('ledger --root "$PULL_')
        for word in ("pip ", "cd ", "source ", "bash ", "sh ", "make", "npm", "./"):
            assert word not in script, (word, script)
    assert installs(after) == []
    scripts = [s.get("run", "") for s in after]
    assert [s for s in scripts if s.startswith("ledger ")] == [
        'ledger --root "$PULL_REQUEST_LEDGER" validate --strict --format github --policy-from .',
        'ledger --root "$PULL_REQUEST_LEDGER" fmt --check',
    ]


@pytest.mark.parametrize("variant", VARIANTS)
def test_only_the_poster_is_given_the_token(variant: str) -> None:
    text = VARIANTS[variant][WORKFLOW]
    steps = pull_request_job(variant)["steps"]
    post = steps[-1]

    assert post["run"] == f'python -m ledger.pr_comment "$RUNNER_TEMP/{ARTIFACT}/comment.md"'
    assert post["env"] == {"GITHUB_TOKEN": "${{ github.token }}"}
    assert text.count("github.token") == 1
    assert all(s.get("with", {}).get("persist-credentials", False) is False for s in steps)


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_comment_is_rendered_uploaded_and_posted_when_validation_fails_too(
    variant: str,
) -> None:
    steps = pull_request_job(variant)["steps"]
    names = [step.get("name", step.get("uses")) for step in steps]
    validate = next(i for i, s in enumerate(steps) if "validate --strict" in s.get("run", ""))
    render = next(i for i, s in enumerate(steps) if "ledger --root" in s.get("run", "")
                  and " diff " in s["run"])  # fmt: skip
    upload = next(i for i, s in enumerate(steps) if "upload-artifact" in s.get("uses", ""))
    post = len(steps) - 1

    assert validate < render < upload < post, names
    assert steps[render]["id"] == "comment"
    assert steps[render]["if"] == "${{ !cancelled() && steps.layout.outcome == 'success' }}"
    for step in (steps[upload], steps[post]):
        assert step["if"] == "${{ !cancelled() && steps.comment.outcome == 'success' }}"
    script = steps[render]["run"]
    assert 'git merge-base "$BASE_SHA" "$HEAD_SHA"' in script
    assert 'diff "$base" --check --format markdown' in script
    assert '--report "$out/report.md" > "$out/comment.md"' in script
    assert steps[upload]["with"]["name"] == ARTIFACT
    if variant == "init, in a folder":  # files are linked in the ledger's folder
        assert steps[render]["env"]["LEDGER_FOLDER"] == "research/ledger"
        assert '/blob/$HEAD_SHA/$LEDGER_FOLDER"' in script


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_tool_is_installed_pinned_and_never_editable(variant: str) -> None:
    found = installs(steps_of(parse(VARIANTS[variant][WORKFLOW])))

    assert found
    assert not any(" -e " in line or "--editable" in line for line in found)
    assert any("--require-hashes" in line for line in found)
    if variant != "this repository":
        assert parse(VARIANTS[variant][WORKFLOW])["env"]["LEDGER_REF"] == "v1.2.3"
        assert all("$LEDGER_REF" in line for line in found)


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
