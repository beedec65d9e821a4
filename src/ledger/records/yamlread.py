"""Reading one YAML record file into plain Python data, safely and with positions.

The file is read as a stream of parser events (libyaml's C parser when available) and the
data is built here, in one pass with an explicit stack. That is where everything the ledger
refuses is caught, before any of it can cost time or memory: tags of any kind, anchors and
aliases (so an alias bomb stops at its first anchor), merge keys, duplicate and non-string
keys, more than one document, nesting past a limit (libyaml's composer would overflow the C
stack), unquoted dates, and control characters in values, including those written as
double-quoted escapes.

Positions are optional: the fast path skips them, and a file that fails validation is read
again with them, so that every diagnostic can name a line and column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from ledger.records.diagnostics import Diagnostic, make
from ledger.safe_text import MISLEADING

try:
    _Parser: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Parser = yaml.SafeLoader

MAX_DEPTH = 32
"""Deepest nesting of mappings and sequences a record may have (records need about 4)."""

_LIBYAML_DEPTH = "maximum nesting depth"
"""How libyaml's own nesting limit words its error (see `_Builder.run`)."""

Path = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_RESOLVER = Resolver()
_CONSTRUCTOR = SafeConstructor()
_CONTROL = {chr(c) for c in [*range(0, 9), *range(11, 32), 127, *range(128, 160)]} - {"\r"}


@dataclass
class Parsed:
    """The data of one file (a mapping, or None when it could not be read) and its problems.

    ``positions`` maps a field path to the 1-based (line, column) of its value, and
    ``key_positions`` to that of its key; both are filled only when asked for.
    ``plain`` holds the source text of unquoted scalars that YAML read as something other
    than a string, so that a hint can say what was written.
    ``numbers`` holds a diagnostic for each unquoted number written in a form that YAML
    versions read differently (``010``, ``0x1F``, ``1_000``, ``1:30``) or that is not finite
    (``.inf``, ``.nan``). They are not in ``diagnostics``: the caller reports them (see
    `number_diagnostics`) unless the schema already rejects the same field.
    """

    data: dict[str, Any] | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    plain: dict[Path, str] = field(default_factory=dict)
    numbers: list[Diagnostic] = field(default_factory=list)

    def where(self, path: Path) -> tuple[int, int]:
        """The position of the deepest part of ``path`` that exists in the file."""
        for end in range(len(path), 0, -1):
            prefix = path[:end]
            if prefix in self.positions:
                return self.positions[prefix]
        return (1, 1)

    def where_key(self, path: Path) -> tuple[int, int]:
        """The position of a key, falling back to its value's (or its parent's)."""
        return self.key_positions.get(path) or self.where(path)


class _Stop(Exception):
    """Raised inside the event loop to abandon a file after a fatal diagnostic."""


def dotted(path: Path) -> str:
    """A field path as people write it: ``figures[0].value``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class _Builder:
    """Turns the event stream of one file into data, recording what it refuses."""

    def __init__(self, rel_path: str, with_positions: bool) -> None:
        self.rel_path = rel_path
        self.text = ""
        self.with_positions = with_positions
        self.result = Parsed(None)
        # Each frame: [container, path, pending key or None]
        self.stack: list[list[Any]] = []
        self.documents = 0

    def mark(self, event: Any) -> tuple[int, int]:
        return _end_of_text(self.text, event.start_mark)

    def problem(self, code: str, message: str, hint: str, where: tuple[int, int], path: Path = ()):
        self.result.diagnostics.append(
            make(
                code,
                self.rel_path,
                message,
                hint,
                line=where[0],
                column=where[1],
                field=dotted(path),
            )
        )

    def fatal(self, code: str, message: str, hint: str, where: tuple[int, int], path: Path = ()):
        self.problem(code, message, hint, where, path)
        raise _Stop

    def run(self, text: str) -> Parsed:
        offset = _structural_break(text)
        if offset is not None:  # libyaml reads a line break, editors and diffs may show none
            char = text[offset]
            self.problem(
                "unusual-line-break",
                f"the file holds U+{ord(char):04X} ({_BREAK_NAMES[char]}), "
                "which YAML reads as a line break but editors and diffs may not show",
                "replace it with an ordinary line break or a space",
                (text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1),
            )
            return self.result
        self.text = text
        if not self.read_events(_Parser) and _Parser is not yaml.SafeLoader:
            # libyaml refuses nesting past a limit of its own (1,000 levels in the libyaml
            # that PyYAML 6.0.4 bundles) while it looks ahead, before the builder reaches the
            # level where MAX_DEPTH stops it. The pure-Python parser has no such limit and
            # reads lazily, so reading again with it stops at the same place either way.
            self.result, self.stack, self.documents = Parsed(None), [], 0
            self.read_events(yaml.SafeLoader)
        if self.documents == 0 and not self.result.diagnostics:
            self.problem(
                "empty-file",
                "the file holds no YAML document",
                "write the record as a mapping of fields, or delete the file",
                (1, 1),
            )
        return self.result

    def read_events(self, parser_class: type) -> bool:
        """Build the data from ``parser_class``'s events; False if only libyaml's own
        nesting limit stopped it (nothing is recorded then)."""
        text = self.text
        parser = parser_class(text)
        try:
            while parser.check_event():
                self.event(parser.get_event())
        except _Stop:
            self.result.data = None
        except yaml.MarkedYAMLError as exc:
            message = str(exc.problem or exc.context or "invalid YAML")
            if _LIBYAML_DEPTH in message and parser_class is not yaml.SafeLoader:
                return False
            unclosed = (
                "quoted scalar" in str(exc.context or "")
                and "end of stream" in str(exc.problem or "")
                and exc.context_mark is not None
            )
            mark = exc.context_mark if unclosed else (exc.problem_mark or exc.context_mark)
            where = _error_place(text, mark) if mark else (1, 1)
            key = _key_above(text, where[0]) if unclosed else None  # else: maybe a later key
            if unclosed:  # libyaml reports the end of the file, where it gave up looking
                message = "a quoted value opens here and is never closed"
                hint = (
                    "close the quote; inside \"...\" write \\\" for a quote, inside '...' write ''"
                )
            elif mark is not None and where[0] < mark.line + 1:  # moved up from the end
                begun = _begun(exc, text, where)
                hint = (
                    "the file ends before this value is complete: close the [ or { opened "
                    "above, or finish the value"
                    if begun or str(exc.context or "").startswith("while parsing a flow")
                    else _syntax_hint(message, text, where)
                )
                message = f"YAML syntax error: {message}, at the end of the file{begun}"
            else:
                hint = _syntax_hint(message, text, where)
                message = f"YAML syntax error: {message}{_begun(exc, text, where)}"
            self.problem("yaml-syntax", message, hint, where, (key,) if key else ())
            self.result.data = None
        except yaml.YAMLError as exc:  # reader errors: bad characters
            character = getattr(exc, "character", None)
            if isinstance(character, int) and chr(character) in _CONTROL:
                self.problem(
                    "control-character",
                    f"the file holds the control character U+{character:04X}",
                    "remove it: it can rewrite a terminal's screen",
                    _reader_mark(exc, text, parser_class),
                )
            else:
                self.problem(
                    "yaml-syntax",
                    f"YAML syntax error: {_first_line(exc)}",
                    "remove the character; records are plain UTF-8 text",
                    _reader_mark(exc, text, parser_class),
                )
            self.result.data = None
        finally:
            dispose = getattr(parser, "dispose", None)
            if dispose:
                dispose()
        return True

    # -- events -------------------------------------------------------------------------

    def event(self, event: Any) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.fatal(
                    "multiple-documents",
                    "the file holds more than one YAML document",
                    "one record per file: move this document to a file of its own",
                    self.mark(event),
                )
            return
        if isinstance(event, yaml.AliasEvent):
            self.fatal(
                "yaml-alias",
                f"alias *{event.anchor} is not allowed",
                "write the value out in full; records use no anchors or aliases",
                self.mark(event),
                self.current_path(),
            )
        if isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self.refuse_anchor_and_tag(event)
        if isinstance(event, yaml.ScalarEvent):
            self.add(self.scalar(event), event)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self.open(event)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            container = self.stack.pop()[0]
            if not self.stack:
                self.result.data = container
                return
            parent = self.stack[-1]
            if isinstance(parent[0], list):
                parent[0].append(container)
            else:
                parent[0][parent[2]] = container
                parent[2] = None

    def refuse_anchor_and_tag(self, event: Any) -> None:
        where, path = self.mark(event), self.current_path()
        if event.anchor is not None:
            self.fatal(
                "yaml-alias",
                f"anchor &{event.anchor} is not allowed",
                "write the value out in full; records use no anchors or aliases",
                where,
                path,
            )
        if event.tag is not None:
            shown = event.tag.replace("tag:yaml.org,2002:", "!!")
            self.fatal(
                "yaml-tag",
                f"the YAML tag {shown} is not allowed",
                "remove the tag; records hold only plain strings, numbers, lists and mappings",
                where,
                path,
            )

    def current_path(self) -> Path:
        if not self.stack:
            return ()
        container, path, key = self.stack[-1]
        if isinstance(container, list):
            return (*path, len(container))
        return (*path, key) if key is not None else path

    def open(self, event: Any) -> None:
        where = self.mark(event)
        if not self.stack and not isinstance(event, yaml.MappingStartEvent):
            self.fatal(
                "not-a-mapping",
                "the top level of a record must be a mapping of fields",
                "start the file with `id: ...` and one `field: value` per line",
                where,
            )
        if len(self.stack) >= MAX_DEPTH:
            self.fatal(
                "too-deep",
                f"the data nests more than {MAX_DEPTH} levels deep",
                "records are shallow; this file is not a ledger record",
                where,
                self.current_path(),
            )
        path = self.current_path()
        if self.stack:
            frame = self.stack[-1]
            if isinstance(frame[0], dict) and frame[2] is None:
                self.fatal(
                    "non-string-key",
                    "a mapping or list cannot be a key",
                    "keys are field names: plain words before a colon",
                    where,
                    path,
                )
            if self.with_positions:
                self.result.positions[path] = where
        container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
        self.stack.append([container, path, None])

    def add(self, value: Any, event: Any) -> None:
        where = self.mark(event)
        if not self.stack:
            self.fatal(
                "not-a-mapping",
                "the top level of a record must be a mapping of fields",
                "start the file with `id: ...` and one `field: value` per line",
                where,
            )
        frame = self.stack[-1]
        container, _path, key = frame
        if isinstance(container, dict) and key is None:
            self.take_key(frame, value, event)
            return
        full = self.current_path()
        if self.with_positions:
            self.result.positions[full] = where
        if isinstance(value, str):
            self.check_characters(value, where, full)
        else:
            if event.style in ("", None) and self.with_positions:
                self.result.plain[full] = event.value
            doubt = _doubtful_number(value, event.value)
            if doubt:
                self.result.numbers.append(
                    make(
                        "ambiguous-number",
                        self.rel_path,
                        doubt[0],
                        doubt[1],
                        line=where[0],
                        column=where[1],
                        field=dotted(full),
                    )
                )
        if isinstance(container, list):
            container.append(value)
        else:
            container[key] = value
            frame[2] = None
        if isinstance(value, str) and event.style in ("", None) and _is_timestamp(event.value):
            self.problem(
                "unquoted-date",
                f"the date {event.value} is not in quotes",
                f'write it as "{event.value}" so no YAML reader turns it into a date object',
                where,
                full,
            )

    def take_key(self, frame: list[Any], key: Any, event: Any) -> None:
        container, path = frame[0], frame[1]
        where = self.mark(event)
        if not isinstance(key, str):
            self.fatal(
                "non-string-key",
                f"the key {event.value!r} is read as {type(key).__name__}, not as a field name",
                f'quote it ("{event.value}") or use a field name',
                where,
                path,
            )
        if key == "<<" and event.style in ("", None):
            self.fatal(
                "yaml-alias",
                "merge keys (<<) are not allowed",
                "write the fields out in full",
                where,
                path,
            )
        if key in container:
            self.fatal(
                "duplicate-key",
                f"the key '{key}' appears twice in this mapping",
                "keep one of them: YAML readers silently keep only the last",
                where,
                (*path, key),
            )
        self.check_characters(key, where, path)
        if self.with_positions:
            self.result.key_positions[(*path, key)] = where
        frame[2] = key

    def scalar(self, event: Any) -> Any:
        """A scalar's value as YAML 1.1 reads it (plain scalars may be numbers, booleans...)."""
        if event.style not in ("", None) or not event.implicit[0]:
            return event.value
        return self.scalar_of(
            _RESOLVER.resolve(ScalarNode, event.value, (True, False)), event.value
        )

    @staticmethod
    def scalar_of(tag: str, text: str) -> Any:
        """The value of a plain scalar that YAML resolved to ``tag``."""
        if tag == "tag:yaml.org,2002:null":
            return None
        node = ScalarNode(tag, text)
        try:
            if tag == "tag:yaml.org,2002:bool":
                return _CONSTRUCTOR.construct_yaml_bool(node)
            if tag == "tag:yaml.org,2002:int":
                return _CONSTRUCTOR.construct_yaml_int(node)
            if tag == "tag:yaml.org,2002:float":
                return _CONSTRUCTOR.construct_yaml_float(node)
        except (ValueError, yaml.YAMLError):
            return text
        return text  # strings, and dates, merge and value keys (reported elsewhere)

    def check_characters(self, value: str, where: tuple[int, int], path: Path) -> None:
        chars = set(value)
        bad = chars & _CONTROL
        if bad:
            shown = ", ".join(f"U+{ord(c):04X}" for c in sorted(bad))
            self.problem(
                "control-character",
                f"the value holds control characters ({shown})",
                "remove them: they can rewrite a terminal's screen",
                where,
                path,
            )
        odd = chars & MISLEADING
        if odd:
            shown = ", ".join(f"U+{ord(c):04X}" for c in sorted(odd))
            self.problem(
                "invisible-character",
                f"the value holds invisible or direction-changing characters ({shown})",
                "remove them unless the source really has them: they make text read "
                "differently from what it is",
                where,
                path,
            )


_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_ODD_BREAK = re.compile("[\x85\u2028\u2029]")
_BREAK_NAMES = {"\x85": "NEXT LINE", "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR"}


_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


_KEY_LINE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)")


def _begun(exc: yaml.MarkedYAMLError, text: str, where: tuple[int, int]) -> str:
    """Where the ``[...]`` or ``{...}`` the parser was reading began, when not where it
    gave up: one left unclosed is reported lines later, at the next key. (Of a block
    mapping or list it would name the top of the file, which says nothing.)"""
    context = str(exc.context or "")
    if not context.startswith("while parsing a flow ") or exc.context_mark is None:
        return ""
    if exc.problem_mark is not None and exc.context_mark.index == exc.problem_mark.index:
        return ""  # a flow node: libyaml marks where it gave up, not where it began
    line, column = _end_of_text(text, exc.context_mark)
    if line == where[0]:
        return ""
    what = context.removeprefix("while parsing ")
    return f" (reading {what} begun at line {line}, column {column})"


def _syntax_hint(problem: str, text: str, where: tuple[int, int]) -> str:
    """What to do about a syntax error: a tab where the parser stopped (or one it names) is
    the usual cause, and the parser's own words do not say so."""
    lines = text.split("\n")
    line, column = where
    at = lines[line - 1][column - 1 : column] if 0 < line <= len(lines) and column > 0 else ""
    if at == "\t" or "tab character" in problem:
        return "indent with spaces: YAML does not take a tab for indentation"
    return "fix the YAML at this place; a quoted string avoids most surprises"


def _key_above(text: str, line: int) -> str | None:
    """The top-level key whose value holds 1-based ``line`` (the nearest line at or above it
    that starts a key at the margin), to name the field of a syntax error; None if none."""
    lines = _LINE_BREAK.split(text)
    for number in range(min(line, len(lines)) - 1, -1, -1):
        found = _KEY_LINE.match(lines[number])
        if found:
            return found.group(1)
    return None


def _end_of_text(text: str, mark: Any) -> tuple[int, int]:
    """A mark's 1-based place; libyaml places an error at the end of a file that does not
    end in a line break on a line after its last, which no editor shows: the end of the last
    line is meant."""
    at_end = mark.index >= len(text) and mark.column == 0 and mark.line > 0
    if at_end and text and not _LINE_BREAK.fullmatch(text[-1]):
        return mark.line, len(_LINE_BREAK.split(text)[-1]) + 1
    return mark.line + 1, mark.column + 1


def _error_place(text: str, mark: Any) -> tuple[int, int]:
    """Where a syntax error is shown: the mark's place (:func:`_end_of_text`), but for one
    that libyaml placed where nothing but spaces, line breaks and comments follow (it gave
    up looking at the end of the file: an empty line, or past the end), which says nothing
    to whoever looks there: the end of the last line before it that holds more than a
    comment is meant. A tab is not passed over: it may be the error."""
    rest = text[mark.index :] if mark.index <= len(text) else ""
    if mark.line == 0 or any(not _ignorable(line) for line in _LINE_BREAK.split(rest)):
        return _end_of_text(text, mark)
    lines = _LINE_BREAK.split(text)
    if mark.line < len(lines):  # the mark's own line, up to the mark
        lines = [*lines[: mark.line], lines[mark.line][: mark.column]]
    held = [i for i, line in enumerate(lines) if not _ignorable(line)]
    if not held:
        return _end_of_text(text, mark)
    return held[-1] + 1, len(lines[held[-1]].rstrip(" ")) + 1


def _ignorable(line: str) -> bool:
    """Whether a line holds only spaces, or a comment after them (never a tab)."""
    kept = line.lstrip(" ")
    return not kept or (kept.startswith("#") and "\t" not in kept)


def _structural_break(text: str) -> int | None:
    """The offset of the first NEL, LINE SEPARATOR or PARAGRAPH SEPARATOR that YAML reads as
    a line break, or None. Inside a quoted string LS and PS are kept as characters of the
    value (and reported as invisible, like any other); NEL is folded to a space even there,
    so it always counts."""
    if not _ODD_BREAK.search(text):
        return None
    quoted: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):  # characters, not bytes
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                quoted.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:
        pass  # what follows the error counts as outside any string
    spans = iter(quoted)
    span = next(spans, None)
    for match in _ODD_BREAK.finditer(text):
        at = match.start()
        while span is not None and span[1] <= at:
            span = next(spans, None)
        if match.group() == "\x85" or span is None or not span[0] <= at:
            return at
    return None


def _doubtful_number(value: Any, text: str) -> tuple[str, str] | None:
    """(message, hint) for a number written other than in plain decimal, or None.

    YAML 1.1 (PyYAML) reads ``010`` as 8, ``1:30`` as 90 and ``10_000`` as 10000, where
    YAML 1.2 and people read them otherwise; ``.inf`` and ``.nan`` are no figure at all.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return (
            f"the unquoted {text} is read as a number that is not finite",
            "write a finite number in plain decimal, or put the value in quotes if it is text",
        )
    plain = _PLAIN_INT if isinstance(value, int) else _PLAIN_FLOAT
    if plain.fullmatch(text):
        return None
    octal = isinstance(value, int) and re.fullmatch(r"[-+]?0[0-7_]+", text)
    return (
        f"the number {text} is not written in plain decimal: YAML 1.1 reads it as "
        f"{'the octal number ' if octal else ''}{value!r}, YAML 1.2 and people may not",
        "write the number in plain decimal as you mean it (10, not 010 or 1_0), "
        "or put the value in quotes if it is text",
    )


def number_diagnostics(parsed: Parsed, reported: Iterable[Diagnostic] = ()) -> list[Diagnostic]:
    """The file's ambiguous numbers, less those in a field already reported (a number where
    the schema wants text gets one diagnostic, the schema's, with its hint to quote it)."""
    taken = {(d.path, d.field) for d in reported}
    return [d for d in parsed.numbers if (d.path, d.field) not in taken]


def _is_timestamp(value: str) -> bool:
    return _RESOLVER.resolve(ScalarNode, value, (True, False)) == "tag:yaml.org,2002:timestamp"


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _reader_mark(exc: yaml.YAMLError, text: str, parser_class: type) -> tuple[int, int]:
    """Reader errors carry an offset, not a line: turn it into one.

    libyaml counts the offset in bytes of the UTF-8 text it was given, the pure-Python
    reader in characters.
    """
    offset = getattr(exc, "position", 0) or 0
    if parser_class is not yaml.SafeLoader:
        offset = len(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def parse(text: str, rel_path: str, *, positions: bool = False) -> Parsed:
    """Read one record file's text. Never raises for bad input.

    Most files take the fast path; any file that might hold something the ledger refuses,
    or that the fast path cannot read, is read again by the event builder, which says
    exactly what and where.
    """
    if not positions:
        data = _fast(text)
        if data is not None:
            return Parsed(data)
    return _Builder(rel_path, positions).run(text)


# -- the fast path ------------------------------------------------------------------------

_FAST_UNSAFE = re.compile(
    r"[!&*\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    r"\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_DEEP_INDENT = re.compile(r"^ {48,}", re.MULTILINE)
_COMPACT_NESTING = re.compile(r"(?:[-?:][ \t]+){6,}")
"""Block indicators in a row (``- - -``, ``? ? ?``, ``- ? - ?``): each opens a level on one
line, and libyaml's composer recurses once a level (it crashes near 25,000)."""
_MAYBE_NOT_STR = frozenset("0123456789-+.~:yYnNtTfFoO=<")
"""First characters with which YAML 1.1 may read a plain scalar as other than a string."""


class _LazyResolver:
    """Tags are settled in the walk, and only for scalars that could be other than strings:
    asking PyYAML's resolver about every scalar costs more than composing the file."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return "?"

    def descend_resolver(self, parent: Any, index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_C_PARSER = getattr(getattr(yaml, "cyaml", None), "CParser", None)
_COMPOSER: type = (
    type("_Composer", (_C_PARSER, _LazyResolver), {}) if _C_PARSER else yaml.SafeLoader
)


def _fast(text: str) -> dict[str, Any] | None:
    """The data of a plainly written record, or None when the event builder must read it.

    libyaml's C composer builds the node tree and a short walk converts it. The composer
    recurses, and nests past the C stack on hostile input, so files that could nest deeply
    are left to the builder, as are files that could hold tags, anchors, aliases, merge keys,
    escapes or control characters: the walk never has to refuse anything but keys.
    """
    if (
        _FAST_UNSAFE.search(text)
        or "<<" in text
        or text.count("[") + text.count("{") > 24
        or _DEEP_INDENT.search(text)
        or _COMPACT_NESTING.search(text)
    ):
        return None
    loader = _COMPOSER(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    if not isinstance(node, yaml.MappingNode):
        return None
    try:
        return _walk(node)  # type: ignore[no-any-return]
    except _Stop:
        return None


def _walk(node: Any) -> Any:
    if isinstance(node, yaml.ScalarNode):
        text = node.value
        if node.style not in ("", None):
            return text
        if not text:
            return None  # an empty plain value is null, as YAML reads it
        if text[0] not in _MAYBE_NOT_STR:
            return text
        tag = _RESOLVER.resolve(ScalarNode, text, (True, False))
        if tag == _STR:
            return text
        if tag == "tag:yaml.org,2002:timestamp":
            raise _Stop  # reported by the builder as an unquoted date
        value = _Builder.scalar_of(tag, text)
        if _doubtful_number(value, text):
            raise _Stop  # recorded by the builder as an ambiguous number
        return value
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item) for item in node.value]
    data: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise _Stop  # a key the builder reports (non-string)
        key = _walk(key_node)
        if not isinstance(key, str) or key in data:
            raise _Stop  # a key the builder reports (non-string, duplicate)
        data[key] = _walk(value_node)
    return data
