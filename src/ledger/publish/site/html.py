"""HTML building blocks for the site: escaping, relative links, the page layout.

Everything read from a data file goes through :func:`h` (control and invisible characters
made visible, then ``html.escape`` with quotes), so nothing in a record is ever read as HTML;
:func:`json_script` embeds data in a ``<script type="application/json">`` block with ``<``,
``>`` and ``&`` as ``\\u`` escapes, so no string can close the block. Links are relative, so the
site works from the file system as well as from any web server.
"""

from __future__ import annotations

import functools
import html
import json
import posixpath
import re
from collections.abc import Iterable, Iterator
from typing import Any

from ledger.safe_text import visible

SITE_NAME = "Evidence ledger"

CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'self'"
)
"""The pages' Content-Security-Policy: no inline script or style, nothing from elsewhere."""


def h(value: object) -> str:
    """Data as HTML text or attribute value: escapes made visible, nothing interpreted."""
    text = value if type(value) is str else "" if value is None else str(value)
    if text.isascii() and _ASCII_AS_IS.search(text) is None:
        return text  # most ids, names and labels: nothing to make visible or escape
    found = _ESCAPED.get(text)
    if found is None:
        if len(_ESCAPED) >= _REMEMBERED:
            _ESCAPED.clear()
        found = _ESCAPED[text] = html.escape(visible(text, keep_newlines=True), quote=True)
    return found


_ASCII_AS_IS = re.compile("[\x00-\x08\x0b-\x1f\x7f&<>\"']")
"""What escaping changes in a text of ASCII characters: a control character (made visible,
as :func:`ledger.safe_text.visible` does with newlines kept), or a character
``html.escape`` escapes with quotes. An ASCII text with none is its own HTML."""

_ESCAPED: dict[str, str] = {}
"""Other texts escaped, remembered: a site writes the same statements, quotes and titles on
several pages each."""
_REMEMBERED = 1 << 16
"""Texts remembered at most; past it, every one is forgotten and remembering starts again
(the ones asked for often are soon back). It bounds what the site's processes hold."""


def json_script(element_id: str, data: Any) -> str:
    """A JSON data block that no string in ``data`` can break out of, whose strings show any
    control or invisible character as a visible escape (the page displays them as text)."""
    return _script(element_id, _json_text(data))


def json_list_pieces(element_id: str, key: str, items: Iterable[Any]) -> Iterator[str]:
    """``json_script(element_id, {key: list(items)})`` in pieces, an item at a time, whose
    concatenation is that very text: at 100,000 claims the search index is 112 MB of JSON,
    and made whole it was copied five times over on its way to the file."""
    name = _script_safe(json.dumps(key, ensure_ascii=False))  # a key, as json_script's are
    yield f"{_opening(element_id)}{{{name}:["
    for number, item in enumerate(items):
        yield f",{_json_text(item)}" if number else _json_text(item)
    yield "]}</script>"


def _script(element_id: str, text: str) -> str:
    return f"{_opening(element_id)}{text}</script>"


def _opening(element_id: str) -> str:
    return f'<script type="application/json" id="{h(element_id)}">'


def _json_text(data: Any) -> str:
    return _script_safe(
        json.dumps(
            _visible_strings(data), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
    )


def _script_safe(text: str) -> str:
    for char, escaped in _JSON_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


_JSON_ESCAPES = (
    ("&", "\\u0026"),
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
"""What may not stand raw in a script block (it could close it), and its JSON escape."""


def _visible_strings(data: Any) -> Any:
    if isinstance(data, str):
        return visible(data)
    if isinstance(data, dict):
        return {key: _visible_strings(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_visible_strings(value) for value in data]
    return data


def rel(page: str, target: str) -> str:
    """The relative URL from one page of the site to another (both relative to its root).

    Plain paths (no ``.``, ``..`` or empty part) are compared as strings, as
    ``posixpath.relpath`` would, without its two ``abspath`` calls (each asks for the working
    folder): a site makes hundreds of thousands of links, most from a page one folder deep.
    """
    if not (_plain(page) and _plain(target)):
        return posixpath.relpath(target, posixpath.dirname(page) or ".")
    folder, _, _ = page.rpartition("/")
    if not folder:
        return target
    if "/" not in folder:  # one folder deep: a sibling, or up once
        if target == folder:
            return "."
        head, slash, rest = target.partition("/")
        return rest if slash and head == folder else "../" + target
    up = folder.split("/")
    down = target.split("/")
    common = 0
    for mine, theirs in zip(up, down, strict=False):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(up) - common) + down[common:]) or "."


@functools.lru_cache(maxsize=1 << 16)
def _plain(path: str) -> bool:
    """Whether a site path is relative and has no empty, ``.`` or ``..`` part (remembered:
    a page and the pages it links to are asked about again and again)."""
    marked = f"/{path}/"
    return bool(path) and "//" not in marked and "/./" not in marked and "/../" not in marked


def a(page: str, target: str | None, label: object, cls: str = "") -> str:
    """A link to another page when it exists, else the label as plain text."""
    if target is None:
        return f'<span class="missing">{h(label)}</span>'
    css = f' class="{h(cls)}"' if cls else ""
    return f'<a href="{h(rel(page, target))}"{css}>{h(label)}</a>'


NAV = (
    ("index.html", "Status"),
    ("about.html", "About"),
    ("cases.html", "Cases"),
    ("sources.html", "Sources"),
    ("contradictions.html", "Contradictions"),
    ("search.html", "Search"),
)


def layout(
    page: str,
    title: str,
    body: str,
    *,
    scripts: tuple[str, ...] = (),
    name: str = SITE_NAME,
    stamp: str = "",
    nav: tuple[tuple[str, str], ...] = NAV,
    referrer: str = "no-referrer",
    made_with: str = "ledger site",
) -> str:
    """A whole page: head, site navigation, a search form, the body, a footer.

    ``title`` and ``name`` (the ledger's, from ledger.toml's [about]) are plain text (escaped
    here); ``body`` and ``stamp`` (the footer's build line) are HTML already built with
    :func:`h`. ``nav``, ``referrer`` and ``made_with`` let `ledger serve` add its own pages,
    send its origin with its forms (``same-origin``) and name itself in the footer.

    What surrounds the title and the body is the same for every page of one folder (its
    links are relative to the folder) but the one the navigation marks as the page shown,
    so it is made once per folder and page marked, not once per page.
    """
    folder, slash, _ = page.rpartition("/")
    links_from = f"{folder}/page.html" if slash and _plain(page) else page
    current = page if any(target == page for target, _label in nav) else None
    head, header, footer = _frame(
        links_from, current, scripts, name, stamp, nav, referrer, made_with
    )
    return f"{head}<title>{h(title)} \u00b7 {h(name)}</title>\n{header}{body}{footer}"


@functools.lru_cache(maxsize=64)
def _frame(
    page: str,
    current: str | None,
    scripts: tuple[str, ...],
    name: str,
    stamp: str,
    nav: tuple[tuple[str, str], ...],
    referrer: str,
    made_with: str,
) -> tuple[str, str, str]:
    """A page's HTML before its title, between its title and its body, and after its body
    (:func:`layout`): its links made from ``page`` (one of its folder's pages stands for
    them all), and ``current`` marked as the page shown."""
    items = "".join(
        f'<li><a href="{h(rel(page, target))}"'
        + (' aria-current="page"' if target == current else "")
        + f">{h(label)}</a></li>"
        for target, label in nav
    )
    search = (
        ""
        if page == "search.html"
        else (
            f'<form class="site-search" role="search" action="{h(rel(page, "search.html"))}" '
            'method="get"><label for="site-q">Search</label> '
            '<input id="site-q" name="q" type="search" autocomplete="off"> '
            '<button type="submit">Go</button></form>'
        )
    )
    script_tags = "".join(f'<script src="{h(rel(page, src))}" defer></script>' for src in scripts)
    head = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{h(CSP)}">\n'
        f'<meta name="referrer" content="{h(referrer)}">\n'
    )
    header = (
        f'<link rel="stylesheet" href="{h(rel(page, "assets/style.css"))}">\n'
        f'<link rel="icon" href="{h(rel(page, "assets/icon.svg"))}" type="image/svg+xml">\n'
        f"{script_tags}"
        "</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to the content</a>\n'
        f'<header class="site">\n<p class="site-name">{h(name)}</p>\n'
        f'<nav aria-label="Site"><ul>{items}</ul></nav>\n{search}\n</header>\n'
        '<main id="main">\n'
    )
    footer = (
        "\n</main>\n"
        f'<footer class="site"><p>Made with <code>{h(made_with)}</code>. The ledger records who '
        "says what, where, in their exact words; it states no contested fact in its own "
        "voice. Statuses are derived by the rule named on each page.</p>"
        f"{stamp}</footer>\n"
        "</body>\n</html>\n"
    )
    return head, header, footer
