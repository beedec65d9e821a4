"""`ledger status REQUIREMENT` (or CASE) builds only the claims that report reads
(store/report_view.py), and prints exactly what a run with no cache prints: after edits
of every kind, in every format, on the repository's own data."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

import ledger.analysis.status_report as status_report
import ledger.store.report_basis as basis_module
import ledger.store.report_view as view_module
from conftest import PAST, DatedEdits, Sample, age, layout_for, make_old, repository_ledger, run
from ledger.records.ledger import Counted
from ledger.records.load import load
from ledger.records.model import RelationKind, Stance
from ledger.store import loaded_state
from ledger.store.cache import CACHE_DIR, CACHE_FILE, NO_CACHE_ENV

REQUIREMENTS = ("requirement-1", "requirement-2", "requirement-3", "requirement-4")
FORMATS = (("--format", "json"), (), ("--all", "--explain"), ("--format", "markdown"))


@pytest.fixture
def views(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """What each status asked of the view: the requirement or case it built a view for, or
    None when the ledger was loaded whole instead; ``reused:`` and the subject when an
    earlier output served again (store/report_basis.py)."""
    found: list[str | None] = []
    real = view_module.report_view
    real_serves = basis_module.serves

    def spy(*args):  # type: ignore[no-untyped-def]
        answer = real(*args)
        found.append(None if answer is None else answer.subject)
        return answer

    def spy_serves(*args):  # type: ignore[no-untyped-def]
        basis = real_serves(*args)
        if basis is not None:
            found.append(f"reused:{basis.subject}")
        return basis

    monkeypatch.setattr(view_module, "report_view", spy)
    monkeypatch.setattr(basis_module, "serves", spy_serves)
    return found


class Ledger(DatedEdits):
    """The repository's ledger in a temporary folder, remembered by a first load, and
    edited a file at a time, each file dated anew."""

    def __init__(self, root: Path) -> None:
        super().__init__(Sample(repository_ledger(root)))
        self.root = root
        age(root)
        assert self.status()[0] == 0  # the overview loads whole, and remembers the ledger

    def status(self, *args: str, cached: bool = True) -> tuple[int, str, str]:
        done = run(
            ["--root", str(self.root), "status", *args],
            env={"COLUMNS": "120", **({} if cached else {NO_CACHE_ENV: "1"})},
        )
        return done.exit_code, done.stdout, done.stderr

    def claims(self) -> dict[str, tuple[str, dict]]:
        """Every claim by id: its file (from data/) and its fields."""
        found = {}
        for path in sorted((self.root / "data" / "claims").rglob("*.yaml")):
            record = yaml.safe_load(path.read_text(encoding="utf-8"))
            found[record["id"]] = (path.relative_to(self.root / "data").as_posix(), record)
        return found

    def alike(self, views: list[str | None], *subjects: str, served: str = "") -> None:
        """Each requirement's or case's status, in every format, as a run with no cache
        prints it, each through the view or an earlier output that still serves; with
        ``served`` ("view", "reused", or "replayed": the output kept for this very state),
        through that alone."""
        for subject in subjects:
            for options in FORMATS:
                del views[:]
                found = self.status(subject, *options)
                ways = {"view": [subject], "reused": [f"reused:{subject}"], "replayed": []}
                allowed = [ways[served]] if served else list(ways.values())
                assert views in allowed, (subject, options, views)
                assert found == self.status(subject, *options, cached=False), options
                assert found[0] == 0, found

    def flip(self, claim_id: str, requirement: str) -> None:
        """Turn a claim's stance on a requirement (supports to undermines, else supports)."""
        rel, record = self.claims()[claim_id]
        stance = record["bears_on"][requirement]
        turned = "supports" if stance != "supports" else "undermines"
        self.edit(rel, f"{requirement}: {stance}", f"{requirement}: {turned}")

    def cases_of(self, *claim_ids: str) -> list[str]:
        claims = self.claims()
        return sorted({c for i in claim_ids if i in claims for c in claims[i][1].get("cases", [])})


@pytest.fixture(params=["files", "remembered"])
def ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Ledger:
    """The ledger, its view's claims read from their files, or cut from the remembered JSON
    of every claim (as when they are more than a tenth of a large ledger's)."""
    share = {"files": 0, "remembered": 10**9}[request.param]
    monkeypatch.setattr(view_module, "FILES_SHARE", share)
    return Ledger(tmp_path / "ledger")


def bearing(claims: dict[str, tuple[str, dict]], requirement: str) -> list[str]:
    return [i for i, (_, c) in claims.items() if requirement in (c.get("bears_on") or {})]


def test_every_report_is_the_whole_ledgers(ledger: Ledger, views: list[str | None]) -> None:
    ledger.alike(views, *REQUIREMENTS, "ayotzinapa", "tlatlaya", "atenco")


def test_edits_of_every_kind_report_as_a_cold_run(ledger: Ledger, views: list[str | None]) -> None:
    claims = ledger.claims()
    on_3 = bearing(claims, "requirement-3")
    elsewhere = [i for i in bearing(claims, "requirement-4") if i not in on_3]
    elsewhere = [i for i in elsewhere if not claims[i][1].get("relations")]
    flipped, partner, ground = on_3[0], elsewhere[0], elsewhere[1]

    ledger.flip(flipped, "requirement-3")
    ledger.alike(views, "requirement-3", "requirement-4", *ledger.cases_of(flipped))

    # A claim about another requirement comes to contradict one on requirement-3, and to
    # rest on a third claim: the pair shows both sides, the partner's grounds read too.
    rel = claims[partner][0]
    text = ledger.sample.read(rel)
    links = f"relations:\n  - contradicts: {flipped}\n  - corroborates: {ground}\n"
    ledger.write(rel, text.rstrip("\n") + "\n" + links)
    ledger.alike(views, "requirement-3", *ledger.cases_of(flipped, partner, ground))
    assert partner in ledger.status("requirement-3", "--format", "json")[1]

    # The partner reviewed, then its ground changed: it is suspect in requirement-3's pair.
    reviewed = run(["--root", str(ledger.root), "review", partner, "--by", "Ana"])
    assert reviewed.exit_code == 0, reviewed.stderr
    make_old(ledger.root / "data" / rel, PAST + 600)
    ground_rel = claims[ground][0]
    ledger.edit(ground_rel, "statement: >-\n  ", "statement: >-\n  Reworded: ")
    ledger.alike(views, "requirement-3", *ledger.cases_of(flipped))
    assert "changed after the review by Ana" in ledger.status("requirement-3", "-f", "json")[1]

    # A claim renamed (a new id in a new file), and one removed.
    rel = claims[on_3[1]][0]
    text = ledger.sample.read(rel).replace(f"id: {on_3[1]}", f"id: {on_3[1]}-renamed")
    (ledger.root / "data" / rel).unlink()
    ledger.write(rel.replace(on_3[1], f"{on_3[1]}-renamed"), text)
    ledger.alike(views, "requirement-3", *ledger.cases_of(f"{on_3[1]}-renamed"))
    cases = ledger.cases_of(on_3[2])
    (ledger.root / "data" / claims[on_3[2]][0]).unlink()
    ledger.alike(views, "requirement-3", "requirement-1", *cases)


def test_a_report_of_its_first_cases_builds_the_claims_it_prints(
    ledger: Ledger, views: list[str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A requirement's report that shows the groups of its first cases (two, here) builds
    the claims it prints; of every other claim bearing on it, it reads the index's facts.
    After edits to those claims' stance, cases, date, figures and contradictions it prints
    what a run with no cache prints."""
    monkeypatch.setattr(status_report, "CASES_SHOWN", 2)
    printed: list[frozenset[str]] = []
    real = view_module.printed_set

    def spy(*args):  # type: ignore[no-untyped-def]
        printed.append(real(*args))
        return printed[-1]

    monkeypatch.setattr(view_module, "printed_set", spy)
    claims = ledger.claims()
    on_1 = {i: c for i, (_, c) in claims.items() if "requirement-1" in (c.get("bears_on") or {})}
    shown = sorted({k for c in on_1.values() for k in c.get("cases", [])})[:2]
    linked = {t for _, c in claims.values() for r in c.get("relations") or [] for t in r.values()}
    quiet = [
        i
        for i, c in on_1.items()
        if c.get("cases")
        and not set(c["cases"]) & set(shown)
        and not c.get("figures")
        and not c.get("relations")
        and i not in linked
    ]
    undated = next(i for i in quiet if "as_of" in claims[i][1])
    flipped, figured, paired, partner = [i for i in quiet if i != undated][:4]

    ledger.alike(views, "requirement-1", served="view")
    assert printed and not printed[-1] & set(quiet)  # counted, not built

    ledger.flip(flipped, "requirement-1")
    ledger.alike(views, "requirement-1", served="view")
    assert flipped not in printed[-1]

    rel = claims[undated][0]
    as_of = next(line for line in ledger.sample.read(rel).splitlines() if line.startswith("as_of"))
    ledger.edit(rel, as_of + "\n", "")
    ledger.alike(views, "requirement-1", served="view")
    assert undated not in printed[-1]
    assert f"claim {undated} has no as_of date" in ledger.status("requirement-1", "-f", "json")[1]

    rel = claims[figured][0]
    figures = "figures:\n  - value: 12\n    unit: graves found\n"
    ledger.write(rel, ledger.sample.read(rel).rstrip("\n") + "\n" + figures)
    ledger.alike(views, "requirement-1", served="view")
    assert figured in printed[-1]  # a figure is printed with its claim's place

    rel = claims[paired][0]
    links = f"relations:\n  - contradicts: {partner}\n"
    ledger.write(rel, ledger.sample.read(rel).rstrip("\n") + "\n" + links)
    ledger.alike(views, "requirement-1", served="view")
    assert {paired, partner} <= printed[-1]  # each pair shows both sides

    rel = claims[flipped][0]
    cases = "".join(f"  - {k}\n" for k in claims[flipped][1]["cases"])
    ledger.edit(rel, f"cases:\n{cases}", "")
    ledger.alike(views, "requirement-1", served="view")
    assert flipped in printed[-1]  # about no case: its group is always shown
    ledger.edit(rel, "bears_on:", f"cases:\n  - {shown[0]}\nbears_on:")
    ledger.alike(views, "requirement-1", served="view")
    assert flipped in printed[-1]  # about a case shown


def test_what_the_view_does_not_serve_is_loaded_whole(
    ledger: Ledger, views: list[str | None]
) -> None:
    claims = ledger.claims()
    rel = claims[bearing(claims, "requirement-3")[0]][0]
    asked = [
        ("requirement-3", "--as-of", "2017-06"),
        ("ayotzinapa", "--as-of", "2017-06"),
        ("requirement-3", "--format", "json"),  # after the file below broke
    ]
    for number, args in enumerate(asked):
        if number == 2:
            ledger.edit(rel, "bears_on:", "bears_on: [")
        del views[:]
        found = ledger.status(*args)
        assert views in ([], [None]), args
        assert found == ledger.status(*args, cached=False), args


def test_a_prefix_and_a_claims_id_resolve_as_in_the_whole_ledger(
    ledger: Ledger, views: list[str | None]
) -> None:
    claim = next(iter(ledger.claims()))
    assert ledger.status("requirement-") == ledger.status("requirement-", cached=False)
    assert ledger.status(claim) == ledger.status(claim, cached=False)
    assert views == [None] * 4  # neither names one report (nor has a cold run a view)
    for typed, subject in (("requirement-3", "requirement-3"), ("ayotz", "ayotzinapa")):
        found = ledger.status(typed, "-f", "json")
        assert views[-1] == subject
        assert found == ledger.status(typed, "-f", "json", cached=False)


def test_a_remembered_index_that_does_not_read_back_is_not_used(
    ledger: Ledger, views: list[str | None]
) -> None:
    with sqlite3.connect(ledger.root / CACHE_DIR / CACHE_FILE) as db:
        (value,) = db.execute(
            "SELECT value FROM results WHERE name = ?", (loaded_state.CLAIMS_NAME,)
        ).fetchone()
        paths, index = value.split("\n", 1)
        db.execute(
            "UPDATE results SET value = ? WHERE name = ?",
            (
                paths + "\n" + index.replace('"starts":[', '"starts":["x",'),
                loaded_state.CLAIMS_NAME,
            ),
        )
    found = ledger.status("requirement-3", "-f", "json")
    assert views == [None]
    assert found == ledger.status("requirement-3", "-f", "json", cached=False)


def index_text(**changes: Any) -> str:
    """A stored index of one claim ``a`` (its source ``s``), with some keys changed (a value
    of None drops the key)."""
    plain: dict[str, Any] = {
        "ids": ["a"],
        "starts": [1],
        "bears": {},
        "about": {},
        "links": [],
        "sources": [0],
        "source_ids": ["s"],
        "stances": {},
        "flags": "1",
    }
    plain.update(changes)
    return json.dumps({k: v for k, v in plain.items() if v is not None})


@pytest.mark.parametrize(
    "index",
    [
        index_text(bears={"r": [1]}, stances={"r": "0"}),  # past the end
        index_text(bears={"r": [0.0]}, stances={"r": "0"}),
        index_text(about={"c": [-1]}),
        index_text(about={"c": [True]}),
        index_text(links=[[1, "b", "contradicts"]]),
        index_text(starts=["1"]),
        index_text(ids=["a", "b"]),
        index_text(bears=[]),
        index_text(about={"c": 0}),
        index_text(about=None),
        index_text(sources=[1]),  # no such source
        index_text(sources=[]),
        index_text(source_ids=[0]),
        index_text(bears={"r": [0]}),  # no stance
        index_text(bears={"r": [0]}, stances={"r": ""}),
        index_text(bears={"r": [0]}, stances={"r": "9"}),
        index_text(bears={"r": [0]}, stances={"r": 0}),
        index_text(stances={"r": "0"}),  # a stance on what no claim bears on
        index_text(links=[[0, "b", True]]),  # the index of an earlier format
        index_text(links=[[0, "b", "echoes"]]),
        index_text(links=[[0.0, "b", "repeats"]]),
        index_text(links=[[0, None, "repeats"]]),
        index_text(links=[[0, "b", ["repeats"]]]),
        index_text(links=[[0, "b"]]),
        index_text(stances=None),
        index_text(flags=None),  # the index of an earlier format
        index_text(flags=""),
        index_text(flags="11"),
        index_text(flags="4"),
        index_text(flags=1),
        index_text(flags=["1"]),
        "[]",
        "",
    ],
)
def test_an_index_of_another_shape_is_refused(index: str) -> None:
    assert loaded_state.ClaimsIndex.parse(index, 1) is None


def test_the_index_reads_back() -> None:
    text = index_text(
        bears={"r": [0]},
        about={"c": [0], "d": [0]},
        links=[[0, "b", "repeats"]],
        stances={"r": "1"},
        flags="2",
    )
    found = loaded_state.ClaimsIndex.parse(text, 1)
    wanted = loaded_state.ClaimsIndex(
        ["a"],
        [1],
        {"r": [0]},
        {"c": [0], "d": [0]},
        [(0, "b", "repeats")],
        [0],
        ["s"],
        {"r": "1"},
        "2",
    )
    assert found == wanted
    facts = Counted("a", "s", ("b",), ("c", "d"), dated=False, figured=True)
    assert found.counted("r", lambda _: True) == [(facts, Stance.undermines)]
    assert found.counted("r", lambda _: False) == []


def test_the_index_is_of_the_claims_it_was_made_from(ledger: Ledger) -> None:
    """Each claim's counted facts, read back from the stored index: what the status rule
    counts of it, on each requirement it bears on."""
    claims = list(load(layout_for(ledger.root), check=False).ledger.claims.values())
    made = loaded_state.ClaimsIndex.of(claims, ["{}"] * len(claims))
    index = loaded_state.ClaimsIndex.parse(made.to_json(), len(claims))
    assert index == made
    requirements = {r for c in claims for r in c.bears_on}
    for requirement in requirements:
        assert index.counted(requirement, lambda _: True) == [
            (
                Counted(
                    c.id,
                    c.source,
                    tuple(r.target for r in c.relations if r.kind is RelationKind.repeats),
                    tuple(sorted(set(c.cases))),
                    c.as_of is not None,
                    bool(c.figures),
                ),
                c.bears_on[requirement],
            )
            for c in claims
            if requirement in c.bears_on
        ]


# -- an output that serves again (store/report_basis.py) ------------------------------------


def unread(
    claims: dict[str, tuple[str, dict]],
    requirement: str = "requirement-3",
    elsewhere: str = "requirement-4",
) -> list[str]:
    """Claims bearing on ``elsewhere`` and not on ``requirement``, linking to nothing and
    linked to by nothing: no report on ``requirement`` reads them."""
    linked = {t for _, c in claims.values() for r in c.get("relations") or [] for t in r.values()}
    return [
        i
        for i in bearing(claims, elsewhere)
        if requirement not in claims[i][1]["bears_on"]
        and not claims[i][1].get("relations")
        and i not in linked
    ]


def test_an_edit_the_report_does_not_read_serves_its_output_again(
    ledger: Ledger, views: list[str | None]
) -> None:
    claims = ledger.claims()
    outside = unread(claims)[0]
    ledger.alike(views, "requirement-3", served="view")
    ledger.flip(outside, "requirement-4")
    rel = claims[outside][0]
    ledger.alike(views, "requirement-3", served="reused")
    ledger.alike(views, "requirement-4", served="view")  # the claim bears on it
    ledger.alike(views, "requirement-3", served="replayed")  # kept for this state, too

    # A new claim the report does not read, and the edited one deleted: still served.
    text = ledger.sample.read(rel).replace(f"id: {outside}", f"id: {outside}-again")
    ledger.write(rel.replace(outside, f"{outside}-again"), text)
    (ledger.root / "data" / rel).unlink()
    ledger.alike(views, "requirement-3", served="reused")

    # The new claim comes to bear on requirement-3: the report reads it, and is worked out.
    again = rel.replace(outside, f"{outside}-again")
    ledger.edit(again, "bears_on:\n", "bears_on:\n  requirement-3: context\n")
    ledger.alike(views, "requirement-3", served="view")
    assert f"{outside}-again" in ledger.status("requirement-3", "-f", "json")[1]


def test_an_edit_that_reaches_the_report_has_it_worked_out(
    ledger: Ledger, views: list[str | None]
) -> None:
    claims = ledger.claims()
    outside = unread(claims)
    read = bearing(claims, "requirement-3")
    ledger.alike(views, "requirement-3", "ayotzinapa", served="view")

    def worked_out(*subjects: str) -> None:
        ledger.alike(views, *subjects, served="view")

    # A claim the report did not read comes to link to one it read.
    rel = claims[outside[0]][0]
    text = ledger.sample.read(rel).rstrip("\n") + f"\nrelations:\n  - corroborates: {read[0]}\n"
    ledger.write(rel, text)
    worked_out("requirement-3")

    # A record of another kind changes (a case's title).
    case_rel = "cases/atenco.yaml"
    title = yaml.safe_load(ledger.sample.read(case_rel))["title"]
    ledger.edit(case_rel, f"title: {title}", f"title: {title} (edited)")
    worked_out("requirement-3")

    # A claim that a claim the report reads links to is deleted.
    linking = [i for i in read if claims[i][1].get("relations")]
    target = next(iter(claims[linking[0]][1]["relations"][0].values()))
    (ledger.root / "data" / claims[target][0]).unlink()
    worked_out("requirement-3")

    # A claim linked to only by a claim the report reads for its links (a partner's
    # ground) is deleted: the report did not read it, but its links name it.
    partner, ground, far = (claims[i][0] for i in outside[3:6])
    for rel, links in (
        (partner, [("contradicts", read[1]), ("corroborates", outside[4])]),
        (ground, [("corroborates", outside[5])]),
    ):
        made = "".join(f"  - {kind}: {target}\n" for kind, target in links)
        ledger.write(rel, ledger.sample.read(rel).rstrip("\n") + f"\nrelations:\n{made}")
    worked_out("requirement-3")
    (ledger.root / "data" / far).unlink()
    worked_out("requirement-3")

    # A new claim whose id begins as the typed text does ("ayotz" for ayotzinapa).
    assert ledger.status("ayotz", "-f", "json")[0] == 0
    rel = claims[outside[1]][0]
    text = ledger.sample.read(rel).replace(f"id: {outside[1]}", "id: ayotz-new")
    ledger.write(rel.rpartition("/")[0] + "/ayotz-new.yaml", text)
    del views[:]
    found = ledger.status("ayotz", "-f", "json")
    assert views == ["ayotzinapa"]
    assert found == ledger.status("ayotz", "-f", "json", cached=False)

    # A copy of a claim the report does not read, in another folder: its id is held twice.
    folders = sorted({rel.split("/")[1] for rel, _ in claims.values()})
    rel = claims[outside[2]][0]
    other = next(f for f in folders if f != rel.split("/")[1])
    ledger.write(f"claims/{other}/{outside[2]}.yaml", ledger.sample.read(rel))
    del views[:]
    found = ledger.status("requirement-3", "-f", "json")
    assert views == [None]  # loaded whole: the admission reports the duplicate
    assert found == ledger.status("requirement-3", "-f", "json", cached=False)


def test_a_case_report_serves_again_after_an_edit_to_another_case(
    ledger: Ledger, views: list[str | None]
) -> None:
    claims = ledger.claims()
    about = {i for i, (_, c) in claims.items() if "tlatlaya" in (c.get("cases") or [])}
    partners = {t for i in about for r in claims[i][1].get("relations") or [] for t in r.values()}
    elsewhere = [
        i
        for i in unread(claims)
        if i not in about | partners and "tlatlaya" not in (claims[i][1].get("cases") or [])
    ]
    ledger.alike(views, "tlatlaya", served="view")
    ledger.flip(elsewhere[0], "requirement-4")
    ledger.alike(views, "tlatlaya", served="reused")
    ledger.edit(claims[elsewhere[0]][0], "cases:\n", "cases:\n  - tlatlaya\n")
    ledger.alike(views, "tlatlaya", served="view")


def test_an_output_whose_seal_does_not_hold_is_not_served_again(
    ledger: Ledger, views: list[str | None]
) -> None:
    claims = ledger.claims()
    outside = unread(claims)[0]
    ledger.alike(views, "requirement-3", served="view")
    with sqlite3.connect(ledger.root / CACHE_DIR / CACHE_FILE) as db:
        db.execute(
            "UPDATE results SET value = replace(value, 'requirement-3', 'requirement-9') "
            "WHERE name LIKE 'output:status:%'"
        )
    rel = claims[outside][0]
    ledger.edit(rel, "locator: ", "locator: Edited, ")
    ledger.alike(views, "requirement-3", served="view")


def test_the_first_report_of_a_ledger_serves_again_too(
    ledger: Ledger, views: list[str | None]
) -> None:
    """A report worked out from the whole ledger (none remembered yet) is kept with what it
    read as well: the first edit elsewhere after it is served."""
    claims = ledger.claims()
    outside = unread(claims)[0]
    shutil.rmtree(ledger.root / CACHE_DIR)
    del views[:]
    assert ledger.status("requirement-3", "-f", "json")[0] == 0
    assert views == [None]  # loaded whole
    ledger.flip(outside, "requirement-4")
    del views[:]
    found = ledger.status("requirement-3", "-f", "json")
    assert views == ["reused:requirement-3"]
    assert found == ledger.status("requirement-3", "-f", "json", cached=False)


def test_a_report_of_a_ledger_that_did_not_load_cleanly_is_not_served_again(
    ledger: Ledger, views: list[str | None]
) -> None:
    claims = ledger.claims()
    read = bearing(claims, "requirement-3")[0]
    outside = unread(claims)[0]
    rel = claims[read][0]
    misnamed = rel.replace(f"{read}.yaml", "misnamed.yaml")
    ledger.write(misnamed, ledger.sample.read(rel))
    (ledger.root / "data" / rel).unlink()
    shutil.rmtree(ledger.root / CACHE_DIR)
    assert ledger.status("requirement-3", "-f", "json")[0] == 0  # loaded whole
    ledger.flip(outside, "requirement-4")
    del views[:]
    found = ledger.status("requirement-3", "-f", "json")
    assert views == [None]  # loaded whole again: nothing kept to serve it from
    assert found == ledger.status("requirement-3", "-f", "json", cached=False)


@pytest.mark.parametrize(
    "change",
    [
        {"read": "abc"},
        {"linked": [1]},
        {"requirement": "false"},
        {"left_out": 1.5},
        {"left_out": True},
        {"files": {"claims/a.yaml": "ab"}},
        {"files": {"claims/a.yaml": [None, "claims", "x"]}},
        {"row": None},
        {"extra": 1},
    ],
)
def test_a_kept_basis_of_another_shape_is_refused(change: dict) -> None:
    basis = basis_module.Basis(
        "k",
        "req",
        "requirement-3",
        True,
        {"claims/a.yaml": ("b", "claims")},
        frozenset("x"),
        frozenset("y"),
        0,
    )
    plain = basis.plain()
    assert basis_module.Basis.from_plain(plain) == basis
    assert basis_module.Basis.from_plain({**plain, **change}) is None
    assert basis_module.Basis.from_plain([plain]) is None


def test_other_commands_do_not_look_for_an_output_to_serve_again(
    ledger: Ledger, views: list[str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only `status` says what its answer read: another command's output kept for an
    earlier state (a timeline is tens of megabytes at 100,000 claims) is not read back."""
    from ledger.store.answers import Answers

    looked: list[str] = []
    real = Answers.newest
    monkeypatch.setattr(
        Answers, "newest", lambda self, name: looked.append(name) or real(self, name)
    )
    claims = ledger.claims()
    outside = unread(claims)[0]
    for args in (["timeline"], ["list", "claims"], ["status", "requirement-3"]):
        assert run(["--root", str(ledger.root), *args]).exit_code == 0
    ledger.flip(outside, "requirement-4")
    del looked[:]
    for args in (["timeline"], ["list", "claims"]):
        assert run(["--root", str(ledger.root), *args]).exit_code == 0
    assert looked == []
    assert ledger.status("requirement-3")[0] == 0
    assert [name.split(":")[1] for name in looked] == ["status"]
