"""Adding records without hand-editing YAML: ids, record building, validation, writing.

Typing YAML by hand, copying quotes and choosing unique ids is where mistakes come from, so
every writer here follows one path:

1. the record is built as plain data in schema order and turned into canonical text by the
   formatter (`fmt.from_data`), so it reads exactly as `ledger fmt` would leave it;
2. the text is read back, validated against the schema, and the cross-record checks run on
   the ledger as it would be with the record in it; only problems the change itself brings
   (compared with the checks before it) refuse the write;
3. under the ledger's write lock (`writelock`), what is about to change is read again (the
   ids in use, the claim being linked), checked, and written atomically; a new file is
   created exclusively (`atomic.write_atomic`), so nothing is ever overwritten and no other
   writer's change is lost.

Ids are a readable slug and a short random suffix (``memo-pgr-torture-complaints-3f9a``) so
that two branches adding a claim about the same thing do not collide when merged. Errors are
data (`Refused`, `LockFailure`), never exceptions: the CLI decides how to show them.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ledger.analysis.checks import errors_of, speaks_for_warnings
from ledger.analysis.quotes import Match, QuoteMemo, find_quote
from ledger.authoring.atomic import create_new, write_atomic
from ledger.authoring.fmt import from_data, with_field
from ledger.authoring.fmt_files import modeline_for
from ledger.authoring.staleness import Stale, stale
from ledger.authoring.text_extract import Extracted
from ledger.authoring.workspace import Workspace, file_ids
from ledger.authoring.writelock import LockFailure, write_lock
from ledger.records.diagnostics import Diagnostic, make
from ledger.records.kinds import SINGULAR
from ledger.records.ledger import Ledger
from ledger.records.load import RECORD_SUFFIX
from ledger.records.model import ID_PATTERN, RECORD_TYPES, Claim, Record, RelationKind, Source
from ledger.records.portable import windows_device
from ledger.records.record_reader import read_current, record_from_text
from ledger.records.root import Layout
from ledger.records.yamlread import parse

SLUG_WORDS = 6
"""Words of a statement or title kept in a generated id."""

SUFFIX_HEX = 4
"""Hex digits of randomness after the slug: two branches rarely pick the same (1 in 65,536)."""

_STOP = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "there",
        "these",
        "this",
        "to",
        "was",
        "were",
        "which",
        "who",
        "with",
    }
)
_ATTRIBUTION = re.compile(
    r"^(?:the\s+)?(?:[\w’'-]+\s+){0,4}?(?:says|said|states|stated|reports|reported|writes|"
    r"claims|notes|alleges|asserts|argues|refers to|lists|counts|announces)\s+(?:that\s+)?",
    re.I,
)
_ID_RE = re.compile(ID_PATTERN)


# -- ids ----------------------------------------------------------------------------------


def slugify(text: str, max_words: int = SLUG_WORDS, *, drop_attribution: bool = False) -> str:
    """Lower-case ASCII words joined by ``-``: accents stripped, filler words dropped.

    With ``drop_attribution``, a leading "The memo says that" goes first: every statement
    starts with one, and it would make every id alike.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("’", "'")
    if drop_attribution:
        text = _ATTRIBUTION.sub("", text.strip(), count=1)
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))
    kept = [w for w in words if w not in _STOP] or words
    return "-".join(kept[:max_words])


def random_suffix() -> str:
    return secrets.token_hex(SUFFIX_HEX // 2)


def generate_id(text: str, taken: set[str], *, prefix: str = "", statement: bool = False) -> str:
    """A new id: ``prefix``, a slug of ``text`` and a random suffix, not in ``taken``."""
    slug = slugify(text, drop_attribution=statement)
    head = "-".join(part for part in (prefix, slug) if part) or "record"
    if prefix and slug.startswith(f"{prefix}-"):
        head = slug
    head = head[:100].rstrip("-")
    while True:
        candidate = f"{head}-{random_suffix()}"
        if candidate not in taken:
            return candidate


def next_requirement_id(taken: set[str]) -> str:
    """``requirement-N`` after the highest N in use: people type a requirement's id
    (`ledger status requirement-3`), and a ledger holds few, added rarely."""
    numbers = [int(found.group(1)) for i in taken if (found := _REQUIREMENT_RE.match(i))]
    return f"requirement-{max(numbers, default=0) + 1}"


_REQUIREMENT_RE = re.compile(r"^requirement-(\d+)$")


def id_problem(candidate: str, taken: set[str]) -> str | None:
    """Why a chosen id cannot be used, or None."""
    if not _ID_RE.match(candidate) or len(candidate) > 120:
        return (
            f"'{candidate}' is not a valid id: lowercase letters and digits in words joined by "
            "'-' (at most 120 characters)"
        )
    if candidate in taken:
        return f"the id '{candidate}' is already used (ids are unique across all records)"
    if windows_device(candidate):
        return f"'{candidate}' is a device name on Windows: a clone there could not hold its file"
    return None


def claim_prefix(ws: Workspace, source_id: str) -> str:
    """The prefix the ledger's claims from this source share (``memo``, ``gov``), if any."""
    firsts = Counter(claim_id.split("-", 1)[0] for claim_id in ws.citing(source_id))
    if firsts:
        word, count = firsts.most_common(1)[0]
        if count * 2 > sum(firsts.values()):
            return word
    return source_id.split("-", 1)[0]


# -- the ledger being added to ------------------------------------------------------------


def _key(d: Diagnostic) -> tuple[str, str, str, str]:
    return (d.code, d.path, d.field, d.message)


# -- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    """A record that was written (or, for a dry run, would be)."""

    kind: str
    id: str
    path: str
    text: str
    archive: str | None = None
    """For a new source, the archived text's path (relative to the ledger root)."""
    warnings: tuple[Diagnostic, ...] = ()
    """What `ledger validate` will warn about in the new record (placed in ``text``)."""


@dataclass(frozen=True)
class Refused:
    """Why nothing was written, with the diagnostics that decided it (placed in the text that
    would have been written) and that text, so the problem can be shown in context."""

    message: str
    hint: str = ""
    diagnostics: tuple[Diagnostic, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Unchanged:
    """The change asked for is already in the ledger: nothing to write."""

    message: str


# -- building records ---------------------------------------------------------------------


def ordered(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The fields in schema order; empty optional values (None, "", [], {}) left out, as the
    contributor conventions ask."""
    model = RECORD_TYPES[kind]
    known = {info.alias or name for name, info in model.model_fields.items()}
    unknown = set(values) - known
    if unknown:
        raise KeyError(f"not fields of a {SINGULAR[kind]}: {', '.join(sorted(unknown))}")
    out = {}
    for name, info in model.model_fields.items():
        value = values.get(info.alias or name)
        if value is None or (isinstance(value, str | list | dict) and not value):
            continue
        out[info.alias or name] = value
    return out


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _with_controls(value: Any, where: str = "") -> list[str]:
    """The fields (dotted paths) whose text holds control characters."""
    if isinstance(value, str):
        return [where] if _CONTROL.search(value) else []
    if isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in _with_controls(item, f"{where}.{key}" if where else str(key))
        ]
    if isinstance(value, list):
        return [f for i, item in enumerate(value) for f in _with_controls(item, f"{where}[{i}]")]
    return []


def record_text(layout: Layout, kind: str, data: dict[str, Any], path: Path) -> str | Refused:
    """Canonical YAML for a record (exactly what `ledger fmt` writes), with the schema
    modeline for its folder."""
    formatted = from_data(data, kind, modeline_for(layout, path, kind))
    if formatted.text is None:
        return Refused(f"cannot write the record: {formatted.problem}")
    return formatted.text


def _with_record(ledger: Ledger, kind: str, record: Record, rel: str) -> Ledger:
    """A copy of the ledger (tables copied, records shared) holding ``record`` at ``rel``: in
    its place when the id is there, else in id order. The tables are in id order already, so
    sorting them again (a run of Timsort over sorted ids) only checks it, in linear time."""
    record_id = record.id  # type: ignore[attr-defined]
    tables = {k: dict(t) for k, t in ledger.tables().items()}
    table = tables[kind]
    if record_id in table or not table or next(reversed(table)) < record_id:
        table[record_id] = record
    else:
        table[record_id] = record
        tables[kind] = dict(sorted(table.items()))
    return Ledger(
        **tables,  # type: ignore[arg-type]
        paths={**ledger.paths, record_id: rel},
        source_texts=ledger.source_texts,
    )


def _place(diagnostics: list[Diagnostic], text: str, rel: str) -> list[Diagnostic]:
    """Give the new file's diagnostics a line and column in the text about to be written."""
    located = parse(text, rel, positions=True)
    placed = []
    for d in diagnostics:
        if d.path == rel and not d.line and d.anchor is not None:
            path, on_key = d.anchor
            line, column = located.where_key(path) if on_key else located.where(path)
            d = d.at(line, column)
        placed.append(d)
    return placed


def _new_problems(
    ws: Workspace, kind: str, record: Record, rel: str, text: str
) -> list[Diagnostic]:
    """Errors the ledger would have with ``record`` at ``rel`` that it does not have now."""
    return _place(_changed_errors(ws, kind, record, rel), text, rel)


def _changed_errors(ws: Workspace, kind: str, record: Record, rel: str) -> list[Diagnostic]:
    """The errors the ledger with ``record`` at ``rel`` (added, or in place of the record
    with its id) has and the ledger has not, in the order `check_ledger` gives them. Only
    the record and those that name it are checked, before and after: no other record's
    checks can change. A reference to no record is said with the closest id of the whole
    ledger, so a workspace holding only some records loads the rest for it."""
    touched = ws.need_for_checks(record, kind)
    candidate = _with_record(ws.ledger, kind, record, rel)
    memo = QuoteMemo()  # each quote searched once, for both
    before = errors_of(ws.ledger, ws.layout, touched, unloaded=ws.unloaded, memo=memo)
    after = errors_of(candidate, ws.layout, touched, unloaded=ws.unloaded, memo=memo)
    known = {_key(d) for d in before}
    changed = [d for d in after if _key(d) not in known]
    if ws.index is not None and any(d.code == "unresolved-reference" for d in changed):
        ws.load_whole()
        return _changed_errors(ws, kind, record, rel)
    return changed


def _refusal(problems: list[Diagnostic], text: str) -> Refused:
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return Refused(f"{first.message}{more}", first.hint, tuple(problems), text)


def prepare(
    ws: Workspace, kind: str, values: dict[str, Any], path: Path
) -> tuple[Record, str] | Refused:
    """Build, render and validate a new record without writing it: the record and its text,
    or why it cannot be added."""
    rel = ws.rel(path)
    record_id = str(values.get("id", ""))
    problem = id_problem(record_id, ws.taken)
    if problem:
        return Refused(problem, "choose another id with --id, or leave it out to generate one")
    if os.path.lexists(path):
        return Refused(f"{rel} already exists; nothing was overwritten")
    try:
        data = ordered(kind, values)
    except KeyError as exc:
        return Refused(str(exc.args[0]))
    controls = [
        make(
            "control-character",
            rel,
            f"the {where} holds control characters",
            "type the text plainly: control characters can rewrite a terminal's screen",
            field=where,
        )
        for where in _with_controls(data)
    ]
    if controls:
        return _refusal(controls, "")
    text = record_text(ws.layout, kind, data, path)
    if isinstance(text, Refused):
        return text
    record = record_from_text(text, kind, rel)
    if isinstance(record, list):
        return _refusal(record, text)
    return record, text


def create(
    ws: Workspace, kind: str, values: dict[str, Any], path: Path, *, dry_run: bool = False
) -> Written | Refused | LockFailure:
    """Add a new record file (claim or case) after checking the ledger as it would be.

    The checks across records run on the ledger as it was read; then, holding the write
    lock, the ids in use are read again (another writer may have just taken this one, in
    any folder) and the file is created exclusively. Other writers only add records and
    relations, so a free id is all they can have changed for a new record.
    """
    prepared = prepare(ws, kind, values, path)
    if isinstance(prepared, Refused):
        return prepared
    record, text = prepared
    rel = ws.rel(path)
    problems = _new_problems(ws, kind, record, rel, text)
    if problems:
        return _refusal(problems, text)
    record_id = record.id  # type: ignore[attr-defined]
    if dry_run:
        return Written(kind, record_id, rel, text)
    with write_lock(ws.layout.root) as busy:
        if busy:
            return busy
        failure = _id_taken(ws, record_id) or create_new(path, text, inside=ws.layout.data)
    if failure:
        return Refused(failure)
    ws.taken.add(record_id)
    return Written(kind, record_id, rel, text)


def _id_taken(ws: Workspace, record_id: str) -> str | None:
    """Under the write lock: why ``record_id`` is no longer free (another writer took it
    since the ledger was read, in any folder), or None."""
    ws.taken |= file_ids(ws.layout)
    return id_problem(record_id, ws.taken)


# -- paths --------------------------------------------------------------------------------


def claim_path(ws: Workspace, source_id: str, claim_id: str) -> Path:
    """Where a new claim goes: beside the source's other claims when they share a folder,
    else ``claims/<source>/``, as the contributor conventions ask."""
    folders = {(ws.layout.root / (ws.path(c) or "")).parent for c in ws.citing(source_id)}
    folder = folders.pop() if len(folders) == 1 else ws.layout.data / "claims" / source_id
    return folder / f"{claim_id}{RECORD_SUFFIX}"


def record_path(ws: Workspace, kind: str, record_id: str) -> Path:
    return ws.layout.data / kind / f"{record_id}{RECORD_SUFFIX}"


# -- claims -------------------------------------------------------------------------------


def verify_quote(ws: Workspace, source_id: str, quote: str) -> Match | str:
    """Whether a quote stands in the source's archived text; a string when it cannot be told
    (no such source, or its archive is broken)."""
    if ws.kind_of(source_id) != "sources":
        return f"no source has the id '{source_id}'"
    text = ws.normalised(source_id)
    if text is None:
        return (
            f"the archived text of {source_id} is missing or does not match its pinned hash; "
            "`ledger validate` says which"
        )
    return find_quote(quote, text)


def parse_stance(text: str) -> tuple[str, str] | str:
    """``requirement-1=undermines`` as a pair, or why it is not one."""
    from ledger.records.model import Stance

    req, sep, stance = text.partition("=")
    stances = ", ".join(s.value for s in Stance)
    if not sep or not req.strip() or not stance.strip():
        return f"'{text}' is not REQUIREMENT=STANCE (a stance is one of {stances})"
    if stance.strip() not in {s.value for s in Stance}:
        return f"'{stance.strip()}' is not a stance: use one of {stances}"
    return req.strip(), stance.strip()


def parse_relation(text: str) -> tuple[str, str] | str:
    """``contradicts=other-claim`` as a pair, or why it is not one."""
    kind, sep, target = text.partition("=")
    kinds = ", ".join(k.value for k in RelationKind)
    if not sep or not target.strip():
        return f"'{text}' is not KIND=CLAIM (a kind is one of {kinds})"
    if kind.strip() not in {k.value for k in RelationKind}:
        return f"'{kind.strip()}' is not a relation: use one of {kinds}"
    return kind.strip(), target.strip()


# -- sources ------------------------------------------------------------------------------


def archive_path(ws: Workspace, source_id: str) -> Path:
    return ws.layout.data / "sources" / f"{source_id}.txt"


def create_source(
    ws: Workspace,
    extracted: Extracted,
    values: dict[str, Any],
    *,
    dry_run: bool = False,
    archive_at: Path | None = None,
) -> Written | Refused | LockFailure:
    """Archive a document's text and add its source record, its SHA-256 pinned.

    The archive is written first (the checks read it from disk), and removed again when the
    record is refused, so a refusal leaves nothing behind. An archive already holding exactly
    these bytes is reused; one holding anything else is never overwritten.
    """
    source_id = str(values.get("id", ""))
    archive = archive_at or archive_path(ws, source_id)
    path = record_path(ws, "sources", source_id)
    relative = os.path.relpath(archive, path.parent)
    values = {
        **values,
        "archive": {
            "path": Path(relative).as_posix(),
            "sha256": hashlib.sha256(extracted.data).hexdigest(),
        },
    }
    prepared = prepare(ws, "sources", values, path)
    if isinstance(prepared, Refused):
        return prepared
    record, text = prepared
    rel = ws.rel(path)
    warnings = _side_warnings(ws, record, rel, text)
    result = Written("sources", source_id, rel, text, ws.rel(archive), warnings)
    if dry_run:
        state = _archive_state(archive, result, extracted.data)
        return state if isinstance(state, Refused) else result
    with write_lock(ws.layout.root) as busy:
        if busy:
            return busy
        failure = _id_taken(ws, source_id)
        if failure:
            return Refused(failure)
        done = _write_source(ws, result, record, extracted.data, archive)
    if done is None:
        ws.taken.add(source_id)
    return done or result


def _archive_state(archive: Path, source: Written, data: bytes) -> bool | Refused:
    """Whether the archive is to be written (not when it holds these bytes already), or why
    it cannot be: a file holding anything else is never overwritten."""
    existing = _existing_bytes(archive)
    if isinstance(existing, str):
        return Refused(existing)
    if existing is not None and existing != data:
        return Refused(
            f"{source.archive} already exists with other content; nothing was overwritten",
            "choose another id, or remove the old file if it is not archived by any source",
        )
    return existing is None


def _write_source(
    ws: Workspace, source: Written, record: Record, data: bytes, archive: Path
) -> Refused | None:
    """Under the write lock: the archive (unless it holds these bytes already), then the
    record; None when both are written. A refusal or failure removes an archive written
    here, so it leaves nothing behind."""
    created = _archive_state(archive, source, data)
    if isinstance(created, Refused):
        return created
    if created:
        failure = create_new(archive, data, inside=ws.layout.data)
        if failure:
            return Refused(failure)
    done = False
    try:
        problems = _new_problems(ws, "sources", record, source.path, source.text)
        if problems:
            return _refusal(problems, source.text)
        failure = create_new(ws.layout.root / source.path, source.text, inside=ws.layout.data)
        if failure:
            return Refused(failure)
        done = True
    finally:  # refused, failed or interrupted: the archive goes with the record
        if created and not done:
            archive.unlink(missing_ok=True)
    return None


def _side_warnings(ws: Workspace, record: Record, rel: str, text: str) -> tuple[Diagnostic, ...]:
    """The warnings about whom a new source speaks for (missing, or a near miss of an
    obligor), said when it is written rather than at the next `validate`."""
    if not isinstance(record, Source):
        return ()
    alone = Ledger(
        sources={record.id: record},
        requirements=ws.table("requirements"),  # type: ignore[arg-type]
        paths={record.id: rel},
    )
    return tuple(_place(list(speaks_for_warnings(alone)), text, rel))


def _existing_bytes(path: Path) -> bytes | str | None:
    from ledger.records.files import MAX_ARCHIVE_BYTES, ReadFailure, read_bytes

    if not os.path.lexists(path):
        return None
    data = read_bytes(path, MAX_ARCHIVE_BYTES)
    if isinstance(data, ReadFailure):
        return f"{path} exists and cannot be read: {data.message}; nothing was overwritten"
    return data


def conversion_note(extracted: Extracted, original: Path) -> str | None:
    """A sentence for the source's notes saying how its archived text was made, so a reviewer
    can redo the conversion; None for plain text archived as is."""
    if extracted.method == "text":
        return None
    how = "HTML (markup removed)" if extracted.method == "html" else "PDF (via pdftotext)"
    return (
        f"The archived text was extracted from {original.name}, {how}, by `ledger new source`; "
        f"the original's SHA-256 is {extracted.original_sha256}."
    )


# -- relations ----------------------------------------------------------------------------


def add_relation(
    ws: Workspace,
    claim_id: str,
    kind: str,
    target: str,
    note: str | None = None,
    *,
    expected: str | None = None,
    dry_run: bool = False,
) -> Written | Refused | Unchanged | Stale | LockFailure:
    """Link one claim to another (``contradicts``, ``corroborates``, ``responds-to``,
    ``repeats``) by editing the claim's file: comments and everything else kept.

    Holding the write lock, both claims are read again from their files, so a relation
    another writer added a moment ago is kept, and a mirror image it recorded is seen.
    ``expected``: the claim file's fingerprint when the change was asked for (a form); a
    file changed since is left alone (:class:`Stale`). ``dry_run``: check it all and give
    the file as it would be, writing nothing (and taking no lock).
    """
    for wanted in (claim_id, target):
        if ws.kind_of(wanted) != "claims":
            return Refused(f"no claim has the id '{wanted}'")
    if target == claim_id:
        return Refused("a claim cannot be related to itself")
    if dry_run:
        return _link(ws, claim_id, kind, target, note, dry_run=True)
    with write_lock(ws.layout.root) as busy:
        if busy:
            return busy
        changed = stale(ws.layout.root, ws.path(claim_id) or "", expected)
        return changed or _link(ws, claim_id, kind, target, note)


EDITABLE = ("cases", "bears_on", "relations")
"""A claim's fields `edit_claim` changes: what it is about and how it bears, never its
quote or words (those are a new claim's, checked against the source)."""


def edit_claim(
    ws: Workspace, claim_id: str, values: dict[str, Any], *, expected: str | None = None
) -> Written | Refused | Unchanged | Stale | LockFailure:
    """Set some of a claim's :data:`EDITABLE` fields (an empty one stays absent if it was),
    keeping the rest of its file, comments included; checked as `add_relation` is, under
    the write lock, against the file as it is now (and ``expected``, as there)."""
    if ws.kind_of(claim_id) != "claims":
        return Refused(f"no claim has the id '{claim_id}'")
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        return Refused(f"not fields that can be edited here: {', '.join(unknown)}")
    with write_lock(ws.layout.root) as busy:
        if busy:
            return busy
        rel = ws.path(claim_id) or ""
        return stale(ws.layout.root, rel, expected) or _edit(ws, claim_id, rel, values)


def _edit(
    ws: Workspace, claim_id: str, rel: str, values: dict[str, Any]
) -> Written | Refused | Unchanged:
    """`edit_claim`'s read-check-write, under the write lock."""
    current = _current_claim(ws, claim_id)
    if isinstance(current, Refused):
        return current
    text, claim = current
    edited = text
    for name, value in values.items():
        if not value and not getattr(claim, name):
            continue  # empty and absent: left out, as the conventions ask
        changed = with_field(edited, "claims", name, value)
        if changed.text is None:
            return Refused(changed.problem)
        edited = changed.text
    if edited == text:
        return Unchanged(f"{claim_id} already reads so")
    record = record_from_text(edited, "claims", rel)
    if isinstance(record, list):
        return _refusal(record, edited)
    problems = _changed_errors(ws, "claims", record, rel)
    if problems:
        return _refusal(_place(problems, edited, rel), edited)
    failure = write_atomic(ws.layout.root / rel, edited, inside=ws.layout.data)
    if failure:
        return Refused(failure)
    return Written("claims", claim_id, rel, edited)


def _link(
    ws: Workspace, claim_id: str, kind: str, target: str, note: str | None, dry_run: bool = False
) -> Written | Refused | Unchanged:
    """`add_relation`'s read-check-write, under the write lock (a dry run stops before the
    write)."""
    current = _current_claim(ws, claim_id)
    if isinstance(current, Refused):
        return current
    text, claim = current
    for relation in claim.relations:
        if relation.kind.value == kind and relation.target == target:
            return Unchanged(f"{claim_id} already {kind} {target}")
    symmetric = {RelationKind.contradicts.value, RelationKind.corroborates.value}
    if kind in symmetric:
        other = _current_claim(ws, target)
        if isinstance(other, Refused):
            return other
        for relation in other[1].relations:
            if relation.kind.value == kind and relation.target == claim_id:
                return Unchanged(f"{target} already {kind} {claim_id}; the pair is recorded")
    rel = ws.path(claim_id) or ""
    parsed = parse(text.removeprefix("\ufeff"), rel)
    relations = list((parsed.data or {}).get("relations") or [])
    link: dict[str, str] = {kind: target}
    if note:
        link["note"] = note
    relations.append(link)
    edited = with_field(text, "claims", "relations", relations)
    if edited.text is None:
        return Refused(edited.problem)
    record = record_from_text(edited.text, "claims", rel)
    if isinstance(record, list):
        return _refusal(record, edited.text)
    problems = _changed_errors(ws, "claims", record, rel)
    if problems:
        return _refusal(_place(problems, edited.text, rel), edited.text)
    if dry_run:
        return Written("claims", claim_id, rel, edited.text)
    failure = write_atomic(ws.layout.root / rel, edited.text, inside=ws.layout.data)
    if failure:
        return Refused(failure)
    return Written("claims", claim_id, rel, edited.text)


def _current_claim(ws: Workspace, claim_id: str) -> tuple[str, Claim] | Refused:
    """A claim's file read again, as it is now: its text and its record."""
    rel = ws.path(claim_id) or ""
    found = read_current(ws.layout.root / rel, rel, "claims")
    if isinstance(found, list):
        return Refused(f"{rel}: {found[0].message}", "run `ledger validate` to see why")
    text, claim = found
    return text, cast(Claim, claim)


def split_list(text: str, separator: str = ",") -> list[str]:
    """``a, b ,c`` as ``[a, b, c]``; empty pieces dropped."""
    return [piece.strip() for piece in text.split(separator) if piece.strip()]


def unique(values: Iterable[str]) -> list[str]:
    """The values in order, each once."""
    return list(dict.fromkeys(values))
