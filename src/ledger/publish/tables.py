"""Rows as CSV: the one writer behind every CSV file or stream the tool produces.

`ledger list`, `ledger figures`, `ledger query` and `ledger export` all write CSV through
:func:`csv_lines`, so a cell comes out the same whichever command wrote it:

* NULL (None) is an empty cell; a bool is ``1`` or ``0``;
* a number (an int, or a finite float, in the data) is written as Python writes it, so ``-5``
  stays the number -5 and sums still work; what decides is the value's type, never how the
  text looks, so no string can pass itself off as a number;
* text has control, bidirectional and zero-width characters made visible (``\\x1b``,
  ``<U+202E>``), line breaks kept;
* text a spreadsheet would run as a formula gets a single quote in front (OWASP's advice
  on CSV injection): a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return, also after leading spaces, which some spreadsheets skip. ``=HYPERLINK(...)`` would
  send data away on a click and ``=cmd|...`` once ran programs; ``'=HYPERLINK(...)`` is shown
  as the text it is. Text that looks like a number (``'-5'`` stored as text) is text and gets
  the quote too, as does a non-finite float (``-inf``).

Cells are quoted when they hold a comma, a quote or a line break (RFC 4180); lines end in
``\\n``. The library never writes to a terminal: callers decide where the lines go.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Iterable, Iterator, Sequence

from ledger.safe_text import visible

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula."""


def csv_cell(value: object) -> str:
    """One value as the text of its cell (see the module's rules)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return repr(value)
    text = visible(str(value), keep_newlines=True)
    if text.startswith(FORMULA_START) or text.lstrip().startswith(FORMULA_START):
        return "'" + text
    return text


def csv_lines(header: Sequence[object], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The header then each row as one CSV record (a record may span lines)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in itertools.chain([header], rows):
        writer.writerow([csv_cell(v) for v in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def csv_text(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """A whole table as CSV text, header first."""
    return "".join(csv_lines(header, rows))
