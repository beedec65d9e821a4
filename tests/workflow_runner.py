"""The steps of a GitHub Actions job run here, as a runner would run them, for the tests of
the reviewer's loop: each `run:` script with bash (`-eo pipefail`, as GitHub runs it) and the
workflow's, job's and step's `env:`, `if:` conditions and `${{ }}` values worked out from a
given context, and the few actions the ledger's workflows use stood in for.

- `actions/checkout` clones the given remote (a bare repository standing for GitHub's) into
  the job's folder and checks out its `ref` input, or else the event's commit
  (`github.sha`): for `pull_request_target`, the base branch.
- An install step's `pip install` lines are read, not run: dependencies (`-r FILE`) are
  already beside this Python; `pip install --no-deps PATH` makes every later step run the
  `ledger` package in PATH's `src/` (first on PYTHONPATH), so the code a workflow installs is
  the code that runs; the release `evidence-ledger @ git+$LEDGER_TOOL@$LEDGER_REF` is the
  tool under test, as installed. Any other form fails the test.
- `actions/setup-python` is the running Python; artifacts are folders kept in a dict.

Only the expressions the ledger's workflows use are understood; any other fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_COMPARISON = re.compile(r"([\w.\-]+)\s*==\s*'([^']*)'")


@dataclass
class StepResult:
    name: str
    outcome: str  # success, failure, skipped
    stdout: str = ""
    stderr: str = ""


@dataclass
class JobResult:
    ran: bool
    failed: bool = False
    steps: list[StepResult] = field(default_factory=list)

    def step(self, name_part: str) -> StepResult:
        return next(s for s in self.steps if name_part in s.name)


def lookup(context: dict[str, Any], dotted: str) -> Any:
    value: Any = context
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(f"the context has no {dotted}")
        value = value[part]
    return value


def condition(text: str, context: dict[str, Any], failed: bool) -> bool:
    """An `if:`: `&&` of `!cancelled()`, `success()`, `always()` and `PATH == 'literal'`."""
    inner = _EXPRESSION.fullmatch(text.strip())
    expr = inner[1] if inner else text.strip()
    result = True
    for term in (t.strip() for t in expr.split("&&")):
        if term in ("!cancelled()", "always()"):
            continue
        if term == "success()":
            result = result and not failed
        elif m := _COMPARISON.fullmatch(term):
            result = result and str(lookup(context, m[1])) == m[2]
        else:
            raise ValueError(f"an expression this runner does not know: {term!r}")
    if not any(t.strip() in ("!cancelled()", "always()") for t in expr.split("&&")):
        result = result and not failed  # GitHub adds success() unless a status function is
    return result


def substitute(value: Any, context: dict[str, Any]) -> str:
    return _EXPRESSION.sub(lambda m: str(lookup(context, m[1])), str(value))


def run_job(
    flow: dict[str, Any],
    job_name: str,
    *,
    workdir: Path,
    remote: Path,
    context: dict[str, Any],
    env: dict[str, str],
    artifacts: dict[str, Path],
    store: Path,
) -> JobResult:
    """Run one job's steps in ``workdir`` (made by its checkout of ``remote``);
    ``artifacts`` maps an artifact's name to the folder it was uploaded from (a copy under
    ``store``)."""
    job = flow["jobs"][job_name]
    if "if" in job and not condition(job["if"], context, failed=False):
        return JobResult(ran=False)
    context = {**context, "steps": {}}
    runner_temp = Path(env["RUNNER_TEMP"])
    runner_temp.mkdir(parents=True, exist_ok=True)
    context["runner"] = {"temp": str(runner_temp)}
    folder = workdir / job.get("defaults", {}).get("run", {}).get("working-directory", ".")
    flow_env = {k: substitute(v, context) for k, v in (flow.get("env") or {}).items()}
    job_env = {k: substitute(v, context) for k, v in (job.get("env") or {}).items()}
    installed: dict[str, str] = {}
    result = JobResult(ran=True)
    for step in job["steps"]:
        name = step.get("name") or step.get("uses") or "step"
        if not condition(str(step.get("if", "success()")), context, result.failed):
            outcome = StepResult(name, "skipped")
        elif "uses" in step:
            outcome = _action(step, name, context, workdir, remote, artifacts, store)
        else:
            step_env = {k: substitute(v, context) for k, v in (step.get("env") or {}).items()}
            scope = {**env, **flow_env, **job_env, **step_env, **installed}
            if name.startswith("Install"):
                outcome = _install(step["run"], name, folder, scope, installed)
            else:
                done = subprocess.run(
                    ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                    cwd=folder,
                    env=scope,
                    capture_output=True,
                    text=True,
                    timeout=600,
                    check=False,
                )
                state = "success" if done.returncode == 0 else "failure"
                outcome = StepResult(name, state, done.stdout, done.stderr)
        if "id" in step:
            context["steps"][step["id"]] = {"outcome": outcome.outcome}
        if outcome.outcome == "failure" and not step.get("continue-on-error"):
            result.failed = True
        result.steps.append(outcome)
    return result


_RELEASE = '"evidence-ledger @ git+$LEDGER_TOOL@$LEDGER_REF"'


def _install(
    script: str, name: str, folder: Path, scope: dict[str, str], installed: dict[str, str]
) -> StepResult:
    """Read an install step's `pip install` lines (see the module's notes)."""
    for line in (raw.strip() for raw in script.splitlines()):
        if not line:
            continue
        words = line.split()
        if words[:2] != ["pip", "install"]:
            raise ValueError(f"an install line this runner does not know: {line!r}")
        rest = line.removeprefix("pip install").strip()
        if rest.startswith("--require-hashes -r "):
            continue  # the locked dependencies: already beside this Python
        if rest == f"--no-deps {_RELEASE}":
            continue  # the release: the tool under test, as installed
        if rest.startswith("--no-deps ") and len(words) == 4:
            source = (folder / os.path.expandvars(words[3])).resolve()
            if not (source / "src" / "ledger" / "__init__.py").is_file():
                return StepResult(name, "failure", stderr=f"no ledger package in {source}")
            path = scope.get("PYTHONPATH")
            installed["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source / "src"), path]))
            installed["LEDGER_INSTALLED_FROM"] = str(source)
            continue
        raise ValueError(f"an install this runner does not know: {line!r}")
    return StepResult(name, "success")


def _action(
    step: dict[str, Any],
    name: str,
    context: dict[str, Any],
    workdir: Path,
    remote: Path,
    artifacts: dict[str, Path],
    store: Path,
) -> StepResult:
    action = step["uses"].split("@")[0]
    given = {k: substitute(v, context) for k, v in (step.get("with") or {}).items()}
    if action == "actions/checkout":
        unknown = set(given) - {"fetch-depth", "persist-credentials", "ref", "path"}
        if unknown:
            raise ValueError(f"checkout inputs this runner does not know: {sorted(unknown)}")
        target = workdir / given.get("path", ".")
        done = subprocess.run(["git", "clone", "-q", str(remote), str(target)],
                              capture_output=True, text=True, check=False)  # fmt: skip
        if done.returncode == 0:
            ref = given.get("ref") or lookup(context, "github.sha")
            done = subprocess.run(["git", "-C", str(target), "checkout", "-q", "--detach", ref],
                                  capture_output=True, text=True, check=False)  # fmt: skip
        state = "success" if done.returncode == 0 else "failure"
        return StepResult(name, state, done.stdout, done.stderr)
    if action == "actions/setup-python":
        return StepResult(name, "success")
    if action == "actions/upload-artifact":
        source = Path(given["path"])
        if not source.is_dir():
            return StepResult(name, "failure", stderr=f"no files at {source}")
        kept = store / f"{given['name']}-{len(list(store.iterdir())) if store.exists() else 0}"
        shutil.copytree(source, kept)
        artifacts[given["name"]] = kept
        return StepResult(name, "success")
    raise ValueError(f"an action this runner does not stand in for: {step['uses']}")


def base_env(tmp: Path, **more: str) -> dict[str, str]:
    """The environment of every script: this Python's folder first on the PATH (where
    `ledger` and `python` are), GitHub's variables, and a runner temp of its own."""
    bin_dir = str(Path(sys.executable).parent)
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GITHUB_", "LEDGER_")) and k != "PYTHONPATH"
    }
    return {
        **keep,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "GITHUB_SERVER_URL": "https://github.com",
        "RUNNER_TEMP": str(tmp),
        **more,
    }
