"""This repository's own GitHub workflows: the verdict on a pull request's data comes from
trusted code (the base branch's), never from code the pull request could change."""

from __future__ import annotations

from pathlib import Path

import yaml

FLOWS = Path(__file__).resolve().parents[1] / ".github" / "workflows"


def load(name: str) -> dict:
    flow = yaml.safe_load((FLOWS / name).read_text(encoding="utf-8"))
    flow["on"] = flow.pop(True, flow.get("on"))  # YAML 1.1 reads the key `on` as true
    return flow


def test_the_data_is_judged_by_the_base_branch_code() -> None:
    flow = load("ledger.yml")
    steps = flow["jobs"]["validate"]["steps"]
    runs = [step.get("run", "") for step in steps]
    installs = [i for i, run in enumerate(runs) if "pip install" in run]
    fetch = next(i for i, run in enumerate(runs) if "pull/" in run)

    # a pull_request run takes this file from the pull request itself; _target from the base
    assert set(flow["on"]) == {"push", "pull_request_target"}
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert "ref" not in steps[0].get("with", {})  # the base branch, not the pull request
    assert installs and max(installs) < fetch
    assert all("../pr" not in runs[i] and "-e ." not in runs[i] for i in installs)
    assert "git worktree add --detach ../pr" in runs[fetch]
    assert all('--root "$LEDGER"' in run for run in runs if run.startswith("ledger "))


def test_the_code_is_tested_without_secrets() -> None:
    flow = load("tests.yml")

    assert set(flow["on"]) == {"push", "pull_request"}
    assert flow["permissions"] == {"contents": "read"}
    assert "secrets." not in (FLOWS / "tests.yml").read_text(encoding="utf-8")
