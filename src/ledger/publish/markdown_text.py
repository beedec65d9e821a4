"""Data as Markdown text: the one escaper behind every Markdown report, and the cut that keeps
a report within a GitHub comment.

Markdown from this tool is pasted into memos and posted on pull requests (`ledger diff
--format markdown` is what CI comments), where GitHub reads more than CommonMark does. So
:func:`escape` makes a record's text show as the characters it is, and do nothing else:

* line breaks are folded, control and invisible characters made visible (``<U+202E>``);
* Markdown's specials are backslash-escaped (``\\*``, ``\\|``, ``\\[``), and a line start
  that would make a heading, list or quote is escaped too;
* ``&`` is written ``&amp;``, so a character reference in the data (``&#x202E;``,
  ``&#8238;``, ``&rarr;``) shows as typed instead of turning into the character (a real
  direction override); ``<`` and ``>`` are ``&lt;`` and ``&gt;``, so no HTML is read;
* an ``@`` before a letter or digit gets a zero-width space after it (``@&#8203;user``, as
  Renovate and Dependabot write mentions they quote), so ``@user`` and ``@org/team`` read
  the same but notify no one. GitHub looks for mentions in the rendered text, so an escape
  or an entity for the ``@`` itself would not stop one; the zero-width space does;
* a ``#`` or ``GH-`` before a digit gets one too (``#&#8203;12``, ``owner/repo#&#8203;12``,
  ``GH-&#8203;12``), so a reference to an issue reads the same but links nothing: GitHub
  would otherwise post "mentioned this" on that issue, in any repository. Commit hashes are
  left as they are;
* so does the scheme of a bare address (``https&#8203;://``, ``www&#8203;.``, ``mailto``,
  ``xmpp``, ``ftp``), which GitHub would make a link of: an address in the data reads the
  same, and a report links only where the tool writes a link.

:func:`code` writes a value as a code span: inside one nothing is read as Markdown, entities
are shown as typed and GitHub links no mention.
"""

from __future__ import annotations

import re

from ledger.safe_text import visible

_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")
_LEADING = re.compile(r"^(?:([#+\-=])|(\d+)([.)]))")
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
_NO_MENTION = "@&#8203;"
"""An ``@`` that GitHub does not read as a mention: a zero-width space follows it."""
_REFERENCE = re.compile(r"((?<!&amp;)#|\bGH-)(?=\d)", re.IGNORECASE)
"""An issue reference (``#1``, ``owner/repo#1``, ``GH-1``), cut the same way; not the ``#`` of
a character reference typed in the data (``&#8238;``), which is shown as typed."""


_ADDRESS = re.compile(r"\b(https?|ftp|mailto|xmpp)(?=:)|\b(www)(?=\.)", re.IGNORECASE)
"""The start of a bare address GitHub links (its extended autolinks): cut the same way."""


def escape(value: object) -> str:
    """Data as literal Markdown text, on one line, that links, notifies and runs nothing."""
    raw = visible(" ".join(str(value).split()))
    raw = raw.replace("&", "&amp;")
    raw = _SPECIAL.sub(r"\\\1", raw)
    raw = _LEADING.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", raw)
    raw = raw.replace("<", "&lt;").replace(">", "&gt;")
    raw = _REFERENCE.sub(lambda m: f"{m[1]}&#8203;", raw)
    raw = _ADDRESS.sub(lambda m: f"{m[0]}&#8203;", raw)
    return _MENTION.sub(_NO_MENTION, raw)


def code(value: object) -> str:
    """Data as a code span: shown as written (backslash escapes are not read inside one), so
    the fence is made longer than any run of backticks in the text instead."""
    raw = visible(" ".join(str(value).split()))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", raw)), default=0) + 1)
    pad = " " if raw.startswith("`") or raw.endswith("`") else ""
    return f"{fence}{pad}{raw}{pad}{fence}"


COMMENT_LIMIT = 60_000
"""Most characters in Markdown meant for a GitHub comment, whose limit is 65,536: room is
left for what a workflow adds around it."""

_DELIMITER_ROW = re.compile(r"^\|(?:\s*:?-+:?\s*\|)+\s*$")
_SECTION_HEADING = re.compile(r"^\*\*[^*].*\*\*\s*$")
"""A section's heading (a line in bold): cut with its first rows, never left alone."""

MIN_LIMIT = 1_000
"""The smallest limit a caller may ask for: below it the note saying what was cut would not
fit (the command line refuses less, other than 0 for no limit)."""


def size(text: str) -> int:
    """Length as GitHub may count it: UTF-16 units, so a character beyond the BMP (an emoji)
    counts twice, never less than its count in code points."""
    return len(text.encode("utf-16-le")) // 2


def cap(text: str, limit: int, see_all: str) -> str:
    """``text`` cut at a line boundary to at most ``limit`` characters (see :func:`size`),
    with a note saying how much was left out and how to see all (``see_all``, Markdown).

    Every line is kept whole or left out, so no table row or code span is cut; a list item
    is kept with all its indented lines or left out whole; a table is never left with its
    header and no rows, nor a section heading (a bold line) with nothing under it, and a
    blank line ends it before the note. A ``limit`` below :data:`MIN_LIMIT`
    may not leave room for the note itself."""
    if limit <= 0 or size(text) <= limit:
        return text
    lines = text.splitlines(keepends=True)
    note_room = size(_note(size(text), len(lines), see_all))
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + size(line) > limit - note_room:
            break
        kept.append(line)
        used += size(line)
    while kept and (
        _DELIMITER_ROW.match(kept[-1])
        or (len(kept) < len(lines) and _DELIMITER_ROW.match(lines[len(kept)]))
        or (len(kept) < len(lines) and lines[len(kept)].startswith("  "))
        or (len(kept) > 1 and (not kept[-1].strip() or _SECTION_HEADING.match(kept[-1])))
    ):
        kept.pop()  # a header row without its rows, the delimiter row under it, a heading,
        # or a list item whose indented lines would not all fit: an item is kept whole
    left = "".join(lines[len(kept) :])
    body = "".join(kept).rstrip("\n")
    return f"{body}\n{_note(size(left), len(lines) - len(kept), see_all)}"


def _note(chars: int, lines: int, see_all: str) -> str:
    return (
        f"\n**Cut short:** {chars:,} more characters ({lines:,} lines) are not shown, to stay "
        f"within GitHub's limit on a comment. To see everything, {see_all}.\n"
    )
