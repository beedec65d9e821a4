"""The record files of a git revision, found as scan.py finds them in the working tree.

A revision's listing stands in for the walk of the data folder: the same files are record
files, and the same ones are reported as out of place (a `.yml` file, a YAML file outside
the record folders), so a revision and a checkout of it load alike. Links and submodules
never reach the listing (revision.py leaves them out).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from ledger.records.diagnostics import Diagnostic, make
from ledger.records.root import Layout
from ledger.records.scan import RECORD_KINDS, RECORD_SUFFIX, RecordFile, Scan

NO_IDENTITY = (0, 0, 0, 0)
"""A blob has no file identity: its content id (the tree's blob id) stands in."""


def scan_revision(layout: Layout, blobs: dict[str, str]) -> Scan:
    """The record files among a revision's files (paths from the ledger's root), with what
    scan.py's walk would say of the others."""
    scan = Scan([], [], started_ns=time.time_ns())
    prefix = data_prefix(layout)
    for rel in sorted(blobs):
        if not rel.startswith(prefix):
            continue
        scan.identities.append((rel, NO_IDENTITY))
        found = classify(rel, prefix)
        if isinstance(found, str):
            scan.found.append((found, rel, rel, NO_IDENTITY))
        elif found is not None:
            scan.diagnostics.append(found)
    return scan


def changed_records(
    blobs: Mapping[str, str], before: Mapping[str, str | None], prefix: str
) -> list[RecordFile] | Diagnostic:
    """The record files among a revision's files (``blobs``: each path from the ledger's
    root, and its blob id) whose blob is not the one ``before`` holds for the path; or the
    diagnostic of the first such file that is out of place (a whole load reports it)."""
    changed: list[RecordFile] = []
    for rel, blob in blobs.items():
        if before.get(rel) == blob or not rel.startswith(prefix):
            continue
        found = classify(rel, prefix)
        if isinstance(found, Diagnostic):
            return found
        if found is not None:
            changed.append(RecordFile(found, rel, rel, NO_IDENTITY))
    return changed


def data_prefix(layout: Layout) -> str:
    """The data folder's path from the ledger's root, with a trailing slash ("" for the root)."""
    data = layout.relative(layout.data)
    return "" if data == "." else f"{data}/"


def classify(rel: str, prefix: str) -> str | Diagnostic | None:
    """What the walk makes of one file under the data folder (``rel`` starts with
    ``prefix``): the kind of record it holds, the diagnostic of a YAML file out of place, or
    None (hidden, or no YAML: an archive, a note)."""
    below = rel[len(prefix) :]
    if below[0] == "." or "/." in below:
        return None  # hidden: never read, as in the walk
    inner = below.split("/")
    name = inner[-1]
    if len(inner) > 1 and inner[0] in RECORD_KINDS:
        if name.endswith(RECORD_SUFFIX):
            return inner[0]
        if name.endswith(".yml"):
            return make(
                "misplaced-file",
                rel,
                "a .yml file is not read",
                f"rename it to {name[: -len('.yml')]}{RECORD_SUFFIX}",
            )
    elif name.endswith((".yaml", ".yml")):
        folders = ", ".join(f"{k}/" for k in RECORD_KINDS)
        return make(
            "misplaced-file",
            rel,
            "a YAML file outside the record folders is not read",
            f"move it into one of {folders}",
        )
    return None
