"""`python -m ledger.pr_comment`: which pull request it posts on, what it reads of the
comment file, and its exit codes, against a stand-in for GitHub's API on 127.0.0.1."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from github_stub import Stub, serve
from ledger.git.pr_comment import BODY_LIMIT, MARKER, GitHub, main, post_or_update

REPO = "evidence/ledger-data"
TOKEN = "test-token-not-a-secret"
HEAD = "c" * 40


@pytest.fixture
def stub() -> Iterator[Stub]:
    stub = Stub(REPO, TOKEN)
    stub.pulls[3] = {"number": 3, "head": {"sha": HEAD, "repo": {"full_name": REPO}}}
    stub.pulls[4] = {"number": 4, "head": {"sha": "d" * 40, "repo": {"full_name": REPO}}}
    server, _thread = serve(stub)
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


def comment(folder: Path, body: str = "### Ledger changes\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "comment.md").write_text(body, encoding="utf-8")
    return folder / "comment.md"


def post(stub: Stub, tmp_path: Path, path: Path, event: object = None) -> int:
    if event is None:
        event = {"pull_request": {"number": 3, "head": {"sha": HEAD}, "base": {"sha": "b" * 40}}}
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    os.environ["GITHUB_TOKEN"] = TOKEN
    try:
        return main(
            [str(path), "--event", str(event_path), "--repository", REPO, "--api-url", stub.url]
        )
    finally:
        del os.environ["GITHUB_TOKEN"]


def test_the_comment_goes_on_the_pull_request_the_event_names(
    stub: Stub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert post(stub, tmp_path, comment(tmp_path / "a")) == 0

    assert [c["body"] for c in stub.comments[3]] == [f"{MARKER}\n### Ledger changes\n"]
    assert 4 not in stub.comments
    assert capsys.readouterr().out.startswith("ledger: created comment ")


def test_a_run_whose_commit_is_no_longer_the_head_posts_nothing_and_succeeds(
    stub: Stub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = {"pull_request": {"number": 4, "head": {"sha": HEAD}}}

    assert post(stub, tmp_path, comment(tmp_path / "a"), event) == 0

    assert "nothing posted: pull request #4's head is now dddd" in capsys.readouterr().out
    assert stub.comments == {}
    assert all(method == "GET" for method, _ in stub.requests)


@pytest.mark.parametrize(
    "event",
    [
        {"workflow_run": {"event": "pull_request", "head_sha": HEAD}},
        {"pull_request": {"number": "3", "head": {"sha": HEAD}}},
        {"pull_request": {"number": True, "head": {"sha": HEAD}}},
        {"pull_request": {"number": -1, "head": {"sha": HEAD}}},
        {"pull_request": {"number": 3}},
        [],
    ],
)
def test_an_event_that_is_not_a_pull_requests_is_a_usage_error(
    stub: Stub, tmp_path: Path, capsys: pytest.CaptureFixture[str], event: object
) -> None:
    assert post(stub, tmp_path, comment(tmp_path / "a"), event) == 2

    assert "the event is not a pull request's" in capsys.readouterr().err
    assert stub.requests == []


def test_a_comment_file_that_is_a_link_is_refused(
    stub: Stub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("a runner's file\n", encoding="utf-8")
    path = comment(tmp_path / "a")
    path.unlink()
    path.symlink_to(secret)

    assert post(stub, tmp_path, path) == 1
    assert "comment.md is not a regular file" in capsys.readouterr().err
    assert stub.comments == {} and stub.requests == []


def test_a_body_over_githubs_limit_is_cut_to_fit(stub: Stub, tmp_path: Path) -> None:
    lines = "".join(f"- line {n} {'x' * 90}\n" for n in range(2_000))

    assert post(stub, tmp_path, comment(tmp_path / "a", body=lines)) == 0

    (posted,) = stub.comments[3]
    assert len(posted["body"]) <= BODY_LIMIT - 500
    assert posted["body"].rstrip().endswith("the run that made this comment.")


def test_the_comments_are_read_page_by_page_and_only_the_bots_is_edited(stub: Stub) -> None:
    for n in range(250):
        stub.add_comment(3, "someone", f"{MARKER}\ncomment {n}")
    mine = stub.add_comment(3, "github-actions[bot]", f"{MARKER}\nold")
    api = GitHub(stub.url, REPO, TOKEN)

    assert post_or_update(api, 3, f"{MARKER}\nnew") == ("updated", mine)

    pages = [path for method, path in stub.requests if method == "GET"]
    assert [p.rsplit("page=", 1)[1] for p in pages] == ["1", "2", "3"]
    assert [c["body"] for c in stub.comments[3] if c["id"] == mine] == [f"{MARKER}\nnew"]
    assert sum(c["body"].endswith("new") for c in stub.comments[3]) == 1


def test_no_comment_is_refused_and_missing_settings_are_a_usage_error(
    stub: Stub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert post(stub, tmp_path, tmp_path / "none.md") == 1
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    assert main([str(tmp_path), "--repository", REPO]) == 2
    assert stub.requests == []


def test_a_wrong_token_is_githubs_refusal(stub: Stub, tmp_path: Path) -> None:
    stub.token = "another"
    assert post(stub, tmp_path, comment(tmp_path / "a")) == 1
    assert stub.comments == {}


def test_the_workflow_command_runs_the_poster() -> None:
    """`python -m ledger.pr_comment`, the command every review workflow runs (those written
    by `ledger init` before the poster moved into ledger.git too)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "ledger.pr_comment", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert done.stdout.startswith("usage: python -m ledger.pr_comment")
