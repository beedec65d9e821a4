"""Authoring: `ledger new source|requirement|case|claim`, `ledger locate` and `ledger link`.

Each command is one call to :mod:`ledger.authoring.new_records` (or :mod:`ledger.analysis.locate`)
plus prompts and rendering. Values come from flags; when a required one is missing and stdin is a
terminal, the command asks for it (:mod:`ledger.cli.prompts`), checking each answer as it is given
(ids resolve by unique prefix and tab-complete, a quote is verified against the archived text,
choices are listed). With ``--no-input``, or when stdin is not a terminal, a missing value is
a usage error (exit 2). Ctrl-C or Ctrl-D at any prompt cancels with nothing written (exit 130).

Exit codes: 0 written (or nothing to do), 1 refused (the record would break the ledger, a
quote is not in its source, a file exists, another writer took the id first), 2 usage, or
another writer held the ledger's write lock for too long, 130 cancelled.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar, cast

import typer

from ledger.cli.prompts import (
    Bad,
    DryRunOption,
    NoInputOption,
    Prompter,
    cancellable,
    choice_of,
    date_answer,
    fail_lines,
    missing_values,
    plain_answer,
    session,
    text_answer,
    year_answer,
)
from ledger.cli.requirement_fields import (
    FiscalYearOption,
    InstrumentOption,
    ObligorOption,
    check_fiscal_year,
)
from ledger.cli.shared import (
    EXIT_FINDINGS,
    EXIT_USAGE,
    OutputFormat,
    RootOption,
    app,
    complete_ids,
    fail,
    layout_of,
    write_json,
)
from ledger.records.vocabulary import (
    CaseKind,
    ClaimKind,
    Force,
    Perspective,
    RelationKind,
    SourceKind,
    Stance,
)

if TYPE_CHECKING:
    from ledger.analysis.locate import Passage
    from ledger.authoring.new_records import Refused, Written
    from ledger.authoring.workspace import Workspace
    from ledger.authoring.writelock import LockFailure
    from ledger.records.diagnostics import Diagnostic
    from ledger.records.root import Layout

new_app = typer.Typer(
    name="new",
    help="Add a source, requirement, case or claim as canonical YAML, checked before it is "
    "written.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(new_app, name="new")


T = TypeVar("T")

STANCES = tuple(stance.value for stance in Stance)


# -- completion and options ---------------------------------------------------------------


IdOption = Annotated[
    str | None,
    typer.Option(
        "--id",
        metavar="ID",
        help="The new record's id (checked to be unused). Default: a slug of the text and a "
        "short random suffix, so ids added on two branches do not collide.",
        show_default=False,
    ),
]
TitleOption = Annotated[str | None, typer.Option(metavar="TEXT", help="A short neutral title.")]
NotesOption = Annotated[
    str | None, typer.Option(metavar="TEXT", help="Judgement calls a reviewer should see.")
]
QuotedSourceOption = Annotated[
    str | None,
    typer.Option(
        "--source",
        metavar="ID",
        help="The source the words are quoted from (a unique prefix will do).",
        autocompletion=complete_ids("sources"),
        show_default=False,
    ),
]
LocatorOption = Annotated[
    str | None,
    typer.Option(
        metavar="TEXT",
        help="Where in the source. Default: derived from where the quoted words stand "
        "(heading and paragraph).",
        show_default=False,
    ),
]
CasesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--case",
        metavar="ID",
        help="A case it is about (repeat, or separate with commas).",
        autocompletion=complete_ids("cases"),
    ),
]


def _resolve(ws: Workspace, typed: str, kind: str) -> str | Bad:
    from ledger.analysis.xref import resolve_among

    found = resolve_among({kind: ws.ids(kind)}, ws.kind_of, typed, (kind,))
    return found.id if found.id is not None else Bad(found.message)


def _ids(ws: Workspace, kind: str) -> Callable[[str], list[str] | Bad]:
    """A comma-separated list of ids of one kind, each resolved (a unique prefix will do)."""

    def check(answer: str) -> list[str] | Bad:
        from ledger.authoring.new_records import split_list, unique

        resolved = []
        for typed in split_list(answer):
            found = _resolve(ws, typed, kind)
            if isinstance(found, Bad):
                return found
            resolved.append(found)
        return unique(resolved)

    return check


def _resolve_flags(ws: Workspace, given: list[str], kind: str, flag: str) -> list[str]:
    """Ids given on the command line (repeated, or comma-separated), resolved or exit 2."""
    from ledger.authoring.new_records import split_list, unique

    out = []
    for value in given:
        for typed in split_list(value):
            found = _resolve(ws, typed, kind)
            if isinstance(found, Bad):
                fail(f"{flag} {typed}: {found.message}")
            out.append(found)
    return unique(out)


def _new_id(ws: Workspace, given: str | None, proposal: str, prompter: Prompter) -> str:
    from ledger.authoring.new_records import id_problem

    if given is not None:
        problem = id_problem(given, ws.taken)
        if problem:
            fail(problem, EXIT_FINDINGS if given in ws.taken else EXIT_USAGE)
        return given
    if not prompter.interactive:
        return proposal

    def check(answer: str) -> str | Bad:
        problem = id_problem(answer, ws.taken)
        return Bad(problem) if problem else answer

    return prompter.ask("Id", check, default=proposal, hint="Enter keeps the one proposed")


# -- shared steps -------------------------------------------------------------------------


def _workspace(
    ctx: typer.Context, layout: Layout, prompter: Prompter | None = None, dry_run: bool = False
) -> Workspace:
    """The ledger to add to. Outside a session, only the records the command needs are read
    when the index of these very files is kept; a dry run that loaded the ledger whole keeps
    that index once its answer is out, so the run that writes reads only what it needs."""
    from ledger.authoring.workspace import keep_index, open_workspace
    from ledger.gcpause import kept_to_the_end

    indexed = prompter is None or not prompter.interactive
    with kept_to_the_end():  # the ledger loaded to check against lives until the command ends
        ws = open_workspace(layout, indexed=indexed)
    if isinstance(ws, str):
        fail(ws)
    ctx.call_on_close(ws.close)
    if dry_run and ws.loaded is not None:
        opened = ws

        def keep() -> None:
            sys.stdout.flush()
            keep_index(opened)

        ctx.call_on_close(keep)
    return ws


@contextmanager
def _steady() -> Iterator[None]:
    """The data folder gone while a writer read records as the kept index names them (it
    then loads the ledger whole, and finds none): one line, nothing written, exit 2."""
    from ledger.authoring.workspace import LedgerGone

    try:
        yield
    except LedgerGone as gone:
        fail(f"{gone}; nothing was written")


def _notes(ws: Workspace, source_id: str) -> str:
    """A source's notes (where its locator scheme is defined, when it has one)."""
    return getattr(ws.record(source_id), "notes", None) or ""


def _refused(refused: Refused | LockFailure) -> NoReturn:
    from ledger.authoring.writelock import LockFailure
    from ledger.safe_text import visible

    if isinstance(refused, LockFailure):
        fail(refused.message, EXIT_USAGE)

    sys.stderr.write(f"ledger: {visible(refused.message)}\n")
    if refused.hint and not refused.diagnostics:
        sys.stderr.write(f"  hint: {visible(refused.hint)}\n")
    _diagnostics(refused.diagnostics, refused.text)
    sys.stderr.write("nothing was written\n")
    raise typer.Exit(EXIT_FINDINGS)


def _diagnostics(diagnostics: Sequence[Diagnostic], text: str) -> None:
    """Diagnostics of a record not yet written, each shown in the text that would be."""
    from ledger.records.diagnostic_format import human

    if diagnostics:
        lines = text.split("\n")

        def read_line(_path: Path, number: int) -> str | None:
            return lines[number - 1] if 0 < number <= len(lines) else None

        sys.stderr.write(human(list(diagnostics), Path("."), read_line=read_line) + "\n")


def _finish(
    preview: Written | Refused | LockFailure,
    prompter: Prompter,
    dry_run: bool,
    write: Callable[[], Written | Refused | LockFailure],
    note: str | None = None,
) -> None:
    """Refuse, show a dry run, or (after confirming, in a session) write; then say what was
    written and print the new id on stdout."""
    from ledger.authoring.new_records import Written
    from ledger.safe_text import visible

    if not isinstance(preview, Written):
        _refused(preview)
    _diagnostics(preview.warnings, preview.text)  # what validate will warn about
    if dry_run:
        sys.stdout.write(visible(preview.text, keep_newlines=True))
        return
    if prompter.interactive:
        prompter.say(f"\n--- {preview.path}\n{preview.text}---")
        prompter.confirm("Write it?")
    written = write()
    if not isinstance(written, Written):
        _refused(written)
    extra = f" and {written.archive}" if written.archive else ""
    prompter.say(f"created {written.kind[:-1]} {written.id}: {written.path}{extra}")
    if note:
        prompter.say(note)
    sys.stdout.write(f"{written.id}\n")


# -- ledger new source --------------------------------------------------------------------


@new_app.command("source")
def new_source(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="The document: plain text (archived as is), HTML (reduced to its text) or "
            "PDF (through pdftotext, when it is installed).",
            show_default=False,
        ),
    ],
    title: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="The document's own title.", show_default=False),
    ] = None,
    author: Annotated[
        list[str] | None,
        typer.Option(
            "--author",
            metavar="NAME",
            help="An author the document names (repeat for several).",
            show_default=False,
        ),
    ] = None,
    published: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Publication date: YYYY, YYYY-MM or YYYY-MM-DD.",
            show_default=False,
        ),
    ] = None,
    kind: Annotated[SourceKind | None, typer.Option("--kind", help="What the document is.")] = None,
    perspective: Annotated[
        Perspective | None,
        typer.Option(help="Whose voice: government, civil-society, court, and so on."),
    ] = None,
    speaks_for: Annotated[
        str | None,
        typer.Option(
            "--speaks-for",
            metavar="PARTY",
            help="The party it speaks for, e.g. 'Government of Mexico'. A source that speaks "
            "for a requirement's obligor, written exactly as the requirement names it, is the "
            "obligor's own; every other source is independent.",
            show_default=False,
        ),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(metavar="CODE", help="Language code, e.g. en or es.", show_default=False),
    ] = None,
    url: Annotated[str | None, typer.Option(metavar="URL", help="Where it was published.")] = None,
    notes: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="How it was dated, its locator scheme, caveats."),
    ] = None,
    record_id: IdOption = None,
    no_input: NoInputOption = False,
    dry_run: DryRunOption = False,
    root: RootOption = None,
) -> None:
    """Archive a document's text in the data folder's sources/, pin its SHA-256 and write its
    source record. Prints the new id on stdout.

    The archived text is what quotes are checked against: plain text is kept byte for byte;
    HTML loses its markup (scripts and styles dropped, each block a paragraph); a PDF goes
    through pdftotext (poppler-utils). A converted document's notes say how its text was made.
    """
    from ledger.authoring.new_records import (
        archive_path,
        conversion_note,
        create_source,
        generate_id,
        split_list,
        unique,
    )
    from ledger.authoring.text_extract import ExtractError, extract

    required = {
        "--title": title,
        "--published": published,
        "--kind": kind,
        "--perspective": perspective,
        "--language": language,
    }
    prompter = session(no_input, [k for k, v in required.items() if v is None])
    with cancellable(), _steady():
        ws = _workspace(ctx, layout_of(ctx, root), prompter, dry_run)
        extracted = extract(file)
        if isinstance(extracted, ExtractError):
            hint = [f"  hint: {extracted.hint}"] if extracted.hint else []
            fail_lines([extracted.message, *hint], EXIT_USAGE)
        ask = prompter.ask
        if title is None:
            title = ask("Title", text_answer(), default=extracted.title)
        if author is None and prompter.interactive:
            author = ask("Authors", _list, hint="those the document names, separated by ';'")
        if published is None:
            published = ask("Published", date_answer(True), hint="YYYY, YYYY-MM or YYYY-MM-DD")
        source_kind = kind.value if kind else None
        if source_kind is None:
            values = [k.value for k in SourceKind]
            source_kind = ask("Kind", choice_of(values), hint=", ".join(values))
        view = perspective.value if perspective else None
        if view is None:
            values = [p.value for p in Perspective]
            view = ask("Perspective", choice_of(values), hint=", ".join(values))
        if speaks_for is None and prompter.interactive:
            speaks_for = _ask_speaks_for(prompter, ws)
        if language is None:
            language = ask("Language", text_answer(), default="en")
        if url is None and prompter.interactive:
            url = ask("URL", text_answer(required=False), hint="blank for none")
        if notes is None and prompter.interactive:
            notes = ask(
                "Notes", text_answer(False), hint="how it was dated, caveats; blank for none"
            )
        note = conversion_note(extracted, file)
        notes = " ".join(n for n in (notes, note) if n) or None
        proposal = generate_id(title or "source", ws.taken)
        new_id = _new_id(ws, record_id, proposal, prompter)
        authors = unique(a for value in author or [] for a in split_list(value, ";"))
        values = {
            "id": new_id,
            "title": title,
            "authors": authors,
            "published": published,
            "kind": source_kind,
            "perspective": view,
            "speaks_for": speaks_for,
            "language": language,
            "url": url,
            "notes": notes,
        }
        archive_at = _in_place(ws.layout, file, extracted.method) or archive_path(ws, new_id)
        preview = create_source(ws, extracted, values, dry_run=True, archive_at=archive_at)
        _finish(
            preview,
            prompter,
            dry_run,
            lambda: create_source(ws, extracted, values, archive_at=archive_at),
        )


def _ask_speaks_for(prompter: Prompter, ws: Workspace) -> str | None:
    """Whom the source speaks for; the ledger's obligors complete, and none is the default, so
    that Enter never makes a source the obligor's own."""
    from ledger.analysis.status import obligors
    from ledger.records.ledger import Ledger

    names = sorted(obligors(Ledger(requirements=ws.table("requirements"))))  # type: ignore[arg-type]
    own = f"{' or '.join(names)}, exactly, if it is the obligor's own word; " if names else ""
    return prompter.ask(
        "Speaks for",
        text_answer(required=False),
        hint=f"the party it speaks for: {own}blank for none",
        words=names,
    )


def _list(answer: str) -> list[str] | Bad:
    from ledger.authoring.new_records import split_list

    items = split_list(answer, ";")
    for item in items:
        plain = plain_answer(item)
        if isinstance(plain, Bad):
            return plain
    return items


def _in_place(layout: Layout, file: Path, method: str) -> Path | None:
    """A text file already in the sources folder is archived where it is."""
    folder = (layout.data / "sources").resolve()
    resolved = file.resolve()
    return resolved if method == "text" and resolved.parent == folder else None


# -- ledger new case ----------------------------------------------------------------------


@new_app.command("case")
def new_case(
    ctx: typer.Context,
    title: TitleOption = None,
    kind: Annotated[CaseKind | None, typer.Option("--kind", help="What the case is.")] = None,
    summary: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT", help="One neutral paragraph attributing each point to its source."
        ),
    ] = None,
    alias: Annotated[
        list[str] | None,
        typer.Option(
            "--alias", metavar="NAME", help="Another name people search by (repeat for several)."
        ),
    ] = None,
    date: Annotated[
        str | None, typer.Option(metavar="DATE", help="When it happened, as a source gives it.")
    ] = None,
    place: Annotated[str | None, typer.Option(metavar="TEXT", help="Where it happened.")] = None,
    requirement: Annotated[
        list[str] | None,
        typer.Option(
            "--requirement",
            metavar="ID",
            help="A requirement the case concerns (repeat, or separate with commas).",
            autocompletion=complete_ids("requirements"),
        ),
    ] = None,
    notes: NotesOption = None,
    record_id: IdOption = None,
    no_input: NoInputOption = False,
    dry_run: DryRunOption = False,
    root: RootOption = None,
) -> None:
    """Add a case (an incident or matter that claims are about). Prints the new id on stdout."""
    from ledger.authoring.new_records import create, generate_id, record_path, split_list, unique

    required = {"--title": title, "--kind": kind, "--summary": summary}
    prompter = session(no_input, [k for k, v in required.items() if v is None])
    with cancellable(), _steady():
        ws = _workspace(ctx, layout_of(ctx, root), prompter, dry_run)
        ask = prompter.ask
        if title is None:
            title = ask("Title", text_answer())
        case_kind = kind.value if kind else None
        if case_kind is None:
            values = [k.value for k in CaseKind]
            case_kind = ask("Kind", choice_of(values), hint=", ".join(values))
        if summary is None:
            summary = ask(
                "Summary", text_answer(), hint="neutral; attribute each point to its source"
            )
        if alias is None and prompter.interactive:
            alias = ask("Aliases", _list, hint="names people search by, separated by ';'")
        if date is None and prompter.interactive:
            date = ask("Date", date_answer(False), hint="as a source gives it; blank if none does")
        if place is None and prompter.interactive:
            place = ask("Place", text_answer(required=False), hint="blank if no source gives one")
        if requirement is not None:
            requirements = _resolve_flags(ws, requirement, "requirements", "--requirement")
        elif prompter.interactive:
            requirements = ask(
                "Requirements",
                _ids(ws, "requirements"),
                hint="ids the case concerns, comma-separated; blank for none",
                words=list(ws.ids("requirements")),
            )
        else:
            requirements = []
        new_id = _new_id(ws, record_id, generate_id(title or "case", ws.taken), prompter)
        values = {
            "id": new_id,
            "title": title,
            "kind": case_kind,
            "aliases": unique(a for value in alias or [] for a in split_list(value, ";")),
            "date": date,
            "place": place,
            "summary": summary,
            "requirements": requirements,
            "notes": notes,
        }
        path = record_path(ws, "cases", new_id)
        preview = create(ws, "cases", values, path, dry_run=True)
        _finish(preview, prompter, dry_run, lambda: create(ws, "cases", values, path))


# -- ledger new requirement --------------------------------------------------------------


@new_app.command("requirement")
def new_requirement(
    ctx: typer.Context,
    title: TitleOption = None,
    text: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="The requirement's wording, exactly as its source gives it (' ... ' skips "
            "text); verified before writing.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        Force | None,
        typer.Option(
            "--force",
            help="condition (a statutory condition on funds) or expectation (report language "
            "such as 'The Committee expects ...').",
            show_default=False,
        ),
    ] = None,
    obligor: ObligorOption = None,
    instrument: InstrumentOption = None,
    fiscal_year: FiscalYearOption = None,
    source: QuotedSourceOption = None,
    locator: LocatorOption = None,
    case: CasesOption = None,
    notes: NotesOption = None,
    record_id: Annotated[
        str | None,
        typer.Option(
            "--id",
            metavar="ID",
            help="The new requirement's id (checked to be unused). Default: requirement-N, "
            "after the highest N in use.",
            show_default=False,
        ),
    ] = None,
    no_input: NoInputOption = False,
    dry_run: DryRunOption = False,
    root: RootOption = None,
) -> None:
    """Add a requirement: a condition or expectation the obligor is judged against, with its
    wording quoted from a source. Prints the new id on stdout.

    The wording is verified against the source's archived text before anything is written,
    as a claim's quote is. Obligor, instrument and fiscal year default to ledger.toml's
    [defaults] (docs/ledger-toml.md); in a terminal they are offered as the answer Enter takes.
    """
    from ledger.authoring.new_records import create, next_requirement_id, record_path

    layout = layout_of(ctx, root)
    shared = layout.defaults
    given = {
        "obligor": (obligor, shared.obligor),
        "instrument": (instrument, shared.instrument),
        "fiscal_year": (fiscal_year, shared.fiscal_year),
    }
    required = {"--title": title, "--text": text, "--force": force, "--source": source}
    for key, (value, default) in given.items():
        flag = f"--{key.replace('_', '-')} (or [defaults] {key} in ledger.toml)"
        required[flag] = default if value is None else value
    prompter = session(no_input, [k for k, v in required.items() if v is None])
    check_fiscal_year(fiscal_year)
    defaulted = [k for k, (v, _d) in given.items() if v is None and not prompter.interactive]
    with cancellable(), _steady():
        ws = _workspace(ctx, layout, prompter, dry_run)
        ask = prompter.ask
        source_id = _quoted_source(ws, source, prompter)
        wording = _verbatim(ws, source_id, text, prompter, "wording")
        where = _locator(ws, source_id, wording, locator, prompter)
        if title is None:
            title = ask("Title", text_answer(), hint="short and neutral")
        force_value = force.value if force else None
        if force_value is None:
            values = [f.value for f in Force]
            force_value = ask(
                "Force",
                choice_of(values),
                hint="condition: a statutory condition on funds; expectation: report language "
                "such as 'The Committee expects ...'",
            )
        if obligor is None:
            obligor = _shared(prompter, "Obligor", text_answer(), shared.obligor, "whose conduct")
        if instrument is None:
            instrument = _shared(
                prompter, "Instrument", text_answer(), shared.instrument, "the law or report"
            )
        if fiscal_year is None:
            fiscal_year = _shared(prompter, "Fiscal year", year_answer, shared.fiscal_year, "YYYY")
        cases = _cases(ws, case, prompter)
        new_id = _new_id(ws, record_id, next_requirement_id(ws.taken), prompter)
        values = {
            "id": new_id,
            "title": title,
            "text": wording,
            "force": force_value,
            "obligor": obligor,
            "instrument": instrument,
            "fiscal_year": fiscal_year,
            "source": source_id,
            "locator": where,
            "cases": cases,
            "notes": notes,
        }
        path = record_path(ws, "requirements", new_id)
        preview = create(ws, "requirements", values, path, dry_run=True)
        note = f"  {', '.join(defaulted)} from ledger.toml's [defaults]" if defaulted else None
        _finish(preview, prompter, dry_run, lambda: create(ws, "requirements", values, path), note)


def _shared(
    prompter: Prompter, label: str, check: Callable[[str], T | Bad], default: T | None, hint: str
) -> T:
    """A value most requirements share: ledger.toml's default (checked when the file was
    read), or in a terminal, asked with the default as the answer Enter takes."""
    if default is not None and not prompter.interactive:
        return default
    return prompter.ask(label, check, default=None if default is None else str(default), hint=hint)


# -- ledger new claim ---------------------------------------------------------------------


@new_app.command("claim")
def new_claim(
    ctx: typer.Context,
    source: QuotedSourceOption = None,
    quote: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="The source's exact words (' ... ' skips text); verified before writing.",
            show_default=False,
        ),
    ] = None,
    locator: LocatorOption = None,
    statement: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="One neutral sentence: 'The memo says that ...'.",
            show_default=False,
        ),
    ] = None,
    kind: Annotated[
        ClaimKind | None, typer.Option("--kind", help="What kind of assertion it is.")
    ] = None,
    case: CasesOption = None,
    bears_on: Annotated[
        list[str] | None,
        typer.Option(
            "--bears-on",
            metavar="REQ=STANCE",
            help="A requirement and the claim's stance on it: supports, undermines or context "
            "(repeat for several).",
        ),
    ] = None,
    contradicts: Annotated[
        list[str] | None,
        typer.Option(
            "--contradicts",
            metavar="CLAIM",
            help="A claim this one contradicts (short for --relation contradicts=CLAIM).",
            autocompletion=complete_ids("claims"),
        ),
    ] = None,
    relation: Annotated[
        list[str] | None,
        typer.Option(
            "--relation",
            metavar="KIND=CLAIM",
            help="A link to another claim: contradicts, corroborates, responds-to or repeats.",
        ),
    ] = None,
    attributed_to: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Whom the source relays ('official numbers', 'CNDH')."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="The date the claim speaks for, when the text gives it."),
    ] = None,
    figure: Annotated[
        list[str] | None,
        typer.Option(
            "--figure",
            metavar="[QUALIFIER] VALUE UNIT",
            help="A number the claim states, e.g. 'more-than 10,000 complaints of torture' "
            "(qualifier: exactly, about, at-least, more-than, at-most, fewer-than).",
        ),
    ] = None,
    notes: NotesOption = None,
    record_id: IdOption = None,
    no_input: NoInputOption = False,
    dry_run: DryRunOption = False,
    root: RootOption = None,
) -> None:
    """Add a claim: one statement made by one source, with its exact words. Prints the new id
    on stdout.

    The quote is verified against the source's archived text before anything is written; in
    a session, words that are not an exact quote are looked up as `ledger locate` does and the
    passages offered. The locator defaults to where the quote stands. A claim needs a case or
    a requirement (--case or --bears-on).
    """
    from ledger.authoring.new_records import claim_path, claim_prefix, create, generate_id

    required = {"--source": source, "--quote": quote, "--statement": statement, "--kind": kind}
    missing = [k for k, v in required.items() if v is None]
    if not case and not bears_on:
        missing.append("--case or --bears-on")
    prompter = session(no_input, missing)
    with cancellable(), _steady():
        ws = _workspace(ctx, layout_of(ctx, root), prompter, dry_run)
        ask = prompter.ask
        source_id = _quoted_source(ws, source, prompter)
        quote_text = _verbatim(ws, source_id, quote, prompter)
        where = _locator(ws, source_id, quote_text, locator, prompter)
        if statement is None:
            statement = ask(
                "Statement", text_answer(), hint="one neutral sentence: 'The memo says ...'"
            )
        claim_kind = kind.value if kind else None
        if claim_kind is None:
            values = [k.value for k in ClaimKind]
            claim_kind = ask("Kind", choice_of(values), hint=", ".join(values))
        cases = _cases(ws, case, prompter)
        stances = _claim_stances(ws, cases, bears_on, prompter)
        relations = _claim_relations(ws, contradicts, relation, prompter)
        figures = [_figure(value) for value in figure or []]
        if as_of is not None and isinstance(date_answer(True)(as_of), Bad):
            fail(f"--as-of {as_of}: not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
        proposal = generate_id(
            statement or "claim",
            ws.taken,
            prefix=claim_prefix(ws, source_id),
            statement=True,
        )
        new_id = _new_id(ws, record_id, proposal, prompter)
        values = {
            "id": new_id,
            "source": source_id,
            "locator": where,
            "quote": quote_text,
            "statement": statement,
            "kind": claim_kind,
            "cases": cases,
            "bears_on": stances,
            "attributed_to": attributed_to,
            "as_of": as_of,
            "figures": figures,
            "relations": [{k: t} for k, t in relations],
            "notes": notes,
        }
        path = claim_path(ws, source_id, new_id)
        preview = create(ws, "claims", values, path, dry_run=True)
        derived = None
        if locator is None and not prompter.interactive:
            derived = f"  locator '{where}' is where the quote stands"
            if "ocator" in _notes(ws, source_id):
                derived += f"; check it against the source's notes (`ledger show {source_id}`)"
        _finish(preview, prompter, dry_run, lambda: create(ws, "claims", values, path), derived)


def _quoted_source(ws: Workspace, given: str | None, prompter: Prompter) -> str:
    def check(answer: str) -> str | Bad:
        found = _resolve(ws, answer, "sources")
        if isinstance(found, Bad):
            return found
        if ws.source_text(found) is None:
            return Bad(
                f"the archived text of {found} is missing or does not match its hash: "
                "`ledger validate` says which; no quote can be checked against it"
            )
        return found

    if given is not None:
        found = check(given)
        if isinstance(found, Bad):
            fail(f"--source {given}: {found.message}")
        return found
    return prompter.ask("Source", check, words=list(ws.ids("sources")))


def _verbatim(
    ws: Workspace, source_id: str, given: str | None, prompter: Prompter, what: str = "quote"
) -> str:
    """A claim's quote or a requirement's wording, verified to stand in the source's text;
    given words that do not stand there are refused (exit 1), typed ones looked up."""
    from ledger.authoring.new_records import verify_quote

    if given is not None:
        match = verify_quote(ws, source_id, given)
        if isinstance(match, str):
            fail(match, EXIT_FINDINGS)
        if not match.found:
            hint = (
                f'the closest passage is: "{match.closest}"'
                if match.closest and not match.out_of_order
                else "put the parts separated by '...' in the order of the source"
                if match.out_of_order
                else "no close passage found within the search budget"
                if match.out_of_budget
                else f'find the exact words with `ledger locate {source_id} "some words"`'
            )
            fail_lines(
                [
                    f'the {what} is not found in {source_id}: "{match.missing}"',
                    f"  hint: {hint}",
                    f'  `ledger locate {source_id} "some words"` prints quotes that verify',
                    "nothing was written",
                ],
                EXIT_FINDINGS,
            )
        return " ".join(given.split())
    return _ask_verbatim(ws, source_id, prompter, what)


def _ask_verbatim(ws: Workspace, source_id: str, prompter: Prompter, what: str) -> str:
    """Ask for the words; words that are not verbatim are looked up and passages offered."""
    from ledger.analysis.locate import Source, locate
    from ledger.authoring.new_records import verify_quote

    searchable: Source | None = None  # folded only when some words are not verbatim
    while True:
        words = prompter.ask(
            what.capitalize(), text_answer(), hint="the exact words, or some words to find them"
        )
        match = verify_quote(ws, source_id, words)
        if not isinstance(match, str) and match.found:
            prompter.say(f"  the {what} is in the source")
            return words
        searchable = searchable or Source(ws.source_text(source_id) or "")
        found = locate(searchable, words, limit=5)
        if not found:
            prompter.say("  no passage matches those words; try others")
            continue
        prompter.say("  not verbatim; the closest passages:")
        for number, passage in enumerate(found, 1):
            prompter.say(f"  {number}. {passage.locator}: {passage.quote}")
        choices = [str(n) for n in range(len(found) + 1)]
        picked = prompter.ask(
            "Use passage", choice_of(choices), default="1", hint="0 to type the words again"
        )
        if picked != "0":
            return found[int(picked) - 1].quote


def _locator(
    ws: Workspace, source_id: str, quote: str, given: str | None, prompter: Prompter
) -> str:
    from ledger.analysis.locate import locator_for_quote

    if given is not None:
        plain = plain_answer(given)
        if isinstance(plain, Bad):
            fail(f"--locator: {plain.message}")
        return plain
    derived = locator_for_quote(ws.source_text(source_id) or "", quote)
    notes = _notes(ws, source_id)
    if "ocator" in notes and prompter.interactive:
        prompter.say(
            f"  note: {source_id}'s notes define its locator scheme (`ledger show {source_id}`)"
        )
    if not prompter.interactive:
        if derived is None:
            missing_values(["--locator"])
        return derived
    return prompter.ask("Locator", text_answer(), default=derived, hint="heading and paragraph")


def _cases(ws: Workspace, given: list[str] | None, prompter: Prompter) -> list[str]:
    if given is not None:
        return _resolve_flags(ws, given, "cases", "--case")
    if not prompter.interactive:
        return []

    return prompter.ask(
        "Cases",
        _ids(ws, "cases"),
        hint="ids, comma-separated; Tab completes; blank for none",
        words=list(ws.ids("cases")),
    )


def _claim_stances(
    ws: Workspace, cases: list[str], given: list[str] | None, prompter: Prompter
) -> dict[str, str]:
    from ledger.authoring.new_records import parse_stance, split_list

    def parse_all(pieces: list[str]) -> dict[str, str] | Bad:
        out: dict[str, str] = {}
        for piece in pieces:
            pair = parse_stance(piece)
            if isinstance(pair, str):
                return Bad(pair)
            found = _resolve(ws, pair[0], "requirements")
            if isinstance(found, Bad):
                return found
            out[found] = pair[1]
        return out

    if given is not None:
        parsed = parse_all([p for value in given for p in split_list(value)])
        if isinstance(parsed, Bad):
            fail(f"--bears-on: {parsed.message}")
        return parsed
    if not prompter.interactive:
        return {}
    stances: dict[str, str] = {}
    named = [ws.record(c) for c in cases]
    suggested = [
        r
        for r, req in ws.table("requirements").items()
        if any(c in req.cases for c in cases)  # type: ignore[attr-defined]
        or any(r in case.requirements for case in named)  # type: ignore[union-attr]
    ]
    for req in suggested:
        answer = prompter.ask(
            f"Stance on {req}",
            lambda a: choice_of(list(STANCES))(a) if a else None,
            hint=f"{', '.join(STANCES)}; blank if the claim does not bear on it",
        )
        if answer:
            stances[req] = answer

    def more(answer: str) -> dict[str, str] | Bad:
        parsed = parse_all(split_list(answer))
        if isinstance(parsed, Bad):
            return parsed
        if not parsed and not stances and not cases:
            return Bad("a claim needs a case or a requirement: name at least one requirement")
        return parsed

    label = "Other requirements" if suggested else "Bears on"
    stances.update(
        prompter.ask(
            label,
            more,
            hint=f"REQUIREMENT=STANCE, comma-separated; {'/'.join(STANCES)}; blank for none",
            words=list(ws.ids("requirements")),
        )
    )
    return stances


def _claim_relations(
    ws: Workspace,
    contradicts: list[str] | None,
    given: list[str] | None,
    prompter: Prompter,
) -> list[tuple[str, str]]:
    from ledger.authoring.new_records import parse_relation, split_list

    def parse_all(pieces: list[str]) -> list[tuple[str, str]] | Bad:
        out = []
        for piece in pieces:
            pair = parse_relation(piece)
            if isinstance(pair, str):
                return Bad(pair)
            found = _resolve(ws, pair[1], "claims")
            if isinstance(found, Bad):
                return found
            out.append((pair[0], found))
        return out

    if contradicts is not None or given is not None:
        pieces = [f"contradicts={c}" for value in contradicts or [] for c in split_list(value)]
        pieces += [p for value in given or [] for p in split_list(value)]
        parsed = parse_all(pieces)
        if isinstance(parsed, Bad):
            fail(f"--relation: {parsed.message}")
        return list(dict.fromkeys(parsed))
    if not prompter.interactive:
        return []
    kinds = ", ".join(k.value for k in RelationKind)
    return prompter.ask(
        "Relations",
        lambda a: parse_all(split_list(a)),
        hint=f"to other claims: KIND=CLAIM, comma-separated; kinds: {kinds}; blank for none",
        words=[f"{k.value}={c}" for k in RelationKind for c in ws.ids("claims")],
    )


def _figure(text: str) -> dict[str, Any]:
    """``more-than 10,000 complaints of torture`` as a figure, or exit 2."""
    qualifiers = ("exactly", "about", "at-least", "more-than", "at-most", "fewer-than")
    words = text.split()
    qualifier = words.pop(0) if words and words[0] in qualifiers else None
    if len(words) < 2:
        fail(f"--figure {text!r}: give [QUALIFIER] VALUE UNIT, e.g. 'more-than 10,000 complaints'")
    raw = words[0].replace(",", "")
    try:
        value: int | float = int(raw)
    except ValueError:
        try:
            value = float(raw)
        except ValueError:
            fail(f"--figure {text!r}: {words[0]!r} is not a number")
    figure: dict[str, Any] = {"value": value, "unit": " ".join(words[1:])}
    if qualifier and qualifier != "exactly":
        figure["qualifier"] = qualifier
    return figure


# -- ledger locate ------------------------------------------------------------------------


@app.command()
def locate(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="The source whose archived text is searched (a unique prefix will do).",
            autocompletion=complete_ids("sources"),
        ),
    ],
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="WORDS...",
            help="Some words of the passage: accents, case, punctuation and line breaks do "
            "not matter; near misses are found too.",
        ),
    ],
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many passages.")] = 3,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="human or json.")
    ] = OutputFormat.human,
    root: RootOption = None,
) -> None:
    """Find the passages of a source's archived text that best match some words, each with
    its locator (heading and paragraph) and the exact quote to use. Exit 1 when nothing
    matches.

    Exact matches (after folding accents, case and punctuation) come first, in the order of
    the text; only when there is none are approximate matches given, best first. Every quote
    printed verifies against the source as `ledger validate` checks it.
    JSON: {"format": "ledger-locate", "version": 1, "source", "words", "passages":
    [{"quote", "locator", "score", "exact", "context"}]}.
    """
    from ledger.analysis.locate import locate as find
    from ledger.authoring.workspace import read_archive
    from ledger.cli.shared import load_or_exit, resolve_or_exit

    layout = layout_of(ctx, root)
    ledger = load_or_exit(layout, check=False).ledger
    source_id = resolve_or_exit(ledger, source, ("sources",), layout)
    text = read_archive(layout, ledger, source_id)
    if text.text is None:
        fail(text.problem, EXIT_FINDINGS)
    wanted = " ".join(words)
    if not wanted.strip():
        fail("give some words to look for")
    found = find(text.text, wanted, limit=max(1, limit))
    notes = ledger.sources[source_id].notes or ""
    if output is OutputFormat.json:
        write_json(
            "locate",
            {
                "source": source_id,
                "words": wanted,
                "passages": [p.to_dict() for p in found],
            },
        )
    else:
        _show_passages(source_id, wanted, found, "ocator" in notes)
    if not found:
        raise typer.Exit(EXIT_FINDINGS)


def _show_passages(source_id: str, words: str, found: list[Passage], scheme: bool) -> None:
    from ledger.cli.render import console, indented, line, text

    out = console()
    if not found:
        out.print(line(f"no passage of {source_id} matches: ", (words, "bold")))
        return
    many = "passage" if len(found) == 1 else "passages"
    what = f"{len(found)} exact {many}" if found[0].exact else f"no exact match; the closest {many}"
    out.print(line((source_id, "bold"), f": {what}"))
    for number, passage in enumerate(found, 1):
        score = "" if passage.exact else f"  (similarity {passage.score:.2f})"
        out.print()
        out.print(line((f"{number}. {passage.locator}", "bold cyan"), score))
        context = line(
            passage.context[: passage.context_start],
            (passage.quote, "bold"),
            passage.context[passage.context_start + len(passage.quote) :],
        )
        out.print(indented(context, 3))
        out.print(indented(line(("quote: ", "dim"), passage.quote), 3))
    if scheme:
        out.print()
        out.print(
            text(
                f"note: {source_id}'s notes define its locator scheme; check the locator "
                f"against them (`ledger show {source_id}`)",
                "dim",
            )
        )


# -- ledger link --------------------------------------------------------------------------


@app.command()
def link(
    ctx: typer.Context,
    claim: Annotated[
        str,
        typer.Argument(
            metavar="CLAIM", help="The claim to edit.", autocompletion=complete_ids("claims")
        ),
    ],
    kind: Annotated[
        RelationKind,
        typer.Argument(metavar="KIND", help="contradicts, corroborates, responds-to or repeats."),
    ],
    other: Annotated[
        str,
        typer.Argument(
            metavar="OTHER",
            help="The claim it points to.",
            autocompletion=complete_ids("claims"),
        ),
    ],
    note: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="Why the two are linked (kept with the relation)."),
    ] = None,
    dry_run: DryRunOption = False,
    root: RootOption = None,
) -> None:
    """Add a relation to a claim without opening its file: `ledger link A contradicts B`.

    The claim's file keeps its comments and is rewritten in canonical form; the ledger is
    checked as it would be before anything is written. A relation already recorded (or, for
    contradicts and corroborates, its mirror image) is left as it is.
    """
    from ledger.authoring.new_records import Unchanged, Written, add_relation

    with _steady():
        ws = _workspace(ctx, layout_of(ctx, root), dry_run=dry_run)
        resolved = [_resolve(ws, typed, "claims") for typed in (claim, other)]
        for found in resolved:
            if isinstance(found, Bad):
                fail(found.message)
        first, second = cast("list[str]", resolved)
        if note is not None and isinstance(plain_answer(note), Bad):
            fail("--note holds control or invisible characters")
        result = add_relation(ws, first, kind.value, second, note, dry_run=dry_run)
    from ledger.safe_text import visible

    if isinstance(result, Unchanged):
        sys.stderr.write(f"{visible(result.message)}; nothing to do\n")
        return
    if not isinstance(result, Written):
        _refused(result)
    if dry_run:
        sys.stdout.write(visible(result.text, keep_newlines=True))
        return
    sys.stderr.write(f"linked: {first} {kind.value} {second} ({visible(result.path)})\n")
