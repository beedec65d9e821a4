"""`ledger diff` and `ledger log`: what changed between revisions, and what it did."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.shared import (
    OutputFormat,
    ReportFormat,
    RootOption,
    app,
    complete_id,
    fail,
    fail_unresolved,
    from_index,
    layout_of,
    load_indexed,
    load_or_exit,
)

COMMENT_LIMIT = 60_000
"""Mirrors ledger.publish.markdown_text.COMMENT_LIMIT (importing it would slow every run's
start)."""
MIN_LIMIT = 1_000
"""Mirrors ledger.publish.markdown_text.MIN_LIMIT: less leaves no room for the note on what was
cut."""


def _max_chars(value: int) -> int:
    """Refuse a limit too small to hold the note that says what was cut (0 is no limit)."""
    if 0 < value < MIN_LIMIT:
        raise typer.BadParameter(f"give 0 (no limit) or at least {MIN_LIMIT:,}, not {value:,}")
    return value


if TYPE_CHECKING:
    from ledger.git.diff import LedgerDiff
    from ledger.records.load import LoadResult
    from ledger.records.root import Layout


@app.command()
def diff(
    ctx: typer.Context,
    revisions: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[A [B]]",
            help="Compare A with B (also written A..B; A...B compares B with the commit where "
            "it left A, their merge base). Default: HEAD with the working tree; one revision: "
            "it with the working tree.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="human, json or markdown.")
    ] = ReportFormat.human,
    max_chars: Annotated[
        int,
        typer.Option(
            "--max-chars",
            metavar="N",
            min=0,
            callback=_max_chars,
            help="Markdown only: cut the report at a line boundary to at most N characters, "
            "with a note saying how much was left out (GitHub refuses a comment over 65,536). "
            "At least 1,000; 0: no limit.",
        ),
    ] = COMMENT_LIMIT,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Markdown only: put what `ledger validate --strict` says of the working tree "
            "on top (B must be the working tree).",
        ),
    ] = False,
    files_url: Annotated[
        str | None,
        typer.Option(
            "--files-url",
            metavar="URL",
            help="Markdown only: link each record to its file as URL/PATH, URL being the "
            "ledger's folder at the head commit (https://github.com/OWNER/REPO/blob/SHA).",
        ),
    ] = None,
    report_url: Annotated[
        str | None,
        typer.Option(
            "--report-url",
            metavar="URL",
            help="Markdown only: where the full report is published (a CI run's page); "
            "the note on a cut report links it.",
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="FILE",
            help="Markdown only: also write the full report, uncut, to FILE.",
            dir_okay=False,
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Compare the ledger by record id, not by line: records added, removed and changed with
    their changed fields; then every requirement and case whose derived status changes, old ->
    new, with the claims, sources or obligor that caused it (both sides judged by the rule of
    this version, which it names); the status assertions the change breaks; changed claims
    that lack a fresh review; and claims that became suspect (what they rest on changed after
    their latest review).

    Markdown is written for a pull-request comment: nothing in the data is read as Markdown or
    HTML, character references show as typed, and an @mention in the data notifies no one."""
    layout = layout_of(ctx, root)
    old_rev, new_rev, from_base = _revisions(revisions or [])
    comment_only = {
        "--check": check,
        "--files-url": files_url,
        "--report-url": report_url,
        "--report": report,
    }
    given = [name for name, value in comment_only.items() if value]
    if given and output is not ReportFormat.markdown:
        fail(f"{', '.join(given)}: only with --format markdown")
    if check and new_rev is not None:
        fail("--check validates the working tree: give at most one revision (A)")
    for name, url in (("--files-url", files_url), ("--report-url", report_url)):
        if url is not None and not _link_target(url):
            fail(f"{name}: give a plain http(s) URL (no spaces, quotes or brackets), not {url!r}")
    commits = _commits(layout, old_rev, new_rev)
    base_of = None
    if from_base:
        base_of = f"where {new_rev or 'the working tree'} left {old_rev} (their merge base)"
        commits = _merge_base(layout, commits), commits[1]
        old_rev = commits[0][:12]

    def work() -> None:
        from ledger.git.diff import diff_ledgers, settings_changes
        from ledger.git.revision import WORKTREE

        (old_layout, old), (new_layout, new) = _sides(layout, commits)
        if any(side.tree is not None and side.tree.lacking for side in (old_layout, new_layout)):
            from ledger.cli.replay import answer_unsettled

            answer_unsettled()  # a file git could not give may be read next time
        result = diff_ledgers(
            old.ledger,
            new.ledger,
            old_rev,
            new_rev or WORKTREE,
            (old.left_out, new.left_out),
            settings_changes(old_layout, new_layout),
            (old.unloaded, new.unloaded),
            (old.left_out_paths, new.left_out_paths),
        )
        if output is ReportFormat.json:
            from ledger.safe_text import dumps

            sys.stdout.write(dumps(result.to_dict()) + "\n")
        elif output is ReportFormat.markdown:
            _markdown(layout, old_layout, result, max_chars, check, files_url, report_url, report)
        else:
            _show(result, base_of)

    from ledger.git.revision import replaced_objects

    if check or report is not None or replaced_objects(layout):
        # it reads the working tree's checks, writes a file, or reads a commit as another
        # (`git replace`, which its id does not say): not remembered
        work()
        return
    from ledger.cli.replay import question_of, remembered

    question = question_of({**ctx.params, "commits": commits})
    key = _pinned_key(layout, commits)
    # Answers are kept for one key per name: one pair of commits, and one state of the
    # working tree, so that a check alternating the two keeps both.
    name = "diff" if key is None else "diff-of-commits"
    remembered(layout, [name, question], work, key)


def _commits(layout: Layout, old_rev: str, new_rev: str | None) -> tuple[str, str | None]:
    """Each side's commit id (None: the working tree), resolved once: a branch name moving
    while the diff runs does not mix two answers. An error is said as a revision's load
    would say it."""
    from ledger.git.revision import GitError, repository_prefix, resolve_revision

    prefix = repository_prefix(layout)
    if isinstance(prefix, GitError):
        fail(prefix.message)
    old = resolve_revision(layout, old_rev)
    new = resolve_revision(layout, new_rev) if new_rev is not None else None
    for found in (old, new):
        if isinstance(found, GitError):
            fail(found.message)
    return str(old), None if new is None else str(new)


def _merge_base(layout: Layout, commits: tuple[str, str | None]) -> str:
    """The commit where the second side (HEAD, for the working tree) left the first: what
    a pull request changes is what its branch did since then (`git diff A...B`)."""
    from ledger.git.revision import GitError, git

    found = git(layout.root, "merge-base", commits[0], commits[1] or "HEAD")
    if isinstance(found, GitError) or not str(found).strip():
        fail(f"{commits[0][:12]} and {(commits[1] or 'HEAD')[:12]} have no commit in common")
    return str(found).strip()


def _pinned_key(layout: Layout, commits: tuple[str, str | None]) -> str | None:
    """What a diff of two commits depends on beyond its parameters: the two commits (git's
    object ids fix their files), the code, and the ledger's folder. None when one side is
    the working tree: its files are the key then."""
    if commits[1] is None:
        return None
    import hashlib
    import json

    from ledger.store.cache import schema_version

    named = json.dumps([*commits, schema_version(), str(layout.root)])
    return hashlib.sha256(named.encode("utf-8", "surrogateescape")).hexdigest()


def _link_target(url: str) -> bool:
    from ledger.git.diff_markdown import is_link_target

    return is_link_target(url)


def _markdown(
    layout: Layout,
    base: Layout,
    result: LedgerDiff,
    limit: int,
    check: bool,
    files_url: str | None,
    report_url: str | None,
    report: Path | None,
) -> None:
    """The Markdown report: cut to ``limit`` on stdout, and uncut in ``report``. With
    ``check``, the working tree is judged by the stricter of its own [review] settings and
    the base's: a pull request cannot loosen the check it is held to."""
    from ledger.git.diff_markdown import STATUS_ROWS, Findings, cut, full_report

    findings = None
    if check:
        from ledger.analysis.validation import validate
        from ledger.git.policy import held_to

        found = validate(layout)
        policy = held_to(layout, base)
        findings = Findings(
            (*policy.problems, *found.diagnostics), found.files, found.fatal, policy.review.suspect
        )
    text = full_report(result, files_url=files_url, findings=findings)
    if report is not None:
        try:
            report.write_text(text, encoding="utf-8")
        except OSError as error:
            fail(f"cannot write the report to {report}: {error.strerror or error}")
    if limit and len(result.statuses) > STATUS_ROWS:
        text = full_report(result, files_url=files_url, findings=findings, status_rows=STATUS_ROWS)
    sys.stdout.write(cut(result, text, limit, report_url))


def _revisions(given: list[str]) -> tuple[str, str | None, bool]:
    """The two sides as typed, and whether the first is to be their merge base (A...B)."""
    if len(given) == 1 and ".." in given[0]:
        dots = "..." if "..." in given[0] else ".."
        old, _, new = given[0].partition(dots)
        return old or "HEAD", new or None, dots == "..."
    if len(given) > 2:
        fail("give at most two revisions: ledger diff [A [B]]")
    if not given:
        return "HEAD", None, False
    return given[0], given[1] if len(given) == 2 else None, False


def _sides(
    layout: Layout, commits: tuple[str, str | None]
) -> tuple[tuple[Layout, LoadResult], tuple[Layout, LoadResult]]:
    """Each side's layout (its ledger.toml's settings) and records: a diff compares records
    and statuses, never the checks' findings, so none are run. The working tree, when it is
    a side, is read first (its records are remembered for its very state), else the older
    commit; the other side is derived from it where it can be (records.beside). Before
    either, both sides are read only as far as the diff reads them, where they can be
    (store/diff_view.py)."""
    from ledger.store.diff_view import diff_view

    old_layout = _revision(layout, commits[0])
    new_layout = layout if commits[1] is None else _revision(layout, commits[1], like=old_layout)
    viewed = diff_view(old_layout, new_layout)
    if viewed is not None:
        return (old_layout, viewed[0]), (new_layout, viewed[1])
    if commits[1] is None:
        new = load_or_exit(layout, check=False)
        return (old_layout, _beside(old_layout, layout, new)), (layout, new)
    old = load_or_exit(old_layout, check=False)
    return (old_layout, old), (new_layout, _beside(new_layout, old_layout, old))


def _revision(layout: Layout, commit: str, like: Layout | None = None) -> Layout:
    """The ledger at a commit; ``like``, the other side, lends its listing
    (revision.open_revision)."""
    from ledger.git.revision import GitError, open_revision

    revision = open_revision(layout, commit, like)
    if isinstance(revision, GitError):
        fail(revision.message)
    return revision


def _beside(revision: Layout, other_layout: Layout, other: LoadResult) -> LoadResult:
    """A commit's records, derived from the other side's, else loaded whole."""
    from ledger.gcpause import kept_to_the_end
    from ledger.records.beside import load_beside

    with kept_to_the_end():
        derived = load_beside(revision, other_layout, other)
    return load_or_exit(revision, check=False) if derived is None else derived


def _show(result: LedgerDiff, base_of: str | None = None) -> None:
    """The diff for people; ``base_of`` says what the old side is when it is the merge base
    of the two revisions typed (A...B)."""
    from ledger.cli.render import console, indented, line, status_text, text
    from ledger.git.diff import UNREVIEWED, assertion_line, because

    out = console()
    out.print(text(f"ledger diff {result.old} .. {result.new}", "bold"))
    if base_of is not None:
        out.print(text(f"{result.old} is {base_of}", "dim"))
    out.print(
        text(f"statuses on both sides by rule {result.rule.name} v{result.rule.version}", "dim")
    )
    for warning in result.left_out_lines():
        out.print(text(f"\u26a0 {warning}", "bold yellow"))
    if result.settings:
        out.print(text("\u26a0 ledger.toml changes how this ledger is checked", "bold yellow"))
        for change in result.settings:
            out.print(indented(line(f"{change.field}: {change.old} -> {change.new}"), 4))
    if result.empty:
        if result.left_out_lines():
            out.print(text("nothing changed in the record files that loaded on both sides"))
        else:
            out.print(text("no changes to records or statuses"))
        return
    marks = {"added": ("+", "green"), "removed": ("-", "red"), "changed": ("~", "yellow")}
    if result.records:
        out.print()
        out.print(text("Records", "bold underline"))
    for change in result.records:
        mark, style = marks[change.change]
        review = f"  [review: {change.review}]" if change.review else ""
        out.print(
            line(
                (f"{mark} {change.kind} {change.id}", style),
                f"  {change.path}",
                (review, "yellow" if change.review in UNREVIEWED else "dim"),
            )
        )
        for item in change.fields:
            out.print(
                indented(
                    line(
                        (f"{item.field}: ", "bold"),
                        (_short(item.old), "red"),
                        " -> ",
                        (_short(item.new), "green"),
                    ),
                    4,
                )
            )
    if result.statuses:
        out.print()
        out.print(text("Status changes", "bold underline"))
    for change in result.statuses:
        where = change.id if change.kind == "requirement" else f"{change.id} / {change.requirement}"
        row = line((f"{change.kind} {where}", "bold"), "  ")
        row.append_text(status_text(change.old or "(none)"))
        row.append_text(text(f" ({change.old_line or '-'}) -> "))
        row.append_text(status_text(change.new or "(none)"))
        row.append_text(text(f" ({change.new_line or '-'})"))
        out.print(row)
        if cause := because(change):
            out.print(indented(text(f"because of: {cause}", "dim"), 4))
    if result.assertions:
        out.print()
        out.print(text("Assertions this change breaks", "bold underline"))
    for broken in result.assertions or ():
        out.print(text(f"\u2717 {assertion_line(broken)}", "bold red"))
        out.print(indented(text(broken.path, "dim"), 4))
        if broken.because:
            out.print(indented(text(f"because of: {', '.join(broken.because)}", "dim"), 4))
        if broken.claims:
            out.print(indented(text(f"rests on: {', '.join(broken.claims)}", "dim"), 4))
    if result.notes:
        from ledger.analysis.status_report import RULE_CHANGE

        out.print()
        out.print(text("Sides the rule may not decide as meant", "bold underline"))
        out.print(text(f"  {result.rule.name}: {RULE_CHANGE}", "dim"))
    for note in result.notes:
        out.print(text(f"  {note.state}: {note.source}: {note.message} [{note.code}]", "yellow"))
    if result.unreviewed:
        out.print()
        out.print(
            text(f"Changed claims without a fresh review: {', '.join(result.unreviewed)}", "yellow")
        )
    if result.suspect:
        out.print()
        out.print(
            text("Claims now suspect (what they rest on changed after their review)", "yellow")
        )
    for suspect in result.suspect:
        out.print(indented(text(suspect.id, "cyan"), 2))
        out.print(indented(text(suspect.why, "dim"), 4))


def _short(value: object) -> str:
    if value is None:
        return "(none)"
    return str(value) if not isinstance(value, (list, dict)) else _json(value)


def _json(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


@app.command()
def log(
    ctx: typer.Context,
    record_id: Annotated[
        str, typer.Argument(metavar="ID", help="Any record id.", autocompletion=complete_id)
    ],
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many commits.")] = 20,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="human or json.")] = (
        OutputFormat.human
    ),
    root: RootOption = None,
) -> None:
    """The commits that changed a record, newest first; for a requirement or case, how its
    derived status moved over those commits."""
    from ledger.analysis.xref import LedgerRecords, Resolution, located
    from ledger.git.history import record_history
    from ledger.git.revision import GitError
    from ledger.records.scan import scan_data, unreadable_data

    layout = layout_of(ctx, root)
    scan = None if unreadable_data(layout) else scan_data(layout)  # a load says why not
    record = from_index(layout, located, record_id, scan)  # its file and kind: all it needs
    if record is None:
        ledger = load_indexed(ctx, layout, scan)
        record = located(LedgerRecords(ledger, lambda _id: None), record_id)
    if isinstance(record, Resolution):
        fail_unresolved(layout, record)
    found = record[0]
    history = record_history(layout, record, limit)
    if isinstance(history, GitError):
        fail(history.message)
    if output is OutputFormat.json:
        from ledger.safe_text import dumps

        sys.stdout.write(dumps(history.to_dict()) + "\n")
        return
    from ledger.cli.render import console, line, status_text, text

    out = console()
    out.print(text(f"{found}  ({history.path})", "bold"))
    if not history.commits:
        out.print(text("no commit has changed this record yet"))
    for commit in history.commits:
        row = line(
            (commit.commit[:10], "yellow"), f"  {commit.date}  {commit.author}  ", commit.subject
        )
        if commit.status:
            row.append_text(text("  status: "))
            row.append_text(status_text(commit.status))
            if commit.line:  # a case's statuses, one per requirement, have no one line
                row.append_text(text(f" ({commit.line})"))
        out.print(row)
