"""yamllint, with the configuration this repository ships and `ledger init` writes, finds
nothing in canonical records: `ledger fmt` and a team's linter agree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import run
from ledger.authoring.starter_files import YAMLLINT

REPO = Path(__file__).resolve().parents[1]
ANSWERS = ["--obligor", "Government of Chile", "--instrument", "Ley 21.000", "--fiscal-year"]


def yamllint(folder: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    """yamllint from the lock, run in ``folder`` so that it finds the folder's .yamllint."""
    return subprocess.run(
        [sys.executable, "-m", "yamllint", "--strict", "-f", "parsable", *paths],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_repository_ships_the_configuration_ledger_init_writes() -> None:
    assert (REPO / ".yamllint").read_text(encoding="utf-8") == YAMLLINT


def test_yamllint_finds_nothing_in_the_repository_data() -> None:
    done = yamllint(REPO, "data", ".yamllint")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_yamllint_finds_nothing_in_a_new_ledger_with_a_new_claim(tmp_path: Path) -> None:
    folder = tmp_path / "chile"
    assert run(["init", str(folder), *ANSWERS, "2024", "--no-input"]).exit_code == 0
    assert (folder / ".yamllint").read_text(encoding="utf-8") == YAMLLINT
    law = tmp_path / "ley.txt"
    law.write_text(
        "Artículo 1. El Estado deberá investigar toda denuncia de tortura dentro de un plazo "
        "razonable, y publicará cada año https://example.org/un/enlace/muy/largo/que/no/se/"
        "puede/partir/en/dos/lineas/sin/romperlo/del/todo.html con sus cifras.\n",
        encoding="utf-8",
    )
    root = ["--root", str(folder)]
    source = run(
        [*root, "new", "source", str(law), "--no-input", "--id", "ley-21000", "--title", "Ley",
         "--published", "2024", "--kind", "law", "--perspective", "legislature",
         "--language", "es", "--url", "https://example.org/" + "a-long-path/" * 12]
    )  # fmt: skip
    assert source.exit_code == 0, source.stderr
    requirement = run(
        [*root, "new", "requirement", "--no-input", "--source", "ley", "--title", "Investigar",
         "--text", "El Estado deberá investigar toda denuncia de tortura", "--force",
         "condition"]
    )  # fmt: skip
    assert requirement.exit_code == 0, requirement.stderr
    claim = run(
        [*root, "new", "claim", "--no-input", "--source", "ley-21000", "--quote",
         "publicará cada año https://example.org/un/enlace/muy/largo/que/no/se/puede/partir/en/"
         "dos/lineas/sin/romperlo/del/todo.html con sus cifras",
         "--statement", "The law says the State will publish its figures every year, at a "
         "web address it names, together with the yearly numbers of complaints of torture.",
         "--kind", "commitment", "--bears-on", "requirement-1=context",
         "--figure", "more-than 300 complaints"]
    )  # fmt: skip
    assert claim.exit_code == 0, claim.stderr
    assert run([*root, "validate", "--strict"]).exit_code == 0
    assert run([*root, "fmt", "--check"]).exit_code == 0
    done = yamllint(folder, ".")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_without_the_configuration_yamllint_would_complain(tmp_path: Path) -> None:
    """The configuration is what makes the difference (a guard against a vacuous test)."""
    record = next((REPO / "data" / "requirements").glob("*.yaml"))
    (tmp_path / record.name).write_text(record.read_text(encoding="utf-8"), encoding="utf-8")
    done = yamllint(tmp_path, record.name)
    assert done.returncode == 1
    assert "(document-start)" in done.stdout
