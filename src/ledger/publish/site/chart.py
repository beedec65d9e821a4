"""The home page's chart: each requirement's evidence per side, as an inline SVG.

For every requirement, two rows (independent sources, the obligor's own): claims that
undermine it extend left of the axis, claims that support it extend right, each bar labelled
with its count. The chart carries a ``<title>`` and a ``<desc>`` giving every number in words,
and every bar its own ``<title>``, so a screen reader (or a printed page) loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.analysis.status_report import OverviewRow
from ledger.publish.site.html import h

WIDTH = 640
LABEL = 190
"""Width of the label column on the left."""
HALF = (WIDTH - LABEL - 20) // 2
"""Room for the longest bar on either side of the axis."""
ROW = 22
HEAD = 40


def _sides(row: OverviewRow) -> tuple[tuple[str, int, int], ...]:
    return (
        ("Independent sources", row.independent_undermines, row.independent_supports),
        ("Obligor's own sources", row.obligor_undermines, row.obligor_supports),
    )


def describe(rows: Sequence[OverviewRow]) -> str:
    """Every number of the chart in words."""
    parts = []
    for row in rows:
        sides = "; ".join(
            f"{name.lower()}: {sup} support, {und} undermine" for name, und, sup in _sides(row)
        )
        parts.append(f"{row.id} ({row.status.value}): {sides}.")
    return " ".join(parts)


def evidence_chart(rows: Sequence[OverviewRow], chart_id: str = "evidence-chart") -> str:
    """The SVG chart of evidence per side for these requirements."""
    biggest = max((n for r in rows for _, und, sup in _sides(r) for n in (und, sup)), default=0)
    scale = (HALF - 40) / biggest if biggest else 0.0
    axis = LABEL + 10 + HALF
    height = HEAD + len(rows) * (ROW * 3 + 8) + 8
    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">Evidence per side for each requirement</title>',
        f'<desc id="{chart_id}-desc">{h(describe(rows))}</desc>',
        f'<text x="{axis - 8}" y="20" text-anchor="end">\u2190 undermines</text>',
        f'<text x="{axis + 8}" y="20">supports \u2192</text>',
    ]
    y = HEAD
    for row in rows:
        out.append(f'<text x="0" y="{y + 14}" font-weight="700">{h(row.id)}</text>')
        out.append(
            f'<text class="small" x="{LABEL}" y="{y + 14}">{h(row.status.value)} '
            f"(rule line {h(row.line)})</text>"
        )
        y += ROW
        for name, und, sup in _sides(row):
            out.append(f'<text class="small" x="8" y="{y + 15}">{h(name)}</text>')
            for count, stance, sign in ((und, "undermines", -1), (sup, "supports", 1)):
                width = round(count * scale, 1)
                x = axis - width if sign < 0 else axis
                label_x = x - 4 if sign < 0 else axis + width + 4
                anchor = "end" if sign < 0 else "start"
                words = f"{name}: {count} claim(s) {stance} {row.id}"
                out.append(
                    f'<rect class="bar-{stance}" x="{x}" y="{y + 3}" width="{width}" '
                    f'height="{ROW - 6}"><title>{h(words)}</title></rect>'
                )
                out.append(
                    f'<text x="{label_x}" y="{y + 15}" text-anchor="{anchor}">{count}</text>'
                )
            y += ROW
        y += 8
    out.append(f'<line class="axis" x1="{axis}" y1="{HEAD - 8}" x2="{axis}" y2="{height - 4}"/>')
    out.append("</svg>")
    return "\n".join(out)
