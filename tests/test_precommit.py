"""The pre-commit hooks, run by pre-commit itself on a scratch repository holding the sample.

The hooks in `.pre-commit-hooks.yaml` install the package from its repository (language
python), which needs the network; here each hook is run as a `repo: local` hook built from
that very file, with the entry pointing at the installed `ledger`, so the test checks the
hook definitions people use, offline.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import GIT_ENV, SAMPLE, Sample, run

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")

REPO = Path(__file__).resolve().parents[1]
HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
LEDGER = Path(sys.executable).parent / "ledger"
CLAIM = "claims/cso-torture-complaints.yaml"


def test_the_published_hooks() -> None:
    hooks = {hook["id"]: hook for hook in HOOKS}

    assert list(hooks) == ["ledger-validate", "ledger-fmt"]
    validate, fmt = hooks["ledger-validate"], hooks["ledger-fmt"]
    assert (validate["entry"], validate["pass_filenames"], validate["always_run"]) == (
        "ledger validate",
        False,
        True,
    )
    assert fmt["entry"] == "ledger fmt"
    assert {hook["language"] for hook in HOOKS} == {"python"}
    files = re.compile(fmt["files"])
    for path in ("data/claims/a.yaml", "data/claims/mx/a.yaml", "ledger/data/sources/b.yaml"):
        assert files.search(path), path
    for path in ("data/claims/a.txt", "docs/a.yaml", "data/a.yaml", "data/sources/b.yml"):
        assert not files.search(path), path


def local_config() -> str:
    """`.pre-commit-config.yaml` running the published hooks on the installed `ledger`."""
    hooks = []
    for hook in HOOKS:
        assert hook["entry"].startswith("ledger ")
        local = {**hook, "language": "system", "entry": f"{LEDGER}{hook['entry'][6:]}"}
        hooks.append(local)
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False)


def env(tmp_path: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k not in {"LEDGER_ROOT", "NO_COLOR"}},
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
        **GIT_ENV,
    }


class Repo(Sample):
    """The sample ledger in canonical form, committed with the hooks configured."""

    def __init__(self, root: Path, tmp_path: Path) -> None:
        super().__init__(root)
        self.env = env(tmp_path)

    def run(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args),
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=check,
        )

    def git(self, *args: str) -> str:
        return self.run("git", *args, check=True).stdout

    def pre_commit(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(sys.executable, "-m", "pre_commit", *args)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    if not LEDGER.exists():
        pytest.skip(f"no installed ledger executable at {LEDGER}")
    root = tmp_path / "repo"
    shutil.copytree(SAMPLE, root)
    assert run(["--root", str(root), "fmt"]).exit_code == 0
    (root / ".pre-commit-config.yaml").write_text(local_config(), encoding="utf-8")
    made = Repo(root, tmp_path)
    made.git("init", "-q")
    made.git("add", "-A")
    made.git("commit", "-q", "-m", "the sample ledger")
    return made


def outcome(done: subprocess.CompletedProcess[str], name: str) -> str:
    """Passed, Failed or Skipped, as pre-commit reports a hook."""
    found = re.search(
        rf"^{re.escape(name)}\.+(?:\([^)]*\))?(Passed|Failed|Skipped)$", done.stdout, re.M
    )
    assert found, done.stdout
    return found.group(1)


def test_both_hooks_pass_on_a_clean_canonical_ledger(repo: Repo) -> None:
    done = repo.pre_commit("run", "--all-files")

    assert done.returncode == 0, done.stdout
    assert outcome(done, "ledger validate") == "Passed"
    assert outcome(done, "ledger fmt") == "Passed"


def test_validate_fails_on_a_broken_reference(repo: Repo) -> None:
    repo.edit(CLAIM, "source: cso-memo-2017", "source: no-such-source")
    repo.git("add", "-A")

    done = repo.pre_commit("run", "--all-files")

    assert done.returncode == 1
    assert outcome(done, "ledger validate") == "Failed"
    assert outcome(done, "ledger fmt") == "Passed"
    assert f"data/{CLAIM}" in done.stdout and "no-such-source" in done.stdout


def test_fmt_fails_and_fixes_a_staged_file_out_of_canonical_form(repo: Repo) -> None:
    canonical = repo.read(CLAIM)
    data = yaml.safe_load(canonical)
    repo.write(CLAIM, yaml.safe_dump(data, sort_keys=True, indent=4, allow_unicode=True))
    repo.git("add", "-A")

    first = repo.pre_commit("run")

    assert first.returncode == 1
    assert outcome(first, "ledger validate") == "Passed"  # same values, another form
    assert outcome(first, "ledger fmt") == "Failed"
    assert "files were modified by this hook" in first.stdout
    assert repo.read(CLAIM) == canonical

    repo.git("add", "-A")
    second = repo.pre_commit("run")
    assert second.returncode == 0, second.stdout


def test_fmt_is_skipped_when_no_record_file_is_staged(repo: Repo) -> None:
    (repo.root / "notes.yaml").write_text("b:   1\na: 2\n", encoding="utf-8")
    repo.git("add", "-A")

    done = repo.pre_commit("run")

    assert done.returncode == 0, done.stdout
    assert outcome(done, "ledger validate") == "Passed"
    assert outcome(done, "ledger fmt") == "Skipped"


def test_the_installed_hook_refuses_a_bad_commit_and_takes_a_good_one(repo: Repo) -> None:
    assert repo.pre_commit("install").returncode == 0
    head = repo.git("rev-parse", "HEAD")
    repo.edit(CLAIM, "requirement-2: undermines", "requirement-2: refutes")
    repo.git("add", "-A")

    refused = repo.run("git", "commit", "-q", "-m", "a stance that does not exist")

    assert refused.returncode == 1
    assert repo.git("rev-parse", "HEAD") == head

    repo.edit(CLAIM, "requirement-2: refutes", "requirement-2: supports")
    repo.git("add", "-A")
    taken = repo.run("git", "commit", "-q", "-m", "requirement 2 is met after all")

    assert taken.returncode == 0, taken.stdout + taken.stderr
    assert repo.git("rev-parse", "HEAD") != head
