"""`python -m ledger.pr_comment`: what it takes from an untrusted artifact, which pull request
it posts on, and its exit codes, against a stand-in for GitHub's API on 127.0.0.1."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from github_stub import Stub, serve
from ledger.pr_comment import BODY_LIMIT, MARKER, GitHub, main, post_or_update

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


def artifact(folder: Path, body: str = "### Ledger changes\n", number: object = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "comment.md").write_text(body, encoding="utf-8")
    (folder / "pull-request.json").write_text(json.dumps({"number": number}), encoding="utf-8")
    return folder


def post(stub: Stub, tmp_path: Path, folder: Path, pull_requests: list[int] | None = None) -> int:
    event = {
        "workflow_run": {
            "event": "pull_request",
            "head_sha": HEAD,
            "head_repository": {"full_name": REPO},
            "pull_requests": [{"number": n} for n in pull_requests or []],
        }
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    os.environ["GITHUB_TOKEN"] = TOKEN
    try:
        return main(
            [str(folder), "--event", str(path), "--repository", REPO, "--api-url", stub.url]
        )
    finally:
        del os.environ["GITHUB_TOKEN"]


def test_a_pull_request_the_event_names_wins_over_the_artifacts_number(
    stub: Stub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = artifact(tmp_path / "a", number=4)

    assert post(stub, tmp_path, folder, pull_requests=[3]) == 0

    assert [c["body"] for c in stub.comments[3]] == [f"{MARKER}\n### Ledger changes\n"]
    assert 4 not in stub.comments
    assert capsys.readouterr().out.startswith("ledger: created comment ")


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("3", "not a pull request number"),
        (3.0, "not a pull request number"),
        (-1, "not a pull request number"),
        (True, "not a pull request number"),
        (4, "pull request #4's head is not the run's commit"),
    ],
)
def test_an_artifacts_number_is_checked_before_anything_is_posted(
    stub: Stub, tmp_path: Path, capsys: pytest.CaptureFixture[str], number: object, why: str
) -> None:
    assert post(stub, tmp_path, artifact(tmp_path / "a", number=number)) == 1

    assert why in capsys.readouterr().err
    assert stub.comments == {}
    assert all(method == "GET" for method, _ in stub.requests)


def test_an_artifact_file_that_is_a_link_is_refused(
    stub: Stub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("a runner's file\n", encoding="utf-8")
    folder = artifact(tmp_path / "a")
    (folder / "comment.md").unlink()
    (folder / "comment.md").symlink_to(secret)

    assert post(stub, tmp_path, folder) == 1
    assert "comment.md in the artifact is not a regular file" in capsys.readouterr().err
    assert stub.comments == {}


def test_a_body_over_githubs_limit_is_cut_to_fit(stub: Stub, tmp_path: Path) -> None:
    lines = "".join(f"- line {n} {'x' * 90}\n" for n in range(2_000))

    assert post(stub, tmp_path, artifact(tmp_path / "a", body=lines)) == 0

    (comment,) = stub.comments[3]
    assert len(comment["body"]) <= BODY_LIMIT - 500
    assert comment["body"].rstrip().endswith("the run that made this comment.")


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


def test_no_artifact_posts_nothing_and_missing_settings_are_a_usage_error(
    stub: Stub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert post(stub, tmp_path, tmp_path / "none") == 0
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    assert main([str(tmp_path), "--repository", REPO]) == 2
    assert stub.requests == []


def test_a_wrong_token_is_githubs_refusal(stub: Stub, tmp_path: Path) -> None:
    stub.token = "another"
    assert post(stub, tmp_path, artifact(tmp_path / "a")) == 1
    assert stub.comments == {}
