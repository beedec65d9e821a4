"""A semantic diff between two states of a ledger: records by id, then what that does to
each requirement's and case's derived status, and which changed claims lack a fresh review.

Both states are judged by the rule of the code that runs (``rule``), so a status change is
always a change in the data. A status changes because of the records it rests on: the claims
bearing on it (``claims``), the sources of those claims, since a source's ``speaks_for``
decides its side (``sources``), and the requirement's ``obligor`` (``obligor``). ``notes``
name, per state, the sources whose side the rule may not decide as meant (the warnings
``speaks-for-missing`` and ``speaks-for-near-obligor``): a revision written before sources said
whom they speak for has its government sources counted as independent.

JSON shape (``to_dict()``)::

    {"format": "ledger-diff", "version": 1, "rule": {"name", "version"},
     "old": label, "new": label,
     "records": [{"id", "kind", "change": "added"|"removed"|"changed", "path",
                  "fields": [{"field", "old", "new"}],
                  "review": "fresh"|"stale"|"none"|"rewritten"|null}],
     "statuses": [{"id", "kind": "requirement"|"case", "requirement", "title",
                   "old", "new", "old_line", "new_line", "claims": [id], "sources": [id],
                   "obligor": {"field", "old", "new"}|null}],
     "assertions": [{"id", "path", "requirement", "case", "as_of", "asserted",
                     "old", "new", "new_line", "claims": [id], "because": [id]}],
     "unreviewed": [claim id],
     "suspect": [{"id", "path", "why"}],
     "notes": [{"state": "old"|"new", "source", "code", "message"}],
     "settings": [{"field": "section.key", "old", "new"}],
     "left_out": {"old": n, "new": n},
     "left_out_files": {"old": [path], "new": [path]}}

``suspect`` lists the claims that became suspect (see ledger.analysis.grounds): on the new side
something they rest on changed after their latest review, and on the old side they were not
suspect. A claim suspect on both sides is not listed again. It is there only when a claim
became suspect.

``left_out`` counts, per side, the record files that failed to load there and so are not
compared: a diff must never look complete when it is not. It is there only when a side left
something out; ``left_out_files`` then gives their paths (from the data folder's parent),
each side's when they are known.

``assertions`` lists the status assertions of the new side that the change breaks (it is
there only when the new side holds assertions): each fails on the new side's data (``new``,
by rule line ``new_line``, resting on ``claims``) and did not already fail, as the same
record, on the old side (``old``: the status the old side's data gives it as of its date;
null when its subject was not there); ``because`` names the changed claims that bear on
its subject.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import dataclass, field
from typing import Any

from ledger.analysis.checks import speaks_for_warnings
from ledger.analysis.grounds import suspect_claims
from ledger.analysis.review import is_fresh
from ledger.analysis.status import Analysis, case_status, requirement_verdicts
from ledger.analysis.status_report import RuleInfo, to_plain
from ledger.gcpause import paused_gc
from ledger.git.revision import WORKTREE
from ledger.records.config import settings_of
from ledger.records.diagnostics import some_paths, where_to_look
from ledger.records.kinds import SINGULAR
from ledger.records.ledger import Ledger
from ledger.records.root import Layout

FORMAT_VERSION = 1
SIDES = ("old", "new")
KIND_SINGULAR = SINGULAR


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class RecordChange:
    id: str
    kind: str
    change: str
    path: str
    fields: tuple[FieldChange, ...] = ()
    review: str | None = None
    """For changed or added claims: whether a review stamp covers the new content."""
    before: dict[str, Any] | None = field(default=None, metadata={"plain": False}, compare=False)
    after: dict[str, Any] | None = field(default=None, metadata={"plain": False}, compare=False)
    """A claim's values on each side (None where it does not exist, and for other kinds):
    what a reviewer reads (statement, stance, quote). Not part of the JSON shape."""


@dataclass(frozen=True)
class StatusChange:
    id: str
    kind: str
    requirement: str
    title: str
    old: str | None
    new: str | None
    old_line: str | None
    new_line: str | None
    claims: tuple[str, ...]
    sources: tuple[str, ...] = ()
    """Changed sources of claims bearing on it: a new speaks_for can move a claim's side."""
    obligor: FieldChange | None = None
    """The requirement's obligor, when it changed."""


@dataclass(frozen=True)
class SuspectClaim:
    """A claim that became suspect: what it rests on changed after its latest review."""

    id: str
    path: str
    why: str


@dataclass(frozen=True)
class BrokenAssertion:
    """A status assertion that holds no longer on the new side (see the module's notes)."""

    id: str
    path: str
    requirement: str
    case: str | None
    as_of: str
    asserted: str
    old: str | None
    new: str
    new_line: str
    claims: tuple[str, ...]
    because: tuple[str, ...] = ()
    """The changed claims that bear on its subject, on either side."""


@dataclass(frozen=True)
class SideNote:
    """A source in one state whose side the rule may not decide as its author meant."""

    state: str
    source: str
    code: str
    message: str


@dataclass(frozen=True)
class LedgerDiff:
    old: str
    new: str
    records: tuple[RecordChange, ...]
    statuses: tuple[StatusChange, ...]
    assertions: tuple[BrokenAssertion, ...] | None = None
    """The new side's assertions the change breaks; None when the new side has none."""
    unreviewed: tuple[str, ...] = field(default=())
    suspect: tuple[SuspectClaim, ...] = field(default=())
    notes: tuple[SideNote, ...] = field(default=())
    settings: tuple[FieldChange, ...] = field(default=())
    """ledger.toml's settings that differ between the sides (``section.key``)."""
    rule: RuleInfo = field(default_factory=RuleInfo)
    left_out: dict[str, int] = field(
        default_factory=lambda: {"old": 0, "new": 0}, metadata={"plain": False}
    )
    """Record files that failed to load, per side ("old", "new"): not compared."""
    left_out_files: dict[str, tuple[str, ...]] = field(
        default_factory=dict, metadata={"plain": False}
    )
    """Their paths, per side, where known (LoadResult.left_out_paths): the warning names a
    few."""

    @property
    def empty(self) -> bool:
        return not self.records and not self.statuses and not self.assertions and not self.settings

    def left_out_lines(self, name: Callable[[str], str] | None = None) -> list[str]:
        """One warning per side that left record files out, naming the side's revision
        and files (set by ``name``: a Markdown report sets them in code spans), and where
        `ledger validate` shows why: the working tree, or a checkout of the revision."""
        lines = []
        for side, label in (("old", self.old), ("new", self.new)):
            count = self.left_out.get(side, 0)
            if count:
                files, verb = ("record file", "is") if count == 1 else ("record files", "are")
                worktree = label == WORKTREE
                where = "the working tree" if worktree else (name or str)(label)
                paths = self.left_out_files.get(side, ())
                named = f" ({some_paths(paths, name)})" if len(paths) == count else ""
                lines.append(
                    f"{count:,} {files} on {where} failed to load and {verb} not compared"
                    f"{named}; {where_to_look(None if worktree else where)}"
                )
        return lines

    def to_dict(self) -> dict[str, Any]:
        plain = to_plain(self)
        for optional in ("suspect", "settings"):  # present only when there are some
            if not plain[optional]:
                del plain[optional]
        if self.assertions is None:
            del plain["assertions"]
        left_out: dict[str, Any] = {}
        if any(self.left_out.values()):
            left_out["left_out"] = dict(self.left_out)
            if any(self.left_out_files.values()):
                files = self.left_out_files
                left_out["left_out_files"] = {side: list(files.get(side, ())) for side in SIDES}
        return {
            "format": "ledger-diff",
            "version": FORMAT_VERSION,
            "rule": plain.pop("rule"),
            **plain,
            **left_out,
        }


def diff_ledgers(
    old: Ledger,
    new: Ledger,
    old_label: str,
    new_label: str,
    left_out: tuple[int, int] = (0, 0),
    settings: tuple[FieldChange, ...] = (),
    unloaded: tuple[Set[str], Set[str]] = (frozenset(), frozenset()),
    left_out_files: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
) -> LedgerDiff:
    """Compare two ledgers record by record and status by status; ``left_out`` is how many
    record files failed to load on each side (old, new), which the diff then says (naming
    them, from ``left_out_files``, where known: LoadResult.left_out_paths), and
    ``settings`` what changed in ledger.toml (:func:`settings_changes`). ``unloaded``: the
    ids of files each side holds but could not load, which are not compared (a record
    whose file broke is not reported removed).

    The collector is paused throughout: indexing two ledgers and judging them builds
    millions of objects and no cycle worth collecting early, and the collections that
    building would start took a third of a second at 100,000 claims."""
    with paused_gc():
        return _diff_ledgers(
            old, new, old_label, new_label, left_out, settings, unloaded, left_out_files
        )


def _diff_ledgers(
    old: Ledger,
    new: Ledger,
    old_label: str,
    new_label: str,
    left_out: tuple[int, int],
    settings: tuple[FieldChange, ...],
    unloaded: tuple[Set[str], Set[str]],
    left_out_files: tuple[tuple[str, ...], tuple[str, ...]],
) -> LedgerDiff:
    records = tuple(_record_changes(old, new, unloaded))
    statuses = tuple(_status_changes(old, new, records))
    # As validate does, no assertion is judged where a record file failed to load: its
    # claims missing, a status would seem to flip because of the broken file.
    judged = new.assertions and not any(left_out)
    broken = tuple(_broken_assertions(old, new, records)) if judged else None
    unreviewed = tuple(r.id for r in records if r.kind == "claim" and r.review in UNREVIEWED)
    notes = tuple(_side_notes("old", old)) + tuple(_side_notes("new", new))
    return LedgerDiff(
        old_label,
        new_label,
        records,
        statuses,
        broken,
        unreviewed,
        _newly_suspect(old, new),
        notes,
        settings,
        left_out=dict(zip(SIDES, left_out, strict=True)),
        left_out_files=dict(zip(SIDES, left_out_files, strict=True)),
    )


def settings_changes(old: Layout, new: Layout) -> tuple[FieldChange, ...]:
    """ledger.toml's settings that differ between two sides, key by key: a reviewer sees a
    pull request that changes how the ledger is checked."""
    before, after = (
        settings_of(layout.relative(layout.data), layout.defaults, layout.review, layout.about)
        for layout in (old, new)
    )
    return tuple(
        FieldChange(key, before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    )


def _newly_suspect(old: Ledger, new: Ledger) -> tuple[SuspectClaim, ...]:
    """Claims suspect on the new side and not on the old, in id order."""
    before = suspect_claims(old)
    return tuple(
        SuspectClaim(claim_id, new.paths[claim_id], suspect.why)
        for claim_id, suspect in sorted(suspect_claims(new).items())
        if claim_id not in before
    )


def _broken_assertions(
    old: Ledger, new: Ledger, records: tuple[RecordChange, ...]
) -> list[BrokenAssertion]:
    """The new side's assertions that fail there and did not fail, unchanged, on the old
    side."""
    from ledger.analysis.assertions import judge

    failing = [c for c in judge(new) if not c.holds]
    if not failing:
        return []
    before = {c.assertion.id: c for c in judge(old, [c.assertion for c in failing])}
    changed = _Changed.of(records)
    broken = []
    for check in failing:
        a = check.assertion
        then = before.get(a.id)
        if then is not None and not then.holds and old.assertions.get(a.id) == a:
            continue  # broken already, and not touched by the change
        broken.append(
            BrokenAssertion(
                a.id,
                new.paths[a.id],
                a.requirement,
                a.case,
                a.as_of,
                a.status.value,
                then.status if then else None,
                check.status,
                check.line,
                check.claims,
                _blamed(old, new, changed, a),
            )
        )
    return broken


def _blamed(old: Ledger, new: Ledger, changed: _Changed, assertion: Any) -> tuple[str, ...]:
    """The changed records an assertion's subject rests on, on either side: claims bearing
    on it, their sources, and its requirement and case themselves."""
    claims = sorted(
        i for i in changed.claims if _bears(old, i, assertion) or _bears(new, i, assertion)
    )
    sources = {
        claim.source
        for ledger in (old, new)
        for claim in ledger.claims.values()
        if claim.source in changed.sources and _bears(ledger, claim.id, assertion)
    }
    subject = [assertion.requirement] if assertion.requirement in changed.requirements else []
    return (*claims, *sorted(sources), *subject)


def _bears(ledger: Ledger, claim_id: str, assertion: Any) -> bool:
    """Whether a claim bears on an assertion's requirement (and is about its case)."""
    claim = ledger.claims.get(claim_id)
    return (
        claim is not None
        and assertion.requirement in claim.bears_on
        and (assertion.case is None or assertion.case in claim.cases)
    )


def assertion_line(broken: BrokenAssertion) -> str:
    """A broken assertion in one line: its id, subject and date, asserted, was, now."""
    subject = (
        broken.requirement if broken.case is None else f"case {broken.case} on {broken.requirement}"
    )
    was = f", was {broken.old}" if broken.old else ""
    return (
        f"{broken.id}: {subject} as of {broken.as_of}: asserted {broken.asserted}{was}, "
        f"now {broken.new} ({broken.new_line})"
    )


def because(change: StatusChange, most: int = 0) -> str:
    """A status change's cause in words: claims, sources, and an obligor that changed; with
    ``most``, at most that many claims and sources are named and the rest counted."""
    parts = [_some(change.claims, most)] if change.claims else []
    if change.sources:
        noun = "source" if len(change.sources) == 1 else "sources"
        parts.append(f"{noun} {_some(change.sources, most)}")
    if change.obligor:
        parts.append(f"obligor {change.obligor.old} -> {change.obligor.new}")
    return "; ".join(parts)


def _some(ids: tuple[str, ...], most: int) -> str:
    """Ids joined by commas; with ``most``, the first ``most`` and how many more."""
    if not most or len(ids) <= most:
        return ", ".join(ids)
    return f"{', '.join(ids[:most])} and {len(ids) - most:,} more"


def _side_notes(state: str, ledger: Ledger) -> list[SideNote]:
    """The speaks_for warnings of one state, by source."""
    source_at = {ledger.paths[i]: i for i in ledger.sources}
    notes = [
        SideNote(state, source_at[d.path], d.code, d.message) for d in speaks_for_warnings(ledger)
    ]
    return sorted(notes, key=lambda n: (n.source, n.code))


def _record_changes(
    old: Ledger, new: Ledger, unloaded: tuple[Set[str], Set[str]]
) -> list[RecordChange]:
    changes = []
    for kind, new_table in new.tables().items():
        old_table = old.tables()[kind]
        singular = KIND_SINGULAR[kind]
        for record_id in sorted(set(old_table) | set(new_table)):
            before, after = old_table.get(record_id), new_table.get(record_id)
            is_claim = singular == "claim"
            if (before is None and record_id in unloaded[0]) or (
                after is None and record_id in unloaded[1]
            ):
                continue  # its file is there but did not load: said as left out, not compared
            if before is None:
                changes.append(
                    RecordChange(
                        record_id,
                        singular,
                        "added",
                        new.paths[record_id],
                        review=_review(after),
                        after=_dump(after) if is_claim else None,
                    )
                )
            elif after is None:
                changes.append(
                    RecordChange(
                        record_id,
                        singular,
                        "removed",
                        old.paths[record_id],
                        before=_dump(before) if is_claim else None,
                    )
                )
            elif before is not after and before != after:  # most are unchanged: no dump
                old_values, new_values = _dump(before), _dump(after)
                fields = _field_changes(old_values, new_values)
                if fields:
                    changes.append(
                        RecordChange(
                            record_id,
                            singular,
                            "changed",
                            new.paths[record_id],
                            tuple(fields),
                            _review(after, before),
                            old_values if is_claim else None,
                            new_values if is_claim else None,
                        )
                    )
    return sorted(changes, key=lambda c: (c.kind != "claim", c.kind, c.id))


def _dump(record: Any) -> dict[str, Any]:
    return record.model_dump(mode="json", by_alias=True)  # type: ignore[no-any-return]


UNREVIEWED = ("stale", "none", "rewritten")
"""Review states a reviewer must look at: the content changed after its latest review, it
was never reviewed, or the stamps it had were changed or removed."""


def _review(record: Any, before: Any = None) -> str | None:
    """A claim's review state: ``rewritten`` when the stamps it had are not all kept, in
    order, at the head of its list (stamps are only ever added: one edited or removed could
    make any content look reviewed); else fresh, stale or none."""
    if not hasattr(record, "reviews"):
        return None
    if before is not None and record.reviews[: len(before.reviews)] != before.reviews:
        return "rewritten"
    fresh = is_fresh(record)
    return "none" if fresh is None else ("fresh" if fresh else "stale")


def _field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Changed top-level fields; a map (bears_on) is compared key by key."""
    changes = []
    for name in list(dict.fromkeys([*before, *after])):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict) and name != "archive":
            for key in sorted(set(old) | set(new)):
                if old.get(key) != new.get(key):
                    changes.append(FieldChange(f"{name}.{key}", old.get(key), new.get(key)))
        else:
            changes.append(FieldChange(name, old, new))
    return changes


def _claims_on(analysis: Analysis, requirement: str, case: str | None = None) -> dict[str, str]:
    """The claims bearing on a requirement (about a case), with their sources."""
    if case is None:
        return {c.id: c.source for c, _ in analysis.counted_on(requirement)}
    return {c.id: c.source for c in analysis.by_case.get(case, []) if requirement in c.bears_on}


@dataclass(frozen=True)
class _Changed:
    """What changed, by kind: the ids a status change may be blamed on."""

    claims: set[str]
    sources: set[str]
    requirements: dict[str, RecordChange]

    @classmethod
    def of(cls, records: tuple[RecordChange, ...]) -> _Changed:
        return cls(
            {r.id for r in records if r.kind == "claim"},
            {r.id for r in records if r.kind == "source"},
            {r.id: r for r in records if r.kind == "requirement"},
        )

    def cause(self, on_old: dict[str, str], on_new: dict[str, str], req_id: str) -> dict[str, Any]:
        """The changed claims and sources a status rests on, and the obligor if it changed."""
        bearing = on_old | on_new
        requirement = self.requirements.get(req_id)
        edits = requirement.fields if requirement else ()
        obligor = next((f for f in edits if f.field == "obligor"), None)
        return {
            "claims": tuple(sorted(set(bearing) & self.claims)),
            "sources": tuple(sorted({*on_old.values(), *on_new.values()} & self.sources)),
            "obligor": obligor,
        }


def _status_changes(
    old: Ledger, new: Ledger, records: tuple[RecordChange, ...]
) -> list[StatusChange]:
    changed = _Changed.of(records)
    changes = []
    old_index, new_index = Analysis.of(old), Analysis.of(new)
    reached = _reached_claims(old, new, records)
    requirements = _requirements_of(old, new, reached)
    old_verdicts = requirement_verdicts(old, old_index, requirements)
    new_verdicts = requirement_verdicts(new, new_index, requirements)
    for req_id in sorted(set(old_verdicts) | set(new_verdicts)):
        before, after = old_verdicts.get(req_id), new_verdicts.get(req_id)
        if _same(before, after):
            continue
        title = (new.requirements.get(req_id) or old.requirements[req_id]).title
        cause = changed.cause(_claims_on(old_index, req_id), _claims_on(new_index, req_id), req_id)
        changes.append(
            StatusChange(req_id, "requirement", req_id, title, *_pair(before, after), **cause)
        )
    reach = _reached_cases(old, new, records, reached)
    old_cases, new_cases = _case_verdicts(old_index, reach), _case_verdicts(new_index, reach)
    for key in sorted(set(old_cases) | set(new_cases)):
        before, after = old_cases.get(key), new_cases.get(key)
        if _same(before, after):
            continue
        case_id, req_id = key
        title = (new.cases.get(case_id) or old.cases[case_id]).title
        cause = changed.cause(
            _claims_on(old_index, req_id, case_id), _claims_on(new_index, req_id, case_id), req_id
        )
        changes.append(StatusChange(case_id, "case", req_id, title, *_pair(before, after), **cause))
    return changes


def _reached_claims(old: Ledger, new: Ledger, records: tuple[RecordChange, ...]) -> set[str] | None:
    """The claims whose standing a change can reach (None: every claim, as when a
    requirement changed): every changed claim, every claim of a changed source, and every
    claim within two relations of those, both ways, on either side."""
    if any(r.kind == "requirement" for r in records):
        return None
    claims = {r.id for r in records if r.kind == "claim"}
    sources = {r.id for r in records if r.kind == "source"}
    if not claims and not sources:
        return set()
    sides = (old, new)
    for side in sides:
        claims.update(c.id for c in side.claims.values() if c.source in sources)
    linked: dict[str, set[str]] = {}
    for side in sides:
        for claim in side.claims.values():
            for relation in claim.relations:
                linked.setdefault(claim.id, set()).add(relation.target)
                linked.setdefault(relation.target, set()).add(claim.id)
    for _hop in range(2):
        claims |= {other for claim_id in claims for other in linked.get(claim_id, ())}
    return claims


def _requirements_of(old: Ledger, new: Ledger, claims: set[str] | None) -> set[str] | None:
    """The requirements whose status a change can reach: those the reached claims bear on,
    on either side (None: every requirement, as when a requirement changed). A changed case
    reaches no requirement's status: the rule counts claims, not cases."""
    if claims is None:
        return None
    return _of_claims(old, new, claims, "bears_on")


def _reached_cases(
    old: Ledger, new: Ledger, records: tuple[RecordChange, ...], claims: set[str] | None
) -> set[str] | None:
    """The cases whose status a change can reach (None: every case, as when a requirement
    changed). A case's status rests on its claims, their sources and the claims they are
    related to; so the changed cases, and the cases of every reached claim on either side."""
    if claims is None:
        return None
    return {r.id for r in records if r.kind == "case"} | _of_claims(old, new, claims, "cases")


def _of_claims(old: Ledger, new: Ledger, claims: set[str], field: str) -> set[str]:
    """The ids one field of the claims lists (their requirements or cases), on either side."""
    found: set[str] = set()
    for side in (old, new):
        for claim_id in claims:
            claim = side.claims.get(claim_id)
            if claim is not None:
                found.update(getattr(claim, field))
    return found


def _case_verdicts(analysis: Analysis, reach: set[str] | None) -> dict[tuple[str, str], Any]:
    verdicts = {}
    for case_id in analysis.ledger.cases:
        if reach is not None and case_id not in reach:
            continue
        for group in case_status(analysis.ledger, case_id, analysis).requirements:
            if group.id is not None:
                verdicts[(case_id, group.id)] = group.verdict
    return verdicts


def _same(before: Any, after: Any) -> bool:
    if before is None or after is None:
        return before is after
    return bool(before.status == after.status and before.line == after.line)


def _pair(before: Any, after: Any) -> tuple[str | None, str | None, str | None, str | None]:
    return (
        before.status.value if before else None,
        after.status.value if after else None,
        before.line if before else None,
        after.line if after else None,
    )
