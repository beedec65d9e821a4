"""Diagnostics as text: for people (hledger style, with the line and a caret), for machines
(a versioned JSON envelope) and for GitHub (workflow-command annotations)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ledger.records.diagnostics import Diagnostic, count
from ledger.safe_text import dumps, visible

JSON_FORMAT_VERSION = 1


def summary_line(diagnostics: list[Diagnostic], files: int) -> str:
    errors, warnings = count(diagnostics)
    noun = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"  # noqa: E731
    return f"{noun(errors, 'error')}, {noun(warnings, 'warning')} in {noun(files, 'file')} checked"


def human(
    diagnostics: list[Diagnostic],
    root: Path,
    *,
    colour: bool = False,
    read_line: Callable[[Path, int], str | None] | None = None,
) -> str:
    """``path:line:col: severity[code]: message``, the offending line with a caret, the hint."""
    paint = _painter(colour)
    out: list[str] = []
    read = read_line or _read_line
    for d in diagnostics:
        where = f"{d.path}:{d.line}:{d.column}" if d.line else d.path
        label = paint(f"{d.severity.value}[{d.code}]", "31" if d.severity == "error" else "33")
        out.append(f"{visible(where)}: {label}: {visible(d.message)}")
        if d.field:
            out.append(f"  field: {visible(d.field)}")
        line = read(root / d.path, d.line) if d.line else None
        if line is not None:
            number = str(d.line)
            line, column = _excerpt(line, d.column)
            shown = visible(line)
            offset = len(visible(line[: max(column - 1, 0)]))
            out.append(f"  {number} | {shown}")
            out.append(f"  {' ' * len(number)} | {' ' * offset}{paint('^', '1')}")
        if d.hint:
            out.append(f"  hint: {visible(d.hint)}")
    return "\n".join(out)


EXCERPT_MAX = 160
"""Longest excerpt of a line shown under a diagnostic (a hostile file may have 1 MB lines)."""


def _excerpt(line: str, column: int) -> tuple[str, int]:
    """The part of a long line around the column, marked as cut, and the column in it."""
    if len(line) <= EXCERPT_MAX:
        return line, column
    start = max(0, column - 1 - EXCERPT_MAX // 2)
    end = start + EXCERPT_MAX
    head = "…" if start else ""
    tail = "…" if end < len(line) else ""
    return f"{head}{line[start:end]}{tail}", column - start + len(head)


def json_envelope(diagnostics: list[Diagnostic], files: int) -> str:
    errors, warnings = count(diagnostics)
    return dumps(
        {
            "format": "ledger-diagnostics",
            "version": JSON_FORMAT_VERSION,
            "summary": {"errors": errors, "warnings": warnings, "files": files},
            "diagnostics": [d.to_dict() for d in diagnostics],
        }
    )


def github(diagnostics: list[Diagnostic]) -> str:
    """One ``::error file=...,line=...::message`` line a diagnostic."""
    lines = []
    for d in diagnostics:
        props = [f"file={_prop(d.path)}"]
        if d.line:
            props += [f"line={d.line}", f"col={d.column}"]
        props.append(f"title={_prop(d.code)}")
        message = d.message + (f" (field {d.field})" if d.field else "")
        message += f". Hint: {d.hint}" if d.hint else ""
        lines.append(f"::{d.severity.value} {','.join(props)}::{_data(message)}")
    return "\n".join(lines)


def _data(text: str) -> str:
    return visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _painter(colour: bool) -> Callable[[str, str], str]:
    if not colour:
        return lambda text, _code: text
    return lambda text, code: f"\x1b[{code}m{text}\x1b[0m"


def _read_line(path: Path, number: int) -> str | None:
    """Line ``number`` of a record file, read safely (it may be hostile or gone)."""
    from ledger.records.files import MAX_RECORD_BYTES, read_bytes

    data = read_bytes(path, MAX_RECORD_BYTES)
    if isinstance(data, bytes):
        lines = data.decode("utf-8", errors="replace").split("\n")
        if 0 < number <= len(lines):
            return lines[number - 1].removesuffix("\r").removeprefix("\ufeff")
    return None
