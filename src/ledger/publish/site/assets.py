"""The site's static files: the style sheet, the search script and the icon.

No file refers to anything outside the site: no web fonts, no CDN, no analytics.
"""

from __future__ import annotations

STYLE = """\
:root {
  --ink: #1f2328;
  --muted: #57606a;
  --line: #d0d7de;
  --paper: #ffffff;
  --tint: #f6f8fa;
  --link: #0b5cad;
  --supports: #1a7f37;
  --undermines: #b42318;
  --context: #57606a;
  --focus: #8a4600;
}
* { box-sizing: border-box; }
html { font-size: 100%; }
body {
  margin: 0 auto;
  max-width: 62rem;
  padding: 0 1rem 2rem;
  color: var(--ink);
  background: var(--paper);
  font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  overflow-wrap: break-word;
}
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible {
  outline: 3px solid var(--focus);
  outline-offset: 2px;
}
.skip { position: absolute; left: -100rem; }
.skip:focus { position: static; display: inline-block; padding: .5rem; }
header.site {
  display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem;
  border-bottom: 1px solid var(--line); padding: .75rem 0;
}
.site-name { margin: 0; font-weight: 700; }
header.site ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0;
  padding: 0; }
header.site a[aria-current="page"] { font-weight: 700; color: var(--ink); }
form.site-search { margin-left: auto; }
input[type="search"] {
  font: inherit; padding: .3rem .5rem; border: 1px solid var(--muted); border-radius: 4px;
  max-width: 100%;
}
button { font: inherit; padding: .3rem .75rem; border: 1px solid var(--muted);
  border-radius: 4px; background: var(--tint); color: var(--ink); cursor: pointer; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 1.5rem 0 .5rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
.lead { color: var(--muted); margin-top: 0; }
.muted, .meta { color: var(--muted); }
.meta { font-size: .9rem; margin: .25rem 0; }
.missing { color: var(--muted); font-style: italic; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 700; padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem;
  border-bottom: 1px solid var(--line); }
thead th { background: var(--tint); }
tbody th { font-weight: 400; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
dl.fields { display: grid; grid-template-columns: minmax(7rem, max-content) minmax(0, 1fr);
  gap: .25rem 1rem; }
dl.fields dt { font-weight: 700; }
dl.fields dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.status { display: inline-block; padding: .05rem .5rem; border-radius: 1rem;
  color: #ffffff; font-weight: 700; font-size: .9rem; white-space: nowrap; }
.status-met { background: #1a7f37; }
.status-not-met { background: #b42318; }
.status-contested { background: #7a5a00; }
.status-claimed-by-obligor { background: #6f42c1; }
.status-no-evidence { background: #57606a; }
.stance { font-weight: 700; }
.stance-supports { color: var(--supports); }
.stance-undermines { color: var(--undermines); }
.stance-context { color: var(--context); }
article.claim {
  border: 1px solid var(--line); border-left: 4px solid var(--muted);
  border-radius: 4px; padding: .5rem .75rem; margin: .75rem 0; background: var(--paper);
}
article.claim.side-obligor { border-left-color: #6f42c1; }
article.claim.side-independent { border-left-color: #0b5cad; }
blockquote { margin: .25rem 0; padding: 0 0 0 .75rem; border-left: 3px solid var(--line);
  font-style: italic; }
blockquote p { margin: .25rem 0; }
.statement { margin: .25rem 0; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; align-items: start;
  border-top: 1px solid var(--line); margin-top: 1rem; }
.pair > h3, .pair > h4, .pair > p { grid-column: 1 / -1; margin-bottom: 0; }
.side-label { font-size: 1rem; margin: 1rem 0 .25rem; }
ul.records { padding-left: 1.25rem; }
ul.records li { margin: .25rem 0; }
figure.chart { margin: 1rem 0; }
figure.chart svg { width: 100%; height: auto; max-width: 48rem; display: block; }
figure.chart figcaption { color: var(--muted); font-size: .9rem; }
.chart text { fill: var(--ink); font: 13px system-ui, sans-serif; }
.chart text.small { fill: var(--muted); font-size: 12px; }
.chart .axis { stroke: var(--muted); stroke-width: 1; }
.chart .bar-supports { fill: var(--supports); }
.chart .bar-undermines { fill: var(--undermines); }
ol.results { padding-left: 1.25rem; }
ol.results li { margin: .75rem 0; }
ol.results .kind { color: var(--muted); font-size: .85rem; text-transform: uppercase;
  letter-spacing: .03em; }
ol.results p { margin: .1rem 0; color: var(--muted); }
footer.site { margin-top: 3rem; border-top: 1px solid var(--line); color: var(--muted);
  font-size: .9rem; }
h1, a, code, td, th, dd, .meta, .muted { overflow-wrap: anywhere; }
thead th { overflow-wrap: normal; hyphens: manual; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; }
mark { background: #fff1a8; color: var(--ink); padding: 0 .05em; }
a.quoted { color: var(--ink); text-decoration: underline dotted var(--muted); }
a.quoted:hover mark, a.quoted:focus-visible mark { background: #ffd84d; }
.anchor { scroll-margin-top: 6rem; }
.anchor:target + a.quoted mark, .anchor:target + .anchor + a.quoted mark {
  outline: 3px solid var(--focus); }
sup.quoted-by { font-size: .7rem; line-height: 0; }
.archive { white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid var(--line);
  border-radius: 4px; padding: .75rem 1rem; margin: 1rem 0; line-height: 1.6; }
ol.quotes li { margin: .25rem 0; }
.stamp { margin-top: .25rem; }
.cite code { white-space: normal; }
ol.results mark { padding: 0; }
.problems { border: 2px solid var(--undermines); border-radius: 4px; padding: .25rem .75rem;
  margin: 1rem 0; }
@media (max-width: 40rem) {
  body { padding: 0 .75rem 2rem; }
  .scroll { overflow-x: visible; }
  table.stack, table.stack tbody, table.stack tr, table.stack th, table.stack td,
  table.stack caption { display: block; width: 100%; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip-path: inset(50%); }
  table.stack tr { border-bottom: 2px solid var(--line); padding: .5rem 0; }
  table.stack th, table.stack td { border: 0; padding: .1rem 0; text-align: left; }
  table.stack td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); }
  th, td { padding: .3rem .25rem; }
  .pair { grid-template-columns: 1fr; }
  dl.fields { grid-template-columns: minmax(0, 1fr); }
  dl.fields dd { margin-bottom: .5rem; }
  form.site-search { margin-left: 0; }
  h1 { font-size: 1.35rem; }
}
@media print {
  header.site, form, .skip, footer.site { display: none; }
  body { max-width: none; padding: 0; font-size: 11pt; }
  a { color: inherit; text-decoration: none; }
  .status { color: #000000; background: none; border: 1px solid #000000; }
  article.claim, .pair, tr, figure.chart { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .chart .bar-supports { fill: #555555; }
  .chart .bar-undermines { fill: #000000; }
}
"""
"""assets/style.css: readable on a phone and in print; no colour carries meaning alone."""

SEARCH_JS = """\
// Client-side search over the index embedded in search.html. Results are built as DOM
// nodes with textContent: nothing from the data is ever parsed as HTML.
(function () {
  "use strict";
  var block = document.getElementById("search-index");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!block || !input || !status || !list) {
    return;
  }
  var entries = JSON.parse(block.textContent).entries;
  var LIMIT = 200;

  function fold(text) {
    return text.normalize("NFKD").replace(/\\p{M}/gu, "").toLowerCase()
      .replace(/\\u00df/g, "ss").replace(/\\s+/g, " ").trim();
  }

  function foldChar(char) {
    return /\\s/.test(char) ? " " : char.normalize("NFKD").replace(/\\p{M}/gu, "")
      .toLowerCase().replace(/\\u00df/g, "ss");
  }

  // Where the terms stand in a text as it is shown: the text is folded one character at a
  // time, each folded character remembering the character it came from, so a match in the
  // folded text ("gomez") marks the characters it was folded from ("Gómez").
  function ranges(text, terms) {
    var chars = Array.from(text);
    var starts = [];
    var offset = 0;
    chars.forEach(function (char) { starts.push(offset); offset += char.length; });
    starts.push(offset);
    var folded = "";
    var from = [];
    chars.forEach(function (char, index) {
      var piece = foldChar(char);
      if (piece === " " && folded.slice(-1) === " ") {
        return;
      }
      for (var k = 0; k < piece.length; k++) {
        folded += piece[k];
        from.push(index);
      }
    });
    var found = [];
    terms.forEach(function (term) {
      var at = folded.indexOf(term);
      while (at !== -1) {
        found.push([from[at], from[at + term.length - 1] + 1]);
        at = folded.indexOf(term, at + term.length);
      }
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var merged = [];
    found.forEach(function (range) {
      var last = merged[merged.length - 1];
      if (last && range[0] <= last[1]) {
        last[1] = Math.max(last[1], range[1]);
      } else {
        merged.push(range.slice());
      }
    });
    return merged.map(function (range) { return [starts[range[0]], starts[range[1]]]; });
  }

  // The text as nodes, each match in a <mark>: built with text nodes, never parsed.
  function marked(text, terms) {
    var fragment = document.createDocumentFragment();
    var at = 0;
    ranges(text, terms).forEach(function (range) {
      if (range[0] > at) {
        fragment.append(document.createTextNode(text.slice(at, range[0])));
      }
      var mark = document.createElement("mark");
      mark.textContent = text.slice(range[0], range[1]);
      fragment.append(mark);
      at = range[1];
    });
    if (at < text.length) {
      fragment.append(document.createTextNode(text.slice(at)));
    }
    return fragment;
  }

  function wanted() {
    var fromHash = new URLSearchParams(location.hash.replace(/^#/, "")).get("q");
    var fromQuery = new URLSearchParams(location.search).get("q");
    return fromHash || fromQuery || "";
  }

  function show(query) {
    var terms = fold(query).split(" ").filter(Boolean);
    list.replaceChildren();
    if (terms.length === 0) {
      status.textContent = "Type a name, a place, a case's other name, or words of a quote.";
      return;
    }
    var found = entries.filter(function (entry) {
      return terms.every(function (term) { return entry.x.indexOf(term) !== -1; });
    });
    status.textContent = found.length + (found.length === 1 ? " result" : " results") +
      " for \\u201c" + query + "\\u201d" +
      (found.length > LIMIT ? " (the first " + LIMIT + " are shown)" : "");
    found.slice(0, LIMIT).forEach(function (entry) {
      var item = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = entry.k;
      var link = document.createElement("a");
      link.href = entry.u;
      link.append(marked(entry.t, terms));
      item.append(kind, document.createElement("br"), link);
      if (entry.s) {
        var more = document.createElement("p");
        more.append(marked(entry.s, terms));
        item.append(more);
      }
      list.append(item);
    });
  }

  input.value = wanted();
  input.addEventListener("input", function () { show(input.value); });
  window.addEventListener("hashchange", function () {
    input.value = wanted();
    show(input.value);
  });
  show(input.value);
})();
"""
"""assets/search.js: reads ``?q=`` or ``#q=``, lists the matching records and marks the
matched words in each (as text nodes and ``<mark>`` elements, never parsed HTML)."""

ICON = """\
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">\
<rect width="16" height="16" rx="3" fill="#1f2328"/>\
<rect x="3" y="4" width="4" height="8" fill="#b42318"/>\
<rect x="9" y="4" width="4" height="8" fill="#1a7f37"/></svg>
"""
"""assets/icon.svg: the favicon (so no browser asks a server for /favicon.ico)."""

ASSETS: dict[str, str] = {
    "assets/style.css": STYLE,
    "assets/search.js": SEARCH_JS,
    "assets/icon.svg": ICON,
}
