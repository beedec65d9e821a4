"""Checks across records: references resolve, archives are intact, quotes are in their sources.

Each check yields diagnostics that carry a field path; the loader places them at a line.
"""

from __future__ import annotations

import difflib
import hashlib
import posixpath
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Set
from dataclasses import dataclass

from ledger.analysis.anchoring import Anchored, Passages, settle, slips
from ledger.analysis.naming import (
    Finding,
    NameMemo,
    Names,
    SourceNames,
    names_digest,
    unsourced_names,
)
from ledger.analysis.quotes import ArchiveIndex, Placement, Position, QuoteMemo, normalise
from ledger.analysis.review import stale_reviews, suspect_evidence
from ledger.analysis.status import obligors
from ledger.analysis.textfold import fold_with_map
from ledger.records.archives import ArchiveProblem, Found, read_archives
from ledger.records.diagnostics import ERROR, Diagnostic, make
from ledger.records.files import decode
from ledger.records.kinds import KINDS, SINGULAR, names_any, references
from ledger.records.ledger import Ledger
from ledger.records.model import Claim, Figure, Perspective, Relation, Requirement, Source
from ledger.records.portable import windows_device
from ledger.records.root import Layout
from ledger.records.scan import stem
from ledger.records.yamlread import Path as FieldPath
from ledger.records.yamlread import dotted

MAX_QUOTE_CHARS = 10_000
"""Longest quote (or requirement wording) checked against its source. Real quotes are a
sentence or a paragraph; the search for the closest passage, when one is not found, is
bounded by :data:`ledger.analysis.quotes.HINT_BUDGET` whatever the length of either."""

MAX_RECORDS = 200_000
"""Most record files a ledger may hold: twice the size the tool is measured at (design notes
§6). The loader checks the count after listing the files and before reading any of them."""


def check_ledger(
    ledger: Ledger,
    layout: Layout,
    *,
    unloaded: Set[str] = frozenset(),
    memo: QuoteMemo | None = None,
    names: NameMemo | None = None,
    only: Collection[str] | None = None,
) -> list[Diagnostic]:
    """Every cross-record problem in the ledger.

    ``unloaded`` names records whose files exist but could not be loaded: a reference to one
    of them is not reported, since the broken file is (one mistake, one diagnostic).
    ``memo`` holds quote searches done before, so only new or edited quotes are searched;
    ``names`` the statement-name findings of claims checked before.

    With ``only``, the problems of those records alone (and of the assertions, which judge
    the whole ledger), each judged against the whole ledger as in a full check: what a
    re-check after an edit needs of the records the edit reaches. Only the archives those
    records quote are read, and ``ledger.positions`` is left unset (it would hold theirs
    alone).
    """
    part = ledger if only is None else _part(ledger, only)
    found = list(_references(ledger, unloaded, part))
    found.extend(_claim_shape(part))
    found.extend(_device_names(part))
    found.extend(speaks_for_warnings(ledger, part))
    found.extend(_duplicate_entries(part))
    found.extend(_cases_outside_requirements(ledger, part))
    if only is None:
        archives = dict(_archives(ledger, layout, found))
    else:
        archives = _archives_quoted(ledger, layout, part, found)
    found.extend(_quotes(part, archives, memo if memo is not None else QuoteMemo()))
    if only is None and names is None:
        names = NameMemo()
    found.extend(_statement_names(ledger, archives, names, part))
    found.extend(stale_reviews(ledger, part.claims.values()))
    found.extend(suspect_evidence(ledger, part.claims.values()))
    if ledger.assertions:
        # Statuses of a ledger missing a record that failed to load would blame the
        # assertions for the broken file, which is reported already: that they went
        # unchecked is said instead.
        from ledger.analysis.assertions import assertion_failures, unchecked

        found.extend(assertion_failures(ledger) if not unloaded else [unchecked(ledger)])
    return found


def quote_positions(
    ledger: Ledger, layout: Layout, memo: QuoteMemo | None = None
) -> dict[str, Position]:
    """Where each claim's quote and each requirement's wording stands in its source's
    archived text (those found in an intact archive), as the checks place them: for a
    ledger loaded without its checks, without reporting anything."""
    if ledger.positions is None:
        archives = dict(_archives(ledger, layout, []))
        for _ in _quotes(ledger, archives, memo if memo is not None else QuoteMemo()):
            pass
    assert ledger.positions is not None
    return ledger.positions


def referring_to(ledger: Ledger, ids: Set[str]) -> set[str]:
    """The records that name any of ``ids`` in a field :func:`check_ledger` resolves: with
    ``ids``, every record whose checks a change to ``ids`` can change."""
    tables = ledger.tables()
    return {
        record.id
        for kind in KINDS
        for record in tables[kind.folder].values()
        if names_any(kind, record, ids)
    }


def errors_of(
    ledger: Ledger,
    layout: Layout,
    record_ids: Set[str],
    *,
    unloaded: Set[str] = frozenset(),
    memo: QuoteMemo | None = None,
) -> list[Diagnostic]:
    """The errors :func:`check_ledger` reports on these records, in its order, checking only
    them: their references (resolved against the whole ledger), shape, repeated entries,
    archives (of sources among them) and quotes. A writer compares them before and after a
    change, on the records the change touches (:func:`referring_to`), instead of checking
    every record twice."""
    part = _part(ledger, record_ids)
    found = list(_references(ledger, unloaded, part))
    found.extend(_claim_shape(part))
    found.extend(_duplicate_entries(part))
    archives = _archives_quoted(ledger, layout, part, found)
    found.extend(_quotes(part, archives, memo if memo is not None else QuoteMemo()))
    return [d for d in found if d.severity is ERROR]


def _part(ledger: Ledger, record_ids: Collection[str]) -> Ledger:
    """The records of ``record_ids`` as a ledger of their own (in the ledger's order), for
    checks that go over every record of the ledger they are given."""
    tables = {
        kind: {i: table[i] for i in sorted(record_ids) if i in table}
        for kind, table in ledger.tables().items()
    }
    paths = {i: ledger.paths[i] for i in record_ids if i in ledger.paths}
    return Ledger(**tables, paths=paths)  # type: ignore[arg-type]


def _archives_quoted(
    ledger: Ledger, layout: Layout, part: Ledger, found: list[Diagnostic]
) -> dict[str, _Archive]:
    """The archived texts ``part``'s quotes and wording are checked against, and those of
    its own sources (whose problems go into ``found``): a text the ledger has read and
    verified already is not read again, and one read and verified now is kept in
    ``ledger.source_texts``, as a whole check keeps every one."""
    archives: dict[str, _Archive] = {}
    quoted = {r.source for r in (*part.requirements.values(), *part.claims.values())}
    to_read: dict[str, Source] = {}
    for source_id in quoted - set(part.sources):
        source = ledger.sources.get(source_id)
        text = ledger.source_texts.get(source_id)  # read and verified already
        if source is not None and text is not None:
            archives[source_id] = _Archive(
                text, source.archive.sha256, archive_location(ledger, source)
            )
        elif source is not None:
            to_read[source_id] = source
    to_read.update(part.sources)
    wanted = {i: (ledger.paths[i], s.archive.path) for i, s in to_read.items()}
    read = read_archives(layout, wanted)
    for source_id, source in to_read.items():
        problems = found if source_id in part.sources else []
        archive = _archive_text(source, ledger, read[source_id], problems)
        if archive is not None:
            archives[source_id] = archive
            ledger.source_texts[source_id] = archive.text
    return archives


def too_many_records(count: int, layout: Layout) -> Diagnostic | None:
    """The diagnostic for a data folder holding more than MAX_RECORDS record files, if it does;
    a loader that gets one reads no record, so memory stays bounded."""
    if count <= MAX_RECORDS:
        return None
    return make(
        "too-many-records",
        layout.relative(layout.data),
        f"the data folder holds {count:,} record files; the limit is {MAX_RECORDS:,}",
        "check that this is the ledger you meant, or split it into several ledgers",
    )


def _problem(
    ledger: Ledger,
    record_id: str,
    code: str,
    message: str,
    hint: str,
    path: FieldPath,
    on_key: bool = False,
) -> Diagnostic:
    return make(
        code, ledger.paths[record_id], message, hint, field=dotted(path), anchor=(path, on_key)
    )


# -- references ---------------------------------------------------------------------------


def every_record_of(kind: str) -> str:
    """The entry of ``unloaded`` that stands for every record of a kind, for a record folder
    that could not be listed: its ids are unknown, so no reference into it is reported."""
    return f"*{kind}"


def _references(
    ledger: Ledger, unloaded: Set[str], part: Ledger | None = None
) -> Iterator[Diagnostic]:
    """Every id a record names must be a record of the kind the field expects (of every
    record, or of the records of ``part``, resolved against the whole ledger)."""
    whole = part is None or part is ledger
    kinds = _kinds(ledger) if whole else None
    tables = (ledger if part is None else part).tables()
    misnamed: dict[tuple[str, str], tuple[str, str]] | None = None
    for kind in KINDS:
        for record in tables[kind.folder].values():
            for wanted, target, path, on_key, _, _ in references(kind, record):
                actual = kinds.get(target) if kinds is not None else ledger.kind_of(target)
                if actual == wanted or (
                    actual is None and (target in unloaded or every_record_of(wanted) in unloaded)
                ):
                    continue
                if misnamed is None:
                    misnamed = _misnamed(ledger)
                misnamed_as = misnamed.get((wanted, target))
                yield _unresolved(
                    ledger, record.id, wanted, target, actual, (path, on_key), misnamed_as
                )


def _misnamed(ledger: Ledger) -> dict[tuple[str, str], tuple[str, str]]:
    """The records whose file is named for another id (an ``id-mismatch``): by their kind
    and the id their file's name gives, the id they hold and their file."""
    found = {}
    for kind, table in ledger.tables().items():
        for record_id in table:
            rel = ledger.paths.get(record_id, "")
            named = stem(rel)
            if rel and named != record_id:
                found[kind, named] = (record_id, rel)
    return found


def _unresolved(
    ledger: Ledger,
    record_id: str,
    kind: str,
    target: str,
    actual: str | None,
    where: tuple[FieldPath, bool],
    misnamed: tuple[str, str] | None = None,
) -> Diagnostic:
    """A reference to ``target`` where a record of ``kind`` is wanted; ``actual`` is the
    kind the id does name, if any; ``misnamed``, the id held and the file of a record whose
    file is named ``target`` (that mismatch is the mistake, not the reference)."""
    wanted = SINGULAR[kind]
    if actual is None and misnamed is not None:
        held, rel = misnamed
        message = f"no {wanted} has the id '{target}'"
        hint = (
            f"the file {rel} is named for it but holds the id '{held}' (see its id-mismatch error)"
        )
    elif actual is None:
        close = difflib.get_close_matches(target, ledger.ids_of(kind), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"no {wanted} has this id"
        message = f"no {wanted} has the id '{target}'"
    else:
        message = f"'{target}' is a {SINGULAR[actual]}, not a {wanted}"
        hint = f"name a {wanted} here"
    return _problem(ledger, record_id, "unresolved-reference", message, hint, *where)


def _kinds(ledger: Ledger) -> dict[str, str]:
    """The kind of every record by id, as ``Ledger.kind_of`` gives it, in one dictionary: a
    lookup per link rather than one per table."""
    kinds: dict[str, str] = {}
    for kind, table in reversed(ledger.tables().items()):
        kinds.update(dict.fromkeys(table, kind))
    return kinds


def _claim_shape(ledger: Ledger) -> Iterator[Diagnostic]:
    for claim in ledger.claims.values():
        if not claim.cases and not claim.bears_on:
            yield _problem(
                ledger,
                claim.id,
                "no-subject",
                "the claim names neither a requirement nor a case",
                "add `cases:` or `bears_on:` so the claim counts somewhere",
                ("id",),
            )
        for i, relation in enumerate(claim.relations):
            if relation.target == claim.id:
                yield _problem(
                    ledger,
                    claim.id,
                    "self-relation",
                    f"the claim {relation.kind.value} itself",
                    "point the relation at another claim",
                    ("relations", i, relation.kind.value),
                )


def _cases_outside_requirements(ledger: Ledger, part: Ledger) -> Iterator[Diagnostic]:
    """A claim (of ``part``) that names a case and bears on a requirement gives the case a
    status on it: the two must have to do with each other, as the case's ``requirements`` or
    the requirement's ``cases`` say. One set of the pairs they list, then a look-up per pair
    a claim makes."""
    related = {(c.id, r) for c in ledger.cases.values() for r in c.requirements}
    related.update((c, r.id) for r in ledger.requirements.values() for c in r.cases)
    for claim in part.claims.values():
        bears_on = claim.bears_on
        if not bears_on or all((c, r) in related for c in claim.cases for r in bears_on):
            continue
        seen: set[str] = set()
        for i, case_id in enumerate(claim.cases):
            if case_id in seen or case_id not in ledger.cases:
                continue  # a repeated entry, or an unresolved one: reported as such
            seen.add(case_id)
            outside = [
                r
                for r in claim.bears_on
                if r in ledger.requirements and (case_id, r) not in related
            ]
            if not outside:
                continue
            named = _and(outside)
            which = "it" if len(outside) == 1 else "them"
            yield _problem(
                ledger,
                claim.id,
                "case-outside-requirement",
                f"case '{case_id}' has nothing to do with {named} (neither lists the other), "
                f"yet the claim bears on {which}: it gives {case_id} a status there",
                "split the claim so that each case bears only on its own requirements, or "
                f"drop the case or the requirement; if {case_id} does bear on {named}, add "
                f"{which} to the case's `requirements`",
                ("cases", i),
            )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _statement_names(
    ledger: Ledger, archives: dict[str, _Archive], memo: NameMemo | None, part: Ledger
) -> Iterator[Diagnostic]:
    """Statements (of ``part``'s claims) that name a case by a name neither the quote nor
    the source uses (see :mod:`ledger.analysis.naming`); each claim's findings from ``memo``
    when its statement, quote, source text and the case names are as they were (with no
    memo, a few claims re-checked: each worked out)."""
    if not part.claims:
        return
    names = Names(ledger.cases.values())
    if not names.by_key:
        return
    if memo is None:
        memo = NameMemo()  # used once: no digest of the names to key it by
    else:
        memo.start(names_digest(ledger.cases.values()))
    sources = SourceNames(ledger.source_texts)
    for claim in part.claims.values():
        archive = archives.get(claim.source)

        def work(claim: Claim = claim) -> list[Finding]:
            found = unsourced_names(names, sources, claim.statement, claim.quote, claim.source)
            return [(f.name.written, f.name.case, f.instead) for f in found]

        findings = memo.findings(
            archive.sha256 if archive is not None else "", claim.statement, claim.quote, work
        )
        for written, case, instead in findings:
            link = f"the link to case {case} belongs in `cases` and `notes`"
            yield _problem(
                ledger,
                claim.id,
                "statement-name-not-in-source",
                f"the statement names '{written}' (case {case}), a name that neither "
                f"the quote nor {claim.source} uses",
                f"say it as {claim.source} does ('{instead}'): {link}"
                if instead
                else f"leave the name out of what {claim.source} says: {link}",
                ("statement",),
            )


def _device_names(ledger: Ledger) -> Iterator[Diagnostic]:
    """A record file Windows cannot hold (``nul.yaml``, ``claims/aux/…``) makes every clone
    there fail to check out. Record paths are POSIX strings, so a split on '/' is exact."""
    folders: dict[str, str | None] = {}  # a hundred thousand files, in a few folders
    for record_id, rel in ledger.paths.items():
        folder, _, name = rel.rpartition("/")
        if folder not in folders:
            folders[folder] = next((p for p in folder.split("/") if windows_device(p)), None)
        device = folders[folder] or (name if windows_device(name) else None)
        if device is not None:
            yield _problem(
                ledger,
                record_id,
                "non-portable-name",
                f"'{device}' is a device name on Windows, not a file or folder: git cannot "
                f"check {rel} out there",
                "choose another id, or rename the folder",
                ("id",),
            )


def speaks_for_warnings(ledger: Ledger, part: Ledger | None = None) -> Iterator[Diagnostic]:
    """Sources whose side the rule may not decide as their author meant: a government source
    naming no party (independent of every obligor, perhaps by omission), and a speaks_for that
    nearly names a requirement's obligor (the rule matches exactly, so such a source is
    silently independent; see `_near_obligor`)."""
    sources = (ledger if part is None else part).sources
    if not sources:
        return
    names = {o: _skeleton(o) for o in obligors(ledger)}
    for source in sources.values():
        if source.speaks_for is None:
            if source.perspective is Perspective.government:
                yield _problem(
                    ledger,
                    source.id,
                    "speaks-for-missing",
                    "the government source does not say whom it speaks for, so its claims "
                    "count as independent of every obligor",
                    _speaks_for_hint(names),
                    ("perspective",),
                )
            continue
        near = _near_obligor(source.speaks_for, names)
        if near is not None:
            yield _problem(
                ledger,
                source.id,
                "speaks-for-near-obligor",
                f"speaks_for '{source.speaks_for}' is not the obligor '{near}': the two must "
                "match exactly for its claims to count as the obligor's own",
                f"write `speaks_for: {near}` if the source speaks for that obligor",
                ("speaks_for",),
            )


_NEAR = 0.85
"""How alike (difflib's ratio of the two skeletons) a speaks_for and an obligor may be before
the difference is taken for a slip: "Govenment of Mexico" is 0.97 alike, "Government of
Mexico" and "Government of the United States" 0.58."""


def _near_obligor(speaks_for: str, obligor_skeletons: dict[str, str]) -> str | None:
    """The obligor that ``speaks_for`` nearly but not exactly names: the same but for case,
    accents, spacing, punctuation or letters of another script that look alike (a Cyrillic
    о for an o), or a letter or two mistyped."""
    if speaks_for in obligor_skeletons:
        return None
    mine = _skeleton(speaks_for)
    for obligor, theirs in obligor_skeletons.items():
        if mine == theirs or difflib.SequenceMatcher(None, mine, theirs).ratio() >= _NEAR:
            return obligor
    return None


def _skeleton(name: str) -> str:
    """A name reduced to what a reader sees: folded as quotes are matched (case, accents,
    punctuation, spacing), and each letter of another script that is named after a Latin
    one (CYRILLIC SMALL LETTER O, GREEK CAPITAL LETTER ALPHA) taken for it."""
    folded = fold_with_map(name, words_only=True)[0]
    return "".join(_latin_look_alike(char) for char in folded)


def _latin_look_alike(char: str) -> str:
    if char.isascii():
        return char
    words = unicodedata.name(char, "").split()
    if len(words) >= 2 and words[-2] == "LETTER" and len(words[-1]) == 1:
        return words[-1].lower()
    alike = {"ALPHA": "a", "OMICRON": "o", "IE": "e", "ES": "c", "ER": "p", "HA": "x", "U": "y"}
    return alike.get(words[-1], char) if words else char


def _speaks_for_hint(obligor_names: Iterable[str]) -> str:
    listed = " or ".join(f"'{o}'" for o in sorted(obligor_names))
    own = f": {listed} if it is the obligor's own word, else its own government" if listed else ""
    return f"add `speaks_for:` naming the party the source speaks for{own}"


LISTS = {k.folder: k.unique_lists for k in KINDS}
"""The lists in each kind of record where an entry may appear once. ``reviews`` is not one:
it is a log, and the same stamp twice says no more than once but is not wrong."""


def _duplicate_entries(ledger: Ledger) -> Iterator[Diagnostic]:
    """An entry listed twice in one record: a second copy of a relation would count twice
    wherever relations are counted, and would never be noticed in review. A name listed
    again but for case, spacing or typographic quotes adds nothing either (search ignores
    them): a warning."""
    for kind, table in ledger.tables().items():
        for record in table.values():
            for name in LISTS[kind]:
                first: dict[object, int] = {}
                alike: dict[str, int] = {}
                for i, entry in enumerate(getattr(record, name)):
                    key, shown = _entry(entry)
                    if key in first:
                        yield _problem(
                            ledger,
                            record.id,
                            "duplicate-entry",
                            f"{shown} is listed twice in {name} (first as {name}[{first[key]}])",
                            f"remove {name}[{i}]: an entry counts once",
                            (name, i),
                        )
                        continue
                    first[key] = i
                    if name not in NAME_LISTS or not isinstance(entry, str):
                        continue
                    folded = normalise(entry).casefold()
                    if folded not in alike:
                        alike[folded] = i
                        continue
                    j = alike[folded]
                    yield _problem(
                        ledger,
                        record.id,
                        "near-duplicate-entry",
                        f"{shown} is {name}[{j}] '{getattr(record, name)[j]}' again but for "
                        "case, spacing or typographic quotes",
                        f"remove {name}[{i}]: search finds both the same way",
                        (name, i),
                    )


NAME_LISTS = frozenset({"authors", "aliases"})
"""The lists of names, written as people write them (the other lists hold ids, which have
one spelling, and relations and figures)."""


def _entry(entry: object) -> tuple[object, str]:
    """What makes a list entry the same as another, and how a message names it. A relation
    is the same one whatever its note says; a figure, only when every field is."""
    if isinstance(entry, Relation):
        return (entry.kind, entry.target), f"the relation {entry.kind.value} {entry.target}"
    if isinstance(entry, Figure):
        return tuple(entry.model_dump().items()), f"the figure {entry.value} {entry.unit}"
    return entry, f"'{entry}'"


# -- archives and quotes ------------------------------------------------------------------


@dataclass
class _Archive:
    """A source's verified archived text; indexed (normalised) only when a quote must be
    searched in it (normalising every archive costs more than all the rest of a re-check),
    and divided into passages only when a repeated segment's locator must be placed."""

    text: str
    sha256: str
    path: str = ""
    """The archived text's path from the ledger's root."""
    _index: ArchiveIndex | None = None
    _passages: Passages | None = None
    _nfc: str | None = None

    def index(self) -> ArchiveIndex:
        if self._index is None:
            self._index = ArchiveIndex(self.text)
        return self._index

    def nfc(self) -> str:
        """The text in NFC, which every offset counts in (the text itself, as a rule)."""
        if self._nfc is None:
            if self._index is None and unicodedata.is_normalized("NFC", self.text):
                self._nfc = self.text
            else:
                self._nfc = self.index().text
        return self._nfc

    def passages(self) -> Passages:
        if self._passages is None:
            self._passages = Passages(self.nfc())
        return self._passages


def archive_location(ledger: Ledger, source: Source) -> str:
    """The archived text's path from the ledger's root (archive paths are relative POSIX
    paths inside the data folder, checked before any archive is read)."""
    folder = posixpath.dirname(ledger.paths.get(source.id, "data/sources/"))
    return posixpath.normpath(posixpath.join(folder, source.archive.path))


def _archives(
    ledger: Ledger, layout: Layout, found: list[Diagnostic]
) -> Iterator[tuple[str, _Archive]]:
    """Each source's archived text, when it is inside the data folder and intact."""
    wanted = {s.id: (ledger.paths[s.id], s.archive.path) for s in ledger.sources.values()}
    read = read_archives(layout, wanted)
    for source in ledger.sources.values():
        archive = _archive_text(source, ledger, read[source.id], found)
        if archive is not None:
            ledger.source_texts[source.id] = archive.text
            yield source.id, archive


def _archive_text(
    source: Source, ledger: Ledger, read: Found, found: list[Diagnostic]
) -> _Archive | None:
    def problem(code: str, message: str, hint: str, field: str = "path") -> None:
        found.append(_problem(ledger, source.id, code, message, hint, ("archive", field)))

    raw = source.archive.path
    if isinstance(read, ArchiveProblem):
        problem(read.code, read.message, read.hint)
        return None
    data, shown = read
    digest = hashlib.sha256(data).hexdigest()
    if digest != source.archive.sha256:
        problem(
            "archive-hash",
            f"the archived text '{raw}' has SHA-256 {digest}, not the pinned one",
            _converted_line_endings(data, source.archive.sha256, shown)
            or "restore the archived text; if the change is intended, pin the new hash "
            "and re-check every quote",
            "sha256",
        )
        return None
    text = decode(data)
    if isinstance(text, tuple):
        problem(
            "archive-missing",
            f"the archived text '{raw}' is not UTF-8: {text[2]}",
            "archive the text as UTF-8",
        )
        return None
    return _Archive(text, digest, archive_location(ledger, source))


def _converted_line_endings(data: bytes, pinned: str, shown: str) -> str | None:
    """The hint for an archive whose hash fails only because its line endings were converted
    (git does so with core.autocrlf, Git for Windows' default), or None when converting them
    back does not give the pinned text. ``shown`` is the archive's path from the ledger root.
    """
    if " " in shown:
        shown = f'"{shown}"'
    as_lf = data.replace(b"\r\n", b"\n")
    if as_lf != data and hashlib.sha256(as_lf).hexdigest() == pinned:
        return (
            "only its line endings changed: it has CRLF where the pinned text has LF, as git "
            "writes files with core.autocrlf=true; keep archives byte for byte with `-text` "
            f"in .gitattributes (see the README), then delete {shown} and "
            f"`git checkout -- {shown}`"
        )
    as_crlf = as_lf.replace(b"\n", b"\r\n")
    if as_crlf != data and hashlib.sha256(as_crlf).hexdigest() == pinned:
        return (
            "only its line endings changed: it has LF where the pinned text has CRLF, as git "
            "stores text files with core.autocrlf or a `text` attribute; keep archives byte "
            "for byte with `-text` in .gitattributes (see the README) and archive the "
            "original bytes again"
        )
    return None


def _quotes(ledger: Ledger, archives: dict[str, _Archive], memo: QuoteMemo) -> Iterator[Diagnostic]:
    """Claims' quotes and requirements' wording must stand in their source's text, firmly
    anchored (see :mod:`ledger.analysis.anchoring`); where each one found stands goes into
    ``ledger.positions``."""
    positions: dict[str, Position] = {}
    ledger.positions = positions
    subjects: list[tuple[Claim | Requirement, str, str, str]] = [
        (claim, claim.quote, "quote", "quote-not-found") for claim in ledger.claims.values()
    ]
    subjects += [
        (req, req.text, "text", "wording-not-found") for req in ledger.requirements.values()
    ]
    for record, quote, field, code in subjects:
        what = "quote" if field == "quote" else "wording"
        if len(quote) > MAX_QUOTE_CHARS:
            yield _problem(
                ledger,
                record.id,
                "quote-too-long",
                f"the {what} has {len(quote):,} characters; the limit is {MAX_QUOTE_CHARS:,}",
                "quote only the words that make the claim; the locator points to the rest",
                (field,),
            )
            continue
        archive = archives.get(record.source)
        if archive is None:  # the source is missing or its archive is broken: reported there
            continue
        match = memo.find(quote, archive.sha256, archive.index)
        if match.found:
            if match.placement is not None:
                yield from _anchoring(ledger, record, quote, what, field, match.placement, archive)
            continue
        if match.out_of_order:
            hint = (
                f"this part is in {record.source}, but before the part quoted ahead of it: "
                "put the parts separated by '...' in the order of the source"
            )
        elif match.closest:
            hint = f'the closest passage in {record.source} is: "{match.closest}"'
        elif match.out_of_budget:
            hint = (
                f"no close passage found in {record.source} within the search budget; copy "
                "the words exactly from the archived text"
            )
        else:
            hint = "copy the words exactly from the archived text"
        yield _problem(
            ledger,
            record.id,
            code,
            f"the {what} is not found in {record.source}"
            f'{" in the order given" if match.out_of_order else ""}: "{match.missing}"',
            hint,
            (field,),
        )


def _anchoring(
    ledger: Ledger,
    record: Claim | Requirement,
    quote: str,
    what: str,
    field: str,
    placement: Placement,
    archive: _Archive,
) -> Iterator[Diagnostic]:
    """Record where a found quote stands, and report the slips in its anchoring."""
    if len(placement.spans) == 1 and not placement.repeats:  # most quotes: nothing to say
        anchored = Anchored(placement, ())
    else:
        anchored = settle(quote, record.locator, placement, archive.nfc(), archive.passages)
    spans = anchored.placement.spans
    assert ledger.positions is not None
    ledger.positions[record.id] = Position(
        record.source, archive.path, spans[0][0], spans[-1][1], spans
    )
    if len(spans) == 1 and not anchored.unsettled:
        return
    name = posixpath.basename(archive.path)
    found = slips(quote, what, record.source, name, anchored, archive.nfc(), archive.passages)
    for code, message, hint in found:
        yield _problem(ledger, record.id, code, message, hint, (field,))
