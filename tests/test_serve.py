"""`ledger serve` through werkzeug's test client: the pages render the ledger on disk as it is
now, every value escaped; writes go through the CLI's writers (canonical, atomic, checked);
a POST without the token or from elsewhere is refused (403), a stale form too (409); no URL
reaches a file outside the ledger."""

from __future__ import annotations

import io
import json
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from werkzeug.serving import BaseWSGIServer

from conftest import Sample, git, make_old, run
from serving import HOST, MEMO, SENTENCE, TOKEN, Browsing, ledger_copy

CLAIM = "memo-32142-disappeared-persons"
OTHER = "memo-2016-most-registered-disappearances"


@pytest.fixture
def app(tmp_path: Path) -> Browsing:
    return Browsing(ledger_copy(tmp_path))


def evidence(root: Path, requirement: str) -> tuple[int, list[str]]:
    """Claims supporting or undermining a requirement, by `ledger status --format json`."""
    result = run(["--root", str(root), "status", requirement, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    ids = re.findall(r'"id": "(memo-[^"]+|gov-[^"]+)"', json.dumps(json.loads(result.stdout)))
    tally = json.loads(result.stdout)["verdict"]["tally"]
    counted = sum(v for k, v in tally.items() if k.endswith(("supports", "undermines")))
    return counted, ids


def new_claim(app: Browsing, **changes: str) -> dict[str, object]:
    """The values of the new-claim form as opened from a selection of the 32,142 sentence."""
    page = app.get(f"/edit/new-claim.html?source={MEMO}&quote={SENTENCE}")
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', page.text)
    assert fingerprint
    values: dict[str, object] = {
        "token": TOKEN,
        "fingerprint": fingerprint.group(1),
        "source": MEMO,
        "quote": SENTENCE,
        "statement": "The memo says that official numbers count 32,142 disappeared persons.",
        "kind": "figure",
        "stance-requirement-3": "undermines",
    }
    values.update(changes)
    return values


# -- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "shows"),
    [
        ("/", "Status of every requirement"),
        ("/requirements/requirement-3.html", "How the rule decided"),
        ("/cases/ayotzinapa.html", "By requirement"),
        ("/contradictions.html", "Contradiction 1"),
        (f"/sources/{MEMO}/text.html", f'id="claim-{CLAIM}"'),
        (f"/claims/{CLAIM}.html", "the quote in its source, highlighted in context"),
        ("/search.html?q=iguala", "ayotzinapa"),
        ("/queue.html", "unreviewed"),
        ("/changes.html", "No changes to records or statuses."),
    ],
)
def test_pages_render(app: Browsing, path: str, shows: str) -> None:
    response = app.get(path)
    assert response.status_code == 200
    assert shows in response.text
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "<script>" not in response.text  # no inline script: only script files


def test_search_is_ledger_search(app: Browsing) -> None:
    """The same hits as `ledger search`, each match marked."""
    shown = app.get("/search.html?q=selvas%20gomez").text
    cli = run(["--root", str(app.root), "search", "selvas gomez", "--ids"]).stdout.split()
    assert cli and all(f"{i}.html" in shown for i in cli)
    assert "<mark>Selvas Gómez</mark>" in shown


def test_a_text_page_offers_the_form_for_a_selection(app: Browsing) -> None:
    page = app.get(f"/sources/{MEMO}/text.html").text
    assert f'data-source="{MEMO}"' in page and 'data-form="../../edit/new-claim.html"' in page
    assert '<script src="../../assets/serve.js" defer>' in page
    assert app.get("/assets/serve.js").headers["Content-Type"].startswith("text/javascript")


def test_each_page_sees_the_files_as_they_are_now(app: Browsing) -> None:
    path = app.root / "data" / "cases" / "ayotzinapa.yaml"
    assert "Renamed on disk" not in app.get("/cases/ayotzinapa.html").text
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title: .*$", "title: Renamed on disk", text), encoding="utf-8")
    assert "Renamed on disk" in app.get("/cases/ayotzinapa.html").text


def test_a_page_of_an_unchanged_ledger_loads_nothing_again(
    app: Browsing, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once every file has settled, a page reuses what the last one built until a file
    changes; an edit made in an editor then shows on the next page."""
    import ledger.records.load

    for path in app.root.rglob("*"):
        make_old(path)
    loads: list[object] = []
    real = ledger.records.load.load
    monkeypatch.setattr(
        ledger.records.load, "load", lambda *a, **k: loads.append(a) or real(*a, **k)
    )
    assert app.get("/cases/ayotzinapa.html").status_code == 200
    assert app.get("/requirements/requirement-3.html").status_code == 200
    assert len(loads) == 1
    path = app.root / "data" / "cases" / "ayotzinapa.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title: .*$", "title: Renamed on disk", text), encoding="utf-8")
    make_old(path)
    assert "Renamed on disk" in app.get("/cases/ayotzinapa.html").text
    assert len(loads) == 2


def test_an_unchanged_walk_keeps_its_state_and_a_changed_ledger_toml_does_not(
    app: Browsing, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A walk that finds every file as the last one did is not hashed again; ledger.toml
    is compared by its bytes, so an edit to it alone still builds the pages again."""
    import ledger.records.scan

    for path in app.root.rglob("*"):
        make_old(path)
    keyed: list[object] = []
    real = ledger.records.scan.ledger_key
    monkeypatch.setattr(ledger.records.scan, "ledger_key", lambda *a: keyed.append(a) or real(*a))
    for _ in range(3):
        assert app.get("/cases/ayotzinapa.html").status_code == 200
    assert len(keyed) == 1
    marker = app.root / "ledger.toml"
    marker.write_text(marker.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    make_old(marker)
    assert app.get("/cases/ayotzinapa.html").status_code == 200
    assert len(keyed) == 2


def test_hostile_data_is_escaped(app: Browsing) -> None:
    attack = "</p><script>alert(1)</script><img src=x onerror=alert(2)>"
    path = app.root / "data" / "claims" / MEMO / f"{CLAIM}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"(?ms)^statement: >-\n.*?(?=^kind:)", f"statement: '{attack}'\n", text),
        encoding="utf-8",
    )
    for page in (f"/claims/{CLAIM}.html", f"/sources/{MEMO}.html", "/search.html?q=alert"):
        shown = app.get(page).text
        assert "<script>alert" not in shown and "<img" not in shown, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown, page
    shown = app.get("/search.html?q=%3Cscript%3Ealert").text
    assert "<script>alert" not in shown and "&lt;script&gt;alert" in shown


@pytest.mark.parametrize(
    "path",
    [
        "/sources/..%2F..%2Fledger.toml/text.html",
        "/sources/../ledger.toml",
        "/assets/..%2F..%2Fledger.toml",
        "/assets/style.css%2F..%2F..%2Fledger.toml",
        "/claims/..%2F..%2Fledger.html",
        "/data/sources/cso-memo-2017.txt",
        "/ledger.toml",
        "/claims/%3Cscript%3E.html",
    ],
)
def test_no_path_leaves_the_ledger(app: Browsing, path: str) -> None:
    response = app.get(path)
    assert response.status_code == 404
    assert "[ledger]" not in response.text and "<script>" not in response.text


def test_a_request_for_another_host_is_refused(app: Browsing) -> None:
    """DNS rebinding: a page on evil.example whose name now points at 127.0.0.1."""
    response = app.client.get("/", headers={"Host": "evil.example:8000"})
    assert response.status_code == 400
    assert "is not this server" in response.text


def test_a_failure_is_an_error_page_and_the_app_goes_on(
    app: Browsing, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unexpected exception: a 500 page with the app's headers, nothing of the exception
    shown to the client (it goes to the server's log), and the next request served."""
    from ledger.serve import pages

    def failing(*args: object) -> str:
        raise RuntimeError("inner detail \x1b[2J")

    monkeypatch.setattr(pages, "queue_page", failing)
    response = app.get("/queue.html")
    assert response.status_code == 500
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "inner detail" not in response.text and "Traceback" not in response.text
    assert "the server could not answer" in response.text
    logged = capsys.readouterr().err
    assert "RuntimeError: inner detail \\x1b[2J" in logged and "\x1b" not in logged
    assert app.get("/").status_code == 200


def test_on_port_80_the_address_is_named_without_its_port(app: Browsing) -> None:
    """A browser leaves the default port out of Host and Origin."""
    page = f"/claims/{CLAIM}.html"
    fingerprint = app.fingerprint(page)
    app.app.bind("127.0.0.1", 80)
    for host in ("127.0.0.1", "localhost", "127.0.0.1:80"):
        assert app.client.get("/", headers={"Host": host}).status_code == 200, host
    assert app.client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 400
    review = {"form": "review", "by": "Ana", "token": TOKEN, "fingerprint": fingerprint}
    sent = {"Host": "127.0.0.1", "Origin": "http://127.0.0.1"}
    assert app.client.post(page, data=review, headers=sent).status_code == 303


def test_the_changes_page_leaves_git_alone(app: Browsing) -> None:
    """Reading git's status takes no lock and writes no index, so a `git commit` run at the
    same moment is never told another git process holds the index."""
    import os

    path = app.root / "data" / "claims" / MEMO / f"{CLAIM}.yaml"
    os.utime(path, (1_000_000_000, 1_000_000_000))  # stat data git would refresh
    index = app.root / ".git" / "index"
    before = index.read_bytes()
    assert app.get("/changes.html").status_code == 200
    assert index.read_bytes() == before


# -- writing -------------------------------------------------------------------------------


def test_a_claim_recorded_from_a_selection(app: Browsing) -> None:
    """The form is filled with the quote and the locator `ledger new claim` derives; saving
    writes a canonical file beside the source's claims, atomically, and status counts it."""
    before, _ = evidence(app.root, "requirement-3")
    form = app.get(f"/edit/new-claim.html?source={MEMO}&quote={SENTENCE}&at=100").text
    assert 'name="locator" value="REQUIREMENT 3, paragraph 1"' in form
    assert git(app.root, "status", "--porcelain") == ""  # a GET writes nothing
    response = app.post("/edit/new-claim.html", new_claim(app))
    assert response.status_code == 303
    saved = response.headers["Location"].split("saved=")[1]
    path = app.root / "data" / "claims" / MEMO / f"{saved}.yaml"
    assert path.is_file()
    assert not list(path.parent.glob(".*.tmp"))  # written atomically, nothing left behind
    assert run(["--root", str(app.root), "fmt", "--check"]).exit_code == 0  # canonical
    assert run(["--root", str(app.root), "validate"]).exit_code in (0, 1)
    assert "locator: REQUIREMENT 3, paragraph 1" in path.read_text(encoding="utf-8")
    after, ids = evidence(app.root, "requirement-3")
    assert after == before + 1 and saved in ids
    changes = app.get(f"/changes.html?saved={saved}").text
    assert f'Saved <a href="claims/{saved}.html"' in changes
    assert f"?? data/claims/{MEMO}/{saved}.yaml" in changes  # git status
    assert "+ claim" in changes and "requirement-3" in changes  # ledger diff
    assert git(app.root, "status", "--porcelain") == f"?? data/claims/{MEMO}/{saved}.yaml\n"


def test_a_get_never_writes(app: Browsing) -> None:
    before = git(app.root, "status", "--porcelain")
    app.get(f"/edit/new-claim.html?source={MEMO}&quote={SENTENCE}&statement=x&kind=figure")
    app.get(f"/claims/{CLAIM}.html?form=review&by=me&token={TOKEN}")
    assert git(app.root, "status", "--porcelain") == before == ""


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quote": "There are 99,999 disappeared persons."}, "quote", "is not found in"),
        ({"case": "no-such-case"}, "case", "no case with id 'no-such-case'"),
        ({"relations": "contradicts=nope"}, "relations", "no claim with id 'nope'"),
        ({"relations": "agrees=gov"}, "relations", "'agrees' is not a relation"),
        ({"kind": "rumour"}, "kind", "choose one of"),
        (
            {"stance-requirement-3": "maybe"},
            "stance-requirement-3",
            "'maybe' is not a stance: use one of supports, undermines, context",
        ),
        ({"stance-requirement-3": ""}, "case", "a claim needs a case or a requirement"),
        ({"as_of": "2017-13"}, "as_of", ""),
        ({"id": CLAIM}, "id", "is already used"),
        ({"statement": "bell\x07"}, "statement", "control or invisible characters"),
    ],
)
def test_bad_input_is_shown_on_the_form(
    app: Browsing, changes: dict[str, str], field: str, message: str
) -> None:
    response = app.post("/edit/new-claim.html", new_claim(app, **changes))
    assert response.status_code == 400
    problems = re.search(r'<ul id="problems">(.*?)</ul>', response.text, re.S)
    assert problems and f"<strong>{field}</strong>: " in problems.group(1)
    assert message.replace("'", "&#x27;") in problems.group(1)
    assert "Traceback" not in response.text
    assert git(app.root, "status", "--porcelain") == ""  # nothing written
    if "quote" in changes:
        assert "hint: the closest passage is" in problems.group(1)


def test_posts_without_the_token_or_from_elsewhere_are_refused(app: Browsing) -> None:
    values = new_claim(app)
    for token in ("", "guess"):
        response = app.post("/edit/new-claim.html", {**values, "token": token})
        assert response.status_code == 403 and "token" in response.text
    for origin in ("http://evil.example", "null"):
        response = app.post("/edit/new-claim.html", values, headers={"Origin": origin})
        assert response.status_code == 403 and "may not change this ledger" in response.text
    response = app.client.post("/edit/new-claim.html", data=values, headers={"Host": HOST})
    assert response.status_code == 403  # says nowhere where it comes from
    page = f"/claims/{CLAIM}.html"
    review = {"form": "review", "by": "Ana", "fingerprint": app.fingerprint(page)}
    assert app.post(page, review).status_code == 403
    assert git(app.root, "status", "--porcelain") == ""


@pytest.mark.parametrize("method", ["HEAD", "PUT", "DELETE", "PATCH"])
def test_only_a_post_with_the_token_writes(app: Browsing, method: str) -> None:
    """Another method carrying a form's body (HEAD is served as GET) neither skips the checks
    a POST passes nor writes."""
    page = f"/claims/{CLAIM}.html"
    review = {"form": "review", "by": "Mallory", "fingerprint": app.fingerprint(page)}
    claim = {k: v for k, v in new_claim(app).items() if k != "token"}
    for path, data in ((page, review), ("/edit/new-claim.html", claim)):
        response = app.client.open(
            f"{path}?source={MEMO}", method=method, data=data, headers={"Host": HOST}
        )
        assert response.status_code in (200, 403, 405), (method, path, response.status_code)
    response = app.client.open(
        "/edit/new-source.html",
        method=method,
        data={"file": (io.BytesIO(b"Some words."), "a.txt"), "published": "2020"},
        headers={"Host": HOST},
    )
    assert response.status_code in (200, 403, 405), (method, response.status_code)
    assert git(app.root, "status", "--porcelain") == ""


def test_a_record_too_large_to_read_back_is_not_written(app: Browsing) -> None:
    """Fields each under the form's limit would make a file the ledger refuses to read (over
    1 MiB): refused on the form, nothing written, the ledger still valid."""
    words = "word " * 110_000
    claim = {**new_claim(app, id="too-large"), "statement": f"The memo says {words}."}
    page = f"/claims/{CLAIM}.html"
    relate = {
        "form": "relate",
        "relation": "corroborates",
        "other": OTHER,
        "note": "word " * 209_600,  # just under the form's 1 MiB a field
        "token": TOKEN,
        "fingerprint": app.fingerprint(page),
    }
    for path, data in (("/edit/new-claim.html", {**claim, "notes": words}), (page, relate)):
        response = app.client.post(
            path,
            data=data,
            headers={"Host": HOST, "Origin": f"http://{HOST}"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 400, path
        assert "the limit is 1,048,576" in response.text
    assert git(app.root, "status", "--porcelain") == ""
    assert run(["--root", str(app.root), "validate"]).exit_code == 0


def test_a_stale_form_is_refused(app: Browsing) -> None:
    """The claim's file changed after its page was opened: nothing is written over it."""
    page = f"/claims/{CLAIM}.html"
    fingerprint = app.fingerprint(page)
    path = app.root / "data" / "claims" / MEMO / f"{CLAIM}.yaml"
    changed = path.read_text(encoding="utf-8") + "# a note saved meanwhile\n"
    path.write_text(changed, encoding="utf-8")
    for form in (
        {"form": "claim", "case": "disappearances-nationwide", "stance-requirement-3": "context"},
        {"form": "review", "by": "Ana"},
        {"form": "relate", "relation": "corroborates", "other": OTHER},
    ):
        response = app.post(page, {"token": TOKEN, "fingerprint": fingerprint, **form})
        assert response.status_code == 409, form
        assert "changed on disk after this form was opened" in response.text
        assert f'id="reload" href="{CLAIM}.html"' in response.text
        assert path.read_text(encoding="utf-8") == changed
    refreshed = app.fingerprint(page)
    assert refreshed != fingerprint
    form = {"form": "review", "by": "Ana", "token": TOKEN, "fingerprint": refreshed}
    assert app.post(page, form).status_code == 303


def test_edit_stances_relate_and_review(app: Browsing) -> None:
    page = f"/claims/{CLAIM}.html"
    path = app.root / "data" / "claims" / MEMO / f"{CLAIM}.yaml"
    edit = {
        "form": "claim",
        "token": TOKEN,
        "fingerprint": app.fingerprint(page),
        "case": "disappearances-nationwide",
        "stance-requirement-3": "undermines",
    }
    response = app.post(page, edit)
    assert response.status_code == 303, response.text
    assert "requirement-3: undermines" in path.read_text(encoding="utf-8")
    relate = {"form": "relate", "token": TOKEN, "fingerprint": app.fingerprint(page)}
    response = app.post(page, {**relate, "relation": "corroborates", "other": OTHER[:12]})
    assert response.status_code == 303, response.text  # a unique beginning will do
    assert f"- corroborates: {OTHER}" in path.read_text(encoding="utf-8")
    review = {"form": "review", "token": TOKEN, "fingerprint": app.fingerprint(page), "by": "Ana"}
    assert app.post(page, review).status_code == 303
    assert "by: Ana" in path.read_text(encoding="utf-8")
    assert run(["--root", str(app.root), "fmt", "--check"]).exit_code == 0
    queue = run(["--root", str(app.root), "queue", "--format", "json"]).stdout
    assert CLAIM not in queue


def test_bound_to_every_address_any_address_of_it_is_accepted(tmp_path: Path) -> None:
    """With --host 0.0.0.0 other machines reach it by an address of this one; a name that is
    not the machine's (a page rebinding its own name) is still refused, and so are its forms."""
    app = Browsing(ledger_copy(tmp_path))
    app.app.bind("0.0.0.0", 8000)
    for host in ("192.0.2.7:8000", "[2001:db8::7]:8000", "127.0.0.1:8000", "localhost:8000"):
        assert app.client.get("/", headers={"Host": host}).status_code == 200, host
    for host in ("evil.example:8000", "192.0.2.7:8001", "2001:db8::7:8000", "[192.0.2.7]:8000"):
        assert app.client.get("/", headers={"Host": host}).status_code == 400, host
    page = f"/claims/{CLAIM}.html"
    review = {"form": "review", "token": TOKEN, "fingerprint": app.fingerprint(page), "by": "Ana"}
    here = {"Host": "192.0.2.7:8000"}
    refused = app.client.post(
        page, data=review, headers={**here, "Origin": "http://evil.example:8000"}
    )
    assert refused.status_code == 403
    saved = app.client.post(page, data=review, headers={**here, "Origin": "http://192.0.2.7:8000"})
    assert saved.status_code == 303, saved.text


def test_serve_refuses_a_remote_address_unless_asked(tmp_path: Path) -> None:
    result = run(["--root", str(tmp_path), "serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "add --allow-remote" in result.stderr


def test_a_ledger_with_errors_says_so_on_every_page(sample_copy: Sample) -> None:
    """A record file broken in an editor is left out of the pages, and each page says so, as
    each command says it on stderr."""
    app = Browsing(sample_copy.root)
    alert = '<div class="problems" role="alert">'
    assert alert not in app.get("/").text
    sample_copy.write("claims/broken.yaml", "id: [broken\n")
    said = re.compile(
        re.escape(alert) + r"<p>(The ledger has 1 error, and )?1 record file failed to load and "
        r"is left out \(data/claims/broken\.yaml\); `ledger validate` shows why\.</p></div>"
    )
    for page in ("/", "/sources.html", "/claims/cso-torture-complaints.html"):
        assert said.search(app.get(page).text), page


def test_changes_before_a_first_commit_list_the_new_files(sample_copy: Sample) -> None:
    git(sample_copy.root, "init", "-q")
    page = Browsing(sample_copy.root).get("/changes.html").text
    assert "no commit to compare with" in page
    status = re.search(r'<pre class="patch" id="git-status">([^<]*)</pre>', page)
    assert status
    assert "?? data/claims/cso-torture-complaints.yaml" in status.group(1).splitlines()
    assert "<h3>New file <code>data/claims/cso-torture-complaints.yaml</code></h3>" in page


def test_changes_outside_git_say_so_and_no_git_status(
    sample_copy: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(sample_copy.root.parent))
    page = Browsing(sample_copy.root).get("/changes.html").text
    assert "not in git: " in page
    assert 'id="git-status"' not in page and "(clean)" not in page


def test_a_port_in_use_is_one_line_with_a_hint(sample_copy: Sample) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(["--root", str(sample_copy.root), "serve", "--port", str(port)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"ledger: cannot listen on 127.0.0.1:{port}: Address already in use; another program "
        "holds that port: pick another with --port (0: any free one)\n"
    )


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT as a terminal's Ctrl-C sends it")
def test_ctrl_c_stops_the_server(sample_copy: Sample) -> None:
    """Interrupted once it has said where it listens: it says so and exits 0, no traceback."""
    child = subprocess.Popen(
        [sys.executable, "-m", "ledger", "--root", str(sample_copy.root), "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        # as a terminal starts it, even when these tests run where Ctrl-C is ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert child.stderr is not None
        ready = child.stderr.readline()
        assert re.fullmatch(r"ledger serve: http://127\.0\.0\.1:\d+/ \(the ledger in .*\n", ready)
        child.send_signal(signal.SIGINT)
        _, rest = child.communicate(timeout=120)  # a guard against a hang, no budget
    finally:
        child.kill()
    assert child.returncode == 0
    assert rest == "ledger serve: stopped\n"


def test_open_without_a_browser_says_so(
    sample_copy: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    import webbrowser

    import ledger.serve

    opened: list[str] = []

    def no_browser(url: str) -> bool:
        opened.append(url)
        return False

    def ready_then_stopped(server: BaseWSGIServer, ready: Callable[[str], None]) -> None:
        ready("http://x/")
        server.server_close()

    monkeypatch.setattr(webbrowser, "open", no_browser)
    monkeypatch.setattr(ledger.serve, "serve", ready_then_stopped)
    result = run(["--root", str(sample_copy.root), "serve", "--port", "0", "--open"])
    assert result.exit_code == 0
    assert opened == ["http://x/"]
    assert result.stderr.splitlines()[1:] == [
        "ledger serve: no web browser found; open the address in one",
        "ledger serve: stopped",
    ]


def test_allow_remote_says_that_others_can_change_the_ledger() -> None:
    result = run(["serve", "--help"])
    assert "can read and change the ledger" in " ".join(result.stdout.split())


@pytest.mark.parametrize("host", ["127.evil.example", "127.0.0.1.evil.example", "localhost.evil"])
def test_a_name_that_only_looks_like_loopback_is_remote(tmp_path: Path, host: str) -> None:
    result = run(["--root", str(tmp_path), "serve", "--host", host])
    assert result.exit_code == 2
    assert "add --allow-remote" in result.stderr


def test_a_source_archived_by_upload(app: Browsing) -> None:
    """An HTML document uploaded: its text archived without markup, its SHA-256 pinned, the
    record written as `ledger new source` writes it; then a claim can quote it."""
    document = (
        b"<html><head><title>Ruling on the Tlatlaya case</title><script>alert(1)</script>"
        b"</head><body><p>The court finds that soldiers <b>fired</b> on people.</p></body></html>"
    )
    form = {
        "token": TOKEN,
        "published": "2016-05",
        "kind": "court-ruling",
        "perspective": "court",
        "language": "en",
        "id": "ruling-tlatlaya",
        "file": (io.BytesIO(document), "../../ruling.html"),
    }
    response = app.post("/edit/new-source.html", form)
    assert response.status_code == 303, response.text
    assert response.headers["Location"] == "../changes.html?saved=ruling-tlatlaya"
    archive = app.root / "data" / "sources" / "ruling-tlatlaya.txt"
    text = archive.read_text(encoding="utf-8")
    assert "The court finds that soldiers fired on people." in text and "alert" not in text
    record = (app.root / "data" / "sources" / "ruling-tlatlaya.yaml").read_text(encoding="utf-8")
    assert "title: Ruling on the Tlatlaya case" in record
    assert "extracted from ruling.html" in record  # the client's path is not a path here
    assert not (app.root.parent / "ruling.html").exists()
    assert run(["--root", str(app.root), "fmt", "--check"]).exit_code == 0
    page = app.get("/sources/ruling-tlatlaya/text.html")
    assert page.status_code == 200 and "soldiers fired on people" in page.text
    quote = "soldiers fired on people"
    form_page = app.get(f"/edit/new-claim.html?source=ruling-tlatlaya&quote={quote}").text
    assert "Nothing was written" not in form_page  # the quote verifies against the archive


def test_an_upload_that_is_not_text_is_refused(app: Browsing) -> None:
    form = {
        "token": TOKEN,
        "published": "2016",
        "kind": "court-ruling",
        "perspective": "court",
        "file": (io.BytesIO(b"\xff\xfe\x00bad"), "x.txt"),
    }
    response = app.post("/edit/new-source.html", form)
    assert response.status_code == 400
    assert "<strong>file</strong>: x.txt is not UTF-8 text" in response.text
    assert git(app.root, "status", "--porcelain") == ""
