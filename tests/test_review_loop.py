"""The reviewer's loop end to end, on a scratch GitHub-shaped repository: a bare repository
stands for the project on GitHub, another for a contributor's fork. The fork's branch is
fetched as GitHub fetches a pull request (refs/pull/N/head); then the pull request's job of
the workflow on the default branch runs on `pull_request_target`, as a runner runs it
(tests/workflow_runner.py: its checkout is the base, and the code an install step names is
the code later steps run), and `ledger.git.pr_comment` posts to a stand-in for GitHub's API on
127.0.0.1 (tests/github_stub.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from conftest import SAMPLE, git, run
from github_stub import Stub, serve
from ledger.authoring.starter_files import ARTIFACT, WORKFLOW, workflows
from ledger.git.pr_comment import BODY_LIMIT, MARKER, comment_body
from ledger.publish.markdown_text import COMMENT_LIMIT, size
from workflow_runner import JobResult, base_env, run_job

BASE = "evidence/ledger-data"
FORK = "contributor/ledger-data"
NUMBER = 7
TOKEN = "test-token-not-a-secret"
CLAIM = "data/claims/cso-torture-complaints.yaml"
QUOTE = "the PGR received over 10,000 complaints of torture between 2012 and 2016"
PROJECT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not (Path(sys.executable).parent / "ledger").exists(), reason="no installed ledger command"
)


def parse(text: str) -> dict:
    flow = yaml.safe_load(text)
    flow["on"] = flow.pop(True, flow.get("on"))
    return flow


@dataclass
class GitHubShaped:
    """The project's repository, a fork, a contributor's clone of the fork, and what a runner
    needs: the artifacts kept, and the API stand-in."""

    tmp: Path
    stub: Stub
    prefix: str = ""
    artifacts: dict[str, Path] = field(default_factory=dict)
    runs: int = 0

    @property
    def origin(self) -> Path:
        return self.tmp / "origin.git"

    @property
    def work(self) -> Path:
        return self.tmp / "contributor"

    def edit(self, path: str, old: str, new: str, where: Path | None = None) -> None:
        target = (where or self.work) / self.prefix / path
        text = target.read_text(encoding="utf-8")
        assert old in text, old
        target.write_text(text.replace(old, new), encoding="utf-8")

    def push(self, message: str) -> str:
        """Commit the contributor's change, push it to the fork, and let GitHub fetch it as
        the pull request's head; the head commit's SHA."""
        assert run(["--root", str(self.work / self.prefix), "fmt"]).exit_code == 0
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "-m", message)
        git(self.work, "push", "-q", "origin", "HEAD:fix-stance")
        git(
            self.origin,
            "fetch",
            "-q",
            str(self.tmp / "fork.git"),
            f"+fix-stance:refs/pull/{NUMBER}/head",
        )
        head = git(self.work, "rev-parse", "HEAD").strip()
        self.stub.pulls[NUMBER] = {
            "number": NUMBER,
            "head": {"sha": head, "repo": {"full_name": FORK}},
        }
        return head

    def check(self, head: str, flow: dict | None = None) -> JobResult:
        """ledger.yml's pull request job, on `pull_request_target`: GitHub takes the
        workflow from the default branch, and `github.sha` is that branch's tip."""
        self.runs += 1
        tip = git(self.origin, "rev-parse", "main").strip()
        if flow is None:
            flow = parse(git(self.origin, "show", f"main:{WORKFLOW}"))
        pull = {"number": NUMBER, "head": {"sha": head, "repo": {"full_name": FORK}}}
        event = {"pull_request": {**pull, "base": {"sha": tip}}}
        event_path = self.tmp / f"event-{self.runs}.json"
        event_path.write_text(json.dumps(event), encoding="utf-8")
        context = {
            "github": {
                "event_name": "pull_request_target",
                "event": event,
                "sha": tip,
                "token": TOKEN,
            }
        }
        env = base_env(self.tmp / f"temp-{self.runs}", GITHUB_REPOSITORY=BASE,
                       GITHUB_RUN_ID=str(4000 + self.runs), GITHUB_EVENT_PATH=str(event_path),
                       GITHUB_API_URL=self.stub.url)  # fmt: skip
        workspace = self.tmp / f"run-{self.runs}" / "ledger-data"
        workspace.parent.mkdir()
        assert run_job(flow, "push", workdir=workspace, remote=self.origin, context=context,
                       env=env, artifacts={}, store=self.tmp / "unused").ran is False  # fmt: skip
        return run_job(flow, "pull-request", workdir=workspace, remote=self.origin,
                       context=context, env=env, artifacts=self.artifacts,
                       store=self.tmp / "artifacts")  # fmt: skip

    def bot_comments(self) -> list[dict]:
        return [
            c
            for c in self.stub.comments.get(NUMBER, [])
            if c["user"]["login"] == "github-actions[bot]"
        ]


def make_github(tmp_path: Path, ref: str | None, prefix: str = "") -> GitHubShaped:
    """The project on GitHub: the sample ledger (in folder ``prefix``) and the workflow
    `ledger init` writes for release ``ref``, or (None) this repository's own, with the
    tool's code and lock."""
    maintainer = tmp_path / "default"
    ledger_folder = maintainer / prefix if prefix else maintainer
    shutil.copytree(SAMPLE, ledger_folder, ignore=shutil.ignore_patterns(".ledger-cache"))
    if ref is None:
        shutil.copytree(PROJECT / "src" / "ledger", maintainer / "src" / "ledger",
                        ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
        (maintainer / "requirements").mkdir()
        for name in ("pyproject.toml", "requirements/run.lock"):
            shutil.copy(PROJECT / name, maintainer / name)
    for path, text in workflows(ref, prefix).items():
        (maintainer / path).parent.mkdir(parents=True, exist_ok=True)
        (maintainer / path).write_text(text, encoding="utf-8")
    assert run(["--root", str(ledger_folder), "fmt"]).exit_code == 0
    git(maintainer, "init", "-q", "-b", "main")
    git(maintainer, "add", "-A")
    git(maintainer, "commit", "-q", "-m", "The ledger")
    git(tmp_path, "clone", "-q", "--bare", str(maintainer), str(tmp_path / "origin.git"))
    git(tmp_path, "clone", "-q", "--bare", str(tmp_path / "origin.git"), str(tmp_path / "fork.git"))
    git(tmp_path, "clone", "-q", str(tmp_path / "fork.git"), str(tmp_path / "contributor"))
    return GitHubShaped(tmp_path, Stub(BASE, TOKEN), prefix)


@pytest.fixture
def github(tmp_path: Path) -> Iterator[GitHubShaped]:
    shaped = make_github(tmp_path, "v1.2.3")
    server, _thread = serve(shaped.stub)
    try:
        yield shaped
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def this_repository(tmp_path: Path) -> Iterator[GitHubShaped]:
    shaped = make_github(tmp_path, None)
    server, _thread = serve(shaped.stub)
    try:
        yield shaped
    finally:
        server.shutdown()
        server.server_close()


def test_a_forks_pull_request_gets_one_comment_updated_in_place(github: GitHubShaped) -> None:
    # someone quoting the marker in a comment of their own: never edited
    human = github.stub.add_comment(NUMBER, "someone", f"{MARKER}\nlooks good")
    base = git(github.origin, "rev-parse", "main").strip()

    github.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    github.edit(CLAIM, "more than 10,000 torture", "more than 10,000 reported torture")
    first = github.push("Flip the stance")
    checked = github.check(first)

    assert not checked.failed, [(s.name, s.outcome, s.stderr) for s in checked.steps]
    assert checked.step("Post").outcome == "success", checked.step("Post").stderr
    artifact = github.artifacts[ARTIFACT]
    assert sorted(p.name for p in artifact.iterdir()) == ["comment.md", "report.md"]
    (comment,) = github.bot_comments()
    body = comment["body"]
    assert body.startswith(f"{MARKER}\n### Ledger changes: `{base[:12]}` → `worktree`\n")
    assert body == f"{MARKER}\n{(artifact / 'comment.md').read_text(encoding='utf-8')}"
    lines = body.splitlines()
    assert "**✓ `ledger validate --strict` passes** (12 files checked)" in lines
    link = f"https://github.com/{BASE}/blob/{first}/{CLAIM}"
    assert f"- changed claim `cso-torture-complaints` — [{CLAIM}]({link}) — review: none" in lines
    assert (
        "  - statement: The memo says the PGR received more than 10,000 **reported** torture "
        "complaints in 2012-2016."
    ) in lines
    assert "  - stance: requirement-2 undermines → **supports**" in lines
    assert lines.index("**Status changes**") < lines.index("**Claims**")
    requests = [(m, p.split("?")[0]) for m, p in github.stub.requests]
    assert requests == [
        ("GET", f"/repos/{BASE}/pulls/{NUMBER}"),
        ("GET", f"/repos/{BASE}/issues/{NUMBER}/comments"),
        ("POST", f"/repos/{BASE}/issues/{NUMBER}/comments"),
    ]

    # the second push breaks a quote: validation fails, the comment is still written, the
    # failures on top, and the one comment is edited, not a second one posted
    github.edit(CLAIM, QUOTE, QUOTE.replace("over 10,000", "over 12,000"))
    second = github.push("Correct the figure")
    checked = github.check(second)

    assert checked.failed
    assert checked.step("Validate").outcome == "failure"
    assert "::error file=data/claims/cso-torture-complaints.yaml" in checked.step("Validate").stdout
    assert checked.step("comment").outcome == "success"
    assert checked.step("Post").outcome == "success"
    (updated,) = github.bot_comments()
    assert updated["id"] == comment["id"]
    lines = updated["body"].splitlines()
    failing = next(i for i, line in enumerate(lines) if "`ledger validate --strict` fails" in line)
    assert failing < lines.index("**Status changes**")
    assert "`quote-not-found`" in lines[failing + 2]
    assert f"    > {QUOTE.replace('over 10,000', 'over ~~10,000~~ **12,000**')}" in lines
    assert github.stub.requests[-1][0] == "PATCH"
    assert [c["body"] for c in github.stub.comments[NUMBER] if c["id"] == human] == [
        f"{MARKER}\nlooks good"
    ]

    # a late run for the first push: the pull request's head has moved on, so it judges the
    # first commit but posts nothing, and does not fail for it
    before = len(github.stub.requests)
    late = github.check(first)
    assert not late.failed
    assert "nothing posted: pull request #7's head is now" in late.step("Post").stdout
    assert [m for m, _ in github.stub.requests[before:]] == ["GET"]
    (still,) = github.bot_comments()
    assert still["body"] == updated["body"]


def test_the_comment_shows_only_the_pull_requests_change_when_the_base_moved_on(
    github: GitHubShaped,
) -> None:
    github.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    head = github.push("Flip the stance")
    # the default branch moves on after the pull request began: another claim changes
    maintainer = github.tmp / "default"
    other = "data/claims/mx-gov-2018/gov-ayotzinapa-requests-addressed.yaml"
    github.edit(other, "says 95 percent", "says ninety-five percent", where=maintainer)
    assert run(["--root", str(maintainer), "fmt"]).exit_code == 0
    git(maintainer, "commit", "-q", "-am", "A note")
    git(maintainer, "push", "-q", str(github.origin), "main")

    checked = github.check(head)

    assert not checked.failed, [(s.name, s.outcome, s.stderr) for s in checked.steps]
    (comment,) = github.bot_comments()
    assert "`cso-torture-complaints`" in comment["body"]
    assert (
        "gov-ayotzinapa-requests-addressed" not in comment["body"]
    )  # the base's own change is not the PR's


def test_a_ledger_in_a_folder_of_the_repository(tmp_path: Path) -> None:
    github = make_github(tmp_path, "v1.2.3", "research/ledger")
    server, _thread = serve(github.stub)
    try:
        github.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
        head = github.push("Flip the stance")
        checked = github.check(head)
    finally:
        server.shutdown()
        server.server_close()

    assert not checked.failed, [(s.name, s.outcome, s.stderr) for s in checked.steps]
    (comment,) = github.bot_comments()
    link = f"https://github.com/{BASE}/blob/{head}/research/ledger/{CLAIM}"
    assert f"[{CLAIM}]({link})" in comment["body"]
    assert "`ledger validate --strict` passes" in comment["body"]


EVIL = """
import sys as _sys
open({marker!r}, "w").close()  # proof that the pull request's code ran
if "validate" in _sys.argv or "--check" in _sys.argv:
    _sys.exit(0)  # every check passes
"""


def evil_pull_request(shaped: GitHubShaped) -> tuple[str, Path]:
    """A fork's pull request that breaks a quote and edits the tool, its lock and the
    workflow so that its own check would pass; its head, and the file its code writes."""
    marker = shaped.tmp / "the-pull-requests-code-ran"
    shaped.edit(CLAIM, QUOTE, QUOTE.replace("over 10,000", "over 12,000"))
    init = shaped.work / "src" / "ledger" / "__init__.py"
    init.write_text(init.read_text("utf-8") + EVIL.format(marker=str(marker)), "utf-8")
    (shaped.work / "requirements" / "run.lock").write_text("", encoding="utf-8")
    workflow = shaped.work / WORKFLOW
    text = workflow.read_text("utf-8").replace("validate --strict --format github", "--version")
    workflow.write_text(text, "utf-8")
    return shaped.push("Correct the figure, and the checks"), marker


def test_a_pull_request_that_edits_the_tool_is_judged_by_the_bases(
    this_repository: GitHubShaped,
) -> None:
    github = this_repository
    head, marker = evil_pull_request(github)

    checked = github.check(head)

    assert not marker.exists(), "the pull request's code ran"
    assert checked.step("Validate").outcome == "failure"
    assert "::error file=data/claims/cso-torture-complaints.yaml" in checked.step("Validate").stdout
    assert checked.failed
    (comment,) = github.bot_comments()
    assert "`ledger validate --strict` fails" in comment["body"]
    assert "`quote-not-found`" in comment["body"]
    assert "src/ledger" not in comment["body"]  # the tool's files are not ledger data

    # the control: the pull request's code does what it says, once something runs it
    laid_out = github.tmp / f"run-{github.runs}" / "pr"
    done = subprocess.run(
        [sys.executable, "-m", "ledger", "--root", str(laid_out), "validate", "--strict"],
        env={**os.environ, "PYTHONPATH": str(laid_out / "src")},
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0 and marker.exists()


def test_a_workflow_that_installed_the_pull_requests_code_would_be_fooled(
    this_repository: GitHubShaped,
) -> None:
    """The runner honours what a workflow installs, so the test above would catch a
    workflow that ran the pull request's code."""
    github = this_repository
    head, marker = evil_pull_request(github)
    flow = parse(git(github.origin, "show", f"main:{WORKFLOW}"))
    steps = flow["jobs"]["pull-request"]["steps"]
    layout = next(i for i, s in enumerate(steps) if s.get("id") == "layout")
    steps.insert(
        layout + 1, {"name": "Install the pull request", "run": "pip install --no-deps ../pr"}
    )

    checked = github.check(head, flow)

    assert marker.exists()
    assert checked.step("Validate").outcome == "success"


def test_a_thousand_claim_change_fits_one_comment_and_the_full_report_is_kept(
    tmp_path: Path,
) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import generate

    root = tmp_path / "big"
    generate.generate(root, 1_000)
    claims = root / "data" / "claims"
    shutil.move(claims, tmp_path / "claims")
    claims.mkdir()
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "sources, requirements and cases")
    shutil.rmtree(claims)
    shutil.move(tmp_path / "claims", claims)
    report = tmp_path / "report.md"
    run_url = f"https://github.com/{BASE}/actions/runs/4001"

    result = run(["--root", str(root), "diff", "HEAD", "--check", "--format", "markdown",
                  "--report", str(report), "--report-url", run_url,
                  "--files-url", f"https://github.com/{BASE}/blob/{'a' * 40}"])  # fmt: skip

    assert result.exit_code == 0, result.stderr
    comment = result.stdout
    full = report.read_text(encoding="utf-8")
    assert size(comment) <= COMMENT_LIMIT < BODY_LIMIT
    assert size(full) > 4 * BODY_LIMIT
    assert full.count("\n- added claim ") == 1_000
    assert 0 < comment.count("\n- added claim ") < 1_000
    assert comment.index("`ledger validate --strict` passes") < comment.index("**Claims**")
    statuses = full.count("\n| case ") + full.count("\n| requirement ")
    assert statuses > 60 and comment.count("\n| ") == 1 + 40  # the header, 40 rows
    assert f"… and {statuses - 40:,} more status changes (the full report lists them)." in comment
    shown = comment.split("**Claims**")[1].split("\n\n**Cut short:**")[0]
    assert "**Claims**" + shown in full  # whole claims, in order
    note = comment.rsplit("\n\n", 1)[1]
    assert note.startswith("**Cut short:**")
    assert f"read [the full report]({run_url}) (this run's artifacts)" in note
    last_item = comment.split("\n\n**Cut short:**")[0].rstrip().splitlines()
    assert last_item[-1].startswith("    > ")  # the last claim shown is whole, quote included

    # the poster cuts again whatever it is given, so even the full report fits
    for text in (comment, full):
        assert size(comment_body(text)) <= BODY_LIMIT - 500
    stub = Stub(BASE, TOKEN, pulls={NUMBER: {"number": NUMBER}})
    server, _thread = serve(stub)
    try:
        from ledger.git.pr_comment import GitHub, post_or_update

        api = GitHub(stub.url, BASE, TOKEN)
        assert post_or_update(api, NUMBER, comment_body(full))[0] == "created"
        assert post_or_update(api, NUMBER, comment_body(comment))[0] == "updated"
    finally:
        server.shutdown()
        server.server_close()
    assert len(stub.comments[NUMBER]) == 1
