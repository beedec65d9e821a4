"""The canonical form of a record file, so that every diff a reviewer reads is small.

Keys in schema order, block style, two-space indent, prose in folded block scalars, dates
quoted, no blank lines, one trailing newline. Comments survive: a comment line travels with
the key or list item below it, an end-of-line comment stays on its line.

The formatter never changes a value: the new text is read back and compared with the old
(values, and every comment), and a file whose form cannot be proven equal is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from ledger.records.model import RECORD_TYPES, Archive, Figure, Relation, Review
from ledger.records.yamlread import parse

WIDTH = 92
"""Folded prose is wrapped to this many columns."""

PROSE_MIN = 72
"""Strings at least this long (or holding a line break) are written as block scalars."""

DATE_FIELDS = {"published", "date", "as_of"}

_NESTED = {"archive": Archive, "figures": Figure, "relations": Relation, "reviews": Review}
_RESOLVER = Resolver()
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's scanner when PyYAML has it: it reads what the ledger's reader reads (the
pure-Python one refuses valid files, such as one with a tab after a colon)."""
_STR = "tag:yaml.org,2002:str"
_PLAIN_UNSAFE_START = set("-?:,[]{}#&*!|>'\"%@`")


# -- a tree of values with their comments -----------------------------------------------------


@dataclass
class Entry:
    """A mapping key or list item: its value, the comment lines above it, its line comment."""

    key: str | None
    value: Any
    before: list[str] = field(default_factory=list)
    inline: str = ""


@dataclass
class Block:
    """A mapping (``is_map``) or a list, as entries in file order."""

    is_map: bool
    entries: list[Entry] = field(default_factory=list)
    flow_inline: str = ""


@dataclass
class Tree:
    root: Block
    trailing: list[str]
    header: list[str] = field(default_factory=list)
    """Comments above the first key (a schema modeline, a licence line): they stay on top."""
    document_start: int | None = None
    """With an explicit ``---`` (a team's linter may ask for one): how many of the header's
    comments stand above it. None: the file has none, and none is added."""


_BLANK = " \t"
"""YAML's white space: a no-break space (which str.strip removes) is text, never a separator."""

_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
"""YAML's line breaks: the parser's marks count a line at each of them, not only at LF."""


def _yaml_lines(text: str) -> list[str]:
    """The text's lines as the parser numbers them, so that a mark's line indexes this list
    (splitting at LF alone shifts every line after a CR, NEL, LS or PS in a value)."""
    return _BREAK.split(text)


def _line_comments(text: str, skip: set[int]) -> dict[int, str]:
    """Whole-line comments by 0-based line number, outside multi-line scalars."""
    found = {}
    for number, line in enumerate(_yaml_lines(text)):
        if line.lstrip(_BLANK).startswith("#") and number not in skip:
            found[number] = line.strip()
    return found


def _rest_comment(lines: list[str], line: int, column: int) -> str:
    """An end-of-line comment after a position, if that is all that follows it."""
    if line >= len(lines):
        return ""
    rest = lines[line][column:].lstrip(_BLANK)
    rest = rest.removeprefix(":").lstrip(_BLANK)
    return rest.strip() if rest.startswith("#") else ""


def _header_comment(lines: list[str], mark: Any) -> str:
    """The comment after a block scalar's header (``>-  # note``), if there is one."""
    found = re.match(r"[|>][-+1-9]*[ \t]+(#.*)$", lines[mark.line][mark.column :])
    return found.group(1).strip() if found else ""


class _TreeBuilder:
    """Builds a Tree from parser events (the file is known to be valid: yamlread said so)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _yaml_lines(text)

    def build(self) -> Tree:
        events = list(yaml.parse(self.text, Loader=_LOADER))
        skip = set()
        for event in events:
            if isinstance(event, yaml.ScalarEvent):  # lines inside a multi-line scalar
                end = event.end_mark.line + (0 if event.end_mark.column == 0 else 1)
                skip.update(range(event.start_mark.line + 1, end))
        comments = _line_comments(self.text, skip)
        starts: list[tuple[int, Entry]] = []
        stack: list[tuple[Block, Entry | None]] = []
        root: Block | None = None
        pending_key: list[Entry | None] = []
        for event in events:
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                block = Block(isinstance(event, yaml.MappingStartEvent))
                if not stack:
                    root = block
                else:
                    self._place(stack, pending_key, block, event, starts)
                stack.append((block, None))
                pending_key.append(None)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                block, _ = stack.pop()
                pending_key.pop()
                if event.start_mark.line == event.end_mark.line and stack:
                    block.flow_inline = _rest_comment(
                        self.lines, event.end_mark.line, event.end_mark.column
                    )
            elif isinstance(event, yaml.ScalarEvent):
                value = _scalar_value(event)
                block = stack[-1][0]
                if block.is_map and pending_key[-1] is None:
                    entry = Entry(str(value), None)
                    entry.inline = _rest_comment(
                        self.lines, event.end_mark.line, event.end_mark.column
                    )
                    block.entries.append(entry)
                    pending_key[-1] = entry
                    starts.append((event.start_mark.line, entry))
                else:
                    self._place(stack, pending_key, value, event, starts)
                    owner = block.entries[-1]
                    if event.style in ("|", ">"):  # `key: >-  # note`: after the header
                        comment = _header_comment(self.lines, event.start_mark)
                    else:
                        comment = _rest_comment(
                            self.lines, event.end_mark.line, event.end_mark.column
                        )
                    owner.inline = comment or owner.inline
        assert root is not None
        first = min((line for line, _ in starts), default=len(self.lines))
        header_lines = [line for line in sorted(comments) if line < first]
        header = [comments.pop(line) for line in header_lines]
        trailing = self._attach(comments, starts)
        marker = next(
            (e.start_mark.line for e in events if isinstance(e, yaml.DocumentStartEvent)), None
        )
        explicit = any(isinstance(e, yaml.DocumentStartEvent) and e.explicit for e in events)
        above = sum(1 for line in header_lines if marker is not None and line < marker)
        return Tree(root, trailing, header, above if explicit else None)

    def _place(
        self,
        stack: list[tuple[Block, Entry | None]],
        pending_key: list[Entry | None],
        value: Any,
        event: Any,
        starts: list[tuple[int, Entry]],
    ) -> None:
        block = stack[-1][0]
        if block.is_map:
            entry = pending_key[-1]
            assert entry is not None
            entry.value = value
            pending_key[-1] = None
        else:
            entry = Entry(None, value)
            block.entries.append(entry)
            starts.append((event.start_mark.line, entry))

    @staticmethod
    def _attach(comments: dict[int, str], starts: list[tuple[int, Entry]]) -> list[str]:
        """Give each comment line to the first key or item that starts below it."""
        ordered = sorted(starts, key=lambda s: s[0])
        trailing = []
        index = 0
        for line in sorted(comments):
            while index < len(ordered) and ordered[index][0] < line:
                index += 1
            if index < len(ordered):
                ordered[index][1].before.append(comments[line])
            else:
                trailing.append(comments[line])
        return trailing


def _scalar_value(event: Any) -> Any:
    if event.style not in ("", None) or not event.implicit[0]:
        return event.value
    tag = _RESOLVER.resolve(ScalarNode, event.value, (True, False))
    if tag == _STR or tag == "tag:yaml.org,2002:timestamp":
        return event.value
    return _Plain(event.value)


@dataclass(frozen=True)
class _Plain:
    """A plain scalar that is not a string (number, boolean, null): written as it was."""

    text: str


# -- emitting -----------------------------------------------------------------------------


def _order(block: Block, model: Any) -> list[Entry]:
    if not block.is_map:
        return block.entries
    if model is None:  # a map of ids (bears_on): by key
        return sorted(block.entries, key=lambda e: str(e.key))
    names = [info.alias or name for name, info in model.model_fields.items()]
    rank = {name: i for i, name in enumerate(names)}
    return sorted(block.entries, key=lambda e: rank.get(str(e.key), len(rank)))


def _emit_block(
    block: Block, model: Any, indent: int, out: list[str], first_prefix: str | None = None
) -> None:
    pad = " " * indent
    for position, entry in enumerate(_order(block, model)):
        for comment in entry.before:
            out.append(f"{pad}{comment}")
        lead = pad
        if first_prefix is not None and position == 0:
            lead = first_prefix
        if block.is_map:
            child_model = _NESTED.get(str(entry.key)) if model is not None else None
            key = str(entry.key)
            shown = _double_quoted(key) if _needs_quotes(key) else key  # an id such as "1"
            _emit_value(f"{lead}{shown}:", key, entry, child_model, indent, out)
        else:
            _emit_item(lead, entry, model, indent, out)


def _emit_value(head: str, key: str, entry: Entry, model: Any, indent: int, out: list[str]) -> None:
    inline = f"  {entry.inline}" if entry.inline else ""
    value = entry.value
    if isinstance(value, Block):
        if not value.entries:
            out.append(f"{head} {'{}' if value.is_map else '[]'}{inline or _flow(value)}")
            return
        out.append(f"{head}{inline or _flow(value)}")
        child = model if key in _NESTED or model is not None else None
        if key == "bears_on":
            child = None
        _emit_block(value, child, indent + 2, out)
        return
    _emit_scalar(head, key, value, inline, indent + 2, out)


def _emit_item(lead: str, entry: Entry, model: Any, indent: int, out: list[str]) -> None:
    inline = f"  {entry.inline}" if entry.inline else ""
    value = entry.value
    if isinstance(value, Block) and value.is_map and value.entries:
        first = len(out)
        _emit_block(value, model, indent + 2, out, first_prefix=f"{lead}- ")
        if value.flow_inline:  # `- {a: 1}  # note`: the note stays on the item's first line
            at = next(i for i in range(first, len(out)) if out[i].startswith(f"{lead}- "))
            out[at] += f"  {value.flow_inline}"
        return
    if isinstance(value, Block):  # an empty map or list as an item: `- {}`, `- []`
        out.append(f"{lead}- {'{}' if value.is_map else '[]'}{inline or _flow(value)}")
        return
    _emit_scalar(f"{lead}-", "", value, inline, indent + 2, out)


def _flow(block: Block) -> str:
    return f"  {block.flow_inline}" if block.flow_inline else ""


def _emit_scalar(
    head: str, key: str, value: Any, inline: str, content_indent: int, out: list[str]
) -> None:
    if isinstance(value, _Plain):
        out.append(f"{head} {value.text}{inline}")
        return
    text = str(value)
    if key in DATE_FIELDS or _needs_quotes(text):
        if _is_prose(text) and _block_safe(text):
            _emit_prose(head, text, inline, content_indent, out)
        else:
            out.append(f"{head} {_double_quoted(text)}{inline}")
        return
    if _is_prose(text) and _block_safe(text):
        _emit_prose(head, text, inline, content_indent, out)
        return
    out.append(f"{head} {text}{inline}")


def _is_prose(text: str) -> bool:
    return len(text) >= PROSE_MIN or "\n" in text


def _block_safe(text: str) -> bool:
    """Text a block scalar can carry exactly (no edge spaces, no tabs or odd characters)."""
    if not text or text != text.strip(" ") or text[0] in "\n" or text[-1] == "\n":
        return False
    return not re.search(r"[\t\r\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]", text)


def _emit_prose(head: str, text: str, inline: str, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if "\n" in text:
        out.append(f"{head} |-{inline}")
        out.extend(f"{pad}{line}" if line else "" for line in text.split("\n"))
        return
    out.append(f"{head} >-{inline}")
    out.extend(f"{pad}{line}" for line in fold_prose(text, WIDTH - indent))


def fold_prose(text: str, width: int) -> list[str]:
    """Break at single spaces only, so folding the lines back gives the text exactly."""
    lines: list[str] = []
    current = ""
    for word in re.split(r"(?<! ) (?! )", text):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return lines


def _needs_quotes(text: str) -> bool:
    """Whether a string must be quoted to be read back as the same string."""
    if not text or text != text.strip() or "\n" in text:
        return True
    if _RESOLVER.resolve(ScalarNode, text, (True, False)) != _STR:
        return True
    if text[0] in _PLAIN_UNSAFE_START or ": " in text or " #" in text or text.endswith(":"):
        return True
    return bool(
        re.search(
            r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\u200b-\u200f\u202a-\u202e]", text
        )
    )


def _double_quoted(text: str) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or 0x7F <= code <= 0x9F or char in "\u2028\u2029\ufeff\ufffe\uffff":
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


# -- the public entry ---------------------------------------------------------------------


@dataclass(frozen=True)
class Formatted:
    """The canonical text of one file, or why it was left as it was."""

    text: str | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.text is not None


MODELINE_PREFIX = "# yaml-language-server: $schema="


def canonical(text: str, kind: str, modeline: str | None = None) -> Formatted:
    """The canonical form of a record file's text; values and comments proven unchanged.

    ``modeline``, when given, is the schema path that the first line names for editors; it
    replaces any modeline the file had.
    """
    before = parse(text, "<fmt>")
    if before.data is None or any(d.severity == "error" for d in before.diagnostics):
        return Formatted(None, "the file has YAML errors; run `ledger validate` and fix them first")
    tree = _TreeBuilder(text.removeprefix("\ufeff")).build()
    out = _head(tree, modeline)
    _emit_block(tree.root, RECORD_TYPES[kind], 0, out)
    out.extend(tree.trailing)
    result = "\n".join(out) + "\n"
    after = parse(result, "<fmt>")
    if after.data != before.data or not _same_comments(result, text.removeprefix("\ufeff")):
        return Formatted(
            None,
            "the canonical form would change a value or drop a comment; the file is left as it is",
        )
    return Formatted(result)


def _head(tree: Tree, modeline: str | None = None) -> list[str]:
    """The lines above the first key: the modeline (``modeline`` replaces the file's), the
    header's comments, and a ``---`` where the file had one: what a user wrote stays."""
    comments = list(enumerate(tree.header))
    if modeline:
        comments = [(i, c) for i, c in comments if not c.startswith(MODELINE_PREFIX)]
    out = [f"{MODELINE_PREFIX}{modeline}"] if modeline else []
    above = tree.document_start
    out += [c for i, c in comments if above is not None and i < above]
    if above is not None:
        out.append("---")
    out += [c for i, c in comments if above is None or i >= above]
    return out


_COMMENT = re.compile("(?:^|(?<=[ \t\n\r\x85\u2028\u2029]))#[^\n\r\x85\u2028\u2029]*")
"""A comment: ``#`` at a line's start or after white space, up to any of YAML's line breaks."""


def _same_comments(result: str, text: str) -> bool:
    """Whether two texts hold the same comments; False when either cannot be scanned."""
    try:
        return _comments(result) == _comments(text)
    except yaml.YAMLError:
        return False


def _comments(text: str) -> list[str]:
    """Every comment in a text, as a sorted list (order may change when keys move).

    Found from the scanner's tokens, not from the tree the emitter writes, so that a comment
    the tree builder misses makes the check fail instead of vanishing unnoticed: a comment is
    a ``#`` at the start of a line or after a space or tab, outside every scalar.
    """
    spans = []
    for token in yaml.scan(text, Loader=_LOADER):
        if isinstance(token, yaml.ScalarToken):
            start = token.start_mark.index
            if token.style in ("|", ">"):  # the header line may carry a comment
                header_end = _BREAK.search(text, start)
                start = header_end.end() if header_end else token.end_mark.index
            spans.append((start, token.end_mark.index))
    found = []
    position = 0
    for start, end in [*sorted(spans), (len(text), len(text))]:
        for match in _COMMENT.finditer(text, position, max(position, start)):
            comment = match.group().strip()
            if not comment.startswith(MODELINE_PREFIX):
                found.append(comment)
        position = max(position, end)
    return sorted(found)


def to_block(value: Any) -> Any:
    """Plain data (dicts, lists, strings, numbers) as the tree the emitter writes."""
    if isinstance(value, dict):
        return Block(True, [Entry(str(k), to_block(v)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return Block(False, [Entry(None, to_block(v)) for v in value])
    if isinstance(value, bool):
        return _Plain("true" if value else "false")
    if isinstance(value, int):
        return _Plain(repr(value))
    if isinstance(value, float):
        return _Plain(_float_text(value))
    return str(value)


def _float_text(value: float) -> str:
    """A float as YAML 1.1 reads it back: ``1e-07`` is text to it, ``1.0e-07`` a number."""
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return "-.inf" if value < 0 else ".inf"
    text = repr(value)
    mantissa, _, exponent = text.partition("e")
    if exponent and "." not in mantissa:
        text = f"{mantissa}.0e{exponent}"
    return text


def with_field(text: str, kind: str, key: str, value: Any) -> Formatted:
    """The record's text in canonical form with one top-level field set to ``value``.

    Everything else (other values, every comment) is kept; the result is read back and
    checked, as `canonical` does.
    """
    before = parse(text, "<edit>")
    if before.data is None or any(d.severity == "error" for d in before.diagnostics):
        return Formatted(None, "the file has YAML errors; run `ledger validate` and fix them first")
    tree = _TreeBuilder(text.removeprefix("\ufeff")).build()
    node = to_block(value)
    for entry in tree.root.entries:
        if entry.key == key:
            entry.value = node
            break
    else:
        tree.root.entries.append(Entry(key, node))
    out = _head(tree)
    _emit_block(tree.root, RECORD_TYPES[kind], 0, out)
    out.extend(tree.trailing)
    result = "\n".join(out) + "\n"
    after = parse(result, "<edit>")
    expected = {**before.data, key: value}
    if after.data != expected or not _same_comments(result, text.removeprefix("\ufeff")):
        return Formatted(None, f"setting '{key}' would change another value or drop a comment")
    return Formatted(result)


def from_data(data: dict[str, Any], kind: str, modeline: str | None = None) -> Formatted:
    """A new record's canonical text, written from its data rather than from another text.

    Going through an intermediate text (JSON, read as YAML) is not exact: YAML reads a raw
    line or paragraph separator in JSON's strings as a line break and ``1e-07`` as a string.
    So the text is emitted from the values and read back against ``data`` itself.
    """
    out: list[str] = [f"{MODELINE_PREFIX}{modeline}"] if modeline else []
    _emit_block(to_block(data), RECORD_TYPES[kind], 0, out)
    result = "\n".join(out) + "\n"
    if parse(result, "<new>").data != data:
        return Formatted(None, "a value cannot be written so that it reads back the same")
    return Formatted(result)
