"""The site's pages, each a function from the ledger to HTML.

Pages: ``index.html`` (every requirement's status, a chart of evidence per side, the rule),
``cases.html``, ``sources.html``, ``contradictions.html``, ``search.html``, and one page per
requirement, case, source and claim under ``requirements/``, ``cases/``, ``sources/`` and
``claims/``. Every value from the data goes through :func:`ledger.publish.site.html.h`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property, partial
from typing import TypeVar

from ledger.analysis.status import (
    RULE_LINES,
    Analysis,
    case_status,
    claim_ref,
    obligors,
    overview,
    requirement_status,
    side_of,
)
from ledger.analysis.status_report import (
    CASES_SHOWN,
    RULE,
    RULE_VERSION,
    CaseStatus,
    ClaimRef,
    Contradiction,
    Evidence,
    FigureView,
    Gap,
    Group,
    Overview,
    RequirementStatus,
    Verdict,
    no_record,
)
from ledger.analysis.textfold import fold
from ledger.analysis.xref import XrefIndex
from ledger.publish.site.chart import evidence_chart
from ledger.publish.site.html import SITE_NAME, a, h, json_list_pieces, layout, rel
from ledger.publish.site.source_text import Quoted, marked_text, nfc, ordered, text_path
from ledger.publish.site.stamp import Stamp, build_date
from ledger.publish.site.writer import Text
from ledger.records.config import About
from ledger.records.ledger import Ledger
from ledger.records.model import Claim, Source
from ledger.records.vocabulary import qualified
from ledger.safe_text import web_url

T = TypeVar("T")

DOT = " \u00b7 "
DASH = " \u2014 "


class Site:
    """The ledger and where each record's page is: built once, shared by every page."""

    def __init__(
        self,
        ledger: Ledger,
        about: About | None = None,
        stamp: Stamp | None = None,
        unsound: str = "",
    ) -> None:
        self.ledger = ledger
        self.unsound = unsound
        """What every page says first when the ledger has errors or left record files out
        (:func:`ledger.records.diagnostics.unsound`): a page is cited, and must not look
        whole when it is not."""
        self.about = about or About()
        self.stamp = stamp or Stamp(build_date())
        self.name = self.about.title or SITE_NAME
        self.index = XrefIndex(ledger)
        self.analysis = Analysis.of(ledger)
        self.obligors = obligors(ledger)
        """Every requirement's obligor: whose own word a source is, outside one requirement."""
        self.texts = {sid: t for sid, t in ledger.source_texts.items() if sid in ledger.sources}
        """Each source's archived text (verified), as read: its page is made from it."""
        self.quoted = self._quoted()
        """Each source's quotes (claims' and requirements' wording), found once for all."""
        self.footer = stamp_html(self.stamp)
        self.reports: dict[tuple[str, str], object] = {}
        """Status reports made for pages, by kind and id: a site shown again and again (by
        `ledger serve`, until a file changes) works each out once."""

    def overview_report(self) -> Overview:
        return self._remembered(("overview", ""), lambda: overview(self.ledger, self.analysis))

    def requirement_report(self, req_id: str) -> RequirementStatus:
        return self._remembered(
            ("requirement", req_id), lambda: requirement_status(self.ledger, req_id, self.analysis)
        )

    def case_report(self, case_id: str) -> CaseStatus:
        return self._remembered(
            ("case", case_id), lambda: case_status(self.ledger, case_id, self.analysis)
        )

    def _remembered(self, key: tuple[str, str], make: Callable[[], T]) -> T:
        if key not in self.reports:
            self.reports[key] = make()
        return self.reports[key]  # type: ignore[return-value]

    def _quoted(self) -> dict[str, list[Quoted]]:
        """Every placed quote, by source: one pass over the positions (none for a ledger
        whose quotes were not checked)."""
        found: dict[str, list[Quoted]] = {}
        for record_id, position in (self.ledger.positions or {}).items():
            if position.source not in self.texts or not position.segments:
                continue
            if record_id in self.ledger.claims:
                anchor, target, label = f"claim-{record_id}", f"claims/{record_id}.html", "claim"
            elif record_id in self.ledger.requirements:
                anchor = f"wording-{record_id}"
                target, label = f"requirements/{record_id}.html", "the wording of"
            else:
                continue
            quote = Quoted(record_id, anchor, target, f"{label} {record_id}", position.segments)
            found.setdefault(position.source, []).append(quote)
        return {source: ordered(quotes) for source, quotes in found.items()}

    def quote_link(self, page: str, record_id: str, source_id: str) -> str | None:
        """A link to where a record's quote stands in its source's text page, or None when
        it was not placed there."""
        positions = self.ledger.positions or {}
        if source_id not in self.texts or record_id not in positions:
            return None
        kind = "claim" if record_id in self.ledger.claims else "wording"
        return f"{rel(page, text_path(source_id))}#{kind}-{record_id}"

    def not_placed(self, record_id: str, source_id: str) -> str:
        """Why a record's quote has no link into its source's text, in words ("" when the
        quotes were not checked: then nothing is known)."""
        if self.ledger.positions is None:
            return ""
        if source_id not in self.texts:
            return (
                "The source\u2019s archived text could not be verified, so the quote is not "
                "shown in it."
            )
        return "The quote was not found in the source\u2019s archived text."

    def layout(self, page: str, title: str, body: str, *, scripts: tuple[str, ...] = ()) -> str:
        """A page with this site's name and its build's footer."""
        body = self.warned(body)
        return layout(page, title, body, scripts=scripts, name=self.name, stamp=self.footer)

    def warned(self, body: str) -> str:
        """A page's body, after what the ledger's problems make every page say first."""
        if not self.unsound:
            return body
        said = self.unsound[0].upper() + self.unsound[1:]
        return f'<div class="problems" role="alert"><p>{h(said)}.</p></div>{body}'

    def badges(self, record_id: str) -> list[str]:
        """HTML notes shown among a claim's facts wherever it appears (none on the static
        site; `ledger serve` marks the claims waiting for a review)."""
        return []

    def tools(self, page: str, record: Claim | Source) -> str:
        """HTML added to a claim's page or a source's text page (none on the static site;
        `ledger serve` adds its forms)."""
        return ""

    def page_of(self, record_id: str | None) -> str | None:
        """The page of a record, or None when the ledger has no such record."""
        if record_id is None:
            return None
        kind = self._kinds.get(record_id)
        return f"{kind}/{record_id}.html" if kind else None

    @cached_property
    def _kinds(self) -> dict[str, str]:
        """Each record's kind (folder name) by id, as :meth:`Ledger.kind_of` tells it: a
        site links to a record a dozen times a page, a million times at 100,000 claims."""
        kinds = dict(self.ledger.absent)
        for kind, table in reversed(self.ledger.tables().items()):
            kinds.update(dict.fromkeys(table, kind))
        return kinds

    def source_language(self, source_id: str) -> str:
        source = self.ledger.sources.get(source_id)
        return source.language if source else "en"


# --------------------------------------------------------------------------- pieces


def stamp_html(stamp: Stamp) -> str:
    """The footer's build line: the date, and the commit (or why there is none)."""
    if stamp.commit:
        source = f'commit <code title="{h(stamp.commit)}">{h(stamp.short)}</code>'
        if stamp.changed:
            source += " with changes to the data folder not committed"
    else:
        source = h(stamp.where)
    return f'<p class="stamp">Built on <time>{h(stamp.built)}</time> from {source}.</p>'


def status_badge(status: str) -> str:
    return f'<span class="status status-{h(status)}">{h(status)}</span>'


def stance_label(stance: str) -> str:
    return f'<span class="stance stance-{h(stance)}">{h(stance)}</span>'


def fields(rows: Iterable[tuple[str, str]]) -> str:
    """A definition list of (label, HTML value) rows; empty values are left out."""
    items = "".join(f"<dt>{h(label)}</dt><dd>{value}</dd>" for label, value in rows if value)
    return f'<dl class="fields">{items}</dl>'


def quote_html(site: Site, quote: str, source_id: str) -> str:
    lang = site.source_language(source_id)
    return f'<blockquote lang="{h(lang)}"><p>\u201c{h(quote)}\u201d</p></blockquote>'


def claim_card(
    site: Site, page: str, claim: ClaimRef, *, heading: str = "", extra: Sequence[str] = ()
) -> str:
    """One claim: the quoted words, the neutral statement, source, locator, date."""
    side = claim.side.value if claim.side else "unknown"
    who = ", ".join(v for v in (_value(claim.perspective), _value(claim.side)) if v)
    meta = [
        a(page, site.page_of(claim.source), claim.source_title or claim.source)
        + (f" ({h(who)})" if who else ""),
        h(claim.locator),
    ]
    if claim.as_of:
        meta.append(f"as of {h(claim.as_of)}")
    if claim.attributed_to:
        meta.append(f"attributed to {h(claim.attributed_to)}")
    facts = [
        a(page, site.page_of(claim.id), claim.id),
        h(claim.kind.value),
        *extra,
        *site.badges(claim.id),
    ]
    in_text = site.quote_link(page, claim.id, claim.source)
    if in_text:
        facts.append(f'<a href="{h(in_text)}">the quote in its source</a>')
    return (
        f'<article class="claim side-{h(side)}">{heading}'
        f"{quote_html(site, claim.quote, claim.source)}"
        f'<p class="statement">{h(claim.statement)}</p>'
        f'<p class="meta">{DOT.join(meta)}</p>'
        f'<p class="meta">{DOT.join(facts)}</p></article>'
    )


def _value(value: object) -> str:
    return str(getattr(value, "value", value) or "")


def evidence_card(site: Site, page: str, item: Evidence) -> str:
    extra = [stance_label(item.stance.value), h(item.note)]
    return claim_card(site, page, item.claim, extra=extra)


def verdict_html(verdict: Verdict) -> str:
    """The status, the rule line that decided it, the counts and the trace."""
    t = verdict.tally
    counts = (
        '<div class="scroll"><table><caption>Counted evidence</caption>'
        '<thead><tr><th scope="col">side</th><th scope="col" class="num">supports</th>'
        '<th scope="col" class="num">undermines</th></tr></thead><tbody>'
        f'<tr><th scope="row">independent sources</th><td class="num">'
        f'{t.independent_supports}</td><td class="num">{t.independent_undermines}</td></tr>'
        f'<tr><th scope="row">the obligor\u2019s own sources</th><td class="num">'
        f'{t.obligor_supports}</td><td class="num">{t.obligor_undermines}</td></tr>'
        "</tbody></table></div>"
        f'<p class="meta">{t.context} context claim(s) shown, not counted; '
        f"{t.merged_repeats} repeat(s) counted with the claim they repeat.</p>"
    )
    steps = "".join(
        f"<tr><td>{h(s.line)}</td><td>{h(s.when)}</td><td>{status_badge(s.status.value)}</td>"
        f"<td>{'matched' if s.matched else 'no'}</td><td>{h(s.why)}</td></tr>"
        for s in verdict.steps
    )
    trace = (
        '<div class="scroll"><table><caption>How the rule decided</caption><thead><tr>'
        '<th scope="col">line</th><th scope="col">when</th><th scope="col">status</th>'
        '<th scope="col">matched</th><th scope="col">counts seen</th></tr></thead>'
        f"<tbody>{steps}</tbody></table></div>"
    )
    decided = "".join(
        f"<tr><td>{h(s.source)}</td><td>{h(s.side.value)}</td><td>{h(s.why)}</td></tr>"
        for s in verdict.sides
    )
    sides = (
        '<div class="scroll"><table><caption>Whose word each source is (the obligor: '
        f"{h(verdict.obligor or 'unknown')})</caption><thead><tr>"
        '<th scope="col">source</th><th scope="col">side</th><th scope="col">why</th>'
        f"</tr></thead><tbody>{decided}</tbody></table></div>"
        if verdict.sides
        else ""
    )
    notes = "".join(f"<li>{h(n)}</li>" for n in verdict.notes)
    disputed = (
        f'<p class="meta">Disputed (the obligor\u2019s own supporting claims): '
        f"{h(', '.join(verdict.disputed))}</p>"
        if verdict.disputed
        else ""
    )
    return (
        f"<p>{status_badge(verdict.status.value)} by rule {h(RULE)} v{h(RULE_VERSION)}, "
        f"line {h(verdict.line)}: {h(verdict.when)}</p>"
        f"{counts}{disputed}{f'<ul>{notes}</ul>' if notes else ''}{sides}{trace}"
    )


def group_html(
    site: Site, page: str, group: Group, title_html: str, level: int, anchor: str = ""
) -> str:
    """One group of claims (a case under a requirement, or a requirement under a case);
    ``anchor``, its heading's id, lets another page link to it."""
    named = f' id="{h(anchor)}"' if anchor else ""
    out = [
        f"<h{level}{named}>{title_html}</h{level}>",
        f"<p>Status here: {status_badge(group.verdict.status.value)} "
        f"(line {h(group.verdict.line)})</p>",
    ]
    for label, items in (
        ("Supports", group.supports),
        ("Undermines", group.undermines),
        ("Context", group.context),
    ):
        if items:
            out.append(f'<h{level + 1} class="side-label">{h(label)} ({len(items)})</h{level + 1}>')
            out.extend(evidence_card(site, page, item) for item in items)
    return "\n".join(out)


def contradictions_html(
    site: Site, page: str, pairs: Sequence[Contradiction], level: int = 2
) -> str:
    """Contradiction pairs side by side: the obligor's claim on the left."""
    if not pairs:
        return ""
    out = [f"<h{level}>Contradictions ({len(pairs)})</h{level}>"]
    for number, pair in enumerate(pairs, 1):
        facts = [f"declared by {', '.join(pair.declared_by)}"]
        if pair.cases:
            facts.append(f"cases {', '.join(pair.cases)}")
        if pair.requirements:
            facts.append(f"bears on {', '.join(pair.requirements)}")
        notes = "".join(f'<p class="meta">Note: {h(n)}</p>' for n in pair.notes)
        out.append(
            f'<section class="pair" aria-label="Contradiction {number}">'
            f"<h{level + 1}>Contradiction {number}</h{level + 1}>"
            f'<p class="meta">{h(DOT.join(facts))}</p>'
            f"<div>{claim_card(site, page, pair.left)}</div>"
            f"<div>{claim_card(site, page, pair.right)}</div>"
            f"{notes}</section>"
        )
    return "\n".join(out)


def figures_html(site: Site, page: str, figures: Sequence[FigureView]) -> str:
    if not figures:
        return ""
    rows = "".join(
        f'<tr><td class="num">{h(qualified(f.value, f.qualifier))}</td>'
        f"<td>{h(f.unit)}{f' ({h(f.note)})' if f.note else ''}</td>"
        f"<td>{a(page, site.page_of(f.source), f.source)}</td>"
        f"<td>{a(page, site.page_of(f.claim), f.claim)}</td></tr>"
        for f in figures
    )
    return (
        '<h2>Key figures</h2><div class="scroll"><table><thead><tr>'
        '<th scope="col" class="num">value</th>'
        '<th scope="col">unit</th><th scope="col">source</th><th scope="col">claim</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def gaps_html(gaps: Sequence[Gap]) -> str:
    if not gaps:
        return ""
    items = "".join(f"<li>{h(g.message)}</li>" for g in gaps)
    return f"<h2>Gaps in the evidence</h2><ul>{items}</ul>"


def _list(items: Iterable[str]) -> str:
    found = list(items)
    return f'<ul class="records">{"".join(f"<li>{i}</li>" for i in found)}</ul>' if found else ""


def _title(site: Site, source_id: str) -> str:
    source = site.ledger.sources.get(source_id)
    return source.title if source else source_id


def _links(site: Site, page: str, ids: Iterable[str]) -> str:
    return ", ".join(a(page, site.page_of(i), i) for i in ids)


# --------------------------------------------------------------------------- pages


def index_page(site: Site) -> str:
    page = "index.html"
    ledger = site.ledger
    report = site.overview_report()
    rows = "".join(
        f'<tr><th scope="row">{a(page, site.page_of(r.id), r.id)}<br>'
        f'<span class="muted">{h(r.title)}</span></th>'
        f'<td data-label="status">{status_badge(r.status.value)}</td>'
        f'<td data-label="line">{h(r.line)}</td>'
        f'<td class="num" data-label="supports, ind. / obl.">'
        f"{r.independent_supports} / {r.obligor_supports}</td>"
        f'<td class="num" data-label="undermines, ind. / obl.">'
        f"{r.independent_undermines} / {r.obligor_undermines}</td>"
        f'<td class="num" data-label="context">{r.context}</td>'
        f'<td class="num" data-label="cases">{r.cases}</td>'
        f'<td class="num" data-label="contradictions">{r.contradictions}</td></tr>'
        for r in report.rows
    )
    table = (
        '<div class="scroll"><table class="stack">'
        "<caption>Every requirement\u2019s status</caption>"
        '<thead><tr><th scope="col">requirement</th><th scope="col">status</th>'
        '<th scope="col">line</th><th scope="col" class="num">supports<br>ind. / obl.</th>'
        '<th scope="col" class="num">undermines<br>ind. / obl.</th>'
        '<th scope="col" class="num">context</th><th scope="col" class="num">cases</th>'
        '<th scope="col" class="num">contra&shy;dictions</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
        '<p class="meta">ind. = claims by independent sources; obl. = claims by the '
        "obligor\u2019s own sources (those that speak for the obligor).</p>"
    )
    chart = (
        '<figure class="chart">'
        f"{evidence_chart(report.rows)}"
        "<figcaption>Claims per side for each requirement: undermining claims to the left of "
        "the axis, supporting claims to the right; a repeated claim counts once. The table "
        "above gives the same numbers.</figcaption></figure>"
    )
    rule_rows = "".join(
        f"<tr><td>{h(line.line)}</td><td>{h(line.when)}</td>"
        f"<td>{status_badge(line.status.value)}</td></tr>"
        for line in RULE_LINES
    )
    rule = (
        f"<h2>The rule: {h(RULE)}, version {h(RULE_VERSION)}</h2>"
        "<p>A requirement\u2019s status is derived from the claims that bear on it. The lines "
        "are tested top-down; the first that matches gives the status. The obligor\u2019s own "
        "sources are those whose <code>speaks_for</code> is the requirement\u2019s obligor, "
        "exactly; all others are independent, another government\u2019s included.</p>"
        '<div class="scroll"><table><thead><tr><th scope="col">line</th>'
        '<th scope="col">when</th><th scope="col">status</th></tr></thead>'
        f"<tbody>{rule_rows}</tbody></table></div>"
    )
    counts = ", ".join(f"{len(t)} {k}" for k, t in ledger.tables().items())
    body = (
        "<h1>Status of every requirement</h1>"
        f'<p class="lead">{h(counts)}. Every claim is quoted verbatim from its archived '
        "source, with the place it is found.</p>"
        f"{table}<h2>Evidence per side</h2>{chart}{rule}"
        "<h2>Browse</h2>"
        + _list(
            [
                a(page, "cases.html", "Every case, with its other names"),
                a(page, "sources.html", "Every source and its claims"),
                a(page, "contradictions.html", "Contradictions, side by side"),
                a(page, "search.html", "Search"),
            ]
        )
    )
    return site.layout(page, "Status", body)


def _distinct(values: Iterable[object]) -> list[str]:
    return list(dict.fromkeys(str(v) for v in values if v not in (None, "")))


def about_page(site: Site) -> str:
    """What the ledger judges, against what, by whom (ledger.toml's [about]), and what its
    records show of it; never empty: what the keys leave out is said from the records."""
    page = "about.html"
    ledger, about = site.ledger, site.about
    reqs = list(ledger.requirements.values())
    obligors = _distinct(r.obligor for r in reqs)
    instruments = _distinct(r.instrument for r in reqs)
    years = _distinct(r.fiscal_year for r in reqs)
    if about.judged:
        judged = h(about.judged)
    elif obligors:
        judged = h(
            f"Whether {' and '.join(obligors)} met the {len(reqs)} requirement(s) listed "
            "below, as the sources\u2019 claims bear on each."
        )
    else:
        judged = "No requirement is recorded yet."
    against = h(about.against) if about.against else _list(h(i) for i in instruments)
    stamp = site.stamp
    revision = f"commit {stamp.short}" if stamp.commit else stamp.where
    citation = f"{site.name}, \u201cPAGE TITLE\u201d, built {stamp.built} from {revision}, ADDRESS."
    req_items = [
        f"{a(page, site.page_of(r.id), f'{r.id}: {r.title}')}<br>"
        f'<span class="muted">{h(r.force.value)} \u00b7 {h(r.instrument)} \u00b7 fiscal year '
        f"{h(r.fiscal_year)}</span>"
        for r in reqs
    ]
    source_items = [
        f"{a(page, site.page_of(s.id), s.title)}<br>"
        f'<span class="muted">{h("; ".join(s.authors))} \u00b7 {h(s.perspective.value)} '
        f"\u00b7 {h(s.published)}</span>"
        + (
            f'<br><a href="{h(rel(page, text_path(s.id)))}">the archived text</a>'
            if s.id in site.texts
            else ""
        )
        for s in ledger.sources.values()
    ]
    counts = ", ".join(f"{len(t)} {k}" for k, t in ledger.tables().items())
    body = (
        f"<h1>About: {h(site.name)}</h1>"
        + fields(
            [
                ("what is judged", judged),
                ("against", against or "not stated"),
                ("whose conduct", h("; ".join(obligors)) or "no obligor recorded yet"),
                ("fiscal years", h(", ".join(years))),
                ("kept by", h(about.by) if about.by else "not stated in ledger.toml"),
                ("contact", h(about.contact or "")),
                ("records", h(counts)),
            ]
        )
        + "<h2>What the ledger is</h2>"
        "<p>A ledger of evidence kept as files under version control. It records that a "
        "source <em>makes</em> a claim, in the source\u2019s exact words and with the place "
        "they are found; it states no contested fact in its own voice. Every quote is checked "
        "against the source\u2019s archived text, whose SHA-256 is pinned, and each source "
        "page links to that text with every quote highlighted. When sources disagree, both "
        "claims stay, linked as contradicting each other. A requirement\u2019s status is "
        "derived from the claims by a published rule, shown on the "
        + a(page, "index.html", "status page")
        + ".</p>"
        + "<h2>How to cite a page</h2>"
        "<p>Every page\u2019s footer gives the date the site was built and the git commit of "
        "the ledger it shows, so a citation names the exact state of the evidence. For "
        "example:</p>"
        f'<p class="cite"><code>{h(citation)}</code></p>'
        + f"<h2>Requirements ({len(req_items)})</h2>"
        + (_list(req_items) or "<p>None recorded yet.</p>")
        + f"<h2>Sources ({len(source_items)})</h2>"
        + (_list(source_items) or "<p>None recorded yet.</p>")
    )
    return site.layout(page, "About", body)


def requirement_page(site: Site, report: RequirementStatus) -> str:
    req = report.requirement
    notes = site.ledger.requirements[req.id].notes
    page = f"requirements/{req.id}.html"
    body = (
        f"<h1>{h(req.id)}: {h(req.title)}</h1>"
        f"{quote_html(site, req.text, req.source)}"
        + fields(
            [
                ("force", h(req.force.value)),
                ("obligor", h(req.obligor)),
                ("instrument", h(req.instrument)),
                ("fiscal year", h(req.fiscal_year)),
                ("wording from", a(page, site.page_of(req.source), _title(site, req.source))),
                ("locator", h(req.locator)),
                ("in the source", _in_source(site, page, req.id, req.source)),
                ("cases", _links(site, page, req.cases)),
            ]
        )
        + (f'<p class="meta">Notes: {h(notes)}</p>' if notes else "")
        + f"<h2>Status</h2>{verdict_html(report.verdict)}"
        + f"<h2>Evidence by case ({_case_count(report)})</h2>"
        + _evidence_by_case(site, page, req.id, report.cases)
        + contradictions_html(site, page, report.contradictions)
        + figures_html(site, page, report.figures)
        + gaps_html(report.gaps)
    )
    return site.layout(page, f"{req.id}: {req.title}", body)


def _case_count(report: RequirementStatus) -> int:
    """The cases the requirement's evidence is grouped by, as the index counts them: the
    group of claims about no case is no case."""
    return sum(group.id is not None for group in report.cases) + report.cases_left_out


def _evidence_by_case(site: Site, page: str, req_id: str, groups: Sequence[Group]) -> str:
    """Each case's claims on a requirement; past CASES_SHOWN cases, a table of them instead,
    each linking to its page (which has its claims), so that a requirement with thousands of
    cases has a page a browser can open. Claims about no case, or about an id that is no
    case of the ledger, are always shown: they have no case page to be on."""
    cases = site.ledger.cases
    paged = [group for group in groups if group.id in cases]
    listed = len(paged) > CASES_SHOWN
    out = [_case_table(site, page, req_id, paged)] if listed else []
    for group in groups:
        if group.id is None:
            out.append(group_html(site, page, group, "Claims about no case", 3))
        elif not (listed and group.id in cases):
            title = (
                _no_record(group.id, "case")
                if group.title is None
                else a(page, site.page_of(group.id), group.title)
            )
            out.append(group_html(site, page, group, title, 3))
    return "\n".join(out)


def _no_record(record_id: str, kind: str) -> str:
    """The heading of a group whose id names no record of that kind in the ledger: the id,
    linked to nothing (it may be another kind's), and what it is not."""
    return f'<span class="missing">{h(record_id)}</span> ({h(no_record(kind))})'


def _case_table(site: Site, page: str, req_id: str, groups: Sequence[Group]) -> str:
    """A row per case: its status and counts here, a link to its claims on its own page."""
    rows = "".join(
        f'<tr><th scope="row">{a(page, _on_case(site, g.id, req_id), g.title or g.id)}<br>'
        f'<span class="muted">{h(g.id)}</span></th>'
        f'<td data-label="status">{status_badge(g.verdict.status.value)} '
        f"{h(g.verdict.line)}</td>"
        f'<td class="num" data-label="supports, ind. / obl.">'
        f"{g.verdict.tally.independent_supports} / {g.verdict.tally.obligor_supports}</td>"
        f'<td class="num" data-label="undermines, ind. / obl.">'
        f"{g.verdict.tally.independent_undermines} / {g.verdict.tally.obligor_undermines}</td>"
        f'<td class="num" data-label="context">{g.verdict.tally.context}</td></tr>'
        for g in groups
    )
    return (
        '<p class="meta">Too many cases to show every claim here: each case\u2019s page has '
        "its claims on this requirement.</p>"
        '<div class="scroll"><table class="stack"><caption>The status on each case</caption>'
        '<thead><tr><th scope="col">case</th><th scope="col">status</th>'
        '<th scope="col" class="num">supports<br>ind. / obl.</th>'
        '<th scope="col" class="num">undermines<br>ind. / obl.</th>'
        '<th scope="col" class="num">context</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def on_requirement(req_id: str) -> str:
    """The id of a case page's section on one requirement."""
    return f"on-{req_id}"


def _on_case(site: Site, case_id: str | None, req_id: str) -> str | None:
    target = site.page_of(case_id) if case_id is not None else None
    return f"{target}#{on_requirement(req_id)}" if target else None


def case_page(site: Site, report: CaseStatus) -> str:
    case = report.case
    page = f"cases/{case.id}.html"
    groups = [
        group_html(
            site,
            page,
            group,
            _no_record(group.id or "", "requirement")
            if group.title is None
            else a(page, site.page_of(group.id), f"{group.id}: {group.title}"),
            3,
            on_requirement(group.id or ""),
        )
        for group in report.requirements
    ]
    record = site.ledger.cases[case.id]
    unlinked = "".join(claim_card(site, page, c) for c in report.unlinked)
    body = (
        f"<h1>{h(case.title)}</h1>"
        + fields(
            [
                ("id", h(case.id)),
                ("kind", h(case.kind)),
                ("also called", h("; ".join(case.aliases))),
                ("date", h(case.date or "")),
                ("place", h(case.place or "")),
                ("requirements", _links(site, page, case.requirements)),
            ]
        )
        + f"<p>{h(case.summary)}</p>"
        + (f'<p class="meta">Notes: {h(record.notes)}</p>' if record.notes else "")
        + f"<h2>By requirement ({len(report.requirements)})</h2>"
        + ("\n".join(groups) or "<p>No claim about this case bears on a requirement.</p>")
        + (f"<h2>Claims bearing on no requirement</h2>{unlinked}" if unlinked else "")
        + contradictions_html(site, page, report.contradictions)
        + figures_html(site, page, report.figures)
        + gaps_html(report.gaps)
    )
    return site.layout(page, case.title, body)


def _url_html(url: str | None) -> str:
    """A source's URL: a link only for http(s), so no data can make a script link."""
    if not url:
        return ""
    if web_url(url):
        return f'<a href="{h(url)}" rel="noopener noreferrer">{h(url)}</a>'
    return h(url)


def source_page(site: Site, source: Source) -> str:
    page = f"sources/{source.id}.html"
    claims = site.analysis.by_source.get(source.id, [])
    cards = "".join(
        claim_card(site, page, claim_ref(site.ledger, c), extra=_bears_on(site, page, c))
        for c in claims
    )
    body = (
        f"<h1>{h(source.title)}</h1>"
        + fields(
            [
                ("id", h(source.id)),
                ("authors", h("; ".join(source.authors))),
                ("published", h(source.published)),
                ("kind", h(source.kind.value)),
                ("perspective", h(source.perspective.value)),
                ("speaks for", h(source.speaks_for or "")),
                ("side", h(side_of(source, site.obligors).value)),
                ("language", h(source.language)),
                ("url", _url_html(source.url)),
                ("archived text", _archive_link(site, page, source)),
                ("SHA-256", f"<code>{h(source.archive.sha256)}</code>"),
                ("notes", h(source.notes or "")),
            ]
        )
        + f"<h2>Claims from this source ({len(claims)})</h2>{cards}"
    )
    return site.layout(page, source.title, body)


def _in_source(site: Site, page: str, record_id: str, source_id: str) -> str:
    """A link to the quote, highlighted in its source's archived text, or why there is none."""
    link = site.quote_link(page, record_id, source_id)
    if link:
        return f'<a href="{h(link)}">the quote in its source, highlighted in context</a>'
    return h(site.not_placed(record_id, source_id))


def _archive_link(site: Site, page: str, source: Source) -> str:
    if source.id not in site.texts:
        return h(source.archive.path) + " (not verified: not shown)"
    quoted = len(site.quoted.get(source.id, ()))
    return (
        f'<a href="{h(rel(page, text_path(source.id)))}">the archived text, with its '
        f"{quoted} quote(s) highlighted</a> (<code>{h(source.archive.path)}</code>)"
    )


def source_text_page(site: Site, source: Source) -> str:
    """The archived text, every quote from it marked and linked to its record, each
    quote's record listed below with a link back to where the quote stands."""
    page = text_path(source.id)
    text = nfc(site.texts[source.id])
    quotes = site.quoted.get(source.id, [])
    listed = "".join(
        f'<li><a href="#{h(q.anchor)}">{h(q.label)}</a>{DASH}'
        f"{a(page, q.target, _record_line(site, q.record))}</li>"
        for q in quotes
    )
    lang = h(site.source_language(source.id))
    body = (
        f"<h1>{h(source.title)}: the archived text</h1>"
        + fields(
            [
                ("source", a(page, site.page_of(source.id), source.id)),
                ("archived text", f"<code>{h(source.archive.path)}</code>"),
                ("SHA-256", f"<code>{h(source.archive.sha256)}</code>"),
                ("quotes", f"{len(quotes)} highlighted; each links to its record"),
            ]
        )
        + '<p class="meta">The text as archived and pinned by its SHA-256 (in Unicode NFC, '
        "which quote positions count in). Marked passages are quoted by a claim, or are a "
        "requirement\u2019s wording; where quotes overlap, the numbers after a passage link to "
        "each record quoting it, as numbered in the list below.</p>"
        + site.tools(page, source)
        + f'<div class="archive" lang="{lang}">{marked_text(page, text, quotes)}</div>'
        + f"<h2>Quoted in this text ({len(quotes)})</h2>"
        + (f'<ol class="quotes">{listed}</ol>' if listed else "<p>No quote is placed in it.</p>")
    )
    return site.layout(page, f"{source.title}: the archived text", body)


def _record_line(site: Site, record_id: str) -> str:
    claim = site.ledger.claims.get(record_id)
    if claim is not None:
        return claim.statement
    req = site.ledger.requirements.get(record_id)
    return f"{record_id}: {req.title}" if req else record_id


def _bears_on(site: Site, page: str, claim: Claim) -> list[str]:
    return [
        f"{a(page, site.page_of(r), r)} {stance_label(s.value)}" for r, s in claim.bears_on.items()
    ]


def claim_page(site: Site, claim: Claim) -> str:
    page = f"claims/{claim.id}.html"
    ledger = site.ledger
    source = ledger.sources.get(claim.source)
    figures = "".join(
        f"<li>{h(qualified(f.value, f.qualifier))} {h(f.unit)}"
        f"{f' ({h(f.note)})' if f.note else ''}</li>"
        for f in claim.figures
    )
    outbound = "".join(
        f"<li>{h(r.kind.value)} {a(page, site.page_of(r.target), r.target)}"
        f"{DASH + h(r.note) if r.note else ''}</li>"
        for r in claim.relations
    )
    inbound = "".join(
        f"<li>{a(page, site.page_of(link.from_id), link.from_id)} {h(link.role)} this claim"
        f"{DASH + h(link.detail) if link.detail else ''}</li>"
        for link in site.index.inbound(claim.id)
        if link.from_kind == "claims"
    )
    reviews = "".join(
        f"<li>{h(r.by)}, {h(r.date)} (<code>{h(r.fingerprint[:12])}</code>)</li>"
        for r in claim.reviews
    )
    bears = "".join(f"<li>{item}</li>" for item in _bears_on(site, page, claim))
    body = (
        f"<h1>Claim {h(claim.id)}</h1>"
        f"{quote_html(site, claim.quote, claim.source)}"
        f'<p class="statement">{h(claim.statement)}</p>'
        + fields(
            [
                (
                    "source",
                    a(page, site.page_of(claim.source), source.title if source else claim.source)
                    + (
                        f" ({h(source.perspective.value)}, "
                        f"{h(side_of(source, site.obligors).value)})"
                        if source
                        else ""
                    ),
                ),
                ("locator", h(claim.locator)),
                ("in the source", _in_source(site, page, claim.id, claim.source)),
                ("kind", h(claim.kind.value)),
                ("as of", h(claim.as_of or "")),
                ("attributed to", h(claim.attributed_to or "")),
                ("cases", _links(site, page, claim.cases)),
                ("bears on", f"<ul>{bears}</ul>" if bears else ""),
                ("figures", f"<ul>{figures}</ul>" if figures else ""),
                ("relations", f"<ul>{outbound}</ul>" if outbound else ""),
                ("related by", f"<ul>{inbound}</ul>" if inbound else ""),
                ("reviews", f"<ul>{reviews}</ul>" if reviews else ""),
                ("notes", h(claim.notes or "")),
                ("file", f"<code>{h(ledger.paths.get(claim.id, ''))}</code>"),
                ("review", " ".join(site.badges(claim.id))),
            ]
        )
        + site.tools(page, claim)
    )
    return site.layout(page, f"Claim {claim.id}", body)


def cases_page(site: Site) -> str:
    page = "cases.html"
    items = []
    for case in site.ledger.cases.values():
        facts = DOT.join(h(v) for v in (case.kind.value, case.date, case.place) if v)
        aliases = (
            f'<br><span class="muted">Also: {h("; ".join(case.aliases))}</span>'
            if case.aliases
            else ""
        )
        items.append(
            f"{a(page, site.page_of(case.id), case.title)} "
            f'<span class="muted">({facts})</span>{aliases}'
        )
    body = f"<h1>Cases ({len(items)})</h1>{_list(items)}"
    return site.layout(page, "Cases", body)


def sources_page(site: Site) -> str:
    page = "sources.html"
    counts: dict[str, int] = {}
    for claim in site.ledger.claims.values():
        counts[claim.source] = counts.get(claim.source, 0) + 1
    items = [
        f"{a(page, site.page_of(s.id), s.title)}<br>"
        f'<span class="muted">{h(s.perspective.value)} \u00b7 {h(s.kind.value)} \u00b7 '
        f"{h(s.published)} \u00b7 {counts.get(s.id, 0)} claim(s)</span>"
        for s in site.ledger.sources.values()
    ]
    body = f"<h1>Sources ({len(items)})</h1>{_list(items)}"
    return site.layout(page, "Sources", body)


def contradictions_page(site: Site) -> str:
    page = "contradictions.html"
    pairs = site.analysis.pairs
    body = (
        "<h1>Contradictions</h1>"
        "<p>Claims that contradict each other, once per pair, the obligor\u2019s claim on "
        "the left. Both stay in the ledger: contradictions are data.</p>"
        + (contradictions_html(site, page, pairs) or "<p>No contradictions are recorded.</p>")
    )
    return site.layout(page, "Contradictions", body)


def search_entries(site: Site) -> Iterator[dict[str, str]]:
    """The search index: one entry per record, with its text folded as `ledger search` does;
    made one at a time, so the index of a large ledger is never held whole as objects."""
    ledger = site.ledger
    for case in ledger.cases.values():
        yield _entry(
            "case",
            f"cases/{case.id}.html",
            case.title,
            "Also: " + "; ".join(case.aliases) if case.aliases else case.summary[:160],
            [case.id, case.title, *case.aliases, case.summary, case.place or ""],
        )
    for req in ledger.requirements.values():
        yield _entry(
            "requirement",
            f"requirements/{req.id}.html",
            f"{req.id}: {req.title}",
            req.text[:160],
            [req.id, req.title, req.text],
        )
    for source in ledger.sources.values():
        yield _entry(
            "source",
            f"sources/{source.id}.html",
            source.title,
            f"{source.perspective.value} \u00b7 {source.published}",
            [source.id, source.title, *source.authors],
        )
    for claim in ledger.claims.values():
        yield _entry(
            f"claim \u00b7 {claim.source}",
            f"claims/{claim.id}.html",
            claim.statement,
            f"\u201c{claim.quote}\u201d \u2014 {claim.locator}",
            [claim.id, claim.quote, claim.statement, claim.attributed_to or ""],
        )


def _entry(kind: str, url: str, title: str, summary: str, texts: list[str]) -> dict[str, str]:
    return {"k": kind, "u": url, "t": title, "s": summary, "x": fold(" ".join(texts))}


def search_page(site: Site) -> list[str]:
    """The search page, in pieces: its index, one entry a piece, is most of a large site's
    largest page (see :data:`ledger.publish.site.writer.Text`)."""
    page = "search.html"
    body = (
        "<h1>Search</h1>"
        '<form role="search" action="search.html" method="get">'
        '<label for="search-q">Search cases, requirements, sources and claims</label><br>'
        '<input id="search-q" name="q" type="search" autocomplete="off" size="32"> '
        '<button type="submit">Search</button></form>'
        '<noscript><p>Search needs JavaScript. The <a href="cases.html">list of cases</a> '
        "gives every case with its other names.</p></noscript>"
        '<p id="search-status" role="status" aria-live="polite"></p>'
        '<ol id="search-results" class="results"></ol>' + _INDEX_GOES_HERE
    )
    before, after = site.layout(page, "Search", body, scripts=("assets/search.js",)).split(
        _INDEX_GOES_HERE
    )
    return [
        before,
        *json_list_pieces("search-index", "entries", search_entries(site)),
        after,
    ]


_INDEX_GOES_HERE = "\x00search-index\x00"
"""Where the search page's index goes: no escaped text holds a NUL, so the page splits there."""


def whole(text: Text) -> str:
    """A page as one string, whether made whole or in pieces."""
    return text if isinstance(text, str) else "".join(text)


def all_pages(
    ledger: Ledger, about: About | None = None, stamp: Stamp | None = None
) -> dict[str, str]:
    """Every page of the site by its path relative to the site's root."""
    return {path: whole(text) for path, text in iter_pages(ledger, about, stamp)}


def iter_pages(
    ledger: Ledger, about: About | None = None, stamp: Stamp | None = None
) -> Iterator[tuple[str, Text]]:
    """Every page with its path, one at a time, so a large site is never held whole."""
    return ((path, make()) for path, make in page_jobs(Site(ledger, about, stamp)))


def page_jobs(site: Site) -> list[tuple[str, Callable[[], Text]]]:
    """Every page's path, in the site's order, with what renders it: a share of them can be
    rendered in another process (:mod:`ledger.publish.site.processes`)."""
    ledger = site.ledger
    jobs: list[tuple[str, Callable[[], Text]]] = [
        ("index.html", partial(index_page, site)),
        ("about.html", partial(about_page, site)),
        ("cases.html", partial(cases_page, site)),
        ("sources.html", partial(sources_page, site)),
        ("contradictions.html", partial(contradictions_page, site)),
        ("search.html", partial(search_page, site)),
    ]
    jobs.extend(
        (f"requirements/{req_id}.html", partial(_requirement_page_of, site, req_id))
        for req_id in ledger.requirements
    )
    jobs.extend(
        (f"cases/{case_id}.html", partial(_case_page_of, site, case_id)) for case_id in ledger.cases
    )
    for source in ledger.sources.values():
        jobs.append((f"sources/{source.id}.html", partial(source_page, site, source)))
        if source.id in site.texts:
            jobs.append((text_path(source.id), partial(source_text_page, site, source)))
    jobs.extend(
        (f"claims/{claim.id}.html", partial(claim_page, site, claim))
        for claim in ledger.claims.values()
    )
    return jobs


def _requirement_page_of(site: Site, req_id: str) -> str:
    return requirement_page(site, requirement_status(site.ledger, req_id, site.analysis))


def _case_page_of(site: Site, case_id: str) -> str:
    return case_page(site, case_status(site.ledger, case_id, site.analysis))
