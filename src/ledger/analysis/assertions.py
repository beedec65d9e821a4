"""Status assertions: a maintainer writes down that a requirement (or one case on it) has a
status as of a date, and `validate` fails when the data no longer gives that status, as
beancount's ``balance`` guards an account.

Each assertion is judged on the ledger as it stood on its ``as_of`` date (the ``--as-of``
machinery of :mod:`ledger.analysis.asof`), by the status rule of the code that runs. The ledger is
restricted once per distinct date, and the claims bearing on the requirements asserted are
gathered in one pass over it; each subject's status is derived once per date from those. So
the work is linear in the ledger for the handful of dates assertions name, and a ledger
without assertions derives nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from ledger.analysis.asof import restrict
from ledger.analysis.status import subject_verdict
from ledger.records.diagnostics import Diagnostic, make
from ledger.records.ledger import Ledger
from ledger.records.model import Assertion, Claim

MOST_CLAIMS = 10
"""Claims named per tally cell in a failure's message; the rest are counted."""

_CELLS = {
    "independent_supports": "supporting (independent)",
    "independent_undermines": "undermining (independent)",
    "obligor_supports": "supporting (the obligor's own)",
    "obligor_undermines": "undermining (the obligor's own)",
}


@dataclass(frozen=True)
class AssertionCheck:
    """One assertion judged: the status the data gives as of its date, the rule line that
    gave it, and the claims that line rests on (by tally cell, each sorted by id)."""

    assertion: Assertion
    status: str
    line: str
    when: str
    causes: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def holds(self) -> bool:
        return self.status == self.assertion.status.value

    @property
    def subject(self) -> str:
        """What the assertion is about, in words: a requirement, or a case on one."""
        a = self.assertion
        return a.requirement if a.case is None else f"case {a.case} on {a.requirement}"

    @property
    def claims(self) -> tuple[str, ...]:
        """Every claim the derived status rests on, sorted by id."""
        return tuple(sorted({i for _, ids in self.causes for i in ids}))

    def message(self, most: int = MOST_CLAIMS) -> str:
        """The failure in one line: derived against asserted, the rule line and its claims."""
        a = self.assertion
        return (
            f"{self.subject} is {self.status} as of {a.as_of}, asserted {a.status.value} "
            f"(by {a.asserted_by} on {a.date}): {self.line}, {self.when}"
            + "".join(f"; {_CELLS[cell]}: {_some(ids, most)}" for cell, ids in self.causes)
        )

    def to_dict(self) -> dict[str, object]:
        a = self.assertion
        return {
            "id": a.id,
            "requirement": a.requirement,
            "case": a.case,
            "as_of": a.as_of,
            "asserted": a.status.value,
            "asserted_by": a.asserted_by,
            "date": a.date,
            "status": self.status,
            "line": self.line,
            "holds": self.holds,
            "claims": list(self.claims),
        }


def _some(ids: tuple[str, ...], most: int) -> str:
    if len(ids) <= most:
        return ", ".join(ids)
    return f"{', '.join(ids[:most])} and {len(ids) - most:,} more"


def judge(ledger: Ledger, assertions: Iterable[Assertion] | None = None) -> list[AssertionCheck]:
    """Every assertion of the ledger (or those given) judged, in id order. An assertion
    naming a requirement or case the ledger lacks is left out: the reference check reports
    it."""
    wanted = sorted(
        ledger.assertions.values() if assertions is None else assertions, key=lambda a: a.id
    )
    by_date: dict[str, list[Assertion]] = {}
    for a in wanted:
        if a.requirement in ledger.requirements and (a.case is None or a.case in ledger.cases):
            by_date.setdefault(a.as_of, []).append(a)
    checks: dict[str, AssertionCheck] = {}
    for as_of, group in by_date.items():
        then, _ = restrict(ledger, as_of)
        asked = {a.requirement for a in group}
        bearing: dict[str, list[Claim]] = {r: [] for r in asked}
        for claim in then.claims.values():  # one pass per date, whatever the assertions
            for req_id in claim.bears_on:
                if req_id in asked:
                    bearing[req_id].append(claim)
        derived: dict[tuple[str, str | None], AssertionCheck] = {}
        for a in group:
            subject = (a.requirement, a.case)
            if subject not in derived:  # each subject's status once per date
                verdict, causes = subject_verdict(then, *subject, bearing[a.requirement])
                derived[subject] = AssertionCheck(
                    a,
                    verdict.status.value,
                    verdict.line,
                    verdict.when,
                    tuple((cell, ids) for cell, ids in causes.items() if ids),
                )
            checks[a.id] = replace(derived[subject], assertion=a)
    return [checks[a.id] for a in wanted if a.id in checks]


def unchecked(ledger: Ledger) -> Diagnostic:
    """The one warning that the assertions went unchecked while a record file failed to
    load, at the first assertion's file: a check with records missing would blame the
    assertions for the broken file, so it is not made, and the reader is told so."""
    return make(
        "assertions-unchecked",
        min(ledger.paths[i] for i in ledger.assertions),
        "the status assertions were not checked, as a record file failed to load",
        "fix the files that failed to load (each listed as an error); `ledger validate` then "
        "checks the assertions",
        line=1,
        column=1,
    )


def assertion_failures(ledger: Ledger) -> Iterator[Diagnostic]:
    """An ``assertion-failed`` error at the ``status`` of each assertion that no longer
    holds. Nothing is derived when the ledger has no assertions."""
    if not ledger.assertions:
        return
    for check in judge(ledger):
        if check.holds:
            continue
        a = check.assertion
        yield make(
            "assertion-failed",
            ledger.paths[a.id],
            check.message(),
            f"if the change is meant, set `status: {check.status}` (and `date`, `reason`); "
            f"else fix the data. `ledger status {a.case or a.requirement} --as-of {a.as_of} "
            "--explain` shows the trace",
            field="status",
            anchor=(("status",), False),
        )
