"""Questions asked of the ledger: `show`, `list`, `xref`, `conflicts`, `gaps`, `search`,
`timeline` and `figures`.

Each command is one library call (:mod:`ledger.analysis.xref`, :mod:`ledger.analysis.query`) plus
rendering. The JSON of every command is the library result's ``to_dict()``, whose shape those
modules document. Ids typed by the user are resolved (exact, or a unique prefix) and an unknown id
exits 2 with "did you mean". The library is imported inside each command, so `ledger --help`
stays fast; the choices of the filter options are mirrored here for the same reason (a test
keeps them equal to the model's).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ledger.cli.replay import replayable
from ledger.cli.shared import (
    AsOfOption,
    OutputFormat,
    RevOption,
    RootOption,
    app,
    as_of_json,
    as_of_or_exit,
    complete_id,
    fail,
    fail_unresolved,
    from_index,
    layout_at,
    load_indexed,
    load_or_exit,
    restrict_to,
    show_restriction,
    unloaded_said,
    write_csv,
    write_json,
)
from ledger.records.kinds import FOLDERS, SINGULAR, folder_of
from ledger.records.vocabulary import ClaimKind, GapKind, Perspective, Stance

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ledger.analysis.asof import Restriction
    from ledger.analysis.query import Event, FigureGroup
    from ledger.analysis.status_report import ClaimRef, Contradiction, FigureView
    from ledger.analysis.xref import Link
    from ledger.records.ledger import Ledger


T = TypeVar("T")


# -- options shared by the commands --------------------------------------------------------


class RowFormat(StrEnum):
    human = "human"
    json = "json"
    csv = "csv"


LIST_KINDS: tuple[str, ...] = FOLDERS
"""The kinds `ledger list` takes (the singular works too)."""

FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="human or json (its shape is given above).")
]
RowFormatOption = Annotated[
    RowFormat,
    typer.Option("--format", "-f", help="human, json or csv (nothing cut; shapes above)."),
]


IdsOption = Annotated[
    bool,
    typer.Option(
        "--ids",
        help="Print only ids, one a line, each once, in the order shown (for xargs); not "
        "with --format.",
    ),
]
"""``--ids``: the records an answer names, one a line, for ``xargs`` and shell loops."""


def _write_ids(ids: Iterable[str], output: StrEnum) -> None:
    """Each id once, one a line, in order, and nothing else (ids match the schema's slug
    pattern; made visible all the same, so no data reaches the terminal as a control)."""
    from ledger.safe_text import visible

    if output.value != "human":
        fail(f"--ids prints ids alone: leave out --format {output.value}")
    seen = dict.fromkeys(visible(record_id) for record_id in ids)
    sys.stdout.write("".join(f"{record_id}\n" for record_id in seen))


def _id_argument(help_text: str, *, optional: bool = False) -> Any:
    return typer.Argument(
        metavar="[ID]" if optional else "ID",
        help=help_text,
        autocompletion=complete_id,
        show_default=False,
    )


def _id_option(name: str, help_text: str) -> Any:
    return typer.Option(
        name, metavar="ID", help=help_text, autocompletion=complete_id, show_default=False
    )


def _load(ctx: typer.Context, root: Path | None, rev: str | None) -> Ledger:
    """The ledger's records; queries need no cross-record diagnostics."""
    return load_or_exit(layout_at(ctx, rev, root), check=False).ledger


def _load_as_of(
    ctx: typer.Context, root: Path | None, rev: str | None, as_of: str | None
) -> tuple[Ledger, Restriction | None]:
    """The ledger's records, restricted to the as-of date when one is given."""
    date = as_of_or_exit(as_of)
    return restrict_to(_load(ctx, root, rev), date)


def _resolve_as_of(ledger: Ledger, restriction: Restriction | None, typed: str) -> str:
    """The id meant; with --as-of, an id the restriction left out says so and why."""
    from ledger.cli.shared import resolve_or_exit

    _left_out_as_of(restriction, ledger, typed)
    return resolve_or_exit(ledger, typed)


def _left_out_as_of(restriction: Restriction | None, ledger: Ledger, typed: str) -> None:
    """With --as-of, exit 2 saying why when the typed id is one the restriction left out."""
    if restriction is not None and ledger.get(typed) is None:
        reason = restriction.why_left_out(typed)
        if reason:
            fail(f"{typed} is left out as of {restriction.as_of}: {reason}")


def _whole(grid: Table, *columns: int) -> Table:
    """Keep these columns unwrapped (ids, dates, numbers): the other columns wrap instead."""
    for index in columns:
        grid.columns[index].no_wrap = True
    return grid


def _singular(kind: str | None) -> str:
    return SINGULAR[kind] if kind else "missing"


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


# -- show and xref -------------------------------------------------------------------------


@app.command()
@replayable
def show(
    ctx: typer.Context,
    record_id: Annotated[
        str,
        _id_argument("Any record: source, requirement, case or claim (a unique prefix will do)."),
    ],
    output: FormatOption = OutputFormat.human,
    root: RootOption = None,
    rev: RevOption = None,
    as_of: AsOfOption = None,
) -> None:
    """One record in full, whatever its kind, with what it references and everything that
    points to it.

    JSON: {"id", "kind", "path", "record": {the record's fields as in YAML}, "outbound": [Link],
    "inbound": [Link], "position"}, where Link = {"from_id", "from_kind", "to_id", "to_kind",
    "role", "detail"} and position, for a claim's quote or a requirement's wording found in
    its source, is {"source", "archive", "start", "end", "segments": [[start, end]]}:
    character offsets into the archived text (null otherwise).
    """
    from ledger.analysis.xref import LedgerRecords, Resolution, show_answer

    layout = layout_at(ctx, rev, root)
    date = as_of_or_exit(as_of)
    answer = from_index(layout, show_answer, record_id) if date is None else None
    restriction = None
    if answer is None:
        from ledger.records.load import position_of

        ledger, restriction = restrict_to(load_indexed(ctx, layout), date)
        _left_out_as_of(restriction, ledger, record_id)
        position = functools.partial(position_of, layout, ledger)
        answer = show_answer(LedgerRecords(ledger, position), record_id)
    if isinstance(answer, Resolution):
        fail_unresolved(layout, answer)
    shown = answer
    if output is OutputFormat.json:
        write_json("show", {**shown.to_dict(), **as_of_json(restriction)})
        return
    from ledger.cli.render import console, table

    show_restriction(restriction)
    out = console()
    _heading(out, shown.kind, shown.id, shown.path)
    grid = table("field", "value")
    grid.show_header = False
    for key, value in shown.record.items():
        if value in ([], {}, None):
            continue
        grid.add_row(_field_name(key), _value_text(value))
    if shown.position is not None:
        grid.add_row(_field_name("position"), _value_text(_position_text(shown.position)))
    out.print(grid)
    _links(out, shown.outbound, shown.inbound)


def _position_text(position: dict[str, Any]) -> str:
    """Where a quote stands, for people: the archive and the characters."""
    return f"{position['archive']}, characters {position['start']:,}-{position['end']:,}"


@app.command()
@replayable
def xref(
    ctx: typer.Context,
    record_id: Annotated[
        str,
        _id_argument(
            "Any record (a unique prefix will do). An id no record has still shows the "
            "records that point to it."
        ),
    ],
    output: FormatOption = OutputFormat.human,
    root: RootOption = None,
    rev: RevOption = None,
) -> None:
    """What a record references, and what references it, with the field each link comes from.

    JSON: {"id", "kind", "path", "outbound": [Link], "inbound": [Link]}; a missing target has
    "to_kind": null.
    """
    from ledger.analysis.xref import LedgerRecords, Resolution, xref_answer

    layout = layout_at(ctx, rev, root)
    answer = from_index(layout, xref_answer, record_id)
    if answer is None:
        ledger = load_indexed(ctx, layout)
        answer = xref_answer(LedgerRecords(ledger, lambda _id: None), record_id)
    if isinstance(answer, Resolution):
        fail_unresolved(layout, answer)
    report = answer
    if output is OutputFormat.json:
        write_json("xref", report.to_dict())
        return
    from ledger.cli.render import console, text

    out = console()
    _heading(out, report.kind, report.id, report.path)
    if report.kind is None:
        from ledger.analysis.xref import Match

        said = unloaded_said(layout, Resolution(report.id, None, None, Match.unknown))
        out.print(text(f"{said or 'no record has this id'}; these records point to it", "yellow"))
    _links(out, report.outbound, report.inbound)


def _heading(out: Console, kind: str | None, record_id: str, path: str | None) -> None:
    from ledger.cli.render import line, text

    out.print(line((_singular(kind), "dim"), "  ", (record_id, "bold")))
    if path:
        out.print(text(path, "dim"))


def _field_name(key: str) -> Text:
    from ledger.cli.render import text

    return text(key, "bold")


def _value_text(value: object) -> Text:
    """A field's value: scalars as they are, lists one item a line, mappings as key: value."""
    from ledger.cli.render import line, lines, text

    if isinstance(value, dict):
        return lines(*(line((f"{k}: ", "dim"), _inline(v)) for k, v in value.items()))
    if isinstance(value, list):
        return lines(*(line(("- ", "dim"), _inline(v)) for v in value))
    return text(value)


def _inline(value: object) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_inline(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_inline(v) for v in value)
    return str(value)


def _links(out: Console, outbound: Sequence[Link], inbound: Sequence[Link]) -> None:
    from ledger.cli.render import text

    for title, links, forward in (
        ("References", outbound, True),
        ("Referenced by", inbound, False),
    ):
        out.print()
        out.print(text(f"{title} ({len(links)})", "bold underline"))
        if links:
            out.print(_links_table(links, forward))
        else:
            out.print(text("  none", "dim"))


def _links_table(links: Sequence[Link], forward: bool) -> Table:
    from ledger.cli.render import table, text

    grid = _whole(table("role", "id", "kind", "detail"), 0, 1, 2)
    for link in links:
        other, kind = (link.to_id, link.to_kind) if forward else (link.from_id, link.from_kind)
        grid.add_row(
            text(link.role),
            text(other, "cyan"),
            text(_singular(kind), "" if kind else "yellow"),
            text(link.detail or ""),
        )
    return grid


# -- list ----------------------------------------------------------------------------------


def _complete_kind(incomplete: str) -> list[str]:
    return [k for k in LIST_KINDS if k.startswith(incomplete)]


@app.command("list")
@replayable
def list_(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND",
            help="sources, requirements, cases, claims or assertions (the singular works too).",
            autocompletion=_complete_kind,
            show_default=False,
        ),
    ],
    source: Annotated[
        str | None, _id_option("--source", "Claims from this source (or records with one).")
    ] = None,
    perspective: Annotated[
        Perspective | None,
        typer.Option(help="Sources of this perspective; claims from one (or records with one)."),
    ] = None,
    case: Annotated[
        str | None, _id_option("--case", "Claims about this case (or records with one).")
    ] = None,
    requirement: Annotated[
        str | None,
        _id_option("--requirement", "Claims bearing on this requirement (or records with one)."),
    ] = None,
    stance: Annotated[
        Stance | None,
        typer.Option(help="Claims with this stance (on --requirement if given, else on any)."),
    ] = None,
    claim_kind: Annotated[
        ClaimKind | None,
        typer.Option("--kind", help="Claims of this kind (or records with one)."),
    ] = None,
    output: RowFormatOption = RowFormat.human,
    ids_only: IdsOption = False,
    root: RootOption = None,
    rev: RevOption = None,
) -> None:
    """Records of one kind, by id, filtered. Filters combine with AND.

    On claims every filter applies to the claim (--perspective is its source's). On sources,
    cases and requirements a filter on the record's own field applies directly (a source's
    perspective; a case and a requirement that name each other); the other filters keep a
    record when at least one of its claims passes them all. On assertions only --requirement
    and --case apply (the ones they name); any other filter keeps none.

    JSON: {"kind", "filters": {name: value}, "records": [{the record's fields as in YAML}]}.
    CSV: one row per record, one column per field; lists joined with "; ", nested values as
    JSON.
    """
    from ledger.analysis import query
    from ledger.cli.shared import resolve_or_exit

    try:
        name = folder_of(kind.casefold())
    except ValueError:
        fail(f"unknown kind {kind!r}: expected one of {', '.join(LIST_KINDS)}")
    ledger = _load(ctx, root, rev)
    ids = {
        key: resolve_or_exit(ledger, typed, (kinds,))
        for key, typed, kinds in (
            ("source", source, "sources"),
            ("case", case, "cases"),
            ("requirement", requirement, "requirements"),
        )
        if typed is not None
    }
    try:
        listing = query.list_records(
            ledger,
            name,
            **ids,
            perspective=perspective.value if perspective else None,
            stance=stance.value if stance else None,
            claim_kind=claim_kind.value if claim_kind else None,
        )
    except ValueError as exc:
        fail(str(exc))
    if ids_only:
        _write_ids((record.id for record in listing.records), output)
    elif output is RowFormat.json:
        write_json("list", listing.to_dict())
    elif output is RowFormat.csv:
        _list_csv(name, listing.records)
    else:
        _list_human(name, listing.records, listing.filters)


def _list_csv(kind: str, records: Sequence[Any]) -> None:
    from ledger.records.model import RECORD_TYPES, records_data
    from ledger.safe_text import dumps

    fields = [
        info.alias or field_name for field_name, info in RECORD_TYPES[kind].model_fields.items()
    ]

    def cell(value: object) -> object:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return "; ".join(value)
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            return "; ".join(f"{k}={v}" for k, v in value.items())
        if isinstance(value, list | dict):
            return dumps(value, indent=None) if value else ""
        return value

    rows = (
        [cell(data.get(f)) for f in fields]
        for data in records_data(records, by_alias=True, exclude_none=True)
    )
    write_csv(fields, rows)


def _list_human(kind: str, records: Sequence[Any], filters: dict[str, str]) -> None:
    from ledger.cli.render import console, table, text

    out = console()
    if kind == "claims":
        for record in records:
            _claim_block(out, record)
    elif records:
        columns = _LIST_COLUMNS[kind]
        grid = _whole(table(*(name for name, _ in columns)), *range(len(columns) - 1))
        for record in records:
            grid.add_row(*(text(value(record)) for _, value in columns))
        out.print(grid)
    given = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in filters.items())
    summary = _count(len(records), SINGULAR[kind]) + (f" ({given})" if given else "")
    out.print(text(summary, "dim"))


_LIST_COLUMNS: dict[str, tuple[tuple[str, Callable[[Any], object]], ...]] = {
    "sources": (
        ("id", lambda r: r.id),
        ("published", lambda r: r.published),
        ("perspective", lambda r: r.perspective.value),
        ("kind", lambda r: r.kind.value),
        ("title", lambda r: r.title),
    ),
    "requirements": (
        ("id", lambda r: r.id),
        ("force", lambda r: r.force.value),
        ("FY", lambda r: r.fiscal_year),
        ("title", lambda r: r.title),
    ),
    "cases": (
        ("id", lambda r: r.id),
        ("kind", lambda r: r.kind.value),
        ("date", lambda r: r.date or ""),
        ("title", lambda r: r.title),
    ),
    "assertions": (
        ("id", lambda r: r.id),
        ("subject", lambda r: r.requirement if r.case is None else f"{r.case} / {r.requirement}"),
        ("status", lambda r: r.status.value),
        ("as of", lambda r: r.as_of),
        ("reason", lambda r: r.reason),
    ),
}
"""The table of `ledger list` for each kind but claims: the last column wraps."""


def _claim_block(out: Console, claim: Any) -> None:
    """A claim in two lines or more: its id and facts, then its statement, wrapped."""
    from ledger.cli.render import STANCE_STYLES, indented, line, text

    head = line((claim.id, "cyan"), (f"  {claim.kind.value} \u00b7 {claim.source}", "dim"))
    if claim.as_of:
        head.append_text(text(f" \u00b7 as of {claim.as_of}", "dim"))
    for req_id, stance in claim.bears_on.items():
        head.append_text(line(" \u00b7 ", req_id, " ", (stance.value, STANCE_STYLES[stance.value])))
    out.print(head)
    out.print(indented(text(claim.statement), 4))


# -- conflicts -----------------------------------------------------------------------------


@app.command()
@replayable
def conflicts(
    ctx: typer.Context,
    record_id: Annotated[
        str | None,
        _id_argument(
            "Only the pairs touching this claim, case, requirement or source (a unique prefix "
            "will do). Without it: every pair.",
            optional=True,
        ),
    ] = None,
    output: FormatOption = OutputFormat.human,
    ids_only: IdsOption = False,
    root: RootOption = None,
    rev: RevOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Claims that contradict each other, side by side: once per pair, the obligor's claim
    on the left, with the source, place and quoted words of each.

    --ids: every claim in a pair, each once (the left claim, then the right, pair by pair).

    JSON: {"record_id", "pairs": [{"left": ClaimRef, "right": ClaimRef, "declared_by": [id],
    "notes": [str], "cases": [id], "requirements": [id]}]}; ClaimRef as in `ledger status`.
    """
    from ledger.analysis import query

    ledger, restriction = _load_as_of(ctx, root, rev, as_of)
    wanted = _resolve_as_of(ledger, restriction, record_id) if record_id is not None else None
    report = query.conflicts(ledger, wanted)
    if ids_only:
        _write_ids((c.id for pair in report.pairs for c in (pair.left, pair.right)), output)
        return
    if output is OutputFormat.json:
        write_json("conflicts", {**report.to_dict(), **as_of_json(restriction)})
        return
    from ledger.cli.render import console, text

    show_restriction(restriction)
    out = console()
    touching = f" touching {wanted}" if wanted else ""
    if not report.pairs:
        counted = f" among the records counted as of {restriction.as_of}" if restriction else ""
        out.print(text(f"No contradictions recorded{touching}{counted}.", "dim"))
        return
    out.print(text(f"{_count(len(report.pairs), 'contradiction')}{touching}", "bold"))
    for number, pair in enumerate(report.pairs, 1):
        out.print()
        _pair(out, number, pair)


def _pair(out: Console, number: int, pair: Contradiction) -> None:
    from ledger.cli.render import table, text

    facts = [f"declared by {', '.join(pair.declared_by)}"]
    if pair.cases:
        facts.append(f"cases {', '.join(pair.cases)}")
    if pair.requirements:
        facts.append(f"bears on {', '.join(pair.requirements)}")
    out.print(text(f"{number}. " + " \u00b7 ".join(facts), "bold"))
    grid = table("", "")
    grid.show_header = False
    grid.add_row(_claim_cell(pair.left), _claim_cell(pair.right))
    out.print(grid)
    for note in pair.notes:
        out.print(text(f"  note: {note}", "dim"))


def _claim_cell(claim: ClaimRef) -> Text:
    from ledger.cli.render import line, lines, text

    side = f"{claim.perspective or '?'}, {claim.side or '?'}"
    return lines(
        line((claim.id, "cyan"), (f" ({side})", "dim")),
        text(f"{claim.source}, {claim.locator}", "dim"),
        line("\u201c", (claim.quote, "italic"), "\u201d"),
    )


# -- gaps ----------------------------------------------------------------------------------


@app.command()
@replayable
def gaps(
    ctx: typer.Context,
    gap_kind: Annotated[
        GapKind | None, typer.Option("--kind", help="Only gaps of this kind.")
    ] = None,
    output: FormatOption = OutputFormat.human,
    ids_only: IdsOption = False,
    root: RootOption = None,
    rev: RevOption = None,
) -> None:
    """Evidence gaps across the ledger, for a researcher to fill next: requirements with no
    evidence or only the obligor's word, cases no claim is about or heard from one side only,
    claims likely missing a contradicts/corroborates link to the other side, undated claims.

    --ids: the record each gap is about (its subject), each once.

    JSON: {"counts": {gap kind: n}, "gaps": [{"kind", "subject", "message", "related": [id]}]};
    with --kind, both hold that kind only.
    """
    from ledger.analysis import query

    report = query.gaps(_load(ctx, root, rev))
    if gap_kind is not None:
        report = query.GapReport(
            counts={gap_kind.value: report.counts.get(gap_kind.value, 0)},
            gaps=tuple(g for g in report.gaps if g.kind.value == gap_kind.value),
        )
    if ids_only:
        _write_ids((gap.subject for gap in report.gaps), output)
        return
    if output is OutputFormat.json:
        write_json("gaps", report.to_dict())
        return
    from ledger.cli.render import console, line, text

    out = console()
    out.print(text(" \u00b7 ".join(f"{n} {k}" for k, n in report.counts.items()), "dim"))
    by_kind: dict[str, list[str]] = {}
    for gap in report.gaps:
        by_kind.setdefault(gap.kind.value, []).append(gap.message)
    for kind, count in report.counts.items():
        if not count:
            continue
        out.print()
        out.print(text(f"{kind} ({count})", "bold underline"))
        for message in by_kind.get(kind, ()):
            out.print(line("  - ", message))


# -- search --------------------------------------------------------------------------------


@app.command()
@replayable
def search(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="TEXT",
            help="The phrase to find; several words are one phrase.",
            show_default=False,
        ),
    ],
    output: FormatOption = OutputFormat.human,
    ids_only: IdsOption = False,
    root: RootOption = None,
    rev: RevOption = None,
) -> None:
    """Find a phrase in claims' quotes, statements and attributions, cases' titles, aliases,
    summaries and places, requirements' titles and wording, and sources' titles and authors.
    Case, accents and spacing are ignored: `nochixtlan` finds Nochixtlán, `iguala` finds the
    Ayotzinapa case by its alias.

    JSON: {"query", "hits": [{"id", "kind", "field", "title", "snippet", "start", "end"}]};
    start and end are the match's offsets in snippet. --ids: each record matched, once.
    """
    from ledger.analysis import query

    phrase = " ".join(words)
    if not query.searchable(phrase):
        fail("give the words to find: a blank phrase matches nothing")
    result = query.search(_load(ctx, root, rev), phrase)
    if ids_only:
        _write_ids((hit.id for hit in result.hits), output)
        return
    if output is OutputFormat.json:
        write_json("search", result.to_dict())
        return
    from ledger.cli.render import console, indented, line, text

    out = console()
    out.print(
        line(
            (_count(len(result.hits), "match", "matches"), "bold"), " for \u201c", phrase, "\u201d"
        )
    )
    for hit in result.hits:
        out.print()
        out.print(line((hit.id, "cyan"), (f"  {_singular(hit.kind)} \u00b7 {hit.field}", "dim")))
        if hit.field not in ("title", "statement"):
            out.print(indented(text(hit.title, "dim"), 4))
        snippet = line(
            hit.snippet[: hit.start],
            (hit.snippet[hit.start : hit.end], "bold reverse"),
            hit.snippet[hit.end :],
        )
        out.print(indented(snippet, 4))


# -- timeline ------------------------------------------------------------------------------


@app.command()
@replayable
def timeline(
    ctx: typer.Context,
    record_id: Annotated[
        str | None,
        _id_argument(
            "Only this record's neighbourhood: a claim and the claims it relates to; a case's, "
            "requirement's or source's claims; with their cases and sources. A unique prefix "
            "will do.",
            optional=True,
        ),
    ] = None,
    output: FormatOption = OutputFormat.human,
    root: RootOption = None,
    rev: RevOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Dated claims (as_of), cases (date) and sources (published) in order; a year sorts
    before its months, a month before its days.

    JSON: {"record_id", "events": [{"date", "precision", "kind", "id", "label", "source",
    "cases": [id]}], "undated": [claim id]}.
    """
    from ledger.analysis import query

    ledger, restriction = _load_as_of(ctx, root, rev, as_of)
    wanted = _resolve_as_of(ledger, restriction, record_id) if record_id is not None else None
    report = query.timeline(ledger, wanted)
    if output is OutputFormat.json:
        write_json("timeline", {**report.to_dict(), **as_of_json(restriction)})
        return
    from ledger.cli.render import console, table, text

    show_restriction(restriction)
    out = console()
    if report.events:
        grid = _whole(table("date", "kind", "record"), 0, 1)
        for event in report.events:
            grid.add_row(*_event_row(event))
        out.print(grid)
    else:
        out.print(text("No dated records.", "dim"))
    if report.undated:
        undated = _count(len(report.undated), "claim")
        if wanted:
            out.print(text(f"{undated} without as_of: {', '.join(report.undated)}", "dim"))
        else:
            out.print(
                text(
                    f"{undated} without as_of (`ledger gaps --kind undated-claim` lists them).",
                    "dim",
                )
            )


def _event_row(event: Event) -> tuple[Text, ...]:
    from ledger.cli.render import line, lines, text

    source = f" \u00b7 {event.source}" if event.kind == "claim" and event.source else ""
    return (
        text(event.date),
        text(event.kind),
        lines(line((event.id, "cyan"), (source, "dim")), text(event.label)),
    )


# -- figures -------------------------------------------------------------------------------


@app.command()
@replayable
def figures(
    ctx: typer.Context,
    unit: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="Only units containing this (case, accents and plurals ignored).",
            show_default=False,
        ),
    ] = None,
    output: RowFormatOption = RowFormat.human,
    root: RootOption = None,
    rev: RevOption = None,
) -> None:
    """Structured figures by unit, then source, so competing numbers sit together. Units are
    grouped ignoring case, accents, punctuation and plurals.

    JSON: {"unit_filter", "groups": [{"key", "units": [str], "sources": [{"source", "title",
    "perspective", "side", "figures": [FigureView]}]}]}; FigureView as in `ledger status`.
    CSV: one row per figure.
    """
    from ledger.analysis import query

    report = query.figures(_load(ctx, root, rev), unit)
    if output is RowFormat.json:
        write_json("figures", report.to_dict())
    elif output is RowFormat.csv:
        _figures_csv(report.groups)
    else:
        _figures_human(report.groups, unit)


_FIGURE_COLUMNS = (
    "key",
    "unit",
    "qualifier",
    "value",
    "note",
    "source",
    "perspective",
    "side",
    "as_of",
    "claim",
    "locator",
    "cases",
)


def _figures_csv(groups: Sequence[FigureGroup]) -> None:
    rows = (
        [
            group.key,
            fig.unit,
            fig.qualifier.value,
            fig.value,
            fig.note,
            fig.source,
            fig.perspective.value if fig.perspective else None,
            fig.side.value if fig.side else None,
            fig.as_of,
            fig.claim,
            fig.locator,
            "; ".join(fig.cases),
        ]
        for group in groups
        for by_source in group.sources
        for fig in by_source.figures
    )
    write_csv(_FIGURE_COLUMNS, rows)


def _figures_human(groups: Sequence[FigureGroup], unit: str | None) -> None:
    from ledger.cli.render import console, line, table, text

    out = console()
    if not groups:
        matching = f" with a unit matching {unit!r}" if unit else ""
        out.print(text(f"No figures{matching}.", "dim"))
        return
    for number, group in enumerate(groups):
        if number:
            out.print()
        out.print(line(("; ".join(group.units) or group.key, "bold underline")))  # as written
        grid = _whole(table("value", "figure"), 0)
        grid.show_header = False
        for by_source in group.sources:
            for fig in by_source.figures:
                grid.add_row(text(_figure_value(fig)), _figure_cell(fig))
        out.print(grid)


def _figure_cell(fig: FigureView) -> Text:
    from ledger.cli.render import line, lines, text

    facts = [f"{fig.source} ({fig.perspective or '?'}, {fig.side or '?'})"]
    if fig.as_of:
        facts.append(f"as of {fig.as_of}")
    return lines(
        text(fig.unit + (f" ({fig.note})" if fig.note else "")),
        line((" \u00b7 ".join(facts) + " \u00b7 ", "dim"), (fig.claim, "cyan")),
    )


def _figure_value(fig: FigureView) -> str:
    from ledger.records.vocabulary import qualified

    return qualified(fig.value, fig.qualifier)
