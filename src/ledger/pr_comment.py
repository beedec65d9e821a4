"""One comment per pull request, updated in place on every push: the poster behind the
workflow `ledger init` writes (and this repository's own).

A pull request from a fork runs its workflows with a read-only token, so the ledger's
comment is made in two steps. The pull request's own run (read-only, no secrets) renders the
comment and uploads it as an artifact with the pull request's number. Then a `workflow_run`
job of the base repository, which has `pull-requests: write` and runs no code of the pull
request, downloads that artifact and runs::

    python -m ledger.pr_comment ARTIFACT_FOLDER

The artifact is untrusted data, written by whatever the pull request's run executed. Here it
is only ever read as text with a size limit: the comment's body, cut to fit GitHub's limit on
a comment, and a number. The number is never taken on trust: the pull request must be one
the `workflow_run` event names, or (GitHub names none for a fork's pull request) one whose
head is the very commit the run was for, from the same repository, as GitHub's API says.

The one comment is found by a hidden marker at the start of its body, among comments by the
workflow's own account (``github-actions[bot]``): a comment anyone else wrote is never
edited, whatever it holds. Nothing here imports more than the standard library and this
package's text helpers, so the job can install the tool without its dependencies.

Exit codes: 0 posted, updated, or nothing to post (no artifact); 1 refused (an artifact or
pull request that does not check out) or GitHub refused; 2 usage (a missing setting).
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.markdown_text import cap, size

MARKER = "<!-- ledger: pull request comment -->"
"""The hidden first line of the one comment: how it is found again on the next push."""
BOT = "github-actions[bot]"
"""The account that posts with a workflow's GITHUB_TOKEN."""
BODY_LIMIT = 65_536
"""GitHub's limit on a comment's body, in characters."""
COMMENT_FILE = "comment.md"
"""In the artifact: the comment, already cut to fit (the body is cut again here)."""
PULL_REQUEST_FILE = "pull-request.json"
"""In the artifact: ``{"number": N, "head_sha": "..."}``, untrusted."""
MAX_READ = 1 << 20
"""Most bytes read of one file of the artifact."""
PER_PAGE = 100
MAX_PAGES = 100
"""Comments read at most: 10,000 on one pull request."""
TIMEOUT = 30
SEE_ARTIFACTS = "read the full report in the artifacts of the run that made this comment"


class Refused(Exception):
    """The artifact or the pull request does not check out: nothing is posted."""


class GitHubError(Exception):
    """GitHub's API answered with an error, or could not be reached."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The token is never sent on to another address."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class GitHub:
    """The few calls of GitHub's REST API the poster makes, at ``api_url`` (GitHub's own, or
    a stand-in that tests run on this machine)."""

    api_url: str
    repository: str
    token: str

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.api_url.rstrip('/')}/{path.lstrip('/')}"
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("User-Agent", "evidence-ledger")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=TIMEOUT) as response:
                answer = response.read(16 * MAX_READ)
        except urllib.error.HTTPError as error:
            raise GitHubError(f"{method} {path}: HTTP {error.code} {error.reason}") from None
        except (urllib.error.URLError, OSError) as error:
            raise GitHubError(f"{method} {path}: {error}") from None
        try:
            return json.loads(answer) if answer else None
        except ValueError:
            raise GitHubError(f"{method} {path}: the answer is not JSON") from None

    def repo_path(self, rest: str) -> str:
        owner_name = "/".join(urllib.parse.quote(p, safe="") for p in self.repository.split("/"))
        return f"/repos/{owner_name}/{rest}"


@dataclass(frozen=True)
class Artifact:
    body: str
    number: int | None


def read_artifact(folder: Path) -> Artifact | None:
    """The comment and the claimed pull request number; None when there is no artifact.
    Only regular files are read (a link is refused), at most :data:`MAX_READ` bytes each."""
    if not folder.is_dir():
        return None
    body = _read(folder / COMMENT_FILE)
    if body is None:
        raise Refused(f"the artifact has no {COMMENT_FILE}")
    number = None
    claimed = _read(folder / PULL_REQUEST_FILE)
    if claimed is not None:
        try:
            value = json.loads(claimed).get("number")
        except (ValueError, AttributeError):
            raise Refused(f"{PULL_REQUEST_FILE} is not a JSON object") from None
        if not (type(value) is int and 0 < value < 2**31):
            raise Refused(f"{PULL_REQUEST_FILE}: the number is not a pull request number")
        number = value
    return Artifact(body, number)


def _read(path: Path) -> str | None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise Refused(f"{path.name} in the artifact is not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_READ + 1)
    if len(data) > MAX_READ:
        raise Refused(f"{path.name} in the artifact is larger than {MAX_READ:,} bytes")
    return data.decode("utf-8", errors="replace")


def pull_request_of(event: dict[str, Any], claimed: int | None, github: GitHub) -> int:
    """The pull request the finished run was for. The event names it for a pull request
    from the repository itself; for a fork's it names none, and the artifact's number is
    taken only when GitHub says that pull request's head is the run's commit, from the
    run's repository."""
    run = event.get("workflow_run")
    if not isinstance(run, dict):
        raise Refused("not a workflow_run event")
    if run.get("event") != "pull_request":
        raise Refused(f"the run was for a {run.get('event')!r} event, not a pull request")
    head_sha = run.get("head_sha")
    listed = [
        pr.get("number")
        for pr in run.get("pull_requests") or []
        if isinstance(pr, dict) and type(pr.get("number")) is int
    ]
    if listed:
        number = claimed if claimed in listed else listed[0]
    elif claimed is None:
        raise Refused("the event names no pull request and the artifact gives no number")
    else:
        number = claimed
    pull = github.call("GET", github.repo_path(f"pulls/{number}"))
    head = pull.get("head") if isinstance(pull, dict) else None
    if not isinstance(head, dict) or head.get("sha") != head_sha:
        raise Refused(
            f"pull request #{number}'s head is not the run's commit {head_sha} "
            "(a newer push's run posts instead)"
        )
    run_repo = (run.get("head_repository") or {}).get("full_name")
    head_repo = (head.get("repo") or {}).get("full_name")
    if run_repo and head_repo and run_repo != head_repo:
        raise Refused(f"pull request #{number} comes from {head_repo}, the run from {run_repo}")
    return int(number)


def comment_body(text: str, marker: str = MARKER) -> str:
    """The marker, then the artifact's text cut to fit GitHub's limit with a margin."""
    room = BODY_LIMIT - 512 - size(marker)
    return f"{marker}\n{cap(text, room, SEE_ARTIFACTS)}"


def comments(github: GitHub, number: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        batch = github.call(
            "GET", github.repo_path(f"issues/{number}/comments?per_page={PER_PAGE}&page={page}")
        )
        if not isinstance(batch, list):
            raise GitHubError("the comments are not a list")
        found += [c for c in batch if isinstance(c, dict)]
        if len(batch) < PER_PAGE:
            break
    return found


def post_or_update(
    github: GitHub, number: int, body: str, marker: str = MARKER, author: str = BOT
) -> tuple[str, int]:
    """Update the one comment ``author`` wrote that starts with ``marker``, or post it:
    ("updated" or "created", the comment's id)."""
    for comment in comments(github, number):
        user = comment.get("user") or {}
        text = comment.get("body") or ""
        if user.get("login") == author and text.startswith(marker):
            comment_id = int(comment["id"])
            github.call("PATCH", github.repo_path(f"issues/comments/{comment_id}"), {"body": body})
            return "updated", comment_id
    made = github.call("POST", github.repo_path(f"issues/{number}/comments"), {"body": body})
    return "created", int(made["id"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ledger.pr_comment",
        description="Post the ledger's comment on the pull request a finished run was for, "
        "or update the one posted before. The token is read from GITHUB_TOKEN.",
    )
    parser.add_argument("artifact", type=Path, help="the folder the artifact was put in")
    parser.add_argument("--event", type=Path, default=os.environ.get("GITHUB_EVENT_PATH"))
    parser.add_argument("--repository", default=os.environ.get("GITHUB_REPOSITORY"))
    parser.add_argument(
        "--api-url", default=os.environ.get("GITHUB_API_URL") or "https://api.github.com"
    )
    parser.add_argument("--author", default=BOT, help="whose comment is updated (%(default)s)")
    args = parser.parse_args(argv)
    token = os.environ.get("GITHUB_TOKEN")
    missing = [
        name
        for name, value in (
            ("GITHUB_TOKEN", token),
            ("--event or GITHUB_EVENT_PATH", args.event),
            ("--repository or GITHUB_REPOSITORY", args.repository),
        )
        if not value
    ]
    if missing:
        print(f"ledger: pr_comment: missing {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        event = json.loads(Path(args.event).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"ledger: pr_comment: cannot read the event: {error}", file=sys.stderr)
        return 2
    github = GitHub(args.api_url, args.repository, str(token))
    try:
        artifact = read_artifact(args.artifact)
        if artifact is None:
            print("ledger: no comment to post (the run uploaded none)")
            return 0
        number = pull_request_of(event if isinstance(event, dict) else {}, artifact.number, github)
        done, comment_id = post_or_update(
            github, number, comment_body(artifact.body), author=args.author
        )
    except Refused as why:
        print(f"ledger: nothing posted: {why}", file=sys.stderr)
        return 1
    except GitHubError as error:
        print(f"ledger: GitHub refused: {error}", file=sys.stderr)
        return 1
    print(f"ledger: {done} comment {comment_id} on pull request #{number}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
