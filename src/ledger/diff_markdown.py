"""A ledger diff as Markdown, fit for a pull-request comment."""

from __future__ import annotations

import json
import re

from ledger.diff import LedgerDiff, because
from ledger.safe_text import visible
from ledger.status_markdown import escape
from ledger.status_report import RULE_CHANGE


def diff_markdown(result: LedgerDiff) -> str:
    out = [
        f"### Ledger changes: {_code(result.old)} \u2192 {_code(result.new)}",
        "",
        f"Statuses on both sides by rule {_code(result.rule.name)} v{escape(result.rule.version)}.",
        "",
    ]
    if result.empty:
        return "\n".join([*out, "No changes to records or statuses."]) + "\n"
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
        out.append(f"- {escape(r.change)} {escape(r.kind)} {_code(r.id)}{review}")
        for f in r.fields:
            out.append(f"  - {_code(f.field)}: {_value(f.old)} \u2192 {_value(f.new)}")
    if result.notes:
        out += ["", "**Sides the rule may not decide as meant**", ""]
        out += [f"{_code(result.rule.name)}: {escape(RULE_CHANGE)}.", ""]
        out += [
            f"- {escape(n.state)}: {_code(n.source)}: {escape(n.message)} ({_code(n.code)})"
            for n in result.notes
        ]
    if result.unreviewed:
        out += [
            "",
            f"\u26a0 Changed claims without a fresh review: {escape(', '.join(result.unreviewed))}",
        ]
    return "\n".join(out) + "\n"


def _code(value: object) -> str:
    """Data as a code span: shown as written (backslash escapes are not read inside one), so
    the fence is made longer than any run of backticks in the text instead."""
    raw = visible(" ".join(str(value).split()))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", raw)), default=0) + 1)
    pad = " " if raw.startswith("`") or raw.endswith("`") else ""
    return f"{fence}{pad}{raw}{pad}{fence}"


def _value(value: object) -> str:
    if value is None:
        return "*(none)*"
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return escape(shown)
