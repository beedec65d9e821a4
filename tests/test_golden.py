"""Every command prints, on the repository's own data, exactly what tests/golden/ keeps.

The outputs were written before the analysis engine was redesigned, so this is the proof that
the redesign changed no answer. A change meant to change an output regenerates them
(`python tests/golden_outputs.py`) and the diff shows what it did.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from golden_outputs import GOLDEN, outputs


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return outputs(tmp_path_factory.mktemp("golden"))


KEPT = sorted(p.stem for p in GOLDEN.glob("*.txt"))


def test_every_output_is_kept(found: dict[str, str]) -> None:
    assert sorted(found) == KEPT


@pytest.mark.parametrize("name", KEPT)
def test_output_is_unchanged(found: dict[str, str], name: str) -> None:
    kept = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
    assert found[name] == kept, f"`{name}` changed: see `python tests/golden_outputs.py`"


def test_the_outputs_are_not_empty() -> None:
    """A command that failed, or printed nothing (but `validate`, silent when all is well),
    is no contract worth keeping."""
    for name in KEPT:
        text = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
        assert text.startswith("exit 0\n"), name
        assert name == "validate" or len(text) > len("exit 0\n") + 10, name
    assert Path(GOLDEN / "site.txt").read_text().count("\n") > 20
