"""The last check's findings, kept with what it judged, so that a check after a few claim
files changed re-checks only the records they reach.

The checks across records take seconds at 100,000 records, but an edit to claims can
change the findings of only a few records (:func:`recheck`): the claims themselves (by
their old id and their new), the records that name either id (a reference resolves anew,
and a linked claim is a ground of their review), and the records reported before for a
reference to no record (the hint names the closest id among every id of the kind).
Everything else a check judges by must be as it was, or the check runs whole: the other
kinds of record, the archived texts and every other file under data/, ledger.toml, the
code, and the ids that could not be loaded.

What was judged is said against the loaded ledger remembered whole
(:mod:`ledger.store.loaded_state`), which a load from it has at hand: it was clean, so
each of its files holds one record named for its id, and only the files that differ from
it need naming (their content id and id). The row is kept for one state of the working
tree, under a key of the remembered ledger's state, the code, ledger.toml and the identity
of every file under data/ that is not a record file, all of which must have settled.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.records.diagnostics import Diagnostic
from ledger.records.kinds import CLAIMS
from ledger.records.scan import stem

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from ledger.records.ledger import Ledger
    from ledger.records.model import Claim
    from ledger.records.pipeline import LoadResult
    from ledger.records.root import Layout
    from ledger.records.scan import Identity, Scan
    from ledger.store.cache import Cache
    from ledger.store.loaded_state import Remembered

NAME = "checked:working-tree"
FAMILY = "checked:"
FORMAT = 2

REACHED_BY_HINTS = "unresolved-reference"
"""Findings whose hint is chosen among every id of a kind: their records are checked again
whenever ids come or go."""

WHOLE_LEDGER = frozenset({"assertion-failed", "assertions-unchecked"})
"""Findings of the assertions, which judge statuses over the whole ledger (or say that they
could not): always worked out again (a ledger with assertions has a few)."""


@dataclass
class Recheck:
    """What a check after a change must do: check ``ids`` again, and keep ``kept``."""

    ids: set[str]
    kept: list[Diagnostic]


def key_of(layout: Layout, scan: Scan, base: Remembered, ledger: Ledger) -> str | None:
    """The state a kept check must have been made in: the remembered ledger it was said
    against, the code, ledger.toml, every file under data/ but the record files (by
    identity), and every source's archived text as reading it finds it (the identity of
    the file its path leads to, through any link: an archive may be a link to a record
    file); None when one of those files has not settled."""
    from ledger.analysis.checks import archive_location
    from ledger.store.cache import schema_version
    from ledger.store.loaded_state import marker_digest

    records = {f[2] for f in scan.found}  # the walk's own tuples: no sorted list made
    others = sorted((rel, ident) for rel, ident in scan.identities if rel not in records)
    archives = sorted(
        (rel, _followed(layout.root / rel))
        for rel in {archive_location(ledger, s) for s in ledger.sources.values()}
    )
    idents = [ident for _rel, ident in others] + [i for _rel, i in archives if i is not None]
    if not all(scan.settled_file(ident) for ident in idents):
        return None
    state = [FORMAT, schema_version(), marker_digest(layout), base.key, others, archives]
    text = json.dumps(state, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _followed(path: Path) -> Identity | None:
    """The identity of the file a path leads to, links followed (None: there is none)."""
    try:
        info = path.stat()
    except (OSError, ValueError):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def recheck(
    cache: Cache, key: str, base: Remembered, result: LoadResult, kinds: dict[str, str]
) -> Recheck | None:
    """The records to check again and the findings to keep, when the check kept under
    ``key`` can serve: claim files alone changed since, not too many, and every other file
    holds the record it held then (a case that a claim kept out of the ledger by taking its
    id comes back when the claim goes, unchanged itself, and every case's names count in
    every statement's check). ``kinds`` gives each record file's kind now. None otherwise."""
    from ledger.store.loaded_state import drift_limit

    kept = read(cache, key)
    now = _content_ids(result)
    written = base.files()
    if kept is None or now is None or written is None:
        return None
    if set(kept["unloaded"]) != result.unloaded:
        return None
    files, delta = written, kept["delta"]
    changed = set()
    for rel, blob in now.items():
        was = delta.get(rel)
        if (was[0] if was is not None else files.get(rel, _NONE)[2]) != blob:
            changed.add(rel)
    changed.update(rel for rel in files if rel not in now and rel not in delta)
    changed.update(rel for rel, was in delta.items() if was[0] and rel not in now)
    if len(changed) > drift_limit(len(now)):
        return None
    claims = CLAIMS.folder
    old_ids = {rel: _held(rel, files, delta) for rel in changed}
    if any((kinds.get(rel) or _kind(rel, files, delta)) != claims for rel in changed):
        return None
    ledger = result.ledger
    watched = changed | delta.keys()
    held = {rel: record_id for record_id, rel in ledger.paths.items() if rel in watched}
    same = [(rel, was[1]) for rel, was in delta.items() if rel in now and rel not in changed]
    if any(held.get(rel) != record_id for rel, record_id in same):
        return None  # a file that did not change holds a record it did not (or another)
    unchanged = len(now) - len(changed & now.keys()) - sum(1 for _, i in same if i is None)
    if len(ledger.paths) - sum(1 for rel in held if rel in changed) != unchanged:
        return None  # one the remembered ledger holds holds no record now
    touched = {held[rel] for rel in changed if rel in held}
    touched.update(record_id for record_id in old_ids.values() if record_id)
    from ledger.analysis.checks import referring_to

    ids = {i for i in touched if ledger.kind_of(i) is not None} | referring_to(ledger, touched)
    found = findings(kept)
    if found is None:
        return None
    hinted = hinted_files(found)
    ids.update(record_id for record_id, rel in ledger.paths.items() if rel in hinted)
    dropped = changed | hinted | {ledger.paths[i] for i in ids}
    return Recheck(ids, still_found(found, dropped))


def findings(kept: dict[str, Any]) -> list[Diagnostic] | None:
    """A kept check's findings (None: they do not read back)."""
    try:
        return [Diagnostic.from_dict(d) for d in kept["diagnostics"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def hinted_files(found: list[Diagnostic]) -> set[str]:
    """The files of the records reported for a reference to no record: checked again
    whenever ids come or go (:data:`REACHED_BY_HINTS`)."""
    return {d.path for d in found if d.code == REACHED_BY_HINTS}


def still_found(found: list[Diagnostic], dropped: set[str]) -> list[Diagnostic]:
    """The kept findings that a check of the records in ``dropped``'s files leaves as they
    were (the assertions' are always worked out again)."""
    return [d for d in found if d.path not in dropped and d.code not in WHOLE_LEDGER]


_NONE = (None, None, None)


def _held(rel: str, files: dict[str, Any], delta: dict[str, Any]) -> str | None:
    """The id the file held when the kept check was made (None: none)."""
    if rel in delta:
        return delta[rel][1]  # type: ignore[no-any-return]
    return stem(rel) if rel in files else None


def _kind(rel: str, files: dict[str, Any], delta: dict[str, Any]) -> str:
    """The kind of a file the kept check judged (every file that changed since is one of
    them, or one there is now)."""
    return str(delta[rel][2]) if rel in delta else str(files[rel][0])


def remember(
    cache: Cache,
    key: str,
    base: Remembered,
    result: LoadResult,
    kinds: dict[str, str],
    found: list[Diagnostic],
) -> None:
    """Keep ``found``, a whole check's findings (placed), for this state: the files that
    differ from the remembered ledger by content id, with the id each holds now. Not kept
    when a file that did not change holds no record now."""
    now = _content_ids(result)
    files = base.files()
    if now is None or files is None:
        return
    delta: dict[str, list[Any]] = {}
    for rel, blob in now.items():
        if files.get(rel, _NONE)[2] != blob:
            delta[rel] = [blob, None, kinds[rel]]
    held = 0
    for record_id, rel in result.ledger.paths.items():
        if rel in delta:
            delta[rel][1] = record_id
            held += 1
    if len(result.ledger.paths) - held != len(now) - len(delta):
        return
    for rel, (kind, _ident, _blob) in files.items():
        if rel not in now:
            delta[rel] = [None, None, kind]
    links = links_of(result.ledger.claims.values())
    store(cache, key, delta, sorted(result.unloaded), found, links)


def store(
    cache: Cache,
    key: str,
    delta: dict[str, list[Any]],
    unloaded: list[str],
    found: list[Diagnostic],
    links: dict[str, list[str]],
) -> None:
    """Keep a check's findings under ``key``: the files that differ from the remembered
    ledger (``delta``: path -> [content id, id held, kind]), the ids that could not be
    loaded, and each claim's links to other claims."""
    value = {
        "format": FORMAT,
        "delta": delta,
        "unloaded": unloaded,
        "diagnostics": [d.to_dict() for d in found],
        "links": links,
    }
    cache.store_result(NAME, key, value, family=FAMILY)


def links_of(claims: Iterable[Claim]) -> dict[str, list[str]]:
    """Each claim that links to other claims, with the ids it links to: the only records
    that name a claim where a claim belongs (a record naming one elsewhere is reported for
    it, and is checked again as such)."""
    return {c.id: links_to(c) for c in claims if c.relations}


def links_to(claim: Claim) -> list[str]:
    """The ids of the claims a claim links to, in its order."""
    return [relation.target for relation in claim.relations]


def read(cache: Cache, key: str) -> dict[str, Any] | None:
    """The check kept under ``key``, if there is one of the shape written."""
    stored = cache.result(NAME, key)
    if not isinstance(stored, dict) or stored.get("format") != FORMAT:
        return None
    if not all(isinstance(stored.get(k), t) for k, t in _SHAPE.items()):
        return None
    for entry in stored["delta"].values():
        if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], str)):
            return None
        if not all(part is None or isinstance(part, str) for part in entry[:2]):
            return None
    for targets in stored["links"].values():
        if not (isinstance(targets, list) and all(isinstance(t, str) for t in targets)):
            return None
    return stored


_SHAPE = {"delta": dict, "unloaded": list, "diagnostics": list, "links": dict}


def _content_ids(result: LoadResult) -> dict[str, str | None] | None:
    """Each record file's content id now; None unless every one is known."""
    now = result.content_ids() if result.content_ids is not None else None
    if now is None or any(blob is None for blob in now.values()):
        return None
    return now
