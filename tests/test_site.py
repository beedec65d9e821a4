"""`ledger site`: every internal link resolves; every page is accessible HTML with no inline
script or style; hostile text shows as text and cannot break out of the search index; the
folder is written safely (never outside it, never over someone else's files)."""

from __future__ import annotations

import json
import os
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from builders import gov, make_case, make_claim, make_ledger, make_requirement, make_source
from conftest import SAMPLE, Sample, git
from ledger.analysis.status import overview
from ledger.cli import app
from ledger.publish.site import MANIFEST, build_site, render_site, write_site
from ledger.publish.site.html import json_script
from ledger.publish.site.stamp import NOT_IN_GIT, Stamp, build_date
from ledger.records.config import About
from ledger.records.ledger import Ledger
from ledger.records.load import load
from ledger.records.model import Claim
from ledger.records.root import Layout, open_layout

REPO = Path(__file__).resolve().parents[1]

ATTACK = "<script>alert(1)</script>"
BREAKOUT = "</script><script>alert(2)</script><!--"
ATTRIBUTE = '"><img src=x onerror=alert(3)>'


class Page(HTMLParser):
    """What a test needs from a page: links, ids, elements, attributes, text, the index."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.headings: list[int] = []
        self._in_script = False
        self.scripts: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        for name in ("href", "src"):
            if found.get(name):
                self.links.append(found[name])  # type: ignore[arg-type]
        if found.get("id"):
            self.ids.add(found["id"])  # type: ignore[arg-type]
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)

    def all_text(self) -> str:
        return "".join(self.text)


def internal_target(page: str, link: str) -> tuple[str, str] | None:
    """The site path and fragment a relative link points to; None for an external link."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path or posixpath.basename(page)
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), path)), parts.fragment


def loaded(root: Path) -> Ledger:
    """The ledger at ``root``, checked as `ledger site` loads it: its archived texts and
    where each quote stands in them are known, so source text pages are made."""
    layout = open_layout(root)
    assert isinstance(layout, Layout), layout
    return load(layout, check=True).ledger


@pytest.fixture(scope="module")
def real() -> Ledger:
    return loaded(REPO)


@pytest.fixture(scope="module")
def real_site(real: Ledger) -> dict[str, str]:
    return render_site(real)


def hostile() -> Ledger:
    """Every text field a page shows, set to markup that must stay text."""
    return make_ledger(
        make_source(
            "cso-memo", title=ATTACK, url="javascript:alert(4)", notes=ATTRIBUTE, speaks_for=ATTACK
        ),
        gov("gov-page"),
        make_requirement("requirement-1", title=ATTRIBUTE, text=ATTACK, cases=["tlatlaya"]),
        make_case(
            "tlatlaya",
            title=BREAKOUT,
            aliases=[BREAKOUT, ATTACK, "Iguala & <Guerrero>"],
            summary=ATTACK,
            place=ATTRIBUTE,
        ),
        make_claim(
            "c1",
            "cso-memo",
            quote=ATTACK,
            statement=BREAKOUT,
            locator=ATTRIBUTE,
            cases=["tlatlaya", "missing-case"],
            bears_on={"requirement-1": "undermines"},
            relations=[{"contradicts": "g1", "note": ATTACK}],
            figures=[{"value": 3, "unit": ATTACK}],
            attributed_to="\x1b]0;title\x07\u202e",
        ),
        make_claim(
            "g1", "gov-page", quote="javascript:alert(5)", bears_on={"requirement-1": "supports"}
        ),
    )


# -- links ---------------------------------------------------------------------------------


def test_every_internal_link_resolves(real_site: dict[str, str], real: Ledger) -> None:
    parsed = {path: Page(text) for path, text in real_site.items() if path.endswith(".html")}
    checked = 0
    for path, page in parsed.items():
        for link in page.links:
            target = internal_target(path, link)
            assert target is not None, f"{path}: external link {link}"
            file_path, fragment = target
            assert file_path in real_site, f"{path}: {link} leads nowhere"
            if fragment:
                assert fragment in parsed[file_path].ids, f"{path}: {link} has no anchor"
            checked += 1
    assert checked > 1000
    for kind in ("requirements", "cases", "sources", "claims"):
        for record_id in real.tables()[kind]:
            assert f"{kind}/{record_id}.html" in real_site


def test_a_missing_record_is_named_not_linked() -> None:
    site = render_site(hostile())
    page = Page(site["claims/c1.html"])
    assert "missing-case" in page.all_text()
    assert not any("missing-case" in link for link in page.links)


def test_the_site_is_deterministic(real: Ledger, real_site: dict[str, str]) -> None:
    assert render_site(real) == real_site


# -- every page ----------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["real", "hostile"])
def test_every_page_is_accessible_and_self_contained(which: str, real_site: dict[str, str]) -> None:
    site = real_site if which == "real" else render_site(hostile())
    for path, text in site.items():
        if not path.endswith(".html"):
            continue
        page = Page(text)
        assert text.startswith('<!DOCTYPE html>\n<html lang="en">'), path
        assert page.headings.count(1) == 1, path
        assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False)), (
            f"{path}: a heading level is skipped: {page.headings}"
        )
        tags = {tag for tag, _ in page.tags}
        assert {"main", "nav", "title"} <= tags, path
        assert "img" not in tags and "iframe" not in tags and "object" not in tags, path
        for tag, attrs in page.tags:
            assert "style" not in attrs, f"{path}: inline style on {tag}"
            assert not any(name.startswith("on") for name in attrs), f"{path}: handler on {tag}"
            if tag == "script":
                assert attrs.get("src") == "assets/search.js" or attrs.get("type") == (
                    "application/json"
                ), f"{path}: unexpected script {attrs}"
            if tag == "a" and attrs.get("href"):
                assert urlsplit(attrs["href"]).scheme in ("", "http", "https"), path
            if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy":
                assert "script-src 'self'" in (attrs.get("content") or "")
        for tag, attrs in page.tags:
            if tag == "svg":
                assert attrs.get("role") == "img" and attrs.get("aria-labelledby"), path


def test_the_stylesheet_serves_phones_and_print(real_site: dict[str, str]) -> None:
    css = real_site["assets/style.css"]
    assert "@media (max-width: 40rem)" in css and "@media print" in css
    assert "url(" not in css and "@import" not in css  # nothing from elsewhere
    assert 'name="viewport"' in real_site["index.html"]
    js = real_site["assets/search.js"]
    assert "innerHTML" not in js and "eval(" not in js and "textContent" in js


def test_the_chart_says_every_number_in_words(real: Ledger, real_site: dict[str, str]) -> None:
    index = real_site["index.html"]
    desc = re.search(r'<desc id="evidence-chart-desc">(.*?)</desc>', index, re.DOTALL)
    assert desc
    for row in overview(real).rows:
        assert (
            f"{row.id} ({row.status.value}): independent sources: {row.independent_supports} "
            f"support, {row.independent_undermines} undermine"
        ) in desc.group(1)
    assert index.count('class="bar-supports"') == 2 * len(real.requirements)


# -- hostile text --------------------------------------------------------------------------


def test_markup_in_the_data_shows_as_text() -> None:
    site = render_site(hostile())
    for path in ("claims/c1.html", "cases/tlatlaya.html", "requirements/requirement-1.html"):
        text = site[path]
        page = Page(text)
        assert ATTACK in page.all_text(), path  # shown, as the characters it is
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "<script>alert" not in text and "<img" not in text, path
        scripts = [attrs for tag, attrs in page.tags if tag == "script"]
        assert scripts == [], path  # only the search page has scripts
    claim = Page(site["claims/c1.html"]).all_text()
    assert "\\x1b]0;title\\x07<U+202E>" in claim  # control characters visible, not sent


def test_a_requirement_page_says_whose_word_each_source_is(real_site: dict[str, str]) -> None:
    page = real_site["requirements/requirement-3.html"]
    assert "Whose word each source is (the obligor: Government of Mexico)" in page
    assert (
        "<tr><td>mx-gov-case-updates-2018</td><td>obligor</td>"
        "<td>speaks for Government of Mexico, the obligor</td></tr>"
    ) in page
    assert "<tr><td>cso-memo-2017</td><td>independent</td><td>no speaks_for, not" in page
    source = real_site["sources/mx-gov-case-updates-2018.html"]
    assert "Government of Mexico" in Page(source).all_text().split("speaks for", 1)[1]


def test_a_requirement_page_shows_the_requirements_notes(
    real: Ledger, real_site: dict[str, str]
) -> None:
    notes = real.requirements["requirement-3"].notes
    assert notes and "contested (S3)" in notes  # why the status is what it is
    assert f"Notes: {notes}" in Page(real_site["requirements/requirement-3.html"]).all_text()


def _many_cases(count: int, *extra: Claim) -> Ledger:
    """A requirement with ``count`` cases, a claim on each, and one claim about no case."""
    cases = [make_case(f"case-{n:02d}") for n in range(count)]
    claims = [
        make_claim(f"c{n:02d}", cases=[f"case-{n:02d}"], bears_on={"requirement-1": "undermines"})
        for n in range(count)
    ]
    loose = make_claim("loose", bears_on={"requirement-1": "supports"})
    return make_ledger(make_source(), make_requirement(), *cases, *claims, loose, *extra)


def test_a_requirement_with_many_cases_lists_them_and_leaves_their_claims_to_their_pages() -> None:
    """Past CASES_SHOWN cases a requirement's page is a table of its cases, each linking to
    its page, which holds its claims: at 100,000 claims the page was 80 MB of claims."""
    from ledger.analysis.status_report import CASES_SHOWN

    site = render_site(_many_cases(CASES_SHOWN + 1))
    text = site["requirements/requirement-1.html"]
    page = Page(text)

    assert "The status on each case" in text
    for n in range(CASES_SHOWN + 1):
        # each row links to the case's section on this requirement, and gives its id
        assert f"../cases/case-{n:02d}.html#on-requirement-1" in page.links
        assert f'<span class="muted">case-{n:02d}</span>' in text
        assert f"The words of c{n:02d}." not in text  # on its case's page instead
        case = Page(site[f"cases/case-{n:02d}.html"])
        assert "on-requirement-1" in case.ids
        assert f"The words of c{n:02d}." in case.all_text()
    assert text.count('<article class="claim') == 1  # the claim about no case stays here
    assert "Claims about no case" in text and "The words of loose." in text


def test_claims_about_an_id_that_is_no_case_stay_on_a_requirement_with_many_cases() -> None:
    """A case that failed to load, or a typo, has no case page: its claims stay here."""
    from ledger.analysis.status_report import CASES_SHOWN

    orphan = make_claim("orphan", cases=["typo-case"], bears_on={"requirement-1": "supports"})
    stray = make_claim("stray", cases=["cso-memo"], bears_on={"requirement-1": "supports"})
    ledger = _many_cases(CASES_SHOWN + 1, orphan, stray)

    text = render_site(ledger)["requirements/requirement-1.html"]

    assert "The words of orphan." in text and "The words of stray." in text
    assert "The words of c00." not in text
    assert text.count('<article class="claim') == 3  # orphan, stray and the loose claim


def test_a_requirement_page_counts_its_cases_as_the_index_does() -> None:
    """The claims about no case are a group on the page, not a case: both pages say 3."""
    site = render_site(_many_cases(3))

    assert "<h2>Evidence by case (3)</h2>" in site["requirements/requirement-1.html"]
    assert '<td class="num" data-label="cases">3</td>' in site["index.html"]
    assert "Claims about no case" in site["requirements/requirement-1.html"]


def test_a_requirement_with_few_cases_shows_every_claim() -> None:
    from ledger.analysis.status_report import CASES_SHOWN

    text = render_site(_many_cases(CASES_SHOWN))["requirements/requirement-1.html"]

    assert "The status on each case" not in text
    assert text.count('<article class="claim') == CASES_SHOWN + 1


def test_a_script_url_in_the_data_is_not_a_link() -> None:
    site = render_site(hostile())
    source = Page(site["sources/cso-memo.html"])
    assert "javascript:alert(4)" in source.all_text()
    assert not any(link.lower().startswith("javascript") for link in source.links)


def test_the_search_index_cannot_be_broken_out_of() -> None:
    site = render_site(hostile())
    text = site["search.html"]
    page = Page(text)
    assert [a.get("type") or a.get("src") for t, a in page.tags if t == "script"] == [
        "assets/search.js",
        "application/json",
    ]
    raw = page.scripts[-1]
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert "</script" not in text.split('id="search-index">', 1)[1].split("</script>", 1)[0]
    entries = json.loads(raw)["entries"]
    case = next(e for e in entries if e["u"] == "cases/tlatlaya.html")
    assert case["t"] == BREAKOUT  # the data comes back exactly
    assert "iguala & <guerrero>" in case["x"]
    claim = next(e for e in entries if e["u"] == "claims/c1.html")
    assert ATTACK.lower() in claim["x"]


def test_json_script_escapes_every_way_out() -> None:
    block = json_script("x", {"a": "</ScRiPt><!-- & \u2028 >"})
    inner = block.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert re.search(r"[<>&\u2028]", inner) is None
    # markup survives as text; a line separator is shown for what it is, as everywhere else
    assert json.loads(inner) == {"a": "</ScRiPt><!-- & <U+2028> >"}


@given(
    st.lists(st.dictionaries(st.sampled_from("ktux"), st.text(max_size=12), max_size=4), max_size=5)
)
def test_the_search_index_made_an_entry_at_a_time_is_the_same_text(
    entries: list[dict[str, str]],
) -> None:
    from ledger.publish.site.html import json_list_pieces

    made = "".join(json_list_pieces("search-index", "entries", iter(entries)))

    assert made == json_script("search-index", {"entries": entries})


# -- writing the folder --------------------------------------------------------------------


def test_the_command_writes_the_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(app, ["--root", str(SAMPLE), "site", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "open" in result.stderr and result.stdout == ""
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written == set(render_site(loaded(SAMPLE))) | {MANIFEST}


def test_every_page_says_the_ledger_it_shows_is_not_whole(
    sample_copy: Sample, tmp_path: Path
) -> None:
    """A site is cited: built from a ledger with a file that failed to load, every page
    says so first, as `ledger serve` does; a clean ledger's pages say nothing of it."""
    sample_copy.edit("claims/cso-torture-complaints.yaml", "kind: figure\n", "kind: figure\n" * 2)
    out = tmp_path / "site"
    result = CliRunner().invoke(app, ["--root", str(sample_copy.root), "site", str(out)])
    assert result.exit_code == 0, result.stderr
    alert = (
        '<div class="problems" role="alert"><p>The ledger has 1 error, and 1 record file failed '
        "to load and is left out (data/claims/cso-torture-complaints.yaml); `ledger validate` "
        "shows why.</p></div>"
    )
    pages = list(out.rglob("*.html"))
    assert pages and all(alert in page.read_text(encoding="utf-8") for page in pages)
    assert ".problems {" in (out / "assets" / "style.css").read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    assert CliRunner().invoke(app, ["--root", str(SAMPLE), "site", str(clean)]).exit_code == 0
    assert not any('role="alert"' in p.read_text(encoding="utf-8") for p in clean.rglob("*.html"))


def _inodes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*.html")}


def test_a_rebuild_leaves_alone_the_pages_that_hold_their_bytes_already(tmp_path: Path) -> None:
    """Only the pages whose bytes change are written again (the search page, made in pieces,
    always is); the others keep their very file, and the command says how many."""
    out = tmp_path / "site"
    first = CliRunner().invoke(app, ["--root", str(SAMPLE), "site", str(out)])
    assert first.exit_code == 0, first.stderr
    before = _inodes(out)

    again = CliRunner().invoke(app, ["--root", str(SAMPLE), "site", str(out)])

    assert again.exit_code == 0, again.stderr
    after = _inodes(out)
    assert [rel for rel in after if after[rel] != before[rel]] == ["search.html"]
    files = len(render_site(loaded(SAMPLE)))
    assert f"wrote 1 file to {out} and left {files - 1} unchanged;" in again.stderr
    fresh = tmp_path / "fresh"
    assert CliRunner().invoke(app, ["--root", str(SAMPLE), "site", str(fresh)]).exit_code == 0
    assert _contents(out) == _contents(fresh)  # the very folder a first build makes


def _contents(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_a_rebuild_writes_a_page_whose_file_is_not_what_it_wrote(tmp_path: Path) -> None:
    """The manifest only says which files to read: a page edited to other bytes of the same
    length, one replaced by a link, and one with a second name (a hard link) are written
    again, and the file the link or second name leads to is left as it was."""
    ledger = hostile()
    out = tmp_path / "site"
    assert build_site(ledger, out).error is None
    pages = render_site(ledger)
    edited, linked, named = sorted(rel for rel in pages if rel.endswith(".html"))[:3]
    text = (out / edited).read_text(encoding="utf-8")
    (out / edited).write_text(text.replace("<", ">", 1), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_bytes((out / linked).read_bytes())
    (out / linked).unlink()
    (out / linked).symlink_to(elsewhere)
    second = tmp_path / "second-name.html"
    os.link(out / named, second)

    rebuilt = build_site(ledger, out)

    assert rebuilt.error is not None and "link" in rebuilt.error  # never written through
    (out / linked).unlink()
    rebuilt = build_site(ledger, out)
    assert rebuilt.error is None
    for rel in (edited, linked, named):
        assert (out / rel).read_text(encoding="utf-8") == pages[rel], rel
        assert not (out / rel).is_symlink() and (out / rel).stat().st_nlink == 1
    assert second.read_text(encoding="utf-8") == pages[named]  # its own file now
    assert elsewhere.read_text(encoding="utf-8") == pages[linked]


def test_a_page_that_a_rebuild_could_leave_but_may_not_write_is_refused_as_before(
    tmp_path: Path,
) -> None:
    """A folder at a page's path, or a read-only page, holding what the page would: the
    build says what it is (no traceback), as it does when the page changed."""
    ledger = hostile()
    out = tmp_path / "site"
    assert build_site(ledger, out).error is None
    page = sorted(rel for rel in render_site(ledger) if rel.endswith(".html"))[0]
    (out / page).chmod(0o444)
    refused = build_site(ledger, out)
    assert refused.error == f"{out.resolve() / page} is read-only; it is not written"
    (out / page).unlink()
    (out / page).mkdir()
    refused = build_site(ledger, out)
    assert refused.error is not None and "is not a regular file" in refused.error


def test_a_manifest_naming_a_folder_or_nested_past_reading_stops_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert write_site({"a.html": "a"}, out).error is None
    (out / "old.html").mkdir()
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"]["old.html"] = _sha256(b"")
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert write_site({"a.html": "a"}, out).error is None
    assert (out / "old.html").is_dir()  # not ours to remove

    (out / MANIFEST).write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    refused = write_site({"a.html": "a"}, out)
    assert refused.error is not None and "holds no earlier `ledger site` build" in refused.error


def test_a_rebuild_replaces_its_own_files_only(tmp_path: Path) -> None:
    out = tmp_path / "site"
    ledger = hostile()
    assert build_site(ledger, out).error is None
    mine = out / "notes.txt"
    mine.write_text("mine", encoding="utf-8")
    smaller = make_ledger(*(r for r in ledger.claims.values() if r.id != "g1"))
    rebuilt = build_site(smaller, out)
    assert rebuilt.error is None
    assert "claims/g1.html" in rebuilt.removed and not (out / "claims/g1.html").exists()
    assert mine.read_text(encoding="utf-8") == "mine"


def test_a_foreign_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("years of work", encoding="utf-8")
    written = write_site({"index.html": "x"}, tmp_path)
    assert written.error and "not empty" in written.error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.tex"]
    result = CliRunner().invoke(app, ["--root", str(SAMPLE), "site", str(tmp_path)])
    assert result.exit_code == 2 and "not empty" in result.stderr


def test_nothing_is_written_outside_the_folder(tmp_path: Path) -> None:
    out, outside = tmp_path / "site", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / MANIFEST).write_text('{"files": []}', encoding="utf-8")
    (out / "cases").symlink_to(outside, target_is_directory=True)
    written = write_site({"index.html": "a", "cases/x.html": "b"}, out)
    assert written.error and "outside" in written.error
    assert list(outside.iterdir()) == []
    for bad in ("../escape.html", "/tmp/abs.html"):
        result = write_site({bad: "x"}, tmp_path / "other")
        assert result.error and "outside" in result.error
    assert not (tmp_path / "escape.html").exists()


def test_an_old_manifest_cannot_delete_outside_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    (out / MANIFEST).write_text('{"files": ["../victim.txt", "/etc/passwd"]}', encoding="utf-8")
    assert write_site({"index.html": "x"}, out).error is None
    assert victim.read_text(encoding="utf-8") == "keep"


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_a_forged_manifest_removes_nothing_it_did_not_write(tmp_path: Path) -> None:
    """A manifest committed or put in the folder may name anything: only a file of a kind the
    site writes, inside the folder, reached through no link, still holding the bytes a build
    wrote, is removed."""
    out, outside = tmp_path / "site", tmp_path / "outside"
    (out / "cases").mkdir(parents=True)
    outside.mkdir()
    files = {
        "notes.html": b"my notes",  # a user's file, the manifest's digest is made up
        "thesis.tex": b"years of work",  # its true digest, but not a kind the site writes
        "cases/linked.html": None,  # a link to a file outside, with that file's digest
        "index.html": b"an old build's page, edited by hand",
    }
    (outside / "page.html").write_bytes(b"outside")
    (out / "cases/linked.html").symlink_to(outside / "page.html")
    for rel, data in files.items():
        if data is not None:
            (out / rel).write_bytes(data)
    manifest = {
        "files": {
            "notes.html": "0" * 64,
            "thesis.tex": _sha256(b"years of work"),
            "cases/linked.html": _sha256(b"outside"),
            "../outside/page.html": _sha256(b"outside"),
            "index.html": _sha256(b"an old build's page"),
        }
    }
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")

    written = write_site({"search.html": "x"}, out)

    assert written.error is None and written.removed == []
    for rel, data in files.items():
        if data is not None:
            assert (out / rel).read_bytes() == data, rel
    assert (out / "cases/linked.html").is_symlink()
    assert (outside / "page.html").read_bytes() == b"outside"
    recorded = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert recorded == {"version": 2, "files": {"search.html": _sha256(b"x")}}


def test_a_manifest_without_digests_proves_nothing(tmp_path: Path) -> None:
    """The first manifests listed names only: such a folder is still a build, but no file in
    it is removed on their word."""
    out = tmp_path / "site"
    out.mkdir()
    (out / "notes.html").write_text("mine", encoding="utf-8")
    (out / MANIFEST).write_text('{"files": ["notes.html"]}', encoding="utf-8")
    written = write_site({"index.html": "x"}, out)
    assert written.error is None and written.removed == []
    assert (out / "notes.html").read_text(encoding="utf-8") == "mine"


def test_every_file_a_site_has_is_of_a_kind_it_may_remove(real: Ledger) -> None:
    from ledger.publish.site import SUFFIXES

    assert {Path(rel).suffix for rel in render_site(real)} == SUFFIXES


# -- the same chart in the terminal (ledger.cli.bars) ----------------------------------------


def test_terminal_bars_draw_each_count(real: Ledger) -> None:
    import io

    from rich.console import Console

    from ledger.cli.bars import FULL, bar, evidence_bars, scale_for

    assert bar(3, 1.0) == FULL * 3 and bar(0, 1.0) == ""
    assert bar(3, 0.5) == FULL + "\u258c" and bar(3, 0.5, leftward=True) == FULL * 2
    assert bar(1, 0.01) == "\u258f" and bar(1, 0.01, leftward=True) == FULL  # never nothing
    rows = overview(real).rows
    assert scale_for(rows) == 1.0 and scale_for(rows, max_cells=5) < 1.0
    stream = io.StringIO()
    Console(file=stream, width=100, markup=False, color_system=None).print(evidence_bars(rows))
    lines = stream.getvalue().splitlines()
    for row in rows:
        first = next(i for i, line in enumerate(lines) if line.startswith(row.id))
        independent, obligor = lines[first], lines[first + 1]
        assert f"{row.independent_undermines} {FULL * row.independent_undermines}\u2502" in (
            independent
        )
        assert f"\u2502{FULL * row.obligor_supports} {row.obligor_supports}" in obligor


def test_terminal_bars_print_data_as_text() -> None:
    import io
    from dataclasses import dataclass

    from ledger.cli.bars import evidence_bars
    from ledger.cli.render import console

    @dataclass
    class Row:
        id: str = "[link=http://x]r[/link]\x1b[2J"
        independent_supports: int = 1
        independent_undermines: int = 0
        obligor_supports: int = 0
        obligor_undermines: int = 2

    stream = io.StringIO()
    console(stream).print(evidence_bars([Row()]))
    out = stream.getvalue()
    assert "[link=http://x]r[/link]\\x1b[2J" in out and "\x1b" not in out


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_colours_have_enough_contrast(real_site: dict[str, str]) -> None:
    """WCAG AA (4.5:1) for the text colours on the page and the badges' white on colour."""
    css = real_site["assets/style.css"]
    variables = dict(re.findall(r"--([a-z]+): (#[0-9a-f]{6});", css))
    for name in ("ink", "muted", "link", "supports", "undermines", "context", "focus"):
        for ground in (variables["paper"], variables["tint"]):
            assert contrast(variables[name], ground) >= 4.5, name
    badges = re.findall(r"\.status-[a-z-]+ \{ background: (#[0-9a-f]{6}); \}", css)
    assert len(badges) == 5
    for ground in badges:
        assert contrast("#ffffff", ground) >= 4.5, ground


# -- citable: the about page, the build's stamp, the archived texts -------------------------

MEMO = "cso-memo-2017"
CLAIM_32142 = "memo-32142-disappeared-persons"


def test_every_page_links_to_the_about_page(real_site: dict[str, str]) -> None:
    for path, text in real_site.items():
        if path.endswith(".html"):
            target = internal_target(path, _nav_link(text, "About"))
            assert target == ("about.html", ""), path


def _nav_link(text: str, label: str) -> str:
    nav = text.split('<nav aria-label="Site">', 1)[1].split("</nav>", 1)[0]
    found = re.search(rf'<a href="([^"]+)"[^>]*>{label}</a>', nav)
    assert found, label
    return found.group(1)


def test_the_about_page_says_what_ledger_toml_says(real: Ledger) -> None:
    about = About(
        title="Mexico FY2017 <ledger>",
        judged="Whether the Government of Mexico met the conditions",
        against="The FY2017 conditions",
        by="A research team",
        contact="corrections@example.org",
    )
    site = render_site(real, about)
    text = Page(site["about.html"]).all_text()
    for value in (about.judged, about.against, about.by, about.contact):
        assert value in text
    assert "About: Mexico FY2017 <ledger>" in text and "&lt;ledger&gt;" in site["about.html"]
    assert "Mexico FY2017 &lt;ledger&gt;</p>" in site["index.html"]  # every page's header


def test_without_about_the_page_says_what_the_records_show(real: Ledger) -> None:
    text = Page(render_site(real)["about.html"]).all_text()
    assert "Whether Government of Mexico met the 4 requirement(s)" in text
    instrument = real.requirements["requirement-1"].instrument
    assert instrument in text and "fiscal years2017" in text
    assert "not stated in ledger.toml" in text
    for source in real.sources.values():
        assert source.title in text
    empty = Page(render_site(make_ledger())["about.html"]).all_text()
    assert "No requirement is recorded yet." in empty and "None recorded yet." in empty


def test_every_page_says_when_and_from_which_commit_it_was_built(real: Ledger) -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    site = render_site(real, stamp=Stamp("2026-01-02", commit))
    changed = render_site(real, stamp=Stamp("2026-01-02", commit, changed=True))
    outside = render_site(real, stamp=Stamp("2026-01-02", where=NOT_IN_GIT))
    for path, text in site.items():
        if path.endswith(".html"):
            footer = Page(text.split('<footer class="site">', 1)[1]).all_text()
            assert "Built on 2026-01-02 from commit 0123456789ab." in footer, path
            assert "not committed" in Page(changed[path]).all_text(), path
            assert "from a folder not in git." in Page(outside[path]).all_text(), path


def test_the_build_date_honours_source_date_epoch() -> None:
    assert build_date({"SOURCE_DATE_EPOCH": "1767225600"}) == "2026-01-01"
    assert build_date({"SOURCE_DATE_EPOCH": "0"}) == "1970-01-01"
    today = build_date({})
    for junk in ("", "-5", "soon", "99999999999999999999"):
        assert build_date({"SOURCE_DATE_EPOCH": junk}) == today, junk


def _sample_copy(tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "ledger"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".*"))
    return root


def test_the_stamp_names_the_commit_and_uncommitted_changes(tmp_path: Path) -> None:
    from ledger.publish.site.stamp import stamp_of

    root = _sample_copy(tmp_path)
    layout = open_layout(root)
    assert isinstance(layout, Layout)
    epoch = {"SOURCE_DATE_EPOCH": "1767225600"}
    assert stamp_of(layout, epoch) == Stamp("2026-01-01", where=NOT_IN_GIT)  # quietly
    git(root, "init", "-q")
    assert stamp_of(layout, epoch).commit is None
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "data")
    head = stamp_of(layout, epoch)
    assert head.commit and len(head.commit) == 40 and not head.changed
    claim = next((root / "data" / "claims").rglob("*.yaml"))
    claim.write_text(claim.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert stamp_of(layout, epoch) == Stamp("2026-01-01", head.commit, changed=True)
    git(root, "checkout", "--", ".")
    (root / "data" / "claims" / "new.yaml").write_text("id: new\n", encoding="utf-8")
    assert stamp_of(layout, epoch).changed  # a file not yet added is a change too
    (root / "data" / "claims" / "new.yaml").unlink()
    (root / "README.txt").write_text("outside the data folder\n", encoding="utf-8")
    assert not stamp_of(layout, epoch).changed


def test_the_stamp_takes_the_content_ids_the_load_read(tmp_path: Path) -> None:
    """The files the site's load read are not read again; those it did not are."""
    from ledger.publish.site.stamp import stamp_of

    root = _sample_copy(tmp_path)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "data")
    layout = open_layout(root)
    assert isinstance(layout, Layout)
    loaded = load(layout)
    assert loaded.content_ids is not None
    known = loaded.content_ids()
    assert known and all(blob for blob in known.values())
    assert not stamp_of(layout, None, known).changed
    claim = next((root / "data" / "claims").rglob("*.yaml"))
    rel = claim.relative_to(root).as_posix()
    assert rel in known
    assert stamp_of(layout, None, {**known, rel: "0" * 40}).changed  # the load's word taken
    (root / "data" / "sources" / "extra.txt").write_text("not committed\n", encoding="utf-8")
    assert stamp_of(layout, None, known).changed  # a file the load did not read is read


def test_reading_the_commit_runs_nothing_the_repository_configures(tmp_path: Path) -> None:
    """An fsmonitor hook, a clean filter and hooks are code a cloned repository's config may
    name: the stamp runs no command that would start them."""
    root = _sample_copy(tmp_path)
    git(root, "init", "-q")
    witness = tmp_path / "ran"
    script = tmp_path / "hook.sh"
    script.write_text(f"#!/bin/sh\necho ran >> {witness}\ncat\n", encoding="utf-8")
    script.chmod(0o755)
    for key in ("core.fsmonitor", "filter.x.clean", "filter.x.smudge", "core.hooksPath"):
        git(root, "config", key, str(script) if key != "core.hooksPath" else str(tmp_path))
    (root / ".gitattributes").write_text("* filter=x\n", encoding="utf-8")
    git(root, "-c", "core.fsmonitor=false", "add", "-A")
    git(root, "-c", "core.fsmonitor=false", "commit", "-q", "--no-verify", "-m", "data")
    witness.unlink(missing_ok=True)
    layout = open_layout(root)
    assert isinstance(layout, Layout)
    from ledger.publish.site.stamp import stamp_of

    claim = next((root / "data" / "claims").rglob("*.yaml"))
    claim.touch()
    assert stamp_of(layout).commit is not None
    assert not witness.exists()


def test_the_command_stamps_every_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _sample_copy(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    out = tmp_path / "site"
    result = CliRunner().invoke(app, ["--root", str(root), "site", str(out)])
    assert result.exit_code == 0, result.stderr
    index = Page((out / "index.html").read_text(encoding="utf-8")).all_text()
    assert "Built on 2026-01-01 from a folder not in git." in index


def test_each_archived_text_is_a_page_with_every_quote_marked(
    real: Ledger, real_site: dict[str, str]
) -> None:
    assert real.positions is not None
    for source in real.sources:
        page = f"sources/{source}/text.html"
        parsed = Page(real_site[page])
        placed = [r for r, p in real.positions.items() if p.source == source]
        assert placed, source
        for record in placed:
            kind = "claim" if record in real.claims else "wording"
            assert f"{kind}-{record}" in parsed.ids, (page, record)
        assert "text.html" in _source_page_links(real_site[f"sources/{source}.html"])
    memo = real_site[f"sources/{MEMO}/text.html"]
    after = memo.split(f'id="claim-{CLAIM_32142}"></span>', 1)[1]
    assert after.startswith(
        f'<a class="quoted" href="../../claims/{CLAIM_32142}.html" '
        f'title="claim {CLAIM_32142}"><mark>According to official numbers, there are '
        "32,142 disappeared persons in Mexico.</mark></a>"
    )
    # the text itself is all there, in order: marks only wrap it
    archive = memo.split('<div class="archive" lang="en">', 1)[1].split("</div>", 1)[0]
    text = Page(re.sub(r'<sup class="quoted-by">.*?</sup>', "", archive)).all_text()
    assert text.split() == real.source_texts[MEMO].split()


def _source_page_links(text: str) -> str:
    return " ".join(Page(text).links)


def test_each_claim_links_to_its_quote_in_context(real: Ledger, real_site: dict[str, str]) -> None:
    page = Page(real_site[f"claims/{CLAIM_32142}.html"])
    assert f"../sources/{MEMO}/text.html#claim-{CLAIM_32142}" in page.links
    case = real_site["cases/disappearances-nationwide.html"]
    assert f'href="../sources/{MEMO}/text.html#claim-{CLAIM_32142}">the quote in its source' in (
        case
    )
    req = Page(real_site["requirements/requirement-3.html"])
    assert f"../sources/{MEMO}/text.html#wording-requirement-3" in req.links


def _quoted_ledger(text: str, spans: dict[str, list[tuple[int, int]]]) -> Ledger:
    from ledger.analysis.quotes import Position

    claims = [
        make_claim(c, "cso-memo", quote=text[s[0][0] : s[0][1]], statement=f"S {c}")
        for c, s in spans.items()
    ]
    ledger = make_ledger(make_source("cso-memo"), *claims, make_claim("lost", "cso-memo"))
    ledger.source_texts["cso-memo"] = text
    ledger.positions = {
        c: Position("cso-memo", "data/sources/cso-memo.txt", s[0][0], s[-1][1], tuple(s))
        for c, s in spans.items()
    }
    return ledger


def test_overlapping_quotes_are_split_and_each_piece_links_to_every_claim() -> None:
    text = "zero one two three four five"
    ledger = _quoted_ledger(text, {"a": [(5, 12)], "b": [(9, 18)], "c": [(0, 4), (24, 28)]})
    page = render_site(ledger)["sources/cso-memo/text.html"]
    archive = page.split('<div class="archive" lang="en">', 1)[1].split("</div>", 1)[0]
    marks = re.findall(
        r'<a class="quoted" href="[^"]*/claims/(\w+)\.html"[^>]*><mark>(.*?)</mark>', archive
    )
    assert marks == [("c", "zero"), ("a", "one "), ("b", "two"), ("b", " three"), ("c", "five")]
    both = archive.split("<mark>two</mark></a>", 1)[1]
    assert both.startswith('<sup class="quoted-by">[<a href="../../claims/a.html"')
    assert '<a href="../../claims/b.html" title="claim b">3</a>]</sup>' in both
    assert Page(archive).all_text().replace("[2 3]", "") == text  # nothing lost or repeated
    ids = Page(page).ids
    assert {"claim-a", "claim-b", "claim-c"} <= ids
    lost = Page(render_site(ledger)["claims/lost.html"])
    assert "The quote was not found in the source\u2019s archived text." in lost.all_text()
    assert not any("text.html" in link for link in lost.links)


def test_markup_in_an_archived_text_shows_as_text() -> None:
    text = f"Before {ATTACK} and {BREAKOUT} after\r\n\ttab"
    start = text.index(ATTACK)
    ledger = _quoted_ledger(text, {"a": [(start, start + len(ATTACK))]})
    page = render_site(ledger)["sources/cso-memo/text.html"]
    assert "<script>alert" not in page and "<!--" not in page.split("<main", 1)[1]
    assert ATTACK in Page(page).all_text() and "\\x0d" not in page and "\\x09" not in page
    assert [t for t, _ in Page(page).tags].count("script") == 0


def test_a_large_archive_renders_in_linear_time() -> None:
    """Megabytes of text and thousands of quotes: one pass, whatever the size."""
    import time

    from ledger.publish.site.source_text import Quoted, marked_text

    def timed(words: int) -> float:
        text = "word " * words
        quotes = [
            Quoted(
                f"c{i}", f"claim-c{i}", f"claims/c{i}.html", f"claim c{i}", ((i * 50, i * 50 + 30),)
            )
            for i in range(words // 20)
        ]
        began = time.perf_counter()
        html = marked_text("sources/x/text.html", text, quotes)
        assert html.count("<mark>") == len(quotes)
        return time.perf_counter() - began

    small, large = timed(100_000), timed(800_000)  # 0.5 MB and 4 MB
    assert large < 15 and large < 20 * max(small, 0.01)


_SITE_PATH = (
    st.lists(st.sampled_from(["a", "b", "claims", "x.html", ".", "..", ""]), min_size=1, max_size=4)
    .map("/".join)
    .filter(bool)
)


@given(_SITE_PATH, _SITE_PATH)
def test_a_link_between_two_pages_is_the_relative_path_between_them(page: str, target: str) -> None:
    """Links are remembered per folder; each is still what posixpath.relpath makes of it."""
    from ledger.publish.site.html import rel

    assert rel(page, target) == posixpath.relpath(target, posixpath.dirname(page) or ".")
