"""After any sequence of edits, everything the cache keeps between runs (parse outcomes by
content, the remembered loaded ledger, the statement-name and quote memos, the index behind
`show` and `xref`, and the remembered output of read commands) gives exactly what a run with
no cache gives: a bug in any of them shows as a difference from a cold run."""

from __future__ import annotations

import gc
import hashlib
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer.main
import typer.testing
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import PAST, SAMPLE, age, layout_for, make_old, run
from ledger.cli import app
from ledger.records.load import LoadResult, load
from ledger.records.pipeline import load as plain_load
from ledger.store.cache import NO_CACHE_ENV
from test_incremental import state

ORIGINALS = sorted(
    p.relative_to(SAMPLE / "data").as_posix() for p in (SAMPLE / "data").rglob("*") if p.is_file()
)
"""Every file of the sample ledger, relative to data/: what `restore` puts back."""

RECORDS = [rel for rel in ORIGINALS if rel.endswith(".yaml")]
CASES = [rel for rel in ORIGINALS if rel.startswith("cases/")]
SOURCES = [rel for rel in ORIGINALS if rel.startswith("sources/") and rel.endswith(".yaml")]

STATEMENTS = (
    "The source says little about it.",
    "The memo names Iguala here.",  # a case's alias the cso memo never uses
    "It says the Tlatlaya case stalled.",  # an alias whose shorter name the sources use
    "It speaks of the Zacatecas Massacre.",  # a name only an added alias makes one
    "It says the PGR received complaints.",
)
"""Statements an edit gives a claim, some naming a case by a name its source may not use."""

ALIASES = ("Zacatecas Massacre", "Iguala", "PGR", "Mexican military", "Tlatlaya")
"""Aliases an edit adds to a case: names (capitalised) some statements and sources hold."""

OPERATIONS = (
    "stance",
    "statement",
    "swapcase",
    "add",
    "delete",
    "move",
    "misfile",
    "break-yaml",
    "break-field",
    "duplicate-id",
    "comment",
    "archive-append",
    "archive-cut",
    "archive-append-pinned",
    "archive-swapcase",
    "alias",
    "restore",
)

EDIT = st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 15), st.integers(0, 9))
"""An edit, which file it picks and a second choice (a statement, an alias, another id),
each modulo what there is to pick from."""


def claim_files(root: Path) -> list[Path]:
    """The claim files there are now, in a stable order, for an edit to pick from."""
    return sorted((root / "data" / "claims").rglob("*.yaml"))


def read_mapping(path: Path) -> dict[str, Any] | None:
    """The record a file holds, or None when it holds none (already broken)."""
    try:
        found = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return None
    return found if isinstance(found, dict) else None


def write_mapping(path: Path, record: dict[str, Any]) -> None:
    """Write a record back as YAML, in its own key order (not canonical: the bytes change)."""
    path.write_text(
        yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
    )


def repin(root: Path, archive: Path) -> Path | None:
    """Pin a source's archived text anew, so that the archive is intact and only its quotes
    are in question; the source file, if a source names this archive."""
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    for rel in SOURCES:
        path = root / "data" / rel
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if f"path: {archive.name}" in text:
            path.write_text(re.sub(r"sha256: \w+", f"sha256: {digest}", text), encoding="utf-8")
            return path
    return None


def apply(root: Path, edit: tuple[str, int, int], step: int) -> tuple[list[Path], list[str]]:
    """One edit on the ledger at ``root``: the files it wrote (to date old) and the record
    ids it concerns (to ask `show` and `xref` about)."""
    what, pick, choice = edit
    data = root / "data"
    claims = claim_files(root)
    if what == "restore" or (not claims and what not in ("comment", "alias")):
        rel = ORIGINALS[pick % len(ORIGINALS)]
        shutil.copyfile(SAMPLE / "data" / rel, data / rel)
        return [data / rel], [Path(rel).stem]
    if what.startswith("archive-"):
        archive = data / "sources" / ("cso-memo-2017.txt", "mx-gov-2018.txt")[pick % 2]
        text = archive.read_text(encoding="utf-8")
        if what == "archive-cut":  # the sentences the claims quote go
            text = text.replace("failure to obtain arrest warrants", "failure to act")
            text = text.replace("95% of the 941 requests", "most requests")
        elif what == "archive-swapcase":  # other bytes, the same size
            text = text.swapcase()
        else:
            text += f"Appended at step {step}.\n"
        archive.write_text(text, encoding="utf-8")
        repinned = what != "archive-append" and (what != "archive-swapcase" or choice % 2)
        pinned = repin(root, archive) if repinned else None
        return [archive] + ([pinned] if pinned else []), [archive.stem]
    if what == "comment":
        path = data / RECORDS[pick % len(RECORDS)]
        if not path.exists():
            return [], []
        with path.open("a", encoding="utf-8") as out:
            out.write(f"# noted at step {step}\n")
        return [path], [path.stem]
    if what == "alias":
        path = data / CASES[pick % len(CASES)]
        record = read_mapping(path) if path.exists() else None
        if record is None:
            return [], []
        record["aliases"] = [*record.get("aliases", []), ALIASES[choice % len(ALIASES)]]
        write_mapping(path, record)
        return [path], [path.stem]
    path = claims[pick % len(claims)]
    if what == "delete":
        path.unlink()
        return [], [path.stem]
    if what in ("move", "misfile"):  # to the other claims folder, or among the cases
        if what == "misfile":
            folder = data / "cases"
        elif path.parent.name == "claims":
            folder = data / "claims" / "mx-gov-2018"
        else:
            folder = data / "claims"
        moved = folder / path.name
        if moved.exists():
            return [], [path.stem]
        path.rename(moved)
        return [moved], [path.stem]
    if what == "add":
        new_id = f"added-{step}-{pick}"
        new = path.with_name(f"{new_id}.yaml")
        new.write_text(
            re.sub(r"^id: .*$", f"id: {new_id}", path.read_text(encoding="utf-8"), flags=re.M),
            encoding="utf-8",
        )
        return [new], [new_id]
    if what == "swapcase":  # the statement's letters, swapped in place: the same size
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        at = next((i for i, line in enumerate(lines) if line.startswith("statement:")), None)
        if at is None:
            return [], [path.stem]
        lines[at] = "statement:" + lines[at][len("statement:") :].swapcase()
        for i in range(at + 1, len(lines)):
            if not lines[i].startswith("  "):
                break
            lines[i] = lines[i].swapcase()
        path.write_text("".join(lines), encoding="utf-8")
        return [path], [path.stem]
    if what == "break-yaml":
        path.write_text("id: [unclosed\nkind: allegation\n", encoding="utf-8")
        return [path], [path.stem]
    record = read_mapping(path)
    if record is None:
        return [], [path.stem]
    if what == "stance":
        bears = record.get("bears_on") or {"requirement-2": "undermines"}
        flipped = {"supports": "undermines", "undermines": "supports"}
        record["bears_on"] = {req: flipped.get(str(s), "supports") for req, s in bears.items()}
    elif what == "statement":
        record["statement"] = f"Step {step}: {STATEMENTS[choice % len(STATEMENTS)]}"
    elif what == "break-field":
        record.pop(("source", "quote", "statement", "kind")[choice % 4], None)
    elif what == "duplicate-id":
        others = [p.stem for p in claims if p != path] or [path.stem]
        record["id"] = others[choice % len(others)]
    write_mapping(path, record)
    return [path], [path.stem, str(record.get("id"))]


def comparable(result: LoadResult) -> dict[str, Any]:
    """A load's state, with the count of files it left out (which commands print)."""
    found = state(result)
    found["left_out"] = result.left_out
    return found


def loads_alike(root: Path) -> None:
    """A load through the cache equals one with no cache, checked or not, the first time
    after a change and again from what that stored. A check that need not place quotes
    (`validate`'s), which may re-check only what a change reaches, goes first and finds
    what a whole check finds, message for message."""
    layout = layout_for(root)
    cold_check = plain_load(layout, check=True)
    wanted = [d.to_dict() for d in cold_check.diagnostics]
    for again in ("", ", again"):
        found = load(layout, check=True, positions=False)
        assert [d.to_dict() for d in found.diagnostics] == wanted, f"positions=False{again}"
    for check in (True, False):
        cold = comparable(cold_check if check else plain_load(layout, check=check))
        assert comparable(load(layout, check=check)) == cold, f"check={check}"
        assert comparable(load(layout, check=check)) == cold, f"check={check}, again"


QUESTIONS: tuple[tuple[str, ...], ...] = (
    ("validate",),
    ("status", "requirement-1", "--format", "json"),
    ("status", "requirement-2", "--format", "json"),
    ("status", "tlatlaya", "--format", "json"),
    ("show", "cso-tlatlaya-no-arrest-warrants", "--format", "json"),
    ("show", "tlatlaya", "--format", "json"),
    ("xref", "tlatlaya", "--format", "json"),
    ("xref", "cso-memo-2017", "--format", "json"),
    ("list", "claims", "--format", "json"),
)
"""Read commands whose output the cache remembers or answers from its index."""


COMMAND = typer.main.get_command(app)
"""The CLI's click command, built once: Typer's runner builds it anew for every invocation,
which would cost most of this module's run time."""


@contextmanager
def command_built_once() -> Iterator[None]:
    """Let :func:`conftest.run` invoke :data:`COMMAND` instead of building the CLI again."""
    real = typer.testing._get_command
    typer.testing._get_command = lambda _app: COMMAND  # type: ignore[assignment]
    try:
        yield
    finally:
        typer.testing._get_command = real


def ask(root: Path, question: tuple[str, ...], cached: bool) -> tuple[int, str, str]:
    """A command's exit code, stdout and stderr, through the cache or with none at all."""
    done = run(["--root", str(root), *question], env=None if cached else {NO_CACHE_ENV: "1"})
    return done.exit_code, done.stdout, done.stderr


def answers_alike(root: Path, questions: list[tuple[str, ...]]) -> None:
    """Each question, asked twice through the cache (the second answered from what the
    first kept), is answered as with no cache at all."""
    for question in questions:
        first = ask(root, question, cached=True)
        again = ask(root, question, cached=True)
        cold = ask(root, question, cached=False)
        assert first == cold, question
        assert again == cold, (question, "again")


@contextmanager
def sample_folder() -> Iterator[Path]:
    """A fresh copy of the sample ledger for one example, every file an hour old; what the
    example's commands left out of the collector's walks is collected again after it, as
    conftest's `collected_as_usual` does after each test."""
    try:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "ledger"
            shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".ledger-cache"))
            age(root)
            yield root
    finally:
        gc.unfreeze()


def questions_about(ids: list[str]) -> list[tuple[str, ...]]:
    """The usual questions, and `show` and `xref` of the ids an edit touched (added, deleted,
    broken or duplicated ones too)."""
    asked = [*QUESTIONS]
    for record_id in dict.fromkeys(ids):
        asked += [("show", record_id, "--format", "json"), ("xref", record_id, "--format", "json")]
    return asked


def warm(root: Path) -> None:
    """Fill the cache: loads, the index, the memos and every question's remembered output."""
    loads_alike(root)
    for question in QUESTIONS:
        assert ask(root, question, cached=True)[0] in (0, 1), question


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(edits=st.lists(st.tuples(EDIT, st.booleans()), min_size=1, max_size=6))
# Derandomized, a few dozen examples may miss an operation: these sequences make sure every
# one runs, on the claims and cases where it matters.
@example(  # names in statements: the memo's findings must follow statements and aliases
    edits=[
        (("statement", 1, 1), False),  # 'Iguala' in a claim on the cso memo
        (("alias", 0, 0), True),  # 'Zacatecas Massacre' becomes a name of ayotzinapa
        (("statement", 0, 3), False),  # and a statement uses it
        (("alias", 1, 4), False),
        (("restore", ORIGINALS.index("cases/ayotzinapa.yaml"), 0), True),
        (("statement", 1, 2), False),
        (("swapcase", 1, 0), True),  # 'iGUALA': no longer written as a name
    ]
)
@example(  # records come, go, break and collide
    edits=[
        (("add", 2, 0), False),
        (("duplicate-id", 0, 1), True),
        (("delete", 1, 0), False),
        (("move", 3, 0), True),
        (("misfile", 0, 0), False),
        (("break-yaml", 0, 0), True),
        (("break-field", 2, 1), False),
        (("restore", ORIGINALS.index("claims/cso-tlatlaya-no-arrest-warrants.yaml"), 0), True),
    ]
)
@example(  # archives change under their quotes, pinned anew or not; records change in form only
    edits=[
        (("swapcase", 4, 0), True),
        (("archive-cut", 0, 0), False),
        (("archive-append", 1, 0), True),
        (("comment", RECORDS.index("sources/mx-gov-2018.yaml"), 0), False),
        (("archive-append-pinned", 1, 0), True),
        (("archive-swapcase", 0, 1), True),
        (("archive-swapcase", 1, 0), False),
        (("restore", ORIGINALS.index("sources/cso-memo-2017.txt"), 0), False),
    ]
)
def test_any_edit_sequence_answers_as_a_cold_run(
    edits: list[tuple[tuple[str, int, int], bool]],
) -> None:
    """Whatever the edits, and whether the library or a command meets them first, the
    cache's answers are a cold run's."""
    with sample_folder() as root, command_built_once():
        warm(root)
        for step, (edit, commands_first) in enumerate(edits, start=1):
            written, ids = apply(root, edit, step)
            for path in written:
                make_old(path, PAST + 60 * step)  # a new identity, old enough to be trusted
            if commands_first:
                answers_alike(root, questions_about(ids))
                loads_alike(root)
            else:
                loads_alike(root)
                answers_alike(root, questions_about(ids))
