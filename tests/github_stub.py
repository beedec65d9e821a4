"""A stand-in for the few calls of GitHub's REST API that `ledger.git.pr_comment` makes, served on
127.0.0.1 for the tests: pull requests by number, and an issue's comments (list by page,
create, edit). It keeps every request, checks the token, and refuses a body over GitHub's
limit as GitHub does (422)."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

LIMIT = 65_536


@dataclass
class Stub:
    repository: str
    token: str
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    next_id: int = 1000
    url: str = ""

    def add_comment(self, number: int, login: str, body: str) -> int:
        self.next_id += 1
        self.comments.setdefault(number, []).append(
            {"id": self.next_id, "user": {"login": login}, "body": body}
        )
        return self.next_id


def serve(stub: Stub) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Serve ``stub`` on a free port of 127.0.0.1 (its ``url`` is set); shut it down with
    ``server.shutdown()``."""
    prefix = f"/repos/{stub.repository}"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, data: Any) -> None:
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            stub.requests.append((method, self.path))
            if self.headers.get("Authorization") != f"Bearer {stub.token}":
                return self._answer(401, {"message": "Bad credentials"})
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            if not parts.path.startswith(prefix + "/"):
                return self._answer(404, {"message": "Not Found"})
            rest = parts.path[len(prefix) :]
            if method == "GET" and (m := re.fullmatch(r"/pulls/(\d+)", rest)):
                pull = stub.pulls.get(int(m[1]))
                return self._answer(200, pull) if pull else self._answer(404, {})
            if m := re.fullmatch(r"/issues/(\d+)/comments", rest):
                number = int(m[1])
                if number not in stub.pulls:
                    return self._answer(404, {"message": "Not Found"})
                if method == "GET":
                    query = parse_qs(parts.query)
                    per_page = int(query.get("per_page", ["30"])[0])
                    page = int(query.get("page", ["1"])[0])
                    found = stub.comments.get(number, [])
                    return self._answer(200, found[(page - 1) * per_page : page * per_page])
                if method == "POST":
                    if len(body["body"]) > LIMIT:
                        return self._answer(422, {"message": "body is too long"})
                    made = stub.add_comment(number, "github-actions[bot]", body["body"])
                    return self._answer(201, {"id": made})
            if method == "PATCH" and (m := re.fullmatch(r"/issues/comments/(\d+)", rest)):
                if len(body["body"]) > LIMIT:
                    return self._answer(422, {"message": "body is too long"})
                for comments in stub.comments.values():
                    for comment in comments:
                        if comment["id"] == int(m[1]):
                            comment["body"] = body["body"]
                            return self._answer(200, comment)
            return self._answer(404, {"message": "Not Found"})

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PATCH(self) -> None:
            self._handle("PATCH")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
