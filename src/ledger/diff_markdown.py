"""A ledger diff as Markdown, fit for a pull-request comment: data escaped by
:mod:`ledger.markdown_text`, and cut to fit GitHub's limit on a comment, saying so."""

from __future__ import annotations

import json
import shlex

from ledger.diff import LedgerDiff, because
from ledger.markdown_text import COMMENT_LIMIT, cap, code, escape
from ledger.revision import WORKTREE
from ledger.status_report import RULE_CHANGE


def diff_markdown(result: LedgerDiff, *, limit: int = COMMENT_LIMIT) -> str:
    """The diff as Markdown of at most ``limit`` characters (0: no limit); when cut, a note
    at the end says how much was left out and how to see it all."""
    out = [
        f"### Ledger changes: {code(result.old)} \u2192 {code(result.new)}",
        "",
        f"Statuses on both sides by rule {code(result.rule.name)} v{escape(result.rule.version)}.",
        "",
    ]
    if left_out := result.left_out_lines(code):
        out += [*(f"**\u26a0 {line}**" for line in left_out), ""]
    if result.empty:
        return "\n".join([*out, _nothing(bool(left_out))]) + "\n"
    if result.statuses:
        out += [
            "**Status changes**",
            "",
            "| Record | Requirement | Before | After | Because of |",
            "|---|---|---|---|---|",
        ]
        for s in result.statuses:
            out.append(
                f"| {escape(s.kind)} {escape(s.id)} | {escape(s.requirement)} "
                f"| {escape(s.old or '-')} ({escape(s.old_line or '-')}) "
                f"| **{escape(s.new or '-')}** ({escape(s.new_line or '-')}) "
                f"| {escape(because(s) or '-')} |"
            )
        out.append("")
    out += ["**Records**", ""]
    for r in result.records:
        review = f" \u2014 review: {escape(r.review)}" if r.review else ""
        out.append(f"- {escape(r.change)} {escape(r.kind)} {code(r.id)}{review}")
        for f in r.fields:
            out.append(f"  - {code(f.field)}: {_value(f.old)} \u2192 {_value(f.new)}")
    if result.notes:
        out += ["", "**Sides the rule may not decide as meant**", ""]
        out += [f"{code(result.rule.name)}: {escape(RULE_CHANGE)}.", ""]
        out += [
            f"- {escape(n.state)}: {code(n.source)}: {escape(n.message)} ({code(n.code)})"
            for n in result.notes
        ]
    if result.unreviewed:
        out += [
            "",
            f"\u26a0 Changed claims without a fresh review: {escape(', '.join(result.unreviewed))}",
        ]
    return cap("\n".join(out) + "\n", limit, _see_all(result))


def _nothing(left_out: bool) -> str:
    """What an empty diff says: never "no changes" when some records were not compared."""
    if left_out:
        return "Nothing changed in the record files that loaded on both sides."
    return "No changes to records or statuses."


def _see_all(result: LedgerDiff) -> str:
    revisions = [result.old] if result.new == WORKTREE else [result.old, result.new]
    command = " ".join(["ledger", "diff", *(shlex.quote(r) for r in revisions)])
    uncut = code("--format markdown --max-chars 0")
    return f"run {code(command)} in a checkout ({uncut} gives this report uncut)"


def _value(value: object) -> str:
    if value is None:
        return "*(none)*"
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return escape(shown)
