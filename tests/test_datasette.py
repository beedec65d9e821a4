"""The SQLite export as Datasette reads it: claims searchable from their own table, and each
id column a link to the record it names.

Datasette is no dependency of ledger's: .ci/run installs it (requirements/datasette.lock) in
an environment of its own and names its executable in LEDGER_TEST_DATASETTE; without that
variable these tests are skipped.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import run

REPO = Path(__file__).resolve().parents[1]
DATASETTE = os.environ.get("LEDGER_TEST_DATASETTE", "")

pytestmark = pytest.mark.skipif(
    not DATASETTE, reason="LEDGER_TEST_DATASETTE names no datasette executable (.ci/run sets it)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The repository's data exported to SQLite and served by Datasette on 127.0.0.1."""
    database = tmp_path_factory.mktemp("datasette") / "ledger.db"
    exported = run(["--root", str(REPO), "export", "-f", "sqlite", "-o", str(database)])
    assert exported.exit_code == 0, exported.output
    port = _free_port()
    server = subprocess.Popen(
        [DATASETTE, "serve", str(database), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    why = server.stderr.read().decode() if server.stderr else ""
                    raise AssertionError(why) from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_datasette_searches_claims_from_their_own_table(served: str) -> None:
    found = _json(f"{served}/ledger/claims.json?_search=nochixtlan&_shape=array")
    ids = [row["id"] for row in found]
    assert ids and all("nochixtlan" in i for i in ids)
    everything = _json(f"{served}/ledger/claims.json?_shape=array&_size=max")
    assert len(ids) < len(everything)  # the search filtered: it was not ignored


def test_datasette_follows_the_declared_links(served: str) -> None:
    row = "claims/memo-32142-disappeared-persons.json?_extras=foreign_key_tables"
    keys = _json(f"{served}/ledger/{row}")
    incoming = {(t["other_table"], t["other_column"]) for t in keys["foreign_key_tables"]}
    assert {("claim_requirements", "claim_id"), ("relations", "target_id")} <= incoming


def test_datasette_searches_as_the_docs_say(served: str) -> None:
    """Plain words match whole words; a prefix needs SQLite's own syntax (docs/query.md)."""
    words = _json(f"{served}/ledger/claims.json?_search=disappeared&_shape=array&_size=max")
    prefix = _json(
        f"{served}/ledger/claims.json?_search=disappear*&_searchmode=raw&_shape=array&_size=max"
    )
    assert words and len(prefix) > len(words)  # the prefix finds "disappearances" too
    assert {row["id"] for row in words} <= {row["id"] for row in prefix}
