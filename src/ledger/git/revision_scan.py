"""The record files of a git revision, found as scan.py finds them in the working tree.

A revision's listing stands in for the walk of the data folder: the same files are record
files, and the same ones are reported as out of place (a `.yml` file, a YAML file outside
the record folders), so a revision and a checkout of it load alike. Links and submodules
never reach the listing (revision.py leaves them out).
"""

from __future__ import annotations

import time

from ledger.records.diagnostics import make
from ledger.records.root import Layout
from ledger.records.scan import RECORD_KINDS, RECORD_SUFFIX, Scan

NO_IDENTITY = (0, 0, 0, 0)
"""A blob has no file identity: its content id (the tree's blob id) stands in."""


def scan_revision(layout: Layout, blobs: dict[str, str]) -> Scan:
    """The record files among a revision's files (paths from the ledger's root), with what
    scan.py's walk would say of the others."""
    scan = Scan([], [], started_ns=time.time_ns())
    data = layout.relative(layout.data)
    prefix = "" if data == "." else f"{data}/"
    folders = ", ".join(f"{k}/" for k in RECORD_KINDS)
    for rel in sorted(blobs):
        if not rel.startswith(prefix):
            continue
        scan.identities.append((rel, NO_IDENTITY))
        below = rel[len(prefix) :]
        if below[0] == "." or "/." in below:
            continue  # hidden: never read, as in the walk
        inner = below.split("/")
        name = inner[-1]
        if len(inner) > 1 and inner[0] in RECORD_KINDS:
            if name.endswith(RECORD_SUFFIX):
                scan.found.append((inner[0], rel, rel, NO_IDENTITY))
            elif name.endswith(".yml"):
                scan.diagnostics.append(
                    make(
                        "misplaced-file",
                        rel,
                        "a .yml file is not read",
                        f"rename it to {name[: -len('.yml')]}{RECORD_SUFFIX}",
                    )
                )
        elif name.endswith((".yaml", ".yml")):
            scan.diagnostics.append(
                make(
                    "misplaced-file",
                    rel,
                    "a YAML file outside the record folders is not read",
                    f"move it into one of {folders}",
                )
            )
    return scan
