"""One comment per pull request, updated in place on every push: the poster behind the
workflow `ledger init` writes (and this repository's own).

The workflow judges a pull request on `pull_request_target`: it runs from the base
repository, with the tool installed from the base, and reads the pull request's commit only
as data. So its job may hold `pull-requests: write`, a fork's pull request included, and its
last step runs::

    python -m ledger.pr_comment COMMENT_FILE

The pull request is the one the event names (``GITHUB_EVENT_PATH``, written by GitHub). The
comment was rendered by the trusted tool from untrusted data, so it is still read only as
text, with a size limit, without following a link, and cut to fit GitHub's limit on a
comment. Before posting, GitHub's API must say that the pull request's head is still the
commit the run judged: when a newer push has moved it, that push's run posts instead, and
this one posts nothing.

The one comment is found by a hidden marker at the start of its body, among comments by the
workflow's own account (``github-actions[bot]``): a comment anyone else wrote is never
edited, whatever it holds. Nothing here imports more than the standard library and this
package's text helpers.

Exit codes: 0 posted, updated, or superseded by a newer push; 1 refused (no comment file, or
one that is not a regular file) or GitHub refused; 2 usage (a missing setting, an event that
is not a pull request's).
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

from ledger.publish.markdown_text import cap, size

MARKER = "<!-- ledger: pull request comment -->"
"""The hidden first line of the one comment: how it is found again on the next push."""
BOT = "github-actions[bot]"
"""The account that posts with a workflow's GITHUB_TOKEN."""
BODY_LIMIT = 65_536
"""GitHub's limit on a comment's body, in characters."""
MAX_READ = 1 << 20
"""Most bytes read of the comment file."""
PER_PAGE = 100
MAX_PAGES = 100
"""Comments read at most: 10,000 on one pull request."""
TIMEOUT = 30
SEE_ARTIFACTS = "read the full report in the artifacts of the run that made this comment"


class Refused(Exception):
    """The comment file does not check out: nothing is posted."""


class Superseded(Exception):
    """A newer push moved the pull request's head: its run posts instead."""


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


def read_comment(path: Path) -> str:
    """The comment's text: a regular file (a link is refused), at most :data:`MAX_READ`
    bytes."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise Refused(f"no comment at {path}") from None
    if not stat.S_ISREG(info.st_mode):
        raise Refused(f"{path} is not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_READ + 1)
    if len(data) > MAX_READ:
        raise Refused(f"{path} is larger than {MAX_READ:,} bytes")
    return data.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class PullRequest:
    number: int
    head_sha: str


def pull_request_in(event: dict[str, Any]) -> PullRequest | None:
    """The pull request a `pull_request_target` (or `pull_request`) event is for, or None."""
    pull = event.get("pull_request")
    if not isinstance(pull, dict):
        return None
    number = pull.get("number")
    head = pull.get("head")
    sha = head.get("sha") if isinstance(head, dict) else None
    if not (type(number) is int and 0 < number < 2**31 and isinstance(sha, str) and sha):
        return None
    return PullRequest(number, sha)


def check_head(github: GitHub, pull: PullRequest) -> None:
    """Raise :class:`Superseded` when the pull request's head is no longer the commit the
    run judged."""
    found = github.call("GET", github.repo_path(f"pulls/{pull.number}"))
    head = found.get("head") if isinstance(found, dict) else None
    now = head.get("sha") if isinstance(head, dict) else None
    if now != pull.head_sha:
        raise Superseded(
            f"pull request #{pull.number}'s head is now {now}, not the run's commit "
            f"{pull.head_sha} (that push's run posts instead)"
        )


def comment_body(text: str, marker: str = MARKER) -> str:
    """The marker, then the comment's text cut to fit GitHub's limit with a margin."""
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
        description="Post the ledger's comment on the pull request the event names, or edit "
        "the one posted before. The token is read from GITHUB_TOKEN.",
    )
    parser.add_argument("comment", type=Path, help="the comment's file (Markdown)")
    parser.add_argument("--event", type=Path, default=os.environ.get("GITHUB_EVENT_PATH"))
    parser.add_argument("--repository", default=os.environ.get("GITHUB_REPOSITORY"))
    parser.add_argument(
        "--api-url", default=os.environ.get("GITHUB_API_URL") or "https://api.github.com"
    )
    parser.add_argument("--author", default=BOT, help="whose comment is edited (%(default)s)")
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
    pull = pull_request_in(event) if isinstance(event, dict) else None
    if pull is None:
        print("ledger: pr_comment: the event is not a pull request's", file=sys.stderr)
        return 2
    github = GitHub(args.api_url, args.repository, str(token))
    try:
        body = comment_body(read_comment(args.comment))
        check_head(github, pull)
        done, comment_id = post_or_update(github, pull.number, body, author=args.author)
    except Superseded as why:
        print(f"ledger: nothing posted: {why}")
        return 0
    except Refused as why:
        print(f"ledger: nothing posted: {why}", file=sys.stderr)
        return 1
    except GitHubError as error:
        print(f"ledger: GitHub refused: {error}", file=sys.stderr)
        return 1
    print(f"ledger: {done} comment {comment_id} on pull request #{pull.number}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
