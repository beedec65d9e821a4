"""The reviewer's loop end to end, on a scratch GitHub-shaped repository: a bare repository
stands for the project on GitHub, another for a contributor's fork. The fork's branch is
fetched as GitHub fetches a pull request (refs/pull/N/head) and merged into the base as
GitHub's refs/pull/N/merge; then the steps of the workflows `ledger init` writes run as a
runner runs them (tests/workflow_runner.py), and `ledger.pr_comment` posts to a stand-in for
GitHub's API on 127.0.0.1 (tests/github_stub.py).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from conftest import SAMPLE, git, run
from github_stub import Stub, serve
from ledger.markdown_text import COMMENT_LIMIT, size
from ledger.pr_comment import BODY_LIMIT, MARKER, comment_body
from ledger.starter_files import ARTIFACT, COMMENT_WORKFLOW, WORKFLOW, workflows
from workflow_runner import JobResult, base_env, run_job

BASE = "evidence/ledger-data"
FORK = "contributor/ledger-data"
NUMBER = 7
TOKEN = "test-token-not-a-secret"
CLAIM = "data/claims/cso-torture-complaints.yaml"
QUOTE = "the PGR received over 10,000 complaints of torture between 2012 and 2016"

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
    needs: artifacts kept between the two workflows, and the API stand-in."""

    tmp: Path
    stub: Stub
    artifacts: dict[str, Path] = field(default_factory=dict)
    runs: int = 0

    @property
    def origin(self) -> Path:
        return self.tmp / "origin.git"

    @property
    def work(self) -> Path:
        return self.tmp / "contributor"

    def edit(self, path: str, old: str, new: str) -> None:
        target = self.work / path
        text = target.read_text(encoding="utf-8")
        assert old in text, old
        target.write_text(text.replace(old, new), encoding="utf-8")

    def push(self, message: str) -> str:
        """Commit the contributor's change, push it to the fork, and let GitHub fetch it as
        the pull request's head; the head commit's SHA."""
        assert run(["--root", str(self.work), "fmt"]).exit_code == 0  # as a contributor would
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

    def check(self, head: str) -> JobResult:
        """ledger.yml on the pull request: a checkout of its merge into the base."""
        self.runs += 1
        runner = self.tmp / f"run-{self.runs}"
        git(self.tmp, "clone", "-q", str(self.origin), str(runner))
        git(runner, "fetch", "-q", "origin", f"refs/pull/{NUMBER}/head")
        git(runner, "merge", "-q", "--no-ff", "-m", "Merge pull request", "FETCH_HEAD")
        base = git(runner, "rev-parse", "HEAD^1").strip()
        context = {
            "github": {
                "event_name": "pull_request",
                "event": {
                    "pull_request": {
                        "number": NUMBER,
                        "head": {"sha": head, "repo": {"full_name": FORK}},
                        "base": {"sha": base},
                    }
                },
            }
        }
        env = base_env(self.tmp / f"temp-{self.runs}", GITHUB_REPOSITORY=BASE,
                       GITHUB_RUN_ID=str(4000 + self.runs))  # fmt: skip
        flow = parse((runner / WORKFLOW).read_text(encoding="utf-8"))
        return run_job(flow, "validate", workdir=runner, context=context, env=env,
                       artifacts=self.artifacts, store=self.tmp / "artifacts")  # fmt: skip

    def post(self, head: str, run_id: int) -> JobResult:
        """ledger-comment.yml, from the default branch, on the workflow_run event of a
        fork's pull request (GitHub names no pull request in it for a fork)."""
        event = {
            "workflow_run": {
                "id": run_id,
                "event": "pull_request",
                "head_sha": head,
                "head_branch": "fix-stance",
                "head_repository": {"full_name": FORK},
                "pull_requests": [],
            }
        }
        event_path = self.tmp / f"event-{run_id}.json"
        event_path.write_text(json.dumps(event), encoding="utf-8")
        context = {"github": {"event_name": "workflow_run", "event": event, "token": TOKEN}}
        env = base_env(self.tmp / f"post-temp-{run_id}", GITHUB_REPOSITORY=BASE,
                       GITHUB_EVENT_PATH=str(event_path), GITHUB_API_URL=self.stub.url)  # fmt: skip
        default_branch = self.tmp / "default"
        flow = parse((default_branch / COMMENT_WORKFLOW).read_text(encoding="utf-8"))
        return run_job(flow, "comment", workdir=default_branch, context=context, env=env,
                       artifacts=self.artifacts, store=self.tmp / "artifacts")  # fmt: skip

    def bot_comments(self) -> list[dict]:
        return [
            c
            for c in self.stub.comments.get(NUMBER, [])
            if c["user"]["login"] == "github-actions[bot]"
        ]


@pytest.fixture
def github(tmp_path: Path) -> Iterator[GitHubShaped]:
    maintainer = tmp_path / "default"
    shutil.copytree(SAMPLE, maintainer)
    for path, text in workflows("v1.2.3", "").items():
        (maintainer / path).parent.mkdir(parents=True, exist_ok=True)
        (maintainer / path).write_text(text, encoding="utf-8")
    assert run(["--root", str(maintainer), "fmt"]).exit_code == 0
    git(maintainer, "init", "-q", "-b", "main")
    git(maintainer, "add", "-A")
    git(maintainer, "commit", "-q", "-m", "The ledger")
    git(tmp_path, "clone", "-q", "--bare", str(maintainer), str(tmp_path / "origin.git"))
    git(tmp_path, "clone", "-q", "--bare", str(tmp_path / "origin.git"), str(tmp_path / "fork.git"))
    git(tmp_path, "clone", "-q", str(tmp_path / "fork.git"), str(tmp_path / "contributor"))
    stub = Stub(BASE, TOKEN)
    server, _thread = serve(stub)
    try:
        yield GitHubShaped(tmp_path, stub)
    finally:
        server.shutdown()
        server.server_close()


def test_a_forks_pull_request_gets_one_comment_updated_in_place(github: GitHubShaped) -> None:
    # someone quoting the marker in a comment of their own: never edited
    human = github.stub.add_comment(NUMBER, "someone", f"{MARKER}\nlooks good")

    github.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    github.edit(CLAIM, "more than 10,000 torture", "more than 10,000 reported torture")
    first = github.push("Flip the stance")
    checked = github.check(first)

    assert not checked.failed, [(s.name, s.outcome, s.stderr) for s in checked.steps]
    assert checked.step("comment").outcome == "success"
    artifact = github.artifacts[ARTIFACT]
    assert json.loads((artifact / "pull-request.json").read_text()) == {
        "number": NUMBER,
        "head_sha": first,
    }
    posted = github.post(first, 4001)
    assert posted.step("Post it").outcome == "success", posted.step("Post it").stderr
    (comment,) = github.bot_comments()
    body = comment["body"]
    assert body.startswith(f"{MARKER}\n### Ledger changes: `HEAD^1` → `worktree`\n")
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
    assert github.post(second, 4002).step("Post it").outcome == "success"
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

    # the first run's poster, late: the pull request's head has moved on, nothing is posted
    first_artifact = sorted((github.tmp / "artifacts").iterdir())[0]
    github.artifacts[ARTIFACT] = first_artifact
    late = github.post(first, 4001)
    assert late.step("Post it").outcome == "failure"
    assert "is not the run's commit" in late.step("Post it").stderr
    (still,) = github.bot_comments()
    assert still["body"] == updated["body"]


def test_an_artifact_naming_another_pull_request_posts_nothing(github: GitHubShaped) -> None:
    github.edit(CLAIM, "requirement-2: undermines", "requirement-2: supports")
    head = github.push("Flip the stance")
    github.stub.pulls[8] = {"number": 8, "head": {"sha": "0" * 40, "repo": {"full_name": BASE}}}
    assert not github.check(head).failed
    claimed = github.artifacts[ARTIFACT] / "pull-request.json"
    claimed.write_text(json.dumps({"number": 8, "head_sha": head}), encoding="utf-8")

    posted = github.post(head, 4001)

    assert posted.step("Post it").outcome == "failure"
    assert "pull request #8's head is not the run's commit" in posted.step("Post it").stderr
    assert github.stub.comments.get(8, []) == [] and github.bot_comments() == []


def test_a_run_that_uploaded_nothing_posts_nothing(github: GitHubShaped) -> None:
    posted = github.post("1" * 40, 4009)

    assert posted.step("Download").outcome == "failure"
    assert posted.step("Post it").outcome == "skipped"
    assert not posted.failed and github.stub.requests == []


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
        from ledger.pr_comment import GitHub, post_or_update

        api = GitHub(stub.url, BASE, TOKEN)
        assert post_or_update(api, NUMBER, comment_body(full))[0] == "created"
        assert post_or_update(api, NUMBER, comment_body(comment))[0] == "updated"
    finally:
        server.shutdown()
        server.server_close()
    assert len(stub.comments[NUMBER]) == 1
