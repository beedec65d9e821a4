"""A ledger diff as Markdown, fit for a pull-request comment."""

from __future__ import annotations

import json

from ledger.diff import LedgerDiff
from ledger.status_markdown import escape


def diff_markdown(result: LedgerDiff) -> str:
    out = [f"### Ledger changes: `{escape(result.old)}` \u2192 `{escape(result.new)}`", ""]
    if result.empty:
        return "\n".join([*out, "No changes to records or statuses."]) + "\n"
    if result.statuses:
        out += ["**Status changes**", "", "| Record | Requirement | Before | After | Because of |",
                "|---|---|---|---|---|"]
        for s in result.statuses:
            out.append(
                f"| {escape(s.kind)} {escape(s.id)} | {escape(s.requirement)} "
                f"| {escape(s.old or '-')} ({escape(s.old_line or '-')}) "
                f"| **{escape(s.new or '-')}** ({escape(s.new_line or '-')}) "
                f"| {escape(', '.join(s.claims) or '-')} |"
            )
        out.append("")
    out += ["**Records**", ""]
    for r in result.records:
        review = f" \u2014 review: {escape(r.review)}" if r.review else ""
        out.append(f"- {escape(r.change)} {escape(r.kind)} `{escape(r.id)}`{review}")
        for f in r.fields:
            out.append(f"  - `{escape(f.field)}`: {_value(f.old)} \u2192 {_value(f.new)}")
    if result.unreviewed:
        out += ["", f"\u26a0 Changed claims without a fresh review: "
                f"{escape(', '.join(result.unreviewed))}"]
    return "\n".join(out) + "\n"


def _value(value: object) -> str:
    if value is None:
        return "*(none)*"
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return escape(shown)
