"""The benchmark's generator: a ledger of realistic shape that validates, is already in
canonical form, and is the same for the same seed."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

from conftest import run

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import generate


def digest(root: Path) -> str:
    """One digest of every file's path and bytes under ``root``."""
    hashed = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        hashed.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return hashed.hexdigest()


def test_a_generated_ledger_validates_and_is_canonical(tmp_path: Path) -> None:
    root = tmp_path / "ledger"
    generate.generate(root, 300, seed=7)
    assert len(list((root / "data/claims").rglob("*.yaml"))) == 300
    checked = run(["--root", str(root), "validate", "--strict"], env={"LEDGER_NO_CACHE": "1"})
    assert checked.exit_code == 0, checked.stdout
    assert run(["--root", str(root), "fmt", "--check"]).exit_code == 0


def test_the_same_seed_gives_the_same_ledger(tmp_path: Path) -> None:
    generate.generate(tmp_path / "a", 120, seed=11)
    generate.generate(tmp_path / "b", 120, seed=11)
    generate.generate(tmp_path / "c", 120, seed=12)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_a_ledger_the_benchmark_made_a_repository_of_is_generated_again(tmp_path: Path) -> None:
    """bench/run.py makes the ledger a git repository (stamped in .git); a new generator
    version replaces the ledger and that repository, even after a removal that stopped
    half way (its marker file goes last), and still refuses a folder that is not its own,
    whatever its .git holds."""
    root = tmp_path / "ledger"
    generate.generate(root, 40, seed=3)
    (root / ".git").mkdir()
    (root / ".git" / generate.STAMP).write_text("{}", encoding="utf-8")
    (root / generate.STAMP).unlink()  # as a removal interrupted after the stamp went
    shutil.rmtree(root / "data" / "claims")

    generate.generate(root, 40, seed=4)

    assert not (root / ".git").exists()
    assert generate.read_stamp(root) is not None
    other = tmp_path / "other"
    (other / ".git").mkdir(parents=True)
    (other / ".git" / generate.STAMP).write_text("{}", encoding="utf-8")
    (other / "ledger.toml").write_text("[ledger]\n", encoding="utf-8")
    (other / "data").mkdir()
    try:
        generate.generate(other, 40, seed=4)
    except SystemExit as refused:
        assert str(refused) == f"{other} holds a ledger that bench/generate.py did not make"
    else:
        raise AssertionError("a ledger that is not the generator's was emptied")
    assert (other / "ledger.toml").read_text(encoding="utf-8") == "[ledger]\n"
    assert (other / "data").is_dir() and (other / ".git" / generate.STAMP).is_file()
