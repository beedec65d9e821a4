"""Every command's output on the repository's own data, kept in tests/golden/.

Each output is the contract a user sees: test_golden.py checks that every command still
prints exactly what is kept. A change meant to change an output (a data change, a new
column) regenerates them, and the diff of tests/golden/ shows a reviewer what it did:

    python tests/golden_outputs.py
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from ledger.cli import app

PROJECT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"

CLAIM = "memo-atenco-torture-of-eleven-women"
CASE = "atenco"
SOURCE = "cso-memo-2017"
REQUIREMENTS = ("requirement-1", "requirement-2", "requirement-3", "requirement-4")

COMMANDS: dict[str, list[str]] = {
    **{
        f"status-{req}-{fmt}": ["status", req, "--format", fmt]
        for req in REQUIREMENTS
        for fmt in ("human", "json", "markdown")
    },
    "status-requirement-3-explain": ["status", "requirement-3", "--explain", "--all"],
    "status-case-json": ["status", CASE, "--format", "json"],
    "status-as-of-2017-09": ["status", "--as-of", "2017-09"],
    "status-requirement-4-as-of-2017-09-json": [
        "status",
        "requirement-4",
        "--as-of",
        "2017-09",
        "--format",
        "json",
    ],
    "timeline-as-of-2017-06": ["timeline", "--as-of", "2017-06"],
    "status-case": ["status", CASE],
    "show-claim": ["show", CLAIM],
    "show-case-json": ["show", CASE, "--format", "json"],
    "show-source": ["show", SOURCE],
    "xref-case": ["xref", CASE],
    "xref-claim-json": ["xref", CLAIM, "--format", "json"],
    "list-claims": ["list", "claims"],
    "list-claims-json": ["list", "claims", "--format", "json"],
    "list-claims-requirement-3": ["list", "claims", "--requirement", "requirement-3"],
    "list-cases": ["list", "cases"],
    "list-sources-csv": ["list", "sources", "--format", "csv"],
    "search": ["search", "torture"],
    "search-json": ["search", "Ayotzinapa", "--format", "json"],
    "conflicts": ["conflicts"],
    "conflicts-json": ["conflicts", "--format", "json"],
    "gaps": ["gaps"],
    "gaps-json": ["gaps", "--format", "json"],
    "timeline": ["timeline"],
    "timeline-case-json": ["timeline", CASE, "--format", "json"],
    "figures": ["figures"],
    "figures-json": ["figures", "--format", "json"],
    "query-count": ["query", "select count(*) from claims"],
    "query-json": ["query", "select id, source from claims order by id limit 5", "-f", "json"],
    "query-schema": ["query", "--schema"],
    "export-json": ["export", "-f", "json"],
    "export-jsonl": ["export", "-f", "jsonl"],
    "export-markdown": ["export", "-f", "markdown"],
    "export-annotations": ["export", "-f", "annotations"],
    "export-csv-claims": ["export", "-f", "csv", "--kind", "claims"],
    "export-csv-claim-requirements": ["export", "-f", "csv", "--kind", "claim_requirements"],
    "validate": ["validate", "--strict"],
}
"""Name of the golden file (without .txt) -> arguments after `ledger --root ROOT`."""

EDITED = "data/claims/cso-memo-2017/memo-tlatlaya-killings-june-2014.yaml"
"""The claim the two commits of the `diff` and `log` outputs differ in."""

REVISION_COMMANDS: dict[str, list[str]] = {
    "diff": ["diff", "HEAD~1", "HEAD"],
    "diff-json": ["diff", "HEAD~1", "HEAD", "--format", "json"],
    "diff-markdown": ["diff", "HEAD~1", "HEAD", "--format", "markdown"],
    "log": ["log", CLAIM],
    "status-rev": ["status", "requirement-1", "--rev", "HEAD~1"],
    "status-head": ["status", "requirement-1"],
}
"""Outputs that read git: run in a repository of two commits, the second editing EDITED."""

ENV = {
    "LEDGER_ROOT": None,
    "NO_COLOR": "1",
    "COLUMNS": "100",
    "TERM": "dumb",
    "SOURCE_DATE_EPOCH": "1767225600",
}
"""The environment of every command: the site's build date is SOURCE_DATE_EPOCH's (2026-01-01),
so its bytes are the same on every run; the copy it is built from is in no git repository."""


def copy_ledger(into: Path) -> Path:
    """The repository's ledger.toml and data/, copied (the cache goes to the copy)."""
    root = into / "ledger"
    root.mkdir(parents=True)
    shutil.copy2(PROJECT / "ledger.toml", root / "ledger.toml")
    shutil.copytree(PROJECT / "data", root / "data", ignore=shutil.ignore_patterns(".*"))
    return root


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "A",
        "GIT_AUTHOR_EMAIL": "a@example.org",
        "GIT_COMMITTER_NAME": "A",
        "GIT_COMMITTER_EMAIL": "a@example.org",
        "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def make_history(root: Path) -> None:
    """Two commits: the data as it is, then EDITED with its stance on requirement-1 turned."""
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "data")
    path = root / EDITED
    text = path.read_text(encoding="utf-8")
    turned = text.replace("requirement-1: context", "requirement-1: undermines", 1)
    assert turned != text, f"{EDITED} no longer has context on requirement-1: pick another edit"
    path.write_text(turned, encoding="utf-8")
    _git(root, "commit", "-q", "-am", "turn one stance")


def run(root: Path, args: list[str]) -> str:
    """What `ledger --root ROOT ARGS` prints (stdout), with its exit code on the first line."""
    result = CliRunner().invoke(app, ["--root", str(root), *args], env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return f"exit {result.exit_code}\n{result.stdout}"


def site_manifest(root: Path, out: Path) -> str:
    """`ledger site` into ``out``: every file written, with its size and SHA-256."""
    head = run(root, ["site", str(out)]).splitlines()[0]
    lines = [head]
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        data = path.read_bytes()
        rel = path.relative_to(out).as_posix()
        lines.append(f"{rel} {len(data)} {hashlib.sha256(data).hexdigest()}")
    return "\n".join(lines) + "\n"


def outputs(work: Path) -> dict[str, str]:
    """Every golden output, worked out now, in folder ``work``."""
    root = copy_ledger(work / "plain")
    found = {name: run(root, args) for name, args in COMMANDS.items()}
    found["site"] = site_manifest(root, work / "site")
    history = copy_ledger(work / "history")
    make_history(history)
    found.update({name: run(history, args) for name, args in REVISION_COMMANDS.items()})
    return found


def main() -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        found = outputs(Path(work))
    for old in GOLDEN.glob("*.txt"):
        old.unlink()
    GOLDEN.mkdir(exist_ok=True)
    for name, text in found.items():
        (GOLDEN / f"{name}.txt").write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {len(found)} golden files to {GOLDEN}")
    from ledger.authoring.starter_files import workflows

    for path, text in workflows(None, "").items():  # this repository's, from init's template
        (PROJECT / path).write_text(text, encoding="utf-8", newline="\n")
    print("wrote this repository's ledger workflows from `ledger init`'s template")
    return 0


if __name__ == "__main__":
    sys.exit(main())
