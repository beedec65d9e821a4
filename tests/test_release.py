"""What a release promises: a name that installs this program, one version said everywhere,
a licence, a changelog, and locks that pin exactly what pyproject.toml asks for."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import ledger
from conftest import run

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
VERSION = ledger.__version__


def test_the_version_option_prints_the_installed_version() -> None:
    for option in ("--version", "-V"):
        result = run([option])

        assert result.exit_code == 0
        assert result.stdout.startswith(f"ledger {VERSION} (evidence-ledger, Python ")


def test_the_version_option_works_in_a_process_of_its_own_outside_any_ledger(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ledger", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.split()[:2] == ["ledger", VERSION]


def test_the_version_is_said_once_and_the_installed_metadata_agrees() -> None:
    from importlib.metadata import version

    assert PROJECT["dynamic"] == ["version"] and "version" not in PROJECT
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "ledger.__version__"}
    assert version("evidence-ledger") == VERSION


def test_the_distribution_name_is_not_the_other_ledgers() -> None:
    assert PROJECT["name"] == "evidence-ledger"
    assert PROJECT["scripts"] == {"ledger": "ledger.cli:main"}


def test_the_licence_file_is_the_licence_the_metadata_names() -> None:
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


def test_the_changelog_opens_with_this_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## (\d+\.\d+\.\d+) ", changelog, flags=re.MULTILINE)

    assert versions[0] == VERSION
    assert versions == sorted(versions, key=lambda v: tuple(map(int, v.split("."))))[::-1]


def test_the_project_urls_point_at_one_repository() -> None:
    urls = PROJECT["urls"]

    assert {"Homepage", "Source", "Issues", "Changelog"} <= set(urls)
    assert all(url.startswith(urls["Source"]) for url in urls.values())


def _pins(lock: Path) -> dict[str, tuple[str, int]]:
    """Each pinned name's version and how many hashes it carries."""
    pins: dict[str, tuple[str, int]] = {}
    name = ""
    for line in lock.read_text(encoding="utf-8").splitlines():
        found = re.match(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)", line)
        if found:
            name = canonicalize_name(found[1])
            pins[name] = (found[2], 0)
        elif line.strip().startswith("--hash=sha256:") and name:
            pins[name] = (pins[name][0], pins[name][1] + 1)
    return pins


def test_each_lock_pins_every_requirement_with_hashes_within_its_range() -> None:
    wanted = {
        "run.lock": PROJECT["dependencies"],
        "test.lock": PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"],
    }
    for lock, requirements in wanted.items():
        pins = _pins(REPO / "requirements" / lock)
        for text in requirements:
            requirement = Requirement(text)
            version, _hashes = pins[canonicalize_name(requirement.name)]
            assert requirement.specifier.contains(version), (lock, text, version)
        assert all(hashes for _version, hashes in pins.values()), lock


def test_ci_runs_the_readme_test_command_as_written() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(python3 -m venv .*)\n```", readme)
    ci_lines = {line.strip() for line in (REPO / ".ci" / "run").read_text("utf-8").splitlines()}

    assert len(commands) == 2 and commands[0].endswith("ledger status requirement-3")
    steps = commands[1].split(" && ")
    assert steps[0] == "python3 -m venv .venv" and steps[-1] == ".venv/bin/pytest"
    assert all(step in ci_lines for step in steps[1:])
