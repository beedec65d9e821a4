"""A ledger diff as Markdown, written for a reviewer's pull-request comment.

What a reviewer acts on comes first: what `ledger validate --strict` says of the new side
(when asked), then the status assertions the change breaks, then every status change (old ->
new, the rule line that decided each side, and the claims that caused it, a few named and the
rest counted), then each added, removed or changed claim with its statement, its stance on
each requirement and its quote, the words that changed marked (~~deleted~~ **inserted**) and
a link to its file at the head commit; then the other records and their changed fields.

All data goes through :mod:`ledger.publish.markdown_text` (no HTML, link, image, mention or issue
reference can come from a record), every value shown is cut to :data:`FIELD_CHARS`, and the
whole is cut to fit one comment at the end of a whole item, saying how much was left out and
where the full report is.
"""

from __future__ import annotations

import difflib
import json
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote as url_quote

from ledger.analysis.status import RULE_LINES
from ledger.analysis.status_report import RULE_CHANGE
from ledger.git.diff import LedgerDiff, RecordChange, because
from ledger.git.revision import WORKTREE
from ledger.publish.markdown_text import COMMENT_LIMIT, cap, code, escape
from ledger.records.diagnostics import Diagnostic, failing
from ledger.records.vocabulary import Qualifier, qualified

CAUSES_SHOWN = 5
"""Claims (and sources) named as the cause of one status change; the rest are counted."""
FINDINGS_SHOWN = 30
"""Validation findings listed at the top; the rest are counted (annotations show them all)."""
STATUS_ROWS = 40
"""Status changes shown in a comment (requirements first, then cases); the full report
has them all."""
IDS_SHOWN = 20
"""Ids listed in one line (changed claims without a fresh review); the rest are counted."""
FIELD_CHARS = 1_500
"""Most characters of one value shown (a quote, a statement, a field's old or new value)."""

_URL = re.compile(r"https?://[^\s()<>\[\]\"'`\\]+")
"""A link target given on the command line: no character that could end a Markdown link."""


def is_link_target(url: str) -> bool:
    """Whether ``url`` can stand as a Markdown link target as it is."""
    return bool(_URL.fullmatch(url))


@dataclass(frozen=True)
class Findings:
    """What `ledger validate --strict` says of the new side, put at the top of a comment."""

    diagnostics: tuple[Diagnostic, ...]
    files: int
    fatal: str | None = None
    suspect: str = "warning"
    """ledger.toml's [review] suspect: whether suspect-evidence fails --strict."""

    @property
    def passes(self) -> bool:
        return not failing(self.diagnostics, strict=True, suspect=self.suspect)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        return len(self.diagnostics) - self.errors


def diff_markdown(
    result: LedgerDiff,
    *,
    limit: int = COMMENT_LIMIT,
    files_url: str | None = None,
    findings: Findings | None = None,
    report_url: str | None = None,
) -> str:
    """The diff as Markdown of at most ``limit`` characters (0: no limit); when cut, a note
    at the end says how much was left out and how to see it all (``report_url``: where the
    full report is published). ``files_url``: each record's file is linked as
    ``files_url/PATH`` (the ledger's folder at the head commit). ``findings``: validation
    findings of the new side, on top."""
    rows = STATUS_ROWS if limit else 0
    text = full_report(result, files_url=files_url, findings=findings, status_rows=rows)
    return cut(result, text, limit, report_url)


def cut(result: LedgerDiff, text: str, limit: int, report_url: str | None = None) -> str:
    """A full report (``text``) cut to ``limit`` characters, the note linking
    ``report_url`` where the full report is published."""
    if report_url is not None and not is_link_target(report_url):
        raise ValueError(f"not a plain http(s) URL: {report_url!r}")
    return cap(text, limit, _see_all(result, report_url))


def full_report(
    result: LedgerDiff,
    *,
    files_url: str | None = None,
    findings: Findings | None = None,
    status_rows: int = 0,
) -> str:
    """The diff as Markdown, uncut; with ``status_rows``, at most that many status changes
    are listed and the rest counted."""
    if files_url is not None and not is_link_target(files_url):
        raise ValueError(f"not a plain http(s) URL: {files_url!r}")
    out = [
        f"### Ledger changes: {code(result.old)} \u2192 {code(result.new)}",
        "",
        f"Statuses on both sides by rule {code(result.rule.name)} v{escape(result.rule.version)}.",
        "",
    ]
    if findings is not None:
        out += _findings(findings)
    if left_out := result.left_out_lines(code):
        out += [*(f"**\u26a0 {line}**" for line in left_out), ""]
    if result.settings:
        out += [
            "**\u26a0 `ledger.toml` changes how this ledger is checked**",
            "",
            *(
                f"- {code(c.field)}: {code(str(c.old))} \u2192 {code(str(c.new))}"
                for c in result.settings
            ),
            "",
        ]
    if result.empty:
        return "\n".join([*out, _nothing(bool(left_out))]) + "\n"
    if result.assertions:
        out += _assertions(result)
    if result.statuses:
        out += _statuses(result, status_rows)
    claims = [r for r in result.records if r.kind == "claim"]
    others = [r for r in result.records if r.kind != "claim"]
    if claims:
        out += ["**Claims**", ""]
        for change in claims:
            out += _claim(change, files_url)
        out.append("")
    if others:
        out += ["**Other records**", ""]
        for change in others:
            out += _record(change, files_url)
        out.append("")
    if result.notes:
        out += ["**Sides the rule may not decide as meant**", ""]
        out += [f"{code(result.rule.name)}: {escape(RULE_CHANGE)}.", ""]
        out += [
            f"- {escape(n.state)}: {code(n.source)}: {escape(n.message)} ({code(n.code)})"
            for n in result.notes
        ]
        out.append("")
    if result.unreviewed:
        out.append(
            f"\u26a0 Changed claims without a fresh review: {_some(result.unreviewed, IDS_SHOWN)}"
        )
        out.append("")
    if result.suspect:
        out += _suspect(result)
    return "\n".join(out).rstrip("\n") + "\n"


def _suspect(result: LedgerDiff) -> list[str]:
    """Claims that became suspect, each with what changed, to review again."""
    out = ["\u26a0 Claims now suspect (what they rest on changed after their review):", ""]
    out += [f"- {code(s.id)}: {escape(s.why)}" for s in result.suspect[:IDS_SHOWN]]
    more = len(result.suspect) - IDS_SHOWN
    if more > 0:
        out.append(f"- \u2026 and {more:,} more (`ledger queue` lists them all)")
    return out


def _findings(findings: Findings) -> list[str]:
    command = code("ledger validate --strict")
    if findings.fatal:
        return [f"**\u2717 {command} could not read the ledger:** {escape(findings.fatal)}", ""]
    if not findings.diagnostics:
        return [f"**\u2713 {command} passes** ({findings.files:,} files checked)", ""]
    if findings.passes:  # only warnings that do not fail it (suspect evidence)
        count = len(findings.diagnostics)
        out = [
            f"**\u2713 {command} passes** ({findings.files:,} files checked), with "
            f"{count:,} warning{'' if count == 1 else 's'} it does not fail on:",
            "",
        ]
        return [*out, *_finding_lines(findings), ""]
    counts = (
        f"{findings.errors:,} error{'' if findings.errors == 1 else 's'}, "
        f"{findings.warnings:,} warning{'' if findings.warnings == 1 else 's'}"
    )
    out = [f"**\u2717 {command} fails: {counts} in {findings.files:,} files**", ""]
    return [*out, *_finding_lines(findings), ""]


def _finding_lines(findings: Findings) -> list[str]:
    out = []
    for d in findings.diagnostics[:FINDINGS_SHOWN]:
        where = ":".join([d.path, *(str(n) for n in (d.line, d.column) if d.line)])
        out.append(f"- {code(where)} {escape(d.severity)} {code(d.code)}: {_short(d.message)}")
    more = len(findings.diagnostics) - FINDINGS_SHOWN
    if more > 0:
        out.append(f"- \u2026 and {more:,} more (`ledger validate` lists them all)")
    return out


def _assertions(result: LedgerDiff) -> list[str]:
    """The status assertions the change breaks: what `validate` will fail on."""
    out = ["**\u2717 Assertions this change breaks**", ""]
    for b in result.assertions or ():
        was = f", was {escape(b.old)}" if b.old else ""
        subject = (
            code(b.requirement)
            if b.case is None
            else f"case {code(b.case)} on {code(b.requirement)}"
        )
        out.append(
            f"- {code(b.id)}: {subject} as of {escape(b.as_of)}: asserted "
            f"{escape(b.asserted)}{was}, now **{escape(b.new)}** ({escape(b.new_line)})"
            + (f"; because of {_some(b.because, CAUSES_SHOWN)}" if b.because else "")
            + (f"; rests on {_some(b.claims, CAUSES_SHOWN)}" if b.claims else "")
        )
    return [*out, ""]


def _statuses(result: LedgerDiff, most: int) -> list[str]:
    out = [
        "**Status changes**",
        "",
        "| Record | Requirement | Before | After | Because of |",
        "|---|---|---|---|---|",
    ]
    lines: set[str] = set()
    shown = result.statuses[:most] if most else result.statuses
    for s in shown:
        lines.update(line for line in (s.old_line, s.new_line) if line)
        out.append(
            f"| {escape(s.kind)} {escape(s.id)} | {escape(s.requirement)} "
            f"| {escape(s.old or '-')} ({escape(s.old_line or '-')}) "
            f"| **{escape(s.new or '-')}** ({escape(s.new_line or '-')}) "
            f"| {escape(because(s, CAUSES_SHOWN) or '-')} |"
        )
    out.append("")
    if len(shown) < len(result.statuses):
        more = len(result.statuses) - len(shown)
        out += [f"\u2026 and {more:,} more status changes (the full report lists them).", ""]
    meanings = [
        f"{rule.line} ({rule.status.value}): {rule.when}"
        for rule in RULE_LINES
        if rule.line in lines
    ]
    if meanings:
        out += [f"Rule lines: {escape('; '.join(meanings))}.", ""]
    return out


def _claim(change: RecordChange, files_url: str | None) -> list[str]:
    before, after = change.before or {}, change.after or {}
    shown = after or before
    out = [_heading(change, files_url)]
    if change.change == "changed":
        out.append(f"  - statement: {_words(before.get('statement'), after.get('statement'))}")
    else:
        out.append(f"  - statement: {_short(shown.get('statement'))}")
    if stance := _stance(before, after, change.change):
        out.append(f"  - stance: {stance}")
    if change.change == "changed":
        words = _words(before.get("quote"), after.get("quote"))
    else:
        words = _short(shown.get("quote"))
    source = f" ({code(shown['source'])}, {_short(shown.get('locator'))})" if shown else ""
    out += [f"  - quote{source}:", f"    > {words}"]
    for f in change.fields:
        if f.field in ("statement", "quote") or f.field.startswith("bears_on."):
            continue
        out.append(f"  - {code(f.field)}: {_field(f.field, f.old)} \u2192 {_field(f.field, f.new)}")
    return out


def _field(name: str, value: object) -> str:
    """A changed field's value as a reviewer reads it: figures in words ("more than 300
    skulls"), anything else as :func:`_value` shows it."""
    if name == "figures" and isinstance(value, list) and all(_is_figure(v) for v in value):
        return _short("; ".join(_figure_words(v) for v in value)) if value else _value(None)
    return _value(value)


def _is_figure(value: object) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("value"), int | float)
        and not isinstance(value.get("value"), bool)
        and value.get("qualifier", "exactly") in set(Qualifier)
    )


def _figure_words(figure: dict[str, Any]) -> str:
    number = qualified(figure["value"], figure.get("qualifier", "exactly"))
    note = f" ({figure['note']})" if figure.get("note") else ""
    return f"{number} {figure.get('unit', '')}{note}"


def _record(change: RecordChange, files_url: str | None) -> list[str]:
    out = [_heading(change, files_url)]
    for f in change.fields:
        out.append(f"  - {code(f.field)}: {_field(f.field, f.old)} \u2192 {_field(f.field, f.new)}")
    return out


def _heading(change: RecordChange, files_url: str | None) -> str:
    review = f" \u2014 review: {escape(change.review)}" if change.review else ""
    where = ""
    if files_url and change.change != "removed":
        # a name that is not UTF-8 is linked by its bytes, as git and the web server name it
        raw = change.path.encode("utf-8", "surrogateescape")
        target = f"{files_url.rstrip('/')}/{url_quote(raw, safe='/')}"
        where = f" \u2014 [{escape(change.path)}]({target})"
    return f"- {escape(change.change)} {escape(change.kind)} {code(change.id)}{where}{review}"


def _stance(before: dict[str, Any], after: dict[str, Any], change: str) -> str:
    """Each requirement the claim bears on, and how; a changed stance as old -> **new**."""
    old, new = before.get("bears_on") or {}, after.get("bears_on") or {}
    parts = []
    for requirement in sorted(set(old) | set(new)):
        if change != "changed":
            parts.append(f"{escape(requirement)} {escape((new or old)[requirement])}")
        elif old.get(requirement) == new.get(requirement):
            parts.append(f"{escape(requirement)} {escape(new[requirement])}")
        else:
            parts.append(
                f"{escape(requirement)} {_value(old.get(requirement))} \u2192 "
                f"**{_value(new.get(requirement))}**"
            )
    return "; ".join(parts)


def words_marked(old: str, new: str) -> str:
    """``new`` as escaped Markdown with the words that changed from ``old`` marked: deleted
    words struck through (~~old~~), inserted ones in bold (**new**). Whitespace is folded."""
    a, b = old.split(), new.split()
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(escape(" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"~~{escape(' '.join(a[i1:i2]))}~~")
        if j2 > j1:
            out.append(f"**{escape(' '.join(b[j1:j2]))}**")
    return " ".join(out)


def _words(old: Any, new: Any) -> str:
    if old == new or not isinstance(old, str) or not isinstance(new, str):
        return _short(new if new is not None else old)
    if len(old) + len(new) > 4 * FIELD_CHARS:
        return f"{_value(old)} \u2192 {_value(new)}"
    return words_marked(old, new)


def _short(value: Any) -> str:
    """A value as escaped Markdown, cut to :data:`FIELD_CHARS` characters with a note."""
    if value is None:
        return "*(none)*"
    text = " ".join(str(value).split())
    if len(text) <= FIELD_CHARS:
        return escape(text)
    return f"{escape(text[:FIELD_CHARS])} \u2026 *({len(text) - FIELD_CHARS:,} more characters)*"


def _value(value: object) -> str:
    if value is None:
        return "*(none)*"
    return _short(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def _some(ids: Iterable[str], most: int) -> str:
    """The first ``most`` ids, each a code span as every id in the comment is."""
    ids = list(ids)
    shown = ", ".join(code(i) for i in ids[:most])
    return shown if len(ids) <= most else f"{shown} and {len(ids) - most:,} more"


def _nothing(left_out: bool) -> str:
    """What an empty diff says: never "no changes" when some records were not compared."""
    if left_out:
        return "Nothing changed in the record files that loaded on both sides."
    return "No changes to records or statuses."


def _see_all(result: LedgerDiff, report_url: str | None) -> str:
    revisions = [result.old] if result.new == WORKTREE else [result.old, result.new]
    command = " ".join(["ledger", "diff", *(shlex.quote(r) for r in revisions)])
    uncut = code("--format markdown --max-chars 0")
    local = f"run {code(command)} in a checkout ({uncut} gives this report uncut)"
    if report_url:
        return f"read [the full report]({report_url}) (this run's artifacts), or {local}"
    return local
