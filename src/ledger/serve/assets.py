"""The app's static files: the site's own (style, icon, search script), the style sheet
extended with the app's forms, and the script that turns a selection into a claim.

Nothing refers to anything outside the app; the script is a file (the pages' policy allows
no inline script) and builds no HTML from text: it sets attributes and ``textContent``.
"""

from __future__ import annotations

from ledger.publish.site.assets import ASSETS as SITE_ASSETS
from ledger.publish.site.assets import STYLE

SERVE_STYLE = """\
.badge { display: inline-block; padding: 0 .45rem; border-radius: 1rem; font-size: .8rem;
  font-weight: 700; border: 1px solid currentColor; }
.badge-suspect, .badge-stale { color: #8a4600; }
.badge-unreviewed { color: var(--muted); }
section.tools { border-top: 1px solid var(--line); margin-top: 1.5rem; }
form label.choice { display: block; }
fieldset { border: 1px solid var(--line); border-radius: 4px; margin: .75rem 0; }
input:not([type]), textarea, select { font: inherit; max-width: 100%; padding: .25rem .4rem;
  border: 1px solid var(--muted); border-radius: 4px; }
input:not([type]), textarea { width: 40rem; }
textarea { display: block; }
[aria-invalid="true"] { border: 2px solid var(--undermines); }
.problems .hint { color: var(--muted); }
.saved { border: 2px solid var(--supports); border-radius: 4px; padding: .25rem .75rem;
  margin: 1rem 0; }
table.stances th, table.stances td { border: 0; padding: .2rem .5rem .2rem 0; }
.record-selection { position: sticky; top: 0; z-index: 1; background: var(--tint);
  border: 1px solid var(--line); border-radius: 4px; padding: .5rem .75rem; }
.record-selection .selected { color: var(--muted); font-style: italic; }
a.button { display: inline-block; padding: .3rem .75rem; border: 1px solid var(--muted);
  border-radius: 4px; background: var(--paper); font-weight: 700; }
pre.patch { border: 1px solid var(--line); border-radius: 4px; padding: .5rem .75rem;
  background: var(--tint); font-size: .85rem; }
li.change-added { list-style: none; }
"""
"""What the app's pages add to the site's style sheet (served as one file)."""

SERVE_JS = """\
// Selecting text in an archived text offers a link to the form for a new claim, carrying
// the exact words selected and where they begin (code points into the archived text). The
// numbers marking overlapping quotes are not the text, and are left out of both.
(function () {
  "use strict";
  var archive = document.querySelector(".archive");
  var box = document.getElementById("record-selection");
  if (!archive || !box) {
    return;
  }
  var link = box.querySelector("a");
  var preview = box.querySelector(".selected");

  function counted(node) {
    var parent = node.parentElement;
    return !(parent && parent.closest("sup.quoted-by"));
  }

  // Characters as the server counts them (code points): one beyond U+FFFF is two units of
  // a JavaScript string.
  var PAIR = /[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]/g;

  function length(text) {
    var pairs = text.match(PAIR);
    return text.length - (pairs ? pairs.length : 0);
  }

  function texts() {
    var walker = document.createTreeWalker(archive, NodeFilter.SHOW_TEXT);
    var found = [];
    var node = walker.nextNode();
    while (node) {
      if (counted(node)) {
        found.push(node);
      }
      node = walker.nextNode();
    }
    return found;
  }

  // The selected words and the offset where they begin, or null outside the text.
  function chosen() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return null;
    }
    var range = selection.getRangeAt(0);
    if (!archive.contains(range.commonAncestorContainer)) {
      return null;
    }
    var words = "";
    var at = null;
    var seen = 0;
    texts().forEach(function (node) {
      if (range.intersectsNode(node)) {
        var start = node === range.startContainer ? range.startOffset : 0;
        var end = node === range.endContainer ? range.endOffset : node.data.length;
        if (at === null) {
          at = seen + length(node.data.slice(0, start));
        }
        words += node.data.slice(start, end);
      }
      seen += length(node.data);
    });
    words = words.replace(/\\s+/g, " ").trim();
    return words ? {words: words, at: at} : null;
  }

  function update() {
    var found = chosen();
    if (!found) {
      box.hidden = true;
      return;
    }
    var query = new URLSearchParams();
    query.set("source", box.getAttribute("data-source"));
    query.set("quote", found.words);
    query.set("at", String(found.at));
    link.href = box.getAttribute("data-form") + "?" + query.toString();
    preview.textContent = "\\u201c" + found.words + "\\u201d";
    box.hidden = false;
  }

  document.addEventListener("selectionchange", update);
})();
"""
"""assets/serve.js: the link from a selection to the form for a new claim."""

ASSETS: dict[str, str] = {
    **SITE_ASSETS,
    "assets/style.css": STYLE + SERVE_STYLE,
    "assets/serve.js": SERVE_JS,
}
"""Every file under ``/assets/`` the app serves: no other path reaches a file."""
