"""Turning a document into the plain text a source archives: text as is, HTML reduced to its
words, PDF through poppler's ``pdftotext``.

Quotes are checked against the archived text, so the text must be stable and readable in a
diff: plain text is kept byte for byte; HTML loses its markup, scripts and styles, and each
block element becomes a paragraph (blank-line separated, which is what `ledger locate`
counts); a PDF is handed to ``pdftotext``, an outside program, and when it is missing the
caller is told how to install it rather than given a half-made archive.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ledger.records.files import MAX_ARCHIVE_BYTES, ReadFailure, read_bytes

PDFTOTEXT = "pdftotext"
PDF_TIMEOUT = 120.0
"""Seconds a ``pdftotext`` run may take before it is stopped (a guard against a hang)."""

_BLOCK = {
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tr",
    "ul",
}
_DROPPED = {"script", "style", "noscript", "template", "svg", "iframe", "object"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source"}
_LIST_ITEMS = {"li"}


@dataclass(frozen=True)
class Extracted:
    """A document's archivable text: the exact bytes to archive, how they were made, and a
    title found in the document (an HTML ``<title>``, or the first line of a text)."""

    data: bytes
    method: str
    """``text``, ``html`` or ``pdf``."""
    title: str | None = None
    original_sha256: str | None = None
    """For converted documents, the hash of the file that was converted (for the notes)."""

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


@dataclass(frozen=True)
class ExtractError:
    """Why no text could be made from a document, and what to do about it."""

    message: str
    hint: str = ""


def detect_kind(path: Path, head: bytes) -> str:
    """``pdf``, ``html`` or ``text``, from the file's first bytes and then its name."""
    start = head.lstrip()[:512].lower()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if start.startswith((b"<!doctype html", b"<html")) or b"<html" in start[:256]:
        return "html"
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix in {".html", ".htm", ".xhtml"}:
        return "html"
    return "text"


def extract(path: Path) -> Extracted | ExtractError:
    """The text to archive for the document at ``path``."""
    data = read_bytes(path, MAX_ARCHIVE_BYTES)
    if isinstance(data, ReadFailure):
        return ExtractError(f"cannot read {path}: {data.message}", data.hint)
    kind = detect_kind(path, data[:1024])
    if kind == "pdf":
        return _from_pdf(path, data)
    if kind == "html":
        html = _decode_html(data)
        text, title = html_to_text(html)
        if not text.strip():
            return ExtractError(f"{path} holds no text once its markup is removed")
        return Extracted(text.encode("utf-8"), "html", title, _sha256(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ExtractError(
            f"{path} is not UTF-8 text (byte {exc.start}: 0x{data[exc.start]:02x})",
            "convert it first, e.g. `iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.txt`",
        )
    if not text.strip():
        return ExtractError(f"{path} is empty")
    return Extracted(data, "text", _first_line(text))


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return " ".join(line.split())[:200]
    return None


# -- HTML ---------------------------------------------------------------------------------

_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.I)


def _decode_html(data: bytes) -> str:
    """HTML bytes as text: the charset the page declares, else UTF-8, else Windows-1252."""
    declared = _CHARSET.search(data[:4096])
    candidates = [declared.group(1).decode("ascii")] if declared else []
    for encoding in [*candidates, "utf-8"]:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")


class _TextParser(HTMLParser):
    """Collects the visible text of a page as paragraphs (one per block element)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[tuple[str, int | None]] = []
        """Each paragraph's text, and for a list item the number of its list."""
        self.current: list[str] = []
        self.item: int | None = None
        self.list_count = 0
        self.dropped = 0
        self.pre = 0
        self.title: list[str] = []
        self.in_title = False
        self.counters: list[int | None] = []
        """For each open list, its last item number (None for a bulleted list)."""
        self.list_ids: list[int] = []
        """For each open list, its number in the page (items of one list join one block)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag in _DROPPED:
            if tag not in _VOID:
                self.dropped += 1
            return
        if self.dropped:
            return
        if tag == "br":
            self.current.append("\n")
        elif tag in {"td", "th"}:
            self.current.append(" ")
        elif tag in _BLOCK:
            self.flush()
            if tag == "pre":
                self.pre += 1
            elif tag in {"ol", "ul"}:
                self.list_count += 1
                self.counters.append(0 if tag == "ol" else None)
                self.list_ids.append(self.list_count)
            elif tag in _LIST_ITEMS:
                self.current.append(self._marker())
                self.item = self.list_ids[-1] if self.list_ids else 0

    def _marker(self) -> str:
        last = self.counters[-1] if self.counters else None
        if last is None:
            return "- "
        self.counters[-1] = last + 1
        return f"{last + 1}. "

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _DROPPED:
            self.dropped = max(0, self.dropped - 1)
            return
        if self.dropped:
            return
        if tag in _BLOCK:
            self.flush()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
            elif tag in {"ol", "ul"} and self.counters:
                self.counters.pop()
                self.list_ids.pop()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
            return
        if self.dropped:
            return
        self.current.append(data if self.pre else _PRE_SAFE.sub(" ", data))

    def flush(self) -> None:
        raw = "".join(self.current)
        self.current = []
        if self.pre:
            text = raw.strip("\n")
        else:
            lines = (" ".join(part.split()) for part in raw.split("\n"))
            text = "\n".join(line for line in lines if line)
        if text.strip():
            self.paragraphs.append((text, self.item))
        self.item = None


_PRE_SAFE = re.compile(r"\s+")


def html_to_text(html: str) -> tuple[str, str | None]:
    """The visible text of an HTML page, paragraphs separated by blank lines, and its title.

    Scripts, styles and the title (returned apart) are dropped; every block element
    (paragraph, heading, table row, ...) starts a new paragraph, and a list is one paragraph
    with an item a line; ``<br>`` keeps its line break; ``<pre>``
    keeps its spacing. The result is NFC and ends with one newline.
    """
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    parser.flush()
    title = " ".join("".join(parser.title).split()) or None
    parts: list[str] = []
    previous_item: int | None = None
    for paragraph, item in parser.paragraphs:
        if parts and item is not None and item == previous_item:  # one list, one block
            parts[-1] += "\n" + _clean(paragraph)
        else:
            parts.append(_clean(paragraph))
        previous_item = item
    text = "\n\n".join(parts)
    return unicodedata.normalize("NFC", text) + "\n", title


def _clean(paragraph: str) -> str:
    """Controls other than line breaks are dropped: they have no place in an archive."""
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", paragraph).rstrip()


# -- PDF ----------------------------------------------------------------------------------


def _from_pdf(path: Path, data: bytes) -> Extracted | ExtractError:
    program = shutil.which(PDFTOTEXT)
    if program is None:
        return ExtractError(
            f"{path} is a PDF, and reading a PDF needs `{PDFTOTEXT}`, which is not installed",
            "install poppler (Debian/Ubuntu: `apt install poppler-utils`; macOS: `brew install "
            "poppler`), or convert the PDF to text yourself and archive the .txt",
        )
    try:
        done = subprocess.run(
            [program, "-enc", "UTF-8", "-nopgbrk", os.fspath(path), "-"],
            capture_output=True,
            timeout=PDF_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return ExtractError(f"{PDFTOTEXT} failed on {path}: {exc}")
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return ExtractError(
            f"{PDFTOTEXT} could not read {path}" + (f": {detail[0]}" if detail else ""),
            "check that the PDF opens; a scanned PDF needs OCR first",
        )
    try:
        text = done.stdout.decode("utf-8")
    except UnicodeDecodeError:
        return ExtractError(f"{PDFTOTEXT} gave text that is not UTF-8 for {path}")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\f", "\n"))
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n") + "\n"
    if not text.strip():
        return ExtractError(
            f"{path} has no text layer", "a scanned PDF needs OCR (e.g. `ocrmypdf`) first"
        )
    return Extracted(text.encode("utf-8"), "pdf", None, _sha256(data))
