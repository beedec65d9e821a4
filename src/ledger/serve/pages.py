"""The pages of `ledger serve`: the static site's pages, with the app's forms added.

Every read view is the site's own page (:mod:`ledger.publish.site.pages`), rendered from the ledger
as it is on disk now, at the same path, so the site's relative links work unchanged.
:class:`ServeSite` adds what only a running app can: the review state of each claim, the forms
that change a claim, and the link that turns a selection in an archived text into a new
claim. The pages only the app has (the form for a new claim, search by `ledger search`'s
engine, the review queue, the pending changes) are built here of the site's pieces.
Every value from the data goes through :func:`ledger.publish.site.html.h`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ledger.analysis.query import search
from ledger.analysis.review import ReviewQueue, review_queue
from ledger.analysis.status import claim_ref
from ledger.authoring.staleness import content_fingerprint
from ledger.git.diff import LedgerDiff, because
from ledger.publish.site.html import NAV, a, h, layout, rel
from ledger.publish.site.pages import DOT, Site, claim_card, stamp_html, status_badge
from ledger.publish.site.source_text import text_path
from ledger.publish.site.stamp import Stamp
from ledger.records.config import About
from ledger.records.ledger import Ledger
from ledger.records.model import Claim, Source
from ledger.serve.forms import (
    KINDS,
    PERSPECTIVES,
    RELATIONS,
    SOURCE_KINDS,
    STANCES,
    UPLOADS,
    Problem,
)

NEW_CLAIM = "edit/new-claim.html"
"""The page of the form that records a claim (opened from a selection)."""

NEW_SOURCE = "edit/new-source.html"
"""The page of the form that archives a new source (a document uploaded)."""

SERVE_NAV = (
    *NAV,
    ("queue.html", "Review queue"),
    ("changes.html", "Changes"),
    (NEW_SOURCE, "Add a source"),
)

QUEUE_LABELS = {"suspect": "suspect", "stale": "changed since review", "unreviewed": "unreviewed"}


def form_head(site: ServeSite, page: str, name: str, fingerprint: str) -> str:
    """A claim's form: posted to the claim's own page (so a refusal is shown there, its
    links as they were), named, with the token and the file's fingerprint."""
    return (
        f'<form method="post" action="{h(rel(page, page))}">'
        f'<input type="hidden" name="form" value="{h(name)}">{site.hidden(fingerprint)}'
    )


class ServeSite(Site):
    """The site, as the app shows it: review states marked, forms added, the app's pages
    in the navigation; ``token`` is the process's, carried by every form; ``unsound`` as
    the static site has it (:attr:`Site.unsound`)."""

    def __init__(
        self,
        ledger: Ledger,
        root: Path,
        token: str,
        about: About | None = None,
        stamp: Stamp | None = None,
        unsound: str = "",
    ) -> None:
        super().__init__(ledger, about, stamp, unsound)
        self.root = root
        self.token = token
        self.queue: ReviewQueue = review_queue(ledger)
        self.waiting = {item.id: item for item in self.queue.items}
        self.problems: dict[str, list[Problem]] = {}
        """Problems to show on a form, by the form's name (a refused post)."""
        self.posted: dict[str, Mapping[str, object]] = {}
        """Values to show again in a form, by the form's name (a refused post)."""

    def for_request(self, stamp: Stamp) -> ServeSite:
        """This site for one request: the ledger and every index made of it shared (read,
        never changed, by the pages), the forms' problems and values its own, its footer
        stamped now."""
        mine = copy.copy(self)
        mine.problems, mine.posted = {}, {}
        mine.stamp, mine.footer = stamp, stamp_html(stamp)
        return mine

    def layout(self, page: str, title: str, body: str, *, scripts: tuple[str, ...] = ()) -> str:
        body = self.warned(body)
        return layout(
            page,
            title,
            body,
            scripts=(*scripts, "assets/serve.js"),
            name=self.name,
            stamp=self.footer,
            nav=SERVE_NAV,
            referrer="same-origin",
            made_with="ledger serve",
        )

    def badges(self, record_id: str) -> list[str]:
        item = self.waiting.get(record_id)
        if item is None:
            return []
        label = QUEUE_LABELS[item.state]
        return [
            f'<span class="badge badge-{h(item.state)}" title="{h(item.why)}">{h(label)}</span>'
        ]

    def fingerprint(self, record_id: str) -> str:
        path = self.ledger.paths.get(record_id)
        found = content_fingerprint(self.root / path) if path else None
        return found or ""

    def hidden(self, fingerprint: str = "") -> str:
        """The fields every form carries: the token, and the file's fingerprint."""
        out = f'<input type="hidden" name="token" value="{h(self.token)}">'
        if fingerprint:
            out += f'<input type="hidden" name="fingerprint" value="{h(fingerprint)}">'
        return out

    def tools(self, page: str, record: Claim | Source) -> str:
        if isinstance(record, Source):
            return (
                f'<p class="meta">Select a passage of the text to record a claim from it.</p>'
                f'<div id="record-selection" class="record-selection" hidden '
                f'data-source="{h(record.id)}" data-form="{h(rel(page, NEW_CLAIM))}">'
                '<a class="button" href="#">Record a claim from the selection</a> '
                '<span class="selected"></span></div>'
            )
        return claim_forms(self, page, record)


# --------------------------------------------------------------------------- pieces


def problems_html(problems: Sequence[Problem], lead: str = "Nothing was written:") -> str:
    """The problems of a post, each as the terminal says it: field, message, hint."""
    if not problems:
        return ""
    items = "".join(
        "<li>"
        + (f"<strong>{h(p.field)}</strong>: " if p.field else "")
        + h(p.message)
        + (f'<br><span class="hint">hint: {h(p.hint)}</span>' if p.hint else "")
        + "</li>"
        for p in problems
    )
    return (
        f'<div class="problems" role="alert"><p>{h(lead)}</p><ul id="problems">{items}</ul></div>'
    )


def _text_input(
    name: str, label: str, value: object, problems: Sequence[Problem], **extra: str
) -> str:
    wrong = any(p.field == name for p in problems)
    attrs = "".join(f' {k}="{h(v)}"' for k, v in extra.items())
    invalid = ' aria-invalid="true"' if wrong else ""
    return (
        f'<p><label for="f-{h(name)}">{h(label)}</label><br>'
        f'<input id="f-{h(name)}" name="{h(name)}" value="{h(value or "")}"{invalid}{attrs}></p>'
    )


def _textarea(name: str, label: str, value: object, problems: Sequence[Problem]) -> str:
    wrong = any(p.field == name for p in problems)
    invalid = ' aria-invalid="true"' if wrong else ""
    return (
        f'<p><label for="f-{h(name)}">{h(label)}</label><br>'
        f'<textarea id="f-{h(name)}" name="{h(name)}" rows="3"{invalid}>{h(value or "")}'
        "</textarea></p>"
    )


def _select(name: str, options: Iterable[str], chosen: str, blank: str = "") -> str:
    items = [f'<option value="">{h(blank)}</option>'] if blank else []
    items += [
        f'<option value="{h(o)}"{" selected" if o == chosen else ""}>{h(o)}</option>'
        for o in options
    ]
    return f'<select id="f-{h(name)}" name="{h(name)}">{"".join(items)}</select>'


def case_boxes(ledger: Ledger, chosen: Iterable[str]) -> str:
    picked = set(chosen)
    boxes = "".join(
        f'<label class="choice"><input type="checkbox" name="case" value="{h(c.id)}"'
        f"{' checked' if c.id in picked else ''}> {h(c.title)} <code>{h(c.id)}</code></label>"
        for c in ledger.cases.values()
    )
    return f'<fieldset id="f-case"><legend>Cases</legend>{boxes}</fieldset>'


def stance_rows(ledger: Ledger, stances: Mapping[str, str]) -> str:
    rows = "".join(
        f'<tr><th scope="row"><label for="f-stance-{h(r.id)}">{h(r.id)}</label><br>'
        f'<span class="muted">{h(r.title)}</span></th><td>'
        f"{_select(f'stance-{r.id}', STANCES, str(stances.get(r.id, '')), 'does not bear on it')}"
        "</td></tr>"
        for r in ledger.requirements.values()
    )
    return (
        '<fieldset><legend>Bears on</legend><table class="stances"><tbody>'
        f"{rows}</tbody></table></fieldset>"
    )


def _posted_stances(posted: Mapping[str, object]) -> dict[str, str]:
    return {
        key.removeprefix("stance-"): str(value)
        for key, value in posted.items()
        if key.startswith("stance-") and value
    }


def claim_forms(site: ServeSite, page: str, claim: Claim) -> str:
    """A claim's forms: its cases and stances, a new relation, a review stamp."""
    fingerprint = site.fingerprint(claim.id)
    posted = site.posted.get("claim", {})
    problems = site.problems.get("claim", [])
    cases = posted.get("case", claim.cases) if posted else claim.cases
    stances = _posted_stances(posted) if posted else {r: s.value for r, s in claim.bears_on.items()}
    edit = (
        '<section class="tools" aria-labelledby="edit-h"><h2 id="edit-h">Cases and stances</h2>'
        + problems_html(problems)
        + form_head(site, page, "claim", fingerprint)
        + case_boxes(site.ledger, cases)  # type: ignore[arg-type]
        + stance_rows(site.ledger, stances)
        + '<p><button type="submit">Save cases and stances</button></p></form></section>'
    )
    rposted = site.posted.get("relate", {})
    relate = (
        '<section class="tools" aria-labelledby="relate-h"><h2 id="relate-h">Add a relation</h2>'
        + problems_html(site.problems.get("relate", []))
        + form_head(site, page, "relate", fingerprint)
        + '<p><label for="f-relation">This claim</label> '
        + _select("relation", RELATIONS, str(rposted.get("relation", "")))
        + "</p>"
        + _text_input(
            "other",
            "the claim (its id, or a unique beginning of it)",
            rposted.get("other"),
            site.problems.get("relate", []),
        )
        + _text_input("note", "Why they are linked (optional)", rposted.get("note"), ())
        + '<p><button type="submit">Add the relation</button></p></form></section>'
    )
    review = (
        '<section class="tools" aria-labelledby="review-h"><h2 id="review-h">Review</h2>'
        '<p class="meta">Stamp the claim as checked against its source, as '
        f"<code>ledger review {h(claim.id)} --by NAME</code> does.</p>"
        + problems_html(site.problems.get("review", []))
        + form_head(site, page, "review", fingerprint)
        + _text_input(
            "by",
            "Reviewer",
            site.posted.get("review", {}).get("by"),
            site.problems.get("review", []),
        )
        + '<p><button type="submit">Stamp the review</button></p></form></section>'
    )
    return edit + relate + review


# --------------------------------------------------------------------------- pages


def new_claim_page(
    site: ServeSite,
    source: Source,
    values: Mapping[str, object],
    problems: Sequence[Problem],
) -> str:
    """The form for a new claim from a selection: the exact quote and its derived locator
    filled in; kind, cases, stances and links to choose."""
    page = NEW_CLAIM
    ledger = site.ledger
    stances = _posted_stances(values)
    body = (
        "<h1>Record a claim</h1>"
        f'<p class="lead">From {a(page, site.page_of(source.id), source.title)} '
        f'(<a href="{h(rel(page, text_path(source.id)))}">its archived text</a>). The quote is '
        "checked against the archived text before anything is written.</p>"
        + problems_html(problems)
        + f'<form method="post" action="{h(rel(page, NEW_CLAIM))}" class="claim-form">'
        + site.hidden(site.fingerprint(source.id))
        + f'<input type="hidden" name="source" value="{h(source.id)}">'
        + f'<input type="hidden" name="at" value="{h(values.get("at") or "")}">'
        + _textarea("quote", "Quote (the source's exact words)", values.get("quote"), problems)
        + _text_input("locator", "Locator (where in the source)", values.get("locator"), problems)
        + _textarea(
            "statement",
            "Statement (one neutral sentence: \u2018The memo says that \u2026\u2019)",
            values.get("statement"),
            problems,
        )
        + '<p><label for="f-kind">Kind</label><br>'
        + _select("kind", KINDS, str(values.get("kind") or ""), "choose a kind")
        + "</p>"
        + case_boxes(ledger, values.get("case") or ())  # type: ignore[arg-type]
        + stance_rows(ledger, stances)
        + _text_input(
            "relations",
            f"Relations to other claims (KIND=CLAIM, comma-separated; {', '.join(RELATIONS)})",
            values.get("relations"),
            problems,
        )
        + _text_input(
            "attributed_to", "Attributed to (optional)", values.get("attributed_to"), problems
        )
        + _text_input(
            "as_of", "As of (optional: YYYY, YYYY-MM or YYYY-MM-DD)", values.get("as_of"), problems
        )
        + _text_input("notes", "Notes (optional)", values.get("notes"), problems)
        + _text_input("id", "Id (optional: generated when left empty)", values.get("id"), problems)
        + '<p><button type="submit">Save the claim</button></p></form>'
    )
    return site.layout(page, "Record a claim", body)


def new_source_page(
    site: ServeSite, values: Mapping[str, object], problems: Sequence[Problem]
) -> str:
    """The form that archives a document as a new source, as `ledger new source` does."""
    page = NEW_SOURCE
    body = (
        "<h1>Add a source</h1>"
        '<p class="lead">The document\u2019s text is archived in the data folder and its '
        "SHA-256 pinned: plain text as it is, HTML without its markup, PDF through pdftotext. "
        "Quotes are then checked against that text.</p>"
        + problems_html(problems)
        + f'<form method="post" action="{h(rel(page, page))}" enctype="multipart/form-data" '
        'class="source-form">'
        + site.hidden()
        + '<p><label for="f-file">Document (text, HTML or PDF)</label><br>'
        f'<input id="f-file" name="file" type="file" accept="{h(",".join(UPLOADS))}"></p>'
        + _text_input(
            "title", "Title (default: the document\u2019s own)", values.get("title"), problems
        )
        + _text_input("authors", "Authors (separated by ';')", values.get("authors"), problems)
        + _text_input(
            "published",
            "Published (YYYY, YYYY-MM or YYYY-MM-DD)",
            values.get("published"),
            problems,
        )
        + '<p><label for="f-kind">Kind</label><br>'
        + _select("kind", SOURCE_KINDS, str(values.get("kind") or ""), "choose a kind")
        + '</p><p><label for="f-perspective">Perspective</label><br>'
        + _select("perspective", PERSPECTIVES, str(values.get("perspective") or ""), "whose voice")
        + "</p>"
        + _text_input(
            "speaks_for",
            "Speaks for (exactly as a requirement names its obligor, if it is the obligor\u2019s "
            "own word; else blank)",
            values.get("speaks_for"),
            problems,
        )
        + _text_input(
            "language", "Language (e.g. en, es)", values.get("language") or "en", problems
        )
        + _text_input("url", "URL (optional)", values.get("url"), problems)
        + _text_input("notes", "Notes (optional)", values.get("notes"), problems)
        + _text_input("id", "Id (optional: generated when left empty)", values.get("id"), problems)
        + '<p><button type="submit">Archive the source</button></p></form>'
    )
    return site.layout(page, "Add a source", body)


def search_page(site: ServeSite, query: str) -> str:
    """Search with `ledger search`'s engine: every matching field, its words marked."""
    page = "search.html"
    found = search(site.ledger, query) if query.strip() else None
    items = []
    for hit in found.hits if found else ():
        snippet = (
            h(hit.snippet[: hit.start])
            + f"<mark>{h(hit.snippet[hit.start : hit.end])}</mark>"
            + h(hit.snippet[hit.end :])
        )
        items.append(
            f'<li><span class="kind">{h(hit.kind[:-1])} \u00b7 {h(hit.field)}</span><br>'
            f"{a(page, site.page_of(hit.id), hit.title)}<p>{snippet}</p></li>"
        )
    said = (
        f'<p id="search-status" role="status">{len(items)} result(s) for \u201c{h(query)}\u201d</p>'
        if found
        else '<p id="search-status" role="status">Type a name, a place, a case\u2019s other '
        "name, or words of a quote.</p>"
    )
    body = (
        "<h1>Search</h1>"
        '<form role="search" action="search.html" method="get">'
        '<label for="search-q">Search cases, requirements, sources and claims</label><br>'
        f'<input id="search-q" name="q" type="search" value="{h(query)}" size="32"> '
        '<button type="submit">Search</button></form>'
        + said
        + f'<ol id="search-results" class="results">{"".join(items)}</ol>'
    )
    return site.layout(page, "Search", body)


def queue_page(site: ServeSite) -> str:
    """The claims waiting for a reviewer (`ledger queue`), each with why."""
    page = "queue.html"
    counts = DOT.join(f"{n} {state}" for state, n in site.queue.counts().items())
    rows = "".join(
        f'<tr><td data-label="state">{" ".join(site.badges(item.id))}</td>'
        f'<td data-label="claim">{a(page, site.page_of(item.id), item.id)}</td>'
        f'<td data-label="why">{h(item.why)}</td></tr>'
        for item in site.queue.items
    )
    body = (
        "<h1>Review queue</h1>"
        f'<p class="lead">{h(counts)}. A claim is cleared by a review stamp: open it and stamp '
        "it once it is checked against its source.</p>"
        + (
            '<div class="scroll"><table class="stack"><thead><tr><th scope="col">state</th>'
            '<th scope="col">claim</th><th scope="col">why</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>"
            if rows
            else "<p>No claim is waiting for a review.</p>"
        )
    )
    return site.layout(page, "Review queue", body)


def diff_html(site: ServeSite, page: str, result: LedgerDiff) -> str:
    """What `ledger diff` says, as HTML: records added, removed and changed (with their
    fields), the statuses that move, the assertions broken, the claims needing a review."""
    if result.empty:
        return "<p>No changes to records or statuses.</p>"
    marks = {"added": "+", "removed": "\u2212", "changed": "~"}
    out = []
    if result.records:
        items = []
        for change in result.records:
            fields = "".join(
                f"<li><code>{h(f.field)}</code>: {h(_short(f.old))} \u2192 {h(_short(f.new))}</li>"
                for f in change.fields
            )
            review = (
                f' <span class="muted">[review: {h(change.review)}]</span>' if change.review else ""
            )
            target = site.page_of(change.id) if change.change != "removed" else None
            items.append(
                f'<li class="change-{h(change.change)}">{marks.get(change.change, "")} '
                f"{h(change.kind)} {a(page, target, change.id)} <code>{h(change.path)}</code>"
                f"{review}{f'<ul>{fields}</ul>' if fields else ''}</li>"
            )
        out.append(f'<h3>Records</h3><ul class="records" id="diff-records">{"".join(items)}</ul>')
    if result.statuses:
        rows = "".join(
            f"<tr><td>{h(c.kind)} {a(page, site.page_of(c.id), c.id)}"
            f"{' / ' + h(c.requirement) if c.kind != 'requirement' else ''}</td>"
            f"<td>{status_badge(c.old or '(none)')} ({h(c.old_line or '-')})</td>"
            f"<td>{status_badge(c.new or '(none)')} ({h(c.new_line or '-')})</td>"
            f"<td>{h(because(c))}</td></tr>"
            for c in result.statuses
        )
        out.append(
            '<h3>Status changes</h3><div class="scroll"><table><thead><tr><th scope="col">record'
            '</th><th scope="col">before</th><th scope="col">after</th><th scope="col">because of'
            f"</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )
    if result.assertions:
        from ledger.git.diff import assertion_line

        items = "".join(
            f"<li>{h(assertion_line(b))} <code>{h(b.path)}</code></li>" for b in result.assertions
        )
        out.append(f"<h3>Assertions this change breaks</h3><ul>{items}</ul>")
    if result.unreviewed:
        out.append(
            "<p>Changed claims without a fresh review: "
            + ", ".join(a(page, site.page_of(i), i) for i in result.unreviewed)
            + "</p>"
        )
    return "\n".join(out)


def _short(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def changes_page(
    site: ServeSite,
    saved: str | None,
    result: LedgerDiff | str,
    status: str | None,
    patch: str,
    new_files: Sequence[tuple[str, str]],
) -> str:
    """The changes not committed: what `ledger diff` says of them, and git's own diff of the
    data folder (the app never commits: that is the researcher's step, in git); outside git
    (``status`` None), only why there is no diff."""
    page = "changes.html"
    note = ""
    if saved and saved in site.ledger.claims:
        claim = site.ledger.claims[saved]
        in_text = site.quote_link(page, saved, claim.source)
        note = (
            f'<div class="saved" role="status"><p>Saved {a(page, site.page_of(saved), saved)} '
            f"(<code>{h(site.ledger.paths.get(saved, ''))}</code>)"
            + (
                f' \u2014 <a href="{h(in_text)}">its quote, highlighted in its source</a>'
                if in_text
                else ""
            )
            + "</p>"
            + claim_card(site, page, claim_ref(site.ledger, claim))
            + "</div>"
        )
    elif saved and saved in site.ledger.sources:
        text = (
            f' \u2014 <a href="{h(rel(page, text_path(saved)))}">its archived text</a>'
            if saved in site.texts
            else ""
        )
        note = (
            f'<div class="saved" role="status"><p>Saved {a(page, site.page_of(saved), saved)} '
            f"(<code>{h(site.ledger.paths.get(saved, ''))}</code>){text}</p></div>"
        )
    verdict = (
        diff_html(site, page, result)
        if isinstance(result, LedgerDiff)
        else f'<p class="muted">{h(result)}</p>'
    )
    added = "".join(
        f'<h3>New file <code>{h(path)}</code></h3><pre class="patch">{h(text)}</pre>'
        for path, text in new_files
    )
    body = (
        "<h1>Changes not committed</h1>"
        + note
        + '<p class="lead">What <code>ledger diff</code> says of the working tree against the '
        "last commit, then git\u2019s diff of the data folder. The app never commits: review "
        "the files, then commit them with git.</p>"
        + f'<h2>ledger diff</h2><div id="ledger-diff">{verdict}</div>'
        + (
            f'<h2>git status</h2><pre class="patch" id="git-status">{h(status) or "(clean)"}</pre>'
            + '<h2>git diff</h2><pre class="patch" id="git-diff">'
            + (h(patch) or "(no changes to tracked files)")
            + "</pre>"
            + added
            if status is not None
            else ""
        )
    )
    return site.layout(page, "Changes", body)


def message_page(
    site: Site | None,
    page: str,
    title: str,
    problems: Sequence[Problem],
    more: str = "",
    lead: str = "Nothing was written:",
) -> str:
    """A refusal, an unknown page, a stale form: what happened, and what to do."""
    body = f"<h1>{h(title)}</h1>{problems_html(problems, lead)}{more}"
    if site is None:
        return layout(
            page, title, body, nav=SERVE_NAV, referrer="same-origin", made_with="ledger serve"
        )
    return site.layout(page, title, body)
