"""Helpers for the tests of `ledger serve`: a committed copy of the repository's ledger, and
the app over it behind werkzeug's test client (or a real server on an ephemeral port)."""

from __future__ import annotations

import re
from pathlib import Path

from werkzeug.test import Client, TestResponse

from conftest import repository_copy
from ledger.records.root import Layout, open_layout
from ledger.serve.app import ServeApp

HOST = "127.0.0.1:8000"
ORIGIN = f"http://{HOST}"
TOKEN = "test-token"
MEMO = "cso-memo-2017"
SENTENCE = "According to official numbers, there are 32,142 disappeared persons in Mexico."


def ledger_copy(tmp_path: Path) -> Path:
    """The repository's ledger, committed in a new git repository, so `git diff` and
    `ledger diff` have a HEAD to compare with."""
    return repository_copy(tmp_path)


def layout_of(root: Path) -> Layout:
    layout = open_layout(root)
    assert isinstance(layout, Layout), layout
    return layout


class Browsing:
    """The app over one ledger, through the test client, as a browser on it would call it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.app = ServeApp(layout_of(root), token=TOKEN)
        self.app.bind("127.0.0.1", 8000)
        self.client = Client(self.app)

    def get(self, path: str, **options: object) -> TestResponse:
        return self.client.get(path, headers={"Host": HOST}, **options)  # type: ignore[arg-type]

    def post(
        self, path: str, data: dict[str, object], *, headers: dict[str, str] | None = None
    ) -> TestResponse:
        sent = {"Host": HOST, "Origin": ORIGIN, **(headers or {})}
        return self.client.post(path, data=data, headers=sent)

    def fingerprint(self, path: str) -> str:
        """The fingerprint the page's forms carry."""
        found = re.search(r'name="fingerprint" value="([0-9a-f]+)"', self.get(path).text)
        assert found, path
        return found.group(1)
