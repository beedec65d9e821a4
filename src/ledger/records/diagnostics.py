"""Problems found in a ledger, as data: a code, a place, a message and a hint for the fix.

Loading and checking never raise on bad data; they return these. Only the CLI turns them
into output and an exit code. Codes are stable: tools and people may match on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


class Severity(StrEnum):
    error = "error"
    warning = "warning"


ERROR, WARNING = Severity.error, Severity.warning

CODES: dict[str, tuple[Severity, str]] = {
    # reading files
    "unreadable": (ERROR, "a file or folder could not be read"),
    "not-a-regular-file": (ERROR, "a record is a symlink, FIFO, device or other special file"),
    "file-too-large": (ERROR, "a record file is over the size limit"),
    "not-utf8": (ERROR, "a file is not valid UTF-8"),
    "byte-order-mark": (WARNING, "a file starts with a byte-order mark"),
    "misplaced-file": (WARNING, "a YAML file lies outside the record folders or has a .yml name"),
    # YAML
    "yaml-syntax": (ERROR, "the file is not valid YAML"),
    "yaml-tag": (ERROR, "a YAML tag (!!python/..., !!str, !custom) is used"),
    "yaml-alias": (ERROR, "a YAML anchor, alias or merge key is used"),
    "duplicate-key": (ERROR, "a mapping repeats a key"),
    "non-string-key": (ERROR, "a mapping key is not a plain string"),
    "multiple-documents": (ERROR, "a file holds more than one YAML document"),
    "empty-file": (ERROR, "a file holds no YAML document"),
    "not-a-mapping": (ERROR, "a file's top level is not a mapping"),
    "too-deep": (ERROR, "a file nests deeper than the limit"),
    "unquoted-date": (ERROR, "a date is written without quotes"),
    "ambiguous-number": (
        ERROR,
        "an unquoted number YAML versions read differently (010, 0x1F, 1_000, 1:30) or that "
        "is not finite (.inf, .nan)",
    ),
    "unusual-line-break": (
        ERROR,
        "a file holds NEL, LINE SEPARATOR or PARAGRAPH SEPARATOR: a line break to YAML that "
        "editors and diffs may not show",
    ),
    "control-character": (ERROR, "a value holds a terminal control character"),
    "invisible-character": (WARNING, "a value holds a bidirectional or zero-width character"),
    # schema
    "unknown-field": (ERROR, "a record has a field the schema does not know"),
    "missing-field": (ERROR, "a record lacks a required field"),
    "invalid-value": (ERROR, "a field's value does not fit the schema"),
    # across records
    "id-mismatch": (ERROR, "a record's id differs from its file name"),
    "duplicate-id": (ERROR, "two records share an id"),
    "unresolved-reference": (ERROR, "a reference names no record of the right kind"),
    "no-subject": (ERROR, "a claim names neither a requirement nor a case"),
    "self-relation": (ERROR, "a claim's relation points to the claim itself"),
    "duplicate-entry": (
        ERROR,
        "a list repeats an entry: an author, alias, case, requirement, figure or relation",
    ),
    "near-duplicate-entry": (
        WARNING,
        "a list of names repeats an entry but for case, spacing or typographic quotes: an "
        "author or an alias",
    ),
    "non-portable-name": (WARNING, "a record's file name is a device on Windows (nul.yaml)"),
    "archive-path": (
        ERROR,
        "a source's archive path leaves the data folder or is not a portable relative path",
    ),
    "archive-missing": (ERROR, "a source's archived text is missing or unreadable"),
    "archive-hash": (ERROR, "a source's archived text does not match its pinned SHA-256"),
    "quote-not-found": (ERROR, "a claim's quote is not in its source's archived text"),
    "wording-not-found": (ERROR, "a requirement's wording is not in its source's archived text"),
    "quote-too-long": (ERROR, "a quote or a requirement's wording is over the length limit"),
    "quote-segment-short": (
        WARNING,
        "a segment of a quote with several segments has fewer than three words: too short to "
        "anchor it in the source",
    ),
    "quote-segment-repeated": (
        WARNING,
        "a quote, or one of its segments, occurs more than once in the source, and the "
        "locator does not name the one passage that holds it",
    ),
    "quote-ellipsis-contiguous": (
        WARNING,
        "'...' in a quote joins words that stand side by side in the source (only a line or "
        "page break between them)",
    ),
    "case-outside-requirement": (
        WARNING,
        "a claim names a case and bears on a requirement that have nothing to do with each "
        "other (neither lists the other), so it gives the case a status there",
    ),
    "statement-name-not-in-source": (
        WARNING,
        "a claim's statement names a case by a name that neither its quote nor its source uses",
    ),
    "assertion-failed": (
        ERROR,
        "a status assertion no longer holds: the data gives the requirement (or case) another "
        "status as of the assertion's date",
    ),
    "assertions-unchecked": (
        WARNING,
        "the status assertions were not checked, as a record file failed to load (a record "
        "missing from the ledger would show as a changed status)",
    ),
    "too-many-records": (ERROR, "the ledger holds more record files than the limit"),
    "stale-review": (WARNING, "a claim changed after its latest review"),
    "suspect-evidence": (
        WARNING,
        "what a claim rests on (its source's record or archived text, a requirement it bears "
        "on, a claim it links to) changed after its latest review; fails `validate --strict` "
        'only when ledger.toml sets [review] suspect = "error"',
    ),
    "data-folder-moved": (
        ERROR,
        "ledger.toml names another data folder than the ledger whose policy holds (`validate "
        "--policy-from`, in CI the base branch's): the check would judge other files",
    ),
    # ledger.toml (any of these stops every command: without a sound configuration there is
    # no ledger to read)
    "config-syntax": (ERROR, "ledger.toml is not valid TOML"),
    "config-unknown-section": (ERROR, "ledger.toml has a section this version does not know"),
    "config-unknown-key": (ERROR, "ledger.toml has a key its section does not take"),
    "config-wrong-type": (ERROR, "a key in ledger.toml has a value of the wrong type"),
    "config-invalid-value": (ERROR, "a key in ledger.toml has a value that cannot be used"),
    "speaks-for-missing": (
        WARNING,
        "a government source does not say whom it speaks for, so the status rule counts it as "
        "independent of every obligor",
    ),
    "speaks-for-near-obligor": (
        WARNING,
        "a source's speaks_for differs from a requirement's obligor only in case, accents, "
        "spacing or punctuation, so it does not count as the obligor's own",
    ),
    # the tool's own cache
    "cache-untrusted": (
        WARNING,
        "the ledger's cache is a link or tracked by git, or its key lies where a commit could "
        "put it, so it was not used",
    ),
}
"""Every diagnostic code: its severity and what it means (shown by `ledger codes`)."""


@dataclass(frozen=True)
class Diagnostic:
    """One problem at one place. ``line`` and ``column`` are 1-based; 0 means unknown."""

    code: str
    path: str
    message: str
    hint: str = ""
    line: int = 0
    column: int = 0
    field: str = ""
    # Where in the file's data the problem is, for placing it later by re-reading the file:
    # (path of keys and indexes, whether the key itself rather than its value is meant).
    anchor: tuple[tuple[str | int, ...], bool] | None = dataclass_field(
        default=None, compare=False, repr=False
    )

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def at(self, line: int, column: int) -> Diagnostic:
        """The same diagnostic placed at a position."""
        return replace(self, line=line, column=column)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Diagnostic:
        """The inverse of :meth:`to_dict` (the severity follows from the code); ValueError
        for a code this version does not know."""
        if data["code"] not in CODES:
            raise ValueError(f"unknown diagnostic code {data['code']!r}")
        return cls(
            code=data["code"],
            path=data["path"],
            message=data["message"],
            hint=data["hint"],
            line=data["line"],
            column=data["column"],
            field=data["field"],
        )


def make(code: str, path: str, message: str, hint: str = "", **where: object) -> Diagnostic:
    """Build a diagnostic, refusing codes that are not registered (they would not be stable)."""
    if code not in CODES:
        raise KeyError(f"unregistered diagnostic code: {code}")
    return Diagnostic(code, path, message, hint, **where)  # type: ignore[arg-type]


def ordered(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Deterministic order: by path, line, column, code; exact repeats removed."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


LENIENT_UNDER_STRICT = frozenset({"suspect-evidence"})
"""Warnings `validate --strict` does not fail on unless ledger.toml asks it to ([review]
suspect = "error"): a changed ground queues claims for review, it does not break the data."""


def failing(
    diagnostics: list[Diagnostic] | tuple[Diagnostic, ...], *, strict: bool, suspect: str
) -> list[Diagnostic]:
    """The diagnostics that make `validate` fail: errors; with ``strict``, warnings too, but
    a suspect-evidence warning only when ``suspect`` (ledger.toml's [review]) is "error"."""
    return [
        d
        for d in diagnostics
        if d.severity is ERROR
        or (strict and (d.code not in LENIENT_UNDER_STRICT or suspect == "error"))
    ]


def unsound(
    left_out: int, errors: int = 0, paths: Sequence[str] = (), checkout: str | None = None
) -> str:
    """What an answer must say of a ledger with errors or record files that failed to load
    (and so are left out of it), naming the files when ``paths`` are those it counts
    (LoadResult.left_out_paths), ending with where to look (:func:`where_to_look`); "" when
    there is nothing to say."""
    said = []
    if errors:
        said.append(f"the ledger has {errors:,} error{'' if errors == 1 else 's'}")
    if left_out:
        files = "record file failed" if left_out == 1 else "record files failed"
        named = f" ({some_paths(paths)})" if len(paths) == left_out else ""
        verb = "is" if left_out == 1 else "are"
        said.append(f"{left_out:,} {files} to load and {verb} left out{named}")
    return f"{', and '.join(said)}; {where_to_look(checkout)}" if said else ""


def where_to_look(checkout: str | None = None) -> str:
    """Where the reasons for a warning are: `ledger validate` in the working tree, or, for
    a revision's files (``checkout``: the commit), in a checkout of it."""
    where = f" in a checkout of {checkout}" if checkout else ""
    return f"`ledger validate`{where} shows why"


PATHS_NAMED = 3
"""Files a warning names, at most, of those left out."""
PATH_SHOWN = 120
"""Characters of a path a warning shows, at most: its start and its end (a path is data,
and a pull request can make one long enough to push the warning out of a comment)."""


def some_paths(paths: Sequence[str], name: Callable[[str], str] | None = None) -> str:
    """The first few of these paths, each visible and shortened, then how many more.
    ``name`` sets each as its output needs (a code span, in Markdown); in plain text a path
    that holds more than letters, digits, dots, hyphens and slashes is quoted (a name is
    data: "a.yaml and 7 more); all fine; (" must not read as the list's own words)."""
    from ledger.safe_text import visible

    if name is not None:
        shown = ", ".join(name(_shortened(visible(p))) for p in paths[:PATHS_NAMED])
    else:
        shown = ", ".join(_quoted(p, visible) for p in paths[:PATHS_NAMED])
    more = len(paths) - PATHS_NAMED
    return f"{shown} and {more:,} more" if more > 0 else shown


_PLAIN_PATH = re.compile(r"[\w./-]+", re.ASCII)


def _quoted(path: str, visible: Callable[[str], str]) -> str:
    """A path as plain text: as it is when it holds only ASCII letters, digits and
    ``_./-``; else in double quotes, its backslashes and quotes escaped before its hidden
    characters are shown (so a name holding ``\\x1b`` reads otherwise than one holding the
    character), and shortened."""
    if _PLAIN_PATH.fullmatch(path):
        return _shortened(path)
    escaped = path.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{_shortened(visible(escaped))}"'


def _shortened(path: str) -> str:
    if len(path) <= PATH_SHOWN:
        return path
    half = (PATH_SHOWN - 1) // 2
    return f"{path[:half]}\u2026{path[-half:]}"


def count(diagnostics: list[Diagnostic]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = sum(1 for d in diagnostics if d.severity is ERROR)
    return errors, len(diagnostics) - errors
