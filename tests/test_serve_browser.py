"""`ledger serve` in a real headless browser, over a committed copy of the repository's
ledger served on 127.0.0.1 at an ephemeral port: a researcher opens the memo's archived text,
selects the sentence about 32,142 disappeared persons, records a claim from it that
undermines requirement-3, and sees the evidence counted and the new file pending in git; a
form opened before the file changed, and a form with a forged token, are refused.

Skipped when no Chromium is installed, failed instead when LEDGER_REQUIRE_BROWSER is set (as
in the site's browser tests, whose driver this shares). Screenshots go to
$LEDGER_SCREENSHOTS when set (docs/screenshots/ keeps serve-source.png and
serve-claim-form.png).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser import Tab, screenshots
from conftest import git, run
from ledger.serve import make_server, url_of
from serving import MEMO, SENTENCE, layout_of, ledger_copy

CLAIM = "memo-32142-disappeared-persons"

SELECT = """((sentence, nth = 0) => {
  // Select the sentence where it stands in the archived text, across the marks around it.
  const archive = document.querySelector('.archive');
  const walker = document.createTreeWalker(archive, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = '';
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('sup.quoted-by')) continue;
    nodes.push([node, text.length]);
    text += node.data;
  }
  let start = -1;
  for (let i = 0; i <= nth; i++) start = text.indexOf(sentence, start + 1);
  const end = start + sentence.length;
  const at = (offset) => {
    for (let i = nodes.length - 1; i >= 0; i--) {
      if (nodes[i][1] <= offset) return [nodes[i][0], offset - nodes[i][1]];
    }
  };
  const range = document.createRange();
  range.setStart(...at(start));
  range.setEnd(...at(end));
  range.startContainer.parentElement.scrollIntoView({block: 'center'});
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return new Promise(r => setTimeout(() => r(start), 50));
})"""

UNDERMINES = """Array.from(document.querySelectorAll('table.stack tbody tr'))
  .find(row => row.querySelector('th a').textContent === 'requirement-3')
  .querySelector('td[data-label^="undermines"]').textContent"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = ledger_copy(tmp_path)
    server = make_server(layout_of(root), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url_of(server), root
    finally:
        server.shutdown()
        server.server_close()


def undermining(root: Path) -> int:
    result = run(["--root", str(root), "status", "requirement-3", "--format", "json"])
    tally = json.loads(result.stdout)["verdict"]["tally"]
    return int(tally["independent_undermines"]) + int(tally["obligor_undermines"])


def test_a_claim_recorded_by_selecting_its_words(tab: Tab, served: tuple[str, Path]) -> None:
    base, root = served
    tab.viewport(1100, 900, mobile=False)
    assert tab.open(base) == []
    before = tab.evaluate(UNDERMINES)
    counted = undermining(root)
    assert tab.open(f"{base}sources/{MEMO}/text.html") == []
    assert tab.evaluate("document.getElementById('record-selection').hidden") is True
    # clicking a highlight opens its claim
    marked = f'a.quoted[href$="claims/{CLAIM}.html"] mark'
    assert SENTENCE in tab.evaluate(f"document.querySelector('{marked}').textContent")
    start = tab.evaluate(f"{SELECT}({json.dumps(SENTENCE)})")
    assert start > 0
    assert tab.evaluate("document.getElementById('record-selection').hidden") is False
    shown = tab.evaluate("document.querySelector('#record-selection .selected').textContent")
    assert shown == f"\u201c{SENTENCE}\u201d"
    tab.screenshot(screenshots() / "serve-source.png", whole=False)
    tab.click("#record-selection a")
    assert tab.evaluate("location.pathname") == "/edit/new-claim.html"
    assert tab.evaluate("document.getElementById('f-quote').value") == SENTENCE
    locator = tab.evaluate("document.getElementById('f-locator').value")
    assert locator == "REQUIREMENT 3, paragraph 1"  # as `ledger new claim` derives it
    tab.evaluate(
        """(() => {
      document.getElementById('f-statement').value =
        'The memo says that, by official numbers, 32,142 persons are disappeared in Mexico.';
      document.getElementById('f-kind').value = 'figure';
      document.getElementById('f-stance-requirement-3').value = 'undermines';
      document.querySelector('input[name=case][value=disappearances-nationwide]').checked = true;
    })()"""
    )
    tab.screenshot(screenshots() / "serve-claim-form.png")
    tab.click("form.claim-form button[type=submit]")
    assert tab.problems() == []
    assert tab.evaluate("location.pathname") == "/changes.html"
    saved = tab.evaluate("new URLSearchParams(location.search).get('saved')")
    assert saved and saved.startswith("memo-")
    assert f"data/claims/{MEMO}/{saved}.yaml" in tab.evaluate(
        "document.getElementById('git-status').textContent"
    )
    # the claim links to its highlighted place, and the place back to the claim
    tab.click(f'.saved a[href$="#claim-{saved}"]')
    assert tab.evaluate("document.querySelector(':target').id") == f"claim-{saved}"
    # the evidence counted, on the page and by the CLI
    assert tab.open(base) == []
    after = tab.evaluate(UNDERMINES)
    assert int(after.split("/")[0]) == int(before.split("/")[0]) + 1, (before, after)
    assert undermining(root) == counted + 1
    assert git(root, "status", "--porcelain") == f"?? data/claims/{MEMO}/{saved}.yaml\n"


def test_a_stale_form_and_a_forged_token_are_refused(tab: Tab, served: tuple[str, Path]) -> None:
    base, root = served
    path = root / "data" / "claims" / MEMO / f"{CLAIM}.yaml"
    page = f"{base}claims/{CLAIM}.html"
    assert tab.open(page) == []
    changed = path.read_text(encoding="utf-8") + "# saved meanwhile, in an editor\n"
    path.write_text(changed, encoding="utf-8")
    tab.evaluate("document.getElementById('f-by').value = 'Ana'")
    tab.click("#review-h ~ form button[type=submit]")
    assert "changed on disk after this form was opened" in tab.evaluate("document.body.innerText")
    assert path.read_text(encoding="utf-8") == changed
    tab.click("#reload")
    assert tab.evaluate("location.href") == page
    tab.evaluate(
        "document.querySelectorAll('input[name=token]').forEach(i => { i.value = 'forged'; });"
        "document.getElementById('f-by').value = 'Ana';"
    )
    tab.click("#review-h ~ form button[type=submit]")
    shown = tab.evaluate("document.body.innerText")
    assert "Refused" in shown and "does not carry this server\u2019s token" in shown
    assert path.read_text(encoding="utf-8") == changed
    assert tab.open(page) == []
    tab.evaluate("document.getElementById('f-by').value = 'Ana'")
    tab.click("#review-h ~ form button[type=submit]")  # the page as it is now: accepted
    assert tab.evaluate("location.pathname") == "/changes.html"
    assert "by: Ana" in path.read_text(encoding="utf-8")


ASTRAL = (
    "Title\n\nFirst paragraph. The count was 42 units.\n\nSecond. "
    + "\U0001f9ea" * 400
    + "\n\nThird. The count was 42 units.\n\nFourth. The count was 42 units.\n"
)


def test_a_selection_after_astral_characters_is_located_where_it_stands(
    tab: Tab, served: tuple[str, Path]
) -> None:
    """The offset a selection carries counts characters as the server does (code points),
    not as JavaScript strings do (UTF-16 units: two for each character beyond U+FFFF), so
    of a quote standing in several places the form names the one selected."""
    import hashlib

    from ledger.analysis.locate import locator_for_quote

    base, root = served
    data = ASTRAL.encode("utf-8")
    (root / "data" / "sources" / "astral.txt").write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    (root / "data" / "sources" / "astral.yaml").write_text(
        "id: astral\ntitle: Astral\npublished: '2020'\nkind: memo\nperspective: court\n"
        f"language: en\narchive:\n  path: astral.txt\n  sha256: {sha}\n",
        encoding="utf-8",
    )
    quote = "The count was 42 units."
    second = ASTRAL.index(quote, ASTRAL.index(quote) + 1)
    assert tab.open(f"{base}sources/astral/text.html") == []
    tab.evaluate(f"{SELECT}({json.dumps(quote)}, 1)")
    tab.click("#record-selection a")
    assert tab.evaluate("document.querySelector('input[name=at]').value") == str(second)
    locator = tab.evaluate("document.getElementById('f-locator').value")
    assert locator == locator_for_quote(ASTRAL, quote, second) == "paragraph 3"
