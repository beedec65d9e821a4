"""The site in a real headless browser (Chromium, driven over the DevTools protocol through a
pipe, with nothing but the standard library): every page of the repository's site loads
from the file system with no console error and every link it holds resolves; it loads from a
web server too; search finds a case by an alias; hostile data runs no script; screenshots
are written for people to look at.

Skipped, with the reason, when no Chromium is installed (`apt-get install chromium`; CI's
`.ci/run` installs it and sets LEDGER_REQUIRE_BROWSER, which turns the skip into a failure).
The driver is tests/browser.py; the `browser` and `tab` fixtures are conftest's.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from browser import Tab, screenshots
from builders import gov, make_case, make_claim, make_ledger, make_requirement, make_source
from ledger.publish.site import build_site
from ledger.publish.site.stamp import stamp_of
from ledger.records.load import load
from ledger.records.root import Layout, open_layout

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the repository's own data."""
    layout = open_layout(REPO)
    assert isinstance(layout, Layout)
    out = tmp_path_factory.mktemp("site")
    ledger = load(layout, check=True).ledger  # checked: the archived texts are shown
    written = build_site(ledger, out, layout.about, stamp_of(layout))
    assert written.error is None
    return out


def file_of(url: str) -> Path:
    return Path(unquote(urlsplit(url).path))


LINKS = "Array.from(document.querySelectorAll('a[href]'), a => a.href)"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_every_page_loads_cleanly_and_every_link_resolves(tab: Tab, site: Path) -> None:
    """From index.html, follow every link, on a phone-sized screen: no page reports an error,
    no link leads to a missing file, no page is wider than the screen."""
    tab.viewport(390, 844, mobile=True)
    start = (site / "index.html").as_uri()
    seen, queue, failures = {start}, [start], []
    while queue:
        url = queue.pop()
        failures += [f"{url}: {p}" for p in tab.open(url)]
        if tab.evaluate(OVERFLOW) > 0:
            failures.append(f"{url}: wider than a phone's screen")
        for link in tab.evaluate(LINKS):
            page = link.split("#", 1)[0].split("?", 1)[0]
            if not page.startswith("file:"):
                failures.append(f"{url}: links outside the site: {link}")
            elif not file_of(page).is_file():
                failures.append(f"{url}: broken link {link}")
            elif page.endswith(".html") and page not in seen:
                seen.add(page)
                queue.append(page)
    assert not failures, "\n".join(failures[:20])
    pages = {p for p in site.rglob("*.html")}
    assert {file_of(u) for u in seen} == pages  # every page is reachable from the home page


def test_search_finds_a_case_by_an_alias(tab: Tab, site: Path) -> None:
    search = (site / "search.html").as_uri()
    for url in (f"{search}#q=iguala", f"{search}?q=IGUALA"):
        assert tab.open(url) == []
        found = tab.evaluate(
            "Array.from(document.querySelectorAll('#search-results a'), a => a.href)"
        )
        assert (site / "cases" / "ayotzinapa.html").as_uri() in found, url
    # typing: accents and case do not matter ("Selvas Gomez" is an alias of the Atenco case)
    tab.evaluate(
        "(() => { const q = document.getElementById('search-q'); q.value = 'selvas gomez';"
        " q.dispatchEvent(new Event('input')); })()"
    )
    found = tab.evaluate("Array.from(document.querySelectorAll('#search-results a'), a => a.href)")
    assert (site / "cases" / "atenco.html").as_uri() in found
    assert "result" in tab.evaluate("document.getElementById('search-status').textContent")


def test_the_site_works_from_a_web_server(tab: Tab, site: Path) -> None:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        for path in ("index.html", "requirements/requirement-3.html", "cases/ayotzinapa.html"):
            assert tab.open(base + path) == [], path
            assert tab.evaluate("getComputedStyle(document.body).maxWidth") != "none"
        assert tab.open(base + "search.html#q=iguala") == []
        found = tab.evaluate(
            "Array.from(document.querySelectorAll('#search-results a'), a => a.href)"
        )
        assert base + "cases/ayotzinapa.html" in found
    finally:
        server.shutdown()
        server.server_close()


def test_hostile_data_runs_no_script(tab: Tab, tmp_path: Path) -> None:
    attack = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    breakout = "</script><script>alert(3)</script>"
    ledger = make_ledger(
        make_source("cso", title=attack, url="javascript:alert(4)"),
        gov("gov"),
        make_requirement("requirement-1", title=attack),
        make_case("tlatlaya", title=breakout, aliases=[breakout, attack], summary=attack),
        make_claim(
            "c1",
            "cso",
            quote=attack,
            statement=breakout,
            cases=["tlatlaya"],
            bears_on={"requirement-1": "undermines"},
        ),
    )
    assert build_site(ledger, tmp_path / "site").error is None
    for path in ("index.html", "claims/c1.html", "cases/tlatlaya.html", "sources/cso.html"):
        url = (tmp_path / "site" / path).as_uri()
        assert tab.open(url) == [], path  # no dialog, no error, no failed load of "x"
        assert tab.evaluate("document.querySelectorAll('img').length") == 0
    assert tab.open((tmp_path / "site" / "search.html").as_uri() + "#q=alert") == []
    shown = tab.evaluate("document.getElementById('search-results').textContent")
    assert attack in shown  # the text, found and shown as text


def test_errors_are_caught(tab: Tab, tmp_path: Path) -> None:
    """The checks above can fail: a page with a script error, a failed load and a console
    error is reported on each count."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html lang=en><head><title>x</title>"
        '<link rel="stylesheet" href="missing.css"></head><body>'
        "<script>console.error('logged'); undefinedFunction();</script></body></html>",
        encoding="utf-8",
    )
    found = " | ".join(tab.open(page.as_uri()))
    assert "logged" in found and "undefinedFunction" in found and "missing.css" in found


def test_screenshots(tab: Tab, site: Path, tmp_path: Path) -> None:
    """Screenshots for people to look at: the home page on a desktop, a requirement on a
    phone, and a case as printed. Kept in $LEDGER_SCREENSHOTS when set."""
    folder = Path(os.environ.get("LEDGER_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    tab.viewport(1280, 900, mobile=False)
    assert tab.open((site / "index.html").as_uri()) == []
    shots.append(tab.screenshot(folder / "site-home-desktop.png"))
    tab.viewport(390, 844, mobile=True)
    assert tab.open((site / "requirements" / "requirement-4.html").as_uri()) == []
    shots.append(tab.screenshot(folder / "site-requirement-phone.png"))
    tab.viewport(800, 1100, mobile=False)
    tab.call("Emulation.setEmulatedMedia", {"media": "print"})
    assert tab.open((site / "cases" / "ayotzinapa.html").as_uri()) == []
    assert tab.evaluate("getComputedStyle(document.querySelector('header.site')).display") == "none"
    shots.append(tab.screenshot(folder / "site-case-print.png"))
    tab.call("Emulation.setEmulatedMedia", {"media": ""})
    for shot in shots:
        data = shot.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000, shot
    print("screenshots:", *shots, sep="\n  ")


MEMO_TEXT = Path("sources") / "cso-memo-2017" / "text.html"
CLAIM_32142 = "memo-32142-disappeared-persons"

SIDEWAYS = """(() => {
  const wide = Array.from(document.querySelectorAll('main *')).filter(e => {
    const x = getComputedStyle(e).overflowX;
    return (x === 'auto' || x === 'scroll') && e.scrollWidth > e.clientWidth + 1;
  }).map(e => e.tagName + '.' + e.className);
  return {page: document.documentElement.scrollWidth, screen: window.innerWidth, wide: wide};
})()"""


def test_no_page_scrolls_sideways_on_a_phone(tab: Tab, site: Path) -> None:
    """At 390 px, neither the page nor anything in it scrolls sideways: the status table
    stacks its rows, long ids and the archived text wrap."""
    tab.viewport(390, 844, mobile=True)
    pages = (
        "index.html",
        "requirements/requirement-3.html",
        f"claims/{CLAIM_32142}.html",
        MEMO_TEXT.as_posix(),
        "sources/mx-gov-case-updates-2018/text.html",
        "about.html",
    )
    for path in pages:
        assert tab.open((site / path).as_uri()) == [], path
        found = tab.evaluate(SIDEWAYS)
        assert found["page"] <= found["screen"] and found["wide"] == [], (path, found)
    tab.open((site / "index.html").as_uri())
    stacked = "getComputedStyle(document.querySelector('table.stack td')).display"
    assert tab.evaluate(stacked) == "block"  # a row is a block of labelled values
    label = "getComputedStyle(document.querySelector('table.stack td'), '::before').content"
    assert tab.evaluate(label) == '"status: "'
    tab.screenshot(screenshots() / "site-phone.png", whole=False)
    tab.viewport(1280, 900, mobile=False)
    tab.open((site / "index.html").as_uri())
    assert tab.evaluate(stacked) == "table-cell"  # a table again on a wide screen


BROKEN_HEADERS = """(() => {
  const broken = [];
  for (const th of document.querySelectorAll('thead th')) {
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const drawn = Array.from(range.getClientRects()).filter(r => r.width > 0);
        const lines = new Set(drawn.map(r => Math.round(r.top)));
        const soft = word[0].split('\\u00ad').length - 1;  // a soft hyphen may break it
        if (lines.size > 1 + soft) broken.push(word[0]);
      }
    }
  }
  return broken;
})()"""


def test_no_column_header_breaks_inside_a_word(tab: Tab, site: Path) -> None:
    """Between a phone's stacked rows and a desktop, a narrow column's header wraps between
    its words (or at a soft hyphen), never in the middle of one ("undermin / es")."""
    pages = ("index.html", "requirements/requirement-3.html", "cases/ayotzinapa.html")
    for width in (641, 700, 800, 1024):
        tab.viewport(width, 900, mobile=False)
        for path in pages:
            assert tab.open((site / path).as_uri()) == [], path
            assert tab.evaluate(BROKEN_HEADERS) == [], (width, path)
    tab.viewport(1280, 900, mobile=False)


def test_a_quote_in_its_source_leads_to_its_claim_and_back(tab: Tab, site: Path) -> None:
    """The memo's text: the claim about 32,142 disappeared persons is highlighted where it
    stands; clicking it opens the claim; the claim's link leads back to that place."""
    tab.viewport(1100, 800, mobile=False)
    text_page = (site / MEMO_TEXT).as_uri()
    assert tab.open(text_page) == []
    link = f'a.quoted[href$="claims/{CLAIM_32142}.html"]'
    marked = tab.evaluate(f"document.querySelector('{link} mark').textContent")
    assert "32,142 disappeared persons" in marked
    anchor = f"document.getElementById('claim-{CLAIM_32142}').nextElementSibling.matches('{link}')"
    assert tab.evaluate(anchor) is True
    assert tab.evaluate("getComputedStyle(document.querySelector('mark')).backgroundColor") != (
        "rgba(0, 0, 0, 0)"
    )
    tab.click(link)
    assert tab.evaluate("location.href") == (site / "claims" / f"{CLAIM_32142}.html").as_uri()
    assert tab.problems() == []
    tab.click('a[href$="#claim-' + CLAIM_32142 + '"]')
    assert tab.evaluate("location.href") == f"{text_page}#claim-{CLAIM_32142}"
    assert tab.evaluate("document.querySelector(':target').id") == f"claim-{CLAIM_32142}"
    tab.evaluate("new Promise(r => setTimeout(r, 100))")
    top = f"document.querySelector('{link}').getBoundingClientRect().top"
    assert 0 <= tab.evaluate(top) < 800  # scrolled to it
    tab.screenshot(screenshots() / "site-source-text.png", whole=False)


def test_search_marks_the_matched_words(tab: Tab, site: Path) -> None:
    """Matches are marked in the results as the text is written: "selvas gomez" marks
    "Selvas Gómez", accent and capitals kept."""
    assert tab.open((site / "search.html").as_uri() + "#q=selvas%20gomez") == []
    marks = tab.evaluate(
        "Array.from(document.querySelectorAll('#search-results mark'), m => m.textContent)"
    )
    assert "Selvas" in marks and "Gómez" in marks
    tab.evaluate(  # typed: the marks follow the words
        "(() => { const q = document.getElementById('search-q'); q.value = 'IGUALA';"
        " q.dispatchEvent(new Event('input')); })()"
    )
    marks = tab.evaluate(
        "Array.from(document.querySelectorAll('#search-results mark'), m => m.textContent)"
    )
    assert marks and all(m.lower() == "iguala" for m in marks)
